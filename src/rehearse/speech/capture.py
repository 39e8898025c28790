"""Recording from a microphone into a WAV file that stays playable whatever happens.

The PortAudio callback only copies each block into a queue; a writer thread appends
the blocks to a 16-bit WAV with libsndfile and rewrites the header's sizes after
every write (``SFC_UPDATE_HEADER_NOW``). ``SoundFile.flush`` alone does not: it
leaves the data size at 0 until the file is closed, so a killed process would leave
a file that players read as empty. With the header kept current, a crash, a SIGKILL,
Ctrl-C or a pulled microphone leaves a valid file holding all audio written so far
(at most one block, ``CaptureOptions.block_s``, may be missing from the header).

``sounddevice`` is imported here only, and lazily: it needs the PortAudio system
library, and ``rehearse --help`` or ``analyze`` must work without it.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rehearse.speech import pinned
from rehearse.speech.audio import SAMPLE_RATE
from rehearse.errors import CaptureError

# PortAudio error codes (portaudio.h) that mean the device cannot be had right now.
PA_UNANTICIPATED_HOST_ERROR = -9999
PA_INVALID_DEVICE = -9996
PA_INVALID_SAMPLE_RATE = -9997
PA_DEVICE_UNAVAILABLE = -9985
# errno values ALSA passes through as host errors.
_EPERM, _ENOENT, _ENXIO, _EACCES, _EBUSY, _ENODEV = 1, 2, 6, 13, 16, 19
INSTALL_PORTAUDIO = (
    "the PortAudio library is missing, so rehearse cannot use the microphone; install it with "
    "'sudo apt-get install libportaudio2' (Fedora: 'sudo dnf install portaudio', macOS: 'brew install portaudio')"
)

BlockListener = Callable[[np.ndarray], None]


@dataclass(frozen=True, slots=True)
class CaptureOptions:
    """How the microphone is read.

    Attributes:
        samplerate_hz: rate asked of the device; Whisper's rate avoids resampling.
        fallback_rates_hz: tried in order when the device refuses the rate asked for
            (after the device's own default rate).
        block_s: how long to wait for blocks before writing; the most audio a killed
            process can lose from the file's header.
        first_audio_s: the stream must deliver its first block within this time.
        stall_s: no audio for this long while recording means the device is gone.
        clip_level: a sample at or above this magnitude counts as clipped.
    """

    samplerate_hz: int = SAMPLE_RATE
    fallback_rates_hz: tuple[int, ...] = (48000, 44100, 32000, 22050, 8000)
    block_s: float = 0.1
    first_audio_s: float = 5.0
    stall_s: float = 2.0
    clip_level: float = 0.999


@dataclass(frozen=True, slots=True)
class InputDevice:
    """One device that can record.

    Attributes:
        index: PortAudio's device index (what ``--device`` takes).
        name: the device's name.
        hostapi: the host API (ALSA, PulseAudio, Core Audio, WASAPI, ...).
        max_channels: input channels.
        default_samplerate_hz: the device's preferred rate.
        is_default: whether it is the system's default input.
    """

    index: int
    name: str
    hostapi: str
    max_channels: int
    default_samplerate_hz: float
    is_default: bool


@dataclass(frozen=True, slots=True)
class Recording:
    """A finished recording.

    Attributes:
        path: the WAV file.
        device: the device's name.
        samplerate_hz: the file's rate.
        duration_s: seconds of audio in the file.
        failure: why recording stopped early (device gone), or None.
    """

    path: Path
    device: str
    samplerate_hz: int
    duration_s: float
    failure: str | None = None


def _sounddevice():
    try:
        import sounddevice
    except OSError as e:  # raised at import when libportaudio cannot be loaded
        raise CaptureError(INSTALL_PORTAUDIO) from e
    return sounddevice


def input_devices() -> list[InputDevice]:
    """Every device with input channels, in PortAudio's order.

    Raises:
        CaptureError: PortAudio is missing.
    """
    sd = _sounddevice()
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
        default_index = sd.default.device[0]
    except sd.PortAudioError as e:
        raise CaptureError(f"cannot list audio devices: {e}") from e
    found = []
    for device in devices:
        if device["max_input_channels"] > 0:
            found.append(InputDevice(
                index=int(device["index"]),
                name=str(device["name"]),
                hostapi=str(hostapis[device["hostapi"]]["name"]),
                max_channels=int(device["max_input_channels"]),
                default_samplerate_hz=float(device["default_samplerate"]),
                is_default=int(device["index"]) == default_index,
            ))
    return found


def find_device(spec: str | int | None = None) -> InputDevice:
    """The input device for ``--device``: an index, a (part of a) name, or None for the default.

    Raises:
        CaptureError: PortAudio is missing, there is no input device, or none matches.
    """
    devices = input_devices()
    if not devices:
        raise CaptureError("no input device found: connect a microphone, or check that the sound "
                           "server (PulseAudio/PipeWire) is running; 'rehearse devices' lists what is seen")
    if spec is None or spec == "":
        return next((d for d in devices if d.is_default), devices[0])
    text = str(spec).strip()
    if text.isdigit():
        for device in devices:
            if device.index == int(text):
                return device
        raise CaptureError(f"no input device with index {text}; 'rehearse devices' lists the inputs "
                           f"({', '.join(str(d.index) for d in devices)})")
    exact = [d for d in devices if d.name.lower() == text.lower()]
    partial = [d for d in devices if text.lower() in d.name.lower()]
    matches = exact or partial
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise CaptureError(f"no input device matches {text!r}; 'rehearse devices' lists the inputs")
    names = ", ".join(f"{d.index}: {d.name}" for d in matches)
    raise CaptureError(f"{text!r} matches several input devices ({names}); give the index instead")


def choose_samplerate(device: InputDevice, requested_hz: int | None, options: CaptureOptions) -> int:
    """The rate to record at: the one asked for, else one the device supports.

    Raises:
        CaptureError: the device supports none of the rates tried, or cannot be opened.
    """
    sd = _sounddevice()
    wanted = int(requested_hz or options.samplerate_hz)
    candidates = [wanted, int(device.default_samplerate_hz), *options.fallback_rates_hz]
    last: Exception | None = None
    for rate in dict.fromkeys(candidates):  # ordered, without repeats
        try:
            sd.check_input_settings(device=device.index, channels=1, dtype="float32", samplerate=rate)
            return rate
        except sd.PortAudioError as e:
            if _code(e) != PA_INVALID_SAMPLE_RATE:
                raise explain(e, device) from e
            last = e
        except ValueError as e:  # sounddevice's own check of the settings
            last = e
    raise CaptureError(f"the microphone {device.name!r} supports none of the rates "
                       f"{', '.join(map(str, dict.fromkeys(candidates)))} Hz: {last}")


def _code(error: Exception) -> int | None:
    return error.args[1] if len(error.args) > 1 else None


def explain(error: Exception, device: InputDevice) -> CaptureError:
    """A one-line CaptureError saying what a PortAudio error means and what to do."""
    code = _code(error)
    host_code = abs(error.args[2][1]) if len(error.args) > 2 else None
    text = str(error)
    name = f"the microphone {device.name!r} (device {device.index})"
    if host_code in (_EACCES, _EPERM) or "permission" in text.lower():
        return CaptureError(f"no permission to use {name}: allow microphone access for this terminal, "
                            "or add your user to the 'audio' group (sudo usermod -aG audio $USER)")
    if host_code == _EBUSY or code == PA_DEVICE_UNAVAILABLE:
        return CaptureError(f"{name} is busy or gone: close the program using it, reconnect it, "
                            "or pick another with --device (see 'rehearse devices')")
    if host_code in (_ENODEV, _ENOENT, _ENXIO) or code == PA_INVALID_DEVICE:
        return CaptureError(f"{name} is gone: reconnect it or pick another with --device (see 'rehearse devices')")
    return CaptureError(f"cannot open {name}: {text}")


class Recorder:
    """Records one take from an input device into a WAV file.

    Use ``start()``, read ``elapsed_s``/``level_dbfs``/``peak``/``failure`` while it
    runs, then ``stop()``. Each block (float32 mono at ``samplerate_hz``) is also
    passed to ``on_block`` from the writer thread, after it is on disk.
    """

    def __init__(self, path: str | Path, *, device: InputDevice, samplerate_hz: int,
                 options: CaptureOptions | None = None, on_block: BlockListener | None = None) -> None:
        self.path = Path(path)
        self.device = device
        self.samplerate_hz = int(samplerate_hz)
        self.options = options or CaptureOptions()
        self.on_block = on_block
        self.frames = 0
        self.level_dbfs = -120.0
        self.peak = 0.0
        self.clipped_blocks = 0
        self.failure: str | None = None
        self.listener_error: Exception | None = None
        self._stopping = False
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue()
        self._stream = None
        self._writer: threading.Thread | None = None
        self._first_audio = threading.Event()
        self._last_block_at = 0.0

    @property
    def elapsed_s(self) -> float:
        """Seconds of audio recorded so far."""
        return self.frames / self.samplerate_hz

    def start(self) -> None:
        """Open the stream and return once audio flows.

        Raises:
            CaptureError: the device cannot be opened or delivers no audio.
        """
        import soundfile

        sd = _sounddevice()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._stream = sd.InputStream(
                device=self.device.index, samplerate=self.samplerate_hz, channels=1, dtype="float32",
                # blocksize 0 lets the host pick: a fixed size held back the first
                # block for 2 s through ALSA's PulseAudio plugin here.
                blocksize=0, callback=self._callback, finished_callback=self._finished,
            )
        except sd.PortAudioError as e:
            raise explain(e, self.device) from e
        self._file = soundfile.SoundFile(self.path, "w", samplerate=self.samplerate_hz, channels=1,
                                         format="WAV", subtype="PCM_16")
        self._sync_header()
        self._writer = threading.Thread(target=self._write_loop, name="rehearse-capture-writer", daemon=True)
        self._writer.start()
        self._last_block_at = time.monotonic()
        try:
            self._stream.start()
        except sd.PortAudioError as e:
            self._shutdown()
            raise explain(e, self.device) from e
        if not self._first_audio.wait(self.options.first_audio_s):
            self._shutdown()
            raise CaptureError(f"the microphone {self.device.name!r} delivered no audio in "
                               f"{self.options.first_audio_s:.0f} s; check it in 'rehearse devices' or pick another with --device")

    def stop(self) -> Recording:
        """Stop recording, write the last blocks, close the file."""
        self._shutdown()
        return Recording(self.path, self.device.name, self.samplerate_hz, round(self.elapsed_s, 3), self.failure)

    def check(self) -> str | None:
        """Why the device stopped delivering audio, or None while it is fine."""
        if self.failure is None and self._first_audio.is_set():
            silent_for = time.monotonic() - self._last_block_at
            if silent_for > self.options.stall_s:
                self.failure = (f"the microphone stopped delivering audio after {self.elapsed_s:.1f} s "
                                "(unplugged, or taken by another program)")
        return self.failure

    def _callback(self, indata, frames, time_info, status) -> None:
        # PortAudio's thread: copy and hand over, nothing else (no I/O, no locks).
        self._queue.put(indata[:, 0].copy())

    def _finished(self) -> None:
        if self._writer is not None and self._writer.is_alive() and not self._stopping:
            self.failure = (f"the microphone stopped after {self.elapsed_s:.1f} s "
                            "(unplugged, or its sound server went away)")
        self._queue.put(None)

    def _write_loop(self) -> None:
        block_s = self.options.block_s
        done = False
        while not done:
            try:
                first = self._queue.get(timeout=block_s)
            except queue.Empty:
                continue
            blocks = [first]
            while True:  # drain what has arrived, to write it in one go
                try:
                    blocks.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if any(b is None for b in blocks):
                done = True
                blocks = [b for b in blocks if b is not None]
            if not blocks:
                continue
            y = np.concatenate(blocks)
            self.frames += y.size  # counted first: the header never claims more than ``frames``
            self._file.write(y)
            self._sync_header()
            self._meter(y)
            self._last_block_at = time.monotonic()
            self._first_audio.set()
            if self.on_block is not None:
                try:
                    self.on_block(y)
                except Exception as e:  # noqa: BLE001  (a listener's failure must not stop the recording)
                    self.listener_error, self.on_block = e, None

    def _sync_header(self) -> None:
        pinned.update_header_now(self._file)

    def _meter(self, y: np.ndarray) -> None:
        rms = float(np.sqrt(np.mean(np.square(y, dtype=np.float64)))) if y.size else 0.0
        self.level_dbfs = 20 * np.log10(max(rms, 1e-6))
        self.peak = float(np.max(np.abs(y))) if y.size else 0.0
        if self.peak >= self.options.clip_level:
            self.clipped_blocks += 1

    def _shutdown(self) -> None:
        self._stopping = True
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:  # noqa: BLE001, S110  (a device that is gone cannot be stopped cleanly; the file is what matters)
                pass
        self._queue.put(None)
        if self._writer is not None:
            self._writer.join()
            self._writer = None
        file = getattr(self, "_file", None)
        if file is not None and not file.closed:
            file.close()


def play(path: str | Path, *, stop: Callable[[], bool] | None = None) -> float:
    """Play a recording through the default output device until it ends, ``stop()`` says
    so, or Ctrl-C.

    Args:
        path: the recording.
        stop: called about every 0.1 s while playing (it may block that long, e.g. waiting
            for a key); playback stops at once when it returns True.

    Returns:
        Seconds played.

    Raises:
        CaptureError: PortAudio is missing or there is no output device.
    """
    import soundfile

    sd = _sounddevice()
    data, rate = soundfile.read(path, dtype="float32")
    duration_s = len(data) / rate
    started = time.monotonic()
    try:
        sd.play(data, rate)
        while sd.get_stream().active:
            if stop is not None and stop():
                sd.stop()
                return min(time.monotonic() - started, duration_s)
            if stop is None:
                time.sleep(0.1)
        sd.wait()
    except sd.PortAudioError as e:
        raise CaptureError(f"cannot play the take back: {e} (is an output device connected?)") from e
    except KeyboardInterrupt:
        sd.stop()
        return min(time.monotonic() - started, duration_s)
    return duration_s

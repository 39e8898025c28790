"""Microphone capture on a real PortAudio stream fed by the virtual PulseAudio microphone."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest
import soundfile as sf

from rehearse.errors import CaptureError

pytest_plugins = ["virtual_mic"]  # its fixtures: virtual_mic, private_sound_server

pytestmark = pytest.mark.mic


@pytest.fixture
def mic_env(virtual_mic, monkeypatch):
    """Point this process's recorders at the virtual microphone."""
    for name in ("PULSE_SOURCE", "PULSE_SINK"):
        monkeypatch.setenv(name, virtual_mic.env[name])
    return virtual_mic


def _rehearse(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rehearse", *args], capture_output=True, text=True, timeout=120,
                          env=env, stdin=subprocess.DEVNULL, check=False)


def test_devices_lists_the_inputs(mic_env):
    from rehearse.speech import capture
    result = _rehearse("devices", env=mic_env.env)
    assert result.returncode == 0, result.stderr
    names = [d.name for d in capture.input_devices()]
    assert "pulse" in names
    for name in names:
        assert name in result.stdout


@pytest.mark.parametrize(
    ("spec", "expected", "error"),
    [
        (None, "default", None),
        ("pulse", "pulse", None),
        ("PULSE", "pulse", None),
        ("index-of-pulse", "pulse", None),
        ("999", None, "no input device with index 999"),
        ("no-such-microphone", None, "no input device matches 'no-such-microphone'"),
        ("l", None, "matches several input devices"),  # "pulse" and "default"
    ],
)
def test_find_device_by_index_or_name(mic_env, spec, expected, error):
    from rehearse.speech import capture
    if spec == "index-of-pulse":
        spec = str(next(d.index for d in capture.input_devices() if d.name == "pulse"))
    if error is None:
        assert capture.find_device(spec).name == expected
    else:
        with pytest.raises(CaptureError, match=error):
            capture.find_device(spec)


def test_samplerate_falls_back_to_one_the_device_supports(mic_env):
    from rehearse.speech import capture
    device = capture.find_device("pulse")
    options = capture.CaptureOptions()
    assert capture.choose_samplerate(device, None, options) == 16000
    assert capture.choose_samplerate(device, 22050, options) == 22050
    # PortAudio's ALSA layer refuses 400 kHz; the device's own rate is next.
    assert capture.choose_samplerate(device, 400000, options) == int(device.default_samplerate_hz)


def test_wav_header_is_current_while_recording(mic_env, samples_dir, tmp_path):
    """The file is readable at every moment, with every block written so far: what a kill leaves."""
    from rehearse.speech import capture
    speech = mic_env.wav(samples_dir / "strong_answer.flac", tmp_path / "speech.wav")
    device = capture.find_device("pulse")
    recorder = capture.Recorder(tmp_path / "take.wav", device=device, samplerate_hz=16000)
    recorder.start()
    player = mic_env.play(speech)
    seen = []
    try:
        for _ in range(6):
            time.sleep(0.7)
            info = sf.info(tmp_path / "take.wav")  # parses the header as any player would
            seen.append((recorder.elapsed_s, info.frames / info.samplerate))
    finally:
        recording = recorder.stop()
        player.kill()
        player.wait()
    durations = [d for _, d in seen]
    assert durations == sorted(durations) and durations[-1] > durations[0] + 2.5
    for elapsed, on_disk in seen:
        # the header never claims more than was recorded, and lags by at most a block or two
        assert elapsed - 0.35 <= on_disk <= elapsed + 1e-6
    y, rate = sf.read(tmp_path / "take.wav", dtype="float32")
    assert rate == 16000 and abs(y.size / rate - recording.duration_s) < 1e-3
    assert np.sqrt(np.mean(np.square(y))) > 0.01, "the speech played into the virtual microphone was not recorded"


def test_explain_names_the_cause_and_the_fix():
    import sounddevice as sd

    from rehearse.speech import capture
    device = capture.InputDevice(3, "USB mic", "ALSA", 1, 48000.0, False)
    cases = [
        (sd.PortAudioError("Unanticipated host error", -9999, (0, -13, "Permission denied")), "no permission"),
        (sd.PortAudioError("Unanticipated host error", -9999, (0, -16, "Device or resource busy")), "busy"),
        (sd.PortAudioError("Device unavailable", -9985), "busy or gone"),
        (sd.PortAudioError("Unanticipated host error", -9999, (0, -19, "No such device")), "is gone"),
        (sd.PortAudioError("Invalid device", -9996), "is gone"),
    ]
    for error, expected in cases:
        message = str(capture.explain(error, device))
        assert expected in message and "'USB mic' (device 3)" in message and "\n" not in message


PATCH_NO_PORTAUDIO = (
    "import ctypes.util, sys; ctypes.util.find_library = lambda name: None; "
    "sys.argv = ['rehearse'] + sys.argv[1:]; from rehearse.app.cli import main; main()"
)


@pytest.mark.parametrize(
    ("args", "env_change", "expected"),
    [
        # The PortAudio library cannot be found: what import sounddevice meets on a bare system.
        (["devices"], "no-portaudio", "sudo apt-get install libportaudio2"),
        (["practice", "--countdown", "0", "--keys", "q"], "no-portaudio", "sudo apt-get install libportaudio2"),
        # No sound server and no sound card: PortAudio sees no device at all.
        (["practice", "--countdown", "0", "--keys", "q"], {"PULSE_SERVER": "unix:/nonexistent"}, "no input device found"),
        (["devices"], {"PULSE_SERVER": "unix:/nonexistent"}, "no input device found"),
        (["practice", "--device", "999", "--countdown", "0", "--keys", "q"], {}, "no input device with index 999"),
        (["practice", "--device", "usb-headset", "--countdown", "0", "--keys", "q"], {}, "no input device matches 'usb-headset'"),
        (["practice", "--keys", "wait:x"], {}, "--keys: unknown key 'wait:x'"),
    ],
    ids=["devices-no-portaudio", "practice-no-portaudio", "practice-no-device", "devices-no-device",
         "bad-index", "bad-name", "bad-keys"],
)
def test_capture_errors_are_one_line(mic_env, tmp_path, args, env_change, expected):
    env = {**mic_env.env, "REHEARSE_DB": str(tmp_path / "history.sqlite3")}
    args = [*args, "--out", str(tmp_path)] if args[0] == "practice" else args
    if env_change == "no-portaudio":
        result = subprocess.run([sys.executable, "-c", PATCH_NO_PORTAUDIO, *args], capture_output=True, text=True,
                                timeout=120, env=env, stdin=subprocess.DEVNULL, check=False)
    else:
        result = _rehearse(*args, env={**env, **env_change})
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("rehearse: error: ") and expected in lines[-1], result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("*/take.wav")), "a failed start must not leave a take behind"


def test_resampled_capture_keeps_time(mic_env, tmp_path):
    """Recording at a device rate other than 16 kHz: the file keeps that rate, the listener gets 16 kHz."""
    from rehearse.speech import capture
    from rehearse.speech.live import LiveSession

    device = capture.find_device("pulse")
    listener = LiveSession(44100)
    recorder = capture.Recorder(tmp_path / "take.wav", device=device, samplerate_hz=44100, on_block=listener.feed)
    recorder.start()
    time.sleep(1.5)
    recording = recorder.stop()
    listener.finish()
    info = sf.info(tmp_path / "take.wav")
    assert info.samplerate == 44100 and info.subtype == "PCM_16"
    assert recording.duration_s == pytest.approx(info.frames / 44100, abs=1e-3)
    assert listener.heard_s == pytest.approx(recording.duration_s, abs=0.01)
    assert np.all(np.isfinite(listener.audio()))

"""A real microphone for tests, without a sound card (``../shared/VIRTUAL_MIC.md``).

PulseAudio's null sink is the microphone: what is played into the sink comes out of
its ``.monitor`` source, and PortAudio records that through ALSA's ``pulse`` device.
The program under test opens a real ``sounddevice.InputStream``; nothing is mocked.

Each test session loads its own null sink (so two test runs on one machine do not
hear each other) and points recorders at it with ``PULSE_SOURCE``. The daemon is
started only when none is running, and only a daemon started here is stopped.
A test module takes the fixtures with ``pytest_plugins = ["virtual_mic"]``; the mic
it gets starts ``rehearse practice`` sessions (``mic.practice``) and converts clips
(``mic.wav``).
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

DEVICE = "pulse"  # ALSA's PulseAudio plugin, as PortAudio lists it
START_TIMEOUT_S = 15.0


def _run(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=30, env=env, check=check)


def _server_up(env: dict | None = None) -> bool:
    return _run("pactl", "info", env=env, check=False).returncode == 0


def start_daemon(extra_args: tuple[str, ...] = (), env: dict | None = None) -> subprocess.Popen:
    """Start a PulseAudio daemon in the foreground of a child process and wait until it answers."""
    process = subprocess.Popen(
        ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n", "--use-pid-file=no",
         "--load=module-native-protocol-unix", "--load=module-always-sink", *extra_args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _server_up(env):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_daemon(process)
            pytest.fail("could not start the PulseAudio daemon for the virtual microphone")
        time.sleep(0.1)
    return process


def stop_daemon(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def as_wav(source: Path, target: Path) -> Path:
    """Decode any clip to a 16 kHz mono 16-bit WAV (paplay stops FLACs early)."""
    import soundfile

    from rehearse.speech import audio
    soundfile.write(target, audio.load(source).samples, audio.SAMPLE_RATE, subtype="PCM_16")
    return target


@dataclass
class VirtualMic:
    """A null sink to play into, and the environment that makes recorders hear it.

    Attributes:
        sink: the sink's name.
        env: environment for programs that record from it (or play back into it).
        device: what to pass to ``--device``.
    """

    sink: str
    env: dict[str, str]
    device: str = DEVICE
    players: list[subprocess.Popen] = field(default_factory=list)

    def play(self, wav: Path) -> subprocess.Popen:
        """Start playing a WAV into the microphone (real time); returns the player."""
        player = subprocess.Popen(["paplay", "-d", self.sink, str(wav)], env=self.env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.players.append(player)
        return player

    def practice(self, args: list[str], **env: str) -> Session:
        """Start ``rehearse practice ARGS`` recording from this microphone."""
        return Session(args, {**self.env, **env})

    def interview(self, args: list[str], **env: str) -> Session:
        """Start ``rehearse interview ARGS`` recording from this microphone."""
        return Session(args, {**self.env, **env}, command="interview")

    wav = staticmethod(as_wav)

    def stop_players(self) -> None:
        for player in self.players:
            if player.poll() is None:
                player.kill()
            player.wait()
        self.players.clear()


def _require_pulseaudio() -> None:
    missing = [tool for tool in ("pulseaudio", "pactl", "paplay") if shutil.which(tool) is None]
    # Not ``import sounddevice``: PortAudio lists the devices once, when it is loaded,
    # and the daemon must be up by then for the "pulse" device to be listed.
    if ctypes.util.find_library("portaudio") is None:
        missing.append("libportaudio2")
    if missing:
        reason = (f"virtual microphone needs {', '.join(missing)} "
                  "(apt-get install pulseaudio pulseaudio-utils libasound2-plugins libportaudio2)")
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run these tests (scripts/install-system-deps.sh installs them)")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def virtual_mic():
    """A PulseAudio null sink whose monitor is the recorders' microphone (``VirtualMic``)."""
    _require_pulseaudio()
    started = None if _server_up() else start_daemon()
    sink = f"rehearse_test_{os.getpid()}"
    module = _run("pactl", "load-module", "module-null-sink", f"sink_name={sink}", "rate=16000", "channels=1").stdout.strip()
    env = {**os.environ, "PULSE_SOURCE": f"{sink}.monitor", "PULSE_SINK": sink}
    if "sounddevice" in sys.modules:  # loaded before the daemon was up: list the devices again
        sounddevice = sys.modules["sounddevice"]
        sounddevice._terminate()
        sounddevice._initialize()
    mic = VirtualMic(sink, env)
    try:
        yield mic
    finally:
        mic.stop_players()
        _run("pactl", "unload-module", module, check=False)
        if started is not None:
            stop_daemon(started)


@pytest.fixture
def private_sound_server(tmp_path):
    """A PulseAudio daemon of the test's own, which the test may kill (a microphone that goes away).

    Yields ``(process, VirtualMic)``; recorders given ``mic.env`` talk only to this daemon.
    """
    _require_pulseaudio()
    runtime = tmp_path / "pulse"
    runtime.mkdir()
    env = {**os.environ, "PULSE_RUNTIME_PATH": str(runtime), "PULSE_STATE_PATH": str(runtime)}
    env.pop("PULSE_SERVER", None)
    process = start_daemon(("--load=module-null-sink sink_name=gone rate=16000 channels=1",), env=env)
    mic_env = {**env, "PULSE_SERVER": f"unix:{runtime}/native", "PULSE_SOURCE": "gone.monitor", "PULSE_SINK": "gone"}
    mic = VirtualMic("gone", mic_env)
    try:
        yield process, mic
    finally:
        mic.stop_players()
        stop_daemon(process)


class Session:
    """``rehearse practice`` (or ``interview``) running in a child process, its stderr read line by line."""

    def __init__(self, args: list[str], env: dict[str, str], *, command: str = "practice") -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rehearse", command, *args], env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        )
        self.lines: list[str] = []
        self.stdout = ""
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._out_reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._out_reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def _read_stdout(self) -> None:
        self.stdout = self.process.stdout.read()

    def wait_for(self, text: str, *, count: int = 1, timeout_s: float = 90.0) -> float:
        """Block until ``text`` has appeared on ``count`` stderr lines; returns the monotonic time."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while sum(text in line for line in self.lines) < count:
                if self.process.poll() is not None and not self._reader.is_alive():
                    raise AssertionError(f"practice exited ({self.process.returncode}) before {text!r}:\n{self.stderr}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no {text!r} after {timeout_s} s:\n{self.stderr}")
                self._changed.wait(min(remaining, 0.5))
        return time.monotonic()

    def signal(self, sig: int) -> None:
        self.process.send_signal(sig)

    def finish(self, timeout_s: float = 120.0) -> int:
        try:
            code = self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            raise AssertionError(f"practice did not finish in {timeout_s} s:\n{self.stderr}") from None
        self._reader.join(10)
        self._out_reader.join(10)
        return code

    @property
    def stderr(self) -> str:
        return "\n".join(self.lines)


def rms(y: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(y, dtype=np.float64)))) if y.size else 0.0

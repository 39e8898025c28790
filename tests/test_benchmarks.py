"""The benchmark code runs (on short clips) and its scorer is right on known cases. No timings asserted."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
fillers_bench = importlib.import_module("fillers")
common = importlib.import_module("common")


@pytest.mark.parametrize(
    ("expected", "found", "tp", "fp", "fn"),
    [(6, 11, 6, 5, 0), (6, 1, 1, 0, 5), (0, 0, 0, 0, 0), (0, 2, 0, 2, 0)],
)
def test_count_scoring(expected, found, tp, fp, fn):
    score = fillers_bench.score_counts(expected, found)
    assert (score.true_positives, score.false_positives, score.false_negatives) == (tp, fp, fn)


def test_time_scoring_matches_each_reference_once():
    expected = [(1.0, 1.4), (5.0, 5.5)]
    found = [(1.2, 1.3), (1.25, 1.35), (5.6, 5.9), (9.0, 9.3)]  # a repeat, a near hit, a miss
    score = fillers_bench.score_times(expected, found, collar_s=0.3)
    assert (score.true_positives, score.false_positives, score.false_negatives) == (2, 2, 0)
    assert score.precision == pytest.approx(0.5) and score.recall == pytest.approx(1.0)
    assert score.f1 == pytest.approx(2 / 3)


def test_wer_normalisation_ignores_case_punctuation_and_fillers():
    assert common.wer("Um, this is me talking.", "this is me, uh, talking") == 0.0
    assert common.wer("ask not", "ask now") == pytest.approx(0.5)


def test_filler_scorer_runs_on_two_clips(shared_audio):
    data = fillers_bench.run(clips_with=["mfa_um.flac"], clips_without=["mfa_er.flac"], fluent=["jfk.flac"])
    rehearse = data["methods"]["rehearse"]
    assert rehearse["clips"]["mfa_um.flac"]["expected"] == 1
    assert set(data["wer_fluent"]["jfk.flac"]) == {"plain", "prompt"}


def test_speed_benchmark_runs_on_a_short_answer(shared_audio, tmp_path, monkeypatch):
    speed = importlib.import_module("speed")
    data = speed.run(runs=1, quick=True)
    assert data["audio_s"] > 30
    assert data["rehearse_analyze"]["stages"]["transcribe"] > 0
    assert data["peak_rss_mb"] > 50


def test_stress_files_are_seeded_replayable_and_as_described(shared_audio):
    import numpy as np

    stress = importlib.import_module("stress")
    pool = stress._pool()
    y, described = stress.plan(14, 3, pool)
    again, _ = stress.plan(14, 3, pool)
    other, _ = stress.plan(15, 3, pool)
    assert np.array_equal(y, again) and not np.array_equal(y[: other.size], other[: y.size])
    assert stress.MIN_FILE_S <= described.duration <= stress.MAX_FILE_S + 1.0
    assert described.condition == "phone_8khz"  # every fourth file
    spectrum = np.abs(np.fft.rfft(y)) ** 2
    freqs = np.fft.rfftfreq(y.size, 1 / 16000)
    assert spectrum[freqs > 3500].sum() < 1e-6 * spectrum.sum()
    gaps = [b.start - a.end for a, b in zip(described.pieces, described.pieces[1:])]
    assert all(stress.MIN_GAP_S - 1e-3 <= g <= stress.MAX_GAP_S + 1e-3 for g in gaps)
    assert described.reference and all(stress.MIN_GAIN_DB <= p.gain_db <= stress.MAX_GAIN_DB for p in described.pieces)


def test_stress_wordless_stretches():
    stress = importlib.import_module("stress")
    words = [("a", 1.0, 1.5), ("b", 6.0, 6.4)]
    # Speech 0.5-8 s: words reach 0.5-2.0 and 5.5-6.9; 2.0-5.5 and 6.9-8 have none.
    assert stress.wordless([(0.5, 8.0)], words) == [(2.0, 5.5), (6.9, 8.0)]
    assert stress.wordless([(0.5, 8.0)], []) == [(0.5, 8.0)]

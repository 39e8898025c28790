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

"""The content checks on answers rewritten from published example answers.

``tests/content_corpus/published`` holds answers modelled on example answers from career
sites, coaches and career centres, each with its source's verdict and the pitfalls its
text shows. A third of them, drawn at random before anything was measured, is the test
split: thresholds were chosen on the dev split only, and the floors below sit a little
under what the test split measured (benchmarks/README.md, "content on published answers").
``python benchmarks/published_eval.py`` prints both splits.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from rehearse import packs

REPO = Path(__file__).resolve().parents[1]
# Floors on the test split, a little under what it measured (recall 0.75, precision 0.90,
# no false high-severity pitfall on 24 good answers, AUC 0.97; benchmarks/README.md).
# The target recall is 0.85: not reached yet.
MIN_RECALL = 0.7
MIN_PRECISION = 0.8
MAX_FALSE_HIGH_SHARE = 0.05
MIN_AUC = 0.9


def _evaluator():
    spec = importlib.util.spec_from_file_location("published_eval", REPO / "benchmarks" / "published_eval.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def evaluator():
    return _evaluator()


@pytest.fixture(scope="module")
def test_split(evaluator):
    figures = evaluator.evaluate(evaluator.load("test"))
    print("\n" + evaluator.table({"test": figures}))
    return figures


def test_corpus_is_large_sourced_and_split(evaluator):
    answers = evaluator.load()
    assert len(answers) >= 120
    assert len({a["id"] for a in answers}) == len(answers)
    test = [a for a in answers if a["split"] == "test"]
    assert 0.3 <= len(test) / len(answers) <= 0.36
    catalog = packs.load_packs(include_user=False)
    for a in answers:
        assert a["source"].startswith(("http://", "https://")), a["id"]
        question = catalog.get(a["question"])
        assert set(a["pitfalls"]) <= {p.id for p in question.pitfalls}, a["id"]
        assert a["verdict"] == "good" or a["pitfalls"] or len(a["text"].split()) < 40, a["id"]
    for split in ("dev", "test"):
        verdicts = [a["verdict"] for a in answers if a["split"] == split]
        assert verdicts.count("good") >= 0.3 * len(verdicts) and verdicts.count("bad") >= 0.3 * len(verdicts)


def test_pitfall_recall_on_the_test_split(test_split):
    assert test_split.pooled.recall >= MIN_RECALL, test_split.pooled.errors
    assert test_split.pooled.precision >= MIN_PRECISION, test_split.pooled.errors


def test_few_false_high_severity_pitfalls_on_good_answers(test_split):
    assert test_split.false_high_share <= MAX_FALSE_HIGH_SHARE, test_split.false_high


def test_score_ranks_good_answers_above_bad_ones(test_split):
    assert test_split.auc >= MIN_AUC, sorted(test_split.scores, key=lambda s: (s[1], s[2] or -1))

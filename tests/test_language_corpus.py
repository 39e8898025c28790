"""Precision and recall of each language check on the labelled corpus in ``language_corpus/``.

Each check must reach its floor; the measured figures are printed (``pytest -s``) and
written to the JUnit properties so a run shows them. Word times are estimated at
150 words/min, as for a typed draft.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from rehearse import language
from rehearse.app.drafts import estimate_words
from rehearse.language.tokens import stem

CORPUS = Path(__file__).parent / "language_corpus"
# Floors: set below what the checks measure today, so a regression fails the test.
FLOORS = {
    "hedging": (0.9, 0.9),
    "informal": (0.9, 0.9),
    "restarts": (0.85, 0.85),
    "repetition": (0.85, 0.85),
}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    cases: int = 0
    tricky: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def _cases(name: str, folder: Path = CORPUS) -> list[dict]:
    return tomllib.loads((folder / f"{name}.toml").read_text(encoding="utf-8"))["case"]


def _report(case: dict):
    question = SimpleNamespace(text=case["question"]) if "question" in case else None
    return language.check(estimate_words(case["text"], wpm=150.0), question=question)


def _repetition_keys(report) -> list[str]:
    keys = []
    for rep in report.repetition:
        if rep.kind == "crutch":
            keys.append(rep.phrase)
        elif rep.kind == "word":
            keys.append("word:" + stem(rep.phrase.split("/")[0]))
        else:
            keys.append("phrase:" + rep.phrase)
    return keys


def _expected_keys(expect: list[str]) -> list[str]:
    return ["word:" + stem(e[5:]) if e.startswith("word:") else e for e in expect]


PREDICT = {
    "hedging": lambda r: [h.phrase for h in r.hedges],
    "informal": lambda r: [h.phrase for h in r.informal],
    "repetition": _repetition_keys,
}


def score(name: str, folder: Path = CORPUS) -> tuple[Score, list[str]]:
    """Score one check over its corpus file in ``folder``; also return the disagreements."""
    total = Score()
    misses: list[str] = []
    for case in _cases(name, folder):
        report = _report(case)
        total.cases += 1
        total.tricky += bool(case.get("tricky"))
        if name == "restarts":
            got, want = len(report.rambling.restarts), case["count"]
            tp, fp, fn = min(got, want), max(0, got - want), max(0, want - got)
            detail = [h.text for h in report.rambling.restarts]
        else:
            keys = PREDICT[name](report)
            expected = Counter(_expected_keys(case["expect"]) if name == "repetition" else case["expect"])
            if name == "repetition":
                # A repeated verb reported with its object ("built the" x3) reports the word.
                words = {k[5:] for k in expected if k.startswith("word:")}
                keys = [next((f"word:{w}" for w in words if k.startswith("phrase:")
                              and w in {stem(t) for t in k[7:].split()}), k) for k in keys]
            predicted = Counter(keys)
            tp = sum((predicted & expected).values())
            fp = sum((predicted - expected).values())
            fn = sum((expected - predicted).values())
            detail = sorted(predicted.elements())
        total.tp += tp
        total.fp += fp
        total.fn += fn
        if fp or fn:
            misses.append(f"{case['text']!r}: got {detail}")
    return total, misses


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_corpus_precision_recall(name, record_property):
    result, misses = score(name)
    print(f"\n{name}: {result.cases} cases ({result.tricky} tricky negatives), "
          f"precision {result.precision:.3f}, recall {result.recall:.3f} (tp {result.tp}, fp {result.fp}, fn {result.fn})")
    for miss in misses:
        print("  miss:", miss)
    record_property(f"{name}_precision", round(result.precision, 3))
    record_property(f"{name}_recall", round(result.recall, 3))
    assert result.cases >= 30 and result.tricky * 2 >= result.cases - 1, "corpus: 30 cases or more, about half tricky"
    floor_p, floor_r = FLOORS[name]
    assert result.precision >= floor_p, misses
    assert result.recall >= floor_r, misses

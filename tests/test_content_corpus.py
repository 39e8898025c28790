"""Precision and recall of every content check on the hand-labelled corpus of written answers.

The corpus (``tests/content_corpus``) has answers across the packs: strong, weak, each
pitfall, and tricky negatives ("I like solving problems", "my team was my family",
"saved the company money"). ``heldout.toml`` was written and labelled after the packs
were tuned on the other files (see its header). ``python benchmarks/content_eval.py``
prints the same table.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from rehearse import packs
REPO = Path(__file__).resolve().parents[1]
GENERIC_PITFALLS = ["extrinsic-motivation", "family", "hobby-no-bridge", "lack-of-self-drive", "trash-employer",
                    "negativity-last-job", "bad-language", "generic-answer"]
# (precision floor, recall floor); None where a check has no floor of that kind.
FLOORS = {
    "structure parts": (0.9, 0.9),
    "closing moves": (0.9, 0.9),
    "specific story": (0.85, 0.85),
    "measurable result": (0.85, 0.85),
    "inferred question": (None, 0.9),
    "theme": (None, 0.8),
    "tailoring": (None, 1.0),
    "weak": (0.6, 0.8),
    "misplaced": (0.6, 0.6),
}


def _evaluator():
    spec = importlib.util.spec_from_file_location("content_eval", REPO / "benchmarks" / "content_eval.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def evaluator():
    return _evaluator()


@pytest.fixture(scope="module")
def cases(evaluator):
    return evaluator.load_corpus()


@pytest.fixture(scope="module")
def tallies(evaluator, cases):
    result = evaluator.evaluate(cases)
    print("\n" + evaluator.table(result))
    return result


def test_corpus_covers_the_packs_and_pitfalls(cases):
    assert len(cases) >= 40
    catalog = packs.load_packs(include_user=False)
    asked = Counter(c["question"].split("/")[0] for c in cases if c["question"] not in ("", "?"))
    assert {"motivation", "closing", "background", "behavioral"} <= set(asked)
    for case in cases:
        if case["question"] not in ("", "?"):
            catalog.get(case["question"])
    positives = Counter(p for c in cases for p in c.get("pitfalls", []))
    for pitfall in GENERIC_PITFALLS:
        assert positives[pitfall] >= 2, pitfall
    clean = [c for c in cases if c.get("pitfalls") == [] and c["id"].startswith(("tricky-", "ho-"))]
    assert len(clean) >= 10  # tricky negatives: words that look like a pitfall and are not one
    assert len({c["id"] for c in cases}) == len(cases)


def test_every_pitfall_is_precise_and_found(tallies):
    for name, t in tallies.items():
        if not name.startswith("pitfall:") or t.tp + t.fn < 2:
            continue
        assert t.precision is not None and t.precision >= 0.8, (name, t.errors)
        assert t.recall >= 0.8, (name, t.errors)


@pytest.mark.parametrize("check", sorted(FLOORS))
def test_check_floors(tallies, check):
    precision_floor, recall_floor = FLOORS[check]
    t = tallies[check]
    if precision_floor is not None:
        assert t.precision is not None and t.precision >= precision_floor, t.errors
    if recall_floor is not None:
        assert t.recall >= recall_floor, t.errors


def test_every_part_found_on_some_answer(tallies):
    # Each part of the motivation, background and behavioural rubrics is found somewhere
    # (closing questions to ask are optional, so some have no positive case).
    for name, t in tallies.items():
        if name.startswith("part:") and t.tp + t.fn >= 2:
            assert t.recall >= 0.5, (name, t.errors)


def test_held_out_answers(evaluator):
    held_out = evaluator.evaluate(evaluator.load_corpus(only="heldout.toml"))
    print("\nheld out:\n" + evaluator.table(held_out))
    parts = held_out["structure parts"]
    assert parts.precision >= 0.9 and parts.recall >= 0.85
    fp = sum(t.fp for name, t in held_out.items() if name.startswith("pitfall:"))
    fn = sum(t.fn for name, t in held_out.items() if name.startswith("pitfall:"))
    tp = sum(t.tp for name, t in held_out.items() if name.startswith("pitfall:"))
    assert tp / (tp + fp) >= 0.8 and tp / (tp + fn) >= 0.8

"""Precision and recall of every content check on the hand-labelled written corpus.

Run: ``python benchmarks/content_eval.py [--corpus DIR] [--errors]``

Each case in ``tests/content_corpus/*.toml`` is an answer with its expected findings
(see the header of ``motivation.toml``). The answer is turned into words with even,
synthetic timestamps and checked with ``content.check``; every check is then scored:

- ``pitfall:<id>``: over the cases whose question checks that pitfall;
- ``part:<id>``: whether each part of the question's structure was found;
- ``structure parts`` / ``closing moves``: the parts pooled (closing moves are the
  parts of the closing pack);
- ``misplaced`` and ``weak``: the status of parts that are present;
- ``specific story``, ``measurable result``: the specificity check;
- ``theme``, ``inferred question``, ``tailoring``: accuracy (shown as recall).

``tests/test_content_corpus.py`` asserts floors on this table.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "content_corpus"


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, truth: bool, predicted: bool, where: str) -> None:
        if truth and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
            self.errors.append(f"{where}: false positive")
        elif truth:
            self.fn += 1
            self.errors.append(f"{where}: missed")
        else:
            self.tn += 1

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def cases(self) -> int:
        return self.tp + self.fp + self.fn + self.tn


def load_corpus(folder: Path = CORPUS, *, only: str | None = None) -> list[dict]:
    """Every case of every corpus file (or only of the file named ``only``), with its file name."""
    cases = []
    for path in sorted(folder.glob("*.toml")):
        if only is not None and path.name != only:
            continue
        with open(path, "rb") as f:
            for case in tomllib.load(f)["case"]:
                cases.append({**case, "file": path.name})
    return cases


def evaluate(cases: list[dict]) -> dict[str, Tally]:
    """Run every case through the content checks and tally each check."""
    from rehearse import content, packs
    catalog = packs.load_packs(include_user=False)
    tallies: dict[str, Tally] = {}

    def tally(name: str) -> Tally:
        return tallies.setdefault(name, Tally())

    for case in cases:
        words = content.words_from_text(case["text"])
        where = case["id"]
        qid = case.get("question", "")
        inferred = None
        if qid == "?" or "infer" in case:
            inferred = content.infer_question(words, catalog)
            expected = case.get("infer", "none")
            got = inferred.id if inferred else "none"
            tally("inferred question").add(got == expected, got == expected, f"{where}: inferred {got}, expected {expected}")
        question = inferred if qid == "?" else (catalog.get(qid) if qid else None)
        report = content.check(words, question=question, job_text=case.get("job"), company=case.get("company"),
                               catalog=catalog)
        checked = question.pitfalls if question else catalog.generic_pitfalls() + tuple(
            p for p in catalog.pitfalls.values() if p.only_without_story and not p.generic)
        hit_ids = {h.id for h in report.pitfalls}
        expected_pitfalls = set(case.get("pitfalls", []))
        for pitfall in checked:
            tally(f"pitfall:{pitfall.id}").add(pitfall.id in expected_pitfalls, pitfall.id in hit_ids,
                                               f"{where}: {pitfall.id}")
        for unknown in expected_pitfalls - {p.id for p in checked}:
            raise ValueError(f"{where}: expected pitfall {unknown!r} is not checked for this question")
        if question is not None and "found" in case:
            _parts(case, report, question, tally)
        spec = report.specificity
        if spec is not None and "story" in case:
            tally("specific story").add(case["story"], spec.story, f"{where}: story")
        if spec is not None and "measurable" in case:
            tally("measurable result").add(case["measurable"], spec.measurable, f"{where}: measurable")
        if "themes" in case:
            ok = report.theme in case["themes"]
            tally("theme").add(True, ok, f"{where}: theme {report.theme}, expected one of {case['themes']}")
        if "min_coverage" in case:
            coverage = report.tailoring.coverage if report.tailoring else 0.0
            ok = coverage >= case["min_coverage"]
            tally("tailoring").add(True, ok, f"{where}: coverage {coverage:.2f} < {case['min_coverage']}")
    return tallies


def _parts(case: dict, report, question, tally) -> None:
    where = case["id"]
    found = set(case["found"])
    weak, misplaced = set(case.get("weak", [])), set(case.get("misplaced", []))
    known = {p.id for p in question.parts}
    for name in found | weak | misplaced:
        if name not in known:
            raise ValueError(f"{where}: part {name!r} is not a part of {question.id}")
    pool = "closing moves" if question.pack == "closing" else "structure parts"
    for result, part in zip(report.parts, question.parts):
        truth = part.id in found
        label = f"{where}: part {part.id}"
        tally(f"part:{part.id}").add(truth, result.found, label)
        tally(pool).add(truth, result.found, label)
        if truth and result.found and part.position != "any":
            tally("misplaced").add(part.id in misplaced, result.status == "misplaced", f"{label} misplaced")
        if truth and result.found and (part.needs_measure or part.needs_theme):
            tally("weak").add(part.id in weak, result.status == "weak", f"{label} weak")


def table(tallies: dict[str, Tally]) -> str:
    """The tallies as a Markdown table, pitfalls first."""
    def order(name: str) -> tuple[int, str]:
        return ({"pitfall": 0, "part": 2}.get(name.split(":")[0], 1 if " " in name else 3), name)

    lines = ["| check | cases | TP | FP | FN | precision | recall |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name in sorted(tallies, key=order):
        t = tallies[name]
        p = "-" if t.precision is None else f"{t.precision:.2f}"
        r = "-" if t.recall is None else f"{t.recall:.2f}"
        lines.append(f"| {name} | {t.cases} | {t.tp} | {t.fp} | {t.fn} | {p} | {r} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--errors", action="store_true", help="list every false positive and miss")
    parser.add_argument("--only", metavar="FILE", help="score only this corpus file, e.g. heldout.toml")
    args = parser.parse_args(argv)
    cases = load_corpus(args.corpus, only=args.only)
    tallies = evaluate(cases)
    print(f"{len(cases)} answers from {args.corpus}\n")
    print(table(tallies))
    if args.errors:
        print()
        for name, t in sorted(tallies.items()):
            for error in t.errors:
                print(f"{name}: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

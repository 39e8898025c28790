"""The content checks on answers rewritten from published examples, per split.

Run: ``python benchmarks/published_eval.py [--split dev|test|all] [--errors]``

``tests/content_corpus/published/*.toml`` holds answers modelled on example answers that
career sites, coaches and career centres published, each with its source's verdict
(good or bad), the pitfalls its text clearly shows and its split (a third drawn at
random as "test" before anything was measured; tune only on "dev"). Every answer is
checked as a typed draft with its question, and the figures are:

- per pitfall, precision and recall over the answers whose question checks it;
- pitfall recall and precision pooled over all pitfalls;
- the share of good answers given a false high-severity pitfall;
- the content score's AUC: the chance a good answer scores above a bad one (ties count
  half; an answer too short to judge ranks below every judged one);
- how many answers were too short to judge (score 0 and a finding).

``tests/test_published_corpus.py`` asserts floors on the test split.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PUBLISHED = Path(__file__).resolve().parents[1] / "tests" / "content_corpus" / "published"
SPLITS = ("dev", "test")


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class Figures:
    """What one split scores."""

    answers: int
    good: int
    bad: int
    pitfalls: dict[str, Count]
    pooled: Count
    false_high_good: int
    auc: float
    unscored: int
    false_high: list[str] = field(default_factory=list)
    scores: list[tuple[str, str, int | None]] = field(default_factory=list)

    @property
    def false_high_share(self) -> float:
        return self.false_high_good / self.good if self.good else 0.0


def load(split: str | None = None, folder: Path = PUBLISHED) -> list[dict]:
    """The published answers, of one split (or all when ``split`` is None)."""
    answers = []
    for path in sorted(folder.glob("*.toml")):
        with open(path, "rb") as f:
            for answer in tomllib.load(f)["answer"]:
                if answer["split"] not in SPLITS or answer["verdict"] not in ("good", "bad"):
                    raise ValueError(f"{path.name}: {answer['id']}: bad split or verdict")
                if split is None or answer["split"] == split:
                    answers.append({**answer, "file": path.name})
    return answers


def auc(good: list[float], bad: list[float]) -> float:
    """Probability that a good answer outranks a bad one (Mann-Whitney; ties count half)."""
    if not good or not bad:
        return float("nan")
    wins = sum((g > b) + 0.5 * (g == b) for g in good for b in bad)
    return wins / (len(good) * len(bad))


def evaluate(answers: list[dict], overrides: dict | None = None) -> Figures:
    """Check every answer as a typed draft with its question and score the checks.

    Args:
        overrides: ``ContentOptions`` fields to change for every question (cross-validation).
    """
    import dataclasses

    from rehearse import content, packs

    catalog = packs.load_packs(include_user=False)
    per: dict[str, Count] = {}
    pooled = Count()
    false_high: list[str] = []
    scores: list[tuple[str, str, int | None]] = []
    for a in answers:
        question = catalog.get(a["question"])
        options = dataclasses.replace(question.thresholds.content, **overrides) if overrides else None
        report = content.check(content.words_from_text(a["text"]), question=question, catalog=catalog, options=options)
        checked = {p.id for p in question.pitfalls}
        expected = set(a["pitfalls"])
        if expected - checked:
            raise ValueError(f"{a['id']}: {sorted(expected - checked)} not checked for {question.id}")
        hit = {h.id for h in report.pitfalls}
        for pid in sorted(checked):
            c = per.setdefault(pid, Count())
            truth, predicted = pid in expected, pid in hit
            for target in (c, pooled):
                if truth and predicted:
                    target.tp += 1
                elif predicted:
                    target.fp += 1
                    target.errors.append(f"{a['id']}: false {pid}")
                elif truth:
                    target.fn += 1
                    target.errors.append(f"{a['id']}: missed {pid}")
        highs = sorted({h.id for h in report.pitfalls if h.severity == "high"} - expected)
        if a["verdict"] == "good" and highs:
            false_high.append(f"{a['id']}: {', '.join(highs)}")
        scores.append((a["id"], a["verdict"], report.score if report.judged else None))
    rank = [(-1 if s is None else s, v) for _, v, s in scores]
    return Figures(
        answers=len(answers),
        good=sum(v == "good" for _, v in rank),
        bad=sum(v == "bad" for _, v in rank),
        pitfalls=per,
        pooled=pooled,
        false_high_good=len(false_high),
        auc=auc([s for s, v in rank if v == "good"], [s for s, v in rank if v == "bad"]),
        unscored=sum(s is None for _, _, s in scores),
        false_high=false_high,
        scores=scores,
    )


def objective(f: Figures) -> float:
    """What a threshold is chosen for: pitfalls found, less false high pitfalls on good
    answers, less false hits; the score's ranking breaks ties."""
    return (f.pooled.recall or 0.0) - f.false_high_share - 0.5 * (1 - (f.pooled.precision or 0.0)) + 0.1 * f.auc


def cross_validate(answers: list[dict], name: str, grid: list[float], *, folds: int = 5,
                   seed: int = 19) -> tuple[list[float], float]:
    """K-fold choice of one ``ContentOptions`` threshold on these answers.

    Each fold's threshold is chosen on the other folds; the answers of the fold then count
    towards the held-out recall. Returns the chosen thresholds and that recall.
    """
    import random

    order = sorted(answers, key=lambda a: a["id"])
    random.Random(seed).shuffle(order)
    chosen, held = [], []
    for k in range(folds):
        train = [a for i, a in enumerate(order) if i % folds != k]
        best = _best(grid, lambda t, train=train: objective(evaluate(train, {name: t})))
        chosen.append(best)
        held.extend(a | {"_threshold": best} for i, a in enumerate(order) if i % folds == k)
    pooled = [evaluate([a for a in held if a["_threshold"] == t], {name: t}) for t in sorted(set(chosen))]
    tp = sum(f.pooled.tp for f in pooled)
    fn = sum(f.pooled.fn for f in pooled)
    return chosen, tp / (tp + fn) if tp + fn else float("nan")


def _best(grid: list[float], score) -> float:
    """The grid value with the best score; among equals, the middle one (the centre of a
    plateau is the choice least likely to sit on an edge of new data)."""
    scores = [score(t) for t in grid]
    top = max(scores)
    tied = [t for t, s in zip(grid, scores) if s >= top - 1e-9]
    return tied[len(tied) // 2]


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def table(figures: dict[str, Figures]) -> str:
    """Both splits side by side, as Markdown."""
    names = list(figures)
    lines = ["| figure | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]

    def row(label: str, cell) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(figures[n]) for n in names) + " |")

    row("answers (good / bad)", lambda f: f"{f.answers} ({f.good} / {f.bad})")
    row("**pitfall recall** (found / labelled)", lambda f: f"**{_f(f.pooled.recall)}** ({f.pooled.tp}/{f.pooled.tp + f.pooled.fn})")
    row("pitfall precision", lambda f: f"{_f(f.pooled.precision)} ({f.pooled.tp}/{f.pooled.tp + f.pooled.fp})")
    row("**good answers with a false high-severity pitfall**",
        lambda f: f"**{100 * f.false_high_share:.0f}%** ({f.false_high_good}/{f.good})")
    row("**content score AUC, good > bad**", lambda f: f"**{f.auc:.2f}**")
    row("answers too short to judge", lambda f: str(f.unscored))
    for pid in sorted({p for f in figures.values() for p in f.pitfalls}):
        def cell(f: Figures, pid=pid) -> str:
            c = f.pitfalls.get(pid)
            if c is None or c.tp + c.fp + c.fn == 0:
                return "-"
            return f"P {_f(c.precision)} R {_f(c.recall)} ({c.tp}/{c.fp}/{c.fn})"
        row(f"pitfall: {pid} (TP/FP/FN)", cell)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all",
                        help="which split to score; 'all' prints dev and test side by side")
    parser.add_argument("--errors", action="store_true", help="list misses, false hits and every score")
    parser.add_argument("--cv", action="store_true",
                        help="choose ContentOptions.negative_tone by 5-fold cross-validation on the dev split")
    args = parser.parse_args(argv)
    if args.cv:
        grid = [-0.05, -0.1, -0.15, -0.2, -0.25, -0.3, -0.35, -0.4, -0.5]
        dev = load("dev")
        chosen, recall = cross_validate(dev, "negative_tone", grid)
        whole = _best(grid, lambda t: objective(evaluate(dev, {"negative_tone": t})))
        print(f"negative_tone per fold: {chosen}; held-out pitfall recall {recall:.2f}; on all of dev: {whole}")
        return 0
    splits = SPLITS if args.split == "all" else (args.split,)
    figures = {s: evaluate(load(s)) for s in splits}
    print(table(figures))
    if args.errors:
        for name, f in figures.items():
            print(f"\n## {name}")
            for error in f.pooled.errors:
                print(error)
            for item in f.false_high:
                print(f"false high on a good answer: {item}")
            for answer_id, verdict, score in sorted(f.scores, key=lambda s: (s[1], -1 if s[2] is None else s[2])):
                print(f"score {score} {verdict} {answer_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

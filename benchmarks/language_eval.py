"""Precision and recall of the language checks on the labelled corpora.

Run: ``python benchmarks/language_eval.py``

Two sets: ``tests/language_corpus/*.toml``, written alongside the rules (a development
set: the test asserts floors on it), and ``tests/language_corpus/holdout/*.toml``,
written after the rules were frozen and never used to tune them (the fairer figure).
Prints a Markdown table and every disagreement.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _scorer():
    spec = importlib.util.spec_from_file_location("corpus", ROOT / "tests" / "test_language_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    corpus = _scorer()
    rows = []
    misses_all = []
    for label, folder in (("development", corpus.CORPUS), ("held-out", corpus.CORPUS / "holdout")):
        for name in sorted(corpus.FLOORS):
            result, misses = corpus.score(name, folder)
            rows.append(f"| {name} | {label} | {result.cases} ({result.tricky} tricky) | {result.precision:.2f} | "
                        f"{result.recall:.2f} | {result.tp} / {result.fp} / {result.fn} |")
            misses_all.extend(f"{label} {name}: {m}" for m in misses)
    print("| check | set | cases | precision | recall | tp / fp / fn |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    if misses_all:
        print("\nDisagreements:")
        print("\n".join(f"- {m}" for m in misses_all))


if __name__ == "__main__":
    main()

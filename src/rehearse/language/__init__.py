"""Language coaching: repetition, hedging, rambling, informal words and pace over time.

``check`` runs every language check on the words of a take (or of a typed draft,
whose word times are estimated) and returns a ``LanguageReport`` whose findings
quote the words with their timestamps. The phrase tables are editable TOML files in
``rehearse/lexicons/`` (see ``language.lexicon``); the thresholds are
``options.LanguageOptions``, which a question pack may override.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rehearse.language import lexicon
from rehearse.language.findings import build_findings
from rehearse.language.lexicon import Match
from rehearse.language.rambling import find_restarts, measure, part_spans
from rehearse.language.repetition import find_repetition
from rehearse.language.report import (
    DraftEstimate,
    Hit,
    LanguageReport,
    PaceStretch,
    Rambling,
    Repetition,
    Sentence,
)
from rehearse.language.tokens import Token, context, quote, stem, tokenize
from rehearse.options import Thresholds
from rehearse.speech.transcribe import Word

__all__ = ["DraftEstimate", "Hit", "LanguageReport", "PaceStretch", "Rambling", "Repetition", "Sentence", "check"]

_NUMBER_WORDS = {"percent", "hundred", "thousand", "million", "billion", "half", "twice", "double", "triple",
                 "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twenty", "thirty",
                 "forty", "fifty", "hours", "days", "weeks", "months"}


def check(words: Sequence[Word], *, question: Any = None, delivery: Any = None, thresholds: Thresholds | None = None,
          content: Any = None, draft: DraftEstimate | None = None) -> LanguageReport:
    """Run the language checks on an answer.

    Args:
        words: the transcript's words (estimated times for a typed draft).
        question: the ``packs.Question`` answered, if known: its words are not
            counted as repetition.
        delivery: the take's ``Delivery``; gives the discourse fillers and the pace
            windows. None for a typed draft (fillers are then found in the text).
        thresholds: the options to judge by (a question pack's, or the defaults).
        content: the content report, if run: its thesis and result parts place the
            time before the thesis and the rushed stretches.
        draft: a typed draft's length estimate, reported and judged with the rest.

    Returns:
        The report; an empty answer gives an empty report with no findings.
    """
    thresholds = thresholds or (getattr(question, "thresholds", None) if question is not None else None) or Thresholds()
    options = thresholds.language
    words = list(words)
    tokens = tokenize(words, sentence_gap_s=options.sentence_gap_s)
    speaking_s = (words[-1].end - words[0].start) if words else 0.0
    minutes = max(speaking_s, 1.0) / 60
    fillers = _discourse_fillers(words, delivery, thresholds)
    skippable = frozenset(i for i, t in enumerate(tokens) if not t.filled
                          and any(a - 0.01 <= (t.start + t.end) / 2 <= b + 0.01 for a, b, _ in fillers))
    function_stems = lexicon.word_set("function_words", "words")

    hedge_matches = lexicon.find(lexicon.load("hedges"), tokens, skippable=skippable)
    informal_matches = lexicon.find(lexicon.load("informal"), tokens, skippable=skippable)
    hedges = [_hit(words, tokens, m) for m in hedge_matches]
    informal = [_hit(words, tokens, m) for m in informal_matches]
    reported = _covered(hedge_matches) | _covered(informal_matches)
    restarts = find_restarts(words, tokens, skippable=skippable, function_stems=function_stems)
    in_restarts = {i for i, t in enumerate(tokens) if any(h.start <= t.start and t.end <= h.end for h in restarts)}
    crutch_matches = lexicon.find(lexicon.load("crutches"), tokens, skippable=skippable)
    repetition = find_repetition(
        words, tokens, crutches=crutch_matches, reported=reported | in_restarts, skippable=skippable,
        function_stems=function_stems, question_stems=_question_stems(question), minutes=minutes, options=options,
    )
    empty = reported | _covered(crutch_matches)
    rambling = measure(words, tokens, restarts=restarts, skippable=skippable, empty=empty,
                       function_stems=function_stems, thresholds=thresholds, content=content)
    pace = _pace_stretches(delivery, content) if delivery is not None else None
    # A typed draft has no delivery section to report its fillers; those that are
    # also hedges ("sort of") are reported once, as hedges.
    taken = [(h.start, h.end) for h in (*hedges, *informal)]
    filler_hits = tuple(h for h in (_filler_hit(words, tokens, f) for f in fillers)
                        if not any(a < h.end and h.start < b for a, b in taken)) if delivery is None else ()
    report = LanguageReport(
        timing="estimated" if draft is not None or delivery is None else "spoken",
        minutes=round(minutes, 3), hedges=tuple(hedges), hedges_per_min=round(sum(h.kind == "hedge" for h in hedges) / minutes, 2),
        informal=tuple(informal), fillers=filler_hits, repetition=tuple(repetition), rambling=rambling, pace=pace,
        draft=draft, findings=(), options=options,
    )
    return _with_findings(report, thresholds)


def _with_findings(report: LanguageReport, thresholds: Thresholds) -> LanguageReport:
    import dataclasses

    return dataclasses.replace(report, findings=build_findings(report, thresholds))


def _hit(words: Sequence[Word], tokens: Sequence[Token], m: Match) -> Hit:
    a, b = tokens[m.first].word, tokens[m.last].word
    return Hit(m.entry.kind, m.entry.phrase, quote(words, a, b), context(words, a, b), tokens[m.first].start,
               tokens[m.last].end, m.entry.suggestion)


def _covered(matches: Sequence[Match]) -> set[int]:
    return {i for m in matches for i in range(m.first, m.last + 1)}


def _discourse_fillers(words: Sequence[Word], delivery: Any, thresholds: Thresholds) -> list[tuple[float, float, str]]:
    """(start, end, filler) of each counted discourse filler: the delivery's, or found in the text."""
    if delivery is not None:
        items = delivery.fillers.items
    else:
        from rehearse.delivery.fillers import find_fillers

        items = find_fillers(words, None, thresholds.fillers)
    return [(f.start, f.end, f.word) for f in items if f.counted and f.kind == "discourse"]


def _filler_hit(words: Sequence[Word], tokens: Sequence[Token], filler: tuple[float, float, str]) -> Hit:
    start, end, form = filler
    inside = [i for i, w in enumerate(words) if start - 0.01 <= (w.start + w.end) / 2 <= end + 0.01]
    a, b = (inside[0], inside[-1]) if inside else (0, 0)
    return Hit("filler", form, quote(words, a, b), context(words, a, b), start, end,
               f"Cut \"{form}\" from the draft: written down, it will be said.")


def _question_stems(question: Any) -> frozenset[str]:
    """Stems of the words the question itself puts in the answer."""
    if question is None:
        return frozenset()
    texts = [str(getattr(question, "text", "") or "")]
    for name in ("keywords", "required_terms", "terms"):
        value = getattr(question, name, None)
        if isinstance(value, (list, tuple)):
            texts.extend(str(v) for v in value)
    return frozenset(stem(t.norm) for text in texts
                     for t in tokenize([Word(w, 0.0, 0.0, 1.0) for w in text.split()], sentence_gap_s=1e9))


def _pace_stretches(delivery: Any, content: Any) -> tuple[PaceStretch, ...]:
    """Runs of rushed or slow pace windows, merged, with the answer part they cover."""
    windows = [w for w in delivery.pace.windows if w.label in ("rushed", "slow")]
    parts = part_spans(content)
    stretches: list[list[Any]] = []
    for w in windows:
        if stretches and stretches[-1][0] == w.label and w.start <= stretches[-1][2]:
            last = stretches[-1]
            last[2] = max(last[2], w.end)
            last[3] = max(last[3], w.wpm) if w.label == "rushed" else min(last[3], w.wpm)
            last[4].append(w.text)
        else:
            stretches.append([w.label, w.start, w.end, w.wpm, [w.text]])
    out: list[PaceStretch] = []
    for label, start, end, wpm, texts in stretches:
        text = _join_windows(texts)
        covered = [name for name, a, b in parts if a < end and b > start]
        part = next((n for n in covered if "result" in n.lower()), covered[0] if covered else "")
        if not part and any(w.strip(".,%").isdigit() or w.strip(".,").lower() in _NUMBER_WORDS for w in text.split()):
            part = "numbers"
        out.append(PaceStretch(label, round(start, 2), round(end, 2), round(wpm, 1), text, part))
    return tuple(out)


def _join_windows(texts: list[str]) -> str:
    """The words of overlapping windows, each word once."""
    merged = texts[0].split() if texts else []
    for text in texts[1:]:
        new = text.split()
        overlap = next((k for k in range(min(len(merged), len(new)), 0, -1) if merged[-k:] == new[:k]), 0)
        merged.extend(new[overlap:])
    return " ".join(merged)

"""Rambling and conciseness: long sentences, restarts, time before the thesis, words per idea.

Restarts and self-corrections are found three ways (``lexicons/restarts.toml``):

- an editing term between two attempts at the same words: "I went, I mean we went",
  "three weeks, sorry, four weeks". The words after the term must redo a content word
  of the three words before it, so "I mean" opening a sentence, or "I mean it", is not
  a restart;
- a word broken off with a dash, followed by a new start of the same clause ("I told
  the - I asked the team"), or by a content word from before the dash;
- the same word or two words said twice in a row ("I, um, I did", "we need, we need"),
  except doubles that are grammar or emphasis ("that that", "very very").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rehearse.language.lexicon import Entry, compile_pattern, find, neighbour, read_table
from rehearse.language.report import Hit, Rambling, Sentence
from rehearse.language.tokens import Token, context, quote, sentences
from rehearse.options import Thresholds
from rehearse.speech.transcribe import Word

_SIDE = 3  # words compared either side of an editing term or a dash
_REPAIR_S = 2.0  # a repair follows the words it redoes within this many seconds
_CLAUSE_STARTERS = {"and", "but", "so", "because", "which", "then"}
_SUBJECTS = {"i", "we", "he", "she", "they", "you", "it", "there", "my", "our", "the"}
SUGGESTION = "Pause silently and say the sentence once: plan where each sentence is going before you start it."


def _terms() -> tuple[Entry, ...]:
    table = read_table("restarts")
    return tuple(Entry(t, "restart", SUGGESTION, (compile_pattern(t),), inflect=False) for t in table.get("terms", []))


def find_restarts(words: Sequence[Word], tokens: Sequence[Token], *, skippable: frozenset[int],
                  function_stems: frozenset[str]) -> list[Hit]:
    """Restarts and self-corrections, each quoted from the first attempt to the repair."""
    spans: list[tuple[int, int]] = []

    def meaningful(i: int) -> bool:
        return tokens[i].stem not in function_stems and len(tokens[i].norm) > 1

    def side(i: int | None, step: int) -> list[int]:
        out: list[int] = []
        while i is not None and len(out) < _SIDE:
            out.append(i)
            i = neighbour(tokens, i, step, skippable)
        return out

    def near(i: int, step: int) -> list[int]:
        # Whisper often ends a sentence at the break ("I went. I mean, we went"), so
        # this side may cross a full stop, but only within a couple of seconds.
        out: list[int] = []
        j = i + step
        while 0 <= j < len(tokens) and len(out) < _SIDE and abs(tokens[j].start - tokens[i].start) <= _REPAIR_S:
            if not tokens[j].filled and j not in skippable:
                out.append(j)
            j += step
        return out

    for match in find(_terms(), tokens):
        before = near(match.first, -1)
        after = near(match.last, +1)
        shared = {tokens[i].stem for i in before if meaningful(i)} & {tokens[i].stem for i in after if meaningful(i)}
        if before and after and not shared and tokens[before[0]].stem in {tokens[i].stem for i in after[1:2]}:
            shared = {tokens[before[0]].stem}  # "he was, I mean she was": the same word after a new subject
        if before and after and shared:
            first = min(i for i in before if tokens[i].stem in shared)
            for i in before:  # back over the first attempt's subject or article, not past a conjunction
                if i < first and tokens[i].stem in function_stems and tokens[i].norm not in _CLAUSE_STARTERS:
                    first = i
                elif i < first:
                    break
            spans.append((first, max(i for i in after if tokens[i].stem in shared)))
    for i, token in enumerate(tokens):
        if not token.cut:
            continue
        before = side(i, -1)
        after = side(neighbour(tokens, i, +1, skippable), +1)
        if not after:
            continue
        clause_start = _clause_start(tokens, i)
        shared = {tokens[j].stem for j in before if meaningful(j)} & {tokens[j].stem for j in after if meaningful(j)}
        if shared or tokens[after[0]].stem == tokens[clause_start].stem:
            spans.append((max(min(before), clause_start), max(after)))
    allowed = {w.lower() for w in read_table("restarts").get("allowed_doubles", [])}
    content = [i for i, t in enumerate(tokens) if not t.filled and i not in skippable]
    k = 0
    while k < len(content):
        for n in (3, 2, 1):
            if k + 2 * n > len(content):
                continue
            first, second = content[k : k + n], content[k + n : k + 2 * n]
            if any(tokens[i].sentence_end for i in first):
                continue
            a = [tokens[i].norm for i in first]
            if a != [tokens[i].norm for i in second] or any(c.isdigit() for w in a for c in w):
                continue
            if n == 1 and (a[0] in allowed or tokens[first[0]].expanded):
                continue
            spans.append((first[0], second[-1]))
            k += 2 * n - 1
            break
        k += 1
    hits: list[Hit] = []
    for first, last in _merge(spans):
        a, b = tokens[first].word, tokens[last].word
        hits.append(Hit("restart", "restart", quote(words, a, b), context(words, a, b), tokens[first].start,
                        tokens[last].end, SUGGESTION))
    return hits


def _clause_start(tokens: Sequence[Token], i: int) -> int:
    j = i
    while j > 0 and not tokens[j - 1].clause_end:
        j -= 1
    return j


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def measure(words: Sequence[Word], tokens: Sequence[Token], *, restarts: list[Hit], skippable: frozenset[int],
            empty: set[int], function_stems: frozenset[str], thresholds: Thresholds, content: Any) -> Rambling:
    """Conciseness measures of the answer.

    Args:
        words: the transcript's words.
        tokens: its tokens.
        restarts: from ``find_restarts``.
        skippable: discourse filler tokens.
        empty: tokens that carry no content (fillers, hedges, crutch and informal words).
        function_stems: stems of function words.
        thresholds: the options used (language and target).
        content: the content report, for where the thesis starts (may be None).
    """
    options = thresholds.language
    spoken = [i for i, t in enumerate(tokens) if not t.filled and i not in skippable]
    spans = sentences(tokens)
    long: list[Sentence] = []
    for first, last in spans:
        n = sum(1 for i in range(first, last + 1) if not tokens[i].filled and i not in skippable)
        if n > options.max_sentence_words:
            a, b = tokens[first].word, tokens[last].word
            long.append(Sentence(quote(words, a, b), n, tokens[first].start, tokens[last].end))
    ideas = 0
    content_words = 0
    for i, t in enumerate(tokens):
        if not t.filled and i not in empty and t.stem not in function_stems and len(t.norm) > 2:
            content_words += 1
        if _clause_ends(tokens, i):
            if content_words >= 2:
                ideas += 1
            content_words = 0
    words_per_idea = len(spoken) / max(ideas, 1)
    thesis_start = _thesis_start(content)
    share = None
    if thesis_start is not None and tokens:
        span = max(tokens[-1].end - tokens[0].start, 1e-3)
        share = round(min(max((thesis_start - tokens[0].start) / span, 0.0), 1.0), 3)
    target = thresholds.target
    budget = round(target.max_duration_s * (target.min_wpm + target.max_wpm) / 2 / 60)
    return Rambling(
        words=len(spoken), sentences=len(spans), long_sentences=tuple(long), restarts=tuple(restarts),
        ideas=ideas, words_per_idea=round(words_per_idea, 1),
        empty_share=round(len(empty | set(skippable) | {i for i, t in enumerate(tokens) if t.filled})
                          / max(len(tokens), 1), 3),
        thesis_start=thesis_start, share_before_thesis=share, word_budget=int(budget),
    )


def _clause_ends(tokens: Sequence[Token], i: int) -> bool:
    """A clause ends at a comma or sentence end, or before "and/but/so" + a subject."""
    if tokens[i].clause_end or i == len(tokens) - 1:
        return True
    return i + 2 < len(tokens) and tokens[i + 1].norm in _CLAUSE_STARTERS and tokens[i + 2].norm in _SUBJECTS


def _thesis_start(content: Any) -> float | None:
    """Start of the content report's thesis part, if it found one.

    Reads ``content.parts`` (items with ``id``/``name`` "thesis", ``found`` and a
    ``start``, or evidence with a start), so it works with the content report's
    dataclasses or their JSON form.
    """
    parts = _get(content, "parts")
    if not parts:
        return None
    for part in parts:
        name = _get(part, "id") or _get(part, "name") or _get(part, "part")
        if str(name).lower() != "thesis" or _get(part, "found") is False:
            continue
        start = _get(part, "start")
        if start is None:
            evidence = _get(part, "evidence") or ()
            starts = [_get(e, "start") for e in evidence if _get(e, "start") is not None]
            start = min(starts) if starts else None
        return float(start) if start is not None else None
    return None


def part_spans(content: Any) -> list[tuple[str, float, float]]:
    """(part name, start, end) of each answer part the content report located."""
    out: list[tuple[str, float, float]] = []
    for part in _get(content, "parts") or ():
        name = _get(part, "id") or _get(part, "name") or _get(part, "part")
        if _get(part, "found") is False or name is None:
            continue
        start, end = _get(part, "start"), _get(part, "end")
        if start is None or end is None:
            evidence = _get(part, "evidence") or ()
            times = [(_get(e, "start"), _get(e, "end")) for e in evidence]
            times = [(a, b) for a, b in times if a is not None and b is not None]
            if not times:
                continue
            start, end = min(a for a, _ in times), max(b for _, b in times)
        out.append((str(name), float(start), float(end)))
    return out


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)

"""Cue matching that survives speech: stems, contractions, fillers and gaps, ASR slips.

A transcript becomes an ``Utterance`` (``tokens``): tokens with stems, each pointing
back at its word so that every hit quotes its words and their times. Cues in the packs
are written as phrases
in a small, readable pattern language (see ``compile_pattern``); they are compiled
once when the packs load, and matched token by token:

- a word matches by its stem, after irregular forms are mapped to their base form
  ("led" -> "lead", "took" -> "take"), so "inspire" matches "inspired", "inspiring"
  and "inspiration";
- fillers and intensifiers (um, like, you know, really, the) may sit anywhere inside a
  phrase without breaking it;
- a word whose stem has six or more letters also matches a stem one edit away (ASR
  slips such as "mentering"), and two transcribed words match one cue word written as one
  ("run book" for "runbook");
- a phrase never runs across a sentence end.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, Sequence

from rehearse.text.tokens import Span, Token, Utterance, expand, stem

MIN_FUZZY_LEN = 6
MAX_PHRASE_GAP_DEFAULT = 3
# Bounds that keep matching linear in the text. A phrase's words may be spread over at
# most this many extra words in all (the packs use up to 10), each gap at most
# MAX_GAP_WORDS ...
MAX_GAP_WORDS = 9
MAX_CUE_GAP_WORDS = 16
# ... and at most this many fillers in a row are skipped inside a phrase.
MAX_FILLER_RUN = 8
# A cue's compiled size (every word of every alternative and lexicon entry, over its
# sequences; the packs reach 135): past this a pack cue is a mistake, and it costs per word of text.
MAX_CUE_ATOMS = 400
UNORDERED_WINDOW = 15
_GAP = re.compile(r"^~(\d{1,2})$")
_WORD = re.compile(r"^[a-z0-9][a-z0-9'.$%-]*$")


@dataclass(frozen=True, slots=True)
class Atom:
    """One cue word: ``kind`` is "word", "exact", "prefix", "num" or "any"."""

    kind: str
    text: str = ""
    key: str = ""

    def test(self, token: Token) -> bool:
        kind = self.kind
        if kind == "word":
            return token.stem == self.key or token.norm == self.text or _near(token, self.key)
        if kind == "exact":
            return token.norm == self.text
        if kind == "prefix":
            return token.norm.startswith(self.text)
        if kind == "num":
            return token.number or token.norm == "one"
        return not token.skippable


@dataclass(frozen=True, slots=True)
class Gap:
    """Up to ``words`` extra words (fillers do not count)."""

    words: int


@dataclass(frozen=True, slots=True)
class Choice:
    """One of several sequences (a word's alternatives, or a lexicon's entries)."""

    options: tuple[tuple, ...]


class PatternError(ValueError):
    """A cue cannot be compiled; the message says what is wrong in it."""


class Pattern:
    """A compiled cue. ``find`` returns the spans where it matches, left to right.

    Syntax, word by word (case does not matter):

    - ``inspire``: the word in any inflection ("inspires", "inspired", "inspiration");
    - ``solve|fix|crack``: any of these words;
    - ``=led``: exactly this form; ``micromanag*``: any word starting so;
    - ``@lexicon``: any entry of a lexicon (entries may be phrases);
    - ``(from here|next|right now)``: any of these phrases;
    - ``#num``: a number or quantity word; ``_``: any one word;
    - ``~2`` up to two extra words here, ``..`` up to three;
    - ``A & B``: both phrases in the same sentence, in either order, close together.
    """

    __slots__ = ("source", "_groups")

    def __init__(self, source: str, groups: tuple[tuple, ...]) -> None:
        self.source = source
        self._groups = groups

    def __repr__(self) -> str:
        return f"Pattern({self.source!r})"

    def find(self, utt: Utterance, *, sentences: Iterable[int] | None = None) -> list[Span]:
        """Every non-overlapping match, optionally only in the given sentences."""
        chosen = range(len(utt.sentences)) if sentences is None else sentences
        spans: list[Span] = []
        for s in chosen:
            first, end = utt.sentences[s]
            if len(self._groups) == 1:
                spans.extend(Span(a, b, self.source) for a, b in _scan(self._groups[0], utt.tokens, first, end))
                continue
            found = [list(_scan(group, utt.tokens, first, end)) for group in self._groups]
            if not all(found):
                continue
            starts_of = [[h[0] for h in hits] for hits in found]
            taken = -1
            for anchor, anchor_end in found[0]:
                # Each other phrase contributes its match nearest to this one.
                picked = [(anchor, anchor_end)] + [_nearest(hits, starts, anchor)
                                                   for hits, starts in zip(found[1:], starts_of[1:])]
                a = min(x for x, _ in picked)
                b = max(y for _, y in picked)
                if a > taken and b - a <= UNORDERED_WINDOW:
                    spans.append(Span(a, b, self.source))
                    taken = b - 1
        return spans


def _nearest(hits: list[tuple[int, int]], starts: list[int], anchor: int) -> tuple[int, int]:
    """The hit starting nearest ``anchor`` (the earlier on a tie); ``starts`` ascend."""
    i = bisect.bisect_left(starts, anchor)
    if i == len(hits):
        return hits[-1]
    if i > 0 and anchor - starts[i - 1] <= starts[i] - anchor:
        return hits[i - 1]
    return hits[i]


def compile_pattern(source: str, lexicons: Mapping[str, Sequence[str]] | None = None) -> Pattern:
    """Compile a cue string (syntax in ``Pattern``).

    Raises:
        PatternError: empty cue, unknown ``@lexicon``, a gap at an end, bad word.
    """
    lexicons = dict(lexicons or {})
    text = " ".join(source.lower().replace("\u2019", "'").split())
    if not text:
        raise PatternError("empty cue")
    text = _groups_to_lexicons(text, lexicons, source)
    groups = []
    for part in text.split("&"):
        seq = _compile_seq(part.strip(), lexicons, source, allow_lexicons=True)
        if _reach(seq) > MAX_CUE_GAP_WORDS:
            raise PatternError(f"cue {source!r} lets its words spread over {_reach(seq)} extra words; at most "
                               f"{MAX_CUE_GAP_WORDS} in all: use fewer or shorter gaps, or split it into cues")
        groups.append(seq)
    atoms = sum(_size(seq) for seq in groups)
    if atoms > MAX_CUE_ATOMS:
        raise PatternError(f"cue {source!r} expands to {atoms} words with its alternatives and lexicons; at most "
                           f"{MAX_CUE_ATOMS}: split it into cues")
    return Pattern(source, tuple(groups))


def _reach(seq: tuple) -> int:
    """Extra words a sequence's gaps may take at most (through its alternatives too)."""
    total = 0
    for elem in seq:
        if isinstance(elem, Gap):
            total += elem.words
        elif isinstance(elem, Choice):
            total += max(_reach(option) for option in elem.options)
    return total


def _size(seq: tuple) -> int:
    return sum(_size(o) for e in seq if isinstance(e, Choice) for o in e.options) + sum(
        1 for e in seq if not isinstance(e, Choice))


def _groups_to_lexicons(text: str, lexicons: dict, source: str) -> str:
    """Replace each ``(a b|c)`` with a private lexicon of its phrases."""
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        phrases = [p.strip() for p in match.group(1).split("|")]
        if not all(phrases):
            raise PatternError(f"cue {source!r} has an empty phrase in ({match.group(1)})")
        name = f"_group{count}"
        lexicons[name] = phrases
        count += 1
        return "@" + name

    text = re.sub(r"\(([^()]*)\)", replace, text)
    if "(" in text or ")" in text:
        raise PatternError(f"cue {source!r} has unbalanced or nested parentheses")
    return text


def _compile_seq(text: str, lexicons: Mapping[str, Sequence[str]], source: str, *, allow_lexicons: bool) -> tuple:
    if not text:
        raise PatternError(f"cue {source!r} has an empty side of '&'")
    elems: list = []
    for item in text.split():
        gap = _GAP.match(item)
        if item == "..":
            elems.append(Gap(MAX_PHRASE_GAP_DEFAULT))
        elif gap:
            if int(gap.group(1)) > MAX_GAP_WORDS:
                raise PatternError(f"cue {source!r} has a gap {item}; a gap spans at most ~{MAX_GAP_WORDS} words")
            elems.append(Gap(int(gap.group(1))))
        else:
            elems.append(_compile_choice(item, lexicons, source, allow_lexicons))
    if isinstance(elems[0], Gap) or isinstance(elems[-1], Gap):
        raise PatternError(f"cue {source!r} starts or ends with a gap; gaps go between words")
    return tuple(elems)


def _compile_choice(item: str, lexicons, source: str, allow_lexicons: bool):
    options: list[tuple] = []
    for alt in item.split("|"):
        if alt.startswith("@"):
            name = alt[1:]
            if not allow_lexicons:
                raise PatternError(f"lexicon entry {source!r} refers to @{name}; lexicon entries cannot use lexicons")
            if name not in lexicons:
                known = ", ".join(sorted(lexicons)) or "none defined"
                raise PatternError(f"cue {source!r} uses unknown lexicon @{name}; known lexicons: {known}")
            for entry in lexicons[name]:
                options.append(_compile_seq(" ".join(entry.lower().split()), lexicons, entry, allow_lexicons=False))
            continue
        options.append(_compile_atoms(alt, source))
    if len(options) == 1 and len(options[0]) == 1:
        return options[0][0]
    return Choice(tuple(options))


def _compile_atoms(alt: str, source: str) -> tuple[Atom, ...]:
    if alt == "#num":
        return (Atom("num"),)
    if alt == "_":
        return (Atom("any"),)
    if alt.startswith("="):
        word = alt[1:]
        _check_word(word, source)
        return (Atom("exact", word),)
    if alt.endswith("*"):
        word = alt[:-1]
        _check_word(word, source)
        return (Atom("prefix", word),)
    _check_word(alt, source)
    # A contraction in a cue ("i'm", "don't") stands for its words, as in the transcript.
    return tuple(Atom("word", w, stem(w)) for w in expand(alt))


def _check_word(word: str, source: str) -> None:
    if not word or not _WORD.match(word):
        raise PatternError(f"cue {source!r}: {word!r} is not a word (letters, digits and apostrophes only)")


# --- matching --------------------------------------------------------------------------


def _scan(seq: tuple, tokens: Sequence[Token], first: int, end: int) -> Iterator[tuple[int, int]]:
    """Non-overlapping (start, end) matches of a sequence inside tokens[first:end]."""
    # The states (element, position) known to end no match: a cue with many gaps or
    # ambiguous words reaches one by many paths and from many starts, and each dead end is
    # explored once. Matches only run forward, so states behind the start are dropped.
    dead: dict[int, set] = {}
    pos = first
    while pos < end:
        stop = next(_match(seq, 0, pos, tokens, end, dead), None)
        if stop is None:
            dead.pop(pos, None)
            pos += 1
            continue
        yield pos, stop
        for behind in range(pos, max(stop, pos + 1)):
            dead.pop(behind, None)
        pos = max(stop, pos + 1)


def _match(seq: tuple, k: int, pos: int, tokens: Sequence[Token], end: int, dead: dict) -> Iterator[int]:
    """End positions where ``seq[k:]`` matches from ``pos``; shortest matches first.

    Every loop is bounded (a gap's words, ``MAX_FILLER_RUN`` fillers), and a state that
    yielded nothing is never explored again, so a scan costs at most the cue's size times
    its reach per word: linear in the text.
    """
    if k == len(seq):
        yield pos
        return
    key = (id(seq), k)
    if key in dead.get(pos, ()):
        return
    found = False
    elem = seq[k]
    if isinstance(elem, Gap):
        used = fillers = 0
        p = pos
        while True:
            for stop in _match(seq, k + 1, p, tokens, end, dead):
                found = True
                yield stop
            if p >= end:
                break
            if tokens[p].skippable:
                fillers += 1
                if fillers > MAX_FILLER_RUN:
                    break
            else:
                used += 1
                if used > elem.words:
                    break
            p += 1
    else:
        p = pos
        fillers = 0
        while p < end:
            for stop in _match_elem(elem, p, tokens, end, dead):
                for final in _match(seq, k + 1, stop, tokens, end, dead):
                    found = True
                    yield final
            # The first word must match where the scan put it; later ones may skip fillers.
            if k == 0 or not tokens[p].skippable:
                break
            fillers += 1
            if fillers > MAX_FILLER_RUN:
                break
            p += 1
    if not found:
        dead.setdefault(pos, set()).add(key)


def _match_elem(elem, p: int, tokens: Sequence[Token], end: int, dead: dict) -> Iterator[int]:
    if isinstance(elem, Atom):
        if elem.test(tokens[p]):
            yield p + 1
        elif elem.kind == "word" and p + 1 < end and _joined(tokens[p], tokens[p + 1], elem):
            yield p + 2
        return
    for option in elem.options:
        yield from _match(option, 0, p, tokens, end, dead)


def _joined(a: Token, b: Token, atom: Atom) -> bool:
    """ASR split one word in two ("run book"), the cue writes it as one."""
    if a.skippable or b.skippable or len(atom.text) < 6:
        return False
    joined = a.norm + b.norm
    return joined == atom.text or stem(joined) == atom.key


def _near(token: Token, key: str) -> bool:
    """One edit apart, for stems of five letters or more with the same first letter."""
    s = token.stem
    if token.number or len(key) < MIN_FUZZY_LEN or len(s) < MIN_FUZZY_LEN or s[0] != key[0]:
        return False
    if abs(len(s) - len(key)) > 1:
        return False
    return _within_one_edit(s, key)


def _within_one_edit(a: str, b: str) -> bool:
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]

"""Editable phrase tables (``rehearse/lexicons/*.toml``) and the matcher that finds them in speech.

A table is a TOML file of ``[[entry]]`` tables::

    [[entry]]
    phrase = "I think"                 # the name the report shows
    patterns = ["I think", "I'd think"] # optional; defaults to [phrase]
    suggestion = "State it: ..."       # one line, what a coach would say instead
    unless_next = ["about", "in"]      # not when the next words are one of these
    unless_prev = ["how", "way"]       # not when the word before is one of these
    only_prev = ["is", "really"]       # only after one of these (or set off by commas)
    only_clause_end = false            # only when a comma or sentence end follows
    inflect = true                     # "sucked" matches "suck"; false: exact words only
    kind = "hedge"                     # optional; the file's top-level ``kind`` otherwise

Pattern syntax: words separated by spaces; ``a|b`` is either word; a trailing ``?``
makes a word optional; ``..`` skips up to three words. Contractions are split the
same way in patterns and speech ("I'm" is "I am"), and filled pauses or discourse
fillers inside a phrase are skipped ("sort of, um, like").

The rule that keeps "just in time" and "I think in systems" out: ``unless_next`` and
``unless_prev`` name the words that turn the phrase into something else (a fixed
expression, a verb with its own object, an adjective after a determiner). When a
comma follows the phrase ("I think, in my view, ...") it stands on its own and
``unless_next`` does not apply.

Users and coaches add or switch off entries without code: a file of the same name
in ``$REHEARSE_LEXICONS`` (folders separated by ``os.pathsep``) or in the user config
folder (``platformdirs.user_config_dir("rehearse")/lexicons``) is read after the
built-in one; its entries are added, and ``off = true`` removes the built-in entry
with the same ``phrase``.
"""

from __future__ import annotations

import functools
import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from rehearse.errors import RehearseError
from rehearse.language.tokens import Token, split_contraction, stem
from rehearse.text.format import normalize

MAX_SKIPPED = 3  # fillers skipped inside one phrase
GAP_WORDS = 3  # words a ".." may skip
# Words in one pattern: the tables use up to 8; the match costs grow with the square of it.
MAX_SLOTS = 16
_KEYS = {"phrase", "patterns", "suggestion", "unless_next", "unless_prev", "only_prev", "only_clause_end",
         "inflect", "kind", "off", "note"}


@dataclass(frozen=True, slots=True)
class Slot:
    """One position of a pattern: any of ``norms`` (or their stems), maybe optional or a gap."""

    norms: tuple[str, ...]
    stems: tuple[str, ...]
    optional: bool = False
    gap: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    """One phrase of a table, with the context rules that keep it from over-matching."""

    phrase: str
    kind: str
    suggestion: str
    patterns: tuple[tuple[Slot, ...], ...]
    unless_next: tuple[tuple[str, ...], ...] = ()
    unless_prev: tuple[tuple[str, ...], ...] = ()
    only_prev: tuple[tuple[str, ...], ...] = ()
    only_clause_end: bool = False
    inflect: bool = True


@dataclass(frozen=True, slots=True)
class Match:
    """Where an entry was found: token indices, inclusive."""

    entry: Entry
    first: int
    last: int


def _words(text: str) -> list[str]:
    out: list[str] = []
    for raw in text.split():
        norm = normalize(raw)
        if norm:
            out.extend(split_contraction(norm))
    return out


def compile_pattern(text: str) -> tuple[Slot, ...]:
    """Slots of one pattern string (see the module docstring for the syntax)."""
    slots: list[Slot] = []
    for raw in text.split():
        if raw == "..":
            slots.append(Slot((), (), optional=True, gap=True))
            continue
        optional = raw.endswith("?")
        raw = raw.rstrip("?").strip("()")
        alternatives = [a for a in raw.split("|") if a]
        expanded = [_words(a) for a in alternatives]
        if all(len(e) == 1 for e in expanded):
            norms = tuple(e[0] for e in expanded)
            slots.append(Slot(norms, tuple(stem(n) for n in norms), optional=optional))
        elif len(expanded) == 1:  # a contraction in a pattern: "I'm" -> two slots
            slots.extend(Slot((n,), (stem(n),), optional=optional) for n in expanded[0])
        else:
            raise ValueError(f"alternatives must be single words: {raw!r}")
    if len(slots) > MAX_SLOTS:
        raise ValueError(f"pattern {text!r} has {len(slots)} words; at most {MAX_SLOTS} (split it into entries)")
    return tuple(slots)


def _phrases(values: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(stem(w) for w in _words(v)) for v in values if _words(v))


def _entry(table: dict[str, Any], *, kind: str, where: str) -> Entry:
    unknown = set(table) - _KEYS
    if unknown:
        raise RehearseError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; expected: {', '.join(sorted(_KEYS))}")
    phrase = table.get("phrase")
    if not isinstance(phrase, str) or not phrase.strip():
        raise RehearseError(f"{where}: every [[entry]] needs a phrase (a string)")
    suggestion = table.get("suggestion", "")
    if not isinstance(suggestion, str):
        raise RehearseError(f"{where}: {phrase!r}: suggestion must be a string")
    patterns = table.get("patterns", [phrase])
    for key in ("patterns", "unless_next", "unless_prev", "only_prev"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RehearseError(f"{where}: {phrase!r}: {key} must be a list of strings")
    try:
        compiled = tuple(compile_pattern(p) for p in patterns)
    except ValueError as e:
        raise RehearseError(f"{where}: {phrase!r}: {e}") from e
    if any(not p or all(s.optional for s in p) for p in compiled):
        raise RehearseError(f"{where}: {phrase!r}: a pattern needs at least one required word")
    return Entry(
        phrase=phrase.strip(), kind=str(table.get("kind", kind)), suggestion=suggestion.strip(), patterns=compiled,
        unless_next=_phrases(table.get("unless_next", [])), unless_prev=_phrases(table.get("unless_prev", [])),
        only_prev=_phrases(table.get("only_prev", [])), only_clause_end=bool(table.get("only_clause_end", False)),
        inflect=bool(table.get("inflect", True)),
    )


def user_dirs() -> tuple[Path, ...]:
    """Folders whose ``<name>.toml`` files extend the built-in tables, in reading order."""
    dirs: list[Path] = []
    import platformdirs

    dirs.append(Path(platformdirs.user_config_dir("rehearse")) / "lexicons")
    env = os.environ.get("REHEARSE_LEXICONS")
    if env:
        dirs.extend(Path(p) for p in env.split(os.pathsep) if p)
    return tuple(dirs)


def read_table(name: str) -> dict[str, Any]:
    """The raw built-in table ``name`` (its top-level keys, entries in ``entry``)."""
    text = resources.files("rehearse").joinpath("lexicons", f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def load(name: str, *, dirs: Sequence[Path] | None = None) -> tuple[Entry, ...]:
    """Entries of table ``name``: the built-in file, then user files of that name.

    Args:
        name: "hedges", "informal", "crutches", ...
        dirs: user folders to read; ``user_dirs()`` when None.

    Raises:
        RehearseError: a file is not valid TOML or an entry is malformed (the message
            names the file and the entry).
    """
    return _load(name, tuple(user_dirs() if dirs is None else dirs))


@functools.lru_cache(maxsize=32)
def _load(name: str, dirs: tuple[Path, ...]) -> tuple[Entry, ...]:
    builtin = read_table(name)
    kind = str(builtin.get("kind", name))
    entries = {e.phrase.lower(): e for e in _entries(builtin, kind=kind, where=f"lexicons/{name}.toml")}
    for folder in dirs:
        path = folder / f"{name}.toml"
        if not path.is_file():
            continue
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise RehearseError(f"{path}: cannot read the lexicon: {e}") from e
        for raw in table.get("entry", []):
            phrase = str(raw.get("phrase", "")).strip().lower()
            if raw.get("off"):
                entries.pop(phrase, None)
                continue
            entries[phrase] = _entry(raw, kind=str(table.get("kind", kind)), where=str(path))
    return tuple(entries.values())


def _entries(table: dict[str, Any], *, kind: str, where: str) -> list[Entry]:
    raw = table.get("entry", [])
    if not isinstance(raw, list):
        raise RehearseError(f"{where}: 'entry' must be an array of tables ([[entry]])")
    return [_entry(t, kind=kind, where=where) for t in raw if not t.get("off")]


def word_set(name: str, key: str) -> frozenset[str]:
    """Stems of a word list kept in a table (e.g. ``function_words.toml`` ``words``)."""
    values = read_table(name).get(key, [])
    return frozenset(stem(w) for v in values for w in _words(v))


# --- matching --------------------------------------------------------------------------


def find(entries: Sequence[Entry], tokens: Sequence[Token], *, skippable: frozenset[int] = frozenset()) -> list[Match]:
    """Every place an entry matches, longest first where two overlap.

    Args:
        entries: the table.
        tokens: the speech.
        skippable: indices of tokens that are discourse fillers, skipped inside a phrase.
    """
    found: list[Match] = []
    # One table per pattern of what each (slot, token, fillers skipped) leads to, shared
    # by every start: a state's answer does not depend on where the match began, except
    # at the start itself (part of the key). Tokens behind the start are never visited
    # again, so their entries are dropped as the start moves on.
    memos: dict[tuple[int, int], dict[int, dict]] = {}
    for i in range(len(tokens)):
        for memo in memos.values():
            memo.pop(i - 1, None)
        if tokens[i].filled:
            continue
        for entry in entries:
            for n, pattern in enumerate(entry.patterns):
                memo = memos.setdefault((id(entry), n), {})
                last = _match(pattern, 0, i, tokens, entry.inflect, skippable, 0, i, memo)
                if last is not None and _context_ok(entry, i, last, tokens, skippable):
                    found.append(Match(entry, i, last))
                    break
    found.sort(key=lambda m: (-(m.last - m.first), m.first))
    taken: set[int] = set()
    kept: list[Match] = []
    for m in found:
        span = set(range(m.first, m.last + 1))
        if span & taken:
            continue
        taken |= span
        kept.append(m)
    return sorted(kept, key=lambda m: m.first)


def _slot_ok(slot: Slot, token: Token, inflect: bool) -> bool:
    return token.norm in slot.norms or (inflect and token.stem in slot.stems)


def _match(pattern: tuple[Slot, ...], k: int, i: int, tokens: Sequence[Token], inflect: bool,
           skippable: frozenset[int], skipped: int, first: int, memo: dict) -> int | None:
    """Index of the last token of a match of ``pattern[k:]`` from token ``i``, or None.

    ``memo`` (token -> state -> answer, shared by the starts of one ``find``) holds each
    (slot, token, fillers skipped) worked out: optional slots and gaps reach the same
    state by many paths, and without it a pattern of many optional words takes time
    exponential in its length.
    """
    at = memo.setdefault(i, {})
    key = (k, skipped, i == first)
    if key in at:
        return at[key]
    at[key] = end = _match_once(pattern, k, i, tokens, inflect, skippable, skipped, first, memo)
    return end


def _match_once(pattern: tuple[Slot, ...], k: int, i: int, tokens: Sequence[Token], inflect: bool,
                skippable: frozenset[int], skipped: int, first: int, memo: dict) -> int | None:
    if k == len(pattern):
        return i - 1
    if i > first and tokens[i - 1].sentence_end:
        # Only trailing optional slots may remain once the sentence has ended.
        return i - 1 if all(s.optional for s in pattern[k:]) and i - 1 >= first else None
    slot = pattern[k]
    if slot.gap:
        for n in range(GAP_WORDS + 1):
            if n and (i + n - 1 >= len(tokens) or tokens[i + n - 1].sentence_end):
                break
            end = _match(pattern, k + 1, i + n, tokens, inflect, skippable, skipped, first, memo)
            if end is not None:
                return end
        return None
    if i < len(tokens):
        token = tokens[i]
        if _slot_ok(slot, token, inflect):
            end = _match(pattern, k + 1, i + 1, tokens, inflect, skippable, skipped, first, memo)
            if end is not None:
                return end
        if k > 0 and skipped < MAX_SKIPPED and (token.filled or i in skippable):
            end = _match(pattern, k, i + 1, tokens, inflect, skippable, skipped + 1, first, memo)
            if end is not None:
                return end
    if slot.optional:
        return _match(pattern, k + 1, i, tokens, inflect, skippable, skipped, first, memo)
    return None


def neighbour(tokens: Sequence[Token], index: int, step: int, skippable: frozenset[int] = frozenset()) -> int | None:
    """The nearest token before (step -1) or after (+1) ``index`` that is not a filler,
    within the same sentence; None at a sentence edge."""
    j = index + step
    while 0 <= j < len(tokens):
        if step > 0 and tokens[j - 1].sentence_end:
            return None
        if step < 0 and tokens[j].sentence_end:
            return None
        if not tokens[j].filled and j not in skippable:
            return j
        j += step
    return None


def _starts_with(tokens: Sequence[Token], j: int | None, phrase: tuple[str, ...], step: int) -> bool:
    """True when the tokens from ``j`` (going ``step``) read ``phrase`` (stems)."""
    if j is None:
        return False
    seq = phrase if step > 0 else tuple(reversed(phrase))
    for n, want in enumerate(seq):
        at = j + n * step
        if not 0 <= at < len(tokens) or tokens[at].stem != want and tokens[at].norm != want:
            return False
    return True


def _context_ok(entry: Entry, first: int, last: int, tokens: Sequence[Token], skippable: frozenset[int]) -> bool:
    before = neighbour(tokens, first, -1, skippable)
    after = neighbour(tokens, last, +1, skippable)
    if entry.unless_prev and any(_starts_with(tokens, before, p, -1) for p in entry.unless_prev):
        return False
    # A comma after the phrase sets it off: what follows is not its object.
    if (entry.unless_next and not tokens[last].clause_end
            and any(_starts_with(tokens, after, p, +1) for p in entry.unless_next)):
        return False
    if entry.only_clause_end and not (tokens[last].clause_end or after is None or last + 1 in skippable
                                      or (last + 1 < len(tokens) and tokens[last + 1].filled)):
        return False
    if entry.only_prev:
        isolated = (before is None or tokens[first - 1].clause_end) and (tokens[last].clause_end or after is None)
        if not isolated and not any(_starts_with(tokens, before, p, -1) for p in entry.only_prev):
            return False
    return True

"""Question packs: TOML files of questions with their rubric, validated as they load.

Packs come from three places, later ones overriding earlier definitions of the same
name: the packs shipped in ``rehearse/questions``, the user's folder
(``platformdirs.user_config_dir("rehearse")/packs``), and ``--packs`` folders. A file
may define, all optional:

- ``[pack]``: ``id`` (default: the file name), ``title``, ``description``;
- ``[lexicons]``: named word lists for cues (``@name``);
- ``[themes.ID]``, ``[pitfalls.ID]``, ``[parts.ID]``: shared definitions that
  questions refer to (``parts`` are templates a question part may ``use``);
- ``[[question]]``: the questions, with ``[[question.parts]]`` and
  ``[question.thresholds.STAGE]`` overrides of ``options.Thresholds``;
- ``[[round]]`` mock interview rounds and ``[followup.ID]`` follow-up questions
  (``rehearse.rounds``).

The README ("Question packs and content checks") documents every key. Every error
names the file, the key and the problem (``PackError``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from rehearse.text.cues import Pattern
from rehearse.errors import PackError
from rehearse.options import Thresholds

SEVERITIES = ("high", "medium", "low")
POSITIONS = ("any", "start", "end")


@dataclass(frozen=True, slots=True)
class Theme:
    """A professional source of motivation (GUIDANCE section 1)."""

    id: str
    label: str
    cues: tuple[Pattern, ...]


@dataclass(frozen=True, slots=True)
class Pitfall:
    """Something an answer should not do.

    Attributes:
        id: e.g. "extrinsic-motivation".
        label: what the report calls it.
        severity: "high", "medium" or "low".
        why: why interviewers mind it.
        suggestion: what to do instead ("{quote}" is filled in with the words).
        suggestion_plain: what to do when there are no words to quote (no story at all).
        cues: any of these in the answer is a hit...
        unless: ...unless one of these overlaps it in its sentence (or within
            ``unless_sentences`` sentences after it): "saved the company money".
        unless_sentences: how many following sentences an ``unless`` cue may be in.
        negation_cancels: a negation just before the cue ("never about the money") cancels it.
        generic: checked even when the question is unknown, and by default for every question.
        only_without_story: a hit only when the answer tells no specific story; the
            cues then quote what made it vague (a generic answer).
    """

    id: str
    label: str
    severity: str
    why: str
    suggestion: str
    cues: tuple[Pattern, ...]
    suggestion_plain: str = ""
    unless: tuple[Pattern, ...] = ()
    unless_sentences: int = 0
    negation_cancels: bool = False
    generic: bool = True
    only_without_story: bool = False


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a strong answer (or one closing move).

    Attributes:
        id: e.g. "thesis", "result", "ask-where-you-stand".
        label: as the checklist shows it.
        expect: what the part contains, for ``rehearse questions show``.
        advice: what to do when it is missing ("{company}", "{theme}" are filled in).
        fix: what to do when it is weak ("{quote}" is its words); ``advice`` if empty.
        move: what to do when it is misplaced; by default, to move it to the opening or the end.
        cues: any of these marks the part...
        unless: ...except where one of these overlaps it ("grew up" is not a result).
        position: "start" (in the first sentences), "end" (in the last part) or "any".
        weight: share of the structure score.
        needs_measure: found only with a number in the same sentence (a measurable result).
        needs_theme: weak unless a professional theme is named in or next to its sentence.
        company_cue: the company's name (``--company``) also marks the part.
        skip_questions: ignore short questions (the speaker echoing the interviewer's).
        required: counts against the score when missing.
        after_echo: when the answer opens by repeating the question ("What inspires
            me?"), the sentence after it marks the part (that is where the thesis is).
    """

    id: str
    label: str
    expect: str
    advice: str
    cues: tuple[Pattern, ...]
    unless: tuple[Pattern, ...] = ()
    fix: str = ""
    move: str = ""
    position: str = "any"
    weight: float = 1.0
    needs_measure: bool = False
    needs_theme: bool = False
    company_cue: bool = False
    skip_questions: bool = True
    required: bool = True
    after_echo: bool = False


@dataclass(frozen=True, slots=True)
class Question:
    """A question with its rubric.

    Attributes:
        id: "pack/slug".
        pack: the pack's id.
        text: the question as an interviewer asks it.
        about: what the interviewer wants to learn.
        parts: the parts of a strong answer, in order.
        pitfalls: what to flag.
        themes: professional themes to look for (empty: not checked).
        infer: cues that give the question away when no id is given.
        story: a specific story (STAR) is expected, so specificity is checked.
        need_parts: when above 0, this many of the parts are enough (e.g. questions
            to ask the interviewer); 0 means every required part.
        ordered: the parts should come in the order listed.
        thresholds: the defaults with this question's overrides (target length...).
        source: the file it came from.
    """

    id: str
    pack: str
    text: str
    about: str
    parts: tuple[Part, ...]
    pitfalls: tuple[Pitfall, ...]
    themes: tuple[Theme, ...]
    infer: tuple[Pattern, ...]
    story: bool
    need_parts: int
    ordered: bool
    thresholds: Thresholds
    source: str


@dataclass(frozen=True, slots=True)
class PackInfo:
    id: str
    title: str
    description: str
    source: str


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every loaded question and shared definition."""

    questions: tuple[Question, ...]
    packs: tuple[PackInfo, ...] = ()
    pitfalls: Mapping[str, Pitfall] = field(default_factory=dict)
    themes: tuple[Theme, ...] = ()
    parts: Mapping[str, Part] = field(default_factory=dict)
    rounds: tuple = ()  # ``rounds.Round``: mock interview rounds
    followups: tuple = ()  # ``rounds.FollowUp``: what the interviewer may ask after an answer

    def get(self, question_id: str) -> Question:
        """The question with this id ("pack/slug", or a slug that only one pack has).

        Raises:
            PackError: unknown id; the message lists the closest ids.
        """
        by_id = {q.id: q for q in self.questions}
        if question_id in by_id:
            return by_id[question_id]
        by_slug = [q for q in self.questions if q.id.split("/", 1)[1] == question_id]
        if len(by_slug) == 1:
            return by_slug[0]
        close = difflib.get_close_matches(question_id, list(by_id), n=3, cutoff=0.5)
        hint = f"did you mean: {', '.join(close)}?" if close else "see 'rehearse questions' for the list"
        raise PackError(f"unknown question {question_id!r}; {hint}")

    def get_round(self, round_id: str):
        """The mock interview round with this id.

        Raises:
            PackError: unknown id; the message lists the rounds.
        """
        for r in self.rounds:
            if r.id == round_id:
                return r
        known = ", ".join(r.id for r in self.rounds) or "none defined"
        raise PackError(f"unknown round {round_id!r}; rounds: {known}")

    def generic_pitfalls(self) -> tuple[Pitfall, ...]:
        """The pitfalls checked when the question is unknown."""
        return tuple(p for p in self.pitfalls.values() if p.generic)


def builtin_dir() -> Path:
    """The folder of the packs shipped with rehearse."""
    return Path(__file__).resolve().parent / "questions"


def user_dir() -> Path:
    """The user's own packs: ``<user config dir>/rehearse/packs``."""
    import platformdirs

    return Path(platformdirs.user_config_dir("rehearse")) / "packs"


_CACHE: dict[tuple, Catalog] = {}


def load_packs(extra_dirs: Iterable[str | Path] = (), *, include_user: bool = True) -> Catalog:
    """Load the built-in packs, the user's and those in ``extra_dirs``.

    Args:
        extra_dirs: folders of ``*.toml`` packs (or single pack files), in order of
            precedence (later wins).
        include_user: also read the user's pack folder.

    Raises:
        PackError: a folder is missing, or a file is not valid (file, key and problem named).
    """
    levels: list[list[Path]] = [sorted(builtin_dir().glob("*.toml"))]
    user = user_dir()
    if include_user and user.is_dir():
        levels.append(sorted(user.glob("*.toml")))
    for d in extra_dirs:
        path = Path(d)
        if path.is_file() and path.suffix == ".toml":
            levels.append([path])
        elif path.is_dir():
            levels.append(sorted(path.glob("*.toml")))
        else:
            raise PackError(f"{path}: no such pack folder or .toml file")
    key = tuple((str(p), p.stat().st_mtime_ns) for level in levels for p in level) + (len(levels),)
    if key not in _CACHE:
        from rehearse.content.packfile import build, read

        _CACHE[key] = build([[read(p) for p in level] for level in levels])
    return _CACHE[key]

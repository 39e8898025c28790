"""Mock interview rounds and the interviewer's follow-ups, defined in the question packs.

A pack file may hold, besides its questions:

- ``[[round]]``: ``id``, ``title``, ``budget_s`` (the whole round's time budget) and
  ``questions``, in the order they are asked: each a question id, or a table
  ``{ id = "...", say = "...", budget_s = 90 }`` where ``say`` is what the
  interviewer says (default: the question's text) and ``budget_s`` the answer's
  budget (default: the question's target maximum). An optional ``[round.options]``
  table overrides ``options.InterviewOptions``.
- ``[followup.ID]``: one follow-up question the interviewer may ask after an answer:
  ``ask`` (what is said), ``parts`` (part ids of the question's checklist) and
  ``status`` (the states of such a part that call for it, default ``["missing"]``);
  ``when_found`` names a shared ``[parts.NAME]`` template that must also be found in
  the answer (``event``: "we" did something, so "What did you do yourself?").
  Follow-ups are tried in the order they are defined; at most one is asked per answer.

A question of the ``closing`` pack is the closing turn: it gets no follow-up and the
round report judges it by its closing moves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rehearse.errors import PackError
from rehearse.options import InterviewOptions

ROUND_KEYS = {"id", "title", "budget_s", "questions", "options"}
ENTRY_KEYS = {"id", "say", "budget_s"}
FOLLOWUP_KEYS = {"ask", "parts", "status", "when_found"}
STATUSES = ("missing", "weak", "misplaced")
CLOSING_PACK = "closing"


@dataclass(frozen=True, slots=True)
class RoundQuestion:
    """One question of a round.

    Attributes:
        question: the ``packs.Question``.
        say: what the interviewer says.
        budget_s: the answer's time budget.
        closing: the closing turn (the candidate's own questions).
    """

    question: Any
    say: str
    budget_s: float
    closing: bool


@dataclass(frozen=True, slots=True)
class Round:
    """A mock interview round.

    Attributes:
        id: e.g. "standard".
        title: what the round is called.
        budget_s: the time budget of the whole round.
        questions: in the order they are asked.
        options: thresholds of the round (fading, follow-ups).
        source: the file it came from.
    """

    id: str
    title: str
    budget_s: float
    questions: tuple[RoundQuestion, ...]
    options: InterviewOptions
    source: str


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A follow-up question and the gap in an answer that calls for it.

    Attributes:
        id: e.g. "result".
        ask: what the interviewer says.
        parts: checklist part ids it is about.
        status: states of such a part that call for it.
        when_found: a shared part template that must also be found, or "".
    """

    id: str
    ask: str
    parts: tuple[str, ...]
    status: tuple[str, ...]
    when_found: str = ""


def build_followups(defs: Mapping[str, tuple[Path, Any]], templates: Mapping[str, Any]) -> tuple[FollowUp, ...]:
    """Validate the ``[followup.ID]`` tables (``defs``: name -> (file, table))."""
    found = []
    for name, (path, table) in defs.items():
        where = f"followup.{name}"
        if not isinstance(table, dict):
            raise PackError(f"{path}: {where}: expected a table, got {type(table).__name__}")
        _unknown(path, where, table, FOLLOWUP_KEYS)
        ask = table.get("ask")
        if not isinstance(ask, str) or not ask.strip():
            raise PackError(f"{path}: {where}.ask: expected what the interviewer says, as a string")
        parts = _strings(path, f"{where}.parts", table.get("parts"))
        if not parts:
            raise PackError(f"{path}: {where}.parts: name at least one part id")
        status = _strings(path, f"{where}.status", table.get("status", ["missing"]))
        for s in status:
            if s not in STATUSES:
                raise PackError(f"{path}: {where}.status: {s!r}; expected any of: {', '.join(STATUSES)}")
        when_found = table.get("when_found", "")
        if when_found and when_found not in templates:
            raise PackError(f"{path}: {where}.when_found: unknown part template {when_found!r}; "
                            f"known templates: {', '.join(sorted(templates))}")
        found.append(FollowUp(name, ask.strip(), tuple(parts), tuple(status), when_found))
    return tuple(found)


def build_round(path: Path, index: int, raw: Any, questions: Mapping[str, Any]) -> Round:
    """Validate one ``[[round]]`` table against the loaded questions."""
    where = f"round[{index}]"
    if not isinstance(raw, dict):
        raise PackError(f"{path}: {where}: expected a table ([[round]]), got {type(raw).__name__}")
    _unknown(path, where, raw, ROUND_KEYS)
    round_id = raw.get("id")
    if not isinstance(round_id, str) or not round_id.strip():
        raise PackError(f"{path}: {where}: missing 'id'")
    where = f"round {round_id!r}"
    title = raw.get("title", round_id)
    if not isinstance(title, str):
        raise PackError(f"{path}: {where}.title: expected a string")
    entries = raw.get("questions")
    if not isinstance(entries, list) or not entries:
        raise PackError(f"{path}: {where}.questions: expected a list of question ids in the order they are asked")
    asked = []
    for i, entry in enumerate(entries):
        at = f"{where}.questions[{i}]"
        table = {"id": entry} if isinstance(entry, str) else entry
        if not isinstance(table, dict):
            raise PackError(f"{path}: {at}: expected a question id or a table {{ id = ..., say = ..., budget_s = ... }}")
        _unknown(path, at, table, ENTRY_KEYS)
        qid = table.get("id")
        if qid not in questions:
            import difflib
            close = difflib.get_close_matches(str(qid), list(questions), n=2, cutoff=0.5)
            hint = f"; did you mean: {', '.join(close)}?" if close else "; see 'rehearse questions'"
            raise PackError(f"{path}: {at}: unknown question {qid!r}{hint}")
        question = questions[qid]
        say = table.get("say", question.text)
        if not isinstance(say, str) or not say.strip():
            raise PackError(f"{path}: {at}.say: expected what the interviewer says, as a string")
        budget = _seconds(path, f"{at}.budget_s", table.get("budget_s", question.thresholds.target.max_duration_s))
        asked.append(RoundQuestion(question, say.strip(), budget, question.pack == CLOSING_PACK))
    default_budget = sum(q.budget_s for q in asked)
    budget = _seconds(path, f"{where}.budget_s", raw.get("budget_s", default_budget))
    overrides = raw.get("options", {})
    if not isinstance(overrides, dict):
        raise PackError(f"{path}: {where}.options: expected a table")
    options = InterviewOptions()
    names = {f.name for f in dataclasses.fields(options)}
    for name, value in overrides.items():
        if name not in names:
            raise PackError(f"{path}: {where}.options: unknown option {name!r}; expected one of: {', '.join(sorted(names))}")
        _seconds(path, f"{where}.options.{name}", value)
    options = dataclasses.replace(options, **{k: type(getattr(options, k))(v) for k, v in overrides.items()})
    return Round(round_id, title, budget, tuple(asked), options, str(path))


def _seconds(path: Path, where: str, value: Any) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        raise PackError(f"{path}: {where}: expected a number above 0, got {value!r}")
    return float(value)


def _strings(path: Path, where: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PackError(f"{path}: {where}: expected a list of strings, got {value!r}")
    return value


def _unknown(path: Path, where: str, table: dict, allowed: set[str]) -> None:
    for key in table:
        if key not in allowed:
            raise PackError(f"{path}: {where}: unknown key {key!r}; expected one of: {', '.join(sorted(allowed))}")

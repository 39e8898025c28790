"""The story bank: the user's prepared stories, in one TOML file they may edit by hand.

Each story is told in Situation, Action, Result form with the result's number and the
skills it shows. ``rehearse prep`` pairs them with a job's requirements; ``rehearse
stories from-history`` proposes new ones from the parts the content check found in the
user's best takes.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rehearse.errors import RehearseError
from rehearse.options import PrepOptions
from rehearse.text.tokens import is_number

MAX_BANK_BYTES = 1_000_000  # hundreds of stories; past this the file is not a story bank
# The content check's parts that tell a story, and the story field each one fills.
_PART_FIELDS = {"situation": "situation", "challenge": "situation", "action": "action", "result": "result"}
_UNITS = frozenset(["percent", "times", "hours", "days", "weeks", "months", "years", "minutes", "seconds", "tickets", "customers", "users", "people", "dollars", "pounds", "euros"])


class StoryError(RehearseError):
    """The story bank cannot be read or a story is not valid."""


@dataclass(frozen=True, slots=True)
class Story:
    """One prepared story.

    Attributes:
        id: short name, unique in the bank ("billing-migration").
        title: one line to recognise it by.
        situation: where and when, and what made it hard.
        action: what the user did themselves.
        result: what it achieved.
        number: the result's number as it would be said ("40% fewer tickets"); empty
            when the story has none yet (``prep`` then says so).
        skills: what the story shows, in the user's words.
        source: where it came from ("history take 12"); empty when typed.
    """

    id: str
    title: str
    situation: str = ""
    action: str = ""
    result: str = ""
    number: str = ""
    skills: tuple[str, ...] = ()
    source: str = ""

    @property
    def figure(self) -> str:
        """The result's number: as given, else the first one the result states."""
        return self.number or result_number(self.result)

    @property
    def text(self) -> str:
        """Everything the story says, for matching."""
        return "\n".join(s for s in (self.title, self.situation, self.action, self.result, self.number) if s)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "situation": self.situation, "action": self.action,
                "result": self.result, "number": self.number, "skills": list(self.skills), "source": self.source}


@dataclass(frozen=True, slots=True)
class Proposal:
    """A story ``from-history`` proposes, with the take it was drawn from."""

    story: Story
    take_id: int
    question: str | None
    score: float | None
    parts: tuple[str, ...] = field(default=())


def default_path() -> Path:
    """``$REHEARSE_STORIES``, else ``stories.toml`` in the user data folder."""
    env = os.environ.get("REHEARSE_STORIES")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("rehearse")) / "stories.toml"


def load(path: str | os.PathLike | None = None) -> tuple[Story, ...]:
    """The stories in a bank file; none when the file does not exist yet.

    Raises:
        StoryError: naming the file and the entry, when the file is not a story bank.
    """
    path = Path(path) if path is not None else default_path()
    try:
        if path.stat().st_size > MAX_BANK_BYTES:
            raise StoryError(f"{path}: larger than {MAX_BANK_BYTES // 1_000_000} MB; not a story bank")
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return ()
    except UnicodeDecodeError as e:
        raise StoryError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start}); save it as UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise StoryError(f"{path}: not valid TOML: {e}") from None
    except OSError as e:
        raise StoryError(f"{path}: cannot read the story bank: {e.strerror or e}") from None
    entries = data.get("story", [])
    if not isinstance(entries, list):
        raise StoryError(f"{path}: 'story' must be an array of tables ([[story]])")
    stories: list[Story] = []
    seen: set[str] = set()
    for k, entry in enumerate(entries, 1):
        story = _story_from(entry, f"{path}: story {k}")
        if story.id in seen:
            raise StoryError(f"{path}: story {k}: id '{story.id}' is used twice")
        seen.add(story.id)
        stories.append(story)
    return tuple(stories)


def save(stories: Iterable[Story], path: str | os.PathLike | None = None) -> Path:
    """Write the bank atomically: a failed write leaves the old file whole."""
    path = Path(path) if path is not None else default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = dumps(stories)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise StoryError(f"{path}: cannot write the story bank: {e.strerror or e}") from None
    return path


def dumps(stories: Iterable[Story]) -> str:
    """The bank as TOML, one ``[[story]]`` table each, easy to edit by hand."""
    out = ["# Your story bank for rehearse (rehearse stories --help). Edit freely: one [[story]] each.\n"]
    for story in stories:
        out.append("\n[[story]]\n")
        for key, value in story.to_dict().items():
            if value in ("", []) and key not in ("id", "title"):
                continue
            # A JSON string or array of strings is also a valid TOML basic string or array.
            out.append(f"{key} = {json.dumps(value, ensure_ascii=False)}\n")
    return "".join(out)


def add(story: Story, path: str | os.PathLike | None = None) -> Story:
    """Add a story to the bank, giving it a unique id; returns the story as stored."""
    stories = load(path)
    taken = {s.id for s in stories}
    base = slug(story.id or story.title)
    unique, n = base, 2
    while unique in taken:
        unique, n = f"{base}-{n}", n + 1
    stored = Story(unique, story.title, story.situation, story.action, story.result,
                   story.number, story.skills, story.source)
    save((*stories, stored), path)
    return stored


def find(stories: Iterable[Story], story_id: str) -> Story:
    for story in stories:
        if story.id == story_id:
            return story
    raise StoryError(f"no story with id '{story_id}' (see 'rehearse stories list')")


def slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words[:6]) or "story"


def result_number(text: str) -> str:
    """The first number a result states, with its unit ("18% to 4%" gives "18%"; "fifteen
    weeks" gives "fifteen weeks"); empty if none."""
    words = text.split()
    for k, raw in enumerate(words):
        norm = raw.lower().strip(".,;:!?()\"'")
        if is_number(norm) or is_number(norm.rstrip("%")):
            unit = words[k + 1].lower().strip(".,;:!?()\"'") if k + 1 < len(words) else ""
            return f"{raw.strip('.,;:!?()')} {unit}".strip() if unit in _UNITS else raw.strip(".,;:!?()")
    return ""


def propose_from_history(takes: Iterable[tuple[int, dict[str, Any]]], known: Iterable[Story] = (),
                         options: PrepOptions | None = None) -> list[Proposal]:
    """Stories drawn from the user's best takes: the parts the content check found, quoted.

    A take qualifies when its content score reaches ``options.min_story_score`` and the
    check found both an action and a result in it. Takes whose transcript a known story
    already came from are skipped, as are repeats of the same question's lower-scored
    takes beyond ``options.proposals_per_question``.

    Args:
        takes: (history row id, stored analysis dict) pairs.
        known: the bank's stories, so a story is not proposed twice.
    """
    options = options or PrepOptions()
    known_sources = {s.source for s in known}
    candidates: list[Proposal] = []
    for take_id, data in takes:
        content = data.get("content") or {}
        score = content.get("score")
        if score is None or score < options.min_story_score or f"history take {take_id}" in known_sources:
            continue
        fields: dict[str, list[str]] = {"situation": [], "action": [], "result": []}
        found_parts: list[str] = []
        for part in content.get("parts") or []:
            target = _PART_FIELDS.get(part.get("id", ""))
            if target is None or part.get("status") not in ("found", "weak", "misplaced"):
                continue
            quotes = [e.get("quote", "") for e in part.get("evidence") or [] if e.get("quote")]
            if quotes:
                fields[target].extend(quotes)
                found_parts.append(part["id"])
        if not fields["action"] or not fields["result"]:
            continue
        question = (data.get("question") or {}).get("id") or (content.get("question") or {}).get("id")
        result = _join(fields["result"])
        title = _title(fields["action"][0])
        story = Story(slug(title), title, _join(fields["situation"]), _join(fields["action"]), result,
                      result_number(result), (), f"history take {take_id}")
        candidates.append(Proposal(story, take_id, question, score, tuple(found_parts)))
    candidates.sort(key=lambda p: -(p.score or 0.0))
    per_question: dict[str | None, int] = {}
    seen_text: set[str] = set()
    chosen: list[Proposal] = []
    for proposal in candidates:
        key = proposal.story.action.lower()
        if key in seen_text or per_question.get(proposal.question, 0) >= options.proposals_per_question:
            continue
        seen_text.add(key)
        per_question[proposal.question] = per_question.get(proposal.question, 0) + 1
        chosen.append(proposal)
    return chosen


def _story_from(entry: Any, where: str) -> Story:
    if not isinstance(entry, dict):
        raise StoryError(f"{where}: expected a table")
    unknown = set(entry) - set(Story.__slots__)
    if unknown:
        raise StoryError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; expected one of: "
                         f"{', '.join(Story.__slots__)}")
    for key in ("id", "title"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise StoryError(f"{where}: '{key}' must be a non-empty string")
    for key in ("situation", "action", "result", "number", "source"):
        if not isinstance(entry.get(key, ""), str):
            raise StoryError(f"{where}: '{key}' must be a string")
    skills = entry.get("skills", [])
    if not isinstance(skills, list) or not all(isinstance(s, str) for s in skills):
        raise StoryError(f"{where}: 'skills' must be a list of strings")
    return Story(entry["id"].strip(), entry["title"].strip(), entry.get("situation", ""), entry.get("action", ""),
                 entry.get("result", ""), entry.get("number", ""), tuple(s.strip() for s in skills if s.strip()),
                 entry.get("source", ""))


def _join(quotes: list[str]) -> str:
    unique = list(dict.fromkeys(q.strip() for q in quotes if q.strip()))
    return " ... ".join(unique)


def _title(action_quote: str) -> str:
    words = action_quote.strip().rstrip(".").split()
    return " ".join(words[:8]) + (" ..." if len(words) > 8 else "")

"""Reading and validating question pack files (the format is documented in ``rehearse.packs``).

Every problem raises ``PackError`` naming the file, the key (``question 'x'.parts[2].cues[0]``)
and what is wrong, with the expected values or the closest known name.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from rehearse.text.cues import Pattern, PatternError, compile_pattern
from rehearse.errors import PackError
from rehearse.options import Thresholds
from rehearse.packs import POSITIONS, SEVERITIES, Catalog, PackInfo, Part, Pitfall, Question, Theme

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_TOP_KEYS = {"pack", "lexicons", "themes", "pitfalls", "parts", "question", "round", "followup"}
_PACK_KEYS = {"id", "title", "description"}
_THEME_KEYS = {"label", "cues"}
_PITFALL_KEYS = {"label", "severity", "why", "suggestion", "suggestion_plain", "cues", "unless", "unless_sentences",
                 "negation_cancels", "generic", "only_without_story"}
_PART_KEYS = {"use", "id", "label", "expect", "advice", "fix", "move", "cues", "unless", "add_cues", "position", "weight",
              "needs_measure", "needs_theme", "company_cue", "skip_questions", "required", "after_echo"}
_QUESTION_KEYS = {"id", "text", "about", "infer", "story", "themes", "pitfalls", "need_parts", "ordered", "parts",
                  "thresholds"}


@dataclass
class _File:
    path: Path
    data: dict[str, Any]


def read(path: Path) -> _File:
    """Parse one pack file and check its top-level keys."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise PackError(f"{path}: not valid TOML: {e}") from e
    except OSError as e:
        raise PackError(f"{path}: cannot read: {e}") from e
    _unknown(path, "top level", data, _TOP_KEYS)
    return _File(path, data)


def build(levels: list[list[_File]]) -> Catalog:
    """Merge parsed files, lowest precedence first, into a validated catalog."""
    defs: dict[str, dict[str, tuple[Path, Any]]] = {k: {} for k in ("lexicons", "themes", "pitfalls", "parts", "followup")}
    for level in levels:
        seen: dict[str, dict[str, Path]] = {k: {} for k in defs}
        for f in level:
            for kind in defs:
                table = f.data.get(kind, {})
                _expect(f.path, kind, table, dict, "a table")
                for name, value in table.items():
                    _check_id(f.path, f"{kind}.{name}", name)
                    if name in seen[kind]:
                        raise PackError(f"{f.path}: {kind}.{name} is already defined in {seen[kind][name]}")
                    seen[kind][name] = f.path
                    defs[kind][name] = (f.path, value)
    lexicons = {}
    for name, (path, entries) in defs["lexicons"].items():
        lexicons[name] = tuple(_strings(path, f"lexicons.{name}", entries))
        for i, entry in enumerate(lexicons[name]):
            _compile(path, f"lexicons.{name}[{i}]", entry, {})
    themes = tuple(_theme(path, name, value, lexicons) for name, (path, value) in defs["themes"].items())
    pitfalls = {name: _pitfall(path, name, value, lexicons) for name, (path, value) in defs["pitfalls"].items()}
    templates = {name: _part(path, f"parts.{name}", {"id": name, **_table(path, f"parts.{name}", value)}, lexicons, {})
                 for name, (path, value) in defs["parts"].items()}
    questions: dict[str, Question] = {}
    packs: dict[str, PackInfo] = {}
    for level in levels:
        level_questions: dict[str, Path] = {}
        for f in level:
            info = _pack_info(f)
            questions_raw = f.data.get("question", [])
            _expect(f.path, "question", questions_raw, list, "an array of tables ([[question]])")
            if questions_raw:
                packs[info.id] = info
            for i, raw in enumerate(questions_raw):
                q = _question(f.path, i, info.id, raw, lexicons, pitfalls, themes, templates)
                if q.id in level_questions:
                    raise PackError(f"{f.path}: question {q.id!r} is already defined in {level_questions[q.id]}")
                level_questions[q.id] = f.path
                questions[q.id] = q
    from rehearse import rounds as rounds_module

    followups = rounds_module.build_followups(defs["followup"], templates)
    built: dict[str, rounds_module.Round] = {}
    for level in levels:
        for f in level:
            raw_rounds = f.data.get("round", [])
            _expect(f.path, "round", raw_rounds, list, "an array of tables ([[round]])")
            for i, raw in enumerate(raw_rounds):
                r = rounds_module.build_round(f.path, i, raw, questions)
                built[r.id] = r
    return Catalog(tuple(questions.values()), tuple(packs.values()), pitfalls, themes, templates,
                   tuple(built.values()), followups)


def _pack_info(f: _File) -> PackInfo:
    table = _table(f.path, "pack", f.data.get("pack", {}))
    _unknown(f.path, "[pack]", table, _PACK_KEYS)
    pack_id = table.get("id", f.path.stem)
    _check_id(f.path, "pack.id", pack_id)
    title = table.get("title", pack_id)
    description = table.get("description", "")
    for key, value in (("title", title), ("description", description)):
        _expect(f.path, f"pack.{key}", value, str, "a string")
    return PackInfo(pack_id, title, description, str(f.path))


def _theme(path: Path, name: str, value: Any, lexicons) -> Theme:
    where = f"themes.{name}"
    table = _table(path, where, value)
    _unknown(path, where, table, _THEME_KEYS)
    return Theme(name, _required_str(path, where, table, "label"), _cues(path, where, table, "cues", lexicons, required=True))


def _pitfall(path: Path, name: str, value: Any, lexicons) -> Pitfall:
    where = f"pitfalls.{name}"
    table = _table(path, where, value)
    _unknown(path, where, table, _PITFALL_KEYS)
    severity = table.get("severity", "medium")
    if severity not in SEVERITIES:
        raise PackError(f"{path}: {where}.severity: {severity!r} is not a severity; expected one of: {', '.join(SEVERITIES)}")
    unless_sentences = table.get("unless_sentences", 0)
    if not isinstance(unless_sentences, int) or isinstance(unless_sentences, bool) or not 0 <= unless_sentences <= 3:
        raise PackError(f"{path}: {where}.unless_sentences: expected a whole number from 0 to 3, got {unless_sentences!r}")
    return Pitfall(
        id=name,
        label=_required_str(path, where, table, "label"),
        severity=severity,
        why=_opt(path, where, table, "why", str, ""),
        suggestion=_required_str(path, where, table, "suggestion"),
        suggestion_plain=_opt(path, where, table, "suggestion_plain", str, ""),
        cues=_cues(path, where, table, "cues", lexicons, required=True),
        unless=_cues(path, where, table, "unless", lexicons, required=False),
        unless_sentences=unless_sentences,
        negation_cancels=_opt(path, where, table, "negation_cancels", bool, False),
        generic=_opt(path, where, table, "generic", bool, True),
        only_without_story=_opt(path, where, table, "only_without_story", bool, False),
    )


def _part(path: Path, where: str, table: dict, lexicons, templates: Mapping[str, Part]) -> Part:
    _unknown(path, where, table, _PART_KEYS)
    base = None
    if "use" in table:
        name = table["use"]
        if name not in templates:
            known = ", ".join(sorted(templates)) or "none defined"
            raise PackError(f"{path}: {where}.use: unknown part template {name!r}; known templates: {known}")
        base = templates[name]
    elif "cues" not in table:
        raise PackError(f"{path}: {where}: a part needs 'cues' (or 'use' of a [parts.NAME] template)")
    part_id = table.get("id", base.id if base else None)
    if part_id is None:
        raise PackError(f"{path}: {where}: missing 'id'")
    _check_id(path, f"{where}.id", part_id)
    if "cues" in table or base is None:
        cues = _cues(path, where, table, "cues", lexicons, required=True)
    else:
        cues = base.cues
    cues += _cues(path, where, table, "add_cues", lexicons, required=False)
    unless = _cues(path, where, table, "unless", lexicons, required=False) if "unless" in table else (
        base.unless if base else ())
    position = _opt(path, where, table, "position", str, base.position if base else "any")
    if position not in POSITIONS:
        raise PackError(f"{path}: {where}.position: {position!r}; expected one of: {', '.join(POSITIONS)}")
    weight = _opt(path, where, table, "weight", (int, float), base.weight if base else 1.0)
    if isinstance(weight, bool) or weight < 0:
        raise PackError(f"{path}: {where}.weight: expected a number of 0 or more, got {weight!r}")
    label = table.get("label", base.label if base else None)
    if label is None:
        raise PackError(f"{path}: {where}: missing 'label'")
    _expect(path, f"{where}.label", label, str, "a string")

    def flag(key: str, default: bool) -> bool:
        return _opt(path, where, table, key, bool, getattr(base, key) if base else default)

    return Part(
        id=part_id,
        label=label,
        expect=_opt(path, where, table, "expect", str, base.expect if base else ""),
        advice=_opt(path, where, table, "advice", str, base.advice if base else ""),
        cues=cues,
        unless=unless,
        fix=_opt(path, where, table, "fix", str, base.fix if base else ""),
        move=_opt(path, where, table, "move", str, base.move if base else ""),
        position=position,
        weight=float(weight),
        needs_measure=flag("needs_measure", False),
        needs_theme=flag("needs_theme", False),
        company_cue=flag("company_cue", False),
        skip_questions=flag("skip_questions", True),
        required=flag("required", True),
        after_echo=flag("after_echo", False),
    )


def _question(path: Path, index: int, pack: str, raw: Any, lexicons, pitfalls, themes, templates) -> Question:
    where = f"question[{index}]"
    table = _table(path, where, raw)
    _unknown(path, where, table, _QUESTION_KEYS)
    slug = _required_str(path, where, table, "id")
    _check_id(path, f"{where}.id", slug)
    where = f"question {slug!r}"
    parts_raw = table.get("parts", [])
    _expect(path, f"{where}.parts", parts_raw, list, "an array of tables ([[question.parts]])")
    if not parts_raw:
        raise PackError(f"{path}: {where}: needs at least one [[question.parts]]")
    parts = tuple(_part(path, f"{where}.parts[{i}]", _table(path, f"{where}.parts[{i}]", p), lexicons, templates)
                  for i, p in enumerate(parts_raw))
    ids = [p.id for p in parts]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise PackError(f"{path}: {where}.parts: part id {duplicates[0]!r} is used twice")
    if "pitfalls" in table:
        names = _strings(path, f"{where}.pitfalls", table["pitfalls"])
        for name in names:
            if name not in pitfalls:
                raise PackError(f"{path}: {where}.pitfalls: unknown pitfall {name!r}; known pitfalls: {', '.join(sorted(pitfalls))}")
        chosen = tuple(pitfalls[n] for n in names)
    else:
        chosen = tuple(p for p in pitfalls.values() if p.generic)
    need_parts = _opt(path, where, table, "need_parts", int, 0)
    if isinstance(need_parts, bool) or not 0 <= need_parts <= len(parts):
        raise PackError(f"{path}: {where}.need_parts: expected 0 to {len(parts)}, got {need_parts!r}")
    overrides = _table(path, f"{where}.thresholds", table.get("thresholds", {}))
    for stage, values in overrides.items():
        _table(path, f"{where}.thresholds.{stage}", values)
    thresholds = Thresholds().with_overrides(overrides, source=f"{path}: {where}")
    target = thresholds.target
    if target.min_duration_s > target.max_duration_s:
        raise PackError(f"{path}: {where}.thresholds.target: min_duration_s ({target.min_duration_s:g}) "
                        f"is above max_duration_s ({target.max_duration_s:g})")
    return Question(
        id=f"{pack}/{slug}",
        pack=pack,
        text=_required_str(path, where, table, "text"),
        about=_opt(path, where, table, "about", str, ""),
        parts=parts,
        pitfalls=chosen,
        themes=themes if _opt(path, where, table, "themes", bool, False) else (),
        infer=_cues(path, where, table, "infer", lexicons, required=False),
        story=_opt(path, where, table, "story", bool, True),
        need_parts=need_parts,
        ordered=_opt(path, where, table, "ordered", bool, True),
        thresholds=thresholds,
        source=str(path),
    )


# --- validation helpers ----------------------------------------------------------------


def _table(path: Path, where: str, value: Any) -> dict:
    _expect(path, where, value, dict, "a table")
    return value


def _expect(path: Path, where: str, value: Any, kind, what: str) -> None:
    if not isinstance(value, kind) or (kind in (int, (int, float)) and isinstance(value, bool)):
        raise PackError(f"{path}: {where}: expected {what}, got {type(value).__name__} {value!r}")


def _unknown(path: Path, where: str, table: dict, allowed: set[str]) -> None:
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; expected one of: {', '.join(sorted(allowed))}"
            raise PackError(f"{path}: {where}: unknown key {key!r}{hint}")


def _check_id(path: Path, where: str, value: Any) -> None:
    _expect(path, where, value, str, "a string")
    if not _ID.match(value):
        raise PackError(f"{path}: {where}: {value!r} is not a valid id (lower-case letters, digits, '-' and '_')")


def _required_str(path: Path, where: str, table: dict, key: str) -> str:
    if key not in table:
        raise PackError(f"{path}: {where}: missing {key!r}")
    value = table[key]
    _expect(path, f"{where}.{key}", value, str, "a string")
    if not value.strip():
        raise PackError(f"{path}: {where}.{key}: must not be empty")
    return value


def _opt(path: Path, where: str, table: dict, key: str, kind, default):
    if key not in table:
        return default
    what = {str: "a string", bool: "true or false", int: "a whole number"}.get(kind, "a number")
    _expect(path, f"{where}.{key}", table[key], kind, what)
    return table[key]


def _strings(path: Path, where: str, value: Any) -> list[str]:
    _expect(path, where, value, list, "a list of strings")
    for i, item in enumerate(value):
        _expect(path, f"{where}[{i}]", item, str, "a string")
    return value


def _cues(path: Path, where: str, table: dict, key: str, lexicons, *, required: bool) -> tuple[Pattern, ...]:
    if key not in table:
        if required:
            raise PackError(f"{path}: {where}: missing {key!r}")
        return ()
    items = _strings(path, f"{where}.{key}", table[key])
    if required and not items:
        raise PackError(f"{path}: {where}.{key}: needs at least one cue")
    return tuple(_compile(path, f"{where}.{key}[{i}]", item, lexicons) for i, item in enumerate(items))


def _compile(path: Path, where: str, source: str, lexicons) -> Pattern:
    try:
        return compile_pattern(source, lexicons)
    except PatternError as e:
        raise PackError(f"{path}: {where}: {e}") from e

"""How practice changes: each question's takes over time, and two takes side by side.

"Better" is judged per measure: answer length and pace by their distance from the
target range the take was judged against, fillers and long pauses lower, vocal variety
and content score higher. A finding is the same issue in two takes when its ``kind`` is
the same, which is how recurring and fixed issues are found; message and suggestion
often quote the take's own words, so they cannot tell issues apart. Takes stored
before findings had a kind fall back to their area and suggestion.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from rehearse.errors import RehearseError
from rehearse.app.history import History, StoredTake, file_hash
from rehearse.report.batch import clip, num, short_date, take_name
from rehearse.app.take_metrics import Metrics

SPARK = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"
# A change smaller than this share of the value is noise, not a trend.
STEADY_SHARE = 0.03


def _range_distance(value: float | None, low: float | None, high: float | None) -> float | None:
    if value is None or low is None or high is None:
        return None
    return max(0.0, low - value, value - high)


@dataclass(frozen=True, slots=True)
class Measure:
    """A measure shown in trends and comparisons.

    Attributes:
        name: ``Metrics`` field.
        label: column heading.
        digits: decimals shown.
        unit: after the number.
        badness: how far from good a take is on this measure (lower is better), or None.
    """

    name: str
    label: str
    digits: int
    unit: str
    badness: Callable[[Metrics], float | None]


MEASURES = (
    Measure("speaking_s", "answer length", 0, " s", lambda m: _range_distance(m.speaking_s, m.target_min_s, m.target_max_s)),
    Measure("wpm", "words/min", 0, "", lambda m: _range_distance(m.wpm, m.target_min_wpm, m.target_max_wpm)),
    Measure("articulation_wpm", "words/min without pauses", 0, "", lambda m: None),
    Measure("filled_per_min", "um\u00b7uh /min", 1, "", lambda m: m.filled_per_min),
    Measure("discourse_per_min", "other fillers /min", 1, "", lambda m: m.discourse_per_min),
    Measure("long_pauses", "long pauses", 0, "", lambda m: m.long_pauses),
    Measure("longest_pause_s", "longest pause", 1, " s", lambda m: m.longest_pause_s),
    Measure("pitch_sd_st", "pitch variation", 1, " st", lambda m: -m.pitch_sd_st if m.pitch_sd_st is not None else None),
    Measure("content_score", "content score", 0, "", lambda m: -m.content_score if m.content_score is not None else None),
    Measure("findings_count", "findings", 0, "", lambda m: m.findings_count),
)
TREND_MEASURES = ("speaking_s", "wpm", "filled_per_min", "content_score")
_TAKE_COLUMNS = ("speaking_s", "wpm", "filled_per_min", "long_pauses", "content_score")
_BY_NAME = {m.name: m for m in MEASURES}


def verdict(measure: Measure, before: Metrics, after: Metrics) -> str | None:
    """"better", "worse" or "same" from ``before`` to ``after``; None when not judged."""
    a, b = measure.badness(before), measure.badness(after)
    if a is None or b is None:
        return None
    scale = max(abs(getattr(before, measure.name) or 0.0), abs(getattr(after, measure.name) or 0.0), 1e-9)
    crossed = (a == 0) != (b == 0)  # into or out of the target range counts however small
    # Within the noise, or too small to show at the measure's precision: no change.
    if not crossed and (abs(a - b) <= STEADY_SHARE * scale or round(abs(a - b), measure.digits) == 0):
        return "same"
    return "better" if b < a else "worse"


def sparkline(values: list[float | None]) -> str:
    """One block character per value, scaled between the smallest and largest; a space for missing."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    return "".join(" " if v is None else SPARK[round((v - low) / span * (len(SPARK) - 1))] for v in values)


@dataclass(frozen=True, slots=True)
class QuestionTrend:
    """One question's takes over time.

    Attributes:
        question: question id, None for takes with no question.
        takes: oldest recording first.
        recurring: issues found in more than one take, as (latest message, takes with it), most frequent first.
    """

    question: str | None
    takes: tuple[StoredTake, ...]
    recurring: tuple[tuple[str, int], ...]


def question_trends(history: History, *, question: str | None = None) -> list[QuestionTrend]:
    """Each question's takes in time order with its recurring issues; questions by latest practice first."""
    groups: dict[str | None, list[StoredTake]] = {}
    for take in history.takes(question=question):
        groups.setdefault(take.question, []).append(take)
    if question is not None and not groups:
        raise RehearseError(f"no takes of {question!r} in {history.path}; 'rehearse history' lists the questions practised")
    trends = [QuestionTrend(q, tuple(takes), _recurring(history, takes)) for q, takes in groups.items()]
    return sorted(trends, key=lambda t: t.takes[-1].recorded, reverse=True)


def _recurring(history: History, takes: list[StoredTake]) -> tuple[tuple[str, int], ...]:
    seen: dict[str, tuple[str, int]] = {}
    for take in takes:
        for key, message in {_issue_key(f): f.get("message", "") for f in history.findings(take.id)}.items():
            seen[key] = (message, seen.get(key, ("", 0))[1] + 1)
    repeats = [value for value in seen.values() if value[1] > 1]
    return tuple(sorted(repeats, key=lambda v: -v[1]))


def _issue_key(finding: dict[str, Any]) -> str:
    if finding.get("kind"):
        return str(finding["kind"])
    return f"{finding.get('area')}|{finding.get('suggestion') or finding.get('message')}"


def trend_rows(trends: list[QuestionTrend]) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Rows and trends for ``report.html.write_index`` (contract keys)."""
    rows: list[dict[str, Any]] = []
    series: dict[str, list[dict[str, Any]]] = {}
    for trend in trends:
        for take in trend.takes:
            m = take.metrics
            rows.append({"path": take.path, "recorded_at": take.recorded_at, "question": take.question,
                         "duration_s": m.speaking_s if m.speaking_s is not None else m.duration_s,
                         "target_max_s": m.target_max_s, "wpm": m.wpm, "filled_per_min": m.filled_per_min,
                         "discourse_per_min": m.discourse_per_min, "long_pauses": m.long_pauses,
                         "content_score": m.content_score, "top_issue": m.top_issue, "report_href": None})
            series.setdefault(take.question or "", []).append(
                {"recorded_at": take.recorded_at, "duration_s": rows[-1]["duration_s"], "wpm": m.wpm,
                 "filled_per_min": m.filled_per_min, "content_score": m.content_score})
    return rows, series


_VERDICT_STYLE = {"better": "green", "worse": "red", "same": "dim"}


def _arrow(measure: Measure, before: Metrics | None, after: Metrics) -> Any:
    from rich.text import Text

    value = getattr(after, measure.name)
    if before is None or getattr(before, measure.name) is None or value is None:
        return Text(num(value, measure.digits, measure.unit))
    judged = verdict(measure, before, after)
    arrow = "\u2192" if judged == "same" else "\u2191" if value > getattr(before, measure.name) else "\u2193"
    return Text(f"{num(value, measure.digits, measure.unit)} {arrow}", style=_VERDICT_STYLE.get(judged or "", ""))


def render_trends(trends: list[QuestionTrend], *, detail: bool) -> list:
    """The history for the terminal: one row per question, then each take (every take with ``detail``)."""
    from rich.table import Table
    from rich.text import Text

    summary = Table(title="Progress by question (first \u2192 latest take)", show_edge=False, header_style="bold")
    for heading in ("question", "takes", "from", "to", *(_BY_NAME[n].label for n in TREND_MEASURES)):
        summary.add_column(heading)
    for trend in trends:
        first, last = trend.takes[0].metrics, trend.takes[-1].metrics
        cells = []
        for name in TREND_MEASURES:
            measure = _BY_NAME[name]
            spark = sparkline([getattr(t.metrics, name) for t in trend.takes]) if len(trend.takes) > 1 else ""
            cell = Text(f"{spark} " if spark else "")
            cell.append_text(_arrow(measure, first if len(trend.takes) > 1 else None, last))
            cells.append(cell)
        summary.add_row(trend.question or "(no question)", str(len(trend.takes)), short_date(trend.takes[0].recorded_at),
                        short_date(trend.takes[-1].recorded_at), *cells)
    parts: list = [summary]
    for trend in trends:
        for message, count in trend.recurring[:3]:
            parts.append(Text(f"{trend.question or '(no question)'}: keeps coming back in {count} of {len(trend.takes)} takes: "
                              f"{clip(message, 110)}", style="yellow"))
    takes = [(t, trend) for trend in trends for t in trend.takes]
    takes.sort(key=lambda pair: pair[0].recorded)
    shown = takes if detail else takes[-15:]
    shown_ids = {take.id for take, _ in shown}
    title = "Takes" if detail else f"Latest takes ({len(shown)} of {len(takes)}; --question ID shows all of one)"
    table = Table(title=title, show_edge=False, header_style="bold")
    headings = ("#", "date", "take", "question", "length", "words/min", "um\u00b7uh /min", "long pauses", "content", "top issue")
    for heading in headings:
        table.add_column(heading, overflow="fold" if heading == "top issue" else "ellipsis")
    previous: dict[str | None, Metrics] = {}
    for take, trend in takes:
        m = take.metrics
        before = previous.get(trend.question)
        previous[trend.question] = m
        if take.id not in shown_ids:
            continue
        table.add_row(str(take.id), short_date(take.recorded_at), take_name(take.path or "-"), take.question or "-",
                      *(_arrow(_BY_NAME[n], before, m) for n in _TAKE_COLUMNS),
                      clip(m.top_issue or "", 70))
    parts.append(table)
    parts.append(Text("Arrows compare each take with the previous take of the same question: green better, red worse.",
                      style="dim"))
    return parts


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two takes side by side.

    Attributes:
        a: the earlier (or first named) take.
        b: the other take.
        changes: (measure name, verdict from a to b) for every measure both takes have.
        fixed: findings of A that B no longer has (A's messages).
        new: findings of B that A did not have (B's messages).
        kept: findings in both, as (A's message, B's message).
    """

    a: StoredTake
    b: StoredTake
    changes: tuple[tuple[str, str | None], ...]
    fixed: tuple[str, ...]
    new: tuple[str, ...]
    kept: tuple[tuple[str, str], ...]


def resolve_take(ref: str, history: History, *, model: str) -> StoredTake:
    """A take named by a history id (``12``) or an audio file, analyzing and recording the file if it is new.

    Raises:
        RehearseError: neither an existing file nor a stored id.
    """
    path = Path(ref).expanduser()
    if path.is_file():
        stored = history.by_hash(file_hash(path))
        if stored is not None:
            return stored
        from rehearse.app.history import record
        from rehearse.app.session import run_analyze
        from rehearse.app.review import read_meta

        meta = read_meta(path)
        question = meta.get("question") if isinstance(meta.get("question"), str) else None
        analysis = run_analyze(path, question_id=question, model=model, progress=True)
        record(analysis, db_path=history.path, question_id=question, source="compare",
               recorded_at=meta.get("recorded_at") if isinstance(meta.get("recorded_at"), str) else None)
        stored = history.by_hash(file_hash(path))
        if stored is None:
            raise RehearseError(f"{path}: analyzed, but the result is not in {history.path}")
        return stored
    if ref.lstrip("#").isdigit():
        return history.get(int(ref.lstrip("#")))
    raise RehearseError(f"{ref}: no such audio file, and not a take number ('rehearse history' lists them)")


def compare(history: History, a: StoredTake, b: StoredTake) -> Comparison:
    """Compare take ``b`` with take ``a``: every measure and which findings went, came or stayed."""
    changes = tuple((m.name, verdict(m, a.metrics, b.metrics)) for m in MEASURES
                    if getattr(a.metrics, m.name) is not None or getattr(b.metrics, m.name) is not None)
    found_a = {_issue_key(f): f.get("message", "") for f in history.findings(a.id)}
    found_b = {_issue_key(f): f.get("message", "") for f in history.findings(b.id)}
    return Comparison(a, b, changes,
                      fixed=tuple(msg for key, msg in found_a.items() if key not in found_b),
                      new=tuple(msg for key, msg in found_b.items() if key not in found_a),
                      kept=tuple((msg, found_b[key]) for key, msg in found_a.items() if key in found_b))


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """The comparison as a JSON-ready dict."""
    def side(take: StoredTake) -> dict[str, Any]:
        return {"take_id": take.id, "path": take.path, "question": take.question, "recorded_at": take.recorded_at,
                "metrics": {m.name: getattr(take.metrics, m.name) for m in MEASURES}}

    return {"a": side(comparison.a), "b": side(comparison.b),
            "changes": [{"measure": name, "a": getattr(comparison.a.metrics, name), "b": getattr(comparison.b.metrics, name),
                         "verdict": judged} for name, judged in comparison.changes],
            "fixed": list(comparison.fixed), "new": list(comparison.new),
            "kept": [{"a": a, "b": b} for a, b in comparison.kept]}


def render_comparison(comparison: Comparison) -> list:
    """The comparison for the terminal."""
    from rich.table import Table
    from rich.text import Text

    a, b = comparison.a, comparison.b
    table = Table(title="Compare", show_edge=False, header_style="bold")
    table.add_column("")
    table.add_column(f"A  #{a.id} {take_name(a.path or '-')}\n{short_date(a.recorded_at)}", justify="right")
    table.add_column(f"B  #{b.id} {take_name(b.path or '-')}\n{short_date(b.recorded_at)}", justify="right")
    table.add_column("change A \u2192 B", justify="right")
    table.add_row("question", a.question or "-", b.question or "-", "")
    for name, judged in comparison.changes:
        measure = _BY_NAME[name]
        va, vb = getattr(a.metrics, name), getattr(b.metrics, name)
        delta = "" if va is None or vb is None else f"{vb - va:+.{measure.digits}f}{measure.unit}"
        table.add_row(measure.label, num(va, measure.digits, measure.unit), num(vb, measure.digits, measure.unit),
                      Text(f"{delta} {judged or ''}".strip(), style=_VERDICT_STYLE.get(judged or "", "")))
    parts: list = [table]
    if a.question != b.question:
        parts.append(Text("The takes answer different questions; content scores are not comparable.", style="yellow"))
    for heading, messages, style in (("Fixed in B", comparison.fixed, "green"), ("New in B", comparison.new, "red"),
                                     ("Still there", [m for _, m in comparison.kept], "yellow")):
        if messages:
            block = Text(f"{heading}:\n", style=f"bold {style}")
            for message in messages:
                block.append(f"  \u2022 {message}\n", style=style)
            parts.append(block)
    return parts


def dumps(data: Any) -> str:
    """JSON for stdout."""
    return json.dumps(data, indent=2, ensure_ascii=False)


def emit_history(*, db_path: Path | None, question: str | None, json_output: bool, html: Path | None) -> None:
    """Print the history (and write its HTML page), as ``rehearse history`` does."""
    import sys

    from rehearse.report.batch import terminal_console

    with History.open(db_path) as history:
        if history.count() == 0 and question is None:
            print(f"No takes recorded yet in {history.path}; 'rehearse analyze', 'practice' and 'review' record them.",
                  file=sys.stderr)
            return
        trends = question_trends(history, question=question)
        rounds = history.rounds() if question is None else []
    if html is not None:
        from rehearse.report.html import write_index

        rows, series = trend_rows(trends)
        write_index(rows, html, title="Practice history", trends=series)
        print(f"HTML: {html}", file=sys.stderr)
    if json_output:
        print(dumps([{"question": t.question, "recurring": [{"message": m, "takes": n} for m, n in t.recurring],
                      "takes": [{"take_id": k.id, "path": k.path, "recorded_at": k.recorded_at,
                                 "metrics": {m.name: getattr(k.metrics, m.name) for m in MEASURES}} for k in t.takes]}
                     for t in trends]))
        return
    console = terminal_console()
    for part in render_trends(trends, detail=question is not None):
        console.print(part)
    if rounds:
        from rehearse.report.round_view import rounds_table

        console.print(rounds_table(rounds))


def emit_comparison(a: str, b: str, *, db_path: Path | None, model: str, json_output: bool) -> None:
    """Resolve, compare and print two takes, as ``rehearse compare`` does."""
    from rehearse.report.batch import terminal_console

    with History.open(db_path) as history:
        comparison = compare(history, resolve_take(a, history, model=model), resolve_take(b, history, model=model))
    if json_output:
        print(dumps(comparison_json(comparison)))
        return
    console = terminal_console()
    for part in render_comparison(comparison):
        console.print(part)

"""The round report in the terminal and as one HTML page (``round.html``), and the rounds
table that ``rehearse history`` shows."""

from __future__ import annotations

from pathlib import Path

from rehearse.text.format import clock

MEASURE_LABELS = {"level_dbfs": ("speech level", "dBFS", ".0f"), "wpm": ("pace", "words/min", ".0f"),
                  "fillers_per_min": ("fillers", "per min", ".1f")}
KIND_LABELS = {"question": "", "follow-up": "\u21b3 follow-up", "closing": "closing"}


def _num(value, fmt: str, unit: str = "") -> str:
    return "\u2013" if value is None else f"{format(value, fmt)}{unit}"


def render(report) -> list:
    """The round report as rich renderables."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    parts: list = []
    state = "" if report.complete else " (ended early)"
    parts.append(Panel(
        f"{len(report.answers)} answers in {clock(report.total_s)} (answers {clock(report.answers_s)}, "
        f"budget {clock(report.budget_s)})", title=f"Mock interview: {report.title}{state}", title_align="left"))
    table = Table(title="Answers", title_justify="left", show_edge=False)
    for column in ("#", "question", "length / budget", "score", "fillers/min", "words/min", "level", "top finding"):
        table.add_column(column, overflow="fold")
    for a in report.answers:
        mark = {report.best: " \u2605 best", report.weakest: " \u25bc weakest"}.get(a.position, "")
        asked = f"{KIND_LABELS[a.kind]} {a.asked}".strip()
        length_style = {"over": "red", "short": "yellow", "ok": "green"}[a.budget_verdict]
        score = _num(a.score, ".0f")
        if a.kind == "follow-up" and a.score_with_followup is not None:
            score = f"with parent {a.score_with_followup}" + (" \u2714" if a.resolved else "")
        table.add_row(f"{a.position}{mark}", asked,
                      Text(f"{_num(a.speaking_s, '.0f', ' s')} / {a.budget_s:.0f} s", style=length_style),
                      score, _num(a.fillers_per_min, ".1f"), _num(a.wpm, ".0f"), _num(a.level_dbfs, ".0f", " dB"),
                      a.top_finding or "")
    parts.append(table)
    delivery = Table(title="Delivery across the round", title_justify="left", show_edge=False)
    for column in ("measure", "per answer", "trend"):
        delivery.add_column(column)
    for t in report.trends:
        label, unit, fmt = MEASURE_LABELS[t.measure]
        values = " \u2192 ".join(f"{format(v, fmt)}" for _, v in t.values) or "\u2013"
        delivery.add_row(f"{label} ({unit})", values, Text(t.note, style="red" if t.fading else "green"))
    parts.append(delivery)
    if report.closing is not None:
        closing = Text("Closing turn: ", style="bold")
        for move in report.closing.moves:
            closing.append(("\u2714 " if move.found else "\u2718 ") + move.label + "   ",
                           style="green" if move.found else "red")
        if report.closing.perks_first:
            closing.append(f"\n\u26a0 pay or perks first: \u201c{report.closing.perks_quote}\u201d", style="bold red")
        parts.append(closing)
    if report.focus:
        focus = Text("Work on, for the whole round:\n", style="bold")
        for n, item in enumerate(report.focus, start=1):
            answers = ", ".join(f"#{p}" for p in item.answers)
            focus.append(f"  {n}. {item.message} ", style="")
            focus.append(f"({answers})\n", style="dim")
        parts.append(focus)
    parts.append(Text(f"saved in {report.folder}", style="dim"))
    return parts


def write_html(report, path: Path) -> None:
    """Write the round report as one self-contained page (no script, no fetches)."""
    from markupsafe import Markup

    from rehearse.report.html import _asset, _environment

    charts = [{"label": MEASURE_LABELS[t.measure][0], "unit": MEASURE_LABELS[t.measure][1], "note": t.note,
               "fading": t.fading, "svg": Markup(_bars(t, MEASURE_LABELS[t.measure][2]))} for t in report.trends]
    html = _environment().get_template("round.html.j2").render(
        report=report, charts=charts, style=Markup(_asset("_style.css")), clock=clock, kinds=KIND_LABELS,
        href=lambda folder: _relative(folder, path.parent))
    partial = path.with_name(path.name + ".partial")
    partial.write_text(html, encoding="utf-8")
    partial.replace(path)


def _relative(folder: str, base: Path) -> str:
    import os
    import urllib.parse

    try:
        rel = os.path.relpath(Path(folder) / "take.wav", base)
    except ValueError:
        return ""
    return urllib.parse.quote(rel.replace(os.sep, "/"))


def _bars(trend, fmt: str) -> str:
    """A small bar chart of one measure per answer, as inline SVG (no matplotlib: the page
    is written within the round report's 2 s)."""
    from markupsafe import escape

    if not trend.values:
        return ""
    width, height, pad = 60 * len(trend.values) + 20, 120, 18
    values = [v for _, v in trend.values]
    low = min(0.0, min(values))
    high = max(values) if max(values) > low else low + 1.0
    bars = []
    for i, (position, value) in enumerate(trend.values):
        # Levels in dBFS are negative: bars grow from the quietest level shown.
        base = min(values) - 6.0 if high <= 0 else low
        top = max(high, 0.0) if high > 0 else 0.0
        share = (value - base) / ((top - base) or 1.0)
        h = max(2.0, share * (height - 2 * pad))
        x = 10 + i * 60
        colour = "var(--bad)" if trend.fading and i == len(trend.values) - 1 else "var(--accent)"
        bars.append(f'<rect x="{x + 10}" y="{height - pad - h:.1f}" width="36" height="{h:.1f}" fill="{colour}" rx="3"/>'
                    f'<text x="{x + 28}" y="{height - pad - h - 4:.1f}" text-anchor="middle" font-size="11">'
                    f'{escape(format(value, fmt))}</text>'
                    f'<text x="{x + 28}" y="{height - 4}" text-anchor="middle" font-size="11">#{position}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'viewBox="0 0 {width} {height}">{"".join(bars)}</svg>')


def rounds_table(rounds):
    """The rounds in the history, newest last, as a rich table (``rehearse history``)."""
    from rich.table import Table

    table = Table(title="Mock interview rounds", title_justify="left", show_edge=False)
    for column in ("#", "when", "round", "answers", "total", "mean score", "best", "weakest", "top thing to work on"):
        table.add_column(column, overflow="fold")
    for r in rounds:
        table.add_row(str(r.id), r.started_at.replace("T", " ")[:16], r.round_id + ("" if r.complete else " (ended early)"),
                      str(r.answers), clock(r.total_s), _num(r.mean_score, ".0f"), r.best or "", r.weakest or "",
                      r.focus or "")
    return table

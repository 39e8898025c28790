"""The terminal report, with rich: findings first, then the measures and the transcript."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rehearse.files import printable
from rehearse.report import content_view, language_view
from rehearse.report.fillers import distinct_fillers
from rehearse.text.format import clock

SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}
# The findings that matter most are shown; the rest fold behind a count (``--all`` shows them).
FINDINGS_SHOWN = 3


class TerminalWriter:
    """Writes the terminal report.

    Args:
        show_all: list every finding instead of the ``FINDINGS_SHOWN`` most important.
    """

    extension = "txt"

    def __init__(self, *, show_all: bool = False) -> None:
        self.show_all = show_all

    def write(self, analysis, file: TextIO) -> None:
        console = Console(file=file, highlight=False, soft_wrap=False,
                          force_terminal=None if file.isatty() else False, width=None if file.isatty() else 100)
        for renderable in render(analysis, show_all=self.show_all):
            console.print(renderable)


def render(analysis, *, show_all: bool = False) -> list:
    """The report as a list of rich renderables; ``show_all`` lists every finding."""
    parts: list = []
    title = analysis.audio.path or "typed draft"
    subtitle = f"question: {analysis.question['id']}" if analysis.question else ""
    parts.append(Panel(Text(analysis.question["text"] if analysis.question else "No question given: generic checks only."),
                       title=f"rehearse \u00b7 {escape(printable(str(title)))}", subtitle=subtitle, expand=True))
    parts.append(_findings(analysis, show_all=show_all))
    if analysis.delivery is not None:
        parts.append(_delivery_table(analysis))
        fillers = _fillers_table(analysis)
        if fillers is not None:
            parts.append(fillers)
        pauses = _pauses_table(analysis)
        if pauses is not None:
            parts.append(pauses)
    if analysis.content is not None:
        parts.extend(content_view.render(analysis.content))
    if analysis.language is not None:
        parts.extend(language_view.render_terminal(analysis.language))
    parts.append(_transcript(analysis))
    return parts


def _findings(analysis, *, show_all: bool = False):
    findings = analysis.ranked_findings()
    if not findings:
        return Panel("Nothing to flag against the targets.", title="What to work on", border_style="green")
    shown = findings if show_all else findings[:FINDINGS_SHOWN]
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    for finding in shown:
        line = Text(finding.message)
        where = clock(finding.start)
        # A message that already names its time ("the longest, 3.2 s at 0:37.6") is not given it twice.
        if where and where not in finding.message:
            line.append(f" {where}", style="dim")
        table.add_row(Text(f"\u25cf {finding.severity}", style=SEVERITY_STYLE.get(finding.severity, "")), line)
        table.add_row("", Text(f"\u2192 {finding.suggestion}", style="dim"))
    folded = len(findings) - len(shown)
    if folded:
        table.add_row("", Text(f"\u2026 and {folded} more: rehearse analyze --all shows every finding.", style="dim"))
    return Panel(table, title=f"What to work on ({len(findings)})", border_style="yellow")


def _mark(ok: bool) -> Text:
    return Text("\u2713", style="green") if ok else Text("\u2717", style="red")


def _mark_or_blank(ok: bool | None) -> Text | str:
    return "" if ok is None else _mark(ok)


def _delivery_table(analysis):
    d = analysis.delivery
    t = analysis.thresholds
    v = analysis.verdicts
    table = Table(title="Delivery", title_justify="left", show_edge=False)
    table.add_column("measure")
    table.add_column("this take", justify="right")
    table.add_column("target", justify="right")
    table.add_column("")
    table.add_row("duration (first to last word)", f"{d.duration.speaking:.1f} s",
                  f"{d.duration.target_min:.0f}-{d.duration.target_max:.0f} s",
                  _mark(v.duration_ok) if d.pace.words else "")
    if d.pace.words:
        table.add_row("pace", f"{d.pace.wpm:.0f} words/min", f"{t.target.min_wpm:.0f}-{t.target.max_wpm:.0f}",
                      _mark_or_blank(v.pace_ok))
        table.add_row("articulation rate (pauses removed)", f"{d.pace.articulation_wpm:.0f} words/min", "", "")
    table.add_row("filled pauses (um, uh)", f"{d.fillers.filled_count}  ({d.fillers.filled_per_min:.1f}/min)",
                  f"\u2264 {t.fillers.max_filled_per_min:g}/min", _mark(v.filled_ok))
    table.add_row("discourse fillers (like, you know)", f"{d.fillers.discourse_count}  ({d.fillers.discourse_per_min:.1f}/min)",
                  f"\u2264 {t.fillers.max_discourse_per_min:g}/min", _mark(v.discourse_ok))
    table.add_row("pauses \u2265 %.2g s" % t.pauses.min_pause_s, f"{d.pauses.count}  ({d.pauses.total_time:.1f} s)", "", "")
    table.add_row("long pauses \u2265 %.2g s" % t.pauses.long_pause_s, f"{d.pauses.long_count}",
                  f"\u2264 {t.pauses.max_long_pauses_per_min:g}/min", _mark(v.long_pauses_ok))
    if d.pitch.sd_st is not None:
        table.add_row("vocal variety (pitch SD)", f"{d.pitch.sd_st:.1f} st, range {d.pitch.range_st:.1f} st",
                      f"\u2265 {t.prosody.min_pitch_sd_st:g} st", _mark_or_blank(v.pitch_ok))
    if d.energy.median_dbfs is not None:
        table.add_row("loudness (speech level, variation)", f"{d.energy.median_dbfs:.0f} dBFS, \u00b1{d.energy.sd_db:.1f} dB",
                      f"> {t.prosody.quiet_speech_dbfs:g} dBFS", _mark_or_blank(v.loudness_ok))
    return table


def _fillers_table(analysis):
    items = distinct_fillers(analysis.delivery.fillers.items)
    if not items:
        return None
    table = Table(title="Fillers, with what came before and after", title_justify="left", show_edge=False)
    table.add_column("at", justify="right", no_wrap=True)
    table.add_column("filler")
    table.add_column("in context", ratio=1)
    table.add_column("found by", no_wrap=True)
    for f in items:
        style = "" if f.counted else "dim"
        context = Text.assemble(("\u2026" + f.before + " " if f.before else "", "dim"), (f"[{f.word}]", "bold"),
                                (" " + f.after + "\u2026" if f.after else "", "dim"))
        found_by = f.source + ("" if f.counted else " (not counted)")
        table.add_row(clock(f.start), Text(f.word, style=style), context, Text(found_by, style=style))
    uncounted = sum(not f.counted for f in items)
    if uncounted:
        table.caption = f"{uncounted} not counted: too uncertain (see the note in --json)."
    return table


def _pauses_table(analysis):
    long_pauses = [p for p in analysis.delivery.pauses.items if p.long]
    if not long_pauses:
        return None
    table = Table(title="Long pauses", title_justify="left", show_edge=False)
    table.add_column("at", justify="right")
    table.add_column("length", justify="right")
    table.add_column("between", ratio=1)
    for p in long_pauses:
        table.add_row(clock(p.start), f"{p.duration:.1f} s", Text.assemble(("\u2026" + p.before, ""), (" \u2014 ", "dim"), (p.after + "\u2026", "")))
    return table


def _transcript(analysis):
    counted_spans = [(f.start, f.end) for f in analysis.delivery.fillers.items if f.counted] if analysis.delivery else []
    text = Text()
    for word in analysis.transcript.words:
        middle = (word.start + word.end) / 2
        is_filler = any(a - 0.05 <= middle <= b + 0.05 for a, b in counted_spans)
        text.append(word.text + " ", style="bold magenta" if is_filler else ("dim" if word.probability < 0.4 else ""))
    if not analysis.transcript.words:
        text = Text("(no speech recognised)", style="dim")
    return Panel(text, title="Transcript (fillers in magenta, unsure words dim)", expand=True)

"""The content section of the terminal report (rich renderables)."""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rehearse.content.results import ContentReport, Evidence, Tailoring
from rehearse.content import terms_needed
from rehearse.text.format import clock

STATUS_MARK = {"found": ("\u2713", "green"), "weak": ("~", "yellow"), "misplaced": ("~", "yellow"), "missing": ("\u2717", "red")}
SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}


def _quote(ev: Evidence | None) -> Text:
    if ev is None:
        return Text("")
    return Text.assemble(f"\u201c{ev.quote}\u201d ", (clock(ev.start), "dim"))


def render(report: ContentReport) -> list:
    """Checklist, pitfalls, tailoring, suggestions and the score breakdown."""
    out: list = []
    title = f"Content \u00b7 {report.score}/100"
    if report.question is not None:
        how = "inferred from the answer" if report.question.inferred else "given"
        title += f" \u00b7 {report.question.id} ({how})"
    else:
        title += " \u00b7 no question: generic checks only"
    rows = Table.grid(padding=(0, 1))
    rows.add_column(no_wrap=True)
    rows.add_column(ratio=1)
    for part in report.parts:
        mark, style = STATUS_MARK[part.status]
        label = Text(part.label + ("" if part.required else " (optional)"), style="bold" if part.required else "")
        detail = Text.assemble(label, "  ", _quote(part.evidence[0] if part.evidence else None))
        if part.note and part.status != "missing":
            detail.append(f"\n{part.note}", style="dim")
        elif part.status == "missing" and part.advice:
            detail.append(f"\n\u2192 {part.advice}", style="dim")
        rows.add_row(Text(mark, style=style), detail)
    if report.themes:
        theme = report.themes[0]
        rows.add_row(Text("\u2022", style="cyan"), Text.assemble(("Theme: ", "bold"), theme.label, "  ",
                                                                  _quote(theme.evidence[0])))
    if report.specificity is not None:
        spec = report.specificity
        sign = ("\u2713", "green") if spec.story and spec.measurable else (("~", "yellow") if spec.story else ("\u2717", "red"))
        what = "specific story with a measurable result" if spec.story and spec.measurable else (
            "specific story, no number in the result" if spec.story else "no specific story")
        rows.add_row(Text(sign[0], style=sign[1]), Text.assemble(("Specificity: ", "bold"), what))
    parts: list = [rows]
    if report.pitfalls:
        table = Table(title="Pitfalls", title_justify="left", show_edge=False, expand=True)
        table.add_column("at", no_wrap=True, justify="right")
        table.add_column("pitfall")
        table.add_column("words", ratio=1)
        for hit in report.pitfalls:
            table.add_row(clock(hit.start), Text(hit.label, style=SEVERITY_STYLE[hit.severity]), f"\u201c{hit.quote}\u201d")
        parts.append(table)
    if report.tailoring is not None:
        parts.append(_tailoring(report.tailoring, terms_needed(report.tailoring, report.options)))
    if report.suggestions:
        tips = Text("\n").join(Text(f"{i}. {tip}") for i, tip in enumerate(report.suggestions, 1))
        parts.append(Panel(tips, title="Try next", border_style="green"))
    # The tailoring note gives the counts behind its points, the same as its table and finding.
    score = ", ".join(f"{item.component} {item.points:g}/{item.max_points:g}"
                      + (f" ({item.note})" if item.component == "tailoring" else "") for item in report.breakdown)
    parts.append(Text(f"score: {score}", style="dim"))
    out.append(Panel(Group(*parts), title=title, border_style="blue"))
    return out


def _tailoring(t: Tailoring, needed: int) -> Table:
    terms = t.job_terms + t.values
    title = "Tailoring"
    if terms:
        title += f": {sum(h.found for h in terms)} of {len(terms)} of the job's terms echoed ({needed} needed)"
    if t.company:
        title += f"{';' if terms else ':'} {t.company} {'named' if t.company_mentions else 'not named'}"
    table = Table(title=title, title_justify="left", show_edge=False, expand=True)
    table.add_column("")
    table.add_column("term")
    table.add_column("in the answer", ratio=1)
    if t.company:
        table.add_row(Text("\u2713" if t.company_mentions else "\u2717", style="green" if t.company_mentions else "red"),
                      f"{t.company} (company)", _quote(t.company_mentions[0] if t.company_mentions else None))
    for hit in t.job_terms + t.values:
        kind = " (value)" if hit in t.values else ""
        table.add_row(Text("\u2713" if hit.found else "\u2717", style="green" if hit.found else "red"),
                      hit.term + kind, _quote(hit.evidence))
    return table

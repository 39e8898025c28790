"""What ``rehearse questions`` prints: the catalog by pack, and one question's rubric."""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text


def target_text(question) -> str:
    """The target length as "60-90 s"."""
    target = question.thresholds.target
    return f"{target.min_duration_s:g}-{target.max_duration_s:g} s"


def describe_catalog(catalog) -> list:
    """One table per pack: id, question, target length."""
    out: list = []
    by_pack: dict[str, list] = {}
    for q in catalog.questions:
        by_pack.setdefault(q.pack, []).append(q)
    titles = {p.id: p for p in catalog.packs}
    for pack, questions in by_pack.items():
        info = titles.get(pack)
        table = Table(title=f"{pack}: {info.title}" if info else pack, title_justify="left", show_edge=False,
                      caption=info.description if info and info.description else None, caption_justify="left")
        table.add_column("id", no_wrap=True, style="bold")
        table.add_column("question", ratio=1)
        table.add_column("target", no_wrap=True, justify="right")
        for q in questions:
            table.add_row(q.id, q.text, target_text(q))
        out.extend([table, Text("")])
    out.append(Text("Show one with: rehearse questions show ID", style="dim"))
    return out


def describe_question(question, *, cues: bool = False) -> list:
    """The question, what a strong answer contains, the pitfalls and the target length.

    Args:
        cues: also list every cue the checks match (to edit a pack).
    """
    parts = Table.grid(padding=(0, 1))
    parts.add_column(no_wrap=True)
    parts.add_column(ratio=1)
    for i, part in enumerate(question.parts, 1):
        extra = []
        if part.position != "any":
            extra.append("opening" if part.position == "start" else "at the end")
        if part.needs_measure:
            extra.append("with a number")
        if not part.required:
            extra.append("optional")
        tail = f" ({', '.join(extra)})" if extra else ""
        body = Text.assemble((part.label, "bold"), tail, "\n", (part.expect, ""))
        if cues:
            body.append("\ncues: " + " \u00b7 ".join(c.source for c in part.cues), style="dim")
        parts.add_row(f"{i}.", body)
    if question.need_parts:
        parts.add_row("", Text(f"Any {question.need_parts} of these make a strong answer.", style="dim"))
    pitfalls = Table.grid(padding=(0, 1))
    pitfalls.add_column(no_wrap=True)
    pitfalls.add_column(ratio=1)
    for p in question.pitfalls:
        body = Text.assemble((p.label, "bold"), f" [{p.severity}]\n", p.why)
        if cues:
            body.append("\ncues: " + " \u00b7 ".join(c.source for c in p.cues), style="dim")
            if p.unless:
                body.append("\nunless: " + " \u00b7 ".join(c.source for c in p.unless), style="dim")
        pitfalls.add_row("\u2717", body)
    facts = Text.assemble(("Target length: ", "bold"), target_text(question))
    if question.themes:
        facts.append("\nProfessional themes that work: ", style="bold")
        facts.append("; ".join(t.label.lower() for t in question.themes))
    panel = Group(
        Text(question.about, style="italic") if question.about else Text(""),
        Text("\nA strong answer contains", style="bold underline"), parts,
        Text("\nPitfalls", style="bold underline"), pitfalls,
        Text(""), facts,
        Text(f"\nfrom {question.source}", style="dim"),
    )
    return [Panel(panel, title=f"{question.id} \u00b7 \u201c{question.text}\u201d", title_align="left", expand=True)]

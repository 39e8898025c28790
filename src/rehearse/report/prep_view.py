"""The prep sheet and the story bank, rendered: terminal (rich) and one printable HTML page."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text


def _console(file: TextIO) -> Console:
    return Console(file=file, highlight=False, force_terminal=None if file.isatty() else False,
                   width=None if file.isatty() else 100)


def write_terminal(sheet, file: TextIO) -> None:
    """The prep sheet in the terminal, in the order it is used: what they want, what to
    tell, what is missing, what to ask, how to close."""
    console = _console(file)
    head = sheet.title or "this job"
    console.print(Panel(Text(f"{len(sheet.requirements)} requirements read from the posting; "
                             f"{len(sheet.stories)} stories in your bank."),
                        title=f"Prep sheet \u00b7 {escape(head)}" + (f" \u00b7 {escape(sheet.company)}" if sheet.company else "")))

    table = Table(title="What the job asks for, and your stories that show it", title_justify="left", expand=True)
    table.add_column("requirement", ratio=2)
    table.add_column("story", ratio=2)
    table.add_column("why: posting word \u2192 your word", ratio=3)
    for req in (*sheet.requirements, *sheet.values):
        pairs = sheet.stories_for(req.term)
        label = req.term + (" (value)" if req.kind == "value" else "")
        if not pairs:
            table.add_row(escape(label), Text("no story yet", style="bold red"), "")
            continue
        for k, p in enumerate(pairs):
            why = ", ".join(f"{w.posting} \u2192 {w.story}" for w in p.words)
            if p.skill:
                why += f" (skill \u201c{p.skill}\u201d)"
            table.add_row(escape(label) if k == 0 else "", escape(p.story_id), escape(why))
    console.print(table)

    plan = Table(title="The story to tell for each likely question", title_justify="left", expand=True)
    plan.add_column("question", ratio=2)
    plan.add_column("tell", ratio=1, overflow="fold")
    plan.add_column("why", ratio=3)
    for q in sheet.plan:
        why = q.reason
        if q.parts_missing:
            why += " Add: " + "; ".join(q.parts_missing) + "."
        plan.add_row(escape(q.question), escape(q.story_id or "\u2014"), escape(why))
    console.print(plan)

    if sheet.gaps:
        lines = [Text(f"\u2022 {g.term}: \u201c{_short(g.line)}\u201d") for g in sheet.gaps]
        console.print(Panel(Group(*lines), title=f"Gaps to prepare: {len(sheet.gaps)} requirement"
                            f"{'s' if len(sheet.gaps) != 1 else ''} with no story", title_align="left",
                            border_style="red"))
    asks = [Text(f"{k}. {a.text}\n   ", style="bold") + Text(a.why, style="dim") for k, a in
            enumerate(sheet.questions_to_ask, 1)]
    console.print(Panel(Group(*asks), title="Questions to ask them", title_align="left"))
    console.print(Panel(Text(sheet.closing_line), title="Closing line", title_align="left", border_style="green"))


def write_stories(stories, file: TextIO) -> None:
    """The story bank as a table."""
    console = _console(file)
    if not stories:
        console.print("No stories yet. Add one with 'rehearse stories add', or propose some from your "
                      "best takes with 'rehearse stories from-history'.")
        return
    table = Table(title=f"{len(stories)} stor{'ies' if len(stories) != 1 else 'y'}", title_justify="left", expand=True)
    table.add_column("id")
    table.add_column("title", ratio=3)
    table.add_column("number")
    table.add_column("skills", ratio=2)
    for s in stories:
        table.add_row(escape(s.id), escape(s.title), escape(s.figure or "\u2014 (add one)"), escape(", ".join(s.skills)))
    console.print(table)


def write_story(story, file: TextIO) -> None:
    console = _console(file)
    body = Text()
    for label, value in (("Situation", story.situation), ("Action", story.action), ("Result", story.result),
                         ("Number", story.figure), ("Skills", ", ".join(story.skills)), ("From", story.source)):
        if value:
            body.append(f"{label}: ", style="bold")
            body.append(f"{value}\n")
    console.print(Panel(body, title=f"{escape(story.id)} \u00b7 {escape(story.title)}", title_align="left"))


def render_html(sheet) -> str:
    """One printable page (print CSS fits it on A4 or Letter)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("rehearse.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("prep.html.j2").render(sheet=sheet)


def _short(line: str, words: int = 16) -> str:
    parts = line.split()
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")

"""The language section of the terminal report (rich renderables)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from rehearse.language.report import Hit, LanguageReport
from rehearse.text.format import clock, plural

_KIND_LABEL = {"hedge": "hedge", "self_undermining": "undermines", "informal": "informal", "restart": "restart",
               "filler": "filler", "crutch": "crutch", "repeat": "repeat"}
_STRETCH_LABEL = {"rushed": "faster", "slow": "slower"}


def render_terminal(report: LanguageReport) -> list:
    """Tables of the language section: measures, every quoted hit, pace stretches."""
    parts: list = [_measures(report)]
    hits: list[Hit] = sorted([*report.hedges, *report.informal, *report.rambling.restarts, *report.fillers],
                             key=lambda h: h.start)
    if hits:
        table = Table(title="Language: hedges, informal words, restarts (quoted, with what to do)",
                      title_justify="left", show_edge=False)
        table.add_column("at", justify="right", no_wrap=True)
        table.add_column("what", no_wrap=True)
        table.add_column("in context", ratio=2)
        table.add_column("instead", ratio=1, style="dim")
        for h in hits:
            table.add_row(clock(h.start), _KIND_LABEL.get(h.kind, h.kind), _context(h.context), h.suggestion)
        parts.append(table)
    if report.repetition:
        table = Table(title="Language: what you lean on", title_justify="left", show_edge=False)
        table.add_column("word or phrase")
        table.add_column("times", justify="right")
        table.add_column("per min", justify="right")
        table.add_column("at", ratio=1)
        for rep in report.repetition:
            table.add_row(rep.phrase, str(rep.count), f"{rep.per_min:.1f}", ", ".join(clock(h.start) for h in rep.hits))
        parts.append(table)
    if report.pace:
        # Stretches are against the speaker's own pace; whether one is too fast is the
        # findings' verdict (against the target), so the table only says faster or slower.
        table = Table(title="Pace over time: where you sped up or slowed down against your own pace", title_justify="left",
                      show_edge=False)
        table.add_column("from", justify="right", no_wrap=True)
        table.add_column("to", justify="right", no_wrap=True)
        table.add_column("pace", no_wrap=True)
        table.add_column("words", ratio=1)
        for s in report.pace:
            label = f"{_STRETCH_LABEL.get(s.label, s.label)} {s.wpm:.0f}/min" + (f" ({s.part})" if s.part else "")
            table.add_row(clock(s.start), clock(s.end), Text(label, style="yellow" if s.label == "rushed" else "cyan"),
                          _clip(s.text, 110))
        parts.append(table)
    return parts


def _measures(report: LanguageReport) -> Table:
    r = report.rambling
    o = report.options
    table = Table(title="Language" + (" (typed draft, times estimated)" if report.timing == "estimated" else ""),
                  title_justify="left", show_edge=False)
    table.add_column("measure")
    table.add_column("this answer", justify="right")
    table.add_column("target", justify="right")
    if report.draft is not None:
        d = report.draft
        table.add_row("estimated spoken length", f"{d.estimated_s:.0f} s at {d.pace_wpm:.0f} words/min ({d.pace_source})",
                      f"{d.target_min_s:.0f}-{d.target_max_s:.0f} s")
    undermining = sum(h.kind == "self_undermining" for h in report.hedges)
    table.add_row("hedges and weak words", f"{len(report.hedges) - undermining}"
                  + (f" + {undermining} self-undermining" if undermining else "") + f"  ({report.hedges_per_min:.1f}/min)",
                  f"\u2264 {o.max_hedges_per_min:g}/min")
    table.add_row("informal words", str(len(report.informal)), "0")
    table.add_row("restarts and self-corrections", str(len(r.restarts)), f"\u2264 {o.max_restarts_per_min:g}/min")
    table.add_row(f"sentences over {o.max_sentence_words:.0f} words", f"{len(r.long_sentences)} of {r.sentences}", "0")
    table.add_row("words per idea", f"{r.words_per_idea:.0f}  ({plural(r.words, 'word')}, {plural(r.ideas, 'idea')})", f"\u2264 {o.max_words_per_idea:g}")
    table.add_row("fillers, hedges and padding", f"{r.empty_share:.0%} of words", f"\u2264 {o.max_empty_share:.0%}")
    if r.share_before_thesis is not None:
        table.add_row("time before the thesis", f"{r.share_before_thesis:.0%} (at {clock(r.thesis_start or 0.0)})",
                      f"\u2264 {o.max_share_before_thesis:.0%}")
    return table


def _context(text: str) -> Text:
    """The context with the bracketed hit in bold."""
    out = Text()
    before, _, rest = text.partition("[")
    hit, _, after = rest.partition("]")
    out.append(before, style="dim")
    out.append(hit, style="bold")
    out.append(after, style="dim")
    return out


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"

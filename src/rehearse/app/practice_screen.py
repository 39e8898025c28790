"""What a practice session shows: the question, the countdown, the live display while
recording, and what changed from the previous take."""

from __future__ import annotations

import time
from dataclasses import dataclass


def show_question(console, question, thresholds, limit_s: float) -> None:
    """The question (or free practice), its target length and when recording stops."""
    from rich.panel import Panel

    target = thresholds.target
    text = question.text if question is not None else "Answer any question you are preparing for."
    subtitle = f"target {target.min_duration_s:.0f}-{target.max_duration_s:.0f} s \u00b7 stops at {limit_s:.0f} s"
    console.print(Panel(text, title=question.id if question is not None else "free practice", subtitle=subtitle))


def countdown(console, seconds: float) -> None:
    """Count down before recording (shown on a terminal only)."""
    whole = int(seconds)
    for n in range(whole, 0, -1):
        if console.is_terminal:
            console.print(f"  {n}\u2026", end="\r")
        time.sleep(1)
    time.sleep(seconds - whole)


def recording_display(recorder, listener, levels, thresholds, limit_s, options):
    """The live display while recording: time against the target, level, warnings, live words."""
    from rich.console import Group
    from rich.text import Text

    from rehearse.report.terminal import clock

    target = thresholds.target
    elapsed = recorder.elapsed_s
    width = 40
    filled = min(width, int(width * elapsed / limit_s))
    low, high = int(width * target.min_duration_s / limit_s), int(width * target.max_duration_s / limit_s)
    bar = Text()
    for i in range(width):
        style = "green" if low <= i < high else ("red" if i >= high else "cyan")
        bar.append("\u2588" if i < filled else "\u2591", style=style if i < filled else "dim")
    status = "in the target" if target.min_duration_s <= elapsed <= target.max_duration_s else (
        "over the target" if elapsed > target.max_duration_s else "")
    lines = [Text.assemble(("\u25cf REC ", "bold red"), f"{clock(elapsed)} ", bar,
                           f"  target {target.min_duration_s:.0f}-{target.max_duration_s:.0f} s ", (status, "yellow"))]
    level = max(recorder.level_dbfs, -60.0)
    meter = int(30 * (level + 60) / 60)
    lines.append(Text.assemble("level ", ("\u2587" * meter, "green" if level < -6 else "red"), ("\u2581" * (30 - meter), "dim"),
                               f" {recorder.level_dbfs:5.0f} dBFS"))
    warning = _level_warning(levels, listener, thresholds, options, recorder.options.clip_level)
    if warning:
        lines.append(Text(warning, style="bold yellow"))
    if listener.transcriber is not None:
        from rehearse.delivery import count_fillers

        view = listener.view()
        filled, discourse = count_fillers(view.words)
        lines.append(Text(f"{len(view.words)} words \u00b7 {view.wpm:.0f} words/min (target "
                          f"{target.min_wpm:.0f}-{target.max_wpm:.0f}) \u00b7 {filled} um/uh \u00b7 "
                          f"{discourse} like/you know"))
        if view.words:
            lines.append(Text("\u2026" + view.last_words(12), style="italic dim"))
    lines.append(Text("Enter ends the take \u00b7 Ctrl-C ends it and keeps it", style="dim"))
    return Group(*lines)


def _level_warning(levels, listener, thresholds, options, clip_level: float) -> str | None:
    if not levels or levels[-1][0] < 1.0:
        return None
    if any(peak >= clip_level for _, _, peak in levels):
        return "Clipping: lower the input level or move back from the microphone."
    # A pause after speech is quiet, and may be silent; speech too faint for the VAD
    # to hear is not a pause.
    if listener.speech_started() and listener.trailing_silence_s() >= options.warn_window_s:
        return None
    loudest = max(level for _, level, _ in levels)
    if loudest < options.no_sound_dbfs:
        return "No sound from the microphone: is it muted? ('rehearse devices' lists the inputs)"
    if loudest < thresholds.prosody.quiet_speech_dbfs:
        return "Too quiet: move closer to the microphone or raise its input level."
    return None


def _distance(value: float, low: float, high: float) -> float:
    return max(low - value, 0.0, value - high)


@dataclass(frozen=True, slots=True)
class Change:
    """One measure from the previous take to this one.

    Attributes:
        measure: what is compared, with its unit.
        before: the previous take's value.
        after: this take's value.
        better: True when it moved the right way, False the wrong way, None unchanged.
        fmt: how the values are written.
    """

    measure: str
    before: float
    after: float
    better: bool | None
    fmt: str


def changes(before, after) -> list[Change]:
    """What changed from one take's analysis to the next: duration and pace against the
    target (closer is better), fillers and long pauses (fewer), content score (higher)."""
    if before.delivery is None or after.delivery is None:
        return []
    target = after.thresholds.target
    b, a = before.delivery, after.delivery

    def off_duration(v):
        return _distance(v, target.min_duration_s, target.max_duration_s)

    def off_pace(v):
        return _distance(v, target.min_wpm, target.max_wpm)

    def score(analysis):
        return getattr(analysis.content, "score", None) if analysis.content is not None else None

    rows = [
        ("duration (s)", b.duration.speaking, a.duration.speaking, off_duration, ".1f"),
        ("pace (words/min)", b.pace.wpm, a.pace.wpm, off_pace, ".0f"),
        ("um/uh per min", b.fillers.filled_per_min, a.fillers.filled_per_min, lambda v: v, ".1f"),
        ("discourse fillers per min", b.fillers.discourse_per_min, a.fillers.discourse_per_min, lambda v: v, ".1f"),
        ("long pauses", b.pauses.long_count, a.pauses.long_count, lambda v: v, ".0f"),
        ("content score", score(before), score(after), lambda v: -v, ".0f"),
    ]
    found = []
    for measure, old, new, badness, fmt in rows:
        if old is None or new is None:
            continue
        better = None if badness(new) == badness(old) else badness(new) < badness(old)
        found.append(Change(measure, float(old), float(new), better, fmt))
    return found


def compare(before, after):
    """A table of ``changes``, better in green and worse in red."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Compared with the previous take", title_justify="left", show_edge=False)
    for column in ("", "previous", "this take", "change"):
        table.add_column(column, justify="left" if not column else "right")
    for c in changes(before, after):
        delta = c.after - c.before
        style = {True: "green", False: "red", None: ""}[c.better]
        table.add_row(c.measure, format(c.before, c.fmt), format(c.after, c.fmt),
                      Text(("+" if delta > 0 else "") + format(delta, c.fmt), style=style))
    return table

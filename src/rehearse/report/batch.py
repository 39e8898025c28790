"""A batch review's outputs: the terminal table, CSV, JSON, per-take analyses and the HTML index.

Every format is built from the same rows (``review_rows``) and totals (``review_totals``),
so the table, the CSV and the JSON always agree.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import types
from pathlib import Path
from typing import Any, TextIO, Union, get_args, get_origin, get_type_hints

from rehearse.app.history import METRIC_COLUMNS, History, parse_time
from rehearse.files import printable, stdout_errors, write_atomic

ROW_KEYS = ("path", "take_id", "recorded_at", "question", "status", "error", "cached") + METRIC_COLUMNS
VERDICT_STYLE = {"over": "red", "short": "yellow", "ok": "green"}
ISSUE_WIDTH = 70


def review_rows(result) -> list[dict[str, Any]]:
    """One dict per take (keys ``ROW_KEYS``), analyzed takes in time order, then failed files."""
    rows = [{"path": t.path, "take_id": t.take_id, "recorded_at": t.recorded_at, "question": t.question,
             "status": "ok", "error": None, "cached": t.cached, **dataclasses.asdict(t.metrics)} for t in result.takes]
    for failed in result.failed:
        rows.append({**dict.fromkeys(ROW_KEYS), "path": failed.path, "status": "failed", "error": failed.error})
    return rows


def review_totals(result) -> dict[str, Any]:
    """Counts, sums and averages over the batch's analyzed takes."""
    metrics = [t.metrics for t in result.takes]

    def mean(name: str, digits: int = 1) -> float | None:
        values = [getattr(m, name) for m in metrics if getattr(m, name) is not None]
        return round(sum(values) / len(values), digits) if values else None

    audio_s = sum(m.duration_s or 0.0 for m in metrics)
    analyzed_s = sum(t.metrics.duration_s or 0.0 for t in result.takes if not t.cached)
    return {
        "takes": len(result.takes), "failed": len(result.failed), "analyzed": result.analyzed, "cached": result.cached,
        "audio_min": round(audio_s / 60, 2), "over_target": sum(m.duration_verdict == "over" for m in metrics),
        "under_target": sum(m.duration_verdict == "short" for m in metrics),
        "mean_duration_s": mean("duration_s"), "mean_speaking_s": mean("speaking_s"), "mean_wpm": mean("wpm"),
        "mean_filled_per_min": mean("filled_per_min", 2),
        "mean_discourse_per_min": mean("discourse_per_min", 2), "long_pauses": sum(m.long_pauses or 0 for m in metrics),
        "mean_content_score": mean("content_score"), "workers": result.workers, "wall_s": result.wall_s,
        # Throughput of this run's new analyses only; cached takes cost nothing.
        "audio_min_per_wall_min": round(analyzed_s / result.wall_s, 2) if result.analyzed and result.wall_s else None,
        "db": result.db_path,
    }


def write_csv(result, file: TextIO) -> None:
    """The rows as CSV with a header; failed files have status "failed" and their error."""
    writer = csv.DictWriter(file, fieldnames=ROW_KEYS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(review_rows(result))


def to_json(result) -> dict[str, Any]:
    """The review as one JSON-ready dict: ``takes``, ``failed``, ``totals``."""
    rows = review_rows(result)
    return {"takes": [r for r in rows if r["status"] == "ok"],
            "failed": [{"path": r["path"], "error": r["error"]} for r in rows if r["status"] == "failed"],
            "totals": review_totals(result)}


# Below this width the table turns compact: no year, short headings, the target in the title
# and the top issue under the take's name instead of in a column of its own.
WIDE_TABLE = 150


def render_table(result, *, width: int = 160) -> list:
    """The review for the terminal, fitted to ``width`` columns: a table per question (its id as
    the title, so it never wraps inside a cell), takes in time order, then the totals and the
    files that failed."""
    from rich.table import Table
    from rich.text import Text

    wide = width >= WIDE_TABLE
    headings = (("length\n/ target", "words\n/min", "um\u00b7uh\n/min", "other\nfillers\n/min", "long\npauses",
                 "content\nscore") if wide else ("length", "wpm", "um\u00b7uh", "other", "long", "score"))
    groups: dict[str | None, list] = {}
    for take in result.takes:
        groups.setdefault(take.question, []).append(take)
    parts: list = []
    for question, takes in groups.items():
        title = question or "no question given"
        first = takes[0].metrics
        if not wide and first.target_max_s:
            title += f" (target {first.target_min_s:.0f}-{first.target_max_s:.0f} s)"
        table = Table(title=title, title_justify="left", title_style="bold", show_edge=False, header_style="bold")
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("date", no_wrap=True)
        if wide:
            table.add_column("take", no_wrap=True, overflow="ellipsis", max_width=32)
        else:
            table.add_column("take \u00b7 top issue", overflow="fold", ratio=1)
        # Two-line headings keep the number columns narrow, leaving the width to the top issue.
        for name in headings:
            table.add_column(name, justify="right", no_wrap=True)
        if wide:
            table.add_column("top issue", overflow="fold")
        for take in takes:
            m = take.metrics
            issue = clip(m.top_issue or "", ISSUE_WIDTH)
            name = printable(take_name(take.path)) if wide else Text.assemble(printable(take_name(take.path)), *(("\n", (issue, "dim")) if issue else ()))
            numbers = (num(m.wpm, 0), num(m.filled_per_min, 1), num(m.discourse_per_min, 1), num(m.long_pauses, 0),
                       num(m.content_score, 0))
            table.add_row(str(take.take_id), short_date(take.recorded_at, year=wide), name,
                          duration_text(m, target=wide), *numbers, *((issue,) if wide else ()))
        parts.append(table)
    totals = review_totals(result)
    summary = (f"{totals['takes']} takes, {totals['audio_min']:.1f} min in all; {totals['over_target']} over and "
               f"{totals['under_target']} under the target; on average {num(totals['mean_speaking_s'], 0, ' s')}, "
               f"{num(totals['mean_wpm'], 0)} words/min, {num(totals['mean_filled_per_min'], 1)} um\u00b7uh/min, "
               f"{num(totals['mean_discourse_per_min'], 1)} other fillers/min, {totals['long_pauses']} long pauses in all, "
               f"content score {num(totals['mean_content_score'], 0)}")
    parts.append(Text(summary))
    note = f"{result.analyzed} analyzed now, {result.cached} from the history ({result.db_path})"
    if totals["audio_min_per_wall_min"]:
        note += f"; {totals['audio_min_per_wall_min']:.1f} min of audio per minute with {result.workers} worker(s)"
    parts.append(Text(note, style="dim"))
    if result.failed:
        failed = Text(f"{len(result.failed)} file(s) could not be analyzed:\n", style="bold red")
        for item in result.failed:
            failed.append(f"  {printable(item.path)}: {printable(item.error)}\n", style="red")
        parts.append(failed)
    return parts


def write_outputs(result, *, out_dir: Path | None = None, html_dir: Path | None = None) -> list[Path]:
    """Write each take's analysis JSON into ``out_dir`` and an HTML index with a report per take into ``html_dir``.

    Returns:
        The files written.
    """
    if out_dir is None and html_dir is None:
        return []
    written: list[Path] = []
    names = unique_names([t.path for t in result.takes])
    index_rows = []
    writer = _html_writer() if html_dir is not None else None
    with History.open(result.db_path) as history:
        for take in result.takes:
            data = history.analysis(take.take_id)
            name = names[take.path]
            if out_dir is not None:
                target = out_dir / f"{name}.json"
                text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
                write_atomic(target, lambda f, text=text: f.write(text), what="analysis JSON")
                written.append(target)
            if writer is not None and html_dir is not None:
                page = html_dir / "takes" / f"{name}.html"
                analysis = analysis_from_dict(data)
                write_atomic(page, lambda f, analysis=analysis: writer.write(analysis, f), what="HTML report")
                written.append(page)
                index_rows.append(index_row(take, report_href=f"takes/{page.name}"))
    if html_dir is not None:
        from rehearse.report.html import write_index

        index = html_dir / "index.html"
        write_index(index_rows, index, title="Practice review", failed=[(f.path, f.error) for f in result.failed])
        written.append(index)
    return written


def index_row(take, *, report_href: str | None) -> dict[str, Any]:
    """A row for ``report.html.write_index`` (contract keys)."""
    m = take.metrics
    return {"path": take.path, "recorded_at": take.recorded_at, "question": take.question,
            "duration_s": m.speaking_s if m.speaking_s is not None else m.duration_s,
            "target_max_s": m.target_max_s, "wpm": m.wpm, "filled_per_min": m.filled_per_min,
            "discourse_per_min": m.discourse_per_min, "long_pauses": m.long_pauses, "content_score": m.content_score,
            "top_issue": m.top_issue, "report_href": report_href}


def _html_writer():
    from rehearse.report.html import HtmlWriter

    return HtmlWriter()


def unique_names(paths: list[str]) -> dict[str, str]:
    """A short, unique file-name stem per path, safe to join to an output folder.

    The stem, else with as many parent folders as tell the paths apart (practice takes
    are all "take"), else with the extension too ("answer.wav" and "answer.mp3" in one
    folder), else numbered; never a path separator, never an absolute path.
    """
    def label(path: str, depth: int, with_ext: bool) -> str:
        file = Path(path)
        folders = [part for part in file.parent.parts if part != file.anchor]
        name = file.stem + (f"_{file.suffix.lstrip('.')}" if with_ext and file.suffix else "")
        return _safe_name("_".join([*folders[len(folders) - depth + 1:], name] if depth > 1 else [name]))

    names: dict[str, str] = {}
    used: set[str] = set()
    for path in paths:
        file = Path(path)
        levels = len([part for part in file.parent.parts if part != file.anchor]) + 1
        chosen = next((label(path, depth, with_ext) for with_ext in (False, True) for depth in range(1, levels + 1)
                       if sum(label(other, depth, with_ext) == label(path, depth, with_ext) for other in paths) == 1),
                      label(path, 1, True))
        base, number = chosen, 1
        while chosen in used:
            number += 1
            chosen = f"{base}_{number}"
        used.add(chosen)
        names[path] = chosen
    return names


def _safe_name(name: str) -> str:
    """A file name that stays inside its folder: no separators, no leading dot, not empty."""
    cleaned = re.sub(r"[\\/\x00-\x1f\x7f]", "_", name).lstrip(".")
    return cleaned or "take"


def analysis_from_dict(data: dict[str, Any]):
    """Rebuild an ``analysis.Analysis`` from its JSON form (content and language stay dicts).

    The history keeps analyses as JSON; the HTML writer reads the dataclasses. Content and
    language are left as stored: rows written by older versions may lack their newer fields.
    """
    from rehearse.analysis import Analysis

    sections = {"content": data.get("content"), "language": data.get("language")}
    rebuilt = _build(Analysis, {k: v for k, v in data.items() if k not in sections})
    return dataclasses.replace(rebuilt, **sections)


def _build(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        return _build(options[0], value) if len(options) == 1 else value
    if isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(value, dict):
        hints = get_type_hints(hint)
        return hint(**{f.name: _build(hints[f.name], value[f.name]) for f in dataclasses.fields(hint) if f.name in value})
    if origin is tuple and isinstance(value, list):
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], v) for v in value)
        return tuple(_build(a, v) for a, v in zip(args, value, strict=False))
    return value


def take_name(path: str) -> str:
    """The file name; for a practice take (all named take.wav) with its folder's date and time."""
    file = Path(path)
    if file.stem != "take":
        return file.name
    stamp = re.match(r"\d{8}-\d{6}", file.parent.name)
    return f"{stamp.group() if stamp else file.parent.name}/{file.name}"


def short_date(recorded_at: str | None, *, year: bool = True) -> str:
    """YYYY-mm-dd HH:MM (mm-dd HH:MM without the year) in the recording's own offset."""
    return parse_time(recorded_at).strftime("%Y-%m-%d %H:%M" if year else "%m-%d %H:%M") if recorded_at else "-"


def duration_text(m, *, target: bool = True) -> Any:
    """The answer's length (first to last word) against its target, "72 s / 60-90", coloured by the verdict."""
    from rich.text import Text

    length = m.speaking_s if m.speaking_s is not None else m.duration_s
    if length is None:
        return "-"
    against = f" / {m.target_min_s:.0f}-{m.target_max_s:.0f}" if m.target_max_s and target else ""
    return Text(f"{length:.0f} s{against}", style=VERDICT_STYLE.get(m.duration_verdict or "", ""))


def num(value: float | int | None, digits: int, unit: str = "") -> str:
    """A number for a table cell, "-" when missing."""
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def emit_review(result, *, json_output: bool, csv_path: Path | None = None, out_dir: Path | None = None,
                html_dir: Path | None = None) -> None:
    """Print the review (table or JSON) and write the files asked for, as ``rehearse review`` does."""
    import sys

    # The table first: it is what the run was for, and a file that cannot be written
    # (full disk, read-only folder) is then one line after it instead of losing it.
    with stdout_errors("review"):
        if json_output:
            print(json.dumps(to_json(result), indent=2, ensure_ascii=False))
        else:
            console = terminal_console()
            for part in render_table(result, width=console.width):
                console.print(part)
        sys.stdout.flush()
    if csv_path is not None:
        write_atomic(csv_path, lambda f: write_csv(result, f), what="CSV file", newline="")
    written = write_outputs(result, out_dir=out_dir, html_dir=html_dir)
    if csv_path is not None:
        print(f"CSV: {printable(str(csv_path))}", file=sys.stderr)
    if out_dir is not None:
        print(f"analyses: {sum(p.suffix == '.json' for p in written)} JSON files in {out_dir}", file=sys.stderr)
    if html_dir is not None:
        print(f"HTML: {html_dir / 'index.html'}", file=sys.stderr)


def terminal_console():
    """A rich console on stdout, wide enough for the tables when piped."""
    import sys

    from rich.console import Console

    import os

    tty = sys.stdout.isatty()
    # Piped: $COLUMNS when the caller says how wide, else wide enough not to wrap the tables.
    piped_width = int(os.environ["COLUMNS"]) if os.environ.get("COLUMNS", "").isdigit() else 160
    return Console(highlight=False, force_terminal=None if tty else False, width=None if tty else piped_width)

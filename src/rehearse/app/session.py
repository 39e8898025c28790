"""What the commands share: running an analysis with progress, and printing its reports.

Kept apart from ``cli`` so the CLI only parses arguments, and from ``analysis`` so the
library has no printing in it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rehearse.errors import RehearseError
from rehearse.speech.transcribe import TranscriptionOptions, preload

if TYPE_CHECKING:
    from rehearse.analysis import Analysis


def load_question(question_id: str | None, packs: list[Path] | None):
    """The question for an id, or None when no id is given or packs are unavailable."""
    if question_id is None:
        return None
    from rehearse import packs as packs_module
    return packs_module.load_packs(extra_dirs=packs or []).get(question_id)


def run_analyze(
    audio_file: Path | None,
    *,
    question_id: str | None = None,
    packs: list[Path] | None = None,
    job: Path | None = None,
    company: str | None = None,
    text: Path | None = None,
    model: str = "tiny.en",
    beam_size: int = 5,
    progress: bool = True,
    record_history: bool = False,
    db: Path | None = None,
) -> Analysis:
    """Analyze one take (or a typed draft) as ``rehearse analyze`` does."""
    options = TranscriptionOptions(model=model, beam_size=beam_size)
    if text is None:
        # The model loads while the rest of rehearse is imported and the packs are read.
        preload(options)
    from rehearse.analysis import analyze

    question = load_question(question_id, packs)
    catalog = None
    if packs and question is None:
        from rehearse import packs as packs_module
        catalog = packs_module.load_packs(extra_dirs=packs)  # infer the question from these too
    job_text = _read_text(job, "job description") if job else None
    if text is not None:
        from rehearse.app import drafts
        return drafts.analyze_text(_read_text(text, "draft"), path=str(text), question=question,
                                   job_text=job_text, company=company, db=db)
    if progress and sys.stderr.isatty():
        analysis = _with_progress(audio_file, options, question, job_text, company, catalog)
    else:
        analysis = analyze(audio_file, transcription=options, question=question, job_text=job_text, company=company,
                           catalog=catalog)
    if record_history:
        _record(analysis, db)
    return analysis


def _record(analysis: Analysis, db: Path | None) -> None:
    from rehearse.app import history
    history.record(analysis, db_path=db)


def _with_progress(audio_file, options, question, job_text, company, catalog) -> Analysis:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"),
                  TimeElapsedColumn(), transient=True, console=_stderr_console()) as bar:
        task = bar.add_task("decoding audio", total=1.0, detail="")

        def on_stage(stage: str, done: float, total: float) -> None:
            bar.update(task, description=stage, completed=done / total if total else 1.0,
                       detail=f"{done:.0f}/{total:.0f} s of audio" if stage == "transcribing" else "")

        from rehearse.analysis import analyze

        return analyze(audio_file, transcription=options, question=question, job_text=job_text, company=company,
                       on_stage=on_stage, catalog=catalog)


def _stderr_console():
    from rich.console import Console

    return Console(file=sys.stderr)


def _read_text(path: Path, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RehearseError(f"{path}: no such {what} file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise RehearseError(f"{path}: cannot read the {what}: {e}") from e


def emit(analysis: Analysis, *, json_output: bool, html: Path | None = None, open_html: bool = False,
         show_all: bool = False) -> None:
    """Print the analysis (terminal or JSON) and write the HTML report if asked; ``show_all`` lists every finding."""
    from rehearse.report import get_writer

    if json_output:
        get_writer("json").write(analysis, sys.stdout)
    else:
        from rehearse.report.terminal import TerminalWriter

        TerminalWriter(show_all=show_all).write(analysis, sys.stdout)
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        with open(html, "w", encoding="utf-8") as f:
            get_writer("html").write(analysis, f)
        if not json_output:
            print(f"HTML report: {html}", file=sys.stderr)
        if open_html:
            import webbrowser

            webbrowser.open(html.resolve().as_uri())

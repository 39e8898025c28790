"""The one way every command runs a take: analyze it, hand the report out, then record it.

``run_take`` is the entry point ``analyze``, ``analyze --text``, ``practice``, ``compare``
and the ``review`` workers share. The order is the contract: the report is printed or
saved before the history is touched, and a history that cannot be written (corrupt,
read-only, from a newer rehearse) comes back as ``Take.history_error`` for the command
to report after the report, so a finished analysis is never thrown away.

Kept apart from ``cli`` so the CLI only parses arguments, and from ``analysis`` so the
library has no printing in it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from rehearse.errors import RehearseError
from rehearse.files import printable, read_text, refuse_overwrite, stdout_errors, write_atomic
from rehearse.speech.models import DEFAULT_BEAM_SIZE, DEFAULT_MODEL
from rehearse.speech.transcribe import TranscriptionOptions, preload

if TYPE_CHECKING:
    from rehearse.analysis import Analysis
    from rehearse.speech.audio import Audio


@dataclass(frozen=True, slots=True)
class Take:
    """A take that was run.

    Attributes:
        analysis: the finished analysis.
        take_id: its row in the history, or None when not recorded.
        history_error: why it could not be recorded (one line), or None.
    """

    analysis: Analysis
    take_id: int | None
    history_error: str | None


def load_question(question_id: str | None, packs: list[Path] | None):
    """The question for an id, or None when no id is given or packs are unavailable."""
    if question_id is None:
        return None
    from rehearse import packs as packs_module
    return packs_module.load_packs(extra_dirs=packs or []).get(question_id)


def run_take(
    audio: str | Path | Audio | None = None,
    *,
    text: str | None = None,
    text_path: str | None = None,
    question=None,
    catalog=None,
    job_text: str | None = None,
    company: str | None = None,
    transcription: TranscriptionOptions | None = None,
    transcriber=None,
    transcript=None,
    progress: bool = False,
    present: Callable[[Analysis], None] | None = None,
    record: bool = False,
    db: Path | str | None = None,
    source: str = "analyze",
    question_id: str | None = None,
    recorded_at: str | None = None,
) -> Take:
    """Run one take: analysis, then ``present`` (print or save the report), then the history.

    Args:
        audio: an audio file or decoded audio; None with ``text``.
        text: a typed draft instead of audio (content and language only).
        text_path: the draft's file, for the report.
        question: a ``packs.Question``, or None to infer it (from ``catalog``).
        catalog: question packs to infer the question from.
        job_text: a job description for the tailoring check.
        company: the company's name.
        transcription: Whisper options when no ``transcriber`` is given.
        transcriber: a loaded ``Transcriber`` reused across takes.
        transcript: words transcribed already (live transcription).
        progress: show a progress bar on stderr when it is a terminal.
        present: writes the report out; it runs before the history is touched.
        record: record the take in the history.
        db: the history database (default ``$REHEARSE_DB`` or the user data folder).
        source: the command recording it ("analyze", "practice", "compare", ...).
        question_id: the question to record it under (default the analysis's own).
        recorded_at: ISO 8601 time of the recording (default the file's time).

    Returns:
        The analysis and how recording it went; a history failure is never raised.

    Raises:
        RehearseError: the take cannot be analyzed, or ``present`` failed.
    """
    if text is not None:
        from rehearse.app import drafts

        analysis = drafts.analyze_text(text, path=text_path, question=question, job_text=job_text, company=company,
                                       db=db)
    else:
        from rehearse.analysis import analyze

        if audio is None:
            raise RehearseError("give an audio file to analyze, or --text DRAFT.txt for a typed draft")
        kwargs = dict(transcriber=transcriber, transcription=transcription, question=question, job_text=job_text,
                      company=company, catalog=catalog, transcript=transcript)
        if progress and sys.stderr.isatty():
            analysis = _with_progress(audio, kwargs)
        else:
            analysis = analyze(audio, **kwargs)
    if present is not None:
        present(analysis)
    if not record:
        return Take(analysis, None, None)
    from rehearse.app import history

    try:
        take_id = history.record(analysis, db_path=db, question_id=question_id, recorded_at=recorded_at, source=source)
    except RehearseError as e:
        return Take(analysis, None, str(e))
    return Take(analysis, take_id, None)


def run_analyze(
    audio_file: Path | None,
    *,
    question_id: str | None = None,
    packs: list[Path] | None = None,
    job: Path | None = None,
    company: str | None = None,
    text: Path | None = None,
    model: str = DEFAULT_MODEL,
    beam_size: int = DEFAULT_BEAM_SIZE,
    progress: bool = True,
    record_history: bool = False,
    db: Path | None = None,
    present: Callable[[Analysis], None] | None = None,
    source: str = "analyze",
    recorded_at: str | None = None,
) -> Take:
    """Run a take as ``rehearse analyze`` does, from the command's arguments (files, ids, names)."""
    options = TranscriptionOptions(model=model, beam_size=beam_size)
    if text is None:
        # The model loads while the rest of rehearse is imported and the packs are read.
        preload(options)
    question = load_question(question_id, packs)
    catalog = None
    if packs and question is None:
        from rehearse import packs as packs_module
        catalog = packs_module.load_packs(extra_dirs=packs)  # infer the question from these too
    job_text = read_text(job, "job description") if job else None
    draft = read_text(text, "draft") if text is not None else None
    return run_take(audio_file, text=draft, text_path=str(text) if text is not None else None, question=question,
                    catalog=catalog, job_text=job_text, company=company, transcription=options, progress=progress,
                    present=present, record=record_history, db=db, source=source, question_id=question_id,
                    recorded_at=recorded_at)


def _with_progress(audio, kwargs) -> Analysis:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"),
                  TimeElapsedColumn(), transient=True, console=_stderr_console()) as bar:
        task = bar.add_task("decoding audio", total=1.0, detail="")

        def on_stage(stage: str, done: float, total: float) -> None:
            bar.update(task, description=stage, completed=done / total if total else 1.0,
                       detail=f"{done:.0f}/{total:.0f} s of audio" if stage == "transcribing" else "")

        from rehearse.analysis import analyze

        return analyze(audio, on_stage=on_stage, **kwargs)


def _stderr_console():
    from rich.console import Console

    return Console(file=sys.stderr)


def protected_inputs(*, audio: str | Path | None = None, text: str | Path | None = None, job: str | Path | None = None,
                     db: str | Path | None = None, takes: tuple[str | Path, ...] = ()) -> list[tuple[object, str]]:
    """(path, what) for every file an output must not overwrite: the inputs and the history."""
    from rehearse.app.history import default_db_path

    found: list[tuple[object, str]] = [(audio, "recording being analyzed"), (text, "draft being analyzed"),
                                       (job, "job description"), (db if db is not None else default_db_path(),
                                                                  "practice history database")]
    found.extend((t, "take under review") for t in takes)
    return found


def check_outputs(outputs: dict[str, Path | None], protected: list[tuple[object, str]]) -> None:
    """Refuse, before any work, an output path that names an input or the history.

    Args:
        outputs: option name -> path given (None: not asked for).
        protected: from ``protected_inputs``.
    """
    for option, path in outputs.items():
        if path is not None:
            refuse_overwrite(path, protected, option=option)


def emit(analysis: Analysis, *, json_output: bool, html: Path | None = None, open_html: bool = False,
         show_all: bool = False) -> None:
    """Print the analysis (terminal or JSON) and write the HTML report if asked; ``show_all``
    lists every finding.

    The HTML goes to a temporary file renamed into place, so a failed write (full
    disk, read-only folder) leaves any earlier report as it was.
    """
    from rehearse.report import get_writer
    from rehearse.report.terminal import TerminalWriter

    with stdout_errors():
        writer = get_writer("json") if json_output else TerminalWriter(show_all=show_all)
        writer.write(analysis, sys.stdout)
        sys.stdout.flush()
    if html is not None:
        write_atomic(html, lambda f: get_writer("html").write(analysis, f), what="HTML report")
        if not json_output:
            print(f"HTML report: {printable(str(html))}", file=sys.stderr)
        if open_html:
            import webbrowser

            # False (no exception) is how webbrowser says that no browser could be started,
            # as on a server without a display.
            if not webbrowser.open(html.resolve().as_uri()):
                print(f"rehearse: no web browser found to open the report; open {html} yourself",
                      file=sys.stderr)

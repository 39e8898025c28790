"""Command line: parses arguments, calls the library, prints. Heavy imports stay inside commands
so that ``rehearse --help`` answers at once."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from rehearse.errors import RehearseError

EXIT_ERROR = 1
EXIT_SOME_FAILED = 3

app = typer.Typer(
    name="rehearse",
    help=(
        "Rehearse spoken interview answers, offline.\n\n"
        "Transcribes a take with Whisper on your CPU and reports delivery (length against the "
        "target, pace, pauses, fillers, vocal variety, energy) and content (structure, pitfalls, "
        "tailoring), every finding with its timestamps.\n\n"
        "Examples:\n\n"
        "  rehearse analyze answer.mp3\n\n"
        "  rehearse analyze answer.m4a --question motivation/what-inspires-you --json\n\n"
        "  rehearse practice motivation/what-inspires-you\n\n"
        "  rehearse review ~/interview-practice/"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="List, check and fetch Whisper models.", invoke_without_command=True)
app.add_typer(models_app, name="models")

_state = {"verbose": False}


def _version_callback(value: bool) -> None:
    if value:
        from rehearse import __version__

        typer.echo(f"rehearse {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks on errors.")] = False,
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version.")] = None,
) -> None:
    _state["verbose"] = verbose


ModelOption = Annotated[str, typer.Option("--model", "-m", help="Whisper model: a built-in name (tiny.en, base), a pulled name, or a CTranslate2 model directory.")]
QuestionOption = Annotated[Optional[str], typer.Option("--question", "-q", help="Question id to check the content against (see 'rehearse questions'). Inferred from the answer if left out.")]
PacksOption = Annotated[Optional[list[Path]], typer.Option("--packs", help="Extra folder of question packs (*.toml). May be repeated.")]
JobOption = Annotated[Optional[Path], typer.Option("--job", help="Job description (text file) for the tailoring check.")]
CompanyOption = Annotated[Optional[str], typer.Option("--company", help="Company name for the tailoring check.")]


@app.command()
def analyze(
    audio_file: Annotated[Optional[Path], typer.Argument(help="Recorded answer: mp3, wav, m4a, flac, ogg, webm, ...", show_default=False)] = None,
    question: QuestionOption = None,
    job: JobOption = None,
    company: CompanyOption = None,
    packs: PacksOption = None,
    text: Annotated[Optional[Path], typer.Option("--text", help="Check a typed draft (text file) instead of audio: content and language only.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the analysis as one JSON document (schema in the README).")] = False,
    html: Annotated[Optional[Path], typer.Option("--html", help="Also write a self-contained HTML report to this file.")] = None,
    open_html: Annotated[bool, typer.Option("--open", help="Open the HTML report in a browser.")] = False,
    model: ModelOption = "tiny.en",
    no_history: Annotated[bool, typer.Option("--no-history", help="Do not record this take in the practice history.")] = False,
    db: Annotated[Optional[Path], typer.Option("--db", help="Practice history database (default: in the user data folder).")] = None,
) -> None:
    """Analyze a recorded answer: transcript, delivery, content.

    Examples:

      rehearse analyze answer.mp3

      rehearse analyze take.wav -q motivation/what-inspires-you --job job.txt --company Acme

      rehearse analyze take.wav --json > take.json

      rehearse analyze --text draft.txt -q motivation/what-inspires-you
    """
    from rehearse import pipeline

    if audio_file is None and text is None:
        raise RehearseError("give an audio file to analyze, or --text DRAFT.txt for a typed draft")
    analysis = pipeline.run_analyze(
        audio_file, question_id=question, packs=packs, job=job, company=company, text=text,
        model=model, progress=not json_output, record_history=not no_history, db=db,
    )
    pipeline.emit(analysis, json_output=json_output, html=html, open_html=open_html)


@models_app.callback()
def models_list(ctx: typer.Context) -> None:
    """List the models rehearse can use and whether each is installed."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console
    from rich.table import Table

    from rehearse import models

    table = Table(show_edge=False)
    for column in ("model", "installed", "about", "where / how to install"):
        table.add_column(column)
    for row in models.available():
        table.add_row(row.name, "yes" if row.installed else "no", row.description, row.path or row.how_to_install)
    Console().print(table)
    Console().print(f"models folder: {models.models_dir()}", style="dim")


@models_app.command("pull")
def models_pull(name: Annotated[str, typer.Argument(help="Model to download, e.g. base.en or small.en.")]) -> None:
    """Download a model from the Hugging Face hub (needs internet; nothing else in rehearse does)."""
    from rehearse import models

    path = models.pull(name)
    typer.echo(f"{name}: saved to {path}")


@models_app.command("verify")
def models_verify(name: Annotated[str, typer.Argument(help="Model name or directory.")] = "tiny.en") -> None:
    """Check a model's files (and checksum, for built-in models)."""
    from rehearse import models

    typer.echo(f"{name}: ok ({models.resolve(name)})")


def main() -> None:
    """Console entry point: one line on stderr and exit 1 for errors a user can fix."""
    try:
        app()
    except RehearseError as e:
        if _state["verbose"]:
            raise
        print(f"rehearse: error: {e}", file=sys.stderr)
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        print("rehearse: interrupted", file=sys.stderr)
        sys.exit(130)

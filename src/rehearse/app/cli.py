"""Command line: parses arguments, calls the library, prints. Heavy imports stay inside commands
so that ``rehearse --help`` answers at once."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from rehearse.errors import RehearseError
from rehearse.speech.models import DEFAULT_BEAM_SIZE, DEFAULT_MODEL

EXIT_ERROR = 1
EXIT_SOME_FAILED = 3
# The report was printed and saved, but the take could not be recorded in the history.
EXIT_NOT_RECORDED = 4

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
questions_app = typer.Typer(help="List the interview questions and show what a strong answer contains.",
                            invoke_without_command=True)
app.add_typer(questions_app, name="questions")

stories_app = typer.Typer(
    help="Your story bank: the stories you prepare to tell (stories.toml, editable by hand).",
    invoke_without_command=True)
app.add_typer(stories_app, name="stories")

_state = {"verbose": False}


def _flags_take_no_type() -> None:
    """Typer's help prints ``<bool>`` after every switch (``--json <bool>``), as if it took a
    value; a switch shows no type."""
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None or getattr(shown, "_rehearse", False):  # a typer without it: nothing to fix
        return

    def display_type_rich(self, ctx):
        return None if self.is_flag else shown(self, ctx)

    display_type_rich._rehearse = True
    TyperOption.display_type_rich = display_type_rich


_flags_take_no_type()


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
PacksOption = Annotated[Optional[list[Path]], typer.Option("--packs", metavar="<dir>", help="Extra folder of question packs (*.toml). May be repeated.")]
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
    show_all: Annotated[bool, typer.Option("--all", help="List every finding; without it the three that matter most are shown and the rest counted.")] = False,
    html: Annotated[Optional[Path], typer.Option("--html", help="Also write a self-contained HTML report to this file.")] = None,
    open_html: Annotated[bool, typer.Option("--open", help="Open the HTML report in a browser.")] = False,
    model: ModelOption = DEFAULT_MODEL,
    beam_size: Annotated[int, typer.Option("--beam-size", min=1, max=10, help="Beam width: 5 is the most accurate; 1 (greedy) is about 10% faster.")] = DEFAULT_BEAM_SIZE,
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
    from rehearse.app import session
    if audio_file is None and text is None:
        raise typer.BadParameter("give an audio file to analyze, or --text DRAFT.txt for a typed draft",
                                 param_hint="'AUDIO_FILE'")
    if open_html and html is None:
        raise typer.BadParameter("--open opens the HTML report: give --html FILE too", param_hint="'--open'")
    session.check_outputs({"--html": html}, session.protected_inputs(audio=audio_file, text=text, job=job, db=db))
    take = session.run_analyze(
        audio_file, question_id=question, packs=packs, job=job, company=company, text=text,
        model=model, beam_size=beam_size, progress=not json_output, record_history=not no_history, db=db,
        present=lambda analysis: session.emit(analysis, json_output=json_output, html=html, open_html=open_html,
                                              show_all=show_all),
    )
    if take.history_error is not None:
        _not_recorded(take.history_error)
    _state["skip_teardown"] = True


DbOption = Annotated[Optional[Path], typer.Option("--db", help="Practice history database (default: $REHEARSE_DB, else in the user data folder).")]


@app.command()
def review(
    paths: Annotated[list[str], typer.Argument(help="Folders (searched recursively for audio), audio files or quoted glob patterns.", show_default=False)],
    question: Annotated[Optional[str], typer.Option("--question", "-q", help="Question every take answers. Default: each take's practice metadata, else inferred.")] = None,
    packs: PacksOption = None,
    workers: Annotated[Optional[int], typer.Option("--workers", "-j", min=1, help="Worker processes, each loading the model once. Default: one per core, fewer if memory is short.")] = None,
    csv_file: Annotated[Optional[Path], typer.Option("--csv", help="Also write one row per take to this CSV file.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the review as JSON (takes, failed, totals) instead of the table.")] = False,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write each take's full analysis JSON into this folder.")] = None,
    html: Annotated[Optional[Path], typer.Option("--html", help="Write an HTML index and one report per take into this folder.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Analyze every file again, even when the history has its result.")] = False,
    model: ModelOption = DEFAULT_MODEL,
    db: DbOption = None,
) -> None:
    """Analyze every take in folders or files, in parallel; only new or changed files are analyzed again.

    Exit code 3 when some files could not be analyzed (each is listed with its error).

    Examples:

      rehearse review ~/interview-practice/

      rehearse review takes/*.m4a --csv review.csv --workers 2

      rehearse review ~/interview-practice/ --json --out analyses/ --html report/
    """
    from rehearse.app import review as review_module
    from rehearse.app import session
    from rehearse.report import batch

    takes, _ = review_module.find_audio(paths)
    session.check_outputs({"--csv": csv_file, "--out": out, "--html": html},
                          session.protected_inputs(db=db, takes=tuple(takes)))
    result = review_module.review(paths, question_id=question, packs=packs, model=model, workers=workers,
                                  db_path=db, force=force)
    batch.emit_review(result, json_output=json_output, csv_path=csv_file, out_dir=out, html_dir=html)
    if result.failed:
        raise typer.Exit(code=EXIT_SOME_FAILED)


@app.command()
def history(
    question: Annotated[Optional[str], typer.Option("--question", "-q", help="Only this question, listing every take of it.")] = None,
    html: Annotated[Optional[Path], typer.Option("--html", help="Also write the history with trend charts to this HTML file.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the history as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """How each question's takes changed over time: length, pace, fillers, content score.

    Examples:

      rehearse history

      rehearse history -q motivation/what-inspires-you --html history.html
    """
    from rehearse.app import trends
    trends.emit_history(db_path=db, question=question, json_output=json_output, html=html)


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="Take A: an audio file, or a take number from 'rehearse history'.", show_default=False)],
    b: Annotated[str, typer.Argument(help="Take B: an audio file, or a take number.", show_default=False)],
    json_output: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
    model: ModelOption = DEFAULT_MODEL,
    db: DbOption = None,
) -> None:
    """Put two takes side by side: every measure, and which issues were fixed, are new or remain.

    A file not in the history yet is analyzed and recorded first.

    Examples:

      rehearse compare monday.m4a friday.m4a

      rehearse compare 12 15
    """
    from rehearse.app import trends
    trends.emit_comparison(a, b, db_path=db, model=model, json_output=json_output)


DeviceOption = Annotated[Optional[str], typer.Option("--device", "-d", help="Input device: index or (part of) its name, from 'rehearse devices'. Default: the system's default input.")]


@app.command()
def practice(
    question_id: Annotated[Optional[str], typer.Argument(help="Question to answer (see 'rehearse questions'). Left out: pick one, or a random one.", show_default=False)] = None,
    device: DeviceOption = None,
    samplerate: Annotated[Optional[int], typer.Option("--samplerate", help="Recording rate in Hz (default 16000); another rate the device supports is used if it refuses.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Sessions folder: one sub-folder per take (default: in the user data folder).")] = None,
    countdown: Annotated[Optional[float], typer.Option("--countdown", min=0, help="Seconds of countdown before recording (default 3).")] = None,
    max_s: Annotated[Optional[float], typer.Option("--max", min=1, help="Stop recording after this many seconds (default: the target's maximum + 30 s).")] = None,
    silence_stop: Annotated[Optional[float], typer.Option("--silence-stop", min=0, help="End the take after this many seconds of silence once you have spoken (default 6; 0: never).")] = None,
    keys: Annotated[Optional[str], typer.Option("--keys", help="Drive the session without a keyboard (tests, demos): comma-separated keys enter, r, p, q and wait:SECONDS, e.g. \"wait:20,enter,q\". Without it, a terminal's keys are read, or one key per line from a piped stdin.")] = None,
    live: Annotated[bool, typer.Option("--live/--no-live", help="Transcribe while you speak (live words/min, fillers and words; the report is ready when you stop).")] = True,
    packs: PacksOption = None,
    job: JobOption = None,
    company: CompanyOption = None,
    model: ModelOption = DEFAULT_MODEL,
    no_history: Annotated[bool, typer.Option("--no-history", help="Do not record the takes in the practice history.")] = False,
    db: DbOption = None,
) -> None:
    """Practise at the microphone: answer a question, get the report at once, retake.

    Shows the question and its target length, counts down, then records with a live display (time against the target, level, words/min, fillers, the last words heard). The take ends on Enter, at the maximum length, or after a stretch of silence; Ctrl-C ends it too and keeps it. Then: r retake (shows what changed), p listen back, q quit. Each take is saved as take.wav, analysis.json and meta.json.

    Examples:

      rehearse practice motivation/what-inspires-you

      rehearse practice --device 2 --out ~/interview-practice

      rehearse practice motivation/what-inspires-you --countdown 0 --keys "wait:30,enter,q"
    """
    from rehearse.app import practice as practice_module
    practice_module.run(
        question_id, packs=packs, device=device, samplerate_hz=samplerate, out_dir=out, keys=keys,
        countdown_s=countdown, max_s=max_s, silence_stop_s=silence_stop, model=model, live=live,
        job=job, company=company, db=db, record_history=not no_history,
    )


@app.command()
def interview(
    round_id: Annotated[str, typer.Argument(help="Round to run: standard (five questions) or quick (two and the closing), or one from your packs.")] = "standard",
    device: DeviceOption = None,
    samplerate: Annotated[Optional[int], typer.Option("--samplerate", help="Recording rate in Hz (default 16000); another rate the device supports is used if it refuses.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Sessions folder: the round gets a sub-folder, with one folder per answer (default: in the user data folder).")] = None,
    silence_stop: Annotated[Optional[float], typer.Option("--silence-stop", min=0, help="End an answer after this many seconds of silence once you have spoken (default 3; 0: never).")] = None,
    max_s: Annotated[Optional[float], typer.Option("--max", min=1, help="Stop each answer after this many seconds (default: its budget + 30 s).")] = None,
    keys: Annotated[Optional[str], typer.Option("--keys", help="Drive the round without a keyboard (tests, demos): comma-separated keys enter (ends an answer), q (ends the round after the answer) and wait:SECONDS.")] = None,
    live: Annotated[bool, typer.Option("--live/--no-live", help="Transcribe while you speak, so follow-ups come at once.")] = True,
    voice: Annotated[bool, typer.Option("--voice/--no-voice", help="Read the questions aloud with Piper (the 'voice' extra); --no-voice only shows them.")] = True,
    packs: PacksOption = None,
    job: JobOption = None,
    company: CompanyOption = None,
    html: Annotated[Optional[Path], typer.Option("--html", help="Also write the round report's HTML page here (it is always written as round.html in the round's folder).")] = None,
    model: ModelOption = DEFAULT_MODEL,
    no_history: Annotated[bool, typer.Option("--no-history", help="Do not record the answers and the round in the practice history.")] = False,
    db: DbOption = None,
) -> None:
    """Mock interview: a whole round asked aloud, with follow-ups, then one round report.

    The interviewer says each question; recording starts when it has been said and ends on Enter, after a silence, or at the answer's budget. When an answer leaves out its result, its bridge to the role or your own action, the interviewer asks one follow-up. The report: each answer's score, length against its budget and top finding, delivery across the round, the best and the weakest answer, three things to work on, total time.

    Examples:

      rehearse interview quick

      rehearse interview standard --job job.txt --company Acme

      rehearse interview quick --no-voice --keys "wait:60,enter,q"
    """
    from rehearse.app import interview as interview_module
    interview_module.run(
        round_id, packs=packs, device=device, samplerate_hz=samplerate, out_dir=out, keys=keys,
        silence_stop_s=silence_stop, max_s=max_s, model=model, live=live, voice=voice, job=job, company=company,
        db=db, record_history=not no_history, html=html,
    )


@app.command()
def devices() -> None:
    """List the input devices (microphones) that 'practice --device' can use."""
    from rich.console import Console
    from rich.table import Table

    from rehearse.speech import capture
    found = capture.input_devices()
    if not found:
        raise RehearseError("no input device found: connect a microphone, or check that the sound server "
                            "(PulseAudio/PipeWire) is running")
    table = Table(show_edge=False)
    for column in ("index", "name", "host API", "channels", "default rate", "default"):
        table.add_column(column)
    for d in found:
        table.add_row(str(d.index), d.name, d.hostapi, str(d.max_channels), f"{d.default_samplerate_hz:.0f} Hz",
                      "*" if d.is_default else "")
    Console().print(table)


@models_app.callback()
def models_list(ctx: typer.Context) -> None:
    """List the models rehearse can use and whether each is installed."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console
    from rich.table import Table

    from rehearse.speech import models
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
    from rehearse.speech import models
    path = models.pull(name)
    typer.echo(f"{name}: saved to {path}")


@models_app.command("verify")
def models_verify(names: Annotated[Optional[list[str]], typer.Argument(help="Model names or directories. Default: every installed model.", show_default=False)] = None) -> None:
    """Check models' files (and checksum, for built-in models)."""
    from rehearse.speech import models
    for name in names or models.installed_names():
        typer.echo(f"{name}: ok ({models.resolve(name)})")


@questions_app.callback()
def questions_list(ctx: typer.Context, packs: PacksOption = None) -> None:
    """List the questions, by pack, with their target length.

    Examples:

      rehearse questions

      rehearse questions show motivation/what-inspires-you

      rehearse questions --packs ~/my-packs
    """
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console

    from rehearse import packs as packs_module
    from rehearse.report.question_view import describe_catalog

    Console().print(*describe_catalog(packs_module.load_packs(extra_dirs=packs or [])))


@questions_app.command("show")
def questions_show(
    question_id: Annotated[str, typer.Argument(help="Question id, e.g. motivation/what-inspires-you.")],
    packs: PacksOption = None,
    cues: Annotated[bool, typer.Option("--cues", help="Also list the cues each check matches (to edit a pack).")] = False,
) -> None:
    """Show a question: what a strong answer contains, the pitfalls and the target length."""
    from rich.console import Console

    from rehearse import packs as packs_module
    from rehearse.report.question_view import describe_question

    question = packs_module.load_packs(extra_dirs=packs or []).get(question_id)
    Console().print(*describe_question(question, cues=cues))


@questions_app.command("check")
def questions_check(
    paths: Annotated[list[Path], typer.Argument(help="Pack files or folders of *.toml packs to validate.")],
) -> None:
    """Validate question packs: every error names the file, the key and the problem."""
    from rehearse import packs as packs_module
    catalog = packs_module.load_packs(extra_dirs=paths)
    given = [p.resolve() for p in paths]  # a pack's source keeps the path as given, relative or not
    mine = [q for q in catalog.questions if any(Path(q.source).resolve().is_relative_to(p) for p in given)]
    typer.echo(f"ok: {len(mine)} question{'s' if len(mine) != 1 else ''} in {', '.join(map(str, paths))}")


StoriesOption = Annotated[Optional[Path], typer.Option("--stories", help="Story bank file (default: $REHEARSE_STORIES, else stories.toml in the user data folder).")]


@app.command()
def prep(
    job: Annotated[Path, typer.Option("--job", help="Job description (text file).", show_default=False)],
    company: CompanyOption = None,
    html: Annotated[Optional[Path], typer.Option("--html", help="Also write a one-page printable HTML prep sheet.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the prep sheet as JSON.")] = False,
    stories: StoriesOption = None,
    packs: PacksOption = None,
) -> None:
    """Prepare for one job: its requirements paired with your stories, the story for each
    likely question, the gaps to prepare, the questions to ask and your closing line.

    Examples:

      rehearse prep --job job.txt --company Acme

      rehearse prep --job job.txt --company Acme --html prep.html
    """
    from rehearse.app import preparation
    preparation.prep(job, company=company, stories_path=stories, packs=packs or (), json_output=json_output,
                     html=html)


@stories_app.callback()
def stories_list(ctx: typer.Context, stories: StoriesOption = None) -> None:
    """List your stories (the default), or add, show and propose them."""
    if ctx.invoked_subcommand is None:
        from rehearse.app import preparation
        preparation.list_stories(stories)


@stories_app.command("list")
def stories_list_command(stories: StoriesOption = None) -> None:
    """List your stories with their numbers and skills."""
    from rehearse.app import preparation
    preparation.list_stories(stories)


@stories_app.command("show")
def stories_show(story_id: Annotated[str, typer.Argument(help="The story's id (see 'rehearse stories list').")],
                 stories: StoriesOption = None) -> None:
    """Show one story in full."""
    from rehearse.app import preparation
    preparation.show_story(story_id, stories)


@stories_app.command("add")
def stories_add(
    title: Annotated[str, typer.Option("--title", help="One line to recognise the story by.", show_default=False)],
    situation: Annotated[str, typer.Option("--situation", help="Where and when, and what made it hard.")] = "",
    action: Annotated[str, typer.Option("--action", help="What you did yourself.")] = "",
    result: Annotated[str, typer.Option("--result", help="What it achieved.")] = "",
    number: Annotated[str, typer.Option("--number", help="The result's number (found in --result if left out).")] = "",
    skill: Annotated[Optional[list[str]], typer.Option("--skill", help="A skill the story shows. May be repeated.")] = None,
    story_id: Annotated[str, typer.Option("--id", help="Short id (made from the title if left out).")] = "",
    stories: StoriesOption = None,
) -> None:
    """Add a story to your bank.

    Example:

      rehearse stories add --title "Cut support tickets" --action "I rewrote the setup guide" --result "Tickets fell 40%" --skill "customer service"
    """
    from rehearse.app import preparation
    from rehearse.prep.stories import Story
    preparation.add_story(Story(story_id, title, situation, action, result, number, tuple(skill or ())), stories)


@stories_app.command("from-history")
def stories_from_history(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Add every proposed story without asking.")] = False,
    db: DbOption = None,
    stories: StoriesOption = None,
) -> None:
    """Propose stories from your best takes (the parts the content check found, quoted),
    and add the ones you accept.

    Example:

      rehearse stories from-history
    """
    from rehearse.app import preparation
    if yes:
        accept = lambda proposal: True  # noqa: E731
    elif sys.stdin.isatty():
        accept = lambda proposal: typer.confirm("Add this story?", default=False)  # noqa: E731
    else:
        accept = None
    preparation.stories_from_history(db=db, stories_path=stories, accept=accept)


def _not_recorded(error: str) -> None:
    """Say, after the report, that the history failed, and exit ``EXIT_NOT_RECORDED``."""
    from rehearse.files import printable

    sys.stdout.flush()
    print(f"rehearse: error: the report is complete, but the take was not recorded in the history: "
          f"{printable(error)}", file=sys.stderr)
    raise typer.Exit(code=EXIT_NOT_RECORDED)


def _exit_without_teardown() -> None:
    """End a finished ``analyze`` at once: freeing the Whisper model and its libraries
    takes 0.12 s of a 2 s run, and everything is written (history closed, report
    flushed here), so the interpreter's teardown has nothing left to do."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # rehearse analyze ... | head: the reader has what it wanted
        pass
    except OSError as e:  # a full disk: the report is cut short, so this is no success
        print(f"rehearse: error: cannot write the report: {e}", file=sys.stderr)
        os._exit(EXIT_ERROR)
    os._exit(0)


def _drop_unwritable_stdout() -> None:
    """After a failed write to stdout (a full disk), send what is left in its buffer to
    /dev/null, so the exit does not add a second error about flushing it."""
    try:
        sys.stdout.flush()
    except OSError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass


class _WarningLine:
    """Library warnings (the "rehearse" logger) as one escaped line on stderr."""

    def filter(self, record) -> bool:
        from rehearse.files import printable

        record.msg, record.args = printable(record.getMessage()), None
        return True


def _show_warnings() -> None:
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("rehearse: warning: %(message)s"))
    handler.addFilter(_WarningLine())
    logger = logging.getLogger("rehearse")
    logger.addHandler(handler)
    logger.propagate = False


def main() -> None:
    """Console entry point: one line on stderr and exit 1 for errors a user can fix."""
    _show_warnings()
    try:
        app()
    except SystemExit as e:
        if not e.code and _state.get("skip_teardown"):
            _exit_without_teardown()
        raise
    except RehearseError as e:
        if _state["verbose"]:
            raise
        from rehearse.files import printable

        print(f"rehearse: error: {printable(str(e))}", file=sys.stderr)
        _drop_unwritable_stdout()
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        print("rehearse: interrupted", file=sys.stderr)
        sys.exit(130)

"""A practice session at the microphone: question, countdown, take, report, retake.

Each take is saved as it is recorded (``capture``), transcribed while the user
speaks (``live``), analyzed the moment it ends, and kept in a folder of its own:
``<sessions>/<YYYYmmdd-HHMMSS>-<question id, / as _>/`` with ``take.wav``,
``analysis.json`` and ``meta.json`` (``/tmp/formats.md``: the contract with
``review`` and ``history``). ``meta.json`` is written when recording starts, so a
take whose process was killed still says what it was; it is rewritten when the take
ends.

Keys come from ``keys`` (terminal, piped lines or a ``--keys`` script); what the user
sees comes from ``practice_screen``.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import deque
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rehearse.errors import AudioError, CaptureError
from rehearse.app.keys import ScriptKeys, StreamKeys, menu_key
from rehearse.app.practice_screen import compare, countdown, recording_display, show_question
from rehearse.speech.models import DEFAULT_MODEL


@dataclass(frozen=True, slots=True)
class PracticeOptions:
    """How a practice session runs.

    Attributes:
        countdown_s: seconds counted down before recording starts.
        silence_stop_s: a silence this long once speech has started ends the take;
            0 never ends it.
        over_target_s: recording stops this long after the target's maximum length.
        refresh_s: how often the live display updates.
        warn_window_s: the level warnings look at this much recent audio.
        no_sound_dbfs: below this level nothing reaches the microphone (muted?).
    """

    countdown_s: float = 3.0
    silence_stop_s: float = 6.0
    over_target_s: float = 30.0
    refresh_s: float = 0.1
    warn_window_s: float = 3.0
    no_sound_dbfs: float = -60.0


def run(
    question_id: str | None = None,
    *,
    packs: list[Path] | None = None,
    device: str | None = None,
    samplerate_hz: int | None = None,
    out_dir: Path | None = None,
    keys: str | None = None,
    countdown_s: float | None = None,
    max_s: float | None = None,
    silence_stop_s: float | None = None,
    model: str = DEFAULT_MODEL,
    live: bool = True,
    job: Path | None = None,
    company: str | None = None,
    db: Path | None = None,
    record_history: bool = True,
) -> None:
    """Run ``rehearse practice``: takes until the user quits.

    Raises:
        CaptureError: the microphone cannot be used, or it went away during a take
            (the take so far is saved first).
        PackError: unknown question id.
    """
    import dataclasses

    from rich.console import Console

    from rehearse.speech import capture
    from rehearse.options import Thresholds
    from rehearse.files import read_text
    from rehearse.speech.transcribe import Transcriber, TranscriptionOptions

    console = Console(stderr=True, highlight=False)
    options = PracticeOptions()
    overrides = {k: v for k, v in (("countdown_s", countdown_s), ("silence_stop_s", silence_stop_s)) if v is not None}
    options = dataclasses.replace(options, **overrides)
    script = ScriptKeys(keys) if keys is not None else None
    # Asked before the terminal is switched to single keys, so the answer is echoed.
    question = _choose_question(question_id, packs, console, scripted=script is not None or not sys.stdin.isatty())
    key_source = script or StreamKeys()
    try:
        thresholds = question.thresholds if question is not None else Thresholds()
        mic = capture.find_device(device)
        rate = capture.choose_samplerate(mic, samplerate_hz, capture.CaptureOptions())
        if samplerate_hz and rate != samplerate_hz:
            console.print(f"[yellow]{mic.name} does not record at {samplerate_hz} Hz; using {rate} Hz.[/]")
        sessions = Path(out_dir) if out_dir is not None else default_sessions_dir()
        limit_s = max_s if max_s is not None else thresholds.target.max_duration_s + options.over_target_s
        with console.status("loading the speech model\u2026"):
            transcriber = Transcriber(TranscriptionOptions(model=model))
        job_text = read_text(job, "job description") if job else None
        previous = None
        while True:
            show_question(console, question, thresholds, limit_s)
            countdown(console, options.countdown_s)
            take = _take(console, key_source, mic=mic, rate=rate, sessions=sessions, question=question,
                         thresholds=thresholds, limit_s=limit_s, options=options,
                         transcriber=transcriber if live else None)
            analysis = _finish_take(console, take, transcriber=transcriber, question=question, job_text=job_text,
                                    company=company, db=db, record_history=record_history)
            if analysis is not None and previous is not None:
                report = Console(highlight=False, width=None if sys.stdout.isatty() else 100)
                report.print(compare(previous, analysis))
            previous = analysis or previous
            if take.failure:
                raise CaptureError(f"{take.failure}; the take so far is saved in {take.folder}")
            if take.ended_by == "interrupt":
                return
            choice = menu_key(key_source, console)
            while choice == "p":
                choice = _listen_back(console, key_source, take.folder / "take.wav") or menu_key(key_source, console)
            if choice == "q":
                return
    finally:
        key_source.close()


def _listen_back(console, key_source, wav: Path) -> str | None:
    """Play the take; any key stops it at once. Returns "r" or "q" when one of those
    stopped it (the menu's choice, taken without waiting), else None."""
    from rehearse.speech import capture
    from rehearse.text.format import clock

    console.print(f"playing {wav} \u2026 (any key stops: r retake, q quit)")
    pressed: list[str] = []

    def key_pressed() -> bool:
        key = key_source.get(0.1, ("r", "p", "q", "enter"))
        if key is not None:
            pressed.append(key)
        return key is not None

    played_s = capture.play(wav, stop=key_pressed)
    if pressed:
        console.print(f"stopped playback at {clock(played_s)}")
        return pressed[0] if pressed[0] in ("r", "q") else None
    return None


def default_sessions_dir() -> Path:
    """``<user data dir>/rehearse/sessions``."""
    import platformdirs

    return Path(platformdirs.user_data_dir("rehearse")) / "sessions"


def _choose_question(question_id, packs, console, *, scripted: bool):
    from rehearse import packs as packs_module
    catalog = packs_module.load_packs(extra_dirs=packs or [])
    if question_id is not None:
        return catalog.get(question_id)
    questions = list(catalog.questions)
    if not questions:
        return None
    if scripted:
        return random.choice(questions)
    from rich.prompt import Prompt
    from rich.table import Table

    table = Table(show_edge=False, show_header=False)
    for number, q in enumerate(questions, start=1):
        table.add_row(str(number), q.id, q.text)
    console.print(table)
    while True:
        answer = Prompt.ask("Question number (Enter for a random one)", default="", console=console, show_default=False)
        if not answer.strip():
            return random.choice(questions)
        if answer.strip().isdigit() and 1 <= int(answer) <= len(questions):
            return questions[int(answer) - 1]
        console.print(f"[red]Give a number from 1 to {len(questions)}.[/]")


@dataclass(frozen=True, slots=True)
class Take:
    """One recorded take.

    Attributes:
        folder: where it is saved.
        meta: the contents of ``meta.json``.
        ended_by: "enter", "silence", "max" or "interrupt".
        failure: why the microphone stopped, if it did.
        transcript: the live transcript, or None to transcribe the file.
    """

    folder: Path
    meta: dict
    ended_by: str
    failure: str | None
    transcript: object
    ended_at: float = 0.0


def _take_folder(sessions: Path, question, started: datetime) -> Path:
    name = started.strftime("%Y%m%d-%H%M%S")
    if question is not None:
        name += "-" + question.id.replace("/", "_")
    folder, n = sessions / name, 2
    while folder.exists():
        folder, n = sessions / f"{name}-{n}", n + 1
    return folder.resolve()


def _write_json(path: Path, data) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)  # a reader never sees half a file


def _take(console, keys, *, mic, rate, sessions, question, thresholds, limit_s, options, transcriber) -> Take:
    from rehearse.speech import capture
    from rehearse.speech.live import LiveSession

    started = datetime.now().astimezone()
    folder = _take_folder(sessions, question, started)
    listener = LiveSession(rate, transcriber=transcriber)
    recorder = capture.Recorder(folder / "take.wav", device=mic, samplerate_hz=rate, on_block=listener.feed)
    try:
        recorder.start()
    except BaseException:
        listener.finish()
        _remove_empty(folder)
        raise
    meta = {"question": question.id if question is not None else None,
            "recorded_at": started.isoformat(timespec="seconds"), "device": mic.name, "samplerate": rate,
            "duration_s": 0.0, "ended_by": "interrupt"}
    _write_json(folder / "meta.json", meta)
    console.print("[bold red]\u25cf recording[/] (Enter ends the take; Ctrl-C ends it and keeps it)")
    ended_by = _record_loop(console, keys, recorder, listener, thresholds=thresholds, limit_s=limit_s, options=options)
    ended_at = time.perf_counter()
    recording = recorder.stop()
    console.print(f"take ended ({_ENDED[ended_by]}) after {recording.duration_s:.1f} s")
    transcript = None
    try:
        transcript = listener.finish()
    except Exception as e:  # noqa: BLE001  (the file is safe; it is transcribed whole instead)
        console.print(f"[yellow]live transcription failed ({e}); transcribing the take now.[/]")
    meta = {**meta, "duration_s": recording.duration_s, "ended_by": ended_by}
    _write_json(folder / "meta.json", meta)
    return Take(folder, meta, ended_by, recording.failure, transcript, ended_at)


_ENDED = {"enter": "Enter", "silence": "silence", "max": "maximum length", "interrupt": "interrupted"}


def _remove_empty(folder: Path) -> None:
    for name in ("take.wav", "meta.json"):
        (folder / name).unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        pass


def _record_loop(console, keys, recorder, listener, *, thresholds, limit_s, options) -> str:
    from rich.live import Live

    levels: deque[tuple[float, float, float]] = deque()
    screen = Live(console=console, refresh_per_second=10, transient=True) if console.is_terminal else nullcontext()
    try:
        with screen:
            while True:
                key = keys.get(options.refresh_s, ("enter",))
                elapsed = recorder.elapsed_s
                levels.append((elapsed, recorder.level_dbfs, recorder.peak))
                while levels and levels[0][0] < elapsed - options.warn_window_s:
                    levels.popleft()
                if key == "enter":
                    return "enter"
                if elapsed >= limit_s:
                    return "max"
                if (options.silence_stop_s and listener.speech_started()
                        and listener.trailing_silence_s() >= options.silence_stop_s):
                    return "silence"
                if recorder.check():
                    return "interrupt"
                if console.is_terminal:
                    screen.update(recording_display(recorder, listener, levels, thresholds, limit_s, options))
    except KeyboardInterrupt:
        return "interrupt"


def _finish_take(console, take: Take, *, transcriber, question, job_text, company, db, record_history: bool):
    """Analyze, save and print one take; None when it holds no usable audio."""
    from rehearse.speech import audio
    from rich.markup import escape

    from rehearse.app.session import emit, run_take
    from rehearse.files import printable

    wav = take.folder / "take.wav"
    try:
        recorded = audio.load(wav)
    except AudioError as e:
        console.print(f"[yellow]Nothing to analyze in this take ({e}). Check the microphone with 'rehearse devices'.[/]")
        return None
    def present(analysis) -> None:
        _write_json(take.folder / "analysis.json", analysis.to_dict())
        emit(analysis, json_output=False)

    result = run_take(recorded, transcriber=transcriber, question=question, job_text=job_text, company=company,
                      transcript=take.transcript, present=present, record=record_history, db=db, source="practice",
                      question_id=take.meta["question"], recorded_at=take.meta["recorded_at"])
    analysis = result.analysis
    if result.history_error is not None:
        console.print(f"[yellow]not recorded in the history: {escape(printable(result.history_error))}[/]")
    sys.stdout.flush()
    console.print(f"saved in {take.folder} [dim](report ready {time.perf_counter() - take.ended_at:.2f} s after the take ended)[/]")
    return analysis



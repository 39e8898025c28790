"""A mock interview: a whole round of questions, asked aloud, with follow-ups and one report.

The interviewer says each question (``speech.voice``); recording starts when it has
been said and runs as in ``practice`` (the same ``practice._take``: crash-safe WAV,
live transcription, Enter, silence or the budget ends it). The moment an answer ends,
its live transcript is checked against its question; when a part is missing the
interviewer asks one follow-up (``content.followup``), while the answer is analyzed in
the background. The follow-up's answer is a take of its own, judged again with its
parent. After the closing turn, one round report (``report.round_report``).

A round is a folder ``<sessions>/<YYYYmmdd-HHMMSS>-round-<id>/`` with one folder per
answer (``take.wav``, ``analysis.json``, ``meta.json`` as ``practice`` writes them, and
``with_parent.json`` for a follow-up), ``round.json`` (rewritten after every answer,
so a killed round still lists what was answered) and ``round.html``.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rehearse.errors import AudioError, CaptureError, RehearseError


@dataclass(frozen=True, slots=True)
class Asked:
    """What the interviewer asks next: a round's question, or a follow-up to the last answer."""

    question: object
    say: str
    budget_s: float
    kind: str  # "question", "follow-up" or "closing"
    followup: object = None  # content.followup.FollowUpChoice, for a follow-up


def run(
    round_id: str = "standard",
    *,
    packs: list[Path] | None = None,
    device: str | None = None,
    samplerate_hz: int | None = None,
    out_dir: Path | None = None,
    keys: str | None = None,
    silence_stop_s: float | None = None,
    max_s: float | None = None,
    model: str = "tiny.en",
    live: bool = True,
    voice: bool = True,
    job: Path | None = None,
    company: str | None = None,
    db: Path | None = None,
    record_history: bool = True,
    html: Path | None = None,
):
    """Run ``rehearse interview``: every question of the round, then the round report.

    Returns:
        The ``RoundReport`` (None when no answer was recorded).

    Raises:
        CaptureError: the microphone cannot be used, or it went away (the round so far
            is saved and reported first).
        PackError: unknown round id.
    """
    from rich.console import Console

    from rehearse import packs as packs_module
    from rehearse.app.keys import ScriptKeys, StreamKeys
    from rehearse.app.practice import PracticeOptions, default_sessions_dir
    from rehearse.app.session import _read_text
    from rehearse.speech import capture
    from rehearse.speech.transcribe import Transcriber, TranscriptionOptions
    from rehearse.speech.voice import Interviewer

    console = Console(stderr=True, highlight=False)
    catalog = packs_module.load_packs(extra_dirs=packs or [])
    plan = catalog.get_round(round_id)
    options = plan.options
    if silence_stop_s is not None:
        options = dataclasses.replace(options, silence_stop_s=silence_stop_s)
    interviewer = Interviewer(enabled=voice, warn=lambda message: console.print(f"[yellow]{message}[/]"))
    # What the interviewer may say, synthesized ahead in the order it may be needed.
    interviewer.prepare(*(q.say for q in plan.questions[:1]), *(f.ask for f in catalog.followups),
                        *(q.say for q in plan.questions[1:]))
    key_source = ScriptKeys(keys) if keys is not None else StreamKeys()
    try:
        mic = capture.find_device(device)
        rate = capture.choose_samplerate(mic, samplerate_hz, capture.CaptureOptions())
        if samplerate_hz and rate != samplerate_hz:
            console.print(f"[yellow]{mic.name} does not record at {samplerate_hz} Hz; using {rate} Hz.[/]")
        with console.status("loading the speech model\u2026"):
            transcriber = Transcriber(TranscriptionOptions(model=model))
            _warm_up(plan, catalog)
        started = datetime.now().astimezone()
        sessions = Path(out_dir) if out_dir is not None else default_sessions_dir()
        folder = _round_folder(sessions, plan.id, started)
        state = _Round(plan=plan, folder=folder, started=started, options=options, console=console,
                       catalog=catalog, transcriber=transcriber,
                       job_text=_read_text(job, "job description") if job else None, company=company,
                       db=db, record_history=record_history)
        take_options = PracticeOptions(countdown_s=0.0, silence_stop_s=options.silence_stop_s)
        console.print(f"[bold]Mock interview: {plan.title}[/] \u00b7 {len(plan.questions)} questions \u00b7 "
                      f"budget {plan.budget_s / 60:.0f} min \u00b7 saved in {folder}")
        failure = None
        pending: list = []  # answers being saved in the background; their errors surface here
        queue = [Asked(q.question, q.say, q.budget_s, "closing" if q.closing else "question") for q in plan.questions]
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rehearse-interview") as background:
            while queue and failure is None:
                asked = queue.pop(0)
                take = _ask(console, interviewer, key_source, asked, mic=mic, rate=rate, folder=folder,
                            transcriber=transcriber if live else None, take_options=take_options,
                            options=options, max_s=max_s, state=state)
                if take is None:
                    break
                followup = None
                if asked.kind == "question" and take.ended_by != "interrupt" and not take.failure:
                    if take.transcript is None:  # --no-live: the follow-up waits for the transcription
                        take = state.transcribed(take)
                    followup = state.choose_followup(asked, take)
                    if followup is not None:
                        state.followup_decision_s.append(round(time.perf_counter() - take.ended_at, 3))
                # While the follow-up is asked, the answer is analyzed and saved.
                pending.append(background.submit(state.save, asked, take, followup))
                if followup is not None:
                    queue.insert(0, Asked(asked.question, followup.ask, options.followup_budget_s, "follow-up",
                                          followup))
                    state.followup_ended_at = take.ended_at
                failure = take.failure
                stop = take.ended_by == "interrupt" or key_source.get(0.0, ("q",)) == "q"
                if followup is None or stop or failure:
                    while pending:
                        pending.pop(0).result()
                if stop:
                    break
        report = state.finish(complete=not queue and failure is None, html=html)
    finally:
        key_source.close()
        interviewer.close()
    if failure:
        raise CaptureError(f"{failure}; the round so far is saved in {folder}")
    return report


def _warm_up(plan, catalog) -> None:
    """Run the content checks once on a few words: the first check of a process builds
    caches (stems, cue tables) for 0.2-0.3 s, which would otherwise delay the first follow-up."""
    from rehearse import content
    from rehearse.content import words_from_text

    content.check(words_from_text("I led the team and we cut the time by half."), question=plan.questions[0].question,
                  catalog=catalog)


def _round_folder(sessions: Path, round_id: str, started: datetime) -> Path:
    name = f"{started.strftime('%Y%m%d-%H%M%S')}-round-{round_id}"
    folder, n = sessions / name, 2
    while folder.exists():
        folder, n = sessions / f"{name}-{n}", n + 1
    folder.mkdir(parents=True)
    return folder.resolve()


def _ask(console, interviewer, keys, asked: Asked, *, mic, rate, folder, transcriber, take_options, options, max_s,
         state):
    """Say the question, then record the answer (None when interrupted before recording)."""
    from rich.panel import Panel

    from rehearse.app import practice

    limit_s = max_s if max_s is not None else asked.budget_s + options.over_budget_s
    title = {"question": "Interviewer", "follow-up": "Interviewer (follow-up)", "closing": "Interviewer (closing)"}
    console.print(Panel(asked.say, title=title[asked.kind], title_align="left",
                        subtitle=f"budget {asked.budget_s:.0f} s \u00b7 stops at {limit_s:.0f} s"))
    try:
        spoken_at = interviewer.say(asked.say)
        if spoken_at is None and not interviewer.enabled:
            time.sleep(options.read_s)
    except KeyboardInterrupt:
        return None
    if asked.kind == "follow-up" and state.followup_ended_at is not None:
        began = spoken_at if spoken_at is not None else time.perf_counter()
        state.followup_latency_s.append(round(began - state.followup_ended_at, 3))
        console.print(f"[dim](follow-up asked {began - state.followup_ended_at:.2f} s after the answer ended)[/]")
    return practice._take(console, keys, mic=mic, rate=rate, sessions=folder, question=asked.question,
                          thresholds=_thresholds(asked, options), limit_s=limit_s, options=take_options,
                          transcriber=transcriber)


def _thresholds(asked: Asked, options):
    """The question's thresholds; a follow-up's answer is judged against its own budget."""
    thresholds = asked.question.thresholds
    if asked.kind != "follow-up":
        return thresholds
    target = dataclasses.replace(thresholds.target, min_duration_s=options.followup_min_s,
                                 max_duration_s=asked.budget_s)
    return dataclasses.replace(thresholds, target=target)


class _Round:
    """The round so far: the answers saved, and what the report is built from."""

    def __init__(self, *, plan, folder: Path, started: datetime, options, console, catalog, transcriber, job_text,
                 company, db, record_history: bool) -> None:
        self.plan, self.folder, self.started, self.options = plan, folder, started, options
        self.console, self.catalog, self.transcriber = console, catalog, transcriber
        self.job_text, self.company, self.db, self.record_history = job_text, company, db, record_history
        self.clock = time.perf_counter()
        self.answers: list = []  # report.round_report.AnswerInput
        self.analyses: list = []  # analysis.Analysis, beside ``answers``
        self.take_ids: list[int] = []
        self.followup_latency_s: list[float] = []  # end of the answer to the follow-up's first word
        self.followup_decision_s: list[float] = []  # end of the answer to the follow-up chosen
        self.followup_ended_at: float | None = None
        self.last_ended_at: float | None = None

    def transcribed(self, take):
        """The take with its transcript, made now (no live transcript)."""
        from rehearse.speech import audio

        try:
            transcript = self.transcriber.transcribe(audio.load(take.folder / "take.wav"))
        except AudioError:
            return take  # saving it says why
        return dataclasses.replace(take, transcript=transcript)

    def choose_followup(self, asked: Asked, take):
        """The follow-up the answer calls for, from its live transcript (None without one)."""
        from rehearse import content
        from rehearse.content import followup

        if take.transcript is None or not self.catalog.followups:
            return None
        words = take.transcript.words
        report = content.check(words, question=asked.question, job_text=self.job_text, company=self.company,
                               catalog=self.catalog)
        return followup.choose(report, self.catalog.followups, words, catalog=self.catalog,
                               min_words=self.options.min_followup_words)

    def save(self, asked: Asked, take, chosen) -> None:
        """Analyze one answer and save it (analysis.json, meta.json, the history, round.json)."""
        from rehearse.analysis import analyze
        from rehearse.app import practice
        from rehearse.report.round_report import AnswerInput
        from rehearse.speech import audio

        self.last_ended_at = take.ended_at
        try:
            recorded = audio.load(take.folder / "take.wav")
        except AudioError as e:
            self.console.print(f"[yellow]Nothing to analyze in this answer ({e}). "
                               "Check the microphone with 'rehearse devices'.[/]")
            return
        question = asked.question
        if asked.kind == "follow-up":
            # A follow-up alone is no answer to any question (it is judged with its parent
            # below): generic checks only, no question inferred from a few words.
            analysis = analyze(recorded, transcriber=self.transcriber, transcript=take.transcript,
                               thresholds=_thresholds(asked, self.options),
                               catalog=dataclasses.replace(self.catalog, questions=()))
        else:
            analysis = analyze(recorded, transcriber=self.transcriber, question=question, job_text=self.job_text,
                               company=self.company, transcript=take.transcript)
        data = analysis.to_dict()
        practice._write_json(take.folder / "analysis.json", data)
        joined = None
        if asked.kind == "follow-up" and self.analyses:
            from rehearse.content.followup import judge_together

            parent = self.analyses[-1]
            together = judge_together(parent.transcript.words, analysis.transcript.words, parent.audio.duration,
                                      question=question, job_text=self.job_text, company=self.company,
                                      catalog=self.catalog)
            joined = dataclasses.asdict(together)
            practice._write_json(take.folder / "with_parent.json", joined)
        position = len(self.answers) + 1
        followup_id = (asked.followup.id if asked.followup is not None else None) if asked.kind == "follow-up" else (
            chosen.id if chosen is not None else None)
        meta = {**take.meta, "round": {"id": self.plan.id, "folder": str(self.folder), "position": position,
                                       "kind": asked.kind, "asked": asked.say, "budget_s": asked.budget_s,
                                       "followup": followup_id}}
        practice._write_json(take.folder / "meta.json", meta)
        self.answers.append(AnswerInput(
            analysis=data, kind=asked.kind, asked=asked.say, question_id=question.id, budget_s=asked.budget_s,
            folder=str(take.folder), ended_by=take.ended_by, followup_id=followup_id,
            followup_part=asked.followup.part if asked.followup is not None else (chosen.part if chosen else None),
            joined=joined))
        self.analyses.append(analysis)
        if self.record_history:
            history_question = f"followup/{followup_id}" if asked.kind == "follow-up" else question.id
            take_id = self._record(analysis, history_question, take.meta["recorded_at"])
            if take_id is not None:
                self.take_ids.append(take_id)
        self._write_report(complete=False)
        self.console.print(f"[dim]answer {position} saved in {take.folder.name}[/]")

    def _record(self, analysis, question_id: str, recorded_at: str) -> int | None:
        from rehearse.app import history
        try:
            return history.record(analysis, db_path=self.db, question_id=question_id, recorded_at=recorded_at,
                                  source="interview")
        except RehearseError as e:
            self.console.print(f"[yellow]not recorded in the history: {e}[/]")
            return None

    def report(self, *, complete: bool, timings: dict | None = None):
        from rehearse.report.round_report import build

        return build(self.answers, round_id=self.plan.id, title=self.plan.title,
                     started_at=self.started.isoformat(timespec="seconds"), folder=str(self.folder),
                     complete=complete, total_s=time.perf_counter() - self.clock, budget_s=self.plan.budget_s,
                     options=self.options, timings=timings)

    def _write_report(self, *, complete: bool, timings: dict | None = None):
        from rehearse.app import practice

        report = self.report(complete=complete, timings=timings)
        practice._write_json(self.folder / "round.json", report.to_dict())
        return report

    def finish(self, *, complete: bool, html: Path | None):
        """Write, print and record the round report; None when nothing was answered."""
        from rich.console import Console

        from rehearse.report.round_view import render, write_html

        if not self.answers:
            self.console.print("[yellow]No answer recorded; nothing to report.[/]")
            return None
        ready = (lambda: round(time.perf_counter() - self.last_ended_at, 3)) if self.last_ended_at else (lambda: None)
        timings = {"followup_latency_s": self.followup_latency_s, "followup_decision_s": self.followup_decision_s}
        report = self._write_report(complete=complete, timings=timings)
        screen = Console(highlight=False, width=None if sys.stdout.isatty() else 110)
        for part in render(report):
            screen.print(part)
        sys.stdout.flush()
        timings["report_ready_s"] = ready()
        write_html(report, self.folder / "round.html")
        if html is not None:
            html.parent.mkdir(parents=True, exist_ok=True)
            write_html(report, html)
        timings["html_ready_s"] = ready()
        report = self._write_report(complete=complete, timings=timings)
        if self.record_history:
            from rehearse.app import history
            try:
                with history.History.open(self.db) as stored:
                    stored.save_round(report.to_dict(), self.take_ids)
            except RehearseError as e:
                self.console.print(f"[yellow]round not recorded in the history: {e}[/]")
        self.console.print(f"round report: {self.folder / 'round.json'}, {self.folder / 'round.html'} "
                           f"[dim](report ready {timings['report_ready_s']} s after the last answer ended, "
                           f"HTML {timings['html_ready_s']} s)[/]")
        return report

"""Batch review: analyze every take below some folders, in parallel, resuming where it stopped.

Each take's result is stored in the history under a key made of the audio's SHA-256
and every setting that shapes the analysis (``history.analysis_key``) as soon as it
finishes, so a second run over the same folder analyzes only new or changed files and
an interrupted review picks up where it stopped. Worker processes each load the model
once; workers times threads stays within the machine's cores.
"""

from __future__ import annotations

import glob
import json
import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Sequence

from rehearse import __version__
from rehearse.errors import RehearseError
from rehearse.app.history import History, analysis_key, file_hash, parse_time
from rehearse.app.take_metrics import Metrics, metrics_of
from rehearse.speech.models import DEFAULT_MODEL

AUDIO_EXTENSIONS = (".wav", ".mp3", ".m4a", ".flac", ".ogg", ".oga", ".opus", ".webm", ".aac", ".mp4")
META_FILE = "meta.json"
# Peak resident memory of one worker (tiny.en, a 109 s take then a 89 s one): 0.6 GB
# measured here, plus headroom.
WORKER_MEMORY_BYTES = 800 * 2**20


@dataclass(frozen=True, slots=True)
class ReviewedTake:
    """One take of the batch, analyzed now or found in the history.

    Attributes:
        path: the audio file.
        take_id: its row in the history.
        content_hash: SHA-256 of the file.
        question: question id (given, from the practice metadata, or inferred), or None.
        recorded_at: ISO 8601 (practice metadata, else the file's modification time).
        cached: True when the result came from the history instead of a new analysis.
        metrics: the numbers of the take.
    """

    path: str
    take_id: int
    content_hash: str
    question: str | None
    recorded_at: str
    cached: bool
    metrics: Metrics


@dataclass(frozen=True, slots=True)
class FailedTake:
    """A file that could not be analyzed, with the one-line reason."""

    path: str
    error: str


@dataclass(frozen=True, slots=True)
class ReviewResult:
    """What a batch review produced.

    Attributes:
        takes: analyzed takes, oldest recording first.
        failed: files that could not be analyzed.
        analyzed: takes analyzed in this run.
        cached: takes whose result came from the history.
        workers: worker processes used (1 means in this process).
        wall_s: seconds the review took.
        db_path: the history database holding every result.
    """

    takes: tuple[ReviewedTake, ...]
    failed: tuple[FailedTake, ...]
    analyzed: int
    cached: int
    workers: int
    wall_s: float
    db_path: str


@dataclass(frozen=True, slots=True)
class _Job:
    path: str
    content_hash: str
    key: str
    question_id: str | None
    recorded_at: str


def find_audio(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[FailedTake]]:
    """The audio files named by folders (searched recursively), files and glob patterns.

    Returns:
        The files in a stable order without repeats, and the arguments that matched nothing.
    """
    found: dict[Path, None] = {}
    missing: list[FailedTake] = []
    for arg in paths:
        text = str(arg)
        path = Path(text).expanduser()
        if path.is_dir():
            matches = _audio_below(path)
        elif path.is_file():
            matches = [path]
        elif glob.has_magic(text):
            hits = [Path(p) for p in sorted(glob.glob(os.path.expanduser(text), recursive=True))]
            matches = [m for hit in hits for m in (_audio_below(hit) if hit.is_dir() else [hit])]
            if not matches:
                missing.append(FailedTake(text, "the pattern matches no file"))
        else:
            missing.append(FailedTake(text, "no such file or folder"))
            continue
        for match in matches:
            found.setdefault(match.resolve(), None)
    return list(found), missing


def _audio_below(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in AUDIO_EXTENSIONS and p.is_file())


def default_workers(jobs: int, *, cores: int | None = None, memory_bytes: int | None = None) -> int:
    """Worker processes for ``jobs`` takes: one per core, fewer if memory is short.

    On 2 cores two single-threaded workers analyzed 1.32x the audio per minute of one
    two-threaded process (34 against 26 audio-minutes per wall-minute on 11 minutes of
    audio, ``benchmarks/review_throughput.py``, with other processes taking about 30% of
    the CPU meanwhile): decoding, VAD and the delivery measures are single-threaded, so a
    second process keeps both cores busy.
    """
    cores = cores or _cores()
    memory = memory_bytes if memory_bytes is not None else _available_memory()
    by_memory = max(1, memory // WORKER_MEMORY_BYTES) if memory else cores
    return max(1, min(jobs, cores, by_memory))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def read_meta(audio_path: Path) -> dict[str, Any]:
    """The ``meta.json`` that ``rehearse practice`` writes beside a take, or {}."""
    meta = audio_path.parent / META_FILE
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def review(
    paths: Sequence[str | os.PathLike],
    *,
    question_id: str | None = None,
    packs: Sequence[Path] | None = None,
    model: str = DEFAULT_MODEL,
    workers: int | None = None,
    db_path: str | os.PathLike | None = None,
    force: bool = False,
    progress: bool = True,
) -> ReviewResult:
    """Analyze every take the paths name, reusing results already in the history.

    Args:
        paths: folders (searched recursively), audio files or glob patterns.
        question_id: the question every take answers; else each take's practice
            metadata, else inferred from its words.
        packs: extra question-pack folders.
        model: Whisper model for new analyses.
        workers: worker processes; default ``default_workers``.
        db_path: the history database (default ``$REHEARSE_DB`` or the user data folder).
        force: analyze again even when the history has the result.
        progress: show a progress bar on stderr (when it is a terminal).

    Raises:
        RehearseError: no audio found, an unknown question, an unusable model or history.
    """
    from rehearse.speech.transcribe import TranscriptionOptions

    started = time.perf_counter()
    files, failed = find_audio(paths)
    if not files:
        where = ", ".join(str(p) for p in paths)
        raise RehearseError(f"no audio files ({' '.join(AUDIO_EXTENSIONS)}) found in {where}")
    if question_id is not None:
        from rehearse.app.session import load_question

        load_question(question_id, list(packs or []))  # an unknown id fails once, not per file
    options = TranscriptionOptions(model=model)
    takes: list[ReviewedTake] = []
    with History.open(db_path) as history, _Progress(len(files), enabled=progress) as bar:
        jobs: list[_Job] = []
        for file in files:
            try:
                job = _job(file, options, question_id)
            except OSError as e:
                failed.append(FailedTake(str(file), f"cannot read the file: {e.strerror or e}"))
                bar.advance(file, 0.0)
                continue
            stored = None if force else history.lookup(job.key)
            if stored is None:
                jobs.append(job)
                continue
            takes.append(ReviewedTake(job.path, stored.id, job.content_hash, stored.question, stored.recorded_at,
                                      True, stored.metrics))
            bar.advance(file, 0.0)
        cached = len(takes)
        count = workers or default_workers(len(jobs))
        if count < 1:
            raise RehearseError(f"--workers must be 1 or more, got {count}")
        if jobs:
            from rehearse.speech.models import resolve

            resolve(model)  # a missing model fails once here instead of in every worker
        # A copy of a take (same bytes, same question) is analyzed once, in this run too.
        unique: dict[str, _Job] = {}
        copies: list[_Job] = []
        for job in jobs:
            (copies.append(job) if job.key in unique else unique.setdefault(job.key, job))
        # Results are stored in time order, whichever worker finishes first, so the history's
        # take numbers run in the order the table lists the takes.
        order = sorted(unique.values(), key=lambda j: (parse_time(j.recorded_at), j.path))
        used = max(1, min(count, len(order)))
        finished: dict[int, tuple[_Job, Any]] = {}
        outcomes: dict[str, tuple[Any, ...]] = {}

        def store_in_order() -> None:
            while len(outcomes) in finished:
                job, (status, payload, question) = finished.pop(len(outcomes))
                if status == "error":
                    error = payload.removeprefix(f"{job.path}: ")
                    failed.append(FailedTake(job.path, error))
                    outcomes[job.key] = ("error", error)
                    continue
                take_id = history.save(payload, content_hash=job.content_hash, key=job.key, question_id=question,
                                       recorded_at=job.recorded_at, source="review")
                metrics = metrics_of(payload)
                takes.append(ReviewedTake(job.path, take_id, job.content_hash, question, job.recorded_at, False, metrics))
                outcomes[job.key] = ("ok", take_id, question, metrics)

        position = {job.key: index for index, job in enumerate(order)}
        try:
            for job, outcome in _run(order, options, packs, used):
                finished[position[job.key]] = (job, outcome)
                store_in_order()
                status, payload, _ = outcome
                bar.advance(Path(job.path), (payload.get("audio") or {}).get("duration", 0.0) if status == "ok" else 0.0)
        finally:  # interrupted: keep what finished, in order, even past a gap
            for index in sorted(finished):
                finished[len(outcomes)] = finished.pop(index)
                store_in_order()
        for copy in copies:
            outcome = outcomes.get(copy.key)
            if outcome is None:
                continue
            if outcome[0] == "error":
                failed.append(FailedTake(copy.path, outcome[1]))
            else:
                takes.append(ReviewedTake(copy.path, outcome[1], copy.content_hash, outcome[2], copy.recorded_at, True,
                                          outcome[3]))
            bar.advance(Path(copy.path), 0.0)
        db = str(history.path)
    takes.sort(key=lambda t: (parse_time(t.recorded_at), t.path))
    cached = sum(t.cached for t in takes)
    return ReviewResult(tuple(takes), tuple(failed), len(takes) - cached, cached, used,
                        round(time.perf_counter() - started, 3), db)


def _job(file: Path, options, question_id: str | None) -> _Job:
    content_hash = file_hash(file)
    meta = read_meta(file)
    question = question_id or (meta.get("question") if isinstance(meta.get("question"), str) else None)
    recorded_at = meta.get("recorded_at") if isinstance(meta.get("recorded_at"), str) else None
    try:
        parse_time(recorded_at or "")
    except ValueError:  # missing or not ISO 8601: the file's own time instead
        recorded_at = None
    if recorded_at is None:
        recorded_at = datetime.fromtimestamp(file.stat().st_mtime).astimezone().isoformat(timespec="seconds")
    key = analysis_key(content_hash, transcription=options, question_id=question, version=__version__)
    return _Job(str(file), content_hash, key, question, recorded_at)


def _run(jobs: list[_Job], options, packs, workers: int):
    """Yield (job, outcome) as each take finishes; outcome is ("ok", data, question) or ("error", message, None)."""
    if not jobs:
        return
    cores = _cores()
    if workers == 1:
        _init_worker(replace(options, cpu_threads=max(1, cores)), list(packs or []), limit_threads=False)
        for job in jobs:
            yield job, _analyze_job(job)
        return
    import multiprocessing

    threaded = replace(options, cpu_threads=max(1, cores // workers))
    # spawn: a forked child would inherit the parent's OpenMP and CTranslate2 state (the
    # test session holds a loaded model), which can deadlock.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker,
                               initargs=(threaded, list(packs or []), True))
    try:
        pending: dict[Future, _Job] = {pool.submit(_analyze_job, job): job for job in jobs}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                job = pending.pop(future)
                try:
                    outcome = future.result()
                except Exception as e:  # a worker died (out of memory, a crash in native code)
                    outcome = ("error", f"the worker analyzing it stopped: {e.__class__.__name__}: {e}", None)
                yield job, outcome
    finally:
        # On Ctrl-C or an error: what finished is already stored; drop the queue.
        pool.shutdown(wait=True, cancel_futures=True)


_WORKER: dict[str, Any] = {}


def _parent_pid() -> int | None:
    import multiprocessing

    parent = multiprocessing.parent_process()
    return parent.pid if parent is not None else None


def _init_worker(options, packs: list[Path], limit_threads: bool) -> None:
    """Prepare a worker: the model is loaded once, on the first file that decodes."""
    if limit_threads:  # a worker process, not the in-process run
        _end_with_parent()
    if limit_threads:
        # Before numpy loads in this fresh process: keep BLAS/OpenMP within the worker's share.
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(options.cpu_threads)
    _WORKER["options"] = options
    _WORKER["transcriber"] = None
    from rehearse import packs as packs_module
    try:
        _WORKER["catalog"] = packs_module.load_packs(extra_dirs=packs)
    except RehearseError:  # a broken pack file stops inference, not the review (--question reports it)
        _WORKER["catalog"] = None


def _end_with_parent() -> None:
    """Have the kernel end this worker when the review that started it dies.

    A review killed with SIGKILL or SIGTERM runs no cleanup, and its workers (each
    holding a model, about 350 MB) would otherwise finish their queue for minutes.
    Linux only (``PR_SET_PDEATHSIG``); elsewhere a worker stops at its next file.
    """
    import multiprocessing
    import signal

    parent = multiprocessing.parent_process()
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        try:
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    # The parent may have died before prctl took effect: then this process was re-parented.
    if parent is not None and os.getppid() != parent.pid:
        os._exit(1)


def _analyze_job(job: _Job) -> tuple[str, Any, str | None]:
    parent = _parent_pid()
    if parent is not None and os.getppid() != parent:  # the review is gone (no prctl here)
        os._exit(1)
    try:
        return ("ok", *_analyze(job))
    except RehearseError as e:
        return ("error", str(e), None)
    except Exception as e:  # one broken file must not stop the batch; the row names the failure
        return ("error", f"{e.__class__.__name__}: {e}", None)


def _analyze(job: _Job) -> tuple[dict[str, Any], str | None]:
    from rehearse.speech import audio as audio_module
    from rehearse.errors import PackError

    catalog = _WORKER["catalog"]
    question = None
    if job.question_id is not None and catalog is not None:
        try:
            question = catalog.get(job.question_id)
        except PackError:  # a practice take for a question since removed: keep its id, judge generically
            question = None
    take = audio_module.load(job.path)
    from rehearse.app.session import run_take

    if _WORKER["transcriber"] is None:  # not before: a batch of broken files needs no model
        from rehearse.speech.transcribe import Transcriber

        _WORKER["transcriber"] = Transcriber(_WORKER["options"])
    transcriber = _WORKER["transcriber"]
    # Without a question, analyze() infers it from the answer (with this review's packs).
    # The parent records it (keyed for the cache) once the worker hands the result back.
    analysis = run_take(take, transcriber=transcriber, question=question, catalog=catalog).analysis
    question_id = job.question_id
    if question_id is None and analysis.question is not None:
        question_id = analysis.question["id"]
    return analysis.to_dict(), question_id


class _Progress:
    """A rich progress bar on stderr, counting takes and audio minutes; silent when not a terminal."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self._total = total
        self._enabled = enabled and sys.stderr.isatty()
        self._bar: Any = None
        self._audio_s = 0.0

    def __enter__(self) -> _Progress:
        if self._enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(TextColumn("reviewing"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[audio]}"),
                                 TimeElapsedColumn(), TimeRemainingColumn(), TextColumn("{task.description}"),
                                 console=Console(file=sys.stderr), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("", total=self._total, audio="")
        return self

    def advance(self, path: Path, audio_s: float) -> None:
        self._audio_s += audio_s or 0.0
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=path.name,
                             audio=f"{self._audio_s / 60:.1f} min of audio analyzed")

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

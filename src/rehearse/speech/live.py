"""Listening while the user speaks: voice activity, and transcription in the background.

``LiveSession.feed`` takes each recorded block (from the capture writer thread),
resamples it to 16 kHz and runs Silero VAD on it, so the practice loop knows at once
whether speech has started and how long the current silence is.

With a transcriber, a worker thread transcribes the take while it is recorded, in the
same windows the offline transcription of the finished take would use, so that the
live words match the offline ones and only the last window remains at the end:

- *Final windows.* Offline, ``Transcriber.transcribe_samples`` lets faster-whisper
  find the speech (Silero VAD) and pack it greedily into windows of at most 30 s of
  speech, each decoded on its own. A window is complete once the next stretch of
  speech did not fit into it; from then on no later audio changes it. The worker
  watches for that (``get_speech_timestamps`` over the audio not yet final, packed
  the same way), transcribes the complete window alone, and its words are final.
  The next window starts at a window boundary, in silence, so no word is cut, lost
  or doubled there, and the packing from that point on is the offline packing.
- *Provisional decodes* keep the display current: every ``step_s`` of new speech,
  and as soon as the speaker pauses, all audio after the final windows is decoded
  for the display. When the take ends in silence after such a decode, those words
  are what the offline run would give for the rest of the take, so they are used
  as they are and nothing is left to transcribe.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from rehearse.speech import pinned
from rehearse.speech.audio import SAMPLE_RATE
from rehearse.speech.transcribe import Transcriber, Transcript, Word

VAD_WINDOW = 512  # samples: Silero's window at 16 kHz (32 ms)
VAD_WINDOW_S = VAD_WINDOW / SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class LiveOptions:
    """How the take is transcribed while it is recorded.

    Attributes:
        vad_threshold: Silero speech probability above which a 32 ms window is speech.
        step_s: new speech after which the display is refreshed by a provisional decode.
        pause_refresh_s: a pause this long refreshes the display at once; a take that
            ends in such a pause has nothing left to transcribe.
        settle_s: a window is complete once the speech after it began this long ago
            (the VAD's padding and the window packing no longer change).
        reuse_margin_s: a provisional decode is used as final only if no speech (VAD
            probability above its lower threshold) comes this close to its end
            (faster-whisper pads speech by 0.4 s).
        silence_lead_s: when nothing is pending, the transcription moves along the
            silence up to this long before the audio heard so far, leaving room for the
            VAD's padding before the next speech.
    """

    vad_threshold: float = 0.5
    step_s: float = 2.0
    pause_refresh_s: float = 0.6
    settle_s: float = 1.0
    reuse_margin_s: float = 0.5
    silence_lead_s: float = 1.0


@dataclass(frozen=True, slots=True)
class LiveView:
    """What the display shows while the user speaks.

    Attributes:
        words: final and provisional words so far.
        heard_until_s: audio time up to which the words are known.
        wpm: words per minute from the first word to the last.
        lag_s: how far the words trail the speaker, seconds.
    """

    words: tuple[Word, ...]
    heard_until_s: float
    wpm: float
    lag_s: float

    def last_words(self, n: int = 10) -> str:
        return " ".join(w.text for w in self.words[-n:])


class _Growing:
    """A float32 array that grows at the end; readers get a consistent prefix."""

    def __init__(self, capacity: int) -> None:
        self._data = np.zeros(capacity, np.float32)
        self.size = 0

    def append(self, y: np.ndarray) -> None:
        needed = self.size + y.size
        if needed > self._data.size:
            grown = np.zeros(max(needed, 2 * self._data.size), np.float32)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : needed] = y
        self.size = needed

    def view(self, start: int = 0, end: int | None = None) -> np.ndarray:
        end = self.size if end is None else min(end, self.size)
        return self._data[start:end]


class LiveSession:
    """VAD, and optionally transcription, of a take while it is recorded.

    Args:
        samplerate_hz: rate of the blocks given to ``feed``.
        transcriber: a loaded Transcriber to transcribe in the background, or None
            for VAD only.
        options: refresh settings.
    """

    def __init__(self, samplerate_hz: int, *, transcriber: Transcriber | None = None,
                 options: LiveOptions | None = None) -> None:
        self.options = options or LiveOptions()
        self.samplerate_hz = int(samplerate_hz)
        self.transcriber = transcriber
        self._resampler = None
        if self.samplerate_hz != SAMPLE_RATE:
            import soxr

            self._resampler = soxr.ResampleStream(self.samplerate_hz, SAMPLE_RATE, 1, dtype="float32")
        self._audio = _Growing(SAMPLE_RATE * 120)
        self._probs = _Growing(int(120 / VAD_WINDOW_S))
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._idle = threading.Event()
        self._stopping = False
        self._final: list[Word] = []
        self._retried: list[tuple[float, float, str]] = []
        self._unheard: list = []  # speech no decode turned into words, final windows only
        self._last_unheard: list = []
        self._provisional_unheard: list = []
        self.committed_s = 0.0  # audio before this is transcribed for good; a multiple of VAD_WINDOW
        self._provisional: list[Word] = []
        self._provisional_span = (0.0, 0.0)  # (start, end) of the audio they came from
        self.decoded_until_s = 0.0  # the display knows the words up to here
        self._settle_checked_s = 0.0
        self.decodes: list[tuple[str, float, float, float]] = []  # (kind, start_s, end_s, seconds taken)
        self.error: BaseException | None = None
        self._worker: threading.Thread | None = None
        pinned.silero_model()  # load now, not on the first block
        if transcriber is not None:
            self._worker = threading.Thread(target=self._work, name="rehearse-live", daemon=True)
            self._worker.start()

    # ---- audio and voice activity (fed from the capture writer thread) ----

    @property
    def heard_s(self) -> float:
        """Seconds of audio received."""
        return self._audio.size / SAMPLE_RATE

    def feed(self, block: np.ndarray) -> None:
        """Add one recorded block (mono float32 at ``samplerate_hz``)."""
        y = np.asarray(block, np.float32)
        if self._resampler is not None:
            y = self._resampler.resample_chunk(y)
        if y.size:
            self._add(y)

    def _add(self, y: np.ndarray) -> None:
        with self._lock:
            self._audio.append(y)
            done = self._probs.size * VAD_WINDOW
            whole = (self._audio.size - done) // VAD_WINDOW * VAD_WINDOW
            # One window before the new ones gives Silero its 64-sample context; its
            # own probability is dropped.
            back = VAD_WINDOW if done else 0
            chunk = self._audio.view(done - back, done + whole).copy()
        if whole:
            probs = np.asarray(pinned.silero_model()(chunk)).reshape(-1)[back // VAD_WINDOW :]
            with self._wake:
                self._probs.append(probs.astype(np.float32))
                self._idle.clear()
                self._wake.notify()

    def speech_started(self) -> bool:
        """Whether any speech has been heard."""
        return bool(np.any(self._probs.view() >= self.options.vad_threshold))

    def trailing_silence_s(self) -> float:
        """Seconds since the last speech (the whole take if none yet)."""
        probs = self._probs.view()
        speech = np.flatnonzero(probs >= self.options.vad_threshold)
        last = speech[-1] + 1 if speech.size else 0
        return (probs.size - last) * VAD_WINDOW_S

    def _speech_between(self, start_s: float, end_s: float, threshold: float | None = None) -> bool:
        probs = self._probs.view(int(max(start_s, 0.0) / VAD_WINDOW_S), int(np.ceil(end_s / VAD_WINDOW_S)))
        return bool(np.any(probs >= (self.options.vad_threshold if threshold is None else threshold)))

    # ---- what the display shows ----

    def view(self) -> LiveView:
        """The words so far, for the display."""
        with self._lock:
            words = tuple(self._final + self._provisional)
            heard_until = self.decoded_until_s
        lag = self.lag_s()
        if not words:
            return LiveView((), heard_until, 0.0, lag)
        span_min = max(words[-1].end - words[0].start, 1.0) / 60
        return LiveView(words, heard_until, len(words) / span_min, lag)

    def lag_s(self) -> float:
        """How long ago the speaker began saying what the display does not show yet (0: nothing)."""
        first = int(self.decoded_until_s / VAD_WINDOW_S)
        probs = self._probs.view(first)
        unknown = np.flatnonzero(probs >= self.options.vad_threshold)
        if not unknown.size:
            return 0.0
        return float((probs.size - unknown[0]) * VAD_WINDOW_S)

    # ---- transcription (worker thread) ----

    def _work(self) -> None:
        try:
            while True:
                with self._wake:
                    job = self._next_job()
                    while job is None and not self._stopping:
                        self._idle.set()
                        self._wake.wait(0.25)
                        job = self._next_job()
                    self._idle.clear()
                    if job is None:
                        return
                self._run(*job)
        except BaseException as e:  # noqa: BLE001  (surfaced by finish(); the take is safe on disk)
            self.error = e

    def _next_job(self) -> tuple[str, float, float] | None:
        """What to do next, as (kind, start_s, end_s), or None (called with the lock held)."""
        if self._stopping:
            return None
        options = self.options
        heard = self._probs.size * VAD_WINDOW_S  # only audio whose VAD is known
        start = self.committed_s
        if not self._speech_between(start, heard):
            if heard - start > 2 * options.step_s:
                # Nothing pending: move along the silence, leaving room for the VAD's
                # padding before the next speech.
                self.committed_s = self.decoded_until_s = _floor_window(heard - options.silence_lead_s)
            return None
        undecoded = self._speech_between(self.decoded_until_s, heard)
        if undecoded and heard - self.decoded_until_s >= options.step_s:
            return ("provisional", start, heard)
        if heard - start > pinned.PIPELINE_WINDOW_SPEECH_S and heard - self._settle_checked_s >= options.settle_s:
            self._settle_checked_s = heard
            return ("settle", start, heard)
        if undecoded and self.trailing_silence_s() >= options.pause_refresh_s:
            return ("provisional", start, heard)
        return None

    def _run(self, kind: str, start_s: float, end_s: float) -> None:
        clock = time.perf_counter()
        if kind == "settle":
            windows = self._windows(start_s, end_s)
            if len(windows) < 2 or windows[1][0] > end_s - self.options.settle_s:
                return
            end_s = windows[0][1]
            kind = "final"
        words = self._decode(start_s, end_s)
        with self._lock:
            if kind == "provisional":
                self._provisional = words
                self._provisional_span = (start_s, end_s)
                self._provisional_unheard = self._last_unheard
            else:
                self._final.extend(words)
                self._unheard.extend(self._last_unheard)
                self.committed_s = _floor_window(end_s)
                # Words after the window stay on display until decoded again.
                self._provisional = [w for w in self._provisional if (w.start + w.end) / 2 >= end_s]
                self._provisional_span = (0.0, 0.0)
            self.decoded_until_s = max(self.decoded_until_s, end_s)
            self.decodes.append((kind, round(start_s, 3), round(end_s, 3), round(time.perf_counter() - clock, 3)))

    def _windows(self, start_s: float, end_s: float) -> list[tuple[float, float]]:
        """The windows the offline run would decode in [start, end], as (start_s, end_s)."""
        first = round(start_s * SAMPLE_RATE)
        y = self._audio.view(first, round(end_s * SAMPLE_RATE)).copy()
        return [((first + a) / SAMPLE_RATE, (first + b) / SAMPLE_RATE)
                for a, b in pinned.pipeline_windows(y, sample_rate=SAMPLE_RATE)]

    def _decode(self, start_s: float, end_s: float) -> list[Word]:
        first, last = round(start_s * SAMPLE_RATE), round(end_s * SAMPLE_RATE)
        y = self._audio.view(first, last).copy()
        transcript = self.transcriber.transcribe_samples(y, offset_s=first / SAMPLE_RATE)
        self._retried.extend(transcript.retried_windows)
        self._last_unheard = list(transcript.unheard)
        return list(transcript.words)

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until the worker has done all it can with the audio fed so far."""
        return self._worker is None or self._idle.wait(timeout_s)

    def finish(self) -> Transcript | None:
        """Stop listening and return the whole take's transcript (None without a transcriber).

        Transcribes what is left after the last final window, unless a provisional
        decode already covers it and the take ended in silence after it.
        """
        if self._resampler is not None:
            tail = self._resampler.resample_chunk(np.zeros(0, np.float32), last=True)
            if tail.size:
                self._add(tail)
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._worker is None:
            return None
        self._worker.join()
        if self.error is not None:
            raise self.error
        heard = self.heard_s
        start = self.committed_s
        words = list(self._final)
        if self._speech_between(start, heard):
            span_start, span_end = self._provisional_span
            quiet_after = not self._speech_between(span_end - self.options.reuse_margin_s, heard,
                                                   threshold=pinned.silero_off_threshold(self.options.vad_threshold))
            if span_start == start and span_end > start and quiet_after:
                # The take ended in silence after the last provisional decode, which
                # saw all of the rest of the take: its words are the offline ones.
                words.extend(self._provisional)
                self._unheard.extend(self._provisional_unheard)
                self.decodes.append(("reused", round(start, 3), round(span_end, 3), 0.0))
            else:
                clock = time.perf_counter()
                words.extend(self._decode(start, heard))
                self._unheard.extend(self._last_unheard)
                self.decodes.append(("last", round(start, 3), round(heard, 3), round(time.perf_counter() - clock, 3)))
        options = self.transcriber.options
        return Transcript(words=tuple(sorted(words, key=lambda w: (w.start, w.end))),
                          language=options.language or "en", model=options.model,
                          retried_windows=tuple(self._retried), unheard=tuple(self._unheard))

    def audio(self) -> np.ndarray:
        """The take so far at 16 kHz (a copy)."""
        with self._lock:
            return self._audio.view().copy()


def _floor_window(t_s: float) -> float:
    """The VAD window boundary at or before ``t_s``: stretches start on the offline run's
    VAD grid, so Silero sees the same 32 ms windows in both."""
    return max(int(t_s / VAD_WINDOW_S), 0) * VAD_WINDOW_S

"""Delivery: how the answer was spoken (duration, pace, pauses, fillers, pitch, energy)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rehearse.delivery import features
from rehearse.delivery.fillers import DISCOURSE, FILLED, Filler, find_fillers
from rehearse.delivery.pace import Pace, measure_pace, overlap_s
from rehearse.delivery.pauses import Pause, find_pauses
from rehearse.delivery.prosody import Contour, Energy, Pitch, contour, measure_energy, measure_pitch
from rehearse.options import FillerOptions, Thresholds
from rehearse.speech.audio import SAMPLE_RATE
from rehearse.speech.transcribe import Word

__all__ = ["Delivery", "DurationCheck", "FillerSummary", "PauseSummary", "count_fillers", "measure"]


@dataclass(frozen=True, slots=True)
class DurationCheck:
    """The answer's length against its target.

    Attributes:
        total: length of the recording, seconds.
        speaking: first word to last word, seconds.
        target_min: seconds.
        target_max: seconds.
        verdict: "short", "ok" or "over".
    """

    total: float
    speaking: float
    target_min: float
    target_max: float
    verdict: str


@dataclass(frozen=True, slots=True)
class PauseSummary:
    """Pauses, with totals.

    Attributes:
        items: every pause of at least ``min_pause_s``.
        count: number of pauses.
        long_count: pauses of at least ``long_pause_s``.
        total_time: seconds of silent pause between the first and last word.
        per_minute: pauses per minute of speaking time.
        longest: the longest pause in seconds, 0 if none.
    """

    items: tuple[Pause, ...]
    count: int
    long_count: int
    total_time: float
    per_minute: float
    longest: float


@dataclass(frozen=True, slots=True)
class FillerSummary:
    """Fillers, with rates.

    Attributes:
        items: every filler found, counted or not.
        filled_count: counted filled pauses (um, uh, er, ah, hmm).
        discourse_count: counted discourse fillers (like, you know, ...).
        filled_per_min: per minute of speaking time.
        discourse_per_min: per minute of speaking time.
        filled_time: seconds spent in counted filled pauses.
        uncounted: fillers listed but below the confidence to count.
        by_word: counted fillers per normal form, most frequent first.
    """

    items: tuple[Filler, ...]
    filled_count: int
    discourse_count: int
    filled_per_min: float
    discourse_per_min: float
    filled_time: float
    uncounted: int
    by_word: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Delivery:
    """Everything measured about how the answer was spoken."""

    duration: DurationCheck
    pace: Pace
    pauses: PauseSummary
    fillers: FillerSummary
    pitch: Pitch
    energy: Energy
    contour: Contour


def measure(y: np.ndarray, words: tuple[Word, ...], thresholds: Thresholds, *, frames: features.Frames | None = None,
            unheard: tuple = ()) -> Delivery:
    """Measure the delivery of one take.

    Args:
        y: the take, 16 kHz mono float32.
        words: its transcript's words.
        thresholds: what to judge against.
        frames: precomputed frame features, if the caller has them.
        unheard: the transcript's speech left without words (``Transcript.unheard``),
            left out of pace, pauses, fillers and their per-minute rates.
    """
    if frames is None:
        frames = features.compute(y, pauses=thresholds.pauses, prosody=thresholds.prosody)
    total_s = y.size / SAMPLE_RATE
    span = (words[0].start, words[-1].end) if words else (0.0, total_s)
    # No words, no answer: its length is 0 (the report gives no length verdict then),
    # not the length of the file's silence or tones.
    speaking_s = max(span[1] - span[0], 0.0) if words else 0.0
    # Rates are per minute of speech that was heard: unheard speech holds no pauses or fillers we could count.
    minutes = max(speaking_s - (overlap_s(unheard, *span) if words else 0.0), 1.0) / 60

    pauses = find_pauses(frames, words, thresholds.pauses, unheard=unheard)
    pause_time = sum(p.duration for p in pauses)
    pause_summary = PauseSummary(
        items=tuple(pauses),
        count=len(pauses),
        long_count=sum(p.long for p in pauses),
        total_time=round(pause_time, 3),
        per_minute=round(len(pauses) / minutes, 2),
        longest=max((p.duration for p in pauses), default=0.0),
    )

    # The acoustic search for filled pauses would take unintelligible speech for hesitation.
    fillers = [f for f in find_fillers(words, frames, thresholds.fillers)
               if not any(s.start <= (f.start + f.end) / 2 <= s.end for s in unheard)]
    counted = [f for f in fillers if f.counted]
    filled = [f for f in counted if f.kind == FILLED]
    discourse = [f for f in counted if f.kind == DISCOURSE]
    by_word: dict[str, int] = {}
    for f in counted:
        by_word[f.word] = by_word.get(f.word, 0) + 1
    filler_summary = FillerSummary(
        items=tuple(fillers),
        filled_count=len(filled),
        discourse_count=len(discourse),
        filled_per_min=round(len(filled) / minutes, 2),
        discourse_per_min=round(len(discourse) / minutes, 2),
        filled_time=round(sum(f.end - f.start for f in filled), 2),
        uncounted=len(fillers) - len(counted),
        by_word=tuple(sorted(by_word.items(), key=lambda kv: (-kv[1], kv[0]))),
    )

    def text_at(start: float, end: float) -> str:
        return " ".join(w.text for w in words if start <= (w.start + w.end) / 2 < end)

    pitch = measure_pitch(frames, span=span, text_at=text_at, options=thresholds.prosody)
    target = thresholds.target
    answer_s = speaking_s
    verdict = "short" if answer_s < target.min_duration_s else "over" if answer_s > target.max_duration_s else "ok"
    return Delivery(
        duration=DurationCheck(round(total_s, 3), round(speaking_s, 3), target.min_duration_s, target.max_duration_s, verdict),
        pace=measure_pace(words, pause_time_s=pause_time, options=thresholds.pace, unheard=unheard),
        pauses=pause_summary,
        fillers=filler_summary,
        pitch=pitch,
        energy=measure_energy(y, frames, span=span, options=thresholds.prosody),
        contour=contour(frames, pitch.median_hz),
    )


def count_fillers(words: Sequence[Word], options: FillerOptions | None = None) -> tuple[int, int]:
    """Filled pauses and discourse fillers among words, judged on the words alone.

    What the live display counts while the user speaks, before there is audio to
    check the transcript against. Returns (filled, discourse), uncertain ones left out.
    """
    counted = [f for f in find_fillers(tuple(words), None, options or FillerOptions()) if f.counted]
    filled = sum(f.kind == FILLED for f in counted)
    return filled, len(counted) - filled

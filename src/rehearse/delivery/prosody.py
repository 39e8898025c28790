"""Vocal variety (pitch) and energy (loudness), and recording-quality warnings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rehearse.delivery.features import Frames
from rehearse.delivery.pauses import silent_runs
from rehearse.options import ProsodyOptions
from rehearse.speech.audio import SAMPLE_RATE

CONTOUR_STEP_S = 0.1  # resolution of the contours kept in the report, for plots
CLIP_LEVEL = 0.99  # |sample| at or above this counts as clipped
OCTAVE_ERROR_ST = 12.0  # F0 further than an octave from the median is a tracking error


@dataclass(frozen=True, slots=True)
class Stretch:
    """A stretch of the take with a finding on it (monotone, clipped, too quiet)."""

    start: float
    end: float
    note: str


@dataclass(frozen=True, slots=True)
class Pitch:
    """Vocal variety.

    Attributes:
        median_hz: the speaker's median F0.
        range_st: 5th to 95th percentile of F0, in semitones.
        sd_st: standard deviation of F0 in semitones around the median.
        voiced_share: share of the speaking time that is voiced.
        monotone: stretches whose pitch barely moves.
    """

    median_hz: float | None
    range_st: float | None
    sd_st: float | None
    voiced_share: float
    monotone: tuple[Stretch, ...]


@dataclass(frozen=True, slots=True)
class Energy:
    """Loudness.

    Attributes:
        median_dbfs: median level of the speech frames.
        sd_db: variation of the speech level.
        clipped_share: share of samples at full scale.
        too_quiet: the speech level is below ``ProsodyOptions.quiet_speech_dbfs``.
        clipping: stretches with clipped samples, when above ``clipped_share``.
    """

    median_dbfs: float | None
    sd_db: float | None
    clipped_share: float
    too_quiet: bool
    clipping: tuple[Stretch, ...]


@dataclass(frozen=True, slots=True)
class Contour:
    """Pitch and level every ``CONTOUR_STEP_S`` seconds, for plots.

    ``pitch_st`` is relative to the median F0, None where unvoiced.
    """

    step: float
    pitch_st: tuple[float | None, ...]
    level_db: tuple[float, ...]


def measure_pitch(frames: Frames, *, span: tuple[float, float], text_at, options: ProsodyOptions) -> Pitch:
    """Pitch statistics over the spoken span; ``text_at(start, end)`` quotes a stretch."""
    inside = frames.between(*span)
    f0 = frames.f0_hz[inside]
    voiced = f0[np.isfinite(f0)]
    speaking_frames = max(1, f0.size)
    if voiced.size < 20:
        return Pitch(None, None, None, round(voiced.size / speaking_frames, 3), ())
    median_hz = float(np.median(voiced))
    semitones = 12 * np.log2(voiced / median_hz)
    semitones = semitones[np.abs(semitones) <= OCTAVE_ERROR_ST]
    range_st = float(np.percentile(semitones, 95) - np.percentile(semitones, 5))
    sd_st = float(np.std(semitones))
    monotone = _monotone_stretches(frames, median_hz, span, text_at, options)
    return Pitch(round(median_hz, 1), round(range_st, 2), round(sd_st, 2), round(voiced.size / speaking_frames, 3), monotone)


def _monotone_stretches(frames: Frames, median_hz: float, span, text_at, options: ProsodyOptions) -> tuple[Stretch, ...]:
    window = options.monotone_window_s
    step = window / 4
    flagged: list[list[float]] = []
    start = span[0]
    while start + window <= span[1]:
        f0 = frames.f0_hz[frames.between(start, start + window)]
        f0 = f0[np.isfinite(f0)]
        # Judge a window only when it holds enough voiced speech (a quarter of it).
        if f0.size * 0.01 >= window / 4:
            st = 12 * np.log2(f0 / median_hz)
            st = st[np.abs(st) <= OCTAVE_ERROR_ST]
            if st.size and float(np.std(st)) < options.monotone_sd_st:
                if flagged and start <= flagged[-1][1]:
                    flagged[-1][1] = start + window
                else:
                    flagged.append([start, start + window])
        start += step
    return tuple(
        Stretch(round(a, 2), round(b, 2), f"pitch barely moves: \u201c{text_at(a, b)}\u201d") for a, b in flagged
    )


def measure_energy(y: np.ndarray, frames: Frames, *, span: tuple[float, float], options: ProsodyOptions) -> Energy:
    """Speech level, its variation, and clipping over the take."""
    inside = frames.between(*span)
    speech_db = frames.rms_db[inside][~frames.silent[inside]]
    clipped = np.abs(y) >= CLIP_LEVEL
    clipped_share = float(clipped.mean()) if y.size else 0.0
    clipping: tuple[Stretch, ...] = ()
    if clipped_share > options.clipped_share:
        hop = frames.times[1] - frames.times[0] if frames.times.size > 1 else 0.01
        per_frame = np.add.reduceat(clipped, np.arange(0, y.size, int(round(hop * SAMPLE_RATE))))[: frames.times.size] > 0
        clipping = tuple(
            Stretch(round(a, 2), round(b, 2), "clipped: the input level is too high")
            for a, b in silent_runs(per_frame, frames.times, min_s=0.0)
        )
    if speech_db.size == 0:
        return Energy(None, None, round(clipped_share, 5), True, clipping)
    median_db = float(np.median(speech_db))
    return Energy(
        median_dbfs=round(median_db, 1),
        sd_db=round(float(np.std(speech_db)), 2),
        clipped_share=round(clipped_share, 5),
        too_quiet=median_db < options.quiet_speech_dbfs,
        clipping=clipping,
    )


def contour(frames: Frames, median_hz: float | None) -> Contour:
    """Pitch (semitones from the median) and level, every ``CONTOUR_STEP_S``."""
    per_step = max(1, int(round(CONTOUR_STEP_S / (frames.times[1] - frames.times[0])))) if frames.times.size > 1 else 1
    pitch: list[float | None] = []
    level: list[float] = []
    for first in range(0, frames.times.size, per_step):
        f0 = frames.f0_hz[first : first + per_step]
        f0 = f0[np.isfinite(f0)]
        if median_hz and f0.size:
            st = float(12 * np.log2(np.median(f0) / median_hz))
            pitch.append(round(st, 2) if abs(st) <= OCTAVE_ERROR_ST else None)
        else:
            pitch.append(None)
        level.append(round(float(np.max(frames.rms_db[first : first + per_step])), 1))
    return Contour(CONTOUR_STEP_S, tuple(pitch), tuple(level))

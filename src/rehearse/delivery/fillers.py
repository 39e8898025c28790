"""Filler words: filled pauses (um, uh) checked on the audio, discourse fillers by context.

Filled pauses. Whisper, even primed, both drops "um"/"uh" and invents repeats of
them. A filled pause is a steady, voiced, central vowel with flat or falling pitch
(O'Shaughnessy 1992; Goto, Itou & Hayamizu 1999), so each is checked against the audio:

1. *Verify*: transcribed fillers are grouped with their neighbours into one stretch
   (from the word before to the word after), and the steady voiced runs in that
   stretch are counted. A group keeps as many fillers as there are runs; the rest
   are invented repeats and are dropped. A filler with no run under it is kept but
   not counted (its confidence is low).
2. *Search*: a gap between words that holds a steady run the text does not explain
   is a filler the transcript lost.

Discourse fillers are found by context rules in ``delivery.discourse``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rehearse.delivery.discourse import discourse_fillers
from rehearse.delivery.features import Frames
from rehearse.delivery.filler_types import DISCOURSE, FILLED, Filler
from rehearse.delivery.pauses import context_after, context_before
from rehearse.options import FillerOptions
from rehearse.text.format import filled_pause_form, normalize
from rehearse.speech.transcribe import Word

__all__ = ["DISCOURSE", "FILLED", "Filler", "SteadyRun", "find_fillers", "sound_bursts", "steady_runs"]

# A voiced run is split where the voicing drops out for this long.
VOICING_DIP_S = 0.08
# Confidence by the evidence behind a filled pause; ``FillerOptions.min_confidence``
# (0.5) decides which are counted, so only the first four count by default.
HEARD_STEADY = 0.95  # in the transcript, and a steady vowel under it
HEARD_BURST = 0.8  # in the transcript, and a separate burst of sound under it
UNCHECKED = 0.7  # in the transcript, with no audio to check it against
FOUND_IN_AUDIO = 0.6  # a steady vowel where the transcript has no word
NO_SOUND = 0.3  # in the transcript, with nothing of its own under it
LENGTHENING = 0.2  # the same vowel held at the end of a word: not a filler
# Whisper words below this probability are suspicious (openai/whisper PR #1838): such
# a filler needs a steady vowel under it, not only a burst of sound.
SUSPICIOUS_PROBABILITY = 0.15
# A word longer than this many times its expected length (from the speaker's own
# seconds per letter) and by more than LONG_WORD_EXCESS_S may hide a filler.
LONG_WORD_FACTOR = 2.5
LONG_WORD_EXCESS_S = 0.25
# A run whose mean spectrum is this far from the rest of its word (in units of the
# speaker's median spectral change) is a different vowel: a filler, not a lengthening.
SEPARATE_VOWEL_DISTANCE = 1.0
# Edge of a word gap left to the neighbouring words' imprecise timestamps.
GAP_MARGIN_S = 0.06


@dataclass(frozen=True, slots=True)
class SteadyRun:
    """A voiced stretch whose pitch and spectrum hold still, as in "uhhh"."""

    start: float
    end: float


def find_fillers(words: tuple[Word, ...] | list[Word], frames: Frames | None, options: FillerOptions) -> list[Filler]:
    """Filled pauses (verified on the audio when ``frames`` is given) and discourse fillers."""
    words = list(words)
    found = _filled_pauses(words, frames, options) + discourse_fillers(words, options)
    return sorted(found, key=lambda f: f.start)


# --- filled pauses ---------------------------------------------------------------------


def _filled_pauses(words: list[Word], frames: Frames | None, options: FillerOptions) -> list[Filler]:
    content = [w for w in words if filled_pause_form(w.text) is None]

    def make(word, start, end, source, confidence, note):
        middle = (start + end) / 2
        return Filler(
            word=word, kind=FILLED, start=round(start, 3), end=round(end, 3), source=source,
            confidence=round(confidence, 2), counted=confidence >= options.min_confidence,
            before=context_before(content, middle), after=context_after(content, middle), note=note,
        )

    groups = _filler_groups(words)
    if frames is None or not frames.voiced.any():
        return [make(filled_pause_form(w.text), w.start, w.end, "transcript", UNCHECKED, "not checked on the audio")
                for group in groups for w in group[2]]
    reference = _speaker_reference(frames, content)
    claimed: list[tuple[float, float]] = []
    fillers: list[Filler] = []
    for lower, upper, group in groups:
        # The stretch around transcribed fillers is explained by them: the gap search
        # below does not look there again.
        claimed.append((lower, upper))
        # Each filled pause is a separate burst of sound; an invented repeat has none
        # of its own. Bursts are counted regardless of voicing, since a creaky "uh"
        # has no clear pitch.
        bursts = sound_bursts(frames, lower, upper, min_burst_s=options.min_steady_run_s)
        steady = steady_runs(frames, lower, upper, reference, options, min_run_s=options.min_steady_run_s)
        keep = min(len(group), len(bursts))
        for word in group[:keep]:
            burst = _nearest(bursts, word)
            bursts.remove(burst)
            under = [r for r in steady if r.start < burst[1] and burst[0] < r.end]
            if word.probability < SUSPICIOUS_PROBABILITY and not under:
                fillers.append(make(filled_pause_form(word.text), word.start, word.end, "transcript", NO_SOUND,
                                    f"not counted: Whisper gave it p={word.probability:.2f} and no steady vowel is under it"))
                continue
            start, end = (under[0].start, under[0].end) if under else burst
            if under:
                fillers.append(make(filled_pause_form(word.text), start, end, "both", HEARD_STEADY,
                                    "in the transcript and heard as a steady vowel"))
            else:
                fillers.append(make(filled_pause_form(word.text), start, end, "both", HEARD_BURST,
                                    "in the transcript, with a separate burst of sound under it"))
        if len(group) > keep:
            dropped = len(group) - keep
            note = f"{dropped} more in the transcript than separate sounds in the audio (invented repeats)"
            if fillers and keep:
                fillers[-1] = _with_note(fillers[-1], note)
            else:
                word = group[0]
                fillers.append(make(filled_pause_form(word.text), word.start, word.end, "transcript", NO_SOUND,
                                    f"not counted: no sound of its own under it; {note}"))
    for gap_start, gap_end in _word_gaps(content, frames):
        for run in steady_runs(frames, gap_start, gap_end, reference, options, min_run_s=options.min_gap_filler_s):
            if run.end - run.start > options.max_gap_filler_s:
                continue
            if any(a < run.end and run.start < b for a, b in claimed):
                continue
            fillers.append(make("uh", run.start, run.end, "acoustic", FOUND_IN_AUDIO,
                                "a steady vowel between words that the transcript lost"))
            claimed.append((run.start, run.end))
    fillers.extend(_inside_long_words(content, frames, reference, options, claimed, make))
    return fillers


def _inside_long_words(words: list[Word], frames: Frames, reference: "_Reference", options: FillerOptions,
                       claimed: list[tuple[float, float]], make) -> list[Filler]:
    """Filled pauses hidden in words that last far longer than the speaker's own pace allows.

    Whisper often folds a lost "uh" into the word next to it. A steady run at the head
    or tail of such a word whose spectrum differs from the rest of the word is a
    separate filler; the same vowel held is a lengthening ("the-e-e"), listed but not
    counted.
    """
    timed = [w for w in words if w.end - w.start > 0.02 and len(normalize(w.text)) > 0]
    if len(timed) < 5:
        return []
    seconds_per_char = float(np.median([(w.end - w.start) / len(normalize(w.text)) for w in timed]))
    found: list[Filler] = []
    for word in timed:
        expected = seconds_per_char * len(normalize(word.text))
        duration = word.end - word.start
        if duration <= LONG_WORD_FACTOR * expected or duration - expected <= LONG_WORD_EXCESS_S:
            continue
        for run in steady_runs(frames, word.start, word.end, reference, options, min_run_s=options.min_gap_filler_s):
            if any(a < run.end and run.start < b for a, b in claimed):
                continue
            at_edge = run.start - word.start < 0.35 * duration or word.end - run.end < 0.35 * duration
            if not at_edge or run.end - run.start > options.max_gap_filler_s:
                continue
            rest = _voiced_outside(frames, word.start, word.end, run)
            run_frames = frames.between(run.start, run.end)
            if rest is None:
                continue
            distance = float(np.linalg.norm(frames.mfcc[1:13, run_frames].mean(axis=1) - rest))
            if distance > SEPARATE_VOWEL_DISTANCE * reference.median_mfcc_change:
                found.append(make("uh", run.start, run.end, "acoustic", FOUND_IN_AUDIO,
                                  f"a separate steady vowel inside the over-long word \u201c{word.text}\u201d"))
            else:
                found.append(make("uh", run.start, run.end, "acoustic", LENGTHENING,
                                  f"not counted: \u201c{word.text}\u201d is lengthened (the same vowel held), not a filler"))
            claimed.append((run.start, run.end))
    return found


def _voiced_outside(frames: Frames, start_s: float, end_s: float, run: "SteadyRun") -> np.ndarray | None:
    """Mean MFCC 1-12 of the word's voiced frames outside the run, or None if too few."""
    window = frames.between(start_s, end_s)
    mask = frames.voiced[window].copy()
    inner = frames.between(run.start, run.end)
    mask[inner.start - window.start : inner.stop - window.start] = False
    if mask.sum() < 5:
        return None
    return frames.mfcc[1:13, window][:, mask].mean(axis=1)


def _with_note(filler: Filler, note: str) -> Filler:
    from dataclasses import replace

    return replace(filler, note=f"{filler.note}; {note}")


def _filler_groups(words: list[Word]) -> list[tuple[float, float, list[Word]]]:
    """Runs of consecutive transcribed fillers, each with the stretch between its neighbours."""
    groups: list[tuple[float, float, list[Word]]] = []
    current: list[Word] = []
    previous_end = 0.0
    for index, word in enumerate(words):
        if filled_pause_form(word.text) is not None:
            if not current:
                previous_end = words[index - 1].end if index else max(0.0, word.start - 0.5)
            current.append(word)
            continue
        if current:
            groups.append((previous_end, word.start, current))
            current = []
    if current:
        groups.append((previous_end, current[-1].end + 0.5, current))
    # Whisper's times for fillers are loose: search between the neighbouring words,
    # and at least the fillers' own span.
    return [(min(lo, g[0].start), max(hi, g[-1].end), g) for lo, hi, g in groups]


def _nearest(bursts: list[tuple[float, float]], word: Word) -> tuple[float, float]:
    middle = (word.start + word.end) / 2
    return min(bursts, key=lambda b: abs((b[0] + b[1]) / 2 - middle))


def sound_bursts(frames: Frames, start_s: float, end_s: float, *, min_burst_s: float) -> list[tuple[float, float]]:
    """Stretches in [start_s, end_s] above the silence level, split by dips of 80 ms or more."""
    window = frames.between(start_s, end_s)
    if window.stop - window.start < 2:
        return []
    hop = float(frames.times[1] - frames.times[0])
    loud = _bridge(frames.rms_db[window] > frames.silence_db, max_gap=int(round(VOICING_DIP_S / hop)) - 1)
    edges = np.diff(np.concatenate(([0], loud.astype(np.int8), [0])))
    bursts = []
    for first, last in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        if (last - first) * hop >= min_burst_s:
            bursts.append((float(frames.times[window.start + first] - hop / 2),
                           float(frames.times[window.start + last - 1] + hop / 2)))
    return bursts


def _word_gaps(words: list[Word], frames: Frames) -> list[tuple[float, float]]:
    gaps = []
    for before, after in zip(words, words[1:]):
        start, end = before.end + GAP_MARGIN_S, after.start - GAP_MARGIN_S
        if end - start >= 0.25:
            gaps.append((start, end))
    return gaps


@dataclass(frozen=True, slots=True)
class _Reference:
    """The speaker's own typical values, from frames inside words."""

    median_f0_hz: float
    median_level_db: float
    median_mfcc_change: float
    change: np.ndarray


def _speaker_reference(frames: Frames, words: list[Word]) -> _Reference:
    inside = np.zeros(frames.times.size, dtype=bool)
    for w in words:
        inside[frames.between(w.start, w.end)] = True
    voiced = inside & frames.voiced
    if voiced.sum() < 20:
        voiced = frames.voiced
    change = _mfcc_change(frames.mfcc)
    return _Reference(
        median_f0_hz=float(np.nanmedian(frames.f0_hz[voiced])),
        median_level_db=float(np.median(frames.rms_db[voiced])),
        median_mfcc_change=float(np.nanmedian(change[voiced])) or 1.0,
        change=change,
    )


SPECTRAL_BLOCK_FRAMES = 5  # MFCCs are averaged over 50 ms blocks: single frames are too noisy


def _mfcc_change(mfcc: np.ndarray) -> np.ndarray:
    """Spectral change at each frame, shape (n_frames,).

    The distance between the mean MFCC 1-12 of the 50 ms before a frame and of the
    50 ms from it; NaN at the edges. A held vowel changes little, speech a lot.
    """
    k = SPECTRAL_BLOCK_FRAMES
    m = mfcc[1:13].astype(np.float64)
    cumulative = np.cumsum(np.pad(m, ((0, 0), (1, 0))), axis=1)
    block_mean = (cumulative[:, k:] - cumulative[:, :-k]) / k
    change = np.full(m.shape[1], np.nan)
    distance = np.linalg.norm(block_mean[:, k:] - block_mean[:, :-k], axis=0)
    change[k : k + distance.size] = distance
    return change


def steady_runs(frames: Frames, start_s: float, end_s: float, reference: _Reference,
                options: FillerOptions, *, min_run_s: float) -> list[SteadyRun]:
    """Runs in [start_s, end_s] that are voiced and hold spectrum, pitch and level steady."""
    window = frames.between(start_s, end_s)
    if window.stop - window.start < 2:
        return []
    hop = float(frames.times[1] - frames.times[0])
    change = reference.change[window]
    steady = frames.voiced[window] & (change < options.max_spectral_change * reference.median_mfcc_change)
    steady = _bridge(steady, max_gap=int(round(VOICING_DIP_S / hop)) - 1)
    edges = np.diff(np.concatenate(([0], steady.astype(np.int8), [0])))
    runs = []
    for first, last in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        if (last - first) * hop < min_run_s:
            continue
        run = slice(window.start + first, window.start + last)
        if _holds_pitch_and_level(frames, run, reference, options):
            runs.append(SteadyRun(float(frames.times[run.start] - hop / 2), float(frames.times[run.stop - 1] + hop / 2)))
    return runs


def _holds_pitch_and_level(frames: Frames, run: slice, reference: _Reference, options: FillerOptions) -> bool:
    f0 = frames.f0_hz[run]
    f0 = f0[np.isfinite(f0)]
    if f0.size < 3:
        return False
    semitones = 12 * np.log2(f0 / reference.median_f0_hz)
    if np.percentile(semitones, 90) - np.percentile(semitones, 10) > options.max_pitch_range_st:
        return False
    if np.median(semitones) > options.max_pitch_above_median_st:
        return False
    level = np.median(frames.rms_db[run]) - reference.median_level_db
    return -20.0 <= level <= 3.0


def _bridge(mask: np.ndarray, *, max_gap: int) -> np.ndarray:
    """Fill False runs of at most ``max_gap`` frames that lie between True frames."""
    out = mask.copy()
    true_at = np.flatnonzero(mask)
    for a, b in zip(true_at, true_at[1:]):
        if 1 < b - a <= max_gap + 1:
            out[a:b] = True
    return out

"""Filler words: filled pauses (um, uh) from the transcript, discourse fillers by context.

Filled pauses. Primed with a short filler prompt, Whisper writes nearly every "um"/"uh"
it hears, on voices and in rooms no detector here was tuned on; its weakness is
precision: it invents repeats ("uh uh uh" for one or two). So the transcript's word
wins, and the audio only removes a filler on positive evidence that it was invented:

1. *No voice at all*: nothing voiced between the words around it (Whisper's own times
   for fillers are too loose to say more). Voice is periodic and judged relative to the
   take's own speech level, never in absolute dB, so a quiet microphone changes nothing.
2. *Repeats past what the audio holds*: a run of consecutive fillers keeps as many as
   there are separate voiced sounds between its neighbouring words. In a noisy take
   (speech less than ``FillerOptions.min_snr_for_sounds_db`` above the room's level)
   soft fillers lose their voicing, so there only the same filler written on top of
   itself counts as a repeat.

A filler with voice under it but no clean steady vowel (a hoarse or nasal voice, an
"uh" run into the next word) is counted with a lower confidence and a note saying so;
so is one Whisper itself doubted. Optionally (``FillerOptions.search_gaps``), a steady
voiced vowel in a gap between words, where the transcript has nothing, is a filler the
transcript lost; the search never looks inside a word Whisper timed.

Discourse fillers are found by context rules in ``delivery.discourse``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rehearse.delivery.discourse import discourse_fillers
from rehearse.delivery.features import MAX_VOICED_APERIODICITY, Frames
from rehearse.delivery.filler_types import DISCOURSE, FILLED, Filler
from rehearse.delivery.pauses import context_after, context_before
from rehearse.options import FillerOptions
from rehearse.speech.transcribe import Word
from rehearse.text.format import filled_pause_form

__all__ = ["DISCOURSE", "FILLED", "Filler", "SteadyRun", "find_fillers", "steady_runs", "voice_events"]

# A voiced run is split where the voice drops out for this long.
VOICING_DIP_S = 0.08
# Confidence by the evidence behind a filled pause; ``FillerOptions.min_confidence``
# (0.5) decides which are counted: every transcribed filler not shown to be invented.
HEARD_STEADY = 0.95  # in the transcript, and a steady vowel under it
HEARD = 0.8  # in the transcript, voice under it but no clean steady vowel
UNCHECKED = 0.7  # in the transcript, with no audio to check it against
FOUND_IN_AUDIO = 0.6  # a steady vowel where the transcript has no word
INVENTED = 0.2  # in the transcript, and the audio shows it was invented
# Whisper words below this probability are suspicious (openai/whisper PR #1838). Real
# fillers on hoarse voices come with p=0.01 too, so it lowers confidence, never drops.
SUSPICIOUS_PROBABILITY = 0.15
DOUBTED_PENALTY = 0.15
# The edge of a word gap left to the neighbouring words' imprecise timestamps.
GAP_MARGIN_S = 0.06
# Speech level: this quantile of the frame levels inside words; the room's noise
# level: this quantile of all frame levels (a take has pauses).
SPEECH_LEVEL_QUANTILE = 0.9
NOISE_LEVEL_QUANTILE = 0.1


@dataclass(frozen=True, slots=True)
class SteadyRun:
    """A voiced stretch whose pitch and spectrum hold still, as in "uhhh"."""

    start: float
    end: float


def find_fillers(words: tuple[Word, ...] | list[Word], frames: Frames | None, options: FillerOptions) -> list[Filler]:
    """Filled pauses (checked on the audio when ``frames`` is given) and discourse fillers."""
    words = list(words)
    found = _filled_pauses(words, frames, options) + discourse_fillers(words, options)
    return sorted(found, key=lambda f: f.start)


# --- filled pauses ---------------------------------------------------------------------


def _filled_pauses(words: list[Word], frames: Frames | None, options: FillerOptions) -> list[Filler]:
    content = [w for w in words if filled_pause_form(w.text) is None]

    def make(word: Word | None, start, end, source, confidence, note, form="uh"):
        middle = (start + end) / 2
        return Filler(
            word=filled_pause_form(word.text) if word is not None else form, kind=FILLED,
            start=round(start, 3), end=round(end, 3), source=source, confidence=round(confidence, 2),
            counted=confidence >= options.min_confidence,
            before=context_before(content, middle), after=context_after(content, middle), note=note,
        )

    groups = _filler_groups(words)
    if frames is None or frames.times.size < 2:
        return [make(w, w.start, w.end, "transcript", UNCHECKED, "not checked on the audio")
                for _, _, group in groups for w in group]
    reference = _speaker_reference(frames, content, options)
    fillers: list[Filler] = []
    claimed: list[tuple[float, float]] = []
    for lower, upper, group in groups:
        claimed.append((lower, upper))
        fillers.extend(_judge_group(group, lower, upper, frames, reference, options, make))
    if options.search_gaps:
        for gap_start, gap_end in _word_gaps(content):
            for run in steady_runs(frames, gap_start, gap_end, reference, options, min_run_s=options.min_gap_filler_s):
                if run.end - run.start > options.max_gap_filler_s:
                    continue
                if any(a < run.end and run.start < b for a, b in claimed):
                    continue
                fillers.append(make(None, run.start, run.end, "acoustic", FOUND_IN_AUDIO,
                                    "a steady vowel between words that the transcript lost"))
                claimed.append((run.start, run.end))
    return fillers


def _judge_group(group: list[Word], lower: float, upper: float, frames: Frames, reference: _Reference,
                 options: FillerOptions, make) -> list[Filler]:
    """Keep a run of consecutive transcribed fillers unless the audio shows some were invented."""
    hop = float(frames.times[1] - frames.times[0])
    out: list[Filler] = []
    # Whisper's times for fillers are loose (often zero-length, off by half a second):
    # "under it" is the whole stretch between the neighbouring words.
    voice_s = float(reference.voice[frames.between(lower, upper)].sum()) * hop
    if voice_s < options.min_voiced_s:
        return [make(w, w.start, w.end, "transcript", INVENTED, "not counted: no voice at all between the words around it")
                for w in group]
    # The neighbouring words' onsets and tails spill past Whisper's times for them.
    inner = (lower + options.edge_margin_s, upper - options.edge_margin_s)
    events = voice_events(frames, reference.voice, *inner, min_event_s=options.min_event_s)
    keep, why = _how_many_sounds(group, events, reference, options)
    kept = _most_distinct(group, keep, options)
    previous_end = lower
    for word in sorted(kept, key=lambda w: w.start):
        # Each counted filler is placed on its own sound, in time order, so that no two
        # overlap; one without a sound of its own keeps Whisper's times.
        start, end, source = max(word.start, previous_end), max(word.end, previous_end), "transcript"
        later = [e for e in events if e[0] >= previous_end - 1e-6
                 and e[0] < word.end + options.voice_slack_s and word.start - options.voice_slack_s < e[1]]
        if later:
            start, end = min(later, key=lambda e: abs((e[0] + e[1]) / 2 - (word.start + word.end) / 2))
            source = "both"
        previous_end = end
        window = _window(word, lower, upper, options)
        steady = steady_runs(frames, max(window[0], start - 0.05), min(window[1], end + 0.05), reference, options,
                             min_run_s=options.min_steady_run_s)
        if steady:
            confidence, note = HEARD_STEADY, "in the transcript and heard as a steady vowel"
        else:
            confidence, note = HEARD, ("in the transcript, with voice under it but no clean steady vowel "
                                       "(a hoarse or nasal voice, or run into the next word): lower confidence")
        if word.probability < SUSPICIOUS_PROBABILITY:
            confidence -= DOUBTED_PENALTY
            note += f"; Whisper gave it p={word.probability:.2f}"
        out.append(make(word, start, end, source, confidence, note))
    dropped = [w for w in group if w not in kept]
    if dropped:
        note = f"not counted: {len(group)} written here, {why} (invented repeats)"
        out.extend(make(w, w.start, w.end, "transcript", INVENTED, note) for w in dropped)
    return out


def _window(word: Word, lower: float, upper: float, options: FillerOptions) -> tuple[float, float]:
    """Where a filler's sound may be: around its own times, not inside the neighbouring words."""
    start = max(lower, word.start - options.voice_slack_s)
    end = min(upper, word.end + options.voice_slack_s)
    if end - start < 2 * options.voice_slack_s:  # neighbours timed right up against it
        start, end = word.start - options.voice_slack_s / 2, word.end + options.voice_slack_s / 2
    return start, end


def _how_many_sounds(group: list[Word], events: list[tuple[float, float]], reference: _Reference,
                     options: FillerOptions) -> tuple[int, str]:
    """How many of the consecutive fillers the audio holds, and why that many."""
    n = len(group)
    if n == 1:
        return n, ""
    # In a noisy room soft fillers lose their voicing: too few sounds are heard, and that
    # is no evidence against the transcript. Only the same filler written on top of
    # itself is.
    if reference.snr_db < options.min_snr_for_sounds_db:
        apart = len(_same_sound_clusters(group, options.same_sound_within_s))
        return apart, f"written on top of each other at {apart} time{'s' if apart != 1 else ''}"
    heard = min(n, max(1, len(events)))
    return heard, f"the audio holds {heard} separate sound{'s' if heard != 1 else ''}"


def _same_sound_clusters(words: list[Word], within_s: float) -> list[list[Word]]:
    """The same filler written on top of itself: the same form, each starting less than
    ``within_s`` after the one before it ends (chained). Different forms at one time
    ("um, uh") are kept apart: Whisper squeezes the times of separate fillers too."""
    clusters: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.start):
        last = clusters[-1][-1] if clusters else None
        if (last is not None and filled_pause_form(word.text) == filled_pause_form(last.text)
                and word.start - last.end < within_s):
            clusters[-1].append(word)
        else:
            clusters.append([word])
    return clusters


def _most_distinct(words: list[Word], keep: int, options: FillerOptions) -> list[Word]:
    """The ``keep`` fillers to count: the surest of each separate time first, then the rest."""
    clusters = _same_sound_clusters(words, options.same_sound_within_s)
    heads = [max(c, key=lambda w: w.probability) for c in clusters]
    rest = sorted((w for c in clusters for w in c if w not in heads), key=lambda w: -w.probability)
    return (heads + rest)[:keep]


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
    # Whisper's times for fillers are loose: at least the fillers' own span.
    return [(min(lo, g[0].start), max(hi, g[-1].end), g) for lo, hi, g in groups]


def voice_events(frames: Frames, voice: np.ndarray, start_s: float, end_s: float, *,
                 min_event_s: float) -> list[tuple[float, float]]:
    """Separate voiced sounds in [start_s, end_s]: voice runs split by dips of 80 ms or more."""
    window = frames.between(start_s, end_s)
    if window.stop - window.start < 2:
        return []
    hop = float(frames.times[1] - frames.times[0])
    on = _bridge(voice[window], max_gap=int(round(VOICING_DIP_S / hop)) - 1)
    edges = np.diff(np.concatenate(([0], on.astype(np.int8), [0])))
    events = []
    for first, last in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        if (last - first) * hop >= min_event_s:
            events.append((float(frames.times[window.start + first] - hop / 2),
                           float(frames.times[window.start + last - 1] + hop / 2)))
    return events


def _word_gaps(words: list[Word]) -> list[tuple[float, float]]:
    gaps = []
    for before, after in zip(words, words[1:]):
        start, end = before.end + GAP_MARGIN_S, after.start - GAP_MARGIN_S
        if end - start >= 0.25:
            gaps.append((start, end))
    return gaps


@dataclass(frozen=True, slots=True)
class _Reference:
    """The speaker's own typical values, from frames inside words.

    ``voice`` marks frames that are periodic and within ``voice_below_speech_db`` of
    the take's speech level: relative, so the same take at any gain gives the same mask.
    """

    speech_db: float
    snr_db: float
    median_f0_hz: float
    median_level_db: float
    median_mfcc_change: float
    change: np.ndarray
    voice: np.ndarray


def _speaker_reference(frames: Frames, words: list[Word], options: FillerOptions) -> _Reference:
    inside = np.zeros(frames.times.size, dtype=bool)
    for w in words:
        inside[frames.between(w.start, w.end)] = True
    if inside.sum() < 20:
        inside[:] = True
    speech_db = float(np.quantile(frames.rms_db[inside], SPEECH_LEVEL_QUANTILE))
    voice = (frames.aperiodicity < MAX_VOICED_APERIODICITY) & (frames.rms_db > speech_db - options.voice_below_speech_db)
    own = inside & voice
    if own.sum() < 20:
        own = voice if voice.sum() >= 20 else np.ones_like(voice)
    change = _mfcc_change(frames.mfcc)
    f0 = frames.pitch_hz[own]
    return _Reference(
        speech_db=speech_db,
        snr_db=speech_db - float(np.quantile(frames.rms_db, NOISE_LEVEL_QUANTILE)),
        median_f0_hz=float(np.nanmedian(f0)) if np.isfinite(f0).any() else float("nan"),
        median_level_db=float(np.median(frames.rms_db[own])),
        median_mfcc_change=float(np.nanmedian(change[own])) or 1.0,
        change=change,
        voice=voice,
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
    steady = reference.voice[window] & (change < options.max_spectral_change * reference.median_mfcc_change)
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
    f0 = frames.pitch_hz[run]
    f0 = f0[np.isfinite(f0)]
    if f0.size < 3 or not np.isfinite(reference.median_f0_hz):
        return False
    semitones = 12 * np.log2(f0 / reference.median_f0_hz)
    if np.percentile(semitones, 90) - np.percentile(semitones, 10) > options.max_pitch_range_st:
        return False
    if np.median(semitones) > options.max_pitch_above_median_st:
        return False
    level = np.median(frames.rms_db[run]) - reference.median_level_db
    return -options.max_level_below_speaker_db <= level <= options.max_level_above_speaker_db


def _bridge(mask: np.ndarray, *, max_gap: int) -> np.ndarray:
    """Fill False runs of at most ``max_gap`` frames that lie between True frames."""
    out = mask.copy()
    true_at = np.flatnonzero(mask)
    for a, b in zip(true_at, true_at[1:]):
        if 1 < b - a <= max_gap + 1:
            out[a:b] = True
    return out

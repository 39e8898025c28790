"""Silent pauses, measured on the audio and placed between the words around them.

Word timestamps alone misplace pauses (a word can "absorb" the silence after it),
so a pause is a run of silent frames (quiet, or not speech to Silero VAD) of at
least ``PauseOptions.min_pause_s`` inside the spoken part of the take; the words
only name what was said before and after it. A silence that touches speech left
without words (``Transcript.unheard``) is not a pause between words: nobody knows
which words it came between, or whether the speaker hesitated at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rehearse.speech.audio import HOP_S
from rehearse.delivery.features import Frames
from rehearse.options import PauseOptions
from rehearse.speech.transcribe import Word


@dataclass(frozen=True, slots=True)
class Pause:
    """A silence between words.

    Attributes:
        start: seconds.
        end: seconds.
        duration: seconds.
        long: at least ``PauseOptions.long_pause_s``.
        before: the words just before it.
        after: the words just after it.
    """

    start: float
    end: float
    duration: float
    long: bool
    before: str
    after: str


def silent_runs(silent: np.ndarray, times: np.ndarray, *, min_s: float) -> list[tuple[float, float]]:
    """(start, end) in seconds of runs of True frames lasting at least ``min_s``."""
    if silent.size == 0:
        return []
    edges = np.diff(np.concatenate(([0], silent.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    runs = []
    for first, last in zip(starts, ends - 1):
        start_s = times[first] - HOP_S / 2
        end_s = times[last] + HOP_S / 2
        if end_s - start_s >= min_s - 1e-9:
            runs.append((float(start_s), float(end_s)))
    return runs


def find_pauses(frames: Frames, words: tuple[Word, ...] | list[Word], options: PauseOptions,
                *, unheard: Sequence = ()) -> list[Pause]:
    """Silences of at least ``min_pause_s`` between the first and the last word.

    Args:
        unheard: spans (``start``, ``end`` in seconds) of speech left without words;
            silences that overlap or touch one are left out.
    """
    if not words:
        return []
    first_s, last_s = words[0].start, words[-1].end
    sounding = np.flatnonzero(~frames.silent)
    if sounding.size == 0:
        return []
    # Only silences with speech on both sides are pauses; the lead-in and the tail of
    # a recording are not part of the answer. Word times can stretch into them, so
    # the audio decides where the speech begins and ends.
    first_sound_s = float(frames.times[sounding[0]])
    last_sound_s = float(frames.times[sounding[-1]])
    pauses = []
    for start_s, end_s in silent_runs(frames.silent, frames.times, min_s=options.min_pause_s):
        if end_s <= max(first_s, first_sound_s) + HOP_S or start_s >= min(last_s, last_sound_s) - HOP_S:
            continue
        start_s, end_s = max(start_s, first_s), min(end_s, last_s)
        if end_s - start_s < options.min_pause_s:
            continue
        if any(s.start <= end_s + HOP_S and start_s - HOP_S <= s.end for s in unheard):
            continue
        duration = round(end_s - start_s, 3)
        pauses.append(
            Pause(
                start=round(start_s, 3),
                end=round(end_s, 3),
                duration=duration,
                long=duration >= options.long_pause_s,
                before=context_before(words, (start_s + end_s) / 2),
                after=context_after(words, (start_s + end_s) / 2),
            )
        )
    return pauses


def context_before(words, t_s: float, n: int = 3) -> str:
    """The last ``n`` words whose middle lies before ``t_s``."""
    before = [w.text for w in words if (w.start + w.end) / 2 < t_s]
    return " ".join(before[-n:])


def context_after(words, t_s: float, n: int = 3) -> str:
    """The first ``n`` words whose middle lies after ``t_s``."""
    after = [w.text for w in words if (w.start + w.end) / 2 >= t_s]
    return " ".join(after[:n])

"""Words per minute over the answer, without pauses, and in a sliding window.

Speech the transcriber could not turn into words (``Transcript.unheard``) is not the
speaker's slowness: its time is left out of the rates, and no window that it takes a
real part of is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rehearse.options import PaceOptions
from rehearse.text.format import filled_pause_form
from rehearse.speech.transcribe import Word


@dataclass(frozen=True, slots=True)
class PaceWindow:
    """Words per minute in one window of the take.

    Attributes:
        start: seconds.
        end: seconds.
        wpm: words per minute inside the window.
        label: "rushed", "slow" or "" against the take's own pace.
        text: the words in the window.
    """

    start: float
    end: float
    wpm: float
    label: str
    text: str


@dataclass(frozen=True, slots=True)
class Pace:
    """How fast the answer was spoken.

    Attributes:
        words: words spoken, filled pauses not counted.
        speaking_time: seconds from the first word to the last, less the speech left
            without words (``Transcript.unheard``).
        wpm: words per minute over ``speaking_time``.
        articulation_wpm: words per minute with the silent pauses taken out.
        windows: words per minute in a sliding window; windows that unheard speech
            takes more than ``PaceOptions.max_unheard_share`` of are left out.
    """

    words: int
    speaking_time: float
    wpm: float
    articulation_wpm: float
    windows: tuple[PaceWindow, ...]


def measure_pace(words: tuple[Word, ...] | list[Word], *, pause_time_s: float, options: PaceOptions,
                 unheard: Sequence = ()) -> Pace:
    """Pace of the spoken words; ``pause_time_s`` is the total silent pause time.

    Args:
        unheard: spans (``start``, ``end`` in seconds) of speech left without words;
            their time counts neither as speaking nor as pausing.
    """
    spoken = [w for w in words if filled_pause_form(w.text) is None]
    if not spoken:
        return Pace(0, 0.0, 0.0, 0.0, ())
    first_s, last_s = words[0].start, words[-1].end
    unheard_s = overlap_s(unheard, first_s, last_s)
    # Rates over less than a second of speech mean nothing; floor as the other rates do.
    speaking_time = max(last_s - first_s - unheard_s, 1.0)
    wpm = len(spoken) / speaking_time * 60
    articulation_time = max(speaking_time - pause_time_s, 1e-3)
    articulation_wpm = len(spoken) / articulation_time * 60
    windows = []
    start = first_s
    while start + options.window_s <= last_s + options.step_s / 2:
        end = start + options.window_s
        if overlap_s(unheard, start, end) > options.max_unheard_share * options.window_s:
            start += options.step_s
            continue
        inside = [w for w in spoken if start <= (w.start + w.end) / 2 < end]
        window_wpm = len(inside) / options.window_s * 60
        label = ""
        if window_wpm > wpm * options.rush_factor:
            label = "rushed"
        elif window_wpm < wpm * options.drag_factor:
            label = "slow"
        windows.append(
            PaceWindow(round(start, 2), round(end, 2), round(window_wpm, 1), label, " ".join(w.text for w in inside))
        )
        start += options.step_s
    return Pace(len(spoken), round(speaking_time, 3), round(wpm, 1), round(articulation_wpm, 1), tuple(windows))


def overlap_s(spans: Sequence, start_s: float, end_s: float) -> float:
    """Seconds of the spans (anything with ``start`` and ``end``) inside [start_s, end_s]."""
    return sum(max(0.0, min(s.end, end_s) - max(s.start, start_s)) for s in spans)

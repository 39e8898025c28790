"""Words per minute over the answer, without pauses, and in a sliding window."""

from __future__ import annotations

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
        speaking_time: seconds from the first word to the last.
        wpm: words per minute over ``speaking_time``.
        articulation_wpm: words per minute with the silent pauses taken out.
        windows: words per minute in a sliding window.
    """

    words: int
    speaking_time: float
    wpm: float
    articulation_wpm: float
    windows: tuple[PaceWindow, ...]


def measure_pace(words: tuple[Word, ...] | list[Word], *, pause_time_s: float, options: PaceOptions) -> Pace:
    """Pace of the spoken words; ``pause_time_s`` is the total silent pause time."""
    spoken = [w for w in words if filled_pause_form(w.text) is None]
    if not spoken:
        return Pace(0, 0.0, 0.0, 0.0, ())
    # Rates over less than a second of speech mean nothing; floor as the other rates do.
    speaking_time = max(words[-1].end - words[0].start, 1.0)
    wpm = len(spoken) / speaking_time * 60
    articulation_time = max(speaking_time - pause_time_s, 1e-3)
    articulation_wpm = len(spoken) / articulation_time * 60
    windows = []
    start = words[0].start
    while start + options.window_s <= words[-1].end + options.step_s / 2:
        end = start + options.window_s
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

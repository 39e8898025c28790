"""Where the speech is: Silero VAD (shipped inside faster-whisper) over a whole take."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rehearse.audio import SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the take, in seconds."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def speech_spans(y: np.ndarray, *, threshold: float, min_silence_ms: int = 100, pad_ms: int = 30) -> list[Span]:
    """Stretches Silero VAD hears as speech.

    Args:
        y: mono float32 at 16 kHz.
        threshold: speech probability above which a 32 ms window is speech.
        min_silence_ms: shorter silences do not split a stretch.
        pad_ms: padding added at each side of a stretch; kept small so that the
            stretches can bound pauses.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(threshold=threshold, min_silence_duration_ms=min_silence_ms, speech_pad_ms=pad_ms)
    stamps = get_speech_timestamps(y, options, sampling_rate=SAMPLE_RATE)
    return [Span(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]

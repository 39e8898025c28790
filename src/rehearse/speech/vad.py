"""Where the speech is: Silero VAD (shipped inside faster-whisper) over a whole take.

Silero's speech probabilities are the costly part (about 0.13 s for two minutes, on one
core) and two callers want them for the same take: the delivery features, with
rehearse's short padding, and faster-whisper's batched pipeline, which packs speech into
30 s windows. ``share_silero_probabilities`` makes faster-whisper's VAD remember them, so
each take runs the network once whichever caller asks first.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from rehearse.speech.audio import SAMPLE_RATE
from rehearse.speech.pinned import speech_timestamps, wrap_silero_model


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
    share_silero_probabilities()
    stamps = speech_timestamps(y, sample_rate=SAMPLE_RATE, threshold=threshold, min_silence_duration_ms=min_silence_ms,
                               speech_pad_ms=pad_ms)
    return [Span(start / SAMPLE_RATE, end / SAMPLE_RATE) for start, end in stamps]


class _RememberedSilero:
    """Silero's model, answering again from memory for audio it has just seen.

    Keyed by a digest of the samples, not by the array object: each caller pads the
    take into a new array. A second caller asking while the first is still computing
    waits for that result instead of computing it again.
    """

    def __init__(self, model, keep: int = 4) -> None:
        self._model = model
        self._keep = keep
        self._results: OrderedDict[bytes, Future] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, padded_audio: np.ndarray, *args, **kwargs) -> np.ndarray:
        key = hashlib.blake2b(np.ascontiguousarray(padded_audio).view(np.uint8), digest_size=16).digest()
        key += str((padded_audio.dtype, padded_audio.shape, args, sorted(kwargs.items()))).encode()
        with self._lock:
            pending = self._results.get(key)
            owner = pending is None
            if owner:
                pending = self._results[key] = Future()
                while len(self._results) > self._keep:
                    self._results.popitem(last=False)
            else:
                self._results.move_to_end(key)
        if not owner:
            return pending.result()
        try:
            probabilities = self._model(padded_audio, *args, **kwargs)
        except BaseException as e:
            with self._lock:
                self._results.pop(key, None)
            pending.set_exception(e)
            raise
        pending.set_result(probabilities)
        return probabilities


def share_silero_probabilities() -> None:
    """Make faster-whisper's VAD remember Silero's answers (idempotent; ``pinned.wrap_silero_model``)."""
    wrap_silero_model(_RememberedSilero)

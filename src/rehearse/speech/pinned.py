"""Every third-party internal rehearse relies on, in one place, with the versions it was written for.

These are not public API: the next release may move or change any of them without
notice. ``WRITTEN_AGAINST`` names the versions each was read from, and
``tests/test_pinned.py`` fails when an installed version differs, so that an upgrade
starts with reading these functions against the new source:

- faster-whisper: the Silero model behind ``faster_whisper.vad.get_vad_model``, which
  rehearse replaces by one that remembers its answers (``speech.vad``); and how
  ``BatchedInferencePipeline`` finds and packs speech into windows when asked for its VAD
  filter without parameters, and where its VAD ends a stretch of speech, copied so that
  the live transcription (``speech.live``) cuts a take where the offline run does.
- soundfile: libsndfile's ``sf_command`` through soundfile's private ``_snd`` and
  ``_ffi``, to rewrite a WAV header while recording (``speech.capture``).
"""

from __future__ import annotations

import threading
from typing import Any, Callable

import numpy as np

WRITTEN_AGAINST = {"faster-whisper": "1.2.1", "soundfile": "0.14.0"}

# What BatchedInferencePipeline.transcribe(vad_filter=True) uses without vad_parameters:
# VadOptions(max_speech_duration_s=chunk_length, min_silence_duration_ms=160), then
# collect_chunks(..., max_duration=chunk_length), chunk_length being 30 s.
PIPELINE_WINDOW_SPEECH_S = 30.0
PIPELINE_MIN_SILENCE_MS = 160
# VadOptions.neg_threshold's default: speech ends where the probability falls this far
# below the speech threshold.
SILERO_OFF_DROP = 0.15
# libsndfile's command to rewrite the header now (sndfile.h; soundfile does not export it).
SFC_UPDATE_HEADER_NOW = 0x1060

_WRAP_LOCK = threading.Lock()


def silero_model() -> Callable[..., Any]:
    """The Silero VAD model faster-whisper's ``get_speech_timestamps`` calls (loaded once)."""
    from faster_whisper.vad import get_vad_model

    return get_vad_model()


def wrap_silero_model(wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Make faster-whisper's ``get_vad_model`` return ``wrap(its model)``, once per process.

    ``get_speech_timestamps`` looks ``get_vad_model`` up in its module on every call, so
    replacing that one function covers the batched pipeline too. The wrapper is built
    on first use, under a lock; a second call leaves the first wrapper in place.
    """
    from faster_whisper import vad as fw_vad

    with _WRAP_LOCK:
        if getattr(fw_vad.get_vad_model, "rehearse_wrapped", False):
            return
        original = fw_vad.get_vad_model
        built: list[Callable[..., Any]] = []
        lock = threading.Lock()

        def get_vad_model() -> Callable[..., Any]:
            with lock:
                if not built:
                    built.append(wrap(original()))
                return built[0]

        get_vad_model.rehearse_wrapped = True  # type: ignore[attr-defined]
        fw_vad.get_vad_model = get_vad_model


def silero_off_threshold(threshold: float) -> float:
    """The probability below which faster-whisper's VAD ends a stretch of speech begun above ``threshold``."""
    return threshold - SILERO_OFF_DROP


def speech_timestamps(y: np.ndarray, *, sample_rate: int, **vad_options: Any) -> list[tuple[int, int]]:
    """Silero's speech stretches as (start, end) sample indices, through faster-whisper.

    Args:
        y: mono float32.
        sample_rate: Hz (16000).
        vad_options: fields of ``faster_whisper.vad.VadOptions`` (``threshold``,
            ``min_silence_duration_ms``, ``speech_pad_ms``, ...).
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    stamps = get_speech_timestamps(y, VadOptions(**vad_options), sampling_rate=sample_rate)
    return [(s["start"], s["end"]) for s in stamps]


def pipeline_windows(y: np.ndarray, *, sample_rate: int) -> list[tuple[int, int]]:
    """The windows ``BatchedInferencePipeline`` would decode ``y`` in, as (start, end) samples.

    Speech found with the pipeline's VAD settings, packed greedily as its
    ``collect_chunks`` does: a stretch that would take a window over 30 s of speech
    starts the next one. A window spans from its first stretch's start to its last one's end.
    """
    windows: list[list[int]] = []
    speech = 0
    limit = PIPELINE_WINDOW_SPEECH_S * sample_rate
    for start, end in speech_timestamps(y, sample_rate=sample_rate, max_speech_duration_s=PIPELINE_WINDOW_SPEECH_S,
                                        min_silence_duration_ms=PIPELINE_MIN_SILENCE_MS):
        length = end - start
        if not windows or speech + length > limit:
            windows.append([start, end])
            speech = length
        else:
            windows[-1][1] = end
            speech += length
    return [(a, b) for a, b in windows]


def update_header_now(sound_file: Any) -> None:
    """Rewrite an open ``soundfile.SoundFile``'s header for the frames written so far.

    A WAV being recorded is then readable, with its true length, if the process dies.
    """
    from soundfile import _ffi, _snd

    _snd.sf_command(sound_file._file, SFC_UPDATE_HEADER_NOW, _ffi.NULL, 0)

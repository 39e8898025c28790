"""The adapter around third-party internals (speech/pinned.py): the versions it was written
against are the ones installed, and what it copies still matches the original."""

from __future__ import annotations

import struct
from importlib import metadata

import numpy as np
import pytest
import soundfile as sf

from rehearse.speech import audio, pinned


@pytest.mark.parametrize("package", sorted(pinned.WRITTEN_AGAINST))
def test_installed_version_is_the_one_the_adapter_was_written_against(package):
    installed = metadata.version(package)
    assert installed == pinned.WRITTEN_AGAINST[package], (
        f"{package} {installed} is installed, but src/rehearse/speech/pinned.py was written against "
        f"{pinned.WRITTEN_AGAINST[package]}: read each function there against the new source, "
        "then update WRITTEN_AGAINST and the pin in pyproject.toml")


def test_pipeline_windows_are_faster_whispers_own(shared_audio):
    """The copy of the pipeline's packing gives the windows faster-whisper's collect_chunks gives,
    on real speech of more than one window with silence in it."""
    from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

    gap = np.zeros(int(1.5 * audio.SAMPLE_RATE), np.float32)
    y = np.concatenate([audio.load(shared_audio / "mfa_acoustic_corpus.wav").samples, gap,
                        audio.load(shared_audio / "jfk.flac").samples, gap,
                        audio.load(shared_audio / "mfa_crossword.flac").samples])
    options = VadOptions(max_speech_duration_s=pinned.PIPELINE_WINDOW_SPEECH_S,
                         min_silence_duration_ms=pinned.PIPELINE_MIN_SILENCE_MS)
    chunks, metadata_ = collect_chunks(y, get_speech_timestamps(y, options), max_duration=pinned.PIPELINE_WINDOW_SPEECH_S)
    ours = pinned.pipeline_windows(y, sample_rate=audio.SAMPLE_RATE)
    # faster-whisper leaves the stretch that opens a later window out of its "segments",
    # but not out of its audio: compare the windows' ends and their lengths of speech.
    assert len(ours) == len(chunks) >= 2
    assert [end for _, end in ours] == [m["segments"][-1]["end"] for m in metadata_]
    assert ours[0][0] == metadata_[0]["segments"][0]["start"]
    stretches = pinned.speech_timestamps(y, sample_rate=audio.SAMPLE_RATE, max_speech_duration_s=pinned.PIPELINE_WINDOW_SPEECH_S,
                                         min_silence_duration_ms=pinned.PIPELINE_MIN_SILENCE_MS)
    speech = [sum(b - a for a, b in stretches if start <= a and b <= end) for start, end in ours]
    assert speech == [chunk.size for chunk in chunks]


def _data_chunk_size(path) -> int:
    """The data size a canonical 44-byte WAV header claims (what a player trusts)."""
    header = path.read_bytes()[:44]
    assert header[36:40] == b"data"
    return struct.unpack("<I", header[40:44])[0]


def test_header_is_rewritten_while_the_file_is_open(tmp_path, rng):
    path = tmp_path / "take.wav"
    y = (0.1 * rng.standard_normal(audio.SAMPLE_RATE)).astype(np.float32)
    with sf.SoundFile(path, "w", samplerate=audio.SAMPLE_RATE, channels=1, subtype="PCM_16") as f:
        f.write(y)
        f.flush()
        assert _data_chunk_size(path) == 0  # flush alone leaves the sizes for close to write
        pinned.update_header_now(f)
        assert _data_chunk_size(path) == 2 * y.size


def test_silero_model_is_wrapped_once():
    from faster_whisper import vad as fw_vad

    from rehearse.speech.vad import share_silero_probabilities

    share_silero_probabilities()
    first = fw_vad.get_vad_model()
    share_silero_probabilities()
    assert fw_vad.get_vad_model() is first is pinned.silero_model()
    assert type(first).__name__ == "_RememberedSilero"

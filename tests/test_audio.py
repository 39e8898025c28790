"""Decoding: every format a user records in, and one clear error for each bad input."""

from __future__ import annotations

import subprocess
import sys
import av
import numpy as np
import pytest
import soundfile as sf

from rehearse.speech import audio
from rehearse.errors import AudioError


def _encode(samples: np.ndarray, path, *, codec: str, sample_rate: int = 16000, channels: int = 1) -> None:
    """Encode with PyAV (the same FFmpeg libraries the decoder uses)."""
    layout = "mono" if channels == 1 else "stereo"
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=sample_rate, layout=layout)
        frame_size = 1024
        interleaved = samples.reshape(-1, channels) if channels > 1 else samples.reshape(-1, 1)
        for start in range(0, interleaved.shape[0], frame_size):
            block = np.ascontiguousarray(interleaved[start : start + frame_size].T.astype(np.float32))
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
            frame.sample_rate = sample_rate
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


@pytest.fixture
def tone():
    t = np.arange(16000 * 3) / 16000
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


@pytest.mark.parametrize(
    ("suffix", "codec"),
    [(".mp3", "libmp3lame"), (".m4a", "aac"), (".ogg", "vorbis"), (".webm", "libopus"), (".flac", "flac"), (".wav", "pcm_s16le")],
    ids=["mp3", "m4a", "ogg", "webm", "flac", "wav"],
)
def test_every_user_format_decodes_to_16k_mono(tmp_path, tone, suffix, codec):
    path = tmp_path / f"take{suffix}"
    rate = 48000 if codec == "libopus" else 16000
    samples = tone if rate == 16000 else np.interp(np.arange(tone.size * 3) / 3, np.arange(tone.size), tone).astype(np.float32)
    if codec == "vorbis":  # FFmpeg's own Vorbis encoder is experimental; libsndfile writes Ogg Vorbis
        sf.write(path, samples, rate, format="OGG", subtype="VORBIS")
    else:
        _encode(samples, path, codec=codec, sample_rate=rate)
    take = audio.load(path)
    assert take.sample_rate == audio.SAMPLE_RATE
    assert take.samples.dtype == np.float32 and take.samples.ndim == 1
    assert take.duration == pytest.approx(3.0, abs=0.1)
    # The tone survives: its level is about -13.5 dBFS (RMS of 0.3 amplitude sine).
    rms = float(np.sqrt(np.mean(take.samples[8000:-8000] ** 2)))
    assert rms == pytest.approx(0.3 / np.sqrt(2), rel=0.15)


def test_stereo_is_downmixed(samples_dir, tmp_path):
    import soundfile as sf

    speech = audio.load(samples_dir / "strong_answer.flac").samples
    left, right = speech[: 5 * 16000], speech[5 * 16000: 10 * 16000]  # a different voice on each side
    sf.write(tmp_path / "stereo.wav", np.stack([left, right], axis=1), 16000)
    take = audio.load(tmp_path / "stereo.wav")
    assert take.channels == 2
    assert take.samples.ndim == 1
    assert take.duration == pytest.approx(5.0, abs=0.05)
    for side in (left, right):  # both channels are in the mix
        assert np.corrcoef(take.samples, side)[0, 1] > 0.5


def _make_bad(kind: str, tmp_path, tone):
    path = tmp_path / {"missing": "nope.wav", "empty": "empty.wav", "text": "notes.mp3", "truncated_wav": "cut.wav",
                       "truncated_flac": "cut.flac", "silent": "silent.wav", "folder": "folder.wav"}[kind]
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("this is a shopping list, not audio\n" * 50)
    elif kind in ("truncated_wav", "truncated_flac"):
        full = tmp_path / ("full.wav" if kind == "truncated_wav" else "full.flac")
        sf.write(full, tone, 16000)
        data = full.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "silent":
        sf.write(path, np.zeros(16000 * 2, np.float32), 16000)
    elif kind == "folder":
        path.mkdir()
    return path


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("missing", pytest.raises(AudioError, match="no such file")),
        ("empty", pytest.raises(AudioError, match="empty")),
        ("text", pytest.raises(AudioError, match="not an audio file")),
        ("truncated_wav", pytest.raises(AudioError, match="truncated")),
        ("truncated_flac", pytest.raises(AudioError, match="truncated")),
        ("silent", pytest.raises(AudioError, match="silent")),
        ("folder", pytest.raises(AudioError, match="folder")),
    ],
)
def test_bad_inputs_raise_one_clear_error(tmp_path, tone, kind, expected):
    path = _make_bad(kind, tmp_path, tone)
    with expected as error:
        audio.load(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize("kind", ["missing", "empty", "text", "truncated_wav", "silent"])
def test_cli_bad_input_is_one_line_and_exit_1(tmp_path, tone, kind):
    path = _make_bad(kind, tmp_path, tone)
    result = subprocess.run([sys.executable, "-m", "rehearse", "analyze", str(path), "--no-history"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("rehearse: error: ") and str(path) in lines[0]
    assert "Traceback" not in result.stderr


def test_from_array_resamples_and_downmixes():
    stereo = np.stack([np.ones(44100, np.float32) * 0.5, np.zeros(44100, np.float32)], axis=1)
    take = audio.from_array(stereo, sample_rate=44100)
    assert take.channels == 2
    assert take.duration == pytest.approx(1.0, abs=1e-3)
    assert float(np.median(take.samples)) == pytest.approx(0.25, abs=0.01)


def test_frame_rms_db_of_a_known_level():
    levels = audio.frame_rms_db(np.full(16000, 0.1, np.float32))
    assert levels.size == (16000 - audio.FRAME_LENGTH) // audio.HOP_LENGTH + 1
    np.testing.assert_allclose(levels, -20.0, atol=0.01)

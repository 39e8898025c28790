"""Decoding audio files to 16 kHz mono float32, with errors a user can act on."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rehearse.errors import AudioError

_log = logging.getLogger("rehearse")

SAMPLE_RATE = 16000  # Hz: what Whisper and Silero VAD expect
FRAME_S = 0.025  # analysis window for energy and pitch, 25 ms
HOP_S = 0.010  # analysis hop, 10 ms
FRAME_LENGTH = int(FRAME_S * SAMPLE_RATE)  # 400 samples
HOP_LENGTH = int(HOP_S * SAMPLE_RATE)  # 160 samples

# A file whose peak stays below this (about -80 dBFS) holds no usable speech.
SILENT_PEAK = 1e-4
# Decoding may stop early on a damaged file; less than this share of the declared
# duration counts as truncated.
TRUNCATED_SHARE = 0.9
# A file cut short ends in at most a partial packet; undecodable bytes after the last
# packet that decoded, more than this many of its largest packets and this share of the
# file, are junk appended after the audio (the file plays), not a cut.
JUNK_PACKETS = 4
TRAILING_SHARE = 0.05
# The longest take rehearse analyzes: interview answers run 1-3 minutes, and memory grows
# with length (``benchmarks/memory.py``: a 10 min take peaks at 0.96 GB, a 1 hour file
# took 3.7-4.1 GB before this limit), so longer files are refused before decoding.
MAX_DURATION_S = 10 * 60
SUPPORTED_EXTENSIONS = (".wav", ".mp3", ".m4a", ".flac", ".ogg", ".oga", ".opus", ".webm", ".aac", ".mp4")


@dataclass(frozen=True, slots=True)
class Audio:
    """Decoded audio.

    Attributes:
        samples: mono float32 in [-1, 1], shape (n,), at ``sample_rate``.
        sample_rate: always ``SAMPLE_RATE``.
        path: where it came from, or ``None`` for audio made in memory.
        channels: channel count of the source before the downmix.
    """

    samples: np.ndarray
    sample_rate: int
    path: str | None = None
    channels: int = 1

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.samples.size / self.sample_rate


def load(path: str | os.PathLike) -> Audio:
    """Decode any format PyAV reads to 16 kHz mono float32.

    Stereo and multichannel sources are averaged to mono. Bytes appended after the audio
    (junk after an MP3's last frame) are left out with a warning on the "rehearse" logger.

    Raises:
        AudioError: the file is missing, empty, not audio, truncated, silent, or longer
            than ``MAX_DURATION_S``.
    """
    file = Path(path)
    if not file.exists():
        raise AudioError(f"{file}: no such file")
    if file.is_dir():
        raise AudioError(f"{file}: is a folder, expected an audio file")
    size = file.stat().st_size
    if size == 0:
        raise AudioError(f"{file}: the file is empty")
    samples, channels, declared_s, trailing = _decode(file)
    wav_s = _wav_declared_duration(file)
    declared_s = wav_s or declared_s
    if samples.size == 0:
        raise AudioError(f"{file}: holds no audio samples (truncated or not audio)")
    decoded_s = samples.size / SAMPLE_RATE
    if declared_s and decoded_s < TRUNCATED_SHARE * declared_s and not wav_s and trailing > TRAILING_SHARE * size:
        # The header's duration was estimated from the file size (an MP3 without a Xing
        # header), and bytes after the last frame that decoded are not audio: it plays, so use it.
        _log.warning("%s: %.1f s of audio decoded; the last %d KB of the file are not audio and were left out",
                     file, decoded_s, max(1, trailing // 1024))
    elif declared_s and decoded_s < TRUNCATED_SHARE * declared_s:
        raise AudioError(
            f"{file}: truncated: decoded {samples.size / SAMPLE_RATE:.1f} s of "
            f"{declared_s:.1f} s declared in its header"
        )
    if float(np.max(np.abs(samples))) < SILENT_PEAK:
        raise AudioError(f"{file}: is silent ({samples.size / SAMPLE_RATE:.1f} s with no sound)")
    return Audio(samples=samples, sample_rate=SAMPLE_RATE, path=str(file), channels=channels)


def from_array(samples: np.ndarray, *, sample_rate: int, path: str | None = None) -> Audio:
    """Wrap samples recorded in memory, resampling and downmixing as ``load`` does.

    Args:
        samples: shape (n,) or (n, channels), float in [-1, 1] or int16.
        sample_rate: of ``samples``, in Hz.
    """
    y = np.asarray(samples)
    if y.dtype == np.int16:
        y = y.astype(np.float32) / 32768.0
    channels = 1 if y.ndim == 1 else y.shape[1]
    if y.ndim == 2:
        y = y.mean(axis=1)
    y = y.astype(np.float32)
    if sample_rate != SAMPLE_RATE:
        import soxr

        y = soxr.resample(y, sample_rate, SAMPLE_RATE).astype(np.float32)
    return Audio(samples=y, sample_rate=SAMPLE_RATE, path=path, channels=channels)


def _decode(file: Path) -> tuple[np.ndarray, int, float | None, int]:
    """Samples, source channels, declared seconds, and bytes left undecoded at the end."""
    import av

    try:
        container = av.open(str(file), mode="r", metadata_errors="ignore")
    except av.error.InvalidDataError as e:
        raise AudioError(f"{file}: not an audio file (no known audio format in it)") from e
    except av.error.FFmpegError as e:
        raise AudioError(f"{file}: cannot be opened as audio: {e.strerror or e}") from e
    with container:
        if not container.streams.audio:
            raise AudioError(f"{file}: not an audio file (no audio stream in it)")
        stream = container.streams.audio[0]
        channels = stream.channels or 1
        declared_s = None
        if stream.duration is not None and stream.time_base is not None:
            declared_s = float(stream.duration * stream.time_base)
        elif container.duration:
            declared_s = container.duration / 1_000_000
        if declared_s is not None and declared_s > MAX_DURATION_S:
            raise _too_long(file, declared_s)
        # Planar float at the source's layout, averaged here: FFmpeg's own downmix to mono
        # sums the front channels (5.1 comes out 2-3x louder and clips).
        resampler = av.AudioResampler(format="fltp", rate=SAMPLE_RATE)
        pieces: list[np.ndarray] = []
        kept = 0
        decoded_to = 0  # byte offset just past the last packet that decoded
        largest = 0  # bytes of the largest packet that decoded
        try:
            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except av.error.FFmpegError:
                    if not pieces:
                        raise
                    break  # a damaged tail: keep what decoded; the duration check decides
                for frame in frames:
                    for resampled in resampler.resample(frame):
                        pieces.append(_mono(resampled.to_ndarray()))
                        kept += pieces[-1].size
                if frames and packet.pos is not None and packet.pos >= 0:
                    decoded_to = max(decoded_to, packet.pos + packet.size)
                    largest = max(largest, packet.size)
                if kept > MAX_DURATION_S * SAMPLE_RATE:  # no duration in the header: stop at the limit
                    raise _too_long(file, kept / SAMPLE_RATE)
        except av.error.FFmpegError as e:
            if not pieces:
                raise AudioError(f"{file}: not decodable audio: {e}") from e
        for resampled in resampler.resample(None):
            pieces.append(_mono(resampled.to_ndarray()))
    samples = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
    size = file.stat().st_size
    trailing = size - decoded_to if 0 < decoded_to < size else 0
    if trailing <= JUNK_PACKETS * largest:
        trailing = 0
    return samples.astype(np.float32, copy=False), channels, declared_s, trailing


def _mono(planes: np.ndarray) -> np.ndarray:
    """(channels, n) planar samples averaged to (n,) float32."""
    return planes[0].astype(np.float32, copy=False) if planes.shape[0] == 1 else planes.mean(axis=0, dtype=np.float32)


def _too_long(file: Path, seconds: float) -> AudioError:
    return AudioError(f"{file}: {seconds / 60:.0f} min long; rehearse analyzes takes up to {MAX_DURATION_S / 60:.0f} min "
                      f"(an interview answer is 1-3 min): cut the answer out of the recording first")


def _wav_declared_duration(file: Path) -> float | None:
    """Duration a RIFF/WAVE header promises, or None for other files.

    FFmpeg sizes a WAV by the bytes present, so a WAV cut short decodes without
    complaint; the header's data-chunk size still tells how long it should be.
    """
    import struct

    with open(file, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        byte_rate = None
        while True:
            chunk = f.read(8)
            if len(chunk) < 8:
                return None
            chunk_id, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if chunk_id == b"fmt ":
                fmt = f.read(size + (size & 1))
                if len(fmt) >= 12:
                    byte_rate = struct.unpack("<I", fmt[8:12])[0]
                continue
            if chunk_id == b"data":
                # 0 and 0xFFFFFFFF mean "unknown" (streamed WAV): nothing promised.
                if not byte_rate or size in (0, 0xFFFFFFFF):
                    return None
                return size / byte_rate
            f.seek(size + (size & 1), 1)


def frame_rms_db(y: np.ndarray) -> np.ndarray:
    """RMS level of each 25 ms frame at a 10 ms hop, in dBFS, shape (frames,)."""
    if y.size < FRAME_LENGTH:
        y = np.pad(y, (0, FRAME_LENGTH - y.size))
    frames = np.lib.stride_tricks.sliding_window_view(y, FRAME_LENGTH)[::HOP_LENGTH]
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    return (20 * np.log10(np.maximum(rms, 1e-10))).astype(np.float32)


def frame_times(n_frames: int) -> np.ndarray:
    """Centre time in seconds of each analysis frame."""
    return (np.arange(n_frames) * HOP_LENGTH + FRAME_LENGTH / 2) / SAMPLE_RATE

"""Frame features computed once per take and shared by every delivery measure.

25 ms frames at a 10 ms hop (``audio.FRAME_S``, ``audio.HOP_S``): level in dBFS,
F0 and aperiodicity from YIN, voicing, MFCCs, and Silero's speech decision.

YIN and the MFCCs are written here with numpy rather than taken from librosa:
``librosa.yin`` compiles numba code on its first call in every process (about 2 s
here) and does not return the aperiodicity that tells voiced frames from breaths and
noise, and importing librosa's spectral code costs about 0.75 s per process, a
quarter of the time a whole 90 s analysis takes. ``numpy.fft`` rather than
``scipy.fft`` for the same reason: importing ``scipy.fft`` costs 0.15 s per process,
more than the transforms themselves. The tests check both against librosa on real speech.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rehearse.options import PauseOptions, ProsodyOptions
from rehearse.speech.audio import FRAME_LENGTH, HOP_LENGTH, SAMPLE_RATE, frame_rms_db, frame_times
from rehearse.speech.vad import Span, speech_spans

YIN_FRAME_LENGTH = 1024  # samples: two periods of the lowest F0 (65 Hz) fit in 64 ms
YIN_THRESHOLD = 0.15  # first CMND dip below this is the period (de Cheveigné & Kawahara)
MAX_VOICED_APERIODICITY = 0.35  # frames above this are breath, noise or silence
# Pitch is looked for in frames within this much of the take's loudest (its 0.99 level
# quantile), whatever their absolute level: the filled-pause check judges voice
# relative to the take, so a quiet microphone must not lose its pitch.
PITCH_SEARCH_BELOW_PEAK_DB = 45.0
N_MFCC = 13
YIN_BLOCK_FRAMES = 1000  # 10 s of frames per block: bounded memory, numpy still vectorised


@dataclass(frozen=True, slots=True)
class Frames:
    """Per-frame features of one take, all shape (n_frames,) unless noted.

    Attributes:
        times: frame centre in seconds.
        rms_db: level in dBFS.
        f0_hz: fundamental frequency, NaN where unvoiced.
        pitch_hz: fundamental frequency wherever YIN found a period within
            ``PITCH_SEARCH_BELOW_PEAK_DB`` of the take's peak, whatever the silence
            level (NaN elsewhere): for checks that judge levels relative to the take.
        aperiodicity: YIN's CMND at the chosen period, 0 (periodic) to 1 (noise).
        voiced: periodic and above the silence level.
        silent: below the silence level or outside VAD speech.
        mfcc: shape (N_MFCC, n_frames).
        speech: Silero VAD speech stretches.
        silence_db: the level below which a frame is silent, in dBFS.
    """

    times: np.ndarray
    rms_db: np.ndarray
    f0_hz: np.ndarray
    pitch_hz: np.ndarray
    aperiodicity: np.ndarray
    voiced: np.ndarray
    silent: np.ndarray
    mfcc: np.ndarray
    speech: tuple[Span, ...]
    silence_db: float

    def between(self, start_s: float, end_s: float) -> slice:
        """Frames whose centres lie in [start_s, end_s)."""
        return slice(int(np.searchsorted(self.times, start_s)), int(np.searchsorted(self.times, end_s)))


def compute(y: np.ndarray, *, pauses: PauseOptions, prosody: ProsodyOptions) -> Frames:
    """Compute the shared frame features of a 16 kHz mono take."""
    # First, so that a transcription running beside this finds Silero's answer ready.
    speech = tuple(speech_spans(y, threshold=pauses.vad_threshold))
    rms_db = frame_rms_db(y)
    n = rms_db.size
    peak_db = float(np.quantile(rms_db, 0.99)) if n else -100.0
    noise_db = float(np.quantile(rms_db, pauses.noise_floor_quantile)) if n else -100.0
    silence_db = max(
        peak_db - pauses.silence_below_peak_db,
        min(noise_db + pauses.above_noise_db, peak_db - pauses.max_silence_below_peak_db),
        pauses.min_silence_floor_dbfs,
    )
    # Pitch is only looked for where there is sound: half the work on a typical take.
    search = rms_db > min(silence_db, peak_db - PITCH_SEARCH_BELOW_PEAK_DB)
    f0, aperiodicity = yin(y, fmin_hz=prosody.fmin_hz, fmax_hz=prosody.fmax_hz, n_frames=n, only=search)
    times = frame_times(n)
    in_speech = np.zeros(n, dtype=bool)
    for span in speech:
        in_speech[np.searchsorted(times, span.start) : np.searchsorted(times, span.end)] = True
    loud = rms_db > silence_db
    voiced = loud & (aperiodicity < MAX_VOICED_APERIODICITY)
    pitch = np.where(aperiodicity < MAX_VOICED_APERIODICITY, f0, np.nan)
    f0 = np.where(voiced, f0, np.nan)
    mfcc = mfccs(y, n_frames=n)
    return Frames(
        times=times,
        rms_db=rms_db,
        f0_hz=f0.astype(np.float32),
        pitch_hz=pitch.astype(np.float32),
        aperiodicity=aperiodicity.astype(np.float32),
        voiced=voiced,
        silent=~loud | ~in_speech,
        mfcc=mfcc.astype(np.float32),
        speech=speech,
        silence_db=silence_db,
    )


def yin(
    y: np.ndarray, *, fmin_hz: float, fmax_hz: float, n_frames: int, only: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """F0 and aperiodicity per 10 ms hop by YIN (de Cheveigné & Kawahara 2002).

    Frames are centred like ``audio.frame_rms_db`` frames so indices line up.
    ``only`` (bool, shape (n_frames,)) limits the work to those frames; the others
    get NaN and aperiodicity 1.

    Returns:
        f0_hz: shape (n_frames,), NaN where no period was found.
        aperiodicity: shape (n_frames,), the cumulative mean normalised difference
            at the chosen lag (1 where no period was found).
    """
    min_lag = max(2, int(SAMPLE_RATE / fmax_hz))
    max_lag = int(SAMPLE_RATE / fmin_hz) + 1
    pad = (YIN_FRAME_LENGTH - FRAME_LENGTH) // 2
    padded = np.pad(y.astype(np.float32), (pad, pad + YIN_FRAME_LENGTH))
    all_frames = np.lib.stride_tricks.sliding_window_view(padded, YIN_FRAME_LENGTH)[::HOP_LENGTH][:n_frames]
    selected = np.arange(all_frames.shape[0]) if only is None else np.flatnonzero(only[: all_frames.shape[0]])
    f0_out = np.full(n_frames, np.nan)
    aperiodicity_out = np.ones(n_frames)
    if selected.size == 0:
        return f0_out, aperiodicity_out
    # In blocks: a whole take at once holds several arrays of frames x 2048 (about 0.4 GB
    # for two minutes), and this runs beside Whisper.
    for first in range(0, selected.size, YIN_BLOCK_FRAMES):
        rows = selected[first : first + YIN_BLOCK_FRAMES]
        f0_out[rows], aperiodicity_out[rows] = _yin_frames(all_frames[rows], min_lag=min_lag, max_lag=max_lag)
    return f0_out, aperiodicity_out


def _yin_frames(frames: np.ndarray, *, min_lag: int, max_lag: int) -> tuple[np.ndarray, np.ndarray]:
    """YIN on a block of frames, shape (n, YIN_FRAME_LENGTH): (F0 in Hz, aperiodicity)."""
    frames = frames - frames.mean(axis=1, keepdims=True)
    integration = YIN_FRAME_LENGTH - max_lag
    n_fft = 2 * YIN_FRAME_LENGTH
    spectrum = np.fft.rfft(frames, n_fft, axis=1)
    head = np.fft.rfft(frames[:, :integration], n_fft, axis=1)
    cross = np.fft.irfft(spectrum * np.conj(head), n_fft, axis=1)[:, : max_lag + 1]
    energy = np.cumsum(np.pad(frames.astype(np.float64) ** 2, ((0, 0), (1, 0))), axis=1)
    head_energy = energy[:, integration][:, None]
    lags = np.arange(max_lag + 1)
    shifted_energy = energy[:, lags + integration] - energy[:, lags]
    difference = np.maximum(head_energy + shifted_energy - 2 * cross, 0.0)
    cumulative = np.cumsum(difference[:, 1:], axis=1)
    cmnd = np.ones_like(difference)
    cmnd[:, 1:] = difference[:, 1:] * lags[1:] / np.maximum(cumulative, 1e-12)
    search = cmnd[:, min_lag : max_lag]
    local_min = np.zeros_like(search, dtype=bool)
    local_min[:, 1:-1] = (search[:, 1:-1] < search[:, :-2]) & (search[:, 1:-1] <= search[:, 2:])
    candidates = local_min & (search < YIN_THRESHOLD)
    first = np.where(candidates.any(axis=1), candidates.argmax(axis=1), search.argmin(axis=1))
    rows = np.arange(search.shape[0])
    aperiodicity = search[rows, first]
    # Parabolic interpolation around the chosen lag for sub-sample precision.
    left = search[rows, np.maximum(first - 1, 0)]
    right = search[rows, np.minimum(first + 1, search.shape[1] - 1)]
    denominator = left - 2 * aperiodicity + right
    shift = np.where(np.abs(denominator) > 1e-12, 0.5 * (left - right) / np.where(denominator == 0, 1, denominator), 0.0)
    lag = first + min_lag + np.clip(shift, -1, 1)
    f0 = SAMPLE_RATE / lag
    silent_frame = energy[:, -1] < 1e-8
    f0[silent_frame] = np.nan
    aperiodicity = np.where(silent_frame, 1.0, np.clip(aperiodicity, 0.0, 1.0))
    return f0, aperiodicity


def mel_filterbank(*, n_fft: int, n_mels: int, fmin_hz: float = 0.0, fmax_hz: float = SAMPLE_RATE / 2) -> np.ndarray:
    """Triangular filters on the HTK mel scale, shape (n_mels, n_fft // 2 + 1), area-normalised."""
    def hz_to_mel(f):
        return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)

    def mel_to_hz(m):
        return 700.0 * (10.0 ** (np.asarray(m) / 2595.0) - 1.0)

    bin_hz = np.linspace(0, SAMPLE_RATE / 2, n_fft // 2 + 1)
    edges_hz = mel_to_hz(np.linspace(hz_to_mel(fmin_hz), hz_to_mel(fmax_hz), n_mels + 2))
    lower, centre, upper = edges_hz[:-2, None], edges_hz[1:-1, None], edges_hz[2:, None]
    rising = (bin_hz - lower) / (centre - lower)
    falling = (upper - bin_hz) / (upper - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return weights * (2.0 / (upper - lower))


_MEL_BANDS = 40


def _dct_ii_matrix(n_in: int, n_out: int) -> np.ndarray:
    """The first ``n_out`` rows of the orthonormal DCT-II of length ``n_in`` (scipy's ``norm="ortho"``)."""
    k, n = np.arange(n_out)[:, None], np.arange(n_in)[None, :]
    basis = np.cos(np.pi * k * (2 * n + 1) / (2 * n_in)) * np.sqrt(2.0 / n_in)
    basis[0] /= np.sqrt(2.0)
    return basis


_DCT_II = _dct_ii_matrix(_MEL_BANDS, N_MFCC)
# Periodic Hann, as STFT front ends (and librosa) use.
_HANN = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FRAME_LENGTH) / FRAME_LENGTH)).astype(np.float32)


def mfccs(y: np.ndarray, *, n_frames: int) -> np.ndarray:
    """MFCCs 0..N_MFCC-1 of 25 ms Hann frames at a 10 ms hop, shape (N_MFCC, n_frames)."""
    padded = np.pad(y.astype(np.float32), (0, max(0, FRAME_LENGTH + (n_frames - 1) * HOP_LENGTH - y.size)))
    frames = np.lib.stride_tricks.sliding_window_view(padded, FRAME_LENGTH)[::HOP_LENGTH][:n_frames]
    power = np.abs(np.fft.rfft(frames * _HANN, axis=1)) ** 2
    mel = power @ mel_filterbank(n_fft=FRAME_LENGTH, n_mels=_MEL_BANDS).T
    log_mel = 10.0 * np.log10(np.maximum(mel, 1e-10))
    return _DCT_II @ log_mel.T

"""Speech to words with timestamps: faster-whisper on the CPU, primed to keep fillers.

How a take is transcribed, and why:

- Silero VAD finds the speech; the speech is packed into windows of at most 30 s
  (silences between stretches left out) and the windows are decoded as one batch by
  ``BatchedInferencePipeline``. Leaving the silences out means fewer 30 s encoder
  passes and no text invented in long pauses; batching uses both cores.
- Every window is primed with a short disfluent prompt. Plain Whisper drops most
  "um"/"uh" (its training text lacks them); a short prompt brought about 0.9 of
  them back on real speech here, where a long prompt kept only 0.4 and can drop
  sentences (whisperX #693). The batched pipeline puts the prompt in front of each
  window, not only the first.
- Nothing is ever decoded as a clip longer than 30 s: faster-whisper keeps only the
  first 30 s of a longer clip, silently. Retries are cut from the speech itself.
- The fallbacks are fixed and bounded, never random (no temperature sampling: the same
  take gives the same words on every run). A window that loops (far more tokens than
  its speech allows, or text that compresses too well) is decoded again whole without
  the prompt. Speech still left without words is then decoded in pieces cut at pauses
  (at most ``retry_piece_s`` long, each with a little context), first longer pieces,
  then shorter ones; every retry's tokens are capped by its length of speech, and a
  take gets at most ``max_retries_per_window`` retries per window.
- Speech that no decode could turn into words is returned as ``Transcript.unheard``,
  so the delivery measures leave it out instead of blaming the speaker for it.
"""

from __future__ import annotations

import math
import threading
import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from rehearse.speech.audio import SAMPLE_RATE, Audio
from rehearse.errors import ModelError
from rehearse.speech.models import DEFAULT_BEAM_SIZE, DEFAULT_MODEL
from rehearse.speech.vad import Span

FILLER_PROMPT = "Um, uh, hmm, er, ah."
ProgressCallback = Callable[[float, float], None]
# Whisper's encoder sees 30 s; faster-whisper drops whatever a clip holds beyond that.
WHISPER_WINDOW_S = 30.0
# The batched pipeline's own VAD settings (BatchedInferencePipeline.transcribe), kept so
# the windows are the ones it would build (and the ones ``live`` predicts).
PIPELINE_MIN_SILENCE_MS = 160
# Whisper's 448-token context less the prompt.
MAX_NEW_TOKENS = 200


@dataclass(frozen=True, slots=True)
class TranscriptionOptions:
    """How Whisper runs.

    Attributes:
        model: built-in name or CTranslate2 model directory (see ``models.resolve``).
        compute_type: CTranslate2 compute type; int8 is the fastest on a laptop CPU.
        cpu_threads: threads for one decode; more than 4 rarely helps.
        beam_size: beams searched per window; 1 is greedy. Measured on the benchmark's
            real clips with the filler prompt, beam 5 against greedy: word error rate
            0.188 against 0.203 on a 2-minute answer and 0.383 against 0.395 on the
            short fluent clips, the same filled pauses found, for about 0.2 s more per
            2 minutes of speech. ``--beam-size 1`` trades that for speed.
        batch_size: windows decoded together. Measured on a 2-minute take (3 windows),
            beam 5: 4 windows take 1.40 s and peak at 530 MB, 2 take 1.46 s and 455 MB,
            1 takes 1.57 s and 365 MB; 2 keeps ``analyze`` under 600 MB with the frame
            features computed beside it.
        language: spoken language code, or ``None`` to detect it (multilingual models).
        initial_prompt: text every window is primed with; ``None`` for plain Whisper.
        max_tokens_per_speech_s: more tokens than this per second of speech in a
            window means the decoder looped (fluent speech is about 3-5 tokens/s);
            retries may not emit more than this many per second of their speech.
        max_compression_ratio: text that compresses better than this is repetitive
            (Whisper's own fallback uses 2.4).
        min_unheard_speech_s: a stretch of VAD speech this long that no word reaches
            is decoded again, and reported as unheard if it stays without words.
        word_reach_s: a word accounts for the speech this far around it (word times
            from cross-attention are off by a few hundred milliseconds).
        merge_gap_s: VAD speech stretches closer than this are one stretch (a breath
            or a short pause inside a sentence): a sentence lost in two halves of
            1.1 s each is 2.6 s of speech without words, not two short noises.
        retry_piece_s: lengths of the pieces speech left without words is cut into,
            at pauses, one round each (longer pieces keep context, shorter ones force
            the decoder through speech it skipped).
        retry_context_s: audio decoded on each side of a piece, whose words are dropped.
        max_retries_per_window: decodes after the first pass, per 30 s window of
            speech in the take: the bound on the work a hard take can cost.
        sound_above_floor_db: a 32 ms frame this far above the take's noise floor (its
            10th percentile level) is sound. Silero misses speech that is quiet or
            band-limited (a phone line: 0.5 of it found nothing in 20 s of speech at
            -11 dB), and the windows hold only what Silero hears; sound that no word
            reaches is decoded in pieces too, under the same confidence gate.
        min_sound_dbfs: and at least this loud, so digital silence is never sound.
        min_retry_logprob: a piece decoded alone keeps its words only when the
            decoder's mean log-probability per token is at least this. Alone, without
            the words around it, Whisper reads unintelligible sound as text: time-reversed
            speech came out as "see you later in the hot games" at -0.88 and a loop at
            -0.72, where speech the first pass had skipped came back at -0.14 to -0.45.
    """

    model: str = DEFAULT_MODEL
    compute_type: str = "int8"
    cpu_threads: int = 2
    beam_size: int = DEFAULT_BEAM_SIZE
    batch_size: int = 2
    language: str | None = "en"
    initial_prompt: str | None = FILLER_PROMPT
    max_tokens_per_speech_s: float = 9.0
    max_compression_ratio: float = 2.4
    min_unheard_speech_s: float = 1.5
    word_reach_s: float = 0.3
    merge_gap_s: float = 1.0
    retry_piece_s: tuple[float, ...] = (20.0, 8.0)
    retry_context_s: float = 0.5
    max_retries_per_window: int = 3
    min_retry_logprob: float = -0.7
    sound_above_floor_db: float = 10.0
    min_sound_dbfs: float = -55.0


@dataclass(frozen=True, slots=True)
class Word:
    """One transcribed word.

    Attributes:
        text: as Whisper wrote it, punctuation included ("Um," "problems.").
        start: seconds from the start of the take.
        end: seconds from the start of the take.
        probability: Whisper's confidence in the word, 0-1.
    """

    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True, slots=True)
class Transcript:
    """Words of a take in time order.

    Attributes:
        words: every word with its time and confidence.
        language: the language decoded.
        model: the model name or path used.
        retried_windows: stretches decoded again after the first pass, as
            ``(start, end, reason)`` in seconds.
        unheard: stretches of speech (Silero VAD) that no decode turned into words:
            noise, a voice too quiet or too distorted for the model. Not the speaker's
            silence: pace and pauses leave them out.
    """

    words: tuple[Word, ...]
    language: str
    model: str
    retried_windows: tuple[tuple[float, float, str], ...] = field(default=())
    unheard: tuple[Span, ...] = field(default=())

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def unheard_s(self) -> float:
        """Seconds of speech left without words."""
        return sum(s.duration for s in self.unheard)


_MODEL_CACHE: dict[tuple[str, str, int], object] = {}
_MODEL_LOCK = threading.Lock()


def load_model(options: TranscriptionOptions):
    """Load (once per process) the faster-whisper model the options name."""
    from rehearse.speech.models import resolve

    # Resolved under the lock too: a preload and a Transcriber may ask at once, and
    # resolving may hash model.bin or join the base model's parts.
    with _MODEL_LOCK:
        path = resolve(options.model)
        key = (str(path), options.compute_type, options.cpu_threads)
        if key not in _MODEL_CACHE:
            from faster_whisper import WhisperModel

            def construct():
                return WhisperModel(
                    str(path), device="cpu", compute_type=options.compute_type, cpu_threads=options.cpu_threads
                )

            try:
                _MODEL_CACHE[key] = _on_a_thread_that_ends(construct)
            except (RuntimeError, OSError, ValueError) as e:  # CTranslate2's words for a damaged file
                raise ModelError(f"{path}: cannot load the model: {e}") from e
        return _MODEL_CACHE[key]


def preload(options: TranscriptionOptions) -> None:
    """Start loading the model in the background; ``Transcriber`` then waits for it.

    Errors are left for ``Transcriber`` to raise: it loads again and fails the same way.
    """

    def load() -> None:
        try:
            load_model(options)
        except Exception:  # reported by the Transcriber that needs the model
            pass

    threading.Thread(target=load, name="rehearse-model-preload", daemon=True).start()


def _on_a_thread_that_ends(factory):
    """``factory()``, run on a new thread that has ended when this returns.

    Measured with faster-whisper 1.2.1 and CTranslate2 4.8.5 on a 2-core x86_64 CPU, the
    same 2-minute take: a model whose building thread has ended transcribes it in
    1.1-1.3 s; one built on a thread that lives on (the main thread, a pool worker)
    in 1.7-2.0 s, greedy decoding taking 2.5x longer. Which thread calls the model does
    not matter. The cause is inside CTranslate2's threading; this sidesteps it.
    """
    result: list = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(factory())
        except BaseException as e:  # re-raised on the caller's thread
            errors.append(e)

    builder = threading.Thread(target=run, name="rehearse-model-load", daemon=True)
    builder.start()
    builder.join()
    if errors:
        raise errors[0]
    return result[0]


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Audio decoded as one Whisper window: ranges of the take joined, at most 30 s in all.

    Attributes:
        stamps: (first sample, end sample) ranges of the take, in order.
        keep: words whose middle lies in [keep[0], keep[1]) seconds are kept; None keeps all.
    """

    stamps: tuple[tuple[int, int], ...]
    keep: tuple[float, float] | None = None

    @property
    def samples(self) -> int:
        return sum(b - a for a, b in self.stamps)

    @property
    def speech_s(self) -> float:
        return self.samples / SAMPLE_RATE

    @property
    def start_s(self) -> float:
        return self.keep[0] if self.keep else self.stamps[0][0] / SAMPLE_RATE

    @property
    def end_s(self) -> float:
        return self.keep[1] if self.keep else self.stamps[-1][1] / SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class _Decoded:
    words: tuple[Word, ...]
    text: str
    tokens: int
    logprob: float = 0.0  # the decoder's mean log-probability per token

    @property
    def probability(self) -> float:
        """Mean confidence of the words, 1 when there are none."""
        return float(np.mean([w.probability for w in self.words])) if self.words else 1.0


def pipeline_windows(y: np.ndarray) -> list[_Chunk]:
    """The speech of a take packed into windows of at most 30 s, as the batched pipeline packs it.

    Silero's stretches (at most 30 s each, padded) are joined in order until the next
    one would overflow the window; that one starts the next window.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    from rehearse.speech.vad import share_silero_probabilities

    share_silero_probabilities()
    vad = VadOptions(max_speech_duration_s=WHISPER_WINDOW_S, min_silence_duration_ms=PIPELINE_MIN_SILENCE_MS)
    limit = int(WHISPER_WINDOW_S * SAMPLE_RATE)
    windows: list[list[tuple[int, int]]] = []
    length = 0
    for stamp in get_speech_timestamps(y, vad, sampling_rate=SAMPLE_RATE):
        a, b = int(stamp["start"]), int(min(stamp["end"], stamp["start"] + limit))
        if not windows or length + b - a > limit:
            windows.append([(a, b)])
            length = b - a
        else:
            windows[-1].append((a, b))
            length += b - a
    return [_Chunk(tuple(stamps)) for stamps in windows]


def pieces_at_pauses(gap: tuple[float, float], speech: list[Span], *, piece_s: float, context_s: float,
                     total_s: float) -> list[_Chunk]:
    """A stretch cut into pieces of at most ``piece_s`` at the pauses between VAD spans.

    Each piece is decoded with ``context_s`` of audio on either side (so a word cut at
    its edge is still heard) but keeps only the words inside it; the kept ranges tile
    the stretch, so a word in a pause between two pieces belongs to one of them.
    """
    start, end = gap
    inside = [(max(s.start, start), min(s.end, end)) for s in speech if s.end > start and s.start < end]
    if not inside:
        inside = [(start, end)]
    runs: list[list[float]] = []
    for a, b in inside:
        while b - a > piece_s:  # no pause to cut at: cut inside the speech
            runs.append([a, a + piece_s])
            a += piece_s
        if runs and b - runs[-1][0] <= piece_s:
            runs[-1][1] = b
        else:
            runs.append([a, b])
    cuts = [start] + [(runs[i][1] + runs[i + 1][0]) / 2 for i in range(len(runs) - 1)] + [end]
    chunks = []
    for i, (a, b) in enumerate(runs):
        first = max(0.0, a - context_s)
        last = min(total_s, b + context_s)
        chunks.append(_Chunk(((round(first * SAMPLE_RATE), round(last * SAMPLE_RATE)),), keep=(cuts[i], cuts[i + 1])))
    return chunks


def wordless(stretches: list[Span], words: list[Word], *, reach_s: float, min_s: float) -> list[tuple[float, float]]:
    """Parts of the speech stretches no word reaches (a word reaches ``reach_s`` around itself)."""
    covered = sorted((w.start - reach_s, w.end + reach_s) for w in words)
    out = []
    for span in stretches:
        cursor = span.start
        for a, b in covered:
            if b <= cursor or a >= span.end:
                continue
            if a > cursor:
                out.append((cursor, a))
            cursor = max(cursor, b)
        if cursor < span.end:
            out.append((cursor, span.end))
    return [(a, b) for a, b in out if b - a >= min_s]


def merged_speech(y: np.ndarray, *, threshold: float, merge_gap_s: float) -> tuple[list[Span], list[Span]]:
    """Silero's speech spans, and the same joined across gaps shorter than ``merge_gap_s``."""
    from rehearse.speech.vad import speech_spans

    spans = speech_spans(y, threshold=threshold)
    return spans, _join_spans(spans, merge_gap_s)


def _join_spans(spans: list[Span], gap_s: float) -> list[Span]:
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if merged and span.start - merged[-1].end < gap_s:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged


SOUND_FRAME = 512  # 32 ms at 16 kHz, Silero's own frame


def sounding_spans(y: np.ndarray, *, above_floor_db: float, min_dbfs: float) -> list[Span]:
    """Runs of 32 ms frames well above the take's noise floor: sound, speech or not."""
    frames = y.size // SOUND_FRAME
    if frames == 0:
        return []
    power = np.mean(np.square(y[: frames * SOUND_FRAME].reshape(frames, SOUND_FRAME), dtype=np.float64), axis=1)
    level = 10 * np.log10(power + 1e-12)
    loud = (level > np.percentile(level, 10) + above_floor_db) & (level > min_dbfs)
    edges = np.diff(np.concatenate(([0], loud.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    step = SOUND_FRAME / SAMPLE_RATE
    return [Span(float(round(a * step, 3)), float(round(b * step, 3))) for a, b in zip(starts, ends)]


class Transcriber:
    """Holds a loaded model; ``transcribe`` may be called for many takes."""

    def __init__(self, options: TranscriptionOptions | None = None) -> None:
        from faster_whisper import BatchedInferencePipeline

        from rehearse.speech.vad import share_silero_probabilities

        self.options = options or TranscriptionOptions()
        self.model = load_model(self.options)
        share_silero_probabilities()  # the pipeline's VAD and the delivery features: one Silero run
        self._pipeline = BatchedInferencePipeline(self.model)

    def transcribe(self, audio: Audio, *, progress: ProgressCallback | None = None,
                   vad_threshold: float = 0.5) -> Transcript:
        """Transcribe a whole take.

        Args:
            audio: decoded take.
            progress: called with (seconds of audio done, total seconds).
            vad_threshold: Silero's speech threshold for the stretches checked for
                dropped words (a question pack's ``pauses.vad_threshold``).
        """
        return self.transcribe_samples(audio.samples, progress=progress, vad_threshold=vad_threshold)

    def transcribe_samples(
        self, y: np.ndarray, *, offset_s: float = 0.0, progress: ProgressCallback | None = None,
        vad_threshold: float = 0.5,
    ) -> Transcript:
        """Transcribe 16 kHz mono samples; word times are shifted by ``offset_s``.

        Silero's speech stretches (shared with the frame features, so not computed
        again) show where a decode left speech without words.
        """
        options = self.options
        total_s = y.size / SAMPLE_RATE
        windows = pipeline_windows(y)
        budget = options.max_retries_per_window * max(len(windows), math.ceil(total_s / WHISPER_WINDOW_S))
        retried: list[tuple[float, float, str]] = []

        def done(chunk: _Chunk) -> None:
            if progress is not None:
                progress(min(chunk.end_s, total_s), total_s)

        words: list[Word] = []
        suspects: list[tuple[int, _Decoded, str]] = []
        for index, decoded in enumerate(self._decode_chunks(y, windows, options.initial_prompt, on_chunk=done)):
            reason = self._failure(decoded, windows[index].speech_s)
            if reason:
                suspects.append((index, decoded, reason))
            else:
                words.extend(decoded.words)
        spans, stretches = merged_speech(y, threshold=vad_threshold, merge_gap_s=options.merge_gap_s)
        # A window that failed is decoded again without the prompt (its "uh, uh" is what
        # sets the decoder looping), as contiguous audio with context around the speech
        # and the silences it held, cut at pauses into clips that fit Whisper's window.
        retries: list[tuple[int, list[_Chunk]]] = []
        for index, first, reason in suspects if options.initial_prompt is not None else ():
            window = windows[index]
            low = windows[index - 1].end_s if index > 0 else 0.0
            high = windows[index + 1].start_s if index + 1 < len(windows) else total_s
            gap = (max(low, window.start_s - options.retry_context_s), min(high, window.end_s + options.retry_context_s))
            pieces = pieces_at_pauses(gap, spans, piece_s=WHISPER_WINDOW_S - 2 * options.retry_context_s,
                                      context_s=options.retry_context_s, total_s=total_s)
            if len(pieces) > budget:
                break
            budget -= len(pieces)
            retries.append((index, pieces))
            retried.append((window.start_s, window.end_s, reason))
        plain = iter(self._decode_chunks(y, [p for _, pieces in retries for p in pieces], None))
        again = {index: [self._better(p, next(plain)) for p in pieces] for index, pieces in retries}
        for index, first, _ in suspects:
            if index in again:
                joined = _Decoded(tuple(w for d in again[index] for w in d.words), " ".join(d.text for d in again[index]),
                                  sum(d.tokens for d in again[index]))
                words.extend(self._better(windows[index], first, joined).words)
            else:
                words.extend(self._better(windows[index], first).words)
        tried: set[tuple[tuple[int, int], ...]] = set()
        sound = sounding_spans(y, above_floor_db=options.sound_above_floor_db, min_dbfs=options.min_sound_dbfs)
        heard_or_sounding = _join_spans(stretches + sound, options.merge_gap_s)
        cut_at = _join_spans(spans + sound, 1e-9)
        for piece_s in options.retry_piece_s:
            gaps = wordless(heard_or_sounding, words, reach_s=options.word_reach_s, min_s=options.min_unheard_speech_s)
            pieces = [p for gap in gaps for p in pieces_at_pauses(gap, cut_at, piece_s=piece_s, context_s=options.retry_context_s,
                                                                 total_s=total_s) if p.stamps not in tried]
            if not pieces or budget <= 0:
                break
            # The longest first when the budget runs short: they hold the most speech.
            pieces = sorted(sorted(pieces, key=lambda p: p.start_s - p.end_s)[:budget], key=lambda p: p.start_s)
            budget -= len(pieces)
            tried.update(p.stamps for p in pieces)  # the same audio decodes the same way: never twice
            for piece, decoded in zip(pieces, self._decode_chunks(y, pieces, None)):
                retried.append((piece.start_s, piece.end_s, "speech left without words"))
                if self._failure(decoded, piece.speech_s) is None and decoded.logprob >= options.min_retry_logprob:
                    words.extend(decoded.words)
        unheard = wordless(stretches, words, reach_s=options.word_reach_s, min_s=options.min_unheard_speech_s)
        if offset_s:
            words = [Word(w.text, round(w.start + offset_s, 3), round(w.end + offset_s, 3), w.probability) for w in words]
        words.sort(key=lambda w: (w.start, w.end))
        return Transcript(
            words=tuple(words),
            language=options.language or "en",
            model=options.model,
            retried_windows=tuple((round(a + offset_s, 3), round(b + offset_s, 3), why) for a, b, why in retried),
            unheard=tuple(Span(round(a + offset_s, 3), round(b + offset_s, 3)) for a, b in unheard),
        )

    def _decode_chunks(self, y: np.ndarray, chunks: list[_Chunk], prompt: str | None, *,
                       on_chunk: Callable[[_Chunk], None] | None = None) -> list[_Decoded]:
        """Decode each chunk as one Whisper window, in batches; words in the take's seconds.

        The chunks' audio is laid end to end and each is given to the pipeline as one
        clip, so the batched pipeline decodes exactly these windows: greedy or beam
        search at temperature 0, no fallback, tokens capped by the longest chunk's speech.

        Raises:
            ValueError: a chunk is longer than Whisper's 30 s window (faster-whisper
                would keep only its first 30 s).
        """
        results = [_Decoded((), "", 0)] * len(chunks)
        sounding = [i for i, c in enumerate(chunks) if c.samples > 0]
        if not sounding:
            return results
        for i, decoded in zip(sounding, self._decode_sounding(y, [chunks[i] for i in sounding], prompt, on_chunk)):
            results[i] = decoded
        return results

    def _decode_sounding(self, y: np.ndarray, chunks: list[_Chunk], prompt: str | None,
                         on_chunk: Callable[[_Chunk], None] | None) -> list[_Decoded]:
        for chunk in chunks:
            if chunk.samples > WHISPER_WINDOW_S * SAMPLE_RATE:
                raise ValueError(f"a {chunk.speech_s:.1f} s chunk would lose all after {WHISPER_WINDOW_S:.0f} s")
        options = self.options
        joined = np.concatenate([y[a:b] for c in chunks for a, b in c.stamps]).astype(np.float32, copy=False)
        clips, firsts = [], []
        position = 0
        for chunk in chunks:
            # Half a sample in: the pipeline turns seconds back into samples with int().
            clips.append({"start": (position + 0.5) / SAMPLE_RATE, "end": (position + chunk.samples + 0.5) / SAMPLE_RATE})
            firsts.append(position)
            position += chunk.samples
        seek_of = {int(int(clip["start"] * SAMPLE_RATE) / SAMPLE_RATE * 100): i for i, clip in enumerate(clips)}
        cap = min(MAX_NEW_TOKENS, math.ceil(options.max_tokens_per_speech_s * max(c.speech_s for c in chunks)) + 1)
        segments, _ = self._pipeline.transcribe(
            joined, language=options.language, beam_size=options.beam_size, batch_size=options.batch_size,
            word_timestamps=True, initial_prompt=prompt, max_new_tokens=cap, temperature=0.0,
            vad_filter=False, clip_timestamps=clips,
        )
        found: list[dict] = [{"words": [], "text": [], "tokens": 0, "logprob": 0.0} for _ in chunks]
        last = -1
        for segment in segments:
            index = seek_of.get(segment.seek)
            if index is None:
                index = max(0, int(np.searchsorted(firsts, segment.start * SAMPLE_RATE + 1, side="right")) - 1)
            if on_chunk is not None and index != last and last >= 0:
                on_chunk(chunks[last])
            last = index
            chunk = chunks[index]
            found[index]["text"].append(segment.text)
            found[index]["tokens"] += len(segment.tokens)
            found[index]["logprob"] += float(segment.avg_logprob) * len(segment.tokens)
            for w in segment.words or ():
                text = w.word.strip()
                if not text:
                    continue
                start, end = _take_time(chunk, firsts[index], float(w.start), float(w.end))
                middle = (start + end) / 2
                if chunk.keep is None or chunk.keep[0] <= middle < chunk.keep[1]:
                    found[index]["words"].append(Word(text, round(start, 3), round(end, 3), round(float(w.probability), 3)))
        if on_chunk is not None and last >= 0:
            on_chunk(chunks[last])
        return [_Decoded(tuple(f["words"]), "".join(f["text"]), f["tokens"], f["logprob"] / max(f["tokens"], 1))
                for f in found]

    def _failure(self, decoded: _Decoded, speech_s: float) -> str | None:
        """Why a decode cannot be trusted, or None."""
        if self._looped(decoded, speech_s):
            return f"looped: {decoded.tokens} tokens for {max(speech_s, 0.5):.1f} s"
        if decoded.text.strip() and compression_ratio(decoded.text) > self.options.max_compression_ratio:
            return "repetitive text"
        return None

    def _looped(self, decoded: _Decoded, speech_s: float) -> bool:
        return decoded.tokens > self.options.max_tokens_per_speech_s * max(speech_s, 0.5)

    def _better(self, chunk: _Chunk, *decodes: _Decoded) -> _Decoded:
        """The decode to keep: the first that passes; else the least repetitive one that
        did not loop (real speech can repeat itself: "Montreal forced aligner" five
        times compresses like a loop); else nothing, and the speech goes to the pieces."""
        for decoded in decodes:
            if self._failure(decoded, chunk.speech_s) is None:
                return decoded
        kept = [d for d in decodes if not self._looped(d, chunk.speech_s)]
        if kept:
            return min(kept, key=lambda d: compression_ratio(d.text))
        return _Decoded((), "", 0)


def _take_time(chunk: _Chunk, first: int, start: float, end: float) -> tuple[float, float]:
    """Seconds in the joined audio of a word of ``chunk`` (laid at sample ``first``) -> seconds in the take.

    Both ends are placed in the range that holds the word's middle, as faster-whisper
    does, so a word never stretches across a silence the window left out.
    """
    lengths = np.cumsum([0] + [b - a for a, b in chunk.stamps])
    middle = ((start + end) / 2) * SAMPLE_RATE - first
    k = int(np.clip(np.searchsorted(lengths, middle, side="right") - 1, 0, len(chunk.stamps) - 1))
    a, b = chunk.stamps[k]
    shift = (a - first - lengths[k]) / SAMPLE_RATE
    low, high = a / SAMPLE_RATE, b / SAMPLE_RATE
    return float(np.clip(start + shift, low, high)), float(np.clip(end + shift, low, high))


def compression_ratio(text: str) -> float:
    """How well the text compresses; looping output compresses far better than speech."""
    data = text.encode("utf-8")
    return len(data) / max(1, len(zlib.compress(data)))

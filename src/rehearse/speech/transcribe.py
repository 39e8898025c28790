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
- The prompt's failure modes are guarded: a window that loops ("uh, uh, uh, ..."
  far beyond what its length allows, or text that compresses too well) or that leaves
  a stretch of speech without words is decoded again without the prompt, and the
  plain result replaces it. Fillers lost that way are left to the acoustic search
  in ``delivery.fillers``.
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from rehearse.speech.audio import SAMPLE_RATE, Audio
from rehearse.errors import ModelError
from rehearse.speech.models import DEFAULT_BEAM_SIZE, DEFAULT_MODEL

FILLER_PROMPT = "Um, uh, hmm, er, ah."
ProgressCallback = Callable[[float, float], None]


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
            window means the decoder looped (fluent speech is about 3-5 tokens/s).
        max_compression_ratio: text that compresses better than this is repetitive
            (Whisper's own fallback uses 2.4).
        min_unheard_speech_s: a stretch of VAD speech this long with no words under
            it means the window dropped text.
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
        retried_windows: windows decoded again without the prompt, as
            ``(start, end, reason)`` in seconds.
    """

    words: tuple[Word, ...]
    language: str
    model: str
    retried_windows: tuple[tuple[float, float, str], ...] = field(default=())

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


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
        again) show where the primed decoder left speech without words.
        """
        options = self.options
        total_s = y.size / SAMPLE_RATE
        words: list[Word] = []
        windows: list[tuple[float, float, list[Word], str]] = []
        for window_start, window_end, window_words, text in self._decode(y, options.initial_prompt):
            windows.append((window_start, window_end, window_words, text))
            if progress is not None:
                progress(min(window_end, total_s), total_s)
        retried: list[tuple[float, float, str]] = []
        for window_start, window_end, window_words, text in windows:
            reason = self._failure(y, window_start, window_end, window_words, text)
            if reason and options.initial_prompt is not None:
                window_words = self._decode_plain(y, window_start, window_end)
                retried.append((round(window_start + offset_s, 3), round(window_end + offset_s, 3), reason))
            words.extend(window_words)
        if options.initial_prompt is not None:
            for span in self._unheard(y, words, vad_threshold):
                recovered = self._decode_plain(y, span.start, span.end)
                if recovered:
                    words.extend(recovered)
                    retried.append((round(span.start + offset_s, 3), round(span.end + offset_s, 3), "speech left without words"))
        if offset_s:
            words = [Word(w.text, w.start + offset_s, w.end + offset_s, w.probability) for w in words]
        words.sort(key=lambda w: (w.start, w.end))
        return Transcript(
            words=tuple(words),
            language=options.language or "en",
            model=options.model,
            retried_windows=tuple(retried),
        )

    def _decode(self, y: np.ndarray, prompt: str | None, clip: tuple[float, float] | None = None):
        """Yield (window start, window end, words, text) for each decoded window."""
        options = self.options
        kwargs = dict(
            language=options.language,
            beam_size=options.beam_size,
            batch_size=options.batch_size,
            word_timestamps=True,
            initial_prompt=prompt,
            # Whisper's 448-token context less the prompt: a looping window stops here.
            max_new_tokens=200,
        )
        if clip is None:
            segments, _ = self._pipeline.transcribe(y, vad_filter=True, **kwargs)
        else:
            segments, _ = self._pipeline.transcribe(
                y, vad_filter=False, clip_timestamps=[{"start": clip[0], "end": clip[1]}], **kwargs
            )
        for segment in segments:
            words = [
                Word(w.word.strip(), round(float(w.start), 3), round(float(w.end), 3), round(float(w.probability), 3))
                for w in (segment.words or [])
                if w.word.strip()
            ]
            yield float(segment.start), float(segment.end), words, segment.text

    def _decode_plain(self, y: np.ndarray, start_s: float, end_s: float) -> list[Word]:
        pad_s = 0.2
        clip = (max(0.0, start_s - pad_s), min(y.size / SAMPLE_RATE, end_s + pad_s))
        words: list[Word] = []
        for _, _, window_words, _ in self._decode(y, None, clip):
            words.extend(window_words)
        return words

    def _unheard(self, y: np.ndarray, words: list[Word], vad_threshold: float):
        """VAD speech stretches of at least ``min_unheard_speech_s`` with no word in them."""
        from rehearse.speech.vad import speech_spans

        speech = speech_spans(y, threshold=vad_threshold)
        middles = np.array([(w.start + w.end) / 2 for w in words])
        unheard = []
        for span in speech:
            if span.duration < self.options.min_unheard_speech_s:
                continue
            if not np.any((middles > span.start - 0.2) & (middles < span.end + 0.2)):
                unheard.append(span)
        return unheard

    def _failure(self, y: np.ndarray, start_s: float, end_s: float, words: list[Word], text: str) -> str | None:
        """Why a primed window cannot be trusted, or None."""
        options = self.options
        if not text.strip():
            return None
        speech_s = max(end_s - start_s, 0.5)
        tokens = len(self.model.hf_tokenizer.encode(text, add_special_tokens=False).ids)
        if tokens > options.max_tokens_per_speech_s * speech_s:
            return f"looped: {tokens} tokens for {speech_s:.1f} s"
        if compression_ratio(text) > options.max_compression_ratio:
            return "repetitive text"
        return None


def compression_ratio(text: str) -> float:
    """How well the text compresses; looping output compresses far better than speech."""
    data = text.encode("utf-8")
    return len(data) / max(1, len(zlib.compress(data)))

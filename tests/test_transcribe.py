"""Transcription with the real default model on real speech."""

from __future__ import annotations

import re

import jiwer
import numpy as np
import pytest

from rehearse.speech import audio
from rehearse.text.format import filled_pause_form, normalize
from rehearse.speech.transcribe import FILLER_PROMPT, Transcriber, TranscriptionOptions, compression_ratio


def _wer(reference: str, words) -> float:
    def clean(text: str) -> str:
        tokens = [normalize(t) for t in re.split(r"\s+", text)]
        return " ".join(t for t in tokens if t and filled_pause_form(t) is None)

    return jiwer.wer(clean(reference), clean(" ".join(w.text for w in words)))


@pytest.mark.parametrize(
    ("clip", "reference", "max_wer"),
    [
        ("jfk.flac", "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.", 0.1),
        ("ami_es2011a.wav", None, 0.35),
    ],
)
def test_words_match_the_reference(shared_audio, transcriber, clip, reference, max_wer):
    if reference is None:
        reference = (shared_audio / clip.replace(".wav", ".ref.txt")).read_text()
    transcript = transcriber.transcribe(audio.load(shared_audio / clip))
    assert _wer(reference, transcript.words) <= max_wer, transcript.text


def test_timestamps_are_monotonic_and_inside_the_take(samples_dir, transcriber):
    take = audio.from_array(audio.load(samples_dir / "strong_answer.flac").samples[: 25 * 16000], sample_rate=16000)
    words = transcriber.transcribe(take).words
    assert len(words) > 40
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    for w in words:
        assert 0.0 <= w.start <= w.end <= take.duration + 0.05
        assert 0.0 <= w.probability <= 1.0


def test_the_ami_lead_in_silence_gets_no_words(shared_audio, transcriber):
    """The AMI clip is silent for its first 1.4 s; Whisper must not put words there."""
    words = transcriber.transcribe(audio.load(shared_audio / "ami_es2011a.wav")).words
    assert words and words[0].start >= 1.0


def test_priming_keeps_filled_pauses_that_plain_whisper_drops(shared_audio, transcriber):
    take = audio.load(shared_audio / "mfa_acoustic_corpus.wav")
    primed = [w for w in transcriber.transcribe(take).words if filled_pause_form(w.text)]
    plain = Transcriber(TranscriptionOptions(initial_prompt=None))
    dropped = [w for w in plain.transcribe(take).words if filled_pause_form(w.text)]
    assert transcriber.options.initial_prompt == FILLER_PROMPT
    assert len(primed) >= 3 > len(dropped)


def test_a_looping_window_is_bounded(shared_audio, transcriber):
    """On six real "uh", primed Whisper loops; the window is re-decoded or capped, never 100+ words."""
    transcript = transcriber.transcribe(audio.load(shared_audio / "mfa_uhuh.flac"))
    assert len(transcript.words) < 40
    assert {"montreal", "forced"} <= {normalize(w.text) for w in transcript.words}


def test_noise_alone_gives_no_words(transcriber, rng):
    noise = (0.002 * rng.standard_normal(16000 * 4)).astype(np.float32)
    transcript = transcriber.transcribe(audio.from_array(noise, sample_rate=16000))
    assert transcript.words == ()


def test_offset_shifts_word_times(samples_dir, transcriber):
    take = audio.from_array(audio.load(samples_dir / "strong_answer.flac").samples[: 10 * 16000], sample_rate=16000)
    plain = transcriber.transcribe_samples(take.samples)
    shifted = transcriber.transcribe_samples(take.samples, offset_s=10.0)
    assert [w.text for w in plain.words] == [w.text for w in shifted.words]
    assert shifted.words[0].start == pytest.approx(plain.words[0].start + 10.0, abs=1e-6)


@pytest.mark.parametrize(("text", "repetitive"), [("uh, " * 60, True), ("I led the migration and we cut the close from five days to two.", False)])
def test_compression_ratio_flags_loops(text, repetitive):
    assert (compression_ratio(text) > TranscriptionOptions().max_compression_ratio) == repetitive


def test_one_silero_run_serves_the_features_and_the_transcription(samples_dir, transcriber, monkeypatch):
    from faster_whisper import vad as fw_vad

    from rehearse.speech.vad import speech_spans

    y = audio.load(samples_dir / "rambling_answer.ogg").samples[: 12 * 16000] * np.float32(0.9)  # not seen by other tests
    remembered = fw_vad.get_vad_model()
    silero = remembered._model
    calls = []

    def counting(padded, *args, **kwargs):
        calls.append(padded.size)
        return silero(padded, *args, **kwargs)

    monkeypatch.setattr(remembered, "_model", counting)
    spans = speech_spans(y, threshold=0.5)
    words = transcriber.transcribe_samples(y).words
    assert len(calls) == 1, "the pipeline's VAD ran Silero again"
    assert words and spans
    # The remembered probabilities are Silero's own: a fresh model hears the same speech.
    monkeypatch.setattr(remembered, "_model", fw_vad.SileroVADModel(str(fw_vad.os.path.join(
        fw_vad.get_assets_path(), "silero_vad_v6.onnx"))))
    remembered._results.clear()
    assert speech_spans(y, threshold=0.5) == spans


def test_a_damaged_model_is_one_clear_error(tmp_path):
    from rehearse.errors import ModelError
    from rehearse.speech.models import resolve

    # A real model's files with a damaged model.bin: CTranslate2 fails on the loading thread.
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (tmp_path / name).write_bytes((resolve("tiny.en") / name).read_bytes())
    (tmp_path / "model.bin").write_bytes(b"not a model")
    with pytest.raises(ModelError, match=str(tmp_path)):
        Transcriber(TranscriptionOptions(model=str(tmp_path)))

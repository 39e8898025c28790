"""Long, real takes: no speech lost to Whisper's 30 s window, unheard speech never blamed
on the speaker, the same words on every run."""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from rehearse.speech import audio
from rehearse.speech.transcribe import (
    WHISPER_WINDOW_S,
    Transcriber,
    TranscriptionOptions,
    _Chunk,
    pieces_at_pauses,
    pipeline_windows,
)
from rehearse.speech.vad import Span, speech_spans
from rehearse.text.format import normalize

SR = audio.SAMPLE_RATE


def _join(parts: list[np.ndarray | float]) -> np.ndarray:
    """Clips and silences (seconds) end to end."""
    return np.concatenate([np.zeros(int(p * SR), np.float32) if isinstance(p, float) else p for p in parts]).astype(np.float32)


def _said(words) -> set[str]:
    return {normalize(w.text) for w in words}


def test_pieces_are_cut_at_pauses_fit_the_window_and_tile_the_stretch():
    # 70 s of speech in 4 s phrases with 0.5 s pauses, one 40 s phrase with no pause at all.
    spans = [Span(t, t + 4.0) for t in np.arange(0.0, 30.0, 4.5)] + [Span(31.0, 71.0)]
    pieces = pieces_at_pauses((0.0, 71.0), spans, piece_s=20.0, context_s=0.5, total_s=80.0)
    assert all(p.speech_s <= 21.0 + 1e-6 for p in pieces)
    assert pieces[0].keep[0] == 0.0 and pieces[-1].keep[1] == 71.0
    assert all(a.keep[1] == b.keep[0] for a, b in zip(pieces, pieces[1:]))
    # Where there are pauses, the cuts fall in them, never inside a phrase.
    for cut in (p.keep[1] for p in pieces if p.keep[1] < 30.0):
        assert not any(s.start < cut < s.end for s in spans)


def test_a_chunk_over_30_seconds_is_refused_not_cut(transcriber):
    y = np.zeros(int(40 * SR), np.float32)
    with pytest.raises(ValueError, match="30 s"):
        transcriber._decode_chunks(y, [_Chunk(((0, y.size),))], None)


def test_a_retried_window_longer_than_30_seconds_comes_back_whole(shared_audio, transcriber):
    """Three clips with 5 s silences: one window of < 30 s of speech spanning > 30 s of take.

    Decoded again as one clip, faster-whisper would keep its first 30 s and drop the
    last clip; cut at pauses, every clip's words come back.
    """
    clips = [audio.load(shared_audio / name).samples for name in ("mfa_crossword.flac", "mfa_um.flac", "mfa_putty.flac")]
    y = _join([clips[0], 5.0, clips[1], 5.0, clips[2]])
    (window,) = pipeline_windows(y)
    assert window.end_s - window.start_s > WHISPER_WINDOW_S >= window.speech_s

    # The retry itself: the window's stretch cut at pauses into clips that fit.
    context = transcriber.options.retry_context_s
    pieces = pieces_at_pauses((window.start_s, window.end_s), speech_spans(y, threshold=0.5),
                              piece_s=WHISPER_WINDOW_S - 2 * context, context_s=context, total_s=y.size / SR)
    assert len(pieces) >= 2 and all(p.speech_s <= WHISPER_WINDOW_S for p in pieces)
    words = [w for d in transcriber._decode_chunks(y, pieces, None) for w in d.words]
    assert {"montreal", "mfa", "like"} <= _said(words), words  # the first clip's words and the last's
    assert max(w.end for w in words) > window.start_s + WHISPER_WINDOW_S

    # And through the public path, with every window made to fail its check.
    failing = Transcriber(TranscriptionOptions(max_compression_ratio=1.0))
    transcript = failing.transcribe_samples(y)
    (start, end, reason), *_ = transcript.retried_windows
    assert reason == "repetitive text" and end - start > WHISPER_WINDOW_S
    assert {"montreal", "mfa", "like"} <= _said(transcript.words), transcript.text
    assert max(w.end for w in transcript.words) > start + WHISPER_WINDOW_S


@pytest.fixture(scope="module")
def unreadable_middle(shared_audio, transcriber):
    """JFK, then 12 s of real speech played backwards (Silero hears speech, Whisper no
    words), then the AMI clip; analyzed end to end."""
    from rehearse.analysis import analyze

    jfk = audio.load(shared_audio / "jfk.flac").samples
    backwards = audio.load(shared_audio / "mfa_acoustic_corpus.wav").samples[: 12 * SR][::-1].copy()
    ami = audio.load(shared_audio / "ami_es2011a.wav").samples
    y = _join([jfk, 1.0, backwards, 1.0, ami])
    middle = (jfk.size / SR + 1.0, jfk.size / SR + 13.0)
    return analyze(audio.from_array(y, sample_rate=SR), transcriber=transcriber), middle


def test_speech_the_model_cannot_read_is_marked_unheard(unreadable_middle):
    analysis, (start, end) = unreadable_middle
    transcript = analysis.transcript
    assert transcript.unheard, transcript.text
    assert all(start - 0.5 <= s.start < s.end <= end + 0.5 for s in transcript.unheard)
    assert transcript.unheard_s >= 8.0
    assert not [w for w in transcript.words if any(s.start <= (w.start + w.end) / 2 <= s.end for s in transcript.unheard)]
    assert {"americans", "call"} <= _said(transcript.words), transcript.text  # JFK, and AMI ("You can call me Abbie")


def test_unheard_speech_is_not_blamed_on_the_speaker(unreadable_middle):
    analysis, _ = unreadable_middle
    unheard = analysis.transcript.unheard
    delivery = analysis.delivery

    def inside(a: float, b: float) -> float:
        return sum(max(0.0, min(s.end, b) - max(s.start, a)) for s in unheard)

    assert not [p for p in delivery.pauses.items if inside(p.start - 0.1, p.end + 0.1) > 0]
    words = analysis.transcript.words
    assert delivery.pace.speaking_time == pytest.approx(words[-1].end - words[0].start - inside(words[0].start, words[-1].end), abs=0.01)
    assert all(inside(w.start, w.end) <= 0.1 * (w.end - w.start) + 1e-6 for w in delivery.pace.windows)
    assert not [f for f in delivery.fillers.items if inside(f.start, f.end) > 0]
    named = [f for f in analysis.findings if f.kind == "delivery.recording.unheard"]
    assert len(named) == 1
    assert re.match(r"\d+ s of speech could not be transcribed at 0:1\d\.\d-0:\d\d\.\d", named[0].message), named[0].message
    slow = [f for f in analysis.findings if f.kind.endswith("pace.slow") and f.start is not None]
    assert not [f for f in slow if inside(f.start, f.end) > 0]


def test_unheard_speech_in_json_and_timeline(unreadable_middle):
    import jsonschema

    from rehearse.report.html import render_take

    analysis, _ = unreadable_middle
    document = json.loads(json.dumps(analysis.to_dict()))
    schema = json.loads((Path(__file__).resolve().parents[1] / "src/rehearse/schema/analysis.schema.json").read_text())
    jsonschema.validate(document, schema)
    assert document["transcript"]["unheard"] == [{"start": s.start, "end": s.end} for s in analysis.transcript.unheard]
    page = render_take(analysis, embed_audio=False)
    assert "not transcribed" in page and "speech that could not be transcribed" in page


def test_a_stress_file_gives_the_same_words_on_every_run(transcriber, shared_audio):
    """File 2 of the stress corpus (seed 14): clips at random gains and silences; decoded
    twice, word for word and time for time the same."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    # The corpus is built from the real clips of ../shared/audio (the fixture skips without them).
    stress = importlib.import_module("stress")
    y, _ = stress.plan(stress.DEFAULT_SEED, 2, stress._pool())
    first = transcriber.transcribe_samples(y)
    again = transcriber.transcribe_samples(y)
    assert len(first.words) > 100
    assert first == again

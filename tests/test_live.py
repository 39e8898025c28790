"""Live transcription while practising: real speech, fed through the virtual microphone or
block by block from a file, against the offline analysis of the same audio."""

from __future__ import annotations

import json
import re

import jiwer
import numpy as np
import pytest

from rehearse.speech import audio
from rehearse.analysis import analyze
from rehearse.delivery import count_fillers
from rehearse.speech.live import LiveSession
from rehearse.text.format import normalize

pytest_plugins = ["virtual_mic"]  # its fixtures: virtual_mic, private_sound_server

# How closely a live take's analysis must match the offline analysis of the same WAV.
# Whisper decodes a stretch cut at a pause with less context than a 30 s window, so a
# few words may differ; the measures built on them move accordingly.
TOLERANCE = {"word_error_rate": 0.10, "wpm_share": 0.05, "speaking_s": 0.5, "pauses": 2, "long_pauses": 1,
             "filled": 1, "discourse": 1}


def _text(words) -> str:
    return " ".join(normalize(w.text if hasattr(w, "text") else w["text"]) for w in words)


def _feed(session: LiveSession, y: np.ndarray, *, step_s: float = 1.0) -> None:
    """Feed audio in blocks, letting the worker catch up after each: a speaker at real time
    on an idle machine, without waiting for real time."""
    step = int(step_s * audio.SAMPLE_RATE)
    for start in range(0, y.size, step):
        for block in np.array_split(y[start : start + step], 10):  # 0.1 s blocks, as PortAudio gives
            session.feed(block)
        assert session.wait_idle(60)


@pytest.mark.mic
def test_live_take_matches_offline_analysis(virtual_mic, shared_audio, transcriber, tmp_path):
    import soundfile as sf

    gap = np.zeros(int(0.8 * audio.SAMPLE_RATE), np.float32)
    speech = tmp_path / "answer.wav"  # 38.5 s of real speech: two Whisper windows
    sf.write(speech, np.concatenate([audio.load(shared_audio / "mfa_acoustic_corpus.wav").samples, gap,
                                     audio.load(shared_audio / "jfk.flac").samples]), audio.SAMPLE_RATE, subtype="PCM_16")
    session = virtual_mic.practice(["--device", virtual_mic.device, "--out", str(tmp_path / "sessions"), "--countdown",
                                    "0", "--silence-stop", "3", "--keys", "q"], REHEARSE_DB=str(tmp_path / "history.sqlite3"))
    session.wait_for("\u25cf recording")
    virtual_mic.play(speech).wait()
    assert session.finish() == 0, session.stderr
    (folder,) = (tmp_path / "sessions").iterdir()
    live = json.loads((folder / "analysis.json").read_text())
    assert "transcribe" not in live["timings"], "the report must use the live transcript, not transcribe again"
    offline = analyze(folder / "take.wav", transcriber=transcriber).to_dict()

    assert jiwer.wer(_text(offline["transcript"]["words"]), _text(live["transcript"]["words"])) <= TOLERANCE["word_error_rate"]
    lo, off = live["delivery"], offline["delivery"]
    assert lo["pace"]["wpm"] == pytest.approx(off["pace"]["wpm"], rel=TOLERANCE["wpm_share"])
    assert lo["duration"]["speaking"] == pytest.approx(off["duration"]["speaking"], abs=TOLERANCE["speaking_s"])
    assert abs(lo["pauses"]["count"] - off["pauses"]["count"]) <= TOLERANCE["pauses"]
    assert abs(lo["pauses"]["long_count"] - off["pauses"]["long_count"]) <= TOLERANCE["long_pauses"]
    assert abs(lo["fillers"]["filled_count"] - off["fillers"]["filled_count"]) <= TOLERANCE["filled"]
    assert abs(lo["fillers"]["discourse_count"] - off["fillers"]["discourse_count"]) <= TOLERANCE["discourse"]
    assert lo["duration"]["total"] == off["duration"]["total"]  # the same recording underneath
    # The terminal may wrap the line anywhere (the session folder's path comes before it).
    ready = re.search(r"report\s+ready\s+([\d.]+)\s+s\s+after\s+the\s+take\s+ended", session.stderr)
    assert ready, session.stderr


def test_a_long_take_is_final_in_the_offline_windows(shared_audio, transcriber):
    """Past 30 s of speech the first window is final as soon as it is complete: transcribed
    alone, it ends where the offline packing ends it, and no word is lost or doubled."""
    from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

    from rehearse.speech.pinned import PIPELINE_MIN_SILENCE_MS, PIPELINE_WINDOW_SPEECH_S

    gap = np.zeros(int(0.8 * audio.SAMPLE_RATE), np.float32)
    y = np.concatenate([audio.load(shared_audio / "mfa_acoustic_corpus.wav").samples, gap,
                        audio.load(shared_audio / "jfk.flac").samples])  # 38.5 s, two windows
    session = LiveSession(audio.SAMPLE_RATE, transcriber=transcriber)
    _feed(session, y)
    live = session.finish()
    finals = [(start, end) for kind, start, end, _ in session.decodes if kind == "final"]
    options = VadOptions(max_speech_duration_s=PIPELINE_WINDOW_SPEECH_S, min_silence_duration_ms=PIPELINE_MIN_SILENCE_MS)
    _, windows = collect_chunks(y, get_speech_timestamps(y, options), max_duration=PIPELINE_WINDOW_SPEECH_S)
    first_window_end = windows[0]["segments"][-1]["end"] / audio.SAMPLE_RATE
    assert finals and finals[0] == (0.0, pytest.approx(first_window_end, abs=0.001))
    offline = transcriber.transcribe_samples(y)
    assert jiwer.wer(_text(offline.words), _text(live.words)) <= TOLERANCE["word_error_rate"]
    for first, second in zip(live.words, live.words[1:]):
        overlap = min(first.end, second.end) - max(first.start, second.start)
        doubled = normalize(first.text) == normalize(second.text) and overlap > 0.5 * min(
            first.end - first.start, second.end - second.start)
        assert not doubled, f"{first} transcribed twice at a window boundary"
    assert [w.start for w in live.words] == sorted(w.start for w in live.words)


def test_a_take_ending_in_silence_has_nothing_left_to_transcribe(shared_audio, transcriber):
    y = audio.load(shared_audio / "jfk.flac").samples
    session = LiveSession(audio.SAMPLE_RATE, transcriber=transcriber)
    _feed(session, np.concatenate([y, np.zeros(2 * audio.SAMPLE_RATE, np.float32)]))
    view = session.view()
    live = session.finish()
    assert session.decodes[-1][0] in ("reused", "promoted"), session.decodes
    assert all(kind != "last" for kind, *_ in session.decodes)
    assert _text(view.words) == _text(live.words)
    reference = "and so my fellow americans ask not what your country can do for you ask what you can do for your country"
    assert jiwer.wer(reference, _text(live.words)) <= 0.15
    assert view.wpm == pytest.approx(len(view.words) / ((view.words[-1].end - view.words[0].start) / 60))
    assert view.lag_s == 0.0  # nothing said is unknown


def test_live_view_counts_fillers_as_they_come(shared_audio, transcriber):
    y = audio.load(shared_audio / "mfa_uhum.flac").samples  # "uh um uh hm hm um" (6 filled pauses)
    session = LiveSession(audio.SAMPLE_RATE, transcriber=transcriber)
    _feed(session, y)
    view = session.view()
    session.finish()
    filled, _ = count_fillers(view.words)
    assert view.words and 3 <= filled <= 8
    assert view.last_words(3) == " ".join(w.text for w in view.words[-3:])


def test_voice_activity_tracks_speech_and_silence(shared_audio):
    y = audio.load(shared_audio / "jfk.flac").samples  # speech from 0.3 s to 10.5 s
    session = LiveSession(48000)  # a device rate: blocks are resampled to 16 kHz
    import soxr

    up = soxr.resample(y, audio.SAMPLE_RATE, 48000).astype(np.float32)
    silence = np.zeros(48000, np.float32)
    session.feed(silence[:4800])
    assert not session.speech_started()
    for block in np.array_split(np.concatenate([up, silence, silence, silence]), 200):
        session.feed(block)
    assert session.speech_started()
    assert session.trailing_silence_s() == pytest.approx(3.0 + (y.size / audio.SAMPLE_RATE - 10.5), abs=0.4)
    assert session.finish() is None  # no transcriber: VAD only
    assert session.heard_s == pytest.approx(0.1 + y.size / audio.SAMPLE_RATE + 3.0, abs=0.01)

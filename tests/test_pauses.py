"""Pauses are measured on the audio: known inserted silences and a forced alignment of real speech."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from rehearse import delivery

from rehearse.speech import audio
from rehearse.delivery import features
from rehearse.delivery.pauses import find_pauses, silent_runs
from rehearse.options import PauseOptions, ProsodyOptions, Thresholds
from rehearse.speech.transcribe import Word

SENTENCES = [
    "I led the migration of our billing system.",
    "It took three months.",
    "We cut the monthly close from five days to two.",
    "The team still uses the same runbook today.",
    "That is the work I want to keep doing.",
]
INSERTED_S = [0.3, 0.6, 1.1, 2.4]


def _trim_to_audible(y: np.ndarray) -> np.ndarray:
    """Cut a synthesized sentence to where its 10 ms level is within 30 dB of its peak."""
    levels = audio.frame_rms_db(y)
    audible = np.flatnonzero(levels > levels.max() - 30)
    first = audible[0] * audio.HOP_LENGTH
    last = audible[-1] * audio.HOP_LENGTH + audio.FRAME_LENGTH
    return y[first:last]


@pytest.fixture(scope="module")
def answer_with_known_silences(speak):
    """Sentences joined by digital silences of known length: (samples, [(start, end), ...])."""
    pieces, silences, position = [], [], 0
    lead = np.zeros(int(0.5 * audio.SAMPLE_RATE), np.float32)
    pieces.append(lead)
    position += lead.size
    for index, sentence in enumerate(SENTENCES):
        speech, _ = speak([sentence])
        speech = _trim_to_audible(speech)
        pieces.append(speech)
        position += speech.size
        if index < len(INSERTED_S):
            gap = np.zeros(int(INSERTED_S[index] * audio.SAMPLE_RATE), np.float32)
            silences.append((position / audio.SAMPLE_RATE, (position + gap.size) / audio.SAMPLE_RATE))
            pieces.append(gap)
            position += gap.size
    pieces.append(lead)
    return np.concatenate(pieces), silences


def test_inserted_silences_are_found_within_100_ms(answer_with_known_silences, transcriber):
    y, silences = answer_with_known_silences
    take = audio.from_array(y, sample_rate=audio.SAMPLE_RATE)
    words = transcriber.transcribe(take).words
    result = delivery.measure(y, words, Thresholds())
    for start, end in silences:
        matches = [p for p in result.pauses.items if p.start < end and start < p.end]
        assert len(matches) == 1, (start, end, result.pauses.items)
        assert matches[0].start == pytest.approx(start, abs=0.1)
        assert matches[0].end == pytest.approx(end, abs=0.1)
        assert matches[0].long == (end - start >= 2.0)
    assert result.pauses.long_count == 1
    longest = max(result.pauses.items, key=lambda p: p.duration)
    assert "runbook" in longest.before or "today" in longest.before
    assert "That" in longest.after


def test_lead_in_and_tail_silence_are_not_pauses(answer_with_known_silences, transcriber):
    y, silences = answer_with_known_silences
    words = transcriber.transcribe(audio.from_array(y, sample_rate=audio.SAMPLE_RATE)).words
    pauses = delivery.measure(y, words, Thresholds()).pauses.items
    assert pauses and pauses[0].start > 0.5 and pauses[-1].end < y.size / audio.SAMPLE_RATE - 0.5


def test_pauses_in_real_speech_match_the_forced_alignment(shared_audio, transcriber):
    """Gaps of >= 0.3 s between aligned words with no filler in them are silent pauses."""
    take = audio.load(shared_audio / "mfa_acoustic_corpus.wav")
    rows = list(csv.DictReader(open(shared_audio / "mfa_acoustic_corpus.words.tsv"), delimiter="\t"))
    aligned = [(float(a["end"]), float(b["start"])) for a, b in zip(rows, rows[1:])
               if float(b["start"]) - float(a["end"]) >= 0.3]
    # 13.9-14.87 holds the unaligned "uh": sound, not silence.
    gaps = [(a, b) for a, b in aligned if not (a <= 14.0 <= b)]
    assert len(gaps) >= 4
    pauses = delivery.measure(take.samples, transcriber.transcribe(take).words, Thresholds()).pauses.items
    for start, end in gaps:
        matches = [p for p in pauses if p.start < end and start < p.end]
        assert matches, (start, end, pauses)
        best = max(matches, key=lambda p: min(p.end, end) - max(p.start, start))
        assert best.start == pytest.approx(start, abs=0.12)
        assert best.end == pytest.approx(end, abs=0.12)


@pytest.mark.parametrize(
    ("mask", "expected"),
    [
        ([0, 1, 1, 1, 0, 1, 0], [(0.005, 0.035)]),
        ([1, 1, 1, 1, 1, 1, 1], [(-0.005, 0.065)]),
        ([0, 0, 0], []),
    ],
    ids=["one-run", "all-silent", "none"],
)
def test_silent_runs_edges(mask, expected):
    times = np.arange(len(mask)) * 0.01 + 0.0125 - 0.0125  # centres at 0, 10, 20 ms ...
    runs = silent_runs(np.array(mask, bool), times, min_s=0.03)
    assert [(round(a, 3), round(b, 3)) for a, b in runs] == expected


def test_no_words_means_no_pauses():
    y = np.zeros(16000, np.float32)
    frames = features.compute(y, pauses=PauseOptions(), prosody=ProsodyOptions())
    assert find_pauses(frames, [], PauseOptions()) == []


def test_a_word_that_absorbs_a_silence_still_shows_the_pause():
    """Whisper can stretch a word over the silence after it; the audio still decides."""
    sr = audio.SAMPLE_RATE
    t = np.arange(sr) / sr
    tone = (0.3 * np.sin(2 * np.pi * 150 * t)).astype(np.float32)
    y = np.concatenate([tone, np.zeros(sr, np.float32), tone])
    words = [Word("long", 0.0, 1.9, 0.9), Word("word", 2.0, 3.0, 0.9)]
    frames = features.compute(y, pauses=PauseOptions(), prosody=ProsodyOptions())
    # A pure tone is not speech to Silero; judge by level alone for this case.
    frames = features.Frames(**{**{f: getattr(frames, f) for f in frames.__slots__}, "silent": frames.rms_db <= frames.silence_db})
    pauses = find_pauses(frames, words, PauseOptions())
    assert len(pauses) == 1
    assert pauses[0].start == pytest.approx(1.0, abs=0.03) and pauses[0].end == pytest.approx(2.0, abs=0.03)

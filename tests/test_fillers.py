"""Filler words: real recordings with human references, constructed cases with known truth, context rules."""

from __future__ import annotations

import pytest

from rehearse.speech import audio
from rehearse.delivery import features
from rehearse.delivery.fillers import DISCOURSE, FILLED, find_fillers
from rehearse.options import FillerOptions, PauseOptions, ProsodyOptions
from rehearse.speech.transcribe import Word


def _counted(fillers, kind):
    return [f for f in fillers if f.kind == kind and f.counted]


def _analyze_clip(path, transcriber):
    take = audio.load(path)
    words = transcriber.transcribe(take).words
    frames = features.compute(take.samples, pauses=PauseOptions(), prosody=ProsodyOptions())
    return find_fillers(words, frames, FillerOptions())


# Floors on real speech (references in ../shared/audio/*.ref.txt): counts of um/uh/hm.
@pytest.mark.parametrize(
    ("clip", "low", "high"),
    [
        ("mfa_uhum.flac", 5, 6),  # uh um uh hm hm um
        ("mfa_uhuh.flac", 5, 7),  # six "uh": Whisper writes 11-18 of them
        ("mfa_um.flac", 1, 1),
        ("mfa_crossword.flac", 2, 2),
        ("mfa_acoustic_corpus.wav", 3, 3),
        ("mfa_er.flac", 0, 0),  # "'er" is "her"
        ("mfa_putty.flac", 0, 0),
        ("mfa_words.flac", 0, 0),
        ("mfa_breaths.flac", 0, 0),  # a breath is not a filled pause
        ("mfa_youknow.flac", 0, 0),
    ],
)
def test_filled_pause_counts_on_real_speech(shared_audio, transcriber, clip, low, high):
    filled = _counted(_analyze_clip(shared_audio / clip, transcriber), FILLED)
    assert low <= len(filled) <= high, [(f.word, f.start, f.source, f.note) for f in filled]
    starts = [f.start for f in filled]
    assert starts == sorted(starts)
    for a, b in zip(filled, filled[1:]):
        assert a.end <= b.start + 1e-6, "counted fillers never overlap in time"


def test_fillers_in_the_monologue_are_where_the_alignment_puts_them(shared_audio, transcriber):
    filled = _counted(_analyze_clip(shared_audio / "mfa_acoustic_corpus.wav", transcriber), FILLED)
    # words.tsv: "um" 8.02-8.57 and 22.90-23.53; the "uh" lies in the unaligned 13.9-14.87.
    for start, end in [(8.02, 8.57), (13.9, 14.87), (22.90, 23.53)]:
        assert any(f.start < end + 0.3 and start - 0.3 < f.end for f in filled), (start, end, filled)
    for filler in filled:
        assert filler.before and filler.after, "each filler shows the words around it"


def test_discourse_fillers_on_real_speech(shared_audio, transcriber):
    youknow = _counted(_analyze_clip(shared_audio / "mfa_youknow.flac", transcriber), DISCOURSE)
    assert [f.word for f in youknow] == ["you know"]
    putty = _counted(_analyze_clip(shared_audio / "mfa_putty.flac", transcriber), DISCOURSE)
    assert putty == [], "'is like putty' is a comparison"


# --- constructed cases: real fillers at known times, transcripts edited ---------------
# mfa_acoustic_corpus.words.tsv is a forced alignment of a real monologue; its fillers
# are "um" 8.02-8.57 and 22.90-23.53, and an "uh" in the unaligned 13.9-14.87.
TRUE_FILLERS = [(8.02, 8.57), (13.9, 14.87), (22.90, 23.53)]


@pytest.fixture(scope="module")
def aligned_monologue(shared_audio):
    import csv

    take = audio.load(shared_audio / "mfa_acoustic_corpus.wav")
    rows = csv.DictReader(open(shared_audio / "mfa_acoustic_corpus.words.tsv"), delimiter="\t")
    words = [Word(r["word"], float(r["start"]), float(r["end"]), 0.9) for r in rows]
    frames = features.compute(take.samples, pauses=PauseOptions(), prosody=ProsodyOptions())
    return frames, words


def _overlaps(filler, span, slack=0.1):
    return filler.start < span[1] + slack and span[0] - slack < filler.end


def test_invented_repeats_are_rejected(aligned_monologue):
    frames, words = aligned_monologue
    # Whisper writing the first "um" four times over the same stretch.
    index = next(i for i, w in enumerate(words) if w.text == "um")
    um = words[index]
    repeats = [Word("um,", um.start + k * 0.1, um.start + k * 0.1 + 0.1, 0.8) for k in range(4)]
    edited = words[:index] + repeats + words[index + 1 :]
    filled = [f for f in _counted(find_fillers(edited, frames, FillerOptions()), FILLED) if _overlaps(f, TRUE_FILLERS[0])]
    assert len(filled) == 1, filled
    assert "invented repeats" in filled[0].note
    assert filled[0].before.endswith("cares") and filled[0].after.startswith("this")


def test_fillers_the_transcript_lost_are_found_in_the_gaps(aligned_monologue):
    frames, words = aligned_monologue
    without = [w for w in words if w.text != "um"]
    acoustic = [f for f in _counted(find_fillers(without, frames, FillerOptions()), FILLED)]
    assert all(f.source == "acoustic" for f in acoustic)
    # Every filler found is a real one (no false alarms in the other gaps) ...
    for filler in acoustic:
        assert any(_overlaps(filler, span) for span in TRUE_FILLERS), filler
    # ... and at least two of the three are found.
    assert sum(any(_overlaps(f, span) for f in acoustic) for span in TRUE_FILLERS) >= 2, acoustic


def test_a_filler_with_no_sound_under_it_is_not_counted(aligned_monologue):
    frames, words = aligned_monologue
    # A low-confidence "uh" placed in the silence at 17.3-18.3 s ("words ... and").
    ghost = Word("uh,", 17.5, 17.6, 0.05)
    edited = sorted(words + [ghost], key=lambda w: w.start)
    ghosts = [f for f in find_fillers(edited, frames, FillerOptions()) if f.kind == FILLED and 17.3 < f.start < 18.3]
    assert ghosts and all(not f.counted for f in ghosts)


# --- discourse fillers by context ----------------------------------------------------

def _words(text: str, gaps: dict[int, float] | None = None) -> list[Word]:
    """Words 0.3 s apart; ``gaps`` adds a silence after word i."""
    words, t = [], 0.0
    for i, token in enumerate(text.split()):
        words.append(Word(token, t, t + 0.25, 0.9))
        t += 0.3 + (gaps or {}).get(i, 0.0)
    return words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I like solving problems with my team.", []),
        ("M F A is like putty.", []),
        ("And, like, the worst week of my life.", ["like"]),
        ("It was like, um, the worst week.", ["like"]),
        ("It looks like, a small change.", []),
        ("It's like the money, you know, that keeps me going.", ["like", "you know"]),  # issue 18: "it is the money"
        ("Do you know the answer?", []),
        ("You know, I love hard problems.", ["you know"]),
        ("I mean, honestly, I enjoy it.", ["i mean"]),
        ("That is what I mean by ownership.", []),
        ("I kind of just did what he told me.", ["kind of"]),
        ("This kind of work excites me.", []),
        ("What sort of team is it?", []),
        ("So I rebuilt the pipeline.", ["so"]),
        ("We grew so much that year.", []),
        ("Basically I fixed it.", ["basically"]),
        ("I'd like to lead a team.", []),
        ("People like you inspire me.", []),
    ],
)
def test_discourse_filler_context_rules(text, expected):
    found = [f.word for f in find_fillers(_words(text), None, FillerOptions()) if f.kind == DISCOURSE]
    assert found == expected


def test_a_pause_isolates_like_as_a_filler():
    # "and like [0.5 s] we shipped it" - the silence does what a comma would.
    words = _words("And like we shipped it early.", gaps={1: 0.5})
    assert [f.word for f in find_fillers(words, None, FillerOptions()) if f.kind == DISCOURSE] == ["like"]

"""Filler words: real recordings with human references, constructed cases with known truth, context rules."""

from __future__ import annotations

import pytest

from rehearse.delivery import features
from rehearse.delivery.fillers import DISCOURSE, FILLED, find_fillers
from rehearse.options import FillerOptions, PauseOptions, ProsodyOptions
from rehearse.speech import audio
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


def test_a_quiet_take_gives_the_same_fillers(aligned_monologue, shared_audio):
    """Every level the check uses is relative to the take: -20 dB changes nothing."""
    frames, words = aligned_monologue
    take = audio.load(shared_audio / "mfa_acoustic_corpus.wav")
    quiet = features.compute(take.samples * 0.1, pauses=PauseOptions(), prosody=ProsodyOptions())
    edited = words + [Word("uh", 14.2, 14.2, 0.3), Word("uh", 17.6, 17.7, 0.9)]
    edited.sort(key=lambda w: w.start)
    loud_found = find_fillers(edited, frames, FillerOptions())
    quiet_found = find_fillers(edited, quiet, FillerOptions())
    assert [(f.start, f.end, f.counted) for f in quiet_found] == [(f.start, f.end, f.counted) for f in loud_found]


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
    around = [f for f in find_fillers(edited, frames, FillerOptions()) if f.kind == FILLED and _overlaps(f, TRUE_FILLERS[0])]
    counted = [f for f in around if f.counted]
    assert len(counted) == 1, around
    assert counted[0].before.endswith("cares") and counted[0].after.startswith("this")
    dropped = [f for f in around if not f.counted]
    assert len(dropped) == 3 and all("invented repeats" in f.note for f in dropped)


def test_the_transcripts_filler_wins_without_evidence_against_it(aligned_monologue):
    """Keep unless the audio shows the filler was invented: a doubted word, a filler run
    right into the next word, or one Whisper timed off its sound are all still counted."""
    frames, words = aligned_monologue
    without = [w for w in words if w.text != "um"]
    cases = [
        # Whisper's own doubt (p=0.01) on a real "um": lower confidence, still counted.
        (Word("um,", 8.05, 8.55, 0.01), TRUE_FILLERS[0], "p=0.01"),
        # Timed zero-length and off its sound (Whisper's times for fillers are loose),
        # right against the next word.
        (Word("um", 23.53, 23.53, 0.6), TRUE_FILLERS[2], ""),
        # The unaligned "uh", timed 0.3 s off.
        (Word("uh", 14.0, 14.1, 0.5), TRUE_FILLERS[1], ""),
    ]
    for filler, span, note in cases:
        edited = sorted(without + [filler], key=lambda w: w.start)
        found = [f for f in find_fillers(edited, frames, FillerOptions()) if f.kind == FILLED and _overlaps(f, span, 0.3)]
        assert len(found) == 1 and found[0].counted, (filler, found)
        assert note in found[0].note
        if note:
            assert found[0].confidence < 0.95, "Whisper's doubt lowers the confidence"


def test_the_gap_search_finds_fillers_the_transcript_lost(aligned_monologue):
    frames, words = aligned_monologue
    without = [w for w in words if w.text != "um"]
    assert not [f for f in find_fillers(without, frames, FillerOptions()) if f.kind == FILLED], "off by default"
    acoustic = [f for f in _counted(find_fillers(without, frames, FillerOptions(search_gaps=1)), FILLED)]
    assert all(f.source == "acoustic" for f in acoustic)
    # Every filler found is a real one (no false alarms in the other gaps) ...
    for filler in acoustic:
        assert any(_overlaps(filler, span) for span in TRUE_FILLERS), filler
    # ... and at least two of the three are found.
    assert sum(any(_overlaps(f, span) for f in acoustic) for span in TRUE_FILLERS) >= 2, acoustic


def test_a_filler_with_no_voice_around_it_is_not_counted(aligned_monologue):
    frames, words = aligned_monologue
    # An "uh" placed in the silence at 17.3-18.3 s ("words ... and"): the evidence that
    # it was invented is that nothing is voiced between the words around it.
    ghost = Word("uh,", 17.6, 17.7, 0.9)
    edited = sorted(words + [ghost], key=lambda w: w.start)
    ghosts = [f for f in find_fillers(edited, frames, FillerOptions()) if f.kind == FILLED and 17.3 < f.start < 18.3]
    assert len(ghosts) == 1 and not ghosts[0].counted and "no voice" in ghosts[0].note


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

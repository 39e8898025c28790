"""Matching is linear in the text: cues that would explode are refused at pack load, and the
worst cue a pack may hold runs through a long text in seconds (issue 20).

Each timed case runs in a child process with a timeout, so the code before the fix (which
ran for minutes) fails the test instead of hanging the suite. The bound is generous: the
cases take well under a second alone on a 2-core machine.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from rehearse.errors import PackError
from rehearse.text.cues import MAX_CUE_GAP_WORDS, MAX_GAP_WORDS, PatternError, compile_pattern

BOUND_S = 5.0


def _timed(code: str) -> float:
    """Seconds the matching in ``code`` took (it prints them), in a fresh interpreter."""
    program = textwrap.dedent(code) + "\nprint(round(time.perf_counter() - started, 3))\n"
    try:
        done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("matching ran past 120 s")
    assert done.returncode == 0, done.stderr
    return float(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("cue, message", [
    ("i ~99 be ~99 proud", "gap ~99"),
    ("a ~9 b ~9 c", f"at most {MAX_CUE_GAP_WORDS}"),
    ("(" + "|".join(f"w{n} ~2 x{n} ~2 y{n}" for n in range(200)) + ")", "split it"),
])
def test_cues_that_would_explode_are_refused_naming_the_cue(cue, message):
    with pytest.raises(PatternError, match=message) as error:
        compile_pattern(cue)
    assert repr(cue)[:20] in str(error.value)


def test_an_exploding_cue_in_a_pack_is_one_line_naming_it(tmp_path):
    from importlib import resources

    from rehearse import packs

    text = resources.files("rehearse").joinpath("questions", "background.toml").read_text(encoding="utf-8")
    assert '"currently", ' in text
    (tmp_path / "background.toml").write_text(text.replace('"currently", ', '"like ~50 like ~50 like", ', 1),
                                              encoding="utf-8")
    with pytest.raises(PackError) as error:
        packs.load_packs(extra_dirs=[tmp_path], include_user=False)
    assert "background.toml" in str(error.value) and "like ~50 like ~50 like" in str(error.value)
    assert "\n" not in str(error.value)


def test_worst_content_cue_on_a_long_text_is_fast():
    # Gaps skip fillers for free and every cue word after the first is a filler: the old
    # matcher tried every way to spread the cue over each run of fillers (past 60 s on
    # 2,000 words). The cue never completes, so every start is searched to the end; 9,600
    # words is an hour of speech.
    seconds = _timed(f'''
        import time
        from rehearse.text.cues import compile_pattern
        from rehearse.text.tokens import Utterance, words_from_text
        cue = compile_pattern("so ~{MAX_GAP_WORDS} um ~{MAX_CUE_GAP_WORDS - MAX_GAP_WORDS} um um (um um|um) =zzz")
        any_word = compile_pattern("_ ~{MAX_GAP_WORDS} _ ~{MAX_CUE_GAP_WORDS - MAX_GAP_WORDS} (_ _|_) (_ _|_) =zzz")
        utt = Utterance(words_from_text(" ".join((["so"] + ["um"] * 200 + ["like", "so"] * 20) * 40)))
        started = time.perf_counter()
        assert not cue.find(utt)
        assert not any_word.find(utt)
    ''')
    assert seconds < BOUND_S


def test_worst_lexicon_pattern_on_a_long_text_is_fast():
    seconds = _timed('''
        import time
        from rehearse.language import lexicon
        from rehearse.language.tokens import tokenize
        from rehearse.text.tokens import words_from_text
        entry = lexicon.Entry("probe", "hedge", "", (lexicon.compile_pattern(
            "so? so? so? .. so? so? .. so? so? .. so? so? so? so? zzz"),))
        toks = tokenize(words_from_text(" ".join(["so", "um"] * 1000)), sentence_gap_s=10.0)
        started = time.perf_counter()
        assert lexicon.find([entry], toks) == []
    ''')
    assert seconds < BOUND_S


def test_lexicon_patterns_past_the_limit_are_refused():
    from rehearse.language import lexicon

    with pytest.raises(ValueError, match="at most"):
        lexicon.compile_pattern(" ".join(["so?"] * (lexicon.MAX_SLOTS + 1)))

"""Word-level text helpers shared by the checks: normalising and tokenising speech."""

from __future__ import annotations

import re

_EDGE_PUNCTUATION = re.compile(r"^[^\w']+|[^\w']+$")
_SENTENCE_END = (".", "?", "!")
# Spellings Whisper and people use for filled pauses, mapped to one form.
FILLED_PAUSE_FORMS = {
    "um": "um", "umm": "um", "ummm": "um", "uhm": "um", "erm": "um", "mm": "um", "mmm": "um",
    "uh": "uh", "uhh": "uh", "uhhh": "uh", "er": "uh", "err": "uh", "ah": "uh", "ahh": "uh",
    "hm": "hmm", "hmm": "hmm", "hmmm": "hmm", "mhm": "hmm",
}


def normalize(word: str) -> str:
    """Lower-case a transcribed word and strip the punctuation around it.

    Apostrophes stay ("I'm" -> "i'm"); curly ones become straight.
    """
    word = word.strip().replace("\u2019", "'").lower()
    return _EDGE_PUNCTUATION.sub("", word)


def ends_clause(raw_word: str) -> bool:
    """True when the transcribed word carries a comma, colon or sentence end."""
    return raw_word.rstrip().endswith((",", ";", ":", "-", "\u2014") + _SENTENCE_END)


def ends_sentence(raw_word: str) -> bool:
    """True when the transcribed word ends a sentence."""
    return raw_word.rstrip().rstrip("\"')").endswith(_SENTENCE_END)


def filled_pause_form(word: str) -> str | None:
    """"um", "uh" or "hmm" when the word is a filled pause, else None."""
    return FILLED_PAUSE_FORMS.get(normalize(word))


def clock(seconds: float | None) -> str:
    """m:ss.s, as every report shows times; "" for no time."""
    if seconds is None:
        return ""
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The count with its noun agreeing: "1 hedge", "2 hedges", "1 filled pause"."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def in_context(before: str, word: str, after: str) -> str:
    """A quoted hit with the words around it, “so [um] I went”, with no space where a side is empty."""
    return "\u201c" + " ".join(part for part in (before.strip(), f"[{word}]", after.strip()) if part) + "\u201d"

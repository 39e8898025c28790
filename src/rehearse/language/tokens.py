"""Speech as tokens the language checks can match: contractions split, words stemmed.

A transcribed word can hold two tokens ("I'd" -> "i", "would"); both keep the word's
index and times, so every match points back at the words and timestamps it came
from. Stems are match keys only (never shown): the same stemmer (``rehearse.text.words``,
shared with the content checks) is applied to the lexicon's phrases and to the
speech, so "sucked", "sucks" and "sucking" all meet "suck" without a dictionary.
Slang ("gonna", "kinda") is kept as spoken: the informal table flags it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from rehearse.text.format import ends_clause, ends_sentence, filled_pause_form, normalize
from rehearse.speech.transcribe import Word
from rehearse.text.words import split_contraction, stem

_DASHES = ("-", "\u2014", "\u2013")


@dataclass(frozen=True, slots=True)
class Token:
    """One word as the checks see it.

    Attributes:
        norm: lower-case, punctuation stripped, contraction split ("would").
        stem: match key (see ``stem``).
        word: index of the transcribed word it came from.
        start: seconds, the word's start.
        end: seconds, the word's end.
        clause_end: a comma, dash or sentence end follows (the last token of a word only).
        sentence_end: a sentence end follows, or a long silence.
        cut: the word was broken off ("went-"), a sign of a restart.
        filled: an um/uh/hmm.
        expanded: part of a split contraction ("do" in "don't").
    """

    norm: str
    stem: str
    word: int
    start: float
    end: float
    clause_end: bool
    sentence_end: bool
    cut: bool
    filled: bool
    expanded: bool


def tokenize(words: Sequence[Word], *, sentence_gap_s: float) -> tuple[Token, ...]:
    """Tokens of a transcript in order.

    Args:
        words: transcribed (or estimated) words.
        sentence_gap_s: a silence at least this long between two words ends a sentence,
            as Whisper does not always punctuate.
    """
    tokens: list[Token] = []
    for index, word in enumerate(words):
        norm = normalize(word.text)
        raw = word.text.rstrip()
        if not norm:
            if raw.endswith(_DASHES) and tokens:  # a dash on its own: "I went - I mean we went"
                tokens[-1] = dataclasses.replace(tokens[-1], clause_end=True, cut=True)
            continue
        gap_after = words[index + 1].start - word.end if index + 1 < len(words) else 0.0
        sentence_end = ends_sentence(raw) or index == len(words) - 1 or gap_after >= sentence_gap_s
        clause_end = sentence_end or ends_clause(raw)
        cut = raw.endswith(_DASHES)
        filled = filled_pause_form(word.text) is not None
        parts = split_contraction(norm)
        for k, part in enumerate(parts):
            last = k == len(parts) - 1
            tokens.append(Token(
                norm=part, stem=stem(part), word=index, start=word.start, end=word.end,
                clause_end=clause_end and last, sentence_end=sentence_end and last, cut=cut and last,
                filled=filled, expanded=len(parts) > 1,
            ))
    return tuple(tokens)


def sentences(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """(first, last) token indices of each sentence, inclusive."""
    spans: list[tuple[int, int]] = []
    first = 0
    for i, token in enumerate(tokens):
        if token.sentence_end:
            spans.append((first, i))
            first = i + 1
    if first < len(tokens):
        spans.append((first, len(tokens) - 1))
    return spans


def quote(words: Sequence[Word], first_word: int, last_word: int) -> str:
    """The words as spoken, punctuation kept, from ``first_word`` to ``last_word``."""
    text = " ".join(w.text for w in words[first_word : last_word + 1])
    return text.strip().rstrip(",;:.")


def context(words: Sequence[Word], first_word: int, last_word: int, n: int = 4) -> str:
    """The quote with up to ``n`` words either side: "... before [quote] after ..."."""
    before = " ".join(w.text for w in words[max(0, first_word - n) : first_word])
    after = " ".join(w.text for w in words[last_word + 1 : last_word + 1 + n])
    lead = "\u2026" + before + " " if before else ""
    tail = " " + after + "\u2026" if after else ""
    inside = " ".join(w.text for w in words[first_word : last_word + 1]).strip()
    return f"{lead}[{inside}]{tail}"

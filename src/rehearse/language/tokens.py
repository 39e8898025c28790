"""Speech as tokens the language checks can match: contractions split, words stemmed.

A transcribed word can hold two tokens ("I'd" -> "i", "would"); both keep the word's
index and times, so every match points back at the words and timestamps it came
from. Stems are match keys only (never shown): the same crude suffix rules are
applied to the lexicon's phrases and to the speech, so "sucked", "sucks" and
"sucking" all meet "suck" without a dictionary.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from rehearse.text import ends_clause, ends_sentence, filled_pause_form, normalize
from rehearse.transcribe import Word

# Contractions whose "'s" is "is" (or "us"); on other words "'s" is a possessive.
_S_IS = {"it", "that", "what", "there", "here", "he", "she", "who", "where", "how", "this", "everything",
         "nothing", "something", "someone", "everyone", "which", "when", "why"}
_SPECIAL = {
    "can't": ("can", "not"), "cannot": ("can", "not"), "won't": ("will", "not"), "ain't": ("is", "not"),
    "shan't": ("shall", "not"), "let's": ("let", "us"), "y'all": ("you", "all"),
}
_SUFFIXES = (("n't", "not"), ("'m", "am"), ("'re", "are"), ("'ve", "have"), ("'ll", "will"), ("'d", "would"))

# Irregular forms mapped to the stem of their base form (as ``stem`` would write it).
_IRREGULAR = {
    "am": "be", "is": "be", "are": "be", "was": "be", "were": "be", "been": "be", "being": "be",
    "has": "have", "had": "have", "having": "have", "does": "do", "did": "do", "done": "do", "doing": "do",
    "went": "go", "gone": "go", "goes": "go", "going": "go", "said": "say", "says": "say", "made": "mak",
    "took": "tak", "taken": "tak", "got": "get", "gotten": "get", "thought": "think", "felt": "feel",
    "knew": "know", "known": "know", "told": "tell", "gave": "giv", "given": "giv", "came": "com",
    "saw": "see", "seen": "see", "seeing": "see", "ran": "run", "led": "lead", "built": "build",
    "brought": "bring", "bought": "buy", "taught": "teach", "caught": "catch", "found": "find",
    "kept": "keep", "left": "leav", "meant": "mean", "met": "meet", "spent": "spend", "sent": "send",
    "began": "begin", "begun": "begin", "wrote": "writ", "written": "writ", "chose": "choos",
    "chosen": "choos", "grew": "grow", "grown": "grow", "became": "becom", "won": "win", "lost": "los",
    "paid": "pay", "understood": "understand", "stood": "stand", "sat": "sit", "held": "hold",
    "heard": "hear", "fell": "fall", "drove": "driv", "driven": "driv", "spoke": "speak",
    "spoken": "speak", "broke": "break", "broken": "break", "ate": "eat", "eaten": "eat",
    "people": "people", "children": "child", "men": "man", "women": "woman", "lying": "lie",
    "dying": "die", "tying": "tie", "wanna": "wanna", "gonna": "gonna", "gotta": "gotta",
}
_VOWELS = set("aeiouy")
_DASHES = ("-", "\u2014", "\u2013")


def stem(word: str) -> str:
    """A crude, consistent stem: the match key shared by a word's inflections.

    Not a dictionary form ("manage" and "managed" both give "manag"); words of
    three letters or fewer are kept as they are.
    """
    word = word.lower()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith(("ies", "ied")):
        word = word[:-3] + "y"
    elif word.endswith(("sses", "ches", "shes", "xes", "zzes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    elif word.endswith("eed"):
        pass
    elif word.endswith("ed") and _has_vowel(word[:-2]) and len(word) > 4:
        word = _undouble(word[:-2])
    elif word.endswith("ing") and _has_vowel(word[:-3]) and len(word) > 5:
        word = _undouble(word[:-3])
    if len(word) > 3 and word.endswith("e") and not word.endswith("ee"):
        word = word[:-1]
    return word


def _has_vowel(text: str) -> bool:
    return any(c in _VOWELS for c in text)


def _undouble(stem_: str) -> str:
    if len(stem_) > 2 and stem_[-1] == stem_[-2] and stem_[-1] not in "lsz" and stem_[-1] not in _VOWELS:
        return stem_[:-1]
    return stem_


def split_contraction(norm: str) -> tuple[str, ...]:
    """Split a normalised word into the words it stands for: "i'd" -> ("i", "would")."""
    if norm in _SPECIAL:
        return _SPECIAL[norm]
    if "'" not in norm:
        return (norm,)
    for suffix, full in _SUFFIXES:
        if norm.endswith(suffix) and len(norm) > len(suffix):
            return (norm[: -len(suffix)], full)
    if norm.endswith("'s"):
        base = norm[:-2]
        return (base, "is") if base in _S_IS else (base,)
    if norm.endswith("s'"):
        return (norm[:-1],)
    return (norm,)


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

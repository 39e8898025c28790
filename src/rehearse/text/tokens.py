"""A transcript as the cue matcher sees it: tokens with stems, sentences and word times.

One Whisper word becomes one or more tokens: contractions are expanded ("I'm" -> "i",
"am"), hyphenated words split, numbers and quantity words marked, fillers and
intensifiers marked as skippable. Each token points back at its word, so a match can
quote the words as transcribed with their times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from rehearse.text.format import FILLED_PAUSE_FORMS, ends_sentence, normalize
from rehearse.speech.transcribe import Word
from rehearse.text.words import split_contraction, stem

# Tokens a phrase may skip: fillers, intensifiers and articles carry no content.
SKIPPABLE = frozenset(FILLED_PAUSE_FORMS) | {
    "like", "basically", "actually", "literally", "really", "just", "honestly", "totally",
    "very", "truly", "so", "well", "yeah", "a", "an", "the",
}
# Two-word fillers; both words become skippable where they occur together.
SKIPPABLE_PAIRS = frozenset({("you", "know"), ("i", "mean"), ("kind", "of"), ("sort", "of")})
NEGATIONS = frozenset({"not", "never", "no", "nothing", "nobody", "none", "neither", "nor", "without"})
# Quantity words (not "one": "one of them", "no one" are not measurements).
NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
    "thousand million billion half halved halve twice double doubled triple tripled quadrupled "
    "dozen dozens hundreds thousands millions percent third thirds zero".split()
)
_NUMERAL = re.compile(r"^[$£€]?\d[\d,.]*(%|k|m|x|s|th|st|nd|rd|h)?$")
# Slang the content side reads as the words it stands for, so "gonna" meets a cue for
# "going to". (The language side keeps it as spoken: its informal table flags it.)
_SLANG = {
    "gonna": ("going", "to"), "wanna": ("want", "to"), "gotta": ("got", "to"),
    "kinda": ("kind", "of"), "sorta": ("sort", "of"), "cuz": ("because",), "'cause": ("because",),
    "cause": ("because",),
}
MAX_ECHO_WORDS = 6
_UNITS = frozenset("second seconds minute minutes hour hours day days week weeks month months year years quarter "
                   "percent hundred thousand million billion point".split())


def expand(norm: str) -> tuple[str, ...]:
    """Split one normalised word into the words it stands for ("i'm" -> "i", "am")."""
    if not norm:
        return ()
    if "*" in norm:
        # Whisper stars out swear words ("f***ing"); the star is the evidence.
        return ("censored",)
    if norm in _SLANG:
        return _SLANG[norm]
    if "-" in norm or "/" in norm:
        return tuple(w for part in re.split(r"[-/]+", norm) for w in expand(part))
    if norm.endswith("%") and _NUMERAL.match(norm):
        return (norm[:-1], "percent")
    return tuple(w.strip("'") for w in split_contraction(norm) if w.strip("'"))


def is_number(norm: str) -> bool:
    """True for numerals ("20", "$3k", "1,000") and quantity words ("twenty", "half")."""
    return bool(_NUMERAL.match(norm)) or norm in NUMBER_WORDS


@dataclass(frozen=True, slots=True)
class Token:
    """One word of the transcript as the matcher sees it.

    Attributes:
        norm: lower-case surface form ("inspired").
        stem: matching key ("inspir").
        word: index of the transcript word it came from.
        sentence: index of its sentence.
        skippable: a filler, intensifier or article that a phrase may skip.
        number: a numeral or quantity word.
    """

    norm: str
    stem: str
    word: int
    sentence: int
    skippable: bool
    number: bool


@dataclass(frozen=True, slots=True)
class Span:
    """Where a cue matched: tokens ``[first, end)``; ``cue`` is the pattern's source."""

    first: int
    end: int
    cue: str


class Utterance:
    """A transcript tokenised for matching; knows its sentences and word times."""

    __slots__ = ("words", "tokens", "sentences", "question_sentences", "echo_sentences", "content_sentence_rank")

    def __init__(self, words: Sequence[Word], *, sentence_gap_s: float = 1.0) -> None:
        self.words = tuple(words)
        tokens: list[Token] = []
        sentence = 0
        bounds: list[tuple[int, int]] = []
        sentence_start = 0
        questions: set[int] = set()
        for i, word in enumerate(self.words):
            norm_word = normalize(word.text)
            if word.text.strip().rstrip(".,!?;:\"')").endswith("%") and not norm_word.endswith("%"):
                norm_word += "%"  # normalize() strips it with the punctuation; it means "percent"
            for norm in expand(norm_word):
                tokens.append(Token(norm, stem(norm), i, sentence, norm in SKIPPABLE, is_number(norm)))
            gap = self.words[i + 1].start - word.end if i + 1 < len(self.words) else 0.0
            ends = i + 1 == len(self.words) or ends_sentence(word.text) or gap >= sentence_gap_s
            if ends and len(tokens) > sentence_start:
                if word.text.rstrip().rstrip("\"')").endswith("?"):
                    questions.add(sentence)
                bounds.append((sentence_start, len(tokens)))
                sentence += 1
                sentence_start = len(tokens)
        for a in range(len(tokens) - 1):
            if tokens[a].norm == "one" and tokens[a + 1].norm in _UNITS:
                t = tokens[a]  # "one day early" is a measurement; "one of them" is not
                tokens[a] = Token(t.norm, t.stem, t.word, t.sentence, t.skippable, True)
            if (tokens[a].norm, tokens[a + 1].norm) in SKIPPABLE_PAIRS and tokens[a].sentence == tokens[a + 1].sentence:
                for k in (a, a + 1):
                    t = tokens[k]
                    tokens[k] = Token(t.norm, t.stem, t.word, t.sentence, True, t.number)
        self.tokens = tuple(tokens)
        self.sentences = tuple(bounds)
        self.question_sentences = frozenset(questions)
        # A short question is the speaker echoing the interviewer ("What inspires me?"); a
        # long one is more likely a statement Whisper punctuated as a question.
        self.echo_sentences = frozenset(
            s for s in questions
            if sum(not t.skippable for t in self.tokens[bounds[s][0]:bounds[s][1]]) <= MAX_ECHO_WORDS)
        # Rank of each sentence among those with content (3+ words that are not fillers),
        # so that a leading "Um, so..." does not push the thesis out of "the first sentence".
        rank, ranks = 0, []
        for first, end in bounds:
            ranks.append(rank)
            if sum(1 for t in tokens[first:end] if not t.skippable) >= 3:
                rank += 1
        self.content_sentence_rank = tuple(ranks)

    def __len__(self) -> int:
        return len(self.tokens)

    def sentence_of(self, token: int) -> int:
        return self.tokens[token].sentence

    def sentence_tokens(self, sentence: int) -> range:
        first, end = self.sentences[sentence]
        return range(first, end)

    def word_range(self, span: Span) -> tuple[int, int]:
        """First and last word index (inclusive) under a span."""
        return self.tokens[span.first].word, self.tokens[span.end - 1].word

    def quote(self, first_word: int, last_word: int) -> str:
        """The words as transcribed, with the punctuation at the two ends removed."""
        text = " ".join(w.text.strip() for w in self.words[first_word : last_word + 1])
        return re.sub(r"^[^\w$£€]+|[^\w%]+$", "", text)

    def share(self, token: int) -> float:
        """Position of a token in the answer, 0 at the first token and 1 at the last."""
        return token / max(1, len(self.tokens) - 1)


def negated_before(utt: Utterance, span: Span, *, window: int = 5) -> bool:
    """True when a negation ("not", "never", "n't") comes shortly before the span in its sentence."""
    sentence_first, _ = utt.sentences[utt.sentence_of(span.first)]
    for k in range(max(sentence_first, span.first - window), span.first):
        if utt.tokens[k].norm in NEGATIONS:
            return True
    return False


def words_from_text(text: str, *, lines_are_sentences: bool = False, seconds_per_word: float = 0.4,
                    sentence_pause_s: float = 0.3) -> tuple[Word, ...]:
    """Words with even, synthetic timestamps for typed text (a draft, a job description).

    Args:
        lines_are_sentences: a line that does not end in punctuation still ends a
            sentence, so the bullet points of a job description stay apart.
    """
    words: list[Word] = []
    t = 0.0
    for line in text.splitlines():
        items = line.split()
        for k, item in enumerate(items):
            if lines_are_sentences and k == len(items) - 1 and not ends_sentence(item):
                item = item.rstrip(",;:") + "."
            words.append(Word(item, round(t, 3), round(t + seconds_per_word * 0.9, 3), 1.0))
            t += seconds_per_word + (sentence_pause_s if ends_sentence(item) else 0.0)
    return tuple(words)

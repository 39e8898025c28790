"""Cue matching that survives speech: stems, contractions, fillers and gaps, ASR slips.

A transcript becomes an ``Utterance``: tokens (one or more per Whisper word, with the
contractions expanded and numbers marked), each pointing back at its word so that
every hit quotes its words and their times. Cues in the packs are written as phrases
in a small, readable pattern language (see ``compile_pattern``); they are compiled
once when the packs load, and matched token by token:

- a word matches by its stem, after irregular forms are mapped to their base form
  ("led" -> "lead", "took" -> "take"), so "inspire" matches "inspired", "inspiring"
  and "inspiration";
- fillers and intensifiers (um, like, you know, really, the) may sit anywhere inside a
  phrase without breaking it;
- a word of five or more letters also matches a stem one edit away (ASR slips such as
  "mentering"), and two transcribed words match one cue word written as one
  ("run book" for "runbook");
- a phrase never runs across a sentence end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator, Mapping, Sequence

import snowballstemmer

from rehearse.text import FILLED_PAUSE_FORMS, ends_sentence, normalize
from rehearse.transcribe import Word

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
    "dozen dozens hundreds thousands millions percent".split()
)
_NUMERAL = re.compile(r"^[$£€]?\d[\d,.]*(%|k|m|x|s|th|st|nd|rd|h)?$")
# Irregular forms stemming cannot join to their base form.
IRREGULAR = {
    "was": "be", "were": "be", "is": "be", "are": "be", "am": "be", "been": "be", "being": "be",
    "led": "lead", "took": "take", "taken": "take", "made": "make", "did": "do", "done": "do",
    "does": "do", "got": "get", "gotten": "get", "gave": "give", "given": "give", "went": "go",
    "gone": "go", "saw": "see", "seen": "see", "taught": "teach", "brought": "bring",
    "thought": "think", "felt": "feel", "kept": "keep", "left": "leave", "told": "tell",
    "grew": "grow", "grown": "grow", "built": "build", "ran": "run", "began": "begin",
    "begun": "begin", "became": "become", "won": "win", "found": "find", "paid": "pay",
    "sold": "sell", "spent": "spend", "understood": "understand", "chose": "choose",
    "chosen": "choose", "drove": "drive", "driven": "drive", "wrote": "write", "written": "write",
    "fell": "fall", "fallen": "fall", "rose": "rise", "risen": "rise", "overcame": "overcome",
    "fought": "fight", "bought": "buy", "sent": "send", "lost": "lose", "meant": "mean",
    "met": "meet", "heard": "hear", "held": "hold", "knew": "know", "known": "know",
    "said": "say", "stood": "stand", "spoke": "speak", "spoken": "speak", "had": "have",
    "has": "have", "children": "child", "kids": "kid", "men": "man", "women": "woman",
    "wives": "wife", "lives": "life", "people": "person", "better": "good", "best": "good",
    "worse": "bad", "worst": "bad", "hired": "hire", "slept": "sleep", "shut": "shut",
    "caught": "catch", "sought": "seek", "dealt": "deal", "struck": "strike", "hid": "hide",
    "woke": "wake", "forgot": "forget", "forgotten": "forget", "flew": "fly", "threw": "throw",
}
_CONTRACTED_S = {"it", "that", "what", "there", "here", "he", "she", "who", "where", "how", "this"}
_SLANG = {
    "gonna": ("going", "to"), "wanna": ("want", "to"), "gotta": ("got", "to"),
    "kinda": ("kind", "of"), "sorta": ("sort", "of"), "cuz": ("because",), "'cause": ("because",),
    "cause": ("because",), "can't": ("can", "not"), "cannot": ("can", "not"), "won't": ("will", "not"),
    "ain't": ("is", "not"), "shan't": ("shall", "not"), "let's": ("let", "us"), "i'm": ("i", "am"),
}
_SUFFIXES = (("n't", ("not",)), ("'re", ("are",)), ("'ve", ("have",)), ("'ll", ("will",)), ("'d", ("would",)),
             ("'m", ("am",)))
_STEMMER = snowballstemmer.stemmer("english")
MIN_FUZZY_LEN = 5
MAX_PHRASE_GAP_DEFAULT = 3
UNORDERED_WINDOW = 15


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The matching key of a lower-case word: its base form, stemmed (Porter2)."""
    base = IRREGULAR.get(word, word)
    return _STEMMER.stemWord(base)


def expand(norm: str) -> tuple[str, ...]:
    """Split one normalised word into the words it stands for ("i'm" -> "i", "am")."""
    if not norm:
        return ()
    if norm in _SLANG:
        return _SLANG[norm]
    if "-" in norm or "/" in norm:
        return tuple(w for part in re.split(r"[-/]+", norm) for w in expand(part))
    for suffix, replacement in _SUFFIXES:
        if norm.endswith(suffix) and len(norm) > len(suffix):
            return (*expand(norm[: -len(suffix)]), *replacement)
    if norm.endswith("'s") and len(norm) > 2:
        base = norm[:-2]
        return (base, "is") if base in _CONTRACTED_S else (base,)
    if norm.endswith("s'"):
        return (norm[:-1],)
    if norm.endswith("%") and _NUMERAL.match(norm):
        return (norm[:-1], "percent")
    return (norm.strip("'"),) if norm.strip("'") else ()


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

    __slots__ = ("words", "tokens", "sentences", "question_sentences", "content_sentence_rank")

    def __init__(self, words: Sequence[Word], *, sentence_gap_s: float = 1.0) -> None:
        self.words = tuple(words)
        tokens: list[Token] = []
        sentence = 0
        bounds: list[tuple[int, int]] = []
        sentence_start = 0
        questions: set[int] = set()
        for i, word in enumerate(self.words):
            for norm in expand(normalize(word.text)):
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
            if (tokens[a].norm, tokens[a + 1].norm) in SKIPPABLE_PAIRS and tokens[a].sentence == tokens[a + 1].sentence:
                for k in (a, a + 1):
                    t = tokens[k]
                    tokens[k] = Token(t.norm, t.stem, t.word, t.sentence, True, t.number)
        self.tokens = tuple(tokens)
        self.sentences = tuple(bounds)
        self.question_sentences = frozenset(questions)
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


# --- patterns --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Atom:
    """One cue word: ``kind`` is "word", "exact", "prefix", "num" or "any"."""

    kind: str
    text: str = ""
    key: str = ""

    def test(self, token: Token) -> bool:
        kind = self.kind
        if kind == "word":
            return token.stem == self.key or token.norm == self.text or _near(token, self.key)
        if kind == "exact":
            return token.norm == self.text
        if kind == "prefix":
            return token.norm.startswith(self.text)
        if kind == "num":
            return token.number or token.norm == "one"
        return not token.skippable


@dataclass(frozen=True, slots=True)
class Gap:
    """Up to ``words`` extra words (fillers do not count)."""

    words: int


@dataclass(frozen=True, slots=True)
class Choice:
    """One of several sequences (a word's alternatives, or a lexicon's entries)."""

    options: tuple[tuple, ...]


class PatternError(ValueError):
    """A cue cannot be compiled; the message says what is wrong in it."""


_GAP = re.compile(r"^~(\d{1,2})$")
_WORD = re.compile(r"^[a-z0-9][a-z0-9'.$%]*$")


class Pattern:
    """A compiled cue. ``find`` returns the spans where it matches, left to right.

    Syntax, word by word (case does not matter):

    - ``inspire``: the word in any inflection ("inspires", "inspired", "inspiration");
    - ``solve|fix|crack``: any of these words;
    - ``=led``: exactly this form; ``micromanag*``: any word starting so;
    - ``@lexicon``: any entry of a lexicon (entries may be phrases);
    - ``#num``: a number or quantity word; ``_``: any one word;
    - ``~2`` up to two extra words here, ``..`` up to three;
    - ``A & B``: both phrases in the same sentence, in either order, close together.
    """

    __slots__ = ("source", "_groups")

    def __init__(self, source: str, groups: tuple[tuple, ...]) -> None:
        self.source = source
        self._groups = groups

    def __repr__(self) -> str:
        return f"Pattern({self.source!r})"

    def find(self, utt: Utterance, *, sentences: Iterable[int] | None = None) -> list[Span]:
        """Every non-overlapping match, optionally only in the given sentences."""
        chosen = range(len(utt.sentences)) if sentences is None else sentences
        spans: list[Span] = []
        for s in chosen:
            first, end = utt.sentences[s]
            if len(self._groups) == 1:
                spans.extend(Span(a, b, self.source) for a, b in _scan(self._groups[0], utt.tokens, first, end))
                continue
            found = [list(_scan(group, utt.tokens, first, end)) for group in self._groups]
            if not all(found):
                continue
            taken = -1
            for anchor, anchor_end in found[0]:
                # Each other phrase contributes its match nearest to this one.
                chosen = [(anchor, anchor_end)] + [min(hits, key=lambda h: abs(h[0] - anchor)) for hits in found[1:]]
                a = min(x for x, _ in chosen)
                b = max(y for _, y in chosen)
                if a > taken and b - a <= UNORDERED_WINDOW:
                    spans.append(Span(a, b, self.source))
                    taken = b - 1
        return spans


def compile_pattern(source: str, lexicons: Mapping[str, Sequence[str]] | None = None) -> Pattern:
    """Compile a cue string (syntax in ``Pattern``).

    Raises:
        PatternError: empty cue, unknown ``@lexicon``, a gap at an end, bad word.
    """
    lexicons = lexicons or {}
    text = " ".join(source.lower().replace("\u2019", "'").split())
    if not text:
        raise PatternError("empty cue")
    groups = []
    for part in text.split("&"):
        seq = _compile_seq(part.strip(), lexicons, source, allow_lexicons=True)
        groups.append(seq)
    return Pattern(source, tuple(groups))


def _compile_seq(text: str, lexicons: Mapping[str, Sequence[str]], source: str, *, allow_lexicons: bool) -> tuple:
    if not text:
        raise PatternError(f"cue {source!r} has an empty side of '&'")
    elems: list = []
    for item in text.split():
        gap = _GAP.match(item)
        if item == "..":
            elems.append(Gap(MAX_PHRASE_GAP_DEFAULT))
        elif gap:
            elems.append(Gap(int(gap.group(1))))
        else:
            elems.append(_compile_choice(item, lexicons, source, allow_lexicons))
    if isinstance(elems[0], Gap) or isinstance(elems[-1], Gap):
        raise PatternError(f"cue {source!r} starts or ends with a gap; gaps go between words")
    return tuple(elems)


def _compile_choice(item: str, lexicons, source: str, allow_lexicons: bool):
    options: list[tuple] = []
    for alt in item.split("|"):
        if alt.startswith("@"):
            name = alt[1:]
            if not allow_lexicons:
                raise PatternError(f"lexicon entry {source!r} refers to @{name}; lexicon entries cannot use lexicons")
            if name not in lexicons:
                known = ", ".join(sorted(lexicons)) or "none defined"
                raise PatternError(f"cue {source!r} uses unknown lexicon @{name}; known lexicons: {known}")
            for entry in lexicons[name]:
                options.append(_compile_seq(" ".join(entry.lower().split()), lexicons, entry, allow_lexicons=False))
            continue
        options.append(_compile_atoms(alt, source))
    if len(options) == 1 and len(options[0]) == 1:
        return options[0][0]
    return Choice(tuple(options))


def _compile_atoms(alt: str, source: str) -> tuple[Atom, ...]:
    if alt == "#num":
        return (Atom("num"),)
    if alt == "_":
        return (Atom("any"),)
    if alt.startswith("="):
        word = alt[1:]
        _check_word(word, source)
        return (Atom("exact", word),)
    if alt.endswith("*"):
        word = alt[:-1]
        _check_word(word, source)
        return (Atom("prefix", word),)
    _check_word(alt, source)
    # A contraction in a cue ("i'm", "don't") stands for its words, as in the transcript.
    return tuple(Atom("word", w, stem(w)) for w in expand(alt))


def _check_word(word: str, source: str) -> None:
    if not word or not _WORD.match(word):
        raise PatternError(f"cue {source!r}: {word!r} is not a word (letters, digits and apostrophes only)")


# --- matching --------------------------------------------------------------------------


def _scan(seq: tuple, tokens: Sequence[Token], first: int, end: int) -> Iterator[tuple[int, int]]:
    """Non-overlapping (start, end) matches of a sequence inside tokens[first:end]."""
    pos = first
    while pos < end:
        stop = next(_match(seq, 0, pos, tokens, end), None)
        if stop is None:
            pos += 1
            continue
        yield pos, stop
        pos = max(stop, pos + 1)


def _match(seq: tuple, k: int, pos: int, tokens: Sequence[Token], end: int) -> Iterator[int]:
    """End positions where ``seq[k:]`` matches from ``pos``; shortest matches first."""
    if k == len(seq):
        yield pos
        return
    elem = seq[k]
    if isinstance(elem, Gap):
        used = 0
        p = pos
        while True:
            yield from _match(seq, k + 1, p, tokens, end)
            if p >= end:
                return
            if not tokens[p].skippable:
                used += 1
                if used > elem.words:
                    return
            p += 1
    p = pos
    while p < end:
        for stop in _match_elem(elem, p, tokens, end):
            yield from _match(seq, k + 1, stop, tokens, end)
        # The first word must match where the scan put it; later ones may skip fillers.
        if k == 0 or not tokens[p].skippable:
            return
        p += 1


def _match_elem(elem, p: int, tokens: Sequence[Token], end: int) -> Iterator[int]:
    if isinstance(elem, Atom):
        if elem.test(tokens[p]):
            yield p + 1
        elif elem.kind == "word" and p + 1 < end and _joined(tokens[p], tokens[p + 1], elem):
            yield p + 2
        return
    for option in elem.options:
        yield from _match(option, 0, p, tokens, end)


def _joined(a: Token, b: Token, atom: Atom) -> bool:
    """ASR split one word in two ("run book"), the cue writes it as one."""
    if a.skippable or b.skippable or len(atom.text) < 6:
        return False
    joined = a.norm + b.norm
    return joined == atom.text or stem(joined) == atom.key


def _near(token: Token, key: str) -> bool:
    """One edit apart, for stems of five letters or more with the same first letter."""
    s = token.stem
    if token.number or len(key) < MIN_FUZZY_LEN or len(s) < MIN_FUZZY_LEN or s[0] != key[0]:
        return False
    if abs(len(s) - len(key)) > 1:
        return False
    return _within_one_edit(s, key)


def _within_one_edit(a: str, b: str) -> bool:
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def negated_before(utt: Utterance, span: Span, *, window: int = 5) -> bool:
    """True when a negation ("not", "never", "n't") comes shortly before the span in its sentence."""
    sentence_first, _ = utt.sentences[utt.sentence_of(span.first)]
    for k in range(max(sentence_first, span.first - window), span.first):
        if utt.tokens[k].norm in NEGATIONS:
            return True
    return False

"""Checks on what a sentence means, where a list of cue words falls short.

- **Tone aimed at someone**: a sentence whose tone is clearly negative (VADER's compound
  score, adapted to work talk by ``content/tone.toml``) and that names a pitfall's target
  (a former manager, the company, the job) is a verdict on it, whatever its words: "the
  new owners drove the place into a ditch" has no cue word, but reads "ruined" aimed at
  "owners". Misfortunes ("two people fell ill") are neutral, so a challenge story is not
  a complaint.
- **Concession**: in "of course the salary matters, but what kept me going was the
  customers" the answer is what follows "but"; a pitfall said before a contrast is
  conceded, not meant.
- **A specific example**: a number is specific even without a whole STAR story, so a
  short answer with "raised the invoices processed by 20 percent" is not generic.
"""

from __future__ import annotations

import functools
import itertools
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from rehearse.text.cues import Pattern, compile_pattern
from rehearse.text.tokens import Span, Utterance

# A number before these says how long, not what was achieved.
_SPANS_OF_TIME = frozenset({"year", "years", "month", "months", "decade", "decades"})
_TALLIES = frozenset({"once", "twice", "one"})
# Words between a preposition of place and the workplace it names ("at my last job").
_DETERMINERS = frozenset(["my", "our", "the", "a", "an", "his", "her", "their", "last", "previous", "current", "old", "former", "first", "new", "that", "this"])
_PLACE_PREPOSITIONS = frozenset({"at", "in", "during", "from", "inside", "across"})


@dataclass(frozen=True, slots=True)
class ToneLexicon:
    """How ``content/tone.toml`` adapts VADER to work talk.

    Attributes:
        valence: word -> VADER valence (-4 to 4) added to or replacing VADER's.
        neutral: words read as neutral (misfortunes, tasks, problems to solve).
        idioms: (cue, word): the idiom is scored as that one word.
        contrast: cues that open the clause the speaker means ("but", "however").
        relation: words for a working relationship gone wrong ("clashed"): negative,
            but about the two people, not a verdict on one of them.
        targets: pitfall id -> cues naming who or what it judges.
        relations: pitfalls for which a relationship gone wrong counts as negative.
        conceded: pitfalls that a concession takes back.
        personal: pitfalls about private life; their sentences give no example of work.
    """

    valence: Mapping[str, float]
    neutral: frozenset[str]
    relation: frozenset[str]
    idioms: tuple[tuple[Pattern, str], ...]
    contrast: tuple[Pattern, ...]
    targets: Mapping[str, tuple[Pattern, ...]]
    relations: frozenset[str]
    conceded: frozenset[str]
    personal: frozenset[str]


@dataclass(frozen=True, slots=True)
class ToneHit:
    """A negative sentence that names a target.

    Attributes:
        span: the target's words (the evidence points at them and their sentence).
        tone: the sentence's compound score, -1 to 1.
    """

    span: Span
    tone: float


@functools.cache
def load_tone() -> ToneLexicon:
    """The tone lexicon shipped with rehearse (``content/tone.toml``)."""
    text = resources.files("rehearse.content").joinpath("tone.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    return ToneLexicon(
        valence={str(k): float(v) for k, v in raw.get("valence", {}).items()},
        neutral=frozenset(raw.get("neutral", {}).get("words", ())),
        relation=frozenset(raw.get("relation", {}).get("words", ())),
        idioms=tuple((compile_pattern(cue), word) for cue, word in raw.get("idioms", {}).get("pairs", ())),
        contrast=tuple(compile_pattern(c) for c in raw.get("contrast", {}).get("cues", ())),
        targets={pid: tuple(compile_pattern(c) for c in t.get("cues", ())) for pid, t in raw.get("targets", {}).items()},
        relations=frozenset(pid for pid, t in raw.get("targets", {}).items() if t.get("relations")),
        conceded=frozenset(raw.get("concession", {}).get("pitfalls", ())),
        personal=frozenset(raw.get("personal", {}).get("pitfalls", ())),
    )


_ANALYZERS: dict[int, tuple[ToneLexicon, object]] = {}


def _analyzer(lexicon: ToneLexicon):
    cached = _ANALYZERS.get(id(lexicon))
    if cached is not None and cached[0] is lexicon:
        return cached[1]
    # Imported here: building VADER reads its 7,500-word lexicon (about 50 ms), which
    # only an answer with a tone-checked pitfall needs.
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(lexicon.valence)
    for word in lexicon.neutral:
        analyzer.lexicon.pop(word, None)
    _ANALYZERS[id(lexicon)] = (lexicon, analyzer)
    return analyzer


def sentence_tone(utt: Utterance, sentence: int, lexicon: ToneLexicon | None = None) -> float:
    """VADER's compound score of one sentence (-1 most negative, 1 most positive)."""
    first, end = utt.sentences[sentence]
    return tone_of(utt, first, end, lexicon)


def tone_of(utt: Utterance, first: int, end: int, lexicon: ToneLexicon | None = None, *,
            verdict_only: bool = False) -> float:
    """VADER's compound score of tokens ``[first, end)`` of one sentence.

    Idioms are read as their word first; the words scored are the normalised ones, so
    the same transcript always scores the same. With ``verdict_only``, words for a
    relationship gone wrong ("clashed") count as neutral.
    """
    lexicon = lexicon or load_tone()
    sentence = utt.sentence_of(first)
    replaced: dict[int, tuple[int, str]] = {}
    for cue, word in lexicon.idioms:
        for span in cue.find(utt, sentences=[sentence]):
            if span.first >= first and span.end <= end and not any(
                    a < span.end and span.first < b for a, (b, _) in replaced.items()):
                replaced[span.first] = (span.end, word)
    words: list[str] = []
    k = first
    while k < end:
        if k in replaced:
            stop, word = replaced[k]
            words.append(word)
            k = stop
            continue
        words.append(utt.tokens[k].norm)
        k += 1
    if verdict_only:
        words = [w for w in words if w not in lexicon.relation]
    return float(_analyzer(lexicon).polarity_scores(" ".join(words))["compound"])


def clause_of(utt: Utterance, token: int, *, min_words: int = 6) -> tuple[int, int]:
    """Tokens ``[first, end)`` of the clause around a token: its sentence cut at commas,
    semicolons, colons and dashes, and before "but". A clause of fewer than
    ``min_words`` words ("My boss,") is too short to carry a verdict: the sentence is used.

    A verdict is judged in its clause so that "I booked an hour with my lead" is not
    dragged down by "rather than argue in public" before it.
    """
    s_first, s_end = utt.sentences[utt.sentence_of(token)]
    cuts = [s_first]
    for k in range(s_first + 1, s_end):
        previous = utt.words[utt.tokens[k - 1].word].text.rstrip()
        if utt.tokens[k].word != utt.tokens[k - 1].word and (previous[-1:] in ",;:" or previous.endswith(("-", "\u2014"))) or utt.tokens[k].norm == "but":
            cuts.append(k)
    cuts.append(s_end)
    for a, b in itertools.pairwise(cuts):
        if a <= token < b:
            if sum(not utt.tokens[k].skippable for k in range(a, b)) < min_words:
                return s_first, s_end
            return a, b
    return s_first, s_end


def tone_hits(utt: Utterance, targets: Sequence[Pattern], *, max_tone: float, lexicon: ToneLexicon | None = None,
              sentences: Iterable[int] | None = None, unless: Sequence[Pattern] = (),
              verdict_only: bool = False) -> list[ToneHit]:
    """Clauses whose tone is at most ``max_tone`` and that name one of the targets.

    Questions the speaker asks are skipped: "is the team stretched?" judges nobody; so
    is a target that is the speaker ("as a store manager, I...") or only the setting of
    the story ("at my last job, the pipeline failed daily"), and so are sentences
    that name any of ``unless`` (a more specific target another pitfall judges). With
    ``verdict_only``, a relationship gone wrong ("we clashed") is not a verdict.

    Returns:
        At most one hit per sentence, on the first target judged, in time order.
    """
    if not targets:
        return []
    lexicon = lexicon or load_tone()
    chosen = range(len(utt.sentences)) if sentences is None else sentences
    hits: list[ToneHit] = []
    for s in chosen:
        if s in utt.question_sentences or any(u.find(utt, sentences=[s]) for u in unless):
            continue
        spans = sorted((span for t in targets for span in t.find(utt, sentences=[s])
                        if not _is_self(utt, span) and not _is_setting(utt, span)),
                       key=lambda sp: sp.first)
        for span in spans:
            tone = tone_of(utt, *clause_of(utt, span.first), lexicon, verdict_only=verdict_only)
            if tone <= max_tone:
                hits.append(ToneHit(span, tone))
                break
    return hits


def conceded(utt: Utterance, span: Span, lexicon: ToneLexicon | None = None) -> bool:
    """True when a contrast follows the span in its sentence, or opens the next one, and
    something is said after it: "pay matters to me, but what drives me is ...".

    A contrast before the span does not count: in "I like the work, but the money is
    what keeps me here" the money is the point.
    """
    lexicon = lexicon or load_tone()
    sentence = utt.sentence_of(span.first)
    _, end = utt.sentences[sentence]
    for cue in lexicon.contrast:
        for c in cue.find(utt, sentences=[sentence]):
            if c.first >= span.end and _said_after(utt, c.end, end):
                return True
        if sentence + 1 < len(utt.sentences):
            n_first, n_end = utt.sentences[sentence + 1]
            for c in cue.find(utt, sentences=[sentence + 1]):
                if c.first == _first_content(utt, n_first, n_end) and _said_after(utt, c.end, n_end):
                    return True
    return False


def has_example(utt: Utterance, *, skip_sentences: Iterable[int] = ()) -> bool:
    """True when the answer puts a number on something ("invoices processed rose 20
    percent", "a team of six"): a measured fact is a specific example, story or not.

    Not counted: names (a city or a weekday is capitalised without being an example);
    a span of years or months ("ten years in marketing", "director in five years",
    "promoted twice"), which says how long, not what was done; and sentences in
    ``skip_sentences`` (where a personal topic was found: "three kids").
    """
    skip = set(skip_sentences)
    tokens = utt.tokens
    for k, t in enumerate(tokens):
        if not t.number or t.sentence in skip or t.norm in _TALLIES:
            continue
        after = next((tokens[j].norm for j in range(k + 1, min(len(tokens), k + 3)) if not tokens[j].skippable), "")
        if after not in _SPANS_OF_TIME:
            return True
    return False


def _is_self(utt: Utterance, span: Span) -> bool:
    """The target names the speaker's own role: "as a store manager", "I was a team lead"."""
    before = [utt.tokens[k].norm for k in range(max(0, span.first - 5), span.first)]
    for i, word in enumerate(before):
        rest = before[i + 1:]
        if word in ("a", "an") and len(rest) <= 2 and i > 0 and (
                before[i - 1] == "as" or (i > 1 and before[i - 2] == "i" and before[i - 1] in ("am", "was", "be"))):
            return True
    return False


def _is_setting(utt: Utterance, span: Span) -> bool:
    """The target is where the story happens ("at my last company"), not what it judges."""
    k = span.first - 1
    while k >= 0 and utt.tokens[k].norm in _DETERMINERS:
        k -= 1
    return k >= 0 and utt.tokens[k].norm in _PLACE_PREPOSITIONS


def _first_content(utt: Utterance, first: int, end: int) -> int:
    for k in range(first, end):
        if not utt.tokens[k].skippable:
            return k
    return first


def _said_after(utt: Utterance, start: int, end: int, *, min_words: int = 3) -> bool:
    return sum(not utt.tokens[k].skippable for k in range(start, end)) >= min_words

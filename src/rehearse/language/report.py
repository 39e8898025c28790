"""What the language checks found: frozen results, the JSON ``language`` object."""

from __future__ import annotations

from dataclasses import dataclass

from rehearse.findings import Finding
from rehearse.options import LanguageOptions


@dataclass(frozen=True, slots=True)
class Hit:
    """One quoted occurrence of a phrase.

    Attributes:
        kind: "hedge", "self_undermining", "informal", "crutch", "restart", "filler" or "repeat".
        phrase: the table's name for it ("I think"), or the repeated word's stem.
        text: the words as spoken ("I think I'd").
        context: the words around it, the hit in brackets.
        start: seconds (estimated for a typed draft).
        end: seconds.
        suggestion: one line, what to say instead.
    """

    kind: str
    phrase: str
    text: str
    context: str
    start: float
    end: float
    suggestion: str


@dataclass(frozen=True, slots=True)
class Repetition:
    """A word or phrase the speaker leans on.

    Attributes:
        kind: "crutch" (from the crutch table), "word" (a content word) or "phrase".
        phrase: what is repeated, as first said.
        count: how many times.
        per_min: per minute of speaking time.
        hits: each occurrence, in order.
        suggestion: one line.
    """

    kind: str
    phrase: str
    count: int
    per_min: float
    hits: tuple[Hit, ...]
    suggestion: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence judged too long.

    Attributes:
        text: the sentence.
        words: words in it, fillers not counted.
        start: seconds.
        end: seconds.
    """

    text: str
    words: int
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Rambling:
    """Conciseness of the answer.

    Attributes:
        words: words spoken, fillers not counted.
        sentences: number of sentences.
        long_sentences: sentences over ``max_sentence_words``.
        restarts: restarts and self-corrections, each quoted.
        ideas: clauses with at least two content words.
        words_per_idea: ``words / ideas``.
        empty_share: share of words that are fillers, hedges, crutch or informal words.
        thesis_start: seconds at which the thesis begins (from the content check), if found.
        share_before_thesis: share of the answer's time spent before the thesis, if found.
        word_budget: words that fit the target length at the target pace's middle.
    """

    words: int
    sentences: int
    long_sentences: tuple[Sentence, ...]
    restarts: tuple[Hit, ...]
    ideas: int
    words_per_idea: float
    empty_share: float
    thesis_start: float | None
    share_before_thesis: float | None
    word_budget: int


@dataclass(frozen=True, slots=True)
class PaceStretch:
    """A stretch spoken faster or slower than the speaker's own pace.

    Attributes:
        label: "rushed" or "slow".
        start: seconds.
        end: seconds.
        wpm: the fastest (rushed) or slowest (slow) window's words per minute.
        text: the words in the stretch.
        part: the answer part it covers ("result", "thesis", ...) when the content
            check located one there, or "numbers" when it holds figures; else "".
    """

    label: str
    start: float
    end: float
    wpm: float
    text: str
    part: str


@dataclass(frozen=True, slots=True)
class DraftEstimate:
    """A typed draft's spoken length, estimated at the user's pace.

    Attributes:
        path: the draft file, if any.
        words: words in the draft.
        pace_wpm: words per minute used.
        pace_source: "history" (the user's median pace) or "default".
        estimated_s: seconds the draft would take to say.
        target_min_s: seconds.
        target_max_s: seconds.
        verdict: "short", "ok" or "over".
    """

    path: str | None
    words: int
    pace_wpm: float
    pace_source: str
    estimated_s: float
    target_min_s: float
    target_max_s: float
    verdict: str


@dataclass(frozen=True, slots=True)
class LanguageReport:
    """Everything the language checks found in one answer.

    Attributes:
        timing: "spoken" (word times from the audio) or "estimated" (a typed draft).
        minutes: speaking minutes the rates are per.
        hedges: hedges, weak words and self-undermining openers, in order.
        hedges_per_min: hedges per minute.
        informal: informal or unprofessional words, in order.
        fillers: discourse fillers in a typed draft (spoken takes have them in delivery).
        repetition: what the speaker leans on, most frequent first.
        rambling: conciseness measures.
        pace: stretches rushed or slowed (None for a typed draft).
        draft: the draft's estimated length (None for a spoken take).
        findings: what to work on, each with its evidence.
        options: the thresholds used.
    """

    timing: str
    minutes: float
    hedges: tuple[Hit, ...]
    hedges_per_min: float
    informal: tuple[Hit, ...]
    fillers: tuple[Hit, ...]
    repetition: tuple[Repetition, ...]
    rambling: Rambling
    pace: tuple[PaceStretch, ...] | None
    draft: DraftEstimate | None
    findings: tuple[Finding, ...]
    options: LanguageOptions

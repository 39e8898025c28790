"""What the content checks report, as frozen dataclasses (JSON via ``Analysis.to_dict``)."""

from __future__ import annotations

from dataclasses import dataclass

from rehearse.options import ContentOptions


@dataclass(frozen=True, slots=True)
class Evidence:
    """Words that triggered a check.

    Attributes:
        quote: the words as transcribed.
        start: seconds, start of the first word.
        end: seconds, end of the last word.
        cue: the pack's cue that matched (so a coach can see and edit it).
    """

    quote: str
    start: float
    end: float
    cue: str = ""


@dataclass(frozen=True, slots=True)
class QuestionRef:
    """The question the answer was checked against.

    Attributes:
        id: "pack/slug".
        text: the question.
        inferred: true when no id was given and the answer gave the question away.
    """

    id: str
    text: str
    inferred: bool


@dataclass(frozen=True, slots=True)
class PartResult:
    """One checklist item: a part of the structure or a closing move.

    Attributes:
        id: the part's id in the pack.
        label: as the checklist shows it.
        found: whether the answer has it at all.
        status: "found", "weak" (no measurable result, no professional theme),
            "misplaced" (not where it belongs: thesis late, bridge not at the end)
            or "missing".
        required: whether a miss costs points.
        note: why the status, in a sentence.
        evidence: the words that mark it (first few).
        advice: what to do about it, for this answer ("" when it is in place).
        weight: its share of the structure points, 0-1.
    """

    id: str
    label: str
    found: bool
    status: str
    required: bool
    note: str
    evidence: tuple[Evidence, ...]
    advice: str = ""
    weight: float = 0.0


@dataclass(frozen=True, slots=True)
class PitfallHit:
    """One pitfall in one sentence.

    Attributes:
        id: the pitfall's id ("extrinsic-motivation").
        label: what it is called.
        severity: "high", "medium" or "low".
        quote: the words that hit it.
        start: seconds.
        end: seconds.
        cue: the pack's cue that matched.
        suggestion: what to do instead, for this answer.
    """

    id: str
    label: str
    severity: str
    quote: str
    start: float | None
    end: float | None
    cue: str
    suggestion: str = ""


@dataclass(frozen=True, slots=True)
class ThemeResult:
    """A professional theme the answer draws on, with how often and where."""

    id: str
    label: str
    hits: int
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class Specificity:
    """Whether the answer tells one specific story.

    Attributes:
        story: a situation told with the candidate's own action or a result.
        measurable: a result with a number (percent, time, count, before/after).
        evidence: what showed the story (situation, action, result words).
        vague: vague phrases ("a lot of things", "stuff like that").
    """

    story: bool
    measurable: bool
    evidence: tuple[Evidence, ...]
    vague: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class TermHit:
    """A key term of the job description, and where the answer echoes it."""

    term: str
    found: bool
    evidence: Evidence | None


@dataclass(frozen=True, slots=True)
class Tailoring:
    """How well the answer is tailored to the job and the company.

    Attributes:
        company: the company's name, if given.
        company_mentions: where the answer names it.
        job_terms: the job description's key terms, found or not.
        values: the company values the description states, found or not.
        coverage: share of job terms and values the answer echoes, 0-1.
    """

    company: str | None
    company_mentions: tuple[Evidence, ...]
    job_terms: tuple[TermHit, ...]
    values: tuple[TermHit, ...]
    coverage: float


@dataclass(frozen=True, slots=True)
class ScoreItem:
    """One component of the content score."""

    component: str
    points: float
    max_points: float
    note: str


@dataclass(frozen=True, slots=True)
class ContentReport:
    """The content checks of one answer.

    Attributes:
        question: the question checked against, or None (generic checks only).
        score: 0-100, the sum of ``breakdown``.
        breakdown: points per component (structure, pitfalls, specificity, tailoring).
        parts: the structure checklist (closing moves for closing questions).
        order_ok: the parts that were found come in the pack's order.
        theme: the professional theme the answer leans on most, or None.
        themes: every theme found, most used first.
        pitfalls: every pitfall hit, in time order.
        specificity: the specific-story check.
        tailoring: the tailoring check, or None without a job description or company.
        suggestions: two or three things to change in this answer, most important first.
        options: the thresholds used.
        judged: False when the answer is too short to judge (fewer than
            ``options.min_judged_words`` words, no part of its structure, no pitfall): the score
            is then 0 and a finding says so, rather than 100 for pitfalls it had no room
            to hit.
    """

    question: QuestionRef | None
    score: int
    breakdown: tuple[ScoreItem, ...]
    parts: tuple[PartResult, ...]
    order_ok: bool
    theme: str | None
    themes: tuple[ThemeResult, ...]
    pitfalls: tuple[PitfallHit, ...]
    specificity: Specificity | None
    tailoring: Tailoring | None
    suggestions: tuple[str, ...]
    options: ContentOptions
    judged: bool = True

    @property
    def findings(self):
        """What to work on, as ``analysis.Finding``s (area "content"), most important first."""
        from rehearse.content.scoring import findings

        return findings(self)

    def render_terminal(self) -> list:
        """The content section of the terminal report, as rich renderables."""
        from rehearse.report.content_view import render

        return render(self)

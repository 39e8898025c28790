"""The round report of a mock interview: every answer, delivery across the round, the best
and the weakest answer, and the three things to work on.

``build`` works on the answers' analyses in their JSON form (``analysis.json``), so a
round can be reported again from its folder; ``RoundReport.to_dict`` is ``round.json``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rehearse.app.take_metrics import SEVERITY_RANK, metrics_of, top_finding
from rehearse.options import InterviewOptions

ROUND_SCHEMA_VERSION = "1.0"
# How much a finding of each severity weighs when choosing what to work on across the round.
_SEVERITY_WEIGHT = {"high": 3.0, "medium": 2.0, "low": 1.0}
_PERKS_PITFALL = "perks-first"


@dataclass(frozen=True, slots=True)
class AnswerInput:
    """One answer as the interview recorded it (what ``build`` needs).

    Attributes:
        analysis: the take's analysis, JSON form.
        kind: "question", "follow-up" or "closing".
        asked: what the interviewer said.
        question_id: the question (a follow-up's parent question).
        budget_s: the answer's time budget.
        folder: the take's folder.
        ended_by: what ended the take.
        followup_id: the follow-up asked after this answer (or, for a follow-up, which one it is).
        followup_part: the part that called for it, and its state ("result: missing").
        joined: for a follow-up, the parent question checked on both answers (content JSON).
    """

    analysis: dict[str, Any]
    kind: str
    asked: str
    question_id: str
    budget_s: float
    folder: str
    ended_by: str = ""
    followup_id: str | None = None
    followup_part: str | None = None
    joined: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class AnswerSummary:
    """One answer in the round report.

    Attributes:
        position: 1-based, in the order answered.
        kind: "question", "follow-up" or "closing".
        question_id: the question (a follow-up's parent question).
        asked: what the interviewer said.
        folder: where the take, its analysis and meta are.
        speaking_s: first word to last word (None without words).
        budget_s: the answer's budget.
        budget_verdict: "short" (under the question's minimum), "ok" or "over" the budget.
        score: content score of this answer alone.
        score_with_followup: the parent question's score on the answer and its follow-up
            together (follow-ups only).
        resolved: whether the follow-up supplied the part that was missing (follow-ups only).
        top_finding: the most severe finding's message.
        fillers_per_min: counted filled pauses and discourse fillers per minute.
        wpm: words per minute.
        level_dbfs: median speech level.
        pitch_sd_st: pitch variation.
        followup: the follow-up this answer called for (a follow-up: which one it is), "" when none.
        ended_by: what ended the take.
    """

    position: int
    kind: str
    question_id: str
    asked: str
    folder: str
    speaking_s: float | None
    budget_s: float
    budget_verdict: str
    score: int | None
    score_with_followup: int | None
    resolved: bool | None
    top_finding: str | None
    fillers_per_min: float | None
    wpm: float | None
    level_dbfs: float | None
    pitch_sd_st: float | None
    followup: str
    ended_by: str


@dataclass(frozen=True, slots=True)
class Trend:
    """One delivery measure across the round.

    Attributes:
        measure: "level_dbfs", "wpm" or "fillers_per_min".
        values: per answer (position, value), answers with too little speech left out.
        change: the least-squares line's change from the first answer to the last.
        fading: the change is a fade (level or pace down, fillers up, past the threshold).
        note: the change in words.
    """

    measure: str
    values: tuple[tuple[int, float], ...]
    change: float | None
    fading: bool
    note: str


@dataclass(frozen=True, slots=True)
class ClosingMove:
    """One closing move of the closing turn: found or not, with the words."""

    id: str
    label: str
    found: bool
    quote: str


@dataclass(frozen=True, slots=True)
class ClosingSummary:
    """The closing turn judged by its closing moves.

    Attributes:
        position: the closing answer's position.
        moves: each closing move of its question.
        perks_first: pay or perks came up before any closing move (a pitfall).
        perks_quote: the words about pay or perks.
    """

    position: int
    moves: tuple[ClosingMove, ...]
    perks_first: bool
    perks_quote: str


@dataclass(frozen=True, slots=True)
class FocusItem:
    """One of the things to work on for the whole round.

    Attributes:
        kind: the finding kind (or "round.fading.*", "round.closing").
        message: what to work on.
        answers: positions of the answers it came up in.
    """

    kind: str
    message: str
    answers: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RoundReport:
    """Everything the round report shows. ``to_dict`` is ``round.json``."""

    round_id: str
    title: str
    started_at: str
    folder: str
    complete: bool
    total_s: float
    answers_s: float
    budget_s: float
    answers: tuple[AnswerSummary, ...]
    trends: tuple[Trend, ...]
    best: int | None
    weakest: int | None
    focus: tuple[FocusItem, ...]
    closing: ClosingSummary | None
    options: InterviewOptions
    timings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": ROUND_SCHEMA_VERSION, **asdict(self)}


def build(answers: list[AnswerInput], *, round_id: str, title: str, started_at: str, folder: str, complete: bool,
          total_s: float, budget_s: float, options: InterviewOptions, timings: dict | None = None) -> RoundReport:
    """The round report from the answers, in the order they were given."""
    summaries = tuple(_summary(i + 1, a, answers) for i, a in enumerate(answers))
    trends = tuple(_trend(name, summaries, options) for name in ("level_dbfs", "wpm", "fillers_per_min"))
    main = [s for s in summaries if s.kind != "follow-up" and s.score is not None]
    best = max(main, key=lambda s: (_final_score(s, summaries), -s.position)).position if main else None
    weakest = min(main, key=lambda s: (_final_score(s, summaries), s.position)).position if len(main) > 1 else None
    closing = next((_closing(i + 1, a) for i, a in enumerate(answers) if a.kind == "closing"), None)
    answers_s = sum(float((a.analysis.get("audio") or {}).get("duration") or 0.0) for a in answers)
    return RoundReport(
        round_id=round_id, title=title, started_at=started_at, folder=folder, complete=complete,
        total_s=round(total_s, 1), answers_s=round(answers_s, 1), budget_s=budget_s, answers=summaries,
        trends=trends, best=best, weakest=weakest, focus=_focus(answers, trends, closing, options), closing=closing,
        options=options, timings=dict(timings or {}),
    )


def _final_score(s: AnswerSummary, summaries) -> int:
    """An answer's score, counting what its follow-up added."""
    child = next((c for c in summaries if c.kind == "follow-up" and c.position == s.position + 1), None)
    if child is not None and child.score_with_followup is not None:
        return max(s.score or 0, child.score_with_followup)
    return s.score or 0


def _summary(position: int, a: AnswerInput, answers: list[AnswerInput]) -> AnswerSummary:
    m = metrics_of(a.analysis)
    delivery = a.analysis.get("delivery") or {}
    energy = delivery.get("energy") or {}
    if m.speaking_s is None or m.speaking_s <= 0:
        verdict = "short"
    elif m.speaking_s > a.budget_s:
        verdict = "over"
    else:
        verdict = "short" if m.target_min_s is not None and m.speaking_s < m.target_min_s else "ok"
    fillers = None if m.filled_per_min is None else round(m.filled_per_min + (m.discourse_per_min or 0.0), 1)
    findings = a.analysis.get("findings") or []
    score = m.content_score
    joined_score = resolved = None
    if a.kind == "follow-up" and a.joined is not None:
        joined_score = a.joined.get("score")
        part = next((p for p in a.joined.get("parts") or [] if p.get("id") == a.followup_part), None)
        resolved = part is not None and part.get("status") == "found"
    return AnswerSummary(
        position=position, kind=a.kind, question_id=a.question_id, asked=a.asked, folder=a.folder,
        speaking_s=m.speaking_s, budget_s=a.budget_s, budget_verdict=verdict,
        score=None if score is None or a.kind == "follow-up" else int(score),
        score_with_followup=joined_score, resolved=resolved,
        top_finding=top_finding(findings).get("message") if findings else None,
        fillers_per_min=fillers, wpm=m.wpm, level_dbfs=energy.get("median_dbfs"), pitch_sd_st=m.pitch_sd_st,
        followup=a.followup_id or "", ended_by=a.ended_by,
    )


def _trend(measure: str, summaries, options: InterviewOptions) -> Trend:
    values = tuple((s.position, float(getattr(s, measure))) for s in summaries
                   if getattr(s, measure) is not None and (s.speaking_s or 0.0) >= options.fade_min_speaking_s)
    if len(values) < 2:
        return Trend(measure, values, None, False, "too few answers to tell")
    import numpy as np

    x = np.array([p for p, _ in values], float)
    y = np.array([v for _, v in values], float)
    slope = float(np.polyfit(x, y, 1)[0]) if np.ptp(x) > 0 else 0.0
    change = slope * float(x[-1] - x[0])
    if measure == "level_dbfs":
        fading = change <= -options.fade_energy_db
        note = f"{change:+.1f} dB from the first answer to the last"
    elif measure == "wpm":
        first = abs(float(y[0])) or 1.0
        fading = change <= -options.fade_pace_share * first
        note = f"{change:+.0f} words/min from the first answer to the last"
    else:
        fading = change >= options.fade_fillers_per_min
        note = f"{change:+.1f} fillers/min from the first answer to the last"
    return Trend(measure, values, round(change, 2), fading, ("fading: " if fading else "steady: ") + note)


def _closing(position: int, a: AnswerInput) -> ClosingSummary:
    content = a.analysis.get("content") or {}
    moves = tuple(ClosingMove(p["id"], p["label"], p["status"] != "missing",
                              (p.get("evidence") or [{}])[0].get("quote", "") if p.get("evidence") else "")
                  for p in content.get("parts") or [])
    first_move = min((e["start"] for p in content.get("parts") or [] if p["status"] != "missing"
                      for e in p.get("evidence") or [] if e.get("start") is not None), default=None)
    perks = [h for h in content.get("pitfalls") or [] if h.get("id") == _PERKS_PITFALL]
    first_perk = min(perks, key=lambda h: h.get("start") or 0.0) if perks else None
    perks_first = first_perk is not None and (first_move is None or (first_perk.get("start") or 0.0) < first_move)
    return ClosingSummary(position, moves, perks_first, first_perk.get("quote", "") if first_perk else "")


def _focus(answers: list[AnswerInput], trends, closing: ClosingSummary | None,
           options: InterviewOptions) -> tuple[FocusItem, ...]:
    """The things to work on: findings that come back across answers first, weighed by severity."""
    weight: dict[str, float] = {}
    where: dict[str, list[int]] = {}
    text: dict[str, tuple[int, str]] = {}
    for position, a in enumerate(answers, start=1):
        for f in a.analysis.get("findings") or []:
            kind = f.get("kind") or f.get("message", "")
            severity = str(f.get("severity"))
            if position not in where.setdefault(kind, []):
                where[kind].append(position)
                weight[kind] = weight.get(kind, 0.0) + _SEVERITY_WEIGHT.get(severity, 1.0)
            rank = SEVERITY_RANK.get(severity, len(SEVERITY_RANK))
            if kind not in text or rank < text[kind][0]:
                advice = f.get("suggestion") or ""
                text[kind] = (rank, f"{f.get('message', '')}" + (f" \u2014 {advice}" if advice else ""))
    for t in trends:
        if t.fading:
            kind = f"round.fading.{t.measure}"
            weight[kind] = _SEVERITY_WEIGHT["high"] * 2
            where[kind] = [p for p, _ in t.values]
            what = {"level_dbfs": "your voice got quieter", "wpm": "your pace dropped",
                    "fillers_per_min": "fillers grew"}[t.measure]
            message = (f"You faded as the round went on: {what} ({t.note.split(': ', 1)[1]}). "
                       "Keep the energy of your first answer to the last.")
            text[kind] = (0, message)
    if closing is not None and closing.perks_first:
        kind = "round.closing.perks-first"
        weight[kind] = _SEVERITY_WEIGHT["high"] * 2
        where[kind] = [closing.position]
        message = (f"Your first closing question was about pay or perks (\u201c{closing.perks_quote}\u201d); "
                   "open with the feedback question and your interest in the job, keep pay for the offer.")
        text[kind] = (0, message)
    ranked = sorted(weight, key=lambda k: (-weight[k], text[k][0], min(where[k])))
    return tuple(FocusItem(k, text[k][1], tuple(where[k])) for k in ranked[: options.focus_items])

"""The numbers a take is compared by, read from its analysis in JSON form.

The history stores them as columns, the review table and CSV print them, and trends
and comparisons judge them; all read them through ``metrics_of`` so they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rehearse.verdicts import SEVERITY_ORDER as SEVERITY_RANK  # noqa: F401 (one severity order, kept under its old name)



@dataclass(frozen=True, slots=True)
class Metrics:
    """The numbers a take is compared by, taken from its analysis.

    Attributes:
        duration_s: length of the recording.
        speaking_s: first word to last word.
        target_min_s: shortest answer the take was judged against.
        target_max_s: longest answer the take was judged against.
        duration_verdict: "short", "ok" or "over".
        wpm: words per minute over the speaking time.
        target_min_wpm: slowest pace the take was judged against.
        target_max_wpm: fastest pace the take was judged against.
        articulation_wpm: words per minute with the pauses taken out.
        filled_per_min: counted um/uh per minute.
        discourse_per_min: counted discourse fillers per minute.
        filled_count: counted filled pauses.
        discourse_count: counted discourse fillers.
        pause_count: pauses of at least the minimum pause length.
        long_pauses: pauses of at least the long-pause length.
        longest_pause_s: the longest pause.
        pitch_sd_st: pitch variation in semitones (None when unvoiced).
        content_score: the content check's score (None when it did not run).
        top_issue: the most severe finding's message.
        findings_count: number of findings.
    """

    duration_s: float | None = None
    speaking_s: float | None = None
    target_min_s: float | None = None
    target_max_s: float | None = None
    duration_verdict: str | None = None
    wpm: float | None = None
    target_min_wpm: float | None = None
    target_max_wpm: float | None = None
    articulation_wpm: float | None = None
    filled_per_min: float | None = None
    discourse_per_min: float | None = None
    filled_count: int | None = None
    discourse_count: int | None = None
    pause_count: int | None = None
    long_pauses: int | None = None
    longest_pause_s: float | None = None
    pitch_sd_st: float | None = None
    content_score: float | None = None
    top_issue: str | None = None
    findings_count: int | None = None


def metrics_of(data: dict[str, Any]) -> Metrics:
    """The metrics of an analysis in its JSON form (``Analysis.to_dict()``)."""
    delivery = data.get("delivery") or {}
    duration = delivery.get("duration") or {}
    pace = delivery.get("pace") or {}
    pauses = delivery.get("pauses") or {}
    fillers = delivery.get("fillers") or {}
    findings = data.get("findings") or []
    target = (data.get("thresholds") or {}).get("target") or {}
    content = data.get("content")
    score = content.get("score") if isinstance(content, dict) else None
    if isinstance(score, dict):  # a score broken into parts carries its total
        score = next((score[k] for k in ("total", "value", "score") if k in score), None)
    return Metrics(
        duration_s=(data.get("audio") or {}).get("duration"),
        speaking_s=duration.get("speaking"),
        target_min_s=duration.get("target_min"),
        target_max_s=duration.get("target_max"),
        duration_verdict=duration.get("verdict"),
        wpm=pace.get("wpm"),
        target_min_wpm=target.get("min_wpm"),
        target_max_wpm=target.get("max_wpm"),
        articulation_wpm=pace.get("articulation_wpm"),
        filled_per_min=fillers.get("filled_per_min"),
        discourse_per_min=fillers.get("discourse_per_min"),
        filled_count=fillers.get("filled_count"),
        discourse_count=fillers.get("discourse_count"),
        pause_count=pauses.get("count"),
        long_pauses=pauses.get("long_count"),
        longest_pause_s=pauses.get("longest"),
        pitch_sd_st=(delivery.get("pitch") or {}).get("sd_st"),
        content_score=float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None,
        top_issue=top_finding(findings).get("message") if findings else None,
        findings_count=len(findings),
    )


def top_finding(findings: list[dict[str, Any]]) -> dict[str, Any]:
    """The finding the reports put first (``verdicts.rank``: most severe, then earliest)."""
    from rehearse.verdicts import rank

    return rank(findings)[0]

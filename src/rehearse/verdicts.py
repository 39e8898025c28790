"""Every pass/fail verdict on a take's measures, made here once.

The findings (``analysis.delivery_findings``, the language findings) and every report
(terminal table, HTML cards and measures) read these verdicts instead of comparing a
measure with its threshold themselves, so a threshold means the same everywhere and
changing what it means is one edit.

A rate is judged as it is printed (words/min as a whole number): a pace shown as
"160 words/min" under a "120-160" target is on target, never "faster than 160".
"""

from __future__ import annotations

from dataclasses import dataclass

from rehearse.options import TargetOptions, Thresholds

# A content score at least this high reads as on target (out of 100).
GOOD_CONTENT_SCORE = 70


@dataclass(frozen=True, slots=True)
class Verdicts:
    """The take's measures against their targets; None where a measure is not judged.

    Attributes:
        duration: "ok", "over" or "short" (from ``delivery.duration``).
        judged: the answer is long enough for pace, vocal variety and loudness
            variation to mean something (``TargetOptions.min_judged_s``).
        pace: "ok", "fast" or "slow"; None without words or when not judged.
        filled_ok: filled pauses (um, uh) per minute within the target.
        discourse_ok: discourse fillers (like, you know) per minute within the target.
        long_pauses_ok: long pauses no more often than the target allows.
        pitch_ok: pitch varies enough; None without pitch or when not judged.
        loudness_ok: speech loud enough and never clipping; None without a speech level.
        loudness_flat: loudness barely changes (judged takes only).
    """

    duration: str
    judged: bool
    pace: str | None
    filled_ok: bool
    discourse_ok: bool
    long_pauses_ok: bool
    pitch_ok: bool | None
    loudness_ok: bool | None
    loudness_flat: bool

    @property
    def duration_ok(self) -> bool:
        return self.duration == "ok"

    @property
    def pace_ok(self) -> bool | None:
        return None if self.pace is None else self.pace == "ok"


def pace_verdict(wpm: float, target: TargetOptions) -> str:
    """"fast", "slow" or "ok": words/min, as printed (whole), against the target range."""
    shown = round(wpm)
    if shown > target.max_wpm:
        return "fast"
    if shown < target.min_wpm:
        return "slow"
    return "ok"


def rushed(wpm: float, target: TargetOptions) -> bool:
    """A stretch is rushed only when it is faster than the target, not merely than the speaker's own pace."""
    return pace_verdict(wpm, target) == "fast"


def dragging(wpm: float, target: TargetOptions) -> bool:
    """A stretch drags only when it is slower than the target."""
    return pace_verdict(wpm, target) == "slow"


def judge(delivery, thresholds: Thresholds) -> Verdicts:
    """The verdicts on a take's delivery measures (``delivery.Delivery``)."""
    duration = delivery.duration
    judged = duration.speaking >= thresholds.target.min_judged_s
    pace = delivery.pace
    fillers, options = delivery.fillers, thresholds.fillers
    minutes = max(duration.speaking, 1.0) / 60
    pauses = delivery.pauses
    pitch, energy, prosody = delivery.pitch, delivery.energy, thresholds.prosody
    return Verdicts(
        duration=duration.verdict,
        judged=judged,
        pace=pace_verdict(pace.wpm, thresholds.target) if pace.words and judged else None,
        filled_ok=fillers.filled_per_min <= options.max_filled_per_min,
        discourse_ok=fillers.discourse_per_min <= options.max_discourse_per_min,
        long_pauses_ok=pauses.long_count / minutes <= thresholds.pauses.max_long_pauses_per_min,
        pitch_ok=None if pitch.sd_st is None or not judged else pitch.sd_st >= prosody.min_pitch_sd_st,
        loudness_ok=None if energy.median_dbfs is None else not energy.too_quiet and not energy.clipping,
        loudness_flat=judged and energy.sd_db is not None and energy.sd_db < prosody.min_loudness_sd_db,
    )


def content_ok(score: float | None) -> bool | None:
    """A content score on target, or None without one."""
    return None if score is None else score >= GOOD_CONTENT_SCORE



SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def rank(findings) -> tuple:
    """Findings most severe first, then in the order they happen; whole-take findings (no time) lead their severity.

    Takes ``Finding``s or their JSON form (dicts), so the history's "top issue" is the
    report's first finding.
    """
    def field(finding, name: str):
        return finding.get(name) if isinstance(finding, dict) else getattr(finding, name)

    def key(finding) -> tuple[int, float]:
        start = field(finding, "start")
        return SEVERITY_ORDER.get(str(field(finding, "severity")), len(SEVERITY_ORDER)), -1.0 if start is None else float(start)

    return tuple(sorted(findings, key=key))

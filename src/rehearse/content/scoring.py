"""The content score, the findings and the suggestions, from the checks' results.

The score adds up components, each worth its ``ContentOptions`` points rescaled so
that the components that apply sum to 100:

- structure: each required part earns its weight when found in place, part of it
  when weak or misplaced (with ``need_parts``, any that many parts earn it all);
- pitfalls: full points less a share per distinct pitfall, by severity;
- specificity: a story with a measurable result earns all; a story without a number
  ``story_without_number_credit``; vague phrases cost ``vague_phrase_cost`` each (up to
  ``max_vague_cost``);
- tailoring: job terms echoed (all points at ``tailoring_full_at``) and the company named.

It depends on the words alone, so the same transcript always scores the same.
"""

from __future__ import annotations

from rehearse.content.checks import NO_STORY_CUE
from rehearse.content.tailoring import echoed_enough
from rehearse.text.format import clock
from rehearse.options import ContentOptions
from rehearse.content.results import (
    ContentReport,
    PartResult,
    PitfallHit,
    ScoreItem,
    Specificity,
    Tailoring,
)

STATUS_CREDIT_FULL = {"found": 1.0, "missing": 0.0}
# A "sentence" shorter than this is taken for a piece the transcription split off, not a line to quote back.
KEEP_MIN_WORDS = 5
# Parts weighing this share of the structure or more are "major": missing one is a high finding.


def structure_fraction(parts: tuple[PartResult, ...], need_parts: int, options: ContentOptions) -> tuple[float, str]:
    """Share of the structure points earned, and a note."""
    def credit(p: PartResult) -> float:
        return STATUS_CREDIT_FULL.get(p.status, options.partial_credit)

    if need_parts:
        earned = sum(credit(p) for p in parts)
        return min(1.0, earned / need_parts), f"{sum(p.found for p in parts)} of {len(parts)} (needs {need_parts})"
    required = [p for p in parts if p.required]
    total = sum(p.weight for p in required)
    if not total:
        return 1.0, "no required parts"
    earned = sum(p.weight * credit(p) for p in required)
    done = sum(p.status == "found" for p in required)
    return earned / total, f"{done} of {len(required)} parts in place"


def pitfall_fraction(hits: tuple[PitfallHit, ...], options: ContentOptions) -> tuple[float, str]:
    penalty = {"high": options.penalty_high, "medium": options.penalty_medium, "low": options.penalty_low}
    distinct = {h.id: h.severity for h in hits}
    lost = sum(penalty[s] for s in distinct.values())
    note = ", ".join(sorted(distinct)) if distinct else "none hit"
    return max(0.0, 1.0 - lost), note


def specificity_fraction(spec: Specificity, options: ContentOptions) -> tuple[float, str]:
    if spec.story and spec.measurable:
        value, note = 1.0, "a specific story with a measurable result"
    elif spec.story:
        value, note = options.story_without_number_credit, "a specific story, no number in the result"
    else:
        value, note = 0.0, "no specific story"
    if spec.vague:
        value -= min(options.max_vague_cost, options.vague_phrase_cost * len(spec.vague))
        note += f"; {len(spec.vague)} vague phrase{'s' if len(spec.vague) > 1 else ''}"
    return max(0.0, value), note


def breakdown(components: dict[str, tuple[float, str]], options: ContentOptions) -> tuple[tuple[ScoreItem, ...], int]:
    """Rescale the components that apply to 100 points; returns the items and the total."""
    points = {"structure": options.structure_points, "pitfalls": options.pitfall_points,
              "specificity": options.specificity_points, "tailoring": options.tailoring_points}
    total_weight = sum(points[name] for name in components)
    items = []
    for name, (fraction, note) in components.items():
        max_points = round(100 * points[name] / total_weight, 1)
        items.append(ScoreItem(name, round(max_points * fraction, 1), max_points, note))
    score = round(sum(100 * points[n] / total_weight * f for n, (f, _) in components.items()))
    return tuple(items), int(score)


# --- suggestions -----------------------------------------------------------------------


def fill(template: str, **values: str) -> str:
    """Put this answer's words into a pack's advice ("{quote}", "{company}", "{theme}")."""
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


def suggestions(*, parts: tuple[PartResult, ...], hits: tuple[PitfallHit, ...], spec: Specificity | None,
                tailoring: Tailoring | None, options: ContentOptions) -> tuple[str, ...]:
    """Two or three changes for this answer, quoting it, most important first."""
    ranked: list[tuple[int, str]] = []
    seen: set[str] = set()
    for hit in hits:
        if hit.id not in seen:
            seen.add(hit.id)
            # A hit that quotes the answer is more useful than "tell a story" in general.
            ranked.append(({"high": 0, "medium": 2, "low": 4}[hit.severity] + (hit.cue == NO_STORY_CUE), hit.suggestion))
    for part in parts:
        if part.required and part.status != "found":
            ranked.append(({"missing": 1 if _is_major(part, options) else 2}.get(part.status, 3), part.advice))
    if tailoring is not None:
        missing = [t.term for t in tailoring.job_terms + tailoring.values if not t.found][:3]
        if missing and not echoed_enough(tailoring, options):
            terms = ", ".join(f"\u201c{t}\u201d" for t in missing)
            ranked.append((3, f"Echo the job description: say where you used {terms} in your story, in its words."))
        if tailoring.company and not tailoring.company_mentions:
            ranked.append((4, f"Name {tailoring.company} in your last sentence and say why this role there fits you."))
    if spec is not None and spec.vague and not any(h.id == "generic-answer" for h in hits):
        ranked.append((4, f"Replace the vague \u201c{spec.vague[0].quote}\u201d with the specific thing you did."))
    ranked.sort(key=lambda r: r[0])
    chosen = list(dict.fromkeys(text for _, text in ranked if text))[: options.max_suggestions]
    for tip in _polish(parts):
        if len(chosen) >= 2:
            break
        chosen.append(tip)
    return tuple(chosen)


def _whole_sentence(quote: str) -> bool:
    """A quote that can be repeated back as a line: not clipped, and not a piece the
    transcription split off a sentence ("Within 2 weeks.")."""
    return "\u2026" not in quote and len(quote.split()) >= KEEP_MIN_WORDS


def _line(part: PartResult, what: str) -> str:
    """The part's sentence quoted when it is whole, else named with its time."""
    ev = part.evidence[0]
    return f"\u201c{ev.quote}\u201d" if _whole_sentence(ev.quote) else f"{what} (at {clock(ev.start)})"


def _polish(parts: tuple[PartResult, ...]) -> list[str]:
    """For an answer with little to fix: what to keep, and how to deliver it."""
    tips = []
    result = next((p for p in parts if p.id == "result" and p.status == "found" and p.evidence), None)
    if result:
        tips.append(f"Keep {_line(result, 'your result')}: it is the line interviewers remember. "
                    "Slow down and pause after it.")
    opening = next((p for p in parts if p.status == "found" and p.evidence), None)
    if opening and opening is not result:
        tips.append(f"Keep the opening {_line(opening, 'sentence')} short: one plain sentence, then the story.")
    tips.append("Rehearse it aloud until it flows without notes, then time it against the target length.")
    return tips


def _is_major(part: PartResult, options: ContentOptions) -> bool:
    return part.weight >= options.major_part_share


# --- findings --------------------------------------------------------------------------


def findings(report: ContentReport):
    """The report's issues as ``analysis.Finding``s, most important first."""
    from rehearse.findings import Finding

    out: list[tuple[int, Finding]] = []
    if not report.judged:
        what = report.question.text if report.question else "the question"
        out.append((0, Finding("content", "high", "Too short to judge: the answer says too little to check its content.",
                               f"Answer {what!r} in two or three full sentences: your point, one specific example, "
                               "and why it matters here.", kind="content.not-judged")))
    by_id: dict[str, list[PitfallHit]] = {}
    for hit in report.pitfalls:
        by_id.setdefault(hit.id, []).append(hit)
    for hits in by_id.values():
        first = hits[0]
        more = f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""
        quote = f": \u201c{first.quote}\u201d" if first.quote else ""
        out.append(({"high": 0, "medium": 2, "low": 4}[first.severity],
                    Finding("content", first.severity, f"{first.label}{quote}{more}.", first.suggestion, first.start, first.end,
                            kind=f"content.pitfall.{first.id}")))
    for part in report.parts:
        if not part.required or part.status == "found":
            continue
        if part.status == "missing":
            major = _is_major(part, report.options)
            out.append((1 if major else 2, Finding("content", "high" if major else "medium", f"Missing: {part.label}.", part.advice,
                                                   kind=f"content.part.{part.id}.missing")))
            continue
        ev = part.evidence[0] if part.evidence else None
        quote = f" \u201c{ev.quote}\u201d" if ev else ""
        out.append((3, Finding("content", "medium", f"{part.label}: {part.note}{quote}", part.advice,
                               ev.start if ev else None, ev.end if ev else None, kind=f"content.part.{part.id}.{part.status}")))
    t = report.tailoring
    if t is not None and (t.job_terms or t.values) and not echoed_enough(t, report.options):
        terms = t.job_terms + t.values
        found = [h.term for h in terms if h.found]
        missing = ", ".join(h.term for h in terms if not h.found)
        echoed = f" ({', '.join(found)})" if found else ""
        out.append((3, Finding("content", "medium",
                               f"Echoes {len(found)} of {len(terms)} key terms of the job description{echoed}; not: {missing}.",
                               "Tell the story in the job description's words, and tie its result to what this role needs.",
                               kind="content.tailoring.terms")))
    if t is not None and t.company and not t.company_mentions:
        out.append((4, Finding("content", "low", f"The answer never names {t.company}.",
                               f"Say why {t.company} and this role, by name, in your closing sentence.",
                               kind="content.tailoring.company")))
    out.sort(key=lambda item: item[0])
    return tuple(f for _, f in out)

"""Content checks: does the answer have the structure that works for its question, which
pitfalls does it fall into, is it specific, and is it tailored to the job?

The rules come from the question packs (``rehearse.packs``), so a coach can read and
edit every cue; every hit carries its words and their times. ``check`` is called by
``analysis.analyze`` on the transcript's words; ``infer_question`` names the question
when the user gave none.
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

from rehearse.content import checks, scoring
from rehearse.content import tailoring as tailoring_check
from rehearse.content.tailoring import terms_needed
from rehearse.options import ContentOptions
from rehearse.content.results import (
    ContentReport,
    Evidence,
    PartResult,
    PitfallHit,
    QuestionRef,
    ScoreItem,
    Specificity,
    Tailoring,
    TermHit,
    ThemeResult,
)
from rehearse.content.scoring import findings
from rehearse.text.tokens import Utterance, words_from_text
from rehearse.speech.transcribe import Word

# Advice for a part in the wrong place, when its pack gives none.
MOVE_ADVICE = {
    "start": "Open with \u201c{quote}\u201d: say it in your first sentence, then tell the story.",
    "end": "Close with \u201c{quote}\u201d: make it your last sentence.",
}
# Said when the answer names no professional theme to build on.
THEME_EXAMPLES = "solving a hard problem, or seeing someone you coached succeed"

__all__ = [
    "ContentOptions", "ContentReport", "Evidence", "PartResult", "PitfallHit", "QuestionRef", "ScoreItem",
    "Specificity", "Tailoring", "TermHit", "ThemeResult", "check", "terms_needed", "findings", "infer_question", "words_from_text",
]


def check(
    words: Sequence[Word],
    *,
    question=None,
    job_text: str | None = None,
    company: str | None = None,
    inferred: bool = False,
    catalog=None,
    options: ContentOptions | None = None,
) -> ContentReport:
    """Check an answer's content.

    Args:
        words: the transcript's words, in time order (``words_from_text`` for typed text).
        question: a ``packs.Question``; None runs the generic checks only (pitfalls,
            bad language, specificity).
        job_text: a job description, for the tailoring check.
        company: the company's name, for the tailoring check and the bridge.
        inferred: the question was inferred from the answer (recorded in the report).
        catalog: the packs to take shared definitions from (default: ``packs.load_packs()``).
        options: thresholds; the question pack's when None (``Thresholds.content``).
    """
    from rehearse import packs
    if options is None:
        options = question.thresholds.content if question is not None else ContentOptions()
    catalog = catalog if catalog is not None else packs.load_packs()
    utt = Utterance(words, sentence_gap_s=options.sentence_gap_s)
    company = (company or "").strip() or None
    company_cue = checks.company_pattern(company)
    theme_source = question.themes if question is not None and question.themes else catalog.themes
    themes, theme_spans = checks.find_themes(utt, theme_source, options)
    reported_themes = themes if question is None or question.themes else ()
    theme_quote = themes[0].evidence[0].quote if themes else None
    values = {"company": company or "this company", "role": f"the role at {company}" if company else "this role",
              "theme": f"\u201c{theme_quote}\u201d" if theme_quote else THEME_EXAMPLES}

    parts: tuple[PartResult, ...] = ()
    order_ok = True
    if question is not None:
        parts, order_ok, _ = checks.find_parts(utt, question, company_cue=company_cue, theme_spans=theme_spans,
                                               options=options)
        parts = _with_advice(parts, question, values)
    spec = None
    words_said = sum(not t.skippable for t in utt.tokens)
    if words_said >= options.min_story_words and (question is None or question.story):
        templates = {**catalog.parts, **({p.id: p for p in question.parts} if question is not None else {})}
        vague = [cue for p in catalog.pitfalls.values() if p.only_without_story for cue in p.cues]
        spec = checks.specificity(utt, templates, vague)
    pitfalls = question.pitfalls if question is not None else catalog.generic_pitfalls()
    if question is None:
        pitfalls = tuple(p for p in pitfalls) + tuple(
            p for p in catalog.pitfalls.values() if p.only_without_story and p not in pitfalls)
    hits = checks.find_pitfalls(utt, pitfalls, story=spec.story if spec else None, options=options)
    advice = {p.id: p for p in pitfalls}
    hits = tuple(dataclasses.replace(h, suggestion=scoring.fill(_pitfall_advice(advice[h.id], h), quote=h.quote, **values))
                 for h in hits)
    tailoring = tailoring_check.check(utt, job_text, company, options) if (job_text or company) else None

    components: dict[str, tuple[float, str]] = {}
    if question is not None:
        components["structure"] = scoring.structure_fraction(parts, question.need_parts, options)
    components["pitfalls"] = scoring.pitfall_fraction(hits, options)
    if spec is not None:
        components["specificity"] = scoring.specificity_fraction(spec, options)
    if tailoring is not None:
        components["tailoring"] = (tailoring_check.fraction(tailoring, options), _tailoring_note(tailoring))
    # A few words with no part of the answer and no pitfall in them leave nothing to
    # judge: every component is lost, not kept because no pitfall had room to happen.
    judged = words_said >= options.min_judged_words or any(p.found for p in parts) or bool(hits)
    if not judged:
        components = {name: (0.0, "no words" if not utt.tokens else "nothing to judge") for name in components}
    breakdown, score = scoring.breakdown(components, options)
    suggestions = scoring.suggestions(parts=parts, hits=hits, spec=spec, tailoring=tailoring, options=options) \
        if judged else ()
    ref = QuestionRef(question.id, question.text, inferred) if question is not None else None
    return ContentReport(
        question=ref,
        score=score,
        breakdown=breakdown,
        parts=parts,
        order_ok=order_ok,
        theme=reported_themes[0].id if reported_themes else None,
        themes=reported_themes,
        pitfalls=hits,
        specificity=spec,
        tailoring=tailoring,
        suggestions=suggestions,
        options=options,
        judged=judged,
    )


def infer_question(words: Sequence[Word], catalog=None, *, options: ContentOptions | None = None):
    """The question an answer is clearly about, or None when it is not clear.

    The answer must give its question away early (an echo such as "what inspires me?"
    or the question's cues in the first sentences) and clearly more than any other.

    Args:
        words: the transcript's words.
        catalog: the packs to choose from (default: ``packs.load_packs()``).
    """
    from rehearse import packs
    options = options or ContentOptions()
    catalog = catalog if catalog is not None else packs.load_packs()
    return checks.infer(Utterance(words, sentence_gap_s=options.sentence_gap_s), catalog.questions, options)


def _with_advice(parts: tuple[PartResult, ...], question, values: dict[str, str]) -> tuple[PartResult, ...]:
    total = sum(p.weight for p in question.parts if p.required) or 1.0
    out = []
    for result, part in zip(parts, question.parts):
        quote = result.evidence[0].quote if result.evidence else ""
        template = {"found": "", "missing": part.advice, "weak": part.fix or part.advice,
                    "misplaced": part.move or MOVE_ADVICE.get(part.position, part.advice)}[result.status]
        advice = scoring.fill(template, quote=quote, **values)
        weight = round(part.weight / total, 3) if part.required else 0.0
        out.append(dataclasses.replace(result, advice=advice, weight=weight))
    return tuple(out)


def _pitfall_advice(pitfall, hit: PitfallHit) -> str:
    if hit.cue == checks.NO_STORY_CUE and pitfall.suggestion_plain:
        return pitfall.suggestion_plain
    return pitfall.suggestion


def _tailoring_note(t: Tailoring) -> str:
    hits = t.job_terms + t.values
    notes = []
    if hits:
        notes.append(f"{sum(h.found for h in hits)} of {len(hits)} job terms echoed")
    if t.company:
        notes.append(f"{t.company} named" if t.company_mentions else f"{t.company} not named")
    return "; ".join(notes) or "nothing to compare"

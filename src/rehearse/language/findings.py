"""The language findings: what to work on, most important first, each quoting its evidence."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rehearse.findings import Finding
from rehearse.language.report import Hit, LanguageReport
from rehearse.options import Thresholds
from rehearse.text.format import clock, plural
from rehearse.verdicts import dragging, rushed

AREA = "language"


def _q(text: str, limit: int = 80) -> str:
    text = text if len(text) <= limit else text[: limit - 1] + "\u2026"
    return f"\u201c{text}\u201d"


def _examples(hits: Sequence[Hit], n: int = 3) -> str:
    return "; ".join(f"{_q(h.text)} at {clock(h.start)}" for h in hits[:n]) + ("; \u2026" if len(hits) > n else "")


def _tally(hits: Sequence[Hit]) -> str:
    counts = Counter(h.phrase for h in hits)
    return ", ".join(f"\u201c{p}\u201d \u00d7{n}" if n > 1 else f"\u201c{p}\u201d" for p, n in counts.most_common())


def build_findings(report: LanguageReport, thresholds: Thresholds) -> tuple[Finding, ...]:
    """Findings of a language report (area "language"), ordered by what to fix first."""
    options = thresholds.language
    found: list[Finding] = []
    draft = report.draft
    if draft is not None and draft.verdict != "ok":
        spoken = f"about {draft.estimated_s:.0f} s at your pace of {draft.pace_wpm:.0f} words/min ({'from your history' if draft.pace_source == 'history' else 'a typical pace'})"
        if draft.verdict == "over":
            cut = round(draft.words - draft.target_max_s * draft.pace_wpm / 60)
            found.append(Finding(AREA, "high", f"Spoken, this draft of {draft.words} words runs {spoken}, over the {draft.target_max_s:.0f} s target.",
                                 f"Cut about {cut} words: keep the thesis, one story with its result, and the bridge.", kind="language.draft.over"))
        else:
            add = round(draft.target_min_s * draft.pace_wpm / 60 - draft.words)
            found.append(Finding(AREA, "medium", f"Spoken, this draft of {draft.words} words runs {spoken}, under the {draft.target_min_s:.0f} s minimum.",
                                 f"Add about {add} words of specific story: what you did and the measurable result.", kind="language.draft.under"))
    undermining = [h for h in report.hedges if h.kind == "self_undermining"]
    if undermining:
        found.append(Finding(AREA, "high", f"Self-undermining: {_examples(undermining)}.", undermining[0].suggestion,
                             undermining[0].start, undermining[0].end, kind="language.self_undermining"))
    hedges = [h for h in report.hedges if h.kind != "self_undermining"]
    if hedges:
        rate = len(hedges) / report.minutes
        severity = "medium" if rate > options.max_hedges_per_min else "low"
        top = Counter(h.phrase for h in hedges).most_common(1)[0][0]
        first = next(h for h in hedges if h.phrase == top)
        found.append(Finding(AREA, severity, f"{plural(len(hedges), 'hedge')} ({rate:.1f}/min): {_tally(hedges)}; e.g. {_examples(hedges, 2)}.",
                             f"State your thesis and result plainly. {first.suggestion}", hedges[0].start, hedges[0].end,
                             kind="language.hedging"))
    if report.informal:
        informal = report.informal
        severity = "medium" if len(informal) >= 2 else "low"
        found.append(Finding(AREA, severity, f"{plural(len(informal), 'informal word')} for an interview: {_examples(informal)}.",
                             informal[0].suggestion, informal[0].start, informal[0].end, kind="language.informal"))
    rambling = report.rambling
    if rambling.restarts:
        restarts = rambling.restarts
        rate = len(restarts) / report.minutes
        severity = "medium" if rate > options.max_restarts_per_min else "low"
        found.append(Finding(AREA, severity, f"{plural(len(restarts), 'restart')} or self-correction{'' if len(restarts) == 1 else 's'} ({rate:.1f}/min): {_examples(restarts, 2)}.",
                             restarts[0].suggestion, restarts[0].start, restarts[0].end, kind="language.restarts"))
    if rambling.long_sentences:
        longest = max(rambling.long_sentences, key=lambda s: s.words)
        n = len(rambling.long_sentences)
        found.append(Finding(AREA, "medium", f"{plural(n, 'sentence')} over {options.max_sentence_words:.0f} words; the longest, {longest.words} words at {clock(longest.start)}: {_q(longest.text, 120)}.",
                             "Break it after each point: one idea per sentence, then a short pause.", longest.start, longest.end,
                             kind="language.long_sentences"))
    if rambling.share_before_thesis is not None and rambling.share_before_thesis > options.max_share_before_thesis:
        found.append(Finding(AREA, "medium", f"The thesis only arrives at {clock(rambling.thesis_start or 0.0)}, {rambling.share_before_thesis:.0%} of the way into the answer.",
                             "Open with the thesis in your first sentence; the story comes after it.", rambling.thesis_start, None,
                             kind="language.thesis_late"))
    wordy = rambling.ideas and rambling.words_per_idea > options.max_words_per_idea
    empty = rambling.empty_share > options.max_empty_share
    if wordy or empty:
        parts = []
        if empty:
            parts.append(f"{rambling.empty_share:.0%} of the words are fillers, hedges or padding")
        if wordy:
            parts.append(f"{rambling.words_per_idea:.0f} words per idea (aim for {options.max_words_per_idea:.0f} or fewer)")
        budget = f"; the {thresholds.target.max_duration_s:.0f} s target holds about {rambling.word_budget} words" if rambling.words > rambling.word_budget else ""
        heavy = (empty and wordy) or rambling.empty_share > 2 * options.max_empty_share
        found.append(Finding(AREA, "medium" if heavy else "low", f"Wordy: {' and '.join(parts)} ({plural(rambling.words, 'word')}, {plural(rambling.ideas, 'idea')}){budget}.",
                             "Cut the padding and give each idea one plain sentence; the time saved goes to your result.", kind="language.wordy"))
    for rep in sorted(report.repetition[:3], key=lambda r: not _leaning(r, options)):
        severity = "medium" if _leaning(rep, options) else "low"
        times = ", ".join(clock(h.start) for h in rep.hits[:6]) + (", \u2026" if len(rep.hits) > 6 else "")
        what = {"crutch": "Leaning on", "word": "Repeated word", "phrase": "Repeated phrase"}[rep.kind]
        found.append(Finding(AREA, severity, f"{what} \u201c{rep.phrase}\u201d: {plural(rep.count, 'time')} ({rep.per_min:.1f}/min), at {times}.",
                             rep.suggestion, rep.hits[0].start, rep.hits[-1].end,
                             kind=f"language.repetition.{'_'.join(rep.phrase.lower().split())}"))
    for stretch in report.pace or ():
        target = thresholds.target
        # Faster than the speaker's own pace is not rushing while it stays within the target range.
        if stretch.label == "rushed" and stretch.part and rushed(stretch.wpm, target):
            what = "the measurable result" if stretch.part in ("numbers",) or "result" in stretch.part.lower() else f"the {stretch.part}"
            found.append(Finding(AREA, "medium", f"Rushed {what}: {stretch.wpm:.0f} words/min from {clock(stretch.start)} to {clock(stretch.end)}: {_q(stretch.text)}.",
                                 "Slow down on your result: say the number, then pause so it lands.", stretch.start, stretch.end,
                                 kind="language.pace.rushed"))
        elif stretch.label == "slow" and dragging(stretch.wpm, target):
            found.append(Finding(AREA, "low", f"Slowed to {stretch.wpm:.0f} words/min from {clock(stretch.start)} to {clock(stretch.end)}: {_q(stretch.text)}.",
                                 "Know this part of the story cold; a dragging stretch sounds unsure.", stretch.start, stretch.end,
                                 kind="language.pace.slow"))
    if report.fillers:
        found.append(Finding(AREA, "low", f"Fillers written into the draft: {_tally(report.fillers)}; e.g. {_examples(report.fillers, 2)}.",
                             "Take them out of the draft: whatever is written gets said.", report.fillers[0].start, report.fillers[0].end,
                             kind="language.draft_fillers"))
    return tuple(found)


def _leaning(rep, options) -> bool:
    """A crutch said at least three times, at twice the reporting rate: a habit, not a slip."""
    return rep.kind == "crutch" and rep.count >= 3 and rep.per_min > 2 * options.min_crutch_per_min

"""What the HTML take page shows, built from an ``Analysis`` as plain dicts for the template.

The content and language sections belong to other modules and may arrive as their
dataclasses or, for an analysis rebuilt from JSON (``review --html``), as dicts; they
are read by field name through ``pick``, and only the fields their JSON documents.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rehearse.findings import Finding
from rehearse.report.fillers import distinct_fillers
from rehearse.verdicts import content_ok, rank

# Fillers and flagged phrases own the words whose middle falls within this margin of
# their span: word timestamps and filler spans come from different measurements.
SPAN_MARGIN_S = 0.05
# Words Whisper was less sure of than this are shown faded.
UNSURE_PROBABILITY = 0.4
# How far (seconds) a filler's audio span may sit from the word Whisper wrote for it.
FILLER_WORD_REACH_S = 0.6
FILLER_SOURCE = {"both": "transcript + audio", "transcript": "transcript", "acoustic": "audio only"}


def pick(obj: Any, *names: str) -> Any:
    """The first of ``names`` that ``obj`` has and is not None, as attribute or dict key."""
    if obj is None:
        return None
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


def as_finding(value: Any) -> Finding:
    """A ``Finding``, from itself or from its JSON form."""
    if isinstance(value, Finding):
        return value
    return Finding(area=str(pick(value, "area") or ""), severity=str(pick(value, "severity") or "low"),
                   message=str(pick(value, "message") or ""), suggestion=str(pick(value, "suggestion") or ""),
                   start=pick(value, "start"), end=pick(value, "end"), kind=str(pick(value, "kind") or ""))


def all_findings(analysis) -> list[Finding]:
    """The analysis's findings plus any content or language findings not merged into them, most severe first, then by time."""
    findings = [as_finding(f) for f in analysis.findings]
    for section in (analysis.content, analysis.language):
        for value in pick(section, "findings") or ():
            finding = as_finding(value)
            if finding not in findings:
                findings.append(finding)
    return list(rank(findings))


def cards(analysis) -> list[dict]:
    """The headline numbers against their targets."""
    found = []
    d, t, v = analysis.delivery, analysis.thresholds, analysis.verdicts
    if d is not None:
        found.append(_card("Length", f"{d.duration.speaking:.0f}", "s", f"target {d.duration.target_min:.0f}\u2013{d.duration.target_max:.0f} s",
                           v.duration_ok))
        if d.pace.words:
            found.append(_card("Pace", f"{d.pace.wpm:.0f}", "words/min", f"target {t.target.min_wpm:.0f}\u2013{t.target.max_wpm:.0f}",
                               v.pace_ok))
        found.append(_card("Um / uh", f"{d.fillers.filled_per_min:.1f}", "per min", f"at most {t.fillers.max_filled_per_min:g}/min",
                           v.filled_ok))
        found.append(_card("Like, you know\u2026", f"{d.fillers.discourse_per_min:.1f}", "per min",
                           f"at most {t.fillers.max_discourse_per_min:g}/min", v.discourse_ok))
        found.append(_card("Long pauses", str(d.pauses.long_count), f"\u2265 {t.pauses.long_pause_s:g} s",
                           f"longest {d.pauses.longest:.1f} s", v.long_pauses_ok))
        if d.pitch.sd_st is not None:
            found.append(_card("Vocal variety", f"{d.pitch.sd_st:.1f}", "semitones", f"at least {t.prosody.min_pitch_sd_st:g}",
                               v.pitch_ok))
    draft = pick(analysis.language, "draft")
    if draft is not None and pick(draft, "estimated_s") is not None:
        found.append(_card("Spoken length (est.)", f"{pick(draft, 'estimated_s'):.0f}", "s",
                           f"target {pick(draft, 'target_min_s') or 0:.0f}\u2013{pick(draft, 'target_max_s') or 0:.0f} s", pick(draft, "verdict") == "ok"))
    score = score_of(analysis.content)
    if score is not None:
        found.append(_card("Content", f"{score:.0f}", "/ 100", "structure, pitfalls, tailoring", content_ok(score)))
    return found


def _card(label: str, value: str, unit: str, target: str, ok: bool | None) -> dict:
    return {"label": label, "value": value, "unit": unit, "target": target, "ok": ok}


def metrics(analysis) -> list[dict]:
    """Every delivery measure, as the terminal's table has them."""
    d, t, v = analysis.delivery, analysis.thresholds, analysis.verdicts
    if d is None:
        return []
    rows = [
        ("Length, first to last word", f"{d.duration.speaking:.1f} s", f"{d.duration.target_min:.0f}\u2013{d.duration.target_max:.0f} s", v.duration_ok),
        ("Recording length", f"{d.duration.total:.1f} s", "", None),
    ]
    if d.pace.words:
        rows += [
            ("Pace", f"{d.pace.wpm:.0f} words/min", f"{t.target.min_wpm:.0f}\u2013{t.target.max_wpm:.0f}", v.pace_ok),
            ("Articulation rate (pauses removed)", f"{d.pace.articulation_wpm:.0f} words/min", "", None),
        ]
    rows += [
        ("Filled pauses (um, uh)", f"{d.fillers.filled_count} \u00b7 {d.fillers.filled_per_min:.1f}/min \u00b7 {d.fillers.filled_time:.1f} s",
         f"\u2264 {t.fillers.max_filled_per_min:g}/min", v.filled_ok),
        ("Discourse fillers (like, you know)", f"{d.fillers.discourse_count} \u00b7 {d.fillers.discourse_per_min:.1f}/min",
         f"\u2264 {t.fillers.max_discourse_per_min:g}/min", v.discourse_ok),
        (f"Pauses \u2265 {t.pauses.min_pause_s:g} s", f"{d.pauses.count} \u00b7 {d.pauses.total_time:.1f} s", "", None),
        (f"Long pauses \u2265 {t.pauses.long_pause_s:g} s", str(d.pauses.long_count), f"\u2264 {t.pauses.max_long_pauses_per_min:g}/min",
         v.long_pauses_ok),
    ]
    if d.pitch.sd_st is not None:
        rows.append(("Vocal variety (pitch SD, range)", f"{d.pitch.sd_st:.1f} st \u00b7 {d.pitch.range_st:.1f} st",
                     f"\u2265 {t.prosody.min_pitch_sd_st:g} st", v.pitch_ok))
    if d.energy.median_dbfs is not None:
        rows.append(("Loudness (level, variation)", f"{d.energy.median_dbfs:.0f} dBFS \u00b7 \u00b1{d.energy.sd_db:.1f} dB",
                     f"> {t.prosody.quiet_speech_dbfs:g} dBFS", v.loudness_ok))
    return [{"label": label, "value": value, "target": target, "ok": ok} for label, value, target, ok in rows]


def fillers(analysis) -> list[dict]:
    """Every filler with its context, counted or not."""
    if analysis.delivery is None:
        return []
    return [{"start": f.start, "word": f.word, "kind": f.kind, "counted": f.counted, "before": f.before, "after": f.after,
             "source": FILLER_SOURCE.get(f.source, f.source), "note": f.note} for f in distinct_fillers(analysis.delivery.fillers.items)]


def _covers(span: tuple[float, float], word) -> bool:
    middle = (word.start + word.end) / 2
    return span[0] - SPAN_MARGIN_S <= middle <= span[1] + SPAN_MARGIN_S


def _filler_words(filler, words, taken: set[int]) -> list[int]:
    """Indices of the words a filler stands for.

    The filler's span is measured on the audio and the words' on Whisper's timestamps,
    which can sit 0.5 s apart, so each word of the filler ("you", "know") is the nearest
    word with that text; the span decides only when the text does not match.
    """
    from rehearse.text.format import filled_pause_form, normalize

    found: list[int] = []
    for token in filler.word.split():
        best, best_gap = None, FILLER_WORD_REACH_S
        for index, word in enumerate(words):
            text = normalize(word.text)
            if (text != token and filled_pause_form(text) != token) or index in found or index in taken:
                continue
            gap = max(filler.start - word.end, word.start - filler.end, 0.0)
            if gap <= best_gap:
                best, best_gap = index, gap
        if best is not None:
            found.append(best)
    if not found:
        found = [i for i, word in enumerate(words) if _covers((filler.start, filler.end), word) and i not in taken]
    taken.update(found)
    return found


def highlights(analysis, findings: Iterable[Finding]) -> list[dict]:
    """Phrases to mark in the transcript: pitfalls and vague phrases (content), hedges and
    informal words (language), and where each structure part was found.

    Findings are used only for a content section without pitfalls of its own: many of
    them span a whole answer ("repeated word") and would mark every word.
    """
    marks: list[dict] = []

    def add(kind: str, start: Any, end: Any, note: Any) -> None:
        if isinstance(start, (int, float)) and isinstance(end, (int, float)):
            marks.append({"kind": kind, "start": float(start), "end": float(end), "note": str(note or "")})

    section = analysis.content
    for pitfall in pick(section, "pitfalls") or ():
        add("flag", pick(pitfall, "start"), pick(pitfall, "end"), f"pitfall: {pick(pitfall, 'label') or ''}")
    for vague in pick(pick(section, "specificity"), "vague") or ():
        add("flag", pick(vague, "start"), pick(vague, "end"), "vague phrase")
    for part in pick(section, "parts") or ():
        for evidence in pick(part, "evidence") or ():
            add("part", pick(evidence, "start"), pick(evidence, "end"), f"{pick(part, 'label') or 'part'}: {pick(part, 'status') or 'found'}")
    if section is not None and pick(section, "pitfalls") is None:
        for f in findings:
            if f.area == "content":
                add("flag", f.start, f.end, f.message)
    for name, label in (("hedges", "hedge"), ("informal", "informal")):
        for hit in pick(analysis.language, name) or ():
            add("lang", pick(hit, "start"), pick(hit, "end"), f"{label}: {pick(hit, 'phrase') or ''}")
    return marks


def transcript(analysis, findings: Iterable[Finding]) -> list[dict]:
    """Words, pauses, lost fillers and the target mark, in time order."""
    words = analysis.transcript.words
    d = analysis.delivery
    marks = highlights(analysis, findings)
    target_at = words[0].start + d.duration.target_max if d and words else None
    tokens: list[tuple[float, int, dict]] = []
    for word in words:
        token = {"kind": "word", "text": word.text, "start": word.start, "classes": [], "notes": []}
        for mark in marks:
            if _covers((mark["start"], mark["end"]), word):
                if mark["kind"] not in token["classes"]:
                    token["classes"].append(mark["kind"])
                token["notes"].append(mark["note"])
        if word.probability < UNSURE_PROBABILITY:
            token["classes"].append("unsure")
        if target_at is not None and word.start >= target_at:
            token["classes"].append("over")
        tokens.append((word.start, 1, token))
    taken: set[int] = set()
    for f in d.fillers.items if d else ():
        claimed = _filler_words(f, words, taken)
        kind = "filled pause" if f.kind == "filled" else "discourse filler"
        for index in claimed:
            token = tokens[index][2]
            token["classes"].append("filler" if f.counted else "filler-maybe")
            token["notes"].append(f"{kind} \u201c{f.word}\u201d" + ("" if f.counted else " (not counted: unsure)"))
        if not claimed and f.counted:
            tokens.append((f.start, 1, {"kind": "lost", "text": f.word, "start": f.start, "note": f.note}))
    for p in d.pauses.items if d else ():
        tokens.append((p.start, 0, {"kind": "pause", "start": p.start, "duration": p.duration, "long": p.long}))
    if target_at is not None and target_at < words[-1].end:
        tokens.append((target_at, 0, {"kind": "target", "start": target_at, "label": f"{d.duration.target_max:.0f} s target"}))
    return [token for _, _, token in sorted(tokens, key=lambda item: (item[0], item[1]))]


def score_of(content: Any) -> float | None:
    """The content score out of 100, whether given as a number or as an object with a total."""
    score = pick(content, "score")
    if score is not None and not isinstance(score, (int, float)):
        score = pick(score, "total", "value", "score")
    return float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None


def _evidence(value: Any) -> list[dict]:
    """Quotes with times, from whatever shape the evidence has (text, words, spans)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [{"quote": value, "start": None, "end": None}]
    if isinstance(value, (list, tuple)):
        if value and all(pick(v, "start") is not None and pick(v, "text") is not None and pick(v, "quote") is None for v in value) \
                and all(" " not in str(pick(v, "text")) for v in value):
            return [{"quote": " ".join(str(pick(v, "text")) for v in value), "start": pick(value[0], "start"), "end": pick(value[-1], "end")}]
        return [item for v in value for item in _evidence(v)]
    quote = pick(value, "quote", "text", "phrase", "words", "evidence")
    if isinstance(quote, (list, tuple)):
        quote = " ".join(str(pick(q, "text") or q) for q in quote)
    return [{"quote": str(quote), "start": pick(value, "start"), "end": pick(value, "end")}] if quote else []


PART_STATUS = {"found": "found", "weak": "weak", "misplaced": "misplaced", "missing": "missing"}


def _checked(item: Any) -> dict:
    evidence = _evidence(pick(item, "evidence", "quotes", "quote", "matches"))
    if not any(e["start"] is not None for e in evidence) and pick(item, "start") is not None:
        quote = evidence[0]["quote"] if evidence else ""
        evidence = [{"quote": quote, "start": pick(item, "start"), "end": pick(item, "end")}]
    found = bool(pick(item, "found", "present", "ok"))
    status = PART_STATUS.get(str(pick(item, "status")), "found" if found else "missing")
    return {"label": str(pick(item, "label", "name", "part", "title", "id") or ""), "found": found, "status": status,
            "required": pick(item, "required") is not False, "evidence": evidence,
            "note": pick(item, "note", "detail", "why", "message"), "advice": pick(item, "advice", "suggestion"),
            "severity": pick(item, "severity")}


def _terms(tailoring: Any) -> tuple[list[dict], list[str]]:
    matched: list[dict] = []
    missing: list[str] = []
    for term in [*(pick(tailoring, "job_terms") or ()), *(pick(tailoring, "values") or ())]:
        text = str(pick(term, "term", "text") or term)
        if pick(term, "found"):
            matched.append({"term": text, "start": pick(pick(term, "evidence"), "start")})
        else:
            missing.append(text)
    return matched, missing


def content(section: Any) -> dict | None:
    """The content checklist: score and its breakdown, structure parts, pitfalls, tailoring, suggestions."""
    if section is None:
        return None
    tailoring = pick(section, "tailoring")
    tailoring_view = None
    if tailoring is not None:
        matched, missing = _terms(tailoring)
        coverage = pick(tailoring, "coverage")
        tailoring_view = {"coverage": float(coverage) if isinstance(coverage, (int, float)) else None,
                          "company": pick(tailoring, "company"), "mentions": _evidence(pick(tailoring, "company_mentions")),
                          "matched": matched, "missing": missing}
    breakdown = [{"label": str(pick(b, "component", "label") or ""), "points": float(pick(b, "points") or 0),
                  "max": float(pick(b, "max_points") or 0), "note": pick(b, "note")} for b in pick(section, "breakdown") or ()]
    specificity = pick(section, "specificity")
    question = pick(section, "question")
    return {"score": score_of(section), "breakdown": [b for b in breakdown if b["max"] > 0],
            "parts": [_checked(p) for p in pick(section, "parts") or ()],
            "pitfalls": [_checked(p) for p in pick(section, "pitfalls") or ()], "tailoring": tailoring_view,
            "theme": pick(section, "theme"),
            "vague": _evidence(pick(specificity, "vague")) if specificity is not None else [],
            "suggestions": [str(pick(s, "text", "message", "suggestion") or s) for s in pick(section, "suggestions") or ()],
            "question": question if isinstance(question, str) else pick(question, "text", "id"),
            "inferred": bool(pick(question, "inferred")) if not isinstance(question, str) else False}


def language(section: Any) -> dict | None:
    """Hedges, informal words and the words the speaker leans on, grouped by phrase with every time."""
    if section is None:
        return None

    def grouped(name: str) -> list[dict]:
        groups: dict[str, dict] = {}
        for hit in pick(section, name) or ():
            phrase = str(pick(hit, "phrase") or pick(hit, "text") or "")
            group = groups.setdefault(phrase.lower(), {"phrase": phrase, "times": [], "quotes": [], "suggestion": str(pick(hit, "suggestion") or "")})
            if pick(hit, "start") is not None:
                group["times"].append(float(pick(hit, "start")))
            group["quotes"].append(str(pick(hit, "context") or pick(hit, "text") or ""))
        return sorted(groups.values(), key=lambda g: (-len(g["quotes"]), g["phrase"]))

    repetition = [{"phrase": str(pick(r, "phrase") or ""), "count": pick(r, "count") or 0,
                   "times": [float(pick(h, "start")) for h in pick(r, "hits") or () if pick(h, "start") is not None],
                   "suggestion": str(pick(r, "suggestion") or "")} for r in pick(section, "repetition") or ()]
    view = {"hedges": grouped("hedges"), "informal": grouped("informal"), "repetition": repetition}
    return view if any(view.values()) else None

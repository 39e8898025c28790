"""The checks: structure parts, pitfalls, themes, specificity, and which question it was."""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from rehearse.content import meaning
from rehearse.text.cues import Pattern, compile_pattern
from rehearse.options import ContentOptions
from rehearse.content.results import Evidence, PartResult, PitfallHit, Specificity, ThemeResult
from rehearse.text.tokens import Span, Utterance, negated_before

SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
# The cue recorded for a generic answer that has no vague phrase to quote.
NO_STORY_CUE = "(no specific story)"
MAX_EVIDENCE = 3
# Words of a company's name that say nothing about which company it is.
_COMPANY_NOISE = {"inc", "corp", "corporation", "ltd", "llc", "co", "company", "group", "the", "plc", "gmbh", "and"}
# A pitfall hit grows to take in another hit of the same pitfall this close in its sentence.
_MERGE_GAP = 8


def evidence(utt: Utterance, span: Span) -> Evidence:
    """The words under a span, quoted, with their times."""
    first, last = utt.word_range(span)
    return Evidence(utt.quote(first, last), utt.words[first].start, utt.words[last].end, span.cue)


def clause_evidence(utt: Utterance, span: Span, *, max_words: int = 18, before: int = 6) -> Evidence:
    """The sentence around a span, clipped to ``max_words`` around it: a checklist item
    reads better as "What inspires me most is turning a messy problem into..." than as
    the cue's three words. The cue and the times still point at the sentence."""
    s_first, s_end = utt.sentences[utt.sentence_of(span.first)]
    sentence_first, sentence_last = utt.tokens[s_first].word, utt.tokens[s_end - 1].word
    hit_first, hit_last = utt.word_range(span)
    first = max(sentence_first, hit_first - before)
    last = min(sentence_last, max(hit_last, first + max_words - 1))
    quote = ("\u2026" if first > sentence_first else "") + utt.quote(first, last) + (
        "\u2026" if last < sentence_last else "")
    return Evidence(quote, utt.words[first].start, utt.words[last].end, span.cue)


def sentence_evidence(utt: Utterance, sentence: int, *, max_words: int = 14) -> Evidence:
    """A whole sentence as evidence (clipped), for checks about what an answer lacks."""
    tokens = utt.sentence_tokens(sentence)
    first = utt.tokens[tokens[0]].word
    last = min(utt.tokens[tokens[-1]].word, first + max_words - 1)
    quote = utt.quote(first, last) + ("\u2026" if last < utt.tokens[tokens[-1]].word else "")
    return Evidence(quote, utt.words[first].start, utt.words[last].end, "")


def find_all(utt: Utterance, cues: Iterable[Pattern], sentences: Iterable[int] | None = None) -> list[Span]:
    """Spans of any cue, left to right, overlapping ones dropped (the earliest cue wins)."""
    chosen = None if sentences is None else list(sentences)
    spans = sorted((s for cue in cues for s in cue.find(utt, sentences=chosen)), key=lambda s: (s.first, -s.end))
    kept: list[Span] = []
    for span in spans:
        if kept and span.first < kept[-1].end:
            continue
        kept.append(span)
    return kept


def company_pattern(company: str | None) -> Pattern | None:
    """A cue for the company's name: its distinctive words, in order."""
    if not company:
        return None
    words = [w for w in re.findall(r"[a-z0-9]+", company.lower()) if w not in _COMPANY_NOISE]
    if not words:
        return None
    return compile_pattern(" ".join(f"={w}" if len(w) < 5 else w for w in words))


def measured(utt: Utterance, sentence: int) -> bool:
    """True when a sentence has a number or quantity word in it."""
    return any(utt.tokens[k].number for k in utt.sentence_tokens(sentence))


# --- structure -------------------------------------------------------------------------


def find_parts(utt: Utterance, question, *, company_cue: Pattern | None, theme_spans: Sequence[Span],
               options: ContentOptions) -> tuple[tuple[PartResult, ...], bool, dict[str, list[Span]]]:
    """Check each part of the question's structure.

    Returns:
        The checklist, whether the found parts come in order, and the spans that
        placed each found part (for suggestions).
    """
    results: list[PartResult] = []
    placed: dict[str, list[Span]] = {}
    anchors: list[tuple[str, int]] = []
    for part in question.parts:
        result, spans = _check_part(utt, part, company_cue, theme_spans, options)
        results.append(result)
        if spans:
            placed[part.id] = spans
            anchors.append((part.label, (spans[-1] if part.position == "end" else spans[0]).first))
    order_ok = not question.ordered or all(a[1] <= b[1] for a, b in zip(anchors, anchors[1:]))
    if not order_ok:
        results = [_note_order(r, anchors) for r in results]
    return tuple(results), order_ok, placed


def _note_order(result: PartResult, anchors: list[tuple[str, int]]) -> PartResult:
    labels = [label for label, _ in anchors]
    if result.label not in labels:
        return result
    i = labels.index(result.label)
    before = [label for label, at in anchors[:i] if at > anchors[i][1]]
    if not before:
        return result
    note = (result.note + " " if result.note else "") + f"Comes before \u201c{before[0]}\u201d; expected after it."
    return PartResult(result.id, result.label, result.found, result.status, result.required, note, result.evidence)


def _check_part(utt: Utterance, part, company_cue, theme_spans, options) -> tuple[PartResult, list[Span]]:
    sentences = [s for s in range(len(utt.sentences)) if not (part.skip_questions and s in utt.echo_sentences)]
    spans = part_spans(utt, part, sentences, extra=[company_cue] if part.company_cue and company_cue else [])
    if not spans:
        return PartResult(part.id, part.label, False, "missing", part.required, "Not found.", ()), []
    status, notes = "found", []
    if part.needs_measure:
        with_number = [s for s in spans if measured(utt, utt.sentence_of(s.first))]
        if with_number:
            spans = with_number
        else:
            status = "weak"
            notes.append("No number in it: say how much (percent, time saved, before and after).")
    if part.position != "any":
        in_place = [s for s in spans if _in_place(utt, s, part.position, options)]
        if in_place:
            spans = in_place
        else:
            status = "misplaced"
            where = "opening sentences" if part.position == "start" else "closing sentences"
            notes.append(f"Not in the {where}.")
    if part.needs_theme and not _near_theme(utt, spans, theme_spans):
        status = "weak" if status == "found" else status
        notes.append("Names no professional source (solving problems, mentoring, mastery, innovation, obstacles).")
    # One piece of evidence per sentence, quoting the sentence around the cue.
    by_sentence: dict[int, Span] = {}
    for s in spans:
        by_sentence.setdefault(utt.sentence_of(s.first), s)
    chosen = list(by_sentence.values())
    shown = chosen[-MAX_EVIDENCE:] if part.position == "end" else chosen[:MAX_EVIDENCE]
    if part.needs_measure and status == "weak":
        # A story's result comes late: quote the last candidate first ("In the end she improved").
        shown = chosen[::-1][:MAX_EVIDENCE]
    result = PartResult(part.id, part.label, True, status, part.required, " ".join(notes),
                        tuple(clause_evidence(utt, s) for s in shown))
    return result, spans


def part_spans(utt: Utterance, part, sentences: Sequence[int] | None = None, *, extra: Sequence[Pattern] = ()) -> list[Span]:
    """Where a part's cues match, less what its ``unless`` cues cover."""
    spans = find_all(utt, list(part.cues) + list(extra), sentences)
    if part.after_echo:
        spans = sorted(spans + _after_echo(utt), key=lambda s: s.first)
    if part.unless and spans:
        blocked = find_all(utt, part.unless, sentences)
        spans = [s for s in spans if not any(b.first < s.end and s.first < b.end for b in blocked)]
    return spans


def _after_echo(utt: Utterance, *, max_tokens: int = 14) -> list[Span]:
    """The sentence after an opening question (the speaker echoing the interviewer)."""
    content = [s for s in range(len(utt.sentences)) if utt.content_sentence_rank[s] == 0]
    if not content or content[-1] not in utt.echo_sentences:
        return []
    for after in range(content[-1] + 1, len(utt.sentences)):
        if after in utt.question_sentences:
            return []
        first, end = utt.sentences[after]
        # "I mean, honestly." carries nothing: the thesis is in the next sentence with content.
        if sum(not t.skippable for t in utt.tokens[first:end]) >= 3:
            return [Span(first, min(end, first + max_tokens), "(the sentence after the opening question)")]
    return []


def _in_place(utt: Utterance, span: Span, position: str, options: ContentOptions) -> bool:
    rank = utt.content_sentence_rank[utt.sentence_of(span.first)]
    if position == "start":
        return rank < options.start_sentences or utt.share(span.first) <= options.start_share
    last_rank = utt.content_sentence_rank[-1]
    return rank > last_rank - options.end_sentences or utt.share(span.first) >= options.end_share


def _near_theme(utt: Utterance, spans: Sequence[Span], theme_spans: Sequence[Span]) -> bool:
    sentences = {utt.sentence_of(s.first) for s in spans}
    near = sentences | {s + 1 for s in sentences}
    return any(utt.sentence_of(t.first) in near for t in theme_spans)


# --- themes ----------------------------------------------------------------------------


def find_themes(utt: Utterance, themes, options: ContentOptions) -> tuple[tuple[ThemeResult, ...], list[Span]]:
    """Professional themes the answer uses, and all their spans.

    Themes named in the opening (where the thesis is) come first, then the most used.
    """
    results: list[tuple[bool, int, int, ThemeResult]] = []
    every: list[Span] = []
    for order, theme in enumerate(themes):
        spans = find_all(utt, theme.cues)
        if spans:
            every.extend(spans)
            # Each cue counts its own matches: two cues on the same words are two pieces of evidence.
            hits = sum(len(cue.find(utt)) for cue in theme.cues)
            opening = any(_in_place(utt, s, "start", options) for s in spans)
            results.append((not opening, -hits, spans[0].first, ThemeResult(
                theme.id, theme.label, hits, tuple(evidence(utt, s) for s in spans[:MAX_EVIDENCE]))))
    results.sort(key=lambda r: r[:3])
    return tuple(r[3] for r in results), every


# --- pitfalls --------------------------------------------------------------------------


def find_pitfalls(utt: Utterance, pitfalls, *, story: bool | None, options: ContentOptions) -> tuple[PitfallHit, ...]:
    """Every pitfall hit, in time order; a stretch of words hits one pitfall at most.

    Cue hits come first; then a sentence that hit nothing may still hit a pitfall through
    its tone (``meaning.tone_hits``: a negative clause naming the pitfall's target).

    Args:
        story: whether the answer tells a specific story (None: not checked), for
            pitfalls that only apply without one (a generic answer). A number outside the
            sentences of a personal pitfall is a specific example too.
    """
    tone = meaning.load_tone()
    found: list[tuple[int, int, Span | None, Any]] = []
    for order, pitfall in enumerate(pitfalls):
        if pitfall.only_without_story:
            continue
        for span in _merge(utt, [s for s in find_all(utt, pitfall.cues) if not _cancelled(utt, s, pitfall, options)
                                 and not (pitfall.id in tone.conceded and meaning.conceded(utt, s, tone))]):
            found.append((order, span.first, span, pitfall))
    if story is False:
        personal = {utt.sentence_of(f[2].first) for f in found if f[2] is not None and f[3].id in tone.personal}
        story = meaning.has_example(utt, skip_sentences=personal)
    for order, pitfall in enumerate(pitfalls):
        if pitfall.only_without_story and story is False and utt.tokens:
            spans = find_all(utt, pitfall.cues)[:MAX_EVIDENCE]
            if not spans:
                found.append((order, -1, None, pitfall))
            found.extend((order, s.first, s, pitfall) for s in spans)
    # Where two pitfalls claim the same words, the more severe (then the first listed) keeps
    # them; a hit keeps its own pitfall when most of its words are its own.
    found.sort(key=lambda f: (SEVERITY_RANK[f[3].severity], f[0], f[1]))
    kept: list[tuple[int, int, Span | None, Any]] = []
    for item in found:
        claimed = item[2]
        if claimed is not None and any(k[2] is not None and _overlap(claimed, k[2]) * 2 >= claimed.end - claimed.first
                                       for k in kept):
            continue
        kept.append(item)
    kept.extend(_tone_hits(utt, pitfalls, kept, tone, options))
    kept.sort(key=lambda f: (f[1], f[0]))
    return tuple(_hit(utt, hit_span, pitfall) for _, _, hit_span, pitfall in kept)


def _tone_hits(utt: Utterance, pitfalls, kept, tone: meaning.ToneLexicon, options: ContentOptions) -> list:
    """One hit per pitfall at most, from sentences no hit has claimed; the first pitfall of
    the question whose target a negative sentence names takes it."""
    toned = [(order, p) for order, p in enumerate(pitfalls) if tone.targets.get(p.id)]
    if not toned:
        return []
    claimed = {utt.sentence_of(k[2].first) for k in kept if k[2] is not None}
    have = {k[3].id for k in kept}
    out = []
    for sentence in range(len(utt.sentences)):
        if sentence in claimed:
            continue
        for order, pitfall in toned:
            hits = meaning.tone_hits(utt, tone.targets[pitfall.id], max_tone=options.negative_tone, lexicon=tone,
                                     sentences=[sentence], verdict_only=pitfall.id not in tone.relations)
            if not hits:
                continue
            if pitfall.id not in have:
                have.add(pitfall.id)
                first, end = meaning.clause_of(utt, hits[0].span.first)
                target = utt.quote(*utt.word_range(hits[0].span))
                cue = f"negative tone {hits[0].tone:.2f} about \u201c{target}\u201d"
                out.append((order, first, Span(first, end, cue), pitfall))
            break
    return out


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.first, b.first))


def _hit(utt: Utterance, span: Span | None, pitfall) -> PitfallHit:
    if span is None:
        if not utt.sentences:
            return PitfallHit(pitfall.id, pitfall.label, pitfall.severity, "", None, None, "")
        ev = sentence_evidence(utt, 0)
        return PitfallHit(pitfall.id, pitfall.label, pitfall.severity, ev.quote, ev.start, ev.end, NO_STORY_CUE)
    ev = evidence(utt, span)
    return PitfallHit(pitfall.id, pitfall.label, pitfall.severity, ev.quote, ev.start, ev.end, ev.cue)


def _merge(utt: Utterance, spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in spans:
        last = merged[-1] if merged else None
        if last and utt.sentence_of(last.first) == utt.sentence_of(span.first) and span.first - last.end <= _MERGE_GAP:
            merged[-1] = Span(last.first, max(last.end, span.end), last.cue)
        else:
            merged.append(span)
    return merged


def _cancelled(utt: Utterance, span: Span, pitfall, options: ContentOptions) -> bool:
    if pitfall.negation_cancels and negated_before(utt, span, window=options.negation_window):
        return True
    if not pitfall.unless:
        return False
    sentence = utt.sentence_of(span.first)
    reach = range(sentence, min(len(utt.sentences), sentence + pitfall.unless_sentences + 1))
    for cue in pitfall.unless:
        for u in cue.find(utt, sentences=reach):
            if pitfall.unless_sentences > 0:
                return True
            if u.first < span.end + options.unless_window and span.first - options.unless_window < u.end:
                return True
    return False


# --- specificity -----------------------------------------------------------------------


def specificity(utt: Utterance, templates: dict, vague_cues: Sequence[Pattern]) -> Specificity:
    """A specific story: a situation, with the candidate's own action or a measured result.

    Args:
        templates: the "situation", "action" and "result" parts to look for.
        vague_cues: phrases that make an answer vague ("stuff like that").
    """
    ev: list[Evidence] = []
    found: dict[str, bool] = {}
    measured_result = False
    for name in ("situation", "action", "event", "result"):
        part = templates.get(name)
        spans = part_spans(utt, part) if part is not None else []
        if name == "result":
            spans_measured = [s for s in spans if measured(utt, utt.sentence_of(s.first))]
            measured_result = bool(spans_measured)
            spans = spans_measured or spans
        found[name] = bool(spans)
        ev.extend(evidence(utt, s) for s in spans[:1])
    # Two of the three STAR elements make a story: one alone is a claim, not a story.
    story = sum((found["situation"], found["action"] or found["event"], found["result"])) >= 2
    vague = tuple(evidence(utt, s) for s in find_all(utt, vague_cues))
    return Specificity(story, measured_result, tuple(ev), vague)


# --- which question --------------------------------------------------------------------


def infer(utt: Utterance, questions, options: ContentOptions):
    """The question an answer gives away (an echo, or its cues early on), else None."""
    scores: list[tuple[float, int, object]] = []
    for order, question in enumerate(questions):
        total = 0.0
        for span in find_all(utt, question.infer):
            sentence = utt.sentence_of(span.first)
            early = utt.content_sentence_rank[sentence] < options.start_sentences or utt.share(span.first) <= options.start_share
            if early and sentence in utt.echo_sentences:
                total += 3
            elif early:
                total += 2
            else:
                total += 1
        if total:
            scores.append((total, -order, question))
    if not scores:
        return None
    scores.sort(key=lambda s: (s[0], s[1]), reverse=True)
    best = scores[0][0]
    runner_up = scores[1][0] if len(scores) > 1 else 0.0
    if best < options.infer_min_score or best < options.infer_margin * runner_up:
        return None
    return scores[0][2]

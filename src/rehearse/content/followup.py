"""The interviewer's follow-up: which part an answer left out, and the answer judged again
with what the candidate added when asked.

``choose`` runs on the live transcript the moment an answer ends, so it uses only the
content checks (cues over the words, a few milliseconds), never the audio.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from rehearse.speech.transcribe import Word

# Seconds of silence put between an answer and its follow-up when they are judged
# together: more than any sentence gap, so the follow-up starts a sentence of its own.
JOIN_GAP_S = 5.0


@dataclass(frozen=True, slots=True)
class FollowUpChoice:
    """The follow-up to ask, and why.

    Attributes:
        id: the follow-up's id ("result", "own-action", "bridge").
        ask: what the interviewer says.
        part: the checklist part that called for it.
        status: that part's state in the answer ("missing", "weak").
    """

    id: str
    ask: str
    part: str
    status: str


def choose(report, followups, words: Sequence[Word], *, catalog, min_words: int) -> FollowUpChoice | None:
    """The first follow-up whose part the answer lacks, or None.

    Args:
        report: the answer's ``ContentReport`` (checked against its question).
        followups: ``rounds.FollowUp`` definitions, in order of preference.
        words: the answer's words (for ``when_found`` templates).
        catalog: the packs, for the shared part templates.
        min_words: an answer with fewer words gets no follow-up.
    """
    if report is None or report.question is None or len(words) < min_words:
        return None
    by_id = {p.id: p for p in report.parts}
    for followup in followups:
        for part_id in followup.parts:
            part = by_id.get(part_id)
            if part is None or part.status not in followup.status:
                continue
            if followup.when_found and not _found(words, catalog.parts[followup.when_found], report):
                continue
            return FollowUpChoice(followup.id, followup.ask, part_id, part.status)
    return None


def _found(words: Sequence[Word], template, report) -> bool:
    from rehearse.content.checks import part_spans
    from rehearse.text.tokens import Utterance

    utt = Utterance(words, sentence_gap_s=report.options.sentence_gap_s)
    return bool(part_spans(utt, template))


def joined(parent: Sequence[Word], child: Sequence[Word], parent_end_s: float) -> tuple[Word, ...]:
    """The parent answer's words, then the follow-up's, shifted to start after it."""
    shift = parent_end_s + JOIN_GAP_S
    return tuple(parent) + tuple(dataclasses.replace(w, start=w.start + shift, end=w.end + shift) for w in child)


def judge_together(parent_words, child_words, parent_end_s: float, *, question, job_text=None, company=None,
                   catalog=None):
    """The parent's question checked on the answer and its follow-up together (a ``ContentReport``)."""
    from rehearse import content

    return content.check(joined(parent_words, child_words, parent_end_s), question=question, job_text=job_text,
                         company=company, catalog=catalog)

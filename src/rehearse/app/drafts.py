"""Typed drafts: every content and language check on a written answer, before it is spoken.

``rehearse analyze --text draft.txt --question ID`` comes here. The draft has no
audio, so the report has no delivery section; its words get estimated timestamps at
the user's own pace (the median of their recorded takes, from history) or at
``LanguageOptions.draft_wpm``, so findings still point at where in the spoken answer
a phrase would fall, and the spoken length is judged against the question's target.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from rehearse import __version__
from rehearse.analysis import SCHEMA_VERSION, Analysis, AudioInfo
from rehearse.errors import RehearseError
from rehearse.language.report import DraftEstimate
from rehearse.options import Thresholds
from rehearse.text.format import filled_pause_form
from rehearse.speech.transcribe import Transcript, TranscriptionOptions, Word

DRAFT_MODEL = "typed draft"
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_PUNCTUATION_ONLY = re.compile(r"^[^\w]+$")


def syllables(word: str) -> int:
    """A rough syllable count (vowel groups, silent final e), at least 1; numbers count by digit."""
    w = word.lower().strip(".,;:!?\"'()")
    if any(c.isdigit() for c in w):
        return max(1, sum(c.isdigit() for c in w))
    count = len(_VOWEL_GROUPS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def split_words(text: str) -> list[str]:
    """The draft's words as Whisper would write them: punctuation attached to the word before.

    A dash between words ("I went - I mean we went", "went\u2014I") stays as the end of the
    word before it, where it marks a break.
    """
    text = re.sub(r"\s*([\u2014\u2013])\s*", r"\1 ", text)
    out: list[str] = []
    for raw in text.split():
        if _PUNCTUATION_ONLY.match(raw) and out:
            out[-1] += raw
        else:
            out.append(raw)
    return out


def estimate_words(text: str, *, wpm: float) -> tuple[Word, ...]:
    """Words of a draft with the times they would be said at ``wpm`` words per minute.

    Each word gets a share of the time by its syllables, so the average word takes
    60 / ``wpm`` seconds and long words take longer. Probability is 1.0 (typed).
    """
    if wpm <= 0:
        raise RehearseError(f"a pace of {wpm} words/min cannot time a draft; expected a positive pace")
    raw = split_words(text)
    spoken = [w for w in raw if filled_pause_form(w) is None]
    if not raw:
        return ()
    total_s = max(len(spoken), 1) * 60.0 / wpm
    weights = [syllables(w) for w in raw]
    per_syllable = total_s / sum(weights)
    words: list[Word] = []
    t = 0.0
    for w, n in zip(raw, weights):
        duration = n * per_syllable
        words.append(Word(w, round(t, 3), round(t + duration * 0.9, 3), 1.0))
        t += duration
    return tuple(words)


def user_pace(db: str | Path | None, default_wpm: float) -> tuple[float, str]:
    """(words per minute, "history" or "default"): the user's median pace, if history has it."""
    from rehearse.app import history
    try:
        pace = history.user_pace_wpm(db_path=db)
    except RehearseError:  # a damaged history must not stop the draft; recording it says what is wrong
        pace = None
    return (float(pace), "history") if pace else (default_wpm, "default")


def analyze_text(text: str, *, path: str | None = None, question=None, job_text: str | None = None,
                 company: str | None = None, db: str | Path | None = None) -> Analysis:
    """Analyze a typed draft: content and language checks, and its spoken length.

    Args:
        text: the draft.
        path: the file it came from, for the report.
        question: a ``packs.Question``, if known: its target length and thresholds apply.
        job_text: a job description, for the tailoring check.
        company: the company's name, for the tailoring check.
        db: the practice history, for the user's pace (default: the user's history).

    Returns:
        An ``Analysis`` with ``delivery`` None, words timed at the user's pace and
        ``language.draft`` holding the length estimate.

    Raises:
        RehearseError: the draft is empty.
    """
    from rehearse import language
    clock = time.perf_counter()
    if not text.strip():
        raise RehearseError(f"{path or 'the draft'}: the draft is empty; write the answer you plan to say")
    thresholds = question.thresholds if question is not None else Thresholds()
    wpm, source = user_pace(db, thresholds.language.draft_wpm)
    words = estimate_words(text, wpm=wpm)
    from rehearse import content as content_module
    content = content_module.check(words, question=question, job_text=job_text, company=company)
    content_findings = content_module.findings(content)
    n_words = sum(1 for w in words if filled_pause_form(w.text) is None)
    estimated_s = round(n_words * 60.0 / wpm, 1)
    target = thresholds.target
    verdict = "short" if estimated_s < target.min_duration_s else "over" if estimated_s > target.max_duration_s else "ok"
    estimate = DraftEstimate(path=str(path) if path else None, words=n_words, pace_wpm=round(wpm, 1), pace_source=source,
                             estimated_s=estimated_s, target_min_s=target.min_duration_s,
                             target_max_s=target.max_duration_s, verdict=verdict)
    report = language.check(words, question=question, delivery=None, thresholds=thresholds, content=content,
                            draft=estimate)
    return Analysis(
        schema_version=SCHEMA_VERSION,
        rehearse_version=__version__,
        audio=AudioInfo(None, 0.0, 0),
        transcript=Transcript(words=words, language="en", model=DRAFT_MODEL),
        delivery=None,
        findings=content_findings + report.findings,
        thresholds=thresholds,
        transcription=TranscriptionOptions(),
        timings={"text": round(time.perf_counter() - clock, 3)},
        content=content,
        language=report,
        question={"id": question.id, "text": question.text} if question is not None else None,
    )

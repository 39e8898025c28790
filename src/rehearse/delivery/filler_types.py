"""The filler record shared by the filled-pause and discourse-filler finders."""

from __future__ import annotations

from dataclasses import dataclass

FILLED = "filled"
DISCOURSE = "discourse"


@dataclass(frozen=True, slots=True)
class Filler:
    """One filler word or phrase.

    Attributes:
        word: normal form ("um", "uh", "like", "you know", ...).
        kind: "filled" (um, uh, er, ah, hmm) or "discourse" (like, you know, ...).
        start: seconds.
        end: seconds.
        source: "transcript", "acoustic" (found in the audio only) or "both".
        confidence: 0-1; only fillers at or above ``FillerOptions.min_confidence``
            are counted.
        counted: whether it is in the counts.
        before: words just before it (what triggers the filler).
        after: words just after it.
        note: why it was kept, dropped from the count or found.
    """

    word: str
    kind: str
    start: float
    end: float
    source: str
    confidence: float
    counted: bool
    before: str
    after: str
    note: str = ""

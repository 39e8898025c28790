"""Which fillers a report lists: each spot in the answer once."""

from __future__ import annotations


def distinct_fillers(items) -> list:
    """The fillers to list, leaving out an uncounted one that repeats another at the same spot.

    Whisper sometimes writes one "um" twice ("forced, um, um, a liner"), the copy with no
    duration and almost no confidence; the copy is not counted, and listing it beside the
    counted one, with the same words around it, reads as the same filler found twice.
    Context is taken around the fillers, so two fillers with nothing but fillers between
    them share it. Counted fillers are all listed: the table agrees with the counts.
    """
    kept: list = []
    for filler in items:
        twin = next((k for k in kept if (k.word, k.before, k.after) == (filler.word, filler.before, filler.after)), None)
        if twin is not None and not filler.counted:
            continue
        if twin is not None and not twin.counted:
            kept[kept.index(twin)] = filler
            continue
        kept.append(filler)
    return kept

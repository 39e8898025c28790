"""Findings: one thing to work on with its evidence, and the delivery's verdicts.

Below every stage that judges (content, language) and above the measures (delivery),
so that each can make its findings without importing the analysis that gathers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rehearse.options import Thresholds
from rehearse.text.format import clock, in_context, plural
from rehearse.verdicts import judge, rushed

if TYPE_CHECKING:
    from rehearse.delivery import Delivery
    from rehearse.speech.transcribe import Transcript


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing to work on, with its evidence.

    Attributes:
        area: "delivery", "content" or "language".
        severity: "high", "medium" or "low".
        message: what was found, quoting the words.
        suggestion: what to do next time.
        start: seconds, where the evidence begins (None for the whole take).
        end: seconds.
        kind: a stable id of the kind of finding ("delivery.fillers.filled",
            "content.pitfall.extrinsic-motivation", "language.hedging"); the same issue has the same
            kind in every take, whatever words the message and suggestion quote.
    """

    area: str
    severity: str
    message: str
    suggestion: str
    start: float | None = None
    end: float | None = None
    kind: str = ""



def recording_findings(transcript: Transcript) -> tuple[Finding, ...]:
    """What the recording kept from the report: speech no decode could turn into words.

    It is named once, as a fault of the recording, because pace, pauses and fillers
    leave those stretches out rather than blame the speaker for them.
    """
    spans = transcript.unheard
    if not spans:
        return ()
    shown = 3
    where = ", ".join(f"{clock(s.start)}-{clock(s.end)}" for s in spans[:shown])
    if len(spans) > shown:
        where += f" and {len(spans) - shown} more"
    return (Finding("delivery", "medium",
                    f"{transcript.unheard_s:.0f} s of speech could not be transcribed at {where}; "
                    "pace, pauses and fillers leave it out.",
                    "Record closer to the microphone, away from noise and at a steady level, so every word is heard.",
                    spans[0].start, spans[0].end, kind="delivery.recording.unheard"),)


def delivery_findings(delivery: Delivery, thresholds: Thresholds) -> tuple[Finding, ...]:
    """What to work on in the delivery, most important first, each with its evidence."""
    if delivery.pace.words == 0:
        # Nothing was said (or nothing could be recognised): measures of silence or
        # room noise would only mislead.
        return (Finding("delivery", "high", "No speech was recognised in this take.",
                        "Check that the right microphone is selected and its level is up, then speak the answer again.",
                        kind="delivery.no_speech"),)
    found: list[Finding] = []
    duration = delivery.duration
    verdicts = judge(delivery, thresholds)
    if duration.verdict == "over":
        over = duration.speaking - duration.target_max
        found.append(Finding("delivery", "high", f"The answer ran {duration.speaking:.0f} s, {over:.0f} s over the {duration.target_max:.0f} s target.",
                             "Cut the weakest sentence and keep one story; aim for the middle of the target.",
                             duration.target_max, duration.total, kind="delivery.duration.over"))
    elif duration.verdict == "short":
        found.append(Finding("delivery", "medium", f"The answer ran {duration.speaking:.0f} s, under the {duration.target_min:.0f} s minimum.",
                             "Add the specific story (situation, action, measurable result) that proves your point.", None, None,
                             kind="delivery.duration.short"))
    pace = delivery.pace
    target = thresholds.target
    judged = verdicts.judged
    if verdicts.pace == "fast":
        found.append(Finding("delivery", "medium", f"Pace {pace.wpm:.0f} words/min is faster than {target.max_wpm:.0f}.",
                             "Slow down at the key points and let a short pause land after your result.", kind="delivery.pace.fast"))
    elif verdicts.pace == "slow":
        found.append(Finding("delivery", "medium", f"Pace {pace.wpm:.0f} words/min is slower than {target.min_wpm:.0f}.",
                             "Practise until the story flows; long gaps make an answer sound unprepared.", kind="delivery.pace.slow"))
    for window in pace.windows if judged else ():
        # Faster than the speaker's own pace and than the target: a change of pace
        # within the target range is expression, not rushing.
        if window.label == "rushed" and rushed(window.wpm, target):
            found.append(Finding("delivery", "low", f"Rushed at {window.wpm:.0f} words/min: \u201c{_clip(window.text)}\u201d",
                                 "Take this part slower; it is where listeners lose the thread.", window.start, window.end,
                                 kind="delivery.pace.rushed"))
            break
    fillers = delivery.fillers
    options = thresholds.fillers
    if not verdicts.filled_ok:
        worst = [f for f in fillers.items if f.counted and f.kind == "filled"]
        example = worst[0]
        found.append(Finding("delivery", "high" if fillers.filled_per_min > 2 * options.max_filled_per_min else "medium",
                             f"{plural(fillers.filled_count, 'filled pause')} ({fillers.filled_per_min:.1f}/min, {fillers.filled_time:.1f} s in all), "
                             f"e.g. {in_context(example.before, example.word, example.after)}.",
                             "Replace each um or uh with a silent pause: silence sounds confident, a filler does not.",
                             example.start, example.end, kind="delivery.fillers.filled"))
    if not verdicts.discourse_ok:
        words = ", ".join(f"\u201c{w}\u201d \u00d7{n}" for w, n in fillers.by_word if w not in ("um", "uh", "hmm"))
        found.append(Finding("delivery", "medium", f"{plural(fillers.discourse_count, 'discourse filler')} ({fillers.discourse_per_min:.1f}/min): {words}.",
                             "Record the answer again and stop on each of these words; say the sentence without it.", kind="delivery.fillers.discourse"))
    pauses = delivery.pauses
    if not verdicts.long_pauses_ok:
        longest = max(pauses.items, key=lambda p: p.duration)
        found.append(Finding("delivery", "medium",
                             f"{plural(pauses.long_count, 'long pause')} (\u2265 {thresholds.pauses.long_pause_s:.0f} s); the longest, {longest.duration:.1f} s at {clock(longest.start)}, came after \u201c{longest.before}\u201d.",
                             "Long gaps in the middle of an answer read as losing the thread: know the next step of your story before you start.",
                             longest.start, longest.end, kind="delivery.pauses.long"))
    pitch = delivery.pitch
    prosody = thresholds.prosody
    if verdicts.pitch_ok is False:
        found.append(Finding("delivery", "medium", f"Little vocal variety: pitch varies by {pitch.sd_st:.1f} semitones (aim for {prosody.min_pitch_sd_st:.1f} or more).",
                             "Stress the words that carry your point, and let your voice rise on what excites you.", kind="delivery.pitch.variety"))
    for stretch in pitch.monotone[:2] if judged else ():
        found.append(Finding("delivery", "low", f"Monotone from {clock(stretch.start)} to {clock(stretch.end)}: {stretch.note}",
                             "Vary pitch and pace here; it is where an interviewer stops listening.", stretch.start, stretch.end,
                             kind="delivery.pitch.monotone"))
    energy = delivery.energy
    if energy.too_quiet and energy.median_dbfs is not None:
        found.append(Finding("delivery", "medium", f"The recording is quiet (speech at {energy.median_dbfs} dBFS).",
                             "Move closer to the microphone or raise its input level.", kind="delivery.energy.quiet"))
    if verdicts.loudness_flat:
        found.append(Finding("delivery", "low", f"Loudness barely changes (\u00b1{energy.sd_db:.1f} dB over the answer).",
                             "Lift your voice on the point you want remembered; even energy reads as flat.", kind="delivery.energy.flat"))
    if energy.clipping:
        first = energy.clipping[0]
        found.append(Finding("delivery", "medium", f"The input clips ({energy.clipped_share:.2%} of samples), first at {clock(first.start)}.",
                             "Lower the microphone's input level or move back from it.", first.start, first.end,
                             kind="delivery.energy.clipping"))
    return tuple(found)


def _clip(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"

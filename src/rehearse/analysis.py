"""The one pipeline every command uses: audio -> transcript -> delivery + content -> Analysis."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from rehearse import __version__
from rehearse.speech.audio import Audio
from rehearse.delivery import Delivery
from rehearse.options import Thresholds
from rehearse.text.format import clock, in_context, plural
from rehearse.verdicts import judge, rank, rushed
from rehearse.speech.transcribe import Transcript, TranscriptionOptions

SCHEMA_VERSION = "1.0"
StageCallback = Callable[[str, float, float], None]


@dataclass(frozen=True, slots=True)
class AudioInfo:
    """The take that was analyzed.

    Attributes:
        path: the file, or None for text-only analysis.
        duration: seconds.
        channels: in the source, before the downmix.
    """

    path: str | None
    duration: float
    channels: int


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


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything rehearse reports about one take. ``to_dict`` gives the JSON form."""

    schema_version: str
    rehearse_version: str
    audio: AudioInfo
    transcript: Transcript
    delivery: Delivery | None
    findings: tuple[Finding, ...]
    thresholds: Thresholds
    transcription: TranscriptionOptions
    timings: dict[str, float] = field(default_factory=dict)
    content: Any = None
    language: Any = None
    question: Any = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict following ``schema/analysis.schema.json``."""
        return _jsonable(self)

    @property
    def verdicts(self):
        """The delivery measures against their targets (``verdicts.Verdicts``), None for a typed draft.

        Computed from the measures and thresholds, not stored, so an analysis rebuilt from
        its JSON has the same verdicts and the JSON form stays as the schema says.
        """
        return judge(self.delivery, self.thresholds) if self.delivery is not None else None

    def ranked_findings(self) -> tuple[Finding, ...]:
        """The findings, most severe first, then in the order they happen in the take."""
        return rank(self.findings)


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, Transcript):
            out["text"] = value.text
        return out
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return None if value != value else value  # NaN has no JSON form
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    return value


def analyze(
    path: str | Path | Audio,
    *,
    transcriber=None,
    transcription: TranscriptionOptions | None = None,
    thresholds: Thresholds | None = None,
    question=None,
    job_text: str | None = None,
    company: str | None = None,
    on_stage: StageCallback | None = None,
    transcript: Transcript | None = None,
    catalog=None,
) -> Analysis:
    """Analyze one take end to end.

    Args:
        path: an audio file, or audio already decoded.
        transcriber: a loaded ``Transcriber`` to reuse across takes.
        transcription: how to run Whisper when no transcriber is given.
        thresholds: defaults, or a question pack's.
        question: a ``packs.Question`` to check the content against, if known.
        job_text: a job description for the tailoring check.
        company: the company's name, for the tailoring check.
        on_stage: called with (stage, seconds done, seconds total) for progress.
        transcript: a transcript made already (live transcription), to skip Whisper.
        catalog: question packs (``packs.Catalog``) to infer the question from when
            none is given; the built-in and user packs when None.

    Raises:
        AudioError: the file cannot be used.
        ModelError: the model cannot be loaded.
    """
    from rehearse.speech import audio as audio_module
    from rehearse import content as content_module
    from rehearse import delivery as delivery_module
    from rehearse import language as language_module
    from rehearse.delivery import features as delivery_features
    from rehearse.speech.transcribe import Transcriber

    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(timings.get(stage, 0.0) + now - clock, 3)
        clock = now

    if question is not None and thresholds is None:
        thresholds = question.thresholds
    thresholds_given = thresholds is not None
    thresholds = thresholds or Thresholds()
    # Three jobs overlap on a 2-core laptop: the model loads (CTranslate2, outside the GIL)
    # while the audio decodes, then the frame features (numpy and Silero, one core) are
    # computed while Whisper transcribes, which leaves the second core idle for much of
    # its decoding. Measured on a 2-minute take, 0.2-0.4 s less than in turn.
    from concurrent.futures import ThreadPoolExecutor

    helpers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="rehearse-analyze")
    try:
        loading = None
        if transcript is None and transcriber is None:
            if on_stage:
                on_stage("loading model", 0.0, 1.0)
            loading = helpers.submit(Transcriber, transcription)
        take = path if isinstance(path, Audio) else audio_module.load(path)
        lap("decode")
        framing = helpers.submit(delivery_features.compute, take.samples, pauses=thresholds.pauses,
                                 prosody=thresholds.prosody)
        if transcript is None:
            if loading is not None:
                transcriber = loading.result()
                lap("model_load")
            progress = (lambda done, total: on_stage("transcribing", done, total)) if on_stage else None
            if on_stage:
                on_stage("transcribing", 0.0, take.duration)
            transcript = transcriber.transcribe(take, progress=progress, vad_threshold=thresholds.pauses.vad_threshold)
            lap("transcribe")
        frames = framing.result()
        lap("features")
    finally:
        helpers.shutdown(wait=False, cancel_futures=True)
    if transcriber is not None:
        transcription = transcriber.options
    transcription = transcription or TranscriptionOptions()
    inferred = False
    if question is None:
        # No --question: the answer may give it away; its pack's targets then apply.
        question = _infer_question(transcript.words, catalog)
        inferred = question is not None
        if inferred and not thresholds_given:
            framed_with = (thresholds.pauses, thresholds.prosody)
            thresholds = question.thresholds
            if (thresholds.pauses, thresholds.prosody) != framed_with:
                # The inferred question's pack changes how silence or pitch is judged.
                frames = delivery_features.compute(take.samples, pauses=thresholds.pauses, prosody=thresholds.prosody)
    if on_stage:
        on_stage("measuring delivery", take.duration, take.duration)
    delivery = delivery_module.measure(take.samples, transcript.words, thresholds, frames=frames)
    lap("delivery")
    content = content_module.check(transcript.words, question=question, job_text=job_text, company=company,
                                   inferred=inferred, catalog=catalog, options=thresholds.content)
    lap("content")

    language = language_module.check(transcript.words, question=question, delivery=delivery,
                                     thresholds=thresholds, content=content)
    lap("language")
    findings = delivery_findings(delivery, thresholds) + content.findings + language.findings
    return Analysis(
        schema_version=SCHEMA_VERSION,
        rehearse_version=__version__,
        audio=AudioInfo(take.path, round(take.duration, 3), take.channels),
        transcript=transcript,
        delivery=delivery,
        findings=findings,
        thresholds=thresholds,
        transcription=transcription,
        timings=timings,
        content=content,
        language=language,
        question=_question_summary(question),
    )


def _infer_question(words, catalog):
    """The question the answer clearly gives away, or None."""
    from rehearse import content as content_module
    return content_module.infer_question(words, catalog) if words else None


def _question_summary(question) -> dict[str, Any] | None:
    if question is None:
        return None
    return {"id": question.id, "text": question.text}


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

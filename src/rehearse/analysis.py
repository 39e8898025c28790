"""The one pipeline every command uses: audio -> transcript -> delivery + content -> Analysis."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypedDict

from rehearse import __version__
from rehearse.content.results import ContentReport
from rehearse.language.report import LanguageReport
from rehearse.speech.audio import Audio
from rehearse.delivery import Delivery
from rehearse.options import Thresholds
from rehearse.findings import Finding, delivery_findings, recording_findings
from rehearse.packs import Catalog, Question
from rehearse.speech.transcribe import Transcriber, Transcript, TranscriptionOptions
from rehearse.verdicts import judge, rank

SCHEMA_VERSION = "1.1"
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


class QuestionSummary(TypedDict):
    """The question a take answers, as the JSON ``question`` object: its id and its text."""

    id: str
    text: str


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
    content: ContentReport | None = None
    language: LanguageReport | None = None
    question: QuestionSummary | None = None

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
    transcriber: Transcriber | None = None,
    transcription: TranscriptionOptions | None = None,
    thresholds: Thresholds | None = None,
    question: Question | None = None,
    job_text: str | None = None,
    company: str | None = None,
    on_stage: StageCallback | None = None,
    transcript: Transcript | None = None,
    catalog: Catalog | None = None,
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
    delivery = delivery_module.measure(take.samples, transcript.words, thresholds, frames=frames, unheard=transcript.unheard)
    lap("delivery")
    content = content_module.check(transcript.words, question=question, job_text=job_text, company=company,
                                   inferred=inferred, catalog=catalog, options=thresholds.content)
    lap("content")

    language = language_module.check(transcript.words, question=question, delivery=delivery,
                                     thresholds=thresholds, content=content)
    lap("language")
    findings = (recording_findings(transcript) + delivery_findings(delivery, thresholds)
                + content_module.findings(content) + language.findings)
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


def _infer_question(words, catalog: Catalog | None) -> Question | None:
    """The question the answer clearly gives away, or None."""
    from rehearse import content as content_module
    return content_module.infer_question(words, catalog) if words else None


def _question_summary(question: Question | None) -> QuestionSummary | None:
    if question is None:
        return None
    return QuestionSummary(id=question.id, text=question.text)

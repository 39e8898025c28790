"""Every threshold the analyzer judges by, in one place.

Each stage has one frozen options dataclass whose defaults are the thresholds
(sources: interview-coaching practice for targets, fluency research for pauses
(De Jong & Wempe 2009), the filled-pause literature for fillers). A question pack may override any of them under
``[thresholds.<stage>]``; ``Thresholds.with_overrides`` applies that, and the
report keeps the values it was judged against.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rehearse.errors import PackError


@dataclass(frozen=True, slots=True)
class TargetOptions:
    """What the answer is judged against.

    Attributes:
        min_duration_s: shorter answers are flagged as too short (GUIDANCE: 60 s).
        max_duration_s: longer answers are flagged as over time (GUIDANCE: 90 s).
        min_wpm: slower than this is flagged (GUIDANCE: about 120 words/min).
        max_wpm: faster than this is flagged (GUIDANCE: about 160 words/min).
        min_judged_s: pace, vocal variety and loudness variation are judged only on
            answers with at least this much speech; a few words say nothing about them.
    """

    min_duration_s: float = 60.0
    max_duration_s: float = 90.0
    min_wpm: float = 120.0
    max_wpm: float = 160.0
    min_judged_s: float = 10.0


@dataclass(frozen=True, slots=True)
class PauseOptions:
    """Silent pauses, measured on the audio.

    Attributes:
        min_pause_s: shortest silence between words that counts as a pause (0.25 s is
            the common threshold for monologue in fluency research).
        long_pause_s: a pause this long is "long" and reported on its own (GUIDANCE: 2 s).
        silence_below_peak_db: a frame is silent when its level is this far below the
            0.99 quantile of the take's frame levels (De Jong & Wempe use -25 dB).
        min_silence_floor_dbfs: frames quieter than this are silent whatever the take's
            peak, so a quiet take still has its pauses found.
        noise_floor_quantile: the take's noise floor is this quantile of its frame levels.
        above_noise_db: frames less than this above the noise floor are silent too, so
            a noisy room's pauses are found though its noise comes near the peak rule.
        max_silence_below_peak_db: the noise rule never puts the silence level closer
            to the peak than this, so quiet speech is not taken for silence.
        vad_threshold: Silero speech probability above which a frame is speech.
        max_long_pauses_per_min: more long pauses than this per minute is a finding.
    """

    min_pause_s: float = 0.25
    long_pause_s: float = 2.0
    silence_below_peak_db: float = 25.0
    min_silence_floor_dbfs: float = -60.0
    noise_floor_quantile: float = 0.1
    above_noise_db: float = 3.0
    max_silence_below_peak_db: float = 15.0
    vad_threshold: float = 0.5
    max_long_pauses_per_min: float = 1.0


@dataclass(frozen=True, slots=True)
class FillerOptions:
    """Filled pauses (um, uh) and discourse fillers (like, you know).

    Attributes:
        max_filled_per_min: above this rate filled pauses are a finding.
        max_discourse_per_min: above this rate discourse fillers are a finding.
        isolating_gap_s: a silence at least this long next to "like" or "so" isolates
            it as a filler, as a comma would.
        voice_below_speech_db: a periodic frame is voice when it is no more than this
            below the take's own speech level (relative: a quiet take is judged the same).
        voice_slack_s: a transcribed filler's sound may lie this far outside the times
            Whisper gave it (its times for fillers are loose), never inside the next word.
        min_voiced_s: a transcribed filler with less voice than this under or next to it
            was invented.
        min_snr_for_sounds_db: separate voiced sounds are evidence only in a take whose
            speech stands this far above its noise (levels relative to the take); in a
            noisier one only the same filler written on top of itself is dropped. A run of
            consecutive fillers otherwise keeps as many as the separate voiced sounds
            between its neighbouring words.
        same_sound_within_s: the same filler starting less than this after the one before
            it ends is one sound written twice.
        min_event_s: shortest voiced stretch that counts as a separate sound.
        edge_margin_s: separate sounds are counted this far inside the neighbouring
            words' times, whose onsets and tails spill past them.
        min_steady_run_s: a steady vowel (full confidence) lasts at least this long.
        search_gaps: 1 to look for filled pauses the transcript lost in the gaps between
            words, 0 not to. Off: across the benchmark's conditions it found nothing the
            transcript missed and added false fillers (benchmarks/README.md).
        min_gap_filler_s: shortest steady run in a word gap counted as a lost filler.
        max_gap_filler_s: longest steady run in a word gap counted as a lost filler.
        max_pitch_range_st: a steady run's F0 stays within this range, in semitones.
        max_pitch_above_median_st: a filled pause is not pitched above the speaker's
            median by more than this.
        max_level_below_speaker_db: a steady run is at most this far below the speaker's
            median voiced level.
        max_level_above_speaker_db: ... and at most this far above it.
        max_spectral_change: a steady run's mean MFCC change, relative to the speaker's
            median frame-to-frame change.
        min_confidence: fillers less certain than this are listed but not counted.
    """

    max_filled_per_min: float = 2.0
    max_discourse_per_min: float = 3.0
    isolating_gap_s: float = 0.2
    voice_below_speech_db: float = 40.0
    voice_slack_s: float = 0.2
    min_voiced_s: float = 0.05
    min_snr_for_sounds_db: float = 20.0
    same_sound_within_s: float = 0.05
    min_event_s: float = 0.06
    edge_margin_s: float = 0.1
    min_steady_run_s: float = 0.12
    search_gaps: int = 0
    min_gap_filler_s: float = 0.2
    max_gap_filler_s: float = 1.5
    max_pitch_range_st: float = 3.0
    max_pitch_above_median_st: float = 1.0
    max_level_below_speaker_db: float = 20.0
    max_level_above_speaker_db: float = 3.0
    max_spectral_change: float = 0.7
    min_confidence: float = 0.5


@dataclass(frozen=True, slots=True)
class ProsodyOptions:
    """Pitch (vocal variety) and loudness (energy).

    Attributes:
        fmin_hz: lowest F0 searched (covers low male voices).
        fmax_hz: highest F0 searched (covers high female voices).
        min_pitch_sd_st: pitch variation below this over the answer sounds monotone.
        monotone_window_s: length of the stretches checked for monotone delivery.
        monotone_sd_st: a stretch whose pitch varies less than this is monotone.
        quiet_speech_dbfs: speech whose median level is below this is too quiet.
        clipped_share: more than this share of clipped samples is a clipping warning.
        min_loudness_sd_db: loudness varying less than this sounds flat.
    """

    fmin_hz: float = 65.0
    fmax_hz: float = 400.0
    min_pitch_sd_st: float = 2.0
    monotone_window_s: float = 8.0
    monotone_sd_st: float = 1.2
    quiet_speech_dbfs: float = -35.0
    clipped_share: float = 0.001
    min_loudness_sd_db: float = 3.0


@dataclass(frozen=True, slots=True)
class PaceOptions:
    """Pace over time.

    Attributes:
        window_s: length of the sliding window for words per minute over time.
        step_s: step between windows.
        rush_factor: a window faster than the take's own pace times this is a rush.
        drag_factor: a window slower than the take's own pace times this is a drag.
    """

    window_s: float = 15.0
    step_s: float = 5.0
    rush_factor: float = 1.25
    drag_factor: float = 0.75


@dataclass(frozen=True, slots=True)
class LanguageOptions:
    """Language coaching: repetition, hedging, rambling, informal words, typed drafts.

    The phrase tables themselves are TOML files in ``rehearse/lexicons/``.

    Attributes:
        sentence_gap_s: a silence this long ends a sentence where Whisper left no full stop.
        max_hedges_per_min: more hedges than this per minute is a medium finding (any
            hedge is listed; GUIDANCE: state the thesis and result plainly).
        min_repeats: a content word used this many times is a repetition ...
        min_repeats_per_min: ... when it also comes back at least this often per minute.
        min_phrase_repeats: a phrase of two or three words said this many times is a repetition.
        min_crutch_repeats: a crutch word ("basically", "really") this many times is reported ...
        min_crutch_per_min: ... when it also comes back at least this often per minute.
        max_sentence_words: a sentence longer than this (fillers not counted) is rambling;
            spoken sentences of 15-25 words are easy to follow.
        max_restarts_per_min: more restarts and self-corrections than this per minute is a
            medium finding (any is listed).
        max_share_before_thesis: the thesis should come within this share of the answer
            (GUIDANCE: in the first sentence or two).
        max_words_per_idea: more words than this per idea (a clause with at least two
            content words) is wordy.
        max_empty_share: more than this share of words in fillers, hedges, crutch and
            informal words is a conciseness finding.
        draft_wpm: pace at which a typed draft is timed when history has no pace of
            the user's own (a typical conversational pace).
    """

    sentence_gap_s: float = 1.2
    max_hedges_per_min: float = 2.0
    min_repeats: float = 3.0
    min_repeats_per_min: float = 1.5
    min_phrase_repeats: float = 3.0
    min_crutch_repeats: float = 2.0
    min_crutch_per_min: float = 1.0
    max_sentence_words: float = 35.0
    max_restarts_per_min: float = 1.0
    max_share_before_thesis: float = 0.25
    max_words_per_idea: float = 20.0
    max_empty_share: float = 0.15
    draft_wpm: float = 150.0


@dataclass(frozen=True, slots=True)
class ContentOptions:
    """How the content checks judge an answer.

    Attributes:
        start_sentences: a "start" part (the thesis) is in place within this many
            sentences with content (GUIDANCE: "the first sentence or two")...
        start_share: ...or within this share of the answer's words.
        end_share: an "end" part (the bridge) is in place after this share of the words...
        end_sentences: ...or within this many last sentences with content.
        negation_window: words before a cue searched for "not"/"never" when the
            pitfall lets a negation cancel it.
        unless_window: words around a pitfall cue in which an ``unless`` cue cancels it.
        infer_min_score: evidence an answer needs to name its question (a cue in the
            first sentences counts 2, an echo of the question 3, elsewhere 1).
        infer_margin: the best question must beat the next by this factor.
        partial_credit: share of a part's weight earned when it is weak or misplaced.
        penalty_high: share of the pitfall points lost per high-severity pitfall.
        penalty_medium: same for medium.
        penalty_low: same for low.
        job_terms: key terms taken from a job description.
        value_terms: company values taken from a job description.
        tailoring_full_at: this many job terms echoed earns the full tailoring points.
        max_suggestions: suggestions in the report.
        sentence_gap_s: a silence this long ends a sentence when Whisper gave no period.
        min_story_words: an answer with fewer words (fillers aside) is too short to judge
            whether it tells a story; specificity is not checked.
        structure_points: points for the structure, before rescaling to the components
            that apply (no tailoring without a job description or company, no story
            for closing questions, no structure without a question).
        pitfall_points: points for steering clear of the pitfalls.
        specificity_points: points for a specific story with a measurable result.
        tailoring_points: points for echoing the job description and naming the company.
        major_part_share: a part worth at least this share of the structure points is
            major: missing it is a high-severity finding.
        story_without_number_credit: share of the specificity points for a specific
            story whose result has no number.
        vague_phrase_cost: share of the specificity points each vague phrase costs ...
        max_vague_cost: ... up to this share in all.
        min_tailoring_coverage: echoing less than this share of the job description's key
            terms is a finding.
        negative_tone: a clause whose tone (VADER's compound score, -1 to 1) is at most
            this, and that names a pitfall's target (a former boss, the job), hits that
            pitfall (``content.meaning``). Chosen by 5-fold cross-validation on the dev
            split of the published-answer corpus (benchmarks/published_eval.py --cv).
        min_judged_words: an answer with fewer words (fillers aside) in which neither a
            part of its question's structure nor a pitfall is found has nothing to judge:
            it scores 0 with a finding, instead of keeping the points of the pitfalls it
            had no room to hit.
    """

    start_sentences: int = 2
    start_share: float = 0.25
    end_share: float = 0.65
    end_sentences: int = 2
    negation_window: int = 6
    unless_window: int = 4
    infer_min_score: float = 2.0
    infer_margin: float = 1.5
    partial_credit: float = 0.5
    penalty_high: float = 0.5
    penalty_medium: float = 0.3
    penalty_low: float = 0.15
    job_terms: int = 12
    value_terms: int = 6
    tailoring_full_at: int = 5
    max_suggestions: int = 3
    sentence_gap_s: float = 1.0
    min_story_words: int = 12
    structure_points: float = 45.0
    pitfall_points: float = 30.0
    specificity_points: float = 25.0
    tailoring_points: float = 20.0
    major_part_share: float = 0.2
    story_without_number_credit: float = 0.6
    vague_phrase_cost: float = 0.1
    max_vague_cost: float = 0.3
    min_tailoring_coverage: float = 0.5
    negative_tone: float = -0.15
    min_judged_words: int = 12


@dataclass(frozen=True, slots=True)
class PrepOptions:
    """Preparing for a job: ``rehearse prep`` and the story bank.

    Attributes:
        requirements: at most this many requirements are read from a posting.
        values: at most this many company values are read from a posting.
        min_story_score: ``stories from-history`` proposes takes whose content score
            reaches this (0-100).
        proposals_per_question: at most this many proposed stories per question.
        min_question_parts: a story is told for a question only when the content
            check finds at least this many of the question's parts in it.
    """

    requirements: int = 20
    values: int = 5
    min_story_score: float = 60.0
    proposals_per_question: int = 2
    min_question_parts: int = 2


@dataclass(frozen=True, slots=True)
class Thresholds:
    """All stages' options; what a question pack may override."""

    target: TargetOptions = field(default_factory=TargetOptions)
    pauses: PauseOptions = field(default_factory=PauseOptions)
    fillers: FillerOptions = field(default_factory=FillerOptions)
    prosody: ProsodyOptions = field(default_factory=ProsodyOptions)
    pace: PaceOptions = field(default_factory=PaceOptions)
    language: LanguageOptions = field(default_factory=LanguageOptions)
    content: ContentOptions = field(default_factory=ContentOptions)

    def with_overrides(self, overrides: Mapping[str, Mapping[str, Any]], *, source: str = "") -> Thresholds:
        """Return a copy with ``{stage: {name: value}}`` applied.

        Raises:
            PackError: an unknown stage or name, or a value of the wrong type.
        """
        changed: dict[str, Any] = {}
        where = f"{source}: " if source else ""
        for stage, values in overrides.items():
            if stage not in _STAGES:
                raise PackError(f"{where}unknown thresholds table [{stage}]; expected one of: {', '.join(_STAGES)}")
            current = getattr(self, stage)
            names = {f.name for f in dataclasses.fields(current)}
            for name, value in values.items():
                if name not in names:
                    raise PackError(f"{where}unknown threshold {stage}.{name}; expected one of: {', '.join(sorted(names))}")
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    raise PackError(f"{where}threshold {stage}.{name} must be a number, got {value!r}")
                # Levels (dB) and pitch offsets (semitones) may be zero or negative; every
                # other threshold is a positive length, rate, count or share (a zero step
                # or window would never end).
                if not name.endswith(("_db", "_dbfs", "_st")) and value <= 0:
                    raise PackError(f"{where}threshold {stage}.{name} must be above 0, got {value!r}")
                if isinstance(getattr(current, name), int) and not float(value).is_integer():
                    raise PackError(f"{where}threshold {stage}.{name} must be a whole number, got {value!r}")
            # Keep each field's own type: counts stay whole numbers.
            changed[stage] = dataclasses.replace(current, **{k: type(getattr(current, k))(v) for k, v in values.items()})
        result = dataclasses.replace(self, **changed)
        target = result.target
        for low, high in (("min_duration_s", "max_duration_s"), ("min_wpm", "max_wpm")):
            if getattr(target, low) > getattr(target, high):
                raise PackError(f"{where}threshold target.{low} ({getattr(target, low):g}) is above "
                                f"target.{high} ({getattr(target, high):g})")
        return result


_STAGES = tuple(f.name for f in dataclasses.fields(Thresholds))


@dataclass(frozen=True, slots=True)
class InterviewOptions:
    """How a mock interview round runs and is judged (a round may override them under
    ``[round.options]``).

    Attributes:
        silence_stop_s: a silence this long after speech ends an answer; shorter than a
            practice take's, since an interviewer takes the turn after a pause.
        over_budget_s: recording stops this long after the answer's budget.
        min_followup_words: an answer shorter than this gets no follow-up (there is
            nothing to follow up on; the report says it was too short).
        fade_min_speaking_s: answers with less speech than this are left out of the
            fading check (a short follow-up's level and pace say little).
        fade_energy_db: the speech level falling this much across the round is fading.
        fade_pace_share: pace falling by this share across the round is fading.
        fade_fillers_per_min: fillers rising by this many per minute across the round
            is fading.
        focus_items: how many things to work on the round report names.
        followup_budget_s: the time budget of an answer to a follow-up question.
        followup_min_s: a follow-up's answer shorter than this is flagged as too short.
        read_s: without the voice, time to read a question before recording starts.
    """

    silence_stop_s: float = 3.0
    over_budget_s: float = 30.0
    min_followup_words: int = 15
    fade_min_speaking_s: float = 5.0
    fade_energy_db: float = 3.0
    fade_pace_share: float = 0.15
    fade_fillers_per_min: float = 2.0
    focus_items: int = 3
    followup_budget_s: float = 30.0
    followup_min_s: float = 5.0
    read_s: float = 2.0

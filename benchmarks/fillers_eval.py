"""Filled pauses under changed conditions, with thresholds chosen by cross-validation.

For every real clip of ``../shared/audio`` with a reference (the disfluent clips, the
look-alikes that must give no filler, and two fluent clips) and every condition of
``fillers_conditions``:

- ``baseline``: plain faster-whisper (``WhisperModel.transcribe``), tiny.en, beam 5,
  temperature 0, prompt "Um, uh, hmm, er, ah.", counting the filler words it writes;
- ``transcript``: rehearse's own transcription, counting the filler words it writes;
- ``rehearse``: rehearse's counted filled pauses (its transcription plus
  ``delivery.fillers``);
- ``baseline+detector``: the baseline's words checked by ``delivery.fillers``.

The two fluent clips run in the clean room only (transcription is the slow part).

Scored by count per clip (true positives = min(reference, found)) and, on the monologue
with a forced alignment, by time (0.3 s collar). Transcripts are cached (keyed by the
transcription code and options) so that the detector can be re-scored quickly.

``cross_validate`` is leave-one-clip-out: every detector threshold is chosen on the other
clips (all their conditions) and the held-out clip is scored with it; the benchmark
reports that figure next to the in-sample one.

    python benchmarks/fillers_eval.py            # every condition, writes results/fillers_conditions.json
    python benchmarks/fillers_eval.py --quick    # clean, noise_20db and pitch_up_3st only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fillers_conditions as conditions
from common import FILLED_PAUSE_REFERENCE, REPO, SHARED_AUDIO, machine, reference_text, save
from fillers import Score, score_counts, score_times

FILLER_CLIPS = ["mfa_acoustic_corpus.wav", "mfa_uhum.flac", "mfa_uhuh.flac", "mfa_um.flac", "mfa_crossword.flac"]
LOOK_ALIKE_CLIPS = ["mfa_er.flac", "mfa_youknow.flac", "mfa_words.flac", "mfa_breaths.flac", "mfa_putty.flac"]
FLUENT_CLIPS = ["jfk.flac", "ami_es2011a.wav"]
CLIPS = FILLER_CLIPS + LOOK_ALIKE_CLIPS + FLUENT_CLIPS
TIME_REFERENCES = {"mfa_acoustic_corpus.wav": [(8.02, 8.57), (13.9, 14.87), (22.90, 23.53)]}
QUICK_CONDITIONS = ["clean", "noise_20db", "pitch_up_3st"]
BASELINE_PROMPT = "Um, uh, hmm, er, ah."

T = TypeVar("T")
C = TypeVar("C")


def reference_count(clip: str) -> int:
    return sum(1 for token in reference_text(clip).lower().split() if token in FILLED_PAUSE_REFERENCE)


def reference_spans(clip: str, condition: str) -> list[tuple[float, float]] | None:
    if clip not in TIME_REFERENCES:
        return None
    factor = conditions.tempo_factor(condition)
    return [(a / factor, b / factor) for a, b in TIME_REFERENCES[clip]]


# --- transcripts, cached --------------------------------------------------------------

def _transcript_key(method: str) -> str:
    """Changes whenever the code or options that make the transcript change."""
    from rehearse.speech.transcribe import TranscriptionOptions

    source = (REPO / "src" / "rehearse" / "speech" / "transcribe.py").read_bytes()
    import faster_whisper

    # The thread count is left out: it changes the speed, not the words.
    text = f"{method}/{replace(TranscriptionOptions(), cpu_threads=2)!r}/{faster_whisper.__version__}/{BASELINE_PROMPT}"
    return hashlib.sha1(source + text.encode()).hexdigest()[:12]


class Transcripts:
    """Words of each (method, clip, condition), decoded once and kept on disk."""

    def __init__(self) -> None:
        self._transcriber = None
        self._folder = conditions.cache_dir().parent / "transcripts"
        self._folder.mkdir(parents=True, exist_ok=True)
        self._keys = {m: _transcript_key(m) for m in ("baseline", "rehearse")}

    def words(self, method: str, clip: str, condition: str, y) -> list:
        from rehearse.speech.transcribe import Word

        path = self._folder / f"{method}.{clip}.{condition}.{conditions.RECIPE_VERSION}.{self._keys[method]}.json"
        if path.is_file():
            return [Word(*row) for row in json.loads(path.read_text())]
        words = self._baseline(y) if method == "baseline" else list(self._rehearse().transcribe_samples(y).words)
        path.write_text(json.dumps([[w.text, w.start, w.end, w.probability] for w in words]))
        return words

    def _rehearse(self):
        if self._transcriber is None:
            from rehearse.speech.transcribe import Transcriber, TranscriptionOptions

            # One thread per process: on a shared 2-core machine, CTranslate2's threads
            # wait on each other and a 10 s clip took 100 s instead of 2.
            self._transcriber = Transcriber(TranscriptionOptions(cpu_threads=1))
        return self._transcriber

    def _baseline(self, y) -> list:
        from rehearse.speech.transcribe import Word

        model = self._rehearse().model
        segments, _ = model.transcribe(y, language="en", beam_size=5, temperature=0.0,
                                       initial_prompt=BASELINE_PROMPT, word_timestamps=True)
        return [Word(w.word.strip(), round(float(w.start), 3), round(float(w.end), 3), round(float(w.probability), 3))
                for s in segments for w in (s.words or []) if w.word.strip()]


# --- one evaluation item per (clip, condition) ------------------------------------------

@dataclass
class Item:
    """Everything the detector needs for one clip under one condition."""

    clip: str
    condition: str
    expected: int
    spans: list[tuple[float, float]] | None
    baseline_words: list
    rehearse_words: list
    frames: object


def load_items(clips: Sequence[str], condition_names: Sequence[str], *, progress: bool = True) -> list[Item]:
    from rehearse.delivery import features
    from rehearse.options import PauseOptions, ProsodyOptions

    transcripts = Transcripts()
    items = []
    for condition in condition_names:
        for clip in clips:
            if condition != "clean" and clip in FLUENT_CLIPS and len(clips) > 1:
                continue  # two more negatives in the clean room only: transcription is the slow part
            y = conditions.load(SHARED_AUDIO / clip, condition)
            frames = features.compute(y, pauses=PauseOptions(), prosody=ProsodyOptions())
            items.append(Item(clip, condition, reference_count(clip), reference_spans(clip, condition),
                              transcripts.words("baseline", clip, condition, y),
                              transcripts.words("rehearse", clip, condition, y), frames))
        if progress:
            print(f"  {condition}: ready", file=sys.stderr, flush=True)
    return items


def text_fillers(words) -> list[tuple[float, float]]:
    from rehearse.text.format import filled_pause_form

    return [(w.start, w.end) for w in words if filled_pause_form(w.text)]


def detected(item: Item, options, *, words: str = "rehearse") -> list[tuple[float, float]]:
    from rehearse.delivery.fillers import FILLED, find_fillers

    source = item.rehearse_words if words == "rehearse" else item.baseline_words
    return [(f.start, f.end) for f in find_fillers(source, item.frames, options) if f.kind == FILLED and f.counted]


def method_spans(item: Item, method: str, options=None) -> list[tuple[float, float]]:
    if method == "baseline":
        return text_fillers(item.baseline_words)
    if method == "transcript":
        return text_fillers(item.rehearse_words)
    if method == "baseline+detector":
        return detected(item, options, words="baseline")
    return detected(item, options)


def score_item(item: Item, spans: list[tuple[float, float]]) -> tuple[Score, Score | None]:
    by_count = score_counts(item.expected, len(spans))
    by_time = score_times(item.spans, spans) if item.spans is not None else None
    return by_count, by_time


def total(scores: Iterable[Score]) -> Score:
    out = Score(0, 0, 0)
    for s in scores:
        out = out + s
    return out


# --- leave-one-clip-out cross-validation ------------------------------------------------

@dataclass(frozen=True)
class Fold:
    held_out: str
    chosen: object
    score: Score


def cross_validate(groups: Sequence[str], items: Sequence[T], group_of: Callable[[T], str],
                   candidates: Sequence[C], score: Callable[[C, T], Score]) -> tuple[Score, list[Fold]]:
    """Leave one group out: pick the candidate with the best F1 on the other groups' items,
    score the held-out group's items with it; returns the summed held-out score and the folds.

    Ties go to the earlier candidate, so list the default (or the simplest) first.
    Each (candidate, item) is scored once.
    """
    table = {(c, i): score(candidates[c], items[i]) for c in range(len(candidates)) for i in range(len(items))}
    folds = []
    for group in groups:
        train = [i for i, item in enumerate(items) if group_of(item) != group]
        test = [i for i, item in enumerate(items) if group_of(item) == group]
        best = max(range(len(candidates)), key=lambda c: (total(table[c, i] for i in train).f1, -c))
        folds.append(Fold(group, candidates[best], total(table[best, i] for i in test)))
    return total(f.score for f in folds), folds


def candidate_options(base) -> list:
    """The detector's thresholds searched by cross-validation, the defaults first.

    Every choice the filled-pause check makes, each moved away from its default in turn:
    when the same filler twice is one sound, how long a
    separate sound lasts, how far below the take's speech level voice may be, how far
    inside the neighbouring words sounds are counted, how much voice a filler needs, how
    clean a take must be for its sounds to count, and whether the gap search runs.
    """
    grid = [base]
    for within in (0.15, 0.3):
        grid.append(replace(base, same_sound_within_s=within))
    for event in (0.04, 0.1, 0.15):
        grid.append(replace(base, min_event_s=event))
    for below in (25.0, 30.0, 35.0, 45.0):
        grid.append(replace(base, voice_below_speech_db=below))
    for margin in (0.0, 0.05, 0.15):
        grid.append(replace(base, edge_margin_s=margin))
    for voiced in (0.02, 0.1, 0.2):
        grid.append(replace(base, min_voiced_s=voiced))
    for snr in (15.0, 25.0, 30.0, 35.0):
        grid.append(replace(base, min_snr_for_sounds_db=snr))
    grid.append(replace(base, search_gaps=1 - base.search_gaps))
    unique = []
    for candidate in grid:
        if candidate not in unique:
            unique.append(candidate)
    return unique


def describe(options, base) -> str:
    changed = [f"{f.name}={getattr(options, f.name)}" for f in fields(options) if getattr(options, f.name) != getattr(base, f.name)]
    return ", ".join(changed) or "defaults"


# --- the benchmark ----------------------------------------------------------------------

def run(condition_names: Sequence[str] | None = None, clips: Sequence[str] = CLIPS, *, cv: bool = True) -> dict:
    from rehearse.options import FillerOptions

    condition_names = list(condition_names or conditions.CONDITIONS)
    items = load_items(clips, condition_names)
    base = FillerOptions()
    methods = ["baseline", "transcript", "rehearse", "baseline+detector"]
    results: dict = {"machine": machine(), "options": describe(base, FillerOptions()), "conditions": {}}
    for condition in condition_names:
        block = {}
        for method in methods:
            per_clip, counts, times, false_look_alike = {}, [], [], 0
            for item in (i for i in items if i.condition == condition):
                spans = method_spans(item, method, base)
                by_count, by_time = score_item(item, spans)
                per_clip[item.clip] = {"expected": item.expected, "found": len(spans)}
                if item.clip in FILLER_CLIPS:
                    counts.append(by_count)
                else:
                    false_look_alike += len(spans)
                if by_time is not None:
                    times.append(by_time)
            block[method] = {"by_count": total(counts).as_dict(), "by_time": total(times).as_dict(),
                             "false_on_clips_without": false_look_alike, "clips": per_clip}
        results["conditions"][condition] = block
    if cv:
        candidates = candidate_options(base)

        def score(options, item):
            return score_item(item, method_spans(item, "rehearse", options))[0]

        cv_total, folds = cross_validate(list(clips), items, lambda i: i.clip, candidates, score)
        in_sample = total(score(base, i) for i in items)
        per_condition = {}
        for condition in condition_names:
            chosen = {f.held_out: f.chosen for f in folds}
            per_condition[condition] = total(score(chosen[i.clip], i) for i in items if i.condition == condition).as_dict()
        results["cross_validation"] = {
            "candidates": len(candidates), "cv_all_conditions": cv_total.as_dict(),
            "in_sample_all_conditions": in_sample.as_dict(), "cv_per_condition": per_condition,
            "chosen": {f.held_out: describe(f.chosen, base) for f in folds},
        }
    return results


def _cell(block: dict, method: str) -> str:
    s = block[method]["by_count"]
    return f"{s['f1']:.2f} (R {s['recall']:.2f}, P {s['precision']:.2f})"


def table(data: dict) -> str:
    """The per-condition table of benchmarks/README.md."""
    lines = ["| condition | baseline: faster-whisper + prompt, its text | rehearse's transcript, its text | **rehearse** | rehearse, thresholds by CV | baseline's words + rehearse's check | false fillers on clips without any (baseline / rehearse) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    cv = data.get("cross_validation", {}).get("cv_per_condition", {})
    for condition, block in data["conditions"].items():
        cv_cell = f"{cv[condition]['f1']:.2f}" if condition in cv else ""
        lines.append(f"| {condition} | {_cell(block, 'baseline')} | {_cell(block, 'transcript')} | **{_cell(block, 'rehearse')}** | "
                     f"{cv_cell} | {_cell(block, 'baseline+detector')} | "
                     f"{block['baseline']['false_on_clips_without']} / {block['rehearse']['false_on_clips_without']} |")
    c = data.get("cross_validation")
    if c:
        lines += ["", f"Leave-one-clip-out over the {len(c['chosen'])} clips, all conditions pooled ({c['candidates']} threshold sets searched): "
                  f"cross-validated F1 **{c['cv_all_conditions']['f1']:.2f}** (R {c['cv_all_conditions']['recall']:.2f}, "
                  f"P {c['cv_all_conditions']['precision']:.2f}) against in-sample {c['in_sample_all_conditions']['f1']:.2f}; "
                  f"clean room only: CV {c['cv_per_condition']['clean']['f1']:.2f}."]
        chosen = {}
        for clip, described in c["chosen"].items():
            chosen.setdefault(described, []).append(clip.split(".")[0])
        lines += ["", "Thresholds chosen with each clip held out: " + "; ".join(f"{k} ({', '.join(v)})" for k, v in chosen.items()) + "."]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="three conditions only")
    parser.add_argument("--conditions", nargs="*", choices=list(conditions.CONDITIONS))
    parser.add_argument("--no-cv", action="store_true")
    args = parser.parse_args()
    names = args.conditions or (QUICK_CONDITIONS if args.quick else None)
    data = run(names, cv=not args.no_cv)
    save("fillers_conditions", data)
    print(table(data))
    if "cross_validation" in data:
        c = data["cross_validation"]
        print("CV (all conditions):", c["cv_all_conditions"], "in-sample:", c["in_sample_all_conditions"])
        print(json.dumps(c["chosen"], indent=1))

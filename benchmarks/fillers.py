"""Filled-pause scorer: recall, precision and F1 on the real recordings in ../shared/audio.

Three methods on every clip that has a reference transcript:
- ``plain``: faster-whisper without a prompt, counting um/uh/hmm words in the text;
- ``prompt``: the short filler prompt on every window, counting words in the text;
- ``rehearse``: the analyzer's counted filled pauses (prompt + check against the audio).
Scored by count per clip (true positives = min(reference, found)) and, where a
forced alignment exists, by time: a found filler matches a reference one within a
0.3 s collar, each used once. Also word error rate on the fluent clips with and
without the prompt.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import FILLED_PAUSE_REFERENCE, SHARED_AUDIO, machine, reference_text, save, wer  # noqa: E402

NO_FILLER_CLIPS = ["mfa_er.flac", "mfa_youknow.flac", "mfa_words.flac", "mfa_breaths.flac", "mfa_putty.flac",
                   "jfk.flac", "ami_es2011a.wav"]
FILLER_CLIPS = ["mfa_acoustic_corpus.wav", "mfa_uhum.flac", "mfa_uhuh.flac", "mfa_um.flac", "mfa_crossword.flac"]
FLUENT_CLIPS = ["jfk.flac", "ami_es2011a.wav", "mfa_words.flac", "mfa_putty.flac", "mfa_er.flac", "mfa_breaths.flac"]
# Time references: the two aligned "um" of words.tsv, and the "uh" the README places in
# the unaligned gap 13.9-14.9 s.
TIME_REFERENCES = {"mfa_acoustic_corpus.wav": [(8.02, 8.57), (13.9, 14.87), (22.90, 23.53)]}
COLLAR_S = 0.3


@dataclass(frozen=True)
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: "Score") -> "Score":
        return Score(self.true_positives + other.true_positives, self.false_positives + other.false_positives,
                     self.false_negatives + other.false_negatives)

    def as_dict(self) -> dict:
        return {"tp": self.true_positives, "fp": self.false_positives, "fn": self.false_negatives,
                "precision": round(self.precision, 3), "recall": round(self.recall, 3), "f1": round(self.f1, 3)}


def score_counts(expected: int, found: int) -> Score:
    """Count scoring: the smaller count is right, the excess is wrong either way."""
    hits = min(expected, found)
    return Score(hits, found - hits, expected - hits)


def score_times(expected: list[tuple[float, float]], found: list[tuple[float, float]], *, collar_s: float = COLLAR_S) -> Score:
    """Event scoring: a found span matches an unused expected span it overlaps within the collar."""
    unused = list(expected)
    hits = 0
    for start, end in sorted(found):
        match = next((span for span in unused if start < span[1] + collar_s and span[0] - collar_s < end), None)
        if match is not None:
            unused.remove(match)
            hits += 1
    return Score(hits, len(found) - hits, len(unused))


def reference_count(name: str) -> int:
    return sum(1 for token in reference_text(name).lower().split() if token in FILLED_PAUSE_REFERENCE)


def detect(name: str, method: str, transcribers: dict) -> list[tuple[float, float]]:
    """Filled pauses one method finds in one clip, as (start, end) spans."""
    from rehearse.speech import audio
    from rehearse.delivery import features
    from rehearse.delivery.fillers import FILLED, find_fillers
    from rehearse.options import Thresholds
    from rehearse.text.format import filled_pause_form

    take = audio.load(SHARED_AUDIO / name)
    transcriber = transcribers["plain" if method == "plain" else "prompt"]
    words = transcriber.transcribe(take).words
    if method in ("plain", "prompt"):
        return [(w.start, w.end) for w in words if filled_pause_form(w.text)]
    thresholds = Thresholds()
    frames = features.compute(take.samples, pauses=thresholds.pauses, prosody=thresholds.prosody)
    return [(f.start, f.end) for f in find_fillers(words, frames, thresholds.fillers) if f.kind == FILLED and f.counted]


def run(clips_with: list[str] = FILLER_CLIPS, clips_without: list[str] = NO_FILLER_CLIPS,
        fluent: list[str] = FLUENT_CLIPS) -> dict:
    from rehearse.speech import audio
    from rehearse.speech.transcribe import Transcriber, TranscriptionOptions

    # One thread: the words are the same, and on a shared 2-core machine CTranslate2's
    # two threads wait on each other (a 10 s clip took 100 s instead of 2).
    transcribers = {"plain": Transcriber(TranscriptionOptions(initial_prompt=None, cpu_threads=1)),
                    "prompt": Transcriber(TranscriptionOptions(cpu_threads=1))}
    results: dict = {"machine": machine(), "collar_s": COLLAR_S, "methods": {}}
    for method in ("plain", "prompt", "rehearse"):
        per_clip, total, timed = {}, Score(0, 0, 0), Score(0, 0, 0)
        false_on_clean = 0
        for name in clips_with + clips_without:
            spans = detect(name, method, transcribers)
            expected = reference_count(name)
            score = score_counts(expected, len(spans))
            entry = {"expected": expected, "found": len(spans), **score.as_dict()}
            if name in TIME_REFERENCES:
                by_time = score_times(TIME_REFERENCES[name], spans)
                entry["by_time"] = by_time.as_dict()
                timed = timed + by_time
            if name in clips_with:
                total = total + score
            else:
                false_on_clean += len(spans)
            per_clip[name] = entry
        results["methods"][method] = {"overall": total.as_dict(), "by_time": timed.as_dict(),
                                      "false_fillers_on_clean_clips": false_on_clean, "clips": per_clip}
    wer_rows = {}
    for name in fluent:
        take = audio.load(SHARED_AUDIO / name)
        reference = reference_text(name)
        wer_rows[name] = {m: round(wer(reference, transcribers[m].transcribe(take).text), 4) for m in ("plain", "prompt")}
    results["wer_fluent"] = wer_rows
    results["wer_fluent_mean"] = {m: round(sum(r[m] for r in wer_rows.values()) / len(wer_rows), 4) for m in ("plain", "prompt")}
    return results


if __name__ == "__main__":
    data = run()
    save("fillers", data)
    for method, block in data["methods"].items():
        o = block["overall"]
        print(f"{method:9s} P {o['precision']:.2f} R {o['recall']:.2f} F1 {o['f1']:.2f}  "
              f"false on clean clips: {block['false_fillers_on_clean_clips']}  by time F1 {block['by_time']['f1']:.2f}")
    print("WER on fluent clips (mean):", json.dumps(data["wer_fluent_mean"]))

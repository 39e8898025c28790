"""Stress corpus: long takes joined from every real clip we have, against faster-whisper's defaults.

    python benchmarks/stress.py                  # 32 files of 1.5-3 min, seed 14
    python benchmarks/stress.py --files 7 12     # replay two files of the same corpus
    python benchmarks/stress.py --seed 3 --count 40

The files are generated, not stored: each one is built from its own seeded generator
(``numpy.random.default_rng([seed, index])``), so file 7 of seed 14 is the same audio on
every machine and can be replayed alone. They are cached outside the repository in
``~/.cache/rehearse/stress`` (``REHEARSE_STRESS_CACHE``), with a manifest per file.

What a file is made of:
- every real clip of ``../shared/audio`` (the clips with a reference, each channel of
  the two-speaker file, hotwords, an excerpt of the Apollo 11 radio) and the two
  samples of ``samples/``, drawn in a random order until the file is 90-180 s long;
- a random silence of 0.2-4 s between clips and a random gain of -20 to 0 dB per clip;
- a condition: clean, white noise at 15 dB SNR against the speech, or a phone line
  (300-3400 Hz, what an 8 kHz codec passes).
The references of the clips are concatenated; clips without a full reference (Apollo 11,
hotwords) are left out of the word error rate: words whose middle falls in them are
dropped from both hypotheses.

For each file:
- ``rehearse analyze FILE --json`` as a whole process, ``--runs`` times: wall time, CPU
  time, the transcription stage's time, the transcript (identical on every run?);
- faster-whisper's defaults (``WhisperModel(path).transcribe(file)``, same model) in a
  subprocess capped at ``--cap`` seconds (its fallback can loop for minutes), cached;
- word error rate of both; the longest stretch of speech (Silero VAD) with no word, and
  every stretch over 3 s, marked when the defaults have no word there either.
The defaults give segments, not words: their words are spread evenly over each
segment's time, which is enough to say whether a stretch has words.

Both run with ``OMP_WAIT_POLICY=PASSIVE`` (rehearse sets it itself; the defaults get it in
their environment) so that the comparison is between decoders, not between how
CTranslate2's OpenMP threads wait on a busy CPU (see transcribe.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ANSWER_CLIPS, REPO, RESULTS, SHARED_AUDIO, machine, normalize_for_wer, reference_text, save  # noqa: E402

GENERATOR_VERSION = 3
SAMPLE_RATE = 16000
DEFAULT_SEED = 14
DEFAULT_COUNT = 32
MIN_FILE_S, MAX_FILE_S = 90.0, 180.0
MIN_GAP_S, MAX_GAP_S = 0.2, 4.0
MIN_GAIN_DB, MAX_GAIN_DB = -20.0, 0.0
NOISE_SNR_DB = 15.0
PHONE_BAND_HZ = (300.0, 3400.0)
# Clean for half the files, the rest split between noise and phone band.
CONDITIONS = ("clean", "noise_15db", "clean", "phone_8khz")
APOLLO_EXCERPT_S = (15.0, 40.0)
# The samples are synthesized and long (70-110 s): one, in a quarter of the files, so the
# real clips make up most of the corpus.
SAMPLE_SHARE = 0.25
# A stretch of speech this long with no word under it counts as lost.
LOST_SPEECH_S = 3.0
# Word times are off by a few hundred ms; a word covers this much around itself.
WORD_REACH_S = 0.5
# Speech split by a shorter gap is one stretch (a breath, a short pause inside a sentence).
MERGE_GAP_S = 1.0
# The defaults' cap is CPU time (RLIMIT_CPU), so that a loaded machine does not stop a
# run that is merely slow; a wall-clock cap of WALL_CAP_FACTOR times it is a safety net.
DEFAULT_CAP_S = 240.0
WALL_CAP_FACTOR = 6.0
CACHE = Path(os.environ.get("REHEARSE_STRESS_CACHE", Path.home() / ".cache" / "rehearse" / "stress"))


@dataclass(frozen=True)
class Piece:
    """One clip inside a stress file, in the file's seconds."""

    source: str
    start: float
    end: float
    gain_db: float
    reference: str | None


@dataclass(frozen=True)
class StressFile:
    index: int
    path: str
    duration: float
    condition: str
    pieces: tuple[Piece, ...]

    @property
    def reference(self) -> str:
        return " ".join(p.reference for p in self.pieces if p.reference)

    @property
    def unreferenced(self) -> list[tuple[float, float]]:
        return [(p.start, p.end) for p in self.pieces if p.reference is None]


# --- the clips -------------------------------------------------------------------------

def _pool() -> dict[str, tuple[np.ndarray, str | None]]:
    """Every real clip as 16 kHz mono with its reference (None when there is no full one)."""
    import soundfile as sf

    from rehearse.speech import audio

    pool: dict[str, tuple[np.ndarray, str | None]] = {}
    for name in ANSWER_CLIPS:
        pool[name] = (audio.load(SHARED_AUDIO / name).samples, reference_text(name))
    stereo, rate = sf.read(SHARED_AUDIO / "stereo_diarization.wav", dtype="float32")
    if rate != SAMPLE_RATE:
        raise ValueError(f"stereo_diarization.wav is {rate} Hz, expected {SAMPLE_RATE}")
    # References from ../shared/audio/README.md, one speaker per channel.
    pool["stereo_diarization.wav#left"] = (np.ascontiguousarray(stereo[:, 0]),
                                           "He began a confused complaint against the wizard, who had vanished behind the curtain on the left.")
    pool["stereo_diarization.wav#right"] = (np.ascontiguousarray(stereo[:, 1]), "The horizon seems extremely distant.")
    pool["hotwords.mp3"] = (audio.load(SHARED_AUDIO / "hotwords.mp3").samples, None)  # partial reference only
    pool["apollo11.mp3"] = (audio.load(SHARED_AUDIO / "apollo11.mp3").samples, None)  # no reference
    for sample in ("rambling_answer.ogg", "strong_answer.flac"):
        path = REPO / "samples" / sample
        truth = json.loads(path.with_name(path.name.split(".")[0] + ".truth.json").read_text())
        pool[f"samples/{sample}"] = (audio.load(path).samples, truth["text"])
    return pool


def plan(seed: int, index: int, pool: dict[str, tuple[np.ndarray, str | None]]) -> tuple[np.ndarray, StressFile]:
    """Build file ``index`` of corpus ``seed``: (16 kHz samples, its description)."""
    rng = np.random.default_rng([seed, index, GENERATOR_VERSION])
    target_s = float(rng.uniform(MIN_FILE_S, MAX_FILE_S))
    condition = CONDITIONS[index % len(CONDITIONS)]
    real = sorted(n for n in pool if not n.startswith("samples/"))
    samples = sorted(n for n in pool if n.startswith("samples/"))
    order = [real[i] for i in rng.permutation(len(real))]
    if rng.random() < SAMPLE_SHARE:
        order.insert(int(rng.integers(0, 4)), samples[int(rng.integers(0, len(samples)))])
    pieces: list[Piece] = []
    chunks: list[np.ndarray] = []
    position = int(rng.uniform(0.2, 1.0) * SAMPLE_RATE)
    chunks.append(np.zeros(position, np.float32))
    speech_power: list[float] = []
    while position / SAMPLE_RATE < target_s:
        if not order:
            order = [real[i] for i in rng.permutation(len(real))]
        name = order.pop(0)
        y, reference = pool[name]
        if name == "apollo11.mp3":
            length = int(rng.uniform(*APOLLO_EXCERPT_S) * SAMPLE_RATE)
            first = int(rng.integers(0, y.size - length))
            y, name = y[first:first + length], f"apollo11.mp3@{first / SAMPLE_RATE:.1f}s"
        if (position + y.size) / SAMPLE_RATE > MAX_FILE_S:
            if position / SAMPLE_RATE < MIN_FILE_S:
                continue  # a long sample does not fit; a short clip will
            break
        gain_db = float(rng.uniform(MIN_GAIN_DB, MAX_GAIN_DB))
        scaled = (y * 10 ** (gain_db / 20)).astype(np.float32)
        pieces.append(Piece(name, round(position / SAMPLE_RATE, 3), round((position + y.size) / SAMPLE_RATE, 3),
                            round(gain_db, 2), reference))
        speech_power.append(float(np.mean(scaled.astype(np.float64) ** 2)) * scaled.size)
        chunks.append(scaled)
        position += y.size
        if position / SAMPLE_RATE >= target_s:
            break
        gap = int(rng.uniform(MIN_GAP_S, MAX_GAP_S) * SAMPLE_RATE)
        chunks.append(np.zeros(gap, np.float32))
        position += gap
    chunks.append(np.zeros(int(rng.uniform(0.3, 1.0) * SAMPLE_RATE), np.float32))
    y = np.concatenate(chunks)
    if condition == "noise_15db":
        speech_samples = sum(p.end - p.start for p in pieces) * SAMPLE_RATE
        power = sum(speech_power) / max(speech_samples, 1.0)
        y = y + rng.standard_normal(y.size).astype(np.float32) * np.float32(np.sqrt(power / 10 ** (NOISE_SNR_DB / 10)))
    elif condition == "phone_8khz":
        spectrum = np.fft.rfft(y)
        freqs = np.fft.rfftfreq(y.size, 1 / SAMPLE_RATE)
        spectrum[(freqs < PHONE_BAND_HZ[0]) | (freqs > PHONE_BAND_HZ[1])] = 0
        y = np.fft.irfft(spectrum, n=y.size).astype(np.float32)
    y = np.clip(y, -1.0, 1.0).astype(np.float32)
    return y, StressFile(index, "", round(y.size / SAMPLE_RATE, 3), condition, tuple(pieces))


def corpus(seed: int = DEFAULT_SEED, count: int = DEFAULT_COUNT, only: list[int] | None = None) -> list[StressFile]:
    """The corpus' files, generated into the cache when missing."""
    import soundfile as sf

    folder = CACHE / f"seed-{seed}-v{GENERATOR_VERSION}"
    folder.mkdir(parents=True, exist_ok=True)
    pool = None
    files = []
    for index in (only if only is not None else range(count)):
        wav, manifest = folder / f"stress_{index:02d}.wav", folder / f"stress_{index:02d}.json"
        if not (wav.is_file() and manifest.is_file()):
            pool = pool or _pool()
            y, described = plan(seed, index, pool)
            sf.write(wav, y, SAMPLE_RATE, subtype="PCM_16")
            manifest.write_text(json.dumps(asdict(described), indent=1))
        data = json.loads(manifest.read_text())
        files.append(StressFile(data["index"], str(wav), data["duration"], data["condition"],
                                tuple(Piece(**p) for p in data["pieces"])))
    return files


# --- measures --------------------------------------------------------------------------

def restricted_wer(file: StressFile, words: list[tuple[str, float, float]]) -> float:
    """WER against the joined references, words inside unreferenced clips dropped."""
    import jiwer

    skip = file.unreferenced
    kept = [text for text, start, end in words
            if not any(a - 0.1 <= (start + end) / 2 <= b + 0.1 for a, b in skip)]
    return float(jiwer.wer(normalize_for_wer(file.reference), normalize_for_wer(" ".join(kept))))


def speech_stretches(path: str) -> list[tuple[float, float]]:
    """Silero's speech in the file, stretches split by less than ``MERGE_GAP_S`` joined."""
    from rehearse.speech import audio
    from rehearse.speech.vad import speech_spans

    spans = speech_spans(audio.load(path).samples, threshold=0.5)
    merged: list[list[float]] = []
    for span in spans:
        if merged and span.start - merged[-1][1] < MERGE_GAP_S:
            merged[-1][1] = span.end
        else:
            merged.append([span.start, span.end])
    return [(a, b) for a, b in merged]


def wordless(stretches: list[tuple[float, float]], words: list[tuple[str, float, float]]) -> list[tuple[float, float]]:
    """Parts of the speech stretches that no word reaches (each word covers ``WORD_REACH_S`` around it)."""
    covered = sorted((s - WORD_REACH_S, e + WORD_REACH_S) for _, s, e in words)
    out = []
    for start, end in stretches:
        cursor = start
        for a, b in covered:
            if b <= cursor or a >= end:
                continue
            if a > cursor:
                out.append((cursor, a))
            cursor = max(cursor, b)
        if cursor < end:
            out.append((cursor, end))
    return [(round(a, 2), round(b, 2)) for a, b in out if b > a]


def spread_words(segments: list[dict]) -> list[tuple[str, float, float]]:
    """Words of segments without word times, spread evenly over each segment."""
    words = []
    for segment in segments:
        tokens = segment["text"].split()
        if not tokens:
            continue
        step = (segment["end"] - segment["start"]) / len(tokens)
        for i, token in enumerate(tokens):
            words.append((token, segment["start"] + i * step, segment["start"] + (i + 1) * step))
    return words


DEFAULTS_SCRIPT = """
import json, sys
from faster_whisper import WhisperModel
segments, _ = WhisperModel(sys.argv[1]).transcribe(sys.argv[2])
for s in segments:
    print(json.dumps({"start": s.start, "end": s.end, "text": s.text}), flush=True)
"""


def _defaults_cache(file: StressFile, model_dir: str, cap_s: float) -> Path:
    digest = hashlib.sha256(Path(file.path).read_bytes() + model_dir.encode()).hexdigest()[:20]
    return CACHE / "defaults" / f"{digest}-cpucap{cap_s:.0f}.json"


def faster_whisper_defaults(file: StressFile, model_dir: str, cap_s: float) -> dict:
    """faster-whisper's defaults on the file, stopped after ``cap_s`` CPU seconds; cached by audio and model."""
    cached = _defaults_cache(file, model_dir, cap_s)
    if cached.is_file():
        return json.loads(cached.read_text())
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)

    def limit_cpu() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (int(cap_s), int(cap_s) + 5))

    process = subprocess.Popen([sys.executable, "-c", DEFAULTS_SCRIPT, model_dir, file.path],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, preexec_fn=limit_cpu)
    try:
        out, _ = process.communicate(timeout=cap_s * WALL_CAP_FACTOR)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    capped = process.returncode != 0 and (cpu_s >= cap_s - 1 or seconds >= cap_s * WALL_CAP_FACTOR - 1)
    segments = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if process.returncode not in (0, None) and not capped:
        raise RuntimeError(f"faster-whisper defaults failed on {file.path} (exit {process.returncode})")
    result = {"seconds": round(seconds, 2), "cpu_seconds": round(cpu_s, 2), "capped": capped, "segments": segments}
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(result))
    return result


def rehearse_analyze(file: StressFile) -> dict:
    """One ``rehearse analyze FILE --json`` process: wall and CPU seconds, stages, words."""
    env = {**os.environ, "REHEARSE_DB": str(CACHE / "history.sqlite3"), "PYTHONPATH": str(REPO / "src")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "rehearse", "analyze", file.path, "--json", "--no-history"],
                            capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"rehearse analyze failed on {file.path}: {result.stderr[-2000:]}")
    analysis = json.loads(result.stdout)
    transcript = analysis["transcript"]
    return {"seconds": round(wall, 2),
            "cpu_seconds": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2),
            "transcribe_seconds": analysis["timings"].get("transcribe"),
            "load_average": round(os.getloadavg()[0], 2),
            "words": [(w["text"], w["start"], w["end"]) for w in transcript["words"]],
            "unheard": transcript.get("unheard", []), "retried": transcript.get("retried_windows", []),
            "findings": [f["kind"] for f in analysis["findings"]]}


def measure(file: StressFile, *, runs: int, model_dir: str, cap_s: float, defaults: bool) -> dict:
    stretches = speech_stretches(file.path)
    row: dict = {"index": file.index, "duration": file.duration, "condition": file.condition,
                 "pieces": [p.source for p in file.pieces]}
    analyses = [rehearse_analyze(file) for _ in range(runs)]
    words = analyses[0]["words"]
    lost = wordless(stretches, words)
    row["rehearse"] = {
        "wer": round(restricted_wer(file, words), 4),
        "seconds": [a["seconds"] for a in analyses], "cpu_seconds": [a["cpu_seconds"] for a in analyses],
        "transcribe_seconds": [a["transcribe_seconds"] for a in analyses],
        "load_average": [a["load_average"] for a in analyses],
        "identical_runs": all(a["words"] == words for a in analyses[1:]),
        "longest_wordless_s": round(max((b - a for a, b in lost), default=0.0), 2),
        "unheard_reported": analyses[0]["unheard"], "retried": analyses[0]["retried"],
        "findings": analyses[0]["findings"], "words": words,
    }
    # Every stretch over LOST_SPEECH_S without a rehearse word.
    row["lost_stretches"] = [{"start": a, "end": b, "in": [p.source for p in file.pieces if p.start < b and p.end > a]}
                             for a, b in lost if b - a > LOST_SPEECH_S]
    if defaults:
        add_defaults(row, file, faster_whisper_defaults(file, model_dir, cap_s), stretches)
    return row


def add_defaults(row: dict, file: StressFile, d: dict, stretches: list[tuple[float, float]] | None = None) -> None:
    """faster-whisper's defaults beside rehearse's figures; marks the lost stretches they heard words in."""
    stretches = stretches if stretches is not None else speech_stretches(file.path)
    d_words = spread_words(d["segments"])
    d_lost = wordless(stretches, d_words)
    row["defaults"] = {"wer": round(restricted_wer(file, d_words), 4), "seconds": d["seconds"], "capped": d["capped"],
                       "longest_wordless_s": round(max((b - a for a, b in d_lost), default=0.0), 2)}
    for entry in row["lost_stretches"]:
        entry["defaults_heard_words"] = any(entry["start"] <= (s + e) / 2 <= entry["end"] for _, s, e in d_words)


def combine(data: dict, *, seed: int, cap_s: float, cached_only: bool = False) -> dict:
    """Add faster-whisper's defaults to a rehearse-only run (``--no-defaults``); with
    ``cached_only``, only for the files whose defaults are cached already."""
    from rehearse.speech import models

    model_dir = str(models.resolve("tiny.en"))
    files = {f.index: f for f in corpus(seed, only=[row["index"] for row in data["files"]])}
    for row in data["files"]:
        file = files[row["index"]]
        if cached_only and not _defaults_cache(file, model_dir, cap_s).is_file():
            continue
        add_defaults(row, file, faster_whisper_defaults(file, model_dir, cap_s))
    data["summary"] = summarize(data["files"])
    data["defaults_cap_s"] = cap_s
    return data


def _spread(values: list[float]) -> dict:
    ordered = sorted(values)
    if not ordered:
        return {}
    pick = lambda q: ordered[min(len(ordered) - 1, int(np.ceil(q * len(ordered))) - 1)]  # noqa: E731 nearest rank
    return {"median": round(float(np.median(ordered)), 3), "p90": round(pick(0.9), 3), "worst": round(ordered[-1], 3)}


def summarize(rows: list[dict]) -> dict:
    r = [row["rehearse"] for row in rows]
    summary: dict = {
        "files": len(rows), "audio_s": _spread([row["duration"] for row in rows]),
        "rehearse_wer": _spread([x["wer"] for x in r]),
        "rehearse_longest_wordless_s": _spread([x["longest_wordless_s"] for x in r]),
        "rehearse_unheard_reported_s": _spread([sum(u["end"] - u["start"] for u in x["unheard_reported"])
                                               for x, row in zip(r, rows) if not row.get("from_log")]),
        "analyze_x_audio": _spread([max(x["seconds"]) / row["duration"] for x, row in zip(r, rows)]),
        "analyze_cpu_x_audio": _spread([max(x["cpu_seconds"]) / row["duration"] for x, row in zip(r, rows)]),
        "transcribe_x_audio": _spread([max(x["transcribe_seconds"]) / row["duration"] for x, row in zip(r, rows)
                                       if x["transcribe_seconds"]]),
        "identical_runs": sum(x["identical_runs"] for x in r if x.get("runs", len(x["seconds"])) > 1),
        "files_run_twice": sum(x.get("runs", len(x["seconds"])) > 1 for x in r),
        "load_average": _spread([v for x in r for v in x["load_average"]]),
        "lost_stretches_over_3s": sum(len(row["lost_stretches"]) for row in rows),
    }
    compared = [row for row in rows if "defaults" in row]
    if compared:
        r = [row["rehearse"] for row in compared]
        d = [row["defaults"] for row in compared]
        diff = [x["wer"] - y["wer"] for x, y in zip(r, d)]
        rows = compared
        summary.update({
            "files_compared": len(compared),
            "rehearse_wer_compared": _spread([x["wer"] for x in r]),
            "defaults_wer": _spread([y["wer"] for y in d]),
            "defaults_longest_wordless_s": _spread([y["longest_wordless_s"] for y in d]),
            "defaults_x_audio": _spread([y["seconds"] / row["duration"] for y, row in zip(d, rows)]),
            "defaults_cpu_x_audio": _spread([y.get("cpu_seconds", float("nan")) / row["duration"] for y, row in zip(d, rows)]),
            "defaults_capped": sum(y["capped"] for y in d),
            "wer_no_worse_than_defaults": sum(v <= 1e-9 for v in diff),
            "wer_points_worse_worst": round(100 * max(diff), 1),
            "lost_stretches_over_3s_heard_by_defaults": sum(
                s.get("defaults_heard_words", False) for row in rows for s in row["lost_stretches"]),
        })
    return summary


def run(*, seed: int = DEFAULT_SEED, count: int = DEFAULT_COUNT, only: list[int] | None = None, runs: int = 2,
        cap_s: float = DEFAULT_CAP_S, defaults: bool = True, repeat_first: int | None = None,
        rows_path: Path | None = None) -> dict:
    """Measure the corpus; each file's row is also appended to ``rows_path`` (JSON lines) as it is done."""
    from rehearse.speech import models

    model_dir = str(models.resolve("tiny.en"))
    rows = []
    for number, file in enumerate(corpus(seed, count, only)):
        file_runs = runs if repeat_first is None or number < repeat_first else 1
        row = measure(file, runs=file_runs, model_dir=model_dir, cap_s=cap_s, defaults=defaults)
        rows.append(row)
        if rows_path is not None:
            rows_path.parent.mkdir(parents=True, exist_ok=True)
            with open(rows_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(row) + "\n")
        x, d = row["rehearse"], row.get("defaults", {})
        print(f"#{file.index:02d} {file.duration:6.1f} s {file.condition:10s} WER {x['wer']:.3f} (defaults {d.get('wer', float('nan')):.3f}) "
              f"wordless {x['longest_wordless_s']:5.1f} s (defaults {d.get('longest_wordless_s', float('nan')):.1f}) "
              f"analyze {max(x['seconds']):5.1f} s cpu {max(x['cpu_seconds']):5.1f} s (defaults {d.get('seconds', float('nan')):.1f} s"
              f"{' CAPPED' if d.get('capped') else ''}) same {x['identical_runs']} lost>3s {len(row['lost_stretches'])}", flush=True)
    return {"machine": machine(), "seed": seed, "count": len(rows), "runs": runs, "defaults_cap_s": cap_s,
            "summary": summarize(rows), "files": rows}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--files", type=int, nargs="*", help="only these file numbers (replay)")
    parser.add_argument("--runs", type=int, default=2, help="rehearse analyze runs per file (determinism, worst time)")
    parser.add_argument("--cap", type=float, default=DEFAULT_CAP_S, help="seconds before faster-whisper's defaults are stopped")
    parser.add_argument("--no-defaults", action="store_true")
    parser.add_argument("--repeat-first", type=int, help="only the first N files get --runs runs, the rest one")
    parser.add_argument("--generate-only", action="store_true", help="write the files and print their manifests")
    parser.add_argument("--out", default="stress", help="name of the JSON in benchmarks/results/")
    parser.add_argument("--combine", metavar="JSON", help="add the defaults to a --no-defaults run's results")
    parser.add_argument("--cached-only", action="store_true", help="with --combine: only files whose defaults are cached")
    parser.add_argument("--assemble", nargs="+", metavar="JSONL", help="build the results from rows saved by interrupted runs")
    args = parser.parse_args()
    if args.assemble:
        rows: dict[int, dict] = {}
        for path in args.assemble:
            for line in Path(path).read_text().splitlines():
                row = json.loads(line)
                rows.setdefault(row["index"], row)
        data = {"machine": machine(), "seed": args.seed, "count": len(rows), "runs": args.runs,
                "files": [rows[i] for i in sorted(rows)]}
        data = combine(data, seed=args.seed, cap_s=args.cap, cached_only=args.cached_only)
        print(json.dumps(data["summary"], indent=2))
        save(args.out, data)
        raise SystemExit(0)
    if args.combine:
        data = combine(json.loads(Path(args.combine).read_text()), seed=args.seed, cap_s=args.cap, cached_only=args.cached_only)
        print(json.dumps(data["summary"], indent=2))
        save(args.out, data)
        raise SystemExit(0)
    if args.generate_only:
        for f in corpus(args.seed, args.count, args.files):
            print(f.index, f.duration, f.condition, f.path, [p.source for p in f.pieces])
        raise SystemExit(0)
    data = run(seed=args.seed, count=args.count, only=args.files, runs=args.runs, cap_s=args.cap,
               defaults=not args.no_defaults, repeat_first=args.repeat_first,
               rows_path=RESULTS / f"{args.out}.rows.jsonl")
    print(json.dumps(data["summary"], indent=2))
    save(args.out, data)

"""Shared by the benchmarks: the machine, the real clips, repeatable timing, text scoring."""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED_AUDIO = Path(os.environ.get("REHEARSE_SHARED_AUDIO", REPO.parent / "shared" / "audio"))
RESULTS = REPO / "benchmarks" / "results"
# Real speech with a full human reference, joined into a long answer (apollo11 has no
# reference; stereo_diarization has two people talking at once; hotwords' reference
# is partial).
ANSWER_CLIPS = [
    "mfa_acoustic_corpus.wav", "jfk.flac", "ami_es2011a.wav", "mfa_crossword.flac", "mfa_um.flac",
    "mfa_youknow.flac", "mfa_words.flac", "mfa_uhum.flac", "mfa_breaths.flac", "mfa_putty.flac",
    "mfa_er.flac", "mfa_uhuh.flac",
]
FILLED_PAUSE_REFERENCE = {"uh", "um", "hm", "hmm", "er", "ah", "mm"}


def machine() -> dict:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        mem_gb = round(int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb, "python": platform.python_version(),
            "platform": platform.platform(), "date": time.strftime("%Y-%m-%d %H:%M %Z")}


def median_time(fn, *, runs: int, warmup: int = 1) -> tuple[float, list[float]]:
    """Median wall time of ``fn()`` over ``runs`` runs after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


# References given in ../shared/audio/README.md rather than in a .ref.txt file.
README_REFERENCES = {
    "jfk.flac": "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.",
}


def reference_text(name: str) -> str:
    if name in README_REFERENCES:
        return README_REFERENCES[name]
    return (SHARED_AUDIO / (Path(name).stem + ".ref.txt")).read_text().strip()


def join_clips(names: list[str], *, gap_s: float = 0.8) -> tuple[np.ndarray, str, list[tuple[float, float]]]:
    """Join real clips with silences: (16 kHz samples, joined reference, the inserted silences)."""
    from rehearse.speech import audio
    pieces, texts, gaps, position = [], [], [], 0
    silence = np.zeros(int(gap_s * audio.SAMPLE_RATE), np.float32)
    for index, name in enumerate(names):
        take = audio.load(SHARED_AUDIO / name)
        pieces.append(take.samples)
        texts.append(reference_text(name))
        position += take.samples.size
        if index < len(names) - 1:
            gaps.append((position / audio.SAMPLE_RATE, (position + silence.size) / audio.SAMPLE_RATE))
            pieces.append(silence)
            position += silence.size
    return np.concatenate(pieces), " ".join(texts), gaps


def normalize_for_wer(text: str) -> str:
    """Lower case, no punctuation, filled pauses removed (as Whisper's own normaliser does)."""
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"[^\w' ]+", " ", text)
    tokens = [t.strip("'") for t in text.split()]
    spoken = {"yknow": "you know", "m": "m", "mfa": "m f a"}
    out = []
    for token in tokens:
        if not token or token in FILLED_PAUSE_REFERENCE:
            continue
        out.append(spoken.get(token, token))
    return " ".join(out)


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    return float(jiwer.wer(normalize_for_wer(reference), normalize_for_wer(hypothesis)))


def save(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def peak_rss_mb(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """(peak resident memory in MB, wall seconds) of a command, measured by a small
    Python parent that reads its own RUSAGE_CHILDREN after the command exits."""
    import sys

    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); w = time.perf_counter() - t; "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, w, r.returncode)")
    result = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, env=env)
    maxrss_kb, wall, code = result.stdout.split()
    if int(code) != 0:
        raise RuntimeError(f"{command} exited {code}: {result.stderr[-2000:]}")
    return int(maxrss_kb) / 1024, float(wall)

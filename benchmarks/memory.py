"""Peak memory of ``rehearse analyze`` on long takes: 10 minutes, 1 hour and 3 hours.

    python benchmarks/memory.py            # writes results/memory.json

The takes are real speech: the clips of ``../shared/audio`` joined with 0.8 s silences,
repeated to length, written once as FLAC into a cache outside the repository
(``$REHEARSE_BENCH_CACHE``, default ``~/.cache/rehearse-bench``; 3 hours is about 200 MB).
Each take is analyzed in its own process; its peak resident memory is read from
``RUSAGE_CHILDREN`` by a small parent, so it is the whole process, model included.

Takes over ``audio.MAX_DURATION_S`` (10 min) are refused before decoding, so the 1 h and
3 h rows show what a refusal costs: that is the bound on memory for long files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import ANSWER_CLIPS, SHARED_AUDIO, machine, save  # noqa: E402

LENGTHS_S = {"10 min": 600, "1 h": 3600, "3 h": 10800}
CACHE = Path(os.environ.get("REHEARSE_BENCH_CACHE", Path.home() / ".cache" / "rehearse-bench"))


def long_take(seconds: int) -> Path:
    """A FLAC of real speech ``seconds`` long, made once and cached (written in blocks)."""
    import soundfile as sf

    from rehearse.speech import audio

    path = CACHE / f"speech_{seconds}s.flac"
    if path.is_file():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    silence = np.zeros(int(0.8 * audio.SAMPLE_RATE), np.float32)
    clips = [audio.load(SHARED_AUDIO / name).samples for name in ANSWER_CLIPS]
    partial = path.with_suffix(".part.flac")
    written = 0
    total = seconds * audio.SAMPLE_RATE
    with sf.SoundFile(partial, "w", samplerate=audio.SAMPLE_RATE, channels=1, subtype="PCM_16", format="FLAC") as f:
        while written < total:
            for clip in clips:
                for piece in (clip, silence):
                    piece = piece[: total - written]
                    f.write(piece)
                    written += piece.size
                    if written >= total:
                        break
                if written >= total:
                    break
    partial.replace(path)
    return path


def measure(path: Path) -> dict:
    """Peak RSS (MB), wall seconds, exit code and the first error line of one analyze run."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True); "
             "w = time.perf_counter() - t; import json; "
             "print(json.dumps([resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, w, r.returncode, "
             "(r.stderr.strip().splitlines() or [''])[-1]]))")
    command = [sys.executable, "-m", "rehearse", "analyze", str(path), "--json", "--no-history"]
    done = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True)
    maxrss_kb, wall, code, last = json.loads(done.stdout)
    return {"peak_rss_mb": round(maxrss_kb / 1024, 1), "wall_s": round(wall, 1), "exit_code": code,
            "message": last if code else ""}


def run() -> dict:
    rows = {}
    for label, seconds in LENGTHS_S.items():
        rows[label] = {"audio_s": seconds, **measure(long_take(seconds))}
        print(label, rows[label], file=sys.stderr)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"takes": rows, "load_average_after": load}


def table(data: dict) -> str:
    lines = ["| take | peak memory | wall time | outcome |", "|---|---:|---:|---|"]
    for label, row in data["takes"].items():
        outcome = "analyzed" if row["exit_code"] == 0 else f"refused: `{row['message']}`"
        lines.append(f"| {label} of real speech | {row['peak_rss_mb']:.0f} MB | {row['wall_s']:.0f} s | {outcome} |")
    return "\n".join(lines)


if __name__ == "__main__":
    result = {"machine": machine(), **run()}
    print(save("memory", result))
    print(table(result))

"""Batch throughput of ``rehearse review``: audio-minutes analyzed per wall-minute, 1 vs 2 workers.

    python benchmarks/review_throughput.py            # about 10 minutes of audio per run
    python benchmarks/review_throughput.py --minutes 3 --runs 2

The folder holds the shipped samples and every clip of ``../shared/audio``, repeated
with small gain changes (so each copy has its own hash and is analyzed, not found in
the history) until it reaches the target length. Each run is the whole command as a
user runs it (``rehearse review DIR --workers N --json`` with a fresh history
database): interpreter start, worker start-up, model loads, every analysis.

Other work on the CPU slows every figure, so each run also reports the share of the
machine's CPU time that went to other processes while it ran (from /proc/stat, less
the run's own CPU time from getrusage).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import REPO, SHARED_AUDIO, machine, save  # noqa: E402

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg")
GAINS = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)  # copies differ in their bytes, not in what is said


def build_folder(folder: Path, *, target_s: float) -> float:
    """Write FLAC copies of the samples and shared clips into ``folder`` until ``target_s``; return the total seconds."""
    import soundfile as sf

    from rehearse.speech import audio
    sources = sorted(p for p in (REPO / "samples").iterdir() if p.suffix in AUDIO_SUFFIXES)
    sources += sorted(p for p in SHARED_AUDIO.iterdir() if p.suffix in AUDIO_SUFFIXES)
    decoded = [(p.stem, audio.load(p).samples) for p in sources]
    total_s = 0.0
    for gain in GAINS:
        for stem, samples in decoded:
            if total_s >= target_s:
                return total_s
            sf.write(folder / f"{stem}_gain{int(gain * 100)}.flac", samples * gain, audio.SAMPLE_RATE)
            total_s += samples.size / audio.SAMPLE_RATE
    return total_s


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])
    return total - idle, total


def review_once(folder: Path, workers: int) -> dict:
    """One timed ``rehearse review`` with a fresh history; its throughput and the CPU others used meanwhile."""
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "REHEARSE_DB": str(Path(scratch) / "history.sqlite3")}
        ticks = os.sysconf("SC_CLK_TCK")
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        busy0, total0 = _cpu_jiffies()
        load = os.getloadavg()[0]
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "rehearse", "review", str(folder), "--workers", str(workers), "--json"],
                              capture_output=True, text=True, env=env)
        wall_s = time.perf_counter() - start
        busy1, total1 = _cpu_jiffies()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"rehearse review exited {done.returncode}: {done.stderr[-2000:]}")
    totals = json.loads(done.stdout)["totals"]
    ours_s = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    busy_s = (busy1 - busy0) / ticks
    capacity_s = (total1 - total0) / ticks
    return {
        "workers": workers,
        "audio_min": totals["audio_min"],
        "takes": totals["takes"],
        "wall_s": round(wall_s, 2),
        "audio_min_per_wall_min": round(totals["audio_min"] / (wall_s / 60), 2),
        "cpu_s_ours": round(ours_s, 1),
        "cpu_share_others": round(max(0.0, busy_s - ours_s) / capacity_s, 3) if capacity_s else None,
        "load_avg_1min_before": round(load, 2),
    }


def run(*, minutes: float = 10.0, runs: int = 1, workers: tuple[int, ...] = (1, 2)) -> dict:
    """Build the folder and time each worker count ``runs`` times, interleaved."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "takes"
        folder.mkdir()
        audio_s = build_folder(folder, target_s=minutes * 60)
        results = [review_once(folder, n) for _ in range(runs) for n in workers]
    best = {n: max(r["audio_min_per_wall_min"] for r in results if r["workers"] == n) for n in workers}
    summary = {f"{n} worker(s): audio-min per wall-min (best of {runs})": best[n] for n in workers}
    if 1 in best and 2 in best:
        summary["speed-up, 2 workers vs 1"] = round(best[2] / best[1], 2)
    summary["CPU share used by other processes during the runs"] = ", ".join(
        f"{r['workers']}w: {r['cpu_share_others']:.0%}" for r in results if r["cpu_share_others"] is not None)
    return {"audio_s": round(audio_s, 1), "files": results[0]["takes"] if results else 0,
            "summary": summary, "runs": results, "machine": machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="minutes of audio in the folder")
    parser.add_argument("--runs", type=int, default=1, help="runs per worker count")
    args = parser.parse_args()
    data = run(minutes=args.minutes, runs=args.runs)
    path = save("review", data)
    print(json.dumps(data, indent=2))
    print(f"saved {path}", file=sys.stderr)


if __name__ == "__main__":
    main()

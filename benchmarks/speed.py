"""Speed and memory: rehearse against faster-whisper's plain defaults on the same audio.

Measures, on a ~2-minute answer joined from real recordings:
- real-time factor of transcription for each installed model x compute type x beam,
  2 threads, and faster-whisper's defaults (``WhisperModel(path).transcribe(file)``, as
  a user would first write it), with word error rates;
- ``rehearse analyze`` whole process (start to report), split into stages;
- peak memory of ``rehearse analyze``; ``rehearse --help`` time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ANSWER_CLIPS, join_clips, machine, median_time, peak_rss_mb, save, wer  # noqa: E402


def _fw_defaults(path: Path, model_dir: str) -> str:
    from faster_whisper import WhisperModel

    model = WhisperModel(model_dir)
    segments, _ = model.transcribe(str(path))
    return " ".join(s.text for s in segments)


def run(*, runs: int = 3, quick: bool = False) -> dict:
    from rehearse.speech import audio, models
    from rehearse.speech.transcribe import Transcriber, TranscriptionOptions

    samples, reference, _ = join_clips(ANSWER_CLIPS[:2] if quick else ANSWER_CLIPS)
    workdir = Path(tempfile.mkdtemp(prefix="rehearse-bench-"))
    answer = workdir / "answer.wav"
    sf.write(answer, samples, audio.SAMPLE_RATE)
    duration = samples.size / audio.SAMPLE_RATE
    results: dict = {"machine": machine(), "audio_s": round(duration, 1), "runs": runs, "configs": []}

    tiny = str(models.resolve("tiny.en"))
    # faster-whisper defaults: model loaded and file decoded inside, as a user would write it.
    default_text = ""

    def defaults():
        nonlocal default_text
        default_text = _fw_defaults(answer, tiny)

    default_s, default_all = median_time(defaults, runs=runs)
    results["faster_whisper_defaults"] = {"model": "tiny.en", "seconds": round(default_s, 2), "all": [round(t, 2) for t in default_all],
                                          "rtf": round(default_s / duration, 3), "wer": round(wer(reference, default_text), 4)}

    # The same defaults with the one change rehearse makes to how the model is built (on
    # a thread that has ended, see transcribe._on_a_thread_that_ends): how much of the
    # speed-up is that alone.
    import threading

    def defaults_built_on_ended_thread():
        from faster_whisper import WhisperModel

        built: list = []
        builder = threading.Thread(target=lambda: built.append(WhisperModel(tiny)))
        builder.start()
        builder.join()
        segments, _ = built[0].transcribe(str(answer))
        return " ".join(s.text for s in segments)

    thread_s, thread_all = median_time(defaults_built_on_ended_thread, runs=runs)
    results["faster_whisper_defaults_ended_thread"] = {"seconds": round(thread_s, 2), "all": [round(t, 2) for t in thread_all]}

    # The same defaults as a whole process (interpreter, imports, load, transcribe), which
    # is what `rehearse analyze` is timed as.
    script = ("import sys; from faster_whisper import WhisperModel; "
              "segments, _ = WhisperModel(sys.argv[1]).transcribe(sys.argv[2]); print(' '.join(s.text for s in segments))")
    default_process_s, default_process_all = median_time(
        lambda: subprocess.run([sys.executable, "-c", script, tiny, str(answer)], capture_output=True, check=True), runs=runs)
    results["faster_whisper_defaults_process"] = {"seconds": round(default_process_s, 2),
                                                  "all": [round(t, 2) for t in default_process_all]}

    installed = [m.name for m in models.available() if m.installed]
    grid = [(name, ct, beam) for name in installed for ct in ("int8", "float32") for beam in (1, 5)]
    if quick:
        grid = grid[:1]
    take = audio.load(answer)
    for name, compute_type, beam in grid:
        transcriber = Transcriber(TranscriptionOptions(model=name, compute_type=compute_type, beam_size=beam, cpu_threads=2))
        text = ""

        def once():
            nonlocal text
            text = transcriber.transcribe(take).text

        seconds, _ = median_time(once, runs=runs)
        results["configs"].append({"model": name, "compute_type": compute_type, "beam_size": beam, "threads": 2,
                                   "seconds": round(seconds, 2), "rtf": round(seconds / duration, 3),
                                   "wer": round(wer(reference, text), 4),
                                   "speedup_vs_defaults": round(default_s / seconds, 2)})

    # The whole `rehearse analyze` process, start to report, and its stages.
    env = {**os.environ, "REHEARSE_DB": str(workdir / "history.sqlite3")}
    command = [sys.executable, "-m", "rehearse", "analyze", str(answer), "--json", "--no-history"]
    walls, stages, analysis = [], [], None
    for index in range(runs + 1):
        start = time.perf_counter()
        out = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
        wall = time.perf_counter() - start
        if index == 0:
            continue  # warm-up: file cache and numba/ORT first-use costs
        analysis = json.loads(out)
        walls.append(wall)
        stages.append(analysis["timings"])
    walls_sorted = sorted(walls)
    median_wall = walls_sorted[len(walls_sorted) // 2]
    stage_median = {k: round(sorted(s[k] for s in stages)[len(stages) // 2], 3) for k in stages[0]}
    stage_median["process_start_imports_report"] = round(median_wall - sum(stage_median.values()), 3)
    results["rehearse_analyze"] = {
        "seconds": round(median_wall, 2), "all": [round(w, 2) for w in walls], "stages": stage_median,
        "wer": round(wer(reference, analysis["transcript"]["text"]), 4),
        "speedup_vs_defaults": round(default_s / median_wall, 2),
        "speedup_vs_defaults_process": round(default_process_s / median_wall, 2),
    }
    rss_mb, _ = peak_rss_mb(command, env=env)
    results["peak_rss_mb"] = round(rss_mb, 1)
    help_s, _ = median_time(lambda: subprocess.run([sys.executable, "-m", "rehearse", "--help"], capture_output=True, check=True),
                            runs=max(runs, 5))
    results["help_seconds"] = round(help_s, 3)
    return results


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="short audio, one config (for the test suite)")
    args = parser.parse_args()
    data = run(runs=args.runs, quick=args.quick)
    print(json.dumps(data, indent=2))
    save("speed_quick" if args.quick else "speed", data)

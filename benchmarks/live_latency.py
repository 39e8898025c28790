"""Live transcription while practising: how soon the report follows the take, and how far the
live display trails the speaker.

    python benchmarks/live_latency.py            # file-fed runs, then the virtual microphone
    python benchmarks/live_latency.py --no-mic   # file-fed runs only

A ~90 s answer is joined from real clips of ``../shared/audio`` (0.8 s silences).

- *File-fed*: the answer is fed to ``live.LiveSession`` in 0.1 s blocks at real time,
  as the capture writer thread feeds it from the microphone, while the display's lag
  is sampled every block. When the take ends, the timer runs over exactly what
  ``rehearse practice`` does next: finish the live transcript, load the WAV, analyze
  (delivery, content, language), write ``analysis.json``, render the terminal report.
  Three endings: Enter 0.3 s after the last word (the worst case), Enter 1.5 s after
  it, and the take ended by 6 s of silence (practice's default).
- *Virtual microphone*: ``rehearse practice`` records the answer played into a
  PulseAudio null sink and reports "report ready N s after the take ended".

Lag is how long ago the speaker began saying the oldest words the display does not
show yet (0 while everything said is shown). Other work on the CPU slows both figures:
each run reports the share of the machine other processes used meanwhile.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import join_clips, machine, save, wer  # noqa: E402

CLIPS = ["mfa_acoustic_corpus.wav", "jfk.flac", "ami_es2011a.wav", "mfa_crossword.flac", "mfa_um.flac",
         "mfa_youknow.flac", "mfa_words.flac", "mfa_uhum.flac"]  # 89.6 s with the silences
QUESTION = "motivation/what-inspires-you"
BLOCK_S = 0.1
ENDINGS_S = {"enter_0.3s_after_speech": 0.3, "enter_1.5s_after_speech": 1.5, "silence_stop_6s": 6.0}


def _cpu_jiffies() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    total = sum(fields[:8])
    return total - idle, total


class CpuShare:
    """The share of the machine's CPU that other processes used between start and stop."""

    def __enter__(self):
        self._busy, self._total = _cpu_jiffies()
        self._ours = self._our_seconds()
        return self

    @staticmethod
    def _our_seconds() -> float:
        total = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            usage = resource.getrusage(who)
            total += usage.ru_utime + usage.ru_stime
        return total

    def __exit__(self, *exc) -> None:
        busy, total = _cpu_jiffies()
        ticks = os.sysconf("SC_CLK_TCK")
        capacity = (total - self._total) / ticks
        others = (busy - self._busy) / ticks - (self._our_seconds() - self._ours)
        self.others = round(max(others, 0.0) / capacity, 3) if capacity else None


def _speech_end_s(y: np.ndarray) -> float:
    from rehearse.speech import vad
    return vad.speech_spans(y, threshold=0.5)[-1].end


def file_fed(y: np.ndarray, wav: Path, *, transcriber, question, trailing_s: float) -> dict:
    """Feed the answer at real time, end the take ``trailing_s`` after the last speech, time the report."""
    from rehearse.speech import audio
    from rehearse.analysis import analyze
    from rehearse.speech.live import LiveSession
    from rehearse.report.terminal import TerminalWriter

    end = int((_speech_end_s(y) + trailing_s) * audio.SAMPLE_RATE)
    take = np.concatenate([y, np.zeros(max(end - y.size, 0), np.float32)])[:end]
    sf.write(wav, take, audio.SAMPLE_RATE, subtype="PCM_16")  # what the recorder has on disk at the end
    block = int(BLOCK_S * audio.SAMPLE_RATE)
    session = LiveSession(audio.SAMPLE_RATE, transcriber=transcriber)
    lags = []
    with CpuShare() as cpu:
        start = time.perf_counter()
        for index, first in enumerate(range(0, take.size, block)):
            session.feed(take[first : first + block])
            lags.append(session.lag_s())
            time.sleep(max(start + (index + 1) * BLOCK_S - time.perf_counter(), 0.0))
        ended = time.perf_counter()
        transcript = session.finish()
        finished = time.perf_counter()
        analysis = analyze(audio.load(wav), transcriber=transcriber, question=question, transcript=transcript)
        json.dumps(analysis.to_dict())
        screen = io.StringIO()
        TerminalWriter().write(analysis, screen)
        reported = time.perf_counter()
    offline = analyze(audio.load(wav), transcriber=transcriber, question=question)
    return {
        "take_s": round(take.size / audio.SAMPLE_RATE, 2),
        "report_after_end_s": round(reported - ended, 3),
        "live_transcript_after_end_s": round(finished - ended, 3),
        "analysis_stages_s": analysis.timings,
        "display_lag_max_s": round(max(lags), 2),
        "display_lag_p95_s": round(float(np.percentile(lags, 95)), 2),
        "decodes": {kind: sum(d[0] == kind for d in session.decodes) for kind in ("provisional", "final", "last", "reused")},
        "decode_s_max": max((d[3] for d in session.decodes), default=0.0),
        "words_live_vs_offline_wer": round(wer(offline.transcript.text, analysis.transcript.text), 3),
        "wpm_live": analysis.delivery.pace.wpm,
        "wpm_offline": offline.delivery.pace.wpm,
        "cpu_share_others": cpu.others,
    }


def through_virtual_mic(wav: Path, scratch: Path) -> dict:
    """``rehearse practice`` recording the answer from the virtual microphone (needs PulseAudio)."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    import virtual_mic

    if shutil.which("pulseaudio") is None:
        return {"skipped": "PulseAudio is not installed"}
    started = None if virtual_mic._server_up() else virtual_mic.start_daemon()
    sink = f"rehearse_bench_{os.getpid()}"
    module = virtual_mic._run("pactl", "load-module", "module-null-sink", f"sink_name={sink}", "rate=16000", "channels=1").stdout.strip()
    env = {**os.environ, "PULSE_SOURCE": f"{sink}.monitor", "PULSE_SINK": sink, "REHEARSE_DB": str(scratch / "h.sqlite3")}
    try:
        with CpuShare() as cpu:
            session = virtual_mic.Session(["--device", "pulse", "--out", str(scratch / "sessions"), "--countdown", "0",
                                           QUESTION, "--keys", "q"], env)
            session.wait_for("\u25cf recording")
            player = subprocess.Popen(["paplay", "-d", sink, str(wav)], env=env)
            player.wait()
            code = session.finish(timeout_s=180)
        if code != 0:
            raise RuntimeError(f"rehearse practice exited {code}: {session.stderr[-2000:]}")
        ready = re.search(r"report ready ([\d.]+) s after the take ended", session.stderr)
        return {"ended_by": "silence_stop_6s", "report_after_end_s": float(ready.group(1)), "cpu_share_others": cpu.others}
    finally:
        virtual_mic._run("pactl", "unload-module", module, check=False)
        if started is not None:
            virtual_mic.stop_daemon(started)


def run(*, mic: bool = True, endings: dict[str, float] | None = None) -> dict:
    from rehearse import packs
    from rehearse.speech.transcribe import Transcriber

    y, _, _ = join_clips(CLIPS)
    transcriber = Transcriber()
    transcriber.transcribe_samples(y[: 5 * 16000])  # warm-up: the first decode pays for allocations
    question = packs.load_packs().get(QUESTION)
    results: dict = {"answer_s": round(y.size / 16000, 1), "clips": CLIPS, "file_fed": {}}
    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        for name, trailing in (endings or ENDINGS_S).items():
            print(f"  file-fed, {name} ...", flush=True)
            results["file_fed"][name] = file_fed(y, scratch_dir / f"{name}.wav", transcriber=transcriber,
                                                 question=question, trailing_s=trailing)
        if mic:
            print("  virtual microphone ...", flush=True)
            wav = scratch_dir / "answer.wav"
            sf.write(wav, y, 16000, subtype="PCM_16")
            results["virtual_mic"] = through_virtual_mic(wav, scratch_dir)
    summary = {}
    for name, r in results["file_fed"].items():
        summary[f"report after end of take, file-fed, {name} (s)"] = r["report_after_end_s"]
    fed = list(results["file_fed"].values())
    summary["display lag, max over the runs (s)"] = max(r["display_lag_max_s"] for r in fed)
    summary["display lag, p95 (s)"] = max(r["display_lag_p95_s"] for r in fed)
    summary["live vs offline words (WER)"] = max(r["words_live_vs_offline_wer"] for r in fed)
    if "virtual_mic" in results and "report_after_end_s" in results["virtual_mic"]:
        summary["report after end of take, virtual mic, silence stop (s)"] = results["virtual_mic"]["report_after_end_s"]
    shares = [r["cpu_share_others"] for r in fed + [results.get("virtual_mic", {})] if r.get("cpu_share_others") is not None]
    summary["CPU share used by other processes during the runs"] = ", ".join(f"{s:.0%}" for s in shares)
    results["summary"] = summary
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-mic", action="store_true", help="skip the virtual-microphone run")
    args = parser.parse_args()
    data = run(mic=not args.no_mic)
    data["machine"] = machine()
    path = save("live", data)
    print(json.dumps(data["summary"], indent=2))
    print(f"saved {path}")


if __name__ == "__main__":
    main()

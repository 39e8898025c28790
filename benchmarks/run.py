"""Run every benchmark and write the results: JSON in results/, tables in README.md.

    python benchmarks/run.py            # everything (about 10 minutes on 2 cores)
    python benchmarks/run.py --only speed fillers

The tables between the BEGIN/END markers of benchmarks/README.md are rewritten with
the new figures, the machine and the date. Run it on a quiet machine: other work on the
CPU slows every figure.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import RESULTS, machine, save  # noqa: E402

# name -> module with run() -> dict; optional ones are skipped when their module is absent.
BENCHMARKS = {"speed": "speed", "fillers": "fillers", "fillers_conditions": "fillers_eval",
              "review": "review_throughput", "live": "live_latency"}


def speed_table(data: dict) -> str:
    d = data["faster_whisper_defaults"]
    a = data["rehearse_analyze"]
    lines = [
        f"Audio: {data['audio_s']} s answer joined from the real clips of `../shared/audio` (median of {data['runs']} runs after a warm-up).",
        "",
        "| what | seconds | real-time factor | WER | vs faster-whisper defaults |",
        "|---|---:|---:|---:|---:|",
        f"| faster-whisper defaults, tiny.en (`WhisperModel(path).transcribe(file)`), in a warm process | {d['seconds']} | {d['rtf']} | {d['wer']:.3f} | 1.00x |",
        f"| the same defaults as a whole process (`python -c ...`) | {data['faster_whisper_defaults_process']['seconds']} | "
        f"{round(data['faster_whisper_defaults_process']['seconds'] / data['audio_s'], 3)} | {d['wer']:.3f} | |",
        *([f"| the same defaults, the model built on a thread that has ended (rehearse's one change to loading) | "
            f"{data['faster_whisper_defaults_ended_thread']['seconds']} | "
            f"{round(data['faster_whisper_defaults_ended_thread']['seconds'] / data['audio_s'], 3)} | {d['wer']:.3f} | "
            f"{round(d['seconds'] / data['faster_whisper_defaults_ended_thread']['seconds'], 2)}x |"]
          if "faster_whisper_defaults_ended_thread" in data else []),
        f"| **`rehearse analyze`, whole process, start to report** | **{a['seconds']}** | {round(a['seconds'] / data['audio_s'], 3)} | {a['wer']:.3f} | "
        f"**{a['speedup_vs_defaults']}x** ({a['speedup_vs_defaults_process']}x against the whole-process defaults) |",
    ]
    for c in data["configs"]:
        lines.append(f"| rehearse transcription only: {c['model']}, {c['compute_type']}, beam {c['beam_size']}, 2 threads | "
                     f"{c['seconds']} | {c['rtf']} | {c['wer']:.3f} | {c['speedup_vs_defaults']}x |")
    lines += ["", "Time to report, `rehearse analyze` stages (median, seconds):", "",
              "| " + " | ".join(a["stages"]) + " |", "|" + "---:|" * len(a["stages"]),
              "| " + " | ".join(str(v) for v in a["stages"].values()) + " |", "",
              f"Peak memory of `rehearse analyze`: **{data['peak_rss_mb']} MB**. `rehearse --help`: **{data['help_seconds']} s**."]
    return "\n".join(lines)


def fillers_table(data: dict) -> str:
    lines = ["| method | precision | recall | F1 (by count) | F1 (by time, 0.3 s collar) | false fillers on the 7 clips without any |",
             "|---|---:|---:|---:|---:|---:|"]
    names = {"plain": "plain Whisper", "prompt": "short prompt on every window (text only)", "rehearse": "**rehearse** (prompt + check against the audio)"}
    for method, block in data["methods"].items():
        o, t = block["overall"], block["by_time"]
        lines.append(f"| {names.get(method, method)} | {o['precision']:.2f} | {o['recall']:.2f} | {o['f1']:.2f} | {t['f1']:.2f} | {block['false_fillers_on_clean_clips']} |")
    lines += ["", "Per clip (reference / found by rehearse): " + ", ".join(
        f"{name.split('.')[0]} {c['expected']}/{c['found']}" for name, c in data["methods"]["rehearse"]["clips"].items())]
    w = data["wer_fluent_mean"]
    lines += ["", f"Word error rate on the fluent clips, mean: plain {w['plain']:.3f}, with the filler prompt {w['prompt']:.3f} "
              f"(difference {100 * (w['prompt'] - w['plain']):+.1f} points)."]
    return "\n".join(lines)


def generic_table(data: dict) -> str:
    summary = data.get("summary") or {k: v for k, v in data.items() if not isinstance(v, (dict, list))}
    lines = ["| measure | value |", "|---|---:|"] + [f"| {k} | {v} |" for k, v in summary.items()]
    return "\n".join(lines)


def fillers_conditions_table(data: dict) -> str:
    from fillers_eval import table

    return table(data)


TABLES = {"speed": speed_table, "fillers": fillers_table, "fillers_conditions": fillers_conditions_table}


def update_readme(sections: dict[str, str], info: dict) -> None:
    readme = HERE / "README.md"
    text = readme.read_text()
    for name, table in sections.items():
        block = f"<!-- BEGIN {name} -->\n_Measured {info['date']} on {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB, Python {info['python']}._\n\n{table}\n<!-- END {name} -->"
        pattern = re.compile(rf"<!-- BEGIN {name} -->.*?<!-- END {name} -->", re.S)
        text = pattern.sub(lambda _: block, text) if pattern.search(text) else text + f"\n## {name}\n\n{block}\n"
    readme.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=list(BENCHMARKS), help="run only these")
    args = parser.parse_args()
    info = machine()
    sections = {}
    for name, module_name in BENCHMARKS.items():
        if args.only and name not in args.only:
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            print(f"{name}: no benchmarks/{module_name}.py, skipped")
            continue
        print(f"running {name} ...", flush=True)
        data = module.run()
        save(name, data)
        sections[name] = TABLES.get(name, generic_table)(data)
        print(sections[name], flush=True)
    update_readme(sections, info)
    print(f"results in {RESULTS}, tables in {HERE / 'README.md'}")


if __name__ == "__main__":
    main()

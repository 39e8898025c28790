"""Run every benchmark and write the results: JSON in results/, tables in README.md.

    python benchmarks/run.py            # everything (about 10 minutes on 2 cores)
    python benchmarks/run.py --only speed fillers
    python benchmarks/run.py --table stress results/stress.json   # rewrite a table from saved results

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
              "review": "review_throughput", "live": "live_latency", "stress": "stress"}


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


def stress_table(data: dict) -> str:
    s = data["summary"]

    def row(label: str, key: str, digits: int = 3) -> str:
        v = s.get(key)
        if not v:
            return f"| {label} | | | |"
        return f"| {label} | {v['median']:.{digits}f} | {v['p90']:.{digits}f} | {v['worst']:.{digits}f} |"

    lines = [f"{s['files']} files of {s['audio_s']['median']:.0f} s median ({s['audio_s']['worst']:.0f} s longest), seed {data['seed']}; "
             f"`rehearse analyze` run {data['runs']} times on {s.get('files_run_twice', s['files'])} of them. "
             f"Load average (1 min) during the runs: median {s['load_average']['median']}, worst {s['load_average']['worst']}.",
             "", "| per file | median | 90th percentile | worst |", "|---|---:|---:|---:|",
             row("rehearse WER, every file", "rehearse_wer"),
             row("rehearse WER, the files compared with the defaults", "rehearse_wer_compared"),
             row("faster-whisper defaults WER", "defaults_wer"),
             row("rehearse: longest speech without a word (s)", "rehearse_longest_wordless_s", 1),
             row("defaults: longest speech without a word (s)", "defaults_longest_wordless_s", 1),
             row("`rehearse analyze` wall time / audio length", "analyze_x_audio"),
             row("`rehearse analyze` CPU time / audio length", "analyze_cpu_x_audio"),
             row("rehearse transcription stage / audio length", "transcribe_x_audio"),
             row("faster-whisper defaults wall time / audio length", "defaults_x_audio"),
             row("faster-whisper defaults CPU time / audio length", "defaults_cpu_x_audio"), ""]
    if "wer_no_worse_than_defaults" in s:
        lines.append(f"WER no worse than the defaults on {s['wer_no_worse_than_defaults']} of the {s['files_compared']} files compared; at worst "
                     f"{s['wer_points_worse_worst']:+.1f} points. Speech stretches over 3 s without a rehearse word: "
                     f"{s['lost_stretches_over_3s']} (the defaults have words in {s['lost_stretches_over_3s_heard_by_defaults']} of them). "
                     f"Defaults stopped at the {data['defaults_cap_s']:.0f} CPU-second cap: {s['defaults_capped']}.")
    lines.append(f"Identical transcripts on two runs: {s['identical_runs']} of {s.get('files_run_twice', s['files'])}.")
    return "\n".join(lines)


def fillers_conditions_table(data: dict) -> str:
    from fillers_eval import table

    return table(data)


TABLES = {"speed": speed_table, "fillers": fillers_table, "fillers_conditions": fillers_conditions_table,
          "stress": stress_table}


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
    parser.add_argument("--table", nargs=2, metavar=("NAME", "JSON"), help="only rewrite NAME's table from saved results")
    args = parser.parse_args()
    if args.table:
        import json

        name, path = args.table
        data = json.loads(Path(path).read_text())
        update_readme({name: TABLES.get(name, generic_table)(data)}, data["machine"])
        return
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

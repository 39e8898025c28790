"""The HTML report: one self-contained page per take, and an index of takes with trends.

Pages load nothing from the network: CSS, script and charts (SVG) are inline, the
audio is embedded as a data URI, and a Content-Security-Policy forbids every fetch
and every script but the page's own (by hash), so even a missed escape cannot run.
Every text that comes from a transcript, a file name or a question pack goes through
Jinja2's autoescaping.
"""

from __future__ import annotations

import base64
import hashlib
import io
import urllib.parse
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import numpy as np
from rehearse.speech.audio import SAMPLE_RATE
from rehearse.text.format import clock

# Opus at this bit rate keeps speech clear at about 3 kB per second of audio.
AUDIO_BIT_RATE = 24000
# The most important findings are shown at once; the rest fold away under "N more".
FINDINGS_SHOWN = 6
INDEX_KEYS = ("path", "recorded_at", "question", "duration_s", "target_max_s", "wpm", "filled_per_min",
              "discourse_per_min", "long_pauses", "content_score", "top_issue", "report_href")


class HtmlWriter:
    """Writes one take's report as a self-contained HTML page.

    Args:
        embed_audio: embed the take (re-encoded to Opus) so clicking a word plays it.
    """

    extension = "html"

    def __init__(self, *, embed_audio: bool = True) -> None:
        self.embed_audio = embed_audio

    def write(self, analysis, file: TextIO) -> None:
        file.write(render_take(analysis, embed_audio=self.embed_audio))


def render_take(analysis, *, embed_audio: bool = True) -> str:
    """One take's report page as a string (see ``HtmlWriter``)."""
    from rehearse.report import html_view as view
    from rehearse.report import plots

    spoken = analysis.delivery is not None
    samples = _load_samples(analysis.audio.path) if spoken and analysis.audio.path else None
    findings = view.all_findings(analysis)
    path = analysis.audio.path
    return _render("take.html.j2", script="_take.js", page={
        "title": Path(path).name if path else "typed draft",
        "path": path,
        "spoken": spoken,
        "question": analysis.question,
        "audio_src": _audio_data_uri(samples) if samples is not None and embed_audio else None,
        "duration_s": analysis.audio.duration if spoken else None,
        "cards": view.cards(analysis),
        "findings": findings,
        "findings_shown": FINDINGS_SHOWN,
        "chart": plots.timeline(analysis, samples) if spoken else None,
        "transcript": view.transcript(analysis, findings) if analysis.transcript.words else [],
        "metrics": view.metrics(analysis),
        "fillers": view.fillers(analysis),
        "long_pauses": [p for p in analysis.delivery.pauses.items if p.long] if spoken else [],
        "unheard": list(analysis.transcript.unheard) if spoken else [],
        "content": view.content(analysis.content),
        "language": view.language(analysis.language),
        "model": analysis.transcript.model,
        "version": analysis.rehearse_version,
    })


def write_index(rows: Sequence[dict], out_path: str | Path, *, title: str, trends: dict[str, list[dict]] | None = None,
                failed: Sequence[tuple[str, str]] = ()) -> None:
    """Write an index page of takes: trend charts per question, then a table linking each take.

    Args:
        rows: one dict per take with keys ``path, recorded_at, question, duration_s,
            target_max_s, wpm, filled_per_min, discourse_per_min, long_pauses,
            content_score, top_issue, report_href`` (any value may be None).
            ``report_href`` is a URL relative to the index page, or a file/http URL.
        out_path: the HTML file to write (whole or not at all); its folder is created.
        title: the page's heading.
        trends: question id -> ``{recorded_at, duration_s, wpm, filled_per_min,
            content_score}`` dicts in time order; built from ``rows`` when None.
        failed: ``(path, reason)`` of each file that could not be analyzed, listed below the takes.
    """
    from rehearse.files import write_atomic

    page = render_index(rows, title=title, trends=trends, failed=failed)
    write_atomic(out_path, lambda f: f.write(page), what="HTML index")


def render_index(rows: Sequence[dict], *, title: str, trends: dict[str, list[dict]] | None = None,
                 failed: Sequence[tuple[str, str]] = ()) -> str:
    """The index page as a string (see ``write_index``)."""
    from rehearse.report import plots

    rows = sorted(rows, key=lambda r: str(r.get("recorded_at") or ""))
    if trends is None:
        trends = {}
        for row in rows:
            trends.setdefault(row.get("question") or "", []).append(row)
    targets = {row.get("question") or "": row.get("target_max_s") for row in rows if row.get("target_max_s")}
    charts = []
    for number, (question, points) in enumerate(sorted(trends.items())):
        if len(points) >= 2:
            chart = plots.trends(points, target_max_s=targets.get(question), salt=f"trend{number}")
            charts.append({"question": question or "no question given", "count": len(points), "chart": chart,
                           "first": _date(points[0].get("recorded_at")), "last": _date(points[-1].get("recorded_at"))})
    return _render("index.html.j2", script="_index.js", page={
        "title": title,
        "rows": [_index_row(row) for row in reversed(rows)],
        "charts": charts,
        "summary": _index_summary(rows),
        "failed": [{"path": path, "reason": reason} for path, reason in failed],
    })


# --- index ---------------------------------------------------------------------------

def _date(value: Any) -> str:
    if not value:
        return ""
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value)


def _safe_href(href: Any) -> str | None:
    """A link that can only open a file or web page (never ``javascript:``), URL-quoted."""
    if not href:
        return None
    text = str(href)
    scheme = urllib.parse.urlsplit(text).scheme.lower()
    if scheme in ("http", "https", "file"):
        return text
    if scheme:
        return None
    return urllib.parse.quote(text, safe="/#%?=&")


def _index_row(row: dict) -> dict:
    duration, target = row.get("duration_s"), row.get("target_max_s")
    question = row.get("question")
    return {**dict.fromkeys(INDEX_KEYS), **row, "question": str(question) if question else None, "date": _date(row.get("recorded_at")), "href": _safe_href(row.get("report_href")),
            "name": Path(str(row["path"])).name if row.get("path") else "",
            "over": duration is not None and target is not None and duration > target}


def _index_summary(rows: Sequence[dict]) -> list[dict]:
    def mean(key: str) -> float | None:
        values = [float(r[key]) for r in rows if r.get(key) is not None]
        return sum(values) / len(values) if values else None

    over = [r for r in rows if _index_row(r)["over"]]
    items = [{"label": "Takes", "value": str(len(rows)), "unit": ""}]
    for key, label, unit, digits in (("wpm", "Average pace", "words/min", 0), ("filled_per_min", "Average um/uh", "per min", 1),
                                     ("content_score", "Average content", "/ 100", 0)):
        value = mean(key)
        if value is not None:
            items.append({"label": label, "value": f"{value:.{digits}f}", "unit": unit})
    items.append({"label": "Over time", "value": str(len(over)), "unit": f"of {len(rows)}"})
    return items


# --- rendering -------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("rehearse.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["clock"] = clock
    return env


def _asset(name: str) -> str:
    return resources.files("rehearse.report").joinpath("templates", name).read_text(encoding="utf-8")


def _render(template: str, *, script: str, page: dict) -> str:
    from markupsafe import Markup

    code = _asset(script)
    digest = base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii")
    return _environment().get_template(template).render(
        page=page, style=Markup(_asset("_style.css")), script=Markup(code), script_hash=f"sha256-{digest}",
        Markup=Markup)


# --- audio -----------------------------------------------------------------------------

def _load_samples(path: str) -> np.ndarray | None:
    """The take as 16 kHz mono, or None when the file is gone or unreadable (the page says so)."""
    from rehearse.speech import audio
    from rehearse.errors import RehearseError

    try:
        return audio.load(path).samples
    except RehearseError:
        return None


def _audio_data_uri(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> str:
    """The take as a data URI: Opus in WebM when PyAV has libopus, else 16-bit WAV."""
    import av

    try:
        data, mime = _encode_opus(samples, sample_rate), "audio/webm"
    except (av.error.FFmpegError, ValueError):
        data, mime = _encode_wav(samples, sample_rate), "audio/wav"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _encode_opus(samples: np.ndarray, sample_rate: int) -> bytes:
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="webm") as container:
        # Complexity 0 encodes 110 s in about 0.1 s (10 takes 0.7 s) at a similar size.
        stream = container.add_stream("libopus", rate=sample_rate, layout="mono", options={"compression_level": "0"})
        stream.bit_rate = AUDIO_BIT_RATE
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples, dtype=np.float32).reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = sample_rate
        frame.pts = 0
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


def _encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    import soundfile

    buffer = io.BytesIO()
    soundfile.write(buffer, samples, sample_rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()

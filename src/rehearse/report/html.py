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
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence, TextIO

import numpy as np

# Opus at this bit rate keeps speech clear at about 3 kB per second of audio.
AUDIO_BIT_RATE = 24000
# Fillers and flagged phrases own the words whose middle falls within this margin of
# their span: word timestamps and filler spans come from different measurements.
SPAN_MARGIN_S = 0.05
UNSURE_PROBABILITY = 0.4
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def clock(seconds: float | None) -> str:
    """m:ss.s, as every report shows times."""
    if seconds is None:
        return ""
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


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
    from rehearse.report import plots

    samples = _load_samples(analysis.audio.path) if analysis.audio.path else None
    findings = _all_findings(analysis)
    chart = plots.timeline(analysis, samples) if analysis.delivery is not None else None
    path = analysis.audio.path
    return _render("take.html.j2", script="_take.js", page={
        "title": Path(path).name if path else "typed draft",
        "path": path,
        "question": analysis.question,
        "audio_src": _audio_data_uri(samples) if samples is not None and embed_audio else None,
        "duration_s": analysis.audio.duration,
        "cards": _cards(analysis),
        "findings": [_finding_view(f) for f in findings],
        "chart": chart,
        "transcript": _transcript(analysis, findings),
        "metrics": _metrics(analysis),
        "fillers": _fillers(analysis),
        "long_pauses": [p for p in analysis.delivery.pauses.items if p.long] if analysis.delivery else [],
        "content": _content(analysis.content),
        "model": analysis.transcript.model,
        "version": analysis.rehearse_version,
    })


def write_index(rows: Sequence[dict], out_path: str | Path, *, title: str, trends: dict[str, list[dict]] | None = None) -> None:
    """Write an index page of takes: trend charts per question, then a table linking each take.

    Args:
        rows: one dict per take with keys ``path, recorded_at, question, duration_s,
            target_max_s, wpm, filled_per_min, discourse_per_min, long_pauses,
            content_score, top_issue, report_href`` (any value may be None).
            ``report_href`` is a URL relative to the index page, or a file/http URL.
        out_path: the HTML file to write; its folder is created.
        title: the page's heading.
        trends: question id -> ``{recorded_at, duration_s, wpm, filled_per_min,
            content_score}`` dicts in time order; built from ``rows`` when None.
    """
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_index(rows, title=title, trends=trends), encoding="utf-8")


def render_index(rows: Sequence[dict], *, title: str, trends: dict[str, list[dict]] | None = None) -> str:
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
    })


# --- page parts ----------------------------------------------------------------------

def _all_findings(analysis) -> list:
    """The analysis's findings, plus language findings not merged into them yet."""
    findings = list(analysis.findings)
    for section in (analysis.content, analysis.language):
        for finding in getattr(section, "findings", None) or ():
            if finding not in findings:
                findings.append(finding)
    return sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 3))


def _finding_view(finding) -> dict:
    return {"area": finding.area, "severity": finding.severity, "message": finding.message,
            "suggestion": finding.suggestion, "start": finding.start, "end": finding.end}


def _cards(analysis) -> list[dict]:
    """The headline numbers against their targets."""
    cards = []
    d, t = analysis.delivery, analysis.thresholds
    if d is not None:
        cards.append(_card("Length", f"{d.duration.speaking:.0f}", "s", f"target {d.duration.target_min:.0f}\u2013{d.duration.target_max:.0f} s",
                           d.duration.verdict == "ok"))
        if d.pace.words:
            cards.append(_card("Pace", f"{d.pace.wpm:.0f}", "words/min", f"target {t.target.min_wpm:.0f}\u2013{t.target.max_wpm:.0f}",
                               t.target.min_wpm <= d.pace.wpm <= t.target.max_wpm))
        cards.append(_card("Um / uh", f"{d.fillers.filled_per_min:.1f}", "per min", f"at most {t.fillers.max_filled_per_min:g}/min",
                           d.fillers.filled_per_min <= t.fillers.max_filled_per_min))
        cards.append(_card("Discourse fillers", f"{d.fillers.discourse_per_min:.1f}", "per min",
                           f"at most {t.fillers.max_discourse_per_min:g}/min", d.fillers.discourse_per_min <= t.fillers.max_discourse_per_min))
        cards.append(_card("Long pauses", str(d.pauses.long_count), f"\u2265 {t.pauses.long_pause_s:g} s",
                           f"longest {d.pauses.longest:.1f} s", d.pauses.long_count == 0))
        if d.pitch.sd_st is not None:
            cards.append(_card("Vocal variety", f"{d.pitch.sd_st:.1f}", "semitones", f"at least {t.prosody.min_pitch_sd_st:g}",
                               d.pitch.sd_st >= t.prosody.min_pitch_sd_st))
    score = _score(analysis.content)
    if score is not None:
        cards.append(_card("Content", f"{score:.0f}", "/ 100", "structure, pitfalls, tailoring", score >= 70))
    return cards


def _card(label: str, value: str, unit: str, target: str, ok: bool | None) -> dict:
    return {"label": label, "value": value, "unit": unit, "target": target, "ok": ok}


def _metrics(analysis) -> list[dict]:
    """Every delivery measure, as the terminal's table has them."""
    d, t = analysis.delivery, analysis.thresholds
    if d is None:
        return []
    rows = [
        ("Length, first to last word", f"{d.duration.speaking:.1f} s", f"{d.duration.target_min:.0f}\u2013{d.duration.target_max:.0f} s", d.duration.verdict == "ok"),
        ("Recording length", f"{d.duration.total:.1f} s", "", None),
    ]
    if d.pace.words:
        rows += [
            ("Pace", f"{d.pace.wpm:.0f} words/min", f"{t.target.min_wpm:.0f}\u2013{t.target.max_wpm:.0f}", t.target.min_wpm <= d.pace.wpm <= t.target.max_wpm),
            ("Articulation rate (pauses removed)", f"{d.pace.articulation_wpm:.0f} words/min", "", None),
        ]
    rows += [
        ("Filled pauses (um, uh)", f"{d.fillers.filled_count} ({d.fillers.filled_per_min:.1f}/min, {d.fillers.filled_time:.1f} s)",
         f"\u2264 {t.fillers.max_filled_per_min:g}/min", d.fillers.filled_per_min <= t.fillers.max_filled_per_min),
        ("Discourse fillers (like, you know)", f"{d.fillers.discourse_count} ({d.fillers.discourse_per_min:.1f}/min)",
         f"\u2264 {t.fillers.max_discourse_per_min:g}/min", d.fillers.discourse_per_min <= t.fillers.max_discourse_per_min),
        (f"Pauses \u2265 {t.pauses.min_pause_s:g} s", f"{d.pauses.count} ({d.pauses.total_time:.1f} s)", "", None),
        (f"Long pauses \u2265 {t.pauses.long_pause_s:g} s", str(d.pauses.long_count), "none", d.pauses.long_count == 0),
    ]
    if d.pitch.sd_st is not None:
        rows.append(("Vocal variety (pitch SD)", f"{d.pitch.sd_st:.1f} st, range {d.pitch.range_st:.1f} st",
                     f"\u2265 {t.prosody.min_pitch_sd_st:g} st", d.pitch.sd_st >= t.prosody.min_pitch_sd_st))
    if d.energy.median_dbfs is not None:
        rows.append(("Loudness (speech level, variation)", f"{d.energy.median_dbfs:.0f} dBFS, \u00b1{d.energy.sd_db:.1f} dB",
                     f"> {t.prosody.quiet_speech_dbfs:g} dBFS", not d.energy.too_quiet and not d.energy.clipping))
    return [{"label": label, "value": value, "target": target, "ok": ok} for label, value, target, ok in rows]


def _fillers(analysis) -> list:
    return list(analysis.delivery.fillers.items) if analysis.delivery else []


def _covers(span: tuple[float, float], word) -> bool:
    middle = (word.start + word.end) / 2
    return span[0] - SPAN_MARGIN_S <= middle <= span[1] + SPAN_MARGIN_S


def _transcript(analysis, findings: Iterable) -> list[dict]:
    """Words, pauses, lost fillers and the target mark, in time order, for the page."""
    words = analysis.transcript.words
    d = analysis.delivery
    fillers = d.fillers.items if d else ()
    flags = [f for f in findings if f.area in ("content", "language") and f.start is not None and f.end is not None]
    target_at = words[0].start + d.duration.target_max if d and words else None
    tokens: list[tuple[float, int, dict]] = []
    for word in words:
        token = {"kind": "word", "text": word.text, "start": word.start, "classes": [], "notes": []}
        for f in fillers:
            if _covers((f.start, f.end), word):
                token["classes"].append("filler" if f.counted else "filler-maybe")
                kind = "filled pause" if f.kind == "filled" else "discourse filler"
                token["notes"].append(f"{kind} \u201c{f.word}\u201d" + ("" if f.counted else " (not counted: unsure)"))
                break
        for f in flags:
            if _covers((f.start, f.end), word):
                token["classes"].append("flag" if f.area == "content" else "lang")
                token["notes"].append(f.message)
        if word.probability < UNSURE_PROBABILITY:
            token["classes"].append("unsure")
        if target_at is not None and word.start >= target_at:
            token["classes"].append("over")
        tokens.append((word.start, 1, token))
    for f in fillers:
        if f.counted and not any(_covers((f.start, f.end), w) for w in words):
            tokens.append((f.start, 1, {"kind": "lost", "text": f.word, "start": f.start, "note": f.note}))
    for p in d.pauses.items if d else ():
        tokens.append((p.start, 0, {"kind": "pause", "start": p.start, "duration": p.duration, "long": p.long}))
    if target_at is not None and target_at < words[-1].end:
        tokens.append((target_at, 0, {"kind": "target", "start": target_at, "label": f"{d.duration.target_max:.0f} s target"}))
    return [token for _, _, token in sorted(tokens, key=lambda item: (item[0], item[1]))]


# --- content (another engineer's object: read only the contract's fields, defensively) ---

def _pick(obj: Any, *names: str) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


def _score(content: Any) -> float | None:
    score = _pick(content, "score") if content is not None else None
    if score is not None and not isinstance(score, (int, float)):
        score = _pick(score, "total", "value", "score")
    return float(score) if isinstance(score, (int, float)) else None


def _evidence(value: Any) -> list[dict]:
    """Quotes with times from whatever shape the evidence has (text, words, spans)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [{"quote": value, "start": None, "end": None}]
    if isinstance(value, (list, tuple)):
        if value and all(hasattr(v, "text") and hasattr(v, "start") and not hasattr(v, "quote") for v in value):
            return [{"quote": " ".join(v.text for v in value), "start": value[0].start, "end": value[-1].end}]
        return [item for v in value for item in _evidence(v)]
    quote = _pick(value, "quote", "text", "phrase", "words", "evidence")
    if isinstance(quote, (list, tuple)):
        quote = " ".join(str(_pick(q, "text") or q) for q in quote)
    return [{"quote": str(quote or ""), "start": _pick(value, "start"), "end": _pick(value, "end")}] if quote else []


def _content(content: Any) -> dict | None:
    if content is None:
        return None
    parts = []
    for part in _pick(content, "parts") or ():
        evidence = _evidence(_pick(part, "evidence", "quotes", "quote", "matches"))
        if not evidence and _pick(part, "start") is not None:
            evidence = [{"quote": "", "start": _pick(part, "start"), "end": _pick(part, "end")}]
        parts.append({"label": str(_pick(part, "label", "name", "part", "id") or ""), "found": bool(_pick(part, "found", "present", "ok")),
                      "evidence": evidence, "note": _pick(part, "note", "detail", "message", "suggestion")})
    pitfalls = []
    for pitfall in _pick(content, "pitfalls") or ():
        evidence = _evidence(_pick(pitfall, "evidence", "quotes", "quote", "matches"))
        if not evidence or all(e["start"] is None for e in evidence):
            evidence = [{"quote": e["quote"] if evidence else "", "start": _pick(pitfall, "start"), "end": _pick(pitfall, "end")}
                        for e in (evidence or [{}])]
        pitfalls.append({"label": str(_pick(pitfall, "label", "name", "id") or ""), "evidence": evidence})
    tailoring = _pick(content, "tailoring")
    tailoring_view = None
    if isinstance(tailoring, str):
        tailoring_view = {"text": tailoring}
    elif tailoring is not None:
        tailoring_view = {"score": _score({"score": _pick(tailoring, "score", "coverage")}),
                          "matched": [str(_pick(t, "term", "text") or t) for t in _pick(tailoring, "matched", "hits", "found") or ()],
                          "missing": [str(_pick(t, "term", "text") or t) for t in _pick(tailoring, "missing", "missed") or ()],
                          "text": _pick(tailoring, "note", "summary", "message")}
    suggestions = [str(_pick(s, "text", "message", "suggestion") or s) for s in _pick(content, "suggestions") or ()]
    question = _pick(content, "question")
    return {"score": _score(content), "parts": parts, "pitfalls": pitfalls, "tailoring": tailoring_view,
            "suggestions": suggestions, "question": question if isinstance(question, str) else _pick(question, "id") if question else None}


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
    return {**row, "date": _date(row.get("recorded_at")), "href": _safe_href(row.get("report_href")),
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
    from rehearse import audio
    from rehearse.errors import RehearseError

    try:
        return audio.load(path).samples
    except RehearseError:
        return None


def _audio_data_uri(samples: np.ndarray, sample_rate: int = 16000) -> str:
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

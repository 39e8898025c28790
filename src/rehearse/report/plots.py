"""Charts for the HTML report, drawn with matplotlib (Agg) as inline SVG.

matplotlib is imported inside the functions: importing it costs about 0.3 s, which
``rehearse --help`` and the terminal report must not pay.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rehearse.speech.audio import SAMPLE_RATE

# Colours shared with the page's CSS (templates/_style.css), so chart and transcript agree.
INK = "#1e293b"
MUTED = "#64748b"
GRID = "#e2e8f0"
WAVE = "#6366f1"
PITCH = "#0f766e"
PACE = "#7c3aed"
PAUSE = "#cbd5e1"
LONG_PAUSE = "#fdba74"
FILLER = "#db2777"
TARGET = "#dc2626"
OK_BAND = "#dcfce7"
MONOTONE = "#fef3c7"
UNHEARD = "#94a3b8"

# The page sets its own font; measured text uses DejaVu Sans, which is wider than the
# system fonts that replace it, so labels never overflow.
FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
WIDTH_IN = 11.0
# Peaks per second of audio in the waveform envelope, capped so long takes stay small.
ENVELOPE_BINS_PER_S = 12
MAX_ENVELOPE_BINS = 1400
PITCH_LIMIT_ST = 12.0


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart as inline SVG.

    Attributes:
        svg: the ``<svg>`` element, with no XML prolog.
        left: where the time axis starts, as a fraction of the chart's width.
        right: where the time axis ends, as a fraction of the chart's width.
        end_s: the time at the right end of the axis, seconds (0 for charts without time).
    """

    svg: str
    left: float = 0.0
    right: float = 1.0
    end_s: float = 0.0


def clock(seconds: float) -> str:
    """m:ss for axis ticks."""
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def _figure(height_in: float, rows: int, height_ratios: Sequence[float] | None = None):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=72)
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False, gridspec_kw={"height_ratios": height_ratios})[:, 0]
    for ax in axes:
        _style_axis(ax)
        ax.set_axisbelow(True)
    return fig, axes


def _style_axis(ax) -> None:
    """The quiet look every chart shares: no box, light grid, muted ticks."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(GRID)
    ax.tick_params(colors=MUTED, labelsize=9, length=0)
    ax.grid(axis="y", color=GRID, linewidth=0.6)


def _svg(fig, salt: str) -> str:
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, transparent=True)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = re.sub(r"font-family:[^;\"]*", f"font-family: {FONT_STACK}", svg)
    # Scale with the page instead of keeping matplotlib's fixed point size.
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 width="100%" preserveAspectRatio="xMinYMin meet"', svg, count=1)


def _envelope(samples: np.ndarray, sample_rate: int, duration_s: float) -> tuple[np.ndarray, np.ndarray]:
    bins = int(min(MAX_ENVELOPE_BINS, max(50, duration_s * ENVELOPE_BINS_PER_S)))
    usable = samples[: samples.size - samples.size % bins] if samples.size >= bins else np.pad(samples, (0, bins - samples.size))
    peaks = np.abs(usable.reshape(bins, -1)).max(axis=1)
    top = float(peaks.max()) or 1.0
    times = (np.arange(bins) + 0.5) * (usable.size / bins) / sample_rate
    return times, peaks / top


def timeline(analysis: Any, samples: np.ndarray | None = None, sample_rate: int = SAMPLE_RATE) -> Chart:
    """The take over time: waveform, pitch and pace, with pauses, fillers and the target.

    Speech that could not be transcribed (``Transcript.unheard``) is hatched across
    every panel: the pace line has no point there, and the hatching says why.

    Args:
        analysis: an ``Analysis`` with a delivery section.
        samples: the take as mono float32, for the waveform; without it the loudness
            contour is drawn instead.
        sample_rate: of ``samples``, Hz.

    Returns:
        The chart, with the axis position so the page can map clicks to seconds.
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    delivery = analysis.delivery
    words = analysis.transcript.words
    duration_s = max(float(analysis.audio.duration or delivery.duration.total), 0.1)
    first_s = words[0].start if words else 0.0
    target_max_at = first_s + delivery.duration.target_max
    target_min_at = first_s + delivery.duration.target_min
    end_s = max(duration_s, target_max_at + 0.03 * duration_s) if target_max_at < 1.6 * duration_s else duration_s

    fig, (wave, pitch, pace) = _figure(4.3, 3, (1.6, 1.0, 0.8))
    fig.subplots_adjust(left=0.075, right=0.985, top=0.9, bottom=0.08, hspace=0.18)

    if samples is not None and samples.size:
        times, peaks = _envelope(samples, sample_rate, duration_s)
        wave.fill_between(times, -peaks, peaks, color=WAVE, linewidth=0, alpha=0.85)
        wave.set_ylim(-1.15, 1.15)
        wave.set_ylabel("waveform", color=MUTED, fontsize=9)
    else:
        level = np.asarray(delivery.contour.level_db, dtype=float)
        times = (np.arange(level.size) + 0.5) * delivery.contour.step
        wave.fill_between(times, -80, np.maximum(level, -80), color=WAVE, linewidth=0, alpha=0.85)
        wave.set_ylim(-80, 5)
        wave.set_ylabel("loudness dB", color=MUTED, fontsize=9)
    wave.set_yticks([])

    for p in delivery.pauses.items:
        # Short pauses only on the waveform: across every panel they read as noise.
        for ax in (wave, pitch, pace) if p.long else (wave,):
            ax.axvspan(p.start, p.end, color=LONG_PAUSE if p.long else PAUSE, alpha=0.75 if p.long else 0.5, linewidth=0, zorder=0)
        if p.long:
            wave.annotate(f"{p.duration:.1f} s", ((p.start + p.end) / 2, 0.0), xycoords=("data", "axes fraction"),
                          xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=9, color="#9a3412",
                          fontweight="bold", bbox={"boxstyle": "round,pad=0.15", "facecolor": "#ffedd5", "edgecolor": "none"}, zorder=5)
    for span in analysis.transcript.unheard:
        for ax in (wave, pitch, pace):
            ax.axvspan(span.start, span.end, facecolor="none", edgecolor=UNHEARD, hatch="///", linewidth=0, zorder=0.5)
        wave.annotate("not transcribed", ((span.start + span.end) / 2, 1.0), xycoords=("data", "axes fraction"),
                      xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=8, color=MUTED, zorder=5)
    fillers = delivery.fillers.items
    for f in fillers:
        wave.axvspan(f.start, f.end, color=FILLER, alpha=0.35 if f.counted else 0.12, linewidth=0, zorder=1)
    counted = [(f.start + f.end) / 2 for f in fillers if f.counted]
    if counted:
        wave.plot(counted, [1.0] * len(counted), linestyle="none", marker="v", markersize=6, color=FILLER,
                  transform=wave.get_xaxis_transform(), clip_on=False, zorder=3)

    st = np.array([np.nan if v is None else v for v in delivery.contour.pitch_st], dtype=float)
    st_times = (np.arange(st.size) + 0.5) * delivery.contour.step
    for stretch in delivery.pitch.monotone:
        pitch.axvspan(stretch.start, stretch.end, color=MONOTONE, linewidth=0, zorder=0)
        pitch.text((stretch.start + stretch.end) / 2, PITCH_LIMIT_ST * 0.8, "monotone", ha="center", fontsize=8, color="#92400e")
    pitch.axhline(0, color=MUTED, linewidth=0.6, linestyle=":")
    pitch.plot(st_times, np.clip(st, -PITCH_LIMIT_ST, PITCH_LIMIT_ST), linestyle="none", marker="o", markersize=2.2, color=PITCH)
    pitch.set_ylim(-PITCH_LIMIT_ST, PITCH_LIMIT_ST)
    pitch.set_yticks([-8, 0, 8])
    pitch.set_ylabel("pitch st", color=MUTED, fontsize=9)

    target = analysis.thresholds.target
    pace.axhspan(target.min_wpm, target.max_wpm, color=OK_BAND, linewidth=0, zorder=0)
    windows = delivery.pace.windows
    if windows:
        centres = [(w.start + w.end) / 2 for w in windows]
        pace.plot(centres, [w.wpm for w in windows], color=PACE, linewidth=1.6, marker="o", markersize=3)
        top = max(max(w.wpm for w in windows), target.max_wpm) * 1.15
    else:
        top = target.max_wpm * 1.3
    pace.set_ylim(0, top)
    pace.yaxis.set_major_locator(MaxNLocator(3, integer=True))
    pace.set_ylabel("words/min", color=MUTED, fontsize=9)

    for ax in (wave, pitch, pace):
        if target_min_at < end_s:
            ax.axvline(target_min_at, color=MUTED, linewidth=0.9, linestyle=":", zorder=4)
        if target_max_at < end_s:
            ax.axvline(target_max_at, color=TARGET, linewidth=1.4, linestyle="--", zorder=4)
    if target_max_at < end_s:
        wave.annotate(f"{delivery.duration.target_max:.0f} s target", (target_max_at, 1.0), xycoords=("data", "axes fraction"),
                      xytext=(0, 14), textcoords="offset points", ha="center", va="bottom", fontsize=9, color=TARGET, fontweight="bold")
    if target_min_at < end_s:
        wave.annotate(f"{delivery.duration.target_min:.0f} s", (target_min_at, 1.0), xycoords=("data", "axes fraction"),
                      xytext=(0, 14), textcoords="offset points", ha="center", va="bottom", fontsize=9, color=MUTED)
    pace.set_xlim(0, end_s)
    pace.xaxis.set_major_formatter(FuncFormatter(lambda s, _: clock(s)))
    pace.xaxis.set_major_locator(MaxNLocator(12, steps=[1, 2, 3, 5, 6, 10]))
    box = pace.get_position()
    return Chart(_svg(fig, "timeline"), left=round(box.x0, 5), right=round(box.x1, 5), end_s=round(end_s, 3))


TREND_METRICS = (
    ("duration_s", "length (s)", "#2563eb"),
    ("wpm", "pace (words/min)", PACE),
    ("filled_per_min", "um/uh per min", FILLER),
    ("content_score", "content score", PITCH),
)


def trends(points: Sequence[dict], *, target_max_s: float | None = None, salt: str = "trend") -> Chart:
    """Small multiples of one question's takes over time: length, pace, fillers, content score.

    Args:
        points: ``{recorded_at, duration_s, wpm, filled_per_min, content_score}`` dicts in
            time order; any value may be None.
        target_max_s: drawn as a line on the length panel.
        salt: makes the SVG's element ids unique on a page with several charts.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(WIDTH_IN, 2.0), dpi=72)
    axes = fig.subplots(1, len(TREND_METRICS))
    fig.subplots_adjust(left=0.04, right=0.99, top=0.84, bottom=0.2, wspace=0.3)
    x = np.arange(1, len(points) + 1)
    for ax, (key, label, colour) in zip(axes, TREND_METRICS):
        values = np.array([np.nan if p.get(key) is None else float(p[key]) for p in points], dtype=float)
        _style_axis(ax)
        ax.set_title(label, fontsize=10, color=INK, loc="left")
        if key == "duration_s" and target_max_s:
            ax.axhline(target_max_s, color=TARGET, linewidth=1.2, linestyle="--")
        ax.plot(x, values, color=colour, linewidth=1.8, marker="o", markersize=5)
        finite = values[np.isfinite(values)]
        if finite.size:
            low, high = float(finite.min()), float(finite.max())
            if key == "duration_s" and target_max_s:
                low, high = min(low, target_max_s), max(high, target_max_s)
            pad = max((high - low) * 0.2, abs(high) * 0.1, 1.0)
            ax.set_ylim(max(0.0, low - pad), high + pad)
        ax.set_xlim(0.5, len(points) + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
        ax.set_xlabel("take", color=MUTED, fontsize=9)
    return Chart(_svg(fig, salt))

"""The HTML report, rendered for real takes and checked in headless Chromium.

Each page is opened from a file in a fresh Chromium profile, driven over the DevTools
protocol (``tests/browser.py``): the page must load with no console error and no
request but its own file and data URIs, show its charts, play the take from a clicked
word, and show any ``<script>`` from a transcript, file name or question as text.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rehearse.analysis import Finding, analyze
from rehearse.report import get_writer
from rehearse.report.html import render_take, write_index
from rehearse.text.format import filled_pause_form, normalize
from rehearse.speech.transcribe import Word

FILLER_WORDS = {"um", "uh", "hmm", "like", "you", "know", "i", "mean", "so", "basically", "actually", "sort", "kind", "of", "well"}
XSS_WORD = "<script>window.pwned=1</script>"
XSS_FILE = "<img src=x onerror=window.pwned=2><script>window.pwned=3<.ogg"


@pytest.fixture(scope="module")
def rambling(samples_dir, transcriber):
    """The shipped rambling answer: over time, long pauses, many fillers."""
    return analyze(samples_dir / "rambling_answer.ogg", transcriber=transcriber)


def write_page(analysis, path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        get_writer("html").write(analysis, f)
    return path


def assert_self_contained(page) -> None:
    assert page.errors() == []
    foreign = [r["url"][:120] for r in page.requests if r["url"] != page.url and not r["url"].startswith("data:")]
    assert foreign == [], "the page fetched something besides itself and data URIs"


def region_spread(png: bytes, box: dict | None = None) -> float:
    """Standard deviation of grey levels in the screenshot (or a box of it): 0 means blank."""
    image = Image.open(io.BytesIO(png)).convert("L")
    if box is not None:
        image = image.crop((int(box["left"]), int(box["top"]), int(box["left"] + box["width"]), int(box["top"] + box["height"])))
    return float(np.asarray(image, dtype=float).std())


def document_box(page, selector: str) -> dict:
    return page.evaluate(f"(() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect();"
                         " return {left: r.left + scrollX, top: r.top + scrollY, width: r.width, height: r.height}; })()")


@pytest.mark.browser
def test_take_page_loads_offline_with_its_charts(rambling, chromium, tmp_path):
    page = chromium.open(write_page(rambling, tmp_path / "report.html").as_uri())
    assert_self_contained(page)
    d = rambling.delivery
    assert page.evaluate("document.querySelectorAll('#timeline-chart svg path').length") > 50
    assert page.evaluate("document.querySelectorAll('#words .w').length") == len(rambling.transcript.words)
    assert page.evaluate("document.querySelectorAll('#words .pause.long').length") == d.pauses.long_count > 0
    # The take ran over its target: the transcript marks where the target ended.
    assert d.duration.verdict == "over"
    assert page.evaluate("document.querySelectorAll('#words .target-mark').length") == 1
    highlighted = page.evaluate("Array.from(document.querySelectorAll('#words .w.filler')).map(w => w.textContent)")
    assert len(highlighted) >= d.fillers.filled_count
    for text in highlighted:
        word = normalize(text)
        assert filled_pause_form(word) or word in FILLER_WORDS, text
    findings = page.evaluate("document.querySelectorAll('#findings li.finding').length")
    assert findings == len(rambling.findings) > 0
    png = page.screenshot(tmp_path / "take.png")
    assert region_spread(png) > 20
    assert region_spread(png, document_box(page, "#timeline-chart")) > 20


@pytest.mark.browser
def test_clicking_a_word_or_the_chart_plays_from_there(rambling, chromium, tmp_path):
    page = chromium.open(write_page(rambling, tmp_path / "report.html").as_uri())
    page.wait_for("document.getElementById('take-audio').readyState >= 1")
    duration = page.evaluate("document.getElementById('take-audio').duration")
    assert duration == pytest.approx(rambling.audio.duration, abs=0.1)
    words = rambling.transcript.words
    for index in (len(words) // 3, 2 * len(words) // 3):
        page.evaluate(f"document.querySelectorAll('#words .w')[{index}].id = 'word-{index}'")
        page.click(f"#word-{index}")
        start = page.evaluate(f"parseFloat(document.querySelectorAll('#words .w')[{index}].dataset.t)")
        assert start == pytest.approx(words[index].start, abs=1e-3)
        now = page.wait_for(f"(t => t >= {start} - 0.01 && t < {start} + 1.0 && t)(document.getElementById('take-audio').currentTime)")
        assert now == pytest.approx(start, abs=1.0)
    # A click at 40 % along the chart's time axis seeks to 40 % of the axis's end.
    axis = page.evaluate("(c => ({left: +c.dataset.left, right: +c.dataset.right, end: +c.dataset.end}))(document.getElementById('timeline-chart'))")
    box = page.click("#timeline-chart")  # scrolls it into view; the centre lies on the axis
    centre_s = ((0.5 - axis["left"]) / (axis["right"] - axis["left"])) * axis["end"]
    page.wait_for(f"Math.abs(document.getElementById('take-audio').currentTime - {centre_s}) < 1.0")
    assert box["width"] > 600
    assert_self_contained(page)


@pytest.mark.browser
def test_script_in_a_transcript_file_name_or_question_shows_as_text(rambling, chromium, tmp_path, samples_dir):
    evil_file = tmp_path / XSS_FILE
    shutil.copy(samples_dir / "rambling_answer.ogg", evil_file)
    words = list(rambling.transcript.words)
    first = words[5]
    words[5] = Word(XSS_WORD, first.start, first.end, first.probability)
    evil = dataclasses.replace(
        rambling,
        audio=dataclasses.replace(rambling.audio, path=str(evil_file)),
        transcript=dataclasses.replace(rambling.transcript, words=tuple(words)),
        question={"id": "pack/<b>bold</b>", "text": "<script>window.pwned=4</script> What inspires you?"},
        findings=rambling.findings + (Finding("content", "high", "Pitfall: <img src=y onerror=window.pwned=5>",
                                              "Say <script>x</script> instead.", first.start, first.end),),
        content={"score": 10, "parts": [], "suggestions": ["<b>bold</b>"],
                 "pitfalls": [{"label": "<script>window.pwned=6</script>", "quote": XSS_WORD, "start": first.start, "end": first.end}]},
    )
    page = chromium.open(write_page(evil, tmp_path / "evil.html").as_uri())
    assert_self_contained(page)
    assert page.evaluate("window.pwned === undefined")
    assert page.evaluate("document.scripts.length") == 1
    assert page.evaluate("document.querySelectorAll('img, .question b, #content b').length") == 0
    assert page.evaluate("document.getElementById('title').textContent") == XSS_FILE
    assert XSS_WORD in page.evaluate("document.getElementById('words').textContent")
    assert "<script>window.pwned=4</script>" in page.evaluate("document.querySelector('.question').textContent")
    # The word the pitfall quotes is highlighted, and its label shows as text.
    assert page.evaluate("document.querySelectorAll('#words .w')[5].classList.contains('flag')")
    assert "<script>window.pwned=6</script>" in page.evaluate("document.getElementById('pitfalls').textContent")
    # The audio was still found and embedded under its odd name.
    assert page.evaluate("document.getElementById('take-audio') !== null")


@pytest.mark.browser
def test_index_page_lists_takes_with_trends(rambling, chromium, tmp_path):
    (tmp_path / "takes").mkdir()
    take_page = write_page(rambling, tmp_path / "takes" / "take one.html")
    d = rambling.delivery
    base = {"path": rambling.audio.path, "question": "motivation/what-inspires-you", "target_max_s": d.duration.target_max,
            "discourse_per_min": d.fillers.discourse_per_min, "long_pauses": d.pauses.long_count, "content_score": None,
            "top_issue": rambling.findings[0].message}
    rows = [{**base, "recorded_at": f"2026-11-0{day}T09:30:00+01:00", "duration_s": d.duration.speaking - 10 * day,
             "wpm": d.pace.wpm + day, "filled_per_min": d.fillers.filled_per_min / day, "report_href": "takes/take one.html"}
            for day in (1, 2, 3)]
    rows.append({**{key: None for key in base}, "path": f"/tmp/{XSS_FILE}", "question": "<script>window.pwned=6</script>",
                 "recorded_at": "2026-11-04T10:00:00+01:00", "duration_s": 50.0, "wpm": None, "filled_per_min": 1.0,
                 "top_issue": "<img src=z onerror=window.pwned=7>", "report_href": "javascript:window.pwned=8"})
    index = tmp_path / "index.html"
    write_index(rows, index, title="Practice <review>")
    page = chromium.open(index.as_uri())
    assert_self_contained(page)
    assert page.evaluate("document.getElementById('title').textContent") == "Practice <review>"
    assert page.evaluate("document.querySelectorAll('#takes-table tbody tr').length") == 4
    # One trend chart: the question with three takes (the other has one).
    assert page.evaluate("document.querySelectorAll('#trends .trend').length") == 1
    assert page.evaluate("document.querySelectorAll('#trends svg path').length") > 10
    links = page.evaluate("Array.from(document.querySelectorAll('#takes-table a')).map(a => a.href)")
    assert len(links) == 3 and all(link == take_page.as_uri() for link in links)
    assert page.evaluate("window.pwned === undefined") and page.evaluate("document.scripts.length") == 1
    assert "<script>window.pwned=6</script>" in page.evaluate("document.getElementById('takes-table').textContent")
    # Sorting by pace puts the take without a pace last, the others in rising order.
    page.click("#takes-table th[data-key=wpm]")
    paces = page.evaluate("Array.from(document.querySelectorAll('#takes-table tbody tr')).map(r => r.cells[3].dataset.v)")
    assert paces[-1] == "" and [float(p) for p in paces[:-1]] == sorted(float(p) for p in paces[:-1])
    png = page.screenshot(tmp_path / "index.png")
    assert region_spread(png, document_box(page, "#trends")) > 15
    # The linked take page opens, from the index's folder.
    take = chromium.open(links[0])
    assert_self_contained(take)


def test_audio_is_embedded_compactly_and_decodes(rambling, tmp_path):
    from rehearse.speech import audio
    html = render_take(rambling)
    match = re.search(r'src="data:(audio/[a-z]+);base64,([A-Za-z0-9+/=]+)"', html)
    assert match is not None
    data = base64.b64decode(match.group(2))
    # Opus at 24 kbit/s: about 3 kB a second, a tenth of 16 kHz WAV.
    assert match.group(1) == "audio/webm" and len(data) < 5000 * rambling.audio.duration
    clip = tmp_path / "embedded.webm"
    clip.write_bytes(data)
    decoded = audio.load(clip)
    assert decoded.duration == pytest.approx(rambling.audio.duration, abs=0.1)
    original = audio.load(rambling.audio.path).samples
    n = min(original.size, decoded.samples.size)
    # Same speech at the same times: the envelopes (50 ms RMS) correlate closely.
    envelope = [np.sqrt(np.mean(x[: n - n % 800].reshape(-1, 800) ** 2, axis=1)) for x in (original, decoded.samples)]
    assert np.corrcoef(*envelope)[0, 1] > 0.95


def test_page_without_audio_or_delivery_still_renders(rambling, tmp_path):
    gone = dataclasses.replace(rambling, audio=dataclasses.replace(rambling.audio, path=str(tmp_path / "moved.ogg")))
    html = render_take(gone)
    assert "could not be read" in html and "data:audio" not in html and 'id="timeline-chart"' in html
    draft = dataclasses.replace(rambling, delivery=None, audio=dataclasses.replace(rambling.audio, path=None))
    html = render_take(draft)
    assert 'id="timeline"' not in html and "data:audio" not in html and "typed draft" in html
    assert html.count('class="w') >= len(rambling.transcript.words)
    silent = dataclasses.replace(rambling, transcript=dataclasses.replace(rambling.transcript, words=()))
    assert "(no speech recognised)" in render_take(silent, embed_audio=False)


def test_analysis_rebuilt_from_json_renders_the_same_transcript(rambling):
    from rehearse.report.batch import analysis_from_dict

    def words_of(html: str) -> list[str]:
        return re.findall(r'<span class="w[^"]*" data-t="[^"]*" title="[^"]*">([^<]*)</span>', html)

    content = {"score": 42, "question": {"id": "motivation/what-inspires-you", "text": "What inspires you?", "inferred": True},
               "breakdown": [{"component": "structure", "points": 12, "max_points": 40, "note": ""}],
               "parts": [{"id": "thesis", "label": "Thesis", "found": True, "status": "found", "required": True, "note": "",
                          "evidence": [{"quote": "what inspires me", "start": 2.1, "end": 2.8, "cue": ""}], "advice": ""},
                         {"id": "result", "label": "Measurable result", "found": False, "status": "missing", "required": True,
                          "note": "no number", "evidence": [], "advice": "Give the number."}],
               "pitfalls": [{"id": "extrinsic", "label": "Extrinsic motivation", "severity": "high", "quote": "the money",
                             "start": 7.4, "end": 7.9, "cue": "money", "suggestion": ""}],
               "tailoring": None, "suggestions": ["Open with one sentence that names what inspires you."]}
    data = {**rambling.to_dict(), "content": content}
    html = render_take(analysis_from_dict(data))
    assert words_of(html) == words_of(render_take(rambling)) and len(words_of(html)) == len(rambling.transcript.words)
    assert re.search(r'class="found"><strong>Thesis</strong>', html) and "(inferred from the answer)" in html
    assert re.search(r'class="missing"><strong>Measurable result</strong>', html)
    assert 'data-t="7.400">0:07.4</button>' in html and "the money" in html
    assert "42" in re.search(r'<h2>Content.*?</h2>', html, re.DOTALL).group(0)


@pytest.mark.browser
def test_cli_writes_the_report(samples_dir, tmp_path, chromium):
    out = tmp_path / "out" / "strong.html"
    result = subprocess.run([sys.executable, "-m", "rehearse", "analyze", str(samples_dir / "strong_answer.flac"), "--html", str(out), "--no-history"],
                            check=False, capture_output=True, text=True, timeout=300, env={**os.environ, "REHEARSE_DB": str(tmp_path / "h.sqlite3")})
    assert result.returncode == 0, result.stderr
    assert f"HTML report: {out}" in result.stderr
    page = chromium.open(out.as_uri())
    assert_self_contained(page)
    text = page.evaluate("Array.from(document.querySelectorAll('#words .w')).map(w => w.textContent).join(' ')").lower()
    assert "what inspires me most is turning a messy unstructured problem" in re.sub(r"[^a-z ]", "", text)
    page.wait_for("document.getElementById('take-audio').readyState >= 1")
    assert page.evaluate("document.getElementById('take-audio').duration") == pytest.approx(70.0, abs=0.2)

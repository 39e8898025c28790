"""Typed drafts: ``rehearse analyze --text`` end to end, timing at the user's own pace."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rehearse.app import drafts, history
from rehearse.errors import RehearseError

QUESTION = "motivation/what-inspires-you"
SCHEMA = Path(__file__).resolve().parents[1] / "src" / "rehearse" / "schema" / "analysis.schema.json"


def run_cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "REHEARSE_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "rehearse", *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def sample_text(samples_dir: Path, name: str) -> str:
    return json.loads((samples_dir / f"{name}.truth.json").read_text(encoding="utf-8"))["text"]


def test_draft_end_to_end_json(tmp_path, samples_dir):
    draft = tmp_path / "draft.txt"
    draft.write_text(sample_text(samples_dir, "rambling_answer"), encoding="utf-8")
    result = run_cli("analyze", "--text", str(draft), "--question", QUESTION, "--json", db=tmp_path / "h.sqlite3")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    import jsonschema
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert data["delivery"] is None and data["audio"]["path"] is None
    assert data["question"]["id"] == QUESTION
    lang = data["language"]
    assert lang["timing"] == "estimated" and lang["pace"] is None
    est = lang["draft"]
    assert est["pace_source"] == "default" and est["pace_wpm"] == 150.0 and est["path"] == str(draft)
    assert est["estimated_s"] == pytest.approx(est["words"] * 60 / 150, abs=0.1)
    assert {"this might be a dumb answer", "I don't really know what else to say"} <= {
        h["phrase"] for h in lang["hedges"] if h["kind"] == "self_undermining"}
    assert "I went, I mean we went" in [h["text"] for h in lang["rambling"]["restarts"]]
    assert data["content"] is not None  # the content checks ran on the draft too
    words = data["transcript"]["words"]
    assert all(a["end"] <= b["start"] for a, b in itertools.pairwise(words))
    assert not (tmp_path / "h.sqlite3").exists() or history.user_pace_wpm(db_path=tmp_path / "h.sqlite3") is None


def test_draft_terminal_report_has_no_delivery_section(tmp_path, samples_dir):
    draft = tmp_path / "strong.txt"
    draft.write_text(sample_text(samples_dir, "strong_answer"), encoding="utf-8")
    result = run_cli("analyze", "--text", str(draft), "--question", QUESTION, db=tmp_path / "h.sqlite3")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "typed draft" in out and "estimated spoken length" in out
    assert "Delivery" not in out and "filled pauses" not in out


@pytest.mark.parametrize("text, message", [
    ("   \n", "the draft is empty"),
    (None, "no such draft file"),
])
def test_draft_errors_are_one_line(tmp_path, text, message):
    draft = tmp_path / "draft.txt"
    if text is not None:
        draft.write_text(text, encoding="utf-8")
    result = run_cli("analyze", "--text", str(draft), db=tmp_path / "h.sqlite3")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and message in result.stderr


def test_long_draft_is_over_the_target_and_says_how_much_to_cut(samples_dir):
    text = sample_text(samples_dir, "strong_answer") + " " + sample_text(samples_dir, "strong_answer")
    analysis = drafts.analyze_text(text, path=None, question=None, job_text=None, company=None, db=Path("/nonexistent/h.db"))
    est = analysis.language.draft
    assert est.verdict == "over" and est.estimated_s > est.target_max_s
    finding = next(f for f in analysis.findings if f.message.startswith("Spoken, this draft"))
    cut = round(est.words - est.target_max_s * est.pace_wpm / 60)
    assert finding.severity == "high" and f"Cut about {cut} words" in finding.suggestion


def test_draft_is_timed_at_the_users_pace_from_history(tmp_path, transcriber, shared_audio, samples_dir):
    from rehearse.analysis import analyze

    db = tmp_path / "history.sqlite3"
    paces = []
    for name in ("jfk.flac", "ami_es2011a.wav", "mfa_acoustic_corpus.wav"):
        analysis = analyze(shared_audio / name, transcriber=transcriber)
        history.record(analysis, db_path=db)
        paces.append(analysis.delivery.pace.wpm)
    pace = history.user_pace_wpm(db_path=db)
    assert pace is not None and min(paces) <= pace <= max(paces)
    text = sample_text(samples_dir, "strong_answer")
    analysis = drafts.analyze_text(text, path="draft.txt", question=None, job_text=None, company=None, db=db)
    est = analysis.language.draft
    assert est.pace_source == "history" and est.pace_wpm == pytest.approx(pace, abs=0.05)
    assert est.estimated_s == pytest.approx(est.words * 60 / pace, abs=0.1)
    words = analysis.transcript.words
    assert words[-1].end == pytest.approx(est.estimated_s, rel=0.02)


@pytest.mark.parametrize("text, expected", [
    ("I went - I mean we went.", ["I", "went-", "I", "mean", "we", "went."]),
    ("It was hard\u2014really hard.", ["It", "was", "hard\u2014", "really", "hard."]),
    ("Results , then the bridge !", ["Results,", "then", "the", "bridge!"]),
])
def test_split_words_attaches_punctuation_like_whisper(text, expected):
    assert drafts.split_words(text) == expected


def test_estimated_times_follow_syllables_and_pace():
    words = drafts.estimate_words("I automated the slowest checks.", wpm=120.0)
    assert [w.text for w in words] == ["I", "automated", "the", "slowest", "checks."]
    assert words[-1].end <= 5 * 60 / 120 and all(a.end <= b.start for a, b in itertools.pairwise(words))
    durations = {w.text: w.end - w.start for w in words}
    assert durations["automated"] > durations["the"]
    with pytest.raises(RehearseError, match="positive pace"):
        drafts.estimate_words("text", wpm=0)

"""Batch review on a folder of real takes: parallel workers, a broken file, resuming, outputs."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf

from rehearse.app.history import History, file_hash
from rehearse.app.review import WORKER_MEMORY_BYTES, default_workers, find_audio, review
from rehearse.app.take_metrics import metrics_of

META = {"question": "motivation/what-inspires-you", "recorded_at": "2024-05-01T10:15:00+02:00", "device": "test",
        "samplerate": 16000, "duration_s": 10.7, "ended_by": "enter"}
PRACTICE_DIR = "practice/20240501-101500-motivation_what-inspires-you"


def _rehearse(*args: str, db: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "REHEARSE_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "rehearse", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z']+", text.lower()))


@pytest.fixture(scope="module")
def takes_dir(tmp_path_factory, shared_audio, samples_dir) -> Path:
    """Real takes in several formats and folders, a practice take with its metadata, and a truncated file."""
    root = tmp_path_factory.mktemp("takes")
    shutil.copy(shared_audio / "mfa_um.flac", root / "a_um.flac")
    y, rate = sf.read(shared_audio / "mfa_er.flac")
    sf.write(root / "b_er.mp3", y, rate)
    (root / "sub").mkdir()
    shutil.copy(shared_audio / "jfk.flac", root / "sub" / "jfk.flac")
    (root / "sub" / "notes.txt").write_text("not a take")
    practice = root / PRACTICE_DIR
    practice.mkdir(parents=True)
    y, rate = sf.read(shared_audio / "mfa_crossword.flac")
    sf.write(practice / "take.wav", y, rate, subtype="PCM_16")
    (practice / "meta.json").write_text(json.dumps(META))
    (root / "samples").mkdir()
    for sample in sorted(samples_dir.glob("*.ogg")) + sorted(samples_dir.glob("*.flac")):
        shutil.copy(sample, root / "samples" / sample.name)
    (root / "broken").mkdir()
    data = (shared_audio / "mfa_words.flac").read_bytes()
    (root / "broken" / "cut.flac").write_bytes(data[: len(data) * 2 // 5])
    return root


@pytest.fixture(scope="module")
def first_run(takes_dir, tmp_path_factory):
    """``rehearse review DIR --csv --out`` with two workers, as a user runs it."""
    work = tmp_path_factory.mktemp("review")
    db, table, out = work / "history.sqlite3", work / "review.csv", work / "analyses"
    done = _rehearse("review", str(takes_dir), "--csv", str(table), "--out", str(out), "--workers", "2", db=db)
    with open(table, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return done, db, rows, out


def test_review_lists_every_take_and_the_broken_file(first_run, takes_dir, samples_dir):
    done, db, rows, _ = first_run
    assert done.returncode == 3, done.stderr  # some files failed
    good = sorted(p for p in takes_dir.rglob("*") if p.suffix in (".flac", ".mp3", ".wav", ".ogg") and p.name != "cut.flac")
    assert len(good) == 4 + len(list(samples_dir.glob("*.ogg")) + list(samples_dir.glob("*.flac")))
    ok = {row["path"]: row for row in rows if row["status"] == "ok"}
    assert sorted(ok) == [str(p) for p in good]
    (failed,) = [row for row in rows if row["status"] == "failed"]
    assert failed["path"] == str(takes_dir / "broken" / "cut.flac") and "truncated" in failed["error"]
    assert "cut.flac: truncated" in done.stdout and "1 file(s) could not be analyzed" in done.stdout
    for path in good:
        assert path.name in done.stdout
    with History.open(db) as h:
        assert h.count() == len(good)
        for path, row in ok.items():
            stored = h.get(int(row["take_id"]))
            data = h.analysis(stored.id)
            assert stored.content_hash == file_hash(path) and data["audio"]["path"] == path
            assert float(row["wpm"]) == stored.metrics.wpm == metrics_of(data).wpm
            assert float(row["filled_per_min"]) == data["delivery"]["fillers"]["filled_per_min"]
            # Two workers on this machine's cores: threads per worker keep within them.
            assert data["transcription"]["cpu_threads"] * 2 <= max(2, os.cpu_count() or 1)
        jfk = h.analysis(int(ok[str(takes_dir / "sub" / "jfk.flac")]["take_id"]))
    assert "ask not what your country can do for you" in _words(jfk["transcript"]["text"])


def test_practice_take_keeps_its_question_and_time(first_run, takes_dir):
    _, _, rows, _ = first_run
    (row,) = [r for r in rows if r["path"] == str(takes_dir / PRACTICE_DIR / "take.wav")]
    assert row["question"] == META["question"] and row["recorded_at"] == META["recorded_at"]


def test_out_writes_each_take_analysis(first_run):
    _, db, rows, out = first_run
    written = sorted(out.glob("*.json"))
    assert len(written) == sum(r["status"] == "ok" for r in rows)
    paths = {json.loads(p.read_text(encoding="utf-8"))["audio"]["path"] for p in written}
    assert paths == {r["path"] for r in rows if r["status"] == "ok"}
    assert (out / "take.json").exists() or any(p.name.endswith("take.json") for p in written)


@pytest.fixture(scope="module")
def second_run(first_run, takes_dir):
    _, db, _, _ = first_run
    with History.open(db) as h:
        before = {t.id: t.analyzed_at for t in h.takes()}
    return before, review([takes_dir], db_path=db, workers=2, progress=False)


def test_second_run_analyzes_nothing_new(second_run, first_run):
    before, result = second_run
    _, db, rows, _ = first_run
    assert (result.analyzed, result.cached) == (0, len(before))
    assert [f.path for f in result.failed] == [r["path"] for r in rows if r["status"] == "failed"]
    assert {t.take_id for t in result.takes} == set(before)
    with History.open(db) as h:
        assert {t.id: t.analyzed_at for t in h.takes()} == before


def test_copies_are_recognised_and_changed_files_analyzed(first_run, takes_dir, tmp_path):
    _, db, _, _ = first_run
    shutil.copy(takes_dir / "a_um.flac", tmp_path / "moved_um.flac")
    y, rate = sf.read(takes_dir / "sub" / "jfk.flac")
    sf.write(tmp_path / "jfk_quieter.flac", 0.7 * y, rate)
    with History.open(db) as h:
        count = h.count()
    result = review([str(tmp_path / "*.flac")], db_path=db, workers=1, progress=False)
    assert (result.analyzed, result.cached, result.failed) == (1, 1, ())
    fresh = [t for t in result.takes if not t.cached]
    assert [Path(t.path).name for t in fresh] == ["jfk_quieter.flac"]
    with History.open(db) as h:
        assert h.count() == count + 1


def test_html_writes_an_index_and_a_report_per_take(second_run, tmp_path):
    from rehearse.report.batch import write_outputs

    _, result = second_run
    written = write_outputs(result, html_dir=tmp_path / "html")
    pages = sorted((tmp_path / "html" / "takes").glob("*.html"))
    assert len(pages) == len(result.takes) and tmp_path / "html" / "index.html" in written
    index = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    for page in pages:
        assert f"takes/{page.name}" in index
    jfk = (tmp_path / "html" / "takes" / "jfk.html").read_text(encoding="utf-8")
    assert "country" in jfk


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as raw:
            return int(raw.execute("SELECT count(*) FROM takes").fetchone()[0])
    except sqlite3.Error:  # not created yet
        return 0


def test_interrupted_review_resumes(tmp_path, shared_audio):
    clips = sorted(shared_audio.glob("mfa_*.flac"))
    folder = tmp_path / "takes"
    folder.mkdir()
    for clip in clips:
        shutil.copy(clip, folder / clip.name)
    db = tmp_path / "h.sqlite3"
    env = {**os.environ, "REHEARSE_DB": str(db)}
    running = subprocess.Popen([sys.executable, "-m", "rehearse", "review", str(folder), "--workers", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while _stored(db) < 1 and running.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    running.send_signal(signal.SIGINT)
    _, err = running.communicate(timeout=120)
    assert running.returncode == 130, err
    done_before = _stored(db)
    assert 1 <= done_before < len(clips)
    resumed = _rehearse("review", str(folder), "--json", "--workers", "1", db=db)
    assert resumed.returncode == 0, resumed.stderr
    totals = json.loads(resumed.stdout)["totals"]
    assert (totals["cached"], totals["analyzed"], totals["takes"]) == (done_before, len(clips) - done_before, len(clips))
    assert _stored(db) == len(clips)


def test_find_audio_walks_folders_patterns_and_reports_missing(tmp_path, shared_audio):
    (tmp_path / "deep" / "er").mkdir(parents=True)
    shutil.copy(shared_audio / "jfk.flac", tmp_path / "A.FLAC")
    shutil.copy(shared_audio / "mfa_er.flac", tmp_path / "deep" / "er" / "take.flac")
    (tmp_path / "deep" / "readme.md").write_text("x")
    files, missing = find_audio([tmp_path, str(tmp_path / "*.FLAC"), tmp_path / "nope.wav", str(tmp_path / "*.m4a")])
    assert files == [tmp_path / "A.FLAC", tmp_path / "deep" / "er" / "take.flac"]
    assert [(m.path, m.error) for m in missing] == [(str(tmp_path / "nope.wav"), "no such file or folder"),
                                                      (str(tmp_path / "*.m4a"), "the pattern matches no file")]


@pytest.mark.parametrize(("jobs", "cores", "memory", "expected"), [
    (10, 2, 16 * 2**30, 2),
    (1, 2, 16 * 2**30, 1),
    (10, 8, WORKER_MEMORY_BYTES // 2, 1),
    (10, 8, 3 * WORKER_MEMORY_BYTES + 1, 3),
    (0, 2, 16 * 2**30, 1),
])
def test_default_workers_fit_cores_and_memory(jobs, cores, memory, expected):
    assert default_workers(jobs, cores=cores, memory_bytes=memory) == expected


def test_review_errors_a_user_can_fix(tmp_path, shared_audio):
    db = tmp_path / "h.sqlite3"
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = _rehearse("review", str(empty), db=db)
    assert nothing.returncode == 1 and "no audio files" in nothing.stderr
    workers = _rehearse("review", str(empty), "--workers", "0", db=db)
    assert workers.returncode == 2
    unknown = _rehearse("review", str(shared_audio / "mfa_er.flac"), "-q", "no-such/question", db=db)
    assert unknown.returncode == 1 and unknown.stderr.startswith("rehearse: error:")


def test_copies_in_one_run_are_analyzed_once_and_numbers_follow_the_table(speak, tmp_path):
    """Takes of the test voice (any clone runs this): a copy reuses its original's analysis, the
    take numbers run in the table's (time) order, and the HTML index lists the file that failed."""
    from rehearse.report.batch import write_outputs

    folder = tmp_path / "takes"
    folder.mkdir()
    for name, sentence, day in (("b_first.wav", "I mentor new engineers every week.", 1),
                                ("a_second.wav", "I like fixing slow build pipelines.", 2)):
        y, _ = speak([0.3, sentence, 0.3])
        sf.write(folder / name, y, 16000)
        os.utime(folder / name, (1_700_000_000 + day * 86400,) * 2)
    shutil.copy2(folder / "a_second.wav", folder / "z_copy.wav")
    (folder / "broken.wav").write_bytes(b"RIFF\x00\x00not a wav")
    db = tmp_path / "history.sqlite3"
    result = review([folder], db_path=db, workers=2, progress=False)
    assert result.analyzed == 2 and result.cached == 1
    names = [Path(t.path).name for t in result.takes]
    assert names == ["b_first.wav", "a_second.wav", "z_copy.wav"]
    ids = [t.take_id for t in result.takes]
    assert ids[0] < ids[1] == ids[2]
    with History.open(db) as h:
        assert h.count() == 2
    (failed,) = result.failed
    assert Path(failed.path).name == "broken.wav" and failed.error
    written = write_outputs(result, html_dir=tmp_path / "html")
    index = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    assert str(folder / "broken.wav") in index and failed.error.split(":")[0] in index
    assert tmp_path / "html" / "index.html" in written


@pytest.mark.parametrize("columns", [80, 100, 200])
def test_review_table_fits_the_terminal(columns, capsys, monkeypatch):
    """Each question's id whole on its own line, no line wider than the terminal, takes in time order."""
    from rehearse.app.review import FailedTake, ReviewedTake, ReviewResult
    from rehearse.app.take_metrics import Metrics
    from rehearse.report.batch import emit_review

    issue = "Missing: Bridge to this role. The answer ends without tying the inspiration to the job."
    m = Metrics(duration_s=95.2, speaking_s=93.0, target_min_s=60, target_max_s=90, duration_verdict="over", wpm=152.3,
                filled_per_min=3.4, discourse_per_min=1.2, long_pauses=2, content_score=71, top_issue=issue)
    questions = ["behavioral/challenge-you-overcame", "motivation/what-inspires-you"]
    takes = tuple(ReviewedTake(f"/home/me/practice/2024050{i}-101500-x/take.wav", i, "h", questions[i % 2],
                               f"2024-05-0{i}T10:15:00+02:00", False, m) for i in range(1, 6))
    result = ReviewResult(takes, (FailedTake("/home/me/practice/cut.flac", "truncated"),), 5, 0, 2, 3.2, "/tmp/h.sqlite3")
    monkeypatch.setenv("COLUMNS", str(columns))
    emit_review(result, json_output=False)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= columns
    for question in questions:
        assert any(line.strip().startswith(question) for line in lines), out
    numbers = [int(line.split()[0]) for line in lines if re.match(r"\s*\d+ \u2502", line)]
    assert numbers == [1, 3, 5, 2, 4], out  # one table per question, each in time order
    assert "Missing:" in out and "cut.flac: truncated" in out

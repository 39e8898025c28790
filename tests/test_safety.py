"""Issue 20: outputs never destroy inputs, time and memory stay bounded, every failure is one line.

Each test here failed on the code before the fix (a traceback, a destroyed input, a lost
report, a hang, a wrong number). CLI runs go through a subprocess, as a user would.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from rehearse import files
from rehearse.errors import AudioError, PackError, RehearseError

QUESTION = "motivation/what-inspires-you"
DRAFT = ("What inspires me is helping a team ship something people use. At my last job I led the "
         "migration of our billing system, and we cut failed payments by 30 percent in three months. "
         "That is why I want to join a company whose product changes how people work.")
ROOT_CAN_WRITE_ANYWHERE = hasattr(os, "geteuid") and os.geteuid() == 0


def rehearse(*args, tmp_path: Path, stdout=None, timeout: float = 300, env: dict | None = None):
    env = {**os.environ, "REHEARSE_DB": str(tmp_path / "history.sqlite3"), "COLUMNS": "120", **(env or {})}
    return subprocess.run([sys.executable, "-m", "rehearse", *map(str, args)], stdout=stdout or subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout, env=env)


def one_line_error(result, exit_code: int = 1) -> str:
    assert result.returncode == exit_code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rehearse: error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture
def take(tmp_path, shared_audio) -> Path:
    path = tmp_path / "take.flac"
    path.write_bytes((shared_audio / "jfk.flac").read_bytes())
    return path


@pytest.fixture
def draft(tmp_path) -> Path:
    path = tmp_path / "draft.txt"
    path.write_text(DRAFT, encoding="utf-8")
    return path


# --- outputs that would destroy an input -------------------------------------------------


def test_html_onto_the_take_is_refused_and_the_take_kept(tmp_path, take):
    before = take.read_bytes()
    line = one_line_error(rehearse("analyze", take, "--html", take, tmp_path=tmp_path))
    assert "recording being analyzed" in line
    assert take.read_bytes() == before


def test_html_onto_the_draft_or_the_history_is_refused(tmp_path, draft):
    db = tmp_path / "history.sqlite3"
    db.write_bytes(b"")
    line = one_line_error(rehearse("analyze", "--text", draft, "--html", db, "--db", db, tmp_path=tmp_path))
    assert "practice history database" in line
    line = one_line_error(rehearse("analyze", "--text", draft, "--html", draft, tmp_path=tmp_path))
    assert "draft being analyzed" in line and draft.read_text(encoding="utf-8") == DRAFT
    line = one_line_error(rehearse("history", "--html", db, "--db", db, tmp_path=tmp_path))
    assert "practice history database" in line


def test_review_csv_onto_a_take_is_refused_before_any_work(tmp_path, take):
    before = take.read_bytes()
    started = time.perf_counter()
    line = one_line_error(rehearse("review", tmp_path, "--csv", take, "--workers", "1", tmp_path=tmp_path))
    assert "take under review" in line and take.read_bytes() == before
    assert time.perf_counter() - started < 60  # refused before the model loads or anything is analyzed


def test_a_failed_write_leaves_the_old_file_whole(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("the good report", encoding="utf-8")

    def half_then_fail(f):
        f.write("half a rep")
        raise OSError(28, "No space left on device")

    with pytest.raises(RehearseError, match="No space left on device"):
        files.write_atomic(target, half_then_fail, what="HTML report")
    assert target.read_text(encoding="utf-8") == "the good report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left behind
    files.write_atomic(target, lambda f: f.write("the new report"), what="HTML report")
    assert target.read_text(encoding="utf-8") == "the new report"


# --- every failure is one line -----------------------------------------------------------


@pytest.mark.parametrize("where", ["folder", "full_disk", "under_a_file", "read_only"])
def test_html_that_cannot_be_written_is_one_line(tmp_path, draft, where):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file", encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    mounted = where == "read_only" and ROOT_CAN_WRITE_ANYWHERE
    if mounted:
        # Root writes into a folder whatever its mode, so give it a read-only file system.
        for step in (["mount", "--bind", locked, locked], ["mount", "-o", "remount,ro,bind", locked]):
            done = subprocess.run([str(a) for a in step], capture_output=True, text=True, check=False)
            if done.returncode != 0:
                subprocess.run(["umount", str(locked)], capture_output=True, check=False)
                if os.environ.get("CI"):
                    pytest.fail(f"cannot make a read-only folder as root: {done.stderr.strip()}")
                pytest.skip(f"root cannot mount a read-only folder here: {done.stderr.strip()}")
    html = {"folder": tmp_path, "full_disk": Path("/dev/full"), "under_a_file": blocker / "r.html",
            "read_only": locked / "r.html"}[where]
    if where == "full_disk" and not html.exists():
        pytest.skip("no /dev/full on this system")
    try:
        result = rehearse("analyze", "--text", draft, "--html", html, "--no-history", tmp_path=tmp_path)
    finally:
        if mounted:
            subprocess.run(["umount", str(locked)], capture_output=True, check=False)
        locked.chmod(0o755)
    assert "HTML report" in one_line_error(result)
    assert list(locked.iterdir()) == []


def test_json_to_a_full_disk_is_one_line(tmp_path, draft):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        result = rehearse("analyze", "--text", draft, "--json", "--no-history", tmp_path=tmp_path, stdout=full)
    assert "No space left on device" in one_line_error(result)


def test_review_outputs_that_cannot_be_written_are_one_line_after_the_table(tmp_path, take):
    db = tmp_path / "history.sqlite3"
    first = rehearse("review", take, "--workers", "1", "--db", db, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    existing = tmp_path / "a-file"
    existing.write_text("keep me", encoding="utf-8")
    result = rehearse("review", take, "--workers", "1", "--db", db, "--out", existing, tmp_path=tmp_path)
    assert "analysis JSON" in one_line_error(result)
    assert "no question given" in result.stdout and "1 from the history" in result.stdout  # the table came out first
    assert existing.read_text(encoding="utf-8") == "keep me"
    if Path("/dev/full").exists():
        result = rehearse("review", take, "--workers", "1", "--db", db, "--csv", "/dev/full", tmp_path=tmp_path)
        assert "No space left on device" in one_line_error(result)


def _history_with_takes(tmp_path: Path, draft: Path, count: int) -> Path:
    db = tmp_path / "history.sqlite3"
    for n in range(count):
        variant = tmp_path / f"draft{n}.txt"
        variant.write_text(DRAFT + f" I have practised this {n + 1} times." + " Filler sentence." * 200,
                           encoding="utf-8")
        result = rehearse("analyze", "--text", variant, "--db", db, "--json", tmp_path=tmp_path)
        assert result.returncode == 0, result.stderr
    return db


def test_history_damaged_in_the_middle_is_one_line_for_every_command(tmp_path, draft):
    db = _history_with_takes(tmp_path, draft, 4)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    assert pages > 6
    data = bytearray(db.read_bytes())
    for n in range(3, pages):  # the schema page stays, so opening the file succeeds
        data[n * page:(n + 1) * page] = b"\xa5" * page
    db.write_bytes(bytes(data))
    for args in (["history"], ["compare", "1", "2"], ["review", draft.parent, "--workers", "1"]):
        line = one_line_error(rehearse(*args, "--db", db, tmp_path=tmp_path))
        assert "history" in line


@pytest.mark.parametrize("damage", ["not_a_database", "newer_schema"])
def test_a_history_that_cannot_be_written_keeps_the_report(tmp_path, draft, damage):
    db = tmp_path / "history.sqlite3"
    if damage == "not_a_database":
        db.write_bytes(b"not sqlite " * 500)
    else:
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA user_version = 99")
    result = rehearse("analyze", "--text", draft, "--json", "--db", db, tmp_path=tmp_path)
    assert json.loads(result.stdout)["transcript"]["words"]  # the report is out, whole
    line = one_line_error(result, exit_code=4)
    assert "report is complete" in line and "not recorded in the history" in line


def test_pack_that_is_not_utf8_is_one_line(tmp_path):
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "mine.toml").write_bytes('[[questions]]\nid = "mine/caf\u00e9"\n'.encode("latin-1"))
    line = one_line_error(rehearse("questions", "--packs", packs, tmp_path=tmp_path))
    assert "mine.toml" in line and "UTF-8" in line
    config = tmp_path / "config"
    (config / "rehearse" / "packs").mkdir(parents=True)
    (config / "rehearse" / "packs" / "mine.toml").write_bytes((packs / "mine.toml").read_bytes())
    line = one_line_error(rehearse("questions", tmp_path=tmp_path, env={"XDG_CONFIG_HOME": str(config)}))
    assert "mine.toml" in line and "UTF-8" in line


@pytest.mark.parametrize("option, device", [("--job", "/dev/zero"), ("--text", "/dev/urandom")])
def test_endless_text_inputs_are_refused_by_size(tmp_path, draft, option, device):
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    args = ["--text", draft, "--job", device] if option == "--job" else ["--text", device]
    started = time.perf_counter()
    line = one_line_error(rehearse("analyze", *args, "--no-history", tmp_path=tmp_path, timeout=120))
    assert "larger than" in line and time.perf_counter() - started < 60


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "utf-16-le"])
def test_drafts_in_other_encodings_are_read(tmp_path, encoding):
    text = DRAFT.replace("company", "caf\u00e9 company") + " I\u2019m sure." * (encoding == "cp1252")
    path = tmp_path / "draft.txt"
    path.write_bytes(text.encode(encoding))
    assert files.read_text(path, "draft") == text
    result = rehearse("analyze", "--text", path, "--json", "--no-history", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    words = [w["text"] for w in json.loads(result.stdout)["transcript"]["words"]]
    assert "caf\u00e9" in words


def test_binary_is_not_taken_for_a_draft(tmp_path, shared_audio):
    with pytest.raises(RehearseError, match="not text"):
        files.read_text(shared_audio / "jfk.flac", "draft", limit_bytes=10 << 20)


# --- smaller ------------------------------------------------------------------------------


def test_escape_sequences_never_reach_the_terminal_raw(tmp_path):
    evil = tmp_path / "\x1b]0;owned\x07\x1b[2J.txt"
    evil.write_text(DRAFT + " \x1b[31mred\x1b[0m \x9b31m", encoding="utf-8")
    result = rehearse("analyze", "--text", evil, "--no-history", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream and "\x07" not in stream and "\x9b" not in stream
    assert "\\x1b[31mred" in result.stdout
    missing = rehearse("analyze", tmp_path / "\x1b[31mnope.wav", "--no-history", tmp_path=tmp_path)
    assert "\x1b" not in missing.stderr and "\\x1b[31mnope.wav" in one_line_error(missing)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_thresholds_are_refused(value):
    from rehearse.options import Thresholds

    with pytest.raises(PackError, match="finite"):
        Thresholds().with_overrides({"fillers": {"max_filled_per_min": float(value)}}, source="pack.toml")


def test_six_channels_are_averaged_not_summed(tmp_path, shared_audio):
    from rehearse.speech import audio

    mono = audio.load(shared_audio / "jfk.flac").samples
    y = mono * (0.9 / np.abs(mono).max())
    path = tmp_path / "six.wav"
    sf.write(path, np.stack([y] * 6, axis=1), audio.SAMPLE_RATE, subtype="FLOAT")
    six = audio.load(path)
    assert six.channels == 6
    assert np.abs(six.samples).max() == pytest.approx(0.9, abs=0.01)  # a 5.1 sum came out 2-3x louder
    assert np.mean(np.abs(six.samples) >= 0.999) == 0.0


def test_mp3_with_junk_appended_is_decoded_and_the_junk_named(tmp_path, shared_audio, caplog, rng):
    from rehearse.speech import audio

    clean = audio.load(shared_audio / "apollo11.mp3")
    path = tmp_path / "junk.mp3"
    path.write_bytes((shared_audio / "apollo11.mp3").read_bytes() + rng.bytes(300_000))
    with caplog.at_level("WARNING", logger="rehearse"):
        take = audio.load(path)
    assert take.duration == pytest.approx(clean.duration, abs=0.1)
    assert "not audio and were left out" in caplog.text


def test_no_length_verdict_without_speech(rng):
    from rehearse import delivery
    from rehearse.options import Thresholds

    t = np.arange(60 * 16000) / 16000
    tones = (0.3 * np.sin(2 * math.pi * 440 * t) * (np.floor(t) % 2 == 0)).astype(np.float32)
    measured = delivery.measure(tones, (), Thresholds())
    assert measured.duration.speaking == 0.0 and measured.duration.total == pytest.approx(60.0)
    assert measured.duration.verdict != "ok"


def test_review_output_names_stay_inside_the_folder_and_unique():
    from rehearse.report.batch import unique_names

    paths = ["/home/u/takes/answer.wav", "/home/u/takes/answer.mp3", "/a/take.wav", "/b/take.wav",
             "/c/take.wav", "/c/take.WAV", "/d/..hidden.ogg"]
    names = unique_names(paths)
    assert len(set(names.values())) == len(paths)
    for name in names.values():
        assert "/" not in name and not name.startswith(".") and name
        assert Path("/out", f"{name}.json").parent == Path("/out")
    assert names["/home/u/takes/answer.wav"] == "answer_wav" and names["/a/take.wav"] == "a_take"


def test_takes_past_the_limit_are_refused_before_decoding(tmp_path):
    from rehearse.speech import audio

    path = tmp_path / "long.wav"
    rate = 8000
    with sf.SoundFile(path, "w", samplerate=rate, channels=1, subtype="PCM_16") as f:
        block = np.zeros(rate * 60, dtype=np.int16)
        for _ in range(int(audio.MAX_DURATION_S / 60) + 1):
            f.write(block)
    started = time.perf_counter()
    with pytest.raises(AudioError, match="min long"):
        audio.load(path)
    assert time.perf_counter() - started < 2  # nothing decoded


# --- workers end with the review ----------------------------------------------------------


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_review_workers_end_when_the_review_is_killed(tmp_path, shared_audio):
    takes = tmp_path / "takes"
    takes.mkdir()
    for n in range(4):  # long enough that a worker left behind would still be busy
        (takes / f"apollo{n}.mp3").write_bytes((shared_audio / "apollo11.mp3").read_bytes() + bytes([n]))
    env = {**os.environ, "REHEARSE_DB": str(tmp_path / "h.sqlite3")}
    review = subprocess.Popen([sys.executable, "-m", "rehearse", "review", str(takes), "--workers", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2:
            workers = {p for p in _children(review.pid)
                       if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")}
            time.sleep(0.2)
        assert len(workers) == 2, "the review did not start its workers"
        time.sleep(15)  # the workers have loaded and are analyzing
        assert review.poll() is None
        review.send_signal(signal.SIGKILL)
        review.wait(timeout=30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(p) for p in workers):
            time.sleep(0.2)
        assert not any(_alive(p) for p in workers), "workers outlived the review"
    finally:
        if review.poll() is None:
            review.kill()
        for p in _children(review.pid) | workers:
            try:
                os.kill(p, signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass

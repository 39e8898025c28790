"""Practice history on real SQLite files: recording, migrations, concurrent writers, trends and compare."""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import textwrap
import time
from contextlib import nullcontext
from pathlib import Path

import pytest

from rehearse.app import history
from rehearse.errors import HistoryError
from rehearse.app.history import History
from rehearse.app.take_metrics import Metrics
from rehearse.app.trends import MEASURES, question_trends, sparkline, verdict

CLIPS = ("mfa_uhum.flac", "mfa_um.flac", "jfk.flac")


@pytest.fixture(scope="module")
def analyses(transcriber, shared_audio):
    """Real analyses of three short clips (a run of fillers, one filler, fluent oratory)."""
    from rehearse.analysis import analyze

    return {name: analyze(shared_audio / name, transcriber=transcriber) for name in CLIPS}


def _rehearse(*args: str, db: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "REHEARSE_DB": str(db)}
    done = subprocess.run([sys.executable, "-m", "rehearse", *args], capture_output=True, text=True, env=env,
                          timeout=300)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_record_keeps_one_row_per_take_and_settings(tmp_path, analyses):
    take = analyses["mfa_uhum.flac"]
    db = tmp_path / "h.sqlite3"
    first = history.record(take, db_path=db, recorded_at="2024-05-01T10:00:00+02:00")
    again = history.record(take, db_path=db, recorded_at="2024-05-01T10:00:00+02:00")
    other_question = history.record(take, db_path=db, question_id="closing/feedback")
    assert first == again != other_question
    with History.open(db) as h:
        assert h.count() == 2
        stored = h.get(first)
        delivery = take.delivery
        assert stored.content_hash == history.file_hash(take.audio.path)
        assert stored.recorded_at == "2024-05-01T10:00:00+02:00"
        assert stored.model == take.transcription.model
        assert stored.metrics.wpm == delivery.pace.wpm
        assert stored.metrics.filled_per_min == delivery.fillers.filled_per_min
        assert stored.metrics.filled_count == delivery.fillers.filled_count
        assert stored.metrics.long_pauses == delivery.pauses.long_count
        assert stored.metrics.target_max_s == delivery.duration.target_max
        worst = take.ranked_findings()[0]  # what the terminal report puts first
        assert stored.metrics.top_issue == worst.message
        assert h.analysis(first) == json.loads(json.dumps(take.to_dict()))
        assert h.get(other_question).question == "closing/feedback"
        # Without a time, the file's modification time is the recording time.
        mtime = os.stat(take.audio.path).st_mtime
        assert history.parse_time(h.get(other_question).recorded_at).timestamp() == pytest.approx(mtime, abs=1)


def test_database_is_wal_and_versioned(tmp_path, analyses):
    db = tmp_path / "sub" / "h.sqlite3"
    history.record(analyses["jfk.flac"], db_path=db)
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION


def test_default_db_follows_rehearse_db(tmp_path, monkeypatch, analyses):
    db = tmp_path / "env.sqlite3"
    monkeypatch.setenv("REHEARSE_DB", str(db))
    assert history.default_db_path() == db
    take_id = history.record(analyses["jfk.flac"])
    with History.open(db) as h:
        assert h.get(take_id).path == analyses["jfk.flac"].audio.path


def test_user_pace_is_median_of_distinct_takes(tmp_path, analyses):
    db = tmp_path / "h.sqlite3"
    assert history.user_pace_wpm(db_path=db) is None
    history.record(analyses["mfa_uhum.flac"], db_path=db)
    history.record(analyses["mfa_uhum.flac"], db_path=db, question_id="a/b")  # the same take again
    history.record(analyses["mfa_um.flac"], db_path=db)
    assert history.user_pace_wpm(db_path=db) is None
    history.record(analyses["jfk.flac"], db_path=db)
    expected = statistics.median(a.delivery.pace.wpm for a in analyses.values())
    assert history.user_pace_wpm(db_path=db) == pytest.approx(expected, abs=0.05)


def test_migration_from_version_1_keeps_rows_and_backfills(tmp_path, analyses):
    db = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(db, isolation_level=None)
    history.migrate(raw, target=1)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1

    def insert_v1(take, analyzed_at: str) -> int:
        data = take.to_dict()
        cursor = raw.execute(
            "INSERT INTO takes (path, content_hash, question, recorded_at, analyzed_at, model, duration_s, wpm, "
            "filled_per_min, analysis_json) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)",
            (take.audio.path, history.file_hash(take.audio.path), "2024-01-02T09:00:00+00:00", analyzed_at,
             take.transcription.model, take.audio.duration, take.delivery.pace.wpm,
             take.delivery.fillers.filled_per_min, json.dumps(data)))
        return cursor.lastrowid

    uhum = analyses["mfa_uhum.flac"]
    older = insert_v1(uhum, "2024-01-02T09:01:00+00:00")
    newer = insert_v1(uhum, "2024-01-03T09:01:00+00:00")  # version 1 allowed the same take twice
    jfk = insert_v1(analyses["jfk.flac"], "2024-01-02T09:05:00+00:00")
    raw.close()

    with History.open(db) as h:
        assert h.count() == 3
        key = history.analysis_key(history.file_hash(uhum.audio.path), transcription=uhum.transcription,
                                   question_id=None, version=uhum.rehearse_version)
        assert h.lookup(key).id == newer
        assert h.get(older).metrics.top_issue == h.get(newer).metrics.top_issue
        backfilled = h.get(jfk).metrics
        assert backfilled.target_max_s == analyses["jfk.flac"].delivery.duration.target_max
        assert backfilled.long_pauses == analyses["jfk.flac"].delivery.pauses.long_count
        assert backfilled.findings_count == len(analyses["jfk.flac"].findings)
        assert [t.id for t in h.takes()] == [newer, jfk]
        # Recording the same take now updates the migrated row instead of adding one.
    assert history.record(uhum, db_path=db) == newer
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION


@pytest.mark.parametrize(("content", "expectation"), [
    (None, nullcontext()),
    (b"this is a text file, not SQLite" * 100, pytest.raises(HistoryError, match="not a rehearse history")),
    ("newer", pytest.raises(HistoryError, match="newer rehearse")),
], ids=["fresh", "not-a-database", "newer-schema"])
def test_open_refuses_what_it_cannot_use(tmp_path, content, expectation):
    db = tmp_path / "h.sqlite3"
    if content == "newer":
        with sqlite3.connect(db) as raw:
            raw.execute(f"PRAGMA user_version = {history.SCHEMA_VERSION + 1}")
    elif content is not None:
        db.write_bytes(content)
    with expectation:
        with History.open(db) as h:
            assert h.count() == 0


WRITER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from rehearse.app import history
    from rehearse.report.batch import analysis_from_dict

    source, db, tag, count, go = sys.argv[1:]
    take = analysis_from_dict(json.loads(Path(source).read_text()))
    while not Path(go).exists():
        time.sleep(0.005)
    ids = [history.record(take, db_path=db, question_id=f"{tag}/{i}") for i in range(int(count))]
    print(json.dumps(ids))
""")


def test_two_concurrent_writers_lose_nothing(tmp_path, analyses):
    source = tmp_path / "take.json"
    source.write_text(json.dumps(analyses["mfa_um.flac"].to_dict()))
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    db, go, count = tmp_path / "shared.sqlite3", tmp_path / "go", 150
    writers = [subprocess.Popen([sys.executable, str(script), str(source), str(db), tag, str(count), str(go)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for tag in ("left", "right")]
    time.sleep(1.0)  # both processes imported and waiting: they start writing together
    go.touch()
    outputs = [w.communicate(timeout=300) for w in writers]
    for writer, (_, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
    ids = [i for out, _ in outputs for i in json.loads(out)]
    assert len(set(ids)) == 2 * count
    with History.open(db) as h:
        assert h.count() == 2 * count
        questions = {t.question for t in h.takes()}
    assert questions == {f"{tag}/{i}" for tag in ("left", "right") for i in range(count)}


OPENER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from rehearse.app.history import History

    folder, go, files = sys.argv[1:]
    while not Path(go).exists():
        time.sleep(0.001)
    for i in range(int(files)):
        with History.open(Path(folder) / f"fresh{i}.sqlite3") as h:
            h.count()
""")


def test_processes_opening_a_new_history_together_all_get_it(tmp_path):
    # Two connections switching one new file to WAL at the same moment: SQLite refuses one
    # at once (no busy wait, it could deadlock); opening must wait its turn, not fail.
    script, go = tmp_path / "opener.py", tmp_path / "go"
    script.write_text(OPENER)
    openers = [subprocess.Popen([sys.executable, str(script), str(tmp_path), str(go), "40"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    time.sleep(1.0)
    go.touch()
    for opener in openers:
        _, err = opener.communicate(timeout=300)
        assert opener.returncode == 0, err
    for i in range(40):
        with History.open(tmp_path / f"fresh{i}.sqlite3") as h:
            assert h.count() == 0
            assert h._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.fixture
def practised(tmp_path, analyses):
    """A history of the three clips as three takes of one question, a day apart."""
    db = tmp_path / "h.sqlite3"
    ids = [history.record(analyses[name], db_path=db, question_id="test/q", recorded_at=f"2024-05-0{day}T18:00:00+02:00")
           for day, name in enumerate(CLIPS, start=1)]
    return db, ids


def test_trends_follow_the_recordings_and_find_recurring_issues(practised, analyses):
    db, ids = practised
    with History.open(db) as h:
        (trend,) = question_trends(h)
    assert trend.question == "test/q"
    assert [t.id for t in trend.takes] == ids
    by_issue: dict[str, int] = {}
    for take in analyses.values():
        assert all(f.kind for f in take.findings)
        for kind in {f.kind for f in take.findings}:
            by_issue[kind] = by_issue.get(kind, 0) + 1
    expected = sorted(n for n in by_issue.values() if n > 1)
    assert sorted(n for _, n in trend.recurring) == expected
    # All three clips are far shorter than the 60 s minimum: that issue keeps coming back.
    assert any("under the" in message and n == 3 for message, n in trend.recurring)


def test_history_command_shows_each_question_and_take(practised, analyses):
    db, ids = practised
    shown = _rehearse("history", db=db).stdout
    assert "test/q" in shown and "keeps coming back in 3 of 3 takes" in shown
    for take_id in ids:
        assert f"\n {take_id} " in shown or f"\n{take_id} " in shown
    data = json.loads(_rehearse("history", "-q", "test/q", "--json", db=db).stdout)
    assert [t["take_id"] for t in data[0]["takes"]] == ids
    wpm = [t["metrics"]["wpm"] for t in data[0]["takes"]]
    assert wpm == [analyses[name].delivery.pace.wpm for name in CLIPS]
    page = db.parent / "history.html"
    _rehearse("history", "--html", str(page), db=db)
    html = page.read_text(encoding="utf-8")
    assert "test/q" in html and all(name in html for name in CLIPS)
    missing = _rehearse("history", "-q", "nope/none", db=db, check=False)
    assert missing.returncode == 1 and "no takes of 'nope/none'" in missing.stderr


def test_compare_ids_reports_changes_and_fixed_issues(practised, analyses):
    db, ids = practised
    data = json.loads(_rehearse("compare", str(ids[0]), str(ids[1]), "--json", db=db).stdout)
    uhum, um = analyses["mfa_uhum.flac"], analyses["mfa_um.flac"]
    changes = {c["measure"]: c for c in data["changes"]}
    fillers = changes["filled_per_min"]
    assert (fillers["a"], fillers["b"]) == (uhum.delivery.fillers.filled_per_min, um.delivery.fillers.filled_per_min)
    assert fillers["a"] > fillers["b"] and fillers["verdict"] == "better"
    kinds_a, kinds_b = {f.kind: f.message for f in uhum.findings}, {f.kind: f.message for f in um.findings}
    assert data["fixed"] == [message for kind, message in kinds_a.items() if kind not in kinds_b]
    assert data["new"] == [message for kind, message in kinds_b.items() if kind not in kinds_a]
    assert data["kept"] == [{"a": message, "b": kinds_b[kind]} for kind, message in kinds_a.items() if kind in kinds_b]
    table = _rehearse("compare", str(ids[0]), str(ids[1]), db=db).stdout
    assert "um\u00b7uh /min" in table and f"#{ids[0]}" in table and f"#{ids[1]}" in table


def test_same_pitfall_in_other_words_remains_and_recurs(tmp_path):
    """Two drafts that lean on pay, quoting different words: one issue that stayed, not fixed + new."""
    from rehearse import packs
    from rehearse.app import drafts
    question = packs.load_packs(include_user=False).get("motivation/what-inspires-you")
    db = tmp_path / "h.sqlite3"
    texts = ("What inspires me is the money. I took my last job because the salary was the best on offer.",
             "Honestly I am driven by a fancy title. I want to get a promotion within a year of joining.")
    takes = [drafts.analyze_text(text, question=question, db=db) for text in texts]
    kind = "content.pitfall.extrinsic-motivation"
    (first,), (second,) = ([f for f in take.findings if f.kind == kind] for take in takes)
    # The suggestions quote each take's words, so keyed by suggestion they would not match.
    assert first.suggestion != second.suggestion
    ids = [history.record(take, db_path=db, question_id=question.id, recorded_at=f"2024-06-0{day}T09:00:00+00:00")
           for day, take in enumerate(takes, start=1)]
    data = json.loads(_rehearse("compare", str(ids[0]), str(ids[1]), "--json", db=db).stdout)
    assert {"a": first.message, "b": second.message} in data["kept"]
    assert first.message not in data["fixed"] and second.message not in data["new"]
    with History.open(db) as h:
        (trend,) = question_trends(h)
    assert (second.message, 2) in trend.recurring


def test_compare_files_analyzes_new_takes_once(tmp_path, shared_audio):
    db = tmp_path / "h.sqlite3"
    a, b = shared_audio / "mfa_er.flac", shared_audio / "mfa_youknow.flac"
    first = json.loads(_rehearse("compare", str(a), str(b), "--json", db=db).stdout)
    assert (first["a"]["path"], first["b"]["path"]) == (str(a), str(b))
    with History.open(db) as h:
        assert h.count() == 2
        analyzed_at = [t.analyzed_at for t in h.takes()]
    again = json.loads(_rehearse("compare", str(b), str(a), "--json", db=db).stdout)
    assert (again["a"]["take_id"], again["b"]["take_id"]) == (first["b"]["take_id"], first["a"]["take_id"])
    with History.open(db) as h:
        assert h.count() == 2 and [t.analyzed_at for t in h.takes()] == analyzed_at
    wrong = _rehearse("compare", str(a), "999", db=db, check=False)
    assert wrong.returncode == 1 and "no take #999" in wrong.stderr


_MEASURE = {m.name: m for m in MEASURES}


@pytest.mark.parametrize(("name", "before", "after", "expected"), [
    ("speaking_s", Metrics(speaking_s=95, target_min_s=60, target_max_s=90), Metrics(speaking_s=80, target_min_s=60, target_max_s=90), "better"),
    ("speaking_s", Metrics(speaking_s=70, target_min_s=60, target_max_s=90), Metrics(speaking_s=85, target_min_s=60, target_max_s=90), "same"),
    ("speaking_s", Metrics(speaking_s=70, target_min_s=60, target_max_s=90), Metrics(speaking_s=40, target_min_s=60, target_max_s=90), "worse"),
    ("wpm", Metrics(wpm=100, target_min_wpm=120, target_max_wpm=160), Metrics(wpm=115, target_min_wpm=120, target_max_wpm=160), "better"),
    ("wpm", Metrics(wpm=150, target_min_wpm=120, target_max_wpm=160), Metrics(wpm=175, target_min_wpm=120, target_max_wpm=160), "worse"),
    ("wpm", Metrics(wpm=123, target_min_wpm=120, target_max_wpm=160), Metrics(wpm=162, target_min_wpm=120, target_max_wpm=160), "worse"),
    ("wpm", Metrics(wpm=163, target_min_wpm=120, target_max_wpm=160), Metrics(wpm=166, target_min_wpm=120, target_max_wpm=160), "same"),
    ("filled_per_min", Metrics(filled_per_min=4.0), Metrics(filled_per_min=1.0), "better"),
    ("content_score", Metrics(content_score=40), Metrics(content_score=70), "better"),
    ("pitch_sd_st", Metrics(pitch_sd_st=3.0), Metrics(pitch_sd_st=1.5), "worse"),
    ("content_score", Metrics(content_score=None), Metrics(content_score=70), None),
])
def test_verdict_judges_each_measure_its_own_way(name, before, after, expected):
    assert verdict(_MEASURE[name], before, after) == expected


def test_sparkline_scales_between_extremes():
    line = sparkline([1.0, None, 3.0, 2.0])
    assert line[0] == "\u2581" and line[1] == " " and line[2] == "\u2588" and line[0] < line[3] < line[2]
    assert sparkline([None]) == ""

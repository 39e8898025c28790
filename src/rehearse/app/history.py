"""Practice history: every analyzed take, in one SQLite file.

One row per take and analysis settings (``analysis_key``): the same recording analyzed
again with the same settings updates its row instead of adding one, so trends count
each take once and a batch review can skip what it has seen. The database runs in WAL
mode with a busy timeout and every write is one ``BEGIN IMMEDIATE`` transaction, so
parallel reviews and a second terminal wait for each other instead of losing rows.
The schema is versioned with ``PRAGMA user_version``; ``MIGRATIONS`` upgrades older files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import statistics
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

from rehearse.errors import HistoryError
from rehearse.app.take_metrics import Metrics, metrics_of

BUSY_TIMEOUT_S = 60.0  # a long review in another terminal holds the write lock only per row
# Options that change speed, not the words: left out of the key so --workers reuses results.
_SPEED_ONLY_OPTIONS = ("cpu_threads",)


METRIC_COLUMNS = tuple(f.name for f in dataclasses.fields(Metrics))


@dataclass(frozen=True, slots=True)
class StoredTake:
    """One row of the history.

    Attributes:
        id: the row id (``rehearse compare 12 15`` uses it).
        path: where the take was when it was analyzed.
        content_hash: SHA-256 of the file's bytes.
        question: question id, or None.
        recorded_at: ISO 8601 with offset (practice metadata, else file time).
        analyzed_at: ISO 8601 with offset.
        source: "analyze", "practice", "review" or "compare".
        model: Whisper model used.
        metrics: the take's numbers.
    """

    id: int
    path: str | None
    content_hash: str
    question: str | None
    recorded_at: str
    analyzed_at: str
    source: str
    model: str | None
    metrics: Metrics

    @property
    def recorded(self) -> datetime:
        """``recorded_at`` as an aware datetime, for ordering."""
        return parse_time(self.recorded_at)


@dataclass(frozen=True, slots=True)
class StoredRound:
    """One mock interview round in the history (``rehearse interview``).

    Attributes:
        id: the row id.
        folder: the round's folder (``round.json`` and one folder per answer).
        round_id: which round ("standard", "quick").
        started_at: ISO 8601 with offset.
        complete: every question was answered.
        answers: answers given, follow-ups included.
        total_s: wall time of the round.
        mean_score: mean content score of the answers (follow-ups excluded).
        best: question id of the best answer.
        weakest: question id of the weakest answer.
        focus: the first thing to work on.
    """

    id: int
    folder: str
    round_id: str
    started_at: str
    complete: bool
    answers: int
    total_s: float | None
    mean_score: float | None
    best: str | None
    weakest: str | None
    focus: str | None


def _migration_1(db: sqlite3.Connection) -> None:
    db.execute("""CREATE TABLE takes (
        id INTEGER PRIMARY KEY,
        path TEXT,
        content_hash TEXT NOT NULL,
        question TEXT,
        recorded_at TEXT NOT NULL,
        analyzed_at TEXT NOT NULL,
        model TEXT,
        duration_s REAL, speaking_s REAL, wpm REAL, filled_per_min REAL, discourse_per_min REAL,
        long_pauses INTEGER, content_score REAL,
        analysis_json TEXT NOT NULL)""")
    db.execute("CREATE INDEX takes_question ON takes(question)")
    db.execute("CREATE INDEX takes_hash ON takes(content_hash)")


def _migration_2(db: sqlite3.Connection) -> None:
    """Cache keys for batch review, and every metric (re)computed from the stored analysis."""
    added = [c for c in METRIC_COLUMNS if c not in {r[1] for r in db.execute("PRAGMA table_info(takes)")}]
    for column in added:
        db.execute(f"ALTER TABLE takes ADD COLUMN {column} {_sql_type(column)}")
    db.execute("ALTER TABLE takes ADD COLUMN analysis_key TEXT")
    db.execute("ALTER TABLE takes ADD COLUMN source TEXT NOT NULL DEFAULT 'analyze'")
    db.execute("ALTER TABLE takes ADD COLUMN rehearse_version TEXT")
    seen: set[str] = set()
    rows = db.execute("SELECT id, content_hash, question, analysis_json FROM takes ORDER BY analyzed_at DESC, id DESC")
    for take_id, content_hash, question, text in rows.fetchall():
        data = json.loads(text)
        key = analysis_key(content_hash, transcription=data.get("transcription") or {}, question_id=question,
                           version=data.get("rehearse_version"))
        metrics = dataclasses.asdict(metrics_of(data))
        # An older file may hold the same take twice; the newest keeps the key.
        values = {**metrics, "analysis_key": None if key in seen else key,
                  "rehearse_version": data.get("rehearse_version")}
        seen.add(key)
        db.execute(f"UPDATE takes SET {', '.join(f'{c} = ?' for c in values)} WHERE id = ?", (*values.values(), take_id))
    db.execute("CREATE UNIQUE INDEX takes_key ON takes(analysis_key)")


def _migration_3(db: sqlite3.Connection) -> None:
    """Mock interview rounds (``rehearse interview``); their answers are rows of ``takes``."""
    db.execute("""CREATE TABLE rounds (
        id INTEGER PRIMARY KEY,
        folder TEXT NOT NULL UNIQUE,
        round_id TEXT NOT NULL,
        started_at TEXT NOT NULL,
        complete INTEGER NOT NULL,
        answers INTEGER NOT NULL,
        total_s REAL,
        mean_score REAL,
        best TEXT, weakest TEXT, focus TEXT,
        take_ids TEXT NOT NULL,
        report_json TEXT NOT NULL)""")


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_migration_1, _migration_2, _migration_3)
SCHEMA_VERSION = len(MIGRATIONS)


def _sql_type(column: str) -> str:
    hint = Metrics.__dataclass_fields__[column].type
    return "INTEGER" if "int" in str(hint) else "TEXT" if "str" in str(hint) else "REAL"


def default_db_path() -> Path:
    """``$REHEARSE_DB``, else ``history.sqlite3`` in the user data folder."""
    env = os.environ.get("REHEARSE_DB")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("rehearse")) / "history.sqlite3"


def file_hash(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, hex.

    Raises:
        OSError: the file cannot be read.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def analysis_key(content_hash: str, *, transcription: Any, question_id: str | None, version: str | None) -> str:
    """The cache key of one analysis: what was analyzed and every setting that shapes the result.

    Args:
        content_hash: ``file_hash`` of the take.
        transcription: a ``TranscriptionOptions`` or its dict form.
        question_id: the question asked for (None: no question given, or inferred).
        version: the rehearse version, so an upgrade analyzes again.
    """
    is_options = dataclasses.is_dataclass(transcription) and not isinstance(transcription, type)
    options = dataclasses.asdict(transcription) if is_options else dict(transcription)
    for name in _SPEED_ONLY_OPTIONS:
        options.pop(name, None)
    blob = json.dumps({"audio": content_hash, "transcription": options, "question": question_id, "version": version},
                      sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def now_iso() -> str:
    """The local time now, ISO 8601 with offset."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def parse_time(text: str) -> datetime:
    """An ISO 8601 time as an aware datetime (naive times are taken as local)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.astimezone()


class History:
    """An open history database. Use ``with History.open(path) as h:``."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path

    @classmethod
    def open(cls, db_path: str | os.PathLike | None = None) -> History:
        """Open (creating and migrating as needed) the history at ``db_path`` or the default.

        Raises:
            HistoryError: the file is not a history database, is from a newer rehearse, or
                cannot be opened.
        """
        path = Path(db_path).expanduser() if db_path is not None else default_db_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: writes take the lock up front with BEGIN IMMEDIATE, since a
            # deferred transaction upgrading to a writer fails at once instead of waiting.
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as e:
            raise HistoryError(f"{path}: cannot open the practice history: {e}") from e
        try:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            _retry_while_busy(lambda: _use_wal(db), path)
            _retry_while_busy(lambda: migrate(db, path=path), path)
        except sqlite3.DatabaseError as e:
            db.close()
            raise HistoryError(f"{path}: not a rehearse history database ({e}); pass another --db or move it away") from e
        except HistoryError:
            db.close()
            raise
        return cls(db, path)

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def save(self, data: dict[str, Any], *, content_hash: str, key: str, question_id: str | None,
             recorded_at: str, source: str) -> int:
        """Store one analysis (its JSON form); the same ``key`` again updates that row.

        Returns:
            The row id.
        """
        metrics = dataclasses.asdict(metrics_of(data))
        values = {
            "path": (data.get("audio") or {}).get("path"), "content_hash": content_hash, "analysis_key": key,
            "question": question_id, "recorded_at": recorded_at, "analyzed_at": now_iso(), "source": source,
            "model": (data.get("transcription") or {}).get("model"), "rehearse_version": data.get("rehearse_version"),
            **metrics, "analysis_json": json.dumps(data, separators=(",", ":")),
        }
        columns = ", ".join(values)
        updates = ", ".join(f"{c} = excluded.{c}" for c in values if c != "analysis_key")
        with self._write():
            row = self._db.execute(
                f"INSERT INTO takes ({columns}) VALUES ({', '.join('?' * len(values))}) "
                f"ON CONFLICT(analysis_key) DO UPDATE SET {updates} RETURNING id",
                tuple(values.values()),
            ).fetchone()
        return int(row[0])

    def lookup(self, key: str) -> StoredTake | None:
        """The take stored under an analysis key, if any."""
        rows = self._select("WHERE analysis_key = ?", (key,))
        return rows[0] if rows else None

    def get(self, take_id: int) -> StoredTake:
        """The take with this row id.

        Raises:
            HistoryError: there is none.
        """
        rows = self._select("WHERE id = ?", (take_id,))
        if not rows:
            raise HistoryError(f"no take #{take_id} in {self.path}; 'rehearse history' lists the ids")
        return rows[0]

    def by_hash(self, content_hash: str) -> StoredTake | None:
        """The most recent analysis of the take with these bytes, if any."""
        rows = self._select("WHERE content_hash = ? ORDER BY analyzed_at DESC, id DESC LIMIT 1", (content_hash,))
        return rows[0] if rows else None

    def analysis(self, take_id: int) -> dict[str, Any]:
        """The full analysis JSON of a stored take."""
        row = self._db.execute("SELECT analysis_json FROM takes WHERE id = ?", (take_id,)).fetchone()
        if row is None:
            raise HistoryError(f"no take #{take_id} in {self.path}")
        return json.loads(row[0])

    def findings(self, take_id: int) -> list[dict[str, Any]]:
        """The findings of a stored take, without parsing the rest of its analysis."""
        try:
            row = self._db.execute("SELECT json_extract(analysis_json, '$.findings') FROM takes WHERE id = ?",
                                   (take_id,)).fetchone()
        except sqlite3.OperationalError:  # an SQLite built without JSON functions
            return list(self.analysis(take_id).get("findings") or [])
        if row is None:
            raise HistoryError(f"no take #{take_id} in {self.path}")
        return json.loads(row[0]) if row[0] else []

    def takes(self, *, question: str | None = None) -> list[StoredTake]:
        """Every take once (its latest analysis per question), oldest recording first.

        Args:
            question: only this question's takes.
        """
        where, params = ("WHERE question = ?", (question,)) if question else ("", ())
        latest: dict[tuple[str, str | None], StoredTake] = {}
        for take in self._select(f"{where} ORDER BY analyzed_at, id", params):
            latest[(take.content_hash, take.question)] = take
        return sorted(latest.values(), key=lambda t: (t.recorded, t.id))

    def save_round(self, report: dict[str, Any], take_ids: list[int]) -> int:
        """Store a mock interview round (``round.json``); the same folder again updates its row."""
        answers = report.get("answers") or []
        by_position = {a["position"]: a for a in answers}
        scores = [a["score"] for a in answers if a.get("score") is not None]
        focus = report.get("focus") or []
        values = {
            "folder": report["folder"], "round_id": report["round_id"], "started_at": report["started_at"],
            "complete": int(bool(report.get("complete"))), "answers": len(answers), "total_s": report.get("total_s"),
            "mean_score": round(statistics.fmean(scores), 1) if scores else None,
            "best": (by_position.get(report.get("best")) or {}).get("question_id"),
            "weakest": (by_position.get(report.get("weakest")) or {}).get("question_id"),
            "focus": focus[0]["message"] if focus else None, "take_ids": json.dumps(take_ids),
            "report_json": json.dumps(report, separators=(",", ":")),
        }
        updates = ", ".join(f"{c} = excluded.{c}" for c in values if c != "folder")
        with self._write():
            row = self._db.execute(
                f"INSERT INTO rounds ({', '.join(values)}) VALUES ({', '.join('?' * len(values))}) "
                f"ON CONFLICT(folder) DO UPDATE SET {updates} RETURNING id", tuple(values.values())).fetchone()
        return int(row[0])

    def rounds(self) -> list[StoredRound]:
        """Every mock interview round, oldest first."""
        names = ("id", "folder", "round_id", "started_at", "complete", "answers", "total_s", "mean_score", "best",
                 "weakest", "focus")
        rows = self._db.execute(f"SELECT {', '.join(names)} FROM rounds ORDER BY started_at, id").fetchall()
        return [StoredRound(**{**dict(zip(names, row, strict=True)), "complete": bool(row[4])}) for row in rows]

    def count(self) -> int:
        """Rows in the history (analyses, not distinct takes)."""
        return int(self._db.execute("SELECT count(*) FROM takes").fetchone()[0])

    def _select(self, clause: str, params: tuple) -> list[StoredTake]:
        head = ("id", "path", "content_hash", "question", "recorded_at", "analyzed_at", "source", "model")
        rows = self._db.execute(f"SELECT {', '.join(head + METRIC_COLUMNS)} FROM takes {clause}", params).fetchall()
        return [StoredTake(**dict(zip(head, row, strict=False)), metrics=Metrics(*row[len(head):])) for row in rows]

    def _write(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on error, mapped to HistoryError."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, error, tb) -> None:
        if kind is None:
            try:
                self._db.execute("COMMIT")
                return
            except sqlite3.Error as e:  # never leave the transaction open behind an error
                kind, error = type(e), e
        self._db.execute("ROLLBACK")
        if isinstance(error, sqlite3.Error):
            raise HistoryError(f"cannot write the practice history: {error}") from error


def _use_wal(db: sqlite3.Connection) -> None:
    # Asking only when needed: a file already in WAL mode needs no exclusive lock.
    if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        db.execute("PRAGMA journal_mode = WAL")


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return any(word in str(error).lower() for word in ("locked", "busy"))


def _retry_while_busy(step: Callable[[], Any], path: Path) -> Any:
    """Run ``step``, trying again while another connection holds the lock.

    SQLite answers SQLITE_BUSY at once, without waiting on the busy timeout, where waiting
    could deadlock: two processes opening a new file together and both switching it to WAL,
    or reading while another runs WAL recovery. Those clear in milliseconds, so retry.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.005
    while True:
        try:
            return step()
        except (sqlite3.OperationalError, HistoryError) as e:
            cause = e if isinstance(e, sqlite3.OperationalError) else e.__cause__
            if not isinstance(cause, sqlite3.OperationalError) or not _is_busy(cause):
                raise
            if time.monotonic() >= deadline:
                raise HistoryError(f"{path}: the practice history stayed locked by another rehearse for "
                                   f"{BUSY_TIMEOUT_S:.0f} s; try again when it finishes") from cause
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def migrate(db: sqlite3.Connection, *, path: Path | str = "history", target: int = SCHEMA_VERSION) -> int:
    """Bring the schema up to ``target`` (tests use lower targets to make old files).

    Returns:
        The version the file was at before.

    Raises:
        HistoryError: the file was written by a newer rehearse.
    """
    if int(db.execute("PRAGMA user_version").fetchone()[0]) >= target:
        before = int(db.execute("PRAGMA user_version").fetchone()[0])
        if before > SCHEMA_VERSION:
            raise HistoryError(f"{path}: written by a newer rehearse (schema {before}, this one knows "
                               f"{SCHEMA_VERSION}); upgrade rehearse or pass another --db")
        return before
    with _Transaction(db):
        # Read again under the write lock: another process may have migrated meanwhile.
        before = int(db.execute("PRAGMA user_version").fetchone()[0])
        for version in range(before, target):
            MIGRATIONS[version](db)
        db.execute(f"PRAGMA user_version = {target}")
    return before


def _stored_recorded_at(analysis, recorded_at: str | None) -> str:
    if recorded_at:
        return recorded_at
    path = analysis.audio.path
    if path and Path(path).is_file():
        return datetime.fromtimestamp(Path(path).stat().st_mtime).astimezone().isoformat(timespec="seconds")
    return now_iso()


def _content_hash(data: dict[str, Any]) -> str:
    path = (data.get("audio") or {}).get("path")
    if path and Path(path).is_file():
        try:
            return file_hash(path)
        except OSError:
            pass
    # A typed draft or a file since removed: the words identify the take.
    text = (data.get("transcript") or {}).get("text") or ""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record(analysis, *, db_path: str | os.PathLike | None = None, question_id: str | None = None,
           recorded_at: str | None = None, source: str = "analyze") -> int:
    """Record one analyzed take in the history (what ``rehearse analyze`` and ``practice`` call).

    Args:
        analysis: an ``analysis.Analysis``.
        db_path: the database; default ``$REHEARSE_DB`` or the user data folder.
        question_id: the question answered; default the analysis's own question.
        recorded_at: ISO 8601 time of the recording; default the file's modification time.
        source: which command recorded it.

    Returns:
        The row id.
    """
    data = analysis.to_dict()
    if question_id is None and isinstance(data.get("question"), dict):
        question_id = data["question"].get("id")
    content_hash = _content_hash(data)
    key = analysis_key(content_hash, transcription=data.get("transcription") or {}, question_id=question_id,
                       version=data.get("rehearse_version"))
    with History.open(db_path) as history:
        return history.save(data, content_hash=content_hash, key=key, question_id=question_id,
                            recorded_at=_stored_recorded_at(analysis, recorded_at), source=source)


def user_pace_wpm(*, db_path: str | os.PathLike | None = None) -> float | None:
    """Median words/min over the user's recorded takes; None with fewer than 3 takes."""
    path = Path(db_path) if db_path is not None else default_db_path()
    if not path.exists():
        return None
    with History.open(path) as history:
        paces = [t.metrics.wpm for t in _distinct(history.takes()) if t.metrics.wpm]
    return round(statistics.median(paces), 1) if len(paces) >= 3 else None


def _distinct(takes: list[StoredTake]) -> Iterator[StoredTake]:
    seen: set[str] = set()
    for take in reversed(takes):
        if take.content_hash not in seen:
            seen.add(take.content_hash)
            yield take

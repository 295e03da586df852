"""The history database of a study folder: one SQLite file beside the study files (git-ignorable).

Each run is one row (time, armsflow version, git commit of the folder, inputs hash, parameters, results as JSON)
with the hash of every study file it read; the files themselves are kept once each by content, so that any recorded
run can be compared with another. Every write is one transaction: a killed process leaves the file as it was before
that write or after it, never between.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from armsflow.errors import InputError, Problem
from armsflow.study.loader import HISTORY_FILE

FILE = HISTORY_FILE
#: The layout this armsflow writes; a file with a higher number was written by a newer armsflow.
SCHEMA = 1
_TABLES = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    command TEXT NOT NULL,
    version TEXT NOT NULL,
    git_commit TEXT,
    inputs_sha256 TEXT NOT NULL,
    seed INTEGER NOT NULL,
    draws INTEGER NOT NULL,
    scenario TEXT,
    as_of TEXT,
    files TEXT NOT NULL,
    results TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);
"""


@dataclass(frozen=True)
class StoredRun:
    """One recorded run: its parameters, the hash of each study file it read, and its results (``run --json``)."""

    id: int
    time: str
    command: str
    version: str
    git_commit: str | None
    inputs_sha256: str
    seed: int
    draws: int
    scenario: str | None
    as_of: str | None
    files: dict[str, str]
    results: dict[str, Any]


def _damaged(path: Path, why: str) -> InputError:
    return InputError([Problem(str(path), 0, "", f"{why}; move it away and the next run starts a new history")])


@contextmanager
def connect(folder: Path, *, create: bool) -> Iterator[sqlite3.Connection]:
    """The history database of ``folder``, checked: a file that is not one, or from a newer armsflow, is refused."""
    path = folder / FILE
    if not create and not path.is_file():
        raise InputError([Problem(str(path), 0, "", "no run recorded yet: run the study first")])
    try:
        con = sqlite3.connect(path, timeout=30)
    except sqlite3.Error as exc:
        raise _damaged(path, f"cannot be opened ({exc})") from None
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA:
            raise InputError([Problem(str(path), 0, "", f"written by a newer armsflow (history format {version}, "
                                                        f"this one reads {SCHEMA}): upgrade armsflow")])
        if version < SCHEMA:
            with con:
                con.executescript(_TABLES)
                con.execute(f"PRAGMA user_version = {SCHEMA}")
        yield con
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, f"not a readable history database ({exc})") from None
    finally:
        con.close()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def add_run(folder: Path, run: StoredRun, files: dict[str, bytes], *, unless_last: bool = False) -> int:
    """Record ``run`` and the bytes of its ``files`` in one transaction; return the run's id. With ``unless_last``,
    a run whose inputs, seed, draws, scenario and cut-off are those of the last recorded run is not added and that
    run's id is returned; the check and the write are one transaction that holds the database's write lock
    (``BEGIN IMMEDIATE``), so two processes recording one state at once record it once."""
    with connect(folder, create=True) as con, con:
        con.execute("BEGIN IMMEDIATE")
        if unless_last:
            last = con.execute("SELECT id, inputs_sha256, seed, draws, scenario, as_of FROM runs "
                               "ORDER BY id DESC LIMIT 1").fetchone()
            if last is not None and tuple(last[1:]) == (run.inputs_sha256, run.seed, run.draws, run.scenario,
                                                        run.as_of):
                return int(last[0])
        con.executemany("INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)",
                        [(digest(data), data) for data in files.values()])
        cursor = con.execute(
            "INSERT INTO runs (time, command, version, git_commit, inputs_sha256, seed, draws, scenario, as_of, "
            "files, results) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run.time, run.command, run.version, run.git_commit, run.inputs_sha256, run.seed, run.draws,
             run.scenario, run.as_of, json.dumps(run.files, sort_keys=True), json.dumps(run.results)))
        assert cursor.lastrowid is not None
        return cursor.lastrowid


def _stored(row: tuple[Any, ...]) -> StoredRun:
    return StoredRun(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
                     json.loads(row[10]), json.loads(row[11]))


_COLUMNS = "id, time, command, version, git_commit, inputs_sha256, seed, draws, scenario, as_of, files, results"


def runs(folder: Path) -> list[StoredRun]:
    """Every recorded run of ``folder``, oldest first."""
    with connect(folder, create=False) as con:
        return [_stored(r) for r in con.execute(f"SELECT {_COLUMNS} FROM runs ORDER BY id")]


def last_run(folder: Path) -> StoredRun | None:
    """The run of ``folder`` recorded last, or ``None`` before the first."""
    with connect(folder, create=False) as con:
        row = con.execute(f"SELECT {_COLUMNS} FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    return _stored(row) if row is not None else None


def run_with_files(folder: Path, ident: int) -> tuple[StoredRun, dict[str, bytes]]:
    """One recorded run and the bytes of the study files it read."""
    with connect(folder, create=False) as con:
        row = con.execute(f"SELECT {_COLUMNS} FROM runs WHERE id = ?", (ident,)).fetchone()
        if row is None:
            known = [str(r[0]) for r in con.execute("SELECT id FROM runs ORDER BY id")]
            shown = ", ".join(known[-10:]) or "none"
            raise InputError([Problem(str(folder / FILE), 0, "", f"no run {ident} (recorded: {shown})")])
        run = _stored(row)
        files = {}
        for name, sha in run.files.items():
            blob = con.execute("SELECT data FROM blobs WHERE sha256 = ?", (sha,)).fetchone()
            if blob is None:
                raise _damaged(folder / FILE, f"run {ident}: the bytes of {name} are missing")
            files[name] = bytes(blob[0])
        return run, files

"""The local store of loaded lists: one SQLite file, each entry with the list, file and line it came from.

A load writes in one transaction after every file has been read, so a failed load leaves the store as it was. A
list loaded again (same list key: ``un-sc-consolidated``, ``ofac-sdn``, ...) replaces its earlier version.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from armsflow.errors import ParameterError
from armsflow.screen.imo import Imo
from armsflow.screen.records import Entry, ListName, Parsed

VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lists (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL, format TEXT NOT NULL, file TEXT NOT NULL, sha256 TEXT NOT NULL,
    authority TEXT NOT NULL, list_date TEXT, loaded_at TEXT NOT NULL, entries INTEGER NOT NULL,
    skipped INTEGER NOT NULL, warnings INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY, list_id INTEGER NOT NULL REFERENCES lists(id), kind TEXT NOT NULL, ref TEXT NOT NULL,
    listed_on TEXT, programs TEXT NOT NULL, imo TEXT, imo_valid INTEGER, mmsi TEXT NOT NULL, flag TEXT NOT NULL,
    vessel_type TEXT NOT NULL, owner TEXT NOT NULL, line INTEGER NOT NULL, names TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entries_list ON entries(list_id);
"""


@dataclass(frozen=True)
class StoredList:
    """A list as stored: its key, format, file, date and counts."""

    key: str
    format: str
    file: str
    authority: str
    list_date: date | None
    entries: int
    skipped: int
    warnings: int


@contextmanager
def _connect(db: Path, create: bool) -> Iterator[sqlite3.Connection]:
    if not create and not db.is_file():
        raise ParameterError("db", f"{db}: no screen store there; load lists into it first")
    try:
        with closing(sqlite3.connect(db)) as con:
            con.executescript(_SCHEMA)
            row = con.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            if row is None:
                con.execute("INSERT INTO meta VALUES ('version', ?)", (VERSION,))
                con.commit()
            elif row[0] != VERSION:
                raise ParameterError("db", f"{db}: a screen store of version {row[0]}; this armsflow reads {VERSION}")
            yield con
    except sqlite3.DatabaseError as exc:
        raise ParameterError("db", f"{db}: not a screen store ({exc})") from None


def write(db: Path, parsed: list[Parsed], hashes: dict[str, str]) -> tuple[list[str], int]:
    """Store ``parsed`` in one transaction, replacing earlier versions of the same lists; the keys replaced and the
    number of entries in the store afterwards."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with _connect(db, create=True) as con, con:
        keys = sorted({p.list_key for p in parsed})
        replaced = [k for (k,) in con.execute(
            f"SELECT DISTINCT key FROM lists WHERE key IN ({','.join('?' * len(keys))})", keys)]
        con.execute(f"DELETE FROM entries WHERE list_id IN (SELECT id FROM lists WHERE key IN "
                    f"({','.join('?' * len(keys))}))", keys)
        con.execute(f"DELETE FROM lists WHERE key IN ({','.join('?' * len(keys))})", keys)
        for p in parsed:
            cur = con.execute(
                "INSERT INTO lists (key, format, file, sha256, authority, list_date, loaded_at, entries, skipped, "
                "warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (p.list_key, p.format, p.file, hashes[p.file], p.authority,
                 p.list_date.isoformat() if p.list_date else None, now, len(p.entries), len(p.skipped),
                 len(p.warnings)))
            con.executemany(
                "INSERT INTO entries (list_id, kind, ref, listed_on, programs, imo, imo_valid, mmsi, flag, "
                "vessel_type, owner, line, names) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(cur.lastrowid, e.kind, e.ref, e.listed_on.isoformat() if e.listed_on else None,
                  json.dumps(list(e.programs)), e.imo.number if e.imo else None,
                  None if e.imo is None else int(e.imo.valid), e.mmsi, e.flag, e.vessel_type, e.owner, e.line,
                  json.dumps([[n.name, n.quality] for n in e.names], ensure_ascii=False)) for e in p.entries])
        total = con.execute("SELECT count(*) FROM entries").fetchone()[0]
    return replaced, int(total)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def read(db: Path) -> tuple[list[StoredList], list[tuple[Entry, StoredList]]]:
    """Every list of the store and every entry with its list."""
    with _connect(db, create=False) as con:
        lists: dict[int, StoredList] = {}
        for (ident, key, fmt, file, authority, list_date, entries, skipped, warnings) in con.execute(
                "SELECT id, key, format, file, authority, list_date, entries, skipped, warnings FROM lists "
                "ORDER BY key, id"):
            lists[ident] = StoredList(key, fmt, file, authority, _day(list_date), entries, skipped, warnings)
        out = []
        for (list_id, kind, ref, listed_on, programs, imo, imo_valid, mmsi, flag, vessel_type, owner, line,
             names) in con.execute("SELECT list_id, kind, ref, listed_on, programs, imo, imo_valid, mmsi, flag, "
                                   "vessel_type, owner, line, names FROM entries ORDER BY id"):
            entry = Entry(kind, ref, [ListName(n, q) for n, q in json.loads(names)], _day(listed_on),
                          tuple(json.loads(programs)), Imo(imo, bool(imo_valid)) if imo else None, mmsi, flag,
                          vessel_type, owner, line)
            out.append((entry, lists[list_id]))
    return list(lists.values()), out

"""The GDELT store: a folder of Parquet parts and a DuckDB catalogue saying which parts and source files it holds.

Layout of a store folder ``DB``::

    DB/catalogue.duckdb      tables ``meta``, ``parts`` (one row per Parquet part) and ``files`` (one per source file)
    DB/events/part-*.parquet the 7 columns of ``schema.STORED``, typed; every GLOBALEVENTID once in the whole store
    DB/volume/part-*.parquet the part's event count per (SQLDATE, date of DATEADDED): the normalisation denominator
    DB/.lock                 held by a running import, so two imports never write at once

A part becomes visible only when the catalogue lists it; readers take the part list from the catalogue, never from a
folder listing, so a part left behind by an interrupted import is ignored (and removed by the next import).
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

import duckdb

from armsflow.errors import InputError, Problem

FORMAT_VERSION = "3"  # 3: files named by a digest with its algorithm; 2: only the seven STORED columns; 1: all 61
#: Formats whose parts this version reads: 2 and 3 differ only in the catalogue's ``files`` table, which queries do
#: not read; an import upgrades a format 2 store (``upgrade``).
READABLE = ("2", FORMAT_VERSION)
CATALOGUE = "catalogue.duckdb"
EVENTS = "events"
VOLUME = "volume"
LOCK = ".lock"
DAMAGED = "damaged"  # where repair_store moves parts that do not read
SCRATCH = ".scratch-"  # prefix of the folder zip members are extracted to during an import


def sql_string(text: str) -> str:
    """``text`` as a DuckDB string literal: paths go into SQL this way, as COPY and ATTACH take no parameters."""
    return "'" + text.replace("'", "''") + "'"


def sql_list(paths: Iterable[str | Path]) -> str:
    """A DuckDB list literal of paths, for ``read_csv`` and ``read_parquet``."""
    return "[" + ", ".join(sql_string(str(path)) for path in paths) + "]"


FILES_COLUMNS = """(
    name VARCHAR NOT NULL, size BIGINT NOT NULL, digest VARCHAR NOT NULL, part VARCHAR,
    rows_rejected BIGINT NOT NULL, imported_at TIMESTAMP NOT NULL, PRIMARY KEY (name, size, digest))"""
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('format', '{FORMAT_VERSION}'), ('created', CAST(current_timestamp AS VARCHAR));
CREATE TABLE IF NOT EXISTS parts (
    part VARCHAR PRIMARY KEY, rows BIGINT NOT NULL, id_min BIGINT, id_max BIGINT,
    sqldate_min DATE, sqldate_max DATE, created TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS files {FILES_COLUMNS};
"""
# Format 2 named each file by its bare SHA-256; format 3 keeps those as "sha256:HEX" beside new "blake3:HEX" ones.
UPGRADE_FROM_2 = f"""
CREATE TABLE files_3 {FILES_COLUMNS};
INSERT INTO files_3 SELECT name, size, 'sha256:' || sha256, part, rows_rejected, imported_at FROM files;
DROP TABLE files;
ALTER TABLE files_3 RENAME TO files;
UPDATE meta SET value = '3' WHERE key = 'format';
"""


@dataclass(frozen=True)
class Part:
    """One Parquet part of the store and the range of GLOBALEVENTIDs and SQLDATEs it holds."""

    path: Path
    rows: int
    id_min: int | None
    id_max: int | None
    sqldate_min: date | None
    sqldate_max: date | None

    @property
    def volume(self) -> Path:
        """The part's daily event counts (``SQLDATE``, ``ADDED``, ``EVENTS``)."""
        return self.path.parent.parent / VOLUME / self.path.name


def catalogue_path(db: Path) -> Path:
    return Path(db) / CATALOGUE


def events_dir(db: Path) -> Path:
    return Path(db) / EVENTS


def volume_dir(db: Path) -> Path:
    return Path(db) / VOLUME


#: Seconds to wait for another process to let go of the catalogue before saying the store is in use.
LOCK_WAIT_S = 10.0
#: The command that repairs a damaged store (``repair.repair_store``), named in the damage messages.
REPAIR = "armsflow gdelt repair"


def damaged(db: Path, what: str) -> InputError:
    """The one-line error for a damaged store: what is wrong, and the command that repairs it."""
    return InputError([Problem(str(db), 0, "", f"the store is damaged ({what}): run '{REPAIR}' on it")])


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


@contextlib.contextmanager
def connect_catalogue(db: Path, *, read_only: bool, wait_s: float | None = None
                      ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection to the catalogue; retries while another process holds DuckDB's write lock."""
    con = _retry_on_lock(db, lambda: duckdb.connect(str(catalogue_path(db)), read_only=read_only), wait_s)
    try:
        yield con
    finally:
        con.close()


T = TypeVar("T")


def _retry_on_lock(db: Path, action: Callable[[], T], wait_s: float | None = None) -> T:
    """Run ``action``, retrying for up to ``wait_s`` seconds (``LOCK_WAIT_S``) while another process holds DuckDB's
    lock on the catalogue; then the store is in use. A catalogue DuckDB cannot open is damaged."""
    deadline = time.monotonic() + (LOCK_WAIT_S if wait_s is None else wait_s)
    while True:
        try:
            return action()
        except duckdb.InterruptException:
            raise
        except duckdb.Error as exc:
            if "lock" not in str(exc).lower():
                if catalogue_path(db).is_file():
                    raise damaged(db, f"its catalogue cannot be opened: {first_line(exc)}") from None
                raise
            if time.monotonic() > deadline:
                raise InputError([Problem(str(db), 0, "", "the store is in use by another process (its catalogue "
                                          "is locked): try again when that process has finished")]) from None
            time.sleep(0.05)


_LOCAL = threading.local()


def shared_connection() -> duckdb.DuckDBPyConnection:
    """This thread's in-memory DuckDB connection, kept for the life of the thread.

    Starting a DuckDB instance costs more than a monthly query on a few million events; readers attach the
    catalogue to this connection and run queries on it instead.
    """
    con: duckdb.DuckDBPyConnection | None = getattr(_LOCAL, "con", None)
    if con is None:
        con = _LOCAL.con = quiet_connection()
    return con


def quiet_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection without the progress bar, which DuckDB prints to standard output during a query
    of over two seconds (a large batch, a streamed member) and which would break ``--json`` output."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con


@contextlib.contextmanager
def attached_catalogue(db: Path, wait_s: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The shared connection with the catalogue attached read-only as ``gdelt_catalogue`` (detached afterwards)."""
    con = shared_connection()
    quoted = sql_string(str(catalogue_path(db)))
    _retry_on_lock(db, lambda: con.execute(f"ATTACH {quoted} AS gdelt_catalogue (READ_ONLY)"), wait_s)
    try:
        yield con
    finally:
        con.execute("DETACH gdelt_catalogue")


def require_store(db: Path) -> None:
    """Raise a one-line ``InputError`` unless ``db`` is a store folder made by ``import_files``."""
    if not catalogue_path(db).is_file():
        raise InputError([Problem(str(db), 0, "", "not a GDELT store (no catalogue.duckdb): "
                                  "import GDELT files into it first")])


def read_parts(db: Path) -> list[Part]:
    """The parts the catalogue lists, oldest first."""
    require_store(db)
    with attached_catalogue(db) as con:
        try:
            found = con.execute("SELECT value FROM gdelt_catalogue.meta WHERE key = 'format'").fetchone()
            rows = con.execute("SELECT part, rows, id_min, id_max, sqldate_min, sqldate_max "
                               "FROM gdelt_catalogue.parts ORDER BY created, part").fetchall()
        except duckdb.Error as exc:
            if isinstance(exc, duckdb.InterruptException):
                raise
            raise damaged(db, f"its catalogue cannot be read: {first_line(exc)}") from None
    _check_format(db, found[0] if found else None)
    parts = [Part(events_dir(db) / f"{name}.parquet", int(n), lo, hi, d0, d1) for name, n, lo, hi, d0, d1 in rows]
    for part in parts:
        for path in (part.path, part.volume):
            trouble = parquet_trouble(path)
            if trouble:
                raise damaged(db, f"{path.relative_to(db)} is {trouble}")
    return parts


def parquet_trouble(path: Path) -> str | None:
    """Why ``path`` is plainly not a whole Parquet file (missing, or cut short: no footer), or None.

    One small read at the end of the file: a part cut short by a crash or a full disk has no footer. Damage
    inside a file is found only by reading it (``repair_store`` reads every part).
    """
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, 2)
            if size < 12:
                return "cut short"
            handle.seek(size - 8)
            tail = handle.read(8)
    except FileNotFoundError:
        return "listed in the catalogue but missing"
    footer = int.from_bytes(tail[:4], "little")
    if tail[4:] != b"PAR1" or footer > size - 12:
        return "cut short (no Parquet footer)"
    return None


def _check_format(db: Path, found: str | None) -> None:
    if found not in READABLE:
        raise InputError([Problem(str(db), 0, "", f"store format {found or '?'} is not "
                                  f"{' or '.join(READABLE)}: import the files into a new store")])


def known_files(con: duckdb.DuckDBPyConnection) -> set[tuple[str, int, str]]:
    """(name, size, digest) of every source file already imported; a digest is "ALGORITHM:HEX"."""
    return {(str(n), int(s), str(h)) for n, s, h in con.execute("SELECT name, size, digest FROM files").fetchall()}


def upgrade(con: duckdb.DuckDBPyConnection, db: Path) -> None:
    """Bring the catalogue of a format 2 store to the current format, in one transaction (nothing else changes)."""
    found = con.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    _check_format(db, found[0] if found else None)
    if found is not None and found[0] == "2":
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(UPGRADE_FROM_2)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


@contextlib.contextmanager
def import_lock(db: Path) -> Iterator[None]:
    """Hold the store's import lock (an advisory ``flock`` on ``DB/.lock``); fail at once if another import runs."""
    Path(db).mkdir(parents=True, exist_ok=True)
    with open(Path(db) / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError([Problem(str(db), 0, "", "the store is in use by another import: try again when "
                                      "it has finished")]) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_store(db: Path) -> set[tuple[str, int, str]]:
    """Create the store if needed, remove what an interrupted import left behind, and list the imported files.

    Must be called under ``import_lock``.
    """
    existed = catalogue_path(db).is_file()
    if not existed and any(events_dir(db).glob("part-*.parquet")):
        # Without its catalogue every part would look left behind and be removed below.
        raise damaged(db, f"{CATALOGUE} is missing but events/ holds parts")
    events_dir(db).mkdir(parents=True, exist_ok=True)
    volume_dir(db).mkdir(parents=True, exist_ok=True)
    with connect_catalogue(db, read_only=False) as con:
        try:
            if existed:  # its tables must be there: SCHEMA would make a damaged catalogue look empty
                con.execute("SELECT count(*) FROM meta, (SELECT count(*) FROM parts), (SELECT count(*) FROM files)")
            con.execute(SCHEMA)
            upgrade(con, db)
            listed = {str(p) for (p,) in con.execute("SELECT part FROM parts").fetchall()}
            known = known_files(con)
        except duckdb.Error as exc:
            if isinstance(exc, duckdb.InterruptException):
                raise
            raise damaged(db, f"its catalogue cannot be read: {first_line(exc)}") from None
    for leftover in [*events_dir(db).iterdir(), *volume_dir(db).iterdir()]:
        if leftover.name.startswith(".") or (leftover.suffix == ".parquet" and leftover.stem not in listed):
            leftover.unlink()
    for scratch in Path(db).glob(f"{SCRATCH}*"):
        shutil.rmtree(scratch, ignore_errors=True)
    return known

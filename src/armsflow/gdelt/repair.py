"""Repair a damaged store: keep every part that reads whole, drop the rest, and rebuild the catalogue if it is lost.

A store is damaged when its catalogue cannot be opened or read, or a part it lists is missing, cut short or
unreadable (a disk fault, a copy cut off, a file edited by hand). The events are a copy of the user's GDELT files,
so nothing is guessed: ``repair_store`` reads every part in full and keeps those that read; a damaged part is moved
to ``DB/damaged/`` and the source files it held are forgotten by the catalogue, so importing them again restores
its events (events still held are skipped as duplicates). A catalogue that cannot be read is moved aside
(``catalogue.duckdb.damaged-<time>``) and rebuilt from the parts that read; it then knows no source files, so the
next import reads every file again and skips the events already held.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import duckdb

from armsflow.errors import InputError, Problem
from armsflow.gdelt.results import RepairReport
from armsflow.gdelt.store import (
    CATALOGUE,
    DAMAGED,
    SCHEMA,
    catalogue_path,
    connect_catalogue,
    events_dir,
    import_lock,
    quiet_connection,
    sql_string,
    volume_dir,
)

PARQUET = "FORMAT parquet, COMPRESSION snappy"


def _reads(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[int, Any, Any, Any, Any] | None:
    """(rows, id_min, id_max, sqldate_min, sqldate_max) of a part read in full, or None if it does not read."""
    try:
        # The hash of every column makes DuckDB read every value, not only the statistics in the footer.
        row = con.execute(
            f"SELECT count(*), min(GLOBALEVENTID), max(GLOBALEVENTID), min(SQLDATE), max(SQLDATE), "
            f"bit_xor(hash(COLUMNS(*))) FROM read_parquet({sql_string(str(path))})").fetchone()
    except duckdb.InterruptException:
        raise
    except duckdb.Error:
        return None
    return (int(row[0]), row[1], row[2], row[3], row[4]) if row else None


def _volume(con: duckdb.DuckDBPyConnection, part: Path, rows: int) -> bool:
    """Write the part's volume file again (it is derived from the part) unless it reads and counts the part's
    ``rows``; whether it was written."""
    volume = volume_dir(part.parent.parent) / part.name
    try:
        found = con.execute(f"SELECT sum(EVENTS) FROM read_parquet({sql_string(str(volume))})").fetchone()
        if found is not None and found[0] == rows:
            return False
    except duckdb.InterruptException:
        raise
    except duckdb.Error:
        pass
    hidden = volume.with_name(f".{volume.name}.tmp")
    con.execute(f"COPY (SELECT SQLDATE, CAST(DATEADDED AS DATE) AS ADDED, count(*) AS EVENTS "
                f"FROM read_parquet({sql_string(str(part))}) GROUP BY ALL) TO {sql_string(str(hidden))} ({PARQUET})")
    os.replace(hidden, volume)
    return True


def _move_aside(db: Path, part: Path) -> None:
    target = Path(db) / DAMAGED
    target.mkdir(exist_ok=True)
    for path in (part, volume_dir(db) / part.name):
        if path.exists():
            os.replace(path, target / f"{path.parent.name}-{path.name}")


def repair_store(db: Path) -> RepairReport:
    """Repair the store folder ``db`` (see the module's docstring); run it when an import or a query says the store
    is damaged. Holds the import lock, so no import runs meanwhile. A store without damage is left as it is."""
    db = Path(db)
    if not events_dir(db).is_dir() and not catalogue_path(db).is_file():
        raise InputError([Problem(str(db), 0, "", "not a GDELT store (no catalogue.duckdb, no events/)")])
    report = RepairReport()
    with import_lock(db):
        listed: dict[str, int] | None = None  # part -> rows, from a catalogue that reads
        try:
            with connect_catalogue(db, read_only=False) as con:
                con.execute("SELECT count(*) FROM meta, (SELECT count(*) FROM files)").fetchone()
                listed = {str(p): int(n) for p, n in con.execute("SELECT part, rows FROM parts").fetchall()}
        except InputError as exc:
            if "in use" in str(exc):
                raise
        except duckdb.InterruptException:
            raise
        except duckdb.Error:
            pass
        scratch = quiet_connection()
        try:
            if listed is None:
                _rebuild(db, scratch, report)
            else:
                _check_listed(db, scratch, listed, report)
        finally:
            scratch.close()
    return report


def _check_listed(db: Path, con: duckdb.DuckDBPyConnection, listed: dict[str, int], report: RepairReport) -> None:
    """Read every part the catalogue lists; drop those that do not read whole or hold other than the events the
    catalogue says, with their files."""
    bad: list[str] = []
    for name in sorted(listed):
        path = events_dir(db) / f"{name}.parquet"
        read = _reads(con, path) if path.is_file() else None
        if read is None or read[0] != listed[name]:
            bad.append(name)
            continue
        report.volumes_rewritten += _volume(con, path, read[0])
        report.parts_kept += 1
        report.events_kept += read[0]
    if not bad:
        return
    with connect_catalogue(db, read_only=False) as cat:
        placeholders = ", ".join("?" * len(bad))
        report.reimport = sorted({str(n) for (n,) in cat.execute(
            f"SELECT name FROM files WHERE part IN ({placeholders})", bad).fetchall()})
        cat.execute("BEGIN TRANSACTION")
        cat.execute(f"DELETE FROM files WHERE part IN ({placeholders})", bad)
        cat.execute(f"DELETE FROM parts WHERE part IN ({placeholders})", bad)
        cat.execute("COMMIT")
    for name in bad:
        _move_aside(db, events_dir(db) / f"{name}.parquet")
    report.parts_removed = bad


def _rebuild(db: Path, con: duckdb.DuckDBPyConnection, report: RepairReport) -> None:
    """Move the unreadable catalogue aside and write a new one listing the parts that read whole, oldest first.

    A part whose events another kept part already holds (one an interrupted import left behind, then wrote
    again) is dropped, so that every GLOBALEVENTID stays in one part.
    """
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for path in (catalogue_path(db), Path(f"{catalogue_path(db)}.wal")):
        if path.exists():
            os.replace(path, path.with_name(f"{path.name}.damaged-{stamp}"))
    events_dir(db).mkdir(parents=True, exist_ok=True)
    volume_dir(db).mkdir(parents=True, exist_ok=True)
    parts = sorted(events_dir(db).glob("part-*.parquet"), key=lambda p: (p.stat().st_mtime, p.name))
    kept: list[tuple[str, int, Any, Any, Any, Any]] = []
    for path in parts:
        read = _reads(con, path)
        overlaps = False
        if read is not None and kept and read[1] is not None:
            held = ", ".join(sql_string(str(events_dir(db) / f"{k[0]}.parquet")) for k in kept)
            found = con.execute(
                f"SELECT count(*) FROM read_parquet({sql_string(str(path))}) WHERE GLOBALEVENTID IN "
                f"(SELECT GLOBALEVENTID FROM read_parquet([{held}]))").fetchone()
            overlaps = bool(found and found[0])
        if read is None or overlaps:
            _move_aside(db, path)
            report.parts_removed.append(path.stem)
            continue
        report.volumes_rewritten += _volume(con, path, read[0])
        kept.append((path.stem, *read))
        report.parts_kept += 1
        report.events_kept += read[0]
    tmp = db / f".{CATALOGUE}.rebuilt"
    tmp.unlink(missing_ok=True)
    with duckdb.connect(str(tmp)) as cat:
        cat.execute(SCHEMA)
        cat.executemany("INSERT INTO parts VALUES (?, ?, ?, ?, ?, ?, current_timestamp)", kept)
    os.replace(tmp, catalogue_path(db))
    report.catalogue_rebuilt = True


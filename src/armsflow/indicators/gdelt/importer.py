"""Import GDELT 2.0 export files (61 tab-separated columns, no header; ``.CSV`` or ``.CSV.zip``) into a store.

DuckDB's own CSV reader parses a batch of files at once with explicit column types; lines it cannot read (wrong
column count, a field that does not parse) land in its rejects table, rows without an id, a date or a valid event
code are caught by one SQL check, and both are counted and reported as ``file:line: field: message``. Each batch
is written to a Parquet part (write, fsync, rename) and then recorded in the catalogue in one transaction.
"""

from __future__ import annotations

import glob
import hashlib
import shutil
import tempfile
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from armsflow.errors import Problem, StudyError
from armsflow.indicators.gdelt.batch import BatchWriter, Source
from armsflow.indicators.gdelt.store import SCRATCH, import_lock, open_store, read_parts

#: Uncompressed CSV bytes per batch (one Parquet part); about 1.4 M rows of real GDELT.
BATCH_BYTES = 512 * 2**20
#: The most problems ``ImportReport.samples`` shows (each file contributes its first five).
MAX_SAMPLES = 100
#: Files hashed (and zips extracted) ahead of the batch DuckDB is reading, in a background thread.
LOOKAHEAD_FILES = 64
EXPORT_SUFFIXES = (".export.csv", ".export.csv.zip")

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What one ``import_files`` call did. Every rejected row is counted; ``samples`` shows the first of them."""

    files_imported: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    duplicates_skipped: int = 0
    samples: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows_imported / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["samples"] = [str(p) for p in self.samples]
        return data

    def __str__(self) -> str:
        lines = [f"imported {self.rows_imported:,} rows from {self.files_imported} files in {self.seconds:.1f} s",
                 f"rejected {self.rows_rejected:,} rows; skipped {self.duplicates_skipped:,} duplicate events",
                 f"skipped {self.files_skipped} files already imported; {self.files_failed} files unreadable"]
        return "\n".join(lines + [str(p) for p in self.samples])

    def add_samples(self, problems: Sequence[Problem]) -> None:
        room = MAX_SAMPLES - len(self.samples)
        self.samples.extend(sorted(problems)[:max(room, 0)])


def find_files(paths: Sequence[Path | str]) -> list[Path]:
    """Expand files, folders (every ``*.export.CSV`` and ``*.export.CSV.zip`` below) and glob patterns, in order."""
    found: list[Path] = []
    problems: list[Problem] = []
    for given in paths:
        text = str(given)
        path = Path(text)
        if glob.has_magic(text):
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True) if Path(m).is_file())
            found.extend(matches)
            if not matches:
                problems.append(Problem(text, 0, "", "no file matches this pattern"))
        elif path.is_dir():
            exports = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(EXPORT_SUFFIXES))
            found.extend(exports)
            if not exports:
                problems.append(Problem(text, 0, "", "no GDELT export files (*.export.CSV, *.export.CSV.zip) here"))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(Problem(text, 0, "", "no such file or folder"))
    if problems:
        raise StudyError(problems)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def _prepare(path: Path, scratch: Path, known: set[tuple[str, int, str]]) -> Source:
    """Hash one file and, if it is a new zip, extract its one member to ``scratch``. Runs in a worker thread."""
    source = Source(str(path), path.name, 0)
    try:
        digest = hashlib.sha256()
        head = b""
        with open(path, "rb") as handle:
            while chunk := handle.read(4 * 2**20):
                head = head or chunk[:4]
                digest.update(chunk)
                source.size += len(chunk)
        source.sha256 = digest.hexdigest()
        if source.key in known:
            return source
        if not (path.name.lower().endswith(".zip") or head == b"PK\x03\x04"):
            source.csv, source.csv_bytes = path, source.size
            return source
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                source.problem = Problem(source.label, 0, "zip", f"expected one CSV file inside, found {len(members)}")
                return source
            target = scratch / f"{source.sha256[:16]}-{Path(members[0].filename).name}"
            with archive.open(members[0]) as inner, open(target, "wb") as out:
                shutil.copyfileobj(inner, out, 4 * 2**20)
            source.csv, source.csv_bytes, source.extracted = target, members[0].file_size, True
    except (OSError, zipfile.BadZipFile, EOFError, ValueError) as exc:
        source.problem = Problem(source.label, 0, "", f"cannot read: {exc}")
    return source


def _prepared(files: list[Path], scratch: Path, known: set[tuple[str, int, str]],
              ahead_bytes: int) -> Iterator[Source]:
    """Every file prepared, in order, with hashing and unzipping done ahead in one background thread.

    The thread works at most ``LOOKAHEAD_FILES`` files or about ``ahead_bytes`` of CSV ahead (a zip counted as six
    times its size), so extracted members never pile up in the scratch folder.
    """
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gdelt-hash")
    pending: deque[tuple[Future[Source], int]] = deque()
    queue = deque(files)
    try:
        while queue or pending:
            while queue and (not pending or (len(pending) < LOOKAHEAD_FILES
                                             and sum(size for _, size in pending) < ahead_bytes)):
                path = queue.popleft()
                try:
                    size = path.stat().st_size * (6 if path.name.lower().endswith(".zip") else 1)
                except OSError:
                    size = 0
                pending.append((pool.submit(_prepare, path, scratch, known), size))
            future, _ = pending.popleft()
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def import_files(paths: Sequence[Path | str], db: Path, progress: Progress | None = None, *,
                 batch_bytes: int = BATCH_BYTES) -> ImportReport:
    """Import GDELT 2.0 export files into the store folder ``db`` (created if needed); see ``docs/gdelt.md``.

    ``paths`` may name files (``.CSV`` or ``.CSV.zip``), folders and glob patterns; a missing one raises
    ``StudyError`` before anything is imported. A file already imported (same name, size and SHA-256) is skipped,
    and an event whose GLOBALEVENTID the store already holds is skipped and counted, so importing twice changes
    nothing. ``progress(done, total)`` is called as files are done.
    """
    started = time.perf_counter()
    files = find_files(paths)
    db = Path(db)
    report = ImportReport()
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, len(files))

    with import_lock(db):
        known = open_store(db)
        with tempfile.TemporaryDirectory(prefix=SCRATCH, dir=db) as scratch, \
                BatchWriter(db, read_parts(db), Path(scratch)) as writer:
            seen: set[tuple[str, int, str]] = set()
            batch: list[Source] = []
            size = 0
            for source in _prepared(files, Path(scratch), known, 2 * batch_bytes):
                if source.problem is not None:
                    report.files_failed += 1
                    report.add_samples([source.problem])
                    tick(1)
                elif source.key in known or source.key in seen:
                    report.files_skipped += 1
                    report.skipped.append(source.label)
                    tick(1)
                else:
                    seen.add(source.key)
                    batch.append(source)
                    size += source.csv_bytes
                    if size >= batch_bytes:
                        _run(writer, batch, report)
                        tick(len(batch))
                        batch, size = [], 0
            if batch:
                _run(writer, batch, report)
                tick(len(batch))
    report.seconds = time.perf_counter() - started
    return report


def _run(writer: BatchWriter, sources: list[Source], report: ImportReport) -> None:
    """Import one batch and add its counts to ``report``; extracted zip members are deleted afterwards."""
    result = writer.write(sources)
    report.files_imported += len(sources)
    report.rows_imported += result.rows_imported
    report.rows_rejected += result.rows_rejected
    report.duplicates_skipped += result.duplicates
    report.add_samples(result.samples)
    for source in sources:
        if source.extracted and source.csv is not None:
            source.csv.unlink(missing_ok=True)


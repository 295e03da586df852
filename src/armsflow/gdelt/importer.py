"""Import GDELT 2.0 export files (61 tab-separated columns, no header; ``.CSV`` or ``.CSV.zip``) into a store.

A batch of files is split by a compiled loop (``split.py``) or, if it holds a line that loop is not sure of, by
DuckDB's own CSV reader with explicit column types; lines the reader cannot read (wrong column count, a field that
does not parse) land in its rejects table, rows without an id, a date or a valid event
code are caught by one SQL check, and both are counted and reported as ``file:line: field: message``. Each batch
is written to a Parquet part (write, fsync, rename) and then recorded in the catalogue in one transaction. While
one batch is checked and committed in a second thread, the next is already read; batches are committed in order.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import re
import tempfile
import time
import uuid
import zipfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import blake3
import duckdb

from armsflow.errors import InputError, ParameterError, Problem
from armsflow.gdelt.batch import LINE_LIMIT, BatchResult, BatchWriter, Source
from armsflow.gdelt.checks import LongLines, disk_full, not_text
from armsflow.gdelt.results import ImportReport
from armsflow.gdelt.store import SCRATCH, import_lock, open_store, read_parts
from armsflow.gdelt.unzip import (
    MAX_MEMBER_BYTES,
    STREAM_FROM,
    UNZIP_ERRORS,
    ZIP_MAGIC,
    Stream,
    extract,
    member_problem,
    stated_size,
)

#: Uncompressed CSV bytes per batch (one Parquet part); about 1.4 M rows of real GDELT.
BATCH_BYTES = 512 * 2**20
#: Files hashed (and zips extracted) ahead of the batch DuckDB is reading, in background threads.
LOOKAHEAD_FILES = 64
#: Threads that hash and unzip: two, so that both cores unzip while DuckDB waits for its first batch of zips.
HASH_THREADS = 2
#: Bytes of each file read to tell a zip, a compressed or a binary file from a CSV.
KIND_HEAD = 2**12
#: A path in double quotes in DuckDB's I/O error messages ('Could not write file "PATH": ...').
QUOTED_PATH = re.compile(r'"([^"]+)"')
EXPORT_SUFFIXES = (".export.csv", ".export.csv.zip")
#: Set to 0 to switch the fast path off where ``import_files`` is not called directly (the CLI, a script).
FAST_VARIABLE = "ARMSFLOW_GDELT_FAST"

Progress = Callable[[int, int], None]


class Hasher(Protocol):
    def update(self, data: memoryview, /) -> object: ...

    def hexdigest(self) -> str: ...


def find_files(paths: Sequence[Path | str]) -> list[Path]:
    """Expand files, folders (every ``*.export.CSV`` and ``*.export.CSV.zip`` below) and glob patterns, in order."""
    found: list[Path] = []
    problems: list[Problem] = []
    for given in paths:
        text = str(given)
        path = Path(text)
        if glob.has_magic(text) and not path.exists():  # a file or folder named with [ ] * ? is taken as named
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
        raise InputError(problems)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def _hashed(path: Path, digest: Hasher, lines: LongLines | None = None) -> Hasher:
    """Feed a file to ``digest`` (both hashers release the GIL, so this runs beside DuckDB), and to ``lines``.

    One buffer is read into again and again: a new 4 MB ``bytes`` per chunk cost a page fault per 4 kB.
    """
    buffer = bytearray(2**20)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while size := handle.readinto(buffer):
            digest.update(view[:size])
            if lines is not None:
                lines.feed(buffer, size)
    return digest


def file_digest(path: Path) -> str:
    """A file's identity in the catalogue: ``blake3:HEX``.

    BLAKE3 is a cryptographic 256-bit hash like SHA-256 and, on one core, several times cheaper (docs/gdelt.md,
    "Performance").
    """
    return "blake3:" + _hashed(path, blake3.blake3()).hexdigest()


def checked_digest(path: Path) -> tuple[str, LongLines]:
    """``file_digest`` and the lines too long for DuckDB's reader, in one pass over the file."""
    lines = LongLines(LINE_LIMIT)
    return "blake3:" + _hashed(path, blake3.blake3(), lines).hexdigest(), lines


def legacy_digest(path: Path) -> str:
    """``sha256:HEX``: how a format 2 store named its files, computed only for a file whose name and size it holds."""
    return "sha256:" + _hashed(path, hashlib.sha256()).hexdigest()


class Known:
    """The files a store already holds, as (name, size, digest), looked up by name and size first."""

    def __init__(self, keys: set[tuple[str, int, str]]) -> None:
        self.by_name: dict[tuple[str, int], set[str]] = {}
        for name, size, digest in keys:
            self.by_name.setdefault((name, size), set()).add(digest)

    def named(self, name: str, size: int) -> bool:
        """Whether a file of this name and size is held: only such a file can be known, so only it is waited for."""
        return (name, size) in self.by_name

    def holds(self, source: Source) -> bool:
        """Whether ``source`` (with its digest computed) is held, also under a SHA-256 from a format 2 store."""
        digests = self.by_name.get((source.name, source.size), set())
        if source.digest in digests:
            return True
        return any(d.startswith("sha256:") for d in digests) and legacy_digest(Path(source.label)) in digests


def _kind(path: Path) -> tuple[bool, str | None]:
    """Whether the file is a zip, and why it is plainly not a GDELT export file (``checks.not_text``), if it is not.

    Reads the file's first 4 kB, in the importer's thread: enough to tell, and cheap for a thousand small files.
    """
    with open(path, "rb") as handle:
        head = handle.read(KIND_HEAD)
    if path.name.lower().endswith(".zip") or head.startswith(ZIP_MAGIC):
        return True, None
    return False, not_text(head)


def _extract(path: Path, scratch: Path, known: Known, max_member_bytes: int = MAX_MEMBER_BYTES,
             stream_from: int = STREAM_FROM) -> Source:
    """Hash a zip and, if it is new, extract its one member to ``scratch`` (or, if it is larger than
    ``stream_from``, leave it to be streamed to DuckDB's reader). Runs in a background thread.

    Disk full is not the file's fault: it is raised, and stops the import.
    """
    source = Source(str(path), path.name, 0)
    try:
        source.size = path.stat().st_size
        source.digest = file_digest(path)
        if known.holds(source):
            return source
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                source.problem = Problem(source.label, 0, "zip", f"expected one CSV file inside, found {len(members)}")
                return source
            member = members[0]
            refused = member_problem(member, max_member_bytes)
            if refused:
                source.problem = Problem(source.label, 0, "", f"cannot read: {refused}")
                return source
            # A name of its own: two copies of one zip may be extracted at the same time by the two threads.
            target = scratch / f"{uuid.uuid4().hex[:16]}-{Path(member.filename).name}"
            source.csv, source.csv_bytes = target, member.file_size
            if member.file_size > stream_from:
                source.stream = Stream(path, member)  # ``target`` becomes a pipe while its batch is read
            else:
                source.long, source.extracted = extract(Stream(path, member), target, LINE_LIMIT), True
    except UNZIP_ERRORS as exc:
        if disk_full(exc):
            raise
        source.problem = Problem(source.label, 0, "", f"cannot read: {exc}")
    return source


def _prepared(files: list[Path], scratch: Path, known: Known, pool: ThreadPoolExecutor,
              ahead_bytes: int, max_member_bytes: int = MAX_MEMBER_BYTES,
              stream_from: int = STREAM_FROM) -> Iterator[Source]:
    """Every file ready for DuckDB, in order; hashing and unzipping run in ``pool`` (background threads).

    A plain CSV is yielded at once with its digest still ``pending``, so DuckDB reads it while a thread hashes
    it. A zip is yielded once hashed and extracted; the threads work at most ``LOOKAHEAD_FILES`` files or about
    ``ahead_bytes`` of CSV ahead (a zip counted at the size its directory states for its members, which extraction
    holds it to), so extracted members never pile up: what is extracted ahead is bounded by ``ahead_bytes`` plus one
    member of at most ``max_member_bytes``.
    """
    pending: deque[tuple[Future[Source] | Source, int]] = deque()
    queue = deque(files)
    while queue or pending:
        while queue and (not pending or (len(pending) < LOOKAHEAD_FILES
                                         and sum(size for _, size in pending) < ahead_bytes)):
            path = queue.popleft()
            try:
                size = path.stat().st_size
                zipped, refused = _kind(path)
            except OSError as exc:
                pending.append((Source(str(path), path.name, 0, problem=Problem(str(path), 0, "",
                                                                                f"cannot read: {exc}")), 0))
                continue
            if zipped:
                pending.append((pool.submit(_extract, path, scratch, known, max_member_bytes, stream_from),
                                stated_size(path, size, stream_from)))
            elif refused:
                pending.append((Source(str(path), path.name, size, problem=Problem(str(path), 0, "", refused)), 0))
            else:
                pending.append((Source(str(path), path.name, size, csv=path, csv_bytes=size,
                                       pending=pool.submit(checked_digest, path)), 0))
        item, _ = pending.popleft()
        yield item.result() if isinstance(item, Future) else item


def import_files(paths: Sequence[Path | str], db: Path, progress: Progress | None = None, *,
                 fast: bool | None = None, batch_bytes: int = BATCH_BYTES,
                 max_member_bytes: int = MAX_MEMBER_BYTES) -> ImportReport:
    """Import GDELT 2.0 export files into the store folder ``db`` (created if needed); see ``docs/gdelt.md``.

    ``paths`` may name files (``.CSV`` or ``.CSV.zip``), folders and glob patterns; a missing one raises
    ``InputError`` before anything is imported. A file already imported (same name, size and digest) is skipped,
    and an event whose GLOBALEVENTID the store already holds is skipped and counted, so importing twice changes
    nothing. ``progress(done, total)`` is called as files are done.

    A file that cannot be read (not a GDELT export file, a damaged or encrypted zip, a zip member larger than
    ``max_member_bytes``, a file DuckDB's reader gives up on) is counted in ``files_failed`` with its reason in
    ``samples`` and skipped; the others are imported. A full disk stops the import with an ``InputError`` naming the
    path: the batches committed before it stay, the one being written is not recorded. A store that is damaged or in
    use by another process raises an ``InputError`` that says so.

    ``fast`` lets the compiled splitter read large batches (where Numba is installed); False leaves every line to
    DuckDB's CSV reader, the reference path. The store is the same either way. None (the default) means on, unless
    the environment variable ``ARMSFLOW_GDELT_FAST`` is 0.
    """
    if fast is None:
        fast = fast_from_environment()
    if max_member_bytes < 1:
        raise ParameterError("max_member_bytes", "must be 1 or more")
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

    with _disk_full(db), import_lock(db):
        known = Known(open_store(db))
        with tempfile.TemporaryDirectory(prefix=SCRATCH, dir=db) as scratch, \
                BatchWriter(db, read_parts(db), Path(scratch), fast=fast) as writer, _hashing() as pool, \
                _finishing(writer, report, tick) as run:
            # A file can only be known if its name and size are: only then is its hash awaited before it is read.
            seen: dict[tuple[str, int], list[Source]] = {}
            batch: list[Source] = []
            size = 0
            for source in _prepared(files, Path(scratch), known, pool, 2 * batch_bytes, max_member_bytes,
                                    STREAM_FROM):
                twins = seen.get((source.name, source.size), [])
                if source.problem is None and (known.named(source.name, source.size) or twins):
                    for waiting in (source, *twins):
                        waiting.settle()
                if source.problem is not None:
                    report.files_failed += 1
                    report.add_samples([source.problem])
                    tick(1)
                elif known.holds(source) or any(source.key == twin.key for twin in twins):
                    report.files_skipped += 1
                    report.skipped.append(source.label)
                    tick(1)
                elif source.stream is not None:  # a batch of its own: DuckDB's reader reads it through a pipe
                    seen.setdefault((source.name, source.size), []).append(source)
                    if batch:
                        run(batch)
                        batch, size = [], 0
                    run([source])
                else:
                    seen.setdefault((source.name, source.size), []).append(source)
                    batch.append(source)
                    size += source.csv_bytes
                    if size >= batch_bytes:
                        run(batch)
                        batch, size = [], 0
            if batch:
                run(batch)
        report.fast_path = writer.fast_rows > 0
    report.seconds = time.perf_counter() - started
    return report


def fast_from_environment() -> bool:
    """Whether ``ARMSFLOW_GDELT_FAST`` leaves the fast path on: unset or 1 means on, 0 off."""
    value = os.environ.get(FAST_VARIABLE, "1").strip()
    if value not in ("0", "1"):
        raise ParameterError(FAST_VARIABLE, f"expected 0 or 1, got {value!r}")
    return value == "1"


@contextlib.contextmanager
def _disk_full(db: Path) -> Iterator[None]:
    """A full disk as a one-line ``InputError`` naming the path written to (the store folder if none is named)."""
    try:
        yield
    except (OSError, duckdb.Error) as exc:
        if not disk_full(exc):
            raise
        path = exc.filename if isinstance(exc, OSError) and exc.filename else None
        if path is None:
            named = QUOTED_PATH.search(str(exc))
            path = named.group(1) if named else str(db)
        raise InputError([Problem(str(path), 0, "", "disk full: the import stopped; the batch being written was "
                                                    "not recorded, the ones before it were (free space, then import "
                                                    "again to finish)")]) from None


@contextlib.contextmanager
def _hashing() -> Iterator[ThreadPoolExecutor]:
    """The background threads that hash and unzip; on the way out they finish their current files, drop the rest."""
    pool = ThreadPoolExecutor(max_workers=HASH_THREADS, thread_name_prefix="gdelt-hash")
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _finishing(writer: BatchWriter, report: ImportReport, tick: Callable[[int], None]
               ) -> Iterator[Callable[[list[Source]], None]]:
    """``run(batch)`` reads a batch here, while the previous batch is checked and committed in a second thread.

    Batches are committed in order, each after the one before (its duplicate check needs the parts committed so far);
    only the expensive read of the next batch overlaps. On the way out, the last batch is finished, and an exception
    raised while finishing one (an interruption included) is raised here.
    """
    finisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gdelt-finish")
    pending: list[tuple[Future[BatchResult], list[Source]]] = []

    def collect() -> None:
        if pending:
            future, sources = pending.pop()
            result = future.result()
            while result.redo is not None:  # a file failed as it was hashed: the batch again, without it
                failed = result.failed
                result = writer.finish(writer.read(result.redo))
                result.failed = failed + result.failed
            _count(result, sources, report)
            tick(len(sources))

    def run(sources: list[Source]) -> None:
        read = writer.read(sources)
        try:
            collect()
        except BaseException:
            read.hidden.unlink(missing_ok=True)  # the previous batch failed: this one is not committed either
            raise
        pending.append((finisher.submit(writer.finish, read), sources))

    try:
        yield run
        collect()
    finally:
        finisher.shutdown(wait=True)


def _count(result: BatchResult, sources: list[Source], report: ImportReport) -> None:
    """Add one finished batch's counts to ``report``; extracted zip members are deleted."""
    report.files_imported += result.files
    report.files_failed += len(result.failed)
    report.add_samples(result.failed)
    report.rows_imported += result.rows_imported
    report.rows_rejected += result.rows_rejected
    report.duplicates_skipped += result.duplicates
    report.add_samples(result.samples)
    for source in sources:
        if source.extracted and source.csv is not None:
            source.csv.unlink(missing_ok=True)

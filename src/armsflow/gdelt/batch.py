"""One import batch: CSVs to a Parquet part in one pass, then checks that read the part back.

Where the fast path is on and Numba is installed, a batch of at least ``FAST_FROM`` bytes is first offered to it
(``split.py``): a compiled loop splits the lines and DuckDB writes the seven stored columns from Arrow. It declines
any file holding a line it is not sure to read as DuckDB's reader would (those go to the reader below, in the same
``COPY``), and reads every other file exactly as that reader does.

DuckDB's reader is the path for every other batch: a single ``COPY (SELECT <stored columns> FROM read_csv(...)) TO
part.parquet``, in which DuckDB splits every line of the batch's files in parallel, checks its column count, types
the seven stored columns (the others are never parsed), sends the lines it cannot read to its rejects table (with
line numbers), and writes the rest. Either way, reading back three columns of the part then counts rows with a
malformed event code, duplicate GLOBALEVENTIDs and events the store already holds; only if there are any is the
part rewritten without them.

``BatchWriter.read`` does the expensive first step and ``BatchWriter.finish`` the rest (checks, volume file,
commit), so the importer can finish one batch in a second thread while it reads the next.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import duckdb
import pyarrow as pa

from armsflow.errors import InputError, Problem
from armsflow.gdelt.checks import LongLines, bad_rows, diagnose, disk_full, line_numbers
from armsflow.gdelt.schema import (
    COLUMNS,
    DATE_FORMAT,
    REQUIRED,
    STORED,
    TIMESTAMP_FORMAT,
)
from armsflow.gdelt.split import LONGEST_LINE, Kernel, load_kernel, split_files
from armsflow.gdelt.store import (
    Part,
    connect_catalogue,
    events_dir,
    first_line,
    quiet_connection,
    sql_list,
    sql_string,
    volume_dir,
)
from armsflow.gdelt.unzip import Stream, feeding

REJECTS, SCANS = "gdelt_rejects", "gdelt_scans"
REJECTED = f"{REJECTS} e JOIN {SCANS} s USING (scan_id, file_id)"
SAMPLES_PER_FILE = 5
# EVENT_CODE as GLOB patterns: much cheaper than a regular expression on every row of the part.
# A row is valid when its event code is one and its GLOBALEVENTID positive (DuckDB's reader reads "-5" as -5).
OK = "(GLOBALEVENTID > 0 AND coalesce(" + " OR ".join(f"EventCode GLOB '{'[0-9]' * n}'" for n in (2, 3, 4)) \
    + ", false))"
TYPE_WORDS = {"DATE": "a date (YYYYMMDD)", "TIMESTAMP": "a timestamp (YYYYMMDDHHMMSS)", "BIGINT": "an integer",
              "INTEGER": "an integer", "DOUBLE": "a number"}
KINDS = dict(COLUMNS)
SELECT_STORED = ", ".join(STORED)
#: The widest GLOBALEVENTID range whose duplicates are found with a bitmap (16 MB) rather than a hash table.
BITMAP_IDS = 2**27
#: The columns of the catalogue's ``files`` table that a batch fills (``imported_at`` is the commit's time).
FILE_COLUMNS = pa.schema([("name", pa.string()), ("size", pa.int64()), ("digest", pa.string()),
                          ("part", pa.string()), ("rows_rejected", pa.int64())])
#: A batch whose files average less than this is joined into one file before DuckDB reads it (``Joined``).
JOIN_BELOW = 32 * 2**20
#: Parquet settings of event parts: see docs/gdelt.md, "Performance".
PARQUET = "FORMAT parquet, COMPRESSION snappy"
#: A batch of at least this many CSV bytes is read by the fast path (split.py), if it can; smaller ones do not pay
#: for loading Numba and the compiled loop.
FAST_FROM = 64 * 2**20
FAST_ROWS = "gdelt_fast_rows"
FOUND = re.compile(r"Found: (\d+)")
TOO_LONG = f"line longer than {LONGEST_LINE - 1:,} bytes (GDELT lines are under 2 kB)"  # DuckDB's limit
#: A line longer than this is rejected by the importer itself. DuckDB's reader rejects a line of ``max_line_size``
#: (LONGEST_LINE) bytes or more as it sees it, but drops one longer than its buffer without a record, so the importer
#: measures lines as it hashes or unzips each file (``checks.LongLines``) and adds those DuckDB did not report; the
#: slack leaves every line at the limit to DuckDB's own reject, so the two never count one line twice.
LINE_LIMIT = LONGEST_LINE + 2


# Empty required fields become '' instead of NULL (force_not_null), so the typed ones fail to parse and are rejected
# by the reader itself, with their line numbers; EventCode is text and is checked after the fact. Columns the store
# does not keep are declared as text: they are never projected, so DuckDB only counts them.
READ_OPTIONS = ", ".join([
    "columns = {" + ", ".join(f"{sql_string(name)}: {sql_string(kind if name in STORED else 'VARCHAR')}"
                              for name, kind in COLUMNS) + "}",
    "delim = '\t'", "header = false", "quote = ''", "escape = ''", "auto_detect = false",
    f"dateformat = '{DATE_FORMAT}'", f"timestampformat = '{TIMESTAMP_FORMAT}'",
    "force_not_null = [" + ", ".join(sql_string(n) for n in REQUIRED if KINDS[n] != "VARCHAR") + "]",
    f"max_line_size = {LONGEST_LINE}", "store_rejects = true", f"rejects_table = '{REJECTS}'",
    f"rejects_scan = '{SCANS}'",
])


@dataclass
class Source:
    """One input file: its identity (name, size, digest) and the plain CSV that DuckDB reads."""

    label: str
    name: str
    size: int
    digest: str = ""
    csv: Path | None = None
    csv_bytes: int = 0
    extracted: bool = False
    problem: Problem | None = None
    #: The digest (and the long lines) while a background thread still computes it: DuckDB reads the file meanwhile.
    pending: Future[tuple[str, LongLines]] | None = None
    #: Lines of the CSV longer than ``LINE_LIMIT``, found as it was hashed or unzipped.
    long: LongLines | None = None
    #: A zip member too large to unzip: read through a named pipe at ``csv`` while its batch is read (``feeding``).
    stream: Stream | None = None

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.name, self.size, self.digest)

    @contextlib.contextmanager
    def opened(self) -> Iterator[BinaryIO]:
        """The CSV to read again from its start (a streamed member is inflated once more)."""
        if self.stream is not None:
            with self.stream.open() as handle:
                yield handle
        else:
            with open(str(self.csv), "rb") as handle:
                yield handle

    @contextlib.contextmanager
    def fed(self) -> Iterator[None]:
        """Within the block, DuckDB can read ``csv``: for a streamed member, a pipe a thread fills (its long lines
        measured on the way); for any other source, the file that is there."""
        if self.stream is None:
            yield
            return
        self.long = LongLines(LINE_LIMIT)
        with feeding(self.stream, Path(str(self.csv)), self.long):
            yield

    def settle(self) -> None:
        """Wait for the digest if it is still being computed; a file that cannot be read gets a ``problem``."""
        if self.pending is None:
            return
        try:
            self.digest, self.long = self.pending.result()
        except OSError as exc:
            self.problem = Problem(self.label, 0, "", f"cannot read: {exc}")
        finally:
            self.pending = None


def _line_ending(name: str) -> bytes | None:
    """How the file's first line ends (``\\n`` or ``\\r\\n``); None if no line ends in its first 64 kB."""
    with open(name, "rb") as handle:
        head = handle.read(2**16)
    at = head.find(b"\n")
    if at < 0:
        return None
    return b"\r\n" if head[at - 1:at] == b"\r" else b"\n"


@dataclass
class Joined:
    """A batch's small files copied into one, so DuckDB reads one file: a thousand GDELT 15-minute files cost its
    reader much more CPU than the same lines in one file. Line numbers are mapped back to the files on demand."""

    path: Path
    files: list[str]
    _ends: list[int] | None = None

    @classmethod
    def make(cls, files: list[str], target: Path) -> Joined | None:
        """Copy ``files`` into ``target`` in the kernel (``sendfile``), ending each with a newline; None (and no file)
        unless all of them end their lines alike, since DuckDB's reader takes one line ending per file."""
        endings = {_line_ending(name) for name in files}
        newline = endings.pop()
        if endings or newline is None:
            return None
        with open(target, "wb") as out:
            for name in files:
                with open(name, "rb") as handle:
                    size = os.fstat(handle.fileno()).st_size
                    sent = 0
                    while sent < size and (n := os.sendfile(out.fileno(), handle.fileno(), sent, size - sent)):
                        sent += n
                    if size and os.pread(handle.fileno(), 1, size - 1) != b"\n":
                        out.write(newline)
                        out.flush()
        return cls(target, files)

    def locate(self, line: int) -> tuple[str, int]:
        """The file and the line in it of ``line`` of the joined file."""
        if self._ends is None:
            self._ends, total = [], 0
            for name in self.files:
                lines = 0
                with open(name, "rb") as handle:
                    last = b"\n"
                    while chunk := handle.read(4 * 2**20):
                        lines += chunk.count(b"\n")
                        last = chunk[-1:]
                total += lines + (last != b"\n")
                self._ends.append(total)
        at = bisect.bisect_left(self._ends, line)
        return self.files[at], line - (self._ends[at - 1] if at else 0)


@dataclass
class Read:
    """A batch read into a hidden part: the lines DuckDB rejected per CSV, and the first of them as problems."""

    sources: list[Source]
    by_csv: dict[str, Source]
    part: str
    hidden: Path
    skipped: dict[str, set[int]]
    samples: dict[str, list[Problem]]
    #: Sources DuckDB's reader gave up on, each with its ``problem``: not in ``sources``, not recorded.
    failed: list[Source] = field(default_factory=list)


@dataclass
class BatchResult:
    files: int = 0
    failed: list[Problem] = field(default_factory=list)
    #: Set when files of the batch failed as they were hashed: the rest, to be read again (nothing was committed).
    redo: list[Source] | None = None
    rows_imported: int = 0
    rows_rejected: int = 0
    duplicates: int = 0
    samples: list[Problem] = field(default_factory=list)


class Damaged(Exception):
    """Streamed zip members found damaged (size or CRC-32) only once DuckDB had read them: their batch is read again
    without them."""

    def __init__(self, sources: list[Source]) -> None:
        super().__init__(", ".join(s.label for s in sources))
        self.sources = sources


def damage(source: Source) -> Problem | None:
    """Why a streamed member could not be inflated in full the last time it was fed to DuckDB, if so."""
    if source.stream is None or source.stream.error is None:
        return None
    return Problem(source.label, 0, "", f"cannot read: {source.stream.error}")


def reject_problem(label: str, line: int, column: str | None, index: int | None, kind: str, message: str,
                   text: str) -> Problem:
    """DuckDB's reject record as one ``file:line: field: message`` line."""
    if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
        found = FOUND.search(message)
        count = found.group(1) if found else "another number of"
        return Problem(label, line, "columns", f"expected {len(COLUMNS)} tab-separated columns, found {count}")
    if kind == "CAST" and column in KINDS and index:
        fields = text.rstrip("\r\n").split("\t")
        value = fields[index - 1] if index <= len(fields) else ""
        if not value:
            return Problem(label, line, column, "missing")
        shown = value if len(value) <= 40 else value[:37] + "..."
        return Problem(label, line, column, f"cannot read {shown!r} as {TYPE_WORDS.get(KINDS[column], KINDS[column])}")
    if kind == "LINE SIZE OVER MAXIMUM":
        return Problem(label, line, "", TOO_LONG)
    if kind in ("INVALID UNICODE", "INVALID ENCODING"):
        return Problem(label, line, column or "", "not valid UTF-8")
    return Problem(label, line, column or "", f"{kind.lower()}: {message.strip().splitlines()[0][:120]}")


def _long_lines(by_csv: dict[str, Source], skipped: dict[str, set[int]], samples: dict[str, list[Problem]]) -> None:
    """Add the lines longer than ``LINE_LIMIT`` that DuckDB's reader dropped without a record to the rejected ones."""
    for path, source in by_csv.items():
        if source.long is None or not source.long.count:
            continue
        with source.opened() as handle:
            numbers = line_numbers(handle, source.long.starts)
        for line in numbers:
            if line not in skipped[path]:
                skipped[path].add(line)
                if len(samples[path]) < SAMPLES_PER_FILE:
                    samples[path].append(Problem(source.label, line, "", TOO_LONG))


def _distinct_ids(lo: int | None, hi: int | None) -> str:
    """SQL counting the distinct GLOBALEVENTIDs of valid rows: a bitmap over ``lo..hi`` when that range is small.

    GDELT numbers events consecutively, so a batch's ids span about as many numbers as it has rows, and one bit per
    number is cheaper to fill than a hash table; a batch whose ids are spread wider is hashed instead.
    """
    if lo is None or hi is None or hi - lo >= BITMAP_IDS:
        return f"count(DISTINCT GLOBALEVENTID) FILTER (WHERE {OK})"
    return f"coalesce(bit_count(bitstring_agg(GLOBALEVENTID, {int(lo)}, {int(hi)}) FILTER (WHERE {OK})), 0)"


class BatchWriter:
    """Imports batches of sources into the store ``db`` through one in-memory DuckDB connection.

    ``fast``: large batches are offered to the fast path, if Numba is installed; ``fast_rows`` counts what it read.
    """

    def __init__(self, db: Path, parts: list[Part], scratch: Path, *, fast: bool = True) -> None:
        self.db = db
        self.fast = fast
        self.fast_rows = 0
        self._kernel: Kernel | None = None
        self.scratch = scratch
        self.parts = list(parts)
        self.con = quiet_connection()
        self.con.execute(f"SET temp_directory = {sql_string(str(scratch))}")
        self.con.execute("SET preserve_insertion_order = false")  # lets the Parquet writer work in parallel
        self.fin = self.con.cursor()  # for ``finish``, which may run in another thread while ``read`` runs here
        self.pool: ThreadPoolExecutor | None = None

    def kernel(self) -> Kernel | None:
        """The fast path's compiled loop, loaded on the first large batch; None when it is off or Numba is missing
        (then DuckDB's reader reads everything, as it would with the fast path off)."""
        if self.fast and self._kernel is None:
            self._kernel = load_kernel()
            self.fast = self._kernel is not None  # not looked for again in this import
        return self._kernel

    def _splitters(self) -> ThreadPoolExecutor:
        """The fast path's threads, one per core (started on first use)."""
        if self.pool is None:
            self.pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="gdelt-split")
        return self.pool

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.fin.close()
        self.con.close()

    def read(self, sources: list[Source]) -> Read:
        """The batch's CSVs to a hidden Parquet part, with the lines DuckDB rejected (the expensive step).

        The fast path reads the files of a large batch if it can (it declines a file with any line it is not sure
        of); DuckDB's reader reads the rest, with its rejects table, in the same ``COPY``. A file DuckDB's reader
        gives up on is found by reading each file alone, left out of the batch (``Read.failed``, with the reason)
        and the rest read again; an error no single file causes (a full disk) is raised.
        """
        failed: list[Source] = []
        join = True
        while True:
            try:
                read = self._read(sources, join=join)
                read.failed = failed
                return read
            except Damaged as exc:  # a streamed member turned out damaged as DuckDB read it: the rest again
                failed.extend(exc.sources)
                sources = [s for s in sources if s not in exc.sources]
            except duckdb.Error as exc:
                if isinstance(exc, duckdb.InterruptException) or disk_full(exc):
                    raise
                culprits = self._unreadable(sources, exc)
                if culprits:
                    failed.extend(culprits)
                    sources = [s for s in sources if s not in culprits]
                elif join:
                    join = False  # every file reads alone: read them without joining them into one
                else:
                    raise InputError([Problem(sources[0].label, 0, "", f"DuckDB's reader failed on the batch of "
                                              f"{len(sources)} files starting here, though each file reads alone "
                                              f"({first_line(exc)}): import the files in smaller groups")]) from None

    def _unreadable(self, sources: list[Source], exc: duckdb.Error) -> list[Source]:
        """The sources DuckDB's reader gives up on when it reads each alone, each with its ``problem``."""
        culprits = []
        for source in sources:
            try:
                with source.fed():
                    self.con.execute(f"SELECT count(*) FROM read_csv({sql_list([str(source.csv)])}, {READ_OPTIONS})")
            except duckdb.Error as alone:
                if isinstance(alone, duckdb.InterruptException) or disk_full(alone):
                    raise
                source.problem = damage(source) or diagnose(source.label, source.opened, str(alone) or str(exc))
                culprits.append(source)
        return culprits

    def _read(self, sources: list[Source], *, join: bool = True) -> Read:
        con = self.con
        by_csv = {str(s.csv): s for s in sources}
        part = f"part-{uuid.uuid4().hex[:16]}"
        hidden = events_dir(self.db) / f".{part}.parquet.tmp"
        con.execute(f"DROP TABLE IF EXISTS {REJECTS}; DROP TABLE IF EXISTS {SCANS}")
        if not sources:
            return Read(sources, by_csv, part, hidden, {}, {})
        fast: pa.Table | None = None
        slow = list(by_csv)
        # A streamed member is read once, front to back, by DuckDB's reader: the fast path reads files in pieces.
        streamed = [s for s in sources if s.stream is not None]
        kernel = self.kernel() if not streamed and sum(s.csv_bytes for s in sources) >= FAST_FROM else None
        if kernel is not None:
            done = split_files(slow, self._splitters(), kernel)
            fast, slow = done.table, [d.path for d in done.declined]
            self.fast_rows += fast.num_rows
        joined = None
        small = sum(by_csv[path].csv_bytes for path in slow) < JOIN_BELOW * len(slow)
        if join and not streamed and len(slow) > 1 and small:
            joined = Joined.make(slow, self.scratch / f"{part}.joined.csv")
        try:
            selects = []
            if fast is not None:
                con.register(FAST_ROWS, fast)
                selects.append(f"SELECT * FROM {FAST_ROWS}")
            if slow:
                files = sql_list([joined.path] if joined else slow)
                selects.append(f"SELECT {SELECT_STORED} FROM read_csv({files}, {READ_OPTIONS})")
            with contextlib.ExitStack() as feeds:
                for source in streamed:
                    feeds.enter_context(source.fed())
                con.execute(f"COPY ({' UNION ALL '.join(selects)}) TO {sql_string(str(hidden))} ({PARQUET})")
            for source in streamed:
                source.problem = damage(source)
            if any(s.problem is not None for s in streamed):
                raise Damaged([s for s in streamed if s.problem is not None])
            lines = con.execute(f"SELECT DISTINCT s.file_path, e.line FROM {REJECTED} ORDER BY e.line").fetchall() \
                if slow else []
        except BaseException:
            hidden.unlink(missing_ok=True)
            raise
        finally:
            if fast is not None:
                con.unregister(FAST_ROWS)
            if joined is not None:
                joined.path.unlink(missing_ok=True)
        skipped: dict[str, set[int]] = {path: set() for path in by_csv}
        first: dict[tuple[str, int], tuple[str, int]] = {}  # (DuckDB's file, line) -> (batch file, line)
        for path, line in lines:
            where = joined.locate(int(line)) if joined is not None else (str(path), int(line))
            if len(skipped[where[0]]) < SAMPLES_PER_FILE:
                first[(str(path), int(line))] = where
            skipped[where[0]].add(where[1])
        samples: dict[str, list[Problem]] = {path: [] for path in by_csv}
        if first:
            chosen = ", ".join(f"({sql_string(path)}, {line})" for path, line in first)
            for path, line, column, index, kind, message, text in con.execute(
                    f"SELECT s.file_path, e.line, e.column_name, e.column_idx, e.error_type, e.error_message, "
                    f"e.csv_line FROM {REJECTED} WHERE (s.file_path, e.line) IN ({chosen}) "
                    f"ORDER BY e.line, e.column_idx").fetchall():
                name, at = first[(str(path), int(line))]
                problem = reject_problem(by_csv[name].label, at, column, index, str(kind), str(message),
                                         str(text or ""))
                # DuckDB may record one line several times (a column count per attempt to split it): once per field.
                if len(samples[name]) < SAMPLES_PER_FILE and not any(
                        (p.line, p.field) == (problem.line, problem.field) for p in samples[name]):
                    samples[name].append(problem)
        return Read(sources, by_csv, part, hidden, skipped, samples)

    def finish(self, read: Read) -> BatchResult:
        """Check, deduplicate and commit a part made by ``read``; may run in another thread while the next is read."""
        con, sources, by_csv, samples, hidden = self.fin, read.sources, read.by_csv, read.samples, read.hidden
        result = BatchResult(files=len(sources), failed=[s.problem for s in read.failed if s.problem is not None])
        if not sources:
            return result
        for source in sources:
            source.settle()
        if any(s.problem is not None for s in sources):
            # A file failed as it was hashed (unreadable, gone): nothing of this batch is recorded; the importer
            # reads the batch again without it.
            hidden.unlink(missing_ok=True)
            result.failed += [s.problem for s in sources if s.problem is not None]
            result.files, result.redo = 0, [s for s in sources if s.problem is None]
            return result
        _long_lines(by_csv, read.skipped, samples)
        final = events_dir(self.db) / f"{read.part}.parquet"
        rejected = {path: len(lines) for path, lines in read.skipped.items() if lines}
        here = f"read_parquet({sql_string(str(hidden))})"
        lo, hi = con.execute(f"SELECT min(GLOBALEVENTID), max(GLOBALEVENTID) FROM {here}").fetchone() or (None, None)
        stats = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE NOT {OK}), {_distinct_ids(lo, hi)}, min(SQLDATE), max(SQLDATE) "
            f"FROM {here}").fetchone()
        accepted, invalid, distinct, d0, d1 = stats or (0, 0, 0, None, None)
        if invalid:
            located = self._bad_rows(by_csv, read.skipped, rejected, samples)
            if located != invalid:  # never expected: DuckDB and the line scan disagree; say so rather than guess
                first = sources[0].label
                samples.setdefault(first, []).append(Problem(
                    first, 0, "", f"{invalid - located} rows with a malformed event code or id in this batch "
                                  f"could not be traced to a line"))
                rejected[str(sources[0].csv)] = rejected.get(str(sources[0].csv), 0) + int(invalid) - located
        written = self._dedupe(hidden, int(accepted) - int(invalid), int(distinct), int(invalid), lo, hi)
        if written:
            volume = volume_dir(self.db) / final.name
            volume_hidden = volume.with_name(hidden.name)
            con.execute(f"COPY (SELECT SQLDATE, CAST(DATEADDED AS DATE) AS ADDED, count(*) AS EVENTS "
                        f"FROM read_parquet({sql_string(str(hidden))}) GROUP BY ALL) "
                        f"TO {sql_string(str(volume_hidden))} ({PARQUET})")
            for done, target in ((volume_hidden, volume), (hidden, final)):
                fd = os.open(done, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(done, target)
        else:
            hidden.unlink(missing_ok=True)
        rows = [(s.name, s.size, s.digest, read.part if written else None, rejected.get(str(s.csv), 0))
                for s in sources]
        self._commit(read.part, written, lo, hi, d0, d1, rows)
        result.rows_imported, result.duplicates = written, int(accepted) - int(invalid) - written
        result.rows_rejected = sum(rejected.values())
        for problems in samples.values():
            result.samples.extend(sorted(problems, key=lambda p: p.line)[:SAMPLES_PER_FILE])
        return result

    def _bad_rows(self, by_csv: dict[str, Source], skipped: dict[str, set[int]], rejected: dict[str, int],
                  samples: dict[str, list[Problem]]) -> int:
        """Find the lines behind invalid rows (rare), count them as rejected, add samples."""
        total = 0
        for path, source in by_csv.items():
            with source.opened() as handle:
                count, first = bad_rows(handle, skipped.get(path, set()), SAMPLES_PER_FILE)
            rejected[path] = rejected.get(path, 0) + count
            total += count
            for line, column, message in first:
                samples[path].append(Problem(source.label, line, column, message))
        return total

    def _dedupe(self, hidden: Path, valid: int, distinct: int, invalid: int, lo: object, hi: object) -> int:
        """Rewrite the part without bad rows and duplicates, if it has any; the number of events it keeps."""
        overlap = [p for p in self.parts if isinstance(lo, int) and isinstance(hi, int) and p.id_min is not None
                   and p.id_max is not None and p.id_min <= hi and p.id_max >= lo]
        stored = sql_list(p.path for p in overlap)
        known = (f"GLOBALEVENTID IN (SELECT GLOBALEVENTID FROM read_parquet({stored}) "
                 f"WHERE GLOBALEVENTID BETWEEN {lo} AND {hi})") if overlap else "false"
        here = sql_string(str(hidden))
        in_store = 0
        if overlap:
            found = self.fin.execute(f"SELECT count(*) FROM read_parquet({here}) WHERE {known}").fetchone()
            in_store = int(found[0]) if found else 0
        if not invalid and distinct == valid and not in_store:
            return valid
        again = hidden.with_name(hidden.name + ".2")
        # Of several copies of one event, the earliest added is kept (then the first source URL): a rule on the rows
        # themselves, so the result does not depend on how files were batched or in which order they were read.
        counted = self.fin.execute(
            f"COPY (SELECT * FROM read_parquet({here}) WHERE {OK} AND NOT ({known}) QUALIFY row_number() OVER "
            f"(PARTITION BY GLOBALEVENTID ORDER BY DATEADDED, SOURCEURL) = 1) TO {sql_string(str(again))} "
            f"({PARQUET})").fetchone()
        os.replace(again, hidden)
        return int(counted[0]) if counted else 0

    def _commit(self, part: str, written: int, lo: object, hi: object, d0: object, d1: object,
                rows: Sequence[tuple[object, ...]]) -> None:
        """Record the part and its source files in the catalogue in one transaction (or remove the part)."""
        final = events_dir(self.db) / f"{part}.parquet"
        with connect_catalogue(self.db, read_only=False) as cat:
            cat.execute("BEGIN TRANSACTION")
            try:
                if written:
                    cat.execute("INSERT INTO parts VALUES (?, ?, ?, ?, ?, ?, current_timestamp)",
                                [part, written, lo, hi, d0, d1])
                # One INSERT from an Arrow table: ``executemany`` runs one statement per file, which is slow.
                new_files = pa.Table.from_pylist([dict(zip(FILE_COLUMNS.names, row, strict=True)) for row in rows],
                                                 schema=FILE_COLUMNS)
                cat.register("new_files", new_files)
                cat.execute("INSERT INTO files SELECT name, size, digest, part, rows_rejected, current_timestamp "
                            "FROM new_files")
                cat.execute("COMMIT")
            except BaseException:
                cat.execute("ROLLBACK")
                final.unlink(missing_ok=True)
                (volume_dir(self.db) / final.name).unlink(missing_ok=True)
                raise
        if written:
            self.parts.append(Part(final, written, lo, hi, d0, d1))  # type: ignore[arg-type]

"""The import's fast path: GDELT lines split by a compiled loop (Numba) instead of DuckDB's general CSV reader.

GDELT export lines are simple: 61 fields separated by tabs, no quoting, one ``\\n`` at the end. A compiled loop
finds the tabs (from a bitmap of them made by a vectorized pass) and takes out the seven stored fields, already
typed (the id as an integer, the two dates as days and microseconds since 1970, the four text fields copied into
Arrow buffers). It costs a fraction of the CPU of DuckDB's reader for the same lines (docs/gdelt.md, "Performance").

It is only a fast path. The first line it is not sure to read exactly as DuckDB's reader does (a wrong number of
fields, an id that is not plain digits, a date that is not a real date, a ``\\r`` anywhere, a control character or
invalid UTF-8 in a stored text field, an empty line, a line longer than ``LONGEST_LINE``) makes it decline that
file, and the file is read by DuckDB's reader as before: that reader's rejects table gives every bad line its
number and its reason. So the rows of a file the fast path reads are exactly those DuckDB's reader would have read,
and a file with a single bad line costs one extra pass over it. EventCode is kept as text, as by the reader, and
checked after.

Numba is optional: where it cannot be imported, ``load_kernel`` returns None and the import uses DuckDB's reader.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from armsflow.gdelt.schema import COLUMNS, NAMES, STORED

#: Bytes of a file handed to one call of the compiled loop (lines are assigned to the piece they start in).
PIECE = 32 * 2**20
#: The longest line the fast path reads (GDELT's are under 2 kB); a longer one sends its file to DuckDB's reader.
LONGEST_LINE = 2**20
#: The fewest bytes a line can have: 60 tabs and a newline.
SHORTEST_LINE = len(COLUMNS)
#: Room per row for each short text field (country codes, event code); a longer field declines its file. The
#: compiled loop takes this room from the buffers' shapes, so the two cannot disagree.
SHORT_FIELD = 16
NEWLINE = 10
#: Where the stored fields are: the index of each in the line, in ``STORED`` order.
AT = tuple(NAMES.index(name) for name in STORED)
assert AT == (0, 1, 7, 17, 26, 59, 60), "the compiled loop below reads the fields at these positions"

#: Why the compiled loop stopped (its status codes), for the tests and for ``Declined``.
REASONS = {1: "a carriage return", 2: "a line without 61 fields", 3: "GLOBALEVENTID is not 1-18 plain digits",
           4: "SQLDATE is not a real date as YYYYMMDD", 5: "DATEADDED is not a real time as YYYYMMDDHHMMSS",
           6: "a stored text field is too long", 7: "a control character in a stored text field",
           8: "a line longer than LONGEST_LINE", 9: "invalid UTF-8 in a stored text field"}

ARROW_SCHEMA = pa.schema([("GLOBALEVENTID", pa.int64()), ("SQLDATE", pa.date32()),
                          ("Actor1CountryCode", pa.string()), ("Actor2CountryCode", pa.string()),
                          ("EventCode", pa.string()), ("DATEADDED", pa.timestamp("us")), ("SOURCEURL", pa.string())])
assert tuple(ARROW_SCHEMA.names) == STORED

Kernel = Callable[..., tuple[int, int, int, int]]


@dataclass
class Declined:
    """The fast path did not read a file: which, about where, and why (DuckDB's reader reads it instead)."""

    path: str
    offset: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: near byte {self.offset}: {self.reason}"


def _strings(offsets: npt.NDArray[np.int32], data: npt.NDArray[np.uint8], rows: int) -> pa.Array:
    """An Arrow text column copied out of the loop's buffers; an empty field is NULL, as DuckDB's reader makes it."""
    offsets = offsets[:rows + 1].copy()
    present = offsets[1:] != offsets[:-1]
    nulls = rows - int(np.count_nonzero(present))
    validity = pa.py_buffer(np.packbits(present, bitorder="little")) if nulls else None
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(data[:int(offsets[-1])].copy()),
                                       validity, nulls)


class _Buffers(threading.local):
    """One thread's input and output buffers, kept from piece to piece (fresh memory costs the kernel a page fill
    for every page written, a large share of an import's CPU when they were allocated for every piece)."""

    def __init__(self) -> None:
        self.size = 0

    def fit(self, size: int) -> None:
        if size <= self.size:
            return
        self.size = size
        rows = size // SHORTEST_LINE + 1
        self.raw = np.empty(size, np.uint8)
        self.ids = np.empty(rows, np.int64)
        self.days = np.empty(rows, np.int32)
        self.micros = np.empty(rows, np.int64)
        self.offsets = np.zeros((4, rows + 1), np.int32)
        self.short = np.empty((3, rows * SHORT_FIELD), np.uint8)
        self.long = np.empty(size, np.uint8)
        self.marks = np.empty(size // 64 + 1, np.uint64)


_buffers = _Buffers()


def _piece(kernel: Kernel, path: str, start: int, stop: int, size: int) -> pa.RecordBatch | Declined:
    """The lines of ``path`` that start in ``[start, stop)`` as one record batch."""
    # One byte before the piece to tell whether a line starts at ``start``; up to LONGEST_LINE after it.
    first = max(start - 1, 0)
    want = min(stop + LONGEST_LINE, size) - first
    own = _buffers
    own.fit(max(want, PIECE + LONGEST_LINE + 1))
    raw = own.raw[:want]
    with open(path, "rb") as handle:
        got = 0
        while got < want:
            n = os.preadv(handle.fileno(), [raw[got:].data], first + got)
            if n == 0:
                break
            got += n
    raw = raw[:got]
    status, count, at, wide = kernel(raw, start - first, stop - first, got == size - first, own.ids, own.days,
                                     own.micros, own.offsets, own.short, own.long, own.marks)
    if status:
        return Declined(path, first + at, REASONS[status])
    long = _long_line(raw, start - first)
    if long is not None:
        return Declined(path, first + long, REASONS[8])
    # Arrow arrays made from buffers (``pa.array`` on a NumPy array would import pandas, slow to load, for its type).
    columns: list[pa.Array] = [
        pa.Array.from_buffers(pa.int64(), count, [None, pa.py_buffer(own.ids[:count].copy())]),
        pa.Array.from_buffers(pa.date32(), count, [None, pa.py_buffer(own.days[:count].copy())]),
        _strings(own.offsets[0], own.short[0], count), _strings(own.offsets[1], own.short[1], count),
        _strings(own.offsets[2], own.short[2], count),
        pa.Array.from_buffers(pa.timestamp("us"), count, [None, pa.py_buffer(own.micros[:count].copy())]),
        _strings(own.offsets[3], own.long, count),
    ]
    if wide:  # a byte that is not ASCII: the text must be valid UTF-8 (pure ASCII always is)
        try:
            for column in columns[2:5] + columns[6:]:
                column.validate(full=True)
        except pa.ArrowInvalid:
            return Declined(path, first, REASONS[9])
    return pa.RecordBatch.from_arrays(columns, schema=ARROW_SCHEMA)


def _reach(raw: npt.NDArray[np.uint8], at: int, step: int, most: int) -> int:
    """Bytes from ``at`` to the nearest newline in direction ``step`` (-1 back, 1 ahead), looked for in windows
    that grow from 512 bytes (a GDELT line's length) to ``most``; ``most`` if there is none that near, or the bytes
    to the end of ``raw`` if that comes first."""
    window = 512
    while True:
        if step < 0:
            lo = max(at - window, 0)
            hits = np.flatnonzero(raw[lo:at] == NEWLINE)
            if hits.size:
                return at - lo - int(hits[-1]) - 1
            if lo == 0:
                return at
        else:
            hi = min(at + window, len(raw))
            hits = np.flatnonzero(raw[at:hi] == NEWLINE)
            if hits.size:
                return int(hits[0])
            if hi == len(raw):
                return hi - at
        if window >= most:
            return most
        window = min(window * 8, most)


def _long_line(raw: npt.NDArray[np.uint8], begin: int) -> int | None:
    """Where in ``raw`` (from ``begin``) a line of ``LONGEST_LINE`` bytes or more lies, or None.

    The compiled loop declines a line longer than what it was given, but reads a long one that fits. DuckDB's
    reader rejects lines over ``LONGEST_LINE`` (its ``max_line_size``), so the fast path must decline them too.
    Every such line holds one of the checkpoints every ``LONGEST_LINE // 2`` bytes, so only the lines through those
    (a few dozen per piece) are measured.
    """
    limit = LONGEST_LINE
    for checkpoint in range(begin, len(raw), max(limit // 2, 1)):
        if raw[checkpoint] == NEWLINE:
            continue
        # Measured up to the ends of ``raw``: a line cut off there is at least as long as measured.
        back = _reach(raw, checkpoint, -1, limit + 1)
        if back + _reach(raw, checkpoint, 1, limit + 1) >= limit:  # DuckDB rejects a line of LONGEST_LINE bytes
            return checkpoint - back
    return None


@dataclass
class Split:
    """What the fast path made of a batch: the rows of the files it read, and the files it declined."""

    table: pa.Table
    declined: list[Declined]


def load_kernel() -> Kernel | None:
    """The compiled loop, or None where Numba (or its llvmlite) cannot be imported.

    Numba loads only here, on an import's first large batch: loading it and compiling the loop (once, then cached on
    disk where a cache folder can be written) costs seconds that a small import would not win back.
    """
    try:
        from armsflow.gdelt.split_kernel import split
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in ("numba", "llvmlite"):
            return None
        raise
    return split


def split_files(paths: Sequence[str], pool: ThreadPoolExecutor, kernel: Kernel) -> Split:
    """The stored columns of every line of the files of ``paths`` the fast path reads, as one Arrow table in file
    order; the files it declines are listed (one ``Declined`` each, for its first line it is not sure of).

    The files are cut into pieces of about ``PIECE`` bytes that ``pool``'s threads split at once with ``kernel``
    (``load_kernel()``; the compiled loop releases the GIL). A piece of a file already declined is skipped. When
    this returns, no thread reads any file.
    """
    declined: dict[str, Declined] = {}
    jobs: list[tuple[str, int, int, int]] = []
    for path in paths:
        size = os.stat(path).st_size
        jobs.extend((path, start, min(start + PIECE, size), size) for start in range(0, size, PIECE))

    def piece(path: str, start: int, stop: int, size: int) -> pa.RecordBatch | Declined | None:
        return None if path in declined else _piece(kernel, path, start, stop, size)

    futures = [(job[0], pool.submit(piece, *job)) for job in jobs]
    pieces: list[tuple[str, pa.RecordBatch]] = []
    for path, future in futures:
        result: Any = future.result()
        if isinstance(result, Declined):
            declined.setdefault(path, result)
        elif result is not None:
            pieces.append((path, result))
    table = pa.Table.from_batches([b for path, b in pieces if path not in declined], schema=ARROW_SCHEMA)
    return Split(table, [declined[path] for path in paths if path in declined])

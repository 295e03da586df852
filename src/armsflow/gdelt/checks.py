"""Why a file or a line cannot be imported: checks made while a file is hashed or unzipped, after DuckDB's reader
gave up on a file, and on the rows it read (``bad_rows``); and whether an error means a full disk.

DuckDB's reader rejects a bad line and goes on, but some files stop it altogether (binary data, a carriage return
inside a field, a CR LF file with one LF line), and a line longer than its buffer vanishes without a reject record.
``LongLines`` finds such lines in the stream the importer reads anyway (for the digest, or to unzip); ``diagnose``
names, in one line, why the reader gave up on a file, with the line where there is one.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import BinaryIO

from armsflow.errors import Problem
from armsflow.gdelt.schema import COLUMNS, EVENT_CODE, NAMES

#: The first bytes of compressed formats a GDELT export file is not (a zip is read; these are refused).
COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ": "xz", b"\x28\xb5\x2f\xfd": "zstd"}
#: Bytes of the file's start looked at for compression and binary data.
HEAD = 2**16
#: Bytes per NUL byte at which the start of a file counts as binary data.
BINARY_NULS = 1000
ID_AT, EVENT_CODE_AT = NAMES.index("GLOBALEVENTID"), NAMES.index("EventCode")


class LongLines:
    """Lines longer than ``limit`` bytes in a stream fed chunk by chunk: how many, and where the first few start.

    A line is too long exactly when some ``limit + 1`` bytes in a row hold no newline, so the scan hops about
    ``limit`` bytes at a time with ``rfind`` (C speed) instead of visiting every line. Every start is kept: there
    are at most as many as the file has ``limit``-sized stretches.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.run = 0  # bytes of the current line seen so far
        self.offset = 0  # bytes fed so far
        self.count = 0
        self.starts: list[int] = []

    def feed(self, buf: bytes | bytearray, n: int | None = None) -> None:
        """Scan ``buf[:n]`` (all of it when ``n`` is None), the next bytes of the stream."""
        n = len(buf) if n is None else n
        pos = 0
        while pos < n:
            room = self.limit - self.run
            if room < 0:  # the current line is already counted: skip to its end
                nl = buf.find(b"\n", pos, n)
                if nl < 0:
                    self.run += n - pos
                    break
                self.run, pos = 0, nl + 1
                continue
            end = min(n, pos + room + 1)
            nl = buf.rfind(b"\n", pos, end)
            if nl >= 0:
                self.run, pos = 0, nl + 1
            elif end - pos > room:  # limit + 1 bytes of one line: too long
                self.count += 1
                self.starts.append(self.offset + pos - self.run)
                self.run, pos = self.run + end - pos, end
            else:
                self.run += n - pos
                break
        self.offset += n


def line_numbers(handle: BinaryIO, offsets: list[int]) -> list[int]:
    """The line (from 1) on which each byte offset of the file ``handle`` reads from its start lies; ``offsets``
    ascending."""
    numbers: list[int] = []
    lines, base = 1, 0
    for offset in offsets:
        while base + 2**20 <= offset:
            chunk = handle.read(2**20)
            lines += chunk.count(b"\n")
            base += len(chunk)
            if not chunk:
                break
        chunk = handle.read(offset - base)
        lines += chunk.count(b"\n")
        base += len(chunk)
        numbers.append(lines)
    return numbers


def compressed(head: bytes) -> str | None:
    """The compression format whose signature ``head`` starts with, if any."""
    return next((kind for magic, kind in COMPRESSED.items() if head.startswith(magic)), None)


def not_text(head: bytes, *, strict: bool = False) -> str | None:
    """Why a file starting with ``head`` is plainly not a GDELT export file (compressed, UTF-16, binary), or None.

    Binary means NUL bytes, at least one per ``BINARY_NULS`` bytes (random bytes have one in 256, UTF-16 text one in
    two; a stray NUL in a text file is left to the line checks), or any NUL when ``strict``.
    """
    kind = compressed(head)
    if kind:
        return f"{kind}-compressed, not a GDELT export file: decompress it first"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text, not UTF-8: convert it to UTF-8 first"
    nuls = head.count(b"\x00")
    if nuls and (strict or nuls * BINARY_NULS >= len(head)):
        return "binary data, not a GDELT export file (61 tab-separated columns)"
    return None


def diagnose(label: str, opened: Callable[[], AbstractContextManager[BinaryIO]], reason: str) -> Problem:
    """Why DuckDB's reader gave up on a file (shown as ``label``; ``opened()`` reads it from its start, the second
    time for its lines, since a zip member cannot seek back), in one line; ``reason`` is the reader's own message."""
    with opened() as handle:
        refused = not_text(handle.read(HEAD), strict=True)
    if refused:
        return Problem(label, 0, "", refused)
    with opened() as handle:
        found = _line_problem(label, handle)
    if found:
        return found
    first_line = (reason.strip().splitlines() or ["no reason given"])[0]
    return Problem(label, 0, "", f"cannot read: {first_line[:200]}")


def _line_problem(label: str, handle: BinaryIO) -> Problem | None:
    """The first line of a file that DuckDB's reader cannot take: a CR inside a field, or a line ending unlike the
    first line's."""
    crlf: bool | None = None
    for number, raw in enumerate(handle, start=1):
        ended = raw.endswith(b"\n")
        body = raw[:-1] if ended else raw
        this = body.endswith(b"\r")
        if this:
            body = body[:-1]
        if b"\r" in body:
            column = NAMES[min(body[:body.index(b"\r")].count(b"\t"), len(NAMES) - 1)]
            return Problem(label, number, column, "a carriage return inside the field")
        if ended:
            if crlf is None:
                crlf = this
            elif this != crlf:
                first, here = ("CR LF", "LF") if crlf else ("LF", "CR LF")
                return Problem(label, number, "", f"ends with {here} but line 1 ends with {first}: "
                                                  f"one line ending per file")
    return None


def _not_positive(text: str) -> bool:
    """Whether DuckDB read an id field as 0 or less (it reads "-5", "0.4" and "+0" as integers)."""
    value = text.strip()
    if value.startswith("-"):
        return True
    try:
        return float(value.replace("_", "")) < 0.5
    except ValueError:
        return False


def bad_rows(handle: BinaryIO, skipped: set[int], keep: int) -> tuple[int, list[tuple[int, str, str]]]:
    """Lines DuckDB read whose EventCode is not 2-4 digits or whose GLOBALEVENTID is not positive: their count and
    the first ``keep`` (line, field, message).

    Lines are split as DuckDB splits them (on newline, blank lines ignored); ``skipped`` are the lines it rejected.
    Runs only for batches that hold such rows.
    """
    pattern = re.compile(EVENT_CODE)
    count, first = 0, list[tuple[int, str, str]]()
    for number, raw in enumerate(handle, start=1):
        if number in skipped or raw in (b"\n", b"\r\n"):
            continue
        fields = raw.rstrip(b"\r\n").split(b"\t")
        if len(fields) == len(COLUMNS):
            ident = fields[ID_AT].decode("utf-8", "replace")
            code = fields[EVENT_CODE_AT].decode("utf-8", "replace")
            if _not_positive(ident):
                problem = ("GLOBALEVENTID", f"not a positive id: {ident!r}")
            elif not pattern.fullmatch(code):
                problem = ("EventCode", "missing" if not code else f"not a CAMEO event code: {code!r}")
            else:
                continue
            count += 1
            if len(first) < keep:
                first.append((number, *problem))
    return count, first


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (an ``OSError`` or a DuckDB I/O error) says the disk or the user's quota is full."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    text = str(exc)
    return "No space left on device" in text or "Disk quota exceeded" in text

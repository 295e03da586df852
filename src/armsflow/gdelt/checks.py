"""Why a file cannot be imported: checks made while a file is hashed or unzipped, and after DuckDB's reader gave up.

DuckDB's reader rejects a bad line and goes on, but some files stop it altogether (binary data, a carriage return
inside a field, a CR LF file with one LF line), and a line longer than its buffer vanishes without a reject record.
``LongLines`` finds such lines in the stream the importer reads anyway (for the digest, or to unzip); ``diagnose``
names, in one line, why the reader gave up on a file, with the line where there is one.
"""

from __future__ import annotations

from pathlib import Path

from armsflow.errors import Problem
from armsflow.gdelt.schema import NAMES

#: The first bytes of compressed formats a GDELT export file is not (a zip is read; these are refused).
COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ": "xz", b"\x28\xb5\x2f\xfd": "zstd"}
#: Bytes of the file's start looked at for compression and binary data.
HEAD = 2**16


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


def line_numbers(path: Path, offsets: list[int]) -> list[int]:
    """The line (from 1) on which each byte offset of ``path`` lies; ``offsets`` ascending."""
    numbers: list[int] = []
    lines, base = 1, 0
    with open(path, "rb") as handle:
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


def diagnose(label: str, path: Path, reason: str) -> Problem:
    """Why DuckDB's reader gave up on ``path`` (shown as ``label``), in one line; ``reason`` is its own message."""
    with open(path, "rb") as handle:
        head = handle.read(HEAD)
        kind = compressed(head)
        if kind:
            return Problem(label, 0, "", f"{kind}-compressed, not a GDELT export file: decompress it first")
        if b"\x00" in head:
            return Problem(label, 0, "", "binary data, not a GDELT export file (61 tab-separated columns)")
        handle.seek(0)
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
    first_line = (reason.strip().splitlines() or ["no reason given"])[0]
    return Problem(label, 0, "", f"cannot read: {first_line[:200]}")

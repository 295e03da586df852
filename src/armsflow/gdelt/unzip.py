"""Zip members as plain CSV for DuckDB: unzipped to the import's scratch folder, or streamed to it through a pipe.

A GDELT ``.CSV.zip`` holds one member of a few MB. Such a member is extracted (DuckDB's reader and the fast path read
files, the fast path in parallel pieces). A member larger than ``STREAM_FROM`` is never written out: during its
batch a thread inflates it into a named pipe (``feeding``) that DuckDB's reader reads as it would a file, so neither
memory nor scratch space grows with the member; the rare second reads (the line of a long line, of a bad event code,
why the reader gave up) inflate it again (``Stream.open``).

Either way the member is read in bounded pieces: a deflated member goes through ISA-L's inflate 256 kB of input at a
time, the other methods through ``zipfile`` in the same bounded reads. A member that is encrypted, of a method
``zipfile`` lacks, or states more than ``MAX_MEMBER_BYTES`` is refused before anything is read; one that inflates
past its stated size is stopped at that size; the size and CRC-32 are checked at the end. The lines are measured as
they pass (``checks.LongLines``).
"""

from __future__ import annotations

import contextlib
import os
import struct
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, cast

from isal import isal_zlib

from armsflow.gdelt.checks import LongLines

#: A zip's local file header (PKWARE APPNOTE 4.3.7): signature, versions, flags, method, time, date, CRC-32, sizes,
#: then the lengths of the file name and the extra field that follow it.
LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
ZIP_MAGIC = b"PK\x03\x04"
#: What reading a damaged or unreadable zip raises (isal's stub declares its ``error`` as an instance, not a class).
UNZIP_ERRORS: tuple[type[Exception], ...] = (OSError, zipfile.BadZipFile, EOFError, ValueError, struct.error,
                                              RuntimeError, NotImplementedError,
                                              cast(type[Exception], isal_zlib.error))
#: The zip methods read: stored, deflated (by ISA-L), bzip2 and LZMA (by zipfile).
SUPPORTED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
#: The largest member an import reads: a sanity bound against a zip bomb's hours of work (it costs no space, since a
#: member this large is streamed); GDELT 2.0 export members are a few MB.
MAX_MEMBER_BYTES = 2**36
#: A member larger than this is streamed to DuckDB's reader through a pipe instead of unzipped to the scratch folder.
STREAM_FROM = 2**28
#: Bytes of a deflated member read at a time.
INFLATE_READ = 256 * 2**10


def _inflate(path: Path, member: zipfile.ZipInfo, out: IO[bytes], lines: LongLines) -> None:
    """Write a deflated zip member to ``out`` with ISA-L's inflate, checking its size and CRC-32.

    ``zipfile`` reads the directory; only the member's bytes go through ``isal_zlib`` instead of the system zlib,
    which inflates much faster: with zlib, a zip import spent as much CPU unzipping as reading the CSV.
    """
    with open(path, "rb") as handle:
        handle.seek(member.header_offset)
        header = LOCAL_HEADER.unpack(handle.read(LOCAL_HEADER.size))
        if header[0] != ZIP_MAGIC:
            raise zipfile.BadZipFile(f"bad local header for {member.filename}")
        handle.seek(header[10] + header[11], 1)  # the local header's file name and extra field
        inflater = isal_zlib.decompressobj(-15)  # a raw deflate stream, as zip stores it
        left, crc, size = member.compress_size, 0, 0
        while left:
            # Small reads bound what one call can inflate to (deflate expands at most about 1,032 times), and a
            # member growing past its stated size is stopped at once: a hostile zip cannot fill memory or disk.
            chunk = handle.read(min(left, INFLATE_READ))
            if not chunk:
                raise EOFError(f"{member.filename} is cut short")
            left -= len(chunk)
            data = inflater.decompress(chunk)
            crc, size = isal_zlib.crc32(data, crc), size + len(data)
            if size > member.file_size:
                raise zipfile.BadZipFile(f"{member.filename} inflates to more than its stated {member.file_size} bytes")
            out.write(data)
            lines.feed(data)
        data = inflater.flush()
        crc, size = isal_zlib.crc32(data, crc), size + len(data)
        out.write(data)
        lines.feed(data)
    if not inflater.eof or size != member.file_size or crc != member.CRC:
        raise zipfile.BadZipFile(f"{member.filename} is damaged (size or CRC-32 does not match)")


@dataclass
class Stream:
    """A zip member read where it lies: written out in bounded pieces (``write``) or read again (``open``)."""

    path: Path
    member: zipfile.ZipInfo
    #: Why the last ``feeding`` could not inflate the member (damaged), if it could not.
    error: Exception | None = field(default=None, compare=False)

    def write(self, out: IO[bytes], lines: LongLines) -> None:
        """The member's bytes to ``out``, its long lines to ``lines``; raises one of ``UNZIP_ERRORS`` if damaged."""
        if self.member.compress_type == zipfile.ZIP_DEFLATED:
            _inflate(self.path, self.member, out, lines)
            return
        with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as inner:
            # stored, bzip2 or LZMA: zipfile reads it, in bounded chunks, and checks the CRC-32 at the end
            while data := inner.read(INFLATE_READ):
                out.write(data)
                lines.feed(data)

    @contextlib.contextmanager
    def open(self) -> Iterator[BinaryIO]:
        """The member as a file to read once more, from its start (through ``zipfile``: only for rare re-reads)."""
        with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as inner:
            yield cast(BinaryIO, inner)


def member_problem(member: zipfile.ZipInfo, max_member_bytes: int) -> str | None:
    """Why a zip member is not read at all (encrypted, too large, a method zipfile lacks), or None."""
    if member.flag_bits & 1:
        return f"{member.filename} is encrypted: armsflow reads only unencrypted zips"
    if member.file_size > max_member_bytes:
        return (f"{member.filename} inflates to {member.file_size:,} bytes, more than the {max_member_bytes:,} "
                f"bytes an import reads of one member (GDELT export files are a few MB): unzip it and import the CSV")
    if member.compress_type not in SUPPORTED_METHODS:
        return f"{member.filename} is compressed with zip method {member.compress_type}, which armsflow cannot read"
    return None


def extract(stream: Stream, target: Path, limit: int) -> LongLines:
    """Write the member to ``target``; the lines longer than ``limit`` in it."""
    lines = LongLines(limit)
    with open(target, "wb") as out:
        stream.write(out, lines)
    return lines


@contextlib.contextmanager
def feeding(stream: Stream, fifo: Path, lines: LongLines) -> Iterator[None]:
    """A named pipe at ``fifo`` that a thread fills with the member while the block reads it (DuckDB's reader).

    The thread's open waits for the reader, and the reader sees the end of the file when the thread closes the pipe.
    When the block ends, a reader that gave up early (or never came) must not leave the thread waiting: the pipe is
    opened here for reading, unread, until the thread has opened it, and closing that makes its next write fail
    (EPIPE), which ends it. ``stream.error`` is then the reason the member could not be inflated, if it could not.
    """
    os.mkfifo(fifo, 0o600)
    stream.error = None
    opened = threading.Event()

    def fill() -> None:
        try:
            with open(fifo, "wb") as out:
                opened.set()
                stream.write(out, lines)
        except BrokenPipeError:
            pass  # the reader stopped (it gave up on the file, or was interrupted): not the member's fault
        except Exception as exc:  # noqa: BLE001 - kept for the reader's thread, which decides what it means
            stream.error = exc
        finally:
            opened.set()

    thread = threading.Thread(target=fill, name="gdelt-stream", daemon=True)
    thread.start()
    try:
        yield
    finally:
        release = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        try:
            opened.wait()
        finally:
            os.close(release)
        thread.join()
        fifo.unlink(missing_ok=True)


def stated_size(path: Path, size: int, stream_from: int = STREAM_FROM) -> int:
    """The bytes of scratch space a zip's members take once extracted, by its directory (members larger than
    ``stream_from`` take none: they are streamed); six times its size if it cannot be read: the thread that extracts
    it will report why."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(m.file_size for m in archive.infolist() if m.file_size <= stream_from)
    except UNZIP_ERRORS:
        return size * 6

"""Zip members to plain CSV files in the import's scratch folder, in bounded reads, checked as they come out.

A GDELT ``.CSV.zip`` holds one member. It is extracted (DuckDB's reader and the fast path read files, the fast path
in parallel pieces), never read whole into memory: a deflated member goes through ISA-L's inflate 256 kB of input
at a time, the other methods through ``zipfile`` in the same bounded reads. A member that is encrypted, of a method
``zipfile`` lacks, or states more than ``MAX_MEMBER_BYTES`` is refused before anything is written; one that inflates
past its stated size is stopped at that size; the size and CRC-32 are checked at the end. The lines are measured as
they are written (``checks.LongLines``).
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from typing import BinaryIO, cast

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
#: The largest zip member an import unzips (to its scratch folder): GDELT 2.0 export members are a few MB.
MAX_MEMBER_BYTES = 2**30
#: Bytes of a deflated member read at a time.
INFLATE_READ = 256 * 2**10


def write(out: BinaryIO, data: bytes, lines: LongLines) -> None:
    """Write inflated bytes to the scratch file, measuring their lines on the way."""
    out.write(data)
    lines.feed(data)


def inflate(path: Path, member: zipfile.ZipInfo, target: Path, lines: LongLines) -> None:
    """Write a deflated zip member to ``target`` with ISA-L's inflate, checking its size and CRC-32.

    ``zipfile`` reads the directory; only the member's bytes go through ``isal_zlib`` instead of the system zlib,
    which inflates much faster: with zlib, a zip import spent as much CPU unzipping as reading the CSV.
    """
    with open(path, "rb") as handle, open(target, "wb") as out:
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
            write(out, data, lines)
        data = inflater.flush()
        crc, size = isal_zlib.crc32(data, crc), size + len(data)
        write(out, data, lines)
    if not inflater.eof or size != member.file_size or crc != member.CRC:
        raise zipfile.BadZipFile(f"{member.filename} is damaged (size or CRC-32 does not match)")


def member_problem(member: zipfile.ZipInfo, max_member_bytes: int) -> str | None:
    """Why a zip member is not extracted at all (encrypted, too large, a method zipfile lacks), or None."""
    if member.flag_bits & 1:
        return f"{member.filename} is encrypted: armsflow reads only unencrypted zips"
    if member.file_size > max_member_bytes:
        return (f"{member.filename} inflates to {member.file_size:,} bytes, more than the {max_member_bytes:,} "
                f"bytes an import unzips (GDELT export files are a few MB): unzip it and import the CSV")
    if member.compress_type not in SUPPORTED_METHODS:
        return f"{member.filename} is compressed with zip method {member.compress_type}, which armsflow cannot read"
    return None


def extract(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, limit: int) -> LongLines:
    """Write ``member`` of ``archive`` (the zip at ``path``) to ``target``; the lines longer than ``limit`` in it."""
    lines = LongLines(limit)
    if member.compress_type == zipfile.ZIP_DEFLATED:
        inflate(path, member, target, lines)
    else:  # stored, bzip2 or LZMA: zipfile reads it, in bounded chunks
        with archive.open(member) as inner, open(target, "wb") as out:
            while data := inner.read(INFLATE_READ):
                write(out, data, lines)
    return lines


def stated_size(path: Path, size: int) -> int:
    """The bytes a zip's directory says its members inflate to (six times its size if it cannot be read: the
    thread that extracts it will report why)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(member.file_size for member in archive.infolist())
    except UNZIP_ERRORS:
        return size * 6

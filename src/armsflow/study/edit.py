"""Edit one claim of a study folder in place: the row rewritten, every other byte kept, nothing written unless the
would-be study passes ``check``, the file replaced atomically, and a stale edit refused (optimistic concurrency).

The folder is the only place written: ``claims.csv`` must be a regular file directly inside it (a symbolic link is
refused, so an edit cannot reach a file elsewhere). The row's version is a hash of its bytes (its ``etag``): an edit
names the version it was made from, and is refused as a ``conflict`` when the row has changed since.
"""

from __future__ import annotations

import csv
import hashlib
import io
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

from armsflow.errors import ParameterError, StudyError, fail
from armsflow.results.edit import ClaimEdit, ClaimRow
from armsflow.study.files import atomic_write
from armsflow.study.loader import MAX_BYTES, _read_files, study_from_files

FILE = "claims.csv"
#: One edit at a time in this process, so that two saves naming the same version cannot both pass the version check.
_EDITING = threading.Lock()


def _claims_path(folder: Path) -> Path:
    """``folder/claims.csv``, refused unless it is a regular file inside a study folder (no link leads out)."""
    if not folder.is_dir():
        raise fail(str(folder), 0, "", "no such study folder (moved or deleted?)")
    path = folder / FILE
    if path.is_symlink() or not path.is_file():
        raise fail(FILE, 0, "", "not a regular file in the study folder (a symbolic link is never written through)")
    if path.resolve().parent != folder.resolve():
        raise fail(FILE, 0, "", "resolves outside the study folder")
    if path.stat().st_size > MAX_BYTES:
        raise fail(FILE, 0, "", f"larger than {MAX_BYTES // 2**20} MiB")
    return path


def _records(text: str) -> Iterator[tuple[str, list[str], int, int]]:
    """Each CSV record of ``text`` with its exact source text (a quoted field may span lines), its first line and
    its offset in ``text``. Lines end where Python's CSV reader ends them (\\n, \\r\\n or \\r), nowhere else."""
    lines = io.StringIO(text, newline="").readlines()
    consumed: list[str] = []
    position = 0
    offset = 0

    def feed() -> Iterator[str]:
        nonlocal position
        while position < len(lines):
            consumed.append(lines[position])
            position += 1
            yield consumed[-1]

    reader = csv.reader(feed(), strict=True)
    start = 1
    for fields in reader:
        raw = "".join(consumed)
        consumed.clear()
        yield raw, fields, start, offset
        start = position + 1
        offset += len(raw)


def _etag(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def _find(folder: Path, claim_id: str) -> tuple[str, list[str], str, list[str], int, int]:
    """(file text, header, raw row, row fields, line, offset) of claim ``claim_id``; ``ParameterError`` if absent.
    A byte-order mark stays in the text, and so in the file written back."""
    try:
        text = _claims_path(folder).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(FILE, 0, "", f"not UTF-8 text: {exc.reason}") from None
    try:
        records = list(_records(text))
    except csv.Error as exc:
        raise fail(FILE, 0, "", f"not readable as CSV: {exc}") from None
    if not records:
        raise fail(FILE, 1, "", "empty file")
    header = [records[0][1][0].removeprefix("\ufeff"), *records[0][1][1:]] if records[0][1] else []
    if "id" not in header:
        raise fail(FILE, 1, "id", "missing column")
    at = header.index("id")
    for raw, fields, line, offset in records[1:]:
        if len(fields) > at and fields[at] == claim_id:
            return text, header, raw, fields, line, offset
    raise ParameterError("claim", f"no claim {claim_id!r} in {FILE}")


def _row(folder: Path, header: list[str], raw: str, fields: list[str], line: int) -> ClaimRow:
    values = dict(zip(header, fields + [""] * (len(header) - len(fields)), strict=False))
    return ClaimRow(folder.name, values["id"], line, values, _etag(raw))


def read_claim(folder: Path, claim_id: str) -> ClaimRow:
    """The row of claim ``claim_id`` in ``folder``'s claims.csv, as text fields with its version (``etag``)."""
    _, header, raw, fields, line, _ = _find(folder, claim_id)
    return _row(folder, header, raw, fields, line)


def edit_claim(folder: Path, claim_id: str, changes: Mapping[str, str], *, if_match: str | None) -> ClaimEdit:
    """Set ``changes`` (column name to text) on claim ``claim_id`` of the study in ``folder``.

    The row is rewritten as CSV with the line ending it had; every other line of the file keeps its bytes and its
    place. The study with the new row must load without problems (``armsflow check``), else nothing is written and
    the problems are returned. ``if_match`` is the row's ``etag`` the edit was made from (``None``: any version).
    The file is replaced atomically (``study.files.atomic_write``).
    """
    with _EDITING:
        return _edit(folder, claim_id, changes, if_match)


def _edit(folder: Path, claim_id: str, changes: Mapping[str, str], if_match: str | None) -> ClaimEdit:
    text, header, raw, fields, line, at = _find(folder, claim_id)
    current = _row(folder, header, raw, fields, line)
    unknown = sorted(set(changes) - set(header))
    if unknown:
        raise ParameterError("changes", f"no column {', '.join(unknown)} in {FILE} (columns: {', '.join(header)})")
    if "id" in changes and changes["id"] != claim_id:
        raise ParameterError("changes", "the id of a claim cannot be changed (other files refer to it)")
    if if_match is not None and if_match != current.etag:
        return ClaimEdit("conflict", current)
    values = {**current.fields, **changes}
    if values == current.fields:
        return ClaimEdit("unchanged", current)
    ending = "\r\n" if raw.endswith("\r\n") else "\n"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=ending).writerow([values[c] for c in header])
    new_raw = buffer.getvalue() if raw.endswith(("\n", "\r")) else buffer.getvalue().removesuffix(ending)
    new_text = text[:at] + new_raw + text[at + len(raw):]
    files = _read_files(folder, [])
    files[FILE] = new_text.encode()
    try:
        study_from_files(files, folder.name)
    except StudyError as exc:
        return ClaimEdit("invalid", current, exc.problems)
    if _claims_path(folder).read_bytes() != text.encode():  # changed by another program while we checked
        return ClaimEdit("conflict", read_claim(folder, claim_id))
    atomic_write(folder / FILE, files[FILE])
    return ClaimEdit("saved", read_claim(folder, claim_id))


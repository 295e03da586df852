"""Edit one row of a study table (a claim, a source) in place: the row rewritten, every other byte kept, nothing
written unless the would-be study passes ``check``, the file replaced atomically, and a stale edit refused
(optimistic concurrency).

The folder is the only place written: the table must be a regular file directly inside it (a symbolic link is
refused, so an edit cannot reach a file elsewhere). The row's version is a hash of its bytes (its ``etag``): an edit
names the version it was made from, and is refused as a ``conflict`` when the row has changed since.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Literal, NamedTuple

from armsflow.errors import ParameterError, Problem, StudyError, fail
from armsflow.results.edit import ClaimEdit, ClaimRow, R, SourceEdit, SourceRow
from armsflow.study.files import atomic_write, editing, study_file, version
from armsflow.study.loader import _read_files, study_from_files

Status = Literal["saved", "unchanged", "invalid", "conflict"]


@dataclass(frozen=True)
class _Table(Generic[R]):
    """A study table an edit may write: its file, what its rows are called (the ``ParameterError``'s parameter when
    an id is absent), and how a row of it is made from (folder, id, line, fields, etag)."""

    file: str
    noun: str
    row: Callable[[Path, str, int, dict[str, str], str], R]


class _Found(NamedTuple):
    """A row found in a table: the file's text, its header, the row's exact text, fields, first line and offset."""

    text: str
    header: list[str]
    raw: str
    fields: list[str]
    line: int
    offset: int


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


def _table(folder: Path, file: str) -> tuple[str, list[str], list[tuple[str, list[str], int, int]]]:
    """(file text, header, records after the header) of ``folder/file``, which must have an ``id`` column.
    A byte-order mark stays in the text, and so in the file written back."""
    try:
        text = study_file(folder, file).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(file, 0, "", f"not UTF-8 text: {exc.reason}") from None
    try:
        records = list(_records(text))
    except csv.Error as exc:
        raise fail(file, 0, "", f"not readable as CSV: {exc}") from None
    if not records:
        raise fail(file, 1, "", "empty file")
    header = [records[0][1][0].removeprefix("\ufeff"), *records[0][1][1:]] if records[0][1] else []
    if "id" not in header:
        raise fail(file, 1, "id", "missing column")
    return text, header, records[1:]


def _find(folder: Path, table: _Table[R], ident: str) -> _Found:
    """Row ``ident`` of ``table`` in ``folder``; ``ParameterError`` (parameter: the table's noun) if absent."""
    text, header, records = _table(folder, table.file)
    at = header.index("id")
    for raw, fields, line, offset in records:
        if len(fields) > at and fields[at] == ident:
            return _Found(text, header, raw, fields, line, offset)
    raise ParameterError(table.noun, f"no {table.noun} {ident!r} in {table.file}")


def _row(folder: Path, table: _Table[R], found: _Found) -> R:
    padded = found.fields + [""] * (len(found.header) - len(found.fields))
    values = dict(zip(found.header, padded, strict=False))
    return table.row(folder, values["id"], found.line, values, version(found.raw.encode()))


def _citing(folder: Path, source_id: str) -> list[str]:
    """The ids of the claims in ``folder``'s claims.csv whose ``source`` is ``source_id``, in the file's order."""
    _, header, records = _table(folder, CLAIMS.file)
    if "source" not in header:
        return []
    at, source = header.index("id"), header.index("source")
    return [fields[at] for _, fields, _, _ in records if len(fields) > max(at, source) and fields[source] == source_id]


CLAIMS: _Table[ClaimRow] = _Table("claims.csv", "claim",
                                  lambda folder, ident, line, fields, etag:
                                  ClaimRow(folder.name, ident, line, fields, etag))
SOURCES: _Table[SourceRow] = _Table("sources.csv", "source",
                                    lambda folder, ident, line, fields, etag:
                                    SourceRow(folder.name, ident, line, fields, etag, _citing(folder, ident)))


def read_claim(folder: Path, claim_id: str) -> ClaimRow:
    """The row of claim ``claim_id`` in ``folder``'s claims.csv, as text fields with its version (``etag``)."""
    return _row(folder, CLAIMS, _find(folder, CLAIMS, claim_id))


def read_source(folder: Path, source_id: str) -> SourceRow:
    """The row of source ``source_id`` in ``folder``'s sources.csv, as text fields with its version (``etag``) and
    the ids of the claims that cite it."""
    return _row(folder, SOURCES, _find(folder, SOURCES, source_id))


def edit_claim(folder: Path, claim_id: str, changes: Mapping[str, str], *, if_match: str | None) -> ClaimEdit:
    """Set ``changes`` (column name to text) on claim ``claim_id`` of the study in ``folder``.

    The row is rewritten as CSV with the line ending it had; every other line of the file keeps its bytes and its
    place. The study with the new row must load without problems (``armsflow check``), else nothing is written and
    the problems are returned. ``if_match`` is the row's ``etag`` the edit was made from (``None``: any version).
    The file is replaced atomically (``study.files.atomic_write``).
    """
    return ClaimEdit(*_edit(folder, CLAIMS, claim_id, changes, if_match))


def edit_source(folder: Path, source_id: str, changes: Mapping[str, str], *, if_match: str | None) -> SourceEdit:
    """Set ``changes`` (column name to text) on source ``source_id`` of the study in ``folder``, as ``edit_claim``
    does on a claim: checked before anything is written, a stale ``if_match`` refused as a conflict, every other line
    kept. Its grade is the ``reliability`` column. Its id cannot be changed: claims refer to it."""
    return SourceEdit(*_edit(folder, SOURCES, source_id, changes, if_match))


def _edit(folder: Path, table: _Table[R], ident: str, changes: Mapping[str, str],
          if_match: str | None) -> tuple[Status, R, list[Problem]]:
    with editing(folder):
        found = _find(folder, table, ident)
        current = _row(folder, table, found)
        unknown = sorted(set(changes) - set(found.header))
        if unknown:
            raise ParameterError("changes", f"no column {', '.join(unknown)} in {table.file} "
                                            f"(columns: {', '.join(found.header)})")
        if "id" in changes and changes["id"] != ident:
            raise ParameterError("changes", f"the id of a {table.noun} cannot be changed (other files refer to it)")
        if if_match is not None and if_match != current.etag:
            return "conflict", current, []
        values = {**current.fields, **changes}
        if values == current.fields:
            return "unchanged", current, []
        raw = found.raw
        ending = "\r\n" if raw.endswith("\r\n") else "\n"
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=ending).writerow([values[c] for c in found.header])
        new_raw = buffer.getvalue() if raw.endswith(("\n", "\r")) else buffer.getvalue().removesuffix(ending)
        new_text = found.text[:found.offset] + new_raw + found.text[found.offset + len(raw):]
        files = _read_files(folder, [])
        files[table.file] = new_text.encode()
        try:
            study_from_files(files, folder.name)
        except StudyError as exc:
            return "invalid", current, exc.problems
        if study_file(folder, table.file).read_bytes() != found.text.encode():  # changed by another program meanwhile
            return "conflict", _row(folder, table, _find(folder, table, ident)), []
        atomic_write(folder / table.file, files[table.file])
        return "saved", _row(folder, table, _find(folder, table, ident)), []

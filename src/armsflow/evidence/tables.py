"""Reading CSV tables with the line number of every row, so that every problem can name ``file:line: field``."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from armsflow.errors import Problem

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,79}$")
#: The earliest publication date a source may carry; documents about today's transfers are not older.
FIRST_DAY = date(1900, 1, 1)
#: ISO 3166-1 alpha-3, as events.csv, trade.csv and GDELT's actor country codes write countries.
COUNTRY = re.compile(r"^[A-Z]{3}$")


@dataclass
class Row:
    """One CSV record: its values by column, the line it starts on, and where problems go."""

    file: str
    line: int
    values: dict[str, str]
    problems: list[Problem] = field(repr=False)

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.line, column, message))

    def text(self, column: str, required: bool = True) -> str:
        value = self.values.get(column, "").strip()
        if required and not value:
            self.problem(column, "missing")
        return value

    def ident(self, column: str = "id") -> str:
        value = self.text(column)
        if value and not ID_PATTERN.match(value):
            self.problem(column, f"bad id {value[:40]!r}: use letters, digits, '-', '_' or '.'")
        return value

    def unique_id(self, seen: dict[str, int], column: str = "id") -> str:
        """The row's id, checked for form and against the ids ``seen`` so far (recorded with their lines)."""
        ident = self.ident(column)
        if ident in seen:
            self.problem(column, f"duplicate id {ident!r} (first on line {seen[ident]})")
        elif ident:
            seen[ident] = self.line
        return ident

    def source(self, known: set[str] | None, column: str = "source") -> str:
        """A source id that must be one of ``known`` (``None``: the sources could not be read; not checked)."""
        value = self.text(column)
        if value and known is not None and value not in known:
            self.problem(column, f"unknown source id {value[:40]!r}")
        return value

    def country(self, column: str) -> str:
        """An ISO 3166-1 alpha-3 country code, or a code of the same form such as UN Comtrade's WLD (the world)."""
        value = self.text(column)
        if value and not COUNTRY.match(value):
            self.problem(column, f"not an ISO 3166-1 alpha-3 code (three capital letters): {value[:20]!r}")
        return value

    def number(self, column: str) -> float | None:
        raw = self.text(column, required=False).replace("_", "")
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            self.problem(column, f"not a number: {raw[:40]!r}")
            return None
        if not math.isfinite(value):
            self.problem(column, f"not a finite number: {raw!r}")
            return None
        return value

    def integer(self, column: str, low: int, high: int) -> int | None:
        raw = self.text(column)
        if not raw:
            return None
        if not raw.isdigit() or not low <= int(raw) <= high:
            self.problem(column, f"must be a whole number from {low} to {high}, got {raw[:20]!r}")
            return None
        return int(raw)

    def publication_day(self, column: str) -> date | None:
        """A publication date: ISO form, from FIRST_DAY to today (a document cannot be published later)."""
        raw = self.text(column)
        if not raw:
            return None
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            self.problem(column, f"not a date (YYYY-MM-DD): {raw[:40]!r}")
            return None
        if not FIRST_DAY <= day <= date.today():
            self.problem(column, f"{day} is not a publication date: it must lie from {FIRST_DAY} to today")
            return None
        return day


def read_table(name: str, data: bytes, columns: tuple[str, ...], optional: tuple[str, ...],
               problems: list[Problem]) -> list[Row]:
    """Parse CSV ``data`` of file ``name`` into rows; header, structure and field problems go to ``problems``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, "", "not valid UTF-8 text"))
        return []
    if "\x00" in text:  # a text file never holds one; a binary file or a broken save does
        problems.append(Problem(name, text[: text.index("\x00")].count("\n") + 1, "", "holds a NUL byte: not a "
                                                                                        "text file"))
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    try:
        header = next(reader, None)
        if header is None:
            problems.append(Problem(name, 1, "", "empty file: expected a header row"))
            return []
        header = [h.strip() for h in header]
        missing = [c for c in columns if c not in header]
        unknown = [h for h in header if h not in columns and h not in optional]
        for c in missing:
            problems.append(Problem(name, 1, c, "missing column"))
        for h in unknown:
            problems.append(Problem(name, 1, h or "(blank)", "unknown column"))
        if missing:
            return []
        start = reader.line_num + 1
        for record in _records(reader):
            if not any(v.strip() for v in record):
                start = reader.line_num + 1
                continue
            row = Row(name, start, dict(zip(header, record, strict=False)), problems)
            if len(record) != len(header):
                row.problem("", f"{len(record)} fields where the header has {len(header)}")
            else:
                rows.append(row)
            start = reader.line_num + 1
    except csv.Error as exc:
        where = start if "start" in locals() else (reader.line_num or 1)
        problems.append(Problem(name, where, "", f"malformed CSV: {exc}"))
    return rows


def _records(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    yield from reader

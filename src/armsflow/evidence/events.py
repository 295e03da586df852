"""Curated diplomatic events (events.csv): one row per exchange, each with its dates, sides, level, kind and source.

The format is documented in docs/events.md. ``load_events`` reports every bad field as ``events.csv:LINE: FIELD:
message`` and returns only the rows without problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from armsflow.errors import Problem
from armsflow.evidence.period import last_day
from armsflow.evidence.tables import Row, read_table

FILE = "events.csv"
COLUMNS = ("id", "start", "end", "side_a", "side_b", "level", "kind", "place", "source")
OPTIONAL = ("notes",)
LEVELS = ("head_of_state", "head_of_government", "minister", "vice_minister", "official", "delegation")
KINDS = ("visit", "summit", "treaty", "call", "meeting", "commission", "forum", "other")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Event:
    """One exchange between two sides.

    ``start`` is the first day the event may have begun; ``end`` is the last day it lasted (the given end, the last
    day of its month when given as ``YYYY-MM``; without an end, the start day, or the last day of the start month).
    When the source gives only the month (``precision == "month"``), ``start`` is the first day of that month and the
    event may have begun on any day of it.
    """

    id: str
    start: date
    end: date
    precision: str
    side_a: str
    side_b: str
    level: str
    kind: str
    place: str
    source: str
    notes: str
    line: int

    @property
    def month(self) -> str:
        """The month the event began, ``YYYY-MM``."""
        return f"{self.start.year:04d}-{self.start.month:02d}"

    @property
    def latest_start(self) -> date:
        """The last day the event may have begun: ``start`` itself, or the month's last day."""
        if self.precision == "day":
            return self.start
        return last_day(self.start.year, self.start.month)


def _when(row: Row, column: str, required: bool) -> tuple[date, date, str] | None:
    """Parse ``YYYY-MM-DD`` or ``YYYY-MM`` into (first day, last day, precision)."""
    raw = row.text(column, required=required)
    if not raw:
        return None
    month = _MONTH.match(raw)
    try:
        if month:
            year, number = int(month.group(1)), int(month.group(2))
            if not 1 <= number <= 12:
                raise ValueError
            return date(year, number, 1), last_day(year, number), "month"
        if not _DAY.match(raw):
            raise ValueError
        day = date.fromisoformat(raw)
    except ValueError:
        row.problem(column, f"not a date (YYYY-MM-DD, or YYYY-MM when only the month is known): {raw[:40]!r}")
        return None
    return day, day, "day"


def _choice(row: Row, column: str, allowed: tuple[str, ...]) -> str:
    value = row.text(column)
    if value and value not in allowed:
        row.problem(column, f"must be one of {', '.join(allowed)}, got {value[:30]!r}")
    return value




def load_events(data: bytes, known_sources: set[str] | None, problems: list[Problem]) -> list[Event]:
    """Parse events.csv; every bad field becomes a ``Problem``. ``known_sources=None`` skips the source check."""
    out: list[Event] = []
    seen: dict[str, int] = {}
    for row in read_table(FILE, data, COLUMNS, OPTIONAL, problems):
        before = len(problems)
        ident = row.unique_id(seen)
        start = _when(row, "start", required=True)
        end = _when(row, "end", required=False)
        if start and end and end[1] < start[0]:
            row.problem("end", f"end ({row.text('end')}) is before start ({row.text('start')})")
        side_a, side_b = row.country("side_a"), row.country("side_b")
        if side_a and side_a == side_b:
            row.problem("side_b", f"same as side_a ({side_a}): an exchange needs two sides")
        level = _choice(row, "level", LEVELS)
        kind = _choice(row, "kind", KINDS)
        source = row.source(known_sources)
        if len(problems) == before and start:
            last = end[1] if end else start[1]
            out.append(Event(ident, start[0], last, start[2], side_a, side_b, level, kind,
                             row.text("place", required=False), source, row.text("notes", required=False),
                             row.line))
    return out

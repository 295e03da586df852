"""Periods: the span of days a claim, a trade figure or an event window covers, and the one way they are written.

A period is written as a day (``2024-10-23``), a month (``2024-10``), a quarter (``2024-Q3``), a half-year
(``2024-H1``), a year (``2024``) or a range ``A..B`` of any two of these (``2023-07..2024-06``). ``str`` gives the
shortest of these texts, which ``parse_period`` reads back to the same period.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

FIRST_YEAR, LAST_YEAR = 1900, 2100
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SINGLE = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]|\d{2})(?:-(\d{2}))?)?$")


def last_day(year: int, month: int) -> date:
    """The last day of a calendar month."""
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, order=True)
class Period:
    """The days from ``start`` to ``end``, both included."""

    start: date
    end: date

    @classmethod
    def of(cls, start_year: int, start_month: int, end_year: int, end_month: int) -> Period:
        """The whole calendar months from (``start_year``, ``start_month``) to (``end_year``, ``end_month``)."""
        return cls(date(start_year, start_month, 1), last_day(end_year, end_month))

    @property
    def first(self) -> tuple[int, int]:
        """(year, month) of the first day."""
        return self.start.year, self.start.month

    @property
    def last(self) -> tuple[int, int]:
        """(year, month) of the last day."""
        return self.end.year, self.end.month

    @property
    def months(self) -> int:
        """The number of calendar months the period touches (its length in months when ``whole_months``)."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def whole_months(self) -> bool:
        """True when the period begins on a month's first day and ends on a month's last day."""
        return self.start.day == 1 and self.end + timedelta(days=1) == _next_month(self.end)

    @property
    def is_year(self) -> bool:
        return self.whole_months and self.start.month == 1 and self.months == 12

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def __str__(self) -> str:
        """The shortest text that ``parse_period`` reads back to this period."""
        if not self.whole_months:
            if self.start == self.end:
                return self.start.isoformat()
            return f"{self.start.isoformat()}..{self.end.isoformat()}"
        (y, m), (ey, em), n = self.first, self.last, self.months
        if self.is_year:
            return str(y)
        if n == 6 and m in (1, 7):
            return f"{y}-H{m // 6 + 1}"
        if n == 3 and m % 3 == 1:
            return f"{y}-Q{m // 3 + 1}"
        if n == 1:
            return f"{y}-{m:02d}"
        if m == 1 and em == 12:
            return f"{y}..{ey}"
        return f"{y}-{m:02d}..{ey}-{em:02d}"

    def label(self) -> str:
        """In English words: ``2023``, ``H1 2024``, ``Q3 2024``, ``Mar 2024``, ``Jan–Nov 2023``, ``2017–2021``."""
        text, (y, m), (ey, em) = str(self), self.first, self.last
        if not self.whole_months:
            return text.replace("..", "–")
        if "H" in text or "Q" in text:
            return f"{text[5:]} {y}"
        if self.months == 1:
            return f"{MONTHS[m - 1]} {y}"
        if ".." not in text:
            return text
        if m == 1 and em == 12:
            return f"{y}–{ey}"
        return f"{MONTHS[m - 1]}–{MONTHS[em - 1]} {y}" if y == ey else f"{MONTHS[m - 1]} {y}–{MONTHS[em - 1]} {ey}"


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def parse_period(text: str) -> Period:
    """Parse a day, month, quarter, half-year, year or a range ``A..B`` of them; raise ``ValueError`` saying why."""
    if ".." in text:
        a, _, b = text.partition("..")
        first, last = _single(a.strip()), _single(b.strip())
        if first.start > last.end:
            raise ValueError(f"{text!r} ends before it starts")
        return Period(first.start, last.end)
    return _single(text.strip())


def _single(text: str) -> Period:
    m = _SINGLE.match(text)
    if not m or (m.group(3) and not m.group(2).isdigit()):
        raise ValueError(f"{text!r}: use YYYY, YYYY-H1, YYYY-Q1, YYYY-MM, YYYY-MM-DD or A..B")
    year, part, day = int(m.group(1)), m.group(2), m.group(3)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year {year} is outside {FIRST_YEAR}-{LAST_YEAR}")
    if part is None:
        return Period.of(year, 1, year, 12)
    if part[0] in "HQ":
        size = 6 if part[0] == "H" else 3
        first = (int(part[1]) - 1) * size + 1
        return Period.of(year, first, year, first + size - 1)
    if not 1 <= int(part) <= 12:
        raise ValueError(f"bad month in {text!r}")
    if day is None:
        return Period.of(year, int(part), year, int(part))
    try:
        single = date(year, int(part), int(day))
    except ValueError:
        raise ValueError(f"bad day in {text!r}") from None
    return Period(single, single)

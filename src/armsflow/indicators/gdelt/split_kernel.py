"""The compiled loop of the fast path (``split.py``): plain Python compiled by Numba, one pass over the bytes.

Kept apart so that Numba loads only when an import uses the fast path. The status codes are ``split.REASONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np

F = TypeVar("F", bound=Callable[..., Any])
#: Compiled to machine code on first use, without the GIL, and cached on disk (next to this file, or in Numba's
#: user cache folder if this one cannot be written).
compiled = cast(Callable[[F], F], numba.njit(nogil=True, cache=True))

TAB, NEWLINE, RETURN = 9, 10, 13
NOT_A_DATE = -(1 << 40)
FIELDS = 61
SHORT_FIELD = 16
MICROS_PER_SECOND = 1_000_000


@compiled
def _digits(raw: Any, a: int, b: int) -> int:
    """The number written in ``raw[a:b]`` (digits only), or -1."""
    value = 0
    for k in range(a, b):
        digit = raw[k] - 48
        if digit < 0 or digit > 9:
            return -1
        value = value * 10 + digit
    return value


@compiled
def _days(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's ``days_from_civil``), or NOT_A_DATE."""
    if month < 1 or month > 12 or day < 1 or year < 1000:
        return NOT_A_DATE
    if month == 2:
        leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
        longest = 29 if leap else 28
    elif month == 4 or month == 6 or month == 9 or month == 11:
        longest = 30
    else:
        longest = 31
    if day > longest:
        return NOT_A_DATE
    y = year - 1 if month <= 2 else year
    era = y // 400
    of_era = y - era * 400
    shifted = month - 3 if month > 2 else month + 9
    of_year = (153 * shifted + 2) // 5 + day - 1
    return era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468


@compiled
def _date(raw: Any, a: int) -> int:
    """Days since 1970 of the YYYYMMDD at ``raw[a:a+8]``, or NOT_A_DATE."""
    year, month, day = _digits(raw, a, a + 4), _digits(raw, a + 4, a + 6), _digits(raw, a + 6, a + 8)
    if year < 0 or month < 0 or day < 0:
        return NOT_A_DATE
    return _days(year, month, day)


@compiled
def _copy(raw: Any, a: int, b: int, out: Any, at: int, room: int) -> int:
    """Copy ``raw[a:b]`` to ``out[at:]``; the new end, or -1 for a control character, -2 if it needs over ``room``."""
    if b - a > room:
        return -2
    for k in range(a, b):
        byte = raw[k]
        if byte < 32:
            return -1
        out[at] = byte
        at += 1
    return at


@compiled
def split(raw: Any, begin: int, end: int, at_eof: bool, ids: Any, days: Any, micros: Any, offsets: Any,
          short: Any, long: Any) -> tuple[int, int, int]:
    """Split the lines of ``raw`` that start in ``[begin, end)``; (status, rows, offset of the line it stopped at).

    ``raw[begin - 1]`` tells whether a line starts at ``begin``; a line that does not end inside ``raw`` is the
    file's last only if ``at_eof``. Fields 0, 1, 7, 17, 26, 59 and 60 are kept: the id to ``ids``, SQLDATE to
    ``days``, DATEADDED to ``micros``, the two country codes and the event code to ``short[0..2]`` and the URL to
    ``long``, each text field's end to ``offsets[k, row + 1]``. Status 0 means every line was read.
    """
    n = raw.shape[0]
    tabs = np.empty(FIELDS + 3, np.int64)
    i = begin
    if begin > 0:  # the piece starts inside a line that belongs to the piece before
        i = begin - 1
        while i < n and raw[i] != NEWLINE:
            i += 1
        i += 1
    row = 0
    ends = np.zeros(4, np.int64)
    while i < end and i < n:
        start = i
        k = 0
        while i < n:
            byte = raw[i]
            if byte == TAB:
                if k < FIELDS + 3:
                    tabs[k] = i
                k += 1
            elif byte == NEWLINE:
                break
            elif byte == RETURN:
                return 1, row, start
            i += 1
        if i == n and not at_eof:
            return 8, row, start
        stop = i
        i += 1
        if k != FIELDS - 1:
            return 2, row, start
        if tabs[0] - start < 1 or tabs[0] - start > 18:
            return 3, row, start
        value = _digits(raw, start, tabs[0])
        if value < 0:
            return 3, row, start
        ids[row] = value
        if tabs[1] - tabs[0] != 9:
            return 4, row, start
        day = _date(raw, tabs[0] + 1)
        if day == NOT_A_DATE:
            return 4, row, start
        days[row] = day
        a = tabs[58] + 1
        if tabs[59] - a != 14:
            return 5, row, start
        day = _date(raw, a)
        hour, minute, second = _digits(raw, a + 8, a + 10), _digits(raw, a + 10, a + 12), _digits(raw, a + 12, a + 14)
        if day == NOT_A_DATE or hour < 0 or hour > 23 or minute < 0 or minute > 59 or second < 0 or second > 59:
            return 5, row, start
        micros[row] = (((day * 24 + hour) * 60 + minute) * 60 + second) * MICROS_PER_SECOND
        for field, after in ((0, 6), (1, 16), (2, 25)):
            at = _copy(raw, tabs[after] + 1, tabs[after + 1], short[field], ends[field], SHORT_FIELD)
            if at < 0:
                return (7 if at == -1 else 6), row, start
            ends[field] = at
            offsets[field, row + 1] = at
        at = _copy(raw, tabs[59] + 1, stop, long, ends[3], n)
        if at < 0:
            return 7, row, start
        ends[3] = at
        offsets[3, row + 1] = at
        row += 1
    return 0, row, 0


"""The compiled loop of the fast path (``split.py``): plain Python compiled by Numba.

Two steps per piece: ``_marks`` sets one bit for every tab, newline and carriage return, 64 bytes to a word, in a
loop that LLVM vectorizes; ``split`` then visits only the marked bytes, each word's lowest set bit first, and types
the stored fields of each line (``_line``): a GDELT line has few such bytes, and visiting every byte instead, with a
branch on each, cost much more CPU. Kept apart so that Numba loads only when an import uses the fast path. The
status codes are ``split.REASONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numba.cpython.unsafe.numbers import trailing_zeros as _trailing_zeros

F = TypeVar("F", bound=Callable[..., Any])


def compiled(function: F) -> F:
    """``function`` compiled to machine code on first use, run without the GIL, and cached on disk (next to this
    file, or in Numba's user cache folder if this one cannot be written). Where neither can be written (a read-only
    installation and home folder), Numba refuses to cache: the function is then compiled again in each process (a
    few seconds on an import's first large batch) rather than the import failing."""
    try:
        return cast(F, numba.njit(nogil=True, cache=True)(function))
    except RuntimeError:  # Numba: "cannot cache function ...: no locator available"
        return cast(F, numba.njit(nogil=True)(function))


#: The number of zero bits below the lowest set bit of a word (LLVM's ``cttz``: one instruction), in compiled code.
trailing_zeros = cast(Callable[[Any], Any], _trailing_zeros)

TAB, NEWLINE, RETURN = 9, 10, 13
NOT_A_DATE = -(1 << 40)
FIELDS = 61
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
def _copy(raw: Any, a: int, b: int, out: Any, at: int, wide: Any) -> int:
    """Copy ``raw[a:b]`` to ``out[at:]``: the new end, or -1 for a control character.

    ``wide[0]`` is set to 1 if a byte is not ASCII (only then must the text be checked for valid UTF-8). Both loops
    index slices from 0, so that LLVM vectorizes them (a slice assignment compiled much more slowly, and ran slower).
    """
    text, dest = raw[a:b], out[at:at + b - a]
    lowest, seen = 255, 0
    for k in range(b - a):
        byte = text[k]
        lowest = min(lowest, byte)
        seen |= byte
    if lowest < 32:
        return -1
    for k in range(b - a):
        dest[k] = text[k]
    if seen >= 128:
        wide[0] = 1
    return at + b - a


@compiled
def _line(raw: Any, start: int, stop: int, tabs: Any, row: int, ids: Any, days: Any, micros: Any, offsets: Any,
          short: Any, room: int, long: Any, ends: Any, wide: Any) -> int:
    """Type and copy the stored fields of the line ``raw[start:stop]`` whose 60 tabs are ``tabs``; 0 or a status.

    A short text field of more than ``room`` bytes does not fit ``short`` and is status 6."""
    if tabs[0] - start < 1 or tabs[0] - start > 18:
        return 3
    value = _digits(raw, start, tabs[0])
    if value < 0:
        return 3
    ids[row] = value
    if tabs[1] - tabs[0] != 9:
        return 4
    day = _date(raw, tabs[0] + 1)
    if day == NOT_A_DATE:
        return 4
    days[row] = day
    a = tabs[58] + 1
    if tabs[59] - a != 14:
        return 5
    day = _date(raw, a)
    hour, minute, second = _digits(raw, a + 8, a + 10), _digits(raw, a + 10, a + 12), _digits(raw, a + 12, a + 14)
    if day == NOT_A_DATE or hour < 0 or hour > 23 or minute < 0 or minute > 59 or second < 0 or second > 59:
        return 5
    micros[row] = (((day * 24 + hour) * 60 + minute) * 60 + second) * MICROS_PER_SECOND
    for field, after in ((0, 6), (1, 16), (2, 25)):
        if tabs[after + 1] - tabs[after] - 1 > room:
            return 6
        at = _copy(raw, tabs[after] + 1, tabs[after + 1], short[field], ends[field], wide)
        if at < 0:
            return 7
        ends[field] = at
        offsets[field, row + 1] = at
    at = _copy(raw, tabs[59] + 1, stop, long, ends[3], wide)
    if at < 0:
        return 7
    ends[3] = at
    offsets[3, row + 1] = at
    return 0


@compiled
def _marks(raw: Any, begin: int, marks: Any) -> int:
    """One bit per byte of ``raw[begin:]`` that is a tab, a newline or a carriage return, 64 bytes to a word; the
    number of words.

    Bit ``j`` of ``marks[w]`` stands for ``raw[begin + 64 * w + j]``. Written as a plain loop over whole 64-byte
    blocks, which LLVM turns into vector instructions, so the scan costs almost nothing next to typing the fields;
    the last, partial block byte by byte.
    """
    block = raw[begin:]  # indexed from 0: with an offset added to every index, LLVM does not vectorize the loop
    n: int = block.shape[0]
    whole = n // 64
    for w in range(whole):
        word = np.uint64(0)
        for j in range(64):
            byte = block[64 * w + j]
            word |= np.uint64(byte == TAB) << np.uint64(j)
            word |= np.uint64(byte == NEWLINE) << np.uint64(j)
            word |= np.uint64(byte == RETURN) << np.uint64(j)
        marks[w] = word
    if whole * 64 < n:
        word = np.uint64(0)
        for j in range(n - whole * 64):
            byte = block[64 * whole + j]
            word |= np.uint64((byte == TAB) | (byte == NEWLINE) | (byte == RETURN)) << np.uint64(j)
        marks[whole] = word
        return whole + 1
    return whole


@compiled
def split(raw: Any, begin: int, end: int, at_eof: bool, ids: Any, days: Any, micros: Any, offsets: Any,
          short: Any, long: Any, marks: Any) -> tuple[int, int, int, int]:
    """Split the lines of ``raw`` that start in ``[begin, end)``: (status, rows, offset of the line it stopped at,
    1 if a stored text field holds a byte that is not ASCII else 0).

    ``raw[begin - 1]`` tells whether a line starts at ``begin``; a line that does not end inside ``raw`` is the
    file's last only if ``at_eof``. Fields 0, 1, 7, 17, 26, 59 and 60 are kept: the id to ``ids``, SQLDATE to
    ``days``, DATEADDED to ``micros``, the two country codes and the event code to ``short[0..2]`` (as many bytes
    per row as ``short`` has room for beside ``ids``) and the URL to ``long``, each text field's end to
    ``offsets[k, row + 1]``. ``marks`` is room for ``len(raw) / 64 + 1`` words.
    Status 0 means every line was read.

    The tabs and line ends are found from ``_marks``: the loop below visits only those bytes (one in six of a
    GDELT line), taking each next one from its word's lowest set bit.
    """
    n = raw.shape[0]
    start = begin
    if begin > 0:  # the piece starts inside a line that belongs to the piece before
        start = begin - 1
        while start < n and raw[start] != NEWLINE:
            start += 1
        start += 1
    if start >= end or start >= n:
        return 0, 0, 0, 0
    origin = start
    words = _marks(raw, origin, marks)
    if at_eof and raw[n - 1] != NEWLINE:  # the file's last line has no newline: one is marked just past its end
        past = n - origin
        if past // 64 == words:
            marks[words] = 0
            words += 1
        marks[past // 64] |= np.uint64(1) << np.uint64(past % 64)
    tabs = np.empty(128, np.int64)
    ends = np.zeros(4, np.int64)
    wide = np.zeros(1, np.uint8)
    row, k = int(np.int64(0)), 0  # not the literal 0, for which Numba would compile _line a second time
    room = short.shape[1] // ids.shape[0]  # bytes per row for each short field: taken from the buffer, not assumed
    for w in range(words):
        word = marks[w]
        base = origin + 64 * w
        while word:
            at = base + int(trailing_zeros(word))
            word &= word - np.uint64(1)
            byte = raw[at] if at < n else NEWLINE
            if byte == TAB:
                tabs[k & 127] = at
                k += 1
                continue
            if byte == RETURN:
                return 1, row, start, 0
            # a newline: the line raw[start:at] is complete
            if k != FIELDS - 1:
                return 2, row, start, 0
            status = _line(raw, start, at, tabs, row, ids, days, micros, offsets, short, room, long, ends, wide)
            if status:
                return status, row, start, 0
            row += 1
            start, k = at + 1, 0
            if start >= end:
                return 0, row, 0, int(wide[0])
    if start < n:  # the last line goes on past what was read, and this is not the end of the file
        return 8, row, start, 0
    return 0, row, 0, int(wide[0])

"""IMO ship identification numbers: reading them as lists write them, and checking their check digit.

An IMO number has seven digits; the seventh is the sum of the first six times the weights 7, 6, 5, 4, 3, 2, modulo
10 (IMO Resolution A.1117(30), the IMO ship identification number scheme; ``stdnum.imo`` implements the same rule).
A number whose check digit fails is kept and reported, never dropped: a list may misprint one, and an analyst
should see it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WEIGHTS = (7, 6, 5, 4, 3, 2)
#: ``IMO 9179842``, ``IMO9179842``, ``IMO: 9179842``, or seven bare digits; no digit may touch the seven.
_IMO = re.compile(r"(?<![0-9A-Za-z])(?:IMO[\s:.#-]*)?(\d{7})(?!\d)", re.IGNORECASE)
_TAGGED = re.compile(r"IMO[\s:.#-]*(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class Imo:
    """Seven digits read from a list or a query, and whether their check digit holds."""

    number: str
    valid: bool

    def __str__(self) -> str:
        return self.number


def check_digit(six: str) -> int:
    """The check digit of the first six digits of an IMO number."""
    return sum(int(d) * w for d, w in zip(six, _WEIGHTS, strict=True)) % 10


def is_valid(number: str) -> bool:
    """Whether ``number`` is seven digits whose last is the check digit of the first six (9179842 is)."""
    return len(number) == 7 and number.isdigit() and number[0] != "0" and check_digit(number[:6]) == int(number[6])


def parse_imo(text: str) -> Imo | None:
    """The IMO number in ``text`` (``IMO 9179842``, ``IMO9179842`` or ``9179842``), or None when it holds none.

    A tagged number of the wrong length (``IMO 917984``) comes back as it is, marked invalid, so that it is reported.
    """
    text = text.strip()
    if not text:
        return None
    found = _IMO.search(text)
    if found:
        return Imo(found.group(1), is_valid(found.group(1)))
    tagged = _TAGGED.search(text)
    if tagged:
        return Imo(tagged.group(1), False)
    digits = re.sub(r"\D", "", text)
    return Imo(digits, False) if digits and digits == text.replace(" ", "") else None


def imo_in_remarks(remarks: str) -> Imo | None:
    """The IMO number that OFAC's SDN.CSV remarks give as ``Vessel Registration Identification IMO 9187629``."""
    tagged = _TAGGED.search(remarks)
    if not tagged:
        return None
    number = tagged.group(1)
    return Imo(number, is_valid(number))

"""Sources, claims and price references: the evidence a study rests on."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

LANGUAGE = re.compile(r"^[a-z]{2}$")
RELIABILITY = ("A", "B", "C", "D", "E", "F")
BASES = ("production_cost", "dprk_sale", "market_price", "procurement_price", "cost_benchmark", "other")


@dataclass(frozen=True)
class Source:
    """A published document: who, what, where and when, and how reliable its publisher is (Admiralty A–F)."""

    id: str
    publisher: str
    title: str
    url: str
    published: date
    language: str
    reliability: str
    notes: str
    line: int


@dataclass(frozen=True)
class Period:
    """The date or period a claim is about, as the first and last day it covers."""

    start: date
    end: date
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Claim:
    """One number (or range) a source states about one measure, with its grade."""

    id: str
    source: str
    measure: str
    low: float | None
    central: float | None
    high: float | None
    unit: str
    as_of: Period
    credibility: int
    quote: str
    notes: str
    line: int


@dataclass(frozen=True)
class Price:
    """A price reference: what it costs per unit, in which currency and year, on which basis, and from where."""

    id: str
    item: str
    low: float | None
    central: float | None
    high: float | None
    currency: str
    per: str
    price_year: int
    basis: str
    source: str
    credibility: int
    notes: str
    line: int


def parse_period(text: str) -> Period:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` or ``A..B``; raise ``ValueError`` otherwise."""
    if ".." in text:
        a, _, b = text.partition("..")
        first, last = parse_period(a.strip()), parse_period(b.strip())
        if first.start > last.end:
            raise ValueError(f"period {text!r} ends before it starts")
        return Period(first.start, last.end, text)
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        return Period(date(year, 1, 1), date(year, 12, 31), text)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = int(text[:4]), int(text[5:])
        if not 1 <= month <= 12:
            raise ValueError(f"bad month in {text!r}")
        return Period(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), text)
    day = date.fromisoformat(text)
    return Period(day, day, text)

"""Currency conversion at dated annual rates and inflation adjustment, from shipped reference tables with sources.

Vintages: an annual average of year Y is taken as known from 15 January of Y + 1 (``published``), when the BLS
releases December's CPI with the year's average and the Federal Reserve's H.10 annual averages are out. A
conversion asked for as known on a day (``known_by``, a run's evidence cut-off) uses only the years known then:
a year not yet published is replaced by the last one that is, and the conversion's steps say so.

Rates: KRW from the Federal Reserve's H.10 (FRED AEXKOUS) where the table has them, every other year and currency
from the ECB's daily euro reference rates averaged by ``scripts/fx-from-ecb``; the ECB has not quoted the rouble
since 2 March 2022, so RUB ends with 2021.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from armsflow.errors import InvalidValueError


class MoneyError(InvalidValueError):
    """No rate or index for the currency and year asked for."""


@dataclass(frozen=True)
class Conversion:
    """The factor that turns an amount into reporting-currency money of the reference year, and how."""

    factor: float
    steps: tuple[str, ...]


@cache
def _table(name: str, column: str) -> dict[tuple[str, int], float]:
    text = resources.files("armsflow.reference").joinpath(name).read_text("utf-8")
    return {(r["currency"], int(r["year"])): float(r[column]) for r in csv.DictReader(io.StringIO(text))}


def published(year: int) -> date:
    """The day an annual average of ``year`` is taken as known (see the module's docstring)."""
    return date(year + 1, 1, 15)


def _known(currency: str, year: int, table: str, column: str, known_by: date | None,
           latest: bool = False) -> tuple[int, str]:
    """The year to use for ``year`` as known by ``known_by``, and a step that says so when it is another. With
    ``latest``, a year after the table's last row takes that row, said so too (a price index is extended flat)."""
    if known_by is not None and published(year) > known_by:
        years = [y for (c, y) in _table(table, column) if c == currency and published(y) <= known_by]
        if not years:
            raise MoneyError(f"no {currency} figure in reference/{table} was published by {known_by}")
        last = max(years)
        return last, f"{year} average not published by {known_by}: {last}'s used"
    if latest and (currency, year) not in _table(table, column):
        years = [y for (c, y) in _table(table, column) if c == currency]
        if years and year > max(years):
            return max(years), f"{year} average not in reference/{table} yet: {max(years)}'s used"
    return year, ""


def per_usd(currency: str, year: int) -> float:
    """Units of ``currency`` per US dollar, annual average of ``year``."""
    if currency == "USD":
        return 1.0
    rates = _table("fx.csv", "per_usd")
    if (currency, year) not in rates:
        raise MoneyError(f"no {currency}/USD rate for {year} in reference/fx.csv")
    return rates[(currency, year)]


def price_index(currency: str, year: int) -> float:
    index = _table("price_index.csv", "index")
    if (currency, year) not in index:
        raise MoneyError(f"no {currency} price index for {year} in reference/price_index.csv")
    return index[(currency, year)]


def exchange(currency: str, target: str, year: int, known_by: date | None = None) -> Conversion:
    """Convert ``currency`` to ``target`` at the annual average rates of ``year`` (via USD), as known by
    ``known_by``."""
    if currency == target:
        return Conversion(1.0, ())
    # Both sides at one year, the latest that each non-dollar side had published by then.
    known = [_known(c, year, "fx.csv", "per_usd", known_by) for c in (currency, target) if c != "USD"]
    used, note = min(known)
    factor = per_usd(target, used) / per_usd(currency, used)
    return Conversion(factor, (*((note,) if note else ()), f"{currency}→{target} at {used} average ({factor:.6g})"))


def to_reporting(currency: str, year: int, target: str, reference_year: int,
                 known_by: date | None = None) -> Conversion:
    """Convert money of ``currency`` in ``year`` to ``target`` money of ``reference_year``, as known by ``known_by``.

    Convert at the price year's annual average rate first, then adjust for inflation with the target currency's
    price index, so that the inflation is the reporting currency's, as for any amount held in it. One rule for
    claims and prices alike: a claim's year is the last year of its period. A year after the price index's last
    row is valued at that row (no inflation assumed beyond it), and the steps say so.
    """
    fx = exchange(currency, target, year, known_by)
    if year == reference_year:
        return fx
    start, note_start = _known(target, year, "price_index.csv", "index", known_by, latest=True)
    end, note_end = _known(target, reference_year, "price_index.csv", "index", known_by, latest=True)
    notes = tuple(n for n in (note_start, note_end) if n)
    if start == end:
        return Conversion(fx.factor, (*fx.steps, *notes))
    ratio = price_index(target, end) / price_index(target, start)
    return Conversion(fx.factor * ratio, (*fx.steps, *notes, f"{target} prices {start}→{end} (×{ratio:.4f})"))

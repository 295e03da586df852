"""Currency conversion at dated annual rates and inflation adjustment, from shipped reference tables with sources."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
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


def exchange(currency: str, target: str, year: int) -> Conversion:
    """Convert ``currency`` to ``target`` at the annual average rates of ``year`` (via USD)."""
    if currency == target:
        return Conversion(1.0, ())
    factor = per_usd(target, year) / per_usd(currency, year)
    return Conversion(factor, (f"{currency}→{target} at {year} average ({factor:.6g})",))


def to_reporting(currency: str, year: int, target: str, reference_year: int) -> Conversion:
    """Convert money of ``currency`` in ``year`` to ``target`` money of ``reference_year``.

    Convert at the price year's annual average rate first, then adjust for inflation with the target currency's
    price index, so that the inflation is the reporting currency's, as for any amount held in it.
    """
    fx = exchange(currency, target, year)
    if year == reference_year:
        return fx
    ratio = price_index(target, reference_year) / price_index(target, year)
    return Conversion(fx.factor * ratio, (*fx.steps, f"{target} prices {year}→{reference_year} (×{ratio:.4f})"))

"""Units as a scale and a product of base dimensions, parsed from text such as ``million USD/soldier/month``.

Values inside armsflow are always held in base scale (rounds, not million rounds; USD per year, not per month), so
formulas only have to check dimensions; scales are applied when values come in (claims, prices) and go out (outputs).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from armsflow.errors import InvalidValueError

Dims = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Unit:
    """A unit: ``scale`` times the product of base dimensions raised to integer powers."""

    scale: float = 1.0
    dims: Dims = ()
    text: str = field(default="", compare=False)

    def __mul__(self, other: Unit) -> Unit:
        return Unit(self.scale * other.scale, _combine(self.dims, other.dims, 1))

    def __truediv__(self, other: Unit) -> Unit:
        return Unit(self.scale / other.scale, _combine(self.dims, other.dims, -1))

    def power(self, exponent: int) -> Unit:
        return Unit(self.scale**exponent, tuple((d, e * exponent) for d, e in self.dims))

    def same_dimension(self, other: Unit) -> bool:
        return self.dims == other.dims

    @property
    def dimensionless(self) -> bool:
        return not self.dims

    def currency(self) -> str | None:
        """The currency in the numerator, if the unit is money (possibly per something)."""
        codes = _table().currencies
        found = [d for d, e in self.dims if d in codes and e == 1]
        return found[0] if len(found) == 1 else None

    def replace_currency(self, old: str, new: str) -> Unit:
        dims = tuple(sorted(((new if d == old else d), e) for d, e in self.dims))
        return Unit(self.scale, dims, self.text.replace(old, new))

    def __str__(self) -> str:
        return self.text or dims_text(self.dims)


def dims_text(dims: Dims) -> str:
    """Readable dimension, e.g. ``container·USD/round``; ``1`` when dimensionless."""
    num = "·".join(d if e == 1 else f"{d}^{e}" for d, e in dims if e > 0) or "1"
    den = [d if e == -1 else f"{d}^{-e}" for d, e in dims if e < 0]
    return num + "".join("/" + d for d in den)


def _combine(a: Dims, b: Dims, sign: int) -> Dims:
    out: dict[str, int] = dict(a)
    for d, e in b:
        out[d] = out.get(d, 0) + sign * e
    return tuple(sorted((d, e) for d, e in out.items() if e))


class UnitError(InvalidValueError):
    """Text that is not a unit armsflow knows."""


@dataclass(frozen=True)
class _Table:
    names: dict[str, tuple[float, str]]  # synonym -> (factor, base dimension)
    currencies: frozenset[str]
    scales: dict[str, float]


@cache
def _table() -> _Table:
    raw = tomllib.loads(resources.files("armsflow.reference").joinpath("units.toml").read_text("utf-8"))
    names: dict[str, tuple[float, str]] = {}
    for base, synonyms in raw["base"].items():
        for s in [base, *synonyms]:
            names[s] = (1.0, base)
    for name, (factor, base, *synonyms) in raw["derived"].items():
        for s in [name, *synonyms]:
            names[s] = (float(factor), base)
    currencies = frozenset(raw["currencies"]["codes"])
    for c in currencies:
        names[c] = (1.0, c)
    return _Table(names, currencies, {k: float(v) for k, v in raw["scale"].items()})


_TOKEN = re.compile(r"^([^\s^]+?)(?:\^(-?\d+))?$")


@cache
def parse_unit(text: str) -> Unit:
    """Parse ``text`` such as ``billion USD``, ``USD/soldier/month`` or ``round/container``.

    Raises ``UnitError`` with a short reason for anything unknown.
    """
    table = _table()
    cleaned = re.sub(r"\s+per\s+", "/", text.strip())
    if not cleaned:
        raise UnitError("empty unit")
    parts = [p.strip() for p in cleaned.split("/")]
    unit = Unit()
    for i, part in enumerate(parts):
        if not part:
            raise UnitError(f"malformed unit {text!r}")
        factor = _parse_product(part, table, text)
        unit = unit * factor if i == 0 else unit / factor
    return Unit(unit.scale, unit.dims, text.strip())


def _parse_product(part: str, table: _Table, text: str) -> Unit:
    unit = Unit()
    for token in re.split(r"[\s*·]+", part):
        if not token or token == "1":
            continue
        if token in table.scales:
            unit = unit * Unit(table.scales[token])
            continue
        m = _TOKEN.match(token)
        name = m.group(1) if m else token
        power = int(m.group(2)) if m and m.group(2) else 1
        key = name if name in table.names else name.lower()
        if key not in table.names:
            raise UnitError(f"unknown unit {name!r} in {text!r}")
        factor, base = table.names[key]
        unit = unit * Unit(factor, ((base, 1),)).power(power)
    return unit


def is_currency(code: str) -> bool:
    return code in _table().currencies


def convert(value: float, source: Unit, target: Unit) -> float:
    """Convert a number from one unit to another of the same dimension."""
    if not source.same_dimension(target):
        raise UnitError(f"cannot convert {source} to {target}: {dims_text(source.dims)} vs {dims_text(target.dims)}")
    return value * source.scale / target.scale

"""Turn the claims and prices behind a variable into one distribution in base units, keeping every step visible."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Literal

import numpy as np

from armsflow.errors import InvalidValueError
from armsflow.evidence.grading import GradedInterval, Grading, graded_interval
from armsflow.evidence.records import Claim, Price, Source
from armsflow.model.bounded import Censored, Truncated, TruncationError
from armsflow.model.distributions import Array, Distribution, Mixture
from armsflow.model.money import MoneyError, to_reporting
from armsflow.model.units import Unit, dims_text, parse_unit
from armsflow.study.spec import Definition, TimelineSpec

if TYPE_CHECKING:
    from armsflow.indicators.timeline import Timeline


class ResolveError(InvalidValueError):
    """A claim or price that cannot serve a variable (unit mismatch, missing rate, unknown id)."""


@dataclass(frozen=True)
class Piece:
    """One claim or price as a variable uses it: graded interval in base units, and how it got there."""

    ref: str
    kind: Literal["claim", "price"]
    source: str
    reliability: str
    credibility: int
    interval: GradedInterval
    factor: float
    steps: tuple[str, ...]
    role: str = "estimate"  # estimate | lower | upper | cap: how the variable uses the claim


@dataclass(frozen=True)
class Scaled:
    """A distribution given in a variable's declared unit, scaled to base units when sampled."""

    dist: Distribution
    factor: float

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        out = self.dist.sample(rng, n)
        return out if self.factor == 1.0 else out * self.factor

    def describe(self) -> str:
        return self.dist.describe()


@dataclass(frozen=True)
class Evidence:
    """What a study's variables may draw on: sources (already cut off by date), claims, prices, grading."""

    sources: Mapping[str, Source]
    claims: Mapping[str, Claim]
    prices: Mapping[str, Price]
    grading: Grading
    currency: str
    reference_year: int
    known_by: date | None = None  # the evidence cut-off: money converts with the reference rows published by then


def _interval(ev: Evidence, low: float | None, central: float | None, high: float | None, factor: float,
              source: Source, credibility: int) -> GradedInterval:
    def scale(v: float | None) -> float | None:
        return None if v is None else v * factor

    return graded_interval(scale(low), scale(central), scale(high),
                           weight=ev.grading.weight(source.reliability, credibility),
                           spread=ev.grading.spread(source.reliability, credibility),
                           open_bound=ev.grading.open_bound)


def claim_piece(ev: Evidence, claim: Claim, target: Unit) -> Piece:
    unit = parse_unit(claim.unit)
    steps: list[str] = []
    factor = unit.scale
    code = unit.currency()
    if code:  # money of the claim's year, in the study's currency of its reference year: the rule prices follow
        try:
            conv = to_reporting(code, claim.as_of.end.year, ev.currency, ev.reference_year, ev.known_by)
        except MoneyError as exc:
            raise ResolveError(f"claim {claim.id}: {exc}") from None
        factor *= conv.factor
        steps.extend(conv.steps)
        unit = unit.replace_currency(code, ev.currency)
    if not unit.same_dimension(target):
        raise ResolveError(f"claim {claim.id} is in {claim.unit} ({dims_text(unit.dims)}), "
                           f"the variable in {target} ({dims_text(target.dims)})")
    source = ev.sources[claim.source]
    interval = _interval(ev, claim.low, claim.central, claim.high, factor, source, claim.credibility)
    return Piece(claim.id, "claim", source.id, source.reliability, claim.credibility, interval, factor, tuple(steps))


def price_piece(ev: Evidence, price: Price, target: Unit) -> Piece:
    try:
        conv = to_reporting(price.currency, price.price_year, ev.currency, ev.reference_year, ev.known_by)
    except MoneyError as exc:
        raise ResolveError(f"price {price.id}: {exc}") from None
    unit = Unit(1.0, ((ev.currency, 1),)) / parse_unit(price.per)
    if not unit.same_dimension(target):
        raise ResolveError(f"price {price.id} is per {price.per} ({ev.currency}/{price.per}), "
                           f"the variable in {target} ({dims_text(target.dims)})")
    factor = conv.factor * unit.scale
    source = ev.sources[price.source]
    interval = _interval(ev, price.low, price.central, price.high, factor, source, price.credibility)
    return Piece(price.id, "price", source.id, source.reliability, price.credibility, interval, factor, conv.steps)


def pieces(ev: Evidence, definition: Definition, unit: Unit) -> list[Piece]:
    """The estimates among the claims or prices of a definition that survive the evidence cut-off, resolved against
    ``unit``. Bounds and capacities are not estimates (``bounds``); capacities count as estimates only where the
    definition says why (``capacity``)."""
    out: list[Piece] = []
    for ref in definition.claims:
        claim = ev.claims.get(ref)
        if claim is None:
            raise ResolveError(f"unknown claim id {ref!r}")
        if claim.source in ev.sources and (claim.kind == "estimate"
                                           or (claim.kind == "capacity" and definition.capacity)):
            out.append(claim_piece(ev, claim, unit))
    for ref in definition.prices:
        price = ev.prices.get(ref)
        if price is None:
            raise ResolveError(f"unknown price id {ref!r}")
        if price.source in ev.sources:
            out.append(price_piece(ev, price, unit))
    return out


@dataclass(frozen=True)
class Bounds:
    """What the bound and cap claims of a definition allow: [low, high] in base units, and the claims."""

    low: float
    high: float
    pieces: tuple[Piece, ...]

    @property
    def active(self) -> bool:
        return bool(self.pieces)


def bounds(ev: Evidence, definition: Definition, unit: Unit) -> Bounds:
    """The interval a definition's lower and upper bounds and caps leave, each at its stated number (a bound says
    where the quantity cannot be, so it is not widened by its grade); claims cut off by the evidence date drop out."""
    low, high, found = -math.inf, math.inf, []
    refs = [(r, "claim") for r in definition.claims] + [(r, "cap") for r in definition.caps]
    for ref, use in refs:
        claim = ev.claims.get(ref)
        if claim is None:
            raise ResolveError(f"unknown claim id {ref!r}")
        if claim.source not in ev.sources or (use == "claim" and claim.kind not in ("lower", "upper")):
            continue
        piece = claim_piece(ev, claim, unit)
        if use == "cap":
            stated = max(v for v in (claim.low, claim.central, claim.high) if v is not None)
            high = min(high, stated * piece.factor)
            found.append(replace(piece, role="cap"))
        elif claim.kind == "lower":
            assert claim.low is not None
            low = max(low, claim.low * piece.factor)
            found.append(replace(piece, role="lower"))
        else:
            assert claim.high is not None
            high = min(high, claim.high * piece.factor)
            found.append(replace(piece, role="upper"))
    if low > high:
        raise ResolveError(f"the bounds contradict each other: at least {low:g} and at most {high:g} (base units)")
    return Bounds(low, high, tuple(found))


def timeline_of(ev: Evidence, spec: TimelineSpec) -> tuple[Timeline, list[Piece]]:
    """The timeline's series from the claims that survive the evidence cut-off, in base units."""
    from armsflow.indicators.timeline import Point, Series, Timeline

    series = []
    used: list[Piece] = []
    for s in spec.series:
        points = []
        for ref in s.claims:
            claim = ev.claims.get(ref)
            if claim is None:
                raise ResolveError(f"unknown claim id {ref!r}")
            if claim.source not in ev.sources:
                continue
            piece = claim_piece(ev, claim, spec.unit)
            used.append(piece)
            points.append(Point(ref, claim.as_of.end, piece.interval))
        series.append(Series(s.name, s.label, tuple(points)))
    return Timeline(spec.name, tuple(series), spec.start, spec.spread), used


@dataclass(frozen=True)
class AtDate:
    """A timeline read at one date, as a sampler."""

    timeline: Timeline
    day: date

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        return self.timeline.sample(rng, n, self.day)

    def describe(self) -> str:
        flag = ", extrapolated" if self.timeline.extrapolated(self.day) else ""
        return f"{self.timeline.describe()} at {self.day}{flag}"


def pool_weights(found: Sequence[Piece], producers: Mapping[str, str] | None = None) -> list[float]:
    """Each piece's weight in a pool: its grade's weight, except that the pieces of one producer (``producers``
    maps a source to the organisation that produced its figures) share that producer's weight, the mean of theirs,
    so that a figure re-reported by many outlets counts once."""
    weights = [p.interval.weight for p in found]
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(found):
        groups.setdefault((producers or {}).get(p.source, p.source), []).append(i)
    for members in groups.values():
        for i in members:
            weights[i] = sum(found[j].interval.weight for j in members) / len(members) ** 2
    return weights


def pooled(found: list[Piece], limits: Bounds | None = None, producers: Mapping[str, str] | None = None,
           censor: bool = False) -> Distribution | Truncated | Censored:
    """The linear opinion pool of the pieces (each draw from one piece, chosen in proportion to its weight in
    ``pool_weights``), held to ``limits`` where bounds apply: truncated, or with ``censor`` censored (draws beyond a
    bound moved onto it; ``model.bounded``)."""
    weights = pool_weights(found, producers)
    if sum(weights) <= 0:
        weights = [1.0] * len(found)
    pool = Mixture(tuple(p.interval.distribution() for p in found), tuple(weights))
    if limits is None or not limits.active:
        return pool
    try:
        if censor:
            return Censored(pool, limits.low, limits.high)
        cut = Truncated(pool, limits.low, limits.high)
        cut.parts()
    except TruncationError as exc:
        raise ResolveError(f"the bounds leave no estimate: {exc}") from None
    return cut

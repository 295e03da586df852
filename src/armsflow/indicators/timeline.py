"""Timelines of cumulative claims: dated counts become a monotone series with a band, readable at any date.

The rule (docs/study-format.md, "Timelines"):

* Each claim is a graded distribution (the grade rule of claims) placed at the last day of its ``as_of`` period.
* Per Monte Carlo draw, the dated values are made non-decreasing in time by taking the midpoint of their two monotone
  envelopes: the running maximum from the earliest claim forward and the running minimum from the latest claim
  backward. Both are non-decreasing, so their midpoint is too; a claim out of line with its neighbours is pulled
  halfway, not discarded.
* Between two dates the value is interpolated linearly in time. After the last claim it is extrapolated from the rate
  between the last two claims, with a lognormal widening whose spread grows with the square root of the horizon;
  such values are flagged as extrapolated. Before the first claim, the series runs down linearly to zero at
  ``start`` when the timeline declares one (and is an error otherwise).
* Conflicting series (e.g. Seoul's capacity conversions vs OSC's crate modelling) are fitted separately and shown
  side by side; a value drawn from the timeline comes from one series per draw, chosen in proportion to the mean
  weight of its claims (the linear opinion pool of claims, applied to series).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from armsflow.evidence.grading import GradedInterval
from armsflow.model.distributions import Array
from armsflow.results import BandRow

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Point:
    """One dated claim of a cumulative quantity, graded and in base units."""

    ref: str
    day: date
    interval: GradedInterval


@dataclass(frozen=True)
class Series:
    name: str
    label: str
    points: tuple[Point, ...]

    @property
    def weight(self) -> float:
        return sum(p.interval.weight for p in self.points) / len(self.points) if self.points else 0.0


@dataclass(frozen=True)
class Timeline:
    """A resolved timeline: its series (after any evidence cut-off), zero date and extrapolation spread."""

    name: str
    series: tuple[Series, ...]
    start: date | None
    spread: float

    def last_day(self) -> date | None:
        days = [p.day for s in self.series for p in s.points]
        return max(days) if days else None

    def extrapolated(self, day: date) -> bool:
        last = self.last_day()
        return last is None or day > last

    def sample(self, rng: np.random.Generator, n: int, day: date) -> Array:
        """``n`` draws of the value at ``day``, pooling the series by weight."""
        usable = [s for s in self.series if s.points]
        if len(usable) == 1:
            return series_at(usable[0], rng, n, [day], self.start, self.spread)[:, 0]
        weights = np.array([s.weight for s in usable])
        which = rng.choice(len(usable), n, p=weights / weights.sum())
        out = np.empty(n)
        for k, s in enumerate(usable):
            mask = which == k
            out[mask] = series_at(s, rng, int(mask.sum()), [day], self.start, self.spread)[:, 0]
        return out

    def describe(self) -> str:
        return f"timeline {self.name} ({sum(len(s.points) for s in self.series)} claims)"


def monotone(values: Array) -> Array:
    """Midpoint of the forward running maximum and the backward running minimum, row by row (draws × dates)."""
    return _monotone_by_date(np.ascontiguousarray(values.T)).T


def _monotone_by_date(rows: Array) -> Array:
    """``monotone`` on a dates × draws array: a few passes over whole dates, each contiguous in memory (a running
    maximum along the short axis of a draws × dates array costs ten times as much)."""
    upper = np.empty_like(rows)
    lower = np.empty_like(rows)
    upper[0] = rows[0]
    for j in range(1, rows.shape[0]):
        np.maximum(upper[j - 1], rows[j], out=upper[j])
    lower[-1] = rows[-1]
    for j in range(rows.shape[0] - 2, -1, -1):
        np.minimum(lower[j + 1], rows[j], out=lower[j])
    upper += lower
    upper /= 2
    return upper


def fitted(series: Series, rng: np.random.Generator, n: int) -> tuple[list[date], Array]:
    """Draws of the series at its own claim dates (sorted), made monotone; ties on a date are pooled."""
    days, rows = _drawn_by_date(series, rng, n)
    return days, _monotone_by_date(rows).T


def _drawn_by_date(series: Series, rng: np.random.Generator, n: int) -> tuple[list[date], Array]:
    """Draws of the series at its own claim dates (sorted), as a dates × draws array, before the monotone fit."""
    points = sorted(series.points, key=lambda p: p.day)
    days = sorted({p.day for p in points})
    rows = np.empty((len(days), n))
    for j, day in enumerate(days):
        same = [p for p in points if p.day == day]
        if len(same) == 1:
            rows[j] = same[0].interval.distribution().sample(rng, n)
            continue
        w = np.array([p.interval.weight for p in same])
        pick = rng.choice(len(same), n, p=w / w.sum()) if w.sum() > 0 else rng.integers(0, len(same), n)
        for k, p in enumerate(same):
            mask = pick == k
            rows[j, mask] = p.interval.distribution().sample(rng, int(mask.sum()))
    return days, rows


def _monotone_at(rows: Array, i: int) -> Array:
    """Date ``i`` of ``_monotone_by_date(rows)`` alone: a series read at one date needs two of its dates."""
    upper: Array = np.max(rows[: i + 1], axis=0)
    upper += np.min(rows[i:], axis=0)
    upper /= 2
    return upper


def series_at(series: Series, rng: np.random.Generator, n: int, when: Sequence[date], start: date | None,
              spread: float) -> Array:
    """Draws (n × len(when)) of a series' value at the given dates."""
    days, rows = _drawn_by_date(series, rng, n)
    lead = 0
    if start is not None and start < days[0]:
        days = [start, *days]
        lead = 1  # a row of zeros at ``start`` before the claims, never built

    fits: dict[int, Array] = {}

    def row(i: int) -> Array:
        if i not in fits:
            fits[i] = np.zeros(n) if i < lead else _monotone_at(rows, i - lead)
        return fits[i]

    t = np.array([(d - days[0]).days for d in days], dtype=np.float64)
    out = np.empty((n, len(when)))
    for j, day in enumerate(when):
        x = float((day - days[0]).days)
        if x < 0:
            raise ValueError(f"{day} is before the first claim ({days[0]}) and the timeline has no start date")
        if x <= t[-1]:
            i = int(np.searchsorted(t, x, side="right")) - 1
            if i >= len(t) - 1:
                out[:, j] = row(len(t) - 1)
            else:
                frac = (x - t[i]) / (t[i + 1] - t[i])
                out[:, j] = row(i) + frac * (row(i + 1) - row(i))
            continue
        out[:, j] = _extrapolate(row(len(t) - 1), row(len(t) - 2) if len(t) >= 2 else None, t, x, rng, spread)
    return out


def _extrapolate(last: Array, before: Array | None, t: Array, x: float, rng: np.random.Generator,
                 spread: float) -> Array:
    if before is None:
        return np.asarray(last, dtype=np.float64)
    gap = t[-1] - t[-2]
    rate = np.maximum(last - before, 0.0) / gap
    horizon = x - t[-1]
    widen = rng.lognormal(0.0, spread * math.sqrt(horizon / gap), last.shape[0])
    return np.asarray(last + rate * horizon * widen, dtype=np.float64)



def band(series: Series, rng: np.random.Generator, n: int, scale: float) -> list[BandRow]:
    """The fitted series at each claim date, with the claims' own graded intervals beside it (in ``scale``)."""
    days, values = fitted(series, rng, n)
    rows = []
    for j, day in enumerate(days):
        same = [p for p in series.points if p.day == day]
        p5, p50, p95 = np.percentile(values[:, j], [5, 50, 95]) / scale
        rows.append(BandRow(series.name, day, tuple(p.ref for p in same),
                            min(p.interval.low for p in same) / scale, max(p.interval.high for p in same) / scale,
                            float(p5), float(p50), float(p95)))
    return rows

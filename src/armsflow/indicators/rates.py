"""Event rates with exact Poisson statistics, as pure functions over a list of events and date windows.

* ``rate``: events per month in a window with the exact (Garwood 1936) interval;
* ``rate_ratio``: the ratio of the rates of two disjoint windows, with the exact conditional test (Przyborowski and
  Wilenski 1940) and the Clopper-Pearson (1934) interval carried over to the ratio;
* ``monthly_series``: events per calendar month, zero-filled.

Windows are whole days, both ends included; a month is 365.25 / 12 = 30.4375 days. An event is placed at its start.
An event known only to the month is counted in a window only when its whole month lies inside the window; when
the window cuts through its month it is not counted and is listed in ``Rate.uncertain``. The methods, with full
citations, are described in docs/events.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from armsflow.evidence.events import KINDS, LEVELS, Event

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Rate:
    """``k`` events in ``months`` of exposure: ``per_month`` with its exact ``confidence`` interval ``low``-``high``."""

    since: date
    until: date
    k: int
    months: float
    per_month: float
    low: float
    high: float
    confidence: float
    ids: tuple[str, ...]
    uncertain: tuple[str, ...]


@dataclass(frozen=True)
class RateRatio:
    """The rate of window ``a`` divided by that of window ``b``, its exact interval and two-sided p-value.

    ``ratio`` is ``inf`` when ``b`` has no event and ``a`` has some, ``nan`` when neither has any.
    """

    a: Rate
    b: Rate
    ratio: float
    low: float
    high: float
    p_value: float
    confidence: float


def poisson_interval(k: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact interval for the mean of a Poisson count from ``k`` observed events (Garwood 1936).

    The bounds are chi-square quantiles: ``chi2.ppf(a/2, 2k)/2`` and ``chi2.ppf(1 - a/2, 2k + 2)/2`` with
    ``a = 1 - confidence``; the lower bound is 0 when ``k`` is 0. Half a chi-square quantile with 2k degrees of
    freedom is the gamma quantile of shape k, computed here by ``gammaincinv`` (scipy.special loads in a tenth of
    the time scipy.stats takes, on every run). Each tail holds at most ``a/2``, so the interval
    covers the true mean with probability at least ``confidence`` (it is conservative for a discrete count).
    """
    if k < 0:
        raise ValueError(f"a count cannot be negative: {k}")
    from scipy.special import gammaincinv

    alpha = 1.0 - _check_confidence(confidence)
    low = 0.0 if k == 0 else float(gammaincinv(k, alpha / 2))
    return low, float(gammaincinv(k + 1, 1 - alpha / 2))


def rate(events: Iterable[Event], since: date, until: date, kind: str | None = None,
         level: set[str] | None = None, confidence: float = 0.95) -> Rate:
    """Events per month from ``since`` to ``until`` (both included) with the exact Poisson interval.

    Counts the events of the given ``kind`` and ``level`` (None: all) that began in the window; the exposure is the
    window's length in days divided by 365.25 / 12. Treating the count as Poisson, the interval is Garwood's (1936)
    exact interval for the count (``poisson_interval``) divided by the exposure.
    """
    months = _months(since, until)
    counted: list[str] = []
    uncertain: list[str] = []
    for event in _select(events, kind, level):
        where = _placement(event, since, until)
        if where == "in":
            counted.append(event.id)
        elif where == "uncertain":
            uncertain.append(event.id)
    low, high = poisson_interval(len(counted), confidence)
    return Rate(since, until, len(counted), months, len(counted) / months, low / months, high / months,
                confidence, tuple(counted), tuple(uncertain))


def rate_ratio(events: Iterable[Event], window_a: tuple[date, date], window_b: tuple[date, date],
               kind: str | None = None, level: set[str] | None = None, confidence: float = 0.95) -> RateRatio:
    """The ratio of the event rates of two disjoint windows, with the exact conditional test and interval.

    Given ``n = k_a + k_b`` events in both windows, ``k_a`` is binomial with ``p = t_a / (t_a + t_b)`` when the two
    rates are equal (``t`` the exposures; Przyborowski and Wilenski 1940). The two-sided p-value is
    ``scipy.stats.binomtest``'s (outcomes no more likely than the one observed). The interval is the exact
    Clopper-Pearson (1934) interval ``(p_lo, p_hi)`` for ``p`` carried over to the ratio by
    ``ratio = p / (1 - p) * t_b / t_a``, which is increasing in ``p``.
    """
    from scipy.stats import binomtest

    events = list(events)
    a = rate(events, *window_a, kind=kind, level=level, confidence=confidence)
    b = rate(events, *window_b, kind=kind, level=level, confidence=confidence)
    if a.since <= b.until and b.since <= a.until:
        raise ValueError("the windows overlap: the conditional test needs counts from disjoint windows")
    n = a.k + b.k
    if n == 0:
        return RateRatio(a, b, math.nan, 0.0, math.inf, 1.0, confidence)
    test = binomtest(a.k, n, a.months / (a.months + b.months), alternative="two-sided")
    ci = test.proportion_ci(confidence_level=confidence, method="exact")

    def to_ratio(p: float) -> float:
        return math.inf if p >= 1.0 else p / (1.0 - p) * b.months / a.months

    ratio = a.per_month / b.per_month if b.k else math.inf
    return RateRatio(a, b, ratio, to_ratio(float(ci.low)), to_ratio(float(ci.high)), min(1.0, float(test.pvalue)),
                     confidence)


def monthly_series(events: Iterable[Event], since: date, until: date, kind: str | None = None,
                   level: set[str] | None = None) -> list[tuple[str, int]]:
    """Events per calendar month (``YYYY-MM``, count) from the month of ``since`` to that of ``until``, zero-filled.

    An event with a day is counted in its month when it began from ``since`` to ``until``; an event known only to
    the month is counted in that month. When ``since`` or ``until`` falls inside a month, that month's count covers
    only part of it (days outside the window are not counted).
    """
    _months(since, until)
    labels = []
    year, month = since.year, since.month
    while (year, month) <= (until.year, until.month):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    counts = dict.fromkeys(labels, 0)
    for event in _select(events, kind, level):
        if event.month in counts and (event.precision == "month" or since <= event.start <= until):
            counts[event.month] += 1
    return list(counts.items())


def _check_confidence(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie between 0 and 1, got {confidence}")
    return confidence


def _months(since: date, until: date) -> float:
    if until < since:
        raise ValueError(f"the window ends ({until}) before it starts ({since})")
    return ((until - since).days + 1) / DAYS_PER_MONTH


def _select(events: Iterable[Event], kind: str | None, level: set[str] | None) -> list[Event]:
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    if level is not None and not level <= set(LEVELS):
        raise ValueError(f"unknown level {sorted(level - set(LEVELS))}: use {', '.join(LEVELS)}")
    return [e for e in events if (kind is None or e.kind == kind) and (level is None or e.level in level)]


def _placement(event: Event, since: date, until: date) -> str:
    """"in" when the event surely began in the window, "out" when surely not, else "uncertain"."""
    if since <= event.start and event.latest_start <= until:
        return "in"
    if event.latest_start < since or event.start > until:
        return "out"
    return "uncertain"

"""Results of the context commands: a timeline read at a date, an event rate over a window, the trade figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from armsflow.results.base import Result, Summary, jsonable

if TYPE_CHECKING:
    from armsflow.evidence.events import Event
    from armsflow.evidence.trade import TradeRecord


@dataclass(frozen=True)
class BandRow:
    """One date of a timeline's table: the claims there (their graded interval), and the fitted band."""

    series: str
    day: date
    refs: tuple[str, ...]
    stated_low: float
    stated_high: float
    p5: float
    p50: float
    p95: float


@dataclass(frozen=True)
class SeriesAt:
    """One series of a timeline read at the reference day, where a timeline has several."""

    name: str
    label: str
    summary: Summary


@dataclass(frozen=True)
class TimelineResult(Result):
    """``armsflow timeline``: every claim of a cumulative quantity with the fitted band, and its value at ``day``."""

    name: str
    label: str
    unit: str
    rule: str
    rows: list[BandRow]
    day: date
    at_day: Summary
    extrapolated: bool
    claims: list[str]
    assumption: str
    by_series: list[SeriesAt]


@dataclass(frozen=True)
class MonthCount:
    month: str  # YYYY-MM
    count: int


@dataclass(frozen=True)
class RateComparison:
    """The window's rate against another window's: the ratio, its exact interval and the two-sided p-value of the
    exact conditional test (``ratio`` is ``inf`` when the other window has no event; JSON writes it as null)."""

    since: date
    until: date
    count: int
    months: float
    per_month: float
    ratio: float
    low: float
    high: float
    p_value: float


@dataclass(frozen=True)
class EventRateResult(Result):
    """``armsflow events rate``: events per month over a window, with the exact Poisson interval.

    ``window`` says where the window came from: the study's event-rate indicator of that name (the same window
    ``run`` reports), or ``given``. ``until`` is never after the evidence cut-off.
    """

    study: str
    window: str
    since: date
    until: date
    as_of: date | None
    event_kind: str | None
    levels: tuple[str, ...]
    confidence: float
    count: int
    months: float
    per_month: float
    low: float
    high: float
    counted: list[str]
    uncertain: list[str]
    monthly: list[MonthCount]
    versus: RateComparison | None
    method: str
    events: tuple[Event, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.pop("events")  # the counted ids say which; the rows themselves are in events.csv
        return data


@dataclass(frozen=True)
class TradeComparison:
    first: str
    second: str
    ratio: float
    annual_ratio: float
    text: str


@dataclass(frozen=True)
class TradeConflict:
    first: str
    second: str
    reason: str


@dataclass(frozen=True)
class TradeResult(Result):
    """``armsflow trade``: the official trade figures known at the cut-off, comparisons across periods, conflicts."""

    study: str
    as_of: date | None
    records: tuple[TradeRecord, ...]
    comparisons: list[TradeComparison]
    conflicts: list[TradeConflict]

    def to_dict(self) -> dict[str, Any]:
        rows = [{"id": r.id, "period": str(r.period), "reporter": r.reporter, "partner": r.partner, "flow": r.flow,
                 "value": r.value, "currency": r.currency, "source": r.source, "notes": r.notes}
                for r in self.records]
        return {"study": self.study, "as_of": jsonable(self.as_of), "records": jsonable(rows),
                "comparisons": jsonable(self.comparisons), "conflicts": jsonable(self.conflicts)}


@dataclass(frozen=True)
class ComtradeResult(Result):
    """``armsflow comtrade``: UN Comtrade rows for a pair of countries as trade records, mirror flows included."""

    reporter: str | None
    partner: str | None
    source: str
    records: tuple[TradeRecord, ...]

    def to_csv(self) -> str:
        """The records as trade.csv text, ready to append to a study's trade.csv."""
        from armsflow.evidence.trade import write_trade

        return write_trade(list(self.records))

    def to_dict(self) -> dict[str, Any]:
        return {"reporter": self.reporter, "partner": self.partner, "source": self.source,
                "records": TradeResult("", None, self.records, [], []).to_dict()["records"]}

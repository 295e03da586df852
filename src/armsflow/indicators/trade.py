"""Official trade figures as a context indicator: comparisons across periods and conflicts (docs/trade.md)."""

from __future__ import annotations

from dataclasses import dataclass

from armsflow.evidence.period import Period
from armsflow.evidence.trade import TradeRecord
from armsflow.model.money import MoneyError, exchange


def annualise(value: float, period: Period) -> float:
    """The annual rate of a value over ``period``: value × 12 / months."""
    return value * 12 / period.months


def money_text(value: float, currency: str) -> str:
    """``2.77 bn USD``, ``52.9 M USD``, ``40,569 USD``."""
    for scale, word in ((1e9, "bn"), (1e6, "M")):
        if abs(value) >= scale:
            return f"{value / scale:.4g} {word} {currency}"
    return f"{value:,.0f} {currency}"


def _times(ratio: float) -> str:
    return f"{ratio:.2f}×" if ratio >= 0.1 else f"{ratio:.2g}×"  # 0.00095×, not 0.00×


def _common(a: TradeRecord, b: TradeRecord) -> tuple[float, float, str] | None:
    """Both values in one currency: their own if they share it, else USD at each period's last-year average rate."""
    if a.currency == b.currency:
        return a.value, b.value, a.currency
    try:
        fa = exchange(a.currency, "USD", a.period.last[0]).factor
        fb = exchange(b.currency, "USD", b.period.last[0]).factor
    except MoneyError:
        return None
    return a.value * fa, b.value * fb, "USD"


@dataclass(frozen=True)
class Comparison:
    """``first`` against ``second``: the ratio of their values and of their annual rates, in words."""

    first: TradeRecord
    second: TradeRecord
    ratio: float
    annual_ratio: float
    text: str

    def __str__(self) -> str:
        return self.text


def compare(a: TradeRecord, b: TradeRecord) -> Comparison | None:
    """Compare ``a`` with ``b``; ``None`` when ``b`` is zero or the two cannot be put in one currency."""
    common = _common(a, b)
    if common is None or common[1] <= 0:
        return None
    va, vb, cur = common
    ratio = va / vb
    annual = annualise(va, a.period) / annualise(vb, b.period)
    whole = f"all of {b.period.label()}" if b.period.is_year else b.period.label()
    text = (f"{a.period.label()} ({a.id}: {money_text(va, cur)}) is {_times(ratio)} {whole} "
            f"({b.id}: {money_text(vb, cur)})")
    if a.period.months != b.period.months:
        rate = f"the {b.period.label()} annual rate" if b.period.is_year else f"the annual rate of {b.period.label()}"
        text += (f"; annualised, {_times(annual)} {rate} ({money_text(annualise(va, a.period), cur)} vs "
                 f"{money_text(annualise(vb, b.period), cur)} a year)")
    return Comparison(a, b, ratio, annual, text)


def comparisons(records: list[TradeRecord]) -> list[Comparison]:
    """Each figure against the previous calendar year and every longer period containing it (same series)."""
    out: list[Comparison] = []
    ordered = sorted(records, key=lambda r: (r.series, r.period, r.id))
    for a in ordered:
        for b in ordered:
            if a is b or a.series != b.series:
                continue
            previous = b.period.is_year and b.period.first[0] == a.period.first[0] - 1
            if previous or (b.period.contains(a.period) and b.period != a.period):
                found = compare(a, b)
                if found is not None:
                    out.append(found)
    return out


@dataclass(frozen=True)
class Conflict:
    """Two figures that cannot both be true, and why."""

    first: TradeRecord
    second: TradeRecord
    reason: str

    def __str__(self) -> str:
        return f"{self.first.id} vs {self.second.id}: {self.reason}"


def conflicts(records: list[TradeRecord], tolerance: float = 0.01) -> list[Conflict]:
    """Pairs of one series that cannot both be true: one period with values more than ``tolerance`` (relative to
    the larger) apart, or a period inside a longer one with a value above the longer one's by more than that."""
    out: list[Conflict] = []
    ordered = sorted(records, key=lambda r: (r.series, r.period, r.id))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if a.series != b.series or not a.period.overlaps(b.period):
                continue
            if (common := _common(a, b)) is None:
                continue
            va, vb, cur = common
            if a.period == b.period:
                if abs(va - vb) > tolerance * max(va, vb):
                    out.append(Conflict(a, b, f"two values for {a.period.label()}: {money_text(va, cur)} "
                                              f"vs {money_text(vb, cur)}; both cannot be the same period's total"))
                continue
            for part, whole, vp, vw in ((a, b, va, vb), (b, a, vb, va)):
                if whole.period.contains(part.period) and vp > vw * (1 + tolerance):
                    out.append(Conflict(part, whole, (
                        f"{part.period.label()} ({money_text(vp, cur)}) is part of {whole.period.label()} "
                        f"({money_text(vw, cur)}) but {_times(vp / vw)} as large; a part cannot exceed the whole")))
    return out

"""Official trade figures as a context indicator: trade.csv, month periods, comparisons, conflicts (docs/trade.md)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from armsflow.errors import Problem
from armsflow.evidence.tables import read_table
from armsflow.model.money import MoneyError, exchange
from armsflow.model.units import is_currency

FLOWS = ("turnover", "export", "import")
COLUMNS = ("id", "period", "reporter", "partner", "flow", "value", "currency", "source")
OPTIONAL = ("notes",)
COUNTRY = re.compile(r"^[A-Z]{3}$")
FIRST_YEAR, LAST_YEAR = 1900, 2100
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SINGLE = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]|\d{2}))?$")


@dataclass(frozen=True, order=True)
class Period:
    """Whole calendar months from ``start`` to ``end`` inclusive, each counted as ``12 × year + month − 1``."""

    start: int
    end: int

    @classmethod
    def of(cls, start_year: int, start_month: int, end_year: int, end_month: int) -> Period:
        return cls(12 * start_year + start_month - 1, 12 * end_year + end_month - 1)

    @property
    def first(self) -> tuple[int, int]:  # (year, month)
        return self.start // 12, self.start % 12 + 1

    @property
    def last(self) -> tuple[int, int]:  # (year, month)
        return self.end // 12, self.end % 12 + 1

    @property
    def months(self) -> int:
        return self.end - self.start + 1

    @property
    def is_year(self) -> bool:
        return self.start % 12 == 0 and self.months == 12

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def __str__(self) -> str:
        """The canonical text, which ``parse_period`` reads back to the same period."""
        (y, m), (ey, em), n = self.first, self.last, self.months
        if self.is_year:
            return str(y)
        if n == 6 and m in (1, 7):
            return f"{y}-H{m // 6 + 1}"
        if n == 3 and m % 3 == 1:
            return f"{y}-Q{m // 3 + 1}"
        if n == 1:
            return f"{y}-{m:02d}"
        if m == 1 and em == 12:
            return f"{y}..{ey}"
        return f"{y}-{m:02d}..{ey}-{em:02d}"

    def label(self) -> str:
        """Readable: ``2023``, ``H1 2024``, ``Q3 2024``, ``Mar 2024``, ``Jan–Nov 2023``, ``2017–2021``."""
        text, (y, m), (ey, em) = str(self), self.first, self.last
        if "H" in text or "Q" in text:
            return f"{text[5:]} {y}"
        if self.months == 1:
            return f"{MONTHS[m - 1]} {y}"
        if ".." not in text:
            return text
        if m == 1 and em == 12:
            return f"{y}–{ey}"
        return f"{MONTHS[m - 1]}–{MONTHS[em - 1]} {y}" if y == ey else f"{MONTHS[m - 1]} {y}–{MONTHS[em - 1]} {ey}"


def parse_period(text: str) -> Period:
    """Parse a year, half, quarter, month or a range ``A..B`` of them; raise ``ValueError`` with the reason."""
    if ".." in text:
        a, _, b = text.partition("..")
        first, last = _single(a.strip()), _single(b.strip())
        if first.start > last.end:
            raise ValueError(f"{text!r} ends before it starts")
        return Period(first.start, last.end)
    return _single(text.strip())


def _single(text: str) -> Period:
    m = _SINGLE.match(text)
    if not m:
        raise ValueError(f"{text!r}: use YYYY, YYYY-H1, YYYY-Q1, YYYY-MM or A..B")
    year, part = int(m.group(1)), m.group(2)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year {year} is outside {FIRST_YEAR}-{LAST_YEAR}")
    if part is None:
        return Period.of(year, 1, year, 12)
    if part[0] in "HQ":
        size = 6 if part[0] == "H" else 3
        first = (int(part[1]) - 1) * size + 1
        return Period.of(year, first, year, first + size - 1)
    if not 1 <= int(part) <= 12:
        raise ValueError(f"bad month in {text!r}")
    return Period.of(year, int(part), year, int(part))


def annualise(value: float, period: Period) -> float:
    """The annual rate of a value over ``period``: value × 12 / months."""
    return value * 12 / period.months


@dataclass(frozen=True)
class TradeRecord:
    """One official trade figure: the reporter's flow with the partner over a period, from a source."""

    id: str
    period: Period
    reporter: str
    partner: str
    flow: str
    value: float
    currency: str
    source: str
    notes: str = ""
    line: int = 0

    @property
    def series(self) -> tuple[str, str, str]:
        return (self.reporter, self.partner, self.flow)


def load_trade(data: bytes, known_sources: set[str] | None, problems: list[Problem],
               name: str = "trade.csv") -> list[TradeRecord]:
    """Read trade.csv; every bad field becomes a ``Problem`` naming the file, line and field."""
    out: list[TradeRecord] = []
    seen: dict[str, int] = {}
    for row in read_table(name, data, COLUMNS, OPTIONAL, problems):
        before = len(problems)
        ident = row.unique_id(seen)
        period = None
        if text := row.text("period"):
            try:
                period = parse_period(text)
            except ValueError as exc:
                row.problem("period", f"not a period: {exc}")
        countries = [row.text(c) for c in ("reporter", "partner")]
        for column, code in zip(("reporter", "partner"), countries, strict=True):
            if code and not COUNTRY.match(code):
                row.problem(column, f"not an ISO 3166-1 alpha-3 code (or WLD): {code[:20]!r}")
        if countries[0] and countries[0] == countries[1]:
            row.problem("partner", "partner is the reporter")
        flow = row.text("flow")
        if flow and flow not in FLOWS:
            row.problem("flow", f"must be one of {', '.join(FLOWS)}, got {flow[:20]!r}")
        value = row.number("value") if row.text("value") else None
        if value is not None and value < 0:
            row.problem("value", "a trade value cannot be negative")
        currency = row.text("currency")
        if currency and not is_currency(currency):
            row.problem("currency", f"unknown currency {currency[:20]!r}")
        source = row.source(known_sources)
        if len(problems) == before and period is not None and value is not None:
            out.append(TradeRecord(ident, period, countries[0], countries[1], flow, value, currency, source,
                                   row.text("notes", required=False), row.line))
    return out


def write_trade(records: list[TradeRecord]) -> str:
    """trade.csv text for ``records`` (``load_trade`` reads it back to the same records, line numbers aside)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*COLUMNS, *OPTIONAL])
    for r in records:
        writer.writerow([r.id, str(r.period), r.reporter, r.partner, r.flow, f"{r.value:.15g}", r.currency,
                         r.source, r.notes])
    return buffer.getvalue()


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

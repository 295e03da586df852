"""Official trade figures (trade.csv): who reported what flow with whom, over which months, from which source.

The format is documented in docs/trade.md; comparisons and conflicts between figures are in
``armsflow.indicators.trade``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from armsflow.errors import Problem
from armsflow.evidence.period import Period, parse_period
from armsflow.evidence.tables import read_table
from armsflow.model.units import is_currency

FLOWS = ("turnover", "export", "import")
COLUMNS = ("id", "period", "reporter", "partner", "flow", "value", "currency", "source")
OPTIONAL = ("notes",)


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
            else:
                if not period.whole_months:
                    row.problem("period", f"trade figures cover whole months, not {text!r}")
                    period = None
        countries = [row.country("reporter"), row.country("partner")]
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

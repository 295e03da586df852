"""Context indicators computed on a run: event rates with exact intervals, after the evidence cut-off."""

from __future__ import annotations

from datetime import date

from armsflow.evidence.events import Event
from armsflow.evidence.trade import TradeRecord
from armsflow.indicators.rates import rate
from armsflow.indicators.trade import compare, conflicts
from armsflow.results import IndicatorResult
from armsflow.study.spec import IndicatorSpec, Study

METHOD = "exact Poisson interval (Garwood 1936), 90%; the rate of the study's list, not of all events"


def known_events(study: Study, as_of: date | None) -> list[Event]:
    """The study's events whose sources were published on or before ``as_of``."""
    kept = study.known_sources(as_of)
    return [e for e in study.events if e.source in kept]


def known_trade(study: Study, as_of: date | None) -> list[TradeRecord]:
    """The study's trade records whose sources were published on or before ``as_of``."""
    kept = study.known_sources(as_of)
    return [r for r in study.trade if r.source in kept]


def event_rate(study: Study, spec: IndicatorSpec, as_of: date | None) -> IndicatorResult:
    assert spec.since is not None
    until = spec.until or study.meta.reference_date
    if as_of is not None:
        until = min(until, as_of)
    events = known_events(study, as_of)
    r = rate(events, spec.since, until, kind=spec.event_kind, level=set(spec.levels) or None, confidence=0.90)
    used = [e for e in events if e.id in r.ids]
    text = f"{r.k} events in {r.months:.1f} months: {r.per_month:.2f} a month (90%: {r.low:.2f}-{r.high:.2f})"
    return IndicatorResult(spec.name, spec.label, "event/month", r.per_month, r.low, r.per_month, r.high,
                           sorted(r.ids), sorted({e.source for e in used}), METHOD, text, r.k, r.months,
                           spec.since.isoformat(), until.isoformat(), sorted(r.uncertain))


def trade_ratio(study: Study, spec: IndicatorSpec, as_of: date | None) -> IndicatorResult | None:
    """Ratio of two trade figures, with every conflict among the known figures; None if one is not known yet."""
    known = known_trade(study, as_of)
    by_id = {r.id: r for r in known}
    a, b = (by_id.get(x) for x in spec.records)
    if a is None or b is None:
        return None
    comparison = compare(a, b)
    if comparison is None:
        return None
    found = [str(c) for c in conflicts(known) if {c.first.id, c.second.id} & {a.id, b.id}]
    r = comparison.ratio
    return IndicatorResult(spec.name, spec.label, "1", r, r, r, r, [a.id, b.id], sorted({a.source, b.source}),
                           "ratio of the stated figures (no interval: the sources give none)", comparison.text,
                           conflicts=found)


def indicators(study: Study, as_of: date | None) -> list[IndicatorResult]:
    out: list[IndicatorResult] = []
    for spec in study.indicators.values():
        result = event_rate(study, spec, as_of) if spec.kind == "event_rate" else trade_ratio(study, spec, as_of)
        if result is not None:
            out.append(result)
    return out

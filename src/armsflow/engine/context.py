"""Context indicators of a study, after the evidence cut-off: event rates with exact intervals and trade figures.

``indicators`` computes the ones a study's model declares, on every run; ``event_rate`` and ``trade`` are the
library calls behind ``armsflow events rate`` and ``armsflow trade``, with the same defaults as ``run``.
"""

from __future__ import annotations

from datetime import date

from armsflow.errors import ParameterError, StudyError, fail
from armsflow.evidence.events import KINDS, Event
from armsflow.evidence.trade import TradeRecord
from armsflow.indicators.rates import monthly_series, rate, rate_ratio
from armsflow.indicators.trade import compare, comparisons, conflicts
from armsflow.model.units import convert, parse_unit
from armsflow.results import (
    EventRateResult,
    IndicatorResult,
    MonthCount,
    PublishedFigure,
    RateComparison,
    TradeComparison,
    TradeConflict,
    TradeResult,
)
from armsflow.study.loader import StudyRef, as_study
from armsflow.study.spec import IndicatorSpec, Study

#: The confidence of every interval a run reports; ``event_rate`` uses it too unless told otherwise.
CONFIDENCE = 0.90
METHOD = "exact Poisson interval (Garwood 1936), {confidence:.0%}; the rate of the study's list, not of all events"


def known_events(study: Study, as_of: date | None) -> list[Event]:
    """The study's events whose sources were published on or before ``as_of``."""
    kept = study.known_sources(as_of)
    return [e for e in study.events if e.source in kept]


def known_trade(study: Study, as_of: date | None) -> list[TradeRecord]:
    """The study's trade records whose sources were published on or before ``as_of``."""
    kept = study.known_sources(as_of)
    return [r for r in study.trade if r.source in kept]


def event_rate(study: StudyRef, *, indicator: str | None = None, since: date | None = None,
               until: date | None = None, event_kind: str | None = None, as_of: date | None = None,
               versus: tuple[date, date] | None = None, confidence: float = CONFIDENCE) -> EventRateResult:
    """Events per month of ``study``'s events.csv over a window, with the exact Poisson interval.

    What is not given comes from the study's event-rate ``indicator`` (default: its first), so that the figure is
    the one ``run`` reports: its start, end (default: the reference date), kind and levels; without such an
    indicator the window starts at the first event. The window never runs past the evidence cut-off ``as_of``:
    months after it would count as months without events. ``versus`` compares with another window by the exact
    conditional test.
    """
    study = as_study(study)
    if event_kind is not None and event_kind not in KINDS:
        raise ParameterError("event_kind", f"one of {', '.join(KINDS)}, got {event_kind!r}")
    if not 0.0 < confidence < 1.0:
        raise ParameterError("confidence", f"must lie between 0 and 1, got {confidence}")
    events = known_events(study, as_of)
    if not events:
        raise fail("events.csv", 0, "", "no events" + (f" published by {as_of}" if as_of else ""))
    rates = {name: s for name, s in study.indicators.items() if s.kind == "event_rate"}
    if indicator is not None and indicator not in rates:
        known = ", ".join(rates) or "none"
        raise ParameterError("indicator", f"no event-rate indicator {indicator!r} (known: {known})")
    spec = rates[indicator] if indicator is not None else next(iter(rates.values()), None)
    first = since or (spec.since if spec else None) or min(e.start for e in events)
    last = until or (spec.until if spec else None) or study.meta.reference_date
    if as_of is not None:
        last = min(last, as_of)
    if last < first:
        raise ParameterError("until", f"the window ends ({last}) before it starts ({first})")
    kind = event_kind or (spec.event_kind if spec else None)
    levels = set(spec.levels) if spec and spec.levels else None
    r = rate(events, first, last, kind=kind, level=levels, confidence=confidence)
    compared = None
    if versus is not None:
        try:
            ratio = rate_ratio(events, (first, last), versus, kind=kind, level=levels, confidence=confidence)
        except ValueError as exc:
            raise ParameterError("versus", str(exc)) from None
        b = ratio.b
        compared = RateComparison(b.since, b.until, b.k, b.months, b.per_month, ratio.ratio, ratio.low, ratio.high,
                                  ratio.p_value)
    monthly = [MonthCount(m, c) for m, c in monthly_series(events, first, last, kind=kind, level=levels)]
    window = spec.name if spec and since is None and until is None and event_kind is None else "given"
    counted = set(r.ids) | set(r.uncertain)
    return EventRateResult(study.meta.id, window, first, last, as_of, kind, tuple(sorted(levels or ())), confidence,
                           r.k, r.months, r.per_month, r.low, r.high, sorted(r.ids), sorted(r.uncertain), monthly,
                           compared, METHOD.format(confidence=confidence), tuple(e for e in events if e.id in counted))


def trade(study: StudyRef, *, as_of: date | None = None) -> TradeResult:
    """The official trade figures of ``study`` known at ``as_of``: each record, comparisons, conflicts."""
    study = as_study(study)
    records = known_trade(study, as_of)
    if not records:
        raise fail("trade.csv", 0, "", "no trade records" + (f" published by {as_of}" if as_of else ""))
    return TradeResult(study.meta.id, as_of, tuple(records),
                       [TradeComparison(c.first.id, c.second.id, c.ratio, c.annual_ratio, c.text)
                        for c in comparisons(records)],
                       [TradeConflict(c.first.id, c.second.id, c.reason) for c in conflicts(records)])


def _event_indicator(study: Study, spec: IndicatorSpec, as_of: date | None) -> IndicatorResult:
    assert spec.since is not None
    result = event_rate(study, indicator=spec.name, as_of=as_of)
    text = (f"{result.count} events in {result.months:.1f} months: {result.per_month:.2f} a month "
            f"(90%: {result.low:.2f}-{result.high:.2f})")
    published = []
    kept = study.known_sources(as_of)
    for ref in spec.published:
        claim = study.claims[ref]
        stated = claim.central if claim.central is not None else claim.low if claim.low is not None else claim.high
        if claim.source not in kept or stated is None:
            continue
        value = convert(stated, parse_unit(claim.unit), parse_unit("event/month"))
        published.append(PublishedFigure(ref, claim.source, value, result.low <= value <= result.high))
    return IndicatorResult(spec.name, spec.label, "event/month", result.per_month, result.low, result.per_month,
                           result.high, result.counted, sorted({e.source for e in result.events
                                                                if e.id in result.counted}),
                           result.method, text, result.count, result.months, result.since.isoformat(),
                           result.until.isoformat(), result.uncertain, published=published)


def _trade_ratio(study: Study, spec: IndicatorSpec, as_of: date | None) -> IndicatorResult | None:
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
    """The context indicators the study's model declares, as known at ``as_of``."""
    out: list[IndicatorResult] = []
    for spec in study.indicators.values():
        if spec.kind == "event_rate":
            try:
                out.append(_event_indicator(study, spec, as_of))
            except StudyError:  # no event published by the cut-off: the indicator is not known yet
                continue
        elif (found := _trade_ratio(study, spec, as_of)) is not None:
            out.append(found)
    return out


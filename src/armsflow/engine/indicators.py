"""Context indicators computed on a run: event rates with exact intervals, after the evidence cut-off."""

from __future__ import annotations

from datetime import date

from armsflow.indicators.events import Event
from armsflow.indicators.rates import rate
from armsflow.results import IndicatorResult
from armsflow.study.spec import IndicatorSpec, Study

METHOD = "exact Poisson interval (Garwood 1936), 90%; the rate of the study's list, not of all events"


def known_events(study: Study, as_of: date | None) -> list[Event]:
    """The study's events whose sources were published on or before ``as_of``."""
    return [e for e in study.events if as_of is None or study.sources[e.source].published <= as_of]


def event_rate(study: Study, spec: IndicatorSpec, as_of: date | None) -> IndicatorResult:
    until = spec.until or study.meta.reference_date
    if as_of is not None:
        until = min(until, as_of)
    events = known_events(study, as_of)
    r = rate(events, spec.since, until, kind=spec.event_kind, level=set(spec.levels) or None, confidence=0.90)
    used = [e for e in events if e.id in r.ids]
    return IndicatorResult(spec.name, spec.label, "event/month", r.per_month, r.low, r.per_month, r.high,
                           r.k, r.months, spec.since.isoformat(), until.isoformat(), sorted(r.ids),
                           sorted({e.source for e in used}), sorted(r.uncertain), METHOD)


def indicators(study: Study, as_of: date | None) -> list[IndicatorResult]:
    return [event_rate(study, spec, as_of) for spec in study.indicators.values()]

"""A timeline as a table: each series' claims with the fitted band, and the value at the reference date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from armsflow.errors import Problem, StudyError
from armsflow.indicators.timeline import BandRow, band, series_at
from armsflow.results import Summary
from armsflow.study.checks import evidence_of
from armsflow.study.resolve import timeline_of
from armsflow.study.spec import Study


@dataclass(frozen=True)
class TimelineReport:
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
    by_series: list[tuple[str, str, Summary]]


def timeline_report(study: Study, name: str, *, day: date | None = None, as_of: date | None = None,
                    seed: int | None = None, draws: int = 20_000) -> TimelineReport:
    """The timeline ``name`` with every claim and its fitted band, and its value at ``day`` (the reference date)."""
    spec = study.timelines.get(name)
    if spec is None:
        known = ", ".join(sorted(study.timelines)) or "none"
        raise StudyError([Problem("model.toml", 0, "", f"no timeline {name!r} (timelines: {known})")])
    timeline, used = timeline_of(evidence_of(study, study.known_sources(as_of)), spec)
    if not used:
        raise StudyError([Problem("model.toml", spec.line, f"timelines.{name}",
                                  f"no claim published on or before {as_of}")])
    rng = np.random.default_rng(study.meta.seed if seed is None else seed)
    scale = spec.unit.scale
    rows = [row for s in timeline.series if s.points for row in band(s, rng, draws, scale)]
    when = day or study.meta.reference_date
    x = timeline.sample(rng, draws, when) / scale
    p5, p50, p95 = np.percentile(x, [5, 50, 95])
    by_series = []
    if len([s for s in timeline.series if s.points]) > 1:
        for s in timeline.series:
            if s.points:
                y = series_at(s, rng, draws, [when], timeline.start, timeline.spread)[:, 0] / scale
                q5, q50, q95 = np.percentile(y, [5, 50, 95])
                by_series.append((s.name, s.label, Summary(float(y.mean()), float(q5), float(q50), float(q95))))
    rule = ("monotone fit: midpoint of forward running max and backward running min per draw; linear between "
            "dates; extrapolated from the last rate with a widening band; series pooled by weight")
    return TimelineReport(name, spec.label, str(spec.unit), rule, rows, when,
                          Summary(float(x.mean()), float(p5), float(p50), float(p95)), timeline.extrapolated(when),
                          sorted(p.ref for p in used), spec.assumption, by_series)

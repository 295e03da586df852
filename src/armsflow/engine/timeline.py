"""A timeline as a table: each series' claims with the fitted band, and the value at the reference date."""

from __future__ import annotations

from datetime import date

import numpy as np

from armsflow.errors import ParameterError, Problem, StudyError
from armsflow.indicators.timeline import band, series_at
from armsflow.results import SeriesAt, TimelineResult, summarise
from armsflow.study.checks import evidence_of
from armsflow.study.loader import StudyRef, as_study
from armsflow.study.resolve import timeline_of


def timeline(study: StudyRef, name: str, *, day: date | None = None, as_of: date | None = None,
             seed: int | None = None, draws: int = 20_000) -> TimelineResult:
    """The timeline ``name`` with every claim and its fitted band, and its value at ``day`` (the reference date)."""
    study = as_study(study)
    spec = study.timelines.get(name)
    if spec is None:
        known = ", ".join(sorted(study.timelines)) or "none"
        raise ParameterError("name", f"no timeline {name!r} (timelines: {known})")
    line, used = timeline_of(evidence_of(study, study.known_sources(as_of)), spec)
    if not used:
        raise StudyError([Problem("model.toml", spec.line, f"timelines.{name}",
                                  f"no claim published on or before {as_of}")])
    rng = np.random.default_rng(study.meta.seed if seed is None else seed)
    scale = spec.unit.scale
    rows = [row for s in line.series if s.points for row in band(s, rng, draws, scale)]
    when = day or study.meta.reference_date
    first = min(p.day for s in line.series for p in s.points)
    if when < (line.start or first):
        before = f"its start ({line.start})" if line.start else f"the first claim ({first}) and it has no start"
        raise ParameterError("day", f"{when} is before the timeline's {before}")
    x = line.sample(rng, draws, when)
    by_series = []
    if len([s for s in line.series if s.points]) > 1:
        for s in line.series:
            if s.points:
                y = series_at(s, rng, draws, [when], line.start, line.spread)[:, 0]
                by_series.append(SeriesAt(s.name, s.label, summarise(y, scale)))
    rule = ("monotone fit: midpoint of forward running max and backward running min per draw; linear between "
            "dates; extrapolated from the last rate with a widening band; series pooled by weight")
    return TimelineResult(name, spec.label, str(spec.unit), rule, rows, when, summarise(x, scale),
                          line.extrapolated(when), sorted(p.ref for p in used), spec.assumption, by_series)

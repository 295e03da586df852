"""What a report shows, gathered from the core once and in no language: the run, the valuation chain, timelines,
indicators and the evidence. Rendering (``render.py``) formats it; nothing here is computed for the report alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

from armsflow.engine.indicators import known_events, known_trade
from armsflow.engine.plan import Plan, make_plan
from armsflow.engine.run import Progress, provenance, run_plan, summary
from armsflow.engine.timelines import TimelineReport, timeline_report
from armsflow.evidence.events import Event
from armsflow.evidence.records import Claim, Price, Source
from armsflow.evidence.trade import TradeRecord
from armsflow.indicators.rates import monthly_series
from armsflow.indicators.trade import Comparison, Conflict, comparisons, conflicts
from armsflow.model.distributions import Array
from armsflow.results import IndicatorResult, OutputResult, PublishedResult, RunResult, Summary
from armsflow.study.spec import Study, TimelineSeries


@dataclass(frozen=True)
class ChainStep:
    """One variable of the valuation chain: how it is obtained, its distribution, and what it rests on."""

    name: str
    label: str
    unit: str
    how: str  # claims | prices | dist | formula | timeline
    formula: str
    summary: Summary
    refs: tuple[str, ...]
    assumption: str
    fallback: bool
    extrapolated: bool


@dataclass(frozen=True)
class Assumption:
    """An own assumption: the variable that makes it, the text, and where the text comes from (the variable, or
    the timeline it reads) so that a study's translation can be found."""

    variable: str
    text: str
    origin: str


@dataclass(frozen=True)
class Headline:
    """A headline output with its samples in display units (for its histogram) and its published comparisons."""

    result: OutputResult
    samples: Array
    published: tuple[PublishedResult, ...]
    assumed: tuple[str, ...]  # variables whose own assumption the result rests on


@dataclass(frozen=True)
class EventSeries:
    """An event-rate indicator with its monthly counts and the events it counted."""

    indicator: IndicatorResult
    months: tuple[tuple[str, int], ...]
    events: tuple[Event, ...]


@dataclass(frozen=True)
class TradeView:
    indicator: IndicatorResult | None
    records: tuple[TradeRecord, ...]
    comparisons: tuple[Comparison, ...]
    conflicts: tuple[Conflict, ...]


@dataclass(frozen=True)
class Content:
    """Everything one report shows, for one study, cut-off, scenario and seed."""

    study: Study
    run: RunResult
    headlines: tuple[Headline, ...]
    chain: tuple[ChainStep, ...]
    timelines: tuple[TimelineReport, ...]
    events: tuple[EventSeries, ...]
    trade: TradeView
    sources: tuple[Source, ...]
    claims: tuple[Claim, ...]
    prices: tuple[Price, ...]
    assumptions: tuple[Assumption, ...]

    @cached_property
    def _kinds(self) -> dict[str, str]:
        kinds = {e.id: "event" for e in self.study.events} | {t.id: "trade" for t in self.study.trade}
        return kinds | dict.fromkeys(self.study.prices, "price") | dict.fromkeys(self.study.claims, "claim")

    def kind_of(self, ref: str) -> str:
        """What an id names: ``claim``, ``price``, ``event``, ``trade`` (a trade record) or ``src``."""
        return self._kinds.get(ref, "src")


def gather(study: Study, *, as_of: date | None = None, seed: int | None = None, scenario: str | None = None,
           draws: int | None = None, progress: Progress | None = None) -> Content:
    """Run ``study`` once (with sensitivity) and collect what the report shows."""
    plan = make_plan(study, scenario, as_of)
    run = run_plan(plan, draws=draws, seed=seed, keep_samples=True, progress=progress)
    heads = [r for r in run.results if r.headline]
    headlines = tuple(
        Headline(r, run.samples[r.id] / plan.variables[r.id].unit.scale,
                 tuple(p for p in run.published if p.output == r.id),
                 tuple(dict.fromkeys(_assumption(line).variable for line in r.assumptions)))
        for r in heads)
    kept = study.known_sources(as_of)
    return Content(
        study=study,
        run=replace(run, samples={}),  # the chain and histograms keep what they need; the rest is not carried
        headlines=headlines,
        chain=_chain(plan, run.samples, [r.id for r in heads]),
        timelines=tuple(timeline_report(study, name, as_of=as_of, seed=run.seed)
                        for name, spec in study.timelines.items() if _has_claims(study, spec.series, kept)),
        events=_events(study, run),
        trade=_trade(study, run),
        sources=tuple(sorted(kept.values(), key=lambda s: (s.published, s.id))),
        claims=tuple(c for c in study.claims.values() if c.source in kept),
        prices=tuple(p for p in study.prices.values() if p.source in kept),
        assumptions=_assumptions(plan, [r.id for r in heads]),
    )


def _chain(plan: Plan, samples: dict[str, Array], outputs: list[str]) -> tuple[ChainStep, ...]:
    """Every variable the headline outputs read: the inputs in the model's order, then the formulas in the run's."""
    needed = set().union(*(plan.depends_on(o) for o in outputs)) if outputs else set()
    steps = []
    inputs = [n for n in plan.variables if n in plan.inputs]  # in the model file's order
    for name in inputs + [n for n in plan.order if n not in plan.inputs]:
        if name not in needed or name not in samples:
            continue
        var = plan.variables[name]
        item = plan.inputs.get(name)
        definition = item.definition if item else var.definition
        refs = [p.ref for p in item.pieces] if item else []
        refs += [c for c in definition.cites if c not in refs]
        formula = definition.formula.text if definition.formula else ""
        steps.append(ChainStep(name, var.label, str(var.unit), definition.kind, formula,
                               summary(samples[name], var.unit.scale), tuple(refs), definition.assumption,
                               bool(item and item.fallback_used), bool(item and item.extrapolated)))
    return tuple(steps)


def _assumption(line: str) -> Assumption:
    """One line of ``provenance(...).assumptions``: ``variable: text`` or ``variable (timeline name): text``."""
    head, _, text = line.partition(": ")
    variable, _, timeline = head.partition(" (timeline ")
    return Assumption(variable, text, timeline.rstrip(")") or variable)


def _assumptions(plan: Plan, outputs: list[str]) -> tuple[Assumption, ...]:
    """The own assumptions behind the headline outputs, once each."""
    seen: dict[str, Assumption] = {}
    for output in outputs:
        for line in provenance(plan, output).assumptions:
            seen.setdefault(line, _assumption(line))
    return tuple(seen.values())


def _has_claims(study: Study, series: tuple[TimelineSeries, ...], kept: dict[str, Source]) -> bool:
    return any(c in study.claims and study.claims[c].source in kept for s in series for c in s.claims)


def _events(study: Study, run: RunResult) -> tuple[EventSeries, ...]:
    out = []
    known = known_events(study, run.as_of)
    for ind in run.indicators:
        spec = study.indicators.get(ind.id)
        if spec is None or spec.kind != "event_rate" or ind.since is None or ind.until is None:
            continue
        months = monthly_series(known, date.fromisoformat(ind.since), date.fromisoformat(ind.until),
                                spec.event_kind, set(spec.levels) or None)
        counted = set(ind.records) | set(ind.uncertain)
        out.append(EventSeries(ind, tuple(months), tuple(e for e in known if e.id in counted)))
    return tuple(out)


def _trade(study: Study, run: RunResult) -> TradeView:
    records = known_trade(study, run.as_of)
    found = next((i for i in run.indicators if study.indicators.get(i.id) is not None
                  and study.indicators[i.id].kind == "trade_ratio"), None)
    return TradeView(found, tuple(records), tuple(comparisons(records)), tuple(conflicts(records)))

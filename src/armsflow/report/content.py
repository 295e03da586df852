"""What a report shows, gathered from the core once and in no language: the run, the valuation chain, timelines,
indicators and the evidence. Rendering (``render.py``) formats it; nothing here is computed for the report alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from armsflow.evidence.events import Event
from armsflow.evidence.records import Claim, Price, Source
from armsflow.evidence.trade import TradeRecord
from armsflow.indicators.trade import Comparison, Conflict, comparisons, conflicts
from armsflow.model.distributions import Array
from armsflow.results import (
    Assumption,
    ChainStep,
    DiffResult,
    IndicatorResult,
    OutputResult,
    PublishedResult,
    ReconcileResult,
    RunResult,
    TimelineResult,
)
from armsflow.screen.results import ScreenStudyResult
from armsflow.study.spec import Study, TimelineSeries

if TYPE_CHECKING:
    from armsflow.engine.run import Progress


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
    timelines: tuple[TimelineResult, ...]
    events: tuple[EventSeries, ...]
    trade: TradeView
    sources: tuple[Source, ...]
    claims: tuple[Claim, ...]
    prices: tuple[Price, ...]
    assumptions: tuple[Assumption, ...]
    changes: DiffResult | None = None  # what changed since an earlier edition, when one is named
    screening: ScreenStudyResult | None = None  # the study's ships and firms against sanctions lists, when asked
    reconciliation: ReconcileResult | None = None  # each scenario against the base, when asked

    @cached_property
    def _kinds(self) -> dict[str, str]:
        kinds = {e.id: "event" for e in self.study.events} | {t.id: "trade" for t in self.study.trade}
        return kinds | dict.fromkeys(self.study.prices, "price") | dict.fromkeys(self.study.claims, "claim")

    def kind_of(self, ref: str) -> str:
        """What an id names: ``claim``, ``price``, ``event``, ``trade`` (a trade record) or ``src``."""
        return self._kinds.get(ref, "src")


def gather(study: Study, *, as_of: date | None = None, seed: int | None = None, scenario: str | None = None,
           draws: int | None = None, progress: Progress | None = None, reconcile: bool = False) -> Content:
    """Run ``study`` once (with sensitivity) and collect what the report shows; with ``reconcile``, each scenario
    against the base too (``armsflow.reconcile``: of the base with all evidence, on the run's own draws when the
    report is of it)."""
    # The engine is imported here, not above: a worker process that renders a language unpickles a Content and
    # needs its types, not the engine and SciPy (a second of imports)
    from armsflow.engine.run import run
    from armsflow.engine.timeline import timeline

    reconciliation = None
    if reconcile and scenario is None and as_of is None:
        from armsflow.engine.reconcile import run_and_reconcile

        result, reconciliation = run_and_reconcile(study, seed=seed, draws=draws, progress=progress)
    else:
        result = run(study, draws=draws, seed=seed, scenario=scenario, as_of=as_of, keep_samples=True,
                     progress=progress)
        if reconcile:
            from armsflow.engine.reconcile import reconcile as reconcile_study

            reconciliation = reconcile_study(study, seed=seed, draws=draws)
    headlines = tuple(
        Headline(r, result.sample(r.id), tuple(p for p in result.published if p.output == r.id),
                 tuple(dict.fromkeys(a.variable for a in r.assumptions)))
        for r in result.headlines)
    kept = study.known_sources(as_of)
    return Content(
        study=study,
        run=result.without_samples(),  # the histograms keep what they need; the rest is not carried
        headlines=headlines,
        chain=tuple(result.chain),
        timelines=tuple(timeline(study, name, as_of=as_of, seed=result.seed)
                        for name, spec in study.timelines.items() if _has_claims(study, spec.series, kept)),
        events=_events(study, result),
        trade=_trade(study, result),
        sources=tuple(sorted(kept.values(), key=lambda s: (s.published, s.id))),
        claims=tuple(c for c in study.claims.values() if c.source in kept),
        prices=tuple(p for p in study.prices.values() if p.source in kept),
        assumptions=tuple(result.assumptions),
        reconciliation=reconciliation,
    )


def _has_claims(study: Study, series: tuple[TimelineSeries, ...], kept: dict[str, Source]) -> bool:
    return any(c in study.claims and study.claims[c].source in kept for s in series for c in s.claims)


def _events(study: Study, result: RunResult) -> tuple[EventSeries, ...]:
    from armsflow.engine.context import event_rate

    out = []
    for ind in result.indicators:
        spec = study.indicators.get(ind.id)
        if spec is None or spec.kind != "event_rate":
            continue
        rate = event_rate(study, indicator=ind.id, as_of=result.as_of)
        out.append(EventSeries(ind, tuple((m.month, m.count) for m in rate.monthly), rate.events))
    return tuple(out)


def _trade(study: Study, run: RunResult) -> TradeView:
    from armsflow.engine.context import known_trade

    records = known_trade(study, run.as_of)
    found = next((i for i in run.indicators if study.indicators.get(i.id) is not None
                  and study.indicators[i.id].kind == "trade_ratio"), None)
    return TradeView(found, tuple(records), tuple(comparisons(records)), tuple(conflicts(records)))

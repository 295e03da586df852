"""The result of reconciling armsflow's figures with published estimates, scenario by scenario."""

from __future__ import annotations

from dataclasses import dataclass

from armsflow.results.base import Result
from armsflow.results.history import OutputChange


@dataclass(frozen=True)
class PublishedGap:
    """A published estimate's value in the unit of the output it estimates. Beside a scenario that follows its
    chain: that scenario's median of the output, whether it lies in the published range, and ``remaining``, the
    published value the scenario follows (the end of the range named by ``end``, else the central value, else the
    middle of the range; none for a bound alone, "more than X", which the scenario lies beyond or not) less the
    scenario's median: the part of the gap that the assumptions the scenario takes over do not explain."""

    id: str
    label: str
    output: str
    low: float | None
    central: float | None
    high: float | None
    unit: str
    scenario_median: float | None = None
    inside: bool | None = None
    remaining: float | None = None
    end: str = ""  # "low" or "high": the end of the published range the scenario follows

    @property
    def bound(self) -> str:
        """``lower`` for a figure that only says "more than X", ``upper`` for "up to X", else empty."""
        if self.central is not None or (self.low is None) == (self.high is None):
            return ""
        return "lower" if self.low is not None else "upper"


@dataclass(frozen=True)
class ScenarioGap:
    """One scenario against the base: each headline output's move, assumption by assumption, and the published
    estimates whose chain the scenario follows (``reproduces``, their ids; ``published``, their values and what
    is left between them and the scenario)."""

    scenario: str
    label: str
    reproduces: tuple[str, ...]
    outputs: tuple[OutputChange, ...]
    published: tuple[PublishedGap, ...] = ()


@dataclass(frozen=True)
class ReconcileResult(Result):
    """``armsflow reconcile``: what moves armsflow's figures to each scenario's (and so to the published estimate
    the scenario follows), by Shapley values over the assumptions the scenario changes, with common random
    numbers; and the published estimates that no scenario reproduces yet."""

    study: str
    seed: int
    draws: int
    scenarios: tuple[ScenarioGap, ...]
    unreconciled: tuple[PublishedGap, ...]
    method: str

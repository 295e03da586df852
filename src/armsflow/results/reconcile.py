"""The result of reconciling armsflow's figures with published estimates, scenario by scenario."""

from __future__ import annotations

from dataclasses import dataclass

from armsflow.results.base import Result
from armsflow.results.history import OutputChange


@dataclass(frozen=True)
class ScenarioGap:
    """One scenario against the base: each headline output's move, assumption by assumption, and the published
    estimates whose chain the scenario follows (with their value, in the output's unit)."""

    scenario: str
    label: str
    reproduces: tuple[str, ...]
    outputs: tuple[OutputChange, ...]


@dataclass(frozen=True)
class Unreconciled:
    """A published estimate no scenario of the study reproduces, with its value."""

    id: str
    label: str
    output: str
    low: float | None
    central: float | None
    high: float | None
    unit: str


@dataclass(frozen=True)
class ReconcileResult(Result):
    """``armsflow reconcile``: what moves armsflow's figures to each scenario's (and so to the published estimate
    the scenario follows), by Shapley values over the assumptions the scenario changes, with common random
    numbers; and the published estimates that no scenario reproduces yet."""

    study: str
    seed: int
    draws: int
    scenarios: tuple[ScenarioGap, ...]
    unreconciled: tuple[Unreconciled, ...]
    method: str

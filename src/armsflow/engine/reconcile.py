"""``armsflow reconcile``: armsflow's figures set against each scenario's, assumption by assumption.

A scenario that follows a published chain (``scenario = "..."`` on a published estimate in model.toml) shows what
moves armsflow's figure to that publication's: the scenario's changed assumptions, each with its share of the move
(the Shapley decomposition of ``engine.attribution``, with common random numbers, so the shares add up exactly).
"""

from __future__ import annotations

from collections.abc import Sequence

from armsflow.engine.attribution import METHOD, attribute
from armsflow.engine.plan import Plan, make_plan
from armsflow.engine.run import Progress, run_plan, settings
from armsflow.engine.sampling import CHUNK, Drawn, draw_state
from armsflow.results.history import OutputChange
from armsflow.results.reconcile import PublishedGap, ReconcileResult, ScenarioGap
from armsflow.results.run import RunResult
from armsflow.study.loader import StudyRef, as_study
from armsflow.study.resolve import claim_piece
from armsflow.study.spec import Published


def reconcile(study: StudyRef, *, seed: int | None = None, draws: int | None = None) -> ReconcileResult:
    """Every scenario of ``study`` against its base: each headline output's move, assumption by assumption, with
    the published estimates each scenario follows and how far the scenario's median still is from each; and the
    published estimates no scenario follows."""
    loaded = as_study(study)
    seed = loaded.meta.seed if seed is None else seed
    draws = loaded.meta.draws if draws is None else draws
    base = make_plan(loaded)
    return _reconcile(base, draw_state(base, seed, draws), seed, draws)


def run_and_reconcile(study: StudyRef, *, seed: int | None = None, draws: int | None = None,
                      progress: Progress | None = None) -> tuple[RunResult, ReconcileResult]:
    """The base run with its samples and Sobol indices (``run(study, keep_samples=True)``) and ``reconcile(study)``,
    on one drawing of the base's inputs: each the same as alone, for the cost of drawing once (what the report
    needs)."""
    loaded = as_study(study)
    base = make_plan(loaded)
    draws, seed = settings(base, draws, seed)
    drawn = draw_state(base, seed, draws) if draws <= CHUNK else None  # larger runs are drawn in chunks
    result = run_plan(base, draws=draws, seed=seed, keep_samples=True, progress=progress, drawn=drawn)
    return result, _reconcile(base, drawn or draw_state(base, seed, draws), seed, draws)


def _reconcile(base: Plan, drawn: Drawn, seed: int, draws: int) -> ReconcileResult:
    study = base.study
    gaps = []
    for name, scenario in study.scenarios.items():  # each scenario redraws only the inputs it changes
        outputs, _, _ = attribute(base, make_plan(study, name), seed=seed, draws=draws, drawn=drawn)
        figures = tuple(_figure(base, pub, outputs) for pub in study.published.values() if pub.scenario == name)
        gaps.append(ScenarioGap(name, scenario.label, tuple(f.id for f in figures), tuple(outputs), figures))
    unreconciled = tuple(_figure(base, pub, []) for pub in study.published.values() if not pub.scenario)
    return ReconcileResult(study.meta.id, seed, draws, tuple(gaps), unreconciled,
                           METHOD.format(over="assumptions a scenario changes"))


def _figure(base: Plan, pub: Published, outputs: Sequence[OutputChange]) -> PublishedGap:
    """A published estimate in its output's unit; beside the scenario's median of that output where ``outputs``
    (the scenario's moves) has it."""
    claim = base.study.claims[pub.claim]
    output = base.variables[pub.output]
    factor = claim_piece(base.evidence, claim, output.unit).factor / output.unit.scale
    low, central, high = (None if v is None else v * factor for v in (claim.low, claim.central, claim.high))
    moved = next((o for o in outputs if o.id == pub.output), None)
    if moved is None:
        return PublishedGap(pub.id, pub.label, pub.output, low, central, high, str(output.unit))
    value = {"low": low, "high": high}[pub.scenario_end] if pub.scenario_end else central if central is not None \
        else (low + high) / 2 if low is not None and high is not None else None
    inside = (low is None or moved.after >= low) and (high is None or moved.after <= high) \
        if low is not None or high is not None else None
    # a bound alone ("more than 200 M") is a figure the scenario lies beyond or not, not one it is a distance from
    remaining = None if value is None else value - moved.after
    return PublishedGap(pub.id, pub.label, pub.output, low, central, high, str(output.unit), moved.after, inside,
                        remaining, pub.scenario_end)

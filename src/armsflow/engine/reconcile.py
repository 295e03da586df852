"""``armsflow reconcile``: armsflow's figures set against each scenario's, assumption by assumption.

A scenario that follows a published chain (``scenario = "..."`` on a published estimate in model.toml) shows what
moves armsflow's figure to that publication's: the scenario's changed assumptions, each with its share of the move
(the Shapley decomposition of ``engine.attribution``, with common random numbers, so the shares add up exactly).
"""

from __future__ import annotations

from armsflow.engine.attribution import METHOD, attribute
from armsflow.engine.plan import make_plan
from armsflow.engine.sampling import draw_state
from armsflow.results.reconcile import ReconcileResult, ScenarioGap, Unreconciled
from armsflow.study.loader import StudyRef, as_study
from armsflow.study.resolve import claim_piece


def reconcile(study: StudyRef, *, seed: int | None = None, draws: int | None = None) -> ReconcileResult:
    """Every scenario of ``study`` against its base: each headline output's move, assumption by assumption, with
    the published estimates each scenario follows; and the published estimates no scenario follows."""
    loaded = as_study(study)
    seed = loaded.meta.seed if seed is None else seed
    draws = loaded.meta.draws if draws is None else draws
    base = make_plan(loaded)
    follows: dict[str, list[str]] = {}
    for pub in loaded.published.values():
        if pub.scenario:
            follows.setdefault(pub.scenario, []).append(pub.id)
    gaps = []
    drawn = draw_state(base, seed, draws)  # once: each scenario redraws only the inputs it changes
    for name, scenario in loaded.scenarios.items():
        outputs, _, _ = attribute(base, make_plan(loaded, name), seed=seed, draws=draws, drawn=drawn)
        gaps.append(ScenarioGap(name, scenario.label, tuple(follows.get(name, ())), tuple(outputs)))
    unreconciled = []
    for pub in loaded.published.values():
        if pub.scenario:
            continue
        claim = loaded.claims[pub.claim]
        output = loaded.variables[pub.output]
        factor = claim_piece(base.evidence, claim, output.unit).factor / output.unit.scale
        low, central, high = (None if v is None else v * factor for v in (claim.low, claim.central, claim.high))
        unreconciled.append(Unreconciled(pub.id, pub.label, pub.output, low, central, high, str(output.unit)))
    return ReconcileResult(loaded.meta.id, seed, draws, tuple(gaps), tuple(unreconciled),
                           METHOD.format(over="assumptions a scenario changes"))

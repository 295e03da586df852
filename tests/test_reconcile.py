"""armsflow reconcile: each scenario against the base, assumption by assumption, adding up exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import armsflow
from armsflow.cli import app
from conftest import write_study

MODEL = """
[variables.x]
label = "X"
unit = "1"
dist = "point"
value = 1
assumption = "test"

[variables.y]
label = "Y"
unit = "1"
dist = "point"
value = 2
assumption = "test"

[outputs.total]
label = "Total"
unit = "billion USD"
formula = "(x + y) * 1e9 * usd"

[variables.usd]
label = "One dollar"
unit = "USD"
dist = "point"
value = 1
assumption = "test"

[scenarios.high]
label = "Both higher"
[scenarios.high.variables.x]
dist = "point"
value = 4
assumption = "published chain"
[scenarios.high.variables.y]
dist = "point"
value = 3
assumption = "published chain"

[published.paper]
label = "A paper"
claim = "C1"
output = "total"
quantity = "x"
implied_unit = "USD"
scenario = "high"

[published.other]
label = "Another paper"
claim = "C2"
output = "total"
quantity = "x"
implied_unit = "USD"
"""
CLAIMS = "C1,S1,total,,7,,billion USD,2024,2,,\nC2,S1,total,5,,6,billion USD,2024,2,,\n"


@pytest.fixture
def study(tmp_path: Path) -> Path:
    return write_study(tmp_path / "s", MODEL, claims=CLAIMS, draws=200)


def test_each_assumption_s_share_of_the_move_is_exact_in_an_additive_model(study: Path) -> None:
    result = armsflow.reconcile(study)
    (gap,) = result.scenarios
    (total,) = gap.outputs
    assert (gap.scenario, gap.reproduces) == ("high", ("paper",))
    assert (total.before, total.after) == pytest.approx((3.0, 7.0))
    assert {p.group: p.effect for p in total.parts} == pytest.approx({"x": 3.0, "y": 1.0})
    ((other),) = result.unreconciled
    assert (other.id, other.low, other.high, other.unit) == ("other", 5.0, 6.0, "billion USD")


def test_reconcile_on_the_command_line(study: Path) -> None:
    result = CliRunner().invoke(app, ["reconcile", str(study), "--json"])
    doc = json.loads(result.stdout)
    assert result.exit_code == 0 and doc["scenarios"][0]["outputs"][0]["total"] == pytest.approx(4.0)
    text = CliRunner().invoke(app, ["reconcile", str(study)]).stdout
    assert "follows paper" in text and "Published estimates no scenario follows yet" in text


def test_the_flagship_s_troop_scenario_follows_inss() -> None:
    result = armsflow.reconcile("russia-dprk", draws=20_000)
    ally = next(g for g in result.scenarios if g.scenario == "inss-ally")
    revenue = next(o for o in ally.outputs if o.id == "troop_revenue")
    assert ally.reproduces == ("inss-2024-troops",) and {p.group for p in revenue.parts} == {"pay", "troops"}
    assert sum(p.effect for p in revenue.parts) == pytest.approx(revenue.total, abs=1e-9)
    # INSS's 10,000 soldiers at 134,000 USD a year: the scenario is INSS's upper end, 1,340 M USD a year
    (inss,) = ally.published
    assert inss.end == "high" and inss.inside and inss.remaining is not None and abs(inss.remaining) < 0.02 * 1340


def test_a_scenario_end_must_be_an_end_the_publication_states(study: Path) -> None:
    model = study / "model.toml"
    model.write_text(model.read_text().replace('scenario = "high"', 'scenario = "high"\nscenario_end = "low"'))
    assert [str(p) for p in armsflow.check_study(study)] == [
        "model.toml:46: published.paper.scenario_end: C1 states no low end (claims.csv:2)"]
    (study / "claims.csv").write_text((study / "claims.csv").read_text().replace("C1,S1,total,,7,", "C1,S1,total,7,,"))
    assert [str(p) for p in armsflow.check_study(study)] == [
        "model.toml:46: published.paper.scenario_end: C1 is a bound, not a range (claims.csv:2): the scenario is shown "
        "inside or beyond it"]
    model.write_text(model.read_text().replace('scenario_end = "low"', 'scenario_end = "top"'))
    assert [str(p) for p in armsflow.check_study(study)] == [
        "model.toml:46: published.paper.scenario_end: must be 'low' or 'high', the end of the published range that "
        "the scenario follows"]


def test_a_scenario_whose_outputs_stop_reading_some_inputs(tmp_path: Path) -> None:
    """A scenario that rewrites a formula so that it no longer reads some inputs (the flagship's osc-crates reads
    OSC's rounds instead of containers x share x rounds per container): the inputs only one state draws are swapped
    with the formulas that read them, and the parts still add up to the whole move."""
    model = MODEL + """
[variables.z]
label = "Z"
unit = "1"
dist = "uniform"
low = 1
high = 3
assumption = "test"

[outputs.other]
label = "Other"
unit = "1"
formula = "x * y"

[scenarios.direct]
label = "Direct"
[scenarios.direct.variables.total]
formula = "z * 1e9 * usd"
[scenarios.direct.variables.other]
formula = "z * 2"
"""
    result = armsflow.reconcile(write_study(tmp_path / "s", model, claims=CLAIMS), draws=5_000)
    gap = next(g for g in result.scenarios if g.scenario == "direct")
    assert {o.id for o in gap.outputs} == {"total", "other"}
    for change in gap.outputs:
        assert sum(p.effect for p in change.parts) == pytest.approx(change.total, abs=1e-9)
    flagship = armsflow.reconcile("russia-dprk", draws=5_000)
    osc = next(g for g in flagship.scenarios if g.scenario == "osc-crates")
    rounds = next(o for o in osc.outputs if o.id == "rounds")
    assert rounds.total < 0 and sum(p.effect for p in rounds.parts) == pytest.approx(rounds.total)


def test_a_scenario_drawn_from_the_base_has_the_draws_it_would_have_alone() -> None:
    """reconcile draws the base once and each scenario only where it differs (engine.sampling.draw_state): every
    input of every flagship scenario must come out exactly as drawing the scenario from nothing gives it, the
    rank-correlated prices included (production-cost changes one of them)."""
    import numpy as np

    from armsflow.engine.plan import make_plan
    from armsflow.engine.sampling import draw_inputs, draw_state

    study = armsflow.load_study("russia-dprk")
    base = make_plan(study)
    drawn = draw_state(base, 7, 2_000)
    assert all(np.array_equal(drawn.values[n], x) for n, x in draw_inputs(base, 7, 2_000).items())
    for name in study.scenarios:
        plan = make_plan(study, name)
        shared = draw_state(plan, 7, 2_000, like=(base, drawn)).values
        alone = draw_inputs(plan, 7, 2_000)
        assert shared.keys() == alone.keys() and all(np.array_equal(shared[n], alone[n]) for n in alone), name


def test_run_and_reconcile_on_one_drawing_equal_each_alone() -> None:
    """Differential: the report's one drawing for the run and the reconciliation gives what each gives alone."""
    import numpy as np

    from armsflow.engine.reconcile import run_and_reconcile

    run, reconciled = run_and_reconcile("russia-dprk", draws=20_000)
    alone = armsflow.run("russia-dprk", draws=20_000, keep_samples=True)
    assert run.to_dict() == alone.to_dict()
    assert all(np.array_equal(run.samples[k], alone.samples[k]) for k in alone.samples)
    assert reconciled.to_dict() == armsflow.reconcile("russia-dprk", draws=20_000).to_dict()


def test_a_published_bound_is_passed_or_not_with_no_distance_to_it() -> None:
    """NIS's "more than 200 M USD a year": the scenario that follows it lies above it, with no distance to it."""
    result = armsflow.reconcile("russia-dprk", draws=20_000)
    (nis,) = next(g for g in result.scenarios if g.scenario == "nis-troops").published
    assert (nis.low, nis.central, nis.high) == (200.0, None, None)
    assert nis.inside and nis.remaining is None and nis.scenario_median is not None and nis.scenario_median > 200

"""Runs: an independent hand calculation, determinism, the JSON contract, the evidence cut-off, scenarios."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

import armsflow
from armsflow import StudyError, load_study, run


def pert_mean(low: float, mode: float, high: float) -> float:
    return (low + 4 * mode + high) / 6


def test_mini_mean_matches_hand_calculation(mini: Path) -> None:
    """E[containers x rpc x price] = product of the means (independent inputs), each mean worked out by hand."""
    # containers: C1 (B2: weight .8*.8, spread .05+.10) and C2 (C3: weight .6*.6, spread .1+.2, "more than").
    c1, c2 = pert_mean(850, 1000, 1150), pert_mean(1500, 1500, 1500 * (1 + 0.25 + 0.3))
    containers = (0.64 * c1 + 0.36 * c2) / (0.64 + 0.36)
    # rounds per container: C4 (A2: spread .1) 300-500.
    rpc = pert_mean(270, 400, 550)
    # price: P1 (A2) 300-600 USD of 2023 inflated to 2024; P2 (B3) 1,300,000 KRW of 2024 at 1,364 KRW/USD.
    f = 313.689 / 304.702
    p1, p2 = pert_mean(270 * f, 450 * f, 660 * f), 1_300_000 / 1364
    price = (0.8 * p1 + 0.48 * p2) / (0.8 + 0.48)
    expected = containers * rpc * price / 1e9
    result = run(load_study(mini), draws=400_000, sensitivity=False)
    assert result.result("value").mean == pytest.approx(expected, rel=0.01)


def test_same_seed_same_output_different_seed_different(mini: Path) -> None:
    study = load_study(mini)
    a, b = run(study, seed=5).to_json(), run(study, seed=5).to_json()
    assert a == b
    assert run(study, seed=6).to_json() != a


def test_json_contract(mini: Path) -> None:
    doc = json.loads(run(load_study(mini)).to_json())
    for key in ("study", "as_of", "seed", "draws", "version", "inputs_sha256", "results", "published", "sensitivity"):
        assert key in doc
    assert doc["version"] == armsflow.__version__
    assert len(doc["inputs_sha256"]) == 64
    (value,) = doc["results"]
    for key in ("id", "label", "unit", "mean", "p5", "p50", "p95", "claims"):
        assert key in value
    assert value["claims"] == ["C1", "C2", "C4"] and value["prices"] == ["P1", "P2"]
    assert value["p5"] <= value["p50"] <= value["p95"]
    assert doc["published"][0]["implied_unit"] == "USD/round"
    assert doc["sensitivity"]["indices"]["value"][0]["input"] == "price"


def test_inputs_hash_follows_the_files(mini: Path) -> None:
    before = run(load_study(mini), sensitivity=False).inputs_sha256
    (mini / "claims.csv").write_text((mini / "claims.csv").read_text().replace("1000", "1001"))
    assert run(load_study(mini), sensitivity=False).inputs_sha256 != before


def test_as_of_drops_later_sources(mini: Path) -> None:
    study = load_study(mini)
    today = run(study, sensitivity=False)
    early = run(study, as_of=date(2024, 7, 1), sensitivity=False)
    assert early.excluded_sources == ["S3"] and early.as_of == date(2024, 7, 1)
    assert early.result("value").claims == ["C1", "C4"]
    assert early.result("value").p50 < today.result("value").p50  # the larger, later count is not yet known
    with pytest.raises(StudyError, match="no evidence published on or before 2024-05-01"):
        run(study, as_of=date(2024, 5, 1))


def test_fallback_is_used_and_flagged(mini: Path) -> None:
    model = (mini / "model.toml").read_text().replace(
        'claims = ["C4"]', 'claims = ["C4"]\nfallback = { dist = "point", value = 350, assumption = "Own guess" }')
    (mini / "model.toml").write_text(model)
    result = run(load_study(mini), as_of=date(2024, 5, 1), sensitivity=False)
    assert result.result("value").fallbacks == ["rpc"]
    assert any("Own guess" in a.text for a in result.result("value").assumptions)


def test_scenario_overrides_a_variable(mini: Path) -> None:
    study = load_study(mini)
    cheap = run(study, scenario="cheap", sensitivity=False)
    assert cheap.result("value").prices == ["P1"]
    assert cheap.result("value").p50 < run(study, sensitivity=False).result("value").p50
    with pytest.raises(StudyError, match="unknown scenario 'nope'"):
        run(study, scenario="nope")


def test_api_exports(mini: Path) -> None:
    result = run(load_study(mini), sensitivity=False)
    assert "value" in repr(result)
    frame = result.to_pandas()
    assert list(frame["id"]) == ["value"]
    assert result.to_arrow().num_rows == 1
    assert sorted(armsflow.__all__) == sorted(n for n in armsflow.__all__ if getattr(armsflow, n, None) is not None)


def test_large_runs_are_chunked_identically_in_distribution(mini: Path) -> None:
    result = run(load_study(mini), draws=2_500_000, sensitivity=False, keep_samples=True)
    assert result.samples["value"].shape == (2_500_000,)
    assert np.isfinite(result.samples["value"]).all()


def test_property_same_seed_same_draws(mini: Path) -> None:
    """Determinism as a property: for any seed and draw count, two runs give the same numbers."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    study = load_study(mini)

    @settings(max_examples=15, deadline=None)
    @given(seed=st.integers(0, 2**63 - 1), draws=st.integers(100, 5000))
    def check(seed: int, draws: int) -> None:
        a = run(study, seed=seed, draws=draws, sensitivity=False, keep_samples=True)
        b = run(study, seed=seed, draws=draws, sensitivity=False, keep_samples=True)
        assert np.array_equal(a.samples["value"], b.samples["value"])
        assert a.to_json() == b.to_json()

    check()


def test_a_run_draws_only_what_its_outputs_read_and_gives_the_same_result() -> None:
    """Without samples to keep, a run skips the inputs no output or drawn published quantity reads (the flagship's
    quantities behind INSS's and KIDA's paired prices); each input has its own stream, so every figure is the same
    as in a run that draws them all, in every scenario."""
    from armsflow import load_study, run
    from armsflow.engine.plan import make_plan
    from armsflow.engine.run import drawn_for_run

    study = load_study("russia-dprk")
    drawn = drawn_for_run(make_plan(study))
    assert {"inss_152", "kida_containers", "fnf24_troops"}.isdisjoint(drawn)  # paired: their endpoints, not draws
    assert {"rounds_152", "rounds_122", "price_152", "price_missile"} <= drawn  # FNF 2024's price uses the rounds
    assert run(study, draws=5_000).to_dict() == run(study, draws=5_000, keep_samples=True).to_dict()
    for name in study.scenarios:
        assert run(study, scenario=name, draws=5_000, sensitivity=False).to_dict() == \
            run(study, scenario=name, draws=5_000, sensitivity=False, keep_samples=True).to_dict(), name

"""The engine benchmark's hand-written NumPy model computes what armsflow computes, or the benchmark fails loudly.

The README's speed claim sets armsflow against this hand-written model; if model.toml moves and the hand-written
model does not follow, the comparison is between two different models. These tests run the benchmark's own check
(``divergences``: formulas on the same input draws, each input's distribution, the rank correlations) on the
flagship, and show that it catches a wrong formula, a wrong input and a model it cannot express.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import armsflow
from armsflow.engine.plan import Plan, make_plan
from armsflow.model.distributions import Pert
from armsflow.study.loader import load_study
from conftest import bench_module

DRAWS = 20_000
SEED = 20241028


@pytest.fixture(scope="module")
def bench() -> Iterator[Any]:
    with bench_module("bench_engine") as module:
        yield module


@pytest.fixture(scope="module")
def plan() -> Plan:
    return make_plan(load_study("russia-dprk"))


def test_handwritten_model_matches_the_flagship(bench: Any, plan: Plan) -> None:
    assert bench.divergences(plan, DRAWS, SEED) == []


def test_a_wrong_handwritten_formula_is_caught(bench: Any, plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong(v: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = bench._flagship(v)
        out["gdp_share"] = out["shells_value"] / v["gdp"]  # forgets missiles and systems
        return out

    monkeypatch.setattr(bench, "HANDWRITTEN", [(bench.FLAGSHIP_FORMULAS, wrong)])
    assert bench.divergences(plan, DRAWS, SEED) == [
        "formula gdp_share: the hand-written value differs from armsflow's on the same draws"]


def test_a_wrong_handwritten_input_is_caught(bench: Any, plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    right: Callable[..., np.ndarray] = bench.np_draw

    def triangular_for_pert(dist: Any, rng: np.random.Generator, n: int) -> np.ndarray:
        if isinstance(dist, Pert):  # same low, mode and high, wrong shape
            return rng.triangular(dist.low, dist.mode, dist.high, n)
        return right(dist, rng, n)

    monkeypatch.setattr(bench, "np_draw", triangular_for_pert)
    found = bench.divergences(plan, DRAWS, SEED)
    assert any(p.startswith("input share_152:") for p in found), found  # a plain PERT, not a mixture


def test_a_changed_model_fails_the_benchmark(bench: Any, tmp_path: Path) -> None:
    study = tmp_path / "russia-dprk"
    shutil.copytree(Path(armsflow.__file__).parent / "studies" / "russia-dprk", study)
    model = study / "model.toml"
    text = model.read_text()
    old = 'formula = "(value_152 + value_122 + value_missiles + value_systems) / delivery_years / gdp"'
    assert old in text
    model.write_text(text.replace(old, 'formula = "(value_152 + value_122 + value_missiles) / delivery_years / gdp"'))
    assert bench.divergences(make_plan(load_study(str(study))), DRAWS, SEED) == [
        "model.toml's formulas differ from the hand-written ones in bench_engine.py: update them"]
    assert bench.main(["--study", str(study), "--draws", "1000", "--repeat", "1", "--no-peers"]) == 1

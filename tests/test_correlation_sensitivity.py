"""Iman–Conover and Sobol indices against known answers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from armsflow import load_study, run
from armsflow.model.correlation import iman_conover
from conftest import write_study


def test_iman_conover_imposes_rank_correlation_and_keeps_marginals() -> None:
    g = np.random.default_rng(11)
    x = np.column_stack([g.lognormal(0, 1, 50_000), g.uniform(0, 1, 50_000), g.normal(0, 1, 50_000)])
    target = np.array([[1.0, 0.7, -0.3], [0.7, 1.0, 0.0], [-0.3, 0.0, 1.0]])
    y = iman_conover(x, target, g)
    rho = stats.spearmanr(y).statistic
    assert np.allclose(rho, target, atol=0.01)
    for j in range(3):
        assert np.array_equal(np.sort(x[:, j]), np.sort(y[:, j]))


ISHIGAMI = """
[variables.x1]
label = "x1"
unit = "1"
dist = "uniform"
low = -3.141592653589793
high = 3.141592653589793
assumption = "Ishigami test function input"

[variables.x2]
label = "x2"
unit = "1"
dist = "uniform"
low = -3.141592653589793
high = 3.141592653589793
assumption = "Ishigami test function input"

[variables.x3]
label = "x3"
unit = "1"
dist = "uniform"
low = -3.141592653589793
high = 3.141592653589793
assumption = "Ishigami test function input"

[outputs.y]
label = "Ishigami function"
unit = "1"
formula = "sin(x1) + 7 * sin(x2) ** 2 + 0.1 * x3 ** 4 * sin(x1)"
"""


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[list[float], list[float]]:
    """Analytic Sobol indices of the Ishigami function (Ishigami & Homma 1990; Sobol' & Levitan 1999)."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return [v1 / total, v2 / total, 0.0], [(v1 + v13) / total, v2 / total, v13 / total]


def test_sobol_indices_of_ishigami(tmp_path: Path) -> None:
    study = load_study(write_study(tmp_path / "ishigami", ISHIGAMI, draws=200_000, sobol_n=8192))
    result = run(study)
    rows = {r.input: r for r in result.sensitivity["y"]}
    first, total = ishigami_indices()
    for j, name in enumerate(("x1", "x2", "x3")):
        assert rows[name].first == pytest.approx(first[j], abs=0.04)
        assert rows[name].total == pytest.approx(total[j], abs=0.04)
    assert [r.input for r in result.sensitivity["y"]] == ["x1", "x2", "x3"]  # ranked by total-order index

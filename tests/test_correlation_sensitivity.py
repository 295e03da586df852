"""Iman–Conover and Sobol indices against known answers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from armsflow import load_study, run
from armsflow.engine.sensitivity import bootstrap_counts, saltelli_design, saltelli_jansen
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
    study = load_study(write_study(tmp_path / "ishigami", ISHIGAMI, draws=200_000, sobol_n=2**15))
    result = run(study)
    rows = {r.input: r for r in result.sensitivity["y"]}
    first, total = ishigami_indices()
    for j, name in enumerate(("x1", "x2", "x3")):
        assert rows[name].first == pytest.approx(first[j], abs=0.04)
        assert rows[name].total == pytest.approx(total[j], abs=0.04)
    assert [r.input for r in result.sensitivity["y"]] == ["x1", "x2", "x3"]  # ranked by total-order index


def _ishigami(x1: np.ndarray, x2: np.ndarray, x3: np.ndarray) -> np.ndarray:
    return np.asarray(np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1), dtype=np.float64)


def test_sobol_intervals_cover_the_analytic_indices() -> None:
    """The 95 % bootstrap intervals are honest: over 40 independent designs they hold the analytic Ishigami indices
    about 95 % of the time (a binomial(120, 0.95) count falls below 100 with probability < 10^-4)."""
    first, total = ishigami_indices()
    g = np.random.default_rng(8)
    draws = {f"x{i}": g.uniform(-math.pi, math.pi, 200_000) for i in (1, 2, 3)}
    hits = {"first": 0, "total": 0}
    for seed in range(40):
        design = saltelli_design(draws, 1024, np.random.default_rng(seed))
        y = _ishigami(design["x1"], design["x2"], design["x3"]).reshape(5, 1024)
        s1, s1_conf, st, st_conf = saltelli_jansen(y, bootstrap_counts(1024, np.random.default_rng(seed)))
        hits["first"] += int(np.sum(np.abs(s1 - first) <= s1_conf))
        hits["total"] += int(np.sum(np.abs(st[:2] - total[:2]) <= st_conf[:2]))
        hits["total"] += int(abs(st[2] - total[2]) <= max(st_conf[2], 0.01))  # x3's small index: allow 0.01
    assert hits["first"] >= 100 and hits["total"] >= 100, hits


def test_estimators_equal_salib() -> None:
    """The estimators and their bootstrap intervals are SALib's (the reference implementation): the same figures
    from the same model outputs and the same generator."""
    from SALib.analyze import sobol as salib_sobol

    g = np.random.default_rng(5)
    k, n = 3, 512
    y = g.lognormal(size=(k + 2, n)) * np.arange(1, k + 3)[:, None]
    problem = {"num_vars": k, "names": ["a", "b", "c"], "bounds": [[0.0, 1.0]] * k}
    # SALib wants one row of the design after another: A, A_B^(1), ..., A_B^(k), B for each base row.
    expected = salib_sobol.analyze(problem, y.T.reshape(-1), calc_second_order=False, num_resamples=100, seed=17)
    got = saltelli_jansen(y, bootstrap_counts(n, np.random.default_rng(17)))
    for mine, key in zip(got, ("S1", "S1_conf", "ST", "ST_conf"), strict=True):
        assert np.allclose(mine, expected[key], rtol=1e-12, atol=1e-14), key


def test_design_blocks_swap_one_column() -> None:
    """Saltelli's design: block i + 1 is A with column i from B; the last block is B."""
    g = np.random.default_rng(2)
    draws = {"a": g.normal(size=1000), "b": g.normal(size=1000) + 10}
    d = {k: v.reshape(4, 50) for k, v in saltelli_design(draws, 50, np.random.default_rng(4)).items()}
    assert np.array_equal(d["a"][1], d["a"][3]) and np.array_equal(d["a"][2], d["a"][0])
    assert np.array_equal(d["b"][2], d["b"][3]) and np.array_equal(d["b"][1], d["b"][0])
    assert not np.array_equal(d["a"][0], d["a"][3])
    assert set(d["a"].ravel()) <= set(draws["a"]) and set(d["b"].ravel()) <= set(draws["b"])


def test_one_input_explains_everything_exactly(tmp_path: Path) -> None:
    """With one varying input, both indices are 1 by definition (V_1 = V(Y)), reported exactly, not estimated."""
    model = ISHIGAMI.split("[variables.x2]")[0] + (
        '[outputs.y]\nlabel = "y"\nunit = "1"\nformula = "exp(x1)"\n\n'
        '[outputs.flat]\nlabel = "flat"\nunit = "1"\nformula = "0 * x1"\n')
    result = run(load_study(write_study(tmp_path / "one", model, draws=5_000)))
    (row,) = result.sensitivity["y"]
    assert (row.input, row.first, row.first_conf, row.total, row.total_conf) == ("x1", 1.0, 0.0, 1.0, 0.0)
    assert result.sensitivity["flat"] == []  # no variance to share out


def test_a_resample_with_no_variance_counts_as_zero_as_in_salib() -> None:
    """An output flat on nearly every row: some resamples see no variance at all. SALib counts their indices as 0;
    so do we, and the intervals stay finite."""
    from SALib.analyze import sobol as salib_sobol

    k, n = 2, 64
    y = np.zeros((k + 2, n))
    y[:, 0] = [1.0, 3.0, 2.0, 5.0]  # one row of 64 varies: a resample misses it with probability (63/64)^64 ~ 0.37
    problem = {"num_vars": k, "names": ["a", "b"], "bounds": [[0.0, 1.0]] * k}
    expected = salib_sobol.analyze(problem, y.T.reshape(-1), calc_second_order=False, num_resamples=100, seed=3)
    got = saltelli_jansen(y, bootstrap_counts(n, np.random.default_rng(3)))
    for mine, key in zip(got, ("S1", "S1_conf", "ST", "ST_conf"), strict=True):
        assert np.all(np.isfinite(mine)) and np.allclose(mine, expected[key], rtol=1e-12, atol=1e-14), key

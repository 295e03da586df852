"""Distributions against analytic results: exact quantiles and means, checked within Monte Carlo error."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from armsflow.model.distributions import (
    Z90,
    Beta,
    Discrete,
    DistributionError,
    Empirical,
    LogNormal,
    Mixture,
    Normal,
    Pert,
    Point,
    Triangular,
    Uniform,
    from_table,
)

N = 400_000


def rng(seed: int = 1) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_lognormal_from_90_percent_interval() -> None:
    x = LogNormal(8000, 13000).sample(rng(), N)
    assert np.percentile(x, 5) == pytest.approx(8000, rel=0.005)
    assert np.percentile(x, 95) == pytest.approx(13000, rel=0.005)


def test_product_of_lognormals_has_known_quantiles() -> None:
    """ln of a product of independent lognormals is normal with summed means and variances."""
    parts = [LogNormal(8000, 13000), LogNormal(100, 900), LogNormal(0.9, 1.1)]
    g = rng(2)
    product = np.prod([p.sample(g, N) for p in parts], axis=0)
    mu = sum(p.mu for p in parts)
    sigma = math.sqrt(sum(p.sigma**2 for p in parts))
    for q in (5, 50, 95):
        exact = math.exp(mu + sigma * stats.norm.ppf(q / 100))
        assert np.percentile(product, q) == pytest.approx(exact, rel=0.01)
    assert pytest.approx(stats.norm.ppf(0.95)) == Z90


@pytest.mark.parametrize(("dist", "mean", "var"), [
    (Uniform(2, 6), 4.0, 16 / 12),
    (Triangular(1, 2, 6), 3.0, (1 + 4 + 36 - 2 - 6 - 12) / 18),
    (Pert(0, 2, 10), (0 + 4 * 2 + 10) / 6, None),
    (Beta(2, 5, 10, 20), 10 + 10 * 2 / 7, 100 * 2 * 5 / (49 * 8)),
    (Point(3.5), 3.5, 0.0),
])
def test_means_and_variances(dist: object, mean: float, var: float | None) -> None:
    x = dist.sample(rng(3), N)  # type: ignore[attr-defined]
    se = max(float(np.std(x)) / math.sqrt(N), 1e-12)
    assert abs(x.mean() - mean) < 5 * se + 1e-12
    if var is not None:
        assert x.var() == pytest.approx(var, rel=0.02, abs=1e-12)


def test_truncated_normal_matches_scipy() -> None:
    d = Normal(10, 4, low=8, high=20)
    x = d.sample(rng(4), N)
    ref = stats.truncnorm((8 - 10) / 4, (20 - 10) / 4, loc=10, scale=4)
    assert x.min() >= 8 and x.max() <= 20
    assert x.mean() == pytest.approx(ref.mean(), rel=0.002)
    assert np.percentile(x, 90) == pytest.approx(ref.ppf(0.9), rel=0.005)


def test_discrete_frequencies_within_exact_binomial_interval() -> None:
    x = Discrete((1.0, 2.0, 3.0), (0.2, 0.3, 0.5)).sample(rng(5), 10_000)
    for value, p in ((1.0, 0.2), (2.0, 0.3), (3.0, 0.5)):
        k = int((x == value).sum())
        lo, hi = stats.binomtest(k, 10_000).proportion_ci(0.999, method="exact")
        assert lo <= p <= hi


def test_mixture_draws_in_proportion_to_weights() -> None:
    x = Mixture((Point(0.0), Point(1.0)), (1.0, 3.0)).sample(rng(6), 10_000)
    lo, hi = stats.binomtest(int(x.sum()), 10_000).proportion_ci(0.999, method="exact")
    assert lo <= 0.75 <= hi


@pytest.mark.parametrize("weights", [(1.0, 3.0), (0.2, 0.3, 0.5), (0.0, 1.0, 1.0), (1.0, 0.0, 2.0, 0.5)])
def test_mixture_picks_components_as_rng_choice_does(weights: tuple[float, ...]) -> None:
    """The mixture's own component pick is rng.choice's: the same generator gives the same draws, so its speed-up
    moved no figure of any study."""
    comps = tuple(Pert(1.0, 2.0 + i, 5.0 + i) for i in range(len(weights)))
    g = rng(9)
    p = np.asarray(weights) / sum(weights)
    which = g.choice(len(comps), 50_001, p=p)
    expected = np.empty(which.size)
    for k, comp in enumerate(comps):
        expected[which == k] = comp.sample(g, int((which == k).sum()))
    assert np.array_equal(Mixture(comps, weights).sample(rng(9), 50_001), expected)


def test_empirical_resamples_given_values() -> None:
    x = Empirical((1.0, 5.0, 9.0)).sample(rng(7), 1000)
    assert set(np.unique(x)) <= {1.0, 5.0, 9.0}


@pytest.mark.parametrize(("table", "field"), [
    ({"dist": "uniform", "low": 3, "high": 1}, "low"),
    ({"dist": "lognormal", "low": 0, "high": 1}, "low"),
    ({"dist": "normal", "mean": 0, "sd": -1}, "sd"),
    ({"dist": "beta", "alpha": 0, "beta": 1}, "alpha"),
    ({"dist": "discrete", "values": [1, 2], "weights": [1]}, "weights"),
    ({"dist": "mixture", "components": [{"dist": "point"}]}, "components[0].value"),
    ({"dist": "gamma"}, "dist"),
    ({"dist": "point", "value": "x"}, "value"),
])
def test_bad_parameters_name_the_field(table: dict[str, object], field: str) -> None:
    with pytest.raises(DistributionError) as info:
        from_table(table)
    assert info.value.field == field


@settings(max_examples=40, deadline=None)
@given(low=st.floats(0.01, 1e6), width=st.floats(0.01, 1e6), scale=st.floats(1e-3, 1e3), seed=st.integers(0, 2**32))
def test_quantiles_monotone_and_scale_invariant(low: float, width: float, scale: float, seed: int) -> None:
    a = LogNormal(low, low + width).sample(np.random.default_rng(seed), 2000)
    b = LogNormal(low * scale, (low + width) * scale).sample(np.random.default_rng(seed), 2000)
    qa = np.percentile(a, [5, 25, 50, 75, 95])
    assert np.all(np.diff(qa) >= 0)
    assert np.allclose(np.percentile(b, [5, 50, 95]), np.percentile(a, [5, 50, 95]) * scale, rtol=1e-9)


@pytest.mark.parametrize(("low", "high"), [(40.0, 41.0), (-41.0, -40.0), (-1.0, 2.0), (3.0, None), (None, -5.0),
                                           (8.0, 9.0), (0.5, 0.6)])
def test_truncated_normal_matches_scipy_in_the_far_tails(low: float | None, high: float | None) -> None:
    """Inverse CDF in log space: a window 40 sd out is sampled as exactly as one at the centre (truncnorm as oracle)."""
    from scipy.stats import truncnorm

    from armsflow.model.distributions import Normal

    x = Normal(0.0, 1.0, low, high).sample(np.random.default_rng(11), 200_000)
    exact = truncnorm(-np.inf if low is None else low, np.inf if high is None else high)
    assert x.mean() == pytest.approx(exact.mean(), abs=4 * exact.std() / np.sqrt(x.size))
    assert x.std() == pytest.approx(exact.std(), rel=0.02)
    assert (low is None or x.min() >= low) and (high is None or x.max() <= high)


@pytest.mark.parametrize(("table", "message"), [
    ({"dist": "uniform", "low": -1.7e308, "high": 1.7e308}, "the span from low to high is too wide to sample"),
    ({"dist": "point", "value": 10**400}, "must be a finite number, got 1000000000000000000000000000000000000..."),
    ({"dist": "empirical", "samples": [1, 10**400]}, "must hold finite numbers only"),
])
def test_values_past_the_float_range_are_refused(table: dict[str, object], message: str) -> None:
    from armsflow.model.distributions import DistributionError, from_table

    with pytest.raises(DistributionError, match=message.replace(".", r"\.")):
        from_table(table)

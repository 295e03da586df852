"""A distribution held to an interval: how a claim that states a bound ("more than 13,000", "up to 5.5 bn")
constrains the distribution built from the estimates of the same quantity, by one of two rules.

Truncation (the default) conditions on the interval: the mass outside it is spread over the inside in proportion.
Censoring moves the mass outside it onto the bound: an estimate below "at least 10,000" is read as 10,000, so the
estimates' own spread inside the interval is kept as it was and the bound carries what they put beyond it.

Truncating a linear opinion pool (a mixture) to [a, b] gives the mixture of its truncated components, each
reweighted by the probability it gives to [a, b]: P(X ∈ A | a ≤ X ≤ b) = Σ w_i P_i(A ∩ [a, b]) / Σ w_i P_i([a, b]).
Each component is then drawn as F⁻¹(F(a) + U (F(b) − F(a))) with U uniform, which is exact and needs no rejection
loop (Devroye 1986, "Non-Uniform Random Variate Generation", ch. II.2); a component the interval does not cut is
drawn directly, which is the same distribution at a fraction of the cost. The components armsflow builds from
claims are PERTs (beta distributions on [low, high]) and points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from armsflow.model.distributions import Array, Distribution, Mixture, Pert, Point


class TruncationError(ValueError):
    """The interval leaves no probability: every component lies wholly outside it (for either rule)."""


def _beta(p: Pert) -> tuple[float, float, float, float]:
    width = p.high - p.low
    return 1 + p.lam * (p.mode - p.low) / width, 1 + p.lam * (p.high - p.mode) / width, p.low, width


def cdf(d: Distribution, x: float) -> float:
    """P(X ≤ x) for a PERT or a point."""
    if isinstance(d, Point):
        return 1.0 if x >= d.value else 0.0
    if isinstance(d, Pert):
        from scipy.special import betainc  # the beta CDF, without scipy.stats' import of most of a second

        a, b, low, width = _beta(d)
        return float(betainc(a, b, min(max((x - low) / width, 0.0), 1.0)))
    raise TypeError(f"no CDF for {d.describe()}")


@dataclass(frozen=True)
class Truncated:
    """``base`` (a PERT, a point, or a mixture of them) conditioned on ``low ≤ X ≤ high``."""

    base: Distribution
    low: float
    high: float

    def parts(self) -> list[tuple[Distribution, float, float, float]]:
        """(component, weight × mass inside, F(low), F(high)) of every component with mass inside the interval."""
        pairs = (list(zip(self.base.components, self.base.weights, strict=True)) if isinstance(self.base, Mixture)
                 else [(self.base, 1.0)])
        out: list[tuple[Distribution, float, float, float]] = []
        for component, weight in pairs:
            if isinstance(component, Point):
                inside = self.low <= component.value <= self.high
                if inside:
                    out.append((component, weight, 0.0, 1.0))
                continue
            below = cdf(component, self.low) if self.low > -np.inf else 0.0
            upto = cdf(component, self.high) if self.high < np.inf else 1.0
            if upto > below:
                out.append((component, weight * (upto - below), below, upto))
        if not out:
            raise TruncationError(f"no draw of {self.base.describe()} lies in [{self.low:g}, {self.high:g}]")
        return out

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        parts = self.parts()
        weights = np.array([w for _, w, _, _ in parts])
        which = rng.choice(len(parts), n, p=weights / weights.sum()) if len(parts) > 1 else np.zeros(n, dtype=int)
        out = np.empty(n, dtype=np.float64)
        for k, (component, _, below, upto) in enumerate(parts):
            mask = which == k
            count = int(mask.sum())
            if isinstance(component, Point):
                out[mask] = component.value
                continue
            assert isinstance(component, Pert)
            a, b, low, width = _beta(component)
            if below == 0.0 and upto == 1.0:  # the bounds do not reach this component: drawn directly, as fast
                out[mask] = low + width * rng.beta(a, b, count)
                continue
            from scipy.special import betaincinv  # the beta quantile function

            u = below + (upto - below) * rng.random(count)
            out[mask] = low + width * betaincinv(a, b, u)
        return np.clip(out, self.low, self.high)

    def describe(self) -> str:
        return f"{self.base.describe()}, cut to [{self.low:g}, {self.high:g}]"


@dataclass(frozen=True)
class Censored:
    """``base`` (a PERT, a point, or a mixture of them) with every draw outside ``[low, high]`` moved onto the
    nearer bound: min(max(X, low), high). Its CDF is the base's inside the interval, with a point mass of F(low) at
    ``low`` and of 1 − F(high) at ``high``. A base that puts nothing inside the interval is refused, as truncation
    refuses it: every estimate would be overruled by the bounds."""

    base: Distribution
    low: float
    high: float

    def __post_init__(self) -> None:
        Truncated(self.base, self.low, self.high).parts()  # raises TruncationError when nothing lies inside

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        return np.clip(self.base.sample(rng, n), self.low, self.high)

    def describe(self) -> str:
        return f"{self.base.describe()}, censored to [{self.low:g}, {self.high:g}]"

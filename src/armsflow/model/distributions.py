"""Probability distributions, each sampled in one vectorised call with an explicit ``numpy.random.Generator``."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from armsflow.errors import InvalidValueError

Array = NDArray[np.float64]

#: Standard normal quantile at 0.95: a 90% interval spans mean ± Z90 standard deviations.
Z90 = 1.6448536269514722


class DistributionError(InvalidValueError):
    """Bad distribution parameters; ``field`` names the offending parameter."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Point:
    value: float

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        return np.full(n, self.value, dtype=np.float64)

    def describe(self) -> str:
        return f"point {self.value:g}"


@dataclass(frozen=True)
class Uniform:
    low: float
    high: float

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        return rng.uniform(self.low, self.high, n)

    def describe(self) -> str:
        return f"uniform({self.low:g}, {self.high:g})"


@dataclass(frozen=True)
class Triangular:
    low: float
    mode: float
    high: float

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        return rng.triangular(self.low, self.mode, self.high, n)

    def describe(self) -> str:
        return f"triangular({self.low:g}, {self.mode:g}, {self.high:g})"


@dataclass(frozen=True)
class Pert:
    """Beta-PERT: a beta on [low, high] with mode ``mode``; ``lam`` sets how peaked it is (Vose 2008, ch. 9)."""

    low: float
    mode: float
    high: float
    lam: float = 4.0

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        width = self.high - self.low
        a = 1 + self.lam * (self.mode - self.low) / width
        b = 1 + self.lam * (self.high - self.mode) / width
        x = rng.beta(a, b, n)
        x *= width  # in place: the same figures as low + width * x without two temporaries
        x += self.low
        return x

    def describe(self) -> str:
        return f"PERT({self.low:g}, {self.mode:g}, {self.high:g})"


@dataclass(frozen=True)
class Normal:
    """Normal, optionally truncated to [low, high] by inverse-CDF sampling (exact, no rejection loop)."""

    mean: float
    sd: float
    low: float | None = None
    high: float | None = None

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        if self.low is None and self.high is None:
            return rng.normal(self.mean, self.sd, n)
        from scipy.special import log_ndtr, ndtri_exp

        # Inverse CDF in log space, in the lower tail: a window far in the upper tail is mirrored to the lower one,
        # where log Φ keeps its precision (Φ(40) rounds to 1, log Φ(-40) is -804.6), and ndtri_exp inverts log Φ
        # without leaving log space. Each draw is Φ⁻¹(p) with p uniform on [Φ(a), Φ(b)]:
        # log p = log Φ(b) + log(U + (1 − U) Φ(a) / Φ(b)).
        a = -np.inf if self.low is None else (self.low - self.mean) / self.sd
        b = np.inf if self.high is None else (self.high - self.mean) / self.sd
        flip = a > 0
        if flip:
            a, b = -b, -a
        log_a, log_b = float(log_ndtr(a)), float(log_ndtr(b))
        u = rng.random(n)
        z = ndtri_exp(log_b + np.log(u + (1 - u) * math.exp(log_a - log_b)))
        z = -z if flip else z
        out = self.mean + self.sd * z
        lo = -np.inf if self.low is None else self.low
        hi = np.inf if self.high is None else self.high
        return np.asarray(np.clip(out, lo, hi), dtype=np.float64)

    def describe(self) -> str:
        cut = "" if self.low is None and self.high is None else f" truncated to [{self.low}, {self.high}]"
        return f"normal({self.mean:g}, sd {self.sd:g}){cut}"


@dataclass(frozen=True)
class LogNormal:
    """Lognormal whose 5th and 95th percentiles are ``low`` and ``high``."""

    low: float
    high: float

    @property
    def mu(self) -> float:
        return (math.log(self.low) + math.log(self.high)) / 2

    @property
    def sigma(self) -> float:
        return (math.log(self.high) - math.log(self.low)) / (2 * Z90)

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        return rng.lognormal(self.mu, self.sigma, n)

    def describe(self) -> str:
        return f"lognormal, 90% in [{self.low:g}, {self.high:g}]"


@dataclass(frozen=True)
class Beta:
    alpha: float
    beta: float
    low: float = 0.0
    high: float = 1.0

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        return self.low + (self.high - self.low) * rng.beta(self.alpha, self.beta, n)

    def describe(self) -> str:
        return f"beta({self.alpha:g}, {self.beta:g}) on [{self.low:g}, {self.high:g}]"


@dataclass(frozen=True)
class Discrete:
    values: tuple[float, ...]
    weights: tuple[float, ...]

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        p = np.asarray(self.weights) / sum(self.weights)
        return rng.choice(np.asarray(self.values, dtype=np.float64), n, p=p)

    def describe(self) -> str:
        return "discrete(" + ", ".join(f"{v:g}" for v in self.values) + ")"


@dataclass(frozen=True)
class Empirical:
    """Resamples the given values with replacement (a bootstrap of, e.g., another model's draws)."""

    samples: tuple[float, ...]

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        return rng.choice(np.asarray(self.samples, dtype=np.float64), n)

    def describe(self) -> str:
        return f"empirical ({len(self.samples)} values)"


@dataclass(frozen=True)
class Mixture:
    """Each draw comes from one component, chosen with probability proportional to its weight."""

    components: tuple[Distribution, ...]
    weights: tuple[float, ...]

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        if len(self.components) == 1:
            return self.components[0].sample(rng, n)
        # The component of each draw as rng.choice(len(components), n, p=weights) picks it, from the same uniforms
        # (so a seed gives the same draws), without its checks and its search: one comparison per component.
        cdf = np.cumsum(np.asarray(self.weights, dtype=np.float64) / sum(self.weights))
        cdf /= cdf[-1]
        u = rng.random(n)
        out = np.empty(n, dtype=np.float64)
        below = u < cdf[0]  # the draws of the components so far
        out[below] = self.components[0].sample(rng, int(np.count_nonzero(below)))
        for k in range(1, len(self.components) - 1):
            upto = u < cdf[k]
            mask = upto & ~below
            out[mask] = self.components[k].sample(rng, int(np.count_nonzero(mask)))
            below = upto
        np.logical_not(below, out=below)
        out[below] = self.components[-1].sample(rng, int(np.count_nonzero(below)))
        return out

    def describe(self) -> str:
        return "mixture of " + "; ".join(c.describe() for c in self.components)


Distribution = Point | Uniform | Triangular | Pert | Normal | LogNormal | Beta | Discrete | Empirical | Mixture

KINDS = ("point", "uniform", "triangular", "pert", "normal", "lognormal", "beta", "discrete", "mixture", "empirical")


def pert_or_point(low: float, mode: float, high: float) -> Distribution:
    """A PERT over [low, high], or a point when the interval is empty."""
    return Point(mode) if high <= low else Pert(low, mode, high)


def from_table(table: Mapping[str, Any]) -> Distribution:
    """Build a distribution from a model-file table such as ``{dist = "uniform", low = 1, high = 2}``."""
    kind = table.get("dist")
    if kind not in KINDS:
        raise DistributionError("dist", f"unknown distribution {kind!r}; one of {', '.join(KINDS)}")
    get = _Params(table)
    if kind == "point":
        return Point(get.num("value"))
    if kind == "uniform":
        low, high = get.ordered("low", "high")
        return Uniform(low, high)
    if kind in ("triangular", "pert"):
        low, mode, high = get.ordered("low", "mode", "high")
        if low == high:
            raise DistributionError("high", f"{kind} needs low < high")
        if kind == "triangular":
            return Triangular(low, mode, high)
        lam = get.num("lambda", 4.0)
        if lam <= 0:
            raise DistributionError("lambda", "must be positive")
        return Pert(low, mode, high, lam)
    if kind == "normal":
        sd = get.num("sd")
        if sd <= 0:
            raise DistributionError("sd", "must be positive")
        cut_low, cut_high = get.opt("low"), get.opt("high")
        if cut_low is not None and cut_high is not None and cut_low >= cut_high:
            raise DistributionError("low", f"low ({cut_low:g}) must be below high ({cut_high:g})")
        return Normal(get.num("mean"), sd, cut_low, cut_high)
    if kind == "lognormal":
        low, high = get.ordered("low", "high")
        if low <= 0:
            raise DistributionError("low", "a lognormal needs low > 0")
        if low == high:
            raise DistributionError("high", "a lognormal needs low < high")
        return LogNormal(low, high)
    if kind == "beta":
        alpha, beta = get.num("alpha"), get.num("beta")
        for name, v in (("alpha", alpha), ("beta", beta)):
            if v <= 0:
                raise DistributionError(name, "must be positive")
        low, high = get.num("low", 0.0), get.num("high", 1.0)
        if low >= high:
            raise DistributionError("low", f"low ({low:g}) must be below high ({high:g})")
        return Beta(alpha, beta, low, high)
    if kind == "discrete":
        values = get.numbers("values")
        weights = get.weights("weights", len(values))
        return Discrete(tuple(values), tuple(weights))
    if kind == "empirical":
        return Empirical(tuple(get.numbers("samples")))
    comps = table.get("components")
    if not isinstance(comps, list) or not comps or not all(isinstance(c, dict) for c in comps):
        raise DistributionError("components", "a mixture needs a list of distribution tables")
    built = []
    for i, comp in enumerate(comps):
        try:
            built.append(from_table(comp))
        except DistributionError as exc:
            raise DistributionError(f"components[{i}].{exc.field}", str(exc)) from None
    return Mixture(tuple(built), tuple(get.weights("weights", len(built))))


class _Params:
    def __init__(self, table: Mapping[str, Any]) -> None:
        self.table = table

    def opt(self, name: str) -> float | None:
        value = self.table.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
            raise DistributionError(name, f"must be a finite number, got {_short(value)}")
        return float(value)

    def num(self, name: str, default: float | None = None) -> float:
        value = self.opt(name)
        if value is None:
            if default is None:
                raise DistributionError(name, "missing")
            return default
        return value

    def ordered(self, *names: str) -> list[float]:
        values = [self.num(n) for n in names]
        pairs = list(zip(names, values, strict=True))
        for (n1, v1), (n2, v2) in zip(pairs, pairs[1:], strict=False):
            if v1 > v2:
                raise DistributionError(n1, f"{n1} ({v1:g}) is above {n2} ({v2:g})")
        if not math.isfinite(values[-1] - values[0]):  # NumPy cannot draw over a span past the largest float
            raise DistributionError(names[-1], f"the span from {names[0]} to {names[-1]} is too wide to sample")
        return values

    def numbers(self, name: str) -> list[float]:
        raw = self.table.get(name)
        if not isinstance(raw, list) or not raw:
            raise DistributionError(name, "must be a non-empty list of numbers")
        out: list[float] = []
        for v in raw:
            if isinstance(v, bool) or not isinstance(v, int | float) or not _finite(v):
                raise DistributionError(name, f"must hold finite numbers only, got {_short(v)}")
            out.append(float(v))
        return out

    def weights(self, name: str, count: int) -> Sequence[float]:
        if name not in self.table:
            return [1.0] * count
        weights = self.numbers(name)
        if len(weights) != count:
            raise DistributionError(name, f"{len(weights)} weights for {count} entries")
        if any(w < 0 for w in weights) or sum(weights) <= 0:
            raise DistributionError(name, "weights must be non-negative and not all zero")
        return weights


def finite_number(value: object) -> bool:
    """A number a float can hold: not a bool, not infinite or NaN, not an integer of hundreds of digits."""
    return isinstance(value, int | float) and not isinstance(value, bool) and _finite(value)


def _finite(value: int | float) -> bool:
    """Finite as a float: an integer of hundreds of digits is not (converting it would overflow)."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _short(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."

"""Global sensitivity: Sobol first-order and total-order indices of each output over the sampled inputs.

The design is Saltelli's (2002, doi:10.1016/S0010-4655(02)00280-1): two independent base samples A and B of ``n``
rows, and for each input i the matrix A_B^(i), A with column i taken from B; ``n * (k + 2)`` model evaluations for
k inputs. First-order indices use the estimator of Saltelli et al. (2010, doi:10.1016/j.cpc.2009.09.018, table 2,
eq. (b)), total-order indices Jansen's (1999, doi:10.1016/S0010-4655(98)00154-4; table 2, eq. (f) there), both
divided by the variance of f over A and B, with f centred first as SALib does (Herman & Usher 2017,
doi:10.21105/joss.00097). Their 95 % intervals are the bootstrap's (100 resamples of the n rows, normal
approximation), as in SALib.

The base samples are independent Monte Carlo draws, not a Sobol sequence: each row of A or B is one draw of every
input, taken from that input's Monte Carlo draws at an independent random index, i.e. from its empirical distribution
function. Claim mixtures, truncations, timelines and discrete inputs therefore all work the same way, and the rows
are independent, which the bootstrap intervals assume: over 30 seeds on the flagship their half-width matches the
estimates' spread (SALib's scrambled Sobol sequence gave estimates about ten times less spread at n = 4096, with
intervals as wide as these, i.e. ten times too wide). That sequence (scipy.stats.qmc) would cost 0.7 s of imports
per run, more than the whole analysis; a study that wants tighter indices raises ``sobol_n`` (the error falls as
1/sqrt(n), the time grows as n). The indices treat inputs as independent: declared rank correlations are not part
of this decomposition.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from armsflow.engine.plan import Plan
from armsflow.engine.sampling import evaluate
from armsflow.model.distributions import Array
from armsflow.results import SensitivityRow

#: Bootstrap resamples behind each interval, and the normal quantile of a two-sided 95 % interval
#: (statistics.NormalDist().inv_cdf(0.975)); both as in SALib's ``analyze.sobol``.
RESAMPLES = 100
Z95 = 1.959963984540054
#: Second word of the bootstrap's seed ([seed, BOOTSTRAP_STREAM]), so its stream is not the designs'.
BOOTSTRAP_STREAM = 1


def sobol(plan: Plan, draws: dict[str, Array], outputs: list[str], n: int, seed: int,
          progress: Callable[[float], None] | None = None) -> dict[str, list[SensitivityRow]]:
    """Sobol indices of each output over the sampled inputs it depends on, ranked by total-order index.

    Each output gets its own design from ``seed``, so its indices do not depend on which other outputs are asked for;
    the bootstrap resamples (of row numbers only) are drawn once, from a stream of their own, and serve every output.
    """
    counts = _bootstrap(n, seed)
    result: dict[str, list[SensitivityRow]] = {}
    for done, out in enumerate(outputs):
        if progress:
            progress(done / len(outputs))
        result[out] = _indices(plan, draws, out, n, seed, counts)
    if progress:
        progress(1.0)
    return result


@functools.lru_cache(maxsize=8)
def _bootstrap(n: int, seed: int) -> Array:
    """The bootstrap counts of a run's ``sobol`` (read-only): they depend on ``n`` and the seed alone, and a what-if
    session asks for the same ones again and again."""
    counts = bootstrap_counts(n, np.random.default_rng([seed, BOOTSTRAP_STREAM]))
    counts.setflags(write=False)
    return counts


def _indices(plan: Plan, draws: dict[str, Array], output: str, n: int, seed: int,
             counts: Array) -> list[SensitivityRow]:
    deps = plan.depends_on(output)
    relevant = sorted(i for i in deps if i in plan.inputs)
    varying = [i for i in relevant if np.ptp(draws[i]) > 0]
    if not varying:
        return []
    rng = np.random.default_rng(seed)
    values = saltelli_design({name: draws[name] for name in varying}, n, rng)
    k = len(varying)
    for name in relevant:
        if name not in values:
            values[name] = np.full(n * (k + 2), draws[name][0])
    y = evaluate(plan, values, wanted=deps)[output]
    if not np.all(np.isfinite(y)) or np.var(y) <= 0:
        return []
    if k == 1:  # a function of one input owes all its variance to it: both indices are 1 exactly, not estimates
        one = np.ones(1)
        first, first_conf, total, total_conf = one, 0 * one, one, 0 * one
    else:
        first, first_conf, total, total_conf = saltelli_jansen(y.reshape(k + 2, n), counts)
    rows = [SensitivityRow(name, plan.variables[name].label, float(first[j]), float(first_conf[j]),
                           float(total[j]), float(total_conf[j])) for j, name in enumerate(varying)]
    return sorted(rows, key=lambda r: -r.total)


def saltelli_design(draws: dict[str, Array], n: int, rng: np.random.Generator) -> dict[str, Array]:
    """Saltelli's design over the inputs ``draws`` (in order), each column ``n * (k + 2)`` long: blocks A, A_B^(1), ...,
    A_B^(k), B, where A and B are ``n`` independent draws from each input's empirical distribution."""
    k = len(draws)
    out: dict[str, Array] = {}
    for j, (name, x) in enumerate(draws.items()):
        a, b = x[rng.integers(0, x.size, (2, n))]
        column = np.empty((k + 2, n))
        column[:] = a
        column[j + 1] = b
        column[k + 1] = b
        out[name] = column.reshape(-1)
    return out


def bootstrap_counts(n: int, rng: np.random.Generator, resamples: int = RESAMPLES) -> Array:
    """Bootstrap resamples of ``n`` rows as counts (resamples × n): how often each row was drawn into each resample.

    The row numbers are drawn as an (n, resamples) array read by column, as SALib draws them, so the same generator
    gives SALib's resamples.
    """
    picks = rng.integers(0, n, (n, resamples))
    picks += n * np.arange(resamples)  # resample r's rows counted in bins r * n ... r * n + n - 1
    return np.bincount(picks.ravel(), minlength=n * resamples).reshape(resamples, n).astype(np.float64)


def saltelli_jansen(y: Array, counts: Array) -> tuple[Array, Array, Array, Array]:
    """First-order (Saltelli 2010) and total-order (Jansen 1999) indices and their 95 % bootstrap half-widths.

    ``y`` holds f over Saltelli's blocks, one per row: A, A_B^(1), ..., A_B^(k), B. A bootstrap resample of the n
    rows is a vector of counts c (how often each row was drawn; ``bootstrap_counts``), and a mean over the resample
    is c @ x / n; all resamples of all indices are then one matrix product, the same figures as indexing each
    resample.
    """
    y = (y - y.mean()) / y.std()  # centred: the first-order estimator's error grows with |mean f|
    n = y.shape[1]
    fa, fab, fb = y[0], y[1:-1], y[-1]
    # One column per quantity whose mean the estimators need: f_B (f_AB - f_A) and (f_A - f_AB)^2 per input, then
    # the first two moments of f over A and B together.
    terms = np.vstack([fb * (fab - fa), (fa - fab) ** 2, fa + fb, fa * fa + fb * fb]).T
    means = np.vstack([terms.mean(axis=0), counts @ terms / n])  # row 0: the sample itself, then each resample
    k = fab.shape[0]
    mean_y, mean_y2 = means[:, 2 * k] / 2, means[:, 2 * k + 1] / 2
    var = (mean_y2 - mean_y**2)[:, None]
    # A resample that drew only rows where f is flat has no variance to share out: its indices count as 0, as
    # SALib counts them, rather than as the nan that would void the interval.
    flat = var <= np.finfo(np.float64).eps
    first = np.divide(means[:, :k], var, out=np.zeros((means.shape[0], k)), where=~flat)
    total = np.divide(means[:, k:2 * k], 2 * var, out=np.zeros((means.shape[0], k)), where=~flat)
    first_conf = Z95 * first[1:].std(axis=0, ddof=1)
    total_conf = Z95 * total[1:].std(axis=0, ddof=1)
    return first[0], first_conf, total[0], total_conf

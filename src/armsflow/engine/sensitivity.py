"""Global sensitivity: Sobol first-order and total-order indices of each output over the sampled inputs.

Sampling and estimators are SALib's (Herman & Usher 2017, doi:10.21105/joss.00097): Saltelli's extension of the
Sobol sequence (Saltelli 2002, doi:10.1016/S0010-4655(02)00280-1), first-order indices by Saltelli et al. (2010) and
total-order indices by Jansen (1999), see Saltelli et al. 2010, doi:10.1016/j.cpc.2009.09.018.

Each input enters through the inverse of its empirical distribution function from the Monte Carlo draws, so
claim mixtures, truncations and discrete inputs all work the same way. The indices treat inputs as independent:
declared rank correlations are not part of this decomposition.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from armsflow.engine.plan import Plan
from armsflow.engine.sampling import evaluate
from armsflow.model.distributions import Array
from armsflow.results import SensitivityRow


def sobol(plan: Plan, draws: dict[str, Array], outputs: list[str], n: int, seed: int,
          progress: Callable[[float], None] | None = None) -> dict[str, list[SensitivityRow]]:
    """Sobol indices of each output over the sampled inputs it depends on, ranked by total-order index."""
    result: dict[str, list[SensitivityRow]] = {}
    for done, out in enumerate(outputs):
        if progress:
            progress(done / len(outputs))
        result[out] = _indices(plan, draws, out, n, seed)
    if progress:
        progress(1.0)
    return result


def _indices(plan: Plan, draws: dict[str, Array], output: str, n: int, seed: int) -> list[SensitivityRow]:
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    deps = plan.depends_on(output)
    relevant = sorted(i for i in deps if i in plan.inputs)
    varying = [i for i in relevant if np.ptp(draws[i]) > 0]
    if not varying:
        return []
    problem = {"num_vars": len(varying), "names": varying, "bounds": [[0.0, 1.0]] * len(varying)}
    design = sample.sample(problem, n, calc_second_order=False, seed=seed)
    values: dict[str, Array] = {}
    for j, name in enumerate(varying):
        ordered = np.sort(draws[name])
        idx = np.minimum((design[:, j] * ordered.size).astype(np.int64), ordered.size - 1)
        values[name] = ordered[idx]
    for name in relevant:
        if name not in values:
            values[name] = np.full(design.shape[0], draws[name][0])
    y = evaluate(plan, values, wanted=deps)[output]
    if not np.all(np.isfinite(y)) or np.var(y) <= 0:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = analyze.analyze(problem, y, calc_second_order=False, num_resamples=100, seed=seed)
    rows = [SensitivityRow(name, plan.variables[name].label, float(si["S1"][j]), float(si["S1_conf"][j]),
                           float(si["ST"][j]), float(si["ST_conf"][j])) for j, name in enumerate(varying)]
    return sorted(rows, key=lambda r: -r.total)

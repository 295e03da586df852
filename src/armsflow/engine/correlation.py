"""Rank correlation between sampled inputs by the Iman–Conover method.

Iman, R. L. and Conover, W. J. (1982). A distribution-free approach to inducing rank correlation among input
variables. Communications in Statistics - Simulation and Computation 11(3), 311-334. doi:10.1080/03610918208812265

The marginal samples are kept exactly; only their order changes, so that their ranks follow normal scores whose
correlation matrix is the target.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def iman_conover(columns: NDArray[np.float64], target: NDArray[np.float64],
                 rng: np.random.Generator) -> NDArray[np.float64]:
    """Reorder each column of ``columns`` (n draws × k inputs) to carry the rank correlation ``target`` (k × k)."""
    n, k = columns.shape
    if k < 2:
        return columns
    from scipy.special import ndtri

    scores = ndtri(np.arange(1, n + 1) / (n + 1))
    s = np.column_stack([rng.permutation(scores) for _ in range(k)])
    e = np.corrcoef(s, rowvar=False)
    p = np.linalg.cholesky(target)
    q = np.linalg.cholesky(e)
    t = s @ np.linalg.inv(q).T @ p.T
    out = np.empty_like(columns)
    for j in range(k):
        out[np.argsort(t[:, j]), j] = np.sort(columns[:, j])
    return out

"""Rank correlation between sampled inputs by the Iman–Conover method.

Iman, R. L. and Conover, W. J. (1982). A distribution-free approach to inducing rank correlation among input
variables. Communications in Statistics - Simulation and Computation 11(3), 311-334. doi:10.1080/03610918208812265

The marginal samples are kept exactly; only their order changes, so that their ranks follow normal scores whose
correlation matrix is the target. A target given as Spearman rank correlations is first turned into the Pearson
correlation of the normal scores, r = 2 sin(pi rho / 6), since for normal variables rho = (6 / pi) arcsin(r / 2)
(Pearson 1907; see Kruskal 1958, doi:10.1080/01621459.1958.10501481).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def spearman_to_normal(rho: NDArray[np.float64]) -> NDArray[np.float64]:
    """The Pearson correlation of normal scores that gives Spearman rank correlation ``rho``."""
    return np.asarray(2 * np.sin(np.pi * rho / 6), dtype=np.float64)


def iman_conover(columns: NDArray[np.float64], target: NDArray[np.float64],
                 rng: np.random.Generator) -> NDArray[np.float64]:
    """Reorder each column of ``columns`` (n draws × k inputs) to carry the rank correlation ``target`` (k × k)."""
    n, k = columns.shape
    if k < 2:
        return columns
    from scipy.special import ndtri

    target = spearman_to_normal(target)
    scores = ndtri(np.arange(1, n + 1) / (n + 1))
    s = np.column_stack([rng.permutation(scores) for _ in range(k)])
    e = np.corrcoef(s, rowvar=False)
    p = np.linalg.cholesky(target)
    q = np.linalg.cholesky(e)
    t = s @ (np.linalg.inv(q).T @ p.T)  # the small k x k product first: one pass over the n rows
    out = np.empty_like(columns, order="F")  # filled column by column
    for j in range(k):
        out[np.argsort(t[:, j]), j] = np.sort(columns[:, j])
    return out

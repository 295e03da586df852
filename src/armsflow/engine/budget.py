"""The memory a run may take, checked before anything is allocated.

A run keeps every variable's draws (8 bytes each) and the Sobol design evaluates the model on ``n × (k + 2)`` rows
for an output with ``k`` varying inputs (Saltelli 2010). Rather than grow until the kernel kills the process, a run
that would need more than the budget is refused, naming what it would need and the largest size that fits. The
budget is ``ARMSFLOW_MEMORY_GIB`` (default 4 GiB, a sixth of the 24 GiB machine the project is built on).
"""

from __future__ import annotations

import os

from armsflow.engine.plan import Plan
from armsflow.errors import ParameterError, Problem, StudyError

DEFAULT_GIB = 4.0
#: Bytes a draw costs per variable: the kept float64, plus room for the temporaries of a formula and a sort
#: (measured: 4.5 M flagship draws of 38 variables peak at 2.7 GB, 16 bytes a value).
PER_VALUE = 8 * 3
#: Bytes a row of the Sobol design costs per variable of the output's chain: the design, the model's evaluations
#: and the bootstrap of the estimators (measured: n = 2^20 on a 3-input chain of 4 variables peaks at 2.5 GB, 120
#: bytes a value).
SOBOL_PER_VALUE = 128


def budget_bytes() -> int:
    """The memory budget in bytes, from ``ARMSFLOW_MEMORY_GIB`` (a positive number) or the default."""
    raw = os.environ.get("ARMSFLOW_MEMORY_GIB", "")
    try:
        gib = float(raw) if raw else DEFAULT_GIB
    except ValueError:
        gib = -1.0
    if not 0 < gib < 1e6:
        raise ParameterError("ARMSFLOW_MEMORY_GIB", f"expected a positive number of GiB, got {raw!r}")
    return int(gib * 2**30)


def _gib(size: float) -> str:
    return f"{size / 2**30:.1f} GiB"


def check_draws(plan: Plan, draws: int) -> None:
    """Refuse ``draws`` when keeping every variable's draws would pass the budget."""
    width = len(plan.inputs) + len(plan.order)
    need, limit = draws * width * PER_VALUE, budget_bytes()
    if need > limit:
        most = limit // (width * PER_VALUE)
        raise ParameterError("draws", f"{draws:,} draws of {width} variables need about {_gib(need)}, over the "
                                      f"memory budget of {_gib(limit)} (ARMSFLOW_MEMORY_GIB); at most {most:,} fit")


def check_sobol(plan: Plan, n: int, outputs: list[str]) -> None:
    """Refuse a Sobol design of ``n`` base rows when its evaluations would pass the budget."""
    limit = budget_bytes()
    for output in outputs:
        deps = plan.depends_on(output)
        k = sum(1 for name in deps if name in plan.inputs)
        need = n * (k + 2) * len(deps) * SOBOL_PER_VALUE
        if need > limit:
            most = limit // ((k + 2) * len(deps) * SOBOL_PER_VALUE)
            raise StudyError([Problem("study.toml", 0, "study.sobol_n", (
                f"{n:,} needs about {_gib(need)} for {output} ({k} inputs), over the memory budget of "
                f"{_gib(limit)} (ARMSFLOW_MEMORY_GIB); at most {most:,} fit"))])

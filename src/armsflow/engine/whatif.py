"""What-if: run a study with some assumptions changed, in memory, never writing to the study.

An assumption is a variable the study gives as a distribution (``dist = ...`` in model.toml). A what-if replaces
the distributions of some of them, and may pick a scenario and an evidence cut-off, then runs with fewer draws than
the study's own (``WHAT_IF_DRAWS``) so that an interface can answer while the user moves a value; the saved study
is always run in full.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from armsflow.engine.run import run
from armsflow.errors import ParameterError
from armsflow.model.distributions import (
    DistributionError,
    LogNormal,
    Normal,
    Pert,
    Point,
    Triangular,
    Uniform,
    from_table,
)
from armsflow.results.run import RunResult
from armsflow.study.loader import StudyRef, as_study
from armsflow.study.spec import Study, Variable

#: Draws of an interactive what-if: the headline percentiles move by well under 1 % between seeds at this size.
WHAT_IF_DRAWS = 20_000


def assumptions(study: Study) -> list[Variable]:
    """The variables a what-if may change: those the study gives as a distribution, in model order."""
    return [v for v in study.variables.values() if v.definition.kind == "dist"]


def with_distributions(study: Study, tables: Mapping[str, Mapping[str, Any]]) -> Study:
    """A copy of ``study`` whose assumption variables named in ``tables`` take the distribution each table
    describes (as in model.toml: ``{"dist": "uniform", "low": 0.5, "high": 1}``), in the base set and in every
    scenario that overrides them. ``ParameterError`` names a variable that is not an assumption or a bad table."""
    known = {v.name: v for v in assumptions(study)}
    changed: dict[str, Variable] = {}
    for name, table in tables.items():
        if name not in known:
            raise ParameterError("distributions", f"{name!r} is not an assumption of the study (one given as a "
                                                  f"distribution): one of {', '.join(known) or 'none'}")
        try:
            dist = from_table(table)
        except DistributionError as exc:
            raise ParameterError(f"distributions.{name}.{exc.field}", str(exc)) from None
        var = known[name]
        changed[name] = var.with_definition(replace(var.definition, dist=dist), var.fallback)
    scenarios = {key: replace(s, overrides={n: changed.get(n, v) for n, v in s.overrides.items()})
                 for key, s in study.scenarios.items()}
    return replace(study, variables={**study.variables, **changed}, scenarios=scenarios)


def what_if(study: StudyRef, distributions: Mapping[str, Mapping[str, Any]] | None = None, *,
            scenario: str | None = None, as_of: date | None = None, draws: int = WHAT_IF_DRAWS,
            seed: int | None = None, sensitivity: bool = True) -> RunResult:
    """Run ``study`` with the assumptions in ``distributions`` replaced (see ``with_distributions``), a scenario and
    an evidence cut-off, with ``draws`` draws; nothing is written, not even the run history."""
    changed = with_distributions(as_study(study), distributions or {})
    return run(changed, draws=draws, seed=seed, scenario=scenario, as_of=as_of, sensitivity=sensitivity)


#: The distributions a what-if form can show as numbers: model.toml's key for the kind, then (key, field) pairs.
_TABLES: dict[type, tuple[str, tuple[tuple[str, str], ...]]] = {
    Point: ("point", (("value", "value"),)),
    Uniform: ("uniform", (("low", "low"), ("high", "high"))),
    Triangular: ("triangular", (("low", "low"), ("mode", "mode"), ("high", "high"))),
    Pert: ("pert", (("low", "low"), ("mode", "mode"), ("high", "high"), ("lambda", "lam"))),
    Normal: ("normal", (("mean", "mean"), ("sd", "sd"), ("low", "low"), ("high", "high"))),
    LogNormal: ("lognormal", (("low", "low"), ("high", "high"))),
}


def table_of(variable: Variable) -> dict[str, Any] | None:
    """An assumption's distribution as a model.toml table (``{"dist": "pert", "low": ..., ...}``) that
    ``with_distributions`` accepts back; ``None`` for kinds a form cannot show as a few numbers (a mixture, say)."""
    dist = variable.definition.dist
    if dist is None or type(dist) not in _TABLES:
        return None
    kind, keys = _TABLES[type(dist)]
    table: dict[str, Any] = {"dist": kind}
    for key, attr in keys:
        if (value := getattr(dist, attr)) is not None:
            table[key] = value
    return table

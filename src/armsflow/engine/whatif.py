"""What-if: run a study with some assumptions changed, in memory, never writing to the study.

An assumption is a variable the study gives as a distribution (``dist = ...`` in model.toml). A what-if replaces
the distributions of some of them, and may pick a scenario and an evidence cut-off, then runs with fewer draws than
the study's own (``WHAT_IF_DRAWS``) so that an interface can answer while the user moves a value; the saved study
is always run in full.

An interface that answers many what-ifs on one study keeps a ``Baseline``: the study's draws for one scenario,
cut-off, seed and number of draws. Every input draws from a stream of its own (common random numbers), so a what-if
redraws only the assumptions it changes, evaluates only the formulas that read them and summarises only what moved;
the result is the same, number for number, as ``what_if`` computing everything again, and a change shows as the
effect of that change alone, free of sampling noise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np

from armsflow.engine.budget import check_sobol
from armsflow.engine.plan import Plan, make_plan
from armsflow.engine.run import MAX_DRAWS, Reuse, assemble, run, settings
from armsflow.engine.sampling import CHUNK, correlate, correlated, draw_one, draw_own, evaluate
from armsflow.engine.sensitivity import sobol
from armsflow.errors import ParameterError
from armsflow.model.distributions import (
    Z90,
    Array,
    DistributionError,
    LogNormal,
    Normal,
    Pert,
    Point,
    Triangular,
    Uniform,
    from_table,
)
from armsflow.results.run import RunResult, SensitivityRow
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


@dataclass(frozen=True)
class Baseline:
    """A study's draws for one scenario, cut-off, seed and number of draws, from which ``what_if`` answers a
    what-if by redrawing only the assumptions it changes (see the module's docstring). Build it with ``baseline``;
    it is read-only and may serve several threads at once."""

    study: Study
    plan: Plan
    seed: int
    draws: int
    #: Each input's draws from its own stream, before the rank correlation reorders them; then every variable's.
    own: dict[str, Array] = field(repr=False)
    values: dict[str, Array] = field(repr=False)
    #: The baseline's result without the drivers, and its drivers (Sobol indices of each headline output).
    result: RunResult = field(repr=False)
    drivers: dict[str, list[SensitivityRow]] = field(repr=False)

    def what_if(self, distributions: Mapping[str, Mapping[str, Any]] | None = None, *,
                sensitivity: bool = False) -> RunResult:
        """The same result as ``what_if(self.study, distributions, ...)`` with this baseline's scenario, cut-off,
        seed and draws, computed from the baseline's draws: only the changed assumptions are drawn again."""
        study = with_distributions(self.study, distributions or {})
        plan = make_plan(study, self.plan.scenario, self.plan.as_of)
        own = dict(self.own)
        for name in distributions or {}:
            if name in plan.inputs and plan.inputs[name].sampler != self.plan.inputs[name].sampler:
                own[name] = draw_one(plan, name, self.seed, self.draws)
        redrawn = {name for name in own if own[name] is not self.own[name]}
        inputs = correlate(plan, own, self.seed) if redrawn & set(correlated(plan)) else {
            name: own[name] if name in redrawn else self.values[name] for name in own}
        # An input is changed if its draws are: a correlated input whose partner was redrawn keeps its own (the
        # reordering of a column depends on that column alone), which the comparison finds.
        changed = {name for name in inputs if name in redrawn or not np.array_equal(inputs[name], self.values[name])}
        values = dict(inputs)
        for name in plan.order:
            formula = plan.variables[name].definition.formula
            assert formula is not None
            if formula.names & changed:
                changed.add(name)
            else:
                values[name] = self.values[name]
        evaluate(plan, values, wanted=changed)
        return assemble(plan, values, self.seed, self.draws, sensitivity=sensitivity,
                        reuse=Reuse(self.result, frozenset(changed), self.drivers))


def baseline(study: StudyRef, *, scenario: str | None = None, as_of: date | None = None,
             draws: int = WHAT_IF_DRAWS, seed: int | None = None) -> Baseline:
    """The study's draws for later what-ifs (``Baseline.what_if``), at ``draws`` draws (at most one chunk of a
    run, since the draws are kept in memory) and the study's seed unless ``seed`` is given."""
    loaded = as_study(study)
    plan = make_plan(loaded, scenario, as_of)
    draws, seed = settings(plan, draws, seed, most=min(CHUNK, MAX_DRAWS))
    own = draw_own(plan, seed, draws)
    values = evaluate(plan, correlate(plan, own, seed))
    result = assemble(plan, values, seed, draws, sensitivity=False)
    headlines = [r.id for r in result.headlines]
    check_sobol(plan, loaded.meta.sobol_n, headlines)
    drivers = sobol(plan, values, headlines, loaded.meta.sobol_n, seed)
    return Baseline(loaded, plan, seed, draws, own, values, result, drivers)


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


#: The kinds a what-if form offers for an assumption, in the order shown.
FORM_KINDS = tuple(kind for kind, _ in _TABLES.values())


def table_keys(kind: str) -> tuple[str, ...]:
    """The keys of a model.toml table of ``kind`` that a form shows (``FORM_KINDS``), besides ``dist``."""
    for name, keys in _TABLES.values():
        if name == kind:
            return tuple(key for key, _ in keys)
    raise ParameterError("dist", f"one of {', '.join(FORM_KINDS)}, got {kind[:40]!r}")


def convert_table(table: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """``table`` (a distribution a form shows) as a table of another ``kind`` that keeps its range and centre, so
    that switching an assumption's kind starts from where it was rather than from nothing.

    The range is the support of a point, uniform, triangular or PERT, and the 90 % interval of a lognormal (its
    ``low`` and ``high``) or a normal (mean ± 1.645 sd, its truncation aside); the centre is the mode, the value,
    the mean, the lognormal's median or the middle of a uniform. A PERT keeps its default lambda. A point becomes
    a range of no width, which a ranged kind refuses until the user widens it: nothing is invented."""
    keys = table_keys(kind)
    old = table["dist"]
    number = {k: float(v) for k, v in table.items() if k != "dist"}
    if old == "point":
        low = high = centre = number["value"]
    elif old == "normal":
        low, high = number["mean"] - Z90 * number["sd"], number["mean"] + Z90 * number["sd"]
        centre = number["mean"]
    else:
        low, high = number["low"], number["high"]
        centre = (number["mode"] if "mode" in number else math.sqrt(low * high) if old == "lognormal" and low > 0
                  else (low + high) / 2)
    values = {"value": centre, "low": low, "high": high, "mode": min(max(centre, low), high), "mean": centre,
              "sd": (high - low) / (2 * Z90)}
    if kind == "normal":
        return {"dist": kind, "mean": centre, "sd": values["sd"]}
    return {"dist": kind, **{key: values[key] for key in keys if key in values}}

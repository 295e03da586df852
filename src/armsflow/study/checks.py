"""Cross-checks of a loaded model: ids, units of claims and formulas, cycles, correlations, published estimates."""

from __future__ import annotations

import graphlib
from collections.abc import Callable

import numpy as np

from armsflow.errors import Problem
from armsflow.model import formula as fml
from armsflow.model.units import Unit, dims_text, parse_unit
from armsflow.study.resolve import Evidence, ResolveError, pieces
from armsflow.study.spec import Definition, Study, Variable

FILE = "model.toml"
_Add = Callable[[int, str, str], None]


def evidence_of(study: Study, sources: dict[str, object] | None = None) -> Evidence:
    return Evidence(study.sources if sources is None else sources,  # type: ignore[arg-type]
                    study.claims, study.prices, study.grading, study.meta.currency,
                    study.meta.reference_date.year)


def formula_order(variables: dict[str, Variable]) -> list[str]:
    """Formula variables in an order where each comes after what it reads; raises ``graphlib.CycleError``."""
    graph = {n: {d for d in v.definition.formula.names if d in variables}
             for n, v in variables.items() if v.definition.formula is not None}
    return [n for n in graphlib.TopologicalSorter(graph).static_order() if n in graph]


def check_model(study: Study, problems: list[Problem], *, all_claims: set[str], all_prices: set[str]) -> None:
    ev = evidence_of(study)
    sets: list[tuple[str, dict[str, Variable]]] = [("", study.variables)]
    sets += [(name, study.with_scenario(name)) for name in study.scenarios]
    reported: set[tuple[str, int, str]] = set()
    base_bad: set[str] = set()  # formula variables already reported for the base model

    def add(line: int, field: str, message: str) -> None:
        if (field, line, message) not in reported:
            reported.add((field, line, message))
            problems.append(Problem(FILE, line, field, message))

    for scenario, variables in sets:
        where = f" (scenario {scenario})" if scenario else ""
        own = study.scenarios[scenario].overrides if scenario else variables
        for var in own.values():
            path = _path(var, scenario)
            _check_definition(ev, var, var.definition, path, add, all_claims, all_prices)
            if var.fallback:
                _check_definition(ev, var, var.fallback, f"{path}.fallback", add, all_claims, all_prices)
        for var in variables.values():
            f = var.definition.formula
            if f is None:
                continue
            for name in sorted(f.names - set(variables)):
                add(var.line, f"{_path(var, scenario if var.name in own and scenario else '')}.formula",
                    f"unknown variable {name!r}")
        try:
            order = formula_order(variables)
        except graphlib.CycleError as exc:
            cycle = " -> ".join(exc.args[1])
            first = variables[exc.args[1][0]]
            add(first.line, f"{_path(first, '')}.formula", f"cycle: {cycle}{where}")
            continue
        for name in order:
            var = variables[name]
            formula = var.definition.formula
            assert formula is not None
            if formula.names - set(variables) or (scenario and name in base_bad and name not in own):
                continue
            if not scenario:
                base_bad.add(name)  # removed again below if the formula checks out
            try:
                got = fml.infer_unit(formula, {n: variables[n].unit for n in formula.names})
            except fml.FormulaError as exc:
                add(var.line, f"{_path(var, scenario if name in own and scenario else '')}.formula", f"{exc}{where}")
                continue
            if not got.same_dimension(var.unit):
                add(var.line, f"{_path(var, scenario if name in own and scenario else '')}.formula",
                    f"unit mismatch: formula gives {dims_text(got.dims)}, declared {var.unit} "
                    f"({dims_text(var.unit.dims)}){where}")
            elif not scenario:
                base_bad.discard(name)
    _check_correlations(study, add)
    _check_published(study, ev, add)


def _path(var: Variable, scenario: str) -> str:
    if scenario:
        return f"scenarios.{scenario}.variables.{var.name}"
    return f"{'outputs' if var.output else 'variables'}.{var.name}"


def _check_definition(ev: Evidence, var: Variable, definition: Definition, path: str, add: _Add,
                      all_claims: set[str], all_prices: set[str]) -> None:
    code = var.unit.currency()
    if code and code != ev.currency:
        add(var.line, f"{path}.unit", f"variables are in the study's currency {ev.currency}, not {code}; "
                                      "claims and prices are converted for you")
    for ref in definition.cites:
        if ref not in all_claims and ref not in all_prices and ref not in ev.sources:
            add(definition.line, f"{path}.cites", f"unknown claim, price or source id {ref!r}")
    if definition.kind not in ("claims", "prices"):
        return
    known = all_claims if definition.kind == "claims" else all_prices
    table = ev.claims if definition.kind == "claims" else ev.prices
    for ref in (definition.claims or definition.prices):
        if ref not in known:
            add(definition.line, f"{path}.{definition.kind}", f"unknown {definition.kind[:-1]} id {ref!r}")
    usable = Definition(definition.kind, definition.line,
                        claims=tuple(r for r in definition.claims if r in table),
                        prices=tuple(r for r in definition.prices if r in table))
    try:
        pieces(ev, usable, var.unit)
    except ResolveError as exc:
        add(definition.line, f"{path}.{definition.kind}", str(exc))




def _check_correlations(study: Study, add: _Add) -> None:
    names: list[str] = []
    for i, c in enumerate(study.correlations):
        for n in (c.a, c.b):
            var = study.variables.get(n)
            if var is None:
                add(c.line, f"correlations[{i}].between", f"unknown variable {n!r}")
            elif not var.definition.sampled:
                add(c.line, f"correlations[{i}].between", f"{n!r} is a formula; only sampled variables correlate")
            elif n not in names:
                names.append(n)
        if c.a == c.b:
            add(c.line, f"correlations[{i}].between", "a variable cannot be correlated with itself")
    if not names:
        return
    matrix = np.eye(len(names))
    for c in study.correlations:
        if c.a in names and c.b in names and c.a != c.b:
            i, j = names.index(c.a), names.index(c.b)
            matrix[i, j] = matrix[j, i] = c.rho
    if np.linalg.eigvalsh(matrix).min() <= 1e-10:
        add(study.correlations[0].line, "correlations", "the rank correlations together are impossible "
                                                       "(the matrix is not positive definite)")


def _check_published(study: Study, ev: Evidence, add: _Add) -> None:
    for pub in study.published.values():
        path = f"published.{pub.id}"
        claim = study.claims.get(pub.claim)
        if claim is None:
            add(pub.line, f"{path}.claim", f"unknown claim id {pub.claim!r}")
        if pub.output not in study.variables or not study.variables[pub.output].output:
            add(pub.line, f"{path}.output", f"unknown output {pub.output!r}")
        missing = sorted(pub.quantity.names - set(study.variables))
        for name in missing:
            add(pub.line, f"{path}.quantity", f"unknown variable {name!r}")
        if claim is None or missing:
            continue
        value_unit = parse_unit(claim.unit)
        code = value_unit.currency()
        if code is None:
            add(pub.line, f"{path}.claim", f"claim {claim.id} is not money ({claim.unit})")
            continue
        value_unit = value_unit.replace_currency(code, ev.currency)
        try:
            qty = fml.infer_unit(pub.quantity, {n: study.variables[n].unit for n in pub.quantity.names})
        except fml.FormulaError as exc:
            add(pub.line, f"{path}.quantity", str(exc))
            continue
        implied = Unit(1.0, value_unit.dims) / qty
        if not implied.same_dimension(pub.implied_unit):
            add(pub.line, f"{path}.implied_unit", f"value ÷ quantity is {dims_text(implied.dims)}, "
                                                  f"not {pub.implied_unit}")
        output = study.variables.get(pub.output)
        if output and not output.unit.same_dimension(Unit(1.0, value_unit.dims)):
            add(pub.line, f"{path}.output", f"claim {claim.id} ({claim.unit}) is not comparable with "
                                            f"output {pub.output} ({output.unit})")

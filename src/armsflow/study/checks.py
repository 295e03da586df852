"""Cross-checks of a loaded model: ids, units of claims and formulas, cycles, correlations, published estimates.

Each mistake is reported once, on the line of the field that holds it. A variable that is itself broken is still
known by name, so formulas that read it are not told it does not exist; formulas whose units cannot be known because
of it are skipped rather than reported again.
"""

from __future__ import annotations

import graphlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from armsflow.errors import Problem
from armsflow.evidence.records import Source
from armsflow.model import formula as fml
from armsflow.model.correlation import spearman_to_normal
from armsflow.model.units import Unit, dims_text, parse_unit
from armsflow.study.resolve import Evidence, ResolveError, bounds, claim_piece, pieces, pooled
from armsflow.study.spec import Definition, Scenario, Study, Variable, closure

FILE = "model.toml"
_Add = Callable[[int, str, str], None]


def evidence_of(study: Study, sources: Mapping[str, Source] | None = None, known_by: date | None = None) -> Evidence:
    """What the study's variables may draw on; ``known_by`` (an evidence cut-off) also limits the reference rows
    that money converts with to those published by then."""
    return Evidence(study.sources if sources is None else sources,
                    study.claims, study.prices, study.grading, study.meta.currency,
                    study.meta.reference_date.year, known_by)


def formula_order(variables: dict[str, Variable]) -> list[str]:
    """Formula variables in an order where each comes after what it reads; raises ``graphlib.CycleError``."""
    graph = {n: {d for d in v.definition.formula.names if d in variables}
             for n, v in variables.items() if v.definition.formula is not None}
    return [n for n in graphlib.TopologicalSorter(graph).static_order() if n in graph]


@dataclass
class Known:
    """Ids and names that exist even where their own row or table had a problem (``None``: file unreadable)."""

    claims: set[str] | None
    prices: set[str] | None
    names: set[str] = field(default_factory=set)


@dataclass
class _Checker:
    study: Study
    known: Known
    problems: list[Problem]
    reported: set[tuple[int, str, str]] = field(default_factory=set)
    cycles: set[frozenset[str]] = field(default_factory=set)

    def add(self, line: int, field_: str, message: str) -> None:
        if (line, field_, message) not in self.reported:
            self.reported.add((line, field_, message))
            self.problems.append(Problem(FILE, line, field_, message))


def check_model(study: Study, problems: list[Problem], known: Known) -> None:
    c = _Checker(study, known, problems)
    ev = evidence_of(study)
    base_broken = _check_set(c, ev, "", study.variables, study.variables, set())
    seen: set[tuple[str, str, str]] = set()
    _check_denominators(c, study.variables, study.variables, "", seen)
    for name, scenario in study.scenarios.items():
        merged = study.with_scenario(name)
        _check_set(c, ev, name, merged, scenario.overrides, base_broken)
        touched = {n: v for n, v in merged.items() if n in scenario.overrides or (
            v.definition.formula is not None and v.definition.formula.names & set(scenario.overrides))}
        _check_denominators(c, merged, touched, name, seen)
    _check_correlations(study, c.add)
    _check_published(c, ev)
    _check_timelines(c, ev)


def _path(var: Variable, scenario: str) -> str:
    if scenario:
        return f"scenarios.{scenario}.variables.{var.name}"
    return f"{'outputs' if var.output else 'variables'}.{var.name}"


def _check_set(c: _Checker, ev: Evidence, scenario: str, variables: dict[str, Variable],
               own: dict[str, Variable], base_broken: set[str]) -> set[str]:
    """Check one set of variables (the base model or a scenario); return the names whose units are unknowable."""
    where = f" (scenario {scenario})" if scenario else ""
    broken = {n for n in c.known.names if n not in variables} | (base_broken - set(own))
    for var in own.values():
        path = _path(var, scenario)
        inherited = bool(scenario) and var.unit == c.study.variables[var.name].unit
        code = var.unit.currency()
        if code and code != ev.currency:
            broken.add(var.name)
            if not inherited:
                c.add(var.unit_line or var.line, f"{path}.unit",
                      f"variables are in the study's currency {ev.currency}, not {code}; "
                      "claims and prices are converted for you")
            continue
        _check_definition(c, ev, var, var.definition, path)
        if var.fallback:
            _check_definition(c, ev, var, var.fallback, f"{path}.fallback")
    for var in variables.values():
        f = var.definition.formula
        if f is None or (scenario and var.name not in own):
            continue
        for name in sorted(f.names - set(variables) - c.known.names):
            c.add(var.definition.key_line or var.line, f"{_path(var, scenario)}.formula",
                  f"unknown variable {name!r}")
    try:
        order = formula_order(variables)
    except graphlib.CycleError as exc:
        members = frozenset(exc.args[1])
        if members not in c.cycles:
            c.cycles.add(members)
            first = variables[exc.args[1][0]]
            c.add(first.definition.key_line or first.line, f"{_path(first, '')}.formula",
                  "cycle: " + " -> ".join(exc.args[1]))
        return broken | set(members)
    for name in order:
        var = variables[name]
        formula = var.definition.formula
        assert formula is not None
        if formula.names & broken or formula.names - set(variables):
            broken.add(name)
            continue
        base = c.study.variables
        if scenario and name not in own and all(variables[n].unit == base[n].unit for n in formula.names):
            continue  # its inputs have the units they have in the base model: the same check as there
        path = _path(var, scenario if name in own else "")
        line = var.definition.key_line or var.line
        try:
            got = fml.infer_unit(formula, {n: variables[n].unit for n in formula.names})
        except fml.FormulaError as exc:
            c.add(line, f"{path}.formula", f"{exc}{where}")
            broken.add(name)
            continue
        if not got.same_dimension(var.unit):
            c.add(line, f"{path}.formula", f"unit mismatch: formula gives {dims_text(got.dims)}, declared "
                                           f"{var.unit} ({dims_text(var.unit.dims)}){where}")
    return broken


def _check_definition(c: _Checker, ev: Evidence, var: Variable, definition: Definition, path: str) -> None:
    line = definition.key_line or definition.line
    for ref in definition.cites:
        if c.known.claims is not None and c.known.prices is not None and ref not in c.known.claims \
                and ref not in c.known.prices and ref not in ev.sources:
            c.add(definition.line, f"{path}.cites", f"unknown claim, price or source id {ref!r}")
    if definition.kind == "timeline":
        spec = c.study.timelines.get(definition.timeline)
        if spec is None:
            c.add(line, f"{path}.timeline", f"unknown timeline {definition.timeline!r}")
        elif not spec.unit.same_dimension(var.unit):
            c.add(line, f"{path}.timeline", f"timeline {spec.name} is in {spec.unit}, the variable in {var.unit}")
        elif definition.series and not spec.only(definition.series).series:
            c.add(line, f"{path}.series", f"timeline {spec.name} has no series {definition.series!r} (it has "
                                          f"{', '.join(s.name for s in spec.series)})")
        elif not definition.capacity:
            # A timeline may show capacities as a series of their own, beside estimates; a variable that reads
            # them takes a ceiling for a value, which it must say (capacity = true and why).
            read = spec.only(definition.series) if definition.series else spec
            caps = [r for s in read.series for r in s.claims if r in ev.claims and ev.claims[r].kind == "capacity"]
            if caps:
                c.add(line, f"{path}.timeline", f"timeline {spec.name} has capacities ({', '.join(caps)}): read "
                                                "one series of estimates (series = ...), or say capacity = true "
                                                "and why in assumption")
        return
    if definition.kind not in ("claims", "prices"):
        return
    known = c.known.claims if definition.kind == "claims" else c.known.prices
    table = ev.claims if definition.kind == "claims" else ev.prices
    for ref in (definition.claims or definition.prices):
        if known is not None and ref not in known:
            c.add(line, f"{path}.{definition.kind}", f"unknown {definition.kind[:-1]} id {ref!r}")
    for ref in definition.caps:
        if c.known.claims is not None and ref not in c.known.claims:
            c.add(line, f"{path}.caps", f"unknown claim id {ref!r}")
    if definition.kind == "claims" and definition.censor and not definition.caps and not any(
            c.study.claims[r].kind in ("lower", "upper") for r in definition.claims if r in c.study.claims):
        c.add(line, f"{path}.censor", "applies to a variable with bounds ('lower' or 'upper' claims, or caps)")
    usable = Definition(definition.kind, definition.line,
                        claims=tuple(r for r in definition.claims if r in table),
                        prices=tuple(r for r in definition.prices if r in table),
                        caps=tuple(r for r in definition.caps if r in ev.claims), capacity=definition.capacity,
                        censor=definition.censor)
    if definition.kind == "claims" and not _kinds_fit(c, ev, usable, path, line):
        return
    if definition.kind == "prices" and not _one_basis(c, ev, definition, path, line):
        return
    try:
        found = pieces(ev, usable, var.unit)
        if found:
            pooled(found, bounds(ev, usable, var.unit), censor=usable.censor)
    except ResolveError as exc:
        c.add(line, f"{path}.{definition.kind}", str(exc))


_NO_SCENARIO = Scenario("", "", 0, {})


def _evidence_claims(study: Study, variables: dict[str, Variable], name: str) -> set[str]:
    """The claims a variable rests on, through its formulas and timelines."""
    found: set[str] = set()
    for dep in closure(variables, [name]):
        definition = variables[dep].definition
        found.update(definition.claims)
        if definition.kind == "timeline" and definition.timeline in study.timelines:
            spec = study.timelines[definition.timeline].only(definition.series)
            found.update(c for s in spec.series for c in s.claims)
    return found


def _check_denominators(c: _Checker, variables: dict[str, Variable], own: dict[str, Variable], scenario: str,
                        seen: set[tuple[str, str, str]]) -> None:
    """A ratio derived on one quantity (a claim's ``per``) applied in a formula to a quantity that does not rest on
    that claim is a problem, unless the formula says why (``rescaled = true`` and its assumption): OSC's rounds per
    container, derived on OSC's own container count, times Seoul's larger count is not OSC's estimate."""
    study = c.study
    for var in own.values():
        formula = var.definition.formula
        if formula is None or var.definition.rescaled:
            continue
        for r in sorted(formula.names & set(variables)):
            ratios = [study.claims[x] for x in variables[r].definition.claims if x in study.claims and
                      study.claims[x].per in study.claims]
            for ratio in ratios:
                base = study.claims[ratio.per]
                dims = parse_unit(base.unit).dims
                for q in sorted(formula.names & set(variables) - {r}):
                    if variables[q].unit.dims != dims or ratio.per in _evidence_claims(study, variables, q):
                        continue
                    if (var.name, ratio.id, q) in seen:  # the base already says so
                        continue
                    seen.add((var.name, ratio.id, q))
                    where = var.definition.key_line or var.line
                    path = _path(var, scenario) if var.name in c.study.scenarios.get(scenario, _NO_SCENARIO).overrides \
                        else f"{'outputs' if var.output else 'variables'}.{var.name}"
                    suffix = f" (scenario {scenario})" if scenario else ""
                    c.add(where, f"{path}.formula",
                          f"{ratio.id} ({r}) was derived on {base.id}, but is applied to {q}, which does not rest "
                          f"on it{suffix}: mark the formula rescaled = true and say why in assumption")


def _one_basis(c: _Checker, ev: Evidence, definition: Definition, path: str, line: int) -> bool:
    """A price variable pools prices of one basis, the study's, unless it says why another stands in (``proxy``):
    pooling what a seller receives with what it costs to make would average two different quantities."""
    found = [ev.prices[r] for r in definition.prices if r in ev.prices]
    bases = {p.basis for p in found}
    if len(bases) > 1:
        first, other = found[0], next(p for p in found if p.basis != found[0].basis)
        c.add(line, f"{path}.prices", f"pools {first.id} (prices.csv:{first.line}, {first.basis}) with {other.id} "
                                      f"(prices.csv:{other.line}, {other.basis}): one variable, one basis; make the "
                                      "other a scenario")
        return False
    basis = c.study.meta.basis
    if basis is not None and bases and bases != {basis} and not definition.proxy:
        c.add(line, f"{path}.prices", f"{', '.join(p.id for p in found)} measure {found[0].basis}, the study values "
                                      f"at {basis}: mark them proxy = true and say why in assumption")
        return False
    return True


def _kinds_fit(c: _Checker, ev: Evidence, definition: Definition, path: str, line: int) -> bool:
    """Claim kinds used as their kind allows: a capacity is a value only where the model says why, bounds need an
    estimate to bound, and a cap is a capacity or an upper bound."""
    ok = True
    kinds = {ref: ev.claims[ref].kind for ref in definition.claims}
    capacities = [r for r, k in kinds.items() if k == "capacity"]
    if capacities and not definition.capacity:
        c.add(line, f"{path}.claims", f"{', '.join(capacities)}: a capacity ('could hold') is not an estimate; "
                                      "list it under caps, or take it as a value with capacity = true and say why in "
                                      "assumption")
        ok = False
    values = [r for r, k in kinds.items() if k == "estimate" or (k == "capacity" and definition.capacity)]
    only_bounds = [r for r, k in kinds.items() if k in ("lower", "upper")]
    if only_bounds and not values:
        c.add(line, f"{path}.claims", f"{', '.join(only_bounds)} only bound the quantity and no claim estimates it: "
                                      "add an estimate, or define it by a distribution labelled as an assumption")
        ok = False
    for ref in definition.caps:
        if ev.claims[ref].kind not in ("capacity", "upper"):
            c.add(line, f"{path}.caps", f"{ref} is an {ev.claims[ref].kind}, not a capacity or an upper bound")
            ok = False
    return ok


def _check_timelines(c: _Checker, ev: Evidence) -> None:
    for spec in c.study.timelines.values():
        for series in spec.series:
            path = f"timelines.{spec.name}" + ("" if series.name == "claims" else f".series.{series.name}")
            for ref in series.claims:
                claim = ev.claims.get(ref)
                if claim is None:
                    if c.known.claims is not None and ref not in c.known.claims:
                        c.add(series.line, f"{path}.claims", f"unknown claim id {ref!r}")
                    continue
                if claim.source not in ev.sources:
                    continue
                try:  # every kind: a lower bound is a point open upward, a capacity a series of ceilings
                    claim_piece(ev, claim, spec.unit)
                except ResolveError as exc:
                    c.add(series.line, f"{path}.claims", str(exc))


def _check_correlations(study: Study, add: _Add) -> None:
    names: list[str] = []
    for i, c in enumerate(study.correlations):
        line = c.between_line or c.line
        for n in (c.a, c.b):
            var = study.variables.get(n)
            if var is None:
                add(line, f"correlations[{i}].between", f"unknown variable {n!r}")
            elif not var.definition.sampled:
                add(line, f"correlations[{i}].between", f"{n!r} is a formula; only sampled variables correlate")
            elif n not in names:
                names.append(n)
        if c.a == c.b:
            add(line, f"correlations[{i}].between", "a variable cannot be correlated with itself")
    if not names:
        return
    matrix = np.eye(len(names))
    for c in study.correlations:
        if c.a in names and c.b in names and c.a != c.b:
            i, j = names.index(c.a), names.index(c.b)
            matrix[i, j] = matrix[j, i] = c.rho
    if min(np.linalg.eigvalsh(matrix).min(), np.linalg.eigvalsh(spearman_to_normal(matrix)).min()) <= 1e-10:
        add(study.correlations[0].line, "correlations", "the rank correlations together are impossible "
                                                       "(the matrix is not positive definite)")


def _check_published(c: _Checker, ev: Evidence) -> None:
    study = c.study
    for pub in study.published.values():
        path = f"published.{pub.id}"
        claim = study.claims.get(pub.claim)
        if claim is None and c.known.claims is not None and pub.claim not in c.known.claims:
            c.add(pub.line_of("claim"), f"{path}.claim", f"unknown claim id {pub.claim!r}")
        output = study.variables.get(pub.output)
        if pub.output not in c.known.names or (output is not None and not output.output):
            c.add(pub.line_of("output"), f"{path}.output", f"unknown output {pub.output!r}")
        missing = sorted(pub.quantity.names - c.known.names)
        for name in missing:
            c.add(pub.line_of("quantity"), f"{path}.quantity", f"unknown variable {name!r}")
        if pub.scenario and pub.scenario not in study.scenarios:
            known = ", ".join(sorted(study.scenarios)) or "none"
            c.add(pub.line_of("scenario"), f"{path}.scenario", f"unknown scenario {pub.scenario!r} (known: {known})")
        if claim is not None and pub.scenario_end and (claim.low is None or claim.high is None):
            missing_end = getattr(claim, pub.scenario_end) is None
            c.add(pub.line_of("scenario_end"), f"{path}.scenario_end",
                  f"{claim.id} states no {pub.scenario_end} end (claims.csv:{claim.line})" if missing_end else
                  f"{claim.id} is a bound, not a range (claims.csv:{claim.line}): the scenario is shown inside or "
                  "beyond it")
        if pub.paired and not missing:
            own = [n for n in sorted(closure(study.variables, sorted(pub.quantity.names)))
                   if study.variables[n].definition.kind != "formula"
                   and len(study.variables[n].definition.claims) != 1]
            if own:
                c.add(pub.line_of("paired"), f"{path}.paired", f"{', '.join(own)}: a paired price divides by the "
                                                                "publication's own quantities, variables of one "
                                                                "claim each")
        if claim is None or missing or pub.quantity.names - set(study.variables):
            continue
        value_unit = parse_unit(claim.unit)
        code = value_unit.currency()
        if code is None:
            c.add(pub.line_of("claim"), f"{path}.claim", f"claim {claim.id} is not money ({claim.unit})")
            continue
        value_unit = value_unit.replace_currency(code, ev.currency)
        try:
            qty = fml.infer_unit(pub.quantity, {n: study.variables[n].unit for n in pub.quantity.names})
        except fml.FormulaError as exc:
            c.add(pub.line_of("quantity"), f"{path}.quantity", str(exc))
            continue
        implied = Unit(1.0, value_unit.dims) / qty
        if not implied.same_dimension(pub.implied_unit):
            c.add(pub.line_of("implied_unit"), f"{path}.implied_unit",
                  f"value ÷ quantity is {dims_text(implied.dims)}, not {pub.implied_unit}")
        if output and not output.unit.same_dimension(Unit(1.0, value_unit.dims)):
            c.add(pub.line_of("output"), f"{path}.output", f"claim {claim.id} ({claim.unit}) is not comparable "
                                                          f"with output {pub.output} ({output.unit})")

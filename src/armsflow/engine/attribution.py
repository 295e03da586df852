"""Why the number moved: the change of each headline median between two states of a study, attributed to the
groups of inputs that changed, by Shapley values over those groups with common random numbers.

A *group* is one variable whose draws differ between the two states (its claims, prices, distribution, fallback or
timeline changed) or whose formula differs. Every input draws from a stream of its own (``sampling.stream``), so
an input that did not change has the very same draws in both states: what differs is the change, not noise.

For a set ``S`` of groups, ``v(S)`` is the median of an output when the groups in ``S`` take their draws (and
formulas) from state B and all others from state A; ``v(∅)`` and ``v(all)`` are the two states' own medians.
The Shapley value of a group is its marginal contribution ``v(S ∪ {g}) − v(S)`` averaged over every order in
which the groups can be added (Shapley 1953; for attributing a model's output to its inputs see Owen 2014,
doi:10.1137/130936233). The values add up to ``v(all) − v(∅)`` exactly. Up to ``MAX_EXACT`` groups every subset
is evaluated; beyond that, orders are sampled (Castro, Gómez and Tejada 2009, doi:10.1016/j.cor.2008.04.004) and
each value carries its standard error; each sampled order still adds up to the total, so the values do too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from armsflow.engine.plan import Plan
from armsflow.engine.sampling import Drawn, draw_state
from armsflow.model import formula as fml
from armsflow.model.distributions import Array
from armsflow.results import OutputChange, Part
from armsflow.study.checks import formula_order
from armsflow.study.spec import Variable, closure

MAX_EXACT = 10
ORDERS = 400
#: How a move is split, ``{over}`` naming what it is split over (``diff``: changed groups of inputs).
METHOD = ("Shapley values of the median over the {over}, with common random numbers "
          "(each input's own stream); exact over every subset up to 10 groups, else from 400 sampled orders")


@dataclass(frozen=True)
class Group:
    name: str
    label: str
    variables: frozenset[str]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    note: str
    flags: tuple[str, ...]


#: What else changed in a group, as a code an interface can put in its language, and in English words.
FLAGS = {"formula": "a new formula", "evidence-for-fallback": "evidence instead of the fallback",
         "fallback-for-evidence": "the fallback instead of evidence",
         "no-longer-extrapolated": "no longer extrapolated", "now-extrapolated": "now extrapolated",
         "reference-rows": "money converted with other reference rows (exchange rates, price index)",
         "distribution": "distribution or grading changed"}


def _refs(plan: Plan, name: str) -> set[str]:
    item = plan.inputs.get(name)
    if item is None:
        return set()
    return {p.ref for p in item.pieces} | set(item.definition.cites)


def _formula(variable: Variable | None) -> str | None:
    if variable is None or variable.definition.formula is None:
        return None
    return variable.definition.formula.text


def groups(a: Plan, b: Plan, va: dict[str, Array], vb: dict[str, Array]) -> list[Group]:
    """The variables that differ between the two plans, as groups; a variable only one state has, or draws (an
    input the other state's outputs no longer read), joins the group of the changed formula that reads it, since
    neither can be swapped without the other."""
    names = sorted(set(a.variables) | set(b.variables))
    changed_inputs = [n for n in names if (n in va or n in vb)
                      and (n not in va or n not in vb or not np.array_equal(va[n], vb[n]))]
    changed_formulas = [n for n in names if _formula(a.variables.get(n)) != _formula(b.variables.get(n))
                        and (_formula(a.variables.get(n)) or _formula(b.variables.get(n)))]
    changed = [*changed_inputs, *changed_formulas]
    leader = {n: n for n in changed}  # union-find: each changed variable's group, named by one of its members

    def find(n: str) -> str:
        while leader[n] != n:
            n = leader[n]
        return n

    for f in changed_formulas:
        for plan, other, drawn, other_drawn in ((b, a, vb, va), (a, b, va, vb)):
            var = plan.variables.get(f)
            formula = var.definition.formula if var else None
            for dep in formula.names if formula else ():
                alone = dep not in other.variables or (dep in drawn and dep not in other_drawn)
                if alone and dep in leader:
                    leader[find(dep)] = find(f)
    members: dict[str, set[str]] = {}
    for n in changed:
        members.setdefault(find(n), set()).add(n)
    out = []
    for name, variables in members.items():
        var = b.variables.get(name) or a.variables[name]
        ra, rb = _refs(a, name), _refs(b, name)
        flags = []
        if name in changed_formulas:
            flags.append("formula")
        ia, ib = a.inputs.get(name), b.inputs.get(name)
        if ia and ib and ia.fallback_used != ib.fallback_used:
            flags.append("evidence-for-fallback" if ia.fallback_used else "fallback-for-evidence")
        if ia and ib and ia.extrapolated != ib.extrapolated:
            flags.append("no-longer-extrapolated" if ia.extrapolated else "now-extrapolated")
        if ia and ib:
            steps_a, steps_b = {p.ref: p.steps for p in ia.pieces}, {p.ref: p.steps for p in ib.pieces}
            if any(steps_a[r] != steps_b[r] for r in steps_a.keys() & steps_b.keys()):
                flags.append("reference-rows")
        if name in changed_inputs and not (rb - ra or ra - rb or flags):
            flags.append("distribution")
        notes = [FLAGS[f] for f in flags]
        if "formula" in flags:
            notes[0] = (f"formula {_formula(a.variables.get(name)) or '(none)'} → "
                        f"{_formula(b.variables.get(name)) or '(none)'}")
        out.append(Group(name, var.label, frozenset(variables), tuple(sorted(rb - ra)), tuple(sorted(ra - rb)),
                         "; ".join(notes), tuple(flags)))
    return out


class _Hybrid:
    """Evaluates outputs with some groups taken from state B and the rest from state A."""

    def __init__(self, a: Plan, b: Plan, va: dict[str, Array], vb: dict[str, Array], found: list[Group],
                 outputs: list[str]) -> None:
        self.a, self.b, self.va, self.vb, self.groups, self.outputs = a, b, va, vb, found, outputs
        # An output's median depends only on the chosen groups among those it can read in either state, so each
        # (output, those groups) is computed once: most subsets of a scenario's groups leave most outputs alone.
        self.reach = [frozenset(i for i, g in enumerate(found)
                                if g.variables & (closure(a.variables, [o]) | closure(b.variables, [o])))
                      for o in outputs]
        self.known: dict[tuple[int, frozenset[int]], float] = {}

    def medians(self, chosen: frozenset[int]) -> list[float]:
        keys = [(o, chosen & reach) for o, reach in enumerate(self.reach)]
        missing = [o for o, key in enumerate(keys) if key not in self.known]
        if missing:
            for o, value in zip(missing, self._compute(chosen, [self.outputs[o] for o in missing]), strict=True):
                self.known[keys[o]] = value
        return [self.known[key] for key in keys]

    def _compute(self, chosen: frozenset[int], outputs: list[str]) -> list[float]:
        swap = set().union(*(self.groups[i].variables for i in chosen)) if chosen else set()
        variables = dict(self.a.variables)
        for name in swap:
            if name in self.b.variables:
                variables[name] = self.b.variables[name]
            else:
                variables.pop(name, None)
        values: dict[str, Array] = {n: x for n, x in self.va.items() if n not in swap}
        values.update({n: x for n, x in self.vb.items() if n in swap})
        needed = closure(variables, outputs)
        for name in formula_order({n: v for n, v in variables.items() if n in needed}):
            formula = variables[name].definition.formula
            assert formula is not None
            values[name] = fml.evaluate(formula, values)
        return [float(np.median(values[o])) / variables[o].unit.scale for o in outputs]


def _shapley_exact(k: int, value: dict[frozenset[int], list[float]], m: int) -> list[list[float]]:
    phi = [[0.0] * m for _ in range(k)]
    for i in range(k):
        others = [j for j in range(k) if j != i]
        for size in range(k):
            weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            for subset in combinations(others, size):
                s = frozenset(subset)
                with_i, without = value[s | {i}], value[s]
                for o in range(m):
                    phi[i][o] += weight * (with_i[o] - without[o])
    return phi


def attribute(a: Plan, b: Plan, *, seed: int, draws: int,
              drawn: Drawn | None = None) -> tuple[list[OutputChange], list[Group], list[Group]]:
    """The headline outputs both plans have, each with its change from ``a`` to ``b`` attributed to the groups
    that reach them; then those groups, and the changed groups no headline output reads. ``drawn``: ``a``'s draws
    (``draw_state``) when the caller compares ``a`` with several states; ``b`` draws only what differs from them."""
    first = drawn or draw_state(a, seed, draws)
    va, vb = first.values, draw_state(b, seed, draws, like=(a, first)).values
    outputs = [n for n, v in b.variables.items() if v.output and v.headline and n in a.variables
               and a.variables[n].output]
    relevant = closure(a.variables, outputs) | closure(b.variables, outputs)
    every = groups(a, b, va, vb)
    found = [g for g in every if g.variables & relevant]
    hybrid = _Hybrid(a, b, va, vb, found, outputs)
    k, m = len(found), len(outputs)
    empty, everything = frozenset[int](), frozenset(range(k))
    before, after = hybrid.medians(empty), hybrid.medians(everything)
    error: list[list[float]] | None = None
    if k <= MAX_EXACT:
        value = {frozenset(s): hybrid.medians(frozenset(s)) for size in range(k + 1)
                 for s in combinations(range(k), size)}
        phi = _shapley_exact(k, value, m)
    else:
        rng = np.random.default_rng([seed, k])
        marginals = np.zeros((ORDERS, k, m))
        for r in range(ORDERS):
            current, last = empty, before
            for i in rng.permutation(k):
                current = current | {int(i)}
                now = hybrid.medians(current) if current != everything else after
                marginals[r, i] = np.subtract(now, last)
                last = now
        phi = marginals.mean(axis=0).tolist()
        error = (marginals.std(axis=0, ddof=1) / math.sqrt(ORDERS)).tolist()
    changes = []
    for o, name in enumerate(outputs):
        var = b.variables[name]
        reads = closure(a.variables, [name]) | closure(b.variables, [name]) if name in a.variables else set()
        parts = tuple(sorted((Part(g.name, g.label, g.added, g.removed, g.note, phi[i][o], g.flags)
                              for i, g in enumerate(found) if g.variables & reads), key=lambda p: -abs(p.effect)))
        worst = max((error[i][o] for i in range(k)), default=0.0) if error is not None else None
        changes.append(OutputChange(name, var.label, str(var.unit), before[o], after[o], after[o] - before[o], parts,
                                    error is None, worst))
    return changes, found, [g for g in every if not g.variables & relevant]

"""What a run samples: each input's distribution after the scenario and the evidence cut-off are applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from armsflow.errors import Problem, StudyError
from armsflow.model.bounded import Censored, Truncated
from armsflow.model.distributions import Distribution
from armsflow.study.checks import evidence_of, formula_order
from armsflow.study.resolve import AtDate, Evidence, Piece, Scaled, bounds, pieces, pooled, timeline_of
from armsflow.study.spec import Definition, Study, Variable, closure

Sampler = Distribution | Truncated | Censored | Scaled | AtDate


@dataclass(frozen=True)
class Input:
    """A sampled variable: its sampler in base units, and the claims or prices it rests on."""

    variable: Variable
    definition: Definition
    sampler: Sampler
    pieces: tuple[Piece, ...]
    fallback_used: bool = False
    extrapolated: bool = False


@dataclass
class Plan:
    study: Study
    variables: dict[str, Variable]
    evidence: Evidence
    inputs: dict[str, Input]
    order: list[str]
    scenario: str | None
    as_of: date | None
    excluded_sources: list[str] = field(default_factory=list)

    def depends_on(self, name: str) -> set[str]:
        """All variables ``name`` reads, directly or through formulas (including itself)."""
        return closure(self.variables, [name])


def make_plan(study: Study, scenario: str | None = None, as_of: date | None = None) -> Plan:
    """Resolve every sampled variable; raise ``StudyError`` if the cut-off leaves one with no evidence."""
    if scenario is not None and scenario not in study.scenarios:
        known = ", ".join(sorted(study.scenarios)) or "none"
        raise StudyError([Problem("model.toml", 0, "scenario", f"unknown scenario {scenario!r} (known: {known})")])
    variables = study.with_scenario(scenario)
    kept = study.known_sources(as_of)
    ev = evidence_of(study, kept, as_of)
    live = [p for p in study.published.values()
            if p.claim in study.claims and study.claims[p.claim].source in kept]
    needed = closure(variables, [v.name for v in variables.values() if v.output]
                     + [n for p in live for n in sorted(p.quantity.names)])
    inputs: dict[str, Input] = {}
    problems: list[Problem] = []
    for name, var in variables.items():
        if not var.definition.sampled or name not in needed:
            continue
        built = _input(study, ev, var, var.definition)
        if built is None and var.fallback is not None:
            built = _input(study, ev, var, var.fallback, fallback=True)
        if built is None:
            ids = ", ".join(var.definition.claims or var.definition.prices) or f"timeline {var.definition.timeline}"
            problems.append(Problem("model.toml", var.line, f"variables.{name}",
                                    f"no evidence published on or before {as_of} ({ids}) and no fallback"))
            continue
        inputs[name] = built
    if problems:
        raise StudyError(problems)
    excluded = sorted(set(study.sources) - set(kept))
    order = [n for n in formula_order(variables) if n in needed]
    return Plan(study, variables, ev, inputs, order, scenario, as_of, excluded)


def _input(study: Study, ev: Evidence, var: Variable, definition: Definition,
           fallback: bool = False) -> Input | None:
    if definition.kind == "timeline":
        timeline, used = timeline_of(ev, study.timelines[definition.timeline].only(definition.series))
        if not used:
            return None
        day = definition.at or study.meta.reference_date
        return Input(var, definition, AtDate(timeline, day), tuple(used), fallback, timeline.extrapolated(day))
    if definition.kind == "dist":
        assert definition.dist is not None
        return Input(var, definition, Scaled(definition.dist, var.unit.scale), (), fallback)
    found = pieces(ev, definition, var.unit)
    if not found:
        return None
    limits = bounds(ev, definition, var.unit)
    producers = {k: s.producer for k, s in ev.sources.items()}
    sampler = pooled(found, limits, producers, censor=definition.censor)
    return Input(var, definition, sampler, (*found, *limits.pieces), fallback)

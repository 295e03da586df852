"""Why a result is what it is: its formula, each input with the claims behind it, and what drives its range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from armsflow.engine.plan import make_plan
from armsflow.engine.run import provenance, run_plan, summary
from armsflow.engine.sensitivity import sobol
from armsflow.errors import Problem, StudyError
from armsflow.results import SensitivityRow, Summary
from armsflow.study.resolve import Piece
from armsflow.study.spec import Study


@dataclass(frozen=True)
class EvidenceUse:
    """One claim or price as an input uses it, in the input's own unit."""

    ref: str
    kind: str
    source: str
    publisher: str
    published: str
    url: str
    reliability: str
    credibility: int
    share: float
    low: float
    mode: float
    high: float
    stated: str
    quote: str
    conversion: tuple[str, ...]


@dataclass(frozen=True)
class InputExplanation:
    name: str
    label: str
    unit: str
    how: str
    summary: Summary
    assumption: str
    fallback: bool
    evidence: tuple[EvidenceUse, ...]


@dataclass(frozen=True)
class Explanation:
    id: str
    label: str
    unit: str
    formula: str
    summary: Summary
    inputs: tuple[InputExplanation, ...]
    sensitivity: tuple[SensitivityRow, ...]
    claims: list[str]
    sources: list[str]


def explain(study: Study, name: str, *, draws: int | None = None, seed: int | None = None,
            scenario: str | None = None, as_of: date | None = None) -> Explanation:
    """Explain output or variable ``name`` of ``study`` under the given run settings."""
    if name not in study.with_scenario(scenario):
        known = ", ".join(v.name for v in study.outputs())
        raise StudyError([Problem("model.toml", 0, "", f"no result or variable {name!r} (outputs: {known})")])
    plan = make_plan(study, scenario, as_of)
    samples = run_plan(plan, draws=draws, seed=seed, keep_samples=True, sensitivity=False).samples
    seed = study.meta.seed if seed is None else seed
    drivers = sobol(plan, samples, [name], study.meta.sobol_n, seed)[name] if name in samples else []
    var = plan.variables[name]
    inputs = []
    for dep in sorted(plan.depends_on(name)):
        item = plan.inputs.get(dep)
        if item is None:
            continue
        dvar = item.variable
        total = sum(p.interval.weight for p in item.pieces) or 1.0
        uses = [_use(study, p, dvar.unit.scale, total) for p in item.pieces]
        how = item.definition.kind if item.definition.kind in ("claims", "prices") else item.sampler.describe()
        inputs.append(InputExplanation(dep, dvar.label, str(dvar.unit), how,
                                       summary(samples[dep], dvar.unit.scale), item.definition.assumption,
                                       item.fallback_used, tuple(uses)))
    found = provenance(plan, name)
    claims, sources = found.claims, found.sources
    formula = var.definition.formula.text if var.definition.formula else f"({var.definition.kind})"
    return Explanation(name, var.label, str(var.unit), formula, summary(samples[name], var.unit.scale),
                       tuple(inputs), tuple(drivers), claims, sources)


def _use(study: Study, p: Piece, scale: float, total_weight: float) -> EvidenceUse:
    """One claim or price as an input uses it: what the source stated, and the graded interval in the input's unit."""
    if p.kind == "claim":
        claim = study.claims[p.ref]
        stated = _stated(claim.low, claim.central, claim.high, claim.unit)
        text = claim.quote
    else:
        price = study.prices[p.ref]
        stated = _stated(price.low, price.central, price.high, f"{price.currency}/{price.per} ({price.price_year})")
        text = price.notes
    src = study.sources[p.source]
    g = p.interval
    return EvidenceUse(p.ref, p.kind, src.id, src.publisher, src.published.isoformat(), src.url, p.reliability,
                       p.credibility, g.weight / total_weight, g.low / scale, g.mode / scale, g.high / scale, stated,
                       text, p.steps)


def _stated(low: float | None, central: float | None, high: float | None, unit: str) -> str:
    parts = []
    if low is not None:
        parts.append(f"low {low:g}")
    if central is not None:
        parts.append(f"central {central:g}")
    if high is not None:
        parts.append(f"high {high:g}")
    return ", ".join(parts) + f" {unit}"

"""Why a result is what it is: its formula, each input with the claims behind it, and what drives its range."""

from __future__ import annotations

from datetime import date

from armsflow.engine.plan import make_plan
from armsflow.engine.run import provenance, run_plan
from armsflow.engine.sensitivity import sobol
from armsflow.errors import ParameterError
from armsflow.results import EvidenceUse, Explanation, InputExplanation, summarise
from armsflow.study.loader import StudyRef, as_study
from armsflow.study.resolve import Piece, pool_weights
from armsflow.study.spec import Study


def explain(study: StudyRef, name: str, *, draws: int | None = None, seed: int | None = None,
            scenario: str | None = None, as_of: date | None = None) -> Explanation:
    """Explain output or variable ``name`` of ``study`` under the given run settings."""
    study = as_study(study)
    plan = make_plan(study, scenario, as_of)  # first: it names an unknown scenario
    if name not in plan.variables:
        known = ", ".join(v.name for v in study.outputs())
        raise ParameterError("result", f"no result or variable {name!r} (outputs: {known})")
    samples = run_plan(plan, draws=draws, seed=seed, keep_samples=True, sensitivity=False).samples
    seed = study.meta.seed if seed is None else seed
    drivers = sobol(plan, samples, [name], study.meta.sobol_n, seed)[name] if name in samples else []
    var = plan.variables[name]
    inputs = []
    producers = {k: s.producer for k, s in plan.evidence.sources.items()}
    for dep in sorted(plan.depends_on(name)):
        item = plan.inputs.get(dep)
        if item is None:
            continue
        dvar = item.variable
        # a timeline's claims are points of one curve, not alternatives drawn by weight: no share to show
        pooled = [p for p in item.pieces if p.role == "estimate"]
        weights = dict(zip((p.ref for p in pooled), pool_weights(pooled, producers), strict=True))
        total = None if item.definition.kind == "timeline" else sum(weights.values()) or 1.0
        uses = [_use(study, p, dvar.unit.scale, total, weights.get(p.ref)) for p in item.pieces]
        how = item.definition.kind if item.definition.kind in ("claims", "prices") else item.sampler.describe()
        if item.definition.censor and len(pooled) < len(item.pieces):
            how += ", censored at the bounds"
        inputs.append(InputExplanation(dep, dvar.label, str(dvar.unit), how,
                                       summarise(samples[dep], dvar.unit.scale), item.definition.assumption,
                                       item.fallback_used, item.extrapolated, tuple(uses)))
    found = provenance(plan, name)
    claims, sources = found.claims, found.sources
    formula = var.definition.formula.text if var.definition.formula else f"({var.definition.kind})"
    return Explanation(name, var.label, str(var.unit), formula, summarise(samples[name], var.unit.scale),
                       tuple(inputs), tuple(drivers), claims, sources)


def _use(study: Study, p: Piece, scale: float, total_weight: float | None, weight: float | None) -> EvidenceUse:
    """One claim or price as an input uses it: what the source stated, and the graded interval in the input's unit."""
    claim_kind = ""
    if p.kind == "claim":
        claim = study.claims[p.ref]
        stated = (claim.low, claim.central, claim.high, claim.unit)
        text, claim_kind = claim.quote, claim.kind
    else:
        price = study.prices[p.ref]
        stated = (price.low, price.central, price.high, f"{price.currency}/{price.per} ({price.price_year})")
        text = price.notes
    src = study.sources[p.source]
    g = p.interval
    share = None if total_weight is None or weight is None else weight / total_weight
    return EvidenceUse(p.ref, p.kind, src.id, src.publisher, src.published.isoformat(), src.url, p.reliability,
                       p.credibility, share, g.low / scale, g.mode / scale, g.high / scale, *stated, text, p.steps,
                       p.role, claim_kind)

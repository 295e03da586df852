"""One run of a study: plan, simulate, summarise, compare with published estimates, and decompose the variance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, NamedTuple

import numpy as np

from armsflow import __version__
from armsflow.engine.budget import check_draws, check_sobol
from armsflow.engine.context import indicators
from armsflow.engine.plan import Plan, make_plan
from armsflow.engine.sampling import Drawn, needed, simulate
from armsflow.engine.sensitivity import sobol
from armsflow.errors import ParameterError, Problem, StudyError
from armsflow.evidence.records import Claim
from armsflow.history.record import record_run
from armsflow.model import formula as fml
from armsflow.model.distributions import Array
from armsflow.results import (
    Assumption,
    ChainStep,
    OutputResult,
    PublishedResult,
    RunResult,
    SensitivityRow,
    Summary,
    summarise,
)
from armsflow.study.loader import StudyRef, as_study, inputs_hash
from armsflow.study.resolve import claim_piece
from armsflow.study.spec import Published, assumption_key, closure

Progress = Callable[[str, float], None]
MAX_DRAWS = 100_000_000


def run(study: StudyRef, *, draws: int | None = None, seed: int | None = None, scenario: str | None = None,
        as_of: date | None = None, sensitivity: bool = True, keep_samples: bool = False,
        progress: Progress | None = None, history: bool = False) -> RunResult:
    """Run a study (a loaded ``Study``, a folder or a bundled name): every output's summary with the claims behind
    it, the published estimates beside them, the context indicators and, with ``sensitivity``, the Sobol indices
    of the headline outputs. The same study, seed, draws, scenario and cut-off always give the same result.

    With ``history``, the run is recorded in the study folder's history (``armsflow history``, ``armsflow diff``);
    a folder that cannot be written leaves a line in ``warnings`` and the run stands.
    """
    loaded = as_study(study)
    result = run_plan(make_plan(loaded, scenario, as_of), draws=draws, seed=seed, sensitivity=sensitivity,
                      keep_samples=keep_samples, progress=progress)
    if history:
        recorded = record_run(loaded, result, "run")
        result.recorded = recorded.run
        result.warnings += [recorded.warning] if recorded.warning else []
    return result


def run_plan(plan: Plan, *, draws: int | None = None, seed: int | None = None, sensitivity: bool = True,
             keep_samples: bool = False, progress: Progress | None = None, drawn: Drawn | None = None) -> RunResult:
    """Run an already resolved plan (see ``make_plan``); ``drawn``: its inputs drawn already (``draw_state``)."""
    study = plan.study
    draws, seed = settings(plan, draws, seed)
    if sensitivity:
        check_sobol(plan, study.meta.sobol_n, [v.name for v in plan.variables.values() if v.output and v.headline])
    values = simulate(plan, seed, draws, (lambda f: progress("sampling", f)) if progress else None,
                      None if keep_samples or drawn is not None else drawn_for_run(plan), drawn)
    return assemble(plan, values, seed, draws, sensitivity=sensitivity, keep_samples=keep_samples, progress=progress)


def drawn_for_run(plan: Plan) -> set[str]:
    """What a run without samples to keep draws: the variables its outputs and its published estimates' drawn
    quantities read. Every input has its own stream, so each is the same as in a run that draws them all."""
    wanted = [v.name for v in plan.variables.values() if v.output]
    wanted += [n for p in plan.study.published.values() if not (p.paired or p.not_implied) for n in p.quantity.names]
    return needed(plan, wanted)


def settings(plan: Plan, draws: int | None, seed: int | None, most: int = MAX_DRAWS) -> tuple[int, int]:
    """The draws and seed of a run of ``plan`` (the study's own where ``None``), checked: ``ParameterError`` names
    a number of draws outside 100 to ``most``, a negative seed, or draws the machine's memory cannot hold."""
    draws = plan.study.meta.draws if draws is None else draws
    seed = plan.study.meta.seed if seed is None else seed
    if not 100 <= draws <= most:
        raise ParameterError("draws", f"must be between 100 and {most:,}, got {draws:,}")
    if seed < 0:
        raise ParameterError("seed", f"must be 0 or more, got {seed}")
    check_draws(plan, draws)
    return draws, seed


@dataclass(frozen=True)
class Reuse:
    """Parts of an earlier result of the same study, scenario, cut-off, seed and draws that ``assemble`` may take
    over: the summaries and Sobol indices (``sensitivity``, when that result had them) of every variable not in
    ``changed`` (their draws are the same arrays, and each output's indices come from a design of its own), and
    the context indicators (they read the evidence, never the model's draws)."""

    result: RunResult
    changed: frozenset[str]
    sensitivity: dict[str, list[SensitivityRow]] = field(default_factory=dict)


def assemble(plan: Plan, values: dict[str, Array], seed: int, draws: int, *, sensitivity: bool,
             keep_samples: bool = False, progress: Progress | None = None, reuse: Reuse | None = None) -> RunResult:
    """The run's result from every variable's draws (``values``, as ``simulate`` gives them)."""
    study = plan.study
    _check_finite(plan, values)
    outputs = [v for v in plan.variables.values() if v.output]
    headlines = [v.name for v in outputs if v.headline]
    earlier = {r.id: r for r in reuse.result.results} if reuse else {}
    results = [earlier[v.name] if reuse and v.name not in reuse.changed and v.name in earlier
               else _summarise(plan, values, v.name) for v in outputs]
    published = _published(plan, values, seed)
    indices: dict[str, list[SensitivityRow]] = {}
    if sensitivity:
        if progress:
            progress("sensitivity", 0.0)
        kept = {o: reuse.sensitivity[o] for o in headlines if reuse and o not in reuse.changed
                and o in reuse.sensitivity}
        fresh = sobol(plan, values, [o for o in headlines if o not in kept], study.meta.sobol_n, seed,
                      (lambda f: progress("sensitivity", f)) if progress else None)
        indices = {o: kept[o] if o in kept else fresh[o] for o in headlines}
        if progress:
            progress("sensitivity", 1.0)
    label = study.scenarios[plan.scenario].label if plan.scenario else None
    context = reuse.result.indicators if reuse else indicators(study, plan.as_of)
    steps = chain(plan, values, headlines, reuse)
    return RunResult(study.meta.id, study.meta.title, study.meta.question, study.meta.reference_date,
                     study.meta.currency, plan.as_of, plan.scenario, label, seed, draws, __version__,
                     inputs_hash(study.files), results, published, indices, study.meta.sobol_n, plan.excluded_sources,
                     context, steps, values if keep_samples else {},
                     {n: v.unit.scale for n, v in plan.variables.items()} if keep_samples else {})


def _check_finite(plan: Plan, values: dict[str, Array]) -> None:
    """Stop, naming the variable, where a draw is not a finite number: an input whose parameters overflow, or the
    first formula (in the order of evaluation) that turns finite inputs into infinities or NaN (a division by
    zero, an overflow)."""
    for name in [*sorted(plan.inputs), *plan.order]:
        x = values.get(name)
        if x is None or bool(np.isfinite(x).all()):
            continue
        var = plan.variables[name]
        share = float(np.mean(~np.isfinite(x)))
        where = f"{'outputs' if var.output else 'variables'}.{name}"
        formula = var.definition.formula
        if formula is None:
            message = f"{percent_text(share)} of its draws are not finite numbers: its parameters overflow"
        else:
            inputs = ", ".join(sorted(formula.names))
            message = (f"{formula.text} is not a finite number in {percent_text(share)} of the draws (a division "
                       f"by zero or an overflow), from finite values of {inputs}")
        raise StudyError([Problem(var.file, var.line, where, message)])


def percent_text(share: float) -> str:
    return f"{share:.0%}" if share >= 0.01 else "some"


def chain(plan: Plan, values: dict[str, Array], outputs: list[str], reuse: Reuse | None = None) -> list[ChainStep]:
    """Every variable ``outputs`` read: the inputs in the model file's order, then the formulas in the run's; with
    ``reuse``, the earlier steps of variables whose draws did not change."""
    needed = set().union(*(plan.depends_on(o) for o in outputs)) if outputs else set()
    earlier = {step.name: step for step in reuse.result.chain} if reuse else {}
    steps = []
    inputs = [n for n in plan.variables if n in plan.inputs]
    for name in inputs + [n for n in plan.order if n not in plan.inputs]:
        if name not in needed or name not in values:
            continue
        if reuse and name not in reuse.changed and name in earlier:
            steps.append(earlier[name])
            continue
        var = plan.variables[name]
        item = plan.inputs.get(name)
        definition = item.definition if item else var.definition
        refs = [p.ref for p in item.pieces] if item else []
        refs += [c for c in definition.cites if c not in refs]
        formula = definition.formula.text if definition.formula else ""
        steps.append(ChainStep(name, var.label, str(var.unit), definition.kind, formula,
                               summarise(values[name], var.unit.scale), tuple(refs), definition.assumption,
                               bool(item and item.fallback_used), bool(item and item.extrapolated)))
    return steps


class Provenance(NamedTuple):
    claims: list[str]
    prices: list[str]
    sources: list[str]
    assumptions: list[Assumption]
    fallbacks: list[str]
    extrapolated: list[str]


def provenance(plan: Plan, name: str) -> Provenance:
    """Claims, prices, sources, own assumptions, fallbacks and extrapolations behind a variable."""
    claims: set[str] = set()
    prices: set[str] = set()
    sources: set[str] = set()
    assumptions: list[Assumption] = []
    fallbacks: list[str] = []
    extrapolated: list[str] = []
    for dep in sorted(plan.depends_on(name)):
        var = plan.variables[dep]
        item = plan.inputs.get(dep)
        definition = item.definition if item else var.definition
        for p in item.pieces if item else ():
            (claims if p.kind == "claim" else prices).add(p.ref)
            sources.add(p.source)
        for ref in definition.cites:
            if ref in plan.study.claims:
                claims.add(ref)
                sources.add(plan.study.claims[ref].source)
            elif ref in plan.study.prices:
                prices.add(ref)
                sources.add(plan.study.prices[ref].source)
            else:
                sources.add(ref)
        if definition.assumption:
            assumptions.append(Assumption(dep, definition.assumption, _assumption_key(plan, dep)))
        if item and item.fallback_used:
            fallbacks.append(dep)
        if item and item.extrapolated:
            extrapolated.append(dep)
        if item and definition.kind == "timeline":
            spec = plan.study.timelines[definition.timeline]
            if spec.assumption:
                assumptions.append(Assumption(dep, spec.assumption, spec.name))
    return Provenance(sorted(claims), sorted(prices), sorted(sources), assumptions, fallbacks, extrapolated)


def _assumption_key(plan: Plan, name: str) -> str:
    """The translation key of the assumption variable ``name`` states in this plan (``spec.assumption_key``)."""
    overridden = plan.scenario is not None and name in plan.study.scenarios[plan.scenario].overrides
    item = plan.inputs.get(name)
    return assumption_key(name, plan.scenario if overridden else None, bool(item and item.fallback_used))


def _summarise(plan: Plan, values: dict[str, Array], name: str) -> OutputResult:
    var = plan.variables[name]
    x = values[name]
    s = summarise(x, var.unit.scale)
    exceed = {f"{t:g}": float(np.mean(x > t * var.unit.scale)) for t in var.thresholds}
    p = provenance(plan, name)
    return OutputResult(name, var.label, str(var.unit), s.mean, s.p5, s.p50, s.p95, exceed, p.claims, p.prices,
                        p.sources, p.assumptions, p.fallbacks, var.headline, p.extrapolated)


def _published(plan: Plan, values: dict[str, Array], seed: int) -> list[PublishedResult]:
    rng = np.random.default_rng([seed, 1])
    out: list[PublishedResult] = []
    n = next(iter(values.values())).size if values else 0
    for pub in plan.study.published.values():
        claim = plan.study.claims[pub.claim]
        if claim.source not in plan.evidence.sources:
            continue
        output = plan.variables[pub.output]
        piece = claim_piece(plan.evidence, claim, output.unit)  # units were checked when the study was loaded
        source = plan.study.sources[claim.source]
        qclaims, *_ = _quantity_claims(plan, pub.quantity.names)
        f = output.unit.scale

        def scaled(v: float | None, factor: float = piece.factor / f) -> float | None:
            return None if v is None else v * factor

        implied: Summary | None
        method: Literal["paired", "model", "none"]
        if pub.not_implied:
            implied, method = None, "none"
        elif pub.paired:
            implied, method = _paired(plan, pub, claim, piece.factor), "paired"
        else:
            draws = piece.interval.distribution().sample(rng, n) / fml.evaluate(pub.quantity, values)
            implied, method = summarise(draws, pub.implied_unit.scale), "model"
        out.append(PublishedResult(pub.id, pub.label, claim.id, source.id, source.publisher,
                                   source.published.isoformat(), str(claim.as_of), output.name, str(output.unit),
                                   scaled(claim.low), scaled(claim.central), scaled(claim.high),
                                   str(pub.implied_unit), implied, pub.quantity.text, qclaims, method,
                                   pub.not_implied))
    return out


def _stated(claim: Claim) -> tuple[float, float, float]:
    """A claim's low, central and high, each standing in for the ones it does not state."""
    central = claim.central if claim.central is not None else (
        (claim.low + claim.high) / 2 if claim.low is not None and claim.high is not None
        else claim.low if claim.low is not None else claim.high)
    assert central is not None  # a claim states at least one number
    low = claim.low if claim.low is not None else central
    high = claim.high if claim.high is not None else central
    return low, central, high


def _paired(plan: Plan, pub: Published, claim: Claim, factor: float) -> Summary | None:
    """The price a publication implies with its own quantities, low over low, central over central and high over
    high (its range is one scenario at each end, not two independent uncertainties): the quantity formula read at
    the stated numbers of the claims of each variable it reads (one claim each, as check requires)."""
    ends: list[dict[str, float]] = [{}, {}, {}]
    reads = closure(plan.variables, sorted(pub.quantity.names))
    for name in sorted(reads):  # the quantity's claims-variables
        var = plan.variables[name]
        if var.definition.kind == "formula":
            continue
        quantity_claim = plan.study.claims[var.definition.claims[0]]
        unit_factor = claim_piece(plan.evidence, quantity_claim, var.unit).factor
        for end, stated in zip(ends, _stated(quantity_claim), strict=True):
            end[name] = stated * unit_factor
    for name in [n for n in plan.order if n in reads]:  # the plan's order holds every quantity of a live estimate
        formula = plan.variables[name].definition.formula
        assert formula is not None
        for end in ends:
            end[name] = float(fml.evaluate(formula, end))
    quantities = [float(fml.evaluate(pub.quantity, end)) for end in ends]
    if any(q <= 0 for q in quantities):
        return None
    low, central, high = (v * factor / q / pub.implied_unit.scale for v, q in zip(_stated(claim), quantities,
                                                                                    strict=True))
    return Summary(central, low, central, high)


def _quantity_claims(plan: Plan, names: frozenset[str]) -> tuple[list[str], list[str]]:
    claims: set[str] = set()
    prices: set[str] = set()
    for name in names:
        found = provenance(plan, name)
        claims.update(found.claims)
        prices.update(found.prices)
    return sorted(claims), sorted(prices)

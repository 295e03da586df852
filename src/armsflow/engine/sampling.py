"""Monte Carlo: draw every input once, impose rank correlations, evaluate the formulas in dependency order."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from armsflow.engine.plan import Plan
from armsflow.model import formula as fml
from armsflow.model.correlation import iman_conover
from armsflow.model.distributions import Array
from armsflow.study.spec import closure


def stream(seed: int, name: str, chunk: int = 0) -> np.random.Generator:
    """The random stream of one input (or of the correlation step) in one chunk of a run.

    Each input draws from a stream of its own, keyed by the seed and the input's name: the draws of an input depend
    on nothing else in the study, so two runs that differ in one input share every other input's draws (common
    random numbers), and adding a variable leaves the others' draws as they were.
    """
    return np.random.default_rng([seed, zlib.crc32(name.encode()), chunk])


def draw_inputs(plan: Plan, seed: int, n: int, chunk: int = 0, only: set[str] | None = None) -> dict[str, Array]:
    """``n`` draws of every input (or of those in ``only``), in base units, each from its own stream (``stream``),
    then rank-correlated."""
    return correlate(plan, draw_own(plan, seed, n, chunk, only), seed, chunk)


def draw_own(plan: Plan, seed: int, n: int, chunk: int = 0, only: set[str] | None = None) -> dict[str, Array]:
    """``n`` draws of every input (or of those in ``only``) from its own stream, before the rank correlation
    (``correlate``) reorders them."""
    return {name: draw_one(plan, name, seed, n, chunk) for name in sorted(plan.inputs)
            if only is None or name in only}


def draw_one(plan: Plan, name: str, seed: int, n: int, chunk: int = 0) -> Array:
    """``n`` draws of the input ``name`` from its own stream: the same whatever else the study holds."""
    return plan.inputs[name].sampler.sample(stream(seed, name, chunk), n)


def needed(plan: Plan, names: list[str]) -> set[str]:
    """The variables ``names`` read, with every correlated input when one of them is read (the rank correlation
    reorders each correlated column by the others, so a run that draws one draws them all, as a full run does)."""
    found = closure(plan.variables, names)
    ranked = correlated(plan)
    return found | closure(plan.variables, ranked) if found & set(ranked) else found


def correlated(plan: Plan) -> list[str]:
    """The inputs that take part in a declared rank correlation, in the order the correlation step takes them."""
    names = sorted({c.a for c in plan.study.correlations} | {c.b for c in plan.study.correlations})
    return [n_ for n_ in names if n_ in plan.inputs]


def correlate(plan: Plan, own: dict[str, Array], seed: int, chunk: int = 0) -> dict[str, Array]:
    """The inputs' draws with the study's rank correlations imposed (Iman–Conover): each correlated input's draws
    reordered, every draw kept; a new dict, ``own`` is left as it was."""
    values = dict(own)
    names = [n for n in correlated(plan) if n in values]  # all or none of them: ``needed``
    if len(names) >= 2:
        target = np.eye(len(names))
        for c in plan.study.correlations:
            if c.a in names and c.b in names:
                i, j = names.index(c.a), names.index(c.b)
                target[i, j] = target[j, i] = c.rho
        # A name no variable can have (names are identifiers), so the step has a stream of its own.
        rng = stream(seed, "<rank correlation>", chunk)
        reordered = iman_conover(np.column_stack([values[x] for x in names]), target, rng)
        for j, name in enumerate(names):
            values[name] = reordered[:, j]
    return values


@dataclass(frozen=True)
class Drawn:
    """One state's input draws: each input's own (``own``, before the rank correlation) and as correlated
    (``values``), so that another state of the same study can take over those of its inputs that did not change."""

    own: dict[str, Array]
    values: dict[str, Array]


def draw_state(plan: Plan, seed: int, n: int, like: tuple[Plan, Drawn] | None = None) -> Drawn:
    """``n`` draws of every input of ``plan`` (chunk 0), the same as ``draw_inputs`` gives. With ``like``, another
    plan of the same study and its draws at the same seed and ``n``: an input whose sampler is the same there has
    the same draws (its own stream), so only the others are drawn, and the rank correlation is imposed again only
    where a correlated input or the correlations changed."""
    if like is None:
        own = draw_own(plan, seed, n)
        return Drawn(own, correlate(plan, own, seed))
    other, drawn = like
    own = {name: drawn.own[name] if name in other.inputs and other.inputs[name].sampler == plan.inputs[name].sampler
           else draw_one(plan, name, seed, n) for name in sorted(plan.inputs)}
    redrawn = {name for name in own if name not in drawn.own or own[name] is not drawn.own[name]}
    names = correlated(plan)
    if (redrawn & set(names) or names != correlated(other)
            or plan.study.correlations != other.study.correlations):
        return Drawn(own, correlate(plan, own, seed))
    return Drawn(own, {name: own[name] if name in redrawn else drawn.values[name] for name in own})


def evaluate(plan: Plan, values: dict[str, Array], wanted: set[str] | None = None) -> dict[str, Array]:
    """Add every formula variable (or those in ``wanted``) to ``values``, in dependency order."""
    for name in plan.order:
        if wanted is not None and name not in wanted:
            continue
        formula = plan.variables[name].definition.formula
        assert formula is not None
        values[name] = fml.evaluate(formula, values)
    return values


#: Runs of at most this many draws are drawn in one piece; larger ones in chunks of a million, to bound memory.
CHUNK = 2_000_000


def simulate(plan: Plan, seed: int, draws: int, progress: Callable[[float], None] | None = None,
             only: set[str] | None = None, drawn: Drawn | None = None) -> dict[str, Array]:
    """All variables' draws for one run (or those in ``only``, a set that holds what it reads: ``needed``), each
    the same as in a run of all. Large runs are drawn in chunks to bound memory. ``drawn``: the inputs drawn
    already (``draw_state`` of this plan at this seed and number of draws, at most ``CHUNK``)."""
    formulas = None if only is None else {n for n in plan.order if n in only}
    if drawn is not None:
        out = evaluate(plan, dict(drawn.values), formulas)
        if progress:
            progress(1.0)
        return out
    if draws <= CHUNK:
        out = evaluate(plan, draw_inputs(plan, seed, draws, only=only), formulas)
        if progress:
            progress(1.0)
        return out
    chunk = 1_000_000
    parts: list[dict[str, Array]] = []
    done = 0
    while done < draws:
        size = min(chunk, draws - done)
        parts.append(evaluate(plan, draw_inputs(plan, seed, size, chunk=len(parts), only=only), formulas))
        done += size
        if progress:
            progress(done / draws)
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

"""Where each claim of a study is used: the model places that name it, as model.toml spells them."""

from __future__ import annotations

from armsflow.study.spec import Definition, Study


def _named(definition: Definition | None) -> tuple[str, ...]:
    if definition is None:
        return ()
    return definition.claims + definition.caps + definition.cites


def claim_uses(study: Study) -> dict[str, list[str]]:
    """For every claim id, the places of the model that name it (``variables.x``, ``scenarios.s.variables.x``,
    ``timelines.t``, ``published.p``, ``indicators.i``), each once, in model order; ``[]`` for an unused claim."""
    uses: dict[str, list[str]] = {c: [] for c in study.claims}

    def add(claims: tuple[str, ...], place: str) -> None:
        for claim in claims:
            if claim in uses and place not in uses[claim]:
                uses[claim].append(place)

    for var in study.variables.values():
        add(_named(var.definition) + _named(var.fallback), f"variables.{var.name}")
    for scenario in study.scenarios.values():
        for var in scenario.overrides.values():
            add(_named(var.definition) + _named(var.fallback), f"scenarios.{scenario.name}.variables.{var.name}")
    for timeline in study.timelines.values():
        add(tuple(c for s in timeline.series for c in s.claims), f"timelines.{timeline.name}")
    for published in study.published.values():
        add((published.claim,), f"published.{published.id}")
    for indicator in study.indicators.values():
        add(indicator.published, f"indicators.{indicator.name}")
    return uses

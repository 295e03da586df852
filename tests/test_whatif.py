"""The incremental what-if (``Baseline.what_if``) against the full recompute (``what_if``): the same result, number
for number, whichever assumptions change, in every scenario, at a cut-off, with correlated assumptions and with the
Sobol drivers; and only what changed is drawn again."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

import armsflow
from armsflow.engine import sampling
from armsflow.engine.whatif import baseline, what_if
from armsflow.errors import ParameterError
from conftest import write_study

FLAGSHIP = armsflow.load_study("russia-dprk")
CHANGES: list[dict[str, dict[str, Any]]] = [
    {},
    {"munitions_share": {"dist": "uniform", "low": 0.2, "high": 0.4}},
    {"share_152": {"dist": "triangular", "low": 0.5, "mode": 0.7, "high": 0.9},
     "price_system": {"dist": "lognormal", "low": 1e5, "high": 5e6}},
    {"delivery_years": {"dist": "point", "value": 2.0}},
]


@pytest.mark.parametrize("scenario", [None, *sorted(FLAGSHIP.scenarios)])
def test_baseline_gives_what_the_full_recompute_gives(scenario: str | None) -> None:
    base = baseline(FLAGSHIP, scenario=scenario, draws=5000)
    for change in CHANGES:
        full = what_if(FLAGSHIP, change, scenario=scenario, draws=5000, sensitivity=False)
        assert base.what_if(change).to_dict() == full.to_dict(), change


def test_baseline_at_a_cutoff_and_with_the_drivers() -> None:
    day = date(2024, 10, 28)
    base = baseline(FLAGSHIP, as_of=day, draws=3000, seed=5)
    change = CHANGES[1]
    full = what_if(FLAGSHIP, change, as_of=day, draws=3000, seed=5, sensitivity=True)
    incremental = base.what_if(change, sensitivity=True)
    assert incremental.to_dict() == full.to_dict()
    assert incremental.sensitivity  # the drivers are there, not skipped


CORRELATED = """
[variables.a]
label = "a"
unit = "1"
dist = "uniform"
low = 0
high = 1
assumption = "test"

[variables.b]
label = "b"
unit = "1"
dist = "normal"
mean = 5
sd = 1
assumption = "test"

[variables.c]
label = "c"
unit = "1"
dist = "uniform"
low = 2
high = 3
assumption = "test"

[[correlations]]
between = ["a", "b"]
rho = 0.8
reason = "test"

[outputs.ab]
label = "a times b"
unit = "1"
formula = "a * b"

[outputs.c2]
label = "c squared"
unit = "1"
formula = "c * c"
"""


def test_a_correlated_assumption_is_reordered_as_in_a_full_run(tmp_path: Path) -> None:
    study = armsflow.load_study(write_study(tmp_path / "s", CORRELATED))
    base = baseline(study)
    for change in ({"a": {"dist": "uniform", "low": 1, "high": 4}}, {"b": {"dist": "normal", "mean": 1, "sd": 3}},
                   {"c": {"dist": "point", "value": 2}}):
        assert base.what_if(change).to_dict() == what_if(study, change, sensitivity=False).to_dict(), change


def test_only_the_changed_assumption_is_drawn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    base = baseline(FLAGSHIP, draws=2000)
    drawn: list[str] = []
    original = sampling.draw_one

    def counting(plan: Any, name: str, *args: Any) -> Any:
        drawn.append(name)
        return original(plan, name, *args)

    monkeypatch.setattr("armsflow.engine.whatif.draw_one", counting)
    result = base.what_if(CHANGES[1])
    assert drawn == ["munitions_share"]
    # Outputs that do not read the assumption keep the baseline's very summaries; those that do are new.
    kept = {r.id for r in result.results if any(r is b for b in base.result.results)}
    reads = {r.id for r in result.results if "munitions_share" in base.plan.depends_on(r.id)}
    assert kept and reads and not kept & reads and kept | reads == {r.id for r in result.results}
    # So do their drivers: only the headlines that read the assumption get a new Sobol design.
    drivers = base.what_if(CHANGES[1], sensitivity=True).sensitivity
    assert {o for o in drivers if drivers[o] is base.drivers[o]} == {o for o in drivers if o in kept} != set()
    drawn.clear()
    base.what_if({"munitions_share": {"dist": "uniform", "low": 0.75, "high": 1}})  # the study's own table
    assert drawn == []


def test_baseline_refuses_what_it_cannot_keep() -> None:
    with pytest.raises(ParameterError, match="draws"):
        baseline(FLAGSHIP, draws=sampling.CHUNK + 1)
    with pytest.raises(ParameterError, match="seed"):
        baseline(FLAGSHIP, seed=-1)
    with pytest.raises(ParameterError, match="not an assumption"):
        baseline(FLAGSHIP, draws=1000).what_if({"pay": {"dist": "point", "value": 1}})


def test_a_kind_switch_keeps_the_range_and_the_centre() -> None:
    from armsflow.engine.whatif import FORM_KINDS, Z90, convert_table, table_keys

    uniform = {"dist": "uniform", "low": 2.0, "high": 6.0}
    assert convert_table(uniform, "pert") == {"dist": "pert", "low": 2.0, "mode": 4.0, "high": 6.0}
    assert convert_table(uniform, "point") == {"dist": "point", "value": 4.0}
    normal = convert_table(uniform, "normal")
    assert normal["mean"] == 4.0 and normal["mean"] + Z90 * normal["sd"] == pytest.approx(6.0)
    back = convert_table(normal, "lognormal")  # the normal's 90 % interval is the lognormal's
    assert back == pytest.approx({"dist": "lognormal", "low": 2.0, "high": 6.0})
    assert convert_table({"dist": "lognormal", "low": 1.0, "high": 100.0}, "triangular")["mode"] == 10.0
    skewed = convert_table({"dist": "pert", "low": 1.0, "mode": 9.0, "high": 10.0}, "normal")
    assert skewed["mean"] == 9.0
    for kind in FORM_KINDS:  # every conversion gives a table of the kind's own keys
        assert set(convert_table(uniform, kind)) - {"dist"} <= set(table_keys(kind))
    with pytest.raises(ParameterError, match="dist"):
        table_keys("beta")

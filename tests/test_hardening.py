"""Hostile values that pass the study check but would reach NumPy, SciPy or the allocator unchecked: each stops
with one line naming the variable (or the option) and exit code 2, never a traceback or a silent infinity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from armsflow.cli import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _formula(mini: Path, formula: str) -> None:
    model = mini / "model.toml"
    model.write_text(model.read_text().replace('formula = "containers * rpc * price"', f'formula = "{formula}"'))


@pytest.mark.parametrize("formula", ["containers * rpc * price * rpc / (rpc - rpc)",
                                     "containers * rpc * price * 10 ** 400"])
def test_a_formula_that_is_not_finite_names_itself(mini: Path, formula: str) -> None:
    _formula(mini, formula)
    code, out, err = invoke("run", str(mini), "--no-history")
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.strip() == (f"model.toml:16: outputs.value: {formula} is not a finite number in 100% of the draws "
                           "(a division by zero or an overflow), from finite values of containers, price, rpc")


def test_an_input_whose_parameters_overflow_is_refused_at_its_line(mini: Path) -> None:
    model = mini / "model.toml"
    model.write_text(model.read_text().replace(
        '[variables.rpc]\nlabel = "Rounds per container"\nunit = "round/container"\nclaims = ["C4"]',
        '[variables.rpc]\nlabel = "Rounds per container"\nunit = "round/container"\ndist = "uniform"\n'
        'low = -1.7e308\nhigh = 1.7e308\nassumption = "hostile"'))
    code, _, err = invoke("run", str(mini), "--no-history")
    assert code == 2
    assert err.strip() == "model.toml:11: variables.rpc.high: the span from low to high is too wide to sample"


def test_draws_past_the_memory_budget_are_refused_before_allocating(mini: Path) -> None:
    code, _, err = invoke("run", str(mini), "--draws", "100000000", "--no-history")
    assert code == 2 and err.startswith("--draws: 100,000,000 draws of 4 variables need about ")
    assert "over the memory budget of 4.0 GiB (ARMSFLOW_MEMORY_GIB); at most " in err


def test_the_memory_budget_can_be_set_and_is_checked(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARMSFLOW_MEMORY_GIB", "0.001")
    code, _, err = invoke("run", str(mini), "--no-history")
    assert code == 2 and "over the memory budget of 0.0 GiB" in err
    monkeypatch.setenv("ARMSFLOW_MEMORY_GIB", "lots")
    code, _, err = invoke("run", str(mini), "--no-history")
    assert code == 2 and err.strip() == "ARMSFLOW_MEMORY_GIB: expected a positive number of GiB, got 'lots'"


def test_a_sobol_design_past_the_budget_is_refused(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARMSFLOW_MEMORY_GIB", "1")
    study = mini / "study.toml"
    study.write_text(study.read_text().replace("sobol_n = 256", "sobol_n = 1048576"))
    code, _, err = invoke("run", str(mini), "--no-history")
    assert code == 2 and err.startswith("study.toml: study.sobol_n: 1,048,576 needs about 2.5 GiB for value")


def test_json_output_is_standard_even_with_empty_results(mini: Path) -> None:
    """Numbers that are not finite (an inf rate ratio, say) are written as null, never as NaN or Infinity."""
    from armsflow.results import to_json

    text = to_json({"a": float("nan"), "b": [float("inf"), 1.0]})
    assert json.loads(text) == {"a": None, "b": [None, 1.0]} and "NaN" not in text


def test_a_study_file_larger_than_the_limit_is_not_read(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from armsflow.study import loader

    monkeypatch.setattr(loader, "MAX_BYTES", 100)
    problems = loader.check_study(mini)
    assert any(p.file == "claims.csv" and "larger than" in p.message for p in problems)

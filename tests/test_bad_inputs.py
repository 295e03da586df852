"""A data-driven corpus of bad study folders (tests/data/bad_cases.toml).

Every case copies the valid study ``tests/data/mini``, applies a few edits and names the exact problem lines that
``armsflow.check_study`` must report, each as ``file:line: field: message``. Cases marked ``cli = true`` also go
through the command line: ``armsflow check`` and ``armsflow run`` must exit with code 2, print the expected lines
and never a traceback. Independently of the expectations, every case also goes through ``check`` and ``run``
(``test_cli_rejects_bad_input``): exit code 2, exactly the library's problem lines on stderr, no traceback, and
nothing written into the study folder.

Edits, applied in this order (every path is relative to the study folder):

* ``delete = ["model.toml"]`` removes files;
* ``replace = [[file, old, new]]`` replaces text that must occur exactly once;
* ``append = [[file, text]]`` adds text at the end;
* ``append_latin1 = [[file, text]]`` adds text encoded as Latin-1 (to make a file that is not UTF-8).

In any edit text and expected line, ``<<TEXT*N>>`` stands for TEXT repeated N times (huge or deeply nested inputs).
A case whose current behaviour is wrong keeps the correct expectation and says why in ``xfail = "..."``.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import armsflow
from armsflow.cli import app

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini"
CASES_FILE = DATA / "bad_cases.toml"
EDIT_KEYS = ("delete", "replace", "append", "append_latin1")
CASE_KEYS = {"name", "expect", "cli", "xfail", *EDIT_KEYS}
REPEAT = re.compile(r"<<(.+?)\*(\d+)>>", re.DOTALL)


def expand(text: str) -> str:
    """Expand ``<<TEXT*N>>`` into TEXT repeated N times."""
    return REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), text)


def load_cases() -> list[dict[str, Any]]:
    cases = tomllib.loads(CASES_FILE.read_text(encoding="utf-8"))["case"]
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    for case in cases:
        unknown = set(case) - CASE_KEYS
        assert not unknown, f"{case['name']}: unknown keys {sorted(unknown)}"
        assert case["expect"], f"{case['name']}: a bad-input case must expect at least one problem"
    return cases


CASES = load_cases()


def build(case: dict[str, Any], target: Path) -> Path:
    """A copy of the mini study with the case's edits applied."""
    shutil.copytree(MINI, target)
    for name in case.get("delete", []):
        (target / name).unlink()
    for name, old, new in case.get("replace", []):
        path = target / name
        text = path.read_text(encoding="utf-8")
        old, new = expand(old), expand(new)
        assert text.count(old) == 1, f"{case['name']}: {old!r} must occur exactly once in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    for name, extra in case.get("append", []):
        with (target / name).open("a", encoding="utf-8") as fh:
            fh.write(expand(extra))
    for name, extra in case.get("append_latin1", []):
        with (target / name).open("ab") as fh:
            fh.write(expand(extra).encode("latin-1"))
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _param(case: dict[str, Any]) -> Any:
    marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
    return pytest.param(case, id=case["name"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input(case: dict[str, Any], tmp_path: Path) -> None:
    folder = build(case, tmp_path / "study")
    before = snapshot(folder)
    expected = [expand(line) for line in case["expect"]]

    problems = armsflow.check_study(folder)
    assert [str(p) for p in problems] == expected
    assert all(isinstance(p, armsflow.Problem) for p in problems)

    with pytest.raises(armsflow.StudyError) as info:
        armsflow.load_study(folder)
    assert [str(p) for p in info.value.problems] == expected

    if case.get("cli"):
        runner = CliRunner()
        for args in (["check", str(folder)], ["run", str(folder), "--draws", "200", "--no-sensitivity"]):
            result = runner.invoke(app, args)
            assert result.exit_code == 2, (args, result.exit_code, result.output, result.exc_info)
            assert isinstance(result.exception, SystemExit), result.exc_info
            assert "Traceback" not in result.output
            assert result.stdout == ""
            if args[0] == "check":
                assert result.stderr.splitlines() == [*expected, f"{len(expected)} problem(s)"]
            else:
                assert result.stderr.splitlines() == expected

    assert snapshot(folder) == before, "checking or running a bad study must not write into it"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_cli_rejects_bad_input(case: dict[str, Any], tmp_path: Path) -> None:
    """Whatever the library finds (right or not yet), the CLI prints exactly that, exits 2 and never crashes."""
    folder = build(case, tmp_path / "study")
    before = snapshot(folder)
    found = [str(p) for p in armsflow.check_study(folder)]
    assert found, "a bad input must give at least one problem"
    runner = CliRunner()
    for args, tail in ((["check", str(folder)], [f"{len(found)} problem(s)"]),
                       (["run", str(folder), "--draws", "200", "--no-sensitivity"], [])):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.exit_code, result.output, result.exc_info)
        assert isinstance(result.exception, SystemExit), result.exc_info
        assert "Traceback" not in result.output
        assert result.stdout == ""
        assert result.stderr.splitlines() == found + tail
    assert snapshot(folder) == before


# -- run-time problems: --scenario and --as-of ---------------------------------------------------------------------


def _run_fails(args: list[str]) -> list[str]:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, (result.exit_code, result.output, result.exc_info)
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return result.stderr.splitlines()


def test_run_unknown_scenario(tmp_path: Path) -> None:
    folder = build({"name": "scenario"}, tmp_path / "study")
    lines = _run_fails(["run", str(folder), "--scenario", "nope", "--draws", "200", "--no-sensitivity"])
    assert lines == ["model.toml: scenario: unknown scenario 'nope' (known: cheap)"]


def test_run_as_of_leaves_variable_without_evidence(tmp_path: Path) -> None:
    # Before 2024-03-01 no source is published: containers, rpc and price lose all their evidence.
    folder = build({"name": "as-of"}, tmp_path / "study")
    lines = _run_fails(["run", str(folder), "--as-of", "2024-01-15", "--draws", "200", "--no-sensitivity"])
    assert lines == [
        "model.toml:1: variables.containers: no evidence published on or before 2024-01-15 (C1, C2) and no fallback",
        "model.toml:6: variables.rpc: no evidence published on or before 2024-01-15 (C4) and no fallback",
        "model.toml:11: variables.price: no evidence published on or before 2024-01-15 (P1, P2) and no fallback",
    ]


def test_run_as_of_one_variable_without_evidence(tmp_path: Path) -> None:
    # On 2024-03-01 only S1 is published: containers keeps C1, price keeps P2, rpc (C4 from S2) has nothing.
    folder = build({"name": "as-of"}, tmp_path / "study")
    lines = _run_fails(["run", str(folder), "--as-of", "2024-03-01", "--draws", "200", "--no-sensitivity"])
    assert lines == ["model.toml:6: variables.rpc: no evidence published on or before 2024-03-01 (C4) and no fallback"]


# -- init -----------------------------------------------------------------------------------------------------------


def test_init_into_existing_folder_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    lines = _run_fails(["init", str(target)])
    assert lines == [f"{target}: already exists; choose a new folder"]
    assert snapshot(target) == {"notes.txt": b"mine\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_init_into_existing_file_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.write_text("a file\n")
    lines = _run_fails(["init", str(target)])
    assert lines == [f"{target}: already exists; choose a new folder"]
    assert target.read_text() == "a file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]

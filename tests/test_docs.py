"""Documentation stays true: every command is documented; the README keeps its two-command Quick start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command

from armsflow.cli import app

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize("command", sorted(get_command(app).commands))  # type: ignore[attr-defined]
def test_every_command_is_documented(command: str) -> None:
    assert f"armsflow {command}" in README


def test_quick_start_has_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash)?\n(.*?)```", section, re.S)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2


def test_format_doc_names_every_distribution() -> None:
    from armsflow.model.distributions import KINDS

    doc = (ROOT / "docs" / "study-format.md").read_text()
    for kind in KINDS:
        assert f"`{kind}`" in doc


def test_readme_python_examples_run_as_doctests() -> None:
    """The README's Python API block is a doctest: what it shows is what the library returns."""
    import datetime
    import doctest

    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks and any(">>>" in b for b in blocks)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for i, block in enumerate(blocks):
        test = parser.get_doctest(block, {"datetime": datetime}, f"README.md python block {i + 1}", "README.md", 0)
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0 and result.attempted > 0


def test_ci_runs_the_readme_s_test_command() -> None:
    """.ci/run ends in the README's second Quick start command, as written."""
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash)?\n(.*?)```", section, re.S)
    assert block is not None
    test_command = [line for line in block.group(1).splitlines() if line.strip()][1]
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1] == test_command


def test_readme_counts_the_flagship_s_evidence_as_it_is() -> None:
    """"cites N sources ... and M claims and K price references": the flagship's own tables, counted."""
    from armsflow import load_study

    study = load_study("russia-dprk")
    text = " ".join(README.split())
    cited = re.search(r"cites (\d+) sources .*? and (\d+) claims and (\d+) price references", text)
    assert cited is not None
    assert tuple(int(g) for g in cited.groups()) == (len(study.sources), len(study.claims), len(study.prices))

"""Results about study folders themselves: what a bundled study holds, a check, a new copy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from armsflow.errors import Problem
from armsflow.results.base import Result


@dataclass(frozen=True)
class Named:
    """An id with its label: an output, or a scenario."""

    id: str
    label: str


@dataclass(frozen=True)
class StudyInfo:
    name: str
    title: str
    default: bool
    results: list[Named]
    scenarios: list[Named]


@dataclass(frozen=True)
class StudyList(Result):
    """``armsflow studies``: the bundled studies, each with its results and scenarios."""

    studies: list[StudyInfo]


@dataclass(frozen=True)
class CheckResult(Result):
    """``armsflow check``: every problem found in a study folder (none when it is sound)."""

    study: str
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class InitResult(Result):
    """``armsflow init``: the new study folder and the files copied into it."""

    folder: Path
    source: str
    files: list[Path]

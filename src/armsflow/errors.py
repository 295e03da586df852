"""Problems found in user input, reported as ``file:line: field: message``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one place of a study folder (or another input file)."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ArmsflowError(Exception):
    """Base class of every error armsflow raises on bad input; the CLI turns it into exit code 2."""


class StudyError(ArmsflowError):
    """A study (or other input) has one or more problems; each is a one-line ``Problem``."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line, p.field, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


def fail(file: str, line: int, field: str, message: str) -> StudyError:
    """Shorthand for a ``StudyError`` with a single problem."""
    return StudyError([Problem(file, line, field, message)])

"""Every error armsflow raises on bad input, in one tree; the CLI turns each into exit code 2 and one line per problem.

::

    ArmsflowError                 the base: bad input of any kind, never a bug
    ├── InputError                one or more ``Problem``s in input files, each ``file:line: field: message``
    │   └── StudyError            ... in a study folder (``check_study`` returns them, the rest raise them)
    ├── ParameterError            a bad argument of a library function, named as the function names it (``draws``)
    ├── MissingExtraError         an optional part needs an extra that is not installed (``pip install 'armsflow[X]'``)
    └── InvalidValueError         a value the model cannot use (a unit, formula, distribution, currency or claim),
        ├── UnitError             raised by the model layer without a place; the study loader attaches the file,
        ├── FormulaError          line and field and raises a ``StudyError`` instead. They are ``ValueError``s too.
        ├── DistributionError
        ├── MoneyError
        └── ResolveError

The library speaks of parameters (``draws``); only the CLI speaks of options (``--draws``) and maps one to the other.
"""

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


class InputError(ArmsflowError):
    """Input files have one or more problems; each is a one-line ``Problem``."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line, p.field, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class StudyError(InputError):
    """A study folder has one or more problems."""


class ParameterError(ArmsflowError):
    """A library function was given an argument it cannot use; ``parameter`` is the argument's name."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        self.message = message
        super().__init__(f"{parameter}: {message}")


class MissingExtraError(ArmsflowError):
    """An optional part of armsflow needs dependencies that are not installed; the message says what to install."""

    def __init__(self, extra: str, what: str) -> None:
        self.extra = extra
        super().__init__(f"{what} needs the {extra} extra: pip install 'armsflow[{extra}]'")


class InvalidValueError(ArmsflowError, ValueError):
    """A value the model cannot use, reported without its place; callers that know the place attach it."""


def fail(file: str, line: int, field: str, message: str) -> StudyError:
    """Shorthand for a ``StudyError`` with a single problem."""
    return StudyError([Problem(file, line, field, message)])

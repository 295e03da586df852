"""Results of editing a study's files in place: one row of a table (a claim, a source) as it stands, and what an edit
of it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from armsflow.errors import Problem
from armsflow.results.base import Result


@dataclass(frozen=True)
class Row(Result):
    """One row of a study's table as text fields, with ``etag``: a hash of the row's bytes, which changes whenever
    the row does (the version an edit must name to be saved). ``line`` is the row's first line in the file."""

    study: str
    id: str
    line: int
    fields: dict[str, str]
    etag: str


@dataclass(frozen=True)
class ClaimRow(Row):
    """One row of a study's claims.csv."""


@dataclass(frozen=True)
class SourceRow(Row):
    """One row of a study's sources.csv (its grade is the ``reliability`` column, A to F), with ``claims``: the ids
    of the claims in claims.csv that cite it, in the file's order."""

    claims: list[str] = field(default_factory=list)


R = TypeVar("R", bound=Row)


@dataclass(frozen=True)
class RowEdit(Result, Generic[R]):
    """What an edit of one row did: ``saved``, ``unchanged`` (nothing differed), ``invalid`` (``check`` found
    ``problems``; nothing written) or ``conflict`` (the row changed since the version named; nothing written).
    ``row`` is the row as it now stands in the file."""

    status: Literal["saved", "unchanged", "invalid", "conflict"]
    row: R
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class ClaimEdit(RowEdit[ClaimRow]):
    """What an edit of one claim did."""


@dataclass(frozen=True)
class SourceEdit(RowEdit[SourceRow]):
    """What an edit of one source did."""

"""Results of editing a study's files in place: one claim row as it stands, and what an edit of it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from armsflow.errors import Problem
from armsflow.results.base import Result


@dataclass(frozen=True)
class ClaimRow(Result):
    """One row of a study's claims.csv as text fields, with ``etag``: a hash of the row's bytes, which changes
    whenever the row does (the version an edit must name to be saved)."""

    study: str
    id: str
    line: int
    fields: dict[str, str]
    etag: str


@dataclass(frozen=True)
class ClaimEdit(Result):
    """What an edit of one claim did: ``saved``, ``unchanged`` (nothing differed), ``invalid`` (``check`` found
    ``problems``; nothing written) or ``conflict`` (the row changed since the version named; nothing written).
    ``row`` is the row as it now stands in the file."""

    status: Literal["saved", "unchanged", "invalid", "conflict"]
    row: ClaimRow
    problems: list[Problem] = field(default_factory=list)

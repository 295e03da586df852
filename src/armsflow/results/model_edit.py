"""Results of saving assumptions' distributions into a study's model.toml: which lines changed, and the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from armsflow.errors import Problem
from armsflow.results.base import Result


@dataclass(frozen=True)
class LineChange(Result):
    """One line of model.toml a save rewrote (``before`` its old text) or added (``before`` is ``None``); ``line``
    is its number in the file as saved, ``after`` its new text (both without the line ending)."""

    line: int
    before: str | None
    after: str


@dataclass(frozen=True)
class ModelEdit(Result):
    """What a save of distributions did: ``saved``, ``unchanged`` (every value was already in the file),
    ``invalid`` (a refused table, or ``check`` found ``problems`` in the would-be study; nothing written) or
    ``conflict`` (model.toml changed since the version named; nothing written).

    ``etag`` is model.toml's version as it now stands (after a save, the new one). ``changed`` holds the lines
    written, or, when ``check`` refused the would-be study, the lines that would have been. ``scenarios`` names,
    for each variable saved, the scenarios that override it with a table of their own: a save leaves those tables
    as they are.
    """

    status: Literal["saved", "unchanged", "invalid", "conflict"]
    etag: str
    changed: list[LineChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    scenarios: dict[str, list[str]] = field(default_factory=dict)

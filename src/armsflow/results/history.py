"""Results of run history: the recorded runs, and what changed between two states of a study and why the
estimates moved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from armsflow.results.base import Result

ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Change:
    """One row (``file`` a CSV table, ``key`` its id) or one entry (``file`` a TOML file, ``key`` its dotted key)
    that was added, removed or changed; for a change, each field that differs."""

    file: str
    key: str
    kind: ChangeKind
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class RunEntry:
    """One recorded run, as ``armsflow history`` lists it: parameters and the headline medians."""

    id: int
    time: str
    command: str
    version: str
    git_commit: str | None
    inputs_sha256: str
    seed: int
    draws: int
    scenario: str | None
    as_of: str | None
    headlines: dict[str, float | None]


@dataclass(frozen=True)
class HistoryResult(Result):
    """``armsflow history``: the runs recorded in a study folder, oldest first."""

    study: str
    file: str
    runs: list[RunEntry]


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a recorded run, the study seen at an evidence cut-off, or a git revision."""

    label: str
    kind: Literal["run", "as_of", "git", "folder"]
    run: int | None
    as_of: date | None
    commit: str | None
    inputs_sha256: str


@dataclass(frozen=True)
class Part:
    """What one changed group of inputs (one variable's evidence or definition) adds to the change of an output.

    ``added`` and ``removed`` name the claims and prices that entered or left the variable; ``note`` says in words
    what else changed (a fallback given up, a new formula), and ``flags`` says it as codes (``engine.attribution.
    FLAGS``) for an interface that speaks another language."""

    group: str
    label: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    note: str
    effect: float
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutputChange:
    """How far one headline output's median moved from ``before`` to ``after`` (in its unit), and the share of each
    changed group. The parts add up to ``total`` exactly; ``error`` is the standard error of each part when the
    Shapley values were estimated from sampled orders instead of computed over every subset."""

    id: str
    label: str
    unit: str
    before: float
    after: float
    total: float
    parts: tuple[Part, ...]
    exact: bool
    error: float | None


@dataclass(frozen=True)
class DiffResult(Result):
    """``armsflow diff``: the inputs that differ between two states of a study, and the headline medians' moves
    attributed to them (Shapley values over the changed groups, with common random numbers)."""

    study: str
    a: Side
    b: Side
    seed: int
    draws: int
    scenario: str | None
    method: str
    changes: tuple[Change, ...]
    outputs: tuple[OutputChange, ...]
    unattributed: tuple[str, ...]

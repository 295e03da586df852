"""The fixed choices of a dyad query: where it runs, and how late-dated and duplicated events are counted.

Plain enums and a dataclass with no dependency beyond the standard library, so that an interface can offer them as
choices (Typer takes a ``StrEnum`` as a list of values) whether or not the gdelt extra is installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from armsflow.errors import ParameterError


class Backend(StrEnum):
    """Where the query runs: embedded DuckDB, or PySpark (``local[2]`` unless a session is already running)."""

    DUCKDB = "duckdb"
    SPARK = "spark"

    @property
    def dialect(self) -> str:
        """The SQL dialect Ibis compiles to for this backend."""
        return {Backend.DUCKDB: "duckdb", Backend.SPARK: "pyspark"}[self]


class Late(StrEnum):
    """What becomes of an event whose SQLDATE lies more than ``max_lag_days`` before its DATEADDED."""

    DROP = "drop"
    DATEADDED = "dateadded"
    KEEP = "keep"

    @property
    def counted_as(self) -> str:
        """What ``DyadMonth.late`` counts under this rule, in words."""
        return {Late.DROP: "late-dated, not counted", Late.DATEADDED: "re-dated by DATEADDED",
                Late.KEEP: "late-dated"}[self]


class Dedupe(StrEnum):
    """Which events count once: every GLOBALEVENTID (``id``), or also one article coded twice (``source``)."""

    ID = "id"
    SOURCE = "source"


E = TypeVar("E", bound=StrEnum)
#: The longest lag ``DyadRules`` takes: a century, beyond any date GDELT holds (a larger one overflows dates).
MAX_LAG_DAYS = 36_500


def choice(kind: type[E], parameter: str, value: str) -> E:
    """``value`` as a member of ``kind`` (the enum itself or its text), or a ``ParameterError`` naming ``parameter``."""
    try:
        return kind(value)
    except ValueError:
        allowed = [member.value for member in kind]
        raise ParameterError(parameter, f"expected {', '.join(allowed[:-1])} or {allowed[-1]}, got {value!r}") from None


@dataclass(frozen=True)
class DyadRules:
    """How late-dated and duplicated events are treated; the defaults are armsflow's documented rules.

    ``late``: an event whose SQLDATE lies more than ``max_lag_days`` before its DATEADDED is dropped (and counted in
    ``DyadMonth.late``), dated by its DATEADDED, or kept at its SQLDATE. ``dedupe``: ``id`` counts every GLOBALEVENTID
    once (the store already guarantees it); ``source`` also counts events with the same actor countries, event code,
    SQLDATE and SOURCEURL once (the earliest DATEADDED wins). Text values (``late="keep"``) are taken as the enum's.
    """

    max_lag_days: int = 30
    late: Late = Late.DROP
    dedupe: Dedupe = Dedupe.ID

    def __post_init__(self) -> None:
        if not 0 <= self.max_lag_days <= MAX_LAG_DAYS:
            raise ParameterError("max_lag_days", f"must be from 0 to {MAX_LAG_DAYS} days, got {self.max_lag_days}")
        # Frozen: the checked values replace the given ones the only way a frozen dataclass allows.
        object.__setattr__(self, "late", choice(Late, "late", self.late))
        object.__setattr__(self, "dedupe", choice(Dedupe, "dedupe", self.dedupe))

    def to_dict(self) -> dict[str, int | str]:
        return {"max_lag_days": self.max_lag_days, "late": self.late.value, "dedupe": self.dedupe.value}

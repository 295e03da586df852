"""What the GDELT calls return: ``ImportReport`` (``import_files``), ``RepairReport`` (``repair_store``) and
``DyadResult`` (``dyad_monthly``).

Plain dataclasses with ``to_dict``/``to_json``; like ``rules``, they need nothing of the gdelt extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, ClassVar

from armsflow.errors import Problem
from armsflow.gdelt.rules import Backend, DyadRules
from armsflow.results.base import to_json

#: The most problems ``ImportReport.samples`` shows (each file contributes its first five).
MAX_SAMPLES = 100


def _json(data: dict[str, Any], indent: int | None) -> str:
    return to_json(data, indent)  # armsflow's one encoder: standard JSON, numbers that are not finite as null


@dataclass
class ImportReport:
    """What one ``import_files`` call did. Every rejected row is counted; ``samples`` shows the first of them.

    ``fast_path`` tells whether the compiled splitter read any batch (it is off, not installed, or every batch was
    small or declined when it is false); the store is the same either way.
    """

    files_imported: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    duplicates_skipped: int = 0
    samples: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    fast_path: bool = False

    @property
    def rows_per_second(self) -> float:
        return self.rows_imported / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["samples"] = [str(p) for p in self.samples]
        return data

    def to_json(self, indent: int | None = 2) -> str:
        return _json(self.to_dict(), indent)

    def __str__(self) -> str:
        lines = [f"imported {_count(self.rows_imported, 'row')} from {_count(self.files_imported, 'file')} in "
                 f"{self.seconds:.1f} s",
                 f"rejected {_count(self.rows_rejected, 'row')}; skipped "
                 f"{_count(self.duplicates_skipped, 'duplicate event')}",
                 f"skipped {_count(self.files_skipped, 'file')} already imported; "
                 f"{_count(self.files_failed, 'file')} unreadable"]
        return "\n".join(lines + [str(p) for p in self.samples])

    def add_samples(self, problems: Sequence[Problem]) -> None:
        room = MAX_SAMPLES - len(self.samples)
        self.samples.extend(sorted(problems)[:max(room, 0)])


@dataclass
class RepairReport:
    """What ``repair_store`` did: parts kept and removed, whether the catalogue was rebuilt, files to import again."""

    parts_kept: int = 0
    events_kept: int = 0
    parts_removed: list[str] = field(default_factory=list)
    catalogue_rebuilt: bool = False
    reimport: list[str] = field(default_factory=list)
    #: Volume files (a part's daily counts) written again from their part, as they did not read or count it.
    volumes_rewritten: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self, indent: int | None = 2) -> str:
        return _json(self.to_dict(), indent)

    def __str__(self) -> str:
        lines = [f"kept {self.parts_kept} parts ({self.events_kept:,} events); removed {len(self.parts_removed)} "
                 f"damaged parts" + (" (moved to damaged/)" if self.parts_removed else "")]
        if self.catalogue_rebuilt:
            lines.append("the catalogue could not be read and was rebuilt from the parts: it no longer knows which "
                         "files were imported; import them all again (events already held are skipped)")
        elif self.reimport:
            lines.append("import these files again to restore the removed events: " + ", ".join(self.reimport))
        if self.volumes_rewritten:
            lines.append(f"wrote {self.volumes_rewritten} volume files again from their parts")
        if not self.parts_removed and not self.catalogue_rebuilt and not self.volumes_rewritten:
            lines.append("no damage found")
        return "\n".join(lines)


@dataclass(frozen=True)
class DyadMonth:
    """Events of one family between the two countries (either direction) in one month.

    ``count``: events counted; ``total_events``: all events in the store that month under the same rules;
    ``per_million``: ``count`` per million of ``total_events`` (None when the store holds no events that month);
    ``late``: events of this family and month that the late-date rule touched (dropped, re-dated or kept).
    """

    month: date
    family: str
    count: int
    total_events: int
    per_million: float | None
    late: int

    def to_dict(self) -> dict[str, Any]:
        return {"month": self.month.strftime("%Y-%m"), "family": self.family, "count": self.count,
                "total_events": self.total_events, "per_million": self.per_million, "late": self.late}


@dataclass(frozen=True)
class DyadResult:
    """Monthly events between countries ``a`` and ``b`` by CAMEO family, with the query that produced them.

    ``months`` has one row per month and family, from the first to the last month with events in the window; it is
    empty when the store holds no events there. ``header()`` names the columns of ``DyadMonth.to_dict()``.
    """

    COLUMNS: ClassVar[tuple[str, ...]] = ("month", "family", "count", "total_events", "per_million", "late")

    a: str
    b: str
    since: date | None
    until: date | None
    backend: Backend
    rules: DyadRules
    months: tuple[DyadMonth, ...]

    def header(self) -> tuple[str, ...]:
        """The column names, in the order of every month's ``to_dict()``."""
        return self.COLUMNS

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None, "backend": self.backend.value,
                "rules": self.rules.to_dict(), "columns": list(self.COLUMNS),
                "months": [m.to_dict() for m in self.months]}

    def to_json(self, indent: int | None = 2) -> str:
        return _json(self.to_dict(), indent)


def _count(n: int, noun: str) -> str:
    """``n`` with thousands separators and ``noun`` in the singular or plural ("1 file", "2,000 rows")."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")

"""GDELT 2.0 events (the gdelt extra): import export files into a local store, count dyad events by month.

    from armsflow.gdelt import import_files, dyad_monthly
    report = import_files([Path("downloads/")], Path("gdelt-store"))  # bad files are reported and skipped
    result = dyad_monthly(Path("gdelt-store"), "RUS", "PRK", since=date(2023, 1, 1))

See ``docs/gdelt.md`` for the store layout, the rules (duplicates, late-dated events) and the backends.

The functions need the gdelt extra (``pip install 'armsflow[gdelt]'``), the Spark backend the spark extra. They
load on first use, so importing this package imports neither DuckDB, Ibis nor PySpark; without the extra, importing
them still works and calling one raises ``MissingExtraError`` with the pip command. The enums, ``DyadRules`` and the
result classes need no extra, so an interface can offer their choices either way.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any, NoReturn

from armsflow.errors import MissingExtraError
from armsflow.gdelt.results import DyadMonth, DyadResult, ImportReport, RepairReport
from armsflow.gdelt.rules import MAX_LAG_DAYS, Backend, Dedupe, DyadRules, Late
from armsflow.gdelt.schema import Family, families

__all__ = [
    "Backend",
    "Dedupe",
    "DyadMonth",
    "DyadResult",
    "DyadRules",
    "Family",
    "ImportReport",
    "Late",
    "MAX_LAG_DAYS",
    "RepairReport",
    "dyad_expr",
    "dyad_monthly",
    "dyad_sql",
    "events_table",
    "families",
    "import_files",
    "read_parts",
    "repair_store",
    "spark_session",
    "stop_spark",
    "volume_table",
]

#: The functions that need the gdelt extra, and the module each is in.
_LAZY = {
    "dyad_expr": "queries",
    "dyad_monthly": "queries",
    "dyad_sql": "queries",
    "events_table": "queries",
    "import_files": "importer",
    "read_parts": "store",
    "repair_store": "repair",
    "spark_session": "backends",
    "stop_spark": "backends",
    "volume_table": "queries",
}
#: The top-level modules the gdelt extra installs that armsflow.gdelt imports when it loads (Numba is optional).
_EXTRA_MODULES = frozenset({"duckdb", "ibis", "sqlglot", "blake3", "isal"})

if TYPE_CHECKING:
    from armsflow.gdelt.backends import spark_session, stop_spark
    from armsflow.gdelt.importer import import_files
    from armsflow.gdelt.queries import dyad_expr, dyad_monthly, dyad_sql, events_table, volume_table
    from armsflow.gdelt.repair import repair_store
    from armsflow.gdelt.store import read_parts


def _needs_extra(name: str, cause: ImportError) -> Callable[..., NoReturn]:
    """A stand-in for ``name`` that raises ``MissingExtraError`` when called."""

    def unavailable(*args: object, **kwargs: object) -> NoReturn:
        raise MissingExtraError("gdelt", "GDELT support") from cause

    unavailable.__name__ = unavailable.__qualname__ = name
    unavailable.__doc__ = f"Needs the gdelt extra, which is not installed: pip install 'armsflow[gdelt]' ({cause})."
    return unavailable


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        module = import_module(f"{__name__}.{_LAZY[name]}")
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in _EXTRA_MODULES:
            raise
        return _needs_extra(name, exc)
    return getattr(module, name)

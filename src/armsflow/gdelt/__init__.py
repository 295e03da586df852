"""GDELT 2.0 events (an optional extra): import export files into a local store, count dyad events by month.

    from armsflow.gdelt import import_files, dyad_monthly
    report = import_files([Path("downloads/")], Path("gdelt-store"))
    months = dyad_monthly(Path("gdelt-store"), "RUS", "PRK", since=date(2023, 1, 1))

See ``docs/gdelt.md`` for the store layout, the rules (duplicates, late-dated events) and the backends. Modules load
on first use, so importing this package does not import DuckDB, Ibis or PySpark.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "DyadMonth",
    "DyadRules",
    "ImportReport",
    "dyad_expr",
    "dyad_monthly",
    "dyad_sql",
    "events_table",
    "families",
    "import_files",
    "read_parts",
    "spark_session",
    "stop_spark",
    "volume_table",
]

_LAZY = {
    "DyadMonth": "queries",
    "DyadRules": "queries",
    "ImportReport": "importer",
    "dyad_expr": "queries",
    "dyad_monthly": "queries",
    "dyad_sql": "queries",
    "events_table": "queries",
    "families": "schema",
    "import_files": "importer",
    "read_parts": "store",
    "spark_session": "backends",
    "stop_spark": "backends",
    "volume_table": "queries",
}

if TYPE_CHECKING:
    from armsflow.gdelt.backends import spark_session, stop_spark
    from armsflow.gdelt.importer import ImportReport, import_files
    from armsflow.gdelt.queries import (
        DyadMonth,
        DyadRules,
        dyad_expr,
        dyad_monthly,
        dyad_sql,
        events_table,
        volume_table,
    )
    from armsflow.gdelt.schema import families
    from armsflow.gdelt.store import read_parts


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"armsflow.gdelt.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Where the dyad query runs: embedded DuckDB (default) or PySpark.

The query is one Ibis expression over ``gdelt_events`` and ``gdelt_volume``, compiled by Ibis to each backend's SQL
(``queries.dyad_sql``); this module binds the two names to the store's Parquet parts (the list comes from the
catalogue) and runs that SQL. PySpark is imported only when asked for;
armsflow starts a ``local[2]`` session bound to 127.0.0.1 without the web UI, unless the program already has a
SparkSession (then that one is used, e.g. on a cluster).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from armsflow.errors import MissingExtraError
from armsflow.gdelt.rules import Backend
from armsflow.gdelt.store import Part, damaged, first_line, shared_connection, sql_list

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

EVENTS_TABLE = "gdelt_events"
VOLUME_TABLE = "gdelt_volume"

#: Settings of the local session armsflow starts when no SparkSession is running.
SPARK_CONF = {
    "spark.master": "local[2]",
    "spark.app.name": "armsflow-gdelt",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
}


def execute(sql: str, parts: Sequence[Part], backend: Backend) -> list[dict[str, Any]]:
    """Run ``sql`` (compiled from an Ibis expression for ``backend.dialect``) with ``gdelt_events`` and
    ``gdelt_volume`` bound to the parts' Parquet files; one dict a row."""
    tables = {EVENTS_TABLE: [p.path for p in parts], VOLUME_TABLE: [p.volume for p in parts]}
    return _run_duckdb(sql, tables) if backend is Backend.DUCKDB else _run_spark(sql, tables)


def _run_duckdb(sql: str, tables: dict[str, list[Path]]) -> list[dict[str, Any]]:
    raw = shared_connection()
    try:
        for name, files in tables.items():
            raw.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet({sql_list(files)})")
        cursor = raw.execute(sql)
        names = [column[0] for column in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    except duckdb.Error as exc:
        # The SQL is ours and tested: what fails here is reading a part damaged inside (read_parts found its footer
        # whole), short of memory or an interruption.
        if isinstance(exc, (duckdb.InterruptException, duckdb.OutOfMemoryException)):
            raise
        events = tables[EVENTS_TABLE]
        raise damaged(events[0].parent.parent if events else Path("."), f"a part cannot be read: {first_line(exc)}"
                      ) from None


def require_spark() -> None:
    """Raise ``MissingExtraError`` naming the spark extra unless PySpark can be imported."""
    try:
        import pyspark.sql  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError("spark", "the spark backend") from exc


def spark_session() -> SparkSession:
    """The running SparkSession, or a new local one with ``SPARK_CONF`` (needs the spark extra and Java 17)."""
    require_spark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # read by the JVM before any setting applies
    builder = SparkSession.builder
    for key, value in SPARK_CONF.items():
        builder = builder.config(key, value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # py4j leaves its handshake sockets to the GC
        session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def stop_spark() -> None:
    """Stop the active SparkSession, if any (tests and short programs call this once at the end)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return
    active = SparkSession.getActiveSession()
    if active is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            active.stop()


def _run_spark(sql: str, tables: dict[str, list[Path]]) -> list[dict[str, Any]]:
    session = spark_session()
    try:
        for name, files in tables.items():
            session.read.parquet(*[str(p) for p in files]).createOrReplaceTempView(name)
        # Collect rows directly: ibis' own execute goes through toPandas, which warns under pandas 3, and PySpark's
        # result socket is closed by the garbage collector, which raises a ResourceWarning. Neither affects the rows.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            rows = [row.asDict() for row in session.sql(sql).collect()]
    except Exception as exc:
        # As on DuckDB: the SQL is ours, so Spark failing on the parts means a part damaged inside.
        if not type(exc).__module__.startswith(("pyspark", "py4j")):
            raise
        events = tables[EVENTS_TABLE]
        raise damaged(events[0].parent.parent if events else Path("."), f"a part cannot be read: {first_line(exc)}"
                      ) from None
    return rows

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
from typing import TYPE_CHECKING, Any, Literal, get_args

from armsflow.errors import Problem, StudyError
from armsflow.gdelt.store import Part, shared_connection, sql_list

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

Backend = Literal["duckdb", "spark"]
BACKENDS: tuple[str, ...] = get_args(Backend)
#: The SQL dialect Ibis compiles to for each backend.
DIALECTS: dict[str, str] = {"duckdb": "duckdb", "spark": "pyspark"}
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


def check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise StudyError([Problem("backend", 0, "", f"unknown backend {backend!r}: use {' or '.join(BACKENDS)}")])


def execute(sql: str, parts: Sequence[Part], backend: str) -> list[dict[str, Any]]:
    """Run ``sql`` (compiled from an Ibis expression for ``DIALECTS[backend]``) with ``gdelt_events`` and
    ``gdelt_volume`` bound to the parts' Parquet files; one dict a row."""
    check_backend(backend)
    tables = {EVENTS_TABLE: [p.path for p in parts], VOLUME_TABLE: [p.volume for p in parts]}
    return _run_duckdb(sql, tables) if backend == "duckdb" else _run_spark(sql, tables)


def _run_duckdb(sql: str, tables: dict[str, list[Path]]) -> list[dict[str, Any]]:
    raw = shared_connection()
    for name, files in tables.items():
        raw.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet({sql_list(files)})")
    cursor = raw.execute(sql)
    names = [column[0] for column in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def spark_session() -> SparkSession:
    """The running SparkSession, or a new local one with ``SPARK_CONF`` (PySpark must be installed)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise StudyError([Problem("backend", 0, "", "the spark backend needs PySpark (and Java 17+): "
                                  "pip install 'pyspark>=3.5,<4.1'")]) from None
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
    for name, files in tables.items():
        session.read.parquet(*[str(p) for p in files]).createOrReplaceTempView(name)
    # Collect rows directly: ibis' own execute goes through toPandas, which warns under pandas 3, and PySpark's
    # result socket is closed by the garbage collector, which raises a ResourceWarning. Neither affects the rows.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        rows = [row.asDict() for row in session.sql(sql).collect()]
    return rows

"""Monthly event counts for a country pair by CAMEO family, written once as an Ibis expression.

The expression is built against an unbound table named ``gdelt_events`` with the store's schema, so the same
expression compiles to DuckDB SQL (the embedded default) and to Spark SQL (PySpark in local mode or on a cluster);
``tests/data/gdelt/snapshots/`` keeps both compilations. Counts are normalised by the month's total event volume
(events per million), as the GDELT codebook advises, since the number of monitored sources changes over time.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Any

import ibis  # type: ignore[import-untyped, unused-ignore]
import ibis.expr.types as ir  # type: ignore[import-untyped, unused-ignore]

from armsflow.errors import ParameterError
from armsflow.gdelt.backends import EVENTS_TABLE, VOLUME_TABLE, execute, require_spark
from armsflow.gdelt.results import DyadMonth, DyadResult
from armsflow.gdelt.rules import Backend, Dedupe, DyadRules, Late, choice
from armsflow.gdelt.schema import COLUMNS, COUNTRY, IBIS_TYPES, STORED, Family, families
from armsflow.gdelt.store import Part, read_parts


def events_table() -> ir.Table:
    """The unbound ``gdelt_events`` table (the store's seven columns) the queries are written against."""
    return ibis.table({name: IBIS_TYPES[kind] for name, kind in COLUMNS if name in STORED}, name=EVENTS_TABLE)


def volume_table() -> ir.Table:
    """The unbound ``gdelt_volume`` table: events in the store per SQLDATE and date of DATEADDED."""
    return ibis.table({"SQLDATE": "date", "ADDED": "date", "EVENTS": "int64"}, name=VOLUME_TABLE)


def _dated(t: ir.Table, rules: DyadRules, since: date | None, until: date | None) -> ir.Table:
    """Add ``late``, the event's ``day`` under the rules and its ``month`` (year * 100 + month); apply the window."""
    late = t.SQLDATE + ibis.interval(days=rules.max_lag_days) < t.ADDED
    day = late.ifelse(t.ADDED, t.SQLDATE) if rules.late is Late.DATEADDED else t.SQLDATE
    t = t.mutate(late=late, day=day)
    if since is not None:
        t = t.filter(t.day >= ibis.literal(since))
    if until is not None:
        t = t.filter(t.day <= ibis.literal(until))
    return t.mutate(month=t.day.year() * 100 + t.day.month())


def dyad_expr(events: ir.Table, volume: ir.Table, a: str, b: str, since: date | None = None,
              until: date | None = None, rules: DyadRules | None = None,
              groups: list[Family] | None = None) -> ir.Table:
    """Monthly counts of each family's events between ``a`` and ``b`` and the month's total volume.

    ``events`` is the event table; ``volume`` holds the store's event counts per (SQLDATE, date added), so the
    month's total needs no scan of the events (with ``Dedupe.SOURCE`` the total is counted from the events).
    Columns: ``month`` (year * 100 + month), ``family`` (null for dyad events of no family and for months without
    dyad events), ``count``, ``late``, ``total_events``, ``per_million``. ``dyad_monthly`` drops the null family
    and fills in months and families without events.
    """
    rules = rules or DyadRules()
    groups = families() if groups is None else groups
    if rules.dedupe is Dedupe.SOURCE:
        keys = ["Actor1CountryCode", "Actor2CountryCode", "EventCode", "SQLDATE", "SOURCEURL"]
        base = events.group_by(keys).aggregate(DATEADDED=events.DATEADDED.min())
        base = base.mutate(ADDED=base.DATEADDED.date())
        volume = base.select("SQLDATE", "ADDED", EVENTS=ibis.literal(1, type="int64"))
    else:
        base = events.select("SQLDATE", "Actor1CountryCode", "Actor2CountryCode", "EventCode",
                             ADDED=events.DATEADDED.date())
    vol = _dated(volume, rules, since, until)
    kept = vol.filter(~vol.late) if rules.late is Late.DROP else vol
    totals = kept.group_by("month").aggregate(total_events=kept.EVENTS.sum())

    pair = ((base.Actor1CountryCode == a) & (base.Actor2CountryCode == b)) | (
        (base.Actor1CountryCode == b) & (base.Actor2CountryCode == a))
    dyad = _dated(base.filter(pair), rules, since, until)
    # Dyad events of no family are grouped under a null family rather than filtered out: a filter on the family
    # would be pushed into DuckDB's Parquet scan and evaluate the CASE on every event instead of the dyad's few.
    dyad = dyad.mutate(family=ibis.cases(*[(dyad.EventCode.isin(list(g.codes)), g.key) for g in groups], else_=None))
    counted = (~dyad.late).sum() if rules.late is Late.DROP else dyad.count()
    counts = dyad.group_by(["month", "family"]).aggregate(count=counted, late=dyad.late.sum())

    joined = totals.outer_join(counts, totals.month == counts.month)
    total = joined.total_events.fill_null(0)
    count = joined["count"].fill_null(0)
    result = joined.select(
        month=ibis.coalesce(joined.month, joined.month_right), family=joined.family, count=count,
        late=joined.late.fill_null(0), total_events=total,
        per_million=(total > 0).ifelse(count.cast("float64") * 1_000_000 / total.cast("float64"),
                                       ibis.null("float64")),
    )
    return result.order_by(["month", "family"])


def dyad_sql(dialect: str, a: str = "RUS", b: str = "PRK", since: date | None = None, until: date | None = None,
             rules: DyadRules | None = None) -> str:
    """The dyad query compiled for ``dialect`` (``"duckdb"`` or ``"pyspark"``), for review and snapshots."""
    dialects = [backend.dialect for backend in Backend]
    if dialect not in dialects:
        raise ParameterError("dialect", f"expected {' or '.join(dialects)}, got {dialect!r}")
    if dialect == Backend.SPARK.dialect:
        require_spark()  # Ibis' Spark compiler imports PySpark
    return _compiled(dialect, a, b, since, until, rules or DyadRules(), tuple(families()))


@functools.lru_cache(maxsize=256)
def _compiled(dialect: str, a: str, b: str, since: date | None, until: date | None, rules: DyadRules,
              groups: tuple[Family, ...]) -> str:
    """``dyad_expr`` compiled to ``dialect``'s SQL, remembered per argument set.

    Building and compiling the expression costs about as much as the query itself on a million events (figures in
    docs/gdelt.md, "Backends"); the SQL depends only on these arguments (the tables are bound by name when it runs),
    so a repeated query skips it.
    """
    if dialect == "pyspark" and ibis.options.pyspark is None:
        # ibis' Spark compiler reads ``ibis.options.pyspark``, which ibis registers on first access to the backend.
        ibis.pyspark.compile  # noqa: B018
    expr = dyad_expr(events_table(), volume_table(), a, b, since, until, rules, list(groups))
    return str(ibis.to_sql(expr, dialect=dialect))


def check_country(parameter: str, code: str) -> str:
    """A CAMEO country code (three capital letters, e.g. RUS, PRK), upper-cased, or a ``ParameterError``."""
    value = code.strip().upper()
    if not COUNTRY.match(value):
        raise ParameterError(parameter, f"expected a 3-letter CAMEO country code such as RUS or PRK, got {code!r}")
    return value


def _parts_in_window(parts: list[Part], since: date | None, until: date | None, rules: DyadRules) -> list[Part]:
    """Parts that can hold events of the window (by their SQLDATE range, unless events are re-dated)."""
    if rules.late is Late.DATEADDED:
        return parts
    return [p for p in parts if p.sqldate_min is None or p.sqldate_max is None or (
        (since is None or p.sqldate_max >= since) and (until is None or p.sqldate_min <= until))]


def dyad_monthly(db: Path, a: str, b: str, since: date | None = None, until: date | None = None,
                 backend: Backend | str = Backend.DUCKDB, rules: DyadRules | None = None) -> DyadResult:
    """Monthly event counts between countries ``a`` and ``b`` (either direction) by CAMEO family.

    One row per month and family, from the first to the last month with events in the window (inclusive dates on
    the event date the rules assign), months without dyad events included with ``count`` 0. ``backend`` runs the
    same Ibis expression on embedded DuckDB or on PySpark (``local[2]`` unless a session is already running).
    A bad argument raises ``ParameterError`` naming it; a folder that is not a store, ``InputError``.
    """
    a, b = check_country("a", a), check_country("b", b)
    if since is not None and until is not None and since > until:
        raise ParameterError("since", f"{since} is after until ({until})")
    chosen = choice(Backend, "backend", backend)
    if chosen is Backend.SPARK:
        require_spark()  # before Ibis compiles for Spark, which needs PySpark too
    rules = rules or DyadRules()
    groups = families()
    parts = _parts_in_window(read_parts(Path(db)), since, until, rules)
    months: tuple[DyadMonth, ...] = ()
    if parts:
        sql = _compiled(chosen.dialect, a, b, since, until, rules, tuple(groups))
        months = tuple(fill_months(execute(sql, parts, chosen), groups))
    return DyadResult(a, b, since, until, chosen, rules, months)


def fill_months(rows: list[dict[str, Any]], groups: list[Family]) -> list[DyadMonth]:
    """Every month from the first to the last in ``rows`` times every family, zeros where no events were found."""
    if not rows:
        return []
    totals = {int(r["month"]): int(r["total_events"]) for r in rows}
    found = {(int(r["month"]), str(r["family"])): r for r in rows if r["family"] is not None}
    first, last = min(totals), max(totals)
    out: list[DyadMonth] = []
    for index in range(first // 100 * 12 + first % 100 - 1, last // 100 * 12 + last % 100):
        year, month = divmod(index, 12)
        key = year * 100 + month + 1
        total = totals.get(key, 0)
        for group in groups:
            row = found.get((key, group.key))
            count = int(row["count"]) if row else 0
            share = (float(row["per_million"]) if row and row["per_million"] is not None
                     else (0.0 if total else None))
            out.append(DyadMonth(date(year, month + 1, 1), group.key, count, total, share,
                                 int(row["late"]) if row else 0))
    return out

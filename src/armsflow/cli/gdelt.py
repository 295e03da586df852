"""``armsflow gdelt``: import GDELT 2.0 export files into a local store and count dyad events by month."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from armsflow.cli.common import Json, Since, Until, day, errors, show, with_progress
from armsflow.gdelt import MAX_LAG_DAYS, Backend, Dedupe, Late

gdelt_app = typer.Typer(help="GDELT 2.0 event files: import into a local store, count dyad events by month "
                             "(needs: pip install 'armsflow[gdelt]').", no_args_is_help=True)
Db = Annotated[Path, typer.Option("--db", help="Store folder (created by import).")]


@gdelt_app.command("import")
def gdelt_import(files: Annotated[list[str], typer.Argument(help="Export files (.CSV, .CSV.zip), folders or globs.")],
                 db: Db, json_out: Json = False) -> None:
    """Import GDELT 2.0 export files; bad lines are counted and shown as file:line samples."""
    from armsflow import display
    from armsflow.gdelt import import_files

    def run_import(progress: Any) -> Any:
        def tick(done: int, total: int) -> None:
            if progress:
                progress("importing", display.fraction(done, total))

        return import_files(files, db, tick)

    with errors():
        found = with_progress(json_out, run_import)
    show(found, json_out, display.render_gdelt_import)


@gdelt_app.command("repair")
def gdelt_repair(db: Db, json_out: Json = False) -> None:
    """Repair a damaged store: keep the parts that read whole, remove the rest, rebuild a lost catalogue."""
    from armsflow import display
    from armsflow.gdelt import repair_store

    with errors():
        found = repair_store(db)
    show(found, json_out, display.render_gdelt_import)


@gdelt_app.command("dyad")
def gdelt_dyad(db: Db, a: Annotated[str, typer.Option("--a", help="Country code of one side (CAMEO/ISO3), e.g. RUS.")],
               b: Annotated[str, typer.Option("--b", help="Country code of the other side, e.g. PRK.")],
               since: Since = None, until: Until = None,
               backend: Annotated[Backend, typer.Option(help="Embedded DuckDB or local PySpark.")] = Backend.DUCKDB,
               late: Annotated[Late, typer.Option(
                   help="Events whose SQLDATE is more than --max-lag-days before their DATEADDED: drop (default; "
                        "out of counts and totals), dateadded (dated by DATEADDED) or keep (at SQLDATE).")
                              ] = Late.DROP,
               max_lag_days: Annotated[int, typer.Option(
                   "--max-lag-days", min=0, max=MAX_LAG_DAYS,
                   help="Days SQLDATE may lie before DATEADDED before an event is late.")] = 30,
               dedupe: Annotated[Dedupe, typer.Option(
                   help="id (default: each GLOBALEVENTID once) or source (also once per actor countries, event "
                        "code, SQLDATE and SOURCEURL).")] = Dedupe.ID,
               json_out: Json = False) -> None:
    """Monthly events between two countries (either direction) by CAMEO family, per million events."""
    from armsflow import display
    from armsflow.gdelt import DyadRules, dyad_monthly

    with errors():
        found = dyad_monthly(db, a, b, day(since), day(until), backend=backend,
                             rules=DyadRules(max_lag_days=max_lag_days, late=late, dedupe=dedupe))
    show(found, json_out, display.render_dyad)

"""``armsflow screen``: load sanctions lists into a local store and screen names, files and studies against them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armsflow.cli.common import OPTIONS, Json, StudyArg, errors, show

screen_app = typer.Typer(help="Sanctions lists (UN, 1718 vessels, OFAC, OpenSanctions): load them, screen ships "
                              "and firms with explained matches (needs: pip install 'armsflow[screen]').",
                         no_args_is_help=True)
Db = Annotated[Path, typer.Option("--db", help="Store file (SQLite; created by load).")]
Threshold = Annotated[float | None, typer.Option(help="Lowest score reported, 0-1 (default: docs/screen.md).")]
Limit = Annotated[int, typer.Option(help="Most matches shown per name.")]
OPTIONS.update({"db": "--db", "threshold": "--threshold", "limit": "--limit", "imo": "--imo", "kind": "--kind",
                "files": "FILES", "flag": "--flag", "vessel_type": "--type", "owner": "--owner"})


@screen_app.command("load")
def screen_load(files: Annotated[list[Path], typer.Argument(help=(
                    "List files: UN consolidated.xml, 1718 vessels CSV, OFAC sdn.xml or SDN.CSV (+ ALT.CSV), "
                    "OpenSanctions FtM JSON lines."))],
                db: Db, json_out: Json = False) -> None:
    """Load list files into the store; a file that cannot be read leaves the store unchanged."""
    from armsflow import screen
    from armsflow.display.screen import render_load

    with errors():
        found = screen.load_lists(files, db)
    show(found, json_out, render_load)


@screen_app.command("query")
def screen_query(db: Db, name: Annotated[str, typer.Argument(help="A ship's, firm's or person's name.")] = "",
                 imo: Annotated[str, typer.Option(help="IMO number, e.g. 9179842.")] = "",
                 kind: Annotated[str, typer.Option(help="vessel, company or person.")] = "",
                 flag: Annotated[str, typer.Option(help="Flag (country name or code), supports a match.")] = "",
                 vessel_type: Annotated[str, typer.Option("--type", help="Vessel type, supports a match.")] = "",
                 owner: Annotated[str, typer.Option(help="Owner's name, supports a match.")] = "",
                 threshold: Threshold = None, limit: Limit = 10, json_out: Json = False) -> None:
    """Screen one name and/or IMO number: every listing that matches, with the features behind its score."""
    from armsflow import screen
    from armsflow.display.screen import render_query

    with errors():
        found = screen.query(db, name, imo=imo, kind=kind, flag=flag, vessel_type=vessel_type, owner=owner,
                             threshold=threshold, limit=limit)
    show(found, json_out, render_query)


@screen_app.command("file")
def screen_file(db: Db, names: Annotated[Path, typer.Argument(help=(
                    "CSV with a name column and optional imo, kind, flag, type, owner, other_names, id."))],
                threshold: Threshold = None, limit: Limit = 10, json_out: Json = False) -> None:
    """Screen every row of a names file."""
    from armsflow import screen
    from armsflow.display.screen import render_file

    with errors():
        found = screen.screen_file(db, names, threshold=threshold, limit=limit)
    show(found, json_out, render_file)


@screen_app.command("study")
def screen_study(study: StudyArg, db: Db, threshold: Threshold = None, json_out: Json = False) -> None:
    """Screen the ships and firms of a study's entities.csv: each with its listings or 'not found', and its sources."""
    from armsflow import screen
    from armsflow.display.screen import render_study

    with errors():
        found = screen.screen_study(study, db, threshold=threshold)
    show(found, json_out, render_study)

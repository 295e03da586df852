"""``armsflow serve``: the workbench in a browser (armsflow.web; needs pip install 'armsflow[web]')."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armsflow.cli.common import OPTIONS, errors

OPTIONS.update({"host": "--host", "allow_remote": "--allow-remote", "workers": "--workers"})


def serve(folders: Annotated[list[Path] | None, typer.Argument(help=(
              "Study folders, or folders holding studies (bundled studies are always served, read-only)."))] = None,
          host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
          allow_remote: Annotated[bool, typer.Option(
              "--allow-remote", help="Allow a --host other machines reach; every request then needs the printed "
                                     "token.")] = False,
          workers: Annotated[int | None, typer.Option(
              help="Server processes (default: one per core, at most 4); what-ifs compute on every core.")] = None,
          ) -> None:
    """Serve the workbench in a browser: results and charts, evidence, claim and source edits (checked, atomic),
    what-if and saving it, the intake queue, the run history, scenarios against the base, report downloads."""
    from armsflow.web import serve as run_server

    with errors():
        run_server(folders or [], host=host, port=port, allow_remote=allow_remote, workers=workers,
                   say=typer.echo)

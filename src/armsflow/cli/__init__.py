"""The ``armsflow`` command: parses options, calls one library function per command, prints its result.

No analysis lives here (tests/test_architecture.py keeps it so): windows, defaults, counting and number formats
belong to the library (``armsflow``) and the display layer (``armsflow.display``).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from armsflow import __version__
from armsflow.cli.common import (
    AsOf,
    At,
    Draws,
    EventKind,
    Json,
    NoHistory,
    Scenario,
    Seed,
    StudyArg,
    console,
    day,
    errors,
    fail,
    show,
    window,
    with_progress,
)

app = typer.Typer(
    help="Graded, sourced claims about covert arms transfers in; estimates with honest intervals out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

def _version(value: bool) -> None:
    if value:
        typer.echo(f"armsflow {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    """Graded, sourced claims about covert arms transfers in; estimates with honest intervals out."""


@app.command()
def studies(json_out: Json = False) -> None:
    """List the bundled studies with their results and scenarios (ids and labels)."""
    from armsflow import bundled_studies, display

    with errors():
        found = bundled_studies()
    show(found, json_out, display.render_studies)


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="New folder to create.")],
    source: Annotated[str, typer.Option("--from", help="Bundled study (or study folder) to copy.")] = "russia-dprk",
    json_out: Json = False,
) -> None:
    """Copy a bundled study into a new folder to start your own."""
    from armsflow import display, init

    with errors():
        created = init(folder, source)
    show(created, json_out, display.render_init)


@app.command()
def check(study: StudyArg, json_out: Json = False) -> None:
    """Validate a study; list every problem as file:line: field: message (exit code 2 if any)."""
    from armsflow import check, display

    with errors():
        result = check(study)
    if json_out:
        typer.echo(result.to_json())
        if not result.ok:
            raise typer.Exit(2)
        return
    if not result.ok:
        fail(display.problem_lines(result))
    display.render_check(result, console())


@app.command("run")
def run_cmd(study: StudyArg, as_of: AsOf = None, draws: Draws = None, seed: Seed = None,
            scenario: Scenario = None, json_out: Json = False,
            no_sensitivity: Annotated[bool, typer.Option("--no-sensitivity", help="Skip Sobol indices.")] = False,
            no_history: NoHistory = False) -> None:
    """Run a study: estimates with 90% intervals, published estimates beside them, and their drivers."""
    from armsflow import display, run

    with errors():
        result = with_progress(json_out, lambda progress: run(
            study, draws=draws, seed=seed, scenario=scenario, as_of=day(as_of),
            sensitivity=not no_sensitivity, progress=progress, history=not no_history))
    show(result, json_out, display.render_run)
    for line in result.warnings:
        typer.echo(line, err=True)


@app.command()
def report(study: StudyArg,
           lang: Annotated[str, typer.Option("--lang", help="Language(s): en, de, or a list such as en,de.")] = "en",
           formats: Annotated[str, typer.Option("--format", help="Format(s): html, pdf, or html,pdf.")] = "html,pdf",
           out: Annotated[Path, typer.Option("--out", help="Folder to write the report folder into (created if "
                                                           "missing).")] = Path("."),
           as_of: AsOf = None, seed: Seed = None, scenario: Scenario = None, draws: Draws = None,
           json_out: Json = False, no_history: NoHistory = False,
           since: Annotated[str | None, typer.Option(
               "--since", help="Add 'What changed since the last edition' against an earlier state: a run id, a day "
                               "YYYY-MM-DD or a git revision (as `armsflow diff` takes them).")] = None,
           screen_db: Annotated[Path | None, typer.Option(
               "--screen-db", help="Add the study's ships and firms against the sanctions lists in this store "
                                   "(`armsflow screen load`).")] = None,
           reconcile: Annotated[bool | None, typer.Option(
               "--reconcile/--no-reconcile", help="Each scenario against the base, assumption by assumption, and the "
                                                  "published estimates each follows [default: on for a report of the "
                                                  "base with all evidence]", show_default=False)] = None,
           ) -> None:
    """Write the study report into OUT/STUDY/: self-contained HTML and PDF, every figure footnoted to its sources."""
    from armsflow import display, write_report

    with errors():
        written = with_progress(json_out, lambda progress: write_report(
            study, langs=lang, formats=formats, out=out, as_of=day(as_of), seed=seed,
            scenario=scenario, draws=draws, progress=progress, warn=lambda line: typer.echo(line, err=True),
            history=not no_history, since=since, screen_db=screen_db, reconcile=reconcile))
    show(written, json_out, display.render_report)
    for line in written.warnings:
        typer.echo(line, err=True)


@app.command()
def explain(study: StudyArg, result: Annotated[str, typer.Argument(help="An output (or variable) id.")],
            as_of: AsOf = None, draws: Draws = None, seed: Seed = None, scenario: Scenario = None,
            json_out: Json = False) -> None:
    """Explain one result: formula, inputs, the claims behind each, and its sensitivity."""
    from armsflow import display, explain

    with errors():
        found = explain(study, result, draws=draws, seed=seed, scenario=scenario, as_of=day(as_of))
    show(found, json_out, display.render_explanation)


@app.command()
def timeline(study: StudyArg, quantity: Annotated[str, typer.Argument(help="A timeline name of the model.")],
             at: At = None, as_of: AsOf = None, seed: Seed = None, json_out: Json = False) -> None:
    """A cumulative quantity over time: each claim, the fitted band, and the value at the reference date."""
    from armsflow import display, timeline

    with errors():
        found = timeline(study, quantity, day=day(at), as_of=day(as_of), seed=seed)
    show(found, json_out, display.render_timeline)


@app.command()
def history(study: StudyArg, json_out: Json = False) -> None:
    """The runs recorded in a study folder's history, with their parameters and headline medians."""
    from armsflow import run_history
    from armsflow.display.history import render_history

    with errors():
        found = run_history(study)
    show(found, json_out, render_history)


@app.command()
def diff(study: StudyArg,
         a: Annotated[str, typer.Argument(help="From: a run id, a day YYYY-MM-DD or 'today' (the study as known "
                                               "then), or a git revision of the study folder.")],
         b: Annotated[str | None, typer.Argument(help="To, in the same forms (default: the folder as it is).")] = None,
         seed: Seed = None, draws: Draws = None, scenario: Scenario = None, json_out: Json = False) -> None:
    """What changed between two states of a study, and how much each change moved the headline estimates."""
    from armsflow import diff as diff_states
    from armsflow.display.history import render_diff

    with errors():
        found = with_progress(json_out, lambda progress: diff_states(study, a, b, seed=seed, draws=draws,
                                                                     scenario=scenario))
    show(found, json_out, render_diff)


@app.command()
def reconcile(study: StudyArg, seed: Seed = None, draws: Draws = None, json_out: Json = False) -> None:
    """Each scenario against the base, assumption by assumption, and the published estimates each follows."""
    from armsflow import reconcile as reconcile_study
    from armsflow.display.reconcile import render_reconcile

    with errors():
        found = with_progress(json_out, lambda progress: reconcile_study(study, seed=seed, draws=draws))
    show(found, json_out, render_reconcile)


events_app = typer.Typer(help="Curated events of a study (events.csv): rates with exact intervals.",
                         no_args_is_help=True)
app.add_typer(events_app, name="events")


@events_app.command("rate")
def events_rate(study: StudyArg,
                since: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help=(
                    "First day (default: that of the study's event-rate indicator, as in `run`; else the first "
                    "event)."))] = None,
                until: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help=(
                    "Last day (default: the indicator's, else the reference date; never after --as-of)."))] = None,
                kind: Annotated[EventKind | None, typer.Option(help="Only events of this kind.")] = None,
                as_of: AsOf = None,
                versus: Annotated[str | None, typer.Option(
                    "--versus", help="Compare with another window FROM..TO (dates): exact test.")] = None,
                json_out: Json = False) -> None:
    """Events per month over a window (by default the one `run` reports), with the exact Poisson 90% interval."""
    from armsflow import display, event_rate

    other = window(versus) if versus is not None else None
    with errors():
        found = event_rate(study, since=day(since), until=day(until), event_kind=kind.value if kind else None,
                           as_of=day(as_of), versus=other)
    show(found, json_out, display.render_event_rate)


@app.command()
def trade(study: StudyArg, as_of: AsOf = None, json_out: Json = False) -> None:
    """Official trade figures of a study (trade.csv): each record, comparisons across periods, and conflicts."""
    from armsflow import display, trade

    with errors():
        found = trade(study, as_of=day(as_of))
    show(found, json_out, display.render_trade)


@app.command()
def comtrade(files: Annotated[list[Path], typer.Argument(help="UN Comtrade CSV exports (Comtrade+ or legacy).")],
             reporter: Annotated[str | None, typer.Option(help="ISO3 code of one side, e.g. RUS.")] = None,
             partner: Annotated[str | None, typer.Option(help="ISO3 code of the other side, e.g. PRK.")] = None,
             source: Annotated[str, typer.Option(help="Source id to cite in sources.csv.")] = "S-UN-COMTRADE",
             json_out: Json = False) -> None:
    """Import UN Comtrade files for a pair (both sides' reports, mirror flows included) as trade.csv rows."""
    from armsflow import comtrade

    with errors():
        found = comtrade(files, reporter=reporter, partner=partner, source=source)
    typer.echo(found.to_json() if json_out else found.to_csv(), nl=json_out)


from armsflow.cli.gdelt import gdelt_app  # noqa: E402 - the sub-apps register after the main app exists
from armsflow.cli.intake import intake_app  # noqa: E402
from armsflow.cli.screen import screen_app  # noqa: E402
from armsflow.cli.serve import serve  # noqa: E402

app.command()(serve)

app.add_typer(gdelt_app, name="gdelt")
app.add_typer(intake_app, name="intake")
app.add_typer(screen_app, name="screen")


def main() -> None:
    # The engine's matrix products are small (k x k correlations, the Sobol bootstrap): a second BLAS thread only
    # waits for a busy core. Set before NumPy loads; a user's own setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    app()

"""The ``armsflow`` command: parses options, calls one library function per command, prints its result.

No analysis lives here (tests/test_architecture.py keeps it so): windows, defaults, counting and number formats
belong to the library (``armsflow``) and the display layer (``armsflow.display``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from armsflow import __version__
from armsflow.gdelt import Backend, Dedupe, Late

if TYPE_CHECKING:
    from rich.console import Console

    from armsflow.results import ResultLike

app = typer.Typer(
    help="Graded, sourced claims about covert arms transfers in; estimates with honest intervals out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")

#: The option (or argument) of each library parameter, so that errors name what the user typed.
OPTIONS = {"draws": "--draws", "seed": "--seed", "as_of": "--as-of", "since": "--since", "until": "--until",
           "event_kind": "--kind", "versus": "--versus", "day": "--at", "name": "QUANTITY", "result": "RESULT",
           "scenario": "--scenario", "langs": "--lang", "formats": "--format", "out": "--out",
           "max_lag_days": "--max-lag-days", "backend": "--backend", "late": "--late", "dedupe": "--dedupe",
           "confidence": "--confidence", "indicator": "--indicator"}


class EventKind(StrEnum):
    """The kinds of events.csv (docs/events.md)."""

    visit = "visit"
    summit = "summit"
    treaty = "treaty"
    call = "call"
    meeting = "meeting"
    commission = "commission"
    forum = "forum"
    other = "other"


StudyArg = Annotated[str, typer.Argument(help="A bundled study name (see `armsflow studies`) or a study folder.")]
AsOf = Annotated[datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"],
                                               help="Use only sources published on or before this date.")]
At = Annotated[datetime | None, typer.Option("--at", formats=["%Y-%m-%d"],
                                             help="Date to read (default: the reference date).")]
Draws = Annotated[int | None, typer.Option(min=100, max=100_000_000, help="Monte Carlo draws (default: study's).")]
Seed = Annotated[int | None, typer.Option(min=0, help="Random seed (default: the study's).")]
Scenario = Annotated[str | None, typer.Option(help="A named scenario of the study's model (see `armsflow studies`).")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
Since = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First day.")]
Until = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"armsflow {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    """Graded, sourced claims about covert arms transfers in; estimates with honest intervals out."""


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        typer.echo(line, err=True)
    raise typer.Exit(2)


@contextmanager
def _errors() -> Iterator[None]:
    from armsflow.errors import ArmsflowError, ParameterError

    try:
        yield
    except ParameterError as exc:
        _fail([f"{OPTIONS.get(exc.parameter, exc.parameter)}: {exc.message}"])
    except ArmsflowError as exc:
        _fail(str(exc).splitlines() or [type(exc).__name__])
    except OSError as exc:
        _fail([f"{exc.filename or ''}: {exc.strerror or exc}"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _console() -> Console:
    from rich.console import Console

    return Console()


def _print(result: ResultLike, json_out: bool, render: Callable[[Any, Console], None]) -> None:
    if json_out:
        typer.echo(result.to_json())
    else:
        render(result, _console())


def _with_progress(json_out: bool, work: Callable[[Any], T]) -> T:
    """Run ``work(progress)``, showing a progress bar on an interactive terminal (never in JSON mode)."""
    if json_out or not sys.stderr.isatty():
        return work(None)
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, fraction: float) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=1.0)
            bar.update(tasks[stage], completed=fraction)

        return work(progress)


@app.command()
def studies(json_out: Json = False) -> None:
    """List the bundled studies with their results and scenarios (ids and labels)."""
    from armsflow import bundled_studies, display

    with _errors():
        found = bundled_studies()
    _print(found, json_out, display.render_studies)


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="New folder to create.")],
    source: Annotated[str, typer.Option("--from", help="Bundled study (or study folder) to copy.")] = "russia-dprk",
    json_out: Json = False,
) -> None:
    """Copy a bundled study into a new folder to start your own."""
    from armsflow import display, init

    with _errors():
        created = init(folder, source)
    _print(created, json_out, display.render_init)


@app.command()
def check(study: StudyArg, json_out: Json = False) -> None:
    """Validate a study; list every problem as file:line: field: message (exit code 2 if any)."""
    from armsflow import check, display

    with _errors():
        result = check(study)
    if json_out:
        typer.echo(result.to_json())
        if not result.ok:
            raise typer.Exit(2)
        return
    if not result.ok:
        _fail(display.problem_lines(result))
    display.render_check(result, _console())


@app.command("run")
def run_cmd(study: StudyArg, as_of: AsOf = None, draws: Draws = None, seed: Seed = None,
            scenario: Scenario = None, json_out: Json = False,
            no_sensitivity: Annotated[bool, typer.Option("--no-sensitivity", help="Skip Sobol indices.")] = False,
            ) -> None:
    """Run a study: estimates with 90% intervals, published estimates beside them, and their drivers."""
    from armsflow import display, run

    with _errors():
        result = _with_progress(json_out, lambda progress: run(
            study, draws=draws, seed=seed, scenario=scenario, as_of=_day(as_of),
            sensitivity=not no_sensitivity, progress=progress))
    _print(result, json_out, display.render_run)


@app.command()
def report(study: StudyArg,
           lang: Annotated[str, typer.Option("--lang", help="Language(s): en, de, or a list such as en,de.")] = "en",
           formats: Annotated[str, typer.Option("--format", help="Format(s): html, pdf, or html,pdf.")] = "html,pdf",
           out: Annotated[Path, typer.Option("--out", help="Folder to write into (created if missing).")] = Path("."),
           as_of: AsOf = None, seed: Seed = None, scenario: Scenario = None, draws: Draws = None,
           json_out: Json = False) -> None:
    """Write the study report: self-contained HTML and PDF, every figure footnoted to its claims and sources."""
    from armsflow import display, write_report

    with _errors():
        written = _with_progress(json_out, lambda progress: write_report(
            study, langs=lang, formats=formats, out=out, as_of=_day(as_of), seed=seed,
            scenario=scenario, draws=draws, progress=progress, warn=lambda line: typer.echo(line, err=True)))
    _print(written, json_out, display.render_report)


@app.command()
def explain(study: StudyArg, result: Annotated[str, typer.Argument(help="An output (or variable) id.")],
            as_of: AsOf = None, draws: Draws = None, seed: Seed = None, scenario: Scenario = None,
            json_out: Json = False) -> None:
    """Explain one result: formula, inputs, the claims behind each, and its sensitivity."""
    from armsflow import display, explain

    with _errors():
        found = explain(study, result, draws=draws, seed=seed, scenario=scenario, as_of=_day(as_of))
    _print(found, json_out, display.render_explanation)


@app.command()
def timeline(study: StudyArg, quantity: Annotated[str, typer.Argument(help="A timeline name of the model.")],
             at: At = None, as_of: AsOf = None, seed: Seed = None, json_out: Json = False) -> None:
    """A cumulative quantity over time: each claim, the fitted band, and the value at the reference date."""
    from armsflow import display, timeline

    with _errors():
        found = timeline(study, quantity, day=_day(at), as_of=_day(as_of), seed=seed)
    _print(found, json_out, display.render_timeline)


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

    other = _window(versus) if versus is not None else None
    with _errors():
        found = event_rate(study, since=_day(since), until=_day(until), event_kind=kind.value if kind else None,
                           as_of=_day(as_of), versus=other)
    _print(found, json_out, display.render_event_rate)


def _window(text: str) -> tuple[date, date]:
    try:
        a, _, b = text.partition("..")
        return date.fromisoformat(a.strip()), date.fromisoformat(b.strip())
    except ValueError:
        _fail([f"--versus: expected FROM..TO as YYYY-MM-DD..YYYY-MM-DD, got {text!r}"])


@app.command()
def trade(study: StudyArg, as_of: AsOf = None, json_out: Json = False) -> None:
    """Official trade figures of a study (trade.csv): each record, comparisons across periods, and conflicts."""
    from armsflow import display, trade

    with _errors():
        found = trade(study, as_of=_day(as_of))
    _print(found, json_out, display.render_trade)


@app.command()
def comtrade(files: Annotated[list[Path], typer.Argument(help="UN Comtrade CSV exports (Comtrade+ or legacy).")],
             reporter: Annotated[str | None, typer.Option(help="ISO3 code of one side, e.g. RUS.")] = None,
             partner: Annotated[str | None, typer.Option(help="ISO3 code of the other side, e.g. PRK.")] = None,
             source: Annotated[str, typer.Option(help="Source id to cite in sources.csv.")] = "S-UN-COMTRADE",
             json_out: Json = False) -> None:
    """Import UN Comtrade files for a pair (both sides' reports, mirror flows included) as trade.csv rows."""
    from armsflow import comtrade

    with _errors():
        found = comtrade(files, reporter=reporter, partner=partner, source=source)
    typer.echo(found.to_json() if json_out else found.to_csv(), nl=json_out)


gdelt_app = typer.Typer(help="GDELT 2.0 event files: import into a local store, count dyad events by month "
                             "(needs: pip install 'armsflow[gdelt]').", no_args_is_help=True)
app.add_typer(gdelt_app, name="gdelt")
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

    with _errors():
        found = _with_progress(json_out, run_import)
    _print(found, json_out, display.render_gdelt_import)


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
                   "--max-lag-days", min=0, max=36_500,
                   help="Days SQLDATE may lie before DATEADDED before an event is late.")] = 30,
               dedupe: Annotated[Dedupe, typer.Option(
                   help="id (default: each GLOBALEVENTID once) or source (also once per actor countries, event "
                        "code, SQLDATE and SOURCEURL).")] = Dedupe.ID,
               json_out: Json = False) -> None:
    """Monthly events between two countries (either direction) by CAMEO family, per million events."""
    from armsflow import display
    from armsflow.gdelt import DyadRules, dyad_monthly

    with _errors():
        found = dyad_monthly(db, a, b, _day(since), _day(until), backend=backend,
                             rules=DyadRules(max_lag_days=max_lag_days, late=late, dedupe=dedupe))
    _print(found, json_out, display.render_dyad)


def main() -> None:
    app()

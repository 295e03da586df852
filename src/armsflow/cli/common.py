"""What every command module of the CLI shares: option types, the error handler, printing a result.

The library speaks of parameters; ``OPTIONS`` maps each to the option a user typed, so errors name the option.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from armsflow.results import ResultLike

T = TypeVar("T")

#: The option (or argument) of each library parameter, so that errors name what the user typed.
OPTIONS = {"draws": "--draws", "seed": "--seed", "as_of": "--as-of", "since": "--since", "until": "--until",
           "event_kind": "--kind", "versus": "--versus", "day": "--at", "name": "QUANTITY", "result": "RESULT",
           "scenario": "--scenario", "langs": "--lang", "formats": "--format", "out": "--out",
           "max_lag_days": "--max-lag-days", "backend": "--backend", "late": "--late", "dedupe": "--dedupe",
           "confidence": "--confidence", "indicator": "--indicator", "a": "A", "b": "B", "revision": "A/B",
           "study": "STUDY", "candidate": "CAND", "variable": "--variable", "grade": "--grade", "edits": "--edit",
           "source_id": "--source-id", "documents": "DOCS"}


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
NoHistory = Annotated[bool, typer.Option("--no-history", help="Do not record this run in the study folder's history.")]
Since = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First day.")]
Until = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day.")]


def fail(lines: list[str]) -> NoReturn:
    for line in lines:
        typer.echo(line, err=True)
    raise typer.Exit(2)


@contextmanager
def errors() -> Iterator[None]:
    from armsflow.errors import ArmsflowError, ParameterError

    try:
        yield
    except ParameterError as exc:
        fail([f"{OPTIONS.get(exc.parameter, exc.parameter)}: {exc.message}"])
    except ArmsflowError as exc:
        fail(str(exc).splitlines() or [type(exc).__name__])
    except OSError as exc:
        fail([f"{exc.filename or ''}: {exc.strerror or exc}"])


def day(value: datetime | None) -> date | None:
    return value.date() if value else None


def console() -> Console:
    from rich.console import Console

    return Console()


def show(result: ResultLike, json_out: bool, render: Callable[[Any, Console], None]) -> None:
    if json_out:
        typer.echo(result.to_json())
    else:
        render(result, console())


def with_progress(json_out: bool, work: Callable[[Any], T]) -> T:
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


def window(text: str) -> tuple[date, date]:
    """A window ``FROM..TO`` of two ISO dates, as ``--versus`` takes it."""
    try:
        a, _, b = text.partition("..")
        return date.fromisoformat(a.strip()), date.fromisoformat(b.strip())
    except ValueError:
        fail([f"--versus: expected FROM..TO as YYYY-MM-DD..YYYY-MM-DD, got {text!r}"])

"""The ``armsflow`` command: parses options, calls the library, prints. No analysis lives here."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

app = typer.Typer(
    help="Graded, sourced claims about covert arms transfers in; estimates with honest intervals out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")

StudyArg = Annotated[str, typer.Argument(help="A bundled study name (see `armsflow studies`) or a study folder.")]
AsOf = Annotated[datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"],
                                               help="Use only sources published on or before this date.")]
At = Annotated[datetime | None, typer.Option("--at", formats=["%Y-%m-%d"],
                                             help="Date to read (default: the reference date).")]
Draws = Annotated[int | None, typer.Option(min=1, max=100_000_000, help="Monte Carlo draws (default: study's).")]
Seed = Annotated[int | None, typer.Option(min=0, help="Random seed (default: the study's).")]
Scenario = Annotated[str | None, typer.Option(help="A named scenario of the study's model.")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        typer.echo(line, err=True)
    raise typer.Exit(2)


@contextmanager
def _errors() -> Iterator[None]:
    from armsflow.errors import ArmsflowError

    try:
        yield
    except ArmsflowError as exc:
        _fail(str(exc).splitlines() or [type(exc).__name__])
    except OSError as exc:
        _fail([f"{exc.filename or ''}: {exc.strerror or exc}"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


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
def studies() -> None:
    """List the studies bundled with armsflow."""
    from armsflow.study.bundled import DEFAULT, bundled_names
    from armsflow.study.loader import load_study

    for name in bundled_names():
        meta = load_study(name).meta
        mark = " (default)" if name == DEFAULT else ""
        typer.echo(f"{name}{mark}: {meta.title}")


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="New folder to create.")],
    source: Annotated[str, typer.Option("--from", help="Bundled study to copy.")] = "russia-dprk",
) -> None:
    """Copy a bundled study into a new folder to start your own."""
    from armsflow.study.copy import copy_study

    with _errors():
        written = copy_study(source, folder)
    typer.echo(f"created {folder} from {source} ({len(written)} files); check it with: armsflow check {folder}")


@app.command()
def check(study: StudyArg) -> None:
    """Validate a study; list every problem as file:line: field: message (exit code 2 if any)."""
    from armsflow.study.loader import check_study

    with _errors():
        problems = check_study(study)
    if problems:
        _fail([str(p) for p in problems] + [f"{len(problems)} problem(s)"])
    typer.echo(f"{study}: ok")


@app.command("run")
def run_cmd(study: StudyArg, as_of: AsOf = None, draws: Draws = None, seed: Seed = None,
            scenario: Scenario = None, json_out: Json = False,
            no_sensitivity: Annotated[bool, typer.Option("--no-sensitivity", help="Skip Sobol indices.")] = False,
            ) -> None:
    """Run a study: estimates with 90% intervals, published estimates beside them, and their drivers."""
    from armsflow.engine.run import run
    from armsflow.study.loader import load_study

    with _errors():
        loaded = load_study(study)
        result = _with_progress(json_out, lambda progress: run(
            loaded, draws=draws, seed=seed, scenario=scenario, as_of=_day(as_of),
            sensitivity=not no_sensitivity, progress=progress))
    if json_out:
        typer.echo(result.to_json())
        return
    from rich.console import Console

    from armsflow.display import render_run

    render_run(result, Console())


@app.command()
def report(study: StudyArg,
           lang: Annotated[str, typer.Option("--lang", help="Language(s): en, de, or a list such as en,de.")] = "en",
           formats: Annotated[str, typer.Option("--format", help="Format(s): html, pdf, or html,pdf.")] = "html,pdf",
           out: Annotated[Path, typer.Option("--out", help="Folder to write into (created if missing).")] = Path("."),
           as_of: AsOf = None, seed: Seed = None, scenario: Scenario = None, draws: Draws = None,
           json_out: Json = False) -> None:
    """Write the study report: self-contained HTML and PDF, every figure footnoted to its claims and sources."""
    from armsflow.report.content import gather
    from armsflow.report.i18n import LANGUAGES
    from armsflow.report.output import FORMATS, parse_list, workers, write_report
    from armsflow.study.loader import load_study

    with _errors():
        langs = parse_list(lang, LANGUAGES, "--lang")
        kinds = parse_list(formats, FORMATS, "--format")
        loaded = load_study(study)

        def work(progress: Any) -> Any:
            with workers(langs) as pool:
                content = gather(loaded, as_of=_day(as_of), seed=seed, scenario=scenario, draws=draws,
                                 progress=progress)
                return write_report(content, out, langs, kinds, progress, pool=pool,
                                    warn=lambda line: typer.echo(line, err=True))

        written = _with_progress(json_out, work)
    if json_out:
        import json

        typer.echo(json.dumps([{"lang": w.lang, "format": w.format, "path": str(w.path), "bytes": w.size}
                               for w in written], indent=2))
        return
    for w in written:
        typer.echo(f"{w.path}  ({w.lang}, {w.format}, {w.size:,} bytes)")


@app.command()
def explain(study: StudyArg, result: Annotated[str, typer.Argument(help="An output (or variable) id.")],
            as_of: AsOf = None, draws: Draws = None, seed: Seed = None, scenario: Scenario = None,
            json_out: Json = False) -> None:
    """Explain one result: formula, inputs, the claims behind each, and its sensitivity."""
    from armsflow.engine.explain import explain as explain_result
    from armsflow.study.loader import load_study

    with _errors():
        ex = explain_result(load_study(study), result, draws=draws, seed=seed, scenario=scenario,
                            as_of=_day(as_of))
    if json_out:
        import dataclasses
        import json

        typer.echo(json.dumps(dataclasses.asdict(ex), indent=2, ensure_ascii=False))
        return
    from rich.console import Console

    from armsflow.display import render_explanation

    render_explanation(ex, Console())


@app.command()
def timeline(study: StudyArg, quantity: Annotated[str, typer.Argument(help="A timeline name of the model.")],
             at: At = None, as_of: AsOf = None,
             seed: Seed = None, json_out: Json = False) -> None:
    """A cumulative quantity over time: each claim, the fitted band, and the value at the reference date."""
    from armsflow.engine.timelines import timeline_report
    from armsflow.study.loader import load_study

    with _errors():
        report = timeline_report(load_study(study), quantity, day=_day(at), as_of=_day(as_of), seed=seed)
    if json_out:
        import dataclasses
        import json

        typer.echo(json.dumps(dataclasses.asdict(report), indent=2, ensure_ascii=False, default=str))
        return
    from rich.console import Console

    from armsflow.display import render_timeline

    render_timeline(report, Console())


events_app = typer.Typer(help="Curated events of a study (events.csv): rates with exact intervals.",
                         no_args_is_help=True)
app.add_typer(events_app, name="events")

Since = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First day (default: first event).")]
Until = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"],
                                                help="Last day (default: the study's reference date).")]


@events_app.command("rate")
def events_rate(study: StudyArg, since: Since = None, until: Until = None,
                kind: Annotated[str | None, typer.Option(help="Only events of this kind (visit, summit, …).")] = None,
                as_of: AsOf = None,
                versus: Annotated[str | None, typer.Option(
                    "--versus", help="Compare with another window FROM..TO (dates): exact test.")] = None,
                json_out: Json = False) -> None:
    """Events per month over a window, with the exact Poisson 95% interval and the monthly series."""
    from armsflow.engine.indicators import known_events
    from armsflow.evidence.events import KINDS
    from armsflow.indicators.rates import monthly_series, rate, rate_ratio
    from armsflow.study.loader import load_study

    if kind is not None and kind not in KINDS:
        _fail([f"--kind: one of {', '.join(KINDS)}"])
    with _errors():
        loaded = load_study(study)
        events = known_events(loaded, _day(as_of))
        if not events:
            _fail([f"{study}: events.csv: no events" + (f" published by {_day(as_of)}" if as_of else "")])
        first = _day(since) or min(e.start for e in events)
        last = _day(until) or loaded.meta.reference_date
        if last < first:
            _fail([f"--until {last} is before --since {first}"])
        r = rate(events, first, last, kind=kind)
        series = monthly_series(events, first, last, kind=kind)
        ratio = None
        if versus is not None:
            other = _window(versus)
            try:
                ratio = rate_ratio(events, (first, last), other, kind=kind)
            except ValueError as exc:
                _fail([f"--versus: {exc}"])
    if json_out:
        import dataclasses
        import json

        doc = dataclasses.asdict(r) | {"monthly": [{"month": m, "count": c} for m, c in series]}
        if ratio is not None:
            doc["versus"] = {k: v for k, v in dataclasses.asdict(ratio).items() if k not in ("a", "b")} | {
                "other": dataclasses.asdict(ratio.b)}
        typer.echo(json.dumps(doc, indent=2, default=str))
        return
    typer.echo(f"{r.k} events in {r.months:.1f} months ({r.since} – {r.until}): {r.per_month:.2f} per month, "
               f"95% exact interval {r.low:.2f} – {r.high:.2f}")
    if r.uncertain:
        typer.echo(f"not counted (known only to a month that the window cuts): {', '.join(r.uncertain)}")
    typer.echo("  ".join(f"{m}:{c}" for m, c in series))
    if ratio is not None:
        b = ratio.b
        typer.echo(f"against {b.k} events in {b.months:.1f} months ({b.since} – {b.until}, {b.per_month:.2f} per "
                   f"month): rate ratio {ratio.ratio:.2f}, 95% exact interval {ratio.low:.2f} – {ratio.high:.2f}, "
                   f"p = {ratio.p_value:.3g} (exact conditional test)")


def _window(text: str) -> tuple[date, date]:
    try:
        a, _, b = text.partition("..")
        first, last = date.fromisoformat(a.strip()), date.fromisoformat(b.strip())
    except ValueError:
        _fail([f"--versus: expected FROM..TO as YYYY-MM-DD..YYYY-MM-DD, got {text!r}"])
    if last < first:
        _fail([f"--versus: {last} is before {first}"])
    return first, last


@app.command()
def trade(study: StudyArg, as_of: AsOf = None, json_out: Json = False) -> None:
    """Official trade figures of a study (trade.csv): each record, comparisons across periods, and conflicts."""
    from armsflow.engine.indicators import known_trade
    from armsflow.indicators.trade import comparisons, conflicts
    from armsflow.study.loader import load_study

    with _errors():
        loaded = load_study(study)
    cut = _day(as_of)
    records = known_trade(loaded, cut)
    if not records:
        _fail([f"{study}: trade.csv: no trade records" + (f" published by {cut}" if cut else "")])
    found, clashes = comparisons(records), conflicts(records)
    if json_out:
        import dataclasses
        import json

        doc = {"records": [dataclasses.asdict(r) for r in records],
               "comparisons": [{"first": c.first.id, "second": c.second.id, "ratio": c.ratio,
                                "annual_ratio": c.annual_ratio, "text": c.text} for c in found],
               "conflicts": [{"first": c.first.id, "second": c.second.id, "reason": c.reason} for c in clashes]}
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False, default=str))
        return
    from rich.console import Console

    from armsflow.display import render_trade

    render_trade(records, found, clashes, Console())


@app.command()
def comtrade(files: Annotated[list[Path], typer.Argument(help="UN Comtrade CSV exports (Comtrade+ or legacy).")],
             reporter: Annotated[str | None, typer.Option(help="ISO3 code of one side, e.g. RUS.")] = None,
             partner: Annotated[str | None, typer.Option(help="ISO3 code of the other side, e.g. PRK.")] = None,
             source: Annotated[str, typer.Option(help="Source id to cite in sources.csv.")] = "S-UN-COMTRADE") -> None:
    """Import UN Comtrade files for a pair (both sides' reports, mirror flows included) as trade.csv rows."""
    from armsflow.errors import Problem, StudyError
    from armsflow.evidence.trade import write_trade
    from armsflow.indicators.comtrade import import_comtrade

    problems: list[Problem] = []
    with _errors():
        records = import_comtrade(files, reporter, partner, problems, source=source)
        if problems:
            raise StudyError(problems)
    typer.echo(write_trade(records), nl=False)


gdelt_app = typer.Typer(help="GDELT 2.0 event files: import into a local store, count dyad events by month.",
                        no_args_is_help=True)
app.add_typer(gdelt_app, name="gdelt")
Db = Annotated[Path, typer.Option("--db", help="Store folder (created by import).")]


@gdelt_app.command("import")
def gdelt_import(files: Annotated[list[str], typer.Argument(help="Export files (.CSV, .CSV.zip), folders or globs.")],
                 db: Db, json_out: Json = False) -> None:
    """Import GDELT 2.0 export files; bad lines are counted and shown as file:line samples."""
    from armsflow.indicators.gdelt import import_files

    def run_import(progress: Any) -> Any:
        def tick(done: int, total: int) -> None:
            if progress:
                progress("importing", done / total if total else 1.0)

        return import_files(files, db, tick)

    with _errors():
        report = _with_progress(json_out, run_import)
    if json_out:
        import json

        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    typer.echo(str(report))


@gdelt_app.command("dyad")
def gdelt_dyad(db: Db, a: Annotated[str, typer.Option("--a", help="Country code of one side (CAMEO/ISO3), e.g. RUS.")],
               b: Annotated[str, typer.Option("--b", help="Country code of the other side, e.g. PRK.")],
               since: Since = None, until: Until = None,
               backend: Annotated[str, typer.Option(help="duckdb (embedded) or spark (local PySpark).")] = "duckdb",
               late: Annotated[str, typer.Option(
                   help="Events whose SQLDATE is more than --max-lag-days before their DATEADDED: drop (default; "
                        "out of counts and totals), dateadded (dated by DATEADDED) or keep (at SQLDATE).")] = "drop",
               max_lag_days: Annotated[int, typer.Option(
                   "--max-lag-days", help="Days SQLDATE may lie before DATEADDED before an event is late.")] = 30,
               dedupe: Annotated[str, typer.Option(
                   help="id (default: each GLOBALEVENTID once) or source (also once per actor countries, event "
                        "code, SQLDATE and SOURCEURL).")] = "id",
               json_out: Json = False) -> None:
    """Monthly events between two countries (either direction) by CAMEO family, per million events."""
    from armsflow.indicators.gdelt import DyadRules, dyad_monthly

    choices = {"--backend": (backend, ("duckdb", "spark")), "--late": (late, ("drop", "dateadded", "keep")),
               "--dedupe": (dedupe, ("id", "source"))}
    problems = [f"{option}: {', '.join(allowed[:-1])} or {allowed[-1]}"
                for option, (value, allowed) in choices.items() if value not in allowed]
    if problems:
        _fail(problems)
    rules = DyadRules(max_lag_days=max_lag_days, late=late, dedupe=dedupe)  # type: ignore[arg-type]
    with _errors():
        months = dyad_monthly(db, a, b, _day(since), _day(until), backend=backend,  # type: ignore[arg-type]
                              rules=rules)
    if json_out:
        import json

        typer.echo(json.dumps([m.to_dict() for m in months], indent=2))
        return
    touched = {"drop": "late-dated, not counted", "dateadded": "re-dated by DATEADDED", "keep": "late-dated"}[late]
    for m in months:
        per = f"{m.per_million:.2f}" if m.per_million is not None else "–"
        typer.echo(f"{m.month:%Y-%m}  {m.family:<28} {m.count:>6}  {per:>8} per million events"
                   + (f"  ({m.late} {touched})" if m.late else ""))


def main() -> None:
    app()

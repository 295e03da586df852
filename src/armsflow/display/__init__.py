"""Terminal rendering of runs, checks and explanations with Rich. Presentation only: no analysis happens here."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from armsflow.gdelt.results import DyadResult, ImportReport, RepairReport
from armsflow.indicators.trade import money_text
from armsflow.results import (
    CheckResult,
    EventRateResult,
    EvidenceUse,
    Explanation,
    InitResult,
    PublishedResult,
    RunResult,
    StudyList,
    TimelineResult,
    TradeResult,
)

if TYPE_CHECKING:
    from armsflow.report.api import ReportResult

_SHORT = (("trillion", "tn"), ("billion", "bn"), ("million", "M"), ("thousand", "k"))


def short_unit(unit: str) -> str:
    """``billion USD`` → ``bn USD``; ``percent`` → ``%``."""
    if unit.strip() == "percent":
        return "%"
    for long, short in _SHORT:
        unit = re.sub(rf"\b{long}\b", short, unit)
    return unit


def number(value: float | None) -> str:
    if value is None or value != value:
        return "–"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def interval(p5: float, p95: float) -> str:
    return f"{number(p5)} – {number(p95)}"


def percent(share: float) -> str:
    """``0.46`` → ``46 %``; shares below one percent keep a decimal so that they do not read as none."""
    if share != share:
        return "–"
    return f"{share:.0%}" if share == 0 or share >= 0.01 else f"{share:.1%}"


def render_studies(found: StudyList, console: Console) -> None:
    for info in found.studies:
        mark = " (default)" if info.default else ""
        console.print(f"[bold]{escape(info.name)}[/bold]{mark}: {escape(info.title)}")
        # A grid, so that a label longer than the line wraps under itself, not under the ids.
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column()
        for r in info.results:
            grid.add_row("  result", escape(r.id), escape(r.label))
        for sc in info.scenarios:
            grid.add_row("  scenario", escape(sc.id), escape(sc.label))
        console.print(grid)


def implied_text(est: PublishedResult) -> str:
    """A published estimate's implied price and how it was paired, or why there is none."""
    if est.implied is None:
        return f"not shown: {escape(est.implied_note)}" if est.implied_note else "–"
    q, unit = est.implied, escape(est.implied_unit)
    if est.implied_method == "paired":  # its own low over its own low: a range, not an interval of draws
        ends = number(q.p50) if q.p5 == q.p95 else f"{number(q.p50)} ({number(q.p5)} – {number(q.p95)})"
        return f"{ends} {unit}, with its own quantities"
    return f"{number(q.p50)} [{interval(q.p5, q.p95)}] {unit}, with armsflow's quantity"


def problem_lines(result: CheckResult) -> list[str]:
    """One line per problem, then their count."""
    return [str(p) for p in result.problems] + [f"{len(result.problems)} problem(s)"]


def fraction(done: int, total: int) -> float:
    """How much of a task with ``total`` steps is done (all of it when there are none), for a progress bar."""
    return done / total if total else 1.0


def render_check(result: CheckResult, console: Console) -> None:
    console.print(f"{escape(result.study)}: ok")


def render_init(result: InitResult, console: Console) -> None:
    console.print(f"created {escape(str(result.folder))} from {escape(result.source)} ({len(result.files)} files); "
                  f"check it with: armsflow check {escape(str(result.folder))}")


def render_run(result: RunResult, console: Console) -> None:
    cut = f", evidence published by {result.as_of}" if result.as_of else ""
    console.print(f"[bold]{escape(result.title)}[/bold] ({escape(result.study)}{cut})")
    console.print(escape(result.question), style="dim")
    if result.scenario:
        console.print(f"scenario [bold]{escape(result.scenario)}[/bold]: {escape(result.scenario_label or '')}")
    table = Table(title="Estimates (90% interval)", title_justify="left")
    for col in ("result", "median", "90% interval", "unit", "claims"):
        table.add_column(col, justify="right" if col in ("median", "90% interval") else "left")
    for r in result.headlines:
        flags = [f"[yellow]fallback: {escape(n)}[/yellow]" for n in r.fallbacks]
        flags += [f"[yellow]extrapolated: {escape(n)}[/yellow]" for n in r.extrapolated]
        name = f"{escape(r.label)}\n[dim]{escape(r.id)}[/dim]" + "".join(f"\n{f}" for f in flags)
        claims = ", ".join(r.claims[:6]) + (" …" if len(r.claims) > 6 else "")
        table.add_row(name, number(r.p50), interval(r.p5, r.p95), short_unit(r.unit), escape(claims))
    console.print(table)
    if result.indicators:
        ind = Table(title="Context indicators", title_justify="left")
        ind.add_column("indicator")
        ind.add_column("finding")
        ind.add_column("sources")
        for i in result.indicators:
            text = escape(i.text) + "".join(f"\n[yellow]conflict: {escape(c)}[/yellow]" for c in i.conflicts)
            text += "".join(f"\npublished: {escape(f.claim)} says {number(f.value)}, "
                            + ("inside" if f.inside else "outside") + " the 90% interval" for f in i.published)
            ind.add_row(escape(i.label), text, escape(", ".join(i.sources[:3]) + (" …" if len(i.sources) > 3 else "")))
        console.print(ind)
    for r in result.results:
        for threshold, p in r.exceedance.items():
            console.print(f"  P({escape(r.id)} > {threshold} {short_unit(r.unit)}) = {percent(p)}")
    if result.published:
        pub = Table(title="Published estimates beside armsflow's", title_justify="left")
        for col in ("estimate", "published", "value", "implied price"):
            pub.add_column(col)
        for est in result.published:
            value = " – ".join(number(v) for v in (est.low, est.central, est.high) if v is not None)
            implied = implied_text(est)
            pub.add_row(escape(est.label), est.published, f"{value} {short_unit(est.unit)}", implied)
        console.print(pub)
    drivers = [(k, rows) for k, rows in result.sensitivity.items() if rows]
    if drivers:
        sens = Table(title="What drives each range (Sobol total-order index; `armsflow explain` for more)",
                     title_justify="left")
        sens.add_column("result")
        sens.add_column("main drivers")
        for output, rows in drivers:
            top = ", ".join(f"{escape(r.label)} {r.total:.2f}" for r in rows[:3] if r.total >= 0.005)
            sens.add_row(escape(output), top)
        console.print(sens)
    if result.assumptions:
        console.print("[bold]The study's own assumptions[/bold] (labelled as such, not evidence)")
        for a in result.assumptions:
            console.print(f"  {escape(a.variable)}: {escape(a.text)}", style="italic")
    for name in result.fallbacks:
        console.print(f"[yellow]fallback:[/yellow] {escape(name)} has no evidence published by {result.as_of} and "
                      "uses its declared fallback")
    for name in result.extrapolated:
        console.print(f"[yellow]extrapolated:[/yellow] {escape(name)} is read past its timeline's last claim")
    if result.excluded_sources:
        console.print(f"{len(result.excluded_sources)} sources published after {result.as_of} left out.", style="dim")
    recorded = f" · recorded as run {result.recorded}" if result.recorded is not None else ""
    console.print(f"seed {result.seed} · {result.draws:,} draws · armsflow {result.version} · inputs "
                  f"{result.inputs_sha256[:12]}{recorded}", style="dim")


ROLES = {"lower": "a lower bound: no value below it", "upper": "an upper bound: no value above it",
         "cap": "a capacity: no value above it"}


def stated(e: EvidenceUse) -> str:
    """What a source stated: ``low 1,000, central 2,000 container``, the given numbers only, read by the claim's
    kind: a bound as one (``at least 10,000 container``), a capacity as one (``capacity 300 – 500 container``)."""
    given = [(word, v) for word, v in (("low", e.stated_low), ("central", e.stated_central),
                                       ("high", e.stated_high)) if v is not None]
    if e.claim_kind in ("lower", "upper"):
        given = [("at least" if e.claim_kind == "lower" else "up to", v) for _, v in given]
    if e.claim_kind == "capacity":
        return escape("capacity " + " – ".join(number(v) for _, v in given) + f" {e.stated_unit}")
    parts = [f"{word} {number(v)}" for word, v in given]
    return escape(", ".join(parts) + f" {e.stated_unit}")


def render_explanation(ex: Explanation, console: Console) -> None:
    s = ex.summary
    console.print(f"[bold]{escape(ex.label)}[/bold] ({escape(ex.id)}), {short_unit(ex.unit)}")
    console.print(f"  median {number(s.p50)}, 90% interval {interval(s.p5, s.p95)}, mean {number(s.mean)}")
    console.print(f"  formula: {escape(ex.formula)}")
    for item in ex.inputs:
        q = item.summary
        unit = escape("[" + short_unit(item.unit) + "]")
        console.print(f"\n[bold]{escape(item.name)}[/bold]: {escape(item.label)} {unit} — "
                      f"{escape(item.how)}; median {number(q.p50)}, 90% {interval(q.p5, q.p95)}")
        if item.fallback:
            console.print("  [yellow]fallback: no evidence published by the cut-off[/yellow]")
        if item.extrapolated:
            console.print("  [yellow]extrapolated beyond the timeline's last claim[/yellow]")
        if item.assumption:
            console.print(f"  assumption: {escape(item.assumption)}", style="italic")
        for e in item.evidence:
            weight = "" if e.share is None else f", weight {percent(e.share)}"
            weight += "" if e.role == "estimate" else f", {ROLES[e.role]}"
            console.print(f"  {e.ref} ({e.kind}, {escape(e.publisher)}, {e.published}, grade "
                          f"{e.reliability}{e.credibility}{weight}): stated {stated(e)}; "
                          f"used as {interval(e.low, e.high)} (mode {number(e.mode)})")
            if e.conversion:
                console.print(f"    converted: {escape('; '.join(e.conversion))}", style="dim")
            if e.quote:
                console.print(f"    “{escape(e.quote[:300])}”", style="dim")
    if ex.sensitivity:
        console.print("\n[bold]Drivers[/bold] (Sobol total-order index)")
        for row in ex.sensitivity:
            console.print(f"  {number(row.total):>5}  {escape(row.label)}")


def render_timeline(report: TimelineResult, console: Console) -> None:
    console.print(f"[bold]{escape(report.label)}[/bold] ({escape(report.name)}), {short_unit(report.unit)}")
    table = Table(title="Claims and the fitted band (90%)", title_justify="left")
    for col in ("series", "date", "claims", "claim interval", "fitted median", "fitted 90%"):
        table.add_column(col)
    for row in report.rows:
        table.add_row(escape(row.series), row.day.isoformat(), escape(", ".join(row.refs)),
                      interval(row.stated_low, row.stated_high), number(row.p50), interval(row.p5, row.p95))
    console.print(table)
    s = report.at_day
    flag = " [yellow](extrapolated beyond the last claim)[/yellow]" if report.extrapolated else ""
    console.print(f"At {report.day}: median {number(s.p50)}, 90% {interval(s.p5, s.p95)} "
                  f"{short_unit(report.unit)}{flag}")
    for series in report.by_series:
        q = series.summary
        console.print(f"  series {escape(series.name)}: median {number(q.p50)}, 90% {interval(q.p5, q.p95)} — "
                      f"{escape(series.label)}")
    if report.by_series:
        console.print("  (the value above pools the series in proportion to their claims' weights)", style="dim")
    if report.assumption:
        console.print(f"assumption: {escape(report.assumption)}", style="italic")
    console.print(f"rule: {report.rule}", style="dim")


def render_trade(result: TradeResult, console: Console) -> None:
    table = Table(title="Trade records", title_justify="left")
    for col in ("id", "period", "reporter → partner", "flow", "value", "source"):
        table.add_column(col)
    for r in result.records:
        table.add_row(escape(r.id), escape(str(r.period)), f"{r.reporter} → {r.partner}", r.flow,
                      money_text(r.value, r.currency), escape(r.source))
    console.print(table)
    for c in result.comparisons:
        console.print(f"  {escape(c.text)}")
    for clash in result.conflicts:
        console.print(f"  [yellow]conflict:[/yellow] {escape(clash.first)} vs {escape(clash.second)}: "
                      f"{escape(clash.reason)}")


def render_event_rate(r: EventRateResult, console: Console) -> None:
    level = f"{r.confidence:.0%}"
    where = f"the window of the study's indicator {r.window!r}" if r.window != "given" else "the window given"
    console.print(f"{r.count} events in {r.months:.1f} months ({r.since} – {r.until}, {where}): "
                  f"{number(r.per_month)} per month, {level} exact interval {interval(r.low, r.high)}")
    if r.as_of is not None:
        console.print(f"  evidence published by {r.as_of}; the window ends at the cut-off at the latest", style="dim")
    if r.uncertain:
        console.print(f"not counted (known only to a month that the window cuts): {', '.join(r.uncertain)}")
    console.print("  ".join(f"{m.month}:{m.count}" for m in r.monthly))
    if r.versus is not None:
        b = r.versus
        console.print(f"against {b.count} events in {b.months:.1f} months ({b.since} – {b.until}, "
                      f"{number(b.per_month)} per month): rate ratio {number(b.ratio)}, {level} exact interval "
                      f"{interval(b.low, b.high)}, p = {b.p_value:.3g} (exact conditional test)")
    console.print(escape(r.method), style="dim")


def render_gdelt_import(report: ImportReport | RepairReport, console: Console) -> None:
    """What an import (or a repair) did, as its plain-text summary: counts, then one line per problem."""
    console.print(escape(str(report)), highlight=False)


def render_dyad(result: DyadResult, console: Console) -> None:
    """One line per month and CAMEO family, under a header naming the columns."""
    touched = result.rules.late.counted_as
    console.print(f"{result.a}–{result.b} events by month and CAMEO family ({result.backend.value}; late: "
                  f"{result.rules.late.value}, max lag {result.rules.max_lag_days} days; dedupe: "
                  f"{result.rules.dedupe.value})", style="bold", highlight=False)
    console.print(f"{'month':<8} {'family':<28} {'events':>6}  {'per million events':>18}  late", highlight=False)
    for m in result.months:
        per = number(m.per_million)
        console.print(f"{m.month:%Y-%m}  {escape(m.family):<28} {m.count:>6}  {per:>18}"
                      + (f"  {m.late} {touched}" if m.late else ""), highlight=False)
    if not result.months:
        console.print("no events between the two in the store for that window", style="dim")


def render_report(result: ReportResult, console: Console) -> None:
    for f in result.files:
        console.print(f"{escape(str(f.path))}  ({f.lang}, {f.format}, {f.bytes:,} bytes)", highlight=False)

"""Terminal rendering of the reconciliation of armsflow's figures with scenarios and published estimates."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from armsflow.display import number, short_unit
from armsflow.display.history import signed
from armsflow.results import PublishedGap, ReconcileResult


def render_reconcile(result: ReconcileResult, console: Console) -> None:
    console.print(f"[bold]{escape(result.study)}[/bold]: each scenario against the base, assumption by assumption "
                  f"(seed {result.seed}, {result.draws:,} draws, the same for both)")
    for gap in result.scenarios:
        follows = f" — follows {', '.join(gap.reproduces)}" if gap.reproduces else ""
        console.print(f"\n[bold]{escape(gap.scenario)}[/bold]: {escape(gap.label)}{escape(follows)}")
        for out in gap.outputs:
            if not out.parts:
                continue
            console.print(f"  {escape(out.label)}: {number(out.before)} → {number(out.after)} "
                          f"{short_unit(out.unit)} ({signed(out.total)})")
            for part in out.parts:
                console.print(f"    {signed(part.effect):>9}  {escape(part.group)}: {escape(part.label)}")
        for pub in gap.published:
            if pub.scenario_median is None:
                continue
            where = "" if pub.inside is None else \
                (", beyond its bound as stated" if pub.inside else ", short of its bound") if pub.bound else \
                (", inside its range" if pub.inside else ", outside its range")
            left = "" if pub.remaining is None else \
                f"; still apart: {signed(pub.remaining)} (what the assumptions taken over do not explain)"
            end = f" (the scenario follows its {pub.end} end)" if pub.end else ""
            console.print(f"  {escape(pub.id)} published {published(pub)}{end}; this scenario "
                          f"{number(pub.scenario_median)}{where}{left}", style="dim")
    if result.unreconciled:
        console.print("\n[bold]Published estimates no scenario follows yet[/bold]")
        for u in result.unreconciled:
            console.print(f"  {escape(u.id)}: {escape(u.label)}: {published(u)}")
    console.print(escape(result.method), style="dim")


def published(figure: PublishedGap) -> str:
    """A published value as stated: its range, its central value, or both; a bound as one (at least, up to)."""
    value = " – ".join(number(v) for v in (figure.low, figure.central, figure.high) if v is not None)
    if figure.bound:
        value = f"{'at least' if figure.bound == 'lower' else 'up to'} {value}"
    return escape(f"{value} {short_unit(figure.unit)}")

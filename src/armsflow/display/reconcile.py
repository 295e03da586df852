"""Terminal rendering of the reconciliation of armsflow's figures with scenarios and published estimates."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from armsflow.display import number, short_unit
from armsflow.display.history import signed
from armsflow.results import ReconcileResult


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
    if result.unreconciled:
        console.print("\n[bold]Published estimates no scenario follows yet[/bold]")
        for u in result.unreconciled:
            value = " – ".join(number(v) for v in (u.low, u.central, u.high) if v is not None)
            console.print(f"  {escape(u.id)}: {escape(u.label)}: {value} {short_unit(u.unit)}")
    console.print(escape(result.method), style="dim")

"""Terminal rendering of run history and of what changed between two states of a study."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from armsflow.display import number, short_unit
from armsflow.results import DiffResult, HistoryResult


def render_history(result: HistoryResult, console: Console) -> None:
    """The runs, one row each: when, what, which evidence and scenario, and the headline medians (the seed, draws,
    inputs hash and git commit are in ``--json``)."""
    if not result.runs:
        console.print(f"no run recorded in {escape(result.file)}")
        return
    table = Table(title=f"Runs of {escape(result.study)} ({escape(result.file)})", title_justify="left")
    for col in ("run", "time (UTC)", "command", "as of, scenario", "headline medians"):
        table.add_column(col)
    for r in result.runs:
        heads = "\n".join(f"{escape(k)} {number(v)}" for k, v in r.headlines.items())
        when = r.time.replace("T", " ")[:16]
        table.add_row(str(r.id), when, r.command, f"{r.as_of or '–'}\n{escape(r.scenario or '–')}", heads)
    console.print(table)


def signed(value: float) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "±") + number(abs(value))


def render_diff(result: DiffResult, console: Console) -> None:
    console.print(f"[bold]{escape(result.study)}[/bold]: {escape(result.a.label)} → {escape(result.b.label)} "
                  f"(seed {result.seed}, {result.draws:,} draws, same for both)")
    if result.changes:
        table = Table(title="What changed in the inputs", title_justify="left")
        for col in ("file", "id or key", "change"):
            table.add_column(col)
        for c in result.changes:
            fields = "; ".join(f"{escape(f.field)}: {escape(f.before)} → {escape(f.after)}" if f.field
                               else f"{escape(f.before)} → {escape(f.after)}" for f in c.fields)
            table.add_row(escape(c.file), escape(c.key), c.kind + (f": {fields}" if fields else ""))
        console.print(table)
    else:
        console.print("no input differs")
    for out in result.outputs:
        unit = short_unit(out.unit)
        console.print(f"\n[bold]{escape(out.label)}[/bold] ({escape(out.id)}): {number(out.before)} → "
                      f"{number(out.after)} {unit} ({signed(out.total)})")
        for p in out.parts:
            refs = ", ".join([f"+{r}" for r in p.added] + [f"−{r}" for r in p.removed])
            why = "; ".join(x for x in (refs, p.note) if x)
            error = f" (± {number(out.error)})" if out.error is not None else ""
            console.print(f"  {signed(p.effect):>9}{error}  {escape(p.group)}: {escape(p.label)}"
                          + (f" [dim]({escape(why)})[/dim]" if why else ""))
    for line in result.unattributed:
        console.print(f"  [dim]{escape(line)}[/dim]")
    console.print(escape(result.method), style="dim")

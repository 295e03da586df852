"""Terminal rendering of the intake queue with Rich. Every text from a document is escaped: it is untrusted."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from armsflow.display import number
from armsflow.intake.candidates import Candidate
from armsflow.intake.results import IntakeAccepted, IntakeAdded, IntakeQueue, IntakeRejected

_KIND = {"estimate": "estimate", "lower_bound": "more than", "upper_bound": "up to", "approximate": "about"}


def values(c: Candidate) -> str:
    """The candidate's numbers as its row would state them: ``1.7 – 5.5 billion USD``, ``up to 5.5 billion USD``."""
    low, central, high, unit = c.row_values()
    if low is not None and high is not None:
        text = f"{number(low)} – {number(high)}"
    else:
        text = number(next(v for v in (low, central, high) if v is not None))
    return f"{text} {unit}"


def _table(candidates: list[tuple[Candidate, str]]) -> Table:
    table = Table(show_lines=True)
    for column in ("id", "value", "kind", "period", "quote", "rules"):
        table.add_column(column, overflow="fold")
    for c, status in candidates:
        where = f"p. {c.page}, " if c.page else ""
        marks = [f"same as claim {c.existing}"] if c.existing else []
        marks += list(c.flags)
        quote = escape(c.quote) + f"\n[dim]{escape(where)}{escape(c.language)}[/dim]"
        if marks:
            quote += "\n[yellow]" + escape("; ".join(marks)) + "[/yellow]"
        ident = escape(c.id) + (f"\n[dim]{escape(status)}[/dim]" if status != "open" else "")
        table.add_row(ident, escape(values(c)), _KIND.get(c.kind, c.kind), escape(c.period or "–"), quote,
                      escape("\n".join(c.rules)))
    return table


def render_added(result: IntakeAdded, console: Console) -> None:
    for d in result.documents:
        pages = f", {d.pages} pages" if d.pages else ""
        console.print(f"{escape(d.path)}: {escape(d.kind)}, {escape(d.language)}{pages}; source "
                      f"{escape(d.source)}; {d.new} new candidates, {d.known} already queued")
    if result.candidates:
        console.print(_table([(c, "open") for c in result.candidates]))


def render_queue(result: IntakeQueue, console: Console) -> None:
    console.print(f"{result.open} open, {result.accepted} accepted, {result.rejected} rejected")
    if result.entries:
        console.print(_table([(e.candidate, e.status + (f" {e.claim}" if e.claim else ""))
                              for e in result.entries]))


def render_accepted(result: IntakeAccepted, console: Console) -> None:
    row = result.row
    console.print(f"{escape(result.candidate)} → claim {escape(result.claim)} of {escape(result.variable)}: "
                  f"{escape(row['low'] or '–')} / {escape(row['central'] or '–')} / {escape(row['high'] or '–')} "
                  f"{escape(row['unit'])}, as of {escape(row['as_of'])}, source {escape(row['source'])}"
                  + (" (new)" if result.source_added else ""))
    console.print("written: " + ", ".join(escape(f) for f in result.files))


def render_rejected(result: IntakeRejected, console: Console) -> None:
    console.print(f"{escape(result.candidate)} rejected" + (f": {escape(result.reason)}" if result.reason else ""))

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


def quote(c: Candidate) -> str:
    """The sentence, escaped, with the candidate's span in bold."""
    span = " ".join(c.span.split())
    before, found, after = c.quote.partition(span)
    if not found:
        return escape(c.quote)
    return f"{escape(before)}[bold]{escape(span)}[/bold]{escape(after)}"


def _table(candidates: list[tuple[Candidate, str]]) -> Table:
    table = Table(show_lines=True)
    table.add_column("id", no_wrap=True)
    table.add_column("value", min_width=12)
    table.add_column("kind", no_wrap=True)
    table.add_column("period", min_width=7)
    table.add_column("quote", ratio=3, overflow="fold")
    table.add_column("rules", ratio=1, overflow="fold")
    for c, status in candidates:
        where = f"p. {c.page}, " if c.page else ""
        marks = [f"same as claim {c.existing}"] if c.existing else []
        marks += list(c.flags)
        text = quote(c) + f"\n[dim]{escape(where)}{escape(c.language)}[/dim]"
        if marks:
            text += "\n[yellow]" + escape("; ".join(marks)) + "[/yellow]"
        ident = escape(c.id) + (f"\n[dim]{escape(status)}[/dim]" if status != "open" else "")
        table.add_row(ident, escape(values(c)), _KIND.get(c.kind, c.kind), escape(c.period or "–"), text,
                      escape("\n".join(c.rules)))
    return table


def render_added(result: IntakeAdded, console: Console) -> None:
    for d in result.documents:
        pages = f", {d.pages} pages" if d.pages else ""
        state = "in sources.csv" if d.source_exists else "proposed, added on the first accept"
        console.print(f"{escape(d.path)}: {escape(d.kind)}, {escape(d.language)}{pages}; {d.new} new candidates, "
                      f"{d.known} already queued")
        console.print(f"  source {escape(d.source)} ({state}): {escape(d.publisher or '?')}, "
                      f"'{escape(d.title or '?')}', {escape(d.published or 'no date')}, {escape(d.url or 'no url')}")
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

"""Terminal rendering of sanctions screening: loads, matches with their features, a study's entities."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from armsflow.screen.results import FileResult, LoadResult, Match, QueryResult, ScreenStudyResult


def render_load(result: LoadResult, console: Console) -> None:
    table = Table(title=f"Loaded into {escape(str(result.db))}", title_justify="left")
    for col in ("file", "format", "list", "list date", "entries", "skipped", "warnings"):
        table.add_column(col, justify="right" if col in ("entries", "skipped", "warnings") else "left",
                         overflow="fold")
    for item in result.lists:
        table.add_row(escape(item.file), item.format, escape(item.list_key), str(item.list_date or "–"),
                      f"{item.entries:,}", f"{item.skipped:,}", f"{item.warnings:,}")
    console.print(table)
    for label, count, samples in (("skipped", result.skipped, result.skipped_samples),
                                  ("warning", result.warnings, result.warning_samples)):
        for problem in samples:
            console.print(f"[yellow]{label}[/yellow] {escape(str(problem))}")
        if count > len(samples):
            console.print(f"[yellow]… and {count - len(samples):,} more {label} record(s)[/yellow]")
    if result.replaced:
        console.print(f"replaced the earlier version of: {escape(', '.join(result.replaced))}")
    console.print(f"{result.entries:,} entries loaded; the store holds {result.store_entries:,}")


def _listing(m: Match) -> str:
    listed = f", listed {m.listing.listed_on}" if m.listing.listed_on else ""
    programs = f" [{', '.join(m.listing.programs)}]" if m.listing.programs else ""
    return f"{m.listing.authority}: {m.listing.reference or '–'}{listed}{programs}"


def _features(m: Match) -> str:
    return "\n".join(f"{f.name} {f.contribution:+.2f}: {f.detail}" for f in m.features)


def match_table(matches: list[Match], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for col in ("score", "listed entry", "listing", "why"):
        table.add_column(col, justify="right" if col == "score" else "left")
    for m in matches:
        ident = f"IMO {m.imo}" + ("" if m.imo_valid else " (check digit fails)") if m.imo else ""
        entry = f"[bold]{escape(m.name)}[/bold] ({m.kind})" + (f"\n{ident}" if ident else "")
        if m.flag:
            entry += f"\nflag {escape(m.flag)}"
        table.add_row(f"{m.score:.2f}", entry, escape(_listing(m)), escape(_features(m)))
    return table


def _asked(result: QueryResult) -> str:
    parts = [repr(result.query.name)] if result.query.name else []
    if result.query.imo:
        parts.append(f"IMO {result.query.imo}")
    return " / ".join(parts)


def render_query(result: QueryResult, console: Console) -> None:
    for note in result.notes:
        console.print(f"[yellow]{escape(note)}[/yellow]")
    if not result.matches:
        console.print(f"{escape(_asked(result))}: not found (threshold {result.threshold:.2f})")
        return
    console.print(match_table(result.matches, f"{escape(_asked(result))}: {len(result.matches)} match(es), "
                                              f"threshold {result.threshold:.2f}"))


def render_file(result: FileResult, console: Console) -> None:
    for r in result.results:
        render_query(r, console)
    console.print(f"{result.found:,} of {len(result.results):,} names found among {result.entries_screened:,} "
                  f"list entries")


def render_study(result: ScreenStudyResult, console: Console) -> None:
    lists = ", ".join(f"{item.list_key} ({item.list_date or 'date unknown'})" for item in result.lists)
    console.print(f"[bold]{escape(result.study)}[/bold]: {len(result.entities)} ships and firms screened against "
                  f"{escape(lists) or 'no list'}")
    for e in result.entities:
        sources = "; ".join(f"{s.id} ({s.published})" for s in e.sources)
        head = f"[bold]{escape(e.name)}[/bold] ({e.kind}{', ' + escape(e.role) if e.role else ''})"
        if not e.matches:
            console.print(f"{head}: not found\n  sources: {escape(sources)}")
            continue
        console.print(match_table(e.matches, f"{head}: listed {len(e.matches)} time(s)"))
        console.print(f"  sources: {escape(sources)}")
    console.print(f"{result.found} of {len(result.entities)} found at threshold {result.threshold:.2f}")

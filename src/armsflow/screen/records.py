"""One entry of a sanctions list as every format reads it, whatever the list wrote it as."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from armsflow.errors import Problem
from armsflow.screen.imo import Imo

#: The kinds of listed entries; lists call companies entities or organisations, and the matcher treats them alike.
KINDS = ("vessel", "company", "person", "other")


@dataclass(frozen=True)
class ListName:
    """A name of an entry and what the list says it is: ``primary``, ``alias``, ``weak`` (the UN's "Low" quality
    aliases, OFAC's weak a.k.a.s) or ``previous`` (a former name of a ship or firm, f.k.a.)."""

    name: str
    quality: str


@dataclass
class Entry:
    """An entry of a list: its names, its identifiers and supporting details, and where in which file it stands."""

    kind: str
    ref: str
    names: list[ListName]
    listed_on: date | None = None
    programs: tuple[str, ...] = ()
    imo: Imo | None = None
    mmsi: str = ""
    flag: str = ""
    vessel_type: str = ""
    owner: str = ""
    line: int = 0


@dataclass
class Parsed:
    """What reading one list file gave: its entries, the list it is, and the records skipped or doubtful."""

    file: str
    format: str
    list_key: str
    authority: str
    list_date: date | None
    entries: list[Entry] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def add(self, entry: Entry) -> None:
        """Keep ``entry`` unless it has no name (skipped, with its place); a bad IMO check digit is kept and warned."""
        entry.names = [n for n in _unique(entry.names) if n.name]
        if not entry.names:
            self.skipped.append(Problem(self.file, entry.line, "name", f"entry {entry.ref or '?'} has no name"))
            return
        if entry.imo is not None and not entry.imo.valid:
            self.warnings.append(Problem(self.file, entry.line, "imo", f"IMO {entry.imo.number} of "
                                         f"{entry.names[0].name!r} fails its check digit (kept, matched only exactly)"))
        self.entries.append(entry)


def _unique(names: list[ListName]) -> list[ListName]:
    seen: set[str] = set()
    out = []
    for n in names:
        clean = " ".join(n.name.split())
        if clean.casefold() not in seen:
            seen.add(clean.casefold())
            out.append(ListName(clean, n.quality))
    return out

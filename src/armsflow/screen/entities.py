"""A study's ``entities.csv``: the ships and firms its evidence names, each with the sources that name it.

The study loader does not read this file; ``read_entities`` does, checking every row against the study's
``sources.csv`` and reporting each problem as ``entities.csv:line: field: message`` (docs/study-format.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources.abc import Traversable

from armsflow.errors import Problem, StudyError
from armsflow.evidence.records import Source
from armsflow.evidence.tables import read_table
from armsflow.screen.imo import is_valid
from armsflow.study.evidence_load import load_sources

FILE = "entities.csv"
COLUMNS = ("id", "kind", "name", "source")
OPTIONAL = ("other_names", "imo", "flag", "role", "notes")
KINDS = ("vessel", "company", "person")


@dataclass(frozen=True)
class StudyEntity:
    """A ship, firm or person the evidence names, with the ids of the sources that name it."""

    id: str
    kind: str
    name: str
    other_names: tuple[str, ...]
    imo: str
    flag: str
    role: str
    sources: tuple[str, ...]
    notes: str
    line: int


def read_entities(folder: Traversable) -> tuple[list[StudyEntity], dict[str, Source]]:
    """The entities of the study in ``folder`` and its sources; a ``StudyError`` listing every problem."""
    problems: list[Problem] = []
    sources_file = folder.joinpath("sources.csv")
    entities_file = folder.joinpath(FILE)
    if not entities_file.is_file():
        raise StudyError([Problem(FILE, 0, "", "the study has no entities.csv: list the ships and firms its "
                                               "evidence names there (docs/study-format.md)")])
    sources = load_sources(sources_file.read_bytes(), problems) if sources_file.is_file() else {}
    rows = read_table(FILE, entities_file.read_bytes(), COLUMNS, OPTIONAL, problems)
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        before = len(problems)
        ident = row.unique_id(seen)
        kind = row.text("kind")
        if kind and kind not in KINDS:
            row.problem("kind", f"must be one of {', '.join(KINDS)}, got {kind[:20]!r}")
        name = row.text("name")
        imo = row.text("imo", required=False).upper().removeprefix("IMO").strip()
        if imo and not is_valid(imo):
            row.problem("imo", f"{imo[:20]!r} is not an IMO number with a valid check digit")
        cited = tuple(s.strip() for s in row.text("source").split(";") if s.strip())
        for source in cited:
            if source not in sources:
                row.problem("source", f"unknown source id {source[:40]!r}")
        if len(problems) == before:
            others = tuple(n.strip() for n in row.text("other_names", required=False).split(";") if n.strip())
            out.append(StudyEntity(ident, kind, name, others, imo, row.text("flag", required=False),
                                   row.text("role", required=False), cited, row.text("notes", required=False),
                                   row.line))
    if problems:
        raise StudyError(problems)
    return out, sources

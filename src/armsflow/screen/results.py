"""What the screening calls return: typed results with ``to_dict()``/``to_json()`` (``armsflow.results.Result``).

``LoadResult`` (``load_lists``), ``QueryResult`` (``query``), ``FileResult`` (``screen_file``) and
``ScreenStudyResult`` (``screen_study``). A match carries the features that made its score, so that each can be
shown and checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from armsflow.errors import Problem
from armsflow.results.base import Result

#: The most skipped records and warnings a ``LoadResult`` shows (it counts them all).
MAX_SAMPLES = 20


@dataclass(frozen=True)
class LoadedList(Result):
    """One file of a load: its format, the list it holds, that list's date, and its counts."""

    file: str
    format: str
    list_key: str
    authority: str
    list_date: date | None
    entries: int
    skipped: int
    warnings: int


@dataclass(frozen=True)
class LoadResult(Result):
    """What ``load_lists`` stored. A list loaded again replaces its earlier version; ``replaced`` names those."""

    db: Path
    lists: list[LoadedList]
    entries: int
    skipped: int
    skipped_samples: list[Problem]
    warnings: int
    warning_samples: list[Problem]
    replaced: list[str]
    store_entries: int


@dataclass(frozen=True)
class Feature(Result):
    """One feature of a match: its value (0–1), its weight, what it added to the score, and why."""

    name: str
    value: float
    weight: float
    contribution: float
    detail: str


@dataclass(frozen=True)
class Listing(Result):
    """Where an entry is listed: the list and its authority, reference number, listing date, programs, file."""

    list_key: str
    authority: str
    reference: str
    listed_on: date | None
    programs: list[str]
    list_date: date | None
    file: str
    line: int


@dataclass(frozen=True)
class Match(Result):
    """A list entry that matched a query: its score, the name that matched, and the features behind the score."""

    score: float
    kind: str
    name: str
    matched_name: str
    matched_quality: str
    other_names: list[str]
    imo: str
    imo_valid: bool | None
    flag: str
    vessel_type: str
    owner: str
    listing: Listing
    features: list[Feature]


@dataclass(frozen=True)
class Query(Result):
    """What was asked: a name and/or IMO number, and optionally a kind, flag, type and owner that support a match."""

    name: str = ""
    imo: str = ""
    kind: str = ""
    flag: str = ""
    vessel_type: str = ""
    owner: str = ""
    other_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryResult(Result):
    """The matches of one query at or above ``threshold``, best first; ``notes`` reports a bad IMO check digit."""

    query: Query
    threshold: float
    matches: list[Match]
    notes: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def found(self) -> bool:
        return bool(self.matches)


@dataclass(frozen=True)
class FileResult(Result):
    """``screen_file``: each row of a names file with its matches."""

    file: str
    threshold: float
    results: list[QueryResult]
    found: int
    entries_screened: int


@dataclass(frozen=True)
class SourceRef(Result):
    """A source of the study's evidence that names an entity."""

    id: str
    publisher: str
    title: str
    url: str
    published: date


@dataclass(frozen=True)
class EntityScreen(Result):
    """One ship or firm of a study's ``entities.csv``: what the evidence says of it, its sources, its listings."""

    id: str
    kind: str
    name: str
    other_names: list[str]
    imo: str
    flag: str
    role: str
    sources: list[SourceRef]
    matches: list[Match]
    notes: list[str]

    @property
    def found(self) -> bool:
        return bool(self.matches)


@dataclass(frozen=True)
class ScreenStudyResult(Result):
    """``screen_study``: every entity of a study with its listings (or none), and the lists it was screened against."""

    study: str
    db: Path
    threshold: float
    lists: list[LoadedList]
    entities: list[EntityScreen]
    found: int

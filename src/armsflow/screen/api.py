"""The four calls behind ``armsflow screen``: load lists, query a name or IMO number, screen a file, screen a study."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from armsflow.errors import InputError, ParameterError, Problem
from armsflow.evidence.tables import read_table
from armsflow.screen import formats, store
from armsflow.screen.imo import Imo, parse_imo
from armsflow.screen.index import Index
from armsflow.screen.match import default_threshold, prepare_query, search
from armsflow.screen.records import KINDS
from armsflow.screen.results import (
    MAX_SAMPLES,
    EntityScreen,
    FileResult,
    LoadedList,
    LoadResult,
    Query,
    QueryResult,
    ScreenStudyResult,
    SourceRef,
)
from armsflow.study.spec import Study

#: The columns of a names file for ``screen_file``: ``name`` or ``imo`` on every row.
NAME_COLUMNS = ("name",)
NAME_OPTIONAL = ("id", "imo", "kind", "flag", "type", "owner", "other_names")


def load_lists(files: Sequence[Path], db: Path) -> LoadResult:
    """Read list files (formats told from content: docs/screen.md) into the store ``db``, creating it if needed.

    Every file is read before anything is written: a file that cannot be read (no known format, malformed or hostile
    XML, a cut-off JSON line) raises an ``InputError`` and the store stays as it was. Records without a name are
    skipped and counted; IMO numbers that fail their check digit are kept and warned about.
    """
    if not files:
        raise ParameterError("files", "give at least one list file")
    parsed = formats.read_files([Path(f) for f in files])
    hashes = {p.file: store.sha256(Path(p.file)) for p in parsed}
    replaced, total = store.write(Path(db), parsed, hashes)
    skipped = [s for p in parsed for s in p.skipped]
    warnings = [w for p in parsed for w in p.warnings]
    lists = [LoadedList(p.file, p.format, p.list_key, p.authority, p.list_date, len(p.entries), len(p.skipped),
                        len(p.warnings)) for p in parsed]
    return LoadResult(Path(db), lists, sum(len(p.entries) for p in parsed), len(skipped), skipped[:MAX_SAMPLES],
                      len(warnings), warnings[:MAX_SAMPLES], replaced, total)


def open_index(db: Path) -> tuple[list[LoadedList], Index]:
    """The lists of store ``db`` and an index of its entries, ready for many queries."""
    stored, entries = store.read(Path(db))
    lists = [LoadedList(s.file, s.format, s.key, s.authority, s.list_date, s.entries, s.skipped, s.warnings)
             for s in stored]
    return lists, Index(entries)


def _check(threshold: float | None, limit: int) -> float:
    value = default_threshold() if threshold is None else threshold
    if not 0.0 < value <= 1.0:
        raise ParameterError("threshold", f"must be above 0 and at most 1, got {value}")
    if limit < 1:
        raise ParameterError("limit", f"must be at least 1, got {limit}")
    return value


def _imo(text: str, parameter: str) -> tuple[Imo | None, list[str]]:
    if not text.strip():
        return None, []
    imo = parse_imo(text)
    if imo is None:
        raise ParameterError(parameter, f"not an IMO number: {text[:20]!r} (seven digits, as 9179842 or IMO9179842)")
    if not imo.valid:
        return imo, [f"IMO {imo.number} fails its check digit: matched only to the same digits, as unchecked"]
    return imo, []


def run_query(index: Index, q: Query, imo: Imo | None, threshold: float, limit: int, notes: list[str],
              line: int = 0) -> QueryResult:
    """One query against an open index."""
    matches = search(index, prepare_query(q, imo), threshold, limit)
    return QueryResult(q, threshold, matches, notes, line)


def query(db: Path, name: str = "", *, imo: str = "", kind: str = "", flag: str = "", vessel_type: str = "",
          owner: str = "", threshold: float | None = None, limit: int = 10) -> QueryResult:
    """The entries of store ``db`` that match a name and/or IMO number, best first, each with its features.

    ``kind`` (vessel, company, person), ``flag``, ``vessel_type`` and ``owner`` support or count against a match;
    ``threshold`` defaults to the one in ``features.toml`` (docs/screen.md).
    """
    value = _check(threshold, limit)
    if not name.strip() and not imo.strip():
        raise ParameterError("imo", "give a name or an IMO number")
    if kind and kind not in KINDS:
        raise ParameterError("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    parsed, notes = _imo(imo, "imo")
    _, index = open_index(db)
    q = Query(name.strip(), parsed.number if parsed else "", kind, flag, vessel_type, owner)
    return run_query(index, q, parsed, value, limit, notes)


def screen_file(db: Path, names: Path, *, threshold: float | None = None, limit: int = 10) -> FileResult:
    """Every row of a names file (CSV with ``name`` and optional ``imo, kind, flag, type, owner, other_names, id``)
    against store ``db``. A row without name and IMO, an unknown kind or an unreadable IMO is an ``InputError``
    naming its line."""
    value = _check(threshold, limit)
    file = str(names)
    problems: list[Problem] = []
    rows = read_table(file, Path(names).read_bytes(), NAME_COLUMNS, NAME_OPTIONAL, problems)
    queries = []
    for row in rows:
        name, imo_text = row.text("name", required=False), row.text("imo", required=False)
        kind = row.text("kind", required=False)
        if not name and not imo_text:
            row.problem("name", "empty name and no IMO number")
        if kind and kind not in KINDS:
            row.problem("kind", f"must be one of {', '.join(KINDS)}, got {kind[:20]!r}")
        try:
            imo, notes = _imo(imo_text, "imo")
        except ParameterError as exc:
            row.problem("imo", exc.message)
            continue
        others = tuple(n.strip() for n in row.text("other_names", required=False).split(";") if n.strip())
        queries.append((Query(name, imo.number if imo else "", kind, row.text("flag", required=False),
                              row.text("type", required=False), row.text("owner", required=False), others),
                        imo, notes, row.line))
    if problems:
        raise InputError(problems)
    _, index = open_index(db)
    results = [run_query(index, q, imo, value, limit, notes, line) for q, imo, notes, line in queries]
    return FileResult(file, value, results, sum(1 for r in results if r.matches), len(index.items))


def screen_study(study: str | Path | Study, db: Path, *, threshold: float | None = None,
                 limit: int = 20) -> ScreenStudyResult:
    """Every ship and firm of a study's ``entities.csv`` against store ``db``: each with its listings (list,
    reference number, listing date) or none, and the sources of the study's evidence that name it. ``study`` is a
    folder, a bundled study's name, or a loaded ``Study`` (read again from its folder, since the loader does not keep
    entities.csv)."""
    from armsflow.screen.entities import read_entities
    from armsflow.study.bundled import locate

    value = _check(threshold, limit)
    if isinstance(study, Study):
        study = study.path or study.meta.id or ""
    folder = locate(study)
    entities, sources = read_entities(folder)
    lists, index = open_index(db)
    screened = []
    for e in entities:
        imo = parse_imo(e.imo) if e.imo else None
        q = Query(e.name, e.imo, e.kind, e.flag, "", "", e.other_names)
        found = run_query(index, q, imo, value, limit, [])
        refs = [SourceRef(s.id, s.publisher, s.title, s.url, s.published) for s in (sources[i] for i in e.sources)]
        screened.append(EntityScreen(e.id, e.kind, e.name, list(e.other_names), e.imo, e.flag, e.role, refs,
                                     found.matches, [e.notes] if e.notes else []))
    name = study if isinstance(study, str) else str(study)
    return ScreenStudyResult(name, Path(db), value, lists, screened, sum(1 for s in screened if s.matches))

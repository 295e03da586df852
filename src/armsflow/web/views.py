"""What the pages and the API show, gathered from the library: one function per page, shared by both twins."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from armsflow.engine.reconcile import reconcile
from armsflow.engine.run import run
from armsflow.engine.whatif import FORM_KINDS, Baseline, assumptions, baseline, convert_table, table_keys, table_of
from armsflow.history.record import record_run
from armsflow.results.reconcile import ReconcileResult
from armsflow.results.run import RunResult
from armsflow.study.loader import inputs_hash, refresh
from armsflow.study.model_edit import FILE as MODEL_FILE
from armsflow.study.model_edit import model_etag
from armsflow.study.spec import Study
from armsflow.study.uses import claim_uses
from armsflow.web.app import WebError
from armsflow.web.registry import Entry, Registry

T = TypeVar("T")

#: Per served study (keyed by its folder or bundled name, not its id, which two apps in one process may share):
#: the study as last read (re-validated only when its files change), the last full run and the last reconciliation,
#: each with the hash of the inputs it ran on, and the what-if baselines of recent scenario/cut-off pairs
#: (``BASELINES`` at most).
_studies: dict[str | Path, Study] = {}
_runs: dict[str | Path, tuple[str, RunResult]] = {}
_reconciles: dict[str | Path, tuple[str, ReconcileResult]] = {}
_baselines: OrderedDict[tuple[str, str, str | None, date | None], Baseline] = OrderedDict()
_lock = threading.Lock()
#: Serialises building a baseline, so that twenty clients arriving at once on a new scenario build it once.
_building = threading.Lock()
BASELINES = 8


def study_of(entry: Entry) -> Study:
    """The study as it is on disk now (a folder edited behind the server is read again and validated)."""
    with _lock:
        previous = _studies.get(entry.ref)
    study = refresh(entry.ref, previous)
    if study is not previous:
        with _lock:
            _studies[entry.ref] = study
    return study


def study_run(entry: Entry) -> tuple[Study, RunResult]:
    """The study as it is on disk now, and its full run (the study's own draws), kept while its files are unchanged:
    a folder edited behind the server is read again on the next request. A new state of a folder is recorded in
    its run history (command ``serve``)."""
    study = study_of(entry)

    def fresh() -> RunResult:
        found = run(study)
        # Each state of a folder the workbench shows is kept in its run history (once), so that the history page
        # can say why the estimate moved after an edit; a folder that cannot be written is served all the same.
        record_run(study, found, "serve", unless_recorded=True)
        return found

    return study, _per_state(_runs, entry, study, fresh)


def study_reconcile(entry: Entry) -> ReconcileResult:
    """The study's scenarios against its base (``armsflow.reconcile``, the study's own seed and draws), kept while
    its files are unchanged: it costs about a second on the flagship, so a reload should not pay it again, while a
    folder edited behind the server is reconciled afresh on the next request."""
    study = study_of(entry)
    return _per_state(_reconciles, entry, study, lambda: reconcile(study))


def _per_state(store: dict[str | Path, tuple[str, T]], entry: Entry, study: Study, compute: Callable[[], T]) -> T:
    """``store``'s result for the study as its files are now, computed (outside the lock) when they changed."""
    digest = inputs_hash(study.files)
    with _lock:
        cached = store.get(entry.ref)
    if cached is not None and cached[0] == digest:
        return cached[1]
    found = compute()
    with _lock:
        store[entry.ref] = (digest, found)
    return found


def study_page(entry: Entry, registry: Registry) -> dict[str, Any]:
    """What the study page shows: the study as it is on disk, its full run, the what-if form's assumptions, the
    version of its model.toml (which a saved what-if names) and the served folders that take a copy of it."""
    study, result = study_run(entry)
    return {"entry": entry, "study": study, "result": result, "assumptions": what_if_form(study),
            "model_etag": model_etag(study.files[MODEL_FILE]), "copy_into": registry.copy_into}


@contextmanager
def folder_of(entry: Entry) -> Iterator[Path]:
    """The folder to read ``entry``'s rows from: the user's, or a bundled study's in the installed package (shown,
    never written)."""
    if entry.folder is not None:
        yield entry.folder
        return
    with resources.as_file(resources.files("armsflow.studies").joinpath(str(entry.ref))) as folder:
        yield Path(folder)


def what_if_run(entry: Entry, study: Study, change: WhatIfChange, *, sensitivity: bool) -> RunResult:
    """The what-if ``change`` on ``study`` (as ``what_if`` computes it, at its draws and the study's seed), answered
    from a baseline of the study's draws kept for its scenario and cut-off, so that only what changed is drawn."""
    key = (str(entry.ref), inputs_hash(study.files), change.scenario, change.as_of)
    with _lock:
        found = _baselines.get(key)
        if found is not None:
            _baselines.move_to_end(key)
    if found is None:
        with _building:
            with _lock:
                found = _baselines.get(key)  # built while this request waited
            if found is None:
                found = baseline(study, scenario=change.scenario, as_of=change.as_of)
                with _lock:
                    _baselines[key] = found
                    while len(_baselines) > BASELINES:
                        _baselines.popitem(last=False)
    return found.what_if(change.distributions, sensitivity=sensitivity)


@dataclass(frozen=True)
class Filters:
    """The evidence page's filters; empty text means any. ``published_from`` and ``published_to`` (YYYY-MM-DD)
    bound the publication day of a claim's source, both days included."""

    variable: str = ""
    grade: str = ""
    kind: str = ""
    language: str = ""
    published_from: str = ""
    published_to: str = ""

    def days(self) -> tuple[date | None, date | None]:
        """The two bounds as days; ``WebError`` 422 naming the filter that is not a day."""
        found: list[date | None] = []
        for name in ("published_from", "published_to"):
            try:
                found.append(parse_day(getattr(self, name)))
            except ValueError:
                raise WebError(422, f"{name}: a day YYYY-MM-DD, got {getattr(self, name)[:40]!r}") from None
        return found[0], found[1]


def evidence(study: Study, filters: Filters) -> dict[str, Any]:
    """Sources and claims, each claim with its source's grade, language, link and where the model uses it."""
    uses = claim_uses(study)
    since, until = filters.days()

    def in_window(day: date) -> bool:
        return (since is None or day >= since) and (until is None or day <= until)

    claims = []
    for claim in study.claims.values():
        source = study.sources.get(claim.source)
        reliability = source.reliability if source else ""
        grade = f"{reliability}{claim.credibility}"
        row: dict[str, Any] = {"id": claim.id, "source": claim.source, "measure": claim.measure, "low": claim.low,
               "central": claim.central, "high": claim.high, "unit": claim.unit, "kind": claim.kind,
               "credibility": claim.credibility, "reliability": reliability, "grade": grade,
               "quote": claim.quote, "url": source.url if source else "",
               "publisher": source.publisher if source else "",
               "language": source.language if source else "", "used_in": uses.get(claim.id, [])}
        if filters.variable and not any(u.endswith(f"variables.{filters.variable}") for u in row["used_in"]):
            continue
        if filters.grade and filters.grade.upper() not in (grade, reliability, str(claim.credibility)):
            continue
        if filters.kind and filters.kind != claim.kind:
            continue
        if filters.language and filters.language != row["language"]:
            continue
        if (since or until) and (source is None or not in_window(source.published)):
            continue
        claims.append(row)
    sources = [{"id": s.id, "publisher": s.publisher, "title": s.title, "url": s.url,
                "published": s.published.isoformat(), "language": s.language, "reliability": s.reliability}
               for s in study.sources.values() if in_window(s.published)
               and (not filters.language or filters.language == s.language)]
    return {"study": study.meta.id, "filters": filters.__dict__, "claims": claims, "sources": sources,
            "variables": sorted(study.variables), "languages": sorted({s.language for s in study.sources.values()})}


def what_if_form(study: Study) -> list[dict[str, Any]]:
    """The assumptions a what-if form can show: name, label, unit, the distribution's table and the kinds it may
    take instead."""
    out = []
    for var in assumptions(study):
        table = table_of(var)
        if table is not None:
            out.append({"name": var.name, "label": var.label, "unit": str(var.unit.text), "table": table,
                        "kinds": FORM_KINDS})
    return out


def assumption_query(item: dict[str, Any], query: Mapping[str, str]) -> dict[str, Any]:
    """One assumption's table as the what-if form gives it (``name.dist`` and ``name.key`` fields; empty keeps the
    study's value). A kind other than the study's starts from the typed table converted to it
    (``engine.whatif.convert_table``), so that the fields of the old kind carry over until the new ones are shown.
    ``WebError`` 422 names a field that is not a number or a kind the form does not offer."""
    name, study_table = item["name"], item["table"]
    typed: dict[str, Any] = {"dist": study_table["dist"]}
    for key in study_table:
        if key != "dist":
            typed[key] = _number_field(query, f"{name}.{key}", study_table[key])
    kind = query.get(f"{name}.dist") or study_table["dist"]
    if kind == study_table["dist"]:
        return typed
    if kind not in FORM_KINDS:
        raise WebError(422, f"{name}.dist: one of {', '.join(FORM_KINDS)}, got {kind[:40]!r}")
    start = convert_table(typed, kind)
    return {"dist": kind, **{key: _number_field(query, f"{name}.{key}", start[key])
                             for key in table_keys(kind) if key in start}}


def _number_field(query: Mapping[str, str], field: str, default: Any) -> Any:
    text = query.get(field, "")
    try:
        return float(text) if text else default
    except ValueError:
        raise WebError(422, f"{field}: not a number: {text[:40]!r}") from None


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD day, ``None`` for empty text; ``ValueError`` otherwise."""
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class WhatIfChange:
    """A what-if as a form gives it: the changed assumptions' tables, a scenario and a cut-off day."""

    distributions: dict[str, dict[str, Any]]
    scenario: str | None
    as_of: date | None


def what_if_query(study: Study, query: Mapping[str, str]) -> WhatIfChange:
    """The what-if form's query string (``name.key=value``, ``scenario``, and the cut-off as a day ``as_of`` or as a
    stop ``cutoff`` of the slider over ``Study.cutoffs``, the last stop being all the evidence) read against
    ``study``'s assumptions; keys left empty keep the study's value. ``WebError`` 422 names the first bad field."""
    tables: dict[str, dict[str, Any]] = {}
    for item in what_if_form(study):
        table = assumption_query(item, query)
        if table != item["table"]:
            tables[item["name"]] = table
    scenario = query.get("scenario") or None
    if scenario is not None and scenario not in study.scenarios:
        raise WebError(422, f"scenario: no scenario {scenario[:40]!r} (one of {', '.join(study.scenarios)})")
    try:
        as_of = parse_day(query.get("as_of", ""))
    except ValueError:
        raise WebError(422, "as_of: a day YYYY-MM-DD") from None
    if stop := query.get("cutoff", ""):
        # Stop i keeps the sources of the first i + 1 publication days; the last stop is all the evidence (no
        # cut-off), which holds the same sources as the last day.
        last = len(study.cutoffs()) - 1
        if not stop.isdigit() or int(stop) > last:
            raise WebError(422, f"cutoff: a stop from 0 to {last} (the last is all the evidence), got {stop[:40]!r}")
        if as_of is not None and int(stop) < last:
            raise WebError(422, "cutoff: give the cut-off as a day (as_of) or a stop of the slider (cutoff), not both")
        as_of = study.cutoffs()[int(stop)] if int(stop) < last else as_of
    return WhatIfChange(tables, scenario, as_of)


def form_changes(current: Mapping[str, str], form: Mapping[str, object], skip: tuple[str, ...] = ()) -> dict[str, str]:
    """The fields of a row's edit form whose text differs from the row's (``current``), as the user typed them.

    Browsers send a textarea's line breaks as CRLF (HTML's form encoding), so line breaks are compared and written as
    the single LF a user types: a quote spanning two lines, saved untouched, leaves its row as it was."""
    changes = {}
    for key, value in form.items():
        if key not in current or key in skip:
            continue
        text = str(value).replace("\r\n", "\n")
        if text != current[key].replace("\r\n", "\n"):
            changes[key] = text
    return changes

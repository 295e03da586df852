"""The run history of a study in the workbench: the runs recorded in its folder (``armsflow.run_history``) and what
changed between two states and how far each change moved the headline medians (``armsflow.diff``), as pages and
their JSON twins. Nothing here computes: the library does, these routes parse and present."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from armsflow.engine.diff import diff, run_history
from armsflow.errors import ArmsflowError
from armsflow.results.history import DiffResult, HistoryResult
from armsflow.study.loader import HISTORY_FILE
from armsflow.web import views
from armsflow.web.api import ERRORS
from armsflow.web.app import WebError, entry_of, render
from armsflow.web.registry import Entry

router = APIRouter()

#: A side of a comparison as ``diff`` takes it (a run id, a day, ``today`` or a git revision); never an option of
#: git's (no leading ``-``), whatever reaches the query string.
_SPEC = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.~^/-]{0,99}$")


def _history(entry: Entry) -> HistoryResult | None:
    """The runs recorded in the study's folder, oldest first (none yet: an empty list); ``None`` for a bundled
    study, which has no folder of the user's to record in."""
    if entry.folder is None:
        return None
    if not (entry.folder / HISTORY_FILE).is_file():
        return HistoryResult(views.study_of(entry).meta.id, str(entry.folder / HISTORY_FILE), [])
    return run_history(entry.folder)


def _spec(name: str, text: str) -> str:
    if not _SPEC.match(text):
        raise WebError(422, f"{name}: a run id, a day YYYY-MM-DD, 'today' or a git revision, got {text[:40]!r}")
    return text


def _diff(entry: Entry, a: str, b: str) -> DiffResult:
    """``diff`` from ``a`` to ``b`` (empty: the folder as it is) of the study, at its own seed and draws."""
    return diff(entry.ref, _spec("a", a), _spec("b", b) if b else None)


@router.get("/studies/{ident}/history", response_class=HTMLResponse, include_in_schema=False)
def history_page(request: Request, ident: str) -> Response:
    entry = entry_of(request, ident)
    return render(request, "history.html", entry=entry, history=_history(entry), diff=None, a="", b="")


@router.get("/studies/{ident}/history/diff", response_class=HTMLResponse, include_in_schema=False)
def diff_page(request: Request, ident: str, a: str, b: str = "") -> Response:
    entry = entry_of(request, ident)
    try:
        found = _diff(entry, a, b)
    except (ArmsflowError, WebError) as exc:  # shown beside the form, so that the sides can be corrected
        return render(request, "history.html", 422, entry=entry, history=_history(entry), diff=None, a=a, b=b,
                      message=str(exc))
    return render(request, "history.html", entry=entry, history=_history(entry), diff=found, a=a, b=b)


@router.get("/api/studies/{ident}/history", responses=ERRORS)
def history(request: Request, ident: str) -> dict[str, Any]:
    """The runs recorded in the study's folder (``armsflow history --json``), oldest first; ``history`` is null
    for a bundled study, which records none."""
    entry = entry_of(request, ident)
    found = _history(entry)
    return {"read_only": entry.read_only, "history": found.to_dict() if found is not None else None}


@router.get("/api/studies/{ident}/history/diff", responses=ERRORS)
def history_diff(request: Request, ident: str, a: str, b: str = "") -> dict[str, Any]:
    """What changed from ``a`` to ``b`` (``armsflow diff --json``): each is a run id, a day YYYY-MM-DD or 'today'
    (the study as known then) or a git revision of the folder; ``b`` empty is the folder as it is. Each headline
    median's move is split among the changed inputs."""
    return _diff(entry_of(request, ident), a, b).to_dict()

"""The JSON twin of every page, described in /openapi.json. Writes need the session's CSRF token in the
``X-CSRF-Token`` header (``GET /api/session`` gives it) and an ``If-Match`` header naming the version edited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from armsflow.results.edit import RowEdit
from armsflow.study.edit import edit_claim, read_claim
from armsflow.web import views
from armsflow.web.app import IF_MATCH_STATUS, WebError, check_write, entry_of, writable
from armsflow.web.security import csrf_token

router = APIRouter(prefix="/api")


class Refusal(BaseModel):
    """Why a request was refused (``error``); a refused edit carries the edit's result (``ClaimEdit``) instead."""

    model_config = ConfigDict(extra="allow")
    error: str = ""


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Refusal, "description": "a body that is not JSON"},
    403: {"model": Refusal, "description": "read-only study, or a write without this session's token"},
    404: {"model": Refusal, "description": "no such study or claim"},
    413: {"model": Refusal, "description": "request body larger than 1 MiB (a text/plain message)"},
    422: {"model": Refusal, "description": "invalid input, or a study that does not pass check"},
}


class Session(BaseModel):
    csrf: str


class ClaimChange(BaseModel):
    """New text for some columns of a claim row (column name to text)."""

    model_config = ConfigDict(extra="forbid")
    fields: dict[str, StrictStr]


class WhatIf(BaseModel):
    """Assumptions to change (variable to a model.toml distribution table), a scenario and a cut-off day."""

    model_config = ConfigDict(extra="forbid")
    distributions: dict[str, dict[str, StrictStr | StrictInt | StrictFloat]] = Field(default_factory=dict)
    scenario: StrictStr | None = None
    as_of: date | None = None


@router.get("/session", response_model=Session)
def session(request: Request) -> Session:
    """This session's CSRF token, for the ``X-CSRF-Token`` header of writes."""
    return Session(csrf=csrf_token(request.app.state.secret, request.state.session))


@router.get("/studies")
def studies(request: Request) -> dict[str, Any]:
    """The served studies: their ids, whether each is read-only (bundled), and the served folders that take copies
    (``POST /api/studies/{id}/copy``; ``into`` counts them from 0)."""
    registry = request.app.state.registry
    registry.refresh()
    return {"studies": [{"id": e.id, "read_only": e.read_only, "folder": e.folder.name if e.folder else None}
                        for e in registry.entries.values()],
            "copy_into": registry.copy_into}


@router.get("/studies/{ident}", responses=ERRORS)
def study(request: Request, ident: str) -> dict[str, Any]:
    """The study's run (``armsflow run --json``): results with intervals, published estimates, drivers, context."""
    entry = entry_of(request, ident)
    _, result = views.study_run(entry)
    return {"read_only": entry.read_only, "run": result.to_dict()}


@router.get("/studies/{ident}/evidence", responses=ERRORS)
def evidence(request: Request, ident: str, variable: str = "", grade: str = "", kind: str = "",
             language: str = "", published_from: str = "", published_to: str = "") -> dict[str, Any]:
    """Sources and claims, filtered; each claim with its grade, quote, link and where the model uses it."""
    study = views.study_of(entry_of(request, ident))
    return views.evidence(study, views.Filters(variable, grade, kind, language, published_from, published_to))


@router.get("/studies/{ident}/claims/{claim}", responses=ERRORS)
def claim(request: Request, ident: str, claim: str) -> JSONResponse:
    """One claim row as text fields; the ``ETag`` header is its version, for ``If-Match`` on a write."""
    folder = entry_of(request, ident).folder
    if folder is None:
        raise WebError(403, "a bundled study's claims are read through /api/studies/{id}/evidence")
    row = read_claim(folder, claim)
    return JSONResponse(row.to_dict(), headers={"ETag": f'"{row.etag}"'})


@router.put("/studies/{ident}/claims/{claim}",
            responses={**ERRORS, 412: {"model": Refusal, "description": "changed since (If-Match is stale)"},
                       428: {"model": Refusal, "description": "If-Match missing"}})
def claim_put(request: Request, ident: str, claim: str, change: ClaimChange,
              if_match: Annotated[str, Header()] = "", x_csrf_token: Annotated[str, Header()] = "") -> JSONResponse:
    """Edit a claim: checked before anything is written; 412 with the current row if it changed since."""
    return put_row(request, ident, if_match, x_csrf_token, "claim",
                   lambda folder, version: edit_claim(folder, claim, change.fields, if_match=version))


def put_row(request: Request, ident: str, if_match: str, x_csrf_token: str, noun: str,
            write: Callable[[Path, str], RowEdit[Any]]) -> JSONResponse:
    """A row's edit through the API (a claim's, a source's): the version it edits in ``If-Match`` (428 without),
    the outcome with the row as it now stands and its ``ETag``."""
    check_write(request, x_csrf_token)
    folder = writable(entry_of(request, ident))
    if not if_match:
        raise WebError(428, f"If-Match: name the ETag of the row you edited (GET the {noun} first)")
    done = write(folder, if_match.strip('"'))
    return JSONResponse(done.to_dict(), status_code=IF_MATCH_STATUS[done.status],
                        headers={"ETag": f'"{done.row.etag}"'})


@router.post("/studies/{ident}/whatif", responses=ERRORS)
def what_if_run(request: Request, ident: str, change: WhatIf) -> dict[str, Any]:
    """The run with changed assumptions, scenario and cut-off, at 20,000 draws; nothing is written."""
    entry = entry_of(request, ident)
    study = views.study_of(entry)
    if change.scenario is not None and change.scenario not in study.scenarios:
        raise WebError(422, f"scenario: no scenario {change.scenario[:40]!r}")
    asked = views.WhatIfChange(dict(change.distributions), change.scenario, change.as_of)
    return views.what_if_run(entry, study, asked, sensitivity=True).to_dict()

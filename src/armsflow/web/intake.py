"""The evidence intake review queue in the workbench: the candidates ``armsflow intake add`` queued, each accepted
into the study (``armsflow.intake.accept_candidate``) or rejected (``reject_candidate``), as a page and its JSON
twin. The library checks and writes; a refusal is shown beside the queue, which stays as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from armsflow.errors import ArmsflowError, ParameterError
from armsflow.intake.queue import CLAIM_FIELDS, SOURCE_FIELDS, accept_candidate, list_candidates, reject_candidate
from armsflow.intake.results import IntakeQueue
from armsflow.web import views
from armsflow.web.api import ERRORS, Refusal
from armsflow.web.app import WebError, check_write, entry_of, render, writable
from armsflow.web.registry import Entry

router = APIRouter()

#: What a reviewer may change on accept (as ``accept_candidate`` takes its ``edits``), in the order the form shows.
EDITABLE = (*CLAIM_FIELDS, "source", *SOURCE_FIELDS)
#: The kinds of variable a claim can be evidence for (the others are formulas, distributions or prices).
_CLAIM_KINDS = ("claims", "timeline")
DECIDE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS, 404: {"model": Refusal, "description": "no such study, or no such candidate in its queue"},
    409: {"model": Refusal, "description": "the candidate was already accepted or rejected"}}


class Accept(BaseModel):
    """Accept a candidate as a claim of ``variable``, graded ``grade`` (e.g. ``B2``), with ``edits`` to its fields
    (claims.csv columns, ``source``, or the publisher, title, url, published and language of a new source)."""

    model_config = ConfigDict(extra="forbid")
    variable: StrictStr
    grade: StrictStr
    edits: dict[StrictStr, StrictStr] = Field(default_factory=dict)


class Reject(BaseModel):
    """Reject a candidate, saying why (kept in the queue)."""

    model_config = ConfigDict(extra="forbid")
    reason: StrictStr = ""


def _variables(entry: Entry) -> list[dict[str, str]]:
    """The study's variables a claim can be evidence for: name, label and unit, for the accept form's choice."""
    study = views.study_of(entry)
    return [{"name": v.name, "label": v.label, "unit": str(v.unit.text)} for v in study.variables.values()
            if v.definition.kind in _CLAIM_KINDS]


def _known(folder: Path, candidate: str) -> IntakeQueue:
    """The whole queue (decided candidates too); 404 unless ``candidate`` is in it."""
    queue = list_candidates(folder, include_decided=True)
    if candidate not in {e.candidate.id for e in queue.entries}:
        raise WebError(404, f"no candidate {candidate[:40]!r} in the intake queue of this study")
    return queue


def _status(exc: ArmsflowError) -> int:
    """A candidate already decided is a conflict; every other refusal (variable, grade, unit, check) is invalid."""
    return 409 if isinstance(exc, ParameterError) and exc.parameter == "candidate" else 422


def _page(request: Request, entry: Entry, status: int = 200, **values: Any) -> Response:
    """The queue page of ``entry``: its open candidates and the forms to decide them, or why there is none."""
    context: dict[str, Any] = {"entry": entry, "queue": None, "variables": [], "editable": EDITABLE,
                               "message": "", "outcome": "", "form": {}, **values}
    if entry.folder is not None:
        context["queue"] = list_candidates(entry.folder)
        context["variables"] = _variables(entry)
    return render(request, "intake.html", status, **context)


@router.get("/studies/{ident}/intake", response_class=HTMLResponse, include_in_schema=False)
def intake_page(request: Request, ident: str) -> Response:
    return _page(request, entry_of(request, ident))


@router.post("/studies/{ident}/intake/{candidate}/accept", response_class=HTMLResponse, include_in_schema=False)
async def accept_page(request: Request, ident: str, candidate: str, csrf: Annotated[str, Form()] = "",
                      variable: Annotated[str, Form()] = "", grade: Annotated[str, Form()] = "") -> Response:
    check_write(request, csrf)
    entry = entry_of(request, ident)
    folder = writable(entry)
    _known(folder, candidate)
    form = await request.form()
    # An empty field keeps what the candidate proposes: the form shows the proposal as its placeholder.
    edits = {k: str(v) for k, v in form.items() if k in EDITABLE and str(v).strip()}
    try:
        done = accept_candidate(folder, candidate, variable, grade, edits)
    except ArmsflowError as exc:
        return _page(request, entry, _status(exc), message=f"Not accepted: {exc}", outcome="invalid",
                     form={"candidate": candidate, "variable": variable, "grade": grade, **edits})
    added = f"; new source {done.row['source']}" if done.source_added else ""
    return _page(request, entry, message=f"Accepted {candidate} as claim {done.claim} of {done.variable} "
                                         f"({', '.join(done.files)} written{added}).", outcome="saved")


@router.post("/studies/{ident}/intake/{candidate}/reject", response_class=HTMLResponse, include_in_schema=False)
def reject_page(request: Request, ident: str, candidate: str, csrf: Annotated[str, Form()] = "",
                reason: Annotated[str, Form()] = "") -> Response:
    check_write(request, csrf)
    entry = entry_of(request, ident)
    folder = writable(entry)
    _known(folder, candidate)
    try:
        reject_candidate(folder, candidate, reason)
    except ArmsflowError as exc:
        return _page(request, entry, _status(exc), message=f"Not rejected: {exc}", outcome="invalid")
    return _page(request, entry, message=f"Rejected {candidate}; it will not be proposed again.", outcome="saved")


@router.get("/api/studies/{ident}/intake", responses=ERRORS)
def intake(request: Request, ident: str, include_decided: bool = False) -> dict[str, Any]:
    """The review queue (``armsflow intake list --json``) and the variables a candidate can be accepted for;
    ``queue`` is null for a bundled study, which is read-only and has none."""
    entry = entry_of(request, ident)
    if entry.folder is None:
        return {"read_only": True, "queue": None, "variables": []}
    queue = list_candidates(entry.folder, include_decided=include_decided)
    return {"read_only": False, "queue": queue.to_dict(), "variables": _variables(entry)}


@router.post("/api/studies/{ident}/intake/{candidate}/accept", responses=DECIDE_ERRORS)
def accept(request: Request, ident: str, candidate: str, body: Accept,
           x_csrf_token: Annotated[str, Header()] = "") -> dict[str, Any]:
    """Write a candidate into the study (``armsflow intake accept``): the claim row, its source if new, and its id
    in the variable's claims; nothing is written unless the would-be study passes check."""
    check_write(request, x_csrf_token)
    folder = writable(entry_of(request, ident))
    _known(folder, candidate)
    try:
        return accept_candidate(folder, candidate, body.variable, body.grade, body.edits).to_dict()
    except ArmsflowError as exc:
        raise WebError(_status(exc), str(exc)) from None


@router.post("/api/studies/{ident}/intake/{candidate}/reject", responses=DECIDE_ERRORS)
def reject(request: Request, ident: str, candidate: str, body: Reject,
           x_csrf_token: Annotated[str, Header()] = "") -> dict[str, Any]:
    """Record that a candidate is not a claim (``armsflow intake reject``), so that it is not proposed again."""
    check_write(request, x_csrf_token)
    folder = writable(entry_of(request, ident))
    _known(folder, candidate)
    try:
        return reject_candidate(folder, candidate, body.reason).to_dict()
    except ArmsflowError as exc:
        raise WebError(_status(exc), str(exc)) from None

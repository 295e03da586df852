"""The scenarios of a study against its base in the workbench (``armsflow.reconcile``): what moves each headline
median to each scenario's, assumption by assumption, and how far each published estimate a scenario follows is
still apart, as a page and its JSON twin. Nothing here computes: the library does (cached per state of the study's
files in ``views.study_reconcile``), these routes present."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from armsflow.web import views
from armsflow.web.api import ERRORS
from armsflow.web.app import entry_of, render

router = APIRouter()


@router.get("/studies/{ident}/reconcile", response_class=HTMLResponse, include_in_schema=False)
def reconcile_page(request: Request, ident: str) -> Response:
    entry = entry_of(request, ident)
    return render(request, "reconcile.html", entry=entry, reconcile=views.study_reconcile(entry))


@router.get("/api/studies/{ident}/reconcile", responses=ERRORS)
def reconcile(request: Request, ident: str) -> dict[str, Any]:
    """Each scenario against the base (``armsflow reconcile --json``, the study's own seed and draws): each headline
    median's move split among the assumptions the scenario changes, the published estimates it follows with what
    is still apart, and the published estimates no scenario follows yet."""
    return views.study_reconcile(entry_of(request, ident)).to_dict()

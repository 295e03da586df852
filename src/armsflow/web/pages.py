"""The HTML pages: studies, a study (results and the what-if form), its evidence, and a claim's edit form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from armsflow.results.edit import Row, RowEdit
from armsflow.results.run import RunResult
from armsflow.study.edit import edit_claim, read_claim
from armsflow.study.spec import Study
from armsflow.web import views
from armsflow.web.app import EDIT_STATUS, WebError, check_write, edit_message, entry_of, render, writable
from armsflow.web.registry import Entry

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def studies_page(request: Request) -> Response:
    registry = request.app.state.registry
    registry.refresh()
    return render(request, "studies.html", entries=list(registry.entries.values()))


@router.get("/studies/{ident}", response_class=HTMLResponse)
def study_page(request: Request, ident: str) -> Response:
    return render(request, "study.html", **views.study_page(entry_of(request, ident), request.app.state.registry))


@router.get("/studies/{ident}/whatif", response_class=HTMLResponse)
def what_if_partial(request: Request, ident: str) -> Response:
    """The results for the what-if form's values (an htmx partial); nothing is written."""
    entry, study, result = _what_if(request, ident, sensitivity=False)
    return render(request, "results.html", entry=entry, study=study, result=result, what_if=True,
                  query=request.url.query)


def _what_if(request: Request, ident: str, *, sensitivity: bool) -> tuple[Entry, Study, RunResult]:
    """The served study, and its run with the what-if form's values of the query string."""
    entry = entry_of(request, ident)
    study = views.study_of(entry)
    return entry, study, views.what_if_run(entry, study, views.what_if_query(study, request.query_params),
                                           sensitivity=sensitivity)


@router.get("/studies/{ident}/assumptions/{name}", response_class=HTMLResponse)
def assumption_partial(request: Request, ident: str, name: str) -> Response:
    """One assumption's fields in the what-if form for the kind and values of the query (an htmx partial: choosing
    another kind shows its fields, filled from the old ones)."""
    entry = entry_of(request, ident)
    items = {item["name"]: item for item in views.what_if_form(views.study_of(entry))}
    if name not in items:
        raise WebError(404, f"no assumption {name[:40]!r} (one of {', '.join(items)})")
    shown = {**items[name], "table": views.assumption_query(items[name], request.query_params)}
    return render(request, "assumption.html", entry=entry, a=shown)


@router.get("/studies/{ident}/drivers", response_class=HTMLResponse)
def drivers_partial(request: Request, ident: str) -> Response:
    """The Sobol drivers of the what-if form's values (an htmx partial the results load after they are shown)."""
    entry, _, result = _what_if(request, ident, sensitivity=True)
    return render(request, "drivers.html", entry=entry, result=result)


@router.get("/studies/{ident}/evidence", response_class=HTMLResponse)
def evidence_page(request: Request, ident: str, variable: str = "", grade: str = "", kind: str = "",
                  language: str = "", published_from: str = "", published_to: str = "") -> Response:
    entry = entry_of(request, ident)
    study = views.study_of(entry)
    found = views.evidence(study, views.Filters(variable, grade, kind, language, published_from, published_to))
    return render(request, "evidence.html", entry=entry, study=study, evidence=found)


@router.get("/studies/{ident}/claims/{claim}", response_class=HTMLResponse)
def claim_page(request: Request, ident: str, claim: str) -> Response:
    entry = entry_of(request, ident)
    with views.folder_of(entry) as folder:
        row = read_claim(folder, claim)
    return render(request, "claim.html", entry=entry, row=row, problems=[], message="")


async def save_row(request: Request, ident: str, csrf: str, etag: str, *, noun: str,
                   read: Callable[[Path], Row], write: Callable[[Path, dict[str, str], str | None], RowEdit[Any]],
                   skip: tuple[str, ...] = ()) -> Response:
    """A row's edit form posted (a claim's, a source's): the fields that differ from the row, written if ``check``
    passes and the row is still the version the form was made from; the page again, with the outcome."""
    check_write(request, csrf)
    entry = entry_of(request, ident)
    folder = writable(entry)
    form = await request.form()
    changes = views.form_changes(read(folder).fields, form, skip=skip)
    done = write(folder, changes, etag or None)
    # An invalid edit is shown as typed, beside check's message, so that the user can correct it.
    shown = done.row if done.status != "invalid" else replace(done.row, fields={**done.row.fields, **changes})
    return render(request, f"{noun}.html", EDIT_STATUS[done.status], entry=entry, row=shown, problems=done.problems,
                  message=edit_message(done.status, noun), outcome=done.status)


@router.post("/studies/{ident}/claims/{claim}", response_class=HTMLResponse)
async def claim_save(request: Request, ident: str, claim: str,
                     csrf: Annotated[str, Form()] = "", etag: Annotated[str, Form()] = "") -> Response:
    return await save_row(request, ident, csrf, etag, noun="claim", skip=("id",),
                          read=lambda folder: read_claim(folder, claim),
                          write=lambda folder, changes, version: edit_claim(folder, claim, changes, if_match=version))

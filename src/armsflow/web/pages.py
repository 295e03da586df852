"""The HTML pages: studies, a study (results and the what-if form), its evidence, and a claim's edit form."""

from __future__ import annotations

from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from armsflow.results.edit import ClaimRow
from armsflow.study.edit import edit_claim, read_claim
from armsflow.web import views
from armsflow.web.app import EDIT_STATUS, WebError, check_write, entry_of, page_context, templates, writable
from armsflow.web.copies import copy_targets
from armsflow.web.whatif_save import study_etag

router = APIRouter(include_in_schema=False)


def _page(request: Request, name: str, status: int = 200, **values: Any) -> Response:
    page: Response = templates.TemplateResponse(request, name, page_context(request, **values), status_code=status)
    return page


@router.get("/", response_class=HTMLResponse)
def studies_page(request: Request) -> Response:
    registry = request.app.state.registry
    registry.refresh()
    return _page(request, "studies.html", entries=list(registry.entries.values()))


@router.get("/studies/{ident}", response_class=HTMLResponse)
def study_page(request: Request, ident: str) -> Response:
    entry = entry_of(request, ident)
    study, result = views.study_run(entry)
    return _page(request, "study.html", entry=entry, study=study, result=result,
                 assumptions=views.what_if_form(study), model_etag=study_etag(study),
                 copy_into=copy_targets(request.app.state.registry))


@router.get("/studies/{ident}/whatif", response_class=HTMLResponse)
def what_if_partial(request: Request, ident: str) -> Response:
    """The results for the what-if form's values (an htmx partial); nothing is written."""
    entry = entry_of(request, ident)
    study = views.study_of(entry)
    change = views.what_if_query(study, request.query_params)
    result = views.what_if_run(entry, study, change, sensitivity=False)
    return _page(request, "results.html", entry=entry, study=study, result=result, what_if=True,
                 query=request.url.query)


@router.get("/studies/{ident}/assumptions/{name}", response_class=HTMLResponse)
def assumption_partial(request: Request, ident: str, name: str) -> Response:
    """One assumption's fields in the what-if form for the kind and values of the query (an htmx partial: choosing
    another kind shows its fields, filled from the old ones)."""
    entry = entry_of(request, ident)
    items = {item["name"]: item for item in views.what_if_form(views.study_of(entry))}
    if name not in items:
        raise WebError(404, f"no assumption {name[:40]!r} (one of {', '.join(items)})")
    shown = {**items[name], "table": views.assumption_query(items[name], request.query_params)}
    return _page(request, "assumption.html", entry=entry, a=shown)


@router.get("/studies/{ident}/drivers", response_class=HTMLResponse)
def drivers_partial(request: Request, ident: str) -> Response:
    """The Sobol drivers of the what-if form's values (an htmx partial the results load after they are shown)."""
    entry = entry_of(request, ident)
    study = views.study_of(entry)
    change = views.what_if_query(study, request.query_params)
    result = views.what_if_run(entry, study, change, sensitivity=True)
    return _page(request, "drivers.html", entry=entry, result=result)


@router.get("/studies/{ident}/evidence", response_class=HTMLResponse)
def evidence_page(request: Request, ident: str, variable: str = "", grade: str = "", kind: str = "",
                  language: str = "", published_from: str = "", published_to: str = "") -> Response:
    entry = entry_of(request, ident)
    study = views.study_of(entry)
    found = views.evidence(study, views.Filters(variable, grade, kind, language, published_from, published_to))
    return _page(request, "evidence.html", entry=entry, study=study, evidence=found)


@router.get("/studies/{ident}/claims/{claim}", response_class=HTMLResponse)
def claim_page(request: Request, ident: str, claim: str) -> Response:
    entry = entry_of(request, ident)
    row = read_claim(entry.folder, claim) if entry.folder else _bundled_row(entry.ref, claim)
    return _page(request, "claim.html", entry=entry, row=row, problems=[], message="")


def _bundled_row(ref: object, claim: str) -> ClaimRow:
    """A bundled study's claim, read from the installed package (shown, never written)."""
    with resources.as_file(resources.files("armsflow.studies").joinpath(str(ref))) as folder:
        return read_claim(Path(folder), claim)


@router.post("/studies/{ident}/claims/{claim}", response_class=HTMLResponse)
async def claim_save(request: Request, ident: str, claim: str,
                     csrf: Annotated[str, Form()] = "", etag: Annotated[str, Form()] = "") -> Response:
    check_write(request, csrf)
    entry = entry_of(request, ident)
    folder = writable(entry)
    form = await request.form()
    current = read_claim(folder, claim)
    changes = views.form_changes(current.fields, form, skip=("id",))
    done = edit_claim(folder, claim, changes, if_match=etag or None)
    message = {"saved": "Saved. The study's results are recomputed from the file on its page.",
               "unchanged": "Nothing changed.",
               "invalid": "Not saved: the study would not pass check. The file is unchanged.",
               "conflict": "Not saved: this claim was changed elsewhere since you opened it. The current row is "
                           "shown; apply your change again."}[done.status]
    # An invalid edit is shown as typed, beside check's message, so that the user can correct it.
    shown = done.row if done.status != "invalid" else replace(done.row, fields={**done.row.fields, **changes})
    return _page(request, "claim.html", EDIT_STATUS[done.status], entry=entry, row=shown, problems=done.problems,
                 message=message, outcome=done.status)

"""Saving the what-if form's assumptions into the study's model.toml (``study.model_edit.save_distributions``):
the study page's POST and its JSON twin, ``GET``/``PUT /api/studies/{id}/model/distributions``.

Only the distributions are saved. The scenario and evidence cut-off the form may also hold are choices of a run,
not of the model, and a scenario that gives a saved variable a table of its own keeps it; the page says both.

htmx swaps only a successful response into the page, so a save posted by htmx (``HX-Request``) is answered with
200 and the study page's ``<main>`` in place of the old one (``HX-Retarget``), whatever the outcome; a plain form
post gets the outcome's status (``EDIT_STATUS``: 422 for a refused save, 409 for a stale one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, StrictFloat, StrictInt, StrictStr

from armsflow.results.model_edit import ModelEdit
from armsflow.study.model_edit import FILE, model_etag, save_distributions
from armsflow.web import views
from armsflow.web.api import ERRORS, Refusal
from armsflow.web.app import EDIT_STATUS, IF_MATCH_STATUS, WebError, check_write, entry_of, render, writable
from armsflow.web.registry import Entry

router = APIRouter()


MESSAGES = {"saved": "Saved to model.toml. The results below are the study's full run.",
            "unchanged": "Nothing to save: these values are already the study's.",
            "invalid": "Not saved: model.toml is unchanged.",
            "conflict": "Not saved: model.toml changed since this page was loaded. Its current values are shown; "
                        "apply your change again."}


class Distributions(BaseModel):
    """Assumptions to save: variable name to its distribution as a model.toml table (``{"dist": "pert", "low":
    0.6, "mode": 0.8, "high": 0.95, "lambda": 4}``)."""

    model_config = ConfigDict(extra="forbid")
    distributions: dict[str, dict[str, StrictStr | StrictInt | StrictFloat]]


@router.post("/studies/{ident}/whatif/save", response_class=HTMLResponse, include_in_schema=False)
async def what_if_save(request: Request, ident: str, csrf: Annotated[str, Form()] = "",
                       etag: Annotated[str, Form()] = "") -> Response:
    """Save the what-if form's assumptions, then show the study page: its full run after a save, the form as
    typed beside the problems after a refusal, the file's current values after a conflict."""
    # The form's token, or the header htmx sends with every request of the page (a token kept out of the form
    # stays out of the what-if's query strings, which a server logs).
    check_write(request, csrf or request.headers.get("x-csrf-token", ""))
    entry = entry_of(request, ident)
    folder = writable(entry)
    typed = {key: str(value) for key, value in (await request.form()).items()}
    try:
        change = views.what_if_query(views.study_of(entry), typed)
    except WebError as exc:
        if exc.status != 422:
            raise
        return _page(request, entry, "invalid", [MESSAGES["invalid"]], [exc.message], typed)
    done = save_distributions(folder, change.distributions, if_match=etag or None)
    notes = [MESSAGES[done.status]]
    if done.status == "saved" and (change.scenario or change.as_of):
        notes.append("The scenario and evidence cut-off chosen above are choices of a run, not of the model: they "
                     "are not saved.")
    notes += [f"Scenario {', '.join(names)} gives {name} values of its own, which it keeps."
              for name, names in done.scenarios.items() if done.status == "saved"]
    return _page(request, entry, done.status, notes, [str(p) for p in done.problems],
                 typed if done.status == "invalid" else None, done)


def _page(request: Request, entry: Entry, status: str, notes: list[str], problems: list[str],
          typed: Mapping[str, str] | None, done: ModelEdit | None = None) -> Response:
    """The study page with the save's outcome in the what-if form; the form shows ``typed`` where given."""
    values = views.study_page(entry, request.app.state.registry)
    if typed is not None:
        for item in values["assumptions"]:
            item["table"] = {key: (typed.get(f"{item['name']}.{key}") or value) if key != "dist" else value
                             for key, value in item["table"].items()}
    htmx = request.headers.get("hx-request") == "true"
    headers = {"HX-Retarget": "main", "HX-Reswap": "outerHTML", "HX-Reselect": "main"} if htmx else None
    return render(request, "study.html", 200 if htmx else EDIT_STATUS[status], headers, **values,
                  save_outcome=status, save_notes=notes, save_problems=problems,
                  save_changes=done.changed if done else [])


@router.get("/api/studies/{ident}/model/distributions", responses=ERRORS)
def distributions(request: Request, ident: str) -> JSONResponse:
    """The assumptions a save can write, as model.toml tables; the ``ETag`` header (and ``etag``) is model.toml's
    version, for ``If-Match`` on a ``PUT``."""
    study = views.study_of(entry_of(request, ident))
    etag = model_etag(study.files[FILE])
    tables: dict[str, Any] = {item["name"]: item["table"] for item in views.what_if_form(study)}
    return JSONResponse({"etag": etag, "distributions": tables}, headers={"ETag": f'"{etag}"'})


@router.put("/api/studies/{ident}/model/distributions",
            responses={**ERRORS, 412: {"model": Refusal, "description": "model.toml changed since (If-Match is stale)"},
                       428: {"model": Refusal, "description": "If-Match missing"}})
def distributions_put(request: Request, ident: str, body: Distributions,
                      if_match: Annotated[str, Header()] = "",
                      x_csrf_token: Annotated[str, Header()] = "") -> JSONResponse:
    """Save assumptions' distributions into model.toml: only the base tables (a scenario's own stay), checked
    before anything is written; 422 with the problems if refused, 412 with the current ETag if it changed since."""
    check_write(request, x_csrf_token)
    folder = writable(entry_of(request, ident))
    if not if_match:
        raise WebError(428, "If-Match: name the ETag of model.toml you edited (GET the distributions first)")
    done = save_distributions(folder, body.distributions, if_match=if_match.strip('"'))
    return JSONResponse(done.to_dict(), status_code=IF_MATCH_STATUS[done.status], headers={"ETag": f'"{done.etag}"'})

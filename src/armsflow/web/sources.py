"""A source of a study: its page (fields and grade to edit, the claims that cite it) and its JSON twin. Writes go
through ``armsflow.study.edit.edit_source``: checked before anything is written, refused when stale."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, StrictStr

from armsflow.results.edit import SourceRow
from armsflow.study.edit import edit_source, read_source
from armsflow.web import views
from armsflow.web.api import ERRORS, Refusal, put_row
from armsflow.web.app import (
    WebError,
    entry_of,
    render,
)
from armsflow.web.pages import save_row
from armsflow.web.registry import Entry

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api")
#: Both, for ``create_app`` to include at once.
router = APIRouter()

SOURCE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS, 404: {"model": Refusal, "description": "no such study or source"}}

class SourceChange(BaseModel):
    """New text for some columns of a source row (column name to text); its grade is ``reliability``."""

    model_config = ConfigDict(extra="forbid")
    fields: dict[str, StrictStr]


def _read(entry: Entry, source: str) -> SourceRow:
    """The source's row (a bundled study's too, shown, never written)."""
    with views.folder_of(entry) as folder:
        return read_source(folder, source)


@pages.get("/studies/{ident}/sources/{source}", response_class=HTMLResponse)
def source_page(request: Request, ident: str, source: str) -> Response:
    entry = entry_of(request, ident)
    return render(request, "source.html", entry=entry, row=_read(entry, source), problems=[], message="")


@pages.post("/studies/{ident}/sources/{source}", response_class=HTMLResponse)
async def source_save(request: Request, ident: str, source: str,
                      csrf: Annotated[str, Form()] = "", etag: Annotated[str, Form()] = "") -> Response:
    # The form has no id field; a posted id that differs is passed on, so that it is refused rather than ignored.
    return await save_row(request, ident, csrf, etag, noun="source",
                          read=lambda folder: read_source(folder, source),
                          write=lambda folder, changes, version: edit_source(folder, source, changes,
                                                                            if_match=version))


@api.get("/studies/{ident}/sources/{source}", responses=SOURCE_ERRORS)
def source_json(request: Request, ident: str, source: str) -> JSONResponse:
    """One source row as text fields, with the ids of the claims citing it; the ``ETag`` header is its version,
    for ``If-Match`` on a write."""
    entry = entry_of(request, ident)
    if entry.folder is None:
        raise WebError(403, "a bundled study's sources are read through /api/studies/{id}/evidence")
    row = _read(entry, source)
    return JSONResponse(row.to_dict(), headers={"ETag": f'"{row.etag}"'})


@api.put("/studies/{ident}/sources/{source}",
         responses={**SOURCE_ERRORS, 412: {"model": Refusal, "description": "changed since (If-Match is stale)"},
                    428: {"model": Refusal, "description": "If-Match missing"}})
def source_put(request: Request, ident: str, source: str, change: SourceChange,
               if_match: Annotated[str, Header()] = "", x_csrf_token: Annotated[str, Header()] = "") -> JSONResponse:
    """Edit a source (its grade is ``reliability``; its id cannot change): checked before anything is written; 412
    with the current row if it changed since."""
    return put_row(request, ident, if_match, x_csrf_token, "source",
                   lambda folder, version: edit_source(folder, source, change.fields, if_match=version))


router.include_router(pages)
router.include_router(api)

"""Copying a study into a folder the workbench serves (``armsflow init``), so that a bundled study, which is
read-only, becomes one the user can edit: the study page's form and its JSON twin ``POST /api/studies/{id}/copy``.

Only folders given to ``armsflow serve`` that hold studies (not a study folder itself) take copies; the new folder's
name is checked against a plain pattern and never joined to a path otherwise.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Header, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from armsflow.errors import ArmsflowError
from armsflow.study.copy import init
from armsflow.web.api import ERRORS, Refusal
from armsflow.web.app import WebError, check_write, entry_of
from armsflow.web.registry import Entry, Registry

router = APIRouter()

#: A new study folder's name: letters, digits, dots, dashes and underscores, not starting with a dot.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class Copy(BaseModel):
    """The name of the new study folder, and which of the served folders holding studies takes it (by its place
    in ``GET /api/studies``' ``copy_into``, 0 for the first)."""

    model_config = ConfigDict(extra="forbid")
    name: StrictStr
    into: int = Field(default=0, ge=0)


def _copy(request: Request, ident: str, name: str, into: int) -> Entry:
    """Copy the study ``ident`` into folder ``into`` as ``name``; the new study's entry."""
    registry: Registry = request.app.state.registry
    entry = entry_of(request, ident)
    if not registry.parents:
        raise WebError(403, "no folder here takes copies: serve a folder that holds studies (armsflow serve FOLDER), "
                            f"or copy it with `armsflow init NEWFOLDER --from {entry.bundled or ident}`")
    if into >= len(registry.parents):
        raise WebError(422, f"into: one of 0 to {len(registry.parents) - 1}, got {into}")
    if not NAME.fullmatch(name) or ".." in name:
        raise WebError(422, f"name: letters, digits, '.', '-' and '_', not starting with '.', got {name[:40]!r}")
    target = registry.parents[into] / name
    if target.exists():
        raise WebError(409, f"name: {name} already exists in {registry.parents[into].name}; choose another")
    try:
        init(target, str(entry.ref))
    except ArmsflowError as exc:
        raise WebError(409, str(exc)) from None
    except OSError as exc:  # another copy to the same name won the race, or the folder cannot be written
        raise WebError(409, f"name: {name}: {exc.strerror or exc}") from None
    found = registry.entry_of_folder(target)
    assert found is not None  # just written into a folder the registry scans
    return found


@router.post("/studies/{ident}/copy", include_in_schema=False)
def copy_page(request: Request, ident: str, csrf: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
              into: Annotated[int, Form()] = 0) -> Response:
    """Copy the study, then open the copy's page."""
    check_write(request, csrf)
    return RedirectResponse(f"/studies/{_copy(request, ident, name, into).id}", status_code=303)


@router.post("/api/studies/{ident}/copy", status_code=201,
             responses={**ERRORS, 409: {"model": Refusal, "description": "a folder of that name exists"}})
def copy_api(request: Request, ident: str, body: Copy,
             x_csrf_token: Annotated[str, Header()] = "") -> JSONResponse:
    """Copy the study into a served folder that holds studies (as ``armsflow init``); its new id and folder."""
    check_write(request, x_csrf_token)
    copied = _copy(request, ident, body.name, body.into)
    assert copied.folder is not None
    return JSONResponse({"id": copied.id, "folder": copied.folder.name}, status_code=201)

"""The FastAPI application: the registry of studies, the guard, error pages, and the two routers (pages and API)."""

from __future__ import annotations

import math
import re
import secrets
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from armsflow import __version__
from armsflow.errors import ArmsflowError, ParameterError, StudyError
from armsflow.report.fmt import decimals_for, round_sig
from armsflow.web.registry import Entry, Registry
from armsflow.web.security import Guard, csrf_token

HERE = Path(__file__).parent
# Autoescape everywhere: quotes and titles come from untrusted documents.
templates = Jinja2Templates(env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True))


def _number(value: float | None) -> str:
    """Three significant figures with thousands separators (the report's rounding); a dash for no value."""
    if value is None or not math.isfinite(value):
        return "–"
    if abs(value) >= 1e15:
        return f"{value:.3g}"
    return f"{round_sig(value, 3):,.{decimals_for(value, 3)}f}"


templates.env.filters["num"] = _number


def _signed(value: float | None) -> str:
    """A change with its sign (``+``, ``−``, ``±`` for none), as the terminal's ``display.history.signed`` shows it,
    so that a move reads as a move; a dash for no value."""
    if value is None or not math.isfinite(value):
        return "–"
    return ("+" if value > 0 else "−" if value < 0 else "±") + _number(abs(value))


templates.env.filters["signed"] = _signed


def _field(value: object) -> str:
    """A number as a form field shows it for editing: exact (``repr``), without a float's trailing ``.0``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


templates.env.filters["field"] = _field


#: The HTTP status of each outcome of a row edit (``ClaimEdit.status``, ``SourceEdit.status``) posted by a page.
EDIT_STATUS = {"saved": 200, "unchanged": 200, "invalid": 422, "conflict": 409}
#: The same for a write whose version came in an ``If-Match`` header: a stale one fails its precondition (RFC 9110,
#: 13.1.1), while a form's stale hidden version is a conflict of the page with the file.
IF_MATCH_STATUS = {**EDIT_STATUS, "conflict": 412}


def edit_message(status: str, noun: str) -> str:
    """What the edit page of a ``noun`` (claim, source) says after a save with outcome ``status``."""
    return {"saved": "Saved. The study's results are recomputed from the file on its page.",
            "unchanged": "Nothing changed.",
            "invalid": "Not saved: the study would not pass check. The file is unchanged.",
            "conflict": f"Not saved: this {noun} was changed elsewhere since you opened it. The current row is "
                        "shown; apply your change again."}[status]


class WebError(Exception):
    """A request the workbench refuses, with its HTTP status and a message for the user."""

    def __init__(self, status: int, message: str, detail: dict[str, Any] | None = None) -> None:
        self.status = status
        self.message = message
        self.detail = detail or {}
        super().__init__(message)


def entry_of(request: Request, ident: str) -> Entry:
    """The served study ``ident``; 404 for any other text (ids are looked up, never used as paths)."""
    registry: Registry = request.app.state.registry
    entry = registry.get(ident)
    if entry is None:
        raise WebError(404, f"no study {ident!r} is served here")
    return entry


def writable(entry: Entry) -> Path:
    if entry.folder is None:
        raise WebError(403, f"{entry.id} is a bundled study and read-only: copy it to a folder with "
                            f"`armsflow init FOLDER --from {entry.bundled}` and serve that folder")
    return entry.folder


def check_write(request: Request, token: str) -> None:
    """A write needs this session's CSRF token and, where the browser says where it comes from, this origin."""
    if not secrets.compare_digest(token.encode(), csrf_token(request.app.state.secret, request.state.session).encode()):
        raise WebError(403, "missing or stale form token (CSRF): reload the page and try again")
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise WebError(403, f"cross-origin write refused (from {origin})")
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise WebError(403, "cross-site write refused")


def page_context(request: Request, **values: Any) -> dict[str, Any]:
    return {"request": request, "csrf": csrf_token(request.app.state.secret, request.state.session),
            "version": __version__, **values}


#: The parameters whose value names a row of a study table: a value the table lacks is a missing page (404).
ROWS = ("claim", "source")


def render(request: Request, name: str, status_code: int = 200, headers: dict[str, str] | None = None,
           **values: Any) -> Response:
    """The template ``name`` (a page or an htmx partial) with the page context and ``values``."""
    page: Response = templates.TemplateResponse(request, name, page_context(request, **values),
                                                status_code=status_code, headers=headers)
    return page


def _status_of(exc: ArmsflowError) -> int:
    if isinstance(exc, ParameterError) and exc.parameter in ROWS:
        return 404
    if isinstance(exc, StudyError) and any("no such study folder" in p.message for p in exc.problems):
        return 404
    return 422


#: An element id a partial's refusal may take (htmx names its target in the HX-Target header).
HTML_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


def _respond(request: Request, status: int, message: str, detail: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message, **(detail or {})}, status_code=status, headers=headers)
    target = request.headers.get("hx-target", "")
    if request.headers.get("hx-request") == "true" and HTML_ID.fullmatch(target):
        # A partial (what-if results, drivers, charts) refused: the message takes the place of the element the page
        # asked to replace (htmx swaps 4xx answers there, see base.html), so that the user sees what was wrong.
        partial: Response = templates.TemplateResponse(request, "problem.html", {"target": target, "status": status,
                                                                                 "message": message},
                                                       status_code=status, headers=headers)
        return partial
    return render(request, "error.html", status, headers, status=status, message=message)


def _methods(request: Request) -> set[str]:
    """Every method some route serves at the request's path."""
    found: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, APIRoute) and route.matches({**request.scope, "method": "GET"})[0] != Match.NONE:
            found |= route.methods or set()
    return found


#: The names a workbench on this machine answers to (the Host header), so that no other site can reach it.
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def create_app(folders: list[Path], *, token: str | None = None, hosts: tuple[str, ...] | None = LOOPBACK,
               secret: bytes | None = None) -> FastAPI:
    """The workbench on ``folders`` and the bundled studies; with ``token``, every request must carry it; with
    ``hosts``, only requests naming one of them (without port) in their Host header are answered. ``secret`` keys
    the CSRF tokens (a new random one unless given: processes serving one workbench share theirs)."""
    from armsflow.web import api, charts, copies, downloads, history, intake, pages, reconcile, sources, whatif_save

    app = FastAPI(title="armsflow workbench", version=__version__, docs_url=None, redoc_url=None)
    app.state.registry = Registry(folders)
    app.state.secret = secret if secret is not None else secrets.token_bytes(32)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(downloads.router)
    app.include_router(charts.router)
    app.include_router(sources.router)
    app.include_router(intake.router)
    app.include_router(history.router)
    app.include_router(reconcile.router)
    app.include_router(copies.router)
    app.include_router(whatif_save.router)
    app.add_middleware(Guard, token=token, hosts=hosts)

    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError) -> Response:
        return _respond(request, exc.status, exc.message, exc.detail)

    @app.exception_handler(ArmsflowError)
    async def _armsflow_error(request: Request, exc: ArmsflowError) -> Response:
        return _respond(request, _status_of(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return _respond(request, 422, f"invalid request: {where}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # name every method of the path, not only those of the first route matched
            headers["Allow"] = ", ".join(sorted(_methods(request)))
        return _respond(request, exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:  # never a traceback to the client
        return _respond(request, 500, "internal error (a bug in armsflow: please report it with what you did)")

    return app

"""The report of a study as it is on disk now, for download: HTML or PDF, in English or German.

The library's ``write_report`` writes the file into a private temporary folder, which is removed before the response
leaves (also when the report fails), so two downloads at once never share a folder. The routes are plain functions:
FastAPI runs them in its thread pool, where a PDF's seconds of layout do not hold up other requests. The last file of
each study, language and format is kept while the study's files are unchanged, so a second download is immediate.

The page routes give an error page to a browser; their twins under ``/api`` give the same file and JSON errors,
and are the ones the OpenAPI schema describes (a file cannot be JSON: the schema names its media type instead).
"""

from __future__ import annotations

import importlib
import tempfile
import threading
from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from armsflow.report.api import write_report
from armsflow.study.loader import inputs_hash
from armsflow.web import views
from armsflow.web.api import Refusal
from armsflow.web.app import WebError, entry_of

router = APIRouter()

Lang = Literal["en", "de"]

#: The last report of each (study, language, format), with the hash of the inputs it was written from.
_cache: dict[tuple[str, str, str], tuple[str, str, bytes]] = {}
_lock = threading.Lock()


class PDFResponse(Response):
    media_type = "application/pdf"


def _refusal(description: str) -> dict[str, Any]:
    """A refusal in the schema: JSON (``{"error": ...}``), whatever the media type of the file the route gives."""
    return {"description": description, "content": {"application/json": {"schema": Refusal.model_json_schema()}}}


ERRORS: dict[int | str, dict[str, Any]] = {
    404: _refusal("no such study"), 422: _refusal("an unknown language, or a study that does not pass check")}
PDF_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS, 503: _refusal("WeasyPrint or its system libraries are not installed")}


def _check_pdf() -> None:
    """Refuse a PDF up front where WeasyPrint cannot load (it needs Pango, a system library pip cannot install)."""
    try:
        importlib.import_module("weasyprint")
    except (ImportError, OSError) as exc:
        raise WebError(503, f"PDF reports need WeasyPrint and its system libraries (Pango, HarfBuzz), which this "
                            f"server cannot load ({str(exc)[:200]}); the HTML report works without them") from None


def _report(request: Request, ident: str, lang: str, fmt: str) -> tuple[str, bytes]:
    """The report file's name and bytes, written by the library from the study as it is on disk now."""
    entry = entry_of(request, ident)
    if fmt == "pdf":
        _check_pdf()
    study = views.study_of(entry)
    digest = inputs_hash(study.files)
    key = (entry.id, lang, fmt)
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == digest:
        return cached[1], cached[2]
    with tempfile.TemporaryDirectory(prefix="armsflow-report-") as folder:
        written = write_report(study, langs=lang, formats=fmt, out=folder).files[0]
        found = (written.path.name, written.path.read_bytes())
    with _lock:
        _cache[key] = (digest, *found)
    return found


def _attachment(name: str) -> dict[str, str]:
    """A Content-Disposition that saves the file as ``name`` (RFC 6266: a plain fallback and the UTF-8 name)."""
    plain = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in name)
    return {"Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"}


def _html(request: Request, ident: str, lang: str) -> Response:
    name, data = _report(request, ident, lang, "html")
    return HTMLResponse(data, headers=_attachment(name))


def _pdf(request: Request, ident: str, lang: str) -> Response:
    name, data = _report(request, ident, lang, "pdf")
    return PDFResponse(data, headers=_attachment(name))


@router.get("/studies/{ident}/report.html", response_class=HTMLResponse, include_in_schema=False)
def report_html_page(request: Request, ident: str, lang: Lang = "en") -> Response:
    return _html(request, ident, lang)


@router.get("/studies/{ident}/report.pdf", response_class=PDFResponse, include_in_schema=False)
def report_pdf_page(request: Request, ident: str, lang: Lang = "en") -> Response:
    return _pdf(request, ident, lang)


@router.get("/api/studies/{ident}/report.html", response_class=HTMLResponse, responses=ERRORS)
def report_html(request: Request, ident: str, lang: Lang = "en") -> Response:
    """The study's report as one self-contained HTML file (charts inline), in ``lang``, as an attachment."""
    return _html(request, ident, lang)


@router.get("/api/studies/{ident}/report.pdf", response_class=PDFResponse, responses=PDF_ERRORS)
def report_pdf(request: Request, ident: str, lang: Lang = "en") -> Response:
    """The study's report as a PDF (laid out by WeasyPrint, a few seconds), in ``lang``, as an attachment."""
    return _pdf(request, ident, lang)

"""The report download (armsflow.web.downloads): the study as it is on disk now, in each language and format, from a
private temporary folder that is gone afterwards, and clear refusals."""

from __future__ import annotations

import html
import re
import tempfile
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conftest import WEB_BASE
from system import need_pdf

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

import armsflow  # noqa: E402
from armsflow.errors import ParameterError  # noqa: E402
from armsflow.report.fmt import Fmt  # noqa: E402
from armsflow.study.edit import edit_claim  # noqa: E402
from armsflow.web import downloads  # noqa: E402
from armsflow.web.app import create_app  # noqa: E402


@pytest.fixture
def client(study: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setattr(downloads, "_cache", {})  # every test renders its own reports
    return TestClient(create_app([study]), base_url=WEB_BASE)


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder temporary folders are made in, for this test only (to see that none is left)."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def median_text(folder: Path, output: str) -> str:
    """An output's median as the English report writes it, from a run of the study as it is now."""
    r = armsflow.run(folder).result(output)
    return Fmt("en").quantity(r.p50, r.unit, r.p5, r.p95).mid


@pytest.mark.slow
def test_the_html_report_is_of_the_study_as_it_is_now(client: TestClient, study: Path) -> None:
    before = median_text(study, "troop_revenue")
    response = client.get("/studies/mine/report.html")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="[\w.-]+\.en\.html"; filename\*=UTF-8\'\'[\w.%-]+\.en\.html',
                        response.headers["content-disposition"])
    text = text_of(response.text)
    assert "Key findings" in text
    for output in ("deliveries_value", "troop_revenue"):
        assert median_text(study, output) in text

    assert edit_claim(study, "C051", {"central": "2500"}, if_match=None).status == "saved"  # NIS's pay per soldier
    after = median_text(study, "troop_revenue")
    assert after != before
    again = text_of(client.get("/studies/mine/report.html").text)
    assert after in again and before not in again


@pytest.mark.slow
def test_two_downloads_at_once_in_both_languages_leave_no_temporary_folder(client: TestClient,
                                                                           scratch: Path) -> None:
    got: dict[str, Any] = {}

    def fetch(lang: str) -> None:
        got[lang] = client.get(f"/api/studies/mine/report.html?lang={lang}")

    threads = [threading.Thread(target=fetch, args=(lang,)) for lang in ("en", "de")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got["en"].status_code == got["de"].status_code == 200
    assert got["de"].headers["content-disposition"].startswith('attachment; filename="')
    assert ".de.html" in got["de"].headers["content-disposition"]
    german, english = text_of(got["de"].text), text_of(got["en"].text)
    assert "Zentrale Ergebnisse" in german and "Key findings" not in german
    assert "Key findings" in english and "Zentrale Ergebnisse" not in english
    assert list(scratch.iterdir()) == []


@pytest.mark.slow
def test_the_pdf_report(client: TestClient, scratch: Path) -> None:
    need_pdf()
    response = client.get("/studies/mine/report.pdf?lang=de")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert ".de.pdf" in response.headers["content-disposition"]
    assert list(scratch.iterdir()) == []


def test_a_failed_report_leaves_no_temporary_folder(client: TestClient, scratch: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def half_written(study: object, *, out: str, **kwargs: object) -> None:
        (Path(out) / "half.html").write_text("half")
        raise ParameterError("formats", "failed halfway")

    monkeypatch.setattr(downloads, "write_report", half_written)
    response = client.get("/api/studies/mine/report.html")
    assert response.status_code == 422 and "failed halfway" in response.json()["error"]
    assert list(scratch.iterdir()) == []


def test_a_pdf_without_weasyprint_is_refused_with_a_reason(client: TestClient,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(downloads, "importlib", SimpleNamespace(import_module=missing))
    response = client.get("/api/studies/mine/report.pdf")
    assert response.status_code == 503
    assert "WeasyPrint" in response.json()["error"] and "libpango" in response.json()["error"]
    page = client.get("/studies/mine/report.pdf")
    assert page.status_code == 503 and "HTML report works without them" in page.text


@pytest.mark.parametrize("url", ["/studies/mine/report.html?lang=fr", "/api/studies/mine/report.pdf?lang=EN",
                                 "/api/studies/mine/report.html?lang="])
def test_an_unknown_language_is_422_naming_lang(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert "query.lang: Input should be 'en' or 'de'" in html.unescape(response.text)


@pytest.mark.parametrize("url", ["/studies/nope/report.html", "/api/studies/nope/report.pdf",
                                 "/api/studies/..%2Fmine/report.html"])
def test_an_unknown_study_is_404(client: TestClient, url: str) -> None:
    assert client.get(url).status_code == 404


def test_the_schema_names_the_files_media_types_and_json_refusals(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for fmt, media in (("html", "text/html"), ("pdf", "application/pdf")):
        responses = paths[f"/api/studies/{{ident}}/report.{fmt}"]["get"]["responses"]
        assert list(responses["200"]["content"]) == [media]
        assert all(list(responses[code]["content"]) == ["application/json"] for code in ("404", "422"))
    assert "503" in paths["/api/studies/{ident}/report.pdf"]["get"]["responses"]
    assert "/studies/{ident}/report.pdf" not in paths  # the page routes are the same files, with error pages


def test_the_study_page_links_both_languages_and_formats(client: TestClient) -> None:
    page = client.get("/studies/russia-dprk").text
    for link in ("report.html", "report.pdf", "report.html?lang=de", "report.pdf?lang=de"):
        assert f'href="/studies/russia-dprk/{link}"' in page

"""A source's page and its JSON twin (armsflow.web.sources) through FastAPI's TestClient, and one edit in a real
browser (Debian's chromium driven by Playwright; screenshots go to out/web/)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conftest import WEB_BASE, console_errors

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from armsflow.web.app import create_app  # noqa: E402

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ARTIFACTS = Path(__file__).parent.parent / "out" / "web"


@pytest.fixture
def study(mini: Path) -> Path:
    """The small test study, for the served workbench (conftest's ``served``)."""
    return mini


@pytest.fixture
def client(mini: Path) -> TestClient:
    return TestClient(create_app([mini]), base_url=WEB_BASE)


def form_of(client: TestClient, source: str) -> dict[str, str]:
    page = client.get(f"/studies/mini/sources/{source}").text
    return dict(re.findall(r'name="(csrf|etag)" value="([^"]+)"', page))


def api_headers(client: TestClient, source: str = "S2") -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/api/session").json()["csrf"],
            "If-Match": client.get(f"/api/studies/mini/sources/{source}").headers["etag"]}


def test_the_page_shows_fields_and_citing_claims_and_the_twin_agrees(client: TestClient) -> None:
    page = client.get("/studies/mini/sources/S2")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert 'name="title" value="Price"' in page.text and 'name="reliability" value="A"' in page.text
    assert re.findall(r'href="/studies/mini/claims/([^"]+)"', page.text) == ["C3", "C4"]
    assert 'id="save"' in page.text
    twin = client.get("/api/studies/mini/sources/S2")
    assert twin.status_code == 200 and twin.headers["etag"] == f'"{twin.json()["etag"]}"'
    assert twin.json()["fields"]["title"] == "Price" and twin.json()["claims"] == ["C3", "C4"]
    assert "/api/studies/{ident}/sources/{source}" in client.get("/openapi.json").json()["paths"]
    evidence = client.get("/studies/mini/evidence").text
    assert 'href="/studies/mini/sources/S2">S2</a>' in evidence


def test_a_save_changes_one_line_of_sources_csv(client: TestClient, mini: Path) -> None:
    before = {p.name: p.read_bytes() for p in mini.iterdir()}
    response = client.post("/studies/mini/sources/S2", data={**form_of(client, "S2"), "title": "Price list",
                                                             "reliability": "B", "publisher": "Think tank"})
    assert response.status_code == 200 and "Saved" in response.text and 'value="Price list"' in response.text
    after = {p.name: p.read_bytes() for p in mini.iterdir()}
    assert {name for name in before if before[name] != after[name]} == {"sources.csv"}
    old, new = before["sources.csv"].splitlines(), after["sources.csv"].splitlines()
    assert [(a, b) for a, b in zip(old, new, strict=True) if a != b] == [
        (b"S2,Think tank,Price,https://example.org/b,2024-06-01,en,A,",
         b"S2,Think tank,Price list,https://example.org/b,2024-06-01,en,B,")]
    assert "B2" in client.get("/api/studies/mini/evidence").json()["claims"][2]["grade"]


def test_two_versions_the_second_save_conflicts(client: TestClient, mini: Path) -> None:
    headers = api_headers(client)
    stale_form = form_of(client, "S2")
    first = client.put("/api/studies/mini/sources/S2", json={"fields": {"title": "One"}}, headers=headers)
    assert first.status_code == 200 and first.json()["status"] == "saved"
    assert first.headers["etag"] != headers["If-Match"]
    before = (mini / "sources.csv").read_bytes()
    second = client.put("/api/studies/mini/sources/S2", json={"fields": {"title": "Two"}}, headers=headers)
    assert second.status_code == 412 and second.json()["row"]["fields"]["title"] == "One"  # stale If-Match
    page = client.post("/studies/mini/sources/S2", data={**stale_form, "title": "Three"})
    assert page.status_code == 409 and "changed elsewhere" in page.text and 'value="One"' in page.text
    assert (mini / "sources.csv").read_bytes() == before
    missing = client.put("/api/studies/mini/sources/S2", json={"fields": {}},
                         headers={"X-CSRF-Token": headers["X-CSRF-Token"]})
    assert missing.status_code == 428


def test_an_invalid_edit_shows_check_and_leaves_the_file(client: TestClient, mini: Path) -> None:
    before = (mini / "sources.csv").read_bytes()
    page = client.post("/studies/mini/sources/S2", data={**form_of(client, "S2"), "reliability": "Z"})
    assert page.status_code == 422 and "Not saved" in page.text
    assert re.search(r'<li class="problem">sources.csv:3[^<]*reliability[^<]*must be one of A-F', page.text)
    assert 'name="reliability" value="Z"' in page.text  # shown as typed, to be corrected
    twin = client.put("/api/studies/mini/sources/S2", json={"fields": {"url": "javascript:alert(1)"}},
                      headers=api_headers(client))
    assert twin.status_code == 422 and twin.json()["status"] == "invalid" and twin.json()["problems"]
    assert (mini / "sources.csv").read_bytes() == before


def test_bundled_sources_are_read_only(client: TestClient) -> None:
    csrf = client.get("/api/session").json()["csrf"]
    page = client.get("/studies/russia-dprk/sources/S-FNF-2024-10-28")
    assert page.status_code == 200 and "read-only" in page.text and 'id="save"' not in page.text
    assert page.text.count(" readonly>") == 8  # every field shown (originator too), none editable
    assert 'href="/studies/russia-dprk/claims/C001"' in page.text
    post = client.post("/studies/russia-dprk/sources/S-FNF-2024-10-28", data={"csrf": csrf, "title": "x"})
    assert post.status_code == 403 and "armsflow init" in post.text
    put = client.put("/api/studies/russia-dprk/sources/S-FNF-2024-10-28", json={"fields": {"title": "x"}},
                     headers={"X-CSRF-Token": csrf, "If-Match": "x"})
    assert put.status_code == 403 and "read-only" in put.json()["error"]
    assert client.get("/api/studies/russia-dprk/sources/S-FNF-2024-10-28").status_code == 403


@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/studies/mini/sources/S9"), ("GET", "/api/studies/mini/sources/S9"),
    ("GET", "/studies/mini/sources/C1"), ("GET", "/studies/russia-dprk/sources/S9"),
    ("GET", "/studies/nope/sources/S1"), ("GET", "/studies/mini/sources/..%2Fclaims"),
    ("POST", "/studies/mini/sources/S9"), ("PUT", "/api/studies/mini/sources/S9"),
])
def test_an_unknown_source_is_404(client: TestClient, method: str, url: str) -> None:
    csrf = client.get("/api/session").json()["csrf"]
    response = client.request(method, url, data={"csrf": csrf} if method == "POST" else None,
                              json={"fields": {"title": "x"}} if method == "PUT" else None,
                              headers={"X-CSRF-Token": csrf, "If-Match": "x"})
    assert response.status_code == 404, response.text
    assert "Traceback" not in response.text


def test_writes_need_the_csrf_token(client: TestClient, mini: Path) -> None:
    before = (mini / "sources.csv").read_bytes()
    form = form_of(client, "S2")
    assert client.post("/studies/mini/sources/S2", data={"etag": form["etag"], "title": "x"}).status_code == 403
    assert client.post("/studies/mini/sources/S2", data={**form, "title": "x"},
                       headers={"Origin": "http://evil.example"}).status_code == 403
    headers = api_headers(client)
    put = client.put("/api/studies/mini/sources/S2", json={"fields": {"title": "x"}},
                     headers={"If-Match": headers["If-Match"]})
    assert put.status_code == 403 and "CSRF" in put.json()["error"]
    assert (mini / "sources.csv").read_bytes() == before


def test_a_title_holding_markup_renders_as_text(client: TestClient) -> None:
    assert client.post("/studies/mini/sources/S2", data={**form_of(client, "S2"), "title": XSS}).status_code == 200
    for url in ["/studies/mini/sources/S2", "/studies/mini/claims/C3"]:
        page = client.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page, url
    page = client.get("/studies/mini/sources/S2").text
    assert 'value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"' in page
    assert client.get("/api/studies/mini/sources/S2").json()["fields"]["title"] == XSS


def test_the_id_cannot_be_changed(client: TestClient, mini: Path) -> None:
    before = (mini / "sources.csv").read_bytes()
    put = client.put("/api/studies/mini/sources/S2", json={"fields": {"id": "S9"}}, headers=api_headers(client))
    assert put.status_code == 422 and "id of a source cannot be changed" in put.json()["error"]
    page = client.post("/studies/mini/sources/S2", data={**form_of(client, "S2"), "id": "S9"})
    assert page.status_code == 422 and "id of a source cannot be changed" in page.text
    assert (mini / "sources.csv").read_bytes() == before


@pytest.mark.slow
def test_edit_a_source_title_in_a_browser(served: tuple[str, Path], chromium: Any) -> None:
    from playwright.sync_api import expect

    base, folder = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    before = (folder / "sources.csv").read_bytes().splitlines()
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors = console_errors(page)
    page.goto(f"{base}/studies/mini/evidence")
    page.click("#claim-C3 a.source")
    expect(page.locator("h1")).to_contain_text("Source S2")
    page.fill("input[name=title]", "Price list, 2024 edition")
    page.click("#save")
    expect(page.locator("#message")).to_contain_text("Saved")
    expect(page.locator("input[name=title]")).to_have_value("Price list, 2024 edition")
    page.screenshot(path=ARTIFACTS / "5-source-saved.png", full_page=True)
    page.click("#citing a >> text=C4")
    expect(page.locator("h1")).to_contain_text("Claim C4")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    after = (folder / "sources.csv").read_bytes().splitlines()
    assert [b for a, b in zip(before, after, strict=True) if a != b] == [
        b'S2,Think tank,"Price list, 2024 edition",https://example.org/b,2024-06-01,en,A,']

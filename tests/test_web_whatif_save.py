"""Saving the what-if form into model.toml from the workbench (armsflow.web.whatif_save): the page's POST through
TestClient, its JSON twin, and the whole flow in a real browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conftest import WEB_BASE, console_errors

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from armsflow.web.app import create_app  # noqa: E402

ARTIFACTS = Path(__file__).parent.parent / "out" / "web"


@pytest.fixture
def client(study: Path) -> TestClient:
    return TestClient(create_app([study]), base_url=WEB_BASE)


def form_of(client: TestClient, ident: str = "mine") -> dict[str, str]:
    """The what-if form's fields as the study page fills them in, with this session's token."""
    page = client.get(f"/studies/{ident}").text
    form = re.search(r'<form id="whatif".*?</form>', page, re.S)
    assert form is not None
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(0)))
    return {**fields, "csrf": client.get("/api/session").json()["csrf"]}


def medians(client: TestClient) -> dict[str, float]:
    return {r["id"]: r["p50"] for r in client.get("/api/studies/mine").json()["run"]["results"]}


def test_a_save_writes_the_changed_lines_and_the_page_shows_the_full_run(client: TestClient, study: Path) -> None:
    before = (study / "model.toml").read_bytes().splitlines(keepends=True)
    old = medians(client)
    form = form_of(client)
    assert form["munitions_share.low"] == "0.75" and "etag" in form
    response = client.post("/studies/mine/whatif/save", data={**form, "munitions_share.low": "0.5",
                                                              "scenario": "rok-ceiling"})
    assert response.status_code == 200
    assert "Saved to model.toml" in response.text and "are not saved" in response.text
    assert "<del>low = 0.75</del> → <ins>low = 0.5</ins>" in response.text
    assert 'class="whatif"' not in response.text  # the study's own run, not a what-if
    after = (study / "model.toml").read_bytes().splitlines(keepends=True)
    assert [(a, b) for a, b in zip(before, after, strict=True) if a != b] == [(b"low = 0.75\n", b"low = 0.5\n")]
    assert medians(client)["deliveries_value"] < old["deliveries_value"]
    page = form_of(client)
    assert page["munitions_share.low"] == "0.5" and page["etag"] != form["etag"]


def test_a_scenario_with_its_own_values_is_named(client: TestClient, study: Path) -> None:
    response = client.post("/studies/mine/whatif/save", data={**form_of(client), "share_152.low": "0.7"})
    assert response.status_code == 200 and "Scenario rok-ceiling gives share_152 values of its own" in response.text


def test_a_stale_form_conflicts_and_shows_the_current_values(client: TestClient, study: Path) -> None:
    form = form_of(client)
    assert client.post("/studies/mine/whatif/save", data={**form, "munitions_share.low": "0.5"}).status_code == 200
    before = (study / "model.toml").read_bytes()
    response = client.post("/studies/mine/whatif/save", data={**form, "munitions_share.high": "0.9"})
    assert response.status_code == 409 and "changed since this page was loaded" in response.text
    assert 'name="munitions_share.low" value="0.5"' in response.text
    assert (study / "model.toml").read_bytes() == before


def test_an_invalid_save_is_shown_inline_as_typed(client: TestClient, study: Path) -> None:
    before = (study / "model.toml").read_bytes()
    response = client.post("/studies/mine/whatif/save", data={**form_of(client), "munitions_share.low": "2"})
    assert response.status_code == 422 and "Not saved: model.toml is unchanged" in response.text
    assert "model.toml:25: variables.munitions_share.low: low (2) is above high (1)" in response.text
    assert 'name="munitions_share.low" value="2"' in response.text and '<form id="whatif"' in response.text
    text = client.post("/studies/mine/whatif/save", data={**form_of(client), "munitions_share.low": "abc"})
    assert text.status_code == 422 and "munitions_share.low: not a number" in text.text
    infinite = client.post("/studies/mine/whatif/save", data={**form_of(client), "munitions_share.low": "-inf"})
    assert infinite.status_code == 422 and "must be a finite number" in infinite.text
    assert (study / "model.toml").read_bytes() == before


def test_an_unchanged_form_writes_nothing(client: TestClient, study: Path) -> None:
    before = (study / "model.toml").read_bytes()
    response = client.post("/studies/mine/whatif/save", data=form_of(client))
    assert response.status_code == 200 and "Nothing to save" in response.text
    assert (study / "model.toml").read_bytes() == before


def test_writes_need_the_token_and_bundled_studies_are_read_only(client: TestClient, study: Path) -> None:
    before = (study / "model.toml").read_bytes()
    form = {**form_of(client), "munitions_share.low": "0.5"}
    assert client.post("/studies/mine/whatif/save", data={**form, "csrf": ""}).status_code == 403
    assert client.post("/studies/mine/whatif/save", data={**form, "csrf": "x"}).status_code == 403
    assert client.post("/studies/mine/whatif/save", data=form, headers={"Origin": "http://evil.example"}
                       ).status_code == 403
    assert (study / "model.toml").read_bytes() == before
    bundled = client.post("/studies/russia-dprk/whatif/save", data={**form_of(client, "russia-dprk"),
                                                                    "munitions_share.low": "0.5"})
    assert bundled.status_code == 403 and "armsflow init" in bundled.text
    assert "Save these assumptions" not in client.get("/studies/russia-dprk").text


def test_htmx_gets_the_page_main_to_swap_in(client: TestClient) -> None:
    """htmx swaps only a 2xx response: the outcome is in the page, and the headers put it in place of <main>."""
    response = client.post("/studies/mine/whatif/save", data={**form_of(client), "munitions_share.low": "2"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Not saved" in response.text
    assert response.headers["hx-retarget"] == "main" and response.headers["hx-reselect"] == "main"


def test_the_json_twin(client: TestClient, study: Path) -> None:
    csrf = client.get("/api/session").json()["csrf"]
    got = client.get("/api/studies/mine/model/distributions")
    assert got.status_code == 200 and got.json()["distributions"]["munitions_share"] == {
        "dist": "uniform", "low": 0.75, "high": 1.0}
    etag = got.headers["etag"]
    assert etag == f'"{got.json()["etag"]}"'
    headers = {"X-CSRF-Token": csrf, "If-Match": etag}
    body = {"distributions": {"munitions_share": {"dist": "uniform", "low": 0.5, "high": 1.0}}}
    first = client.put("/api/studies/mine/model/distributions", json=body, headers=headers)
    assert first.status_code == 200 and first.json()["status"] == "saved"
    assert first.json()["changed"] == [{"line": 25, "before": "low = 0.75", "after": "low = 0.5"}]
    assert first.headers["etag"] != etag
    second = client.put("/api/studies/mine/model/distributions", json=body, headers=headers)
    assert second.status_code == 412 and second.headers["etag"] == first.headers["etag"]  # stale If-Match
    fresh = {**headers, "If-Match": first.headers["etag"]}
    bad = {"distributions": {"pay": {"dist": "point", "value": 1}}}
    refused = client.put("/api/studies/mine/model/distributions", json=bad, headers=fresh)
    assert refused.status_code == 422 and refused.json()["problems"][0]["field"] == "pay"
    missing = client.put("/api/studies/mine/model/distributions", json=body, headers={"X-CSRF-Token": csrf})
    assert missing.status_code == 428
    assert client.put("/api/studies/mine/model/distributions", json=body, headers={"If-Match": etag}
                      ).status_code == 403
    assert client.put("/api/studies/russia-dprk/model/distributions", json=body, headers=headers).status_code == 403
    assert client.put("/api/studies/mine/model/distributions", json={"distributions": 1}, headers=fresh
                      ).status_code == 422
    schema = client.get("/openapi.json").json()["paths"]["/api/studies/{ident}/model/distributions"]
    assert {"412", "428", "403", "422"} <= set(schema["put"]["responses"])


@pytest.mark.slow
def test_change_save_reload_in_a_browser(served: tuple[str, Path], chromium: Any) -> None:
    """A refused value is shown as typed beside the problem; a corrected one is saved and is the study after a
    reload: in the form and in the full run."""
    from playwright.sync_api import expect

    base, folder = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    before = (folder / "model.toml").read_bytes()
    page = chromium.new_page(viewport={"width": 1280, "height": 1400})
    errors = console_errors(page)
    page.goto(f"{base}/studies/mine")
    value = page.locator("#result-deliveries_value .median")
    old = value.inner_text()
    page.fill("input[name='munitions_share.low']", "2")
    page.click("#save-assumptions")
    expect(page.locator("#save-problems")).to_contain_text("low (2) is above high (1)")
    expect(page.locator("input[name='munitions_share.low']")).to_have_value("2")
    page.screenshot(path=ARTIFACTS / "whatif-save-refused.png", full_page=True)
    page.fill("input[name='munitions_share.low']", "0.4")
    page.click("#save-assumptions")
    expect(page.locator("#save-message")).to_contain_text("Saved to model.toml")
    page.screenshot(path=ARTIFACTS / "whatif-saved.png", full_page=True)
    page.reload()
    expect(page.locator("input[name='munitions_share.low']")).to_have_value("0.4")
    assert page.locator("#result-deliveries_value .median").inner_text() != old
    expect(page.locator("#results h2")).not_to_contain_text("what-if")
    page.screenshot(path=ARTIFACTS / "whatif-saved-reloaded.png", full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    after = (folder / "model.toml").read_bytes()
    assert [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b] == [
        (b"low = 0.75", b"low = 0.4")]

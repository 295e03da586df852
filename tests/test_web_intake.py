"""The intake review queue in the workbench: the page and its JSON twin list what ``add_documents`` queued, accept
writes what ``armsflow intake accept`` writes, and every refusal leaves the study and the queue as they were."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import WEB_BASE, console_errors

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import armsflow  # noqa: E402
from armsflow.cli import app as cli  # noqa: E402
from armsflow.intake import add_documents, list_candidates  # noqa: E402
from armsflow.web.app import create_app  # noqa: E402

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FILES = ("sources.csv", "claims.csv", "model.toml")
DOC = f"""Title: Containers leave Rajin
Publisher: Example Daily
Date: 2024-10-30
URL: https://news.example.org/containers
Language: en

Officials said more than 13,000 containers had left Rajin since August 2023. {XSS}

Customs data put trade at 34.4 million USD in 2023.
"""


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "containers.txt"
    path.write_text(DOC, encoding="utf-8")
    return path


@pytest.fixture
def study(flagship_template: Path, tmp_path: Path, document: Path) -> Path:
    folder = tmp_path / "mine"
    shutil.copytree(flagship_template, folder)
    add_documents(folder, [document])
    return folder


@pytest.fixture
def client(study: Path) -> TestClient:
    return TestClient(create_app([study]), base_url=WEB_BASE)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def containers(folder: Path) -> str:
    return next(e.candidate.id for e in list_candidates(folder).entries if e.candidate.unit == "container")


def csrf(client: TestClient) -> str:
    token: str = client.get("/api/session").json()["csrf"]
    return token


def test_the_queue_and_its_json_twin(client: TestClient, study: Path) -> None:
    ident = containers(study)
    page = client.get("/studies/mine/intake")
    assert page.status_code == 200
    assert f'id="cand-{ident}"' in page.text and "<mark>13,000 containers</mark>" in page.text
    assert "2 open, 0 accepted, 0 rejected" in page.text and "containers.txt" in page.text
    assert '<option value="containers">' in page.text
    listed = client.get("/api/studies/mine/intake").json()
    assert [e["candidate"]["id"] for e in listed["queue"]["entries"]][0] == ident
    assert "containers" in {v["name"] for v in listed["variables"]} and listed["read_only"] is False
    assert '/studies/mine/intake"' in client.get("/studies/mine").text  # linked from the study's page


def test_accept_writes_the_rows_the_command_line_writes(client: TestClient, study: Path, tmp_path: Path,
                                                        document: Path, flagship_template: Path) -> None:
    by_cli = tmp_path / "cli" / "mine"
    shutil.copytree(flagship_template, by_cli)
    add_documents(by_cli, [document])
    ident = containers(study)
    done = CliRunner().invoke(cli, ["intake", "accept", str(by_cli), ident, "--variable", "containers",
                                    "--grade", "B2"])
    assert done.exit_code == 0, done.output
    before = snapshot(study)
    page = client.post(f"/studies/mine/intake/{ident}/accept",
                       data={"csrf": csrf(client), "variable": "containers", "grade": "B2", "measure": ""})
    assert page.status_code == 200 and f"Accepted {ident} as claim" in page.text
    assert f'id="cand-{ident}"' not in page.text and "1 open, 1 accepted" in page.text
    assert snapshot(study) == snapshot(by_cli) != before
    assert armsflow.check(study).ok


def test_a_candidate_stating_an_existing_claim_is_flagged(client: TestClient, study: Path, tmp_path: Path) -> None:
    from armsflow.intake import accept_candidate

    found = accept_candidate(study, containers(study), "containers", "B2")
    again = tmp_path / "again.txt"
    again.write_text(DOC.replace("2024-10-30", "2024-11-02"), encoding="utf-8")
    add_documents(study, [again], source_id=found.row["source"])
    page = client.get("/studies/mine/intake").text
    assert f"states the numbers of existing claim {found.claim}" in page


def test_accept_through_the_api_with_edits(client: TestClient, study: Path) -> None:
    ident = containers(study)
    headers = {"X-CSRF-Token": csrf(client)}
    body = {"variable": "containers", "grade": "c3", "edits": {"measure": "Containers shipped (Example Daily)"}}
    done = client.post(f"/api/studies/mine/intake/{ident}/accept", json=body, headers=headers)
    assert done.status_code == 200, done.text
    result = done.json()
    assert result["row"]["measure"] == "Containers shipped (Example Daily)" and result["source_added"]
    assert result["claim"] in armsflow.load_study(study).claims
    again = client.post(f"/api/studies/mine/intake/{ident}/accept", json=body, headers=headers)
    assert again.status_code == 409 and "already accepted" in again.json()["error"]


def test_reject_on_the_page_and_through_the_api(client: TestClient, study: Path) -> None:
    first, second = (e.candidate.id for e in list_candidates(study).entries)
    before = snapshot(study)
    page = client.post(f"/studies/mine/intake/{first}/reject", data={"csrf": csrf(client), "reason": "a repeat"})
    assert page.status_code == 200 and f"Rejected {first}" in page.text and f'id="cand-{first}"' not in page.text
    done = client.post(f"/api/studies/mine/intake/{second}/reject", json={}, headers={"X-CSRF-Token": csrf(client)})
    assert done.status_code == 200 and done.json()["candidate"] == second
    queue = list_candidates(study, include_decided=True)
    assert queue.rejected == 2 and queue.open == 0 and queue.entries[0].note == "a repeat"
    assert snapshot(study) == before
    assert "No candidate waits for review" in client.get("/studies/mine/intake").text


def test_an_unknown_candidate_is_404(client: TestClient, study: Path) -> None:
    before = snapshot(study)
    token = csrf(client)
    for url in ("/studies/mine/intake/K-0000000000/accept", "/studies/mine/intake/K-0000000000/reject"):
        assert client.post(url, data={"csrf": token, "variable": "containers", "grade": "B2"}).status_code == 404
    api = client.post("/api/studies/mine/intake/K-0000000000/accept", json={"variable": "containers", "grade": "B2"},
                      headers={"X-CSRF-Token": token})
    assert api.status_code == 404 and "no candidate 'K-0000000000'" in api.json()["error"]
    assert client.get("/studies/nope/intake").status_code == 404
    assert snapshot(study) == before


@pytest.mark.parametrize(("variable", "grade", "message"), [
    ("nonesuch", "B2", "no variable &#39;nonesuch&#39; in model.toml"),
    ("containers", "Z9", "&#39;Z9&#39;: a source reliability A-F"),
    ("gdp", "B2", "container does not fit variable gdp"),
    ("rounds_152", "B2", "rounds_152 is defined by formula, not by claims"),
])
def test_a_refused_accept_is_shown_beside_the_unchanged_queue(client: TestClient, study: Path, variable: str,
                                                             grade: str, message: str) -> None:
    ident = containers(study)
    before, queue = snapshot(study), list_candidates(study)
    page = client.post(f"/studies/mine/intake/{ident}/accept",
                       data={"csrf": csrf(client), "variable": variable, "grade": grade})
    assert page.status_code == 422 and message in page.text and f'id="cand-{ident}"' in page.text
    assert f'value="{grade}"' in page.text  # the form keeps what was typed
    api = client.post(f"/api/studies/mine/intake/{ident}/accept", json={"variable": variable, "grade": grade},
                      headers={"X-CSRF-Token": csrf(client)})
    assert api.status_code == 422 and message.replace("&#39;", "'") in api.json()["error"]
    assert snapshot(study) == before and list_candidates(study) == queue


def test_bad_bodies_and_edits_are_422(client: TestClient, study: Path) -> None:
    ident = containers(study)
    before = snapshot(study)
    headers = {"X-CSRF-Token": csrf(client)}
    url = f"/api/studies/mine/intake/{ident}/accept"
    for body in ({"variable": "containers"}, {"variable": "containers", "grade": "B2", "extra": 1},
                 {"variable": "containers", "grade": 2}, {"variable": "containers", "grade": "B2",
                                                          "edits": {"reliability": "A"}}):
        assert client.post(url, json=body, headers=headers).status_code == 422, body
    broken = client.post(url, json={"variable": "containers", "grade": "B2", "edits": {"as_of": "last autumn"}},
                         headers=headers)
    assert broken.status_code == 422 and "as_of" in broken.json()["error"]
    assert snapshot(study) == before and list_candidates(study).open == 2


def test_writes_need_the_session_token(client: TestClient, study: Path) -> None:
    ident = containers(study)
    before = snapshot(study)
    assert client.post(f"/studies/mine/intake/{ident}/accept",
                       data={"variable": "containers", "grade": "B2"}).status_code == 403
    assert client.post(f"/studies/mine/intake/{ident}/reject", data={"csrf": "stale"}).status_code == 403
    assert client.post(f"/api/studies/mine/intake/{ident}/accept",
                       json={"variable": "containers", "grade": "B2"}).status_code == 403
    assert client.post(f"/api/studies/mine/intake/{ident}/reject", json={}).status_code == 403
    assert snapshot(study) == before and list_candidates(study).open == 2


def test_a_bundled_study_has_no_queue(client: TestClient) -> None:
    page = client.get("/studies/russia-dprk/intake")
    assert page.status_code == 200 and "read-only and has no intake queue" in page.text
    assert client.get("/api/studies/russia-dprk/intake").json() == {"read_only": True, "queue": None,
                                                                    "variables": []}
    token = csrf(client)
    refused = client.post("/api/studies/russia-dprk/intake/K-0000000000/accept",
                          json={"variable": "containers", "grade": "B2"}, headers={"X-CSRF-Token": token})
    assert refused.status_code == 403 and "armsflow init" in refused.json()["error"]
    assert client.post("/studies/russia-dprk/intake/K-0000000000/reject", data={"csrf": token}).status_code == 403


def test_a_quote_holding_markup_is_shown_as_text(client: TestClient) -> None:
    page = client.get("/studies/mine/intake").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_api_is_described(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    accept = paths["/api/studies/{ident}/intake/{candidate}/accept"]["post"]
    assert {"403", "404", "409", "422"} <= set(accept["responses"])
    assert "/api/studies/{ident}/intake" in paths and "/studies/{ident}/intake" not in paths


# --- in a browser ----------------------------------------------------------------------------------------------

ARTIFACTS = Path(__file__).parent.parent / "out" / "web"


@pytest.mark.slow
def test_accept_a_candidate_in_the_browser(served: tuple[str, Path], chromium: Any) -> None:
    from playwright.sync_api import expect

    base, folder = served
    ident = containers(folder)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1280, "height": 1000})
    errors = console_errors(page)
    page.goto(f"{base}/studies/mine")
    page.click("text=Intake queue")
    card = page.locator(f"#cand-{ident}")
    expect(card.locator(".quote")).to_contain_text('<script>alert("x")</script>')
    page.screenshot(path=ARTIFACTS / "intake-1-queue.png", full_page=True)
    card.locator("select[name=variable]").select_option("containers")
    card.locator("input[name=grade]").fill("B2")
    card.locator(".accept-button").click()
    expect(page.locator("#message")).to_contain_text(f"Accepted {ident} as claim")
    expect(page.locator(f"#cand-{ident}")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "intake-2-accepted.png", full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    assert re.search(rf"Intake {ident}:", (folder / "claims.csv").read_text(encoding="utf-8"))

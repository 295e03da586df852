"""Copying a study (a bundled one, read-only) into a served folder that holds studies, from the page and the API:
the copy is `armsflow init`'s, it is served at once (by any server process), and bad names or targets are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import WEB_BASE

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

import armsflow  # noqa: E402
from armsflow.web.app import create_app  # noqa: E402


@pytest.fixture
def shelf(study: Path, tmp_path: Path) -> Path:
    """A folder holding one study (``mine``), as ``armsflow serve FOLDER`` takes it."""
    holder = tmp_path / "shelf"
    holder.mkdir()
    study.rename(holder / "mine")
    return holder


@pytest.fixture
def client(shelf: Path) -> TestClient:
    return TestClient(create_app([shelf]), base_url=WEB_BASE)


def _token(client: TestClient) -> str:
    token: str = client.get("/api/session").json()["csrf"]
    return token


def test_copy_a_bundled_study_from_its_page(client: TestClient, shelf: Path) -> None:
    page = client.get("/studies/russia-dprk")
    assert page.status_code == 200 and 'id="copy"' in page.text and "<option value=\"0\">shelf</option>" in page.text
    done = client.post("/studies/russia-dprk/copy", data={"csrf": _token(client), "name": "ours", "into": "0"},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/studies/ours"
    copied = {p.name: p.read_bytes() for p in (shelf / "ours").iterdir()}
    assert client.get("/studies/ours").status_code == 200  # (which records the copy's first run in its history)
    by_init = Path(armsflow.init(shelf.parent / "by-init", "russia-dprk").folder)
    assert copied == {p.name: p.read_bytes() for p in by_init.iterdir()}
    listed = client.get("/api/studies").json()
    assert {"mine", "ours", "russia-dprk"} <= {s["id"] for s in listed["studies"]} and listed["copy_into"] == ["shelf"]


def test_copy_through_the_api_is_seen_by_another_process(client: TestClient, shelf: Path) -> None:
    other = TestClient(create_app([shelf]), base_url=WEB_BASE)  # another server process, started before the copy
    done = client.post("/api/studies/russia-dprk/copy", json={"name": "ours"},
                       headers={"X-CSRF-Token": _token(client)})
    assert done.status_code == 201 and done.json() == {"id": "ours", "folder": "ours"}
    assert other.get("/api/studies/ours").status_code == 200


@pytest.mark.parametrize(("body", "status", "says"), [
    ({"name": "../evil"}, 422, "name: letters"), ({"name": ".hidden"}, 422, "name: letters"),
    ({"name": "a/b"}, 422, "name: letters"), ({"name": "mine"}, 409, "already exists"),
    ({"name": "ok", "into": 3}, 422, "into: one of 0 to 0"), ({"name": "ok", "extra": 1}, 422, "extra"),
])
def test_bad_copies_are_refused_and_write_nothing(client: TestClient, shelf: Path, body: dict[str, object],
                                                  status: int, says: str) -> None:
    before = sorted(p.name for p in shelf.parent.rglob("*"))
    done = client.post("/api/studies/russia-dprk/copy", json=body, headers={"X-CSRF-Token": _token(client)})
    assert done.status_code == status and says in done.text
    assert sorted(p.name for p in shelf.parent.rglob("*")) == before


def test_a_copy_needs_the_token_and_a_folder_that_takes_copies(client: TestClient, study: Path) -> None:
    refused = client.post("/api/studies/russia-dprk/copy", json={"name": "ours"})
    assert refused.status_code == 403
    alone = TestClient(create_app([study.parent / "shelf" / "mine"]), base_url=WEB_BASE)  # a study folder only
    token = alone.get("/api/session").json()["csrf"]
    done = alone.post("/api/studies/russia-dprk/copy", json={"name": "ours"}, headers={"X-CSRF-Token": token})
    assert done.status_code == 403 and "armsflow init" in done.text
    assert 'id="copy"' not in alone.get("/studies/russia-dprk").text

"""The run history in the workbench: the recorded runs and ``armsflow diff``'s answer to "why did the number
move", as pages and their JSON twins; a folder without history and a bundled study say so."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conftest import WEB_BASE

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

import armsflow  # noqa: E402
from armsflow.web.app import create_app  # noqa: E402


@pytest.fixture
def client(study: Path) -> TestClient:
    return TestClient(create_app([study]), base_url=WEB_BASE)


def edit_in_the_workbench(client: TestClient, claim: str, **fields: str) -> None:
    page = client.get(f"/studies/mine/claims/{claim}").text
    form = dict(re.findall(r'name="(csrf|etag)" value="([^"]+)"', page))
    saved = client.post(f"/studies/mine/claims/{claim}", data={**form, **fields})
    assert saved.status_code == 200 and "Saved" in saved.text


def test_two_runs_and_a_claim_change_between_them(client: TestClient, study: Path) -> None:
    armsflow.run(study, draws=1000, sensitivity=False, history=True)
    edit_in_the_workbench(client, "C035-RPC", low="300", high="400")
    armsflow.run(study, draws=1000, sensitivity=False, history=True)

    page = client.get("/studies/mine/history")
    assert page.status_code == 200 and 'id="run-1"' in page.text and 'id="run-2"' in page.text
    assert 'href="/studies/mine/history/diff?a=1&amp;b=2"' in page.text and "deliveries_value" in page.text
    runs = client.get("/api/studies/mine/history").json()["history"]["runs"]
    assert [r["id"] for r in runs] == [1, 2] and runs[0]["inputs_sha256"] != runs[1]["inputs_sha256"]

    shown = client.get("/studies/mine/history/diff?a=1&b=2")
    assert shown.status_code == 200
    change = re.search(r'<tr class="change"><td>claims.csv</td><td>C035-RPC</td><td>changed: low</td>'
                       r"<td>266</td><td>300</td></tr>", shown.text)
    assert change and "<td>changed: high</td><td>367</td><td>400</td>" in shown.text
    moved = re.search(r'<tr id="move-deliveries_value">.*?<td class="n total">\+([\d.,]+)</td>', shown.text, re.S)
    assert moved and float(moved.group(1)) > 0
    assert "Rounds per container" in shown.text.split('id="move-deliveries_value"')[1].split("</tr></table>")[0]

    found = client.get("/api/studies/mine/history/diff", params={"a": "1", "b": "2"}).json()
    assert [c["key"] for c in found["changes"]] == ["C035-RPC"]
    value = next(o for o in found["outputs"] if o["id"] == "deliveries_value")
    assert value["total"] > 0 and [p["group"] for p in value["parts"]] == ["rounds_per_container"]
    assert sum(p["effect"] for p in value["parts"]) == pytest.approx(value["total"])
    now = client.get("/api/studies/mine/history/diff?a=2").json()  # b empty: the folder as it is
    assert now["b"]["kind"] == "folder" and now["changes"] == []


def test_a_folder_without_history_says_so(client: TestClient) -> None:
    page = client.get("/studies/mine/history")
    assert page.status_code == 200 and "No run is recorded in" in page.text and 'id="runs"' not in page.text
    assert client.get("/api/studies/mine/history").json()["history"]["runs"] == []
    refused = client.get("/studies/mine/history/diff?a=1")
    assert refused.status_code == 422 and "no run recorded yet" in refused.text and 'id="diff-form"' in refused.text


def test_a_bundled_study_records_no_runs_but_compares_days(client: TestClient) -> None:
    page = client.get("/studies/russia-dprk/history")
    assert page.status_code == 200 and "no run of it is recorded" in page.text
    assert client.get("/api/studies/russia-dprk/history").json() == {"read_only": True, "history": None}
    assert client.get("/api/studies/russia-dprk/history/diff?a=1").status_code == 422
    days = client.get("/api/studies/russia-dprk/history/diff?a=2024-11-01&b=today")
    assert days.status_code == 200 and days.json()["a"]["kind"] == "as_of"


@pytest.mark.parametrize(("query", "message"), [
    ("a=--output=x", "a: a run id, a day YYYY-MM-DD"), ("a=1&b=-x", "b: a run id"), ("a=", "a: a run id"),
    ("a=2024-13-45", "not a day"), ("", "a: Field required"),
])
def test_bad_sides_are_422(client: TestClient, study: Path, query: str, message: str) -> None:
    armsflow.run(study, draws=1000, sensitivity=False, history=True)
    response = client.get(f"/api/studies/mine/history/diff?{query}")
    assert response.status_code == 422 and message in response.json()["error"], response.text
    assert client.get(f"/studies/mine/history/diff?{query}").status_code == 422
    missing = client.get("/api/studies/mine/history/diff?a=9").json()["error"]
    assert "no run 9 (recorded: 1)" in missing


def test_the_api_is_described(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/studies/{ident}/history", "/api/studies/{ident}/history/diff"} <= set(paths)
    assert {"404", "422"} <= set(paths["/api/studies/{ident}/history/diff"]["get"]["responses"])
    assert "/studies/{ident}/history" not in paths
    assert '/studies/mine/history"' in client.get("/studies/mine").text


def test_scenarios_against_the_base_page_and_api(client: TestClient) -> None:
    page = client.get("/studies/russia-dprk/reconcile")
    assert page.status_code == 200, page.text
    kida = page.text.split('id="scenario-kida-2025"')[1].split("</section>")[0]
    assert "KIDA&#39;s count" in kida and "(kida-2025)" in kida and "still apart" in page.text
    remaining = re.search(r'<tr id="published-kida-2025-kida-2025">.*?<td class="n remaining">\+([\d.,]+) ', kida,
                          re.S)
    assert remaining and float(remaining.group(1).replace(",", "")) > 0
    assert "Published estimates no scenario follows yet" in page.text and 'id="unreconciled-fnf-2024"' in page.text
    assert "Shapley values of the median" in page.text

    found = client.get("/api/studies/russia-dprk/reconcile")
    assert found.status_code == 200
    gap = next(s for s in found.json()["scenarios"] if s["scenario"] == "kida-2025")
    assert isinstance(gap["published"][0]["remaining"], float) and gap["published"][0]["remaining"] > 0
    assert 'href="/studies/russia-dprk/reconcile"' in client.get("/studies/russia-dprk").text


def test_scenarios_against_the_base_of_an_unknown_study_are_404(client: TestClient) -> None:
    assert client.get("/studies/nothing-here/reconcile").status_code == 404
    missing = client.get("/api/studies/nothing-here/reconcile")
    assert missing.status_code == 404 and "no study 'nothing-here'" in missing.json()["error"]
    paths = client.get("/openapi.json").json()["paths"]
    assert {"404", "422"} <= set(paths["/api/studies/{ident}/reconcile"]["get"]["responses"])
    assert "/studies/{ident}/reconcile" not in paths


def test_scenarios_against_the_base_are_kept_until_the_folder_changes(client: TestClient,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from armsflow.web import views

    calls: list[str] = []

    def counted(study: Any) -> Any:  # fewer draws: only how often it is computed matters here
        calls.append(study.meta.id)
        return armsflow.reconcile(study, draws=2000)

    monkeypatch.setattr(views, "reconcile", counted)
    first = client.get("/api/studies/mine/reconcile").json()
    assert client.get("/api/studies/mine/reconcile").json() == first and len(calls) == 1  # a reload: from the cache
    edit_in_the_workbench(client, "C035-RPC", low="300", high="400")
    assert client.get("/studies/mine/reconcile").status_code == 200 and len(calls) == 2  # an edited folder: afresh

"""The report's charts in the workbench (armsflow.web.charts): checked SVG for the full run and for a what-if, its
JSON twin, refusals, and the study page with the charts in a real browser."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import WEB_BASE, console_errors

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from armsflow.report.charts import assert_safe_svg  # noqa: E402
from armsflow.web import charts  # noqa: E402
from armsflow.web.app import create_app  # noqa: E402

PLAYWRIGHT = importlib.util.find_spec("playwright") is not None
ARTIFACTS = Path(__file__).parent.parent / "out" / "web"

WHAT_IF = "munitions_share.low=0.2&munitions_share.high=0.3"


@pytest.fixture
def client(study: Path) -> TestClient:
    return TestClient(create_app([study]), base_url=WEB_BASE)


@pytest.mark.slow
def test_the_partial_holds_the_report_s_charts_as_safe_svg(client: TestClient) -> None:
    response = client.get("/studies/mine/charts")
    assert response.status_code == 200
    page = response.text
    assert page.startswith('<section id="charts">') and "<script" not in page.lower()
    svgs = re.findall(r"<svg.*?</svg>", page, re.DOTALL)
    keys = re.findall(r'<figure id="chart-([\w-]+)">', page)
    assert len(svgs) == len(keys) >= 10
    assert {"hist-deliveries_value", "forest-deliveries_value", "tornado-deliveries_value", "timeline-shells",
            "events-meetings", "trade"} <= set(keys)
    for svg in svgs:
        assert_safe_svg(svg)
        # The workbench's Content-Security-Policy allows no inline style: the charts carry presentation attributes.
        assert not re.search(r"\son[a-z]+=|\sstyle=|<style", svg)
    assert "Value of North Korean arms deliveries to Russia: simulated outcomes" in page
    assert "seed" in page and "what-if" not in page


@pytest.mark.slow
def test_a_what_if_changes_the_charts_and_the_json_twin_says_so(client: TestClient) -> None:
    full = client.get("/api/studies/mine/charts").json()
    changed = client.get(f"/api/studies/mine/charts?{WHAT_IF}").json()
    assert (full["what_if"], changed["what_if"]) == (False, True)
    assert changed["draws"] == 20_000 and full["draws"] > changed["draws"]
    first = {c["key"]: c["svg"] for c in full["charts"]}
    second = {c["key"]: c["svg"] for c in changed["charts"]}
    assert first.keys() == second.keys()
    assert first["hist-deliveries_value"] != second["hist-deliveries_value"]
    assert first["events-meetings"] == second["events-meetings"]  # events do not rest on the assumption
    partial = client.get(f"/studies/mine/charts?{WHAT_IF}").text
    assert "what-if, 20,000 draws, not saved" in partial
    assert second["hist-deliveries_value"] in partial


def test_the_full_run_s_charts_are_drawn_once_while_the_study_is_unchanged(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = charts.Charts(False, 100, 1, None, None, ())
    calls: list[bool] = []
    monkeypatch.setattr(charts, "_cache", {})
    monkeypatch.setattr(charts, "gather", lambda study, **kwargs: calls.append(True))
    monkeypatch.setattr(charts, "_draw", lambda content, what_if: drawn)
    for _ in range(2):
        assert client.get("/api/studies/mine/charts?scenario=&as_of=").status_code == 200
    assert len(calls) == 1


@pytest.mark.parametrize(("query", "message"), [
    ("munitions_share.high=lots", "munitions_share.high: not a number: 'lots'"),
    ("scenario=nope", "scenario: no scenario 'nope'"),
    ("as_of=yesterday", "as_of: a day YYYY-MM-DD"),
])
def test_a_bad_what_if_is_422_naming_the_field(client: TestClient, query: str, message: str) -> None:
    response = client.get(f"/api/studies/mine/charts?{query}")
    assert response.status_code == 422 and message in response.json()["error"]
    assert client.get(f"/studies/mine/charts?{query}").status_code == 422


def test_an_unknown_study_is_404(client: TestClient) -> None:
    assert client.get("/studies/nope/charts").status_code == 404
    assert client.get("/api/studies/nope/charts").status_code == 404


@pytest.mark.slow
@pytest.mark.skipif(not PLAYWRIGHT, reason="needs Playwright (pip install playwright)")
def test_the_study_page_with_its_charts_in_a_browser(served: tuple[str, Path], chromium: Any) -> None:
    from playwright.sync_api import expect

    base, _ = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1280, "height": 1000})
    errors = console_errors(page)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(f"{base}/studies/mine")
    page.locator("#charts").scroll_into_view_if_needed()  # the study page draws its charts once they are in view
    expect(page.locator("#charts figure svg").first).to_be_visible(timeout=30_000)
    assert page.locator("#charts figure svg").count() >= 10
    page.screenshot(path=ARTIFACTS / "charts.png", full_page=True)
    assert not errors, errors  # nothing refused by the Content-Security-Policy, nothing missing
    assert failed == []

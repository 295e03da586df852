"""The workbench in a real browser (Debian's chromium driven by Playwright): open a study, edit a claim, see the
estimate move, and a quote holding markup shown as text. Screenshots go to out/web/ (ignored by git)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import console_errors

pytest.importorskip("fastapi")
pytest.importorskip("playwright")

import armsflow  # noqa: E402

ARTIFACTS = Path(__file__).parent.parent / "out" / "web"


@pytest.mark.slow
def test_edit_a_claim_and_see_the_estimate_move(served: tuple[str, Path], chromium: Any) -> None:
    from playwright.sync_api import expect

    base, folder = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    before = (folder / "claims.csv").read_bytes().splitlines()
    page = chromium.new_page(viewport={"width": 1280, "height": 1000})
    errors = console_errors(page)
    page.goto(f"{base}/")
    page.click("text=mine")
    troop = page.locator("#result-troop_revenue .median")
    old = troop.inner_text()
    drivers = page.locator("#drivers p", has_text="troop_revenue")
    old_drivers = drivers.inner_text()
    page.screenshot(path=ARTIFACTS / "1-study.png", full_page=True)

    page.goto(f"{base}/studies/mine/claims/C051")  # NIS's pay per soldier, behind the troop revenue
    page.fill("input[name=central]", "2500")
    page.fill("textarea[name=quote]", '<script>alert("x")</script> quoted')
    page.click("#save")
    expect(page.locator("#message")).to_contain_text("Saved")
    page.screenshot(path=ARTIFACTS / "2-saved.png", full_page=True)

    page.goto(f"{base}/studies/mine")
    assert page.locator("#result-troop_revenue .median").inner_text() != old
    assert page.locator("#drivers p", has_text="troop_revenue").inner_text() != old_drivers  # the drivers too
    page.fill("input[name='munitions_share.high']", "0.3")
    page.fill("input[name='munitions_share.low']", "0.2")
    page.click("text=Recompute")
    expect(page.locator(".whatif")).to_contain_text("20,000 draws")
    page.screenshot(path=ARTIFACTS / "3-what-if.png", full_page=True)

    page.goto(f"{base}/studies/mine/evidence?variable=pay")
    expect(page.locator("#claim-C051 .quote")).to_contain_text('<script>alert("x")</script> quoted')
    page.screenshot(path=ARTIFACTS / "4-evidence.png", full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    after = (folder / "claims.csv").read_bytes().splitlines()
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1


@pytest.mark.slow
def test_filter_the_evidence_and_a_conflict_between_two_pages(served: tuple[str, Path], chromium: Any) -> None:
    """Filter the evidence by variable and language with the form; then two pages edit one claim: the second save
    is refused with the row as the first left it, and the file holds the first save only."""
    from playwright.sync_api import expect

    base, folder = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/studies/mine/evidence")
    every = page.locator("#claims tr[id^=claim-]").count()
    page.select_option("select[name=variable]", "pay")
    page.click("#filters button")
    expect(page).to_have_url(f"{base}/studies/mine/evidence?variable=pay&grade=&kind=&language="
                             "&published_from=&published_to=")
    shown = page.locator("#claims tr[id^=claim-]")
    assert 0 < shown.count() < every
    assert all("variables.pay" in shown.nth(i).inner_text() for i in range(shown.count()))
    page.screenshot(path=ARTIFACTS / "5-evidence-filtered.png", full_page=True)

    first, second = page, context.new_page()
    for tab in (first, second):
        tab.goto(f"{base}/studies/mine/claims/C004-PAY")
    first.fill("input[name=central]", "31000")
    first.click("#save")
    expect(first.locator("#message")).to_contain_text("Saved")
    second.fill("input[name=central]", "52000")
    second.click("#save")
    expect(second.locator("#message")).to_contain_text("changed elsewhere")
    expect(second.locator("input[name=central]")).to_have_value("31000")
    second.screenshot(path=ARTIFACTS / "6-conflict.png", full_page=True)
    row = next(line for line in (folder / "claims.csv").read_text().splitlines() if line.startswith("C004-PAY,"))
    assert ",31000," in row and "52000" not in row


@pytest.mark.slow
def test_slide_the_cutoff_and_see_a_refused_value_where_the_results_were(served: tuple[str, Path],
                                                                       chromium: Any) -> None:
    """The what-if form in Chromium: the cut-off slider moved back by one publication day recomputes the results
    (they name the day); a value the distribution refuses shows its message in the results' place; a good value
    brings the results back, and their drivers load after them; another kind of distribution shows its own fields,
    filled from the old ones."""
    from playwright.sync_api import expect

    base, folder = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    days = armsflow.load_study(folder).cutoffs()
    page = chromium.new_page(viewport={"width": 1280, "height": 1000})
    errors = console_errors(page)
    page.goto(f"{base}/studies/mine")
    slider = page.locator("input[name=cutoff]")
    slider.focus()
    page.keyboard.press("ArrowLeft")  # one stop back: the evidence of every day but the last
    expect(page.locator("#evidence-cutoff")).to_contain_text(f"Evidence published by {days[-2]}")
    expect(page.locator("#drivers")).to_contain_text("Share of containers")
    page.screenshot(path=ARTIFACTS / "7-cutoff.png", full_page=True)

    page.fill("input[name='munitions_share.low']", "2")
    page.locator("input[name='munitions_share.low']").dispatch_event("change")
    expect(page.locator("#results.problem")).to_contain_text("munitions_share")
    page.screenshot(path=ARTIFACTS / "8-refused-value.png", full_page=True)
    page.fill("input[name='munitions_share.low']", "0.5")
    page.locator("input[name='munitions_share.low']").dispatch_event("change")
    expect(page.locator(".whatif")).to_contain_text("20,000 draws")

    page.select_option("select[name='munitions_share.dist']", "pert")  # another kind: its fields, filled
    expect(page.locator("input[name='munitions_share.mode']")).to_have_value("0.75")
    expect(page.locator(".whatif")).to_contain_text("20,000 draws")
    page.screenshot(path=ARTIFACTS / "9-kind.png", full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors

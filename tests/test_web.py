"""The workbench (armsflow.web) through FastAPI's TestClient, and the library functions it calls for writes."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from conftest import WEB_BASE

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

import armsflow  # noqa: E402
from armsflow.engine.whatif import assumptions, what_if  # noqa: E402
from armsflow.study.edit import edit_claim, read_claim  # noqa: E402
from armsflow.web.app import create_app  # noqa: E402

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def client(study: Path) -> TestClient:
    return TestClient(create_app([study]), base_url=WEB_BASE)


def form_of(client: TestClient, claim: str) -> dict[str, str]:
    page = client.get(f"/studies/mine/claims/{claim}").text
    found = dict(re.findall(r'name="(csrf|etag)" value="([^"]+)"', page))
    return found


def test_pages_and_their_json_twins(client: TestClient) -> None:
    for url in ["/", "/studies/mine", "/studies/mine/evidence?grade=B&kind=estimate&language=en",
                "/studies/mine/claims/C004-PAY", "/studies/russia-dprk", "/api/studies", "/api/studies/mine",
                "/api/studies/mine/evidence?variable=pay", "/api/studies/mine/claims/C004-PAY"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
    schema = client.get("/openapi.json").json()
    assert {"/api/studies/{ident}", "/api/studies/{ident}/evidence", "/api/studies/{ident}/claims/{claim}",
            "/api/studies/{ident}/whatif"} <= set(schema["paths"])
    claims = client.get("/api/studies/mine/evidence?variable=pay").json()["claims"]
    assert "C004-PAY" in [c["id"] for c in claims]
    assert all(any(u.endswith("variables.pay") for u in c["used_in"]) for c in claims)


def test_vendored_htmx_is_the_pinned_file() -> None:
    data = (Path(armsflow.__file__).parent / "web" / "static" / "htmx-2.0.11.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


def test_an_edit_changes_one_line_and_the_estimate(client: TestClient, study: Path) -> None:
    before = (study / "claims.csv").read_bytes().splitlines(keepends=True)
    median = client.get("/api/studies/mine").json()["run"]["results"]
    form = form_of(client, "C051")  # NIS's pay per soldier, behind the troop revenue
    response = client.post("/studies/mine/claims/C051", data={**form, "central": "2500"})
    assert response.status_code == 200 and "Saved" in response.text
    after = (study / "claims.csv").read_bytes().splitlines(keepends=True)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1 and b",,2500,," in after[changed[0]]
    moved = client.get("/api/studies/mine").json()["run"]["results"]
    troop = {r["id"]: r["p50"] for r in median}["troop_revenue"]
    assert {r["id"]: r["p50"] for r in moved}["troop_revenue"] != troop


def test_an_invalid_edit_shows_check_and_leaves_the_file(client: TestClient, study: Path) -> None:
    before = (study / "claims.csv").read_bytes()
    response = client.post("/studies/mine/claims/C004-PAY", data={**form_of(client, "C004-PAY"), "credibility": "9"})
    assert response.status_code == 422 and "claims.csv:" in response.text and "credibility" in response.text
    assert (study / "claims.csv").read_bytes() == before


def test_two_tabs_the_second_save_conflicts(client: TestClient, study: Path) -> None:
    csrf = client.get("/api/session").json()["csrf"]
    etag = client.get("/api/studies/mine/claims/C004-PAY").headers["etag"]
    headers = {"X-CSRF-Token": csrf, "If-Match": etag}
    first = client.put("/api/studies/mine/claims/C004-PAY", json={"fields": {"credibility": "2"}}, headers=headers)
    assert first.status_code == 200 and first.json()["status"] == "saved"
    second = client.put("/api/studies/mine/claims/C004-PAY", json={"fields": {"credibility": "4"}}, headers=headers)
    # a stale If-Match fails its precondition (RFC 9110): 412, with the row as it is now
    assert second.status_code == 412 and second.json()["row"]["fields"]["credibility"] == "2"
    missing = client.put("/api/studies/mine/claims/C004-PAY", json={"fields": {}}, headers={"X-CSRF-Token": csrf})
    assert missing.status_code == 428


def test_writes_need_the_token_and_the_origin(client: TestClient, study: Path) -> None:
    before = (study / "claims.csv").read_bytes()
    form = form_of(client, "C004-PAY")
    stale = {**form, "csrf": "x", "credibility": "2"}
    assert client.post("/studies/mine/claims/C004-PAY", data=stale).status_code == 403
    assert client.post("/studies/mine/claims/C004-PAY", data={**form, "credibility": "2"},
                       headers={"Origin": "http://evil.example"}).status_code == 403
    fresh = TestClient(client.app, base_url=WEB_BASE)  # another browser, another session: the token is not its own
    assert fresh.post("/studies/mine/claims/C004-PAY", data={**form, "credibility": "2"}).status_code == 403
    assert (study / "claims.csv").read_bytes() == before


def test_bundled_studies_are_read_only(client: TestClient) -> None:
    csrf = client.get("/api/session").json()["csrf"]
    response = client.post("/studies/russia-dprk/claims/C004", data={"csrf": csrf, "credibility": "2"})
    assert response.status_code == 403 and "armsflow init" in response.text
    assert client.get("/studies/russia-dprk/claims/C004").status_code == 200


def test_quotes_render_as_text(client: TestClient, study: Path) -> None:
    form = form_of(client, "C004-PAY")
    assert client.post("/studies/mine/claims/C004-PAY", data={**form, "quote": XSS}).status_code == 200
    page = client.get("/studies/mine/evidence").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_only_web_links_are_links(client: TestClient, study: Path) -> None:
    sources = study / "sources.csv"
    sources.write_text(sources.read_text().replace("https://", "javascript:alert(1)//", 1))
    page = client.get("/studies/mine/evidence")
    assert page.status_code == 422 and "only http:// and https://" in page.text
    assert 'href="javascript:' not in page.text


@pytest.mark.parametrize(("url", "status"), [
    ("/studies/..%2F..%2Fetc", 404), ("/studies/mine/claims/..%2Fsources", 404), ("/studies/nope", 404),
    ("/studies/mine/claims/NOPE", 404), ("/api/studies/mine/claims/NOPE", 404),
    ("/studies/mine/whatif?munitions_share.low=abc", 422), ("/studies/mine/whatif?scenario=nope", 422),
    ("/studies/mine/whatif?as_of=2024-13-45", 422), ("/studies/mine/whatif?munitions_share.low=2", 422),
    ("/studies/mine/drivers?munitions_share.low=abc", 422), ("/studies/mine/drivers?scenario=nope", 422),
    ("/static/../app.py", 404),
])
def test_bad_requests_are_clear_4xx(client: TestClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text


def test_big_bodies_are_refused(client: TestClient) -> None:
    response = client.post("/studies/mine/claims/C004-PAY", content=b"x" * (50 * 2**20),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_a_study_changed_behind_the_server(client: TestClient, study: Path) -> None:
    (study / "claims.csv").write_text((study / "claims.csv").read_text().replace("C004-PAY,", "C004-PAY,S-NOPE", 1))
    response = client.get("/studies/mine")
    assert response.status_code == 422 and "claims.csv" in response.text
    shutil.rmtree(study)
    assert client.get("/studies/mine").status_code == 404
    assert client.get("/api/studies/mine/claims/C004-PAY").status_code == 404


def test_a_symlinked_claims_file_is_never_written(client: TestClient, study: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_bytes((study / "claims.csv").read_bytes())
    (study / "claims.csv").unlink()
    (study / "claims.csv").symlink_to(outside)
    before = outside.read_bytes()
    csrf = client.get("/api/session").json()["csrf"]
    response = client.post("/studies/mine/claims/C004-PAY", data={"csrf": csrf, "credibility": "2"})
    assert response.status_code == 422 and "symbolic link" in response.text
    assert outside.read_bytes() == before


def test_a_remote_workbench_needs_its_token(study: Path) -> None:
    client = TestClient(create_app([study], token="s3cret", hosts=None), base_url="http://192.0.2.1:8000")
    assert client.get("/").status_code == 401
    assert client.get("/?token=s3cret").status_code == 200
    assert client.get("/studies/mine").status_code == 200  # the cookie set above


def test_only_loopback_names_are_answered(study: Path) -> None:
    """A site whose name was rebound to 127.0.0.1 names itself in Host: refused (DNS rebinding)."""
    client = TestClient(create_app([study]), base_url="http://evil.example:8000")
    assert client.get("/").status_code == 421
    assert TestClient(create_app([study]), base_url="http://localhost:8000").get("/").status_code == 200


def test_edit_keeps_crlf_and_multiline_rows(study: Path) -> None:
    path = study / "claims.csv"
    text = path.read_text().replace("\n", "\r\n").replace("Even by conservative", "Even by\nconservative", 1)
    path.write_bytes(text.encode())
    row = read_claim(study, "C004")
    done = edit_claim(study, "C004", {"credibility": "2"}, if_match=row.etag)
    assert done.status == "saved"
    after = path.read_bytes().decode()
    assert after == text.replace(",2024-10-28,3,\"Even by\nconservative", ",2024-10-28,2,\"Even by\nconservative", 1)
    assert edit_claim(study, "C004", {"credibility": "2"}, if_match=None).status == "unchanged"


def test_what_if_moves_the_estimate_and_writes_nothing(study: Path) -> None:
    before = {p.name: p.read_bytes() for p in study.iterdir()}
    loaded = armsflow.load_study(study)
    assert {"munitions_share", "share_152", "price_system"} <= {v.name for v in assumptions(loaded)}
    base = what_if(loaded, sensitivity=False)
    low = what_if(loaded, {"munitions_share": {"dist": "uniform", "low": 0.2, "high": 0.3}}, sensitivity=False)
    assert base.draws == 20_000
    assert low.result("deliveries_value").p50 < 0.5 * base.result("deliveries_value").p50
    assert {p.name: p.read_bytes() for p in study.iterdir()} == before
    with pytest.raises(armsflow.ArmsflowError, match="not an assumption"):
        what_if(loaded, {"pay": {"dist": "point", "value": 1}})


def test_serve_without_the_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from typer.testing import CliRunner

    from armsflow.cli import app

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if the web extra were not installed
    done = CliRunner().invoke(app, ["serve"])
    assert done.exit_code == 2
    assert "pip install 'armsflow[web]'" in done.output and "Traceback" not in done.output


def test_serve_refuses_another_host_without_allow_remote() -> None:
    from typer.testing import CliRunner

    from armsflow.cli import app

    done = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"])
    assert done.exit_code == 2 and "--host" in done.output and "allow_remote" in done.output


def test_two_saves_at_once_from_one_version_cannot_both_win(study: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    etag = read_claim(study, "C004-PAY").etag
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda v: edit_claim(study, "C004-PAY", {"credibility": v}, if_match=etag).status,
                             ["2", "4"]))
    assert sorted(done) == ["conflict", "saved"]


def test_serve_names_a_folder_without_a_study(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from armsflow.cli import app

    done = CliRunner().invoke(app, ["serve", str(tmp_path / "nothing")])
    assert done.exit_code == 2 and "no study here" in done.output


def test_serve_refuses_no_workers() -> None:
    from typer.testing import CliRunner

    from armsflow.cli import app

    done = CliRunner().invoke(app, ["serve", "--workers", "0"])
    assert done.exit_code == 2 and "--workers" in done.output and "Traceback" not in done.output


def test_worker_processes_share_one_csrf_secret(study: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve`` with several workers: each builds its app from the environment, with the same secret, so that a
    form one worker served is accepted by another."""
    import json

    from armsflow.web import CONFIG_ENV, app_from_environment

    monkeypatch.setenv(CONFIG_ENV, json.dumps({"folders": [str(study)], "token": None,
                                               "hosts": ["127.0.0.1"], "secret": "ab" * 32}))
    one = TestClient(app_from_environment(), base_url=WEB_BASE)
    two = TestClient(app_from_environment(), base_url=WEB_BASE)
    token = one.get("/api/session").json()["csrf"]
    two.cookies.update(one.cookies)
    etag = two.get("/api/studies/mine/claims/C004-PAY").headers["etag"]
    done = two.put("/api/studies/mine/claims/C004-PAY", json={"fields": {"credibility": "2"}},
                   headers={"If-Match": etag, "X-CSRF-Token": token})
    assert done.status_code == 200, done.text
    assert TestClient(app_from_environment(), base_url="http://evil.example").get("/").status_code == 421


def test_what_if_page_shows_results_then_loads_their_drivers(client: TestClient) -> None:
    """The results partial answers without the Sobol drivers and asks for them with the same values once they have
    rested half a second (a value being moved replaces the results, and their request, before that); the drivers
    partial ranks the changed assumption."""
    query = "munitions_share.low=0.1&munitions_share.high=0.2"
    results = client.get(f"/studies/mine/whatif?{query}")
    assert results.status_code == 200 and "what-if" in results.text
    lazy = re.search(r'hx-get="(/studies/mine/drivers\?[^"]+)" hx-trigger="load delay:500ms"', results.text)
    assert lazy is not None and lazy.group(1).replace("&amp;", "&").endswith(query)
    drivers = client.get(lazy.group(1).replace("&amp;", "&"))
    assert drivers.status_code == 200 and "Sobol" in drivers.text and "Share of containers" in drivers.text


def test_a_textarea_sent_back_with_crlf_leaves_its_row_as_it_was(client: TestClient, study: Path) -> None:
    """Browsers send a textarea's line breaks as CRLF: a quote spanning two lines, saved untouched beside another
    change, keeps its LF, and only the changed field moves."""
    claims = study / "claims.csv"
    row = read_claim(study, "C004-PAY")
    assert edit_claim(study, "C004-PAY", {"quote": "line one\nline two"}, if_match=row.etag).status == "saved"
    before = claims.read_bytes()
    row = read_claim(study, "C004-PAY")
    token = client.get("/api/session").json()["csrf"]
    form = {**row.fields, "quote": "line one\r\nline two", "credibility": "2", "csrf": token, "etag": row.etag}
    assert client.post("/studies/mine/claims/C004-PAY", data=form).status_code == 200
    after = claims.read_bytes()
    assert b"line one\nline two" in after and b"\r\n" not in after
    changed = [(a, b) for a, b in zip(before.split(b"\n"), after.split(b"\n"), strict=True) if a != b]
    assert len(changed) == 1 and read_claim(study, "C004-PAY").fields["credibility"] == "2"


def test_each_state_the_workbench_shows_is_recorded_once(client: TestClient, study: Path) -> None:
    from armsflow.history import store

    assert client.get("/studies/mine").status_code == 200
    assert client.get("/studies/mine").status_code == 200
    assert [r.command for r in store.runs(study)] == ["serve"]
    row = read_claim(study, "C004-PAY")
    assert edit_claim(study, "C004-PAY", {"central": "31000"}, if_match=row.etag).status == "saved"
    assert client.get("/studies/mine").status_code == 200
    recorded = store.runs(study)
    assert len(recorded) == 2 and recorded[0].inputs_sha256 != recorded[1].inputs_sha256
    history = client.get("/studies/mine/history")
    assert history.status_code == 200 and "serve" in history.text


def test_the_cutoff_slider_stops_at_each_publication_day(client: TestClient, study: Path) -> None:
    days = armsflow.load_study(study).cutoffs()
    assert days == sorted(set(days)) and len(days) > 10
    last = len(days) - 1
    page = client.get("/studies/mine")
    assert f'name="cutoff" min="0" max="{last}" value="{last}"' in page.text
    back = client.get(f"/studies/mine/whatif?cutoff={last - 1}")
    assert back.status_code == 200 and f"Evidence published by {days[-2]}" in back.text
    every = client.get(f"/studies/mine/whatif?cutoff={last}")
    assert every.status_code == 200 and "Evidence: all" in every.text
    for bad in (str(last + 1), "-1", "x"):
        refused = client.get(f"/studies/mine/whatif?cutoff={bad}")
        assert refused.status_code == 422 and "cutoff: a stop from 0" in refused.text
    both = client.get(f"/studies/mine/whatif?cutoff=3&as_of={days[5]}")
    assert both.status_code == 422 and "not both" in both.text


def test_a_refused_partial_takes_the_place_of_its_target(client: TestClient) -> None:
    """htmx swaps 4xx answers (base.html's responseHandling): a refused what-if answers with the message in an
    element of the target's id, not an error page, so that the user sees it where the results were."""
    headers = {"HX-Request": "true", "HX-Target": "results"}
    refused = client.get("/studies/mine/whatif?munitions_share.low=abc", headers=headers)
    assert refused.status_code == 422
    assert refused.text.startswith('<div id="results" class="problem" role="alert">')
    assert "munitions_share.low: not a number" in refused.text and "<html" not in refused.text
    odd = client.get("/studies/mine/whatif?munitions_share.low=abc", headers={**headers, "HX-Target": '"><b>'})
    assert odd.status_code == 422 and "<html" in odd.text  # a target that is no plain id gets the error page


def test_the_evidence_by_publication_day(client: TestClient, study: Path) -> None:
    loaded = armsflow.load_study(study)
    days = loaded.cutoffs()
    since, until = days[len(days) // 3], days[2 * len(days) // 3]
    found = client.get(f"/api/studies/mine/evidence?published_from={since}&published_to={until}").json()
    expected = {c.id for c in loaded.claims.values() if since <= loaded.sources[c.source].published <= until}
    assert {c["id"] for c in found["claims"]} == expected and 0 < len(expected) < len(loaded.claims)
    assert all(since.isoformat() <= s["published"] <= until.isoformat() for s in found["sources"])
    page = client.get(f"/studies/mine/evidence?published_from={since}&published_to=")
    assert page.status_code == 200 and f'value="{since}"' in page.text
    refused = client.get("/studies/mine/evidence?published_to=2024-02-30")
    assert refused.status_code == 422 and "published_to: a day YYYY-MM-DD" in refused.text


def test_switching_an_assumptions_kind(client: TestClient, study: Path) -> None:
    """Choosing another kind shows its fields filled from the typed ones, and the what-if runs on the new kind;
    a kind the form does not offer, or an assumption the study does not have, is refused."""
    field = client.get("/studies/mine/assumptions/munitions_share?munitions_share.dist=pert"
                       "&munitions_share.low=0.7&munitions_share.high=0.9")
    assert field.status_code == 200 and field.text.startswith("<fieldset>")
    assert "<option selected>pert</option>" in field.text
    assert all(f'name="munitions_share.{k}" value="{v}"' in field.text
               for k, v in (("low", 0.7), ("mode", 0.8), ("high", 0.9)))
    point = client.get("/studies/mine/whatif?munitions_share.dist=point&munitions_share.value=0.5")
    expected = what_if(armsflow.load_study(study), {"munitions_share": {"dist": "point", "value": 0.5}},
                       sensitivity=False).result("deliveries_value").p50
    median = re.search(r'id="result-deliveries_value"><td>[^<]+</td><td class="n median">([^<]+)<', point.text)
    assert point.status_code == 200 and median is not None and median.group(1) == f"{expected:.2f}"
    assert client.get("/studies/mine/whatif?munitions_share.dist=beta").status_code == 422
    assert client.get("/studies/mine/assumptions/pay").status_code == 404

"""Saving a what-if's distributions into model.toml (armsflow.study.model_edit): only the lines of the changed keys
move, the saved study runs as the what-if did, and every refused save leaves the file as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import armsflow
from armsflow.engine.run import run
from armsflow.engine.whatif import assumptions, table_of, what_if
from armsflow.study.model_edit import model_etag, save_distributions

SHARE = {"dist": "pert", "low": 0.65, "mode": 0.8, "high": 0.95, "lambda": 4.0}
PRICE = {"dist": "lognormal", "low": 600000.0, "high": 3000000.0}


def etag_of(study: Path) -> str:
    return model_etag((study / "model.toml").read_bytes())


def test_only_the_changed_keys_lines_change(study: Path) -> None:
    before = (study / "model.toml").read_bytes().splitlines(keepends=True)
    done = save_distributions(study, {"share_152": SHARE, "price_system": PRICE}, if_match=etag_of(study))
    assert done.status == "saved" and done.etag == etag_of(study)
    after = (study / "model.toml").read_bytes().splitlines(keepends=True)
    assert len(after) == len(before)
    changed = {i + 1: (a, b) for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b}
    # share_152 keeps its high (0.95) and its default lambda; the price's low was an integer, and stays one
    assert [(a.decode(), b.decode()) for a, b in changed.values()] == [
        ("low = 0.6\n", "low = 0.65\n"), ("mode = 0.833\n", "mode = 0.8\n"), ("low = 500000\n", "low = 600000\n")]
    assert [(c.line, c.before, c.after) for c in done.changed] == [
        (n, a.decode().rstrip("\n"), b.decode().rstrip("\n")) for n, (a, b) in changed.items()]
    assert done.scenarios == {"share_152": ["rok-ceiling"]}  # its scenario table is among the unchanged lines
    again = save_distributions(study, {"share_152": SHARE}, if_match=done.etag)
    assert again.status == "unchanged" and again.etag == done.etag


def test_a_key_left_to_its_default_gets_a_line_and_crlf_comments_stay(study: Path) -> None:
    path = study / "model.toml"
    text = path.read_text().replace("high = 0.95\n", "high = 0.95  # the far end\n", 1).replace("\n", "\r\n")
    path.write_bytes(text.encode())
    done = save_distributions(study, {"share_152": {**SHARE, "lambda": 6, "high": 0.9}}, if_match=None)
    assert done.status == "saved"
    expected = text.replace("mode = 0.833\r\nhigh = 0.95  # the far end\r\n",
                            "mode = 0.8\r\nhigh = 0.9  # the far end\r\nlambda = 6\r\n", 1)
    assert path.read_bytes().decode() == expected.replace("low = 0.6\r\n", "low = 0.65\r\n", 1)
    assert [c.before for c in done.changed][-1] is None
    # PERT's default lambda is what the file already means: no line added for it
    assert save_distributions(study, {"price_system": PRICE}, if_match=None).status == "saved"
    lines = path.read_bytes().count(b"\n")
    assert save_distributions(study, {"share_152": {**SHARE, "lambda": 6}}, if_match=None).status == "saved"
    assert path.read_bytes().count(b"\n") == lines


def test_the_saved_study_runs_as_the_what_if_did(study: Path) -> None:
    """Differential: a what-if with the study's draws and seed, and the full run of the study saved from it."""
    loaded = armsflow.load_study(study)
    tables: dict[str, dict[str, Any]] = {"share_152": SHARE, "price_system": PRICE,
                                         "munitions_share": {"dist": "uniform", "low": 0.5, "high": 0.9}}
    predicted = what_if(loaded, tables, draws=loaded.meta.draws, seed=loaded.meta.seed, sensitivity=False)
    assert save_distributions(study, tables, if_match=etag_of(study)).status == "saved"
    saved = armsflow.load_study(study)
    actual = run(saved, sensitivity=False)
    assert {v.name: table_of(v) for v in assumptions(saved)} == {
        v.name: table_of(v) for v in assumptions(loaded)} | tables
    summary = [(r.id, r.mean, r.p5, r.p50, r.p95) for r in predicted.results]
    assert summary == [(r.id, r.mean, r.p5, r.p50, r.p95) for r in actual.results]
    assert summary != [(r.id, r.mean, r.p5, r.p50, r.p95) for r in run(loaded, sensitivity=False).results]


def test_a_stale_version_conflicts_and_writes_nothing(study: Path) -> None:
    stale = etag_of(study)
    assert save_distributions(study, {"price_system": PRICE}, if_match=stale).status == "saved"
    before = (study / "model.toml").read_bytes()
    done = save_distributions(study, {"share_152": SHARE}, if_match=stale)
    assert done.status == "conflict" and done.etag == model_etag(before) and not done.changed
    assert (study / "model.toml").read_bytes() == before


def test_two_saves_at_once_from_one_version_cannot_both_win(study: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    etag = etag_of(study)
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda low: save_distributions(study, {"price_system": {**PRICE, "low": low}},
                                                            if_match=etag).status, [600000.0, 700000.0]))
    assert sorted(done) == ["conflict", "saved"]


REFUSED: list[tuple[dict[str, Any], str, str]] = [
    ({"share_152": {**SHARE, "low": 0.99}}, "variables.share_152.low", "low (0.99) is above mode (0.8)"),
    ({"containers": {"dist": "point", "value": 1.0}}, "containers", "'containers' is not an assumption"),
    ({"share_152": {**SHARE, "tail": 1.0}}, "variables.share_152.tail", "a pert distribution has no key 'tail'"),
    ({"share_152": {**SHARE, "low": float("nan")}}, "variables.share_152.low", "must be a finite number"),
    ({"share_152": {**SHARE, "high": float("inf")}}, "variables.share_152.high", "must be a finite number"),
    ({"share_152": {**SHARE, "high": "0.9"}}, "variables.share_152.high", "must be a finite number"),
    ({"share_152": {**SHARE, "high": 10**400}}, "variables.share_152.high", "must be a finite number"),
    ({"share_152": {"dist": "uniform", "low": 0.6, "high": 0.9}}, "variables.share_152.dist",
     "the kind stays 'pert'"),
    ({"share_152": {"dist": "pert", "low": 0.6, "high": 0.9}}, "variables.share_152", "leaves out mode"),
]


@pytest.mark.parametrize(("tables", "field", "message"), REFUSED, ids=[r[1] + ":" + r[2][:20] for r in REFUSED])
def test_refused_saves_name_the_variable_and_key_and_leave_the_file(study: Path, tables: dict[str, Any], field: str,
                                                                     message: str) -> None:
    before = (study / "model.toml").read_bytes()
    done = save_distributions(study, tables, if_match=model_etag(before))
    assert done.status == "invalid" and not done.changed
    assert [(p.file, p.field) for p in done.problems] == [("model.toml", field)]
    assert message in done.problems[0].message
    assert (study / "model.toml").read_bytes() == before


def test_a_study_that_does_not_pass_check_is_not_written_to(study: Path) -> None:
    (study / "claims.csv").write_text((study / "claims.csv").read_text().replace(",3,", ",9,", 1))
    before = (study / "model.toml").read_bytes()
    done = save_distributions(study, {"price_system": PRICE}, if_match=None)
    assert done.status == "invalid" and any(p.file == "claims.csv" for p in done.problems)
    assert (study / "model.toml").read_bytes() == before


def test_a_key_not_on_a_plain_line_of_its_own_is_refused(study: Path) -> None:
    path = study / "model.toml"
    path.write_text(path.read_text().replace('dist = "lognormal"\nlow = 500000', 'dist = "lognormal"\n"low" = 500000'))
    before = path.read_bytes()
    done = save_distributions(study, {"price_system": PRICE}, if_match=None)
    assert done.status == "invalid" and [p.field for p in done.problems] == ["variables.price_system.low"]
    assert "line of its own" in done.problems[0].message and path.read_bytes() == before
    underscored = before.replace(b'"low" = 500000', b"low = 500_000  # TOML allows digit groups")
    path.write_bytes(underscored)
    assert save_distributions(study, {"price_system": PRICE}, if_match=None).status == "saved"
    assert path.read_bytes() == underscored.replace(b"low = 500_000  #", b"low = 600000  #")

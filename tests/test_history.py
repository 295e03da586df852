"""Run history and "why did the number move": recording, listing, diffs of inputs, and the Shapley attribution
against exact oracles (additive and product models of point inputs), on runs, cut-off dates and git revisions."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import armsflow
from armsflow.cli import app
from armsflow.engine import attribution
from armsflow.history import store
from conftest import write_study

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def point_model(x: float, y: float, z: float, formula: str) -> str:
    lines = []
    for name, value in (("x", x), ("y", y), ("z", z)):
        lines.append(f'[variables.{name}]\nlabel = "{name.upper()}"\nunit = "1"\ndist = "point"\nvalue = {value}\n'
                     f'assumption = "test"\n')
    lines.append(f'[outputs.total]\nlabel = "Total"\nunit = "1"\nformula = "{formula}"\n')
    return "\n".join(lines)


def test_additive_model_is_attributed_exactly(tmp_path: Path) -> None:
    """With point inputs and a sum, each changed input's share is its own change, exactly."""
    folder = write_study(tmp_path / "s", point_model(1, 2, 3, "x + y + z"), draws=200)
    first = armsflow.run(folder, sensitivity=False, history=True).recorded
    write_study(folder, point_model(1.5, 2, 2, "x + y + z"), draws=200)
    second = armsflow.run(folder, sensitivity=False, history=True).recorded
    assert (first, second) == (1, 2)
    result = armsflow.diff(folder, 1, 2)
    (out,) = result.outputs
    assert (out.before, out.after, out.total) == (6.0, 5.5, -0.5)
    assert {p.group: p.effect for p in out.parts} == {"x": pytest.approx(0.5, abs=1e-12),
                                                      "z": pytest.approx(-1.0, abs=1e-12)}
    assert out.exact and out.error is None
    changed = {(c.file, c.key, c.kind) for c in result.changes}
    assert ("model.toml", "variables.x.value", "changed") in changed


def test_product_model_matches_the_shapley_formula(tmp_path: Path) -> None:
    """For x·y, Shapley gives x its change times the mean of y before and after: (x1 − x0)(y0 + y1)/2."""
    folder = write_study(tmp_path / "s", point_model(2, 3, 1, "x * y * z"), draws=200)
    armsflow.run(folder, sensitivity=False, history=True)
    write_study(folder, point_model(5, 7, 1, "x * y * z"), draws=200)
    armsflow.run(folder, sensitivity=False, history=True)
    (out,) = armsflow.diff(folder, "1", "2").outputs
    effects = {p.group: p.effect for p in out.parts}
    assert effects["x"] == pytest.approx((5 - 2) * (3 + 7) / 2)
    assert effects["y"] == pytest.approx((7 - 3) * (2 + 5) / 2)
    assert sum(effects.values()) == pytest.approx(out.total) == pytest.approx(35 - 6)


def test_sampled_orders_still_add_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_EXACT groups, orders are sampled: in an additive model every order gives the exact shares."""
    monkeypatch.setattr(attribution, "MAX_EXACT", 1)
    folder = write_study(tmp_path / "s", point_model(1, 2, 3, "x + y + z"), draws=200)
    armsflow.run(folder, sensitivity=False, history=True)
    write_study(folder, point_model(2, 4, 6, "x + y + z"), draws=200)
    armsflow.run(folder, sensitivity=False, history=True)
    (out,) = armsflow.diff(folder, 1, 2).outputs
    assert not out.exact and out.error == pytest.approx(0.0, abs=1e-12)
    assert sorted(p.effect for p in out.parts) == pytest.approx([1.0, 2.0, 3.0])


def test_flagship_cut_off_to_today_adds_up_and_names_the_claims() -> None:
    result = armsflow.diff("russia-dprk", "2024-10-28", "today")
    value = next(o for o in result.outputs if o.id == "deliveries_value")
    assert sum(p.effect for p in value.parts) == pytest.approx(value.total, abs=1e-9)
    run_then = armsflow.run("russia-dprk", as_of=result.a.as_of, sensitivity=False).result("deliveries_value")
    assert value.before == pytest.approx(run_then.p50, rel=1e-12)  # the endpoints are the runs' own medians
    parts = {p.group: p for p in value.parts}
    assert "C035-RPC" in parts["rounds_per_container"].added and parts["rounds_per_container"].effect < 0
    assert "fallback" in parts["systems"].note
    assert any(c.file == "sources.csv" and c.kind == "added" for c in result.changes)


def test_history_lists_runs_and_json_is_standard(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    assert invoke("init", str(folder))[0] == 0
    assert (folder / ".gitignore").read_text().strip() == store.FILE
    code, out, _ = invoke("run", str(folder), "--draws", "1000", "--no-sensitivity")
    assert code == 0 and "recorded as run 1" in out.replace("\n", " ")
    assert invoke("run", str(folder), "--draws", "1000", "--no-sensitivity", "--no-history")[0] == 0
    code, out, _ = invoke("history", str(folder), "--json")
    doc = json.loads(out)
    assert code == 0 and [r["id"] for r in doc["runs"]] == [1]
    assert doc["runs"][0]["draws"] == 1000 and "deliveries_value" in doc["runs"][0]["headlines"]


def test_a_claim_edit_is_shown_field_by_field_and_attributed(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    invoke("init", str(folder))
    invoke("run", str(folder), "--draws", "5000", "--no-sensitivity")
    claims = folder / "claims.csv"
    text = claims.read_text()
    row = next(line for line in text.splitlines() if line.startswith("C035-RPC,"))
    claims.write_text(text.replace(row, row.replace(",266,,367,", ",300,,400,")))
    code, out, err = invoke("diff", str(folder), "1", "--draws", "5000", "--json")
    assert code == 0, err
    doc = json.loads(out)
    change = next(c for c in doc["changes"] if c["key"] == "C035-RPC")
    assert change["kind"] == "changed" and [f["field"] for f in change["fields"]] == ["low", "high"]
    assert change["fields"][0] == {"field": "low", "before": "266", "after": "300"}
    value = next(o for o in doc["outputs"] if o["id"] == "deliveries_value")
    assert [p["group"] for p in value["parts"]] == ["rounds_per_container"] and value["total"] > 0


def test_git_revisions_are_compared(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("needs git")
    folder = tmp_path / "s"
    invoke("init", str(folder))

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                       check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "first")
    model = folder / "model.toml"
    model.write_text(model.read_text().replace("low = 0.75", "low = 0.5", 1))
    git("commit", "-q", "-am", "second")
    result = armsflow.diff(folder, "HEAD~1", "HEAD", draws=5000)
    assert result.a.kind == result.b.kind == "git"
    assert any(c.file == "model.toml" for c in result.changes)
    code, _, err = invoke("diff", str(folder), "no-such-revision")
    assert code == 2 and err.startswith("A/B: 'no-such-revision' is not a revision")
    for option in ("--output=/tmp/x", "-h"):  # never handed to git as one of its options
        code, _, err = invoke("diff", str(folder), "--", option)
        assert code == 2 and "a revision never starts with '-'" in err, err


def test_bad_history_inputs_fail_with_one_line(tmp_path: Path) -> None:
    folder = write_study(tmp_path / "s", point_model(1, 2, 3, "x + y + z"), draws=200)
    code, _, err = invoke("history", str(folder))
    assert code == 2 and "no run recorded yet" in err
    armsflow.run(folder, sensitivity=False, history=True)
    code, _, err = invoke("diff", str(folder), "7")
    assert code == 2 and err.strip().endswith("no run 7 (recorded: 1)") and "Traceback" not in err
    code, _, err = invoke("diff", "russia-dprk", "3")
    assert code == 2 and "bundled study has no history" in err
    with sqlite3.connect(folder / store.FILE) as con:
        con.execute("PRAGMA user_version = 99")
    code, _, err = invoke("history", str(folder))
    assert code == 2 and "written by a newer armsflow" in err
    (folder / store.FILE).write_bytes(b"this is not a database" * 100)
    code, _, err = invoke("history", str(folder))
    assert code == 2 and "not a readable history database" in err and len(err.strip().splitlines()) == 1


def test_a_history_that_cannot_be_written_leaves_the_run_standing(tmp_path: Path) -> None:
    folder = write_study(tmp_path / "s", point_model(1, 2, 3, "x + y + z"), draws=200)
    (folder / store.FILE).mkdir()  # in the way of the database file, as an unwritable folder would be
    code, out, err = invoke("run", str(folder), "--no-sensitivity")
    assert code == 0 and "Total" in out
    assert len(err.strip().splitlines()) == 1 and "not recorded" in err


WRITER = """
import sys
from pathlib import Path
from armsflow.history import store
folder = Path(sys.argv[1])
n = 0
while True:
    n += 1
    files = {f"f{k}.csv": bytes([n % 251]) * 200_000 + str(n).encode() for k in range(5)}
    run = store.StoredRun(0, "t", "run", "0", None, "h", 1, 100, None, None,
                          {name: store.digest(d) for name, d in files.items()}, {"results": []})
    store.add_run(folder, run, files)
    print(n, flush=True)
"""


def test_a_kill_during_a_write_leaves_the_history_readable(tmp_path: Path) -> None:
    for delay in (0.0, 0.003, 0.01, 0.03):
        with subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE) as proc:
            assert proc.stdout is not None
            proc.stdout.readline()  # one run is in: the next write is under way
            time.sleep(delay)
            proc.kill()
        with sqlite3.connect(tmp_path / store.FILE) as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for run in store.runs(tmp_path):  # every recorded run has all its files
            store.run_with_files(tmp_path, run.id)


def test_processes_recording_one_state_at_once_record_it_once(tmp_path: Path) -> None:
    """Two server workers that run a folder's new state at the same moment each ask to record it unless it is the
    last recorded: the check and the write are one locked transaction, so the history gets one run, not two. Four
    processes start together (a file they wait for) and each records the same run."""
    folder = write_study(tmp_path / "s", point_model(1, 2, 3, "x + y + z"))
    go = tmp_path / "go"
    script = (
        "import sys, time\nfrom pathlib import Path\n"
        "from armsflow import load_study, run\nfrom armsflow.history.record import record_run\n"
        "study = load_study(sys.argv[1]); result = run(study, draws=1_000, sensitivity=False)\n"
        "while not Path(sys.argv[2]).exists(): time.sleep(0.001)\n"
        "print(record_run(study, result, 'serve', unless_recorded=True).run)\n")
    workers = [subprocess.Popen([sys.executable, "-c", script, str(folder), str(go)], stdout=subprocess.PIPE,
                                text=True) for _ in range(4)]
    time.sleep(3)  # every worker loaded and waiting
    go.touch()
    ids = {w.communicate(timeout=60)[0].strip() for w in workers}
    assert ids == {"1"} and [r.id for r in store.runs(folder)] == [1]

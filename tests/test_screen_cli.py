"""``armsflow screen``: each command, JSON output, and exit code 2 with one line and no traceback on bad input;
and the screening benchmark's code path at a tiny size, so that it cannot rot."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from typer.testing import CliRunner

from armsflow.cli import app

DATA = Path(__file__).parent / "data" / "screen"
LISTS = ["consolidated.xml", "un_1718_vessels.csv", "sdn.xml", "SDN.CSV", "ALT.CSV", "opensanctions.ftm.json"]
BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_screen.py"
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _load(tmp_path: Path) -> Path:
    db = tmp_path / "lists.db"
    code, out, _ = invoke("screen", "load", *[str(DATA / f) for f in LISTS], "--db", str(db))
    assert code == 0 and "24 entries loaded" in out
    return db


def test_load_query_file_and_study(tmp_path: Path) -> None:
    db = _load(tmp_path)
    code, out, _ = invoke("screen", "query", "--db", str(db), "Chonmasan")
    assert code == 0 and "CHON MA SAN" in out and "91003" in out
    code, out, _ = invoke("screen", "query", "--db", str(db), "--imo", "9179842", "--json")
    doc = json.loads(out)
    assert code == 0 and {m["listing"]["list_key"] for m in doc["matches"]} == {"ofac-sdn",
                                                                                "opensanctions:synthetic_test"}
    names = tmp_path / "names.csv"
    names.write_text("name,imo\nKOMID,\nNobody,\n")
    code, out, _ = invoke("screen", "file", "--db", str(db), str(names))
    assert code == 0 and "KPe.001" in out and "1 of 2 names found" in out
    code, out, _ = invoke("screen", "study", "russia-dprk", "--db", str(db))
    assert code == 0 and "Maria" in out and "not found" in out and "S-RUSI-2023-10-16" in out
    code, out, _ = invoke("screen", "study", "russia-dprk", "--db", str(db), "--json")
    assert code == 0 and json.loads(out)["study"] == "russia-dprk"


def test_a_hostile_file_exits_2_with_one_line(tmp_path: Path) -> None:
    code, out, err = invoke("screen", "load", str(DATA / "billion_laughs.xml"), "--db", str(tmp_path / "x.db"))
    assert code == 2 and out == ""
    assert err.strip() == (f"{DATA / 'billion_laughs.xml'}:3: refused: the XML declares entities or external "
                           "references (EntitiesForbidden); a list file never needs them")
    assert "Traceback" not in err


def test_bad_arguments_name_the_option(tmp_path: Path) -> None:
    db = _load(tmp_path)
    code, _, err = invoke("screen", "query", "--db", str(db))
    assert code == 2 and err.strip() == "--imo: give a name or an IMO number"
    code, _, err = invoke("screen", "query", "--db", str(db), "x", "--threshold", "1.5")
    assert code == 2 and err.strip().startswith("--threshold: must be above 0")
    code, _, err = invoke("screen", "query", "--db", str(tmp_path / "none.db"), "x")
    assert code == 2 and err.strip().startswith("--db: ") and "Traceback" not in err


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_screen", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_screen"] = module
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_meets_its_quality_targets_and_runs_at_a_tiny_size() -> None:
    bench = _bench()
    quality = bench.labelled_quality()
    total = quality.true_positive + quality.false_positive + quality.false_negative + quality.true_negative
    assert total >= 150
    assert quality.precision >= 0.95 and quality.recall >= 0.95, quality.wrong
    timing = bench.speed(2000, 100, 1)
    assert timing["entries"] == 2000 and timing["queries"] == 100 and timing["queries_with_a_match"] > 0
    assert bench.main(["--entries", "500", "--queries", "20", "--json"]) == 0

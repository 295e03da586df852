"""The command line: every command, JSON output, exit codes, and no traceback on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from armsflow.cli import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_studies_lists_the_flagship_with_its_results_and_scenarios() -> None:
    code, out, _ = invoke("studies")
    assert code == 0 and "russia-dprk (default)" in out
    assert "deliveries_value" in out and "osc-crates" in out and "OSC's crate modelling" in out
    doc = json.loads(invoke("studies", "--json")[1])
    flagship = next(s for s in doc["studies"] if s["name"] == "russia-dprk")
    assert {"id": "troop_revenue", "label": "Revenue from the troop deployment per year"} in flagship["results"]
    assert "production-cost" in {s["id"] for s in flagship["scenarios"]}


def test_version() -> None:
    from armsflow import __version__

    code, out, _ = invoke("--version")
    assert code == 0 and out.strip() == f"armsflow {__version__}"


def test_run_names_the_scenario_ids_assumptions_and_every_flagged_input() -> None:
    code, out, _ = invoke("run", "russia-dprk", "--as-of", "2024-10-28", "--scenario", "production-cost",
                          "--draws", "2000", "--no-sensitivity")
    assert code == 0
    assert "scenario production-cost: Bain: Russian production cost" in out
    assert "deliveries_value" in out and "troop_revenue" in out  # the ids explain needs
    assert "fallback: systems" in out and "extrapolated: containers" in out
    assert "The study's own assumptions" in out


def test_library_parameters_are_reported_as_the_cli_options() -> None:
    code, _, err = invoke("timeline", "russia-dprk", "containers", "--at", "0001-01-01")
    assert code == 2 and err.startswith("--at: 0001-01-01 is before the timeline's") and "Traceback" not in err
    code, _, err = invoke("timeline", "russia-dprk", "tanks")
    assert code == 2 and err.startswith("QUANTITY: no timeline 'tanks'")
    code, _, err = invoke("run", "russia-dprk", "--draws", "1")
    assert code == 2 and "--draws" in err
    code, _, err = invoke("explain", "russia-dprk", "deliveries_value", "--scenario", "x")
    assert code == 2 and err.startswith("model.toml: scenario: unknown scenario 'x' (known: ")
    code, _, err = invoke("explain", "russia-dprk", "nope")
    assert code == 2 and err.startswith("RESULT: no result or variable 'nope'")


def test_check_json_lists_problems_and_exits_2(mini: Path) -> None:
    assert json.loads(invoke("check", str(mini), "--json")[1]) == {"study": str(mini), "problems": []}
    (mini / "claims.csv").write_text((mini / "claims.csv").read_text() + "C9,S404,containers,,1,,container,2024,2,,\n")
    code, out, _ = invoke("check", str(mini), "--json")
    problem = json.loads(out)["problems"][0]
    assert code == 2 and problem["file"] == "claims.csv" and problem["field"] == "source"


def test_run_prints_headline_table() -> None:
    code, out, _ = invoke("run", "russia-dprk", "--draws", "5000", "--no-sensitivity")
    assert code == 0
    assert "Value of North" in out and "bn USD" in out and "M USD/year" in out


def test_run_json_is_reproducible(mini: Path) -> None:
    a = invoke("run", str(mini), "--json", "--seed", "9")
    b = invoke("run", str(mini), "--json", "--seed", "9")
    assert a[0] == 0 and a[1] == b[1]
    doc = json.loads(a[1])
    assert doc["seed"] == 9 and doc["draws"] == 20000 and doc["results"][0]["id"] == "value"


def test_run_as_of_and_scenario(mini: Path) -> None:
    code, out, _ = invoke("run", str(mini), "--json", "--as-of", "2024-07-01", "--scenario", "cheap")
    doc = json.loads(out)
    assert code == 0 and doc["as_of"] == "2024-07-01" and doc["scenario"] == "cheap"


def test_explain_shows_formula_claims_and_drivers(mini: Path) -> None:
    code, out, _ = invoke("explain", str(mini), "value")
    assert code == 0
    assert "containers * rpc * price" in out and "C1" in out and "P2" in out and "Drivers" in out
    code, out, _ = invoke("explain", str(mini), "value", "--json")
    assert json.loads(out)["formula"] == "containers * rpc * price"


def test_explain_escapes_untrusted_quotes(mini: Path) -> None:
    claims = (mini / "claims.csv").read_text().replace('"About 1,000 containers"', '"[red]x[/red] [bold]"')
    (mini / "claims.csv").write_text(claims)
    code, out, _ = invoke("explain", str(mini), "value")
    assert code == 0 and "[red]x[/red] [bold]" in out


def test_timeline_table_and_json() -> None:
    code, out, _ = invoke("timeline", "russia-dprk", "containers")
    assert code == 0 and "C023" in out and "At 2024-10-28" in out
    code, out, _ = invoke("timeline", "russia-dprk", "containers", "--as-of", "2024-10-28", "--json")
    doc = json.loads(out)
    assert doc["extrapolated"] is True and "C024" not in doc["claims"]
    assert 20 <= doc["at_day"]["p50"] / 1000 <= 30
    code, _, err = invoke("timeline", "russia-dprk", "tanks")
    assert code == 2 and "no timeline 'tanks'" in err


def test_init_then_check(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    code, out, _ = invoke("init", str(target), "--from", "russia-dprk")
    assert code == 0 and (target / "model.toml").is_file()
    assert invoke("check", str(target))[0] == 0


def test_check_broken_copy_lists_errors_and_exits_2(tmp_path: Path) -> None:
    target = tmp_path / "broken"
    invoke("init", str(target))
    claims = (target / "claims.csv").read_text().replace(",20000,,,container,", ",20000,,10,container,", 1)
    (target / "claims.csv").write_text(claims)
    model = (target / "model.toml").read_text().replace('formula = "rounds_152 * price_152"',
                                                        'formula = "containers * price_152"')
    (target / "model.toml").write_text(model)
    code, _, err = invoke("check", str(target))
    assert code == 2
    assert "claims.csv:" in err and "low (20000) is above high (10)" in err
    assert "model.toml:" in err and "unit mismatch" in err and "Traceback" not in err


def test_unknown_study_and_bad_options() -> None:
    code, _, err = invoke("run", "no-such-study")
    assert code == 2 and "no such study folder" in err
    assert invoke("run", "russia-dprk", "--as-of", "yesterday")[0] == 2
    assert invoke("run", "russia-dprk", "--draws", "0")[0] == 2
    code, _, err = invoke("explain", "russia-dprk", "nope", "--draws", "1000")
    assert code == 2 and "no result or variable 'nope'" in err


def test_console_script_help() -> None:
    exe = Path(sys.executable).with_name("armsflow")
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("studies", "init", "check", "run", "explain"):
        assert command in out


def test_events_rate() -> None:
    code, out, _ = invoke("events", "rate", "russia-dprk", "--since", "2023-07-01", "--until", "2024-10-28", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["count"] == 21 and sum(m["count"] for m in doc["monthly"]) == 21
    code, _, err = invoke("events", "rate", "russia-dprk", "--kind", "party")
    assert code == 2 and "--kind" in err
    code, _, err = invoke("events", "rate", "russia-dprk", "--since", "2024-10-01", "--until", "2024-01-01")
    assert code == 2 and err.startswith("--until: the window ends (2024-01-01) before it starts (2024-10-01)")


def test_events_rate_defaults_are_run_s_and_stop_at_the_cut_off() -> None:
    """The same window, confidence and count as the run's indicator; months after --as-of are not exposure."""
    code, out, _ = invoke("events", "rate", "russia-dprk", "--as-of", "2024-06-30", "--json")
    rate = json.loads(out)
    from armsflow import load_study
    from armsflow.engine.context import indicators

    meetings = next(i for i in indicators(load_study("russia-dprk"), date(2024, 6, 30)) if i.id == "meetings")
    assert code == 0 and rate["window"] == "meetings" and rate["confidence"] == 0.90
    assert (rate["since"], rate["until"]) == ("2023-07-01", "2024-06-30") == (meetings.since, meetings.until)
    assert rate["count"] == meetings.count == 17
    assert rate["months"] == pytest.approx(12.02, abs=0.01)  # not 16.0: the four months after the cut-off
    assert (rate["low"], rate["per_month"], rate["high"]) == (meetings.p5, meetings.p50, meetings.p95)


def test_bad_indicator_kind(mini: Path) -> None:
    (mini / "model.toml").write_text((mini / "model.toml").read_text()
                                     + '\n[indicators.x]\nkind = "vibes"\nsince = 2024-01-01\n')
    code, _, err = invoke("check", str(mini))
    assert code == 2 and "indicators.x.kind: the kinds are: event_rate" in err


def test_trade_lists_comparisons_and_conflicts() -> None:
    code, out, _ = invoke("trade", "russia-dprk", "--json")
    doc = json.loads(out)
    assert code == 0
    assert any(c["first"] == "C007" and c["second"] == "C068" and abs(c["ratio"] - 52.9 / 34.4) < 1e-9
               for c in doc["comparisons"])
    assert {(c["first"], c["second"]) for c in doc["conflicts"]} == {("C007", "C070")}
    code, out, _ = invoke("trade", "russia-dprk")
    assert code == 0 and "conflict" in out
    code, _, err = invoke("trade", "russia-dprk", "--as-of", "2015-01-01")
    assert code == 2 and "no trade records" in err


def test_comtrade_import_prints_trade_rows(tmp_path: Path) -> None:
    data = Path(__file__).parent / "data" / "comtrade"
    code, out, _ = invoke("comtrade", str(data / "plus-api-annual.csv"), "--reporter", "RUS", "--partner", "PRK")
    assert code == 0 and out.startswith("id,period,reporter,partner,flow,value,currency,source,notes")
    assert "CT-RUS-PRK-X-2023" in out
    junk = tmp_path / "junk.csv"
    junk.write_text("a,b\n1,2\n")
    code, _, err = invoke("comtrade", str(junk))
    assert code == 2 and "junk.csv:1: not a UN Comtrade export" in err and "Traceback" not in err


def test_gdelt_import_and_dyad(tmp_path: Path) -> None:
    data = Path(__file__).parent / "data" / "gdelt"
    store = tmp_path / "store"
    code, out, _ = invoke("gdelt", "import", str(data), "--db", str(store), "--json")
    first = json.loads(out)
    assert code == 0 and first["rows_imported"] > 0 and first["rows_rejected"] > 0
    assert any(".export.CSV:" in s for s in first["samples"])
    code, out, _ = invoke("gdelt", "import", str(data), "--db", str(store), "--json")
    assert json.loads(out)["rows_imported"] == 0  # importing again changes nothing
    code, out, _ = invoke("gdelt", "dyad", "--db", str(store), "--a", "RUS", "--b", "PRK", "--json")
    doc = json.loads(out)
    assert code == 0 and {m["family"] for m in doc["months"]} >= {"visits"} and doc["columns"][0] == "month"
    code, out, _ = invoke("gdelt", "dyad", "--db", str(store), "--a", "RUS", "--b", "PRK")
    assert code == 0 and any(line.split()[:3] == ["month", "family", "events"] for line in out.splitlines())
    assert invoke("gdelt", "dyad", "--db", str(store), "--a", "RUS", "--b", "PRK", "--backend", "oracle")[0] == 2
    code, _, err = invoke("gdelt", "dyad", "--db", str(tmp_path / "none"), "--a", "RUS", "--b", "PRK")
    assert code == 2 and "not a GDELT store" in err


def test_conflicting_series_side_by_side() -> None:
    code, out, _ = invoke("timeline", "russia-dprk", "shells", "--json")
    doc = json.loads(out)
    by = {series["name"]: series["summary"] for series in doc["by_series"]}
    assert code == 0 and set(by) == {"rok-capacity", "osc-crates"}
    assert by["rok-capacity"]["p50"] > 1.5 * by["osc-crates"]["p50"]  # ceilings vs crate modelling, kept apart


def test_events_rate_versus_another_window() -> None:
    code, out, _ = invoke("events", "rate", "russia-dprk", "--since", "2024-01-01", "--until", "2024-10-28",
                          "--versus", "2023-07-01..2023-12-31", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["versus"]["count"] == 9
    assert doc["versus"]["low"] < doc["versus"]["ratio"] < doc["versus"]["high"] and 0 < doc["versus"]["p_value"] <= 1
    code, _, err = invoke("events", "rate", "russia-dprk", "--since", "2024-01-01",
                          "--versus", "2023-07-01..2024-03-01")
    assert code == 2 and "overlap" in err
    code, _, err = invoke("events", "rate", "russia-dprk", "--versus", "junk")
    assert code == 2 and "FROM..TO" in err

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from armsflow.model.units import UnitError, convert, dims_text, parse_unit


def test_scale_words_and_rates() -> None:
    assert parse_unit("billion USD").scale == 1e9
    assert parse_unit("million round").dims == (("round", 1),)
    pay = parse_unit("USD/soldier/month")
    assert dims_text(pay.dims) == "USD/soldier/year"
    assert pay.scale == pytest.approx(12.0)  # a month is 1/12 of the base year
    assert parse_unit("percent").dimensionless and parse_unit("%").scale == 0.01


def test_synonyms_and_per() -> None:
    assert parse_unit("shells").dims == parse_unit("rounds").dims == (("round", 1),)
    assert parse_unit("USD per round").same_dimension(parse_unit("USD/round"))
    assert parse_unit("1").dimensionless


def test_conversion_within_a_dimension() -> None:
    assert convert(2000, parse_unit("USD/soldier/month"), parse_unit("USD/soldier/year")) == pytest.approx(24000)
    assert convert(5.5, parse_unit("billion USD"), parse_unit("million USD")) == pytest.approx(5500)


def test_container_times_price_is_not_money() -> None:
    money = parse_unit("container") * parse_unit("USD/round")
    assert not money.same_dimension(parse_unit("USD"))
    assert dims_text(money.dims) == "USD·container/round"
    with pytest.raises(UnitError):
        convert(1, money, parse_unit("USD"))


@pytest.mark.parametrize("text", ["crates", "USD//round", "", "billion"
                                  " zorkmid"])
def test_unknown_units(text: str) -> None:
    with pytest.raises(UnitError):
        parse_unit(text)


def test_money_as_known_on_a_day_uses_only_the_rows_published_by_then() -> None:
    """An annual average counts as known from 15 January of the next year (model/money.py)."""
    from datetime import date

    from armsflow.model.money import to_reporting

    then = to_reporting("USD", 2023, "USD", 2024, known_by=date(2024, 10, 28))
    assert then.factor == 1.0 and then.steps == ("2024 average not published by 2024-10-28: 2023's used",)
    later = to_reporting("USD", 2023, "USD", 2024, known_by=date(2025, 1, 15))
    assert later.factor == 313.689 / 304.702 and later.steps == ("USD prices 2023→2024 (×1.0295)",)
    assert to_reporting("USD", 2023, "USD", 2024).factor == later.factor  # no cut-off: every row
    krw = to_reporting("KRW", 2024, "USD", 2024, known_by=date(2024, 12, 31))
    assert krw.steps[0] == "2024 average not published by 2024-12-31: 2023's used"


def test_money_in_euros_yuan_and_between_two_currencies_other_than_the_dollar() -> None:
    """Hand calculations from reference/fx.csv and price_index.csv: a cross rate goes through the dollar, both
    sides at the same year, and a cut-off holds back the year for both."""
    from datetime import date

    from armsflow.model.money import exchange, to_reporting

    eur = to_reporting("EUR", 2015, "USD", 2024)
    assert eur.factor == (1 / 0.901896) * (313.689 / 237.017)
    assert eur.steps == ("EUR→USD at 2015 average (1.10878)", "USD prices 2015→2024 (×1.3235)")
    cross = exchange("EUR", "CNY", 2023)
    assert cross.factor == 7.08463 / 0.925053
    held = exchange("CNY", "KRW", 2024, known_by=date(2024, 10, 28))
    assert held.factor == 1306 / 7.08463 and held.steps[0] == "2024 average not published by 2024-10-28: 2023's used"


def test_every_rate_row_has_a_source_and_a_series() -> None:
    """Each row of the money tables names where it comes from; the years the issue asks for are there, except the
    rouble after the ECB stopped quoting it (March 2022)."""
    import csv
    from importlib import resources

    def read(name: str) -> list[dict[str, str]]:
        text = resources.files("armsflow.reference").joinpath(name).read_text("utf-8")
        return list(csv.DictReader(text.splitlines()))

    fx = read("fx.csv")
    assert all(r["source"].startswith("https://") and ("AEXKOUS" in r["notes"] or "EXR.D." in r["notes"]) for r in fx)
    years = {c: {int(r["year"]) for r in fx if r["currency"] == c} for c in ("KRW", "EUR", "CNY", "GBP", "RUB")}
    for currency in ("KRW", "EUR", "CNY", "GBP"):
        assert set(range(2010, 2026)) <= years[currency], currency
    assert years["RUB"] == set(range(2010, 2022))
    cpi = read("price_index.csv")
    assert {int(r["year"]) for r in cpi} >= set(range(2010, 2026))
    assert all("CUUR0000SA0" in r["notes"] for r in cpi)


def test_ecb_script_averages_daily_cross_rates_and_leaves_out_a_year_with_gaps(tmp_path: Path) -> None:
    """scripts/fx-from-ecb on a file in the ECB's layout, against a hand calculation."""
    import subprocess
    import sys

    ecb = tmp_path / "eurofxref-hist.csv"
    ecb.write_text("Date,USD,KRW,RUB,\n"
                   "2021-01-05,1.25,1375,90,\n"
                   "2021-01-04,1.20,1320,N/A,\n"
                   "2020-12-31,1.00,1100,80,\n", encoding="utf-8")
    script = Path(__file__).parents[1] / "scripts" / "fx-from-ecb"
    done = subprocess.run([sys.executable, str(script), str(ecb), "KRW:2021", "EUR:2020-2021", "RUB:2020-2021"],
                          capture_output=True, text=True, check=True)
    rows = [line.split(",")[:3] for line in done.stdout.splitlines()]
    # KRW per USD: (1375/1.25 + 1320/1.20) / 2 = (1100 + 1100) / 2; EUR per USD: (0.8 + 1/1.2) / 2.
    assert rows == [["KRW", "2021", "1100"], ["EUR", "2020", "1"], ["EUR", "2021", f"{(0.8 + 1 / 1.2) / 2:.6g}"],
                    ["RUB", "2020", "80"]]
    assert "RUB 2021: not quoted on every day of the year, left out" in done.stderr


CBR = """<?xml version="1.0" encoding="windows-1251"?>
<ValCurs ID="R01235" DateRange1="01.01.2022" DateRange2="31.12.2023" name="Foreign Currency Market Dynamic">
<Record Date="11.01.2022" Id="R01235"><Nominal>1</Nominal><Value>74,2926</Value></Record>
<Record Date="30.06.2022" Id="R01235"><Nominal>1</Nominal><Value>51,1580</Value></Record>
<Record Date="30.12.2022" Id="R01235"><Nominal>10</Nominal><Value>702,5500</Value></Record>
<Record Date="15.06.2023" Id="R01235"><Nominal>1</Nominal><Value>83,6240</Value></Record>
</ValCurs>
"""


def _cbr(tmp_path: Path, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "usd-rub.xml").write_text(text, encoding="cp1251")
    script = Path(__file__).parents[1] / "scripts" / "fx-from-cbr"
    return subprocess.run([sys.executable, str(script), str(tmp_path / "usd-rub.xml"), *args], capture_output=True,
                          text=True, check=False)


def test_cbr_script_averages_the_official_rates_and_leaves_out_a_part_year(tmp_path: Path) -> None:
    """scripts/fx-from-cbr on a file in the Bank of Russia's XML layout, against a hand calculation: the nominal
    divides the value, decimal commas are read, a year the file covers in part is left out."""
    done = _cbr(tmp_path, CBR, "2022-2023")
    assert done.returncode == 0, done.stderr
    rows = [line.split(",")[:3] for line in done.stdout.splitlines()]
    assert rows == [["RUB", "2022", f"{(74.2926 + 51.158 + 70.255) / 3:.6g}"]]
    assert "RUB 2023: the file does not cover the whole year, left out" in done.stderr


@pytest.mark.parametrize(("text", "message"), [
    ("<html>not xml", "not XML"),
    (CBR.replace("R01235", "R01239"), "not the Bank of Russia's rate dynamics of the US dollar"),
    (CBR.replace("74,2926", "n/a"), "record 1: Date DD.MM.YYYY, Nominal and Value must be numbers"),
    (CBR.replace("<Nominal>10</Nominal>", "<Nominal>0</Nominal>"), "record 3 (2022-12-30): Nominal and Value must"),
])
def test_cbr_script_refuses_another_file_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    done = _cbr(tmp_path, text, "2022")
    assert done.returncode == 2 and done.stdout == ""
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_year_after_the_price_index_takes_its_last_row_and_says_so() -> None:
    """Money of 2026 in a 2025 study: no 2026 CPI-U row yet, so no inflation is assumed beyond 2025's; money of 2025
    in a 2024 study is deflated by the rows (CPI-U 2024 over 2025)."""
    from armsflow.model.money import to_reporting

    later = to_reporting("USD", 2026, "USD", 2025)
    assert later.factor == 1.0 and later.steps == ("2026 average not in reference/price_index.csv yet: 2025's used",)
    krw = to_reporting("KRW", 2025, "USD", 2024)
    assert krw.factor == (1 / 1421.52) * (313.689 / 321.943) and krw.steps[-1] == "USD prices 2025→2024 (×0.9744)"


def test_money_claims_follow_the_rule_prices_follow() -> None:
    """A claim in the study's own currency is brought to the reference year as a price is (FNF's GDP of 2023)."""
    from armsflow import explain, load_study

    ex = explain(load_study("russia-dprk"), "gdp_share", draws=2_000)
    gdp = next(e for i in ex.inputs if i.name == "gdp" for e in i.evidence)
    assert gdp.ref == "C003" and gdp.conversion == ("USD prices 2023→2024 (×1.0295)",)
    assert gdp.mode == pytest.approx(23.7e9 * 313.689 / 304.702)

"""Official trade figures: period arithmetic by hand, trade.csv problems, the flagship's conflict, Comtrade import."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from armsflow.errors import Problem
from armsflow.evidence.period import FIRST_YEAR, LAST_YEAR, Period, parse_period
from armsflow.evidence.tables import read_table
from armsflow.evidence.trade import TradeRecord, load_trade, write_trade
from armsflow.indicators.comtrade import COMTRADE_SOURCE, import_comtrade
from armsflow.indicators.trade import annualise, compare, comparisons, conflicts
from armsflow.study.evidence_load import load_sources

ROOT = Path(__file__).parent.parent
FLAGSHIP = ROOT / "src" / "armsflow" / "studies" / "russia-dprk"
COMTRADE = Path(__file__).parent / "data" / "comtrade"
HEADER = "id,period,reporter,partner,flow,value,currency,source,notes\n"


def record(ident: str, period: str, value: float, *, currency: str = "USD", reporter: str = "RUS",
           flow: str = "turnover") -> TradeRecord:
    return TradeRecord(ident, parse_period(period), reporter, "PRK", flow, value, currency, "S1")


def flagship() -> list[TradeRecord]:
    problems: list[Problem] = []
    known = set(load_sources((FLAGSHIP / "sources.csv").read_bytes(), problems))
    records = load_trade((FLAGSHIP / "trade.csv").read_bytes(), known, problems)
    assert problems == []
    return records


# Periods


@pytest.mark.parametrize(("text", "first", "last", "label"), [
    ("2023", (2023, 1), (2023, 12), "2023"),
    ("2024-H1", (2024, 1), (2024, 6), "H1 2024"),
    ("2024-H2", (2024, 7), (2024, 12), "H2 2024"),
    ("2024-Q1", (2024, 1), (2024, 3), "Q1 2024"),
    ("2024-Q4", (2024, 10), (2024, 12), "Q4 2024"),
    ("2024-03", (2024, 3), (2024, 3), "Mar 2024"),
    ("2023-01..2023-11", (2023, 1), (2023, 11), "Jan–Nov 2023"),
    ("2023-11..2024-02", (2023, 11), (2024, 2), "Nov 2023–Feb 2024"),
    ("2017..2021", (2017, 1), (2021, 12), "2017–2021"),
])
def test_period_forms(text: str, first: tuple[int, int], last: tuple[int, int], label: str) -> None:
    period = parse_period(text)
    assert (period.first, period.last, period.label()) == (first, last, label)
    assert period.months == (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    assert str(period) == text


def test_ranges_that_are_a_named_period_print_as_it() -> None:
    assert str(parse_period("2024-01..2024-06")) == "2024-H1"
    assert str(parse_period("2024-Q1..2024-Q4")) == "2024"
    assert str(parse_period("2024-07..2024-H2")) == "2024-H2"


@pytest.mark.parametrize("text", ["2024-H3", "2024-Q5", "2024-13", "2024-00", "24", "2024-3", "2024 H1", "",
                                  "2024-03..2023-01", "1899", "2101-01", "2024..", "H1-2024"])
def test_bad_periods(text: str) -> None:
    with pytest.raises(ValueError):
        parse_period(text)


def test_containment_and_overlap() -> None:
    year, h1, q2, q3 = (parse_period(t) for t in ("2024", "2024-H1", "2024-Q2", "2024-Q3"))
    assert year.contains(h1) and h1.contains(q2) and not h1.contains(q3) and year.contains(year)
    assert h1.overlaps(q2) and not h1.overlaps(q3) and parse_period("2023-06..2024-01").overlaps(h1)


def test_annualise_by_hand() -> None:
    assert annualise(52.9e6, parse_period("2024-H1")) == pytest.approx(105.8e6)
    assert annualise(28e6, parse_period("2023-01..2023-11")) == pytest.approx(28e6 * 12 / 11)
    assert annualise(34.4e6, parse_period("2023")) == 34.4e6


def test_h1_2024_against_2023_by_hand() -> None:
    found = compare(record("C007", "2024-H1", 52.9e6), record("C006", "2023", 34.4e6))
    assert found is not None
    assert found.ratio == pytest.approx(1.538, abs=5e-4)  # 52.9 / 34.4
    assert found.annual_ratio == pytest.approx(3.076, abs=5e-4)  # 105.8 / 34.4
    assert str(found) == ("H1 2024 (C007: 52.9 M USD) is 1.54× all of 2023 (C006: 34.4 M USD); annualised, 3.08× "
                          "the 2023 annual rate (105.8 M USD vs 34.4 M USD a year)")


def test_compare_converts_other_currencies_at_the_annual_rate() -> None:
    # 13.06 bn KRW at the 2023 average of 1,306 KRW/USD is 10 M USD.
    found = compare(record("K", "2023-H1", 13.06e9, currency="KRW"), record("U", "2023", 8e6))
    assert found is not None and found.ratio == pytest.approx(1.25)
    euros = compare(record("E", "2023", 1e6, currency="EUR"), record("U", "2023", 1e6))
    assert euros is not None and euros.ratio == pytest.approx(1 / 0.925053)  # EUR per USD, 2023 (ECB)
    assert compare(record("R", "2023", 1e6, currency="RUB"), record("U", "2023", 1e6)) is None  # no RUB rate since 2022
    assert compare(record("A", "2023", 1e6), record("Z", "2022", 0)) is None


# Conflicts


def test_part_larger_than_whole_and_two_values_for_one_period() -> None:
    records = [record("H1", "2024-H1", 52.9e6), record("Y", "2024", 34e6), record("Y2", "2024", 30e6),
               record("Q1", "2024-Q1", 10e6), record("R", "2024", 42.74e6), record("R2", "2024", 42.7e6)]
    found = [(c.first.id, c.second.id) for c in conflicts(records)]
    parts = [("H1", whole) for whole in ("R", "R2", "Y", "Y2")]  # the part first, the whole second
    same = [("R", "Y"), ("R", "Y2"), ("R2", "Y"), ("R2", "Y2"), ("Y", "Y2")]  # R, R2 differ by 0.1 %: a rounding
    assert sorted(found) == sorted(parts + same)


def test_no_conflict_across_reporters_flows_or_unconvertible_currencies() -> None:
    records = [record("A", "2024-H1", 52.9e6), record("B", "2024", 34e6, reporter="CHN"),
               record("C", "2024", 34e6, flow="export"), record("D", "2024", 1e6, currency="RUB")]
    assert conflicts(records) == []


def test_conflict_in_another_currency() -> None:
    found = conflicts([record("K", "2023-H1", 13.06e9, currency="KRW"), record("U", "2023", 8e6)])
    assert [str(c) for c in found] == [
        "K vs U: H1 2023 (10 M USD) is part of 2023 (8 M USD) but 1.25× as large; a part cannot exceed the whole"]


# The flagship


def test_flagship_conflict_is_fnf_h1_2024_against_the_russian_2024_record() -> None:
    found = conflicts(flagship())
    assert [str(c) for c in found] == [
        "C007 vs C070: H1 2024 (52.9 M USD) is part of 2024 (34 M USD) but 1.56× as large; a part cannot exceed "
        "the whole"]


def test_flagship_comparisons() -> None:
    lines = [str(c) for c in comparisons(flagship())]
    assert ("H1 2024 (C007: 52.9 M USD) is 1.54× all of 2023 (C068: 34.4 M USD); annualised, 3.08× the 2023 "
            "annual rate (105.8 M USD vs 34.4 M USD a year)") in lines
    assert "2024 (C070: 34 M USD) is 0.99× all of 2023 (C068: 34.4 M USD)" in lines
    assert "2021 (C071-2021: 40,569 USD) is 0.00095× all of 2020 (C071-2020: 42.74 M USD)" in lines
    assert "2024 (C072-2024: 2.7 bn USD) is 0.97× all of 2023 (C072-2023: 2.77 bn USD)" in lines
    assert len(lines) == 13


def test_flagship_covers_the_evidence_rows_with_their_numbers() -> None:
    values = {r.id: r.value for r in flagship()}
    assert values["C006"] == values["C068"] == 34.4e6
    assert (values["C007"], values["C069"], values["C070"]) == (52.9e6, 28e6, 34e6)
    assert [values[f"C071-{y}"] for y in range(2017, 2022)] == [77.9e6, 34e6, 47.9e6, 42.74e6, 40569]
    assert (values["C072-2023"], values["C072-2024"]) == (2.77e9, 2.7e9)


def test_write_trade_reads_back() -> None:
    records = flagship()
    problems: list[Problem] = []
    again = load_trade(write_trade(records).encode(), None, problems)
    assert problems == []
    assert [dataclasses.replace(r, line=0) for r in again] == [dataclasses.replace(r, line=0) for r in records]


# trade.csv problems


def test_bad_rows_name_file_line_and_field() -> None:
    data = HEADER + "\n".join([
        "A1,2024-H3,RUS,PRK,turnover,1,USD,S1,",
        "A2,2024,RU,PRK,exports,1,USD,S1,",
        "A3,2024,RUS,RUS,import,-5,XYZ,S9,",
        "A1,2024,RUS,PRK,turnover,,USD,S1,",
        "A 5,2024,RUS,PRK,turnover,1e6x,USD,,",
        "A6,2024-Q2,RUS,PRK,export,1_000_000,KRW,S1,fine",
    ]) + "\n"
    problems: list[Problem] = []
    records = load_trade(data.encode(), {"S1"}, problems)
    assert [str(p) for p in problems] == [
        "trade.csv:2: period: not a period: '2024-H3': use YYYY, YYYY-H1, YYYY-Q1, YYYY-MM, YYYY-MM-DD or A..B",
        "trade.csv:3: reporter: not an ISO 3166-1 alpha-3 code (three capital letters): 'RU'",
        "trade.csv:3: flow: must be one of turnover, export, import, got 'exports'",
        "trade.csv:4: partner: partner is the reporter",
        "trade.csv:4: value: a trade value cannot be negative",
        "trade.csv:4: currency: unknown currency 'XYZ'",
        "trade.csv:4: source: unknown source id 'S9'",
        "trade.csv:5: id: duplicate id 'A1' (first on line 2)",
        "trade.csv:5: value: missing",
        "trade.csv:6: id: bad id 'A 5': use letters, digits, '-', '_' or '.'",
        "trade.csv:6: value: not a number: '1e6x'",
        "trade.csv:6: source: missing",
    ]
    assert [(r.id, r.period, r.value, r.currency, r.line) for r in records] == [
        ("A6", parse_period("2024-Q2"), 1e6, "KRW", 7)]


def test_missing_column_and_unknown_column() -> None:
    problems: list[Problem] = []
    assert load_trade(b"id,period,reporter,partner,flow,value,currency,extra\n", None, problems) == []
    assert [str(p) for p in problems] == ["trade.csv:1: source: missing column", "trade.csv:1: extra: unknown column"]


# Property tests: periods print and parse back

MONTH = st.integers(12 * FIRST_YEAR, 12 * LAST_YEAR + 11)


@st.composite
def periods(draw: st.DrawFn) -> Period:
    start = draw(MONTH)
    end = draw(st.integers(start, min(start + 240, 12 * LAST_YEAR + 11)))
    return Period.of(start // 12, start % 12 + 1, end // 12, end % 12 + 1)


@st.composite
def single_texts(draw: st.DrawFn) -> str:
    year = draw(st.integers(FIRST_YEAR, LAST_YEAR))
    part = draw(st.sampled_from(["", "-H1", "-H2", "-Q1", "-Q2", "-Q3", "-Q4", *[f"-{m:02d}" for m in range(1, 13)]]))
    return f"{year}{part}"


@given(periods())
def test_period_text_round_trip(period: Period) -> None:
    text = str(period)
    assert parse_period(text) == period
    assert str(parse_period(text)) == text
    assert period.label()


@given(single_texts())
def test_named_periods_are_their_own_canonical_text(text: str) -> None:
    assert str(parse_period(text)) == text


@given(single_texts(), single_texts())
def test_range_spans_from_first_to_last_month(a: str, b: str) -> None:
    first, last = parse_period(a), parse_period(b)
    if first.start > last.end:
        with pytest.raises(ValueError):
            parse_period(f"{a}..{b}")
    else:
        assert parse_period(f"{a}..{b}") == Period(first.start, last.end)


@given(periods(), st.floats(0, 1e12))
def test_annual_rate_of_parts(period: Period, value: float) -> None:
    assert annualise(value, period) * period.months / 12 == pytest.approx(value)
    if period.months > 1:
        (y, m), (ey, em) = period.first, period.last
        left = Period.of(y, m, y, m)
        right = Period.of(y + m // 12, m % 12 + 1, ey, em)
        assert period.contains(left) and period.contains(right) and not left.overlaps(right)
        assert left.months + right.months == period.months


# UN Comtrade


def summary(records: list[TradeRecord]) -> list[tuple[str, float]]:
    return [(r.id, r.value) for r in records]


def test_comtrade_plus_totals_win_and_breakdowns_are_skipped() -> None:
    problems: list[Problem] = []
    records = import_comtrade([COMTRADE / "plus-api-annual.csv"], "RUS", "PRK", problems)
    assert problems == []
    assert summary(records) == [("CT-RUS-PRK-X-2022", 4444444), ("CT-RUS-PRK-X-2023", 11111111),
                                ("CT-RUS-PRK-M-2023", 2222222)]
    assert {r.source for r in records} == {COMTRADE_SOURCE} and {r.currency for r in records} == {"USD"}
    assert records[1].notes == "UN Comtrade (Comtrade+) as reported by RUS; TOTAL; plus-api-annual.csv:3"
    assert import_comtrade([COMTRADE / "plus-api-annual.csv"], "rus", "prk", problems) == records
    anyone = import_comtrade([COMTRADE / "plus-api-annual.csv"], None, "PRK", problems)
    assert ("CT-CHN-PRK-X-2023", 66666666) in summary(anyone) and len(anyone) == 4


def test_comtrade_without_total_sums_the_coarsest_level() -> None:
    problems: list[Problem] = []
    records = import_comtrade([COMTRADE / "plus-monthly-no-total.csv"], "RUS", "PRK", problems)
    assert problems == []
    assert summary(records) == [("CT-RUS-PRK-X-2024-03", 1540000), ("CT-RUS-PRK-X-2024-04", 50000)]
    assert "no TOTAL row: sum of 2 commodity code(s) at level 2 (10, 27)" in records[0].notes
    assert "re-exports, no main export row" in records[1].notes
    assert records[0].period == parse_period("2024-03")


def test_comtrade_legacy_with_mirror_flows() -> None:
    problems: list[Problem] = []
    records = import_comtrade([COMTRADE / "legacy-api.csv"], "RUS", "PRK", problems)
    assert problems == []
    assert summary(records) == [("CT-PRK-RUS-X-2019", 555555), ("CT-RUS-PRK-X-2019", 3333333),
                                ("CT-RUS-PRK-M-2019", 444444)]
    assert "as reported by PRK (mirror: the partner's own report)" in records[0].notes
    # asked the other way round, the same rows come back; now the Russian ones are the mirror
    other = import_comtrade([COMTRADE / "legacy-api.csv"], "PRK", "RUS", problems)
    assert summary(other) == summary(records) and "mirror" in other[1].notes and "mirror" not in other[0].notes


def test_comtrade_bulk_tab_separated_gz_with_codes_only(tmp_path: Path) -> None:
    bulk = tmp_path / "COMTRADE-FINAL-CA6432023H6[2024-06-30].gz"
    bulk.write_bytes(gzip.compress((COMTRADE / "plus-bulk-codes.txt").read_bytes()))
    problems: list[Problem] = []
    records = import_comtrade([bulk], "RUS", "PRK", problems)
    assert problems == []
    assert summary(records) == [("CT-RUS-PRK-X-2023", 11111111), ("CT-RUS-PRK-M-2023", 2222222)]
    # the same figures in an API export and a bulk file are read once, without a problem
    both = import_comtrade([COMTRADE / "plus-api-annual.csv", bulk], "RUS", "PRK", problems)
    assert problems == [] and len(both) == 3


def test_comtrade_codes_it_cannot_map(tmp_path: Path) -> None:
    problems: list[Problem] = []
    records = import_comtrade([COMTRADE / "plus-bulk-codes.txt"], "RUS", None, problems)
    assert ("CT-RUS-WLD-X-2023", 888888888) in summary(records)
    assert [(p.file, p.line, p.field) for p in problems] == [("plus-bulk-codes.txt", 4, "partnerCode")]
    assert "no ISO code for M49 code(s) 4" in problems[0].message
    problems.clear()
    assert import_comtrade([COMTRADE / "plus-bulk-codes.txt"], "VNM", None, problems) == []
    assert [(p.line, p.field) for p in problems] == [(1, "reporterISO")]


def write_variant(tmp_path: Path, name: str, edit: dict[int, dict[str, str]], drop: str = "") -> Path:
    """A copy of plus-api-annual.csv with some fields changed (by data row index) and a column dropped."""
    rows = list(csv.DictReader(io.StringIO((COMTRADE / "plus-api-annual.csv").read_text())))
    for index, changes in edit.items():
        rows[index].update(changes)
    fields = [f for f in rows[0] if f != drop]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue())
    return path


def test_comtrade_bad_files_are_problems_not_crashes(tmp_path: Path) -> None:
    problems: list[Problem] = []
    files = [
        write_variant(tmp_path, "values.csv", {0: {"primaryValue": "44x"}, 1: {"period": "20231"},
                                               2: {"primaryValue": "-3"}}),
        write_variant(tmp_path, "noflow.csv", {}, drop="flowCode"),
        tmp_path / "absent.csv",
        tmp_path / "broken.gz",
        tmp_path / "other.csv",
    ]
    files[3].write_bytes(b"not gzip at all")
    files[4].write_text("a,b\n1,2\n")
    records = import_comtrade(files, "RUS", "PRK", problems)
    assert [str(p) for p in problems[:5]] == [
        "values.csv:2: primaryValue: not a number: '44x'",
        "values.csv:3: period: not a year (YYYY) or month (YYYYMM): '20231'",
        "values.csv:4: primaryValue: a trade value cannot be negative",
        "noflow.csv:1: flowCode: missing column",
        "absent.csv: cannot read: No such file or directory",
    ]
    assert problems[5].file == "broken.gz" and problems[5].message.startswith("cannot read")
    assert str(problems[6]) == ("other.csv:1: not a UN Comtrade export: no column primaryValue (Comtrade+) or "
                                "Trade Value (US$) (legacy)")
    assert len(problems) == 7
    # 2023's TOTAL export row is gone, so its HS chapter row stands in (and says so)
    assert summary(records) == [("CT-RUS-PRK-X-2023", 5555555)] and "no TOTAL row" in records[0].notes


def test_comtrade_year_out_of_range_and_conflicting_duplicates(tmp_path: Path) -> None:
    problems: list[Problem] = []
    path = write_variant(tmp_path, "years.csv", {1: {"period": "1850"}})
    import_comtrade([path], "RUS", "PRK", problems)
    assert [str(p) for p in problems] == ["years.csv:3: period: not a period: year 1850 is outside 1900-2100"]
    problems.clear()
    changed = write_variant(tmp_path, "changed.csv", {1: {"primaryValue": "11111112"}})
    records = import_comtrade([COMTRADE / "plus-api-annual.csv", changed], "RUS", "PRK", problems)
    assert [(p.file, p.line, p.field) for p in problems] == [("changed.csv", 3, "value")]
    assert "already 11111111 on plus-api-annual.csv:3" in problems[0].message
    assert ("CT-RUS-PRK-X-2023", 11111111) in summary(records)


def test_imported_records_write_and_load_as_trade_csv() -> None:
    records = import_comtrade([COMTRADE / "legacy-api.csv"], "RUS", "PRK", [])
    problems: list[Problem] = []
    again = load_trade(write_trade(records).encode(), {COMTRADE_SOURCE}, problems)
    assert problems == [] and [dataclasses.replace(r, line=0) for r in again] == records


def test_read_table_is_what_reads_comtrade() -> None:
    # the sample files are plain CSV for armsflow's own table reader (no second CSV reader)
    problems: list[Problem] = []
    rows = read_table("legacy-api.csv", (COMTRADE / "legacy-api.csv").read_bytes(), ("Reporter ISO",),
                      tuple(next(csv.reader(io.StringIO((COMTRADE / "legacy-api.csv").read_text())))), problems)
    assert problems == [] and len(rows) == 5

"""events.csv (curated diplomatic events) and the exact event-rate statistics, against hand-computed oracles."""

from __future__ import annotations

import csv
import io
import math
from datetime import date, timedelta
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armsflow.errors import Problem
from armsflow.evidence.events import COLUMNS, Event, load_events
from armsflow.indicators.rates import (
    DAYS_PER_MONTH,
    monthly_series,
    poisson_interval,
    rate,
    rate_ratio,
)
from armsflow.study.evidence_load import load_sources

HEADER = "id,start,end,side_a,side_b,level,kind,place,source,notes\n"
FLAGSHIP = resources.files("armsflow.studies").joinpath("russia-dprk")


def _load(tmp_path: Path, body: str, known: set[str] | None = None) -> tuple[list[Event], list[str]]:
    path = tmp_path / "events.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    problems: list[Problem] = []
    events = load_events(path.read_bytes(), {"S1"} if known is None else known, problems)
    return events, [str(p) for p in sorted(problems)]


def _event(ident: str, start: date | str, kind: str = "visit", level: str = "minister") -> Event:
    """An event on a day, or (``YYYY-MM``) known only to the month."""
    if isinstance(start, str):
        year, month = int(start[:4]), int(start[5:])
        first, last = date(year, month, 1), (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))
        return Event(ident, first, last, "month", "RUS", "PRK", level, kind, "", "S1", "", 2)
    return Event(ident, start, start, "day", "RUS", "PRK", level, kind, "", "S1", "", 2)


# --- loading events.csv -------------------------------------------------------------------------------------------

def test_good_rows_parse(tmp_path: Path) -> None:
    events, problems = _load(tmp_path, (
        "E1,2024-06-18,2024-06-19,RUS,PRK,head_of_state,summit,Pyongyang,S1,treaty signed\n"
        "E2,2024-07,,RUS,PRK,vice_minister,visit,Pyongyang,S1,\n"
        "E3,2024-09-13,,RUS,PRK,official,visit,,S1,\n"
        "E4,2024-10-28,2024-11,PRK,RUS,minister,visit,Moscow,S1,\n"))
    assert problems == []
    e1, e2, e3, e4 = events
    assert (e1.start, e1.end, e1.precision, e1.kind, e1.line, e1.notes) == (
        date(2024, 6, 18), date(2024, 6, 19), "day", "summit", 2, "treaty signed")
    assert (e2.start, e2.end, e2.precision, e2.month, e2.latest_start) == (
        date(2024, 7, 1), date(2024, 7, 31), "month", "2024-07", date(2024, 7, 31))
    assert (e3.start, e3.end, e3.latest_start, e3.place) == (date(2024, 9, 13), date(2024, 9, 13), e3.start, "")
    assert e4.end == date(2024, 11, 30)


def test_every_bad_field_names_its_line(tmp_path: Path) -> None:
    events, problems = _load(tmp_path, (
        "E1,2024-06-18,,RUS,PRK,minister,visit,Pyongyang,S1,\n"                    # 2 good
        "E2,2024-13-01,,RUS,PRK,minister,visit,,S1,\n"                             # 3 no month 13
        "E3,2024-06-18,2024-06-17,RUS,PRK,minister,visit,,S1,\n"                   # 4 end before start
        "E4,2024-06-18,,rus,PRK,minister,visit,,S1,\n"                             # 5 lower case
        "E5,2024-06-18,,RUS,PRK,king,visit,,S1,\n"                                 # 6 level
        "E6,2024-06-18,,RUS,PRK,minister,party,,S1,\n"                             # 7 kind
        "E7,2024-06-18,,RUS,PRK,minister,visit,,S9,\n"                             # 8 unknown source
        "E1,2024-06-19,,RUS,PRK,minister,visit,,S1,\n"                             # 9 duplicate id
        "E8,2024-06-18,,PRK,PRK,minister,visit,,S1,\n"                             # 10 same side
        "E9,2024-02-30,,RUS,PRK,minister,visit,,S1,\n"                             # 11 no 30 Feb
        "E10,2024-00,,RUS,PRK,minister,visit,,S1,\n"                               # 12 no month 0
        "E11,,,RUS,PRK,minister,visit,,S1,\n"                                      # 13 no start
        "E12,2024-06-18,,RUS,PRK,minister\n"                                       # 14 short row
        'E13,2024-06-18,,RUS,PRK,minister,visit,,S1,"two\nlines"\n'                # 15-16 good
        "E14,2024-07,2024-06-30,RUSSIA,,minister,visit,,,\n"                       # 17 four problems
        "E 15,18.06.2024,,RUS,PRK,minister,visit,,S1,\n"))                        # 18 id and date
    assert [e.id for e in events] == ["E1", "E13"]
    assert problems == [
        "events.csv:3: start: not a date (YYYY-MM-DD, or YYYY-MM when only the month is known): '2024-13-01'",
        "events.csv:4: end: end (2024-06-17) is before start (2024-06-18)",
        "events.csv:5: side_a: not an ISO 3166-1 alpha-3 code (three capital letters): 'rus'",
        "events.csv:6: level: must be one of head_of_state, head_of_government, minister, vice_minister, official, "
        "delegation, got 'king'",
        "events.csv:7: kind: must be one of visit, summit, treaty, call, meeting, commission, forum, other, "
        "got 'party'",
        "events.csv:8: source: unknown source id 'S9'",
        "events.csv:9: id: duplicate id 'E1' (first on line 2)",
        "events.csv:10: side_b: same as side_a (PRK): an exchange needs two sides",
        "events.csv:11: start: not a date (YYYY-MM-DD, or YYYY-MM when only the month is known): '2024-02-30'",
        "events.csv:12: start: not a date (YYYY-MM-DD, or YYYY-MM when only the month is known): '2024-00'",
        "events.csv:13: start: missing",
        "events.csv:14: 6 fields where the header has 10",
        "events.csv:17: end: end (2024-06-30) is before start (2024-07)",
        "events.csv:17: side_a: not an ISO 3166-1 alpha-3 code (three capital letters): 'RUSSIA'",
        "events.csv:17: side_b: missing",
        "events.csv:17: source: missing",
        "events.csv:18: id: bad id 'E 15': use letters, digits, '-', '_' or '.'",
        "events.csv:18: start: not a date (YYYY-MM-DD, or YYYY-MM when only the month is known): '18.06.2024'",
    ]


def test_sources_are_not_checked_without_a_list(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(HEADER + "E1,2024-06-18,,RUS,PRK,minister,visit,,ANY,\n")
    problems: list[Problem] = []
    assert len(load_events(path.read_bytes(), None, problems)) == 1 and problems == []


def test_header_problems(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("id,start,end,side_a,side_b,level,place,source,colour\nE1,2024-06-18,,RUS,PRK,minister,,S1,red\n")
    problems: list[Problem] = []
    assert load_events(path.read_bytes(), {"S1"}, problems) == []
    assert [str(p) for p in problems] == ["events.csv:1: kind: missing column", "events.csv:1: colour: unknown column"]


# --- the exact Poisson interval (Garwood 1936) --------------------------------------------------------------------

@pytest.mark.parametrize(("k", "low", "high"), [
    (0, 0.0, 3.689), (1, 0.0253, 5.572), (2, 0.2422, 7.225), (10, 4.795, 18.39)])
def test_garwood_bounds_match_tables(k: int, low: float, high: float) -> None:
    got = poisson_interval(k)
    assert got[0] == pytest.approx(low, abs=5e-4 if k else 0.0)
    assert got[1] == pytest.approx(high, abs=5e-3)


def test_garwood_tails_hold_exactly_two_and_a_half_percent() -> None:
    """By definition P(X >= k | low) = 0.025 and P(X <= k | high) = 0.025, summed here by hand."""
    def cdf(k: int, mu: float) -> float:
        return sum(math.exp(-mu) * mu**j / math.factorial(j) for j in range(k + 1))
    for k in (1, 3, 10, 25):
        low, high = poisson_interval(k)
        assert 1 - cdf(k - 1, low) == pytest.approx(0.025, abs=1e-9)
        assert cdf(k, high) == pytest.approx(0.025, abs=1e-9)


def test_rate_counts_days_inclusively_and_scales_the_interval() -> None:
    events = [_event("A", date(2024, 1, 1)), _event("B", date(2024, 1, 31)), _event("C", date(2024, 2, 1))]
    got = rate(events, date(2024, 1, 1), date(2024, 1, 31))
    assert (got.k, got.ids, got.uncertain) == (2, ("A", "B"), ())
    assert got.months == pytest.approx(31 / 30.4375)
    assert got.per_month == pytest.approx(2 / got.months)
    assert (got.low * got.months, got.high * got.months) == pytest.approx(poisson_interval(2))


def test_rate_filters_kind_and_level() -> None:
    events = [_event("A", date(2024, 1, 5), "visit", "minister"), _event("B", date(2024, 1, 6), "summit",
                                                                           "head_of_state"),
              _event("C", date(2024, 1, 7), "visit", "official")]
    day = date(2024, 1, 1), date(2024, 1, 31)
    assert rate(events, *day, kind="visit").ids == ("A", "C")
    assert rate(events, *day, level={"head_of_state", "minister"}).ids == ("A", "B")
    assert rate(events, *day, kind="visit", level={"official"}).ids == ("C",)
    with pytest.raises(ValueError, match="unknown kind"):
        rate(events, *day, kind="party")
    with pytest.raises(ValueError, match="unknown level"):
        rate(events, *day, level={"king"})
    with pytest.raises(ValueError, match="before it starts"):
        rate(events, date(2024, 2, 1), date(2024, 1, 1))
    with pytest.raises(ValueError, match="confidence"):
        rate(events, *day, confidence=1.0)


def test_month_only_events_count_only_when_their_whole_month_is_inside() -> None:
    events = [_event("M", "2024-03"), _event("D", date(2024, 3, 20))]
    assert rate(events, date(2024, 3, 1), date(2024, 3, 31)).ids == ("M", "D")
    cut = rate(events, date(2024, 3, 10), date(2024, 6, 30))
    assert (cut.ids, cut.uncertain) == (("D",), ("M",))
    assert rate(events, date(2024, 4, 1), date(2024, 6, 30)).uncertain == ()
    assert rate(events, date(2024, 1, 1), date(2024, 2, 29)).k == 0
    assert monthly_series(events, date(2024, 3, 10), date(2024, 4, 5)) == [("2024-03", 2), ("2024-04", 0)]


def test_monthly_series_is_zero_filled_across_years() -> None:
    events = [_event("A", date(2023, 11, 30)), _event("B", date(2024, 1, 2)), _event("C", date(2024, 1, 3)),
              _event("D", date(2023, 11, 2))]
    assert monthly_series(events, date(2023, 11, 15), date(2024, 2, 1)) == [
        ("2023-11", 1), ("2023-12", 0), ("2024-01", 2), ("2024-02", 0)]


# --- the rate ratio: exact conditional test ----------------------------------------------------------------------

def _days(start: date, n: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def test_rate_ratio_against_a_hand_computed_binomial_example() -> None:
    """Equal 30-day windows, 8 events against 2: p = 1/2, n = 10.

    Two-sided p-value = P(X >= 8) + P(X <= 2) = 2 * (45 + 10 + 1) / 1024 = 112 / 1024.
    """
    a, b = (date(2024, 1, 1), date(2024, 1, 30)), (date(2024, 2, 1), date(2024, 3, 1))
    events = [_event(f"a{i}", d) for i, d in enumerate(_days(a[0], 8))]
    events += [_event(f"b{i}", d) for i, d in enumerate(_days(b[0], 2))]
    got = rate_ratio(events, a, b)
    assert (got.a.k, got.b.k) == (8, 2)
    assert got.ratio == pytest.approx(4.0)
    assert got.p_value == pytest.approx(112 / 1024, abs=1e-12)

    def upper_tail(p: float) -> float:  # P(X >= 8), X ~ Binomial(10, p)
        return sum(math.comb(10, j) * p**j * (1 - p) ** (10 - j) for j in range(8, 11))
    p_lo, p_hi = got.low / (1 + got.low), got.high / (1 + got.high)  # equal exposures: ratio = p / (1 - p)
    assert upper_tail(p_lo) == pytest.approx(0.025, abs=1e-9)
    assert 1 - upper_tail(p_hi) + math.comb(10, 8) * p_hi**8 * (1 - p_hi) ** 2 == pytest.approx(0.025, abs=1e-9)
    assert (p_lo, p_hi) == pytest.approx((0.44390, 0.97479), abs=1e-5)  # the tabled exact interval for 8/10


def test_rate_ratio_with_unequal_exposures() -> None:
    """10 days against 30 days, 1 event against 7: under equal rates k_a ~ Binomial(8, 1/4).

    The two-sided p-value sums the outcomes no more likely than the one observed: all but X = 2.
    """
    a, b = (date(2024, 1, 1), date(2024, 1, 10)), (date(2024, 2, 1), date(2024, 3, 1))
    events = [_event("a0", a[0])] + [_event(f"b{i}", d) for i, d in enumerate(_days(b[0], 7))]
    got = rate_ratio(events, a, b)
    pmf = [Fraction(math.comb(8, j)) * Fraction(1, 4) ** j * Fraction(3, 4) ** (8 - j) for j in range(9)]
    expected = sum((x for x in pmf if x <= pmf[1]), Fraction(0))
    assert expected == 1 - pmf[2]
    assert got.p_value == pytest.approx(float(expected), abs=1e-12)
    assert got.ratio == pytest.approx((1 / 10) / (7 / 30))
    assert got.low < got.ratio < got.high


def test_rate_ratio_edge_cases() -> None:
    a, b = (date(2024, 1, 1), date(2024, 1, 31)), (date(2024, 2, 1), date(2024, 2, 29))
    none = rate_ratio([], a, b)
    assert math.isnan(none.ratio) and (none.low, none.high, none.p_value) == (0.0, math.inf, 1.0)
    only_a = rate_ratio([_event("x", date(2024, 1, 5))], a, b)
    assert only_a.ratio == math.inf and only_a.high == math.inf and only_a.low > 0
    only_b = rate_ratio([_event("x", date(2024, 2, 5))], a, b)
    assert only_b.ratio == 0.0 and only_b.low == 0.0 and math.isfinite(only_b.high)
    with pytest.raises(ValueError, match="overlap"):
        rate_ratio([], a, (date(2024, 1, 31), date(2024, 2, 29)))


# --- properties -------------------------------------------------------------------------------------------------

ORIGIN = date(2020, 1, 1)
offsets = st.lists(st.integers(min_value=0, max_value=729), max_size=60)


def _from_offsets(days: list[int], prefix: str = "e") -> list[Event]:
    return [_event(f"{prefix}{i}", ORIGIN + timedelta(days=d)) for i, d in enumerate(days)]


@settings(max_examples=150, deadline=None)
@given(k=st.integers(min_value=0, max_value=500), days=st.integers(min_value=1, max_value=3000),
       confidence=st.floats(min_value=0.5, max_value=0.999))
def test_interval_contains_the_estimate(k: int, days: int, confidence: float) -> None:
    low, high = poisson_interval(k, confidence)
    assert 0.0 <= low <= k <= high
    months = days / DAYS_PER_MONTH
    assert low / months <= k / months <= high / months


@settings(max_examples=150, deadline=None)
@given(k=st.integers(min_value=0, max_value=500), c1=st.floats(min_value=0.5, max_value=0.99),
       step=st.floats(min_value=0.001, max_value=0.009))
def test_interval_widens_with_the_confidence_level(k: int, c1: float, step: float) -> None:
    narrow, wide = poisson_interval(k, c1), poisson_interval(k, c1 + step)
    assert wide[0] <= narrow[0] and narrow[1] < wide[1]


@settings(max_examples=100, deadline=None)
@given(days=offsets, split=st.integers(min_value=1, max_value=728))
def test_swapping_the_windows_inverts_the_ratio(days: list[int], split: int) -> None:
    events = _from_offsets(days)
    a = (ORIGIN, ORIGIN + timedelta(days=split - 1))
    b = (ORIGIN + timedelta(days=split), ORIGIN + timedelta(days=729))
    ab, ba = rate_ratio(events, a, b), rate_ratio(events, b, a)
    assert ab.p_value == pytest.approx(ba.p_value, rel=1e-6, abs=1e-12)
    if math.isnan(ab.ratio):
        assert math.isnan(ba.ratio)
        return
    for x, y in ((ab.ratio, ba.ratio), (ab.low, ba.high), (ab.high, ba.low)):
        assert (x == 0.0 and y == math.inf) or (x == math.inf and y == 0.0) or x * y == pytest.approx(1.0)
    assert ab.low <= ab.ratio <= ab.high


@settings(max_examples=100, deadline=None)
@given(days=offsets, months=st.lists(st.integers(min_value=0, max_value=23), max_size=5))
def test_monthly_series_adds_up_to_the_rate_count(days: list[int], months: list[int]) -> None:
    events = _from_offsets(days) + [_event(f"m{i}", f"{2020 + m // 12}-{m % 12 + 1:02d}") for i, m in
                                    enumerate(months)]
    series = monthly_series(events, ORIGIN, date(2021, 12, 31))
    assert len(series) == 24 and sum(n for _, n in series) == rate(events, ORIGIN, date(2021, 12, 31)).k


# --- the flagship study's events.csv ------------------------------------------------------------------------------

def test_flagship_events_load_and_cite_known_sources() -> None:
    problems: list[Problem] = []
    sources = load_sources(FLAGSHIP.joinpath("sources.csv").read_bytes(), problems)
    events = load_events(FLAGSHIP.joinpath("events.csv").read_bytes(), set(sources), problems)
    assert problems == []
    rows = {e.id.split("-")[1] for e in events}
    assert rows == {f"C{n:03d}" for n in range(79, 102)}  # every research row C079-C101
    assert {"PRK", "RUS"} == {e.side_a for e in events} == {e.side_b for e in events}
    assert tuple(COLUMNS) + ("notes",) == tuple(next(csv.reader(io.StringIO(
        FLAGSHIP.joinpath("events.csv").read_text(encoding="utf-8")))))


def test_flagship_rate_since_july_2023() -> None:
    """FNF (28 Oct 2024) spoke of about two high-level meetings a month since July 2023; this list is not exhaustive."""
    problems: list[Problem] = []
    events = load_events(FLAGSHIP.joinpath("events.csv").read_bytes(), None, problems)
    got = rate(events, date(2023, 7, 1), date(2024, 10, 28))
    assert (got.k, got.uncertain) == (21, ())
    assert got.months == pytest.approx(486 / 30.4375)
    assert got.per_month == pytest.approx(1.3152, abs=1e-4)
    assert (got.low, got.high) == pytest.approx((0.8141, 2.0104), abs=1e-4)
    assert got.low < 2.0 < got.high  # FNF's "about two a month" lies at the edge of the interval
    assert rate(events, date(2023, 7, 1), date(2024, 10, 27)).k == 20  # Choe's trip began on 28 Oct 2024


def test_a_published_rate_is_shown_beside_the_computed_one() -> None:
    """FNF's 'about two a month since July 2023' (C008) against the rate of events.csv at the reference date."""
    from armsflow import load_study
    from armsflow.engine.context import indicators

    meetings = next(i for i in indicators(load_study("russia-dprk"), None) if i.id == "meetings")
    (figure,) = meetings.published
    assert (figure.claim, figure.source, figure.value) == ("C008", "S-PRESSEPORTAL-2024-10-28", 2.0)
    assert figure.inside is (meetings.p5 <= 2.0 <= meetings.p95) and not figure.inside
    before = next(i for i in indicators(load_study("russia-dprk"), date(2024, 10, 1)) if i.id == "meetings")
    assert before.published == []  # the press release came out on 28 Oct 2024

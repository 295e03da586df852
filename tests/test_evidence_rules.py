"""The grade rule and money conversion, against hand calculations from docs/study-format.md."""

from __future__ import annotations

import pytest

from armsflow.evidence.grading import graded_interval
from armsflow.evidence.period import parse_period
from armsflow.model.money import MoneyError, to_reporting


def test_central_claim_is_widened_by_its_spread() -> None:
    g = graded_interval(None, 1000, None, weight=0.64, spread=0.15, open_bound=0.25)
    assert (g.low, g.mode, g.high) == pytest.approx((850, 1000, 1150))


def test_one_sided_claims() -> None:
    more = graded_interval(20000, None, None, weight=1, spread=0.15, open_bound=0.25)
    assert (more.low, more.mode, more.high) == pytest.approx((20000, 20000, 28000))
    upto = graded_interval(None, None, 248, weight=1, spread=0.15, open_bound=0.25)
    assert (upto.low, upto.mode, upto.high) == pytest.approx((248 * 0.6, 248, 248))


def test_range_claim_mode_is_the_midpoint() -> None:
    g = graded_interval(300, None, 500, weight=1, spread=0.1, open_bound=0.25)
    assert (g.low, g.mode, g.high) == pytest.approx((270, 400, 550))


def test_point_claim_without_spread_is_a_point() -> None:
    assert graded_interval(None, 5, None, weight=1, spread=0, open_bound=0.25).distribution().describe() == "point 5"


def test_krw_price_of_2022_in_2024_dollars() -> None:
    # 1 KRW of 2022 -> USD at the 2022 average (1,292 KRW/USD), then US CPI-U 2022 -> 2024.
    conv = to_reporting("KRW", 2022, "USD", 2024)
    assert conv.factor == pytest.approx((1 / 1292) * (313.689 / 292.655))
    assert to_reporting("USD", 2024, "USD", 2024).factor == 1.0
    with pytest.raises(MoneyError, match="no KRW/USD rate for 1990"):
        to_reporting("KRW", 1990, "USD", 2024)


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2024-10-23", "2024-10-23", "2024-10-23"),
    ("2024-02", "2024-02-01", "2024-02-29"),
    ("2023", "2023-01-01", "2023-12-31"),
    ("2023-09..2025-04", "2023-09-01", "2025-04-30"),
])
def test_periods(text: str, start: str, end: str) -> None:
    p = parse_period(text)
    assert (p.start.isoformat(), p.end.isoformat()) == (start, end)


@pytest.mark.parametrize("text", ["2024-13", "2024-05..2024-01", "soon", "2024-02-30"])
def test_bad_periods(text: str) -> None:
    with pytest.raises(ValueError):
        parse_period(text)

from __future__ import annotations

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

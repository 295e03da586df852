"""Numbers read back as they were written, in each language's notation (property tests)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from armsflow.intake.numbers import read_digits, read_korean


def _grouped(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


@given(st.integers(min_value=1000, max_value=10**12), st.integers(min_value=0, max_value=99))
def test_german_and_english_notation_read_the_same_number(whole: int, cents: int) -> None:
    de = f"{_grouped(whole, '.')},{cents:02d}"
    en = f"{_grouped(whole, ',')}.{cents:02d}"
    assert read_digits(de, "de")[0] == read_digits(en, "en")[0] == float(f"{whole}.{cents:02d}")
    assert read_digits(_grouped(whole, "."), "de")[0] == read_digits(_grouped(whole, ","), "en")[0] == whole


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=1, max_value=9))
def test_a_german_decimal_comma(whole: int, tenth: int) -> None:
    value, rule, flags = read_digits(f"{whole},{tenth}", "de")
    assert value == float(f"{whole}.{tenth}") and rule == "number:decimal" and not flags


@given(st.integers(min_value=1, max_value=999))
def test_a_german_comma_before_three_digits_is_always_flagged(whole: int) -> None:
    for tail in ("000", "250"):
        _, _, flags = read_digits(f"{whole},{tail}", "de")
        assert flags and flags[0].startswith("ambiguous")


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=0, max_value=9999),
       st.integers(min_value=0, max_value=9999))
def test_korean_markers(jo: int, eok: int, man: int) -> None:
    text = f"{jo}조" + (f" {eok}억" if eok else "") + (f" {man}만" if man else "")
    assert read_korean(text) == jo * 10**12 + eok * 10**8 + man * 10**4

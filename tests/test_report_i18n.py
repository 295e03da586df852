"""The report's languages: formats checked by hand, a complete German catalogue, footnote numbering, font checks."""

from __future__ import annotations

import os
import re
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from armsflow.errors import ParameterError
from armsflow.evidence.period import parse_period
from armsflow.report.fmt import Fmt, decimals_for, round_sig
from armsflow.report.footnotes import Notes, anchor
from armsflow.report.i18n import translations
from armsflow.report.output import font_warnings

NB = "\u00a0"


@pytest.mark.parametrize(("lang", "value", "unit", "low", "high", "mid", "interval"), [
    ("en", 5.256, "billion USD", 2.91, 9.71, f"5.3{NB}billion{NB}US dollars", f"2.9–9.7{NB}billion{NB}US dollars"),
    ("de", 5.256, "billion USD", 2.91, 9.71, f"5,3{NB}Mrd.{NB}US-Dollar", f"2,9–9,7{NB}Mrd.{NB}US-Dollar"),
    ("de", 5.5, "billion USD", None, None, f"5,5{NB}Mrd.{NB}US-Dollar", f"5,5{NB}Mrd.{NB}US-Dollar"),
    ("en", 6.63, "million round", 4.6, 9.8, f"6.6{NB}million{NB}rounds", f"4.6–9.8{NB}million{NB}rounds"),
    ("de", 6.63, "million round", 4.6, 9.8, f"6,6{NB}Mio.{NB}Schuss", f"4,6–9,8{NB}Mio.{NB}Schuss"),
    ("en", 21.174, "thousand container", 20.2, 23.7, f"21,200{NB}containers", f"20,200–23,700{NB}containers"),
    ("de", 21.174, "thousand container", 20.2, 23.7, f"21.200{NB}Container", f"20.200–23.700{NB}Container"),
    ("en", 324.1, "million USD/year", 215, 514, f"324{NB}million{NB}US dollars a year",
     f"215–514{NB}million{NB}US dollars a year"),
    ("de", 324.1, "million USD/year", 215, 514, f"324{NB}Mio.{NB}US-Dollar pro Jahr",
     f"215–514{NB}Mio.{NB}US-Dollar pro Jahr"),
    ("en", 22.2, "percent", 12.4, 41.0, "22%", "12–41%"),
    ("de", 22.2, "percent", 12.4, 41.0, f"22{NB}%", f"12–41{NB}%"),
    ("en", 1.318, "event/month", 0.884, 1.886, f"1.32{NB}events a month", f"0.88–1.89{NB}events a month"),
    ("de", 1.318, "event/month", 0.884, 1.886, f"1,32{NB}Ereignisse pro Monat", f"0,88–1,89{NB}Ereignisse pro Monat"),
    ("en", 551, "USD/round", 283, 971, f"551{NB}US dollars per round", f"283–971{NB}US dollars per round"),
    ("de", 551, "USD/round", 283, 971, f"551{NB}US-Dollar je Schuss", f"283–971{NB}US-Dollar je Schuss"),
    ("en", 1, "missile", None, None, f"1{NB}missile", f"1{NB}missile"),
    ("de", 1, "missile", None, None, f"1{NB}Rakete", f"1{NB}Rakete"),
    ("en", 3.08, "1", None, None, "3.1", "3.1"),
])
def test_quantities_read_as_written_by_hand(lang: str, value: float, unit: str, low: float | None,
                                            high: float | None, mid: str, interval: str) -> None:
    q = Fmt(lang).quantity(value, unit, low, high)
    assert (q.mid, q.interval) == (mid, interval)


def test_dates_money_and_ratios() -> None:
    en, de = Fmt("en"), Fmt("de")
    assert de.date(date(2024, 10, 28)) == "28. Oktober 2024" and en.date(date(2024, 10, 28)) == "28 October 2024"
    assert de.month(date(2024, 3, 1)) == "März 2024" and en.month(date(2024, 3, 1)) == "Mar 2024"
    assert en.money(52.9e6, "USD") == f"52.9{NB}million{NB}US dollars"
    assert de.money(34.4e6, "USD") == f"34,4{NB}Mio.{NB}US-Dollar"
    assert de.money(40_569, "USD") == f"40.600{NB}US-Dollar"  # three significant digits
    assert de.times(1.5378) == "1,54×" and en.times(3.0755) == "3.08×"
    assert en.published(1.7, None, 5.5, "billion USD") == f"1.7–5.5{NB}billion{NB}US dollars"
    assert de.published(None, 0.54, None, "billion USD") == f"540{NB}Mio.{NB}US-Dollar"
    assert de.published(None, None, 9.8, "billion USD") == f"bis zu 9,8{NB}Mrd.{NB}US-Dollar"
    assert en.published(10.0, None, None, "billion USD") == f"at least 10{NB}billion{NB}US dollars"
    assert en.published(1.0, 2.0, 4.0, "billion USD") == f"2{NB}billion{NB}US dollars (1–4{NB}billion{NB}US dollars)"
    assert de.stated(1.7, None, 5.5) == "1,7 / 5,5" and en.stated(None, 13000, None) == "13,000"
    assert en.number(float("nan")) == "–" and en.quantity(None, "USD").mid == "–"


@pytest.mark.parametrize(("text", "en", "de"), [
    ("2023", "2023", "2023"),
    ("2024-H1", "H1 2024", "1. Hj. 2024"),
    ("2024-Q3", "Q3 2024", "Q3 2024"),
    ("2024-03", "Mar 2024", "März 2024"),
    ("2023-01..2023-11", "Jan–Nov 2023", "Jan.–Nov. 2023"),
    ("2017..2021", "2017–2021", "2017–2021"),
    ("2023-11..2024-02", "Nov 2023–Feb 2024", "Nov. 2023–Feb. 2024"),
])
def test_trade_periods_in_both_languages(text: str, en: str, de: str) -> None:
    period = parse_period(text)
    assert (Fmt("en").period(period), Fmt("de").period(period)) == (en, de)
    assert Fmt("en").period(period) == period.label()  # the core's English label, the same words


def test_codes_are_words() -> None:
    assert [Fmt("de").code(c) for c in ("head_of_state", "summit", "turnover", "unlisted")] == [
        "Staatsoberhaupt", "Gipfel", "Handelsvolumen", "unlisted"]
    assert Fmt("en").code("vice_minister") == "vice minister"


def test_significant_digit_rules() -> None:
    assert [decimals_for(v) for v in (5.3, 0.88, 22, 324, 0, 0.0042)] == [1, 2, 0, 0, 0, 4]
    assert decimals_for(5.3, 3) == 2 and decimals_for(5.3, 0) == 0
    assert round_sig(21_174) == 21_200 and round_sig(324.4) == 324.4 and round_sig(-1_234_567) == -1_230_000


def test_unknown_language_is_a_one_line_error_naming_the_parameter() -> None:
    with pytest.raises(ParameterError, match=r"^lang: unknown language 'fr' \(known: en, de\)$"):
        Fmt("fr")


@pytest.mark.parametrize(("lang", "values", "unit", "text"), [
    ("en", (1.7, None, 5.5), "billion USD", f"1.7 / 5.5{NB}billion{NB}US dollars"),
    ("de", (1.7, None, 5.5), "billion USD", f"1,7 / 5,5{NB}Mrd.{NB}US-Dollar"),  # Billion would be 10^12
    ("de", (143, None, 572), "million USD/year", f"143 / 572{NB}Mio.{NB}US-Dollar pro Jahr"),
    ("de", (None, 28_600, None), "USD/soldier/year", f"28.600{NB}US-Dollar je Soldat pro Jahr"),
    ("en", (None, 1, None), "million round", f"1{NB}million{NB}rounds"),
    ("de", (None, 1, None), "million round", f"1{NB}Mio.{NB}Schuss"),
    ("de", (None, 1, None), "missile", f"1{NB}Rakete"),
    ("en", (300, None, 500), "round/container", f"300 / 500{NB}rounds per container"),
    ("de", (300, None, 500), "round/container", f"300 / 500{NB}Schuss je Container"),
    ("de", (None, 0.8333, None), "1", "0,8333"),
    ("de", (None, 50, None), "percent", f"50{NB}%"),
    ("en", (None, 50, None), "percent", "50%"),
])
def test_stated_values_carry_their_unit_in_words(lang: str, values: tuple[float | None, ...], unit: str,
                                                 text: str) -> None:
    assert Fmt(lang).stated(*values, unit=unit) == text


@pytest.mark.parametrize(("text", "en", "de"), [
    ("2024-10-28", "28 October 2024", "28. Oktober 2024"),
    ("2024-10-01..2024-10-28", "1 October 2024–28 October 2024", "1. Oktober 2024–28. Oktober 2024"),
    ("2023..2025-09", "Jan 2023–Sept 2025", "Jan. 2023–Sept. 2025"),  # CLDR en_GB: "Sept"
])
def test_claim_dates_and_spans_in_words(text: str, en: str, de: str) -> None:
    period = parse_period(text)
    assert (Fmt("en").period(period), Fmt("de").period(period)) == (en, de)


def _source_messages() -> set[str | tuple[str, str]]:
    root = Path(str(resources.files("armsflow.report")))
    found = extract_from_dir(
        str(root),
        method_map=[("**.py", "python"), ("**/templates/**.j2", "jinja2.ext:babel_extract")],
        options_map={"**/templates/**.j2": {"extensions": "jinja2.ext.i18n"}},
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None},
    )
    return {message for _, _, message, _, _ in found}


def test_german_catalogue_translates_every_message_and_nothing_stale() -> None:
    source = _source_messages()
    assert len(source) > 100
    po = resources.files("armsflow.report").joinpath("locales", "de", "LC_MESSAGES", "armsflow.po")
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="de")
    entries = {m.id: m for m in catalog if m.id}
    assert sorted(map(str, source - set(entries))) == []  # every message of the code is in the catalogue
    assert sorted(map(str, set(entries) - source)) == []  # and the catalogue has no stale message
    for m in entries.values():
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        assert all(strings) and not m.fuzzy, m.id
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        wanted = {p for i in ids for p in re.findall(r"%\(\w+\)[sd]|%%", i)}
        assert all({p for p in re.findall(r"%\(\w+\)[sd]|%%", s)} == wanted for s in strings), m.id  # placeholders kept
    assert translations("de").gettext("Key findings") == "Zentrale Ergebnisse"
    assert translations("de").ngettext("soldier", "soldiers", 2) == "Soldaten"


def test_notes_are_numbered_in_order_of_first_use_and_reused() -> None:
    notes = Notes()
    a = notes.add(["C1", "C2"])
    b = notes.add(["P1"], ["share"])
    assert (a.number, b.number, notes.add(["C1", "C2"]).number) == (1, 2, 1)
    assert notes.add(["C2", "C1"]).number == 3  # another order is another list to read
    with pytest.raises(ValueError):
        notes.add([])
    assert anchor("claim", "C035-RPC") == "claim-C035-RPC" and anchor("src", 'a b"<') == "src-a~20b~22~3c"


def test_missing_cjk_font_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "fc-list"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    lines = font_warnings("<p>북한, 러시아에 무기</p>")
    assert lines == ["warning: no font for Korean text is installed; the PDF shows it as empty boxes "
                     "(Debian/Ubuntu: apt-get install fonts-nanum)"]
    assert font_warnings("<p>Latin only</p>") == []


@pytest.mark.parametrize(("lang", "kind", "expected"), [
    ("en", "lower", "at least 10,000 containers"), ("de", "lower", "mindestens 10.000 Container"),
    ("en", "upper", "up to 10,000 containers"), ("de", "upper", "bis zu 10.000 Container"),
    ("en", "capacity", "capacity: 10,000 containers"), ("de", "capacity", "Fassungsvermögen: 10.000 Container"),
    ("de", "estimate", "10.000 Container"),
])
def test_a_claim_says_what_kind_of_statement_its_numbers_are(lang: str, kind: str, expected: str) -> None:
    """The evidence appendix reads a bound or a capacity as one, in the report's language (claims.csv ``kind``)."""
    assert Fmt(lang).stated(10_000, None, None, unit="container", kind=kind).replace("\xa0", " ") == expected

"""Numbers, quantities, money and dates as a reader of one language writes them, with Babel.

English: "5.3 billion US dollars", "2.9–9.7 billion US dollars", "28 October 2024"; German: "5,3 Mrd. US-Dollar",
"28. Oktober 2024". A value arrives in an output's display unit (``billion USD``, ``million round``,
``USD/soldier/month``); the scale word is applied, one scale is chosen for a whole interval so its ends line up, and
digits, separators, currency names and unit nouns come from Babel's CLDR data and the report's catalogue.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent, get_currency_name
from babel.support import NullTranslations

from armsflow.evidence.period import Period as TradePeriod
from armsflow.model.units import UnitError, is_currency, parse_unit
from armsflow.report.i18n import check_language, translations

DASH = "\u2013"
LOCALES = {"en": "en_GB", "de": "de_DE"}  # British English: "28 October 2024", as the source studies write
NBSP = "\u00a0"


@dataclass(frozen=True)
class Formatted:
    """A value (and optionally its interval) as text in one language."""

    mid: str
    interval: str

    def __str__(self) -> str:
        return self.mid


@dataclass(frozen=True)
class _Unit:
    scale: float
    numerator: str
    per: tuple[str, ...]
    percent: bool


def _split(unit: str) -> _Unit:
    """``million USD/year`` → scale 1e6, numerator ``USD``, per ``(year,)``; ``percent`` → a percentage."""
    words = unit.strip().split(None, 1)
    if words in (["percent"], ["%"]):
        return _Unit(1.0, "", (), True)
    scale = 1.0
    if len(words) == 2 and _scale_word(words[0]) is not None:
        scale, unit = _scale_word(words[0]) or 1.0, words[1]
    top, *per = (p.strip() for p in unit.split("/"))
    return _Unit(scale, "" if top == "1" else top, tuple(per), False)


def _scale_word(word: str) -> float | None:
    """The factor of a scale word of the unit table (``million`` → 1e6); ``None`` for anything else."""
    try:
        unit = parse_unit(word)
    except UnitError:
        return None
    return unit.scale if unit.dimensionless else None


class Fmt:
    """Formatting for one language; ``gettext``/``ngettext`` are the catalogue's (named so Babel extracts them)."""

    def __init__(self, lang: str) -> None:
        self.lang = check_language(lang)
        self.locale = LOCALES[lang]
        self.t: NullTranslations = translations(lang)

    def gettext(self, message: str) -> str:
        return self.t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: float) -> str:
        return self.t.ngettext(singular, plural, 1 if n == 1 else 2)

    # ------------------------------------------------------------------ plain numbers and dates

    def decimal(self, value: float, decimals: int) -> str:
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def number(self, value: float | None, decimals: int | None = None) -> str:
        """A number with about two significant digits (three for hundreds and more, rounded to them)."""
        if value is None or not math.isfinite(value):
            return DASH
        d = decimals_for(value) if decimals is None else decimals
        return self.decimal(round_sig(value) if d == 0 else value, d)

    def percent(self, fraction: float, decimals: int = 0) -> str:
        """``0.22`` → "22%" in English, "22 %" in German (the locale's own percent pattern, with ``decimals``)."""
        pattern = Locale.parse(self.locale).percent_formats[None].pattern
        if decimals:
            pattern = re.sub(r"0(?=\s?%)", "0." + "0" * decimals, pattern, count=1)
        return format_percent(fraction, format=pattern, locale=self.locale)

    def times(self, ratio: float) -> str:
        return self.number(ratio, 2) + "×"

    def date(self, day: dt.date) -> str:
        return format_date(day, "long", locale=self.locale)

    def month(self, day: dt.date) -> str:
        return format_date(day, "MMM yyyy", locale=self.locale)

    def stated(self, *values: float | None, unit: str = "1", kind: str = "estimate") -> str:
        """A source's numbers as stated (low / central / high, the given ones) with this language's separators, and
        their unit in words: ``1.7, 5.5, "billion USD"`` → "1.7 / 5.5 billion US dollars" / "1,7 / 5,5 Mrd.
        US-Dollar"; ``300, 600, "USD/round"`` → "300 / 600 US dollars per round". A claim's ``kind`` says what the
        numbers are: "at least 10,000 containers", "up to 248 missiles", "capacity: 300 / 500 rounds per
        container"."""
        text = {"value": self._stated(values, unit)}
        if kind == "lower":
            return self.gettext("at least %(value)s") % text
        if kind == "upper":
            return self.gettext("up to %(value)s") % text
        if kind == "capacity":
            return self.gettext("capacity: %(value)s") % text
        return text["value"]

    def _stated(self, values: tuple[float | None, ...], unit: str) -> str:
        given = [v for v in values if v is not None]
        numbers = " / ".join(format_decimal(v, format="#,##0.######", locale=self.locale) for v in given)
        u = _split(unit)
        if u.percent:  # the locale's own sign and spacing: "22%", "22 %"
            pattern: str = Locale.parse(self.locale).percent_formats[None].pattern
            return numbers + pattern.rpartition("0")[2]
        one = u.scale == 1 and len(given) == 1 and given[0] == 1  # "1 missile", but "1 million rounds"
        return self._join(numbers, self._words(u, 1.0 if one else 2.0))

    def period(self, period: TradePeriod) -> str:
        """A period in words of this language: "2023", "H1 2024" / "1. Hj. 2024", "Q3 2024",
        "Mar 2024" / "März 2024", "Jan–Nov 2023", "2017–2021"; a day as a date, "28 October 2024"."""
        if not period.whole_months:
            if period.start == period.end:
                return self.date(period.start)
            return f"{self.date(period.start)}{DASH}{self.date(period.end)}"
        (y, m), (ey, em), n = period.first, period.last, period.months
        if period.is_year:
            return str(y)
        if n == 6 and m in (1, 7) and y == ey:
            return self.gettext("H%(half)d %(year)d") % {"half": m // 6 + 1, "year": y}
        if n == 3 and m % 3 == 1 and y == ey:
            return self.gettext("Q%(quarter)d %(year)d") % {"quarter": m // 3 + 1, "year": y}
        first, last = dt.date(y, m, 1), dt.date(ey, em, 1)
        if n == 1:
            return self.month(first)
        if m == 1 and em == 12:
            return f"{y}{DASH}{ey}"
        if y == ey:
            return f"{format_date(first, 'MMM', locale=self.locale)}{DASH}{self.month(last)}"
        return f"{self.month(first)}{DASH}{self.month(last)}"

    def code(self, value: str) -> str:
        """An event level or kind, or a trade flow, as a word of this language (unknown codes as they are)."""
        words = {
            "head_of_state": self.gettext("head of state"), "head_of_government": self.gettext("head of government"),
            "minister": self.gettext("minister"), "vice_minister": self.gettext("vice minister"),
            "official": self.gettext("official"), "delegation": self.gettext("delegation"),
            "visit": self.gettext("visit"), "summit": self.gettext("summit"), "treaty": self.gettext("treaty"),
            "call": self.gettext("call"), "meeting": self.gettext("meeting"), "commission": self.gettext("commission"),
            "forum": self.gettext("forum"), "other": self.gettext("other"),
            "turnover": self.gettext("turnover"), "export": self.gettext("export"), "import": self.gettext("import"),
        }
        return words.get(value, value)

    def integer(self, n: int) -> str:
        return format_decimal(n, locale=self.locale)

    # ------------------------------------------------------------------ quantities in units

    def quantity(self, value: float | None, unit: str, low: float | None = None,
                 high: float | None = None, sig: int = 2) -> Formatted:
        """``value`` (and the interval ``low``–``high``) in display unit ``unit`` as words of this language, with
        about ``sig`` significant digits on the smaller of the value and the interval's low end."""
        u = _split(unit)
        if value is None or not math.isfinite(value):
            return Formatted(DASH, DASH)
        smallest = min((abs(x) for x in (value, low) if x is not None and x != 0), default=0.0)
        if u.percent:
            d = decimals_for(smallest, sig)
            mid = self.percent(value / 100, d)
            if not _finite(low, high):
                return Formatted(mid, mid)
            assert low is not None and high is not None
            return Formatted(mid, f"{self.number(low, d)}{DASH}{self.percent(high / 100, d)}")
        base = value * u.scale
        shown, word = self._magnitude(abs(base))
        f = u.scale / shown
        if all(x is None or float(x * f).is_integer() for x in (value, low, high)):
            sig = 0  # whole numbers as such: 1 missile, not 1.0
        d = decimals_for(smallest * f, sig)
        noun = self._noun(u, base / shown if shown == 1 else 2.0)
        tail = NBSP.join(x for x in (word, noun) if x)
        mid = self._join(self.number(base / shown, d), tail)
        if not _finite(low, high):
            return Formatted(mid, mid)
        assert low is not None and high is not None
        return Formatted(mid, self._join(f"{self.number(low * f, d)}{DASH}{self.number(high * f, d)}", tail))

    def published(self, low: float | None, central: float | None, high: float | None, unit: str) -> str:
        """A published figure as its source gives it: a range, one value, "at least" or "up to" a value."""
        if low is not None and high is not None:
            q = self.quantity(central if central is not None else (low + high) / 2, unit, low, high)
            return q.interval if central is None else f"{q.mid} ({q.interval})"
        if central is not None:
            return self.quantity(central, unit).mid
        if low is not None:
            return self.gettext("at least %(value)s") % {"value": self.quantity(low, unit).mid}
        if high is not None:
            return self.gettext("up to %(value)s") % {"value": self.quantity(high, unit).mid}
        return DASH

    def unit(self, unit: str) -> str:
        """A display unit as an axis title: ``billion USD`` → "billion US dollars" / "Mrd. US-Dollar"."""
        u = _split(unit)
        if u.percent:
            return "%"
        return self._words(u, 2.0).replace(NBSP, " ") or "1"

    def _words(self, u: _Unit, n: float) -> str:
        """The scale word and the unit's noun for ``n`` of it: "billion US dollars" / "Mrd. US-Dollar"."""
        words = {1e3: self.gettext("thousand"), 1e6: self.gettext("million"), 1e9: self.gettext("billion"),
                 1e12: self.gettext("trillion")}
        return NBSP.join(x for x in (words.get(u.scale, ""), self._noun(u, n)) if x)

    def money(self, value: float, currency: str) -> str:
        """A stated money amount in base units, e.g. 52.9e6 USD → "52.9 million US dollars" (three digits)."""
        return self.quantity(value, currency, sig=3).mid

    def _join(self, number: str, tail: str) -> str:
        return f"{number}{NBSP}{tail}" if tail else number

    def _magnitude(self, value: float) -> tuple[float, str]:
        if value >= 1e12:
            return 1e12, self.gettext("trillion")
        if value >= 1e9:
            return 1e9, self.gettext("billion")
        if value >= 1e6:
            return 1e6, self.gettext("million")
        return 1.0, ""

    def _noun(self, u: _Unit, n: float) -> str:
        top = self._name(u.numerator, n) if u.numerator else ""
        pers = [self._per(p) for p in u.per]
        return " ".join(x for x in (top, *pers) if x)

    def _name(self, unit: str, n: float) -> str:
        if is_currency(unit):
            return get_currency_name(unit, count=1 if n == 1 else 2, locale=self.locale)
        try:
            dims = parse_unit(unit).dims
        except UnitError:
            return unit
        if len(dims) != 1 or dims[0][1] != 1:
            return unit
        return self._base_noun(dims[0][0], n) or unit

    def _base_noun(self, base: str, n: float) -> str:
        nouns = {
            "round": self.ngettext("round", "rounds", n),
            "container": self.ngettext("container", "containers", n),
            "missile": self.ngettext("missile", "missiles", n),
            "system": self.ngettext("system", "systems", n),
            "soldier": self.ngettext("soldier", "soldiers", n),
            "voyage": self.ngettext("voyage", "voyages", n),
            "event": self.ngettext("event", "events", n),
            "year": self.ngettext("year", "years", n),
        }
        return nouns.get(base, "")

    def _per(self, unit: str) -> str:
        word = unit.strip()
        if word in ("year", "yr", "a"):
            return self.gettext("a year")
        if word in ("month", "mo"):
            return self.gettext("a month")
        if word == "day":
            return self.gettext("a day")
        return self.gettext("per %(unit)s") % {"unit": self._name(word, 1)}


def _finite(*values: float | None) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


def decimals_for(value: float, sig: int = 2) -> int:
    """Decimals that show about ``sig`` significant digits: 5.3, 0.88, 22, 324 (never fewer than none)."""
    magnitude = abs(value)
    if magnitude == 0 or sig == 0 or not math.isfinite(magnitude):
        return 0
    return max(0, sig - 1 - math.floor(math.log10(magnitude)))


def round_sig(value: float, digits: int = 3) -> float:
    """``value`` rounded to ``digits`` significant digits when it has more integer digits than that."""
    if value == 0 or not math.isfinite(value):
        return value
    exponent = math.floor(math.log10(abs(value)))
    return round(value, -(exponent - digits + 1)) if exponent >= digits else value

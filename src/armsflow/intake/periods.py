"""Dates and periods in running text as ``Period``s: days, months, quarters, half-years, years, "since", ranges.

Only these patterns are read, each over its own span: dateparser's whole-sentence search invents dates from amounts
("5,5" became 5 May 2025; shared/research/web-screening-intake.md, Q4). "Since July 2023" runs to the document's
date; without one it stays the month it names, flagged. A bare four-digit year may still be a quantity
("2000 Soldaten"): the extraction rules decide that by what follows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from armsflow.evidence.period import Period, last_day
from armsflow.intake.lexicon import Lexicon, alternation

_YEAR = r"(19\d{2}|20\d{2})"


@dataclass(frozen=True)
class PeriodMention:
    """A period at ``start``..``end`` of a text, the rule that read it, and a flag when it is uncertain."""

    start: int
    end: int
    period: Period
    rule: str
    flag: str = ""
    bare_year: bool = False


def _month(year: int, month: int) -> Period:
    return Period.of(year, month, year, month)


def _day(year: int, month: int, day: int) -> Period | None:
    try:
        d = date(year, month, day)
    except ValueError:
        return None
    return Period(d, d)


def _atoms(text: str, lang: str, lex: Lexicon, today: date | None) -> list[PeriodMention]:
    months = lex.table("months", lang)
    words = lex.table("periods", lang)
    found: list[PeriodMention] = []

    def add(pattern: str, rule: str, make: object, flags: int = 0) -> None:
        for m in re.finditer(pattern, text, flags):
            period = make(m)  # type: ignore[operator]
            if period is not None:
                found.append(PeriodMention(m.start(), m.end(), period, rule, bare_year=rule == "period:year"))

    add(rf"(?<!\d){_YEAR}-(\d{{2}})-(\d{{2}})(?!\d)", "period:iso-day",
        lambda m: _day(int(m[1]), int(m[2]), int(m[3])))
    if lang == "de":
        add(rf"(?<![\d.])(\d{{1,2}})\.(\d{{1,2}})\.{_YEAR}(?!\d)", "period:day",
            lambda m: _day(int(m[3]), int(m[2]), int(m[1])))
    if months:
        mon = alternation(list(months))
        if lang == "de":
            add(rf"(?<!\d)(\d{{1,2}})\.\s?({mon})\s+{_YEAR}", "period:day",
                lambda m: _day(int(m[3]), months[m[2]], int(m[1])))
        else:
            add(rf"\b({mon})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}", "period:day",
                lambda m: _day(int(m[3]), months[m[1]], int(m[2])))
            add(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+({mon})\s+{_YEAR}", "period:day",
                lambda m: _day(int(m[3]), months[m[2]], int(m[1])))
        add(rf"(?<![\w.])({mon})\s+(?:of\s+)?{_YEAR}", "period:month", lambda m: _month(int(m[2]), months[m[1]]))
        if today is not None and lang == "de":
            add(rf"(?<!\d)(\d{{1,2}})\.\s?({mon})(?!\s+\d)", "period:day-of-document-year",
                lambda m: _day(today.year, months[m[2]], int(m[1])))
    if lang == "ko":
        add(rf"{_YEAR}년\s?(\d{{1,2}})월\s?(\d{{1,2}})일", "period:day",
            lambda m: _day(int(m[1]), int(m[2]), int(m[3])))
        add(rf"{_YEAR}년\s?(\d{{1,2}})월", "period:month",
            lambda m: _month(int(m[1]), int(m[2])) if 1 <= int(m[2]) <= 12 else None)
        if today is not None:
            add(r"(?<![\d년]\s)(?<!\d)(\d{1,2})월\s?(\d{1,2})일", "period:day-of-document-year",
                lambda m: _day(today.year, int(m[1]), int(m[2])))
        add(rf"{_YEAR}년\s?(상반기|하반기)", "period:half-year",
            lambda m: Period.of(int(m[1]), 1, int(m[1]), 6) if m[2] == "상반기" else Period.of(int(m[1]), 7,
                                                                                              int(m[1]), 12))
        add(rf"{_YEAR}년\s?([1-4])분기", "period:quarter",
            lambda m: Period.of(int(m[1]), 3 * int(m[2]) - 2, int(m[1]), 3 * int(m[2])))
        add(rf"{_YEAR}년\s?말", "period:end-of-year", lambda m: _month(int(m[1]), 12))
        add(rf"{_YEAR}년\s?초", "period:start-of-year", lambda m: _quarter(int(m[1]), 1))
        add(rf"{_YEAR}년\s?중반", "period:middle-of-year", lambda m: Period.of(int(m[1]), 6, int(m[1]), 7))
        add(rf"{_YEAR}년", "period:year", lambda m: Period.of(int(m[1]), 1, int(m[1]), 12))
    else:
        first, second = words.get("first_half", []), words.get("second_half", [])
        between = r"\s+(?:des\s+Jahres\s+|of\s+)?"
        if first:
            add(rf"\b(?:the\s+)?({alternation(first)}){between}{_YEAR}", "period:half-year",
                lambda m: Period.of(int(m[2]), 1, int(m[2]), 6), re.IGNORECASE)
            add(rf"\b(?:the\s+)?({alternation(second)}){between}{_YEAR}", "period:half-year",
                lambda m: Period.of(int(m[2]), 7, int(m[2]), 12), re.IGNORECASE)
        ordinals = words.get("ordinals", [])
        if ordinals and words.get("quarter"):
            add(rf"\b({alternation(ordinals)})\s+(?:{alternation(words['quarter'])}){between}{_YEAR}",
                "period:quarter", lambda m: _quarter(int(m[2]), ordinals.index(m[1].lower()) + 1), re.IGNORECASE)
        add(rf"\bH([12])\s?{_YEAR}", "period:half-year",
            lambda m: Period.of(int(m[2]), 6 * int(m[1]) - 5, int(m[2]), 6 * int(m[1])))
        add(rf"\bQ([1-4])\s?{_YEAR}", "period:quarter", lambda m: _quarter(int(m[2]), int(m[1])))
        if words.get("end_of"):
            add(rf"\b(?:{alternation(words['end_of'])})\s+{_YEAR}", "period:end-of-year",
                lambda m: _month(int(m[1]), 12), re.IGNORECASE)
        if words.get("start_of"):
            add(rf"\b(?:{alternation(words['start_of'])})\s*{_YEAR}", "period:start-of-year",
                lambda m: _quarter(int(m[1]), 1), re.IGNORECASE)
        if words.get("middle_of"):
            add(rf"\b(?:{alternation(words['middle_of'])})\s*{_YEAR}", "period:middle-of-year",
                lambda m: Period.of(int(m[1]), 6, int(m[1]), 7), re.IGNORECASE)
        add(rf"(?<![\w.,$€£]){_YEAR}(?![\w]|[.,]\d)", "period:year",
            lambda m: Period.of(int(m[1]), 1, int(m[1]), 12))
    if today is not None:
        for key, delta in (("last_year", 1), ("this_year", 0)):
            if words.get(key):
                add(rf"(?<![\w])({alternation(words[key])})(?![\w])", f"period:{key.replace('_', '-')}",
                    lambda m, d=delta: Period.of(today.year - d, 1, today.year - d, 12))
    return _longest(found)


def _quarter(year: int, q: int) -> Period:
    return Period.of(year, 3 * q - 2, year, 3 * q)


def _longest(found: list[PeriodMention]) -> list[PeriodMention]:
    """Non-overlapping mentions, longer ones first (a day over the year inside it)."""
    kept: list[PeriodMention] = []
    for m in sorted(found, key=lambda m: (m.start - m.end, m.start)):
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def find_periods(text: str, lang: str, lex: Lexicon, today: date | None) -> list[PeriodMention]:
    """Every date and period in ``text``; ranges and "since" joined; ``today`` is the document's date, if known."""
    atoms = _atoms(text, lang, lex, today)
    words = lex.table("periods", lang)
    joins = words.get("range_join", [])
    opens = words.get("range_open", [])
    since = words.get("since", [])
    out: list[PeriodMention] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        b = atoms[i + 1] if i + 1 < len(atoms) else None
        gap = text[a.end:b.start] if b else ""
        before = text[max(0, a.start - 20):a.start]
        joined = b is not None and joins and re.fullmatch(rf"\s*(?:{alternation(joins)})\s*", gap)
        if joined and b is not None and lang != "ko" and gap.strip().lower() in ("und", "and"):
            joined = bool(opens) and re.search(rf"(?:{alternation(opens)})\s+$", before, re.IGNORECASE) is not None
        if lang == "ko" and b is not None and re.fullmatch(r"\s*(?:부터|~|–|-)\s*", gap):
            joined = True
        if joined and b is not None and a.period.start <= b.period.end:
            out.append(PeriodMention(a.start, b.end + _ko_until(text, b.end), Period(a.period.start, b.period.end),
                                     "period:range"))
            i += 2
            continue
        after = text[a.end:a.end + 6]
        is_since = (lang != "ko" and since and re.search(rf"(?<![\w])(?:{alternation(since)})\s+(?:dem\s+|the\s+)?$",
                                                         before, re.IGNORECASE)) \
            or (lang == "ko" and re.match(r"\s?(?:이후|부터|이래)", after))
        if is_since:
            end = a.end + (len(re.match(r"\s?(?:이후|부터|이래)", after).group(0)) if lang == "ko" else 0)  # type: ignore[union-attr]
            if today is not None and today >= a.period.start:
                out.append(PeriodMention(a.start, end, Period(a.period.start, today), "period:since"))
            else:
                out.append(PeriodMention(a.start, end, a.period, "period:since",
                                         "open end: the document has no date, so the period ends with its start"))
        else:
            out.append(a)
        i += 1
    return out


def _ko_until(text: str, end: int) -> int:
    m = re.match(r"\s?까지", text[end:])
    return m.end() if m else 0


def month_end(period: Period) -> date:
    """The last day of the period's last month."""
    return last_day(*period.last)

"""Numbers in running text: digits read by the language's separators, Korean markers, spelled-out numbers, scales.

Every number says which rules read it and carries flags where the reading is uncertain: a German "13,000" is
thirteen by German rules, but a count written with three zeros after a decimal comma is far more likely an English
thirteen thousand, so that is how it is read, flagged either way (shared/research/web-screening-intake.md, Q4: babel
reads it as 13 and does not flag it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from armsflow.intake.lexicon import Lexicon, alternation

_DIGITS = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?![\d])(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
                     r"(?![\d])(?![.,]\d)")
_KO_PART = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)?\s?([천만억조])|(\d{1,3}(?:,\d{3})+|\d+)")
_KO_SMALL = {"천": 1e3}
_KO_BIG = {"만": 1e4, "억": 1e8, "조": 1e12}


@dataclass(frozen=True)
class Number:
    """A number at ``start``..``end`` of a text: ``value`` is the stated number times its scale."""

    start: int
    end: int
    value: float
    scale: str
    factor: float
    rules: tuple[str, ...]
    flags: tuple[str, ...] = ()
    #: Four bare digits from 1900 to 2100 without a scale: a year unless a unit follows.
    year_shaped: bool = False
    #: "hundreds of millions", "수억": at least ``value``, never more precise.
    vague: bool = False


def read_digits(text: str, lang: str) -> tuple[float, str, tuple[str, ...]]:
    """(value, rule, flags) of a run of digits and separators, read by the conventions of ``lang``."""
    for space in ("\u00a0", "\u202f", " "):
        if space in text:
            return float(text.replace(space, "").replace(",", ".")), "number:space-grouping", ()
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        group = "." if decimal == "," else ","
        flags = ("German separators in a non-German text",) if lang != "de" and decimal == "," else ()
        return float(text.replace(group, "").replace(decimal, ".")), "number:grouping-and-decimal", flags
    if not commas and not dots:
        return float(text), "number:digits", ()
    sep = "," if commas else "."
    head, _, tail = text.rpartition(sep)
    if (commas or dots) > 1:
        flags = ("English grouping in a German text",) if lang == "de" and sep == "," else ()
        return float(text.replace(sep, "")), "number:grouping", flags
    grouping_sep = "." if lang == "de" else ","
    if len(tail) == 3:
        if sep == grouping_sep:
            return float(head + tail), "number:grouping", ()
        if lang == "de" and tail == "000":
            return (float(head + tail), "number:de-comma-000-as-thousands",
                    (f"ambiguous: {text!r} is {head} by German rules; read as thousands, since a German decimal "
                     "is not written with three zeros",))
        if lang == "de":
            return (float(f"{head}.{tail}"), "number:de-decimal-comma",
                    (f"ambiguous: {text!r} read as the German decimal {head}.{tail}; in English notation it would "
                     f"be {head}{tail}",))
        return float(f"{head}.{tail}"), "number:decimal-point", ()
    if sep == grouping_sep:
        flags = (f"{sep!r} as the decimal separator in a {lang or 'non-German'} text",)
        return float(f"{head}.{tail}"), "number:decimal", flags
    return float(f"{head}.{tail}"), "number:decimal", ()


def read_korean(text: str) -> float:
    """The value of a number written with Korean markers: ``1만3000`` = 13000, ``2천억`` = 2e11, ``8조`` = 8e12."""
    total = chunk = 0.0
    for m in _KO_PART.finditer(text):
        digits, marker, bare = m.group(1), m.group(2), m.group(3)
        if bare is not None:
            chunk += float(bare.replace(",", ""))
            continue
        number = float(digits.replace(",", "")) if digits else 0.0
        if marker in _KO_SMALL:
            chunk += (number or 1.0) * _KO_SMALL[marker]
        else:
            total += (chunk + number or 1.0) * _KO_BIG[marker]
            chunk = 0.0
    return total + chunk


@cache
def _patterns(scale_words: tuple[str, ...], spelled: tuple[str, ...]) -> tuple[
        re.Pattern[str], re.Pattern[str] | None]:
    scale = re.compile(rf"^\s?({alternation(list(scale_words))})(?![\w])") if scale_words else re.compile(r"^(?!)")
    words = re.compile(rf"(?<![\w])({alternation(list(spelled))})(?![\w])", re.IGNORECASE) if spelled else None
    return scale, words


_KO_NUMBER = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?[천만억조]"
                        r"(?:\s?(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)?[천만억조])*(?:\d+(?![.,]?\d))?")


def find_numbers(text: str, lang: str, lex: Lexicon) -> list[Number]:
    """Every number in ``text`` with its scale, in order of position."""
    scales = {**lex.table("scale", lang)}
    spelled = {k.lower(): v for k, v in lex.table("spelled", lang).items()}
    scale_re, spelled_re = _patterns(tuple(scales), tuple(spelled))
    found: list[Number] = []
    taken: list[tuple[int, int]] = []
    for m in _KO_NUMBER.finditer(text):
        value = read_korean(m.group(0))
        marker = max((c for c in m.group(0) if c in _KO_BIG or c in _KO_SMALL),
                     key=lambda c: _KO_BIG.get(c, _KO_SMALL.get(c, 0)))
        found.append(Number(m.start(), m.end(), value, marker, _KO_BIG.get(marker, 1e3),
                            ("number:korean-markers",)))
        taken.append((m.start(), m.end()))
    for m in _DIGITS.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        value, rule, flags = read_digits(m.group(1), lang)
        end, scale, factor, rules = m.end(), "", 1.0, [rule]
        s = scale_re.match(text[end:])
        if s:
            scale, factor = s.group(1), float(scales[s.group(1)])
            end += s.end()
            rules.append(f"scale:{lang}")
        elif lang != "ko" and text[end:end + 1].isalpha():
            continue  # "170mm", "KN-23A": a measurement or a name, not a quantity
        year = (scale == "" and len(m.group(1)) == 4 and m.group(1).isdigit() and 1900 <= value <= 2100)
        found.append(Number(m.start(), end, value * factor, scale, factor, tuple(rules), flags, year))
    vague = {k.lower(): float(v) for k, v in lex.table("vague", lang).items()}
    if vague:
        for m in re.finditer(rf"(?<![\w])({alternation(list(vague))})", text, re.IGNORECASE):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            least = vague[m.group(1).lower()]
            found.append(Number(m.start(), m.end(), least, m.group(1), 1.0, ("number:vague",),
                                 (f"vague: {m.group(1)!r} read as at least {least:,.0f}",), vague=True))
            taken.append((m.start(), m.end()))
    if spelled_re is not None:
        for m in spelled_re.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            value = float(spelled[m.group(1).lower()])
            end = m.end()
            s = scale_re.match(text[end:])
            if s:
                factor = float(scales[s.group(1)])
                found.append(Number(m.start(), end + s.end(), value * factor, s.group(1), factor,
                                    ("number:spelled", f"scale:{lang}")))
            elif value != 1 and not (lang == "ko" and not text[end:end + 1].isspace()):
                found.append(Number(m.start(), end, value, "", 1.0, ("number:spelled",)))
    return sorted(found, key=lambda n: n.start)

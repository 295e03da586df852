"""Names as the matcher compares them: one spelling of each company form, prefix, abbreviation and romanisation.

``normalise("M/V Chon Ma San Shipping Co., Ltd.")`` gives the tokens ``chon ma san shipping``; its ``compact`` form
``chonmasanshipping`` is what makes ``Chonmasan`` and ``CHON MA SAN`` the same name. The word tables live in
``names.toml`` beside this module, each with where it comes from.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

_SPLIT = re.compile(r"[^0-9a-z]+")
_APOSTROPHES = re.compile(r"['’‘`´]")
_BRACKETS = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class Words:
    """The word tables of ``names.toml``."""

    company_forms: frozenset[str]
    vessel_prefixes: tuple[tuple[str, ...], ...]
    rewrite: dict[str, str]
    flags: dict[str, str]


@cache
def words() -> Words:
    data = tomllib.loads(resources.files("armsflow.screen").joinpath("names.toml").read_text("utf-8"))
    rewrite = {**data["abbreviations"], **data["romanisation"], **data["numerals"]}
    prefixes = tuple(sorted((tuple(p.split()) for p in data["vessel_prefixes"]["prefixes"]), key=len, reverse=True))
    return Words(frozenset(data["company_forms"]["words"]), prefixes, rewrite, data["flags"])


@dataclass(frozen=True)
class NormName:
    """A name's normalised tokens, those joined by spaces (``text``) and without them (``compact``)."""

    tokens: tuple[str, ...]
    text: str
    compact: str
    numbers: frozenset[str]


def fold(text: str) -> str:
    """Lower case without accents, apostrophes or punctuation (``People's`` → ``peoples``), one space between words."""
    if text.isascii():  # most list names: no accents to strip
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _APOSTROPHES.sub("", text.replace("&", " and "))
    return " ".join(_SPLIT.split(text)).strip()


def normalise(name: str) -> NormName:
    """The normalised form of one name (see the module docstring)."""
    w = words()
    tokens = fold(name).split()
    for prefix in w.vessel_prefixes:
        if len(tokens) > len(prefix) and tuple(tokens[: len(prefix)]) == prefix:
            tokens = tokens[len(prefix):]
            break
    tokens = [w.rewrite.get(t, t) for t in tokens]
    kept = [t for t in tokens if t not in w.company_forms]
    tokens = kept or tokens
    return NormName(tuple(tokens), " ".join(tokens), "".join(tokens), frozenset(t for t in tokens if t.isdigit()))


def name_variants(name: str) -> list[str]:
    """A name as written, and split at brackets: ``PROPAGANDA AND AGITATION DEPARTMENT (PAD)`` also gives ``PAD``
    and the name without it, since lists write acronyms and former names in brackets."""
    name = " ".join(name.split())
    if not name:
        return []
    out = [name]
    inner = [m.strip() for m in _BRACKETS.findall(name) if m.strip()]
    if inner:
        outer = " ".join(_BRACKETS.sub(" ", name).split())
        out += [n for n in [outer, *inner] if n and n not in out]
    return out


def flag_code(flag: str) -> str:
    """A flag as an ISO alpha-2 code where ``names.toml`` knows the country, else its folded text."""
    folded = fold(flag)
    if len(folded) == 2:
        return folded
    return words().flags.get(folded, folded)

"""The intake lexicon: scale words, spelled numbers, units, hedges, rates, ranges and period words per language.

The words live in ``intake/data/lexicon.toml`` (with their sources); a study adds its own in
``STUDY/intake/lexicon.toml``, in the same format. This module only loads, merges and indexes them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from armsflow.errors import InputError, Problem

LANGUAGES = ("de", "en", "ko")
KINDS = ("estimate", "lower_bound", "upper_bound", "approximate")


@dataclass(frozen=True)
class Lexicon:
    """The merged tables, as read from TOML (``data``), with the unit words indexed per language."""

    data: dict[str, Any]
    #: language -> [(word, unit)], longest word first, so that "US dollars" wins over "dollars".
    unit_words: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: [(prefix, unit)], longest first ("US$" before "$").
    prefixes: list[tuple[str, str]] = field(default_factory=list)

    def table(self, name: str, lang: str) -> dict[str, Any]:
        value = self.data.get(name, {}).get(lang, {})
        return value if isinstance(value, dict) else {}

    def words(self, name: str, lang: str, key: str) -> list[str]:
        """A word list, longest first (so that alternations prefer "mehr als" to "mehr")."""
        return sorted(self.table(name, lang).get(key, []), key=len, reverse=True)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = list(dict.fromkeys([*value, *out[key]]))
        else:
            out[key] = value
    return out


def _index(data: dict[str, Any]) -> Lexicon:
    unit_words: dict[str, list[tuple[str, str]]] = {lang: [] for lang in LANGUAGES}
    prefixes: list[tuple[str, str]] = []
    for unit, words in data.get("units", {}).items():
        for lang in LANGUAGES:
            unit_words[lang] += [(w, unit) for w in words.get(lang, [])]
        prefixes += [(w, unit) for w in words.get("prefix", [])]
    for lang in LANGUAGES:
        unit_words[lang].sort(key=lambda p: len(p[0]), reverse=True)
    prefixes.sort(key=lambda p: len(p[0]), reverse=True)
    return Lexicon(data, unit_words, prefixes)


@cache
def _default() -> dict[str, Any]:
    text = resources.files("armsflow.intake").joinpath("data/lexicon.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_lexicon(study_folder: Path | None = None) -> Lexicon:
    """The shipped lexicon, extended by ``STUDY/intake/lexicon.toml`` when the study has one."""
    data = _default()
    if study_folder is not None:
        extra = study_folder / "intake" / "lexicon.toml"
        if extra.is_file():
            try:
                data = _merge(data, tomllib.loads(extra.read_text(encoding="utf-8")))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise InputError([Problem(str(extra), 0, "", f"not a readable TOML file: {exc}")]) from None
    return _index(data)


def alternation(words: list[str]) -> str:
    """A regex alternation of ``words``, longest first, each escaped."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

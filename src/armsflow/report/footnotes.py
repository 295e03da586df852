"""Numbered footnotes: each figure in the text points to one note listing the claims, prices, sources and own
assumptions behind it. Notes are numbered in order of first use; the same set of references reuses its number."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Note:
    number: int
    refs: tuple[str, ...]  # claim, price or source ids
    assumptions: tuple[str, ...]  # variable names whose own assumption the figure rests on


@dataclass
class Notes:
    """The registry one rendering fills; the notes section at the end of the report lists ``notes``."""

    notes: list[Note] = field(default_factory=list)
    _by_key: dict[tuple[tuple[str, ...], tuple[str, ...]], Note] = field(default_factory=dict)

    def add(self, refs: Iterable[str], assumptions: Iterable[str] = ()) -> Note:
        """The note for this set of references (a new number the first time it is seen)."""
        key = (tuple(dict.fromkeys(refs)), tuple(dict.fromkeys(assumptions)))
        if not key[0] and not key[1]:
            raise ValueError("a footnote needs at least one reference or assumption")
        found = self._by_key.get(key)
        if found is None:
            found = Note(len(self.notes) + 1, *key)
            self.notes.append(found)
            self._by_key[key] = found
        return found


def anchor(kind: str, ident: str) -> str:
    """A fragment id safe in HTML for a claim, price, source or assumption id (which may hold any text)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else f"~{ord(ch):x}" for ch in ident)
    return f"{kind}-{safe}"

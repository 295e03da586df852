"""A document as intake reads it: its text, its paragraphs (with page and language) and what it says about itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Paragraph:
    """Characters ``start``..``end`` of the document's text, on ``page`` (PDF, from 1; else 0), in ``language``."""

    start: int
    end: int
    page: int
    language: str


@dataclass(frozen=True)
class Metadata:
    """What a document says about itself: enough to propose a row of sources.csv."""

    title: str = ""
    publisher: str = ""
    url: str = ""
    published: date | None = None
    language: str = ""


@dataclass(frozen=True)
class Document:
    """A read document. Every offset of intake points into ``text``: for a text file its decoded characters, for
    HTML the main text as extracted, for a PDF its pages' text layers joined by blank lines."""

    path: str
    kind: str
    sha256: str
    text: str
    paragraphs: tuple[Paragraph, ...]
    metadata: Metadata


_BLANK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def split_paragraphs(text: str, start: int = 0, end: int | None = None, page: int = 0) -> list[tuple[int, int, int]]:
    """(start, end, page) of the paragraphs of ``text[start:end]``: runs of text between blank lines, trimmed."""
    end = len(text) if end is None else end
    out = []
    pos = start
    for m in _BLANK.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return [(a, b, page) for a, b in trimmed(text, out)]


def trimmed(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans with the white space at their ends cut off, empty ones dropped."""
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out

"""Plain text: paragraphs between blank lines; an optional header of ``Key: value`` lines names the document."""

from __future__ import annotations

import re

from armsflow.intake.document import Metadata, split_paragraphs

#: Header keys, in English and German: ``Title: …`` up to the first blank line, if every line there is one of them.
_KEYS = {"title": "title", "titel": "title", "publisher": "publisher", "herausgeber": "publisher",
         "url": "url", "date": "published", "datum": "published", "published": "published",
         "language": "language", "sprache": "language"}
_HEADER = re.compile(r"^([A-Za-z]+):[ \t]*(.*?)[ \t]*$")


def read_text(text: str) -> tuple[str, list[tuple[int, int, int]], Metadata]:
    """(text, paragraph spans, metadata) of a plain-text document; offsets are into ``text`` itself."""
    from armsflow.intake.readers import parse_day

    fields: dict[str, str] = {}
    body = 0
    block = text.split("\n\n", 1)[0] if text.strip() else ""
    lines = [ln for ln in block.splitlines() if ln.strip()]
    matches = [_HEADER.match(ln) for ln in lines]
    if lines and all(m and m.group(1).lower() in _KEYS for m in matches):
        for m in matches:
            assert m is not None
            fields[_KEYS[m.group(1).lower()]] = m.group(2)
        body = len(block)
    meta = Metadata(fields.get("title", ""), fields.get("publisher", ""), fields.get("url", ""),
                    parse_day(fields.get("published", "")), fields.get("language", "")[:2].lower())
    return text, split_paragraphs(text, body), meta

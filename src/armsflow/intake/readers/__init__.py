"""Readers: a text, HTML or PDF file into a ``Document`` whose offsets every candidate points into.

Each reader checks the size before reading and refuses what it cannot read as text with a one-line ``InputError``.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from datetime import date
from pathlib import Path

from armsflow.errors import InputError, Problem
from armsflow.intake.document import Document, Metadata, Paragraph
from armsflow.intake.language import detect_all
from armsflow.intake.lexicon import Lexicon, load_lexicon

#: Larger documents are refused before they are read: a 50-page report is a few MB; 50 MiB is the study files' limit.
MAX_BYTES = 50 * 1024 * 1024
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def read_document(path: str | Path, lexicon: Lexicon | None = None) -> Document:
    """Read a text, HTML or PDF file (by its first bytes and its suffix) into a ``Document``."""
    file = Path(path)
    name = str(path)
    try:
        size = file.stat().st_size
    except OSError as exc:
        raise InputError([Problem(name, 0, "", exc.strerror or "cannot be read")]) from None
    if not file.is_file():
        raise InputError([Problem(name, 0, "", "not a file")])
    if size > MAX_BYTES:
        raise InputError([Problem(name, 0, "", f"larger than {MAX_BYTES // 2**20} MiB: not read")])
    if size == 0:
        raise InputError([Problem(name, 0, "", "empty document")])
    data = file.read_bytes()
    lex = lexicon or load_lexicon()
    if data.startswith(b"%PDF-"):
        from armsflow.intake.readers.pdf import read_pdf

        text, spans, meta = read_pdf(name, data)
        kind = "pdf"
    else:
        decoded = _decode(name, data)
        if file.suffix.lower() in _HTML_SUFFIXES or decoded.lstrip()[:200].lower().startswith(("<!doctype html",
                                                                                                "<html")):
            from armsflow.intake.readers.html import read_html

            text, spans, meta = read_html(decoded)
            kind = "html"
        else:
            from armsflow.intake.readers.text import read_text

            text, spans, meta = read_text(decoded)
            kind = "text"
    if not spans:
        raise InputError([Problem(name, 0, "", "empty document: no text")])
    langs = detect_all([text[a:b] for a, b, _ in spans], lex, meta.language or "en")
    paragraphs = tuple(Paragraph(a, b, page, lang) for (a, b, page), lang in zip(spans, langs, strict=True))
    if not meta.language:
        meta = _with_language(meta, langs)
    return Document(name, kind, hashlib.sha256(data).hexdigest(), text, paragraphs, meta)


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def _decode(name: str, data: bytes) -> str:
    """UTF-8 text, or an HTML page in the charset its ``<meta>`` declares (Korean pages still use EUC-KR)."""
    if b"\0" in data[:8192]:
        raise InputError([Problem(name, 0, "", "a binary file, not a text, HTML or PDF document")])
    declared = _CHARSET.search(data[:4096])
    codec = declared.group(1).decode("ascii").lower() if declared else "utf-8-sig"
    try:
        codecs.lookup(codec)
    except LookupError:
        raise InputError([Problem(name, 0, "", f"unknown charset {codec!r}")]) from None
    try:
        return data.decode("utf-8-sig" if codec in ("utf-8", "utf8") else codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        what = "UTF-8" if codec == "utf-8-sig" else codec
        raise InputError([Problem(name, line, "", f"not {what} text (a binary file?)")]) from None


def _with_language(meta: Metadata, langs: list[str]) -> Metadata:
    majority = max(sorted(set(langs)), key=langs.count)
    return Metadata(meta.title, meta.publisher, meta.url, meta.published, majority)


def parse_day(text: str) -> date | None:
    """The day an ISO date or timestamp (``2024-10-28``, ``2024-10-28T09:00:00+02:00``) starts with, if any."""
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None

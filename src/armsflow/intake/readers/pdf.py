"""PDF: the text layer of each page (PDFium, through pypdfium2), pages joined by blank lines, each paragraph knowing
its page. PDFium rather than pypdf: 0.3 s against 4.9 s for the 50 pages of bench/bench_intake.py."""

from __future__ import annotations

import re
from datetime import date

from armsflow.errors import InputError, MissingExtraError, Problem
from armsflow.intake.document import Metadata, split_paragraphs

_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})(\d{2})")
#: PDFium marks soft hyphens and line-end hyphens with these; they are not text.
_NOT_TEXT = str.maketrans({"\ufffe": None, "\x02": None, "\r": None})


def read_pdf(name: str, data: bytes) -> tuple[str, list[tuple[int, int, int]], Metadata]:
    """(text, paragraph spans with pages, metadata) of a PDF; ``InputError`` when it has no readable text layer."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        raise MissingExtraError("intake", "Evidence intake from PDF") from None
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise InputError([Problem(name, 0, "", "encrypted PDF: no text layer can be read without its "
                                                   "password")]) from None
        raise InputError([Problem(name, 0, "", f"not a readable PDF: {exc}")]) from None
    try:
        pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range().translate(_NOT_TEXT))
            textpage.close()
            page.close()
        info = pdf.get_metadata_dict()
    finally:
        pdf.close()
    if not any(p.strip() for p in pages):
        raise InputError([Problem(name, 0, "", "no text layer (a scanned or image-only PDF?): run OCR first")])
    text = "\n\n".join(pages)
    spans: list[tuple[int, int, int]] = []
    start = 0
    for number, part in enumerate(pages, start=1):
        spans += [(a + start, b + start, number) for a, b, _ in split_paragraphs(part, page=number)]
        start += len(part) + 2
    published = None
    m = _PDF_DATE.match(info.get("CreationDate", ""))
    if m:
        try:
            published = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            published = None
    return text, spans, Metadata(info.get("Title", ""), info.get("Author", ""), "", published, "")

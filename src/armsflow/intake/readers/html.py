"""HTML: the main text and the page's metadata, read with the standard library's parser.

Nothing is executed or fetched: script, style, template and the page's navigation, header, footer and asides are
dropped with their content, so that no script text can reach a candidate; entities are decoded to plain text, which
every output escapes. Offsets are into the extracted text (blocks separated by blank lines).

trafilatura would also drop boilerplate, but it reports no offsets and brings 15 packages (lxml and dateparser
among them); the pages intake reads (press releases, news articles) carry their text in ``<p>`` and heading blocks.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from armsflow.intake.document import Metadata, split_paragraphs

_SKIP = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg", "iframe",
         "button", "select", "head", "object", "embed", "canvas"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "td", "th", "tr", "table", "blockquote",
          "article", "section", "main", "br", "figcaption", "dd", "dt", "pre", "hr", "title"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "source", "wbr", "area", "base", "col", "embed", "param",
         "track"}
#: Blocks whose class or id says they are not the article: their numbers are other stories' or the site's.
_BOILERPLATE = re.compile(r"(?:^|[\s_-])(?:cookie|consent|related|recommend|share|social|comment|advert|ad|promo|"
                          r"newsletter|sidebar|menu|breadcrumb|footer|header|nav|subscribe|banner|popup)s?(?:$|[\s_-])",
                          re.I)


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        #: The open elements of a dropped block, so that it ends where its root ends even when inner tags are left
        #: open (``<div class="related"><p>a<p>b</div>``), as a browser would close them.
        self.skipping: list[str] = []
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self.in_title = False
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "html":
            self.lang = values.get("lang", "")[:2].lower()
        elif tag == "meta":
            key = (values.get("property") or values.get("name") or values.get("itemprop") or "").lower()
            if key and "content" in values:
                self.meta.setdefault(key, values["content"])
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.meta.setdefault("canonical", values.get("href", ""))
        elif tag == "time" and values.get("datetime"):
            self.meta.setdefault("time", values["datetime"])
        if tag == "title":
            self.in_title = True
        if tag not in _VOID and (self.skipping or tag in _SKIP
                                 or _BOILERPLATE.search(f"{values.get('class', '')} {values.get('id', '')}")):
            self.skipping.append(tag)
        if tag in _BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in self.skipping:
            while self.skipping.pop() != tag:
                pass
        if tag in _BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if not self.skipping:
            self.current.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []


def read_html(markup: str) -> tuple[str, list[tuple[int, int, int]], Metadata]:
    """(main text, paragraph spans, metadata) of an HTML page."""
    from armsflow.intake.readers import parse_day

    parser = _Extractor()
    parser.feed(markup)
    parser.close()
    parser._flush()
    m = parser.meta
    title = m.get("og:title") or " ".join("".join(parser.title).split())
    published = (m.get("article:published_time") or m.get("datepublished") or m.get("date") or m.get("dc.date")
                 or m.get("time") or "")
    url = m.get("og:url") or m.get("canonical") or ""
    meta = Metadata(title, m.get("og:site_name") or m.get("publisher") or m.get("author") or "",
                    url if url.lower().startswith(("http://", "https://")) else "", parse_day(published),
                    parser.lang if parser.lang in ("de", "en", "ko") else "")
    text = "\n\n".join(parser.blocks)
    return text, split_paragraphs(text), meta

"""What the format readers share: XML parsed safely with line numbers, dates as lists write them, bad-file errors."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime

from armsflow.errors import InputError, Problem


def bad(file: str, line: int, message: str, field: str = "") -> InputError:
    """A file that cannot be read: one problem, with its place."""
    return InputError([Problem(file, line, field, message)])


class _LineBuilder(ET.TreeBuilder):
    """Builds elements that remember the line they start on (as ``line``), since a Problem needs it."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: ET.XMLParser | None = None
        self.lines: dict[int, int] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element


class XmlDoc:
    """A parsed XML file whose element names have lost their namespaces, with each element's line."""

    def __init__(self, root: ET.Element, lines: dict[int, int]) -> None:
        self.root = root
        self._lines = lines

    def line(self, element: ET.Element) -> int:
        return self._lines.get(id(element), 0)


def parse_xml(file: str, data: bytes) -> XmlDoc:
    """Parse ``data`` with defusedxml: entity declarations (billion laughs) and external entities and DTD fetches are
    refused with an ``InputError`` naming the line, as is malformed XML."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        line = parser.parser.CurrentLineNumber
        raise bad(file, line, f"refused: the XML declares entities or external references ({type(exc).__name__}); "
                              "a list file never needs them") from None
    except ET.ParseError as exc:
        raise bad(file, exc.position[0], f"malformed XML: {exc.msg if hasattr(exc, 'msg') else exc}") from None
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.rsplit("}", 1)[1]
    return XmlDoc(root, builder.lines)


def text(element: ET.Element | None, path: str = "") -> str:
    """The stripped text of ``element`` (or of its child at ``path``), empty when missing."""
    if element is None:
        return ""
    found = element.find(path) if path else element
    return " ".join((found.text or "").split()) if found is not None else ""


_DATE_FORMATS = ("%Y-%m-%d", "%d-%b-%y", "%d-%b-%Y", "%m/%d/%Y", "%d %B %Y", "%d %b %Y", "%Y%m%d")


def parse_date(value: str) -> date | None:
    """A date as the lists write it (``2017-09-11``, ``03-Oct-17``, ``12/27/2018``, ISO timestamps), else None."""
    value = value.strip()
    if not value:
        return None
    iso = re.match(r"(\d{4}-\d{2}-\d{2})", value)
    if iso:
        try:
            return date.fromisoformat(iso.group(1))
        except ValueError:
            return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None

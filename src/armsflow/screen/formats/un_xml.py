"""The UN Security Council consolidated list (``consolidated.xml``): its entities and individuals.

Element names as the published file uses them (``CONSOLIDATED_LIST/ENTITIES/ENTITY``, ``REFERENCE_NUMBER``,
``UN_LIST_TYPE``, ``ENTITY_ALIAS/ALIAS_NAME`` with its ``QUALITY``). The real file has stray leading and trailing
spaces, empty alias elements, and alias fields holding several names separated by "; ": all three are read here.
Ships are not in this file: the 1718 Committee lists them separately (``un_vessels``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from armsflow.screen.formats.common import XmlDoc, parse_date, text
from armsflow.screen.records import Entry, ListName, Parsed

FORMAT = "un-consolidated-xml"
LIST_KEY = "un-sc-consolidated"
AUTHORITY = "UN Security Council"
#: The UN's alias qualities, read as the matcher's: "Low" aliases are weak, "f.k.a." are former names.
_QUALITY = {"good": "alias", "a.k.a.": "alias", "low": "weak", "f.k.a.": "previous", "fka": "previous"}


def sniff(root_tag: str) -> bool:
    return root_tag == "CONSOLIDATED_LIST"


def read(file: str, doc: XmlDoc) -> Parsed:
    root = doc.root
    parsed = Parsed(file, FORMAT, LIST_KEY, AUTHORITY, parse_date(root.get("dateGenerated", "")))
    for element in root.iter("ENTITY"):
        parsed.add(_entry(element, doc, "company", "ENTITY_ALIAS"))
    for element in root.iter("INDIVIDUAL"):
        parsed.add(_entry(element, doc, "person", "INDIVIDUAL_ALIAS"))
    return parsed


def _entry(element: ET.Element, doc: XmlDoc, kind: str, alias_tag: str) -> Entry:
    parts = [text(element, p) for p in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    names = [ListName(" ".join(p for p in parts if p), "primary")]
    original = text(element, "NAME_ORIGINAL_SCRIPT")
    if original:
        names.append(ListName(original, "alias"))
    for alias in element.iter(alias_tag):
        quality = _QUALITY.get(text(alias, "QUALITY").casefold(), "alias")
        for name in text(alias, "ALIAS_NAME").split(";"):
            names.append(ListName(name.strip(), quality))
    program = text(element, "UN_LIST_TYPE")
    return Entry(kind=kind, ref=text(element, "REFERENCE_NUMBER"), names=names,
                 listed_on=parse_date(text(element, "LISTED_ON")), programs=(program,) if program else (),
                 line=doc.line(element))

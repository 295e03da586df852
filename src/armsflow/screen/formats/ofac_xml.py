"""OFAC's SDN list as XML (``sdn.xml``): vessels with their IMO numbers, entities and individuals.

``sdnList/sdnEntry`` with ``uid``, ``lastName``, ``sdnType``, ``programList/program``, ``akaList/aka``,
``idList/id`` (``idType`` "Vessel Registration Identification" holds the IMO number, as ``IMO 7406784`` or bare)
and ``vesselInfo``. The header element is ``publshInformation``, OFAC's own spelling. Newer exports carry a default
namespace, which the reader drops, so both read alike.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from armsflow.screen.formats.common import XmlDoc, parse_date, text
from armsflow.screen.imo import parse_imo
from armsflow.screen.records import Entry, ListName, Parsed

FORMAT = "ofac-sdn-xml"
LIST_KEY = "ofac-sdn"
AUTHORITY = "US Treasury OFAC"
KIND = {"vessel": "vessel", "entity": "company", "individual": "person"}
_AKA = {"strong": "alias", "weak": "weak"}


def sniff(root_tag: str) -> bool:
    return root_tag == "sdnList"


def read(file: str, doc: XmlDoc) -> Parsed:
    published = parse_date(text(doc.root.find("publshInformation"), "Publish_Date"))
    parsed = Parsed(file, FORMAT, LIST_KEY, AUTHORITY, published)
    for element in doc.root.iter("sdnEntry"):
        parsed.add(_entry(element, doc))
    return parsed


def _entry(element: ET.Element, doc: XmlDoc) -> Entry:
    kind = KIND.get(text(element, "sdnType").casefold(), "other")
    first, last = text(element, "firstName"), text(element, "lastName")
    names = [ListName(f"{first} {last}".strip() if kind == "person" else last or first, "primary")]
    for aka in element.iter("aka"):
        aka_name = " ".join(p for p in (text(aka, "firstName"), text(aka, "lastName")) if p)
        quality = "previous" if text(aka, "type").casefold() == "f.k.a." else _AKA.get(
            text(aka, "category").casefold(), "alias")
        names.append(ListName(aka_name, quality))
    imo = None
    mmsi = ""
    for ident in element.iter("id"):
        id_type = text(ident, "idType").casefold()
        if id_type == "vessel registration identification" or id_type.startswith("imo"):
            imo = imo or parse_imo(text(ident, "idNumber"))
        elif id_type == "mmsi":
            mmsi = text(ident, "idNumber")
    vessel = element.find("vesselInfo")
    return Entry(kind=kind, ref=text(element, "uid"), names=names,
                 programs=tuple(text(p) for p in element.iter("program") if text(p)), imo=imo, mmsi=mmsi,
                 flag=text(vessel, "vesselFlag"), vessel_type=text(vessel, "vesselType"),
                 owner=text(vessel, "vesselOwner"), line=doc.line(element))

"""The 1718 Committee's designated-vessels list, as a CSV transcription of the UN's PDF.

Columns as OpenSanctions' transcription names them: ``vessel_name, imo_number, mmsi, flag, call_sign, type,
date_of_designation`` (``03-Oct-17``), ``designated_owner``, ``other_information``, plus a ``#`` column and one
column per resolution paragraph, which are ignored. A cell with several values reads ``1: PETREL 8 2: HAO FAN 6``:
a ship's names after the first are read as former names, its other flags and IMO numbers are ignored.
"""

from __future__ import annotations

import re

from armsflow.screen.formats.common import parse_date
from armsflow.screen.imo import parse_imo
from armsflow.screen.records import Entry, ListName, Parsed

FORMAT = "un-1718-vessels-csv"
LIST_KEY = "un-1718-vessels"
AUTHORITY = "UN Security Council 1718 Committee"
REQUIRED = ("vessel_name", "imo_number")
_NUMBERED = re.compile(r"(?:^|\s)\d+\s*:\s*")


def sniff(header: list[str]) -> bool:
    return all(c in header for c in REQUIRED)


def values(cell: str) -> list[str]:
    """The values of a cell, split where it numbers them (``1: A 2: B``)."""
    parts = [p.strip() for p in _NUMBERED.split(cell)]
    return [p for p in parts if p]


def read(file: str, header: list[str], rows: list[tuple[int, list[str]]]) -> Parsed:
    parsed = Parsed(file, FORMAT, LIST_KEY, AUTHORITY, None)
    for line, record in rows:
        row = dict(zip(header, (v.strip() for v in record), strict=False))
        names = values(row.get("vessel_name", ""))
        first = values(row.get("imo_number", ""))
        flag = values(row.get("flag", ""))
        owner = values(row.get("designated_owner", ""))
        parsed.add(Entry(
            kind="vessel", ref=row.get("#", "") or (first[0] if first else ""),
            names=[ListName(n, "primary" if i == 0 else "previous") for i, n in enumerate(names)],
            listed_on=parse_date(row.get("date_of_designation", "")), programs=("DPRK",),
            imo=parse_imo(first[0]) if first else None, mmsi=(values(row.get("mmsi", "")) or [""])[0],
            flag=flag[0] if flag else "", vessel_type=row.get("type", ""), owner=owner[0] if owner else "",
            line=line))
    return parsed

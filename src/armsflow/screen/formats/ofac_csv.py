"""OFAC's SDN list as the header-less ``SDN.CSV``, with its companion ``ALT.CSV`` of other names.

SDN.CSV has 12 columns: ``ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT,
Vess_flag, Vess_owner, Remarks``; ``-0-`` stands for empty, several programs read ``IRAN] [IFSR``, and a ship's
IMO number appears only in the remarks (``Vessel Registration Identification IMO 9187629;``). ALT.CSV has 5:
``ent_num, alt_num, alt_type (aka, fka, nka), alt_name, alt_remarks``; it names entries of SDN.CSV, so it is read
together with the SDN.CSV of the same load.
"""

from __future__ import annotations

import re

from armsflow.errors import Problem
from armsflow.screen.imo import imo_in_remarks
from armsflow.screen.records import Entry, ListName, Parsed

FORMAT = "ofac-sdn-csv"
ALT_FORMAT = "ofac-alt-csv"
LIST_KEY = "ofac-sdn"
AUTHORITY = "US Treasury OFAC"
SDN_COLUMNS = 12
ALT_COLUMNS = 5
_TYPES = {"individual": "person", "vessel": "vessel", "aircraft": "other", "-0-": "company", "": "company"}
_ALT_TYPES = {"aka": "alias", "fka": "previous", "nka": "alias"}
_MMSI = re.compile(r"MMSI\s*(\d{9})", re.IGNORECASE)


def _value(cell: str) -> str:
    cell = cell.strip()
    return "" if cell == "-0-" else cell


def sniff_sdn(first: list[str]) -> bool:
    return len(first) == SDN_COLUMNS and first[0].strip().isdigit() and first[2].strip().casefold() in _TYPES


def sniff_alt(first: list[str]) -> bool:
    return (len(first) == ALT_COLUMNS and first[0].strip().isdigit() and first[1].strip().isdigit()
            and first[2].strip().casefold() in _ALT_TYPES)


def read(file: str, rows: list[tuple[int, list[str]]]) -> Parsed:
    parsed = Parsed(file, FORMAT, LIST_KEY, AUTHORITY, None)
    for line, record in rows:
        if len(record) != SDN_COLUMNS:
            parsed.skipped.append(_width(file, line, len(record), SDN_COLUMNS))
            continue
        cells = [_value(c) for c in record]
        remarks = cells[11]
        mmsi = _MMSI.search(remarks)
        parsed.add(Entry(
            kind=_TYPES.get(cells[2].casefold(), "other"), ref=cells[0], names=[ListName(cells[1], "primary")],
            programs=tuple(p.strip("[] ") for p in cells[3].split("] [") if p.strip("[] ")),
            imo=imo_in_remarks(remarks), mmsi=mmsi.group(1) if mmsi else "", flag=cells[9],
            vessel_type=cells[6], owner=cells[10], line=line))
    return parsed


def add_aliases(parsed: Parsed, alt_file: str, rows: list[tuple[int, list[str]]]) -> None:
    """Add the names of ``ALT.CSV`` rows to the SDN entries they name; rows naming no entry are skipped."""
    by_ref = {e.ref: e for e in parsed.entries}
    for line, record in rows:
        if len(record) != ALT_COLUMNS:
            parsed.skipped.append(_width(alt_file, line, len(record), ALT_COLUMNS))
            continue
        cells = [_value(c) for c in record]
        entry = by_ref.get(cells[0])
        if entry is None:
            parsed.skipped.append(Problem(alt_file, line, "ent_num", f"names entry {cells[0]}, which the SDN.CSV "
                                                                      "of this load does not hold"))
        elif cells[3]:
            entry.names.append(ListName(cells[3], _ALT_TYPES.get(cells[2].casefold(), "alias")))


def _width(file: str, line: int, found: int, expected: int) -> Problem:
    return Problem(file, line, "", f"{found} fields where the format has {expected}")

"""The list formats armsflow reads, one module each, and telling a file's format from its content.

``read_files`` reads every file of one load before anything is stored, so that a file that cannot be read fails the
whole load and leaves the store as it was. ALT.CSV names entries of SDN.CSV and is read with the SDN.CSV of the same
load.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from armsflow.errors import InputError, Problem
from armsflow.screen.formats import ftm, ofac_csv, ofac_xml, un_vessels, un_xml
from armsflow.screen.formats.common import bad, parse_xml
from armsflow.screen.records import Parsed

FORMATS = (un_xml.FORMAT, un_vessels.FORMAT, ofac_xml.FORMAT, ofac_csv.FORMAT, ofac_csv.ALT_FORMAT, ftm.FORMAT)
NOT_A_LIST = ("not a list format armsflow reads (UN consolidated XML, 1718 vessels CSV, OFAC sdn.xml, SDN.CSV or "
              "ALT.CSV, OpenSanctions FtM JSON lines)")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # OFAC's CSV files are Windows-1252


def _csv_rows(file: str, text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    start = 1
    try:
        for record in reader:
            if any(c.strip().strip("\x1a") for c in record):
                rows.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise bad(file, start, f"malformed CSV: {exc}") from None
    return rows


def read_file(path: Path) -> tuple[Parsed | None, list[tuple[int, list[str]]]]:
    """One file's entries, or (for ALT.CSV) None and its rows; an ``InputError`` when it cannot be read."""
    file = str(path)
    data = path.read_bytes()
    head = data.lstrip()[:1]
    if head == b"<":
        doc = parse_xml(file, data)
        if un_xml.sniff(doc.root.tag):
            return un_xml.read(file, doc), []
        if ofac_xml.sniff(doc.root.tag):
            return ofac_xml.read(file, doc), []
        raise bad(file, 1, f"{NOT_A_LIST}: an XML file whose root is <{doc.root.tag}>")
    if ftm.sniff(data):
        return ftm.read(file, data), []
    rows = _csv_rows(file, _decode(data)) if data.strip() else []
    if not rows:
        raise bad(file, 1, f"{NOT_A_LIST}: the file is empty")
    first = rows[0][1]
    header = [h.strip().casefold() for h in first]
    if un_vessels.sniff(header):
        return un_vessels.read(file, header, rows[1:]), []
    if ofac_csv.sniff_sdn(first):
        return ofac_csv.read(file, rows), []
    if ofac_csv.sniff_alt(first):
        return None, rows
    raise bad(file, 1, NOT_A_LIST)


def read_files(paths: list[Path]) -> list[Parsed]:
    """Every file's entries; every file that cannot be read is reported, each in one line, in one ``InputError``."""
    parsed: list[Parsed] = []
    alts: list[tuple[str, list[tuple[int, list[str]]]]] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            one, rows = read_file(path)
        except InputError as exc:
            problems += exc.problems
            continue
        except OSError as exc:
            problems.append(Problem(str(path), 0, "", exc.strerror or str(exc)))
            continue
        if one is None:
            alts.append((str(path), rows))
        else:
            parsed.append(one)
    sdn = [p for p in parsed if p.format == ofac_csv.FORMAT]
    for file, rows in alts:
        if len(sdn) != 1:
            problems.append(Problem(file, 0, "", "ALT.CSV names entries of SDN.CSV: load it together with exactly "
                                                 "one SDN.CSV"))
        else:
            ofac_csv.add_aliases(sdn[0], file, rows)
    if problems:
        raise InputError(problems)
    return parsed

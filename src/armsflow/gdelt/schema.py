"""The GDELT 2.0 Events format (61 tab-separated columns, no header) and the CAMEO event families armsflow counts.

Column names and order follow the GDELT 2.0 Event codebook as listed by gdeltPyR (``data/events2.csv``). Types are
the codebook's: dates as DATE/TIMESTAMP, codes as text (CAMEO codes keep their leading zeros), counts as integers
and scores as doubles. The store keeps only ``STORED``, the seven columns the queries and the duplicate rules read;
the raw files stay the user's archive of the full record.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from importlib.resources import files

from armsflow.errors import InputError, Problem

#: (name, DuckDB type) of every column of a GDELT 2.0 export file, in file order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("GLOBALEVENTID", "BIGINT"), ("SQLDATE", "DATE"), ("MonthYear", "INTEGER"), ("Year", "INTEGER"),
    ("FractionDate", "DOUBLE"),
    ("Actor1Code", "VARCHAR"), ("Actor1Name", "VARCHAR"), ("Actor1CountryCode", "VARCHAR"),
    ("Actor1KnownGroupCode", "VARCHAR"), ("Actor1EthnicCode", "VARCHAR"), ("Actor1Religion1Code", "VARCHAR"),
    ("Actor1Religion2Code", "VARCHAR"), ("Actor1Type1Code", "VARCHAR"), ("Actor1Type2Code", "VARCHAR"),
    ("Actor1Type3Code", "VARCHAR"),
    ("Actor2Code", "VARCHAR"), ("Actor2Name", "VARCHAR"), ("Actor2CountryCode", "VARCHAR"),
    ("Actor2KnownGroupCode", "VARCHAR"), ("Actor2EthnicCode", "VARCHAR"), ("Actor2Religion1Code", "VARCHAR"),
    ("Actor2Religion2Code", "VARCHAR"), ("Actor2Type1Code", "VARCHAR"), ("Actor2Type2Code", "VARCHAR"),
    ("Actor2Type3Code", "VARCHAR"),
    ("IsRootEvent", "INTEGER"), ("EventCode", "VARCHAR"), ("EventBaseCode", "VARCHAR"), ("EventRootCode", "VARCHAR"),
    ("QuadClass", "INTEGER"), ("GoldsteinScale", "DOUBLE"), ("NumMentions", "INTEGER"), ("NumSources", "INTEGER"),
    ("NumArticles", "INTEGER"), ("AvgTone", "DOUBLE"),
    ("Actor1Geo_Type", "INTEGER"), ("Actor1Geo_FullName", "VARCHAR"), ("Actor1Geo_CountryCode", "VARCHAR"),
    ("Actor1Geo_ADM1Code", "VARCHAR"), ("Actor1Geo_ADM2Code", "VARCHAR"), ("Actor1Geo_Lat", "DOUBLE"),
    ("Actor1Geo_Long", "DOUBLE"), ("Actor1Geo_FeatureID", "VARCHAR"),
    ("Actor2Geo_Type", "INTEGER"), ("Actor2Geo_FullName", "VARCHAR"), ("Actor2Geo_CountryCode", "VARCHAR"),
    ("Actor2Geo_ADM1Code", "VARCHAR"), ("Actor2Geo_ADM2Code", "VARCHAR"), ("Actor2Geo_Lat", "DOUBLE"),
    ("Actor2Geo_Long", "DOUBLE"), ("Actor2Geo_FeatureID", "VARCHAR"),
    ("ActionGeo_Type", "INTEGER"), ("ActionGeo_FullName", "VARCHAR"), ("ActionGeo_CountryCode", "VARCHAR"),
    ("ActionGeo_ADM1Code", "VARCHAR"), ("ActionGeo_ADM2Code", "VARCHAR"), ("ActionGeo_Lat", "DOUBLE"),
    ("ActionGeo_Long", "DOUBLE"), ("ActionGeo_FeatureID", "VARCHAR"),
    ("DATEADDED", "TIMESTAMP"), ("SOURCEURL", "VARCHAR"),
)
NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)
assert len(COLUMNS) == 61

#: The columns the store keeps, in file order: the event id (duplicates across imports), the two dates (month,
#: late-date rule), the two actor countries (the pair), the event code (families) and the source URL (the
#: ``source`` duplicate rule and the tie-break between copies of one event). Only these fields are parsed and typed;
#: every line's column count is still checked.
STORED: tuple[str, ...] = ("GLOBALEVENTID", "SQLDATE", "Actor1CountryCode", "Actor2CountryCode", "EventCode",
                           "DATEADDED", "SOURCEURL")
assert set(STORED) <= set(NAMES)

#: How DuckDB reads the two date columns: SQLDATE is YYYYMMDD, DATEADDED is YYYYMMDDHHMMSS (UTC).
DATE_FORMAT = "%Y%m%d"
TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"

#: Fields every imported row must have; an empty one rejects the row (the others may be blank, as in GDELT).
REQUIRED = ("GLOBALEVENTID", "SQLDATE", "DATEADDED", "EventCode")
#: A CAMEO event code: two to four digits, leading zeros kept ("042", "0312").
EVENT_CODE = r"[0-9]{2,4}"

#: ibis types of the columns, for the unbound table the queries are written against.
IBIS_TYPES = {"BIGINT": "int64", "INTEGER": "int32", "DOUBLE": "float64", "VARCHAR": "string", "DATE": "date",
              "TIMESTAMP": "timestamp"}

COUNTRY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Family:
    """A named group of CAMEO event codes counted together (e.g. visits and meetings)."""

    key: str
    label: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class CameoCode:
    """One row of ``cameo_families.csv``: a CAMEO code, its label, Goldstein score and source."""

    family: str
    code: str
    label: str
    goldstein: float | None
    source: str


FAMILIES_FILE = "cameo_families.csv"


def cameo_codes() -> list[CameoCode]:
    """Every row of the bundled family table, in file order, checked (codes are digits and in one family only)."""
    text = files("armsflow.gdelt").joinpath(FAMILIES_FILE).read_text(encoding="utf-8")
    problems: list[Problem] = []
    rows: list[CameoCode] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        code = row["code"].strip()
        if not re.fullmatch(EVENT_CODE, code):
            problems.append(Problem(FAMILIES_FILE, line, "code", f"not a CAMEO code: {code!r}"))
        elif code in seen:
            problems.append(Problem(FAMILIES_FILE, line, "code", f"{code} is already listed on line {seen[code]}"))
        seen.setdefault(code, line)
        goldstein = row["goldstein"].strip()
        rows.append(CameoCode(row["family"].strip(), code, row["label"].strip(),
                              float(goldstein) if goldstein else None, row["source"].strip()))
    if problems:
        raise InputError(problems)
    return rows


def families() -> list[Family]:
    """The event families in the order the table first names them, each with its codes (matched exactly)."""
    text = files("armsflow.gdelt").joinpath(FAMILIES_FILE).read_text(encoding="utf-8")
    labels = {row["family"].strip(): row["family_label"].strip() for row in csv.DictReader(text.splitlines())}
    codes: dict[str, list[str]] = {key: [] for key in labels}
    for entry in cameo_codes():
        codes[entry.family].append(entry.code)
    return [Family(key, labels[key], tuple(codes[key])) for key in labels]

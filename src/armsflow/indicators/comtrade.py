"""Import UN Comtrade exports (Comtrade+ API and bulk files, and the legacy API's CSV) as trade records.

The rules (which rows count, mirror flows, totals versus sums of commodity codes) are documented in docs/trade.md.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from dataclasses import dataclass
from pathlib import Path

from armsflow.errors import InputError, Problem
from armsflow.evidence.period import Period, parse_period
from armsflow.evidence.tables import Row, read_table
from armsflow.evidence.trade import TradeRecord
from armsflow.results import ComtradeResult

COMTRADE_SOURCE = "S-UN-COMTRADE"
TOTAL = "TOTAL"
# M49 codes as Comtrade uses them (0 is the World, 842 the USA), for files that carry codes but no ISO columns.
M49 = {"0": "WLD", "112": "BLR", "156": "CHN", "364": "IRN", "392": "JPN", "408": "PRK", "410": "KOR",
       "643": "RUS", "804": "UKR", "842": "USA"}
ALIASES = {"W00": "WLD"}  # Comtrade+ writes the World as W00, the legacy API as WLD
# flow code or text (lower case) -> (flow, main): re-exports and re-imports are not the main flow.
FLOWS = {"x": ("export", True), "m": ("import", True), "rx": ("export", False), "rm": ("import", False),
         "2": ("export", True), "1": ("import", True), "3": ("export", False), "4": ("import", False),
         "export": ("export", True), "import": ("import", True), "re-export": ("export", False),
         "re-import": ("import", False)}
# Comtrade+ columns that break a flow down; only their total rows (these values, or blank) are read.
BREAKDOWNS = {"partner2Code": "0", "customsCode": "C00", "motCode": "0"}


@dataclass(frozen=True)
class _Format:
    name: str
    marker: str
    reporter: tuple[str, str]  # ISO column, M49 code column
    partner: tuple[str, str]
    flow: tuple[str, ...]  # alternatives, the first present is used
    period: tuple[str, ...]
    cmd: str
    level: str
    value: str


PLUS = _Format("Comtrade+", "primaryValue", ("reporterISO", "reporterCode"), ("partnerISO", "partnerCode"),
               ("flowCode",), ("period", "refYear"), "cmdCode", "aggrLevel", "primaryValue")
LEGACY = _Format("legacy Comtrade", "Trade Value (US$)", ("Reporter ISO", "Reporter Code"),
                 ("Partner ISO", "Partner Code"), ("Trade Flow Code", "Trade Flow"), ("Period", "Year"),
                 "Commodity Code", "Aggregate Level", "Trade Value (US$)")


@dataclass(frozen=True)
class _Line:
    file: str
    line: int
    reporter: str
    partner: str
    flow: str
    main: bool
    period: Period
    cmd: str
    level: int
    value: float
    fmt: str

    @property
    def key(self) -> tuple[str, str, str, Period]:
        return (self.reporter, self.partner, self.flow, self.period)


def comtrade(files: list[Path], *, reporter: str | None = None, partner: str | None = None,
             source: str = COMTRADE_SOURCE) -> ComtradeResult:
    """``armsflow comtrade``: the trade records of a pair from UN Comtrade CSV exports; raise ``InputError`` listing
    every bad file, row and column."""
    problems: list[Problem] = []
    records = import_comtrade(files, reporter, partner, problems, source=source)
    if problems:
        raise InputError(problems)
    return ComtradeResult(reporter, partner, source, tuple(records))


def import_comtrade(paths: list[Path], reporter: str | None, partner: str | None, problems: list[Problem],
                    source: str = COMTRADE_SOURCE) -> list[TradeRecord]:
    """Trade records for the pair ``reporter``–``partner`` (``None``: any) from Comtrade CSV files.

    Rows reported by either side of the pair are kept, each with its own reporter, so a pair gets both its
    reported and its mirror flows. Bad files and rows become ``Problem``s naming the file, line and column.
    """
    reporter, partner = (ALIASES.get(c.upper(), c.upper()) if c else None for c in (reporter, partner))
    groups: dict[tuple[str, str, str, Period], list[_Line]] = {}
    for path in paths:
        for found in _read(path, reporter, partner, problems):
            groups.setdefault(found.key, []).append(found)
    out = [_record(lines, reporter, source, problems) for _, lines in sorted(groups.items())]
    return sorted(out, key=lambda r: (r.reporter, r.partner, r.flow, r.period))


def _read(path: Path, reporter: str | None, partner: str | None, problems: list[Problem]) -> list[_Line]:
    name = path.name
    try:
        data = path.read_bytes()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        problems.append(Problem(name, 0, "", f"cannot read: {getattr(exc, 'strerror', None) or exc}"))
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # Comtrade+ web downloads are not always UTF-8
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    header = [h.strip() for h in next(csv.reader([first], delimiter=delimiter), [])]
    fmt = PLUS if PLUS.marker in header else LEGACY if LEGACY.marker in header else None
    if fmt is None:
        problems.append(Problem(name, 1, "", f"not a UN Comtrade export: no column {PLUS.marker} (Comtrade+) "
                                             f"or {LEGACY.marker} (legacy)"))
        return []
    chosen = {}
    for role, options in (("reporter", fmt.reporter), ("partner", fmt.partner), ("flow", fmt.flow),
                          ("period", fmt.period)):
        present = [c for c in options if c in header]
        if not present:
            problems.append(Problem(name, 1, options[0], "missing column" + (
                f" (or {', '.join(options[1:])})" if len(options) > 1 else "")))
            return []
        chosen[role] = present[0]
    unmapped = [w for w in (reporter, partner) if w and w not in M49.values()]
    for iso in (fmt.reporter[0], fmt.partner[0]):
        if iso not in header and unmapped:
            problems.append(Problem(name, 1, iso, f"missing column: without it armsflow cannot find "
                                                  f"{', '.join(unmapped)} (it knows the M49 codes of {_known()})"))
            return []
    required = tuple(dict.fromkeys((*chosen.values(), fmt.cmd, fmt.value)))
    optional = tuple(h for h in header if h not in required)
    rows = read_table(name, _as_csv(text, delimiter), required, optional, problems)
    out: list[_Line] = []
    unknown: dict[str, tuple[int, set[str]]] = {}  # code column -> (first line, codes)
    for row in rows:
        line = _line(row, fmt, chosen, reporter, partner, unknown)
        if line is not None:
            out.append(line)
    for column, (where, codes) in unknown.items():
        listed = ", ".join(sorted(codes, key=lambda c: (len(c), c))[:10]) + (", …" if len(codes) > 10 else "")
        problems.append(Problem(name, where, column, f"no ISO code for M49 code(s) {listed}: those rows are not "
                                                     f"read; export with ISO columns (armsflow knows {_known()})"))
    return out


def _known() -> str:
    return ", ".join(sorted(set(M49.values())))


def _as_csv(text: str, delimiter: str) -> bytes:
    """Comma-separated UTF-8 bytes, line for line, for ``read_table`` (bulk files are tab-separated)."""
    if delimiter == ",":
        return text.encode("utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for record in csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE):
        writer.writerow(record)
    return buffer.getvalue().encode("utf-8")


def _country(row: Row, columns: tuple[str, str]) -> str | None:
    iso = row.values.get(columns[0], "").strip().upper()
    if iso:
        return ALIASES.get(iso, iso)
    code = row.values.get(columns[1], "").strip()
    return M49.get(code[:-2] if code.endswith(".0") else code)


def _pair(rep: str, par: str, reporter: str | None, partner: str | None) -> bool:
    def ok(code: str, wanted: str | None) -> bool:
        return wanted is None or code == wanted

    return (ok(rep, reporter) and ok(par, partner)) or (ok(rep, partner) and ok(par, reporter))


def _line(row: Row, fmt: _Format, chosen: dict[str, str], reporter: str | None, partner: str | None,
          unknown: dict[str, tuple[int, set[str]]]) -> _Line | None:
    rep, par = _country(row, fmt.reporter), _country(row, fmt.partner)
    if rep is None or par is None:
        if reporter is None or partner is None:  # with both given (and known), an unknown code is neither
            column = fmt.reporter[1] if rep is None else fmt.partner[1]
            unknown.setdefault(column, (row.line, set()))[1].add(row.values.get(column, "").strip()[:10])
        return None
    if not _pair(rep, par, reporter, partner) or any(
            row.values.get(c, "").strip() not in ("", total) for c, total in BREAKDOWNS.items()):
        return None
    flow_text = row.text(chosen["flow"]).lower()
    if flow_text not in FLOWS:
        return None  # processing flows and the like are not read (docs/trade.md)
    flow, main = FLOWS[flow_text]
    period = _period(row, chosen["period"])
    cmd = row.text(fmt.cmd).upper()
    value = row.number(fmt.value) if row.text(fmt.value) else None
    if value is not None and value < 0:
        row.problem(fmt.value, "a trade value cannot be negative")
        return None
    if period is None or value is None or not cmd:
        return None
    level_text = row.values.get(fmt.level, "").strip()
    level = int(level_text) if level_text.isdigit() else 0 if cmd == TOTAL else len(cmd)
    return _Line(row.file, row.line, rep, par, flow, main, period, cmd, level, value, fmt.name)


def _period(row: Row, column: str) -> Period | None:
    raw = row.text(column)
    month = ""
    if column == "refYear" and row.values.get("freqCode", "").strip().upper() == "M":
        month = row.values.get("refMonth", "").strip().zfill(2)
        raw = raw + month
    try:
        if len(raw) == 4 and raw.isdigit():
            return parse_period(raw)
        if len(raw) == 6 and raw.isdigit():
            return parse_period(f"{raw[:4]}-{raw[4:]}")
    except ValueError as exc:
        row.problem(column, f"not a period: {exc}")
        return None
    if raw:
        row.problem(column, f"not a year (YYYY) or month (YYYYMM): {raw[:20]!r}")
    return None


def _record(lines: list[_Line], reporter: str | None, source: str, problems: list[Problem]) -> TradeRecord:
    main = [x for x in lines if x.main] or lines  # re-exports/re-imports only when the main flow is missing
    totals = [x for x in main if x.cmd == TOTAL]
    level = min(x.level for x in main)
    chosen: dict[str, _Line] = {}
    for x in totals or [x for x in main if x.level == level]:
        earlier = chosen.setdefault(x.cmd, x)
        if earlier is not x and earlier.value != x.value:
            problems.append(Problem(x.file, x.line, "value", f"{x.cmd} {x.flow} {x.period} is already "
                                    f"{earlier.value:.15g} on {earlier.file}:{earlier.line}; the first is used"))
    first = min(chosen.values(), key=lambda x: (x.file, x.line))
    value = sum(x.value for x in chosen.values())
    how = "TOTAL" if totals else (f"no TOTAL row: sum of {len(chosen)} commodity code(s) at level {level} "
                                  f"({', '.join(sorted(chosen)[:8])}{', …' if len(chosen) > 8 else ''})")
    if not first.main:
        how += f"; re-{first.flow}s, no main {first.flow} row"
    mirror = " (mirror: the partner's own report)" if reporter and first.reporter != reporter else ""
    notes = f"UN Comtrade ({first.fmt}) as reported by {first.reporter}{mirror}; {how}; {first.file}:{first.line}"
    ident = f"CT-{first.reporter}-{first.partner}-{'X' if first.flow == 'export' else 'M'}-{first.period}"
    return TradeRecord(ident, first.period, first.reporter, first.partner, first.flow, value, "USD", source, notes)


"""The GDELT import's fast path (gdelt/split.py) against its oracle, DuckDB's CSV reader.

Whatever the fast path accepts it must read exactly as DuckDB's reader does, and whatever that reader rejects the
fast path must decline, so that the batch goes to the reader and its rejects table. Checked on hand-made edge
cases, on lines drawn at random by Hypothesis, at piece boundaries, and through whole imports.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import armsflow.gdelt.batch as batch
import armsflow.gdelt.split as split
from armsflow.gdelt import dyad_monthly, import_files
from armsflow.gdelt.batch import READ_OPTIONS, SELECT_STORED
from armsflow.gdelt.schema import STORED
from armsflow.gdelt.split import Declined, Kernel, load_kernel, split_files
from armsflow.gdelt.store import read_parts
from test_gdelt import BAD, MARCH, REAL_ROW, ZIPPED

FIELDS = REAL_ROW.split("\t")
AT = dict(zip(STORED, split.AT, strict=True))


def line(**stored: str) -> str:
    """REAL_ROW with some stored fields replaced (by column name)."""
    fields = list(FIELDS)
    for name, value in stored.items():
        fields[AT[name]] = value
    return "\t".join(fields)


@pytest.fixture(scope="module")
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(2) as threads:
        yield threads


def kernel() -> Kernel:
    """The compiled loop (the test extra installs Numba)."""
    loaded = load_kernel()
    assert loaded is not None
    return loaded


def duckdb_reads(paths: list[Path]) -> tuple[list[tuple[Any, ...]], int]:
    """DuckDB's reader with the import's options: the stored columns of the rows it reads, and how many it rejects."""
    names = "[" + ", ".join(f"'{p}'" for p in paths) + "]"
    with duckdb.connect() as con:
        rows = con.execute(f"SELECT {SELECT_STORED} FROM read_csv({names}, {READ_OPTIONS})").fetchall()
        rejected = con.execute(f"SELECT count(DISTINCT (file_id, line)) FROM {batch.REJECTS}").fetchone()
    return rows, int(rejected[0]) if rejected else 0


def fast_reads(paths: list[Path], pool: ThreadPoolExecutor) -> list[tuple[Any, ...]] | Declined:
    done = split_files([str(p) for p in paths], pool, kernel())
    if done.declined:
        return done.declined[0]
    with duckdb.connect() as con:
        con.register("fast", done.table)
        return con.execute("SELECT * FROM fast").fetchall()


EDGE_LINES = [
    REAL_ROW,
    line(GLOBALEVENTID="000000042"),  # leading zeros
    line(GLOBALEVENTID="999999999999999999"),  # 18 digits, the most the fast path takes
    line(Actor1CountryCode="", Actor2CountryCode="", SOURCEURL=""),  # empty text fields are NULL
    line(Actor1CountryCode=" RU", EventCode="0 42"),  # spaces are kept as written
    line(SOURCEURL="https://example.org/über/모스크바?q=\"x\"&y='1'"),  # UTF-8 and quotes, which mean nothing here
    line(SQLDATE="20240229", DATEADDED="20240229235959"),  # a leap day, the last second of a day
    line(SQLDATE="10000101", DATEADDED="99991231000000"),
    line(EventCode="X42"),  # text: checked after the read, as with DuckDB's reader
]


def test_edge_cases_read_as_duckdb_reads_them(tmp_path: Path, pool: ThreadPoolExecutor,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "edge.export.CSV"
    path.write_text("\n".join(EDGE_LINES), encoding="utf-8")  # and no newline after the last line
    expected, rejected = duckdb_reads([path])
    assert rejected == 0 and len(expected) == len(EDGE_LINES)
    for piece in (split.PIECE, 1, 97, 400, 1000):  # pieces cut lines anywhere, even inside every line
        monkeypatch.setattr(split, "PIECE", piece)
        assert fast_reads([path], pool) == expected


def test_many_files_and_pieces_keep_file_order(tmp_path: Path, pool: ThreadPoolExecutor,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    paths = []
    for k in range(5):
        paths.append(tmp_path / f"{k}.export.CSV")
        lines = [line(GLOBALEVENTID=str(k * 1000 + i), SOURCEURL=f"https://example.org/{k}/{i}") for i in range(40)]
        paths[-1].write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "empty.export.CSV").write_bytes(b"")
    paths.insert(2, tmp_path / "empty.export.CSV")
    monkeypatch.setattr(split, "PIECE", 2048)
    expected, _ = duckdb_reads(paths)
    assert fast_reads(paths, pool) == expected
    assert [row[0] for row in expected] == [k * 1000 + i for k in range(5) for i in range(40)]


DECLINED = [
    (REAL_ROW + "\r", "a carriage return"),
    ("\t".join(FIELDS[:-1]), "a line without 61 fields"),
    (REAL_ROW + "\tx", "a line without 61 fields"),
    (REAL_ROW + "\t" * 130, "a line without 61 fields"),  # more tabs than the loop keeps positions for
    ("", "a line without 61 fields"),  # a blank line (DuckDB's reader skips it)
    (line(GLOBALEVENTID=""), "GLOBALEVENTID is not 1-18 plain digits"),
    (line(GLOBALEVENTID="-1"), "GLOBALEVENTID is not 1-18 plain digits"),
    (line(GLOBALEVENTID="1234567890123456789"), "GLOBALEVENTID is not 1-18 plain digits"),
    (line(SQLDATE="20240230"), "SQLDATE is not a real date as YYYYMMDD"),
    (line(SQLDATE="2024-1-1"), "SQLDATE is not a real date as YYYYMMDD"),
    (line(SQLDATE="09991231"), "SQLDATE is not a real date as YYYYMMDD"),
    (line(DATEADDED="20240101240000"), "DATEADDED is not a real time as YYYYMMDDHHMMSS"),
    (line(DATEADDED="2024010100000"), "DATEADDED is not a real time as YYYYMMDDHHMMSS"),
    (line(Actor1CountryCode="R" * 17), "a stored text field is too long"),
    (line(EventCode="04\x0b2"), "a control character in a stored text field"),
    (line(SOURCEURL="https://example.org/\x00"), "a control character in a stored text field"),
]


@pytest.mark.parametrize(("text", "reason"), DECLINED)
def test_what_the_fast_path_declines(tmp_path: Path, pool: ThreadPoolExecutor, text: str, reason: str) -> None:
    path = tmp_path / "one.export.CSV"
    path.write_text(f"{REAL_ROW}\n{text}\n{REAL_ROW}\n", encoding="utf-8")
    declined = fast_reads([path], pool)
    assert isinstance(declined, Declined)
    assert declined.reason == reason
    assert declined.offset == len(REAL_ROW) + 1  # the second line
    assert str(declined).startswith(f"{path}: near byte {len(REAL_ROW) + 1}: ")


def test_invalid_utf8_and_long_lines_are_declined(tmp_path: Path, pool: ThreadPoolExecutor,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bytes.export.CSV"
    path.write_bytes(REAL_ROW.encode() + b"\n" + line(SOURCEURL="x").encode().replace(b"\tx", b"\t\xff") + b"\n")
    declined = fast_reads([path], pool)
    assert isinstance(declined, Declined) and declined.reason == "invalid UTF-8 in a stored text field"
    monkeypatch.setattr(split, "LONGEST_LINE", 100)
    monkeypatch.setattr(split, "PIECE", 64)
    path.write_text(REAL_ROW + "\n", encoding="utf-8")
    declined = fast_reads([path], pool)
    assert isinstance(declined, Declined) and declined.reason == "a line longer than LONGEST_LINE"


def test_days_since_1970_match_the_calendar() -> None:
    from armsflow.gdelt.split_kernel import NOT_A_DATE, _days

    epoch = date(1970, 1, 1)
    for year, month, day in itertools.product((1000, 1600, 1900, 1970, 2000, 2023, 2024, 2100, 9999),
                                              range(14), (0, 1, 28, 29, 30, 31, 32)):
        try:
            expected = (date(year, month, day) - epoch).days
        except ValueError:
            expected = NOT_A_DATE
        assert _days(year, month, day) == expected, (year, month, day)


# Values for the stored fields, each either one the fast path takes or a way to get it wrong.
DIGITS = st.text("0123456789", min_size=1, max_size=20)
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\t\n"), max_size=6)
DAY = st.dates(date(999, 1, 1), date(9999, 12, 31)).map(lambda d: f"{d.year:04d}{d.month:02d}{d.day:02d}")
FIELD = {
    "GLOBALEVENTID": st.one_of(DIGITS, st.sampled_from(["", "-1", "+1", " 1", "1 ", "1.0", "1e3"])),
    "SQLDATE": st.one_of(DAY, DIGITS, st.sampled_from(["", "20240230", "2024-01-01", "20241301"])),
    "Actor1CountryCode": st.one_of(st.sampled_from(["", "RUS", "PRK"]), TEXT),
    "Actor2CountryCode": st.one_of(st.sampled_from(["", "RUS", "PRK"]), TEXT),
    "EventCode": st.one_of(st.sampled_from(["", "042", "0312", "163"]), TEXT),
    "DATEADDED": st.one_of(st.tuples(DAY, st.integers(0, 25), st.integers(0, 61), st.integers(0, 61)).map(
        lambda t: f"{t[0]}{t[1]:02d}{t[2]:02d}{t[3]:02d}"), DIGITS),
    "SOURCEURL": st.one_of(st.just("https://example.org/a"), TEXT),
}
LINE = st.fixed_dictionaries({name: FIELD[name] for name in STORED}).map(lambda values: line(**values))
RAW_LINE = st.one_of(LINE, LINE, LINE, st.sampled_from([t for t, _ in DECLINED]))


# Values the fast path must read, exactly as the reader does: printable text without lone surrogates.
TEXT = st.characters(codec="utf-8", min_codepoint=32, exclude_categories=["Cs"])
PLAIN = st.text(TEXT, max_size=4)  # <= 16 bytes
GOOD_DAY = st.dates(date(1000, 1, 1), date(9999, 12, 31)).map(lambda d: f"{d.year:04d}{d.month:02d}{d.day:02d}")
GOOD = {
    "GLOBALEVENTID": st.text("0123456789", min_size=1, max_size=18),
    "SQLDATE": GOOD_DAY,
    "Actor1CountryCode": PLAIN, "Actor2CountryCode": PLAIN, "EventCode": PLAIN,
    "DATEADDED": st.tuples(GOOD_DAY, st.integers(0, 23), st.integers(0, 59), st.integers(0, 59)).map(
        lambda t: f"{t[0]}{t[1]:02d}{t[2]:02d}{t[3]:02d}"),
    "SOURCEURL": st.text(TEXT, max_size=300),
}
GOOD_LINE = st.fixed_dictionaries({name: GOOD[name] for name in STORED}).map(lambda values: line(**values))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(GOOD_LINE, min_size=1, max_size=8), piece=st.integers(1, 2000))
def test_random_good_lines_read_exactly_as_duckdb_reads_them(tmp_path: Path, pool: ThreadPoolExecutor,
                                                             lines: list[str], piece: int) -> None:
    path = tmp_path / "good.export.CSV"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected, rejected = duckdb_reads([path])
    assert rejected == 0
    split.PIECE, before = piece, split.PIECE
    try:
        assert fast_reads([path], pool) == expected
    finally:
        split.PIECE = before


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(RAW_LINE, min_size=1, max_size=6), last_newline=st.booleans())
def test_random_lines_read_as_duckdb_reads_them_or_are_declined(tmp_path: Path, pool: ThreadPoolExecutor,
                                                                lines: list[str], last_newline: bool) -> None:
    path = tmp_path / "random.export.CSV"
    path.write_bytes(("\n".join(lines) + ("\n" if last_newline else "")).encode("utf-8", "surrogatepass"))
    try:
        expected, rejected = duckdb_reads([path])
    except duckdb.Error:  # DuckDB's reader gives up on the file: the fast path must not read it either
        expected, rejected = [], 1
    got = fast_reads([path], pool)
    event("reader rejects" if rejected else "reader reads all")
    event(f"fast path: {got.reason}" if isinstance(got, Declined) else "fast path reads all")
    if rejected:
        assert isinstance(got, Declined)
    elif not isinstance(got, Declined):
        assert got == expected


def compare_imports(paths: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Import ``paths`` with the fast path switched off (DuckDB's reader, the reference) and offered every batch:
    the same report, the same store."""
    monkeypatch.setattr(batch, "FAST_FROM", 0)
    results = []
    for name, fast in (("reader", False), ("fast", True)):
        report = import_files(paths, tmp_path / name, fast=fast)
        stored = duckdb.execute("SELECT * FROM read_parquet([" + ", ".join(
            f"'{p.path}'" for p in read_parts(tmp_path / name)) + "]) ORDER BY ALL").fetchall() \
            if read_parts(tmp_path / name) else []
        shown = str(report).replace(str(tmp_path / name), "DB").split("\n", 1)[1]  # not the first line's time
        results.append((shown, report.rows_imported, stored, dyad_monthly(tmp_path / name, "RUS", "PRK").months))
        assert report.fast_path is (fast and report.rows_imported > 0)
    assert results[0] == results[1]


def test_clean_files_import_the_same_through_the_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compare_imports([MARCH, ZIPPED], tmp_path, monkeypatch)


def test_bad_files_are_read_by_duckdb_and_reported_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    crlf = tmp_path / "in" / "crlf.export.CSV"
    crlf.parent.mkdir()
    crlf.write_bytes(b"\r\n".join(MARCH.read_bytes().splitlines()[1:4]) + b"\r\n")
    compare_imports([MARCH, BAD, ZIPPED, crlf], tmp_path, monkeypatch)


def test_only_the_files_with_a_doubtful_line_are_declined(tmp_path: Path, pool: ThreadPoolExecutor,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "PIECE", 300)  # BAD's pieces after its first doubtful line are skipped
    done = split_files([str(MARCH), str(BAD), str(MARCH)], pool, kernel())
    assert [(d.path, d.reason) for d in done.declined] == [(str(BAD), "a line without 61 fields")]
    march, _ = duckdb_reads([MARCH])
    with duckdb.connect() as con:
        con.register("fast", done.table)
        assert con.execute("SELECT * FROM fast").fetchall() == march + march


def test_arrow_columns_have_the_reader_types(tmp_path: Path, pool: ThreadPoolExecutor) -> None:
    done = split_files([str(MARCH)], pool, kernel())
    assert not done.declined
    table = done.table
    with duckdb.connect() as con:
        con.register("fast", table)
        fast_types = con.execute("DESCRIBE SELECT * FROM fast").fetchall()
        reader_types = con.execute(f"DESCRIBE SELECT {SELECT_STORED} FROM read_csv('{MARCH}', {READ_OPTIONS})"
                                   ).fetchall()
    assert [row[:2] for row in fast_types] == [row[:2] for row in reader_types]


def test_the_loop_compiles_where_numba_cannot_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only installation and home folder leave Numba no cache folder: it raises, and the import must not."""
    from numba.core.dispatcher import Dispatcher

    from armsflow.gdelt.split_kernel import compiled

    def refuse(self: Dispatcher) -> None:
        raise RuntimeError("cannot cache function 'twice': no locator available for file 'split_kernel.py'")

    monkeypatch.setattr(Dispatcher, "enable_caching", refuse)

    def twice(value: int) -> int:
        return 2 * value

    assert compiled(twice)(21) == 42


def test_the_switch_and_a_missing_numba_leave_every_line_to_duckdb(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """``ARMSFLOW_GDELT_FAST=0`` switches the fast path off where ``fast`` is not passed; without Numba (a valid
    install) the import uses DuckDB's reader without a word."""
    from armsflow.errors import ParameterError

    monkeypatch.setattr(batch, "FAST_FROM", 0)
    assert import_files([MARCH], tmp_path / "on").fast_path
    monkeypatch.setenv("ARMSFLOW_GDELT_FAST", "0")
    off = import_files([MARCH], tmp_path / "off")
    assert not off.fast_path and off.rows_imported == 13
    monkeypatch.setenv("ARMSFLOW_GDELT_FAST", "yes")
    with pytest.raises(ParameterError, match=r"^ARMSFLOW_GDELT_FAST: expected 0 or 1, got 'yes'$"):
        import_files([MARCH], tmp_path / "bad")
    monkeypatch.delenv("ARMSFLOW_GDELT_FAST")
    monkeypatch.setitem(sys.modules, "numba", None)
    monkeypatch.delitem(sys.modules, "armsflow.gdelt.split_kernel", raising=False)
    assert load_kernel() is None
    without = import_files([MARCH], tmp_path / "without")
    assert not without.fast_path and without.rows_imported == 13


@pytest.mark.parametrize("length", [split.LONGEST_LINE - 1, split.LONGEST_LINE, split.LONGEST_LINE + 1,
                                    3 * split.LONGEST_LINE])
@pytest.mark.parametrize("piece", [split.PIECE, split.LONGEST_LINE // 2 + 7])
def test_a_long_line_is_read_as_duckdb_reads_it(tmp_path: Path, pool: ThreadPoolExecutor,
                                                monkeypatch: pytest.MonkeyPatch, length: int, piece: int) -> None:
    """DuckDB's reader rejects a line of LONGEST_LINE bytes or more (its max_line_size); the compiled loop reads any
    line that fits in what it was given, so the fast path measures the lines itself and declines such a file."""
    monkeypatch.setattr(split, "PIECE", piece)
    long = line(SOURCEURL="x")
    long = long[:-1] + "x" * (length - len(long) + 1)
    path = tmp_path / "long.export.CSV"
    path.write_text(f"{REAL_ROW}\n{long}\n{REAL_ROW}\n", encoding="utf-8")
    expected, rejected = duckdb_reads([path])
    got = fast_reads([path], pool)
    assert rejected == (length >= split.LONGEST_LINE)
    if rejected:
        assert isinstance(got, Declined) and got.reason == "a line longer than LONGEST_LINE"
    else:
        assert got == expected

"""GDELT 2.0 import and dyad queries, against the sample in tests/data/gdelt (see its README for the hand counts).

The query tests run once per backend: embedded DuckDB and PySpark in local mode (marked ``spark``; one SparkSession
for the whole test session).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import cast

import pytest

import armsflow.gdelt
from armsflow.errors import InputError, ParameterError
from armsflow.gdelt import (
    Backend,
    Dedupe,
    DyadMonth,
    DyadResult,
    DyadRules,
    Late,
    dyad_monthly,
    dyad_sql,
    families,
    import_files,
    importer,
)
from armsflow.gdelt.batch import BatchWriter, Joined
from armsflow.gdelt.importer import Known, _extract, file_digest, legacy_digest
from armsflow.gdelt.store import read_parts
from system import need_java

DATA = Path(__file__).parent / "data" / "gdelt"
SNAPSHOTS = DATA / "snapshots"
MARCH = DATA / "20240315000000.export.CSV"
ZIPPED = DATA / "20240415000000.export.CSV.zip"
BAD = DATA / "20240515000000.export.CSV"
REAL_ROW = (
    "977166878\t20200330\t202003\t2020\t2020.2466\t\t\t\t\t\t\t\t\t\t\tAFG\tAFGHANISTAN\tAFG\t\t\t\t\t\t\t\t0\t042\t"
    "042\t04\t1\t1.9\t2\t1\t2\t-6.44910644910645\t0\t\t\t\t\t\t\t\t4\tKabul, Kabol, Afghanistan\tAF\tAF13\t3580\t"
    "34.5167\t69.1833\t-3378435\t4\tSussex, East Sussex, United Kingdom\tUK\tUKE2\t40137\t50.9167\t-0.083333\t"
    "-2609142\t20210330024500\thttps://dissidentvoice.org/2021/03/will-drones-really-protect-us/"
)
BAD_LINES = [
    f"{BAD}:2: columns: expected 61 tab-separated columns, found 60",
    f"{BAD}:3: SQLDATE: cannot read '20240231' as a date (YYYYMMDD)",
    f"{BAD}:6: EventCode: not a CAMEO event code: 'X42'",
    f"{BAD}:7: GLOBALEVENTID: missing",
    f"{BAD}:8: DATEADDED: cannot read '2024051' as a timestamp (YYYYMMDDHHMMSS)",
]
# (month, family, count, total_events, late) with the default rules, computed by hand in data/gdelt/README.md.
DEFAULT = [
    ("2024-01", "visits", 0, 0, 1), ("2024-01", "military", 0, 0, 0), ("2024-01", "sanctions", 0, 0, 0),
    ("2024-02", "visits", 1, 2, 0), ("2024-02", "military", 0, 2, 0), ("2024-02", "sanctions", 0, 2, 0),
    ("2024-03", "visits", 4, 10, 0), ("2024-03", "military", 2, 10, 0), ("2024-03", "sanctions", 0, 10, 0),
    ("2024-04", "visits", 1, 4, 0), ("2024-04", "military", 1, 4, 0), ("2024-04", "sanctions", 1, 4, 0),
    ("2024-05", "visits", 1, 3, 0), ("2024-05", "military", 1, 3, 0), ("2024-05", "sanctions", 0, 3, 0),
]

SPARK = pytest.mark.spark  # registered in pyproject.toml


def rows(result: DyadResult) -> list[tuple[str, str, int, int, int]]:
    return [(m.month.strftime("%Y-%m"), m.family, m.count, m.total_events, m.late) for m in result.months]


def by_key(result: DyadResult) -> dict[tuple[str, str], DyadMonth]:
    return {(m.month.strftime("%Y-%m"), m.family): m for m in result.months}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three sample files imported once, read-only for the tests that use it."""
    db = tmp_path_factory.mktemp("gdelt") / "store"
    import_files([DATA], db)
    return db


@pytest.fixture(scope="session")
def spark() -> Iterator[None]:
    from armsflow.gdelt import spark_session, stop_spark

    need_java()  # skips naming the Debian package, or fails where CI requires it
    spark_session()
    yield
    stop_spark()


@pytest.fixture(params=[Backend.DUCKDB, pytest.param(Backend.SPARK, marks=SPARK)])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param is Backend.SPARK:
        request.getfixturevalue("spark")
    return cast(Backend, request.param)


# --- the sample itself ---------------------------------------------------------------------------------------------

def test_sample_keeps_the_real_row_verbatim() -> None:
    first = MARCH.read_text(encoding="utf-8").splitlines()[0]
    assert first == REAL_ROW
    assert len(first.split("\t")) == 61


def test_family_table_has_the_documented_codes_and_sources() -> None:
    assert [(f.key, f.codes) for f in families()] == [
        ("visits", ("036", "040", "041", "042", "043", "044", "045", "046")),
        ("military", ("0312", "0332", "062", "072")),
        ("sanctions", ("163",)),
    ]
    from armsflow.gdelt.schema import cameo_codes

    assert all(code.source for code in cameo_codes())


# --- import --------------------------------------------------------------------------------------------------------

def test_import_counts_rows_rejects_and_duplicates(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    report = import_files([MARCH, ZIPPED, BAD], tmp_path / "db", progress=lambda *done_total: seen.append(done_total))
    assert (report.files_imported, report.files_skipped, report.files_failed) == (3, 0, 0)
    assert (report.rows_imported, report.rows_rejected, report.duplicates_skipped) == (21, 5, 1)
    assert [str(p) for p in report.samples] == BAD_LINES
    assert seen[-1] == (3, 3)
    assert sum(p.rows for p in read_parts(tmp_path / "db")) == 21


def test_folder_and_glob_find_the_export_files(tmp_path: Path) -> None:
    by_folder = import_files([DATA], tmp_path / "a")
    by_glob = import_files([str(DATA / "*.export.CSV*")], tmp_path / "b")
    assert by_folder.files_imported == by_glob.files_imported == 3
    assert by_folder.rows_imported == by_glob.rows_imported == 21


def test_reimport_changes_nothing(tmp_path: Path, store: Path) -> None:
    db = tmp_path / "db"
    import_files([DATA], db)
    before = dyad_monthly(db, "RUS", "PRK")
    again = import_files([MARCH, ZIPPED, BAD], db)
    assert (again.files_skipped, again.files_imported, again.rows_imported) == (3, 0, 0)
    assert again.skipped == [str(MARCH), str(ZIPPED), str(BAD)]
    copy = tmp_path / "renamed.export.CSV"  # same events under another name: every one is a duplicate
    shutil.copy(MARCH, copy)
    renamed = import_files([copy], db)
    assert (renamed.files_imported, renamed.rows_imported, renamed.duplicates_skipped) == (1, 0, 13)
    assert dyad_monthly(db, "RUS", "PRK") == before == dyad_monthly(store, "RUS", "PRK")


def test_one_part_per_file_dedupes_across_parts(tmp_path: Path, store: Path) -> None:
    report = import_files([MARCH, ZIPPED, BAD], tmp_path / "db", batch_bytes=1)
    assert len(read_parts(tmp_path / "db")) == 3
    assert (report.rows_imported, report.duplicates_skipped) == (21, 1)
    assert dyad_monthly(tmp_path / "db", "RUS", "PRK") == dyad_monthly(store, "RUS", "PRK")


def test_small_files_read_as_one_report_lines_of_each_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    lines = MARCH.read_bytes().splitlines()
    # No newline at the end of the first file: its last line must not run into the next file's first line.
    (folder / "20240101000000.export.CSV").write_bytes(b"\n".join(lines[:3]))
    (folder / "20240102000000.export.CSV").write_bytes(BAD.read_bytes())
    (folder / "20240103000000.export.CSV").write_bytes(b"\n".join(lines[3:]) + b"\n\n")  # a blank line at the end
    shutil.copy(ZIPPED, folder)
    made: list[bool] = []
    make = Joined.make

    def spy(files: list[str], target: Path) -> Joined | None:
        joined = make(files, target)
        made.append(joined is not None)
        return joined

    monkeypatch.setattr(Joined, "make", spy)
    together = import_files([folder], tmp_path / "one")
    assert made == [True]  # one batch, read as one joined file
    apart = import_files([folder], tmp_path / "each", batch_bytes=1)  # one file per batch: nothing joined
    assert made == [True]
    assert together.samples == apart.samples
    assert [str(p) for p in together.samples] == [line.replace(str(BAD), str(folder / "20240102000000.export.CSV"))
                                                  for line in BAD_LINES]
    assert (together.rows_imported, together.rows_rejected, together.duplicates_skipped) == \
        (apart.rows_imported, apart.rows_rejected, apart.duplicates_skipped)
    assert dyad_monthly(tmp_path / "one", "RUS", "PRK") == dyad_monthly(tmp_path / "each", "RUS", "PRK")
    assert not list((tmp_path / "one").glob(".scratch-*"))  # the joined copy is gone with the scratch folder


def test_files_with_different_line_endings_are_not_joined(tmp_path: Path) -> None:
    lines = MARCH.read_bytes().splitlines()
    (tmp_path / "lf.export.CSV").write_bytes(b"\n".join(lines[:4]) + b"\n")
    (tmp_path / "crlf.export.CSV").write_bytes(b"\r\n".join(lines[4:]) + b"\r\n")
    assert Joined.make([str(tmp_path / "lf.export.CSV"), str(tmp_path / "crlf.export.CSV")],
                       tmp_path / "joined.csv") is None
    assert not (tmp_path / "joined.csv").exists()
    report = import_files([tmp_path], tmp_path / "db")
    assert (report.rows_imported, report.rows_rejected) == (len(lines), 0)


@pytest.mark.parametrize("bitmap_ids", [2**27, 0], ids=["bitmap", "hash"])
def test_duplicates_in_one_batch_keep_the_earliest_added(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         bitmap_ids: int) -> None:
    import duckdb

    from armsflow.gdelt import batch

    monkeypatch.setattr(batch, "BITMAP_IDS", bitmap_ids)  # both ways of finding duplicate ids within a batch
    lines = MARCH.read_text(encoding="utf-8").splitlines()[1:4]
    later = lines[0].split("\t")
    later[59] = "20240309000000"  # the same GLOBALEVENTID, added a week later: this copy is dropped
    (tmp_path / "dup.export.CSV").write_text("\n".join(["\t".join(later), *lines]) + "\n", encoding="utf-8")
    report = import_files([tmp_path / "dup.export.CSV"], tmp_path / "db")
    assert (report.rows_imported, report.duplicates_skipped, report.rows_rejected) == (3, 1, 0)
    (part,) = read_parts(tmp_path / "db")
    added = duckdb.execute(f"SELECT DATEADDED FROM '{part.path}' WHERE GLOBALEVENTID = 1190000001").fetchall()
    assert [str(row[0]) for row in added] == ["2024-03-02 10:15:00"]


def test_same_name_and_size_is_compared_by_content(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    text = MARCH.read_text(encoding="utf-8")
    name = MARCH.name
    (tmp_path / "a" / name).write_text(text, encoding="utf-8")
    (tmp_path / "b" / name).write_text(text, encoding="utf-8")  # the very same file again: skipped
    (tmp_path / "c" / name).write_text(text.replace("1190000011", "1190000099"), encoding="utf-8")  # same size
    report = import_files([tmp_path / "a", tmp_path / "b", tmp_path / "c"], tmp_path / "db")
    assert report.skipped == [str(tmp_path / "b" / name)]
    assert (report.files_imported, report.rows_imported, report.duplicates_skipped) == (2, 14, 12)
    again = import_files([tmp_path / "c"], tmp_path / "db")  # known name and size: hashed first, then skipped
    assert (again.files_skipped, again.files_imported) == (1, 0)


def test_a_store_of_another_format_is_refused(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "db"
    import_files([MARCH], db)
    with duckdb.connect(str(db / "catalogue.duckdb")) as con:
        con.execute("UPDATE meta SET value = '1' WHERE key = 'format'")  # a store that kept all 61 columns
    with pytest.raises(InputError, match="store format 1 is not 2 or 3: import the files into a new store"):
        dyad_monthly(db, "RUS", "PRK")
    with pytest.raises(InputError, match="store format 1 is not 2 or 3"):  # and nothing is imported into it
        import_files([ZIPPED], db)
    with duckdb.connect(str(db / "catalogue.duckdb")) as con:
        assert con.execute("SELECT count(*) FROM files").fetchone() == (1,)


def test_file_digest_is_blake3(tmp_path: Path) -> None:
    empty = tmp_path / "empty.export.CSV"
    empty.write_bytes(b"")
    # The BLAKE3 test vector for empty input (BLAKE3 specification, test_vectors.json, input_len 0).
    assert file_digest(empty) == "blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
    assert legacy_digest(empty) == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_a_format_2_store_is_read_and_upgraded_by_the_next_import(tmp_path: Path) -> None:
    import hashlib

    import duckdb

    db = tmp_path / "db"
    import_files([MARCH], db)
    before = dyad_monthly(db, "RUS", "PRK")
    sha256 = hashlib.sha256(MARCH.read_bytes()).hexdigest()
    with duckdb.connect(str(db / "catalogue.duckdb")) as con:  # the catalogue as format 2 wrote it
        con.execute("CREATE TABLE files_2 (name VARCHAR NOT NULL, size BIGINT NOT NULL, sha256 VARCHAR NOT NULL, "
                    "part VARCHAR, rows_rejected BIGINT NOT NULL, imported_at TIMESTAMP NOT NULL, "
                    "PRIMARY KEY (name, size, sha256))")
        con.execute("INSERT INTO files_2 SELECT name, size, ?, part, rows_rejected, imported_at FROM files", [sha256])
        con.execute("DROP TABLE files; ALTER TABLE files_2 RENAME TO files")
        con.execute("UPDATE meta SET value = '2' WHERE key = 'format'")
    assert dyad_monthly(db, "RUS", "PRK") == before  # queries read a format 2 store as it is
    again = import_files([MARCH, ZIPPED], db)  # MARCH is known by its SHA-256; ZIPPED is new
    assert (again.files_skipped, again.files_imported, again.skipped) == (1, 1, [str(MARCH)])
    with duckdb.connect(str(db / "catalogue.duckdb"), read_only=True) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'format'").fetchone() == ("3",)
        digests = dict(con.execute("SELECT name, digest FROM files").fetchall())
    assert digests == {MARCH.name: f"sha256:{sha256}", ZIPPED.name: file_digest(ZIPPED)}


def test_interrupted_import_leaves_the_store_usable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "db"
    import_files([MARCH], db)
    before = dyad_monthly(db, "RUS", "PRK")

    def power_cut(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # after the part was renamed into place, before the catalogue knew of it

    with monkeypatch.context() as patch:
        patch.setattr(BatchWriter, "_commit", power_cut)
        with pytest.raises(KeyboardInterrupt):
            import_files([ZIPPED], db)
    assert len(list((db / "events").glob("*.parquet"))) == 2  # the orphan is on disk ...
    assert dyad_monthly(db, "RUS", "PRK") == before  # ... and invisible
    resumed = import_files([ZIPPED], db)
    assert (resumed.files_imported, resumed.rows_imported, resumed.duplicates_skipped) == (1, 5, 1)
    assert len(list((db / "events").glob("*.parquet"))) == 2  # orphan removed, new part written


def test_interruption_while_the_next_batch_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch is committed in a second thread while the next one is read; an interruption there stops the import
    with the batches before it committed, the one being read left out, and the store usable."""
    db = tmp_path / "db"
    commit = BatchWriter._commit
    calls: list[int] = []

    def second_fails(self: BatchWriter, *args: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        commit(self, *args)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(BatchWriter, "_commit", second_fails)
        with pytest.raises(KeyboardInterrupt):
            import_files([MARCH, ZIPPED, BAD], db, batch_bytes=1)  # one batch per file
    assert len(read_parts(db)) == 1
    assert not list((db / "events").glob(".*"))  # the part read meanwhile was not left behind
    resumed = import_files([MARCH, ZIPPED, BAD], db, batch_bytes=1)
    assert (resumed.files_skipped, resumed.files_imported, resumed.rows_imported) == (1, 2, 8)
    assert resumed.duplicates_skipped == 1


def test_unreadable_zip_is_reported_not_fatal(tmp_path: Path) -> None:
    broken = tmp_path / "20240601000000.export.CSV.zip"
    broken.write_bytes(b"PK\x03\x04 this is not a zip archive")
    report = import_files([broken, MARCH], tmp_path / "db")
    assert (report.files_failed, report.files_imported, report.rows_imported) == (1, 1, 13)
    assert str(report.samples[0]).startswith(f"{broken}: cannot read:")


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED], ids=["deflated", "stored"])
def test_zip_members_come_out_as_zipfile_reads_them(tmp_path: Path, method: int) -> None:
    # Two lines of 6 MB: more than one 4 MB chunk of deflated input; the other member kinds go through zipfile.
    text = (os.urandom(3 * 2**20).hex() + "\n") * 2
    archive = tmp_path / "big.export.CSV.zip"
    with zipfile.ZipFile(archive, "w", method) as out:
        out.writestr("big.export.CSV", text)
    with zipfile.ZipFile(archive) as check:
        expected = check.read("big.export.CSV")
    source = _extract(archive, tmp_path, Known(set()))
    assert source.problem is None and source.csv is not None
    assert source.csv.read_bytes() == expected and source.csv_bytes == len(expected)


@pytest.mark.parametrize(("where", "message"), [
    (400, "20240415000000.export.CSV is damaged (size or CRC-32 does not match)"),  # other bytes, or too few
    (204, "20240415000000.export.CSV inflates to more than its stated 1733 bytes"),
    (3, "Error -1 Invalid deflate block found"),  # the first block's header: no deflate stream at all
])
@pytest.mark.parametrize("stream_from", [2**28, 0], ids=["extracted", "streamed"])
def test_a_damaged_zip_member_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: int, message: str,
                                          stream_from: int) -> None:
    monkeypatch.setattr(importer, "STREAM_FROM", stream_from)  # streamed: found damaged after DuckDB read it
    data = bytearray(ZIPPED.read_bytes())
    with zipfile.ZipFile(ZIPPED) as archive:
        member = archive.infolist()[0]
    start = member.header_offset + 30 + len(member.filename.encode())  # the sample's local header has no extra field
    data[start + where] ^= 0xFF  # one flipped byte of the 408 deflated ones
    damaged = tmp_path / ZIPPED.name
    damaged.write_bytes(bytes(data))
    report = import_files([damaged, MARCH], tmp_path / "db")
    assert (report.files_failed, report.files_imported, report.rows_imported) == (1, 1, 13)
    assert str(report.samples[0]) == f"{damaged}: cannot read: {message}"


def test_a_large_zip_member_is_streamed_not_unzipped_and_imports_alike(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A member over ``STREAM_FROM`` goes to DuckDB's reader through a pipe: nothing of it is written to the scratch
    folder, and the store is the one an extracted member gives; other files of the import are batched around it."""
    from armsflow.gdelt import batch

    lines = MARCH.read_bytes().splitlines(keepends=True)
    rows = [str(900_000_000 + n).encode() + lines[1 + n % 8][lines[1 + n % 8].index(b"\t"):] for n in range(20_000)]
    big = tmp_path / "20240601000000.export.CSV.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("20240601000000.export.CSV", b"".join(rows))
    size = zipfile.ZipFile(big).infolist()[0].file_size
    stores = []
    for name, stream_from in (("extracted", 2**28), ("streamed", size - 1)):
        monkeypatch.setattr(importer, "STREAM_FROM", stream_from)
        if name == "streamed":
            def refuse(*args: object) -> None:
                raise AssertionError("a member over STREAM_FROM was unzipped to the scratch folder")
            monkeypatch.setattr(importer, "extract", refuse)
            monkeypatch.setattr(batch, "FAST_FROM", 0)  # the fast path is offered the batch, and must decline it
        report = import_files([MARCH, big, BAD], tmp_path / name, batch_bytes=1)
        assert (report.files_imported, report.files_failed, report.rows_imported) == (3, 0, 20_016)
        consistent(tmp_path / name)
        parts = ", ".join(f"'{p.path}'" for p in read_parts(tmp_path / name))
        import duckdb

        stores.append(duckdb.execute(f"SELECT * FROM read_parquet([{parts}]) ORDER BY GLOBALEVENTID").fetchall())
        assert not list((tmp_path / name).glob(".scratch-*"))
    assert stores[0] == stores[1]


def test_a_zip_that_lies_about_its_member_is_reported(tmp_path: Path) -> None:
    text = MARCH.read_bytes() * 50
    honest = tmp_path / "honest.zip"
    with zipfile.ZipFile(honest, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(MARCH.name, text)
    data = bytearray(honest.read_bytes())
    stated = len(text).to_bytes(4, "little")
    at = data.rindex(stated)  # the size in the central directory, which zipfile believes
    data[at:at + 4] = (1000).to_bytes(4, "little")  # claims 1,000 bytes: a bomb would claim few and inflate to many
    lying = tmp_path / "20240601000000.export.CSV.zip"
    lying.write_bytes(bytes(data))
    report = import_files([lying], tmp_path / "db")
    assert (report.files_failed, report.rows_imported) == (1, 0)
    assert str(report.samples[0]) == (f"{lying}: cannot read: {MARCH.name} inflates to more than its stated "
                                      f"1000 bytes")
    cut = tmp_path / "20240602000000.export.CSV.zip"
    cut.write_bytes(honest.read_bytes()[:20])  # not even a whole local header
    assert import_files([cut], tmp_path / "db2").files_failed == 1


def test_crlf_lines_and_bad_bytes(tmp_path: Path) -> None:
    lines = MARCH.read_bytes().splitlines()
    (tmp_path / "crlf.export.CSV").write_bytes(b"\r\n".join(lines[1:3]) + b"\r\n")
    mangled = lines[3].replace(b"synthetic", b"synth\xffetic")  # in SOURCEURL, a stored column: rejected
    unstored = lines[4].replace(b"RUSSIA", b"RUSS\xffIA")  # in Actor1Name, which the store does not keep: imported
    (tmp_path / "bytes.export.CSV").write_bytes(mangled + b"\n" + unstored + b"\n")
    report = import_files([tmp_path], tmp_path / "db")
    assert (report.rows_imported, report.rows_rejected) == (3, 1)
    assert [str(p) for p in report.samples] == [f"{tmp_path}/bytes.export.CSV:1: SOURCEURL: not valid UTF-8"]
    march = by_key(dyad_monthly(tmp_path / "db", "RUS", "PRK"))[("2024-03", "visits")]
    assert (march.count, march.total_events) == (2, 3)  # no stray carriage return in any field


def test_store_keeps_only_the_stored_columns_but_checks_every_line(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from armsflow.gdelt.schema import STORED

    line = MARCH.read_text(encoding="utf-8").splitlines()[1].split("\t")
    fields = list(line)
    fields[31] = "many"  # NumMentions, not stored: never parsed, so the row is imported
    extra = [*line[:-1], "x", line[-1]]  # 62 columns: rejected even though every stored field reads
    extra[0] = "1190009999"
    (tmp_path / "cols.export.CSV").write_text("\t".join(fields) + "\n" + "\t".join(extra) + "\n", encoding="utf-8")
    report = import_files([tmp_path / "cols.export.CSV"], tmp_path / "db")
    assert (report.rows_imported, report.rows_rejected) == (1, 1)
    assert [str(p) for p in report.samples] == [
        f"{tmp_path}/cols.export.CSV:2: columns: expected 61 tab-separated columns, found 62"]
    (part,) = read_parts(tmp_path / "db")
    assert tuple(pq.read_schema(part.path).names) == STORED


def test_missing_input_is_one_line_per_path(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        import_files([tmp_path / "nope.CSV", str(tmp_path / "*.zip")], tmp_path / "db")
    assert str(caught.value).splitlines() == [f"{tmp_path}/*.zip: no file matches this pattern",
                                              f"{tmp_path}/nope.CSV: no such file or folder"]
    assert not (tmp_path / "db").exists()


# --- dyad queries, on both backends --------------------------------------------------------------------------------

def test_monthly_counts_default_rules(store: Path, backend: Backend) -> None:
    months = dyad_monthly(store, "RUS", "PRK", backend=backend)
    assert rows(months) == DEFAULT
    march = by_key(months)[("2024-03", "visits")]
    assert march.per_million == pytest.approx(400_000.0)
    assert by_key(months)[("2024-01", "visits")].per_million is None  # no events counted that month
    assert dyad_monthly(store, "PRK", "RUS", backend=backend).months == months.months


def test_late_events_dated_by_dateadded(store: Path, backend: Backend) -> None:
    months = by_key(dyad_monthly(store, "RUS", "PRK", backend=backend,
                                 rules=DyadRules(late=Late.DATEADDED)))
    january = months[("2024-01", "visits")]  # line 8 moved to March: January is an empty month now
    assert (january.count, january.total_events, january.late) == (0, 0, 0)
    march = months[("2024-03", "visits")]
    assert (march.count, march.total_events, march.late) == (5, 11, 1)
    assert months[("2021-03", "visits")].total_events == 1  # the real row, re-dated to its DATEADDED
    assert months[("2021-04", "visits")].total_events == 0  # a month with no events in the store


def test_late_events_kept_at_sqldate(store: Path, backend: Backend) -> None:
    months = by_key(dyad_monthly(store, "RUS", "PRK", backend=backend,
                                 rules=DyadRules(late=Late.KEEP)))
    january = months[("2024-01", "visits")]
    assert (january.count, january.total_events, january.late) == (1, 1, 1)
    assert months[("2020-03", "visits")].total_events == 1


def test_source_dedupe_and_window(store: Path, backend: Backend) -> None:
    months = dyad_monthly(store, "RUS", "PRK", since=date(2024, 3, 1), until=date(2024, 4, 30),
                          backend=backend, rules=DyadRules(dedupe=Dedupe.SOURCE))
    assert rows(months) == [
        ("2024-03", "visits", 3, 9, 0), ("2024-03", "military", 2, 9, 0), ("2024-03", "sanctions", 0, 9, 0),
        ("2024-04", "visits", 1, 4, 0), ("2024-04", "military", 1, 4, 0), ("2024-04", "sanctions", 1, 4, 0),
    ]


def test_lag_threshold_is_configurable(store: Path) -> None:
    strict = by_key(dyad_monthly(store, "RUS", "PRK", rules=DyadRules(max_lag_days=1)))
    assert strict[("2024-02", "visits")].late == 1  # 2024-02-28 added 2024-03-01: two days
    assert strict[("2024-02", "visits")].count == 0


def test_bad_query_arguments_name_the_parameter(store: Path, tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"^a: expected a 3-letter CAMEO country code such as RUS or PRK, "
                                             r"got 'RU'$"):
        dyad_monthly(store, "RU", "PRK")
    with pytest.raises(ParameterError, match=r"^since: 2024-05-01 is after until \(2024-01-01\)$"):
        dyad_monthly(store, "RUS", "PRK", since=date(2024, 5, 1), until=date(2024, 1, 1))
    with pytest.raises(ParameterError, match=r"^backend: expected duckdb or spark, got 'polars'$"):
        dyad_monthly(store, "RUS", "PRK", backend="polars")
    with pytest.raises(ParameterError, match=r"^max_lag_days: must be from 0 to 36500 days, got -1$"):
        DyadRules(max_lag_days=-1)
    with pytest.raises(ParameterError, match=r"^late: expected drop, dateadded or keep, got 'later'$"):
        DyadRules(late="later")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"^dedupe: expected id or source, got 'url'$"):
        DyadRules(dedupe="url")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"^dialect: expected duckdb or pyspark, got 'spark'$"):
        dyad_sql("spark")
    with pytest.raises(InputError, match="not a GDELT store"):
        dyad_monthly(tmp_path, "RUS", "PRK")
    empty = dyad_monthly(store, "RUS", "PRK", since=date(1990, 1, 1), until=date(1990, 12, 31))
    assert empty.months == ()


def test_rules_and_backend_take_their_text_values(store: Path) -> None:
    """The enums are ``StrEnum``s: an interface may pass the text of a choice, and JSON shows the text."""
    rules = DyadRules(late="keep", dedupe="source")  # type: ignore[arg-type]
    assert (rules.late, rules.dedupe) == (Late.KEEP, Dedupe.SOURCE)
    assert rules == DyadRules(late=Late.KEEP, dedupe=Dedupe.SOURCE)
    assert dyad_monthly(store, "RUS", "PRK", backend="duckdb").backend is Backend.DUCKDB
    assert [m.value for m in Late] == ["drop", "dateadded", "keep"]
    assert [m.value for m in Dedupe] == ["id", "source"]
    assert [m.value for m in Backend] == ["duckdb", "spark"]


def test_dyad_result_carries_its_query_and_a_header(store: Path) -> None:
    result = dyad_monthly(store, "rus", "prk", since=date(2024, 2, 1), rules=DyadRules(max_lag_days=10))
    assert (result.a, result.b, result.since, result.until) == ("RUS", "PRK", date(2024, 2, 1), None)
    assert result.header() == ("month", "family", "count", "total_events", "per_million", "late")
    data = result.to_dict()
    assert {key: data[key] for key in ("a", "b", "since", "until", "backend", "rules", "columns")} == {
        "a": "RUS", "b": "PRK", "since": "2024-02-01", "until": None, "backend": "duckdb",
        "rules": {"max_lag_days": 10, "late": "drop", "dedupe": "id"}, "columns": list(result.header())}
    assert all(list(month) == list(result.header()) for month in data["months"])
    assert data["months"][3] == {"month": "2024-03", "family": "visits", "count": 4, "total_events": 10,
                                 "per_million": 400_000.0, "late": 0}
    assert json.loads(result.to_json()) == data
    assert Late.DROP.counted_as == "late-dated, not counted"


def test_compiled_query_is_reused_for_the_same_arguments(store: Path) -> None:
    from armsflow.gdelt.queries import _compiled

    _compiled.cache_clear()
    first = dyad_monthly(store, "RUS", "PRK")
    assert dyad_monthly(store, "rus", "prk") == first  # the same query: compiled once
    assert (_compiled.cache_info().misses, _compiled.cache_info().hits) == (1, 1)
    assert dyad_monthly(store, "RUS", "PRK", rules=DyadRules(max_lag_days=1)).months != first.months
    assert _compiled.cache_info().misses == 2


# --- compiled SQL --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dialect", ["duckdb", "pyspark"])
def test_compiled_sql_matches_snapshot(dialect: str) -> None:
    sql = dyad_sql(dialect, "RUS", "PRK", since=date(2024, 1, 1), until=date(2024, 12, 31)).strip() + "\n"
    snapshot = SNAPSHOTS / f"dyad_{dialect}.sql"
    if os.environ.get("ARMSFLOW_UPDATE_SNAPSHOTS"):
        snapshot.write_text(sql)
    assert sql == snapshot.read_text(), f"compiled SQL changed: review, then regenerate {snapshot.name}"


def test_importing_the_package_stays_light() -> None:
    code = ("import sys; import armsflow.gdelt as g; heavy = ('ibis', 'duckdb', 'pyspark', 'numba'); "
            "print(*[m for m in heavy if m in sys.modules], '|', g.dyad_monthly.__name__, "
            "*[m for m in heavy if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["|", "dyad_monthly", "ibis", "duckdb"]  # PySpark and Numba only when used


# --- without the extras --------------------------------------------------------------------------------------------

#: The functions that need the gdelt extra; the rest of ``__all__`` (enums, rules, results, families) needs none.
NEEDS_EXTRA = ["dyad_expr", "dyad_monthly", "dyad_sql", "events_table", "import_files", "read_parts",
               "repair_store", "spark_session", "stop_spark", "volume_table"]
NO_EXTRA = ["Backend", "Dedupe", "DyadMonth", "DyadResult", "DyadRules", "Family", "ImportReport", "Late",
            "MAX_LAG_DAYS", "RepairReport", "families"]


def test_the_public_names_are_all_listed() -> None:
    assert sorted(armsflow.gdelt.__all__) == sorted(NEEDS_EXTRA + NO_EXTRA)
    assert all(getattr(armsflow.gdelt, name) is not None for name in armsflow.gdelt.__all__)


def test_without_the_gdelt_extra_every_function_says_what_to_install() -> None:
    """As on a core install: the extra's modules cannot be imported. The names still import; calls raise."""
    code = "\n".join([
        "import sys",
        "for name in ('duckdb', 'ibis', 'sqlglot', 'blake3', 'isal', 'numba', 'pyspark'):",
        "    sys.modules[name] = None  # what Python does for a module it must not import",
        "from armsflow.errors import MissingExtraError",
        f"from armsflow.gdelt import {', '.join(NEEDS_EXTRA + NO_EXTRA)}",
        f"for function in ({', '.join(NEEDS_EXTRA)}):",
        "    try:",
        "        function()",
        "    except MissingExtraError as exc:",
        "        print(f'{function.__name__}: {exc}')",
        "print(DyadRules(late=Late.KEEP).late.value, *Backend, families()[0].key)",
    ])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [
        f"{name}: GDELT support needs the gdelt extra: pip install 'armsflow[gdelt]'" for name in NEEDS_EXTRA
    ] + ["keep duckdb spark visits"]


def test_the_spark_backend_without_the_spark_extra(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from armsflow.errors import MissingExtraError
    from armsflow.gdelt import spark_session

    for name in ("pyspark", "pyspark.sql"):
        monkeypatch.setitem(sys.modules, name, None)
    message = r"^the spark backend needs the spark extra: pip install 'armsflow\[spark\]'$"
    with pytest.raises(MissingExtraError, match=message):
        dyad_monthly(store, "RUS", "PRK", backend=Backend.SPARK)
    with pytest.raises(MissingExtraError, match=message):
        dyad_sql("pyspark")
    with pytest.raises(MissingExtraError, match=message):
        spark_session()


# --- hostile files, damaged stores, locks, full disks, kills (issue 17) ---------------------------------------------

BAD_FILES = tomllib.loads((DATA / "bad_files.toml").read_text(encoding="utf-8"))["case"]


def consistent(db: Path) -> None:
    """The store's invariants hold: every listed part reads and holds the rows the catalogue says, every
    GLOBALEVENTID is positive and in the store once, the volume files count the same events, the catalogue's files
    point only at listed parts, and a query runs."""
    import duckdb

    parts = read_parts(db)
    with duckdb.connect(str(db / "catalogue.duckdb"), read_only=True) as con:
        listed = {str(p) for (p,) in con.execute("SELECT part FROM parts").fetchall()}
        pointed = {str(p) for (p,) in con.execute("SELECT DISTINCT part FROM files WHERE part IS NOT NULL").fetchall()}
    assert pointed <= listed == {p.path.stem for p in parts}
    if parts:
        events = ", ".join(f"'{p.path}'" for p in parts)
        volume = ", ".join(f"'{p.volume}'" for p in parts)
        total, distinct, lowest = duckdb.execute(f"SELECT count(*), count(DISTINCT GLOBALEVENTID), "
                                                 f"min(GLOBALEVENTID) FROM read_parquet([{events}])").fetchone() or ()
        assert total == distinct == sum(p.rows for p in parts)
        assert lowest > 0
        assert duckdb.execute(f"SELECT sum(EVENTS) FROM read_parquet([{volume}])").fetchone() == (total,)
    dyad_monthly(db, "RUS", "PRK")


def build_bad_file(case: dict[str, object], folder: Path) -> Path:
    """The file of one ``bad_files.toml`` case, made from the sample's lines."""
    import gzip
    import random

    lines = MARCH.read_bytes().splitlines()
    kind = case["build"]
    path = folder / "20240601000000.export.CSV"
    if kind == "gzip":
        path.write_bytes(gzip.compress(MARCH.read_bytes(), mtime=0))
    elif kind == "binary":
        path.write_bytes(random.Random(17).randbytes(5000))
    elif kind == "cr_in_field":
        fields = lines[2].split(b"\t")
        fields[60] = fields[60][:12] + b"\r" + fields[60][12:]
        path.write_bytes(b"\n".join([lines[1], b"\t".join(fields), lines[4], lines[5]]) + b"\n")
    elif kind == "mixed_endings":
        path.write_bytes(lines[1] + b"\r\n" + lines[2] + b"\r\n" + lines[4] + b"\n" + lines[5] + b"\r\n")
    elif kind == "long_line":
        fields = lines[6].split(b"\t")
        fields[60] += b"x" * (int(cast(int, case["megabytes"])) * 2**20)
        path.write_bytes(b"\n".join([lines[4], lines[5], b"\t".join(fields), lines[7]]) + b"\n")
    elif kind == "ids":
        rows = []
        for ident, line in zip(cast(list[str], case["ids"]), lines[4:8], strict=True):
            rows.append(ident.encode() + line[line.index(b"\t"):])
        path.write_bytes(b"\n".join(rows) + b"\n")
    elif kind == "utf16":
        path.write_bytes(MARCH.read_text(encoding="utf-8").encode("utf-16"))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind in ("nested_zip", "empty_zip", "bzip2_zip"):
        path = folder / "20240601000000.export.CSV.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2 if kind == "bzip2_zip" else zipfile.ZIP_DEFLATED) as out:
            if kind == "nested_zip":
                out.write(ZIPPED, ZIPPED.name)
            elif kind == "bzip2_zip":
                out.writestr(MARCH.name, MARCH.read_bytes())
    elif kind in ("zip", "encrypted_zip"):
        path = folder / "20240601000000.export.CSV.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            out.writestr(MARCH.name, MARCH.read_bytes())
        if kind == "encrypted_zip":  # bit 0 of the flags, in the local header and the central directory
            data = bytearray(path.read_bytes())
            for signature, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
                data[data.index(signature) + at] |= 1
            path.write_bytes(bytes(data))
    elif kind == "brackets":
        inner = folder / "in[1]"
        inner.mkdir()
        path = inner / "20240601[1].export.CSV"
        shutil.copy(MARCH, path)
    else:
        raise AssertionError(f"no builder {kind}")
    if case.get("zipped"):
        zipped = path.with_name(path.name + ".zip")
        with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as out:
            out.write(path, path.name)
        path.unlink()
        path = zipped
    return path


@pytest.mark.parametrize("case", BAD_FILES, ids=[c["id"] for c in BAD_FILES])
def test_a_bad_file_is_reported_and_the_rest_imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      case: dict[str, object]) -> None:
    from armsflow.gdelt import batch

    monkeypatch.setattr(batch, "FAST_FROM", 0)  # the fast path is offered every batch
    path = build_bad_file(case, tmp_path)
    expected = [line.format(file=path) for line in cast(list[str], case["samples"])]
    shown = []
    for name, fast, stream_from in (("reader", False, 2**28), ("fast", True, 2**28), ("streamed", True, 0)):
        monkeypatch.setattr(importer, "STREAM_FROM", stream_from)  # 0: every zip member is streamed through a pipe
        db = tmp_path / name
        report = import_files([path, ZIPPED], db, fast=fast,
                              max_member_bytes=cast(int, case.get("max_member_bytes", 2**30)))
        assert (report.files_failed, report.rows_imported, report.rows_rejected) == \
            (case["failed"], case["rows"], case["rejected"])
        assert [str(p) for p in report.samples] == expected
        assert report.files_imported == 2 - report.files_failed
        consistent(db)
        shown.append(str(report).split("\n", 1)[1])
    assert shown[0] == shown[1] == shown[2]  # the readers, and a streamed member, report alike


def test_the_cli_reports_every_bad_file_in_one_import(tmp_path: Path) -> None:
    """All the cases' files in one import (one batch, read together): each reported, the rest imported, no traceback."""
    from typer.testing import CliRunner

    from armsflow.cli import app

    paths, expected = [], []
    for case in BAD_FILES:
        if "max_member_bytes" in case or case["build"] == "long_line" and case["megabytes"] > 3:
            continue  # an option of its own; 40 MB once is enough (above)
        folder = tmp_path / str(case["id"])
        folder.mkdir()
        paths.append(build_bad_file(case, folder))
        expected += [line.format(file=paths[-1]) for line in cast(list[str], case["samples"])]
    result = CliRunner().invoke(app, ["gdelt", "import", *map(str, paths), str(ZIPPED), "--db", str(tmp_path / "db"),
                                      "--json"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    report = json.loads(result.output)
    assert sorted(report["samples"]) == sorted(expected)
    assert (report["files_failed"], report["files_imported"]) == (10, 8)
    consistent(tmp_path / "db")


@pytest.mark.parametrize("batch_bytes", [1, 2**29], ids=["own-batch", "shared-batch"])
def test_a_file_that_fails_as_it_is_hashed_is_reported_and_the_batch_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_bytes: int) -> None:
    """A plain CSV is hashed while DuckDB reads it; if the hashing fails (an I/O error, the file gone), its batch is
    not committed but read again without it, and the file is reported."""
    from armsflow.gdelt import importer

    digest = importer.checked_digest

    def failing(path: Path) -> tuple[str, object]:
        if path == BAD:
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(path))
        return digest(path)

    monkeypatch.setattr(importer, "checked_digest", failing)
    report = import_files([MARCH, BAD, ZIPPED], tmp_path / "db", batch_bytes=batch_bytes)
    assert (report.files_imported, report.files_failed, report.rows_imported, report.rows_rejected) == (2, 1, 18, 0)
    assert [str(p) for p in report.samples] == [f"{BAD}: cannot read: [Errno 5] {os.strerror(errno.EIO)}: '{BAD}'"]
    consistent(tmp_path / "db")
    monkeypatch.undo()
    again = import_files([MARCH, BAD, ZIPPED], tmp_path / "db")
    assert (again.files_skipped, again.files_imported, again.rows_imported) == (2, 1, 3)


def test_a_batch_the_reader_fails_on_though_each_file_reads_is_read_unjoined_then_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import duckdb

    make = Joined.make

    def garbled(files: list[str], target: Path) -> Joined | None:  # a joined copy DuckDB's reader gives up on
        joined = make(files, target)
        target.write_bytes(MARCH.read_bytes().replace(b"synthetic", b"syn\rthetic"))
        return joined

    with monkeypatch.context() as patch:
        patch.setattr(Joined, "make", garbled)
        report = import_files([MARCH, BAD, ZIPPED], tmp_path / "db")
    assert (report.files_imported, report.rows_imported, report.rows_rejected) == (3, 21, 5)
    assert [str(p) for p in report.samples] == BAD_LINES
    consistent(tmp_path / "db")

    def failing(self: BatchWriter, sources: object, *, join: bool = True) -> None:
        raise duckdb.InvalidInputException("Invalid Input Error: something no single file causes")

    monkeypatch.setattr(BatchWriter, "_read", failing)
    with pytest.raises(InputError) as caught:
        import_files([MARCH, ZIPPED], tmp_path / "db2")
    assert str(caught.value) == (
        f"{MARCH}: DuckDB's reader failed on the batch of 2 files starting here, though each file reads alone "
        f"(Invalid Input Error: something no single file causes): import the files in smaller groups")
    consistent(tmp_path / "db2")


def test_damage_is_found_at_open_and_repaired(tmp_path: Path) -> None:
    from armsflow.gdelt import repair_store

    db = tmp_path / "db"
    import_files([MARCH, ZIPPED, BAD], db, batch_bytes=1)  # a part per file
    before = dyad_monthly(db, "RUS", "PRK")
    cut = read_parts(db)[1]
    cut.path.write_bytes(cut.path.read_bytes()[:100])  # a part cut short (a copy cut off, a crash)
    message = (f"{db}: the store is damaged (events/{cut.path.name} is cut short (no Parquet footer)): "
               f"run 'armsflow gdelt repair' on it")
    for call in (lambda: dyad_monthly(db, "RUS", "PRK"), lambda: import_files([MARCH], db)):
        with pytest.raises(InputError) as caught:
            call()
        assert str(caught.value) == message
    repaired = repair_store(db)
    assert (repaired.parts_kept, repaired.parts_removed, repaired.reimport) == (2, [cut.path.stem], [ZIPPED.name])
    assert (db / "damaged" / f"events-{cut.path.name}").is_file()
    consistent(db)
    again = import_files([MARCH, ZIPPED, BAD], db)
    assert (again.files_skipped, again.files_imported, again.rows_imported) == (2, 1, 5)
    assert dyad_monthly(db, "RUS", "PRK") == before
    assert str(repair_store(db)).splitlines()[-1] == "no damage found"

    flipped = read_parts(db)[0].path  # damaged inside, footer whole: found by the query, and by repair
    data = bytearray(flipped.read_bytes())
    data[4:200] = bytes(b ^ 0x5A for b in data[4:200])
    flipped.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"the store is damaged \(a part cannot be read: .*\): run 'armsflow gdelt "
                                         r"repair' on it$"):
        dyad_monthly(db, "RUS", "PRK")
    assert repair_store(db).reimport == [MARCH.name]
    assert import_files([MARCH], db).rows_imported == 13
    assert dyad_monthly(db, "RUS", "PRK") == before
    consistent(db)


def test_the_cli_says_a_store_is_damaged_in_one_line_and_repairs_it(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from armsflow.cli import app

    db = tmp_path / "db"
    import_files([MARCH], db)
    (db / "catalogue.duckdb").write_bytes(b"not a database" * 100)
    runner = CliRunner()
    for args in (["dyad", "--db", str(db), "--a", "RUS", "--b", "PRK"], ["import", str(ZIPPED), "--db", str(db)]):
        result = runner.invoke(app, ["gdelt", *args])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert "the store is damaged" in result.output and "armsflow gdelt repair" in result.output
    repaired = runner.invoke(app, ["gdelt", "repair", "--db", str(db), "--json"])
    assert repaired.exit_code == 0, repaired.output
    assert json.loads(repaired.output)["catalogue_rebuilt"] is True
    assert runner.invoke(app, ["gdelt", "dyad", "--db", str(db), "--a", "RUS", "--b", "PRK"]).exit_code == 0
    consistent(db)


def test_a_lost_volume_file_is_written_again_from_its_part(tmp_path: Path) -> None:
    from armsflow.gdelt import repair_store

    db = tmp_path / "db"
    import_files([MARCH, ZIPPED], db, batch_bytes=1)
    before = dyad_monthly(db, "RUS", "PRK")
    first, second = read_parts(db)
    first.volume.unlink()
    second.volume.write_bytes(b"PAR1" + b"\x00" * 40 + b"PAR1")  # a footer's shape, not a Parquet file
    with pytest.raises(InputError, match=rf"volume/{first.path.name} is listed in the catalogue but missing"):
        dyad_monthly(db, "RUS", "PRK")
    repaired = repair_store(db)
    assert (repaired.parts_kept, repaired.parts_removed, repaired.volumes_rewritten) == (2, [], 2)
    assert str(repaired).splitlines()[-1] == "wrote 2 volume files again from their parts"
    assert dyad_monthly(db, "RUS", "PRK") == before
    consistent(db)
    with pytest.raises(InputError, match="not a GDELT store"):
        repair_store(tmp_path / "nothing-here")


def test_a_part_damaged_inside_is_reported_by_either_backend(tmp_path: Path, backend: Backend) -> None:
    db = tmp_path / "db"
    import_files([MARCH, ZIPPED], db)
    (part,) = read_parts(db)
    data = bytearray(part.path.read_bytes())
    data[4:200] = bytes(b ^ 0x5A for b in data[4:200])  # the first column's pages; the footer stays whole
    part.path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=rf"^{db}: the store is damaged \(a part cannot be read: .*\): run "
                                         r"'armsflow gdelt repair' on it$"):
        dyad_monthly(db, "RUS", "PRK", backend=backend)


def test_a_lost_catalogue_is_rebuilt_from_the_parts(tmp_path: Path) -> None:
    from armsflow.gdelt import repair_store

    db = tmp_path / "db"
    import_files([MARCH, ZIPPED, BAD], db, batch_bytes=1)
    before = dyad_monthly(db, "RUS", "PRK")
    catalogue = db / "catalogue.duckdb"
    catalogue.write_bytes(os.urandom(4096) + catalogue.read_bytes()[4096:])
    for call in (lambda: dyad_monthly(db, "RUS", "PRK"), lambda: import_files([MARCH], db)):
        with pytest.raises(InputError, match=r"^\S+: the store is damaged \(its catalogue cannot be opened: .*\): "
                                             r"run 'armsflow gdelt repair' on it$"):
            call()
    repaired = repair_store(db)
    assert (repaired.catalogue_rebuilt, repaired.parts_kept, repaired.events_kept) == (True, 3, 21)
    assert dyad_monthly(db, "RUS", "PRK") == before
    again = import_files([MARCH, ZIPPED, BAD], db)  # the files are read again; their events are all held
    assert (again.files_imported, again.rows_imported, again.duplicates_skipped) == (3, 0, 22)
    consistent(db)
    catalogue.unlink()  # gone altogether: the parts must not be taken for leftovers and removed
    with pytest.raises(InputError, match="catalogue.duckdb is missing but events/ holds parts"):
        import_files([MARCH], db)
    assert len(list((db / "events").glob("part-*.parquet"))) == 3
    assert repair_store(db).catalogue_rebuilt
    assert dyad_monthly(db, "RUS", "PRK") == before


HOLD_CATALOGUE = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)"
HOLD_LOCK = ("import fcntl, sys, time; h = open(sys.argv[1], 'a+'); fcntl.flock(h, fcntl.LOCK_EX); "
             "print('held', flush=True); time.sleep(60)")


@pytest.mark.parametrize(("code", "held", "message"), [
    (HOLD_LOCK, ".lock", "the store is in use by another import: try again when it has finished"),
    (HOLD_CATALOGUE, "catalogue.duckdb", "the store is in use by another process (its catalogue is locked): try "
                                         "again when that process has finished"),
], ids=["import", "catalogue"])
def test_a_store_in_use_is_reported_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str, held: str,
                                            message: str) -> None:
    from armsflow.gdelt import store as store_module

    db = tmp_path / "db"
    import_files([MARCH], db)
    monkeypatch.setattr(store_module, "LOCK_WAIT_S", 0.2)
    holder = subprocess.Popen([sys.executable, "-c", code, str(db / held)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(InputError) as caught:
            import_files([ZIPPED], db)
        assert str(caught.value) == f"{db}: {message}"
    finally:
        holder.kill()
        holder.communicate()  # and closes its pipe
    consistent(db)
    assert import_files([ZIPPED], db).files_imported == 1


def _no_space(path: object) -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


@pytest.mark.parametrize("where", ["part", "unzip", "duckdb"])
def test_a_full_disk_stops_cleanly_naming_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   where: str) -> None:
    import duckdb

    from armsflow.gdelt import unzip

    db = tmp_path / "db"
    import_files([MARCH], db)
    before = dyad_monthly(db, "RUS", "PRK")
    with monkeypatch.context() as patch:
        if where == "part":  # moving a written part into place
            def replace(src: object, dst: object) -> None:
                raise _no_space(src)
            patch.setattr(os, "replace", replace)
            named = str(db / "events")
        elif where == "unzip":  # writing a zip member to the scratch folder
            def write(self: object, out: object, lines: object) -> None:
                raise _no_space(getattr(out, "name", ""))
            patch.setattr(unzip.Stream, "write", write)
            named = str(db / ".scratch-")
        else:  # DuckDB writing the part
            def read(self: BatchWriter, sources: object) -> None:
                raise duckdb.IOException(f'IO Error: Could not write file "{db}/events/.part-x.parquet.tmp": '
                                         f'No space left on device')
            patch.setattr(BatchWriter, "read", read)
            named = f"{db}/events/.part-x.parquet.tmp"
        with pytest.raises(InputError) as caught:
            import_files([ZIPPED, BAD], db)
    (problem,) = caught.value.problems
    assert problem.file.startswith(named)
    assert problem.message.startswith("disk full: the import stopped")
    consistent(db)
    assert dyad_monthly(db, "RUS", "PRK") == before  # nothing of the stopped import is visible
    resumed = import_files([ZIPPED, BAD], db)
    assert (resumed.files_imported, resumed.rows_imported) == (2, 8)
    consistent(db)


KILL_AT = {
    # where the child kills itself: (what it patches, the call at which it dies)
    "unzip": ("Stream.write", 1),  # writing a zip member to the scratch folder
    "stream": ("Stream.write", 1),  # writing a zip member into the pipe DuckDB reads (STREAM_FROM = 0 below)
    "part-written": ("os.replace", 1),  # a part written, before it is renamed into place
    "volume-renamed": ("os.replace", 2),  # the volume file in place, the part not yet
    "before-commit": ("BatchWriter._commit", 1),  # both in place, the catalogue not told
    "in-commit": ("INSERT INTO files", 1),  # inside the catalogue transaction, after INSERT INTO parts
    "second-batch": ("BatchWriter._commit", 2),  # one batch committed, the next not
}
KILLER = """
import contextlib, os, signal, sys
from pathlib import Path
from armsflow.gdelt import batch, import_files, importer, unzip
target, at, point = sys.argv[1], int(sys.argv[2]), sys.argv[4]
if point == "stream":
    importer.STREAM_FROM = 0
calls = [0]

def die():
    calls[0] += 1
    if calls[0] == at:
        os.kill(os.getpid(), signal.SIGKILL)

def dying(owner, attr):
    original = getattr(owner, attr)
    def call(*args, **kwargs):
        die()
        return original(*args, **kwargs)
    setattr(owner, attr, call)

class Catalogue:
    def __init__(self, con):
        self.con = con
    def execute(self, sql, *args):
        if sql.startswith(target):
            die()
        return self.con.execute(sql, *args)
    def __getattr__(self, name):
        return getattr(self.con, name)

connect = batch.connect_catalogue

@contextlib.contextmanager
def watched(*args, **kwargs):
    with connect(*args, **kwargs) as con:
        yield Catalogue(con)

owners = {"Stream": unzip.Stream, "os": os, "BatchWriter": batch.BatchWriter}
if "." in target:
    owner, attr = target.split(".")
    dying(owners[owner], attr)
else:
    batch.connect_catalogue = watched
import_files([Path(p) for p in sys.argv[5:]], Path(sys.argv[3]), batch_bytes=1)
"""


@pytest.mark.parametrize("point", list(KILL_AT))
def test_an_import_killed_anywhere_leaves_a_store_that_opens_and_completes(tmp_path: Path, point: str) -> None:
    """SIGKILL at each step of writing a batch: the store opens, holds whole batches only, and importing the same
    files again completes it, to the same counts as an import never killed."""
    target, at = KILL_AT[point]
    db = tmp_path / "db"
    files = [str(MARCH), str(ZIPPED), str(BAD)]
    done = subprocess.run([sys.executable, "-c", KILLER, target, str(at), str(db), point, *files],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    consistent(db)
    resumed = import_files(files, db)
    assert resumed.files_skipped + resumed.files_imported == 3
    assert rows(dyad_monthly(db, "RUS", "PRK")) == DEFAULT
    consistent(db)
    assert not list(db.glob(".scratch-*")) and not list((db / "events").glob(".*"))


def test_the_lag_is_bounded(store: Path) -> None:
    with pytest.raises(ParameterError, match=r"^max_lag_days: must be from 0 to 36500 days, got 99999999999$"):
        DyadRules(max_lag_days=99_999_999_999)
    assert DyadRules(max_lag_days=36_500).max_lag_days == 36_500
    assert dyad_monthly(store, "RUS", "PRK", rules=DyadRules(max_lag_days=36_500)).months

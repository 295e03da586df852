"""The source edit (armsflow.study.edit.read_source / edit_source) on the small test study: one row rewritten,
every other byte kept, checked before anything is written, a stale version refused, the id fixed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import armsflow
from armsflow.errors import ParameterError, StudyError
from armsflow.study.edit import edit_source, read_claim, read_source


def changed_lines(before: bytes, after: bytes) -> list[tuple[bytes, bytes]]:
    return [(a, b) for a, b in zip(before.splitlines(keepends=True), after.splitlines(keepends=True), strict=True)
            if a != b]


def test_read_source_gives_its_fields_version_and_citing_claims(mini: Path) -> None:
    row = read_source(mini, "S2")
    assert (row.study, row.id, row.line) == ("mini", "S2", 3)
    assert row.fields == {"id": "S2", "publisher": "Think tank", "title": "Price", "url": "https://example.org/b",
                          "published": "2024-06-01", "language": "en", "reliability": "A", "notes": ""}
    assert row.claims == ["C3", "C4"]
    assert len(row.etag) == 20 and row.etag != read_source(mini, "S1").etag
    assert row.to_dict()["claims"] == ["C3", "C4"]


def test_an_edit_rewrites_one_line_and_the_grade_reaches_the_study(mini: Path) -> None:
    path = mini / "sources.csv"
    before = path.read_bytes()
    row = read_source(mini, "S2")
    done = edit_source(mini, "S2", {"title": 'Price, "revised"', "reliability": "C"}, if_match=row.etag)
    assert done.status == "saved" and done.problems == []
    assert done.row.fields["title"] == 'Price, "revised"' and done.row.etag != row.etag
    assert changed_lines(before, path.read_bytes()) == [
        (b"S2,Think tank,Price,https://example.org/b,2024-06-01,en,A,\n",
         b'S2,Think tank,"Price, ""revised""",https://example.org/b,2024-06-01,en,C,\n')]
    assert armsflow.load_study(mini).sources["S2"].reliability == "C"
    assert edit_source(mini, "S2", {"reliability": "C"}, if_match=None).status == "unchanged"


def test_a_stale_version_conflicts_and_writes_nothing(mini: Path) -> None:
    old = read_source(mini, "S1").etag
    assert edit_source(mini, "S1", {"title": "First"}, if_match=old).status == "saved"
    before = (mini / "sources.csv").read_bytes()
    done = edit_source(mini, "S1", {"title": "Second"}, if_match=old)
    assert done.status == "conflict" and done.row.fields["title"] == "First"
    assert (mini / "sources.csv").read_bytes() == before


def test_two_saves_at_once_from_one_version_cannot_both_win(mini: Path) -> None:
    etag = read_source(mini, "S3").etag
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda t: edit_source(mini, "S3", {"title": t}, if_match=etag).status, ["x", "y"]))
    assert sorted(done) == ["conflict", "saved"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"reliability": "Z"}, "must be one of A-F"),
    ({"url": "javascript:alert(1)"}, "only http:// and https://"),
    ({"published": "someday"}, "published"),
])
def test_an_edit_that_fails_check_writes_nothing(mini: Path, changes: dict[str, str], message: str) -> None:
    before = {p.name: p.read_bytes() for p in mini.iterdir()}
    done = edit_source(mini, "S1", changes, if_match=read_source(mini, "S1").etag)
    assert done.status == "invalid" and done.row == read_source(mini, "S1")
    assert any(p.file == "sources.csv" and message in str(p) for p in done.problems), done.problems
    assert {p.name: p.read_bytes() for p in mini.iterdir()} == before


def test_the_id_is_fixed_and_columns_must_exist(mini: Path) -> None:
    before = (mini / "sources.csv").read_bytes()
    with pytest.raises(ParameterError, match="id of a source cannot be changed"):
        edit_source(mini, "S1", {"id": "S9"}, if_match=None)
    with pytest.raises(ParameterError, match="no column colour in sources.csv"):
        edit_source(mini, "S1", {"colour": "red"}, if_match=None)
    assert edit_source(mini, "S1", {"id": "S1"}, if_match=None).status == "unchanged"
    assert (mini / "sources.csv").read_bytes() == before


def test_an_unknown_source_is_named(mini: Path) -> None:
    with pytest.raises(ParameterError, match="no source 'S9' in sources.csv") as caught:
        read_source(mini, "S9")
    assert caught.value.parameter == "source"
    with pytest.raises(ParameterError, match="no source"):
        edit_source(mini, "C1", {"title": "x"}, if_match=None)  # a claim's id is no source's


def test_crlf_bom_and_multiline_rows_are_kept(mini: Path) -> None:
    path = mini / "sources.csv"
    text = "\ufeff" + path.read_text().replace("\n", "\r\n").replace("Count,", '"Count\nof containers",', 1)
    path.write_bytes(text.encode())
    row = read_source(mini, "S1")
    assert row.fields["title"] == "Count\nof containers" and row.line == 2 and read_source(mini, "S2").line == 4
    assert edit_source(mini, "S1", {"language": "de"}, if_match=row.etag).status == "saved"
    assert path.read_bytes().decode() == text.replace(",2024-03-01,en,", ",2024-03-01,de,", 1)


def test_a_symlinked_sources_file_is_never_written(mini: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_bytes((mini / "sources.csv").read_bytes())
    (mini / "sources.csv").unlink()
    (mini / "sources.csv").symlink_to(outside)
    before = outside.read_bytes()
    with pytest.raises(StudyError, match="symbolic link"):
        edit_source(mini, "S1", {"title": "x"}, if_match=None)
    assert outside.read_bytes() == before


def test_the_claim_edit_still_reads_its_rows(mini: Path) -> None:
    row = read_claim(mini, "C3")
    assert type(row).__name__ == "ClaimRow" and set(row.to_dict()) == {"study", "id", "line", "fields", "etag"}

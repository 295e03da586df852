"""Sanctions screening: IMO check digits, every list format, hostile and broken files, explained matches, studies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from armsflow import screen
from armsflow.errors import InputError, MissingExtraError, ParameterError, StudyError
from armsflow.screen.imo import check_digit, is_valid, parse_imo

DATA = Path(__file__).parent / "data" / "screen"
LISTS = ["consolidated.xml", "un_1718_vessels.csv", "sdn.xml", "SDN.CSV", "ALT.CSV", "opensanctions.ftm.json"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("screen") / "lists.db"
    screen.load_lists([DATA / f for f in LISTS], path)
    return path


@pytest.mark.parametrize(("number", "valid"), [
    ("9179842", True), ("9074729", True), ("9161003", True), ("9074728", False), ("9179843", False),
    ("0000000", False), ("917984", False), ("91798420", False), ("917984a", False)])
def test_imo_check_digit(number: str, valid: bool) -> None:
    assert is_valid(number) is valid


def test_imo_check_digit_by_hand() -> None:
    # 9*7 + 1*6 + 7*5 + 9*4 + 8*3 + 4*2 = 172, so the check digit of 917984 is 2
    assert check_digit("917984") == 2


@pytest.mark.parametrize(("text", "number", "valid"), [
    ("IMO9179842", "9179842", True), ("IMO 9179842", "9179842", True), ("9179842", "9179842", True),
    ("Vessel Registration Identification IMO 9187629; MMSI 572469210", "9187629", True),
    ("IMO 917984", "917984", False), ("IMO9179843", "9179843", False)])
def test_imo_read_as_lists_write_it(text: str, number: str, valid: bool) -> None:
    imo = parse_imo(text)
    assert imo is not None and (imo.number, imo.valid) == (number, valid)


def test_no_imo_in_text() -> None:
    assert parse_imo("") is None and parse_imo("no number here") is None


def test_load_reads_every_format_with_its_list_and_date(db: Path) -> None:
    result = screen.load_lists([DATA / f for f in LISTS], db)
    by_format = {item.format: item for item in result.lists}
    assert set(by_format) == {"un-consolidated-xml", "un-1718-vessels-csv", "ofac-sdn-xml", "ofac-sdn-csv",
                              "opensanctions-ftm-jsonl"}
    assert str(by_format["un-consolidated-xml"].list_date) == "2018-12-27"
    assert str(by_format["ofac-sdn-xml"].list_date) == "2025-12-04"
    assert result.entries == 24 and result.store_entries == 24
    assert sorted(result.replaced) == ["ofac-sdn", "opensanctions:synthetic_test", "un-1718-vessels",
                                       "un-sc-consolidated"]


def test_records_without_a_name_are_skipped_with_their_place(db: Path) -> None:
    result = screen.load_lists([DATA / f for f in LISTS], db)
    assert result.skipped == 4
    assert {str(p) for p in result.skipped_samples} >= {
        f"{DATA / 'consolidated.xml'}:55: name: entry KPe.999 has no name",
        f"{DATA / 'SDN.CSV'}:4: name: entry 91004 has no name"}


def test_bad_imo_check_digits_are_kept_and_warned(db: Path) -> None:
    result = screen.load_lists([DATA / f for f in LISTS], db)
    assert result.warnings == 2
    assert any("un_1718_vessels.csv:8: imo: IMO 9100074 of 'NEW REGENT' fails its check digit" in str(p)
               for p in result.warning_samples)
    found = screen.query(db, imo="9100074")
    assert [m.name for m in found.matches] == []  # an unchecked IMO alone scores below the threshold
    found = screen.query(db, "New Regent", imo="9100074")
    assert found.matches[0].imo_valid is False and "check digit fails" in found.matches[0].features[0].detail


# query, options, expected (list, reference) of the best match, or None when nothing may match
KNOWN = [
    ("Chonmasan", {}, ("ofac-sdn", "91003")),
    ("Chon Ma San", {"kind": "vessel"}, ("ofac-sdn", "91003")),
    ("KOMID", {}, ("un-sc-consolidated", "KPe.001")),
    ("Korea Mining Dev. Trading Corp", {}, ("un-sc-consolidated", "KPe.001")),
    ("External Technology General Corporation", {}, ("un-sc-consolidated", "KPe.001")),
    ("PAD", {}, ("un-sc-consolidated", "KPe.053")),
    ("Ocean Maritime Management Co Ltd", {}, ("un-sc-consolidated", "KPe.020")),
    ("Ocean Energy", {"kind": "vessel"}, ("ofac-sdn", "90001")),
    ("M/V Maia 1", {}, ("ofac-sdn", "91001")),
    ("MG Flot", {}, ("ofac-sdn", "91002")),
    ("OOO M Lizing", {}, ("ofac-sdn", "90003")),
    ("Hao Fan 8", {}, ("un-1718-vessels", "2")),
    ("Kumunsan 3", {}, ("un-1718-vessels", "5")),
    ("", {"imo": "IMO9179842"}, ("ofac-sdn", "90001")),
    ("Synthetic Dawn", {"imo": "9300013"}, ("opensanctions:synthetic_test", "os-vessel-bare")),
    ("Petrel 5", {}, None),
    ("Maria", {}, None),
    ("Angora", {}, None),
    ("Lady R", {"imo": "9179842"}, ("ofac-sdn", "90001")),  # the IMO number decides: that ship, renamed
    ("Angara", {"imo": "9074729"}, None),  # the Angara's name on a ship with another IMO number
    ("Ocean Marine Services", {}, None),
    ("Korea Mining Trading", {}, None),
    ("Chon Ma San", {"kind": "person"}, None),
]


@pytest.mark.parametrize(("name", "options", "expected"), KNOWN, ids=[f"{k[0] or k[1]}" for k in KNOWN])
def test_known_matches_and_non_matches(db: Path, name: str, options: dict[str, str],
                                       expected: tuple[str, str] | None) -> None:
    found = screen.query(db, name, **options)  # type: ignore[arg-type]
    if expected is None:
        assert found.matches == [], [(m.name, m.score, m.features) for m in found.matches]
    else:
        assert found.matches, "no match"
        assert (found.matches[0].listing.list_key, found.matches[0].listing.reference) == expected


def test_a_match_explains_its_score(db: Path) -> None:
    found = screen.query(db, "Angara", imo="9179842", flag="Russian Federation")
    best = found.matches[0]
    names = {f.name for f in best.features}
    assert {"imo_match", "name", "flag_match"} <= names
    assert best.score == min(1.0, round(sum(f.contribution for f in best.features), 4))
    assert found.to_dict()["matches"][0]["listing"]["authority"] == "US Treasury OFAC"


def test_the_same_imo_in_two_lists_gives_two_listings(db: Path) -> None:
    found = screen.query(db, imo="9179842")
    assert sorted(m.listing.list_key for m in found.matches) == ["ofac-sdn", "opensanctions:synthetic_test"]
    ftm = next(m for m in found.matches if m.listing.list_key.startswith("opensanctions"))
    assert str(ftm.listing.listed_on) == "2022-05-08" and ftm.listing.reference == "SYN-001"
    assert ftm.owner == "M Leasing LLC"  # the owner's entity id read as its name


def test_un_quirks_are_read(db: Path) -> None:
    found = screen.query(db, "Changgwang Sinyong Corporation")
    assert found.matches[0].listing.reference == "KPe.001"  # one of three aliases in one "; " field
    pad = screen.query(db, "Propaganda and Agitation Department").matches[0]
    assert pad.listing.reference == "KPe.053" and pad.name == "PROPAGANDA AND AGITATION DEPARTMENT (PAD)"
    person = screen.query(db, "Li Cheng He").matches[0]
    assert person.matched_quality == "weak" and person.listing.programs == ["DPRK"]


def test_a_bad_query_imo_is_reported(db: Path) -> None:
    found = screen.query(db, "Angara", imo="9179843")
    assert found.notes and "check digit" in found.notes[0]


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({}, "imo"), ({"name": "x", "threshold": 0.0}, "threshold"), ({"name": "x", "limit": 0}, "limit"),
    ({"name": "x", "kind": "ship"}, "kind"), ({"name": "x", "imo": "abc"}, "imo")])
def test_bad_arguments_name_their_parameter(db: Path, kwargs: dict[str, object], parameter: str) -> None:
    with pytest.raises(ParameterError) as err:
        screen.query(db, **kwargs)  # type: ignore[arg-type]
    assert err.value.parameter == parameter


def test_a_missing_store_is_a_parameter_error(tmp_path: Path) -> None:
    with pytest.raises(ParameterError) as err:
        screen.query(tmp_path / "none.db", "x")
    assert err.value.parameter == "db"


BAD_FILES = [
    ("billion_laughs.xml", 3, "refused: the XML declares entities"),
    ("external_entity.xml", 3, "refused: the XML declares entities"),
    ("malformed.xml", 5, "malformed XML"),
    ("truncated.ftm.json", 3, "not valid JSON (the last line is cut off"),
    ("not_a_list.txt", 1, "not a list format armsflow reads"),
]


@pytest.mark.parametrize(("file", "line", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_unreadable_files_fail_the_load_and_leave_the_store_unchanged(tmp_path: Path, file: str, line: int,
                                                                      message: str) -> None:
    path = tmp_path / "lists.db"
    screen.load_lists([DATA / "sdn.xml"], path)
    before = path.read_bytes()
    with pytest.raises(InputError) as err:
        screen.load_lists([DATA / "consolidated.xml", DATA / file], path)
    assert len(err.value.problems) == 1
    problem = err.value.problems[0]
    assert (problem.file, problem.line) == (str(DATA / file), line) and message in problem.message
    assert "\n" not in str(err.value)
    assert path.read_bytes() == before


def test_a_failed_load_creates_no_store(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        screen.load_lists([DATA / "billion_laughs.xml"], tmp_path / "new.db")
    assert not (tmp_path / "new.db").exists()


def test_alt_csv_needs_its_sdn_csv(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="load it together with exactly one SDN.CSV"):
        screen.load_lists([DATA / "ALT.CSV"], tmp_path / "lists.db")


def test_sdn_xml_reads_alike_without_its_namespace(tmp_path: Path) -> None:
    plain = tmp_path / "sdn.xml"
    text = (DATA / "sdn.xml").read_text()
    plain.write_text(text.replace(' xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/'
                                  'exports/XML"', ""))
    assert "xmlns=" not in plain.read_text().split("<sdnList", 1)[1].split(">", 1)[0].replace("xmlns:xsi", "")
    result = screen.load_lists([plain], tmp_path / "lists.db")
    assert result.entries == 5
    assert screen.query(tmp_path / "lists.db", imo="9161003").matches[0].name == "LADY R"


def test_a_names_file_is_screened_row_by_row(db: Path, tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    names.write_text("id,name,imo,kind\n1,Chonmasan,,vessel\n2,,9179842,\n3,Nobody Shipping,,company\n")
    result = screen.screen_file(db, names)
    assert [bool(r.matches) for r in result.results] == [True, True, False]
    assert result.found == 2 and result.results[1].line == 3


def test_a_names_file_with_an_empty_name_names_its_line(db: Path, tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    names.write_text("name,imo,kind\nChonmasan,,\n,,vessel\nAngara,12x,\n")
    with pytest.raises(InputError) as err:
        screen.screen_file(db, names)
    assert [str(p) for p in err.value.problems] == [
        f"{names}:3: name: empty name and no IMO number",
        f"{names}:4: imo: not an IMO number: '12x' (seven digits, as 9179842 or IMO9179842)"]


def test_the_flagship_study_is_screened_with_its_sources(db: Path) -> None:
    result = screen.screen_study("russia-dprk", db)
    by_id = {e.id: e for e in result.entities}
    assert {"E-ANGARA", "E-MARIA", "E-LADY-R", "E-MAIA-1", "E-M-LEASING", "E-TRANSMORFLOT"} <= set(by_id)
    assert by_id["E-ANGARA"].matches and by_id["E-ANGARA"].sources[0].id == "S-RUSI-2023-10-16"
    assert by_id["E-MAIA-1"].matches[0].listing.reference == "91001"
    assert not by_id["E-MARIA"].matches and by_id["E-MARIA"].sources
    assert result.found == sum(1 for e in result.entities if e.matches)
    assert result.to_dict()["entities"][0]["sources"][0]["url"].startswith("https://")
    from armsflow import load_study

    assert screen.screen_study(load_study("russia-dprk"), db).to_dict() == result.to_dict()


def _study_copy(tmp_path: Path) -> Path:
    from importlib import resources

    folder = tmp_path / "study"
    with resources.as_file(resources.files("armsflow.studies").joinpath("russia-dprk")) as src:
        shutil.copytree(src, folder)
    return folder


def test_entities_csv_problems_name_file_line_and_field(db: Path, tmp_path: Path) -> None:
    folder = _study_copy(tmp_path)
    (folder / "entities.csv").write_text(
        "id,kind,name,source\nE-1,vessel,Angara,S-NOPE\nE-2,ship,Maria,S-RUSI-2023-10-16\n"
        "E-1,vessel,,S-RUSI-2023-10-16\n")
    with pytest.raises(StudyError) as err:
        screen.screen_study(folder, db)
    assert [str(p) for p in err.value.problems] == [
        "entities.csv:2: source: unknown source id 'S-NOPE'",
        "entities.csv:3: kind: must be one of vessel, company, person, got 'ship'",
        "entities.csv:4: id: duplicate id 'E-1' (first on line 2)",
        "entities.csv:4: name: missing"]


def test_a_study_without_entities_says_so(db: Path, tmp_path: Path) -> None:
    folder = _study_copy(tmp_path)
    (folder / "entities.csv").unlink()
    with pytest.raises(StudyError, match="no entities.csv"):
        screen.screen_study(folder, db)


def test_without_the_extra_the_calls_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(screen, "_extra_missing", lambda: ImportError("No module named 'rapidfuzz'"))
    with pytest.raises(MissingExtraError, match=r"pip install 'armsflow\[screen\]'"):
        screen.query(Path("x.db"), "Angara")


def test_every_six_digits_have_exactly_one_check_digit() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    @given(st.integers(100_000, 999_999), st.integers(0, 9))
    def check(six: int, last: int) -> None:
        number = f"{six}{last}"
        assert is_valid(number) is (last == check_digit(str(six)))
        assert parse_imo(f"IMO{number}") == parse_imo(number)

    check()


def test_normalising_twice_changes_nothing() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    from armsflow.screen.normalise import normalise

    @given(st.text(max_size=40))
    def check(name: str) -> None:
        once = normalise(name)
        assert normalise(once.text) == once

    check()

"""Evidence intake: readers keep offsets and pages, the rules explain themselves, the queue writes studies safely."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from armsflow.cli import app
from armsflow.errors import InputError, MissingExtraError, ParameterError
from armsflow.intake import (
    Candidate,
    accept_candidate,
    add_documents,
    extract,
    list_candidates,
    load_lexicon,
    read_document,
    reject_candidate,
)

DATA = Path(__file__).parent / "data" / "intake"
DE, EN, KO = DATA / "fnf-pressemitteilung.de.txt", DATA / "jcs-containers.en.html", DATA / "news1-fnf.ko.txt"
runner = CliRunner()
STUDY_FILES = ("sources.csv", "claims.csv", "model.toml")


@pytest.fixture
def study(tmp_path: Path) -> Path:
    from armsflow import init

    folder = tmp_path / "study"
    init(folder, "russia-dprk")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in STUDY_FILES}


def by_span(found: list[Candidate], span: str) -> Candidate:
    return next(c for c in found if c.span == span)


# --- readers ------------------------------------------------------------------------------------------------------

def test_text_reader_keeps_offsets_and_reads_its_header() -> None:
    doc = read_document(DE)
    assert doc.kind == "text" and doc.metadata.publisher.startswith("Friedrich-Naumann")
    assert doc.metadata.published is not None and doc.metadata.published.isoformat() == "2024-10-28"
    assert all(p.language == "de" for p in doc.paragraphs)
    text = DE.read_text(encoding="utf-8")
    assert doc.text == text
    for p in doc.paragraphs:
        assert doc.text[p.start:p.end] == text[p.start:p.end] and not doc.text[p.start:p.end].startswith("Title")


def test_html_reader_drops_scripts_navigation_and_footer_and_reads_metadata() -> None:
    doc = read_document(EN)
    assert doc.kind == "html"
    assert doc.metadata.url == "https://news.example.org/2024/10/30/nk-containers"
    assert doc.metadata.published is not None and doc.metadata.published.isoformat() == "2024-10-30"
    assert doc.metadata.publisher == "Example Daily" and doc.metadata.language == "en"
    for hidden in ("99,999", "alert", "fetch", "tracker", "500 containers", "1,000 subscribers", "color: red"):
        assert hidden not in doc.text
    assert "<in a closed session>" in doc.text  # entities decoded into plain text, escaped by every output


def test_pdf_reader_numbers_pages_and_candidates_point_into_them(tmp_path: Path) -> None:
    from weasyprint import HTML

    pdf = tmp_path / "two-pages.pdf"
    HTML(string="<p>Opening page without numbers.</p><p style='break-before: page'>North Korea has shipped more "
                "than 13,000 containers since August 2023.</p>").write_pdf(pdf)
    doc = read_document(pdf)
    assert doc.kind == "pdf" and {p.page for p in doc.paragraphs} == {1, 2}
    from armsflow.intake import candidates

    (found,) = candidates(doc, load_lexicon(), "S-X")
    assert found.page == 2 and found.low == 13000 and doc.text[found.start:found.end] == "13,000 containers"


def test_reading_a_pdf_without_the_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    import sys

    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    monkeypatch.setitem(sys.modules, "pypdfium2", None)
    with pytest.raises(MissingExtraError, match=r"armsflow\[intake\]"):
        read_document(pdf)


def _pdf_without_text(path: Path, password: str | None = None) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if password:
        writer.encrypt(password)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "a binary file, not a text, HTML or PDF document"),
    (lambda p: p.write_bytes(b""), "empty document"),
    (lambda p: p.write_text("  \n\n \n"), "empty document: no text"),
    (lambda p: os.truncate(p.write_bytes(b"") or p, 200 * 2**20), "larger than 50 MiB: not read"),
    (lambda p: _pdf_without_text(p), "no text layer (a scanned or image-only PDF?): run OCR first"),
    (lambda p: _pdf_without_text(p, "secret"), "encrypted PDF: no text layer can be read without its password"),
    (lambda p: p.write_bytes(b"%PDF-1.7\ngarbage"), "not a readable PDF"),
], ids=["binary", "empty", "blank", "200MB", "image-only-pdf", "encrypted-pdf", "broken-pdf"])
def test_bad_documents_get_one_line_naming_the_file(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "doc.bin"
    make(path)
    with pytest.raises(InputError) as info:
        read_document(path)
    assert len(str(info.value).splitlines()) == 1
    assert str(info.value).startswith(f"{path}: {message}")


# --- rules --------------------------------------------------------------------------------------------------------

def test_every_finding_says_which_rules_fired() -> None:
    (f,) = extract("Nordkorea lieferte bis zu 5,5 Milliarden US-Dollar.", "de", load_lexicon())
    assert f.high == 5.5e9 and f.unit == "USD" and f.scale == "Milliarden" and f.kind == "upper_bound"
    assert f.rules == ("number:decimal", "scale:de", "unit:after", "hedge:upper_bound 'bis zu'")


def test_a_german_comma_before_three_digits_is_flagged() -> None:
    lex = load_lexicon()
    (zeros,) = extract("Es waren 13,000 Container.", "de", lex)
    assert zeros.central == 13000 and zeros.rules[0] == "number:de-comma-000-as-thousands"
    assert zeros.flags and "ambiguous" in zeros.flags[0]
    (decimal,) = extract("Es waren 1,250 Millionen Granaten.", "de", lex)
    assert decimal.central == 1.25e6 and "ambiguous" in decimal.flags[0]
    (plain,) = extract("Es waren 13.000 Container.", "de", lex)
    assert plain.central == 13000 and not plain.flags


def test_candidate_rows_use_the_study_scales() -> None:
    doc = read_document(KO)
    from armsflow.intake import candidates

    found = candidates(doc, load_lexicon(), "S-X")
    assert by_span(found, "8조원").row_values() == (None, 8.0, None, "trillion KRW")
    assert by_span(found, "1억4300만~5억7200만 달러").row_values() == (143.0, None, 572.0, "million USD/year")
    assert by_span(found, "1만3000여 개").row_values() == (13000.0, None, None, "container")


def test_a_study_extends_the_lexicon(study: Path) -> None:
    (study / "intake").mkdir()
    (study / "intake" / "lexicon.toml").write_text('[units.voyage]\nen = ["port calls"]\n', encoding="utf-8")
    (f,) = extract("Satellites counted 64 port calls.", "en", load_lexicon(study))
    assert f.unit == "voyage" and f.central == 64


# --- the queue ----------------------------------------------------------------------------------------------------

def test_adding_documents_queues_candidates_once(study: Path) -> None:
    first = add_documents(study, [DE, EN, KO])
    assert [d.new for d in first.documents] == [8, 6, 7]
    assert {d.language for d in first.documents} == {"de", "en", "ko"}
    queue = (study / "intake" / "candidates.jsonl").read_bytes()
    again = add_documents(study, [DE, EN, KO])
    assert again.candidates == () and [d.known for d in again.documents] == [8, 6, 7]
    assert (study / "intake" / "candidates.jsonl").read_bytes() == queue
    assert len((study / "intake" / "documents.jsonl").read_text().splitlines()) == 3
    assert list_candidates(study).open == 21


def test_accepting_appends_rows_and_names_the_claim_in_the_model(study: Path) -> None:
    from armsflow import check, load_study

    before = snapshot(study)
    added = add_documents(study, [KO])
    containers = by_span(list(added.candidates), "1만3000여 개")
    result = accept_candidate(study, containers.id, "containers", "B2")
    after = snapshot(study)
    for name in ("sources.csv", "claims.csv"):
        assert after[name].startswith(before[name]) and after[name].count(b"\n") == before[name].count(b"\n") + 1
    changed = [(a, b) for a, b in zip(before["model.toml"].splitlines(), after["model.toml"].splitlines(),
                                      strict=True) if a != b]
    assert len(changed) == 1 and changed[0][1].endswith(f', "{result.claim}"]'.encode())
    assert check(study).ok
    claim = load_study(study).claims[result.claim]
    assert (claim.low, claim.central, claim.high, claim.unit) == (13000, None, None, "container")
    assert str(claim.as_of) == "2023-08-01..2024-10-28" and claim.credibility == 2
    assert "lower bound" in claim.notes and "hedge:lower_bound '여'" in claim.notes
    queue = list_candidates(study, include_decided=True)
    assert queue.accepted == 1 and queue.open == 6
    entry = next(e for e in queue.entries if e.candidate.id == containers.id)
    assert entry.status == "accepted" and entry.claim == result.claim and entry.candidate.existing == result.claim


def test_a_candidate_equal_to_an_existing_claim_is_marked(study: Path, tmp_path: Path) -> None:
    found = add_documents(study, [KO], source_id="S-NEWS1-KO")
    accept_candidate(study, by_span(list(found.candidates), "8조원").id, "gdp", "B3",
                     {"publisher": "News1", "url": "https://news1.kr/x", "published": "2024-10-28"})
    copy = tmp_path / "copy.txt"
    copy.write_text("Date: 2024-10-29\n\n북한이 러시아에 약 8조원어치 무기를 보냈다.\n", encoding="utf-8")
    again = add_documents(study, [copy], source_id="S-NEWS1-KO")
    assert again.candidates[0].existing == "C063"


def test_rejected_candidates_stay_rejected(study: Path) -> None:
    found = add_documents(study, [EN])
    headline = found.candidates[0]
    reject_candidate(study, headline.id, "the headline repeats the first paragraph")
    assert headline.id not in {e.candidate.id for e in list_candidates(study).entries}
    add_documents(study, [EN])
    assert list_candidates(study).open == 5
    with pytest.raises(ParameterError, match="already rejected"):
        accept_candidate(study, headline.id, "containers", "B2")


@pytest.mark.parametrize(("args", "parameter", "message"), [
    (("K-0000000000", "containers", "B2"), "candidate", "no candidate 'K-0000000000'"),
    (("{containers}", "nonesuch", "B2"), "variable", "no variable 'nonesuch' in model.toml"),
    (("{containers}", "gdp", "B2"), "unit", "container does not fit variable gdp, which is in USD"),
    (("{containers}", "containers", "Z9"), "grade", "'Z9': a source reliability A-F"),
    (("{containers}", "rounds_152", "B2"), "variable", "rounds_152 is defined by formula, not by claims"),
])
def test_bad_accepts_name_the_parameter_and_change_nothing(study: Path, args: tuple[str, str, str],
                                                           parameter: str, message: str) -> None:
    found = add_documents(study, [KO])
    ident = by_span(list(found.candidates), "1만3000여 개").id
    before = snapshot(study)
    with pytest.raises(ParameterError) as info:
        accept_candidate(study, args[0].replace("{containers}", ident), args[1], args[2])
    assert info.value.parameter == parameter and message in info.value.message
    assert snapshot(study) == before


def test_an_accept_that_would_break_the_study_writes_nothing(study: Path) -> None:
    found = add_documents(study, [KO])
    ident = by_span(list(found.candidates), "1만3000여 개").id
    before = snapshot(study)
    with pytest.raises(InputError, match=r"claims\.csv:\d+: as_of: not a date or period"):
        accept_candidate(study, ident, "containers", "B2", {"as_of": "last autumn"})
    assert snapshot(study) == before and list_candidates(study).accepted == 0


def test_intake_needs_a_study_folder(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="not a study folder"):
        add_documents("russia-dprk", [DE])


# --- the command line ---------------------------------------------------------------------------------------------

def test_the_commands_from_add_to_accept(study: Path) -> None:
    out = runner.invoke(app, ["intake", "add", str(study), str(DE), str(EN), str(KO), "--json"])
    assert out.exit_code == 0, out.stderr
    added = json.loads(out.stdout)
    assert len(added["candidates"]) == 21 and added["documents"][2]["language"] == "ko"
    listed = json.loads(runner.invoke(app, ["intake", "list", str(study), "--json"]).stdout)
    ident = next(e["candidate"]["id"] for e in listed["entries"] if e["candidate"]["span"] == "13,000 containers"
                 and e["candidate"]["kind"] == "lower_bound")
    out = runner.invoke(app, ["intake", "accept", str(study), ident, "--variable", "containers", "--grade", "B2",
                              "--edit", "measure=Containers shipped (JCS)", "--json"])
    assert out.exit_code == 0, out.stderr
    accepted = json.loads(out.stdout)
    assert accepted["row"]["measure"] == "Containers shipped (JCS)" and accepted["source_added"]
    out = runner.invoke(app, ["intake", "reject", str(study), listed["entries"][0]["candidate"]["id"]])
    assert out.exit_code == 0 and "rejected" in out.stdout
    shown = runner.invoke(app, ["intake", "list", str(study), "--all"])
    assert shown.exit_code == 0 and "19 open, 1 accepted, 1 rejected" in shown.stdout
    assert runner.invoke(app, ["check", str(study)]).exit_code == 0
    line = json.loads(runner.invoke(app, ["timeline", str(study), "containers", "--json"]).stdout)
    assert accepted["claim"] in json.dumps(line)  # the run reads the accepted claim


@pytest.mark.parametrize(("args", "line"), [
    (["accept", "{study}", "K-nope", "--variable", "containers", "--grade", "B2"], "CAND: no candidate 'K-nope'"),
    (["accept", "{study}", "{cand}", "--variable", "nope", "--grade", "B2"], "--variable: no variable 'nope'"),
    (["accept", "{study}", "{cand}", "--variable", "gdp", "--grade", "B2"], "unit: container does not fit"),
    (["accept", "{study}", "{cand}", "--variable", "containers", "--grade", "B2", "--edit", "x"],
     "--edit: expected field=value, got 'x'"),
    (["add", "{study}", "{binary}"], "{binary}: a binary file, not a text, HTML or PDF document"),
])
def test_bad_input_is_one_line_and_exit_code_2(study: Path, tmp_path: Path, args: list[str], line: str) -> None:
    binary = tmp_path / "b.bin"
    binary.write_bytes(b"\0\1\2")
    cand = by_span(list(add_documents(study, [KO]).candidates), "1만3000여 개").id
    before = snapshot(study)
    values = {"study": str(study), "cand": cand, "binary": str(binary)}
    out = runner.invoke(app, ["intake", *(a.format(**values) for a in args)])
    assert out.exit_code == 2
    assert len(out.stderr.splitlines()) == 1 and out.stderr.startswith(line.format(**values)), out.stderr
    assert snapshot(study) == before


def test_document_text_is_escaped_on_the_terminal(study: Path, tmp_path: Path) -> None:
    page = tmp_path / "markup.html"
    page.write_text("<html lang='en'><body><p>[bold red]Injected[/bold red] &lt;b&gt; sources say more than "
                    "13,000 containers left.</p><script>alert(1)</script></body></html>", encoding="utf-8")
    out = runner.invoke(app, ["intake", "add", str(study), str(page)], env={"COLUMNS": "250"})
    assert out.exit_code == 0 and "[bold red]Injected[/bold red]" in out.stdout and "<b>" in out.stdout
    assert "alert" not in out.stdout


def test_a_new_source_without_metadata_asks_for_it(study: Path, tmp_path: Path) -> None:
    bare = tmp_path / "note.txt"
    bare.write_text("Officials said more than 13,000 containers had left Rajin since August 2023.\n")
    found = add_documents(study, [bare])
    assert found.documents[0].source == "S-NOTE" and not found.documents[0].source_exists
    before = snapshot(study)
    with pytest.raises(ParameterError, match=r"the new source S-NOTE needs publisher, title, url, published, "
                                             r"language, which note.txt does not state") as info:
        accept_candidate(study, found.candidates[0].id, "containers", "C3", {"language": ""})
    assert info.value.parameter == "edits" and snapshot(study) == before
    result = accept_candidate(study, found.candidates[0].id, "containers", "C3", {
        "publisher": "Officials", "title": "Note", "url": "https://example.org/note", "published": "2024-10-01"})
    assert result.source_added and result.row["as_of"] == "2023-08"
    assert result.row["measure"].endswith("by the reference date (lower bound: '13,000 containers')")


def test_an_html_page_in_its_declared_charset(tmp_path: Path) -> None:
    page = tmp_path / "euc-kr.html"
    page.write_bytes('<html><head><meta charset="euc-kr"></head><body><p>북한은 컨테이너 1만3000여 개를 보냈다.'
                     '</p></body></html>'.encode("euc-kr"))
    doc = read_document(page)
    assert "컨테이너 1만3000여 개" in doc.text and doc.paragraphs[0].language == "ko"


def test_a_candidate_inside_an_existing_range_is_marked(study: Path, tmp_path: Path) -> None:
    quote = tmp_path / "fnf.txt"
    quote.write_text("Date: 2024-10-28\n\nValue of current arms deliveries estimated at up to $5.5bn; even the most "
                     "conservative estimate values deliveries at more than $1.7bn.\n", encoding="utf-8")
    found = add_documents(study, [quote], source_id="S-FNF-2024-10-28")
    assert [c.existing for c in found.candidates] == ["C001", "C001"]
    other = add_documents(study, [quote], source_id="S-OTHER")
    assert other.candidates == ()  # the same document: nothing new, whatever the source id


def test_html_blocks_marked_as_boilerplate_are_dropped_even_when_left_open(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html lang='en'><body><div class='article-body'><p>More than 13,000 containers left.</p></div>"
                    "<div class='related-stories'><p>Earlier: 500 containers<p>Also: 9 missiles</div>"
                    "<div id='cookie-banner'>We use 3 cookies</div><p>Some 60 missiles were fired.</p>"
                    "</body></html>", encoding="utf-8")
    doc = read_document(page)
    assert doc.text == "More than 13,000 containers left.\n\nSome 60 missiles were fired."


def test_concurrent_adds_take_turns(study: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda doc: add_documents(study, [doc]), [DE, EN, KO]))
    assert sum(len(r.candidates) for r in results) == 21
    assert list_candidates(study).open == 21
    assert (study / "intake" / ".gitignore").read_text().endswith(".lock\n.*.tmp\n")

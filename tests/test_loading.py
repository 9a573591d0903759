from pathlib import Path

import pytest
from pypdf import PdfWriter

from conftest import ROOT, external
from esgqa.chunking import chunk
from esgqa.loading import InputError, load


def test_markdown_report_has_no_pages_and_keeps_sections():
    doc = load(ROOT / "corpus" / "kingsoft-cloud-2022-esg-report.md")
    assert doc.name == "kingsoft-cloud-2022-esg-report"
    assert doc.year == 2022 and "Kingsoft" in doc.company
    passages = chunk(doc)
    assert all(p.page is None for p in passages)
    sections = {p.section for p in passages}
    assert {"Environmental Statistics", "Intellectual Property Management", "Human Resources Statistics"} <= sections


def test_table_rows_travel_with_their_column_headers():
    passages = chunk(load(ROOT / "corpus" / "kingsoft-cloud-2022-esg-report.md"))
    scope2 = [p for p in passages if p.kind == "table" and "Indirect GHG emissions (Scope 2)" in p.text]
    assert scope2, "the Scope 2 row is in a table chunk"
    header = scope2[0].text.splitlines()[0]
    assert header == "Indicator | Unit | 2021 Data | 2022 Data"
    # continuation rows get their group label filled in
    hr = next(p for p in passages if "| Female | Person | 3,220" in p.text)
    assert "Number of employees by gender | Female | Person | 3,220" in hr.text


def test_encrypted_pdf_opens_with_empty_password_and_keeps_page_numbers():
    doc = load(external("Commerzbank_AG.pdf"))
    assert doc.kind == "pdf" and len(doc.pages) == 144
    assert [p.number for p in doc.pages[:3]] == [1, 2, 3]
    assert "76,591" in doc.pages[26].text


def test_printed_page_labels_are_kept_where_the_pdf_defines_them():
    doc = load(external("Rio_Tinto_Climate_Change_Report_2023.pdf"))
    labelled = [p for p in doc.pages if p.label and p.label != str(p.number)]
    assert labelled, "Rio Tinto's printed labels differ from physical page numbers"


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b""), "empty"),
    (lambda p: p.write_bytes(b"this is not a pdf at all"), "not a PDF"),
    (lambda p: p.write_bytes(external("TAKKT_AG_Sustainability.pdf").read_bytes()[:200_000]), "truncated"),
])
def test_bad_pdfs_raise_one_line_errors(tmp_path: Path, make, message):
    path = tmp_path / "bad.pdf"
    make(path)
    with pytest.raises(InputError, match=message) as err:
        load(path)
    assert "\n" not in str(err.value)


def test_pdf_without_text_asks_for_ocr(tmp_path: Path):
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scanned.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(InputError, match="OCR"):
        load(path)


def test_missing_and_unsupported_files(tmp_path: Path):
    with pytest.raises(InputError, match="no such file"):
        load(tmp_path / "nope.pdf")
    (tmp_path / "x.docx").write_text("hello")
    with pytest.raises(InputError, match="unsupported"):
        load(tmp_path / "x.docx")

"""Text printed inside images: a table pasted as a picture is read by OCR into words, rows and text."""

from __future__ import annotations

from pathlib import Path

import pytest

from esgqa.document.layout import pdf_layout
from esgqa.document.ocr import image_text, line_words, spans
from esgqa.document.words import read_words
from pdfs import image_table_pdf, report_page, text_pdf, write


def words_of(text: str) -> list[str]:
    return [text[a:b] for a, b in spans(text, [True] * len(text))]


def test_spaces_the_recogniser_left_out_are_put_back_between_english_words():
    assert words_of("Goodworkingconditionsandsocialsecurity") == ["Good", "working", "conditions", "and", "social",
                                                                 "security"]
    assert words_of("In2023,TAKKTexpandeditsFemaleNetwork,which") == [
        "In", "2023,", "TAKKT", "expanded", "its", "Female", "Network,", "which"]
    assert words_of("decreasedfrom1,855tto1,622t") == ["decreased", "from", "1,855tto1,622t"]
    assert words_of("Asat12/31/2023") == ["As", "at", "12/31/2023"]


def test_figures_units_and_names_stay_whole():
    for token in ["1,234.5", "(23,308)", "tCO2e", "CO2", "m3", "U.S.", "E1-6", "12.5%", "Addiko"]:
        assert words_of(token) == [token], token
    assert words_of("Scope 3 emissions") == ["Scope", "3", "emissions"]
    for token in ["31,201", "1,2015.5", "131,2018", "0,2019"]:  # a thousands group, a decimal comma: no date
        assert words_of(token) == [token], token


def test_a_day_and_a_year_run_together_are_cut_after_the_comma():
    assert words_of("December31,2018") == ["December", "31,", "2018"]
    assert words_of("As of Dec. 3,2017 and 31,2016,") == ["As", "of", "Dec.", "3,", "2017", "and", "31,", "2016,"]


def test_a_word_is_cut_only_where_its_characters_stand_apart():
    text = "andinclusive"
    close = [False] * len(text)
    assert [text[a:b] for a, b in spans(text, close)] == ["andinclusive"]
    apart = list(close)
    apart[3] = True  # the recogniser's columns show a gap before "inclusive"
    assert [text[a:b] for a, b in spans(text, apart)] == ["and", "inclusive"]


def test_line_words_split_the_line_box_and_drop_unsure_or_turned_lines():
    words = line_words("Scope 1 12,345", 0.97, (100.0, 50.0, 240.0, 62.0))
    assert [w.text for w in words] == ["Scope", "1", "12,345"]
    assert all(w.ocr and w.top == 50.0 and w.bottom == 62.0 for w in words)
    assert words[0].x0 == 100.0 and words[-1].x1 == pytest.approx(240.0)
    assert words[0].x1 < words[1].x0 < words[2].x0
    assert line_words("Scope 1 12,345", 0.6, (100.0, 50.0, 240.0, 62.0)) == []  # a misread figure is worse than none
    assert line_words("Scope 1 12,345", 0.97, (100.0, 50.0, 112.0, 200.0)) == []  # set sideways
    assert line_words("—", 0.99, (100.0, 50.0, 110.0, 62.0)) == []


def test_image_text_reads_a_row_left_to_right_when_its_parts_sit_a_little_apart():
    label = line_words("Scope 1 emissions", 0.95, (50.0, 100.0, 150.0, 110.0))
    figure = line_words("12,345", 0.95, (300.0, 98.5, 340.0, 108.5))
    below = line_words("Scope 2", 0.95, (50.0, 115.0, 90.0, 125.0))
    assert image_text(below + figure + label) == "Scope 1 emissions 12,345\nScope 2"


ROWS = [["Greenhouse gas emissions (t CO2e)", "2023", "2022"],
        ["Scope 1 emissions", "12,345", "13,020"],
        ["Scope 2 emissions (market-based)", "4,210.5", "5,002.1"],
        ["Total energy consumption (MWh)", "88,310", "91,007"]]


@pytest.fixture(scope="module")
def picture_report(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("ocr") / "picture.pdf",
                 image_table_pdf("Climate performance\nOur emissions fell again in 2023.", ROWS,
                                 over="Source: internal data"))


def test_a_table_pasted_as_a_picture_becomes_cells_with_its_headers(picture_report):
    cells = {(c.row_label, c.col_label): c.value for t in pdf_layout_of(picture_report).tables for c in t.cells}
    assert cells[("Scope 1 emissions", "2023")] == "12,345"
    assert cells[("Scope 1 emissions", "2022")] == "13,020"
    assert cells[("Scope 2 emissions(market-based)", "2023")] == "4,210.5"
    assert cells[("Total energy consumption (Mwh)", "2022")] == "91,007"


def test_picture_text_is_indexed_once_beside_the_text_layer(picture_report):
    from esgqa.assistant import Assistant

    doc, passages = Assistant.__new__(Assistant).prepare(picture_report)
    text = "\n".join(p.text for p in passages if p.kind in ("text", "table"))
    assert "Our emissions fell again in 2023." in text
    assert "12,345" in text and "5,002.1" in text
    assert text.count("Source: internal data") == 1  # text set over the picture is read from the text layer only
    rows = [p for p in passages if p.kind == "row"]
    assert any("Scope 1 emissions" in p.text and "12,345" in p.text for p in rows)
    # what OCR read is flagged, and only that: its citations must say the figure came from an image
    assert all(p.ocr == ("12,345" in p.text or "5,002.1" in p.text) for p in passages if "Scope" in p.text or
               "Climate performance" in p.text)
    assert not any(p.ocr for p in passages if "Our emissions fell" in p.text)
    words = read_words(picture_report, ocr=True)[1]
    assert {w.text for w in words if not w.ocr} >= {"Climate", "Source:"}
    assert "Source:" not in {w.text for w in words if w.ocr}


def test_a_page_without_pictures_is_not_read_by_ocr(tmp_path):
    path = write(tmp_path / "plain.pdf", text_pdf([report_page(1)]))
    assert not any(w.ocr for w in read_words(path, ocr=True)[1])
    assert pdf_layout_of(path).image_text == {}


def pdf_layout_of(path: Path):
    from esgqa.loading import load

    return pdf_layout(load(path))


def test_an_answer_read_from_a_picture_cites_it_as_ocr(picture_report, tmp_path):
    """Through the real store and answer engine: the figure is found, and its citation says OCR read it."""
    from esgqa.assistant import Assistant
    from esgqa.settings import Settings
    from esgqa.types import OCR_NOTE

    assistant = Assistant(Settings(store=tmp_path / "store"))
    assistant.ingest([picture_report])
    answer = assistant.ask("What were Scope 1 emissions in 2023?")
    assert answer.figure == "12,345"
    cited = [c for c in answer.citations if "12,345" in c.text]
    assert cited and all(c.ocr and c.locator().endswith(OCR_NOTE) for c in cited)
    hits = assistant.search("Scope 1 emissions")
    assert any(h.ocr for h in hits) and not any(h.ocr for h in hits if "Our emissions fell" in h.text)


def test_a_scanned_report_is_read_by_ocr_and_cited_as_such(tmp_path):
    """A PDF whose pages are only pictures (no text layer) is read by OCR, once, instead of refused."""
    from esgqa.assistant import Assistant
    from esgqa.loading import load
    from esgqa.settings import Settings

    path = write(tmp_path / "scanned.pdf", image_table_pdf("", ROWS))
    doc = load(path)
    assert doc.pages[0].ocr and "12,345" in doc.pages[0].text
    assistant = Assistant(Settings(store=tmp_path / "store"))
    _, passages = assistant.prepare(path)
    assert passages and all(p.ocr for p in passages)
    assert sum("5,002.1" in p.text for p in passages if p.kind != "row") == 1  # the page's text, not twice
    assistant.ingest([path])
    answer = assistant.ask("What were Scope 2 emissions (market-based) in 2022?")
    assert answer.figure == "5,002.1" and all(c.ocr for c in answer.citations)


def test_a_scanned_page_keeps_the_little_its_text_layer_holds(tmp_path):
    """A scan with a few characters of real text (a title set over the picture) keeps them beside what
    OCR read: no character of the page is dropped."""
    from esgqa.loading import load

    page = load(write(tmp_path / "titled-scan.pdf", image_table_pdf("KPIs 2023", ROWS))).pages[0]
    assert page.ocr and "KPIs 2023" in page.text and "12,345" in page.text

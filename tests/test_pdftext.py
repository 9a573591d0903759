"""PDF layout clean-up: wrapped lines become sentences, year-column tables become rows."""

from conftest import external
from esgqa.chunking import chunk
from esgqa.loading import load
from esgqa.pdftext import drop_running_lines, respace, run_together, tidy


def test_wrapped_lines_join_into_sentences_but_headings_stay():
    text = ("SUPPORTING OUR COMMUNITIES\nIn 2022, an employee volunteer\nprogram was launched, giving\n"
            "10 hours of paid time off.\nBusiness Ethics\nGuided by our Code.")
    lines = tidy(text).splitlines()
    assert lines == ["SUPPORTING OUR COMMUNITIES",
                     "In 2022, an employee volunteer program was launched, giving 10 hours of paid time off.",
                     "Business Ethics", "Guided by our Code."]


def test_year_column_table_becomes_tab_rows_with_caption():
    text = ("Water use (m3)\nAsset Class 2020 2021 2022\nRetail 1,200.5 n/a 1,300\nOffice 10 20 30\n"
            "Total 1,210.5 20 1,330\nNext paragraph.")
    lines = tidy(text).splitlines()
    assert lines[0] == "Water use (m3):"
    assert lines[1] == "Asset Class\t2020\t2021\t2022"
    assert lines[4] == "Total\t1,210.5\t20\t1,330"


def test_running_header_and_page_numbers_are_dropped():
    pages = [f"Acme ESG Report 2022\n{n}\nBody text of page {n}." for n in range(1, 6)]
    assert drop_running_lines(pages)[2] == "Body text of page 3."


def test_real_pdf_sentences_and_tables():
    doc = load(external("CT_REIT_2022_ESG_Report.pdf"))
    page3 = doc.pages[2].text
    assert "386 electric vehicle charging stations have been installed, at 92 CT REIT properties." in page3
    assert "Governance Report Social Governance Glossary" not in page3  # the running header
    tables = [p for p in chunk(doc) if p.kind == "table" and p.page == 29]
    assert any("Total | 8,718.8 | 8,832.3 | 16,800.6" in p.text and "2020 | 2021 | 2022" in p.text for p in tables)


def test_words_run_together_are_spaced_only_where_no_word_is_spelled():
    known = {"arrangements": 5, "with": 40, "their": 9, "business": 12, "e": 3, "nergy": 2, "never": 3,
             "theless": 2, "energy": 4}
    # the word boxes' order; pypdf printed "arrangementswith", "theirbusiness", "Energy", "nevertheless"
    glued = run_together(["from", "arrangements", "with", "their", "business,", "E", "nergy", "never", "theless"],
                         known)
    assert glued["arrangementswith"] == "arrangements with" and glued["theirbusiness"] == "their business"
    assert not {"Energy", "nevertheless", "fromarrangements"} & glued.keys()  # a word, a word, "from" unknown
    text = "loans from arrangementswith\ninvestors running theirbusiness, 1,234 Energy nevertheless"
    assert respace(text, glued) == ("loans from arrangements with\ninvestors running their business, 1,234 Energy "
                                    "nevertheless")
    assert respace("arrangementswithout", glued) == "arrangementswithout"  # whole words only


def test_a_real_pdf_whose_text_layer_runs_words_together_is_read_word_by_word():
    from esgqa.document.layout import pdf_layout, respaced

    doc = load(external("BLOCK_2020_10K.pdf"))
    page = doc.pages[10].text
    assert "arrangementswith" in page  # pypdf's reading of p. 11
    fixed = respaced(doc, pdf_layout(doc)).pages[10].text
    assert "arrangementswith" not in fixed and "arrangements with" in fixed
    assert [t for t in fixed.split() if any(c.isdigit() for c in t)] == [
        t for t in page.split() if any(c.isdigit() for c in t)]  # not a figure changed

"""Several reports in one store (issue 18): each document's company and reporting year are detected
at ingest (title page, PDF metadata, the names its first pages repeat) and can be corrected; a
question naming a company is answered from that company's report; compare asks each report alone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, external, run_cli
from esgqa.answer.company import as_asked_of, mentions, named_documents, without_names
from esgqa.assistant import Assistant
from esgqa.document.identity import detect_company
from esgqa.evals import load_items
from esgqa.loading import load
from esgqa.settings import Settings
from esgqa.types import DocumentInfo
from pdfs import placed_pdf, right, write

KINGSOFT = "kingsoft-cloud-2022-esg-report"
NORVALE = "norvale-sustainability-report"


def norvale_pdf(path: Path) -> Path:
    """A small report of a made-up company: a cover, an emissions table (2022, 2023) and prose."""
    cover = [(50, 120, "Norvale Logistics AG", 20), (50, 160, "Sustainability Report 2023", 16)]
    climate = [(50, 80, "Climate", 14),
               (50, 110, "Norvale Logistics AG cut its energy use in 2023 across its warehouses.", 9),
               (50, 150, "GHG emissions (t CO2e)", 11), right(380, 180, "2022"), right(460, 180, "2023")]
    for y, label, a, b in [(198, "Scope 1 emissions", "1,204", "1,150"), (216, "Scope 2 emissions", "8,412", "7,905"),
                           (234, "Scope 3 emissions", "52,300", "49,870")]:
        climate += [(50, y, label, 8), right(380, y, a), right(460, y, b)]
    about = [(50, 80, "About Norvale", 14),
             (50, 110, "Norvale Logistics AG runs 42 warehouses in Germany and Poland.", 9),
             (50, 130, "Norvale employs 3,100 people, 38% of them women.", 9)]
    return write(path, placed_pdf([cover, climate, about]))


# ---- detection --------------------------------------------------------------------------------
def test_company_from_a_legal_name_on_the_title_page() -> None:
    pages = ["ACME Industrial Holdings Limited\nEnvironmental, Social and Governance Report 2022",
             "Message from the Chairman\nIn 2022 ACME Industrial grew its cloud business. Our Board met 6 times."]
    assert detect_company(pages).company == "ACME Industrial Holdings Limited"


def test_company_from_the_pdf_author_when_the_text_names_it() -> None:
    pages = ["Our 2023 Climate Action Plan shares an update on our progress.",
             "Zentro Markets reduced its emissions. Zentro stores use LED lighting."]
    assert detect_company(pages, {"/Author": "Zentro Markets", "/Title": "Climate Action Plan 2024"}).company == \
        "Zentro Markets"
    # an author the report never names (a designer, a person) is no company
    assert detect_company(["Climate Report 2023", "Emissions fell by 4%."], {"/Author": "J. Smith"}).company == ""


def test_company_from_the_most_repeated_proper_name() -> None:
    pages = ["Climate Report 2023", "Velora has cut its emissions. Velora plans to reach net zero by 2040.",
             "Velora buys renewable power. The Board of Velora approved the plan in Lisbon."]
    assert detect_company(pages).company == "Velora"
    assert detect_company([]).company == ""
    assert detect_company(["Sustainability Report 2023"]).company == ""


def test_cover_in_capitals_shown_as_the_text_spells_it() -> None:
    pages = ["Sustainability Report\nOF TAKKO GROUP 2023", "Takko Group at a glance. Takko Group sells ...",
             "Takko Group AG is listed in Frankfurt."]
    assert detect_company(pages).company == "Takko Group"


@pytest.mark.parametrize(("name", "company", "year"), [
    ("TAKKT_AG_Sustainability.pdf", "TAKKT Group", 2023),
    ("CT_REIT_2022_ESG_Report.pdf", "CT REIT", 2022),
    ("Addiko-Bank-AG-Sustainability-Report-2023.pdf", "Addiko Group", 2023),
    ("CostCo_Climate_Action_Plan.pdf", "Costco Wholesale", 2023),  # the PDF's Author; the text says "Costco"
])
def test_company_and_year_of_shared_reports(name: str, company: str, year: int) -> None:
    doc = load(external(name))
    assert (doc.company, doc.year) == (company, year)


@pytest.mark.parametrize(("name", "company"), [
    ("Rio_Tinto_Climate_Change_Report_2023.pdf", "Rio Tinto"),  # metadata Author, no legal form in the text
    ("Merck_KGaA_2023.pdf", "Merck KGaA"),
    ("Commerzbank_AG.pdf", "Commerzbank Group"),  # not its subsidiary "Commerzbank Finance & Covered Bond S.A."
    ("PEPSICO_2022_10K.pdf", "PepsiCo, Inc"),  # not "The Nasdaq Stock Market LLC" listed beside every note
    ("BLOCK_2020_10K.pdf", "Square"),  # the file is named after the company's later name
])
def test_company_of_more_shared_reports_from_their_first_pages(name: str, company: str) -> None:
    reader = PdfReader(external(name))
    if reader.is_encrypted:
        reader.decrypt("")
    pages = [reader.pages[i].extract_text() or "" for i in range(8)]
    meta = {str(k): str(v) for k, v in (reader.metadata or {}).items()}
    assert detect_company(pages, meta, Path(name).stem).company == company


# ---- which reports a question names ----------------------------------------------------------
DOCS = [DocumentInfo(name=KINGSOFT, company="Kingsoft Cloud Holdings Limited"),
        DocumentInfo(name="TAKKT_AG_Sustainability", company="TAKKT Group"),
        DocumentInfo(name="et-2023", company="Energy Transfer LP"),
        DocumentInfo(name="CT_REIT_2022_ESG_Report", company="")]  # no company: its name counts


@pytest.mark.parametrize(("question", "named"), [
    ("What were Kingsoft Cloud's Scope 2 emissions?", [KINGSOFT]),
    ("What were the scope 2 emissions of kingsoft cloud in 2022?", [KINGSOFT]),  # whole name, any case
    ("How much energy did Kingsoft use?", [KINGSOFT]),  # its first word, capitalised as a name
    ("What is the cloud PUE?", []),  # a common word of the name is no name
    ("Compare TAKKT's and Kingsoft Cloud's Scope 2 emissions", ["TAKKT_AG_Sustainability", KINGSOFT]),
    ("Energy consumption in 2022?", []),  # a sentence's first capital is no name
    ("Energy Transfer's Scope 1 emissions?", ["et-2023"]),
    ("What were CT REIT's emissions?", ["CT_REIT_2022_ESG_Report"]),  # the document name, token-wise
    ("What were Takkt's emissions?", ["TAKKT_AG_Sustainability"]),
    ("How many takkt products?", []),  # a one-word name in lower case reads as a word
])
def test_documents_a_question_names(question: str, named: list[str]) -> None:
    assert named_documents(question, DOCS) == named


def test_compare_takes_the_names_out_of_the_question() -> None:
    for question, asked in [("Compare TAKKT's and Kingsoft Cloud's Scope 2 emissions", "Scope 2 emissions"),
                            ("Compare the Scope 2 emissions of TAKKT and Kingsoft Cloud in 2022",
                             "Scope 2 emissions in 2022"),
                            ("What were the Scope 1 emissions of TAKKT and Kingsoft Cloud?",
                             "What were the Scope 1 emissions?")]:
        assert without_names(question, mentions(question, DOCS)) == asked


@pytest.mark.parametrize(("question", "asked"), [
    ("How many male employees did Kingsoft Cloud employ?", "How many male employees did the company employ?"),
    ("What were TAKKT's Scope 2 emissions?", "What were the company's Scope 2 emissions?"),
    ("Total CT REIT-controlled energy use?", "Total CT REIT-controlled energy use?"),  # a qualifier stays
    ("What were the Scope 2 emissions?", "What were the Scope 2 emissions?"),
])
def test_a_question_is_read_with_its_own_report_named_the_company(question: str, asked: str) -> None:
    """Within one report its company's name is in nearly every passage: searched for, it only drowns
    the words that say what is asked ("male employees" lost to every "Kingsoft Cloud ..." sentence)."""
    assert as_asked_of(question, DOCS) == asked


# ---- a store with two companies' reports ------------------------------------------------------
@pytest.fixture(scope="module")
def two_store(corpus_store, tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("two") / "store"
    shutil.copytree(corpus_store, store)
    pdf = norvale_pdf(tmp_path_factory.mktemp("reports") / f"{NORVALE}.pdf")
    Assistant(Settings(store=store)).ingest([pdf])
    return store


@pytest.fixture(scope="module")
def two(two_store) -> Assistant:
    return Assistant(Settings(store=two_store))


def test_documents_show_company_year_tables_and_ingest_time(two) -> None:
    docs = {d.name: d for d in two.index.documents()}
    assert set(docs) == {KINGSOFT, NORVALE}
    k, n = docs[KINGSOFT], docs[NORVALE]
    assert (k.company, k.year) == ("Kingsoft Cloud Holdings Limited", 2022)  # the corpus manifest says so
    assert (n.company, n.year) == ("Norvale Logistics AG", 2023)  # detected from the cover
    assert n.tables == 3 and k.tables == 0  # row passages: only PDF tables are read into rows
    assert n.ingest_seconds is not None and n.ingest_seconds > 0
    assert k.ingest_seconds is not None and k.ingest_seconds > 0


def test_a_question_naming_a_company_is_answered_from_its_report(two) -> None:
    a = two.ask("What were Norvale's Scope 2 emissions in 2023?")
    assert a.figure == "7,905", a.answer
    assert a.citations and {c.document for c in a.citations} == {NORVALE}
    b = two.ask("What were Kingsoft Cloud's Scope 2 emissions in 2022?")
    assert b.figure == "35,796.91", b.answer
    assert {c.document for c in b.citations} == {KINGSOFT}
    assert two.named_document("What were the Scope 2 emissions in 2022?") is None


def test_compare_answers_each_company_from_its_own_report(two) -> None:
    rows = two.compare("Compare Norvale's and Kingsoft Cloud's Scope 2 emissions in 2022")
    assert [name for name, _ in rows] == [NORVALE, KINGSOFT]
    figures = {name: a.figure for name, a in rows}
    assert figures == {NORVALE: "8,412", KINGSOFT: "35,796.91"}
    for name, a in rows:
        assert a.citations and {c.document for c in a.citations} == {name}, (name, a.citations)
        assert a.rewritten == "Scope 2 emissions in 2022"
    explicit = two.compare("What were the Scope 1 emissions in 2022?", [KINGSOFT, NORVALE])
    assert [(n, a.figure) for n, a in explicit] == [(KINGSOFT, "53.43"), (NORVALE, "1,204")]
    assert all({c.document for c in a.citations} == {n} for n, a in explicit)


def test_a_report_answers_the_same_beside_another_company(assistant, two) -> None:
    """With document=, the bundled report answers as it does alone (issue 18; also
    tests/test_store_independence.py with two shared PDFs)."""
    for item in load_items(ROOT / "evals" / "golden.jsonl")[::10]:
        a = assistant.ask(item.question, document=KINGSOFT)
        b = two.ask(item.question, document=KINGSOFT)
        assert (a.figure, a.abstained, a.unsure) == (b.figure, b.abstained, b.unsure), item.question
        assert [(c.page, c.text) for c in a.citations] == [(c.page, c.text) for c in b.citations], item.question


def test_cli_docs_set_and_compare(two_store, tmp_path) -> None:
    store = tmp_path / "store"
    shutil.copytree(two_store, store)
    proc = run_cli("docs", "--set", NORVALE, "company=Norvale Group", "year=2024", store=store)
    assert proc.returncode == 0, proc.stderr
    docs = {d["name"]: d for d in run_cli("docs", "--json", store=store, check_json=True).data}
    assert (docs[NORVALE]["company"], docs[NORVALE]["year"]) == ("Norvale Group", 2024)
    assert docs[KINGSOFT]["company"] == "Kingsoft Cloud Holdings Limited"
    listing = run_cli("docs", store=store).stdout
    assert "Norvale Group\t2024" in listing
    # the correction outlives ingesting the same file again
    source = docs[NORVALE]["source"]
    assert run_cli("ingest", source, store=store).returncode == 0
    again = {d["name"]: d for d in run_cli("docs", "--json", store=store, check_json=True).data}
    assert (again[NORVALE]["company"], again[NORVALE]["year"]) == ("Norvale Group", 2024)
    bad = run_cli("docs", "--set", NORVALE, "colour=red", store=store)
    assert bad.returncode == 2 and "company=VALUE" in bad.stderr
    # a question naming two companies: one row per company, each cited from its own report
    rows = run_cli("ask", "Compare Norvale's and Kingsoft Cloud's Scope 2 emissions in 2022", "--json",
                   store=store, check_json=True).data["rows"]
    assert [(r["document"], r["figure"]) for r in rows] == [(NORVALE, "8,412"), (KINGSOFT, "35,796.91")]
    assert all(c["document"] == r["document"] for r in rows for c in r["citations"])
    text = run_cli("ask", "What were the Scope 1 emissions in 2022?", "--compare", store=store)
    assert text.returncode == 0, text.stderr
    assert [ln.split("\t")[0] for ln in text.stdout.splitlines()] == [KINGSOFT, NORVALE]
    assert json.loads(run_cli("ask", "What were Norvale's Scope 1 emissions in 2022?", "--json",
                              store=store).stdout)["figure"] == "1,204"


def test_a_shared_report_beside_the_bundled_one(corpus_store, tmp_path) -> None:
    """The bundled report and TAKKT's: a question naming TAKKT is answered from TAKKT's report, and
    a comparison cites each company's figure from its own report only."""
    takkt = external("TAKKT_AG_Sustainability.pdf")
    store = tmp_path / "store"
    shutil.copytree(corpus_store, store)
    both = Assistant(Settings(store=store))
    both.ingest([takkt])
    info = {d.name: d for d in both.index.documents()}["TAKKT_AG_Sustainability"]
    assert (info.company, info.year) == ("TAKKT Group", 2023) and info.tables > 50 and info.ingest_seconds > 0
    a = both.ask("How much direct (Scope 1) GHG emissions did TAKKT report for the reporting year?")
    assert a.citations and {c.document for c in a.citations} == {"TAKKT_AG_Sustainability"}
    assert (a.figure or "").startswith("3,460"), a.answer
    alone = both.ask("How much direct (Scope 1) GHG emissions did TAKKT report for the reporting year?",
                     document="TAKKT_AG_Sustainability")
    assert (alone.figure, [c.text for c in alone.citations]) == (a.figure, [c.text for c in a.citations])
    rows = both.compare("Compare TAKKT's and Kingsoft Cloud's Scope 1 emissions")
    assert [name for name, _ in rows] == ["TAKKT_AG_Sustainability", KINGSOFT]
    for name, answer in rows:
        assert {c.document for c in answer.citations} <= {name}, (name, answer.citations)
        assert {c.document for c in answer.candidates} <= {name}, (name, answer.candidates)
    print(f"TAKKT ingest {info.ingest_seconds:.1f} s; compare: {[(n, x.figure) for n, x in rows]}")


def test_of_one_company_s_reports_the_year_asked_or_the_latest(two_store, tmp_path) -> None:
    store = tmp_path / "store"
    shutil.copytree(two_store, store)
    same = Assistant(Settings(store=store))
    assert same.index.set_info(NORVALE, company="Kingsoft Cloud Holdings Limited") > 0  # as if next year's report
    assert {d.name: (d.company, d.year) for d in same.index.catalog()}[NORVALE] == \
        ("Kingsoft Cloud Holdings Limited", 2023)
    assert same.named_document("What were Kingsoft Cloud's Scope 2 emissions in 2022?") == KINGSOFT
    assert same.named_document("What were Kingsoft Cloud's Scope 2 emissions?") == NORVALE  # the latest
    same.index.set_info(NORVALE, year=2021)
    assert same.named_document("What were Kingsoft Cloud's Scope 2 emissions?") == KINGSOFT
    assert same.named_document("What were Norvale's Scope 2 emissions?") == NORVALE  # by its document name

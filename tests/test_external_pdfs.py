"""A real encrypted 144-page PDF: ingested, and answers cite the right 1-based page."""

from pypdf import PdfReader

from conftest import external, run_cli
from esgqa.figures import text_contains_figure


def test_commerzbank_operational_co2_cites_the_right_page(tmp_path):
    pdf = external("Commerzbank_AG.pdf")
    proc = run_cli("ingest", str(pdf), store=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Commerzbank_AG: " in proc.stdout and "144 page(s)" in proc.stdout
    ask = run_cli("ask", "What were Commerzbank's operational CO2 emissions in 2023?", "--document",
                  "Commerzbank_AG", "--json", store=tmp_path, check_json=True).data
    assert not ask["abstained"]
    cite = ask["citations"][0]
    assert text_contains_figure(cite["text"], "76,591")
    # the cited page, read independently with pypdf, really states the figure
    reader = PdfReader(pdf)
    reader.decrypt("")
    page_text = reader.pages[cite["page"] - 1].extract_text().replace(" ,", ",")
    assert "76,591" in page_text
    docs = run_cli("docs", "--json", store=tmp_path, check_json=True).data
    assert docs[0]["name"] == "Commerzbank_AG" and docs[0]["pages"] == 144

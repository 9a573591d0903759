"""The analyst's workspace in headless Chromium against a real `esgqa serve`: citations open the page
viewer (a PDF page with the cited box drawn, or a text section with the quote marked), follow-ups,
the compare table, exports opened and checked, bad uploads, a 420 px screen, delete and re-index.

One server for the module, on a copy of the bundled-report store plus one shared PDF (CT REIT's
ESG report, copied so that re-index and delete work on a file this test owns). Tests that need the
PDF skip when ../shared/external is absent. The delete test runs last: it removes the PDF.
"""

from __future__ import annotations

import csv
import io
import shutil
import urllib.request

import pytest

from conftest import EXTERNAL, ROOT, serving

DOCS = ROOT / "docs"
PDF_NAME = "CT_REIT_2022_ESG_Report"
BUNDLED = "kingsoft-cloud-2022-esg-report"


@pytest.fixture(scope="module")
def server(corpus_store, tmp_path_factory):
    base = tmp_path_factory.mktemp("workspace")
    store = base / "store"
    shutil.copytree(corpus_store, store)
    pdf = EXTERNAL / f"{PDF_NAME}.pdf"
    copy = None
    if pdf.exists():
        from esgqa.assistant import Assistant
        from esgqa.settings import Settings

        copy = shutil.copyfile(pdf, base / pdf.name)
        Assistant(Settings(store=store)).ingest([copy])
    with serving(store) as (url, _, _):
        yield {"url": url, "store": store, "pdf": copy}


def needs_pdf(server) -> None:
    if server["pdf"] is None:
        pytest.skip(f"{EXTERNAL / (PDF_NAME + '.pdf')} not present (third-party PDFs live in ../shared/external)")


def open_app(browser, server, width: int = 1400, height: int = 1000):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(server["url"])
    page.wait_for_selector("#question textarea", timeout=60000)
    return page


def pick(page, dropdown: str, option: str) -> None:
    page.click(f"{dropdown} input")
    page.get_by_role("option", name=option, exact=True).click()


def ask(page, question: str, answers: int) -> None:
    """Type and press Enter (Enter sends); wait for the `answers`-th answer's sources."""
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(
        f"document.querySelector('#sources').innerText.includes({question!r}) && "
        f"document.querySelectorAll('#chat [data-testid=\"bot\"]').length >= {answers}", timeout=90000)


def highlighted_pixels(url: str) -> int:
    """Pixels of the viewer's box colour in the image the browser shows."""
    from PIL import Image

    from esgqa.ui.viewer import HIGHLIGHT

    img = Image.open(io.BytesIO(urllib.request.urlopen(url).read())).convert("RGB")
    return sum(1 for px in img.get_flattened_data() if all(abs(a - b) <= 12 for a, b in zip(px, HIGHLIGHT)))


def download(page, link: str) -> bytes:
    """The file behind the first link matching `link`, once the app shows it."""
    page.wait_for_selector(link, timeout=60000)
    return urllib.request.urlopen(page.locator(link).first.get_attribute("href")).read()


def test_citation_opens_the_pdf_page_with_the_cited_box_and_a_follow_up(server, browser):
    needs_pdf(server)
    page = open_app(browser, server)
    pick(page, "#document", PDF_NAME)
    ask(page, "What were the Scope 2 emissions in 2021?", 1)
    page.locator("#sources button.cite").first.click()
    page.wait_for_function("document.querySelector('#viewer-caption').innerText.includes('p.')", timeout=60000)
    caption = page.inner_text("#viewer-caption")
    assert PDF_NAME in caption and "the cited passage is boxed" in caption, caption  # a table cell: box known
    cited = caption.split(" p.")[1].split(" ")[0]
    src = page.locator("#viewer-image img").get_attribute("src")
    assert highlighted_pixels(src) > 200  # the box is drawn on the page image
    page.wait_for_timeout(800)
    page.locator("#viewer").screenshot(path=str(DOCS / "viewer.png"))

    page.click("#viewer-next")
    page.wait_for_function("document.querySelector('#viewer-caption').innerText.includes('not the cited page')")
    assert f"p.{int(cited) + 1} of" in page.inner_text("#viewer-caption")
    page.wait_for_function("!document.querySelector('#viewer-image img').src.includes(" + repr(src) + ")")
    assert highlighted_pixels(page.locator("#viewer-image img").get_attribute("src")) == 0
    page.click("#viewer-prev")
    page.wait_for_function("document.querySelector('#viewer-caption').innerText.includes('boxed')")

    # a follow-up is answered as the whole question, and says so
    ask(page, "And in 2022?", 2)
    import inspect

    from esgqa.assistant import Assistant
    if "history" in inspect.signature(Assistant.ask).parameters:
        chat = page.inner_text("#chat")
        assert "Answered as:" in chat and "2022" in chat.split("Answered as:")[1].split("\n")[0]
    # each answer keeps its own sources: selecting the first answer shows its question's citations
    page.locator("#chat [data-testid='bot']").first.click()
    page.wait_for_function("document.querySelector('#sources').innerText.includes('in 2021?')", timeout=30000)


def test_text_source_shows_the_section_with_the_quote_marked(server, browser):
    page = open_app(browser, server)
    pick(page, "#document", BUNDLED)
    ask(page, "How many patents has the company been granted by the end of 2022?", 1)
    page.locator("#sources button.cite").first.click()
    page.wait_for_selector("#viewer-text mark", timeout=30000)
    assert "text source" in page.inner_text("#viewer-caption")
    assert "663" in page.inner_text("#viewer-text mark")
    assert not page.locator("#viewer-image img").count()  # no page image for a Markdown source


def test_compare_table_opens_pages_and_exports(server, browser):
    needs_pdf(server)
    page = open_app(browser, server)
    page.get_by_role("tab", name="Compare").click()
    page.wait_for_selector("#compare-docs", timeout=30000)
    page.click("#compare-docs .remove-all")  # start from no documents picked
    pick(page, "#compare-docs", PDF_NAME)
    pick(page, "#compare-docs", BUNDLED)
    page.fill("#compare-questions textarea", "What were the Scope 2 emissions in 2022?\n"
                                             "What percentage of waste was diverted from landfill?")
    page.click("#compare-run")
    page.wait_for_selector("#compare-table table.compare", timeout=120000)
    rows = page.locator("#compare-table tbody tr")
    assert rows.count() == 4  # 2 questions × 2 documents
    first = rows.nth(0).inner_text()
    assert "Scope 2" in first and PDF_NAME in first
    assert BUNDLED in rows.nth(1).inner_text() and "35,796.91" in rows.nth(1).inner_text()
    rows.nth(0).locator("button.cite").first.click()
    page.wait_for_selector("#viewer-image img", timeout=60000)
    assert PDF_NAME in page.inner_text("#viewer-caption")
    page.wait_for_timeout(800)
    page.locator("#compare-table").screenshot(path=str(DOCS / "compare.png"))

    for fmt in (".xlsx", ".csv", ".md"):
        page.locator("#compare-export-format").get_by_label(fmt, exact=True).check()
        page.click("#compare-export-btn")
        body = download(page, f"#compare-export a[href$='comparison{fmt}']")
        rows = exported_rows(fmt, body)
        assert rows[0][:3] == ["question", "document", "status"]
        assert [r[1] for r in rows[1:]] == [PDF_NAME, BUNDLED, PDF_NAME, BUNDLED]
        assert "35,796.91" in " ".join(rows[2]) and "§" in rows[2][rows[0].index("citations")]
        assert rows[3][0] == "What percentage of waste was diverted from landfill?"


def exported_rows(fmt: str, body: bytes) -> list[list[str]]:
    """An exported file read back as rows of text, the way a reader of that format sees it."""
    if fmt == ".xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(body)).active
        return [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    if fmt == ".csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8"))))
    lines = body.decode("utf-8").splitlines()
    assert lines[1].startswith("|---")
    return [[c.strip().replace("\\|", "|") for c in ln.strip("|").split(" | ")] for ln in [lines[0], *lines[2:]]]


def test_chat_exports_questions_answers_and_citations(server, browser):
    page = open_app(browser, server)
    pick(page, "#document", BUNDLED)
    ask(page, "What was the Beijing data center PUE in 2022?", 1)
    ask(page, "=1+1", 2)
    page.click("#chat-export-panel button.label-wrap")
    for fmt in (".xlsx", ".csv", ".md"):
        page.locator("#chat-export-format").get_by_label(fmt, exact=True).check()
        page.click("#chat-export-btn")
        rows = exported_rows(fmt, download(page, f"#chat-export a[href$='conversation{fmt}']"))
        header = rows[0]
        assert header[:3] == ["question", "answered_as", "document"] and len(rows) == 3
        pue = dict(zip(header, rows[1]))
        assert pue["figure"] == "1.37" and pue["status"] == "answered" and BUNDLED in pue["citations"]
        assert "1.37" in pue["evidence"]
        assert rows[2][0] == "'=1+1"


def test_bad_input_gets_a_clear_message_and_the_app_keeps_working(server, browser, tmp_path):
    from pdfs import encrypted_pdf, report_page, scanned_pdf, write

    files = [write(tmp_path / "locked.pdf", encrypted_pdf([report_page(1)], "secret")),
             write(tmp_path / "scan.pdf", scanned_pdf("Scope 1 emissions were 1,234 t")),
             write(tmp_path / "notes.docx", b"PK\x03\x04 not a report")]
    page = open_app(browser, server)
    page.press("#question textarea", "Enter")  # an empty question
    page.wait_for_selector("text=Type a question first.", timeout=30000)
    page.get_by_role("tab", name="Documents").click()
    page.set_input_files("#upload input[type=file]", str(files[2]))  # the browser refuses it, and says why
    page.wait_for_selector("text=Invalid file type: notes.docx", timeout=30000)
    page.set_input_files("#upload input[type=file]", [str(f) for f in files[:2]])
    page.click("#index")
    page.wait_for_function("document.querySelector('#upload-status').innerText.split('✗').length > 2",
                           timeout=120000)
    status = page.inner_text("#upload-status")
    lines = {ln.split(":")[0].strip("✗ "): ln for ln in status.splitlines() if ln.startswith("✗")}
    assert "encrypted" in lines["locked.pdf"], status
    assert "scanned" in lines["scan.pdf"], status
    page.get_by_role("tab", name="Ask").click()
    ask(page, "What was the Beijing data center PUE in 2022?", 1)
    assert "1.37" in page.inner_text("#chat")


def test_narrow_screen_has_no_horizontal_scroll_and_labelled_controls(server, browser):
    page = open_app(browser, server, width=420, height=900)
    ask(page, "What is the share of female employees?", 1)
    page.locator("#sources button.cite").first.click()
    page.wait_for_selector("#viewer-text mark", timeout=30000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    page.wait_for_timeout(800)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(DOCS / "narrow.png"), full_page=True)
    for tab in ("Compare", "Documents"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(500)
        assert page.evaluate("document.documentElement.scrollWidth") <= 420, tab
    # every text box, button and picker has a name a screen reader can say
    unnamed = page.evaluate("""() => [...document.querySelectorAll('textarea, input:not([type=file]), button')]
        .filter(e => e.offsetParent !== null)
        .filter(e => !(e.getAttribute('aria-label') || e.labels?.length || e.innerText.trim() || e.title
                       || e.getAttribute('aria-labelledby')))
        .map(e => e.outerHTML.slice(0, 120))""")
    assert not unnamed, unnamed


def test_reindex_and_delete_a_document(server, browser):
    """Last in this module: it takes the PDF out of the server's store."""
    needs_pdf(server)
    page = open_app(browser, server)
    pick(page, "#document", PDF_NAME)  # picked in Ask: deleting it must reset the picker, not break asking
    page.get_by_role("tab", name="Documents").click()
    page.wait_for_selector("#docs", timeout=30000)
    assert PDF_NAME in page.inner_text("#docs")
    pick(page, "#library-doc", PDF_NAME)
    page.click("#reindex-doc")
    page.wait_for_function("document.querySelector('#library-status').innerText.includes('re-indexed')",
                           timeout=240000)
    assert f"{PDF_NAME} re-indexed" in page.inner_text("#library-status")
    page.once("dialog", lambda d: d.dismiss())  # asked first; cancelling deletes nothing
    page.click("#delete-doc")
    page.wait_for_function("document.querySelector('#library-status').innerText.includes('Nothing deleted')",
                           timeout=60000)
    assert PDF_NAME in page.inner_text("#docs")
    page.once("dialog", lambda d: d.accept())
    page.click("#delete-doc")
    page.wait_for_function("document.querySelector('#library-status').innerText.includes('deleted')", timeout=60000)
    page.wait_for_function(f"!document.querySelector('#docs').innerText.includes({PDF_NAME!r})", timeout=30000)
    assert BUNDLED in page.inner_text("#docs")
    page.get_by_role("tab", name="Ask").click()
    page.wait_for_function("document.querySelector('#document input').value === 'All documents'", timeout=30000)
    page.click("#document input")
    assert not page.get_by_role("option", name=PDF_NAME, exact=True).count()
    page.keyboard.press("Escape")
    ask(page, "What was the Beijing data center PUE in 2022?", 1)
    assert "1.37" in page.inner_text("#chat")
    assert server["pdf"].exists()  # a file ingested from elsewhere is left where it is

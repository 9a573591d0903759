"""Nothing a report states is lost or altered on the way into the index.

For every page of the bundled report and of every shared PDF, each number token of the page's raw
text (pypdf's `extract_text` of that page, exactly as the loader received it; for Markdown the file
text), with any `<`, `>`, `≤`, `≥` before it and `%` after it, must appear as the same token in the
units indexed for that page (passage text and section heading, as `index_text` embeds them).
Tokens are compared after removing whitespace inside them ("< 2" = "<2", "45 %" = "45%") and the
stray space pypdf puts into a thousands group ("76 ,591" = "76,591"); "1,234.5" must stay "1,234.5".

Removed on purpose, and so excluded: a page's own number (kept as the page's `number` / `label`)
and running header/footer lines repeated across pages (kept on the page as `Page.running`). Nothing
is embedded: the test loads and chunks (the chunker's passages alone must hold every figure; the
table-row units `Assistant.prepare` adds come on top), never touching an index.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PageObject

from conftest import EXTERNAL, ROOT
from esgqa.chunking import chunk
from esgqa.index import index_text
from esgqa.loading import load
from esgqa.types import Page

SHARED_PDFS = ["3M_2018_10K.pdf", "AMAZON_2017_10K.pdf", "Addiko-Bank-AG-Sustainability-Report-2023.pdf",
               "BLOCK_2020_10K.pdf", "BOEING_2022_10K.pdf", "CT_REIT_2022_ESG_Report.pdf", "Commerzbank_AG.pdf",
               "CostCo_Climate_Action_Plan.pdf", "Merck_KGaA_2023.pdf", "PEPSICO_2022_10K.pdf",
               "Palfinger_AG_2023.pdf", "Pfizer_2023Q2_10Q.pdf", "Rio_Tinto_Climate_Change_Report_2023.pdf",
               "SMA_Solar_2023.pdf", "TAKKT_AG_Sustainability.pdf"]

_TOKEN = re.compile(r"(?:[<>≤≥] ?)?(?<!\d)\d+(?:[.,]\d+)*(?: ?%)?")
_SYMBOLS = re.compile(r"[<>≤≥%]")
# pypdf's stray space in a thousands group: "76 ,591" and "1,6 07.3" are 76,591 and 1,607.3.
_SPLIT_GROUP = re.compile(r"(?<=\d) ,(?=\d{3}\b)")
_SPLIT_DIGITS = re.compile(r"\b(\d{1,3}),(\d{1,2}) (\d{1,2})(?=[.\s]|$)")


def number_tokens(text: str, *, raw: bool = False) -> set[str]:
    """Number tokens with their attached <, >, ≤, ≥ and %, spaces inside them removed; `raw` text
    (pypdf's, not yet repaired by the loader) gets its split thousands groups joined first."""
    text = re.sub(r"[^\S\n]+", " ", text)  # any run of spaces (tab, no-break, thin) is one space
    if raw:
        text = _SPLIT_GROUP.sub(",", text)
        text = _SPLIT_DIGITS.sub(lambda m: f"{m[1]},{m[2]}{m[3]}" if len(m[2] + m[3]) == 3 else m[0], text)
    return {m.group().replace(" ", "") for m in _TOKEN.finditer(text)}


def missing(raw: set[str], indexed: set[str]) -> set[str]:
    """Raw tokens not in the indexed ones. A bare number also counts as kept when the index has it
    with a symbol that was on the next line ("45" / "%"); a token with a symbol must keep it."""
    bare = {_SYMBOLS.sub("", t) for t in indexed}
    return {t for t in raw if t not in indexed and (_SYMBOLS.search(t) or t not in bare)}


def lost_tokens(path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[int | None, set[str]]:
    """{page number: number tokens of its raw text missing from its indexed units}."""
    raw: list[str] = []
    extract = PageObject.extract_text

    def recording(self: PageObject, *args: object, **kwargs: object) -> str:
        text = extract(self, *args, **kwargs)
        raw.append(text or "")
        return text

    with monkeypatch.context() as m:
        m.setattr(PageObject, "extract_text", recording)
        doc = load(path)
    passages = chunk(doc)
    if doc.kind != "pdf":
        raw = [path.read_text(encoding="utf-8")]
    assert len(raw) == len(doc.pages)
    units: dict[int | None, set[str]] = {}
    for p in passages:
        units.setdefault(p.page, set()).update(number_tokens(index_text(p)))
    lost: dict[int | None, set[str]] = {}
    for page, text in zip(doc.pages, raw):
        indexed = units.get(page.number, set()) | _metadata_tokens(page)
        gone = missing(number_tokens(text, raw=doc.kind == "pdf"), indexed)
        if gone:
            lost[page.number] = gone
    return lost


def _metadata_tokens(page: Page) -> set[str]:
    """What a page keeps as metadata rather than text: its number, label and running lines."""
    kept = number_tokens("\n".join(page.running))
    if page.number is not None:
        kept.add(str(page.number))
    if page.label:
        kept |= number_tokens(page.label)
    return kept


def describe(lost: dict[int | None, set[str]]) -> str:
    count = sum(len(v) for v in lost.values())
    if not count:
        return "0 lost"
    page, tokens = next(iter(lost.items()))
    return f"{count} lost on {len(lost)} page(s), e.g. p.{page}: {sorted(tokens)[:5]}"


def test_bundled_markdown_report_keeps_every_number(monkeypatch):
    lost = lost_tokens(ROOT / "corpus" / "kingsoft-cloud-2022-esg-report.md", monkeypatch)
    assert not lost, describe(lost)


@pytest.mark.parametrize("name", SHARED_PDFS)
def test_shared_pdf_keeps_every_number(name, monkeypatch):
    path = EXTERNAL / name
    if not path.exists():
        pytest.skip(f"{path} not present (third-party PDFs live in ../shared/external)")
    lost = lost_tokens(path, monkeypatch)
    assert not lost, describe(lost)


SIGNS = "Share of women in management: <30% (target >40% by 2030); waste <2 tonnes, ≤0.1% of sites ≥45%"


def test_less_and_greater_signs_survive_in_pdf_text_and_markdown(tmp_path):
    from pdfs import text_pdf, write

    ascii_signs = SIGNS.replace("≤", "<=").replace("≥", ">=")  # the test PDF's font is cp1252
    pdf = write(tmp_path / "signs.pdf", text_pdf([f"People and Culture\n{ascii_signs}"]))
    txt = tmp_path / "signs.txt"
    txt.write_text(f"People\n\n{SIGNS}\n", encoding="utf-8")
    md = tmp_path / "signs.md"
    md.write_text(f"# People\n\n<p>{SIGNS}<br/></p>\n\nSee <https://example.com/esg/2023> and "
                  "<span style=\"color: red\">**12%**</span> turnover.\n", encoding="utf-8")
    texts = {p.suffix: "\n".join(x.text for x in chunk(load(p))) for p in (pdf, txt, md)}
    assert "<30% (target >40% by 2030); waste <2 tonnes, <=0.1% of sites >=45%" in texts[".pdf"]
    assert SIGNS in texts[".txt"]
    assert SIGNS in texts[".md"] and "<p>" not in texts[".md"] and "<br" not in texts[".md"]
    assert "https://example.com/esg/2023" in texts[".md"] and "12% turnover" in texts[".md"]
    assert "span" not in texts[".md"]


def test_heading_like_lines_in_a_row_stay_in_the_text():
    """A list of certifications or an address block looks like headings; none of it heads anything."""
    from esgqa.types import LoadedDocument, Page

    text = "Certifications\nISO 14001\nSOC1/SOC2/SOC3\nPCI DSS\nWe hold 4 certifications.\nLast Heading"
    doc = LoadedDocument(name="x", path=Path("x.pdf"), kind="pdf", sha256="0",
                         pages=[Page(number=1, text=text), Page(number=2, text="Body of page two, 7 items.")])
    passages = chunk(doc)
    page1 = "\n".join(index_text(p) for p in passages if p.page == 1)
    for line in ["ISO 14001", "SOC1/SOC2/SOC3", "We hold 4 certifications.", "Last Heading"]:
        assert line in page1
    assert [p.section for p in passages if p.page == 2] == ["Last Heading"]  # and it heads the next page

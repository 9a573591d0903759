"""Small typed objects that cross module boundaries (no loose dicts)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from esgqa.document.model import Box, Cell


class Page(BaseModel):
    """One page of text; Markdown/text files are a single page with no number."""

    model_config = ConfigDict(frozen=True)

    number: int | None = None  # 1-based physical page
    label: str | None = None  # printed page label, when the PDF defines labels
    text: str
    # Running headers/footers and the page number taken out of `text`: metadata, not content.
    running: tuple[str, ...] = ()
    ocr: bool = False  # `text` was read by OCR from the page's images: a scanned page with no text layer


class LoadedDocument(BaseModel):
    """A parsed file, ready to chunk. Nothing here has touched the index yet."""

    name: str  # file stem: the name users filter and cite by
    path: Path
    kind: str  # "pdf" | "markdown" | "text"
    sha256: str
    pages: list[Page]
    title: str = ""
    company: str = ""
    year: int | None = None
    source: str = ""


class Passage(BaseModel):
    """A chunk of a document: the unit stored in Chroma and BM25, and what gets cited."""

    model_config = ConfigDict(frozen=True)

    id: str
    document: str
    text: str
    section: str = ""
    page: int | None = None
    page_label: str | None = None
    kind: str = "text"  # "text" | "table" (first line of a table chunk is its header) | "row" (one table row)
    year: int | None = None  # the document's reporting year
    score: float = 0.0
    cells: tuple[Cell, ...] = ()  # a "row" passage: its cells, with row and column header paths
    # Where it stands on its page (PDF points, top-down); None for Markdown/text or when unknown.
    box: Box | None = None
    ocr: bool = False  # its text was read by OCR from an image on the page (esgqa.document.ocr), not the text layer

    def locator(self) -> str:
        return locator(self.document, self.page, self.page_label, self.section, self.ocr)

    def cite(self, n: int, text: str | None = None, box: Box | None = None) -> Citation:
        """This passage as citation [n], quoting `text` (a sentence or row of it) or all of it;
        `box` narrows the highlight to the quoted cell or row."""
        return Citation(n=n, document=self.document, page=self.page, page_label=self.page_label,
                        section=self.section, text=self.text if text is None else text,
                        box=box or self.box, ocr=self.ocr)


def locator(document: str, page: int | None, page_label: str | None, section: str, ocr: bool = False) -> str:
    """`document p.N §section`, the way analysts cite (printed page label when the PDF has one); text
    read by OCR says so, since a recogniser can misread a figure and the page is where to check it."""
    where = document
    if page is not None:
        where += f" p.{page_label or page}"
    if section:
        where += f" §{section}"
    if ocr:
        where += f" {OCR_NOTE}"
    return where


OCR_NOTE = "(read from an image by OCR)"


class Citation(BaseModel):
    n: int
    document: str
    page: int | None = None
    page_label: str | None = None
    section: str = ""
    text: str  # the quoted evidence; holds every figure the answer states
    box: Box | None = None  # the cited block or cell on its page (PDF points, top-down), for the page viewer
    figure: str | None = None  # an unsure answer's candidate: the figure it offers, as printed
    ocr: bool = False  # quoted from text read by OCR from an image: check the figure on the page

    def locator(self) -> str:
        return locator(self.document, self.page, self.page_label, self.section, self.ocr)


class Answer(BaseModel):
    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    backend: str = "extractive"
    figure: str | None = None  # the headline figure as printed in the report
    unit: str | None = None
    confidence: float = 0.0
    timings_ms: dict[str, float] = Field(default_factory=dict)
    grounding: dict | None = None  # set by LLM backends (issue 7)
    # Below the calibrated threshold: no figure is claimed; `candidates` shows the nearest ones.
    unsure: bool = False
    candidates: list[Citation] = Field(default_factory=list)
    # A follow-up ("And in 2021?") is answered as a whole question; this is that question, shown to the user.
    rewritten: str | None = None

    def json_dict(self) -> dict:
        return self.model_dump(exclude_none=False)


class DocumentInfo(BaseModel):
    name: str
    title: str = ""
    kind: str = ""
    pages: int | None = None
    chunks: int = 0
    sha256: str = ""
    source: str = ""  # the file it was ingested from (absolute path); "" for stores older than that
    # False while an ingest of it has not finished (killed, disk full): the next ingest completes it.
    complete: bool = True
    expected: int | None = None  # chunks of the version being ingested, when known
    company: str = ""  # detected at ingest (title page, metadata, most frequent organisation); editable
    year: int | None = None  # the reporting year, detected at ingest; editable
    tables: int = 0  # table rows indexed as "row" passages
    ingest_seconds: float | None = None  # how long its last ingest took
    reader: str = ""  # the reader version that built its chunks (esgqa.fingerprint)

    def unfinished(self) -> str:
        """What an incomplete document holds, for `esgqa docs` and the app: '64 of 100 chunks'."""
        if self.expected and self.chunks < self.expected:
            return f"{self.chunks} of {self.expected} chunks"
        return "an unfinished update"


class ClaimCheck(BaseModel):
    """A claimed figure checked against the report."""

    id: str | None = None
    claim: str
    verdict: str  # "supported" | "contradicted" | "not_found"
    claimed: str | None = None  # the figure the claim states
    reported: str | None = None  # the figure the report states for that metric and year, with unit
    reason: str = ""
    citations: list[Citation] = Field(default_factory=list)


class Finding(BaseModel):
    """One consistency check on a report's own figures."""

    kind: str  # "table_total" | "breakdowns" | "sentence_total" | "shares" | "restated" | "intensity"
    status: str  # "pass" | "fail"
    message: str
    citations: list[Citation] = Field(default_factory=list)

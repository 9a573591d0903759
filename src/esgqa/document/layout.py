"""A PDF's layout, read once from pypdfium2 word boxes: its tables (joined over page breaks), its
blocks with their section paths, the words OCR read in its images, and the words pypdf's text ran
together. Ingest reads it before chunking (`Assistant.prepare`); `units.py` writes the row passages."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from esgqa.document.hyphenation import LETTERS
from esgqa.document.model import Block, Box, Table
from esgqa.pdftext import respace, run_together
from esgqa.types import LoadedDocument


@dataclass(frozen=True)
class Layout:
    """What a PDF looks like, read once from its word boxes: its tables and its blocks."""

    tables: list[Table]
    blocks: list[Block]
    image_text: dict[int, str] = field(default_factory=dict)  # per page: the lines OCR read in its images
    ocr_boxes: dict[int, list[Box]] = field(default_factory=dict)  # per page: the boxes of the words OCR read
    run_together: dict[int, dict[str, str]] = field(default_factory=dict)  # per page: `pdftext.run_together`


def pdf_layout(doc: LoadedDocument) -> Layout:
    """Tables (joined over page breaks) and blocks (with section paths) of a PDF, from pypdfium2 words,
    with the words printed inside its images read by OCR and each page's words pypdf ran together."""
    from esgqa.document.blocks import read_blocks
    from esgqa.document.hyphenation import spelled_as_in
    from esgqa.document.ocr import page_texts
    from esgqa.document.tables import find_tables, join_pages
    from esgqa.document.words import read_words

    words = read_words(doc.path, ocr=True)
    with spelled_as_in(w.text for ws in words.values() for w in ws):
        tables = join_pages([t for page, ws in words.items() for t in find_tables(ws, page)])
        blocks = read_blocks(words, tables)
    texts = page_texts(words)
    ocr_boxes = {page: boxes for page, ws in words.items() if (boxes := [w.box for w in ws if w.ocr])}
    printed = {page: [w.text for w in ws if not w.ocr] for page, ws in words.items()}  # the text layer's words
    known = Counter(part.lower() for ws in printed.values() for w in ws for part in LETTERS.findall(w))
    glued = {page: spaced for page, ws in printed.items() if (spaced := run_together(ws, known))}
    return Layout(tables, blocks, texts, ocr_boxes, glued)


def respaced(doc: LoadedDocument, layout: Layout) -> LoadedDocument:
    """The pages' text (pypdf's) with the words it ran together spaced as the word boxes print them
    ("arrangementswith" -> "arrangements with"; `pdftext.run_together`): what the page says, word by word."""
    pages = [page.model_copy(update={"text": respace(page.text, layout.run_together[page.number])})
             if page.number in layout.run_together else page for page in doc.pages]
    return doc.model_copy(update={"pages": pages})


def pdf_tables(doc: LoadedDocument) -> list[Table]:
    """Every table of a PDF, read from word boxes (pypdfium2)."""
    return pdf_layout(doc).tables

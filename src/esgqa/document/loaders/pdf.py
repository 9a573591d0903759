"""PDF pages with pypdf: text in reading order, printed page labels, running lines kept apart.

pypdf is kept for what it does well (encryption, page labels, damaged files); the layout (word
boxes, tables, blocks) is read later with pypdfium2 by `esgqa.document.layout.pdf_layout`.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from esgqa.document.hyphenation import spelled_as_in
from esgqa.document.loaders import register
from esgqa.errors import InputError, one_line
from esgqa.pdftext import split_running_lines, tidy
from esgqa.types import Page

if TYPE_CHECKING:
    from pypdf import PdfReader

# A page with fewer extractable characters than this is treated as an image.
MIN_CHARS_PER_PAGE = 25

logging.getLogger("pypdf").setLevel(logging.ERROR)
# pypdf is imported where a PDF is read, so commands that only ask never load it.


class PdfLoader:
    kind = "pdf"
    suffixes = (".pdf",)

    def pages(self, path: Path, data: bytes) -> list[Page]:
        return _pdf_pages(path, data)

    def metadata(self, path: Path) -> dict[str, str]:
        return pdf_metadata(path)


def _pdf_pages(path: Path, data: bytes) -> list[Page]:
    if not data.lstrip()[:1024].startswith(b"%PDF-"):
        raise InputError(f"{path.name}: not a PDF file (no %PDF header): corrupt or misnamed")
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if b"%%EOF" not in data[-2048:]:
        raise InputError(f"{path.name}: PDF is truncated or corrupt (no end-of-file marker)")
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{path.name}: PDF is encrypted with a password; decrypt it first")
        labels = _page_labels(reader)
        pages = []
        for i, page in enumerate(reader.pages):
            text = _clean_pdf_text(page.extract_text() or "")
            pages.append(Page(number=i + 1, label=labels[i] if labels else None, text=text))
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(f"{path.name}: cannot read PDF ({one_line(exc)})") from exc
    except Exception as exc:  # pypdf raises many kinds on damaged files
        if "crypt" in str(exc).lower():
            raise InputError(f"{path.name}: cannot decrypt PDF ({one_line(exc)})") from exc
        raise InputError(f"{path.name}: cannot read PDF ({one_line(exc)})") from exc
    if not pages:
        raise InputError(f"{path.name}: PDF has no pages")
    split = split_running_lines([p.text for p in pages])
    with spelled_as_in(p.text for p in pages):
        pages = [p.model_copy(update={"text": tidy(t), "running": removed}) for p, (t, removed) in zip(pages, split)]
    chars = sum(len(p.text.strip()) for p in pages)
    if chars < MIN_CHARS_PER_PAGE * max(1, len(pages)) * 0.2 or chars < 50:
        pages = _scanned(path, pages)
    return pages


def _scanned(path: Path, pages: list[Page]) -> list[Page]:
    """A scanned PDF (pages that are pictures, no text layer): each page's text as OCR reads it in its
    images (esgqa.document.ocr), flagged `ocr`; refused when OCR reads no text either."""
    from esgqa.document.ocr import page_texts
    from esgqa.document.words import read_words

    try:
        texts = page_texts(read_words(path, ocr=True))
    except Exception as exc:  # noqa: BLE001 - pdfium may fail where pypdf did not; the error says so
        raise InputError(f"{path.name}: no extractable text, and its images could not be read "
                         f"({one_line(exc)})") from exc
    if sum(len(t) for t in texts.values()) < 50:
        raise InputError(f"{path.name}: no extractable text in {len(pages)} page(s), and OCR read none in its "
                         "images: it is blank, or scanned too faintly to read")
    # the few characters a scanned page's text layer does hold (a title, a stamp) stay, before what OCR read
    return [p.model_copy(update={"text": tidy(f"{p.text}\n{texts[p.number]}".strip()), "ocr": True})
            if p.number in texts and len(p.text.strip()) < MIN_CHARS_PER_PAGE else p for p in pages]


def _page_labels(reader: PdfReader) -> list[str] | None:
    """Printed page labels, only when the PDF defines them (otherwise they are just 1..n)."""
    try:
        if "/PageLabels" not in reader.trailer["/Root"]:
            return None
        labels = list(reader.page_labels)
    except Exception:
        return None
    return labels if len(labels) == len(reader.pages) else None


def _clean_pdf_text(text: str) -> str:
    text = text.replace("\x00", "").replace("\u00ad", "")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"(?<=\d) ,(?=\d{3}\b)", ",", text)  # "76 ,591" -> "76,591"
    # "1,6 07.3" -> "1,607.3": a thousands group split by a stray space
    text = re.sub(r"\b(\d{1,3}),(\d{1,2}) (\d{1,2})(?=[.\s]|$)",
                  lambda m: f"{m[1]},{m[2]}{m[3]}" if len(m[2] + m[3]) == 3 else m[0], text)
    return text.strip()


def pdf_metadata(path: Path) -> dict[str, str]:
    """The PDF's document info (/Title, /Author, ...) as text; {} when it cannot be read."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            reader.decrypt("")
        return {str(k): str(v) for k, v in (reader.metadata or {}).items() if isinstance(v, str)}
    except Exception:  # noqa: BLE001 - metadata is a hint; the pages were read already
        return {}


register(PdfLoader())

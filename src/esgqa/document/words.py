"""Words from pypdfium2 character boxes, grouped here rather than by a library's word finder.

pdfium gives every character its box, baseline origin and font size in about 8 ms a page; grouping
them ourselves keeps a footnote mark ("1,234¹") or a subscript ("CO₂" printed as "CO" + small "2")
a token of its own, so the table reader can tell a figure from its mark.
"""

from __future__ import annotations

import ctypes
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from esgqa.document.model import Word

_LIGATURES = {0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB05: "st", 0xFB06: "st"}
_BREAKS = {0x20, 0xA0, 0x09, 0x0A, 0x0D, 0x00, 0xFFFE, 0x2002, 0x2003, 0x2009, 0x202F}


def page_words(page: pdfium.PdfPage) -> list[Word]:
    """The words of one page in content order, boxes top-down in PDF points."""
    tp = page.get_textpage()
    try:
        return list(_words(tp, page.get_height()))
    finally:
        tp.close()


def _words(tp: pdfium.PdfTextPage, height: float) -> Iterator[Word]:
    raw = tp.raw
    n = pdfium_c.FPDFText_CountChars(raw)
    rect, mat = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    get_unicode, get_box = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_GetLooseCharBox
    get_origin, get_size = pdfium_c.FPDFText_GetCharOrigin, pdfium_c.FPDFText_GetFontSize
    is_generated, get_weight = pdfium_c.FPDFText_IsGenerated, pdfium_c.FPDFText_GetFontWeight
    get_matrix = pdfium_c.FPDFText_GetMatrix
    p_rect, p_mat, p_ox, p_oy = ctypes.byref(rect), ctypes.byref(mat), ctypes.byref(ox), ctypes.byref(oy)
    cur: list | None = None  # [chars, x0, top, x1, bottom, size, baseline, bold]
    for i in range(n):
        code = get_unicode(raw, i)
        if code in _BREAKS or code < 0x20 or 0xFFF0 <= code:
            if cur is not None and not (is_generated(raw, i) and code == 0x20 and _tiny_gap(raw, i, n, cur, height)):
                yield _word(cur)
                cur = None
            continue
        if not get_box(raw, i, p_rect):
            continue
        get_matrix(raw, i, p_mat)
        if abs(mat.b) > 0.1 * abs(mat.a) or abs(mat.c) > 0.1 * abs(mat.d):
            continue  # rotated text (a vertical margin label) is no part of a line or a table
        get_origin(raw, i, p_ox, p_oy)
        # pdfium's font size leaves out the text matrix: "1 Tf" scaled by "7 0 0 7 Tm" is 7 pt
        size = get_size(raw, i) * abs(mat.d) or (rect.top - rect.bottom) / 1.2
        base = height - oy.value
        ch = _LIGATURES.get(code) or chr(code)
        if cur is not None:
            gap = rect.left - cur[3]
            same_base = abs(base - cur[6]) <= 0.12 * max(size, cur[5])
            same_size = 0.8 * cur[5] <= size <= 1.25 * cur[5]
            if same_base and same_size and -0.6 * size <= gap <= 0.18 * size:
                cur[0].append(ch)
                cur[3] = max(cur[3], rect.right)
                cur[2] = min(cur[2], height - rect.top)
                cur[4] = max(cur[4], height - rect.bottom)
                continue
            yield _word(cur)
        cur = [[ch], rect.left, height - rect.top, rect.right, height - rect.bottom, size, base,
               get_weight(raw, i) >= 600]
    if cur is not None:
        yield _word(cur)


def _tiny_gap(raw: object, i: int, n: int, cur: list, height: float) -> bool:
    """A space pdfium made up between glyphs that touch: a split ligature ("ef ficiency"), not a word break."""
    j = i + 1
    if j >= n:
        return False
    rect = pdfium_c.FS_RECTF()
    if not pdfium_c.FPDFText_GetLooseCharBox(raw, j, ctypes.byref(rect)):
        return False
    size = cur[5]
    return abs(rect.left - cur[3]) <= 0.05 * size and abs((height - rect.bottom) - cur[4]) <= 0.1 * size


def _word(cur: list) -> Word:
    text = "".join(cur[0])
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return Word(text, round(cur[1], 2), round(cur[2], 2), round(cur[3], 2), round(cur[4], 2), round(cur[5], 2),
                round(cur[6], 2), cur[7])


def open_pdf(path: str | Path) -> pdfium.PdfDocument:
    """Open a PDF, also one encrypted with an empty user password (common for 'protected' reports)."""
    return pdfium.PdfDocument(str(path), password="")


def read_words(path: str | Path, page_numbers: Iterable[int] | None = None) -> dict[int, list[Word]]:
    """Words per 1-based page number, for all pages or the ones asked for."""
    doc = open_pdf(path)
    try:
        numbers = list(page_numbers) if page_numbers is not None else range(1, len(doc) + 1)
        out: dict[int, list[Word]] = {}
        for no in numbers:
            page = doc[no - 1]
            try:
                out[no] = page_words(page)
            finally:
                page.close()
        return out
    finally:
        doc.close()

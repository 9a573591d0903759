"""Words from pypdfium2 character boxes, grouped here rather than by a library's word finder.

pdfium gives every character its box, baseline origin and font size in about 8 ms a page; grouping
them ourselves keeps a footnote mark ("1,234¹") or a subscript ("CO₂" printed as "CO" + small "2")
a token of its own, so the table reader can tell a figure from its mark.
"""

from __future__ import annotations

import ctypes
import functools
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from esgqa.document.hyphenation import SOFT_HYPHEN
from esgqa.document.model import Word

_LIGATURES = {0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB05: "st", 0xFB06: "st"}
_BREAKS = {0x20, 0xA0, 0x09, 0x0A, 0x0D, 0x00, 0x2002, 0x2003, 0x2009, 0x202F}
# pdfium reports a hyphen that ends a line as U+FFFE. It is printed, so the word keeps it, as a soft hyphen
# that `join_lines` mends with the next line's first word.
_LINE_END_HYPHEN = 0xFFFE
def page_words(page: pdfium.PdfPage) -> list[Word]:
    """The words of one page in content order, boxes top-down in PDF points."""
    tp = page.get_textpage()
    try:
        turned: list[tuple[str, float, float, float, float, float, bool]] = []
        words = list(_words(tp, page.get_height(), turned))
        return words + _vertical_lines(turned)
    finally:
        tp.close()


def _vertical_lines(chars: list[tuple[str, float, float, float, float, float, bool]]) -> list[Word]:
    """Turned characters (content order) grouped into vertical lines: a header set sideways over a
    narrow column ("Proportion of CapEx" reading upwards) is one line, however many words it has."""
    out: list[Word] = []
    cur: list | None = None  # [text, x0, top, x1, bottom, size, last top, last bottom]
    for ch, x0, top, x1, bottom, size, space in chars:
        if cur is not None:
            xc, cxc = (x0 + x1) / 2, (cur[1] + cur[3]) / 2
            gap = min(abs(top - cur[7]), abs(cur[6] - bottom))
            if abs(xc - cxc) <= 0.4 * size and gap <= 1.2 * size and abs(size - cur[5]) <= 0.2 * size:
                cur[0] += (" " if space or gap > 0.25 * size else "") + ch
                cur[1], cur[2], cur[3], cur[4] = min(cur[1], x0), min(cur[2], top), max(cur[3], x1), max(cur[4], bottom)
                cur[6], cur[7] = top, bottom
                continue
            out.append(_vertical(cur))
        cur = [ch, x0, top, x1, bottom, size, top, bottom]
    if cur is not None:
        out.append(_vertical(cur))
    return out


def _vertical(cur: list) -> Word:
    text = unicodedata.normalize("NFC", cur[0]).strip()
    return Word(text, round(cur[1], 2), round(cur[2], 2), round(cur[3], 2), round(cur[4], 2), round(cur[5], 2),
                round(cur[4], 2), vertical=True)


def _codes(raw: object, n: int) -> list[int]:
    """All characters' code points in one call; per character only where UTF-16 needs two units."""
    buf = (ctypes.c_ushort * (n + 1))()
    pdfium_c.FPDFText_GetText(raw, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    codes = buf[:n]
    if any(0xD800 <= c <= 0xDFFF for c in codes):
        codes = [pdfium_c.FPDFText_GetUnicode(raw, i) for i in range(n)]
    return codes


def _words(tp: pdfium.PdfTextPage, height: float,
           turned: list[tuple[str, float, float, float, float, float, bool]] | None = None) -> Iterator[Word]:
    """Group characters into words: one box call per character, origin and font only per word.

    Within a word, a character on the same baseline (same box bottom) and of the same height follows
    the last one without a gap; a footnote mark or subscript changes height or bottom and starts a
    word of its own.
    """
    raw = tp.raw
    n = pdfium_c.FPDFText_CountChars(raw)
    if n <= 0:
        return
    codes = _codes(raw, n)
    rect, mat = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    get_box, get_origin, get_size = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetCharOrigin, \
        pdfium_c.FPDFText_GetFontSize
    is_generated, get_weight = pdfium_c.FPDFText_IsGenerated, pdfium_c.FPDFText_GetFontWeight
    get_matrix = pdfium_c.FPDFText_GetMatrix
    p_rect, p_mat, p_ox, p_oy = ctypes.byref(rect), ctypes.byref(mat), ctypes.byref(ox), ctypes.byref(oy)
    cur: list | None = None  # [chars, x0, top, x1, bottom, size, baseline, bold, box bottom, box height, last left]
    space = False  # a break since the last turned character
    for i in range(n):
        code = codes[i]
        if code == _LINE_END_HYPHEN:
            if cur is not None:
                cur[0].append(SOFT_HYPHEN)
                yield _word(cur)
                cur = None
            space = True
            continue
        if code in _BREAKS or code < 0x20 or 0xFFF0 <= code:
            space = True
            if cur is not None and not (code == 0x20 and is_generated(raw, i) and _tiny_gap(raw, i, n, cur, height)):
                yield _word(cur)
                cur = None
            continue
        if not get_box(raw, i, p_rect):
            continue
        left, bottom, right, top = rect.left, rect.bottom, rect.right, rect.top
        h = top - bottom
        ch = _LIGATURES.get(code) or chr(code)
        if cur is not None:
            ch_h = cur[9]
            # a ligature's second letter ("fi") shares the first one's box: it starts where that one did
            if abs(bottom - cur[8]) <= 0.1 * max(h, ch_h) and 0.85 * ch_h <= h <= 1.18 * ch_h and (
                    -0.5 * h <= left - cur[3] <= 0.15 * h or abs(left - cur[10]) <= 0.05 * h):
                cur[0].append(ch)
                cur[10] = left
                if right > cur[3]:
                    cur[3] = right
                continue
            yield _word(cur)
            cur = None
        get_matrix(raw, i, p_mat)
        if abs(mat.b) > 0.1 * abs(mat.a) or abs(mat.c) > 0.1 * abs(mat.d):
            # turned text is no part of a line; set upright-turned (90 degrees) it may head a column
            if turned is not None and abs(mat.a) <= 0.1 * abs(mat.b) and abs(mat.d) <= 0.1 * abs(mat.c):
                size = get_size(raw, i) * abs(mat.b) or (right - left) / 1.2
                turned.append((ch, left, height - top, right, height - bottom, size, space))
                space = False
            continue
        get_origin(raw, i, p_ox, p_oy)
        # pdfium's font size leaves out the text matrix: "1 Tf" scaled by "7 0 0 7 Tm" is 7 pt
        size = get_size(raw, i) * abs(mat.d) or h / 1.2
        cur = [[ch], left, height - top, right, height - bottom, size, height - oy.value,
               _is_bold(raw, i, get_weight(raw, i)), bottom, h, left]
    if cur is not None:
        yield _word(cur)


def _is_bold(raw: object, i: int, weight: int) -> bool:
    """Bold by the font's weight, or by its name where the PDF gives no weight (standard fonts)."""
    if weight > 0:
        return weight >= 600
    buf = ctypes.create_string_buffer(128)
    n = pdfium_c.FPDFText_GetFontInfo(raw, i, buf, len(buf), None)
    name = buf.raw[:max(0, min(n, len(buf)) - 1)].decode("latin-1").lower()
    return any(w in name for w in ("bold", "black", "heavy", "semibold"))


def _tiny_gap(raw: object, i: int, n: int, cur: list, height: float) -> bool:
    """A space pdfium made up between glyphs that touch: a split ligature ("ef ficiency"), not a word break."""
    j = i + 1
    if j >= n:
        return False
    rect = pdfium_c.FS_RECTF()
    if not pdfium_c.FPDFText_GetLooseCharBox(raw, j, ctypes.byref(rect)):
        return False
    size = cur[5]
    return abs(rect.left - cur[3]) <= 0.05 * size and abs(rect.bottom - cur[8]) <= 0.1 * size


def _word(cur: list) -> Word:
    text = "".join(cur[0])
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return Word(text, round(cur[1], 2), round(cur[2], 2), round(cur[3], 2), round(cur[4], 2), round(cur[5], 2),
                round(cur[6], 2), cur[7])


def open_pdf(path: str | Path) -> pdfium.PdfDocument:
    """Open a PDF, also one encrypted with an empty user password (common for 'protected' reports)."""
    return pdfium.PdfDocument(str(path), password="")


def read_words(path: str | Path, page_numbers: Iterable[int] | None = None, *,
               ocr: bool = False) -> dict[int, list[Word]]:
    """Words per 1-based page number, for all pages or the ones asked for (numbers past the end are left out);
    with `ocr`, also the words printed inside the pages' large images (esgqa.document.ocr)."""
    doc = open_pdf(path)
    try:
        count = len(doc)
        numbers = [no for no in page_numbers if 1 <= no <= count] if page_numbers is not None else range(1, count + 1)
        out: dict[int, list[Word]] = {}
        read = _ocr_read(path) if ocr else {}
        for no in numbers:
            page = doc[no - 1]
            try:
                out[no] = page_words(page)
                if ocr:
                    from esgqa.document.ocr import ocr_words

                    if no not in read:
                        read[no] = ocr_words(page, out[no])
                    out[no] += read[no]
            finally:
                page.close()
        return out
    finally:
        doc.close()


# The OCR words of the last file read, by page: the loader reads a scanned PDF's text by OCR and the
# layout reader reads its words again; OCR is the slow part (seconds a page), so it runs once.
def _ocr_read(path: str | Path) -> dict[int, list[Word]]:
    """The OCR words already read from this file (as it is now), by page; a new file replaces them."""
    stat = Path(path).stat()
    return _ocr_pages(str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=1)
def _ocr_pages(path: str, mtime_ns: int, size: int) -> dict[int, list[Word]]:
    return {}  # filled page by page by read_words

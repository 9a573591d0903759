"""Words printed inside images (a KPI table pasted as a picture), read with RapidOCR.

Many reports paste tables and infographics as images: their figures have no text layer, so
neither search nor the table reader could see them. Each large image on a page is rendered at
OCR resolution and read with RapidOCR (ONNX models shipped in its wheel: nothing is downloaded);
its lines become `Word`s in PDF points, flagged `ocr=True`, beside the text layer's words, so the
table reader, the block reader and the page text treat them like any other word. Words the text
layer already has (text set over a photo) are not read twice.
"""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from esgqa.document.model import Box, Word

if TYPE_CHECKING:
    import pypdfium2 as pdfium

# An image smaller than this share of the page is a logo, an icon or a signature, not a table.
MIN_IMAGE_SHARE = 0.05
# Render scale (1 = 72 dpi): 3 is 216 dpi, where the recogniser reads 6-pt type.
SCALE = 3.0
# Lines the recogniser is less sure of than this are left out: a misread figure is worse than none.
MIN_LINE_SCORE = 0.85
# Longest side handed to the detector (pixels); RapidOCR's default (2000) shrinks a page-wide table.
MAX_SIDE = 3000
# A line must be near horizontal (height at most this share of its width, or a short token).
_TEXT = re.compile(r"[^\W_]", re.UNICODE)


@lru_cache(maxsize=1)
def _engine():
    """The OCR engine, loaded once (about 0.1 s); None when rapidocr is not installed."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:  # pragma: no cover - a dependency; absent only in a broken install
        return None
    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return RapidOCR(max_side_len=MAX_SIDE, print_verbose=False)


def available() -> bool:
    return _engine() is not None


def image_boxes(page: pdfium.PdfPage) -> list[Box]:
    """Boxes (top-down PDF points) of the images on a page large enough to hold a table."""
    import pypdfium2 as pdfium

    width, height = page.get_size()
    out: list[Box] = []
    for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=4):
        left, bottom, right, top = obj.get_bounds()
        left, right = max(0.0, left), min(width, right)
        bottom, top = max(0.0, bottom), min(height, top)
        if right <= left or top <= bottom or (right - left) * (top - bottom) < MIN_IMAGE_SHARE * width * height:
            continue
        box = (left, height - top, right, height - bottom)
        if not any(_inside(box, b) for b in out):
            out = [b for b in out if not _inside(b, box)] + [box]
    return out


def _inside(a: Box, b: Box) -> bool:
    return a[0] >= b[0] - 1 and a[1] >= b[1] - 1 and a[2] <= b[2] + 1 and a[3] <= b[3] + 1


def ocr_words(page: pdfium.PdfPage, text_words: list[Word]) -> list[Word]:
    """Words read by OCR from the page's large images, minus those the text layer already has."""
    boxes = image_boxes(page)
    engine = _engine() if boxes else None
    if engine is None:
        return []
    width, height = page.get_size()
    out: list[Word] = []
    for x0, top, x1, bottom in boxes:
        crop = (x0, height - bottom, width - x1, top)  # pdfium crops (left, bottom, right, top) off each side
        image = page.render(scale=SCALE, crop=crop).to_numpy()
        # no angle classifier: pdfium renders a page upright, and the classifier turned short
        # cells ("0%") upside down into "%0"
        result, _ = engine(image, use_cls=False, return_word_box=True)
        for line_box, text, score, *rest in result or []:
            chars = [_to_page(b, x0, top) for b in rest[0]] if rest and rest[0] else None
            out += line_words(text, float(score), _to_page(line_box, x0, top), chars)
    return [w for w in out if not _covered(w, text_words)]


def _to_page(points: list, x0: float, top: float) -> Box:
    """A box of pixel corners in the rendered crop as a box in page points."""
    xs = [p[0] / SCALE + x0 for p in points]
    ys = [p[1] / SCALE + top for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def line_words(text: str, score: float, box: Box, chars: list[Box] | None = None) -> list[Word]:
    """One recognised line as words, with the spaces the recogniser left out put back.

    `chars` are the recogniser's boxes, one per character of `text` (its columns, not glyph
    outlines); without them each character gets an even share of the line. Words of one line share
    the line's top, bottom and size, which is what the table reader groups rows by. Lines below
    MIN_LINE_SCORE, turned lines and lines without a letter or digit are dropped.
    """
    x0, top, x1, bottom = box
    height = bottom - top
    if score < MIN_LINE_SCORE or not _TEXT.search(text) or height <= 0 or (height > 1.5 * (x1 - x0) and len(text) > 2):
        return []
    if not chars or len(chars) != len(text):
        step = (x1 - x0) / max(1, len(text))
        chars = [(x0 + i * step, top, x0 + (i + 1) * step, bottom) for i in range(len(text))]
    centres = [(c[0] + c[2]) / 2 for c in chars]
    steps = sorted(b - a for a, b in zip(centres, centres[1:]) if b > a)
    pitch = steps[len(steps) // 2] if steps else 1.0
    wide = [False] + [b - a >= WIDE_GAP * pitch for a, b in zip(centres, centres[1:])]
    size = round(height / 1.15, 2)  # the detector's box runs a little over the type's ascent and descent
    words: list[Word] = []
    for start, end in spans(text, wide):
        token = text[start:end]
        words.append(Word(token, round(chars[start][0], 2), round(top, 2), round(chars[end - 1][2], 2),
                          round(bottom, 2), size, round(bottom - 0.2 * height, 2), ocr=True))
    return words


# A step between two character centres this many times the line's median step may be a word space.
WIDE_GAP = 1.3
_RUN = re.compile(r"[A-Za-z]+")
# "December 31,2018": a day, its comma and a year run together; a thousands group has three digits, so
# "31,2018" is no number, and the year would be lost to a column header
_DATE_GLUE = re.compile(r"(?<![\d.,])((?:[1-9]|[12]\d|3[01]),)(?=(?:19|20)\d\d(?!\d|[.,]\d))")


def spans(text: str, wide: list[bool]) -> list[tuple[int, int]]:
    """(start, end) of each word: at the printed spaces, and where the recogniser ran words together.

    A run of letters that is no English word ("andinclusivecollaboration") is cut into the likeliest
    words (word frequencies, as in wordninja), only where the characters stand wider apart than
    usual (`wide`); a letter run meets a digit ("In2023") or follows ",;:" or a full stop
    ("2022.Emissions") at a word break too when the letters make a word; a day and a year run
    together ("31,2018") are cut after the comma.
    """
    cuts: set[int] = set()
    costs = _costs()
    for m in _RUN.finditer(text):
        a, b = m.span()
        run = m.group()
        inner: list[int] = []
        if run.lower() not in costs and b - a >= 4:
            # a lower-case letter followed by a capital ("FemaleNetwork") may always be a break
            may = [wide[a + i] or (i > 0 and run[i].isupper() and run[i - 1].islower()) for i in range(len(run))]
            inner = _segment(run, may)
            cuts |= {a + i for i in inner}
        first, last = run[:inner[0]] if inner else run, run[inner[-1]:] if inner else run
        if a > 0 and (text[a - 1] in ",;:" or (text[a - 1] == "." and b - a >= 2) or
                      (text[a - 1].isdigit() and _word(first) and first.islower())):
            cuts.add(a)
        if b < len(text) and text[b].isdigit() and _word(last) and (last.islower() or last.istitle()):
            cuts.add(b)
    cuts |= {m.end(1) for m in _DATE_GLUE.finditer(text)}
    out: list[tuple[int, int]] = []
    start = None
    for i, ch in enumerate(text):
        if ch == " ":
            if start is not None:
                out.append((start, i))
            start = None
            continue
        if i in cuts and start is not None and i > start:
            out.append((start, i))
            start = None
        if start is None:
            start = i
    if start is not None:
        out.append((start, len(text)))
    return out


def _word(letters: str) -> bool:
    """A known English word of two letters or more ("in", "Scope"), not a unit or symbol ("m", "CO")."""
    return len(letters) >= 2 and letters.lower() in _costs()


@lru_cache(maxsize=1)
def _costs() -> dict[str, float]:
    """Word costs by frequency rank (Zipf), from wordninja's English word list; {} without it."""
    import gzip
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("wordninja")
    if spec is None or spec.origin is None:  # pragma: no cover - a dependency
        return {}
    with gzip.open(Path(spec.origin).parent / "wordninja" / "wordninja_words.txt.gz") as fh:
        words = fh.read().decode().split()
    scale = math.log(len(words))
    return {w: math.log((i + 1) * scale) for i, w in enumerate(words) if w.isalpha()}


# Cost of leaving a letter run whole when it is no known word: a name ("TAKKT") stays whole unless it
# is clearly cheaper as known words.
_UNKNOWN = 9.0
_UNKNOWN_PER_CHAR = 3.0


def _segment(run: str, wide: list[bool]) -> list[int]:
    """Offsets inside `run` where the cheapest split into words cuts it (only at `wide` positions)."""
    costs = _costs()
    n = len(run)
    best = [0.0] + [math.inf] * n
    back = [0] * (n + 1)
    low = run.lower()
    for end in range(1, n + 1):
        for start in range(max(0, end - 25), end):
            if start > 0 and not wide[start]:
                continue
            piece = low[start:end]
            cost = costs.get(piece, _UNKNOWN + _UNKNOWN_PER_CHAR * len(piece))
            if best[start] + cost < best[end]:
                best[end], back[end] = best[start] + cost, start
    cuts = []
    end = n
    while end > 0:
        start = back[end]
        if start > 0:
            cuts.append(start)
        end = start
    return sorted(cuts)


def _covered(word: Word, text_words: list[Word]) -> bool:
    """Is the OCR word's centre on a word of the text layer (text set over the image)?"""
    xc, yc = word.xc, (word.top + word.bottom) / 2
    return any(t.x0 <= xc <= t.x1 and t.top <= yc <= t.bottom for t in text_words)


def image_text(words: list[Word]) -> str:
    """The OCR words of a page as lines of text, top to bottom ("" when OCR read nothing).

    The recogniser reads a row's label and its figures as separate lines; lines whose middles lie
    within half a line height of each other are one printed row, read left to right.
    """
    rows: list[list[Word]] = []
    for w in sorted((w for w in words if w.ocr), key=lambda w: (w.top + w.bottom) / 2):
        mid = (w.top + w.bottom) / 2
        if rows:
            last = rows[-1]
            row_mid = sum((x.top + x.bottom) / 2 for x in last) / len(last)
            if abs(mid - row_mid) <= 0.5 * min(w.bottom - w.top, last[0].bottom - last[0].top):
                last.append(w)
                continue
        rows.append([w])
    return "\n".join(" ".join(w.text for w in sorted(row, key=lambda w: w.x0)) for row in rows)


def page_texts(words: dict[int, list[Word]]) -> dict[int, str]:
    """Each page's OCR lines (`image_text`), for the pages where OCR read something."""
    return {page: text for page, ws in words.items() if (text := image_text(ws))}

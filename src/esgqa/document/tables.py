"""The one table reader: tables of any shape, read from where words sit on the page.

Reports draw tables with whitespace, not ruling lines, and their columns are years, sites, scopes
or genders. So nothing here looks for lines or a year header: a table is a run of lines whose right
part holds figures that line up in columns. Rows come from baselines, row labels from the text left
of the first column (wrapped labels joined, indented labels under their parents), column headers
from the lines just above that sit over the columns, units from header, row, block marker or caption.
Generic rules only: no word list belongs to one report.
"""

from __future__ import annotations

import logging
import re
import statistics
from dataclasses import dataclass, field, replace

from esgqa.document.hyphenation import SOFT_HYPHEN, hyphenated, join_lines
from esgqa.document.model import Box, Cell, Table, Word
from esgqa.document.tiles import read_tiles
from esgqa.figures import PLACEHOLDERS, YEAR, cell_number, decimal_comma_convention

log = logging.getLogger(__name__)

NUM, PH, TXT = "num", "ph", "txt"

_NUM = re.compile(r"[<>≤≥~≈]?[(\[]?[-+−–]?[(\[]?[$€£¥]?\d[\d.,']*[%‰]?[)\]]?[%‰x]?\*{0,3}")
_SYMBOL = re.compile(r"%|‰|[$€£¥]|\(|\)")
_CURRENCY_SIGNS = {"$", "€", "£", "¥", "US$", "C$", "A$"}
_POWER_UNIT = re.compile(r"(?:^|[\s(/])(?:[kcdm]?m|ft|in|yd|mi)$")  # area and volume units take a power
_FIRST_WORDS_IN = re.compile(r"^(?:in|en|unit:?|units:?)\s+", re.I)
_UNIT_WORDS = {
    "%", "‰", "percent", "per", "cent", "pp", "/", "-",
    "wh", "kwh", "mwh", "gwh", "twh", "emwh", "ekwh", "j", "kj", "mj", "gj", "tj", "pj",
    "t", "kt", "mt", "tonnes", "tonne", "tons", "ton", "kg", "kilotons", "kilotonnes", "megatonnes", "g", "metric",
    "co2", "co2e", "co2eq", "co2-eq", "co2-e", "co₂", "co₂e", "tco2", "tco2e", "tco₂e", "ktco2e", "mtco2e",
    "equivalent", "equivalents", "eq", "e",
    "m3", "m³", "ml", "megalitres", "megaliters", "litres", "liters", "l", "hl", "km", "m2", "m²", "ha", "sqm",
    "sq", "ft", "eur", "€", "usd", "$", "us$", "chf", "gbp", "£", "cad", "aud", "jpy", "sek", "nok", "dkk",
    "thousand", "thousands", "million", "millions", "billion", "billions", "mn", "bn", "m", "k", "'000", "000", "teur",
    "dollars", "dollar", "euros", "euro", "pounds", "francs",
    "tsd", "mio", "mio.", "mrd", "fte", "ftes", "headcount", "hours", "hour", "h", "days", "number", "no.",
    "count", "kw", "mw", "gw", "kwp", "mwp", "ratio", "rate", "of", "and", "in",
}


@dataclass(slots=True)
class _W:
    """A word on its line, with footnote marks taken off and subscripts put back on."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    baseline: float
    marks: list[str] = field(default_factory=list)
    bold: bool = False


@dataclass(slots=True)
class _Tok:
    """A phrase (words closer than a cell gap) or one figure of it: what a table cell is made of."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    kind: str  # NUM, PH (a placeholder such as "n/a" or "–") or TXT
    marks: tuple[str, ...] = ()
    words: int = 1
    unit: str = ""  # a unit printed in the cell itself: "7,471 t CO2e"
    parts: tuple[_W, ...] = ()  # a text phrase's words, to split it where a column starts
    label: str = ""  # a label printed in the cell before its figure: "Ever assessed: 80 %"

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class _Line:
    baseline: float
    top: float
    bottom: float
    size: float
    words: list[_W]
    toks: list[_Tok] = field(default_factory=list)

    @property
    def values(self) -> list[_Tok]:
        return [t for t in self.toks if t.kind != TXT]

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.toks)


def find_tables(words: list[Word], page: int) -> list[Table]:
    """Every table on one page, read from its words (see `esgqa.document.words.page_words`).

    A page the reader cannot make sense of gives no tables and a warning, never an exception: its
    text is still read, and one odd page must not stop a report's ingest.
    """
    try:
        tiles, words = read_tiles(words, page)
        turned = [w for w in words if w.vertical]
        tables = without_bare_repeats(continued_on_page(_find([w for w in words if not w.vertical], page, depth=0)))
        tables = [_turned_headers(t, turned) for t in tables] if turned else tables
        return [*tables, *tiles]
    except Exception:  # noqa: BLE001 - a reader bug on one page costs that page's tables only
        log.warning("table reader failed on page %d", page, exc_info=True)
        return []


def _find(words: list[Word], page: int, depth: int) -> list[Table]:
    lines = _lines(words)
    runs = _runs(lines)
    # first the bands where two tables stand side by side: each side is read on its own
    bands: list[tuple[float, float, float]] = []
    if depth < 4:
        for run in runs:
            y0, y1 = lines[run[0]].top, lines[run[-1]].bottom
            hit = next((k for k, (lo, hi, _) in enumerate(bands) if y0 < hi and lo < y1), None)
            if hit is not None:  # a run reaching past its band's end is still read side by side
                lo, hi, x = bands[hit]
                bands[hit] = (min(lo, y0), max(hi, y1), x)
                continue
            x = _split_x(lines, y0, y1)
            if x is None:
                x = _split_beside_header(lines, run[0], y1)
            if x is not None:
                bands.append((*_band(lines, x, y0, y1), x))
        for y0, y1, x in _beside_text(lines):
            if not any(y0 < hi and lo < y1 for lo, hi, _ in bands):
                bands.append((*_band(lines, x, y0, y1), x))
    tables: list[Table] = []
    prev_bottom = -1e9
    for run in runs:
        y0, y1 = lines[run[0]].top, lines[run[-1]].bottom
        if not any(y0 < hi and lo < y1 for lo, hi, _ in bands):
            table = _table(lines, run, page, prev_bottom)
            if table is not None:
                tables.append(table)
        prev_bottom = y1
    for lo, hi, x in bands:
        window = [w for w in words if w.top >= lo - 0.1 and w.bottom <= hi + 0.1]
        tables.extend(_find([w for w in window if w.xc < x], page, depth + 1))
        tables.extend(_find([w for w in window if w.xc >= x], page, depth + 1))
    return sorted(tables, key=lambda t: (t.box[1], t.box[0]))


def _split_beside_header(lines: list[_Line], first: int, bottom: float) -> float | None:
    """On a two-column page the other column's running text may stand beside a table's header only
    (its rows level with a pull quote or with nothing): split where it would, with the header's lines
    (those without figures just above the first row, as far as a header reaches) counted, when two of
    them hold running text right of the split."""
    top, reach = lines[first].top, lines[first].top - _HEADER_REACH * lines[first].size
    zone: list[_Line] = []
    for ln in reversed(lines[:first]):
        if ln.top < reach or _is_seed(ln):
            break
        top = ln.top
        zone.append(ln)
    x = _split_x(lines, top, bottom) if zone else None
    if x is None or sum(any(t.kind == TXT and t.words >= 5 and t.x0 > x for t in ln.toks) for ln in zone) < 2:
        return None
    return x


def continued_on_page(tables: list[Table]) -> list[Table]:
    """Join a table to the headed table above it on the same page when it has no title and no header
    of its own and its columns stand where that table's do: a statement broken by a long label line
    ("Adjustments to reconcile net income ... :") goes on under the same column headers. Cells both
    readings hold (value and box) are kept once."""
    out: list[Table] = []
    for table in tables:
        for k in range(len(out) - 1, -1, -1):
            above = out[k]
            if not above.box[1] <= table.box[1] <= above.box[3] + _NEAR_ROWS * _cell_height(above):
                continue
            if (joined := _continue(above, table, same_page=True)) is not None:
                out[k] = joined
                break
        else:
            out.append(table)
    return out


_SENTENCE_WORDS = 14  # a phrase this long is a sentence: no row name (a bullet beside a chart), no caption
_INDENT_MAX = 8.0  # font sizes: the most a row is indented under another; further off, it is another column
_HEADER_REACH = 6.0  # font sizes: how far above its first row a table's header may start
_NEAR_ROWS = 4  # a continuation starts within a few rows' height of the table it continues; empty space parts tables


def _mostly_sentences(table: Table) -> bool:
    """Are most of a table's row labels sentences (bullets beside a chart's figures)?"""
    labels = {c.row_path[-1] for c in table.cells if c.row_path}
    return sum(len(label.split()) >= _SENTENCE_WORDS for label in labels) * 2 >= max(len(labels), 1)


def _cell_height(table: Table) -> float:
    return statistics.median(c.box[3] - c.box[1] for c in table.cells) if table.cells else 0.0


def without_bare_repeats(tables: list[Table]) -> list[Table]:
    """The page's tables less any read a second time without column headers: a table none of whose
    cells has a column header, every one of which (value and box) another reading of the page holds
    under its column's header. Part of a wide table read again as one side of a band would otherwise
    compete, header-less, with its own headed cells (a "45 %" goal and a "33.8 %" result that the
    answer engine cannot tell apart)."""
    headed = {_same_cell(c) for t in tables for c in t.cells if c.col_label.strip()}
    return [t for t in tables if not t.cells or any(c.col_label.strip() for c in t.cells)
            or not all(_same_cell(c) in headed for c in t.cells)]


def _same_cell(c: Cell) -> tuple:
    """What two readings of one page share for the same printed figure: its value and where it stands."""
    return c.value, tuple(round(v) for v in c.box)


_TURNED_REACH = 400.0  # points: how far above a table a sideways header may stand (group rows between)


def _column_spans(table: Table) -> list[tuple[float, float, float]]:
    """Each column's centre and extent, left to right."""
    out = []
    for x in _column_centres(table.cells):
        near = [c for c in table.cells if abs((c.box[0] + c.box[2]) / 2 - x) <= 6.0]
        out.append((x, min(c.box[0] for c in near), max(c.box[2] for c in near)))
    return out


def _column_under(spans: list[tuple[float, float, float]], w: Word) -> int | None:
    """The column a sideways header line stands over: the nearest whose extent it is within 1.5 em of."""
    fits = [(abs(w.xc - x), k) for k, (x, x0, x1) in enumerate(spans)
            if x0 - 1.5 * w.size <= w.xc <= x1 + 1.5 * w.size]
    return min(fits)[1] if fits else None


def _turned_headers(table: Table, turned: list[Word]) -> Table:
    """Column headers set sideways (EU taxonomy tables turn theirs to fit twenty narrow columns).

    The nearest band of vertical lines above a column heads it, above any header the column has, also
    when group rows split the table below it in two; lines over one column read left to right. Two
    columns or more must have them: a lone turned line is an axis title.
    """
    body_top = min(c.box[1] for c in table.cells)
    spans = _column_spans(table)  # once per table, not once per turned line
    heads: dict[int, list[Word]] = {}
    for w in turned:
        if not w.text or w.bottom > body_top or table.box[1] - w.bottom > _TURNED_REACH:
            continue
        k = _column_under(spans, w)
        if k is not None:
            heads.setdefault(k, []).append(w)
    for k, ws in heads.items():
        nearest = max(w.bottom for w in ws)
        heads[k] = [w for w in ws if w.bottom >= nearest - 2 * w.size]
    if len(heads) < 2:
        return table  # one turned line over one column is a chart's axis title, not a row of headers
    centres = [x for x, _, _ in spans]
    text = {k: " ".join(w.text for w in sorted(ws, key=lambda w: w.x0)) for k, ws in heads.items()}
    cells = []
    for c in table.cells:
        k = min(range(len(centres)), key=lambda i: abs((c.box[0] + c.box[2]) / 2 - centres[i]))
        cells.append(replace(c, col_path=(text[k], *c.col_path)) if k in text else c)
    return replace(table, cells=tuple(cells))


def _beside_text(lines: list[_Line]) -> list[tuple[float, float, float]]:
    """Where a one-column table stands beside a column of running text (a two-column page): two or
    more lines of 'label ... figure', then a wide gap and running text of the other column. Gives each
    such stretch (top, bottom) and the gutter's x, just left of the text column, to read apart."""
    hits: list[tuple[_Line, float]] = []
    for ln in lines:
        toks = ln.toks
        k = next((k for k, t in enumerate(toks) if t.kind == NUM), None)
        if k is None or k == 0 or k + 1 >= len(toks) or any(t.kind != TXT for t in toks[:k]):
            continue
        fig, text = toks[k], toks[k + 1]
        if text.kind == TXT and text.words >= 4 and text.x0 - fig.x1 >= 3 * ln.size and all(
                t.kind == TXT for t in toks[k + 1:]) and fig.x0 - toks[k - 1].x1 >= 2 * ln.size:
            hits.append((ln, text.x0 - 0.5 * ln.size))
    out: list[tuple[float, float, float]] = []
    group: list[tuple[_Line, float]] = []

    def close() -> None:
        if len(group) >= 2:
            y0, y1, x = group[0][0].top, group[-1][0].bottom, min(x for _, x in group)
            if not any(t.x0 < x < t.x1 for ln in lines if ln.bottom > y0 and ln.top < y1 for t in ln.toks):
                out.append((y0, y1, x))
        group.clear()

    for ln, x in hits:
        if group and ln.baseline - group[-1][0].baseline > 4.5 * ln.size:
            close()
        group.append((ln, x))
    close()
    return out


def _band(lines: list[_Line], x: float, y0: float, y1: float) -> tuple[float, float]:
    """How far up and down the split holds: until a line runs across it (a paragraph over both tables)."""
    lo, hi = y0, y1
    crosses = [any(t.x0 < x < t.x1 for t in ln.toks) for ln in lines]
    for ln, cross in zip(reversed(lines), reversed(crosses)):
        if ln.top < y0:
            if cross:
                break
            lo = ln.top
    for ln, cross in zip(lines, crosses):
        if ln.bottom > y1:
            if cross:
                break
            hi = ln.bottom
    return lo, hi


# --- lines ------------------------------------------------------------------------------------


def _script(w: Word, base: Word) -> str:
    """'sup' when `w` is a footnote mark on `base`, 'sub' when it is its subscript, '' otherwise."""
    if not (-0.3 * base.size <= w.x0 - base.x1 <= 0.4 * base.size) or w.bottom < base.top or w.top > base.bottom:
        return ""
    rise = base.baseline - w.baseline
    if w.size <= 0.85 * base.size:
        if abs(rise) < 0.08 * base.size:
            return ""
        return "sup" if rise > 0 else "sub"
    if 0.25 * base.size <= rise <= 0.7 * base.size and len(w.text) <= 3:
        return "sup"
    return ""


def _lines(words: list[Word]) -> list[_Line]:
    """Words on one baseline make a line; marks and subscripts join the word they belong to."""
    n = len(words)
    base_of: list[int] = [-1] * n
    kind_of: list[str] = [""] * n
    for i, w in enumerate(words):
        # content order puts a mark or subscript right after its word
        if i > 0 and (k := _script(w, words[i - 1])) and base_of[i - 1] < 0:
            base_of[i], kind_of[i] = i - 1, k
    # marks the content order put elsewhere: a small word starting where another word ends
    ends: dict[int, list[int]] = {}
    for i, w in enumerate(words):
        ends.setdefault(int(w.x1), []).append(i)
    for i, w in enumerate(words):
        if base_of[i] >= 0 or not any(w.size <= 0.85 * words[j].size for j in (i - 1, i + 1) if 0 <= j < n):
            continue
        for key in (int(w.x0) - 1, int(w.x0), int(w.x0) + 1):
            for j in ends.get(key, ()):
                if j != i and base_of[j] < 0 and (k := _script(w, words[j])):
                    base_of[i], kind_of[i] = j, k
                    break
            if base_of[i] >= 0:
                break
    ws: dict[int, _W] = {}
    for i, w in enumerate(words):
        if base_of[i] < 0:
            ws[i] = _W(w.text, w.x0, w.x1, w.top, w.bottom, w.size, w.baseline, bold=w.bold)
    alias: dict[int, int] = {}
    for i in range(n):
        b = base_of[i]
        if b < 0:
            continue
        base, w = ws[alias.get(b, b)], words[i]
        if kind_of[i] == "sup" and w.text in ("2", "3") and _POWER_UNIT.search(base.text):
            base.text += w.text  # "ft²", "m³": a unit's power, not a footnote mark
        elif kind_of[i] == "sup":
            base.marks.append(w.text)
        else:
            base.text += w.text
            base.x1 = max(base.x1, w.x1)
            base.bottom = max(base.bottom, w.bottom)
            # the rest of the word after a subscript: "CO" "2" "e" -> "CO2e"
            nxt = words[i + 1] if i + 1 < n else None
            if nxt is not None and base_of[i + 1] < 0 and abs(nxt.x0 - w.x1) < 0.1 * base.size and abs(
                    nxt.baseline - base.baseline) < 0.1 * base.size and i + 1 in ws:
                after = ws.pop(i + 1)
                alias[i + 1] = alias.get(b, b)
                base.text += after.text
                base.x1 = max(base.x1, after.x1)
                base.marks.extend(after.marks)
    lines: list[_Line] = []
    for w in sorted(ws.values(), key=lambda w: (w.baseline, w.x0)):
        if lines:
            ln = lines[-1]
            if w.baseline - ln.baseline <= 0.3 * min(w.size, ln.size):
                ln.words.append(w)
                ln.top, ln.bottom = min(ln.top, w.top), max(ln.bottom, w.bottom)
                continue
        lines.append(_Line(w.baseline, w.top, w.bottom, w.size, [w]))
    for ln in lines:
        ln.words.sort(key=lambda w: w.x0)
        ln.size = statistics.median(w.size for w in ln.words)
        ln.toks = _tokens(ln)
    return lines


def _is_num(text: str) -> bool:
    """A figure as a table prints it; '26,' (a page list) and '2-1' (a code) are not."""
    return bool(_NUM.fullmatch(text)) and text[-1] not in ".," and any(c.isdigit() for c in text)


def _tokens(ln: _Line) -> list[_Tok]:
    """Split a line into phrases at cell-wide gaps; a phrase of figures only gives one token per figure."""
    phrases: list[list[_W]] = []
    for w in ln.words:
        # a word space is about 0.3 em, a justified one up to about 0.7: cells stand further apart
        if phrases and w.x0 - phrases[-1][-1].x1 <= 0.75 * ln.size:
            phrases[-1].append(w)
        else:
            phrases.append([w])
    return _phrase_tokens(phrases, ln.size)


def _phrase_tokens(phrases: list[list[_W]], size: float) -> list[_Tok]:
    out: list[_Tok] = []
    for ph in phrases:
        text = _join(ph, size)
        marks = tuple(m for w in ph for m in w.marks)
        if text in _CURRENCY_SIGNS:
            continue  # the "$" a statement prints at a column's left edge, apart from its figure
        if text.lower() in PLACEHOLDERS:
            out.append(_Tok(text, ph[0].x0, ph[-1].x1, _top(ph), _bottom(ph), PH, marks))
            continue
        if all(_is_num(w.text) or _SYMBOL.fullmatch(w.text) or w.text.lower() in PLACEHOLDERS for w in ph) and any(
                _is_num(w.text) for w in ph):
            out.extend(_figures(ph, size))
            continue
        if len(ph) >= 2 and _is_num(ph[0].text) and _is_unit(" ".join(w.text for w in ph[1:])):
            unit = " ".join(w.text for w in ph[1:])
            out.append(_Tok(ph[0].text, ph[0].x0, ph[-1].x1, _top(ph), _bottom(ph), NUM, marks, unit=unit))
            continue
        if (labelled := _labelled(ph, size)) is not None:
            out.append(labelled)
            continue
        out.append(_Tok(text, ph[0].x0, ph[-1].x1, _top(ph), _bottom(ph), TXT, marks, len(ph), parts=tuple(ph)))
    return out


def _labelled(ph: list[_W], size: float) -> _Tok | None:
    """A cell that prints its own short label before its figure ("Ever assessed: 80 %"): the figure,
    carrying the label (up to four words ending in a colon, with a letter in them) to name it under the row."""
    j = next((j for j in range(min(4, len(ph) - 1)) if ph[j].text.endswith(":")), None)
    if j is None or not any(c.isalpha() for w in ph[:j + 1] for c in w.text):
        return None  # "2023: 5.50%" pairs a year with its figure: no label to name a row by
    rest = ph[j + 1:]
    if not all(_is_num(w.text) or _SYMBOL.fullmatch(w.text) for w in rest) or not any(_is_num(w.text) for w in rest):
        return None
    figs = _figures(rest, size)
    if len(figs) != 1 or figs[0].kind != NUM:
        return None
    figs[0].label = " ".join(w.text for w in ph[:j + 1]).rstrip(":").strip()
    figs[0].x0 = ph[0].x0  # the cell, label and figure, stands in the column
    return figs[0]


def _figures(ph: list[_W], size: float) -> list[_Tok]:
    """'€' '1,904' -> '€ 1,904'; '1' '234' (space thousands) -> '1 234'; '12' '%' -> '12%'."""
    groups: list[list[_W]] = []
    for w in ph:
        if groups:
            last = groups[-1][-1]
            gap = w.x0 - last.x1
            glue = (_SYMBOL.fullmatch(last.text) and last.text not in ")%‰") or w.text in ("%", "‰", ")")
            thousands = re.fullmatch(r"-?\d{1,3}", last.text) and re.fullmatch(r"\d{3}(?:[.,]\d+)?", w.text)
            if gap <= 0.6 * size and (glue or (thousands and gap <= 0.35 * size)):
                groups[-1].append(w)
                continue
        groups.append([w])
    out = []
    for g in groups:
        text = _join(g, size) if not any(re.fullmatch(r"\d{3}(?:[.,]\d+)?", w.text) for w in g[1:]) else " ".join(
            w.text for w in g)
        kind = NUM if any(_is_num(w.text) for w in g) else PH if text.lower() in PLACEHOLDERS else TXT
        out.append(_Tok(text, g[0].x0, g[-1].x1, _top(g), _bottom(g), kind, tuple(m for w in g for m in w.marks)))
    return out


def _join(ws: list[_W], size: float) -> str:
    return " ".join(w.text for w in ws)


def _split_at(t: _Tok, x: float, size: float) -> list[_Tok]:
    """A label run into the first figure ("steam 188,693", set tight) split where the figures start."""
    if t.kind != TXT or not t.parts or not t.x0 < x < t.x1:
        return [t]
    left = [w for w in t.parts if w.x1 <= x]
    right = [w for w in t.parts if w.x1 > x]
    if not left or not right:
        return [t]
    return _phrase_tokens([left], size) + _phrase_tokens([right], size)


def _top(ws: list[_W]) -> float:
    return min(w.top for w in ws)


def _bottom(ws: list[_W]) -> float:
    return max(w.bottom for w in ws)


# --- regions ----------------------------------------------------------------------------------


def _is_year(t: _Tok) -> bool:
    return t.kind == NUM and bool(YEAR.fullmatch(t.text))


def _is_seed(ln: _Line) -> bool:
    """A line that can only be a table row: two or more figures standing apart, not just years."""
    vals = ln.values
    nums = [t for t in vals if t.kind == NUM]
    if len(vals) < 2 or all(_is_year(t) for t in nums) and len(nums) == len(vals):
        return False
    return bool(nums) or len(vals) >= 3


def _is_year_row(ln: _Line) -> bool:
    """A header row of years ("2018 2017 2016 2018 2017 2016") between figures starts another table."""
    vals = ln.values
    return len(vals) >= 2 and all(_is_year(t) for t in vals)


def _is_head_row(ln: _Line, x0: float, x1: float) -> bool:
    """Column headers right above figures ("United States | Asia Pacific | ... | Worldwide"): three or more
    words-only phrases over the figures' columns (x0..x1) and no figure start another table stacked below."""
    over = [t for t in ln.toks if t.x1 > x0 - ln.size and t.x0 < x1]
    return not ln.values and len(over) >= 3 and all(t.kind == TXT and t.words <= 5 for t in over)


def _is_lead_in(ln: _Line, edge: float, size: float) -> bool:
    """A sentence ending in a colon or full stop between figures ("... impacts, follow:"), set from the
    table's left edge, ends a table (one in another text column of the page does not)."""
    text = ln.text.strip()
    return (not ln.values and len(text.split()) >= 6 and text.endswith((":", "."))
            and abs(ln.toks[0].x0 - edge) <= 2 * size)


def _is_prose(ln: _Line, x0: float, x1: float = 1e9) -> bool:
    """Running text across the figures' columns (x0..x1) ends a table; a text column beside it does not."""
    return any(t.kind == TXT and t.words >= 6 and t.x1 > x0 and t.x0 < x1 for t in ln.toks)


def _runs(lines: list[_Line]) -> list[list[int]]:
    """Seed lines close together with no running text between them: one table each."""
    runs: list[list[int]] = []
    cur: list[int] = []
    for i, ln in enumerate(lines):
        if not _is_seed(ln):
            continue
        if cur:
            prev = lines[cur[-1]]
            left = min(t.x0 for j in cur for t in lines[j].values)
            right = max(t.x1 for j in cur for t in lines[j].values)
            between = lines[cur[-1] + 1:i]
            edge = min(lines[j].toks[0].x0 for j in cur)  # the table's left edge
            if _apart(prev, ln, between, left) or any(
                    _is_prose(b, left, right) or _is_year_row(b) or _is_lead_in(b, edge, ln.size) for b in between
            ) or any(_is_head_row(b, left, right) for b in between[-2:]):
                runs.append(cur)
                cur = []
        cur.append(i)
    if cur:
        runs.append(cur)
    taken = {i for run in runs for i in range(run[0], run[-1] + 1)}
    runs.extend(_single_column_runs(lines, taken))
    return sorted(runs)


def _apart(prev: _Line, ln: _Line, between: list[_Line], left: float) -> bool:
    """Do two rows of figures stand too far apart for one table? Eight lines of empty space part them;
    label lines left of the figures (a group row, a label wrapped over several lines) fill the space
    and keep the table whole, up to sixteen lines."""
    gap = ln.top - prev.bottom
    if gap <= 8 * ln.size:
        return False
    labels = bool(between) and all(b.toks[-1].x1 < left and b.size <= 1.1 * ln.size for b in between if b.toks)
    if not labels or gap > 16 * ln.size:
        return True
    edges = [prev.bottom] + [y for b in between for y in (b.top, b.bottom)] + [ln.top]
    return max(b - a for a, b in zip(edges[::2], edges[1::2])) > 8 * ln.size


def _single_value(ln: _Line) -> _Tok | None:
    """The figure of a 'label ... figure' line: one figure standing well apart, right of a label."""
    vals = ln.values
    if len(vals) != 1 or vals[0].kind != NUM or _is_year(vals[0]) or not ln.toks or ln.toks[-1] is not vals[0]:
        return None
    before = [t for t in ln.toks if t.x1 <= vals[0].x0]
    if not before or before[0].kind != TXT or vals[0].x0 - before[-1].x1 < 3 * ln.size:
        return None
    return vals[0]


def _single_column_runs(lines: list[_Line], taken: set[int]) -> list[list[int]]:
    """Tables of one figure column ("Renewable energy purchased (PJ) ...... 14"), three rows or more,
    or two under a header; a row's label may wrap onto the line below it.

    Accepted when a header stands over the figures, or when the figures look like measured ones
    (separators, decimals, percent) rather than page numbers of a contents list.
    """
    out: list[list[int]] = []
    cur: list[int] = []

    def close() -> None:
        if len(cur) >= 2:
            figs = [_single_value(lines[i]) for i in cur]
            x0 = min(f.x0 for f in figs if f)
            x1 = max(f.x1 for f in figs if f)
            size = lines[cur[0]].size
            # the header over the figures, perhaps with a wrapped stub line ("level") below it
            headed = any(lines[cur[0]].top - above.bottom <= 2 * size and any(
                t.x0 <= x1 + size and t.x1 >= x0 - size for t in above.toks)
                for above in lines[max(0, cur[0] - 2):cur[0]])
            measured = sum(bool(f and re.search(r"[.,%]", f.text)) for f in figs) >= len(figs) / 2
            if headed or (measured and len(cur) >= 3):
                out.append(list(cur))
        cur.clear()

    last = -1  # the last line of the run: a row or a label wrapped below it
    for i, ln in enumerate(lines):
        fig = _single_value(ln) if i not in taken else None
        if fig is None:
            prev_fig = _single_value(lines[cur[-1]]) if cur else None
            wrap = prev_fig is not None and last == i - 1 and ln.toks and ln.toks[-1].x1 < prev_fig.x0 - ln.size and (
                ln.baseline - lines[last].baseline <= 1.75 * ln.size) and not ln.text[:1].isdigit()
            if wrap:
                last = i
                continue
            close()
            continue
        if cur:
            prev, prev_fig = lines[cur[-1]], _single_value(lines[cur[-1]])
            aligned = prev_fig is not None and (abs(prev_fig.x1 - fig.x1) <= ln.size or abs(
                prev_fig.x0 - fig.x0) <= ln.size)
            if last != i - 1 or not aligned or ln.baseline - prev.baseline > 4.5 * ln.size:
                close()
        cur.append(i)
        last = i
    close()
    return out


def _split_x(lines: list[_Line], y0: float, y1: float) -> float | None:
    """Where two tables stand side by side: a gap through every line, figures left of it, labels right.

    Only the words next to the gap count: the first words right of it must be labels (with figures
    further right on their line), the last words left of it figures. A gap between a label and
    its figures, or between two columns of figures, fails one of the two.
    """
    sel = [ln for ln in lines if ln.bottom > y0 and ln.top < y1]
    spans = sorted((t.x0, t.x1) for ln in sel for t in ln.toks)
    if not spans:
        return None
    size = statistics.median(ln.size for ln in sel)
    gaps: list[tuple[float, float]] = []
    end = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - end >= 0.8 * size:
            gaps.append((end, x0))
        end = max(end, x1)
    best, best_score = None, 0
    for gl, gr in gaps:
        left_fig = left_prose = right_label = right_prose = right_other = 0
        for ln in sel:
            left = [t for t in ln.toks if gl - 4 * size <= t.x1 <= gl + 0.5]
            right = [t for t in ln.toks if gr - 0.5 <= t.x0 <= gr + 4 * size]
            left_fig += bool(left) and left[-1].kind != TXT
            # a column of running text ends flush at the gap: the table beside it is read alone
            left_prose += bool(left) and left[-1].kind == TXT and left[-1].words >= 5 and left[-1].x1 >= gl - size
            if right:
                rest = [t for t in ln.toks if t.x0 > right[0].x1]
                if right[0].kind == TXT and any(t.kind == NUM for t in rest):
                    right_label += 1
                elif right[0].kind == TXT and right[0].words >= 5 and right[0].x0 <= gr + size:
                    right_prose += 1
                elif right[0].kind != TXT:
                    right_other += 1
        tables_both = left_fig >= 2 and right_label >= 2 and right_label >= 1.5 * right_other
        prose_left = left_prose >= 3 and right_label >= 2 and right_label >= 1.5 * right_other
        prose_right = left_fig >= 2 and right_prose >= 3 and right_label == 0
        score = left_fig + left_prose + right_label + right_prose
        if (tables_both or prose_left or prose_right) and score > best_score:
            best, best_score = (gl + gr) / 2, score
    return best


# --- one table --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Col:
    x0: float
    x1: float
    lines: set[int] = field(default_factory=set)


def _columns(lines: list[_Line], rows: list[int], need: int) -> list[_Col]:
    """Columns from where the figures overlap across rows, whatever their alignment."""
    spans = sorted((t.x0, t.x1, i) for i in rows for t in lines[i].values)
    cols: list[_Col] = []
    for x0, x1, i in spans:
        if cols and x0 <= cols[-1].x1:
            cols[-1].x1 = max(cols[-1].x1, x1)
            cols[-1].lines.add(i)
        else:
            cols.append(_Col(x0, x1, {i}))
    return [c for c in cols if len(c.lines) >= need]


def _col_of(t: _Tok, cols: list[_Col], size: float) -> int | None:
    """The column a token stands in: the one it overlaps most, else the nearest within a cell's width."""
    best, best_overlap = None, 0.0
    for k, c in enumerate(cols):
        overlap = min(t.x1, c.x1 + 0.5 * size) - max(t.x0, c.x0 - 0.5 * size)
        if overlap > best_overlap:
            best, best_overlap = k, overlap
    if best is not None:
        return best
    k = min(range(len(cols)), key=lambda k: abs((cols[k].x0 + cols[k].x1) / 2 - t.xc))
    width = cols[k].x1 - cols[k].x0
    return k if abs((cols[k].x0 + cols[k].x1) / 2 - t.xc) <= width + 3 * size else None


def _unit_in(text: str) -> str:
    """The unit a header, label or caption states: '(t CO2e)', 'in TJ', 'EUR million', '%'."""
    text = text.strip()
    if not text:
        return ""
    if _is_unit(text):
        return _FIRST_WORDS_IN.sub("", text.strip("() ")).strip()
    for m in reversed(list(re.finditer(r"\(([^()]{1,40})\)", text))):
        inner = _FIRST_WORDS_IN.sub("", m.group(1).strip())
        if _is_unit(inner):
            return inner
    m = re.search(r"\b(?:in|In)\s+([^()]{1,30})$", text)
    if m and _is_unit(m.group(1)):
        return m.group(1).strip()
    return ""


_EXCEPT = re.compile(r",?\s*except\s+(?:for\s+)?([^()]+)", re.I)
_GENERIC_NOUN = re.compile(r"\s+(?:data|amounts?|information|figures|items)$", re.I)


def _unit_excepting(text: str) -> tuple[str, tuple[str, ...]]:
    """The unit a caption states for a whole table, and the rows it excepts: "(in millions, except per
    share data)" gives "millions" and ("per share",); "except share and per share amounts" gives
    ("share", "per share"). Excepted rows (the per-share figures) are not in the table's unit."""
    m = _EXCEPT.search(text)
    if not m:
        return _unit_in(text), ()
    parts = re.split(r",|\band\b", m.group(1))
    named = (_GENERIC_NOUN.sub("", part.strip()).strip().lower().replace("-", " ") for part in parts)
    excepted = tuple(p for p in named if p)
    return _unit_in(text[:m.start()] + text[m.end():]), excepted


def _stub_unit(lines: list[str]) -> tuple[str, tuple[str, ...]]:
    """The unit the stub states, with the rows it excepts: of its lines together ("(in millions, except
    per share data)"), else of its longest run of last lines that is a unit ("Tonnes CO2 / equivalents"
    under the table's title, Commerzbank p. 27)."""
    for k in range(len(lines)):
        unit, excepted = _unit_excepting(" ".join(lines[k:]))
        if unit:
            return unit, excepted
    return "", ()


def _is_excepted(path: tuple[str, ...], excepted: tuple[str, ...]) -> bool:
    """Does a row path name one of the rows a caption's unit excepts ("per share": "Earnings per common
    share", not "Net income attributable to shareholders")?"""
    text = " ".join(" ".join(path).lower().replace("-", " ").split())
    return any(all(re.search(rf"\b{re.escape(w)}(?:s|es)?\b", text) for w in e.split()) for e in excepted)


def _is_unit(text: str) -> bool:
    body = _FIRST_WORDS_IN.sub("", text.strip()).strip("() ").replace("‘", "'").replace("’", "'")
    body = re.sub(r"^([$€£¥])\s?'?000$", r"\1 '000", body)  # "€'000", "$000"
    body = re.sub(r"(?i)\bco\s+([2₂])", r"CO\1", body)  # a subscript read as a word of its own: "CO 2"
    words = [w for w in re.split(r"[\s/]+", body.lower()) if w]
    if not words or len(words) > 5 or all(w in ("of", "and", "in", "per", "/", "-", "e", "eq") for w in words):
        return False
    return all(w.strip(".,:;") in _UNIT_WORDS or re.fullmatch(r"[kmgtp]?(?:t|wh|j)(?:co2e?|co₂e?)?", w)
               for w in words)


@dataclass(slots=True)
class _Frag:
    """A row label's piece on one line, and the unit-column text beside it."""

    line: int
    text: str
    x0: float
    top: float
    bottom: float
    baseline: float
    size: float
    aux: str
    is_row: bool
    bold: bool = False  # a bold label outranks plain ones at the same indent


def _table(lines: list[_Line], run: list[int], page: int, above: float) -> Table | None:
    strong = _columns(lines, run, 2 if len(run) > 2 else 1)
    if not strong:
        return None
    size = statistics.median(lines[i].size for i in run)
    if len(strong) > 1 and _is_label_column(lines, run, strong[0], size):
        for i in range(run[0], run[-1] + 1):
            for t in lines[i].toks:
                if t.kind == NUM and t.x0 < strong[0].x1 and strong[0].x0 < t.x1:
                    t.kind = TXT  # an identifier that is part of the row's label, not a figure
        strong = strong[1:]
    zone = strong[0].x0 - size  # figures start here; row labels stand left of it
    first, last = run[0], run[-1]
    pitch = statistics.median([lines[b].baseline - lines[a].baseline for a, b in zip(run, run[1:])] or [3 * size])
    # rows after the last seed: a single figure ("2018 baseline ... 34.5"), or a label wrapped below its figures
    while last + 1 < len(lines):
        nxt = lines[last + 1]
        if nxt.top - lines[last].bottom > max(pitch, 2 * size) * 1.6 or _is_prose(nxt, zone):
            break
        if any(t.x0 >= zone for t in nxt.values):
            last += 1
        elif nxt.baseline - lines[last].baseline <= 1.75 * nxt.size:
            last += 1  # a label or a cell's note wrapped below the last row
        else:
            break
    # columns only a few rows fill (the base year in one row) join the strong ones
    value_lines = [i for i in range(first, last + 1) if any(t.x0 >= zone for t in lines[i].values)]
    extra = [c for c in _columns(lines, value_lines, 1) if c.x0 > strong[0].x0 and not any(
        c.x0 <= s.x1 and s.x0 <= c.x1 for s in strong)]
    cols = sorted(strong + extra, key=lambda c: c.x0)
    _take_signs(lines, range(first, last + 1), cols, size)
    header, head_top, caption = _header(lines, first, cols, size, above)
    body_start = (max(header) + 1) if header else first
    # label lines just above the first figures (a wrapped first label) belong to the body
    while body_start > 0 and body_start - 1 not in header and lines[body_start - 1].bottom > head_top and (
            lines[body_start].top - lines[body_start - 1].bottom <= 1.2 * size) and not any(
            t.x1 > zone for t in lines[body_start - 1].toks) and lines[body_start - 1].baseline > above:
        body_start -= 1
    return _assemble(lines, list(range(body_start, last + 1)), header, cols, size, pitch, caption, page)


def _is_label_column(lines: list[_Line], run: list[int], col: _Col, size: float) -> bool:
    """Is the first figure column part of the row labels ("Plant ID:" wrapped onto "0400191")?

    Figures stand right of their labels; numbers that nothing stands left of, set flush left with
    label text of the same column ("Total", a wrapped "Plant ID:"), are identifiers in the labels.
    """
    rows = range(run[0], run[-1] + 1)
    toks = [t for i in rows for t in lines[i].toks]
    if any(t.x1 < col.x0 - 0.5 * size for t in toks):
        return False  # a label column stands left of it: it holds figures
    figures = [t for t in toks if t.kind == NUM and t.x0 < col.x1 and col.x0 < t.x1]
    labels = [t for t in toks if t.kind == TXT and abs(t.x0 - col.x0) <= 0.5 * size]
    # identifiers are bare digit strings: a share ("100%") or an amount in that place stays a figure
    return len(labels) >= 2 and bool(figures) and all(
        abs(t.x0 - col.x0) <= 0.5 * size and t.text.isdigit() for t in figures)


def _take_signs(lines: list[_Line], rows: range, cols: list[_Col], size: float) -> None:
    """A currency sign set apart before a column's figures ("$     249") is part of the column: its
    header is centred over sign and figure together."""
    for i in rows:
        toks = lines[i].toks
        for a, b in zip(toks, toks[1:]):
            if a.kind == TXT and a.text in _CURRENCY_SIGNS and b.kind == NUM and b.x0 - a.x1 <= 8 * size:
                k = next((k for k, c in enumerate(cols) if b.x0 < c.x1 and c.x0 < b.x1), None)
                if k is not None and (k == 0 or a.x0 > cols[k - 1].x1):
                    cols[k].x0 = min(cols[k].x0, a.x0)


def _header(lines: list[_Line], first: int, cols: list[_Col], size: float,
            above: float) -> tuple[list[int], float, str]:
    """Header lines just above the figures: those with words over the columns, with the stub beside them.

    Returns the header lines, the header's top and the caption (the line or two above it).
    """
    col_x0 = cols[0].x0 - 2 * size  # a header centred over a sign and figure starts left of it
    found: list[int] = []
    stubs: list[int] = []  # label-zone lines met since the last header line
    top = lines[first].top
    i = first - 1
    while i >= 0 and len(stubs) < 4:
        ln = lines[i]
        if ln.bottom <= above or top - ln.bottom > 3.2 * size:
            break
        over = [t for t in ln.toks if t.x1 > col_x0]
        if any(t.kind == NUM and not _is_year(t) for t in over) and len(ln.values) >= 2:
            break  # another table's row
        if any(t.kind == TXT and t.words >= 7 and t.x1 > col_x0 for t in ln.toks):
            break  # a title or running text over the columns
        if over:
            if ln.size > 1.25 * size and not any(_col_of(t, cols, size) is not None for t in over):
                break
            if found:
                found.extend(stubs)  # stub lines between header lines (a wrapped stub) belong to it
            stubs = []
            found.append(i)
        else:
            stubs.append(i)
        top = ln.top
        i -= 1
    header = sorted(found)
    if header:
        # stub lines level with the top header line ("ENERGY / CONSUMPTION" beside a group header)
        head = lines[header[0]]
        header = sorted(header + [j for j in stubs if lines[j].bottom > head.top])
    head_top = lines[header[0]].top if header else lines[first].top
    # the caption: the nearest lines above the header, when close enough and not running text
    caption_lines: list[str] = []
    j = (header[0] if header else first) - 1
    top = head_top
    while j >= 0 and len(caption_lines) < 3:
        ln = lines[j]
        room = 2.0 * max(size, ln.size) if not caption_lines else 0.8 * ln.size
        if ln.bottom <= above or top - ln.bottom > room or len(ln.values) >= 2:
            break
        if any(t.kind == TXT and t.words >= _SENTENCE_WORDS for t in ln.toks) or ln.size < 0.9 * size:
            break
        if ln.text.endswith(".") and len(ln.text.split()) >= 5:
            break  # the end of a sentence, not a title
        caption_lines.insert(0, ln.text)
        top = ln.top
        j -= 1
    return header, head_top, join_lines(caption_lines)


def _col_headers(lines: list[_Line], header: list[int], cols: list[_Col],
                 size: float) -> tuple[list[list[str]], list[str]]:
    """Each column's header path and the stub (the header text left of the first column, line by line).

    A phrase that stands over one column belongs to it; lines of such phrases join top-down into one
    element ("2023" "Merck" "Group" -> "2023 Merck Group"). A phrase over several columns, or in the gap
    between two ("2022" centred over "Shares" and "Amount"), is a group header: its own element on
    every column between the midpoints to its neighbours on the line, or on a line beside it (group
    headers of different heights are centred on different baselines). One phrase centred over a row of
    years heads them all ("Year ended / December 31," over 2018 2017 2016). A column reaches as wide as
    its own header phrase on the bottom line ("Other" over "Unallocated", both wider than the figures).
    """
    col_x0 = cols[0].x0 - 2 * size  # a header centred over a sign and figure starts left of it
    entries: list[list[list]] = [[] for _ in cols]  # per column: [baseline, text, spanning]
    spans: list[tuple[float, float, tuple[float, float], list[list]]] = []  # group headers: extent, columns, entries
    stub: list[str] = []
    over_of = {i: [t for t in lines[i].toks if t.x1 > col_x0 and t.xc > cols[0].x0 - 2 * size] for i in header}
    over_lines = [i for i in header if over_of[i]]
    # under the column headers, one phrase centred over three columns or more, in brackets or reaching
    # over two of them, is said of the whole table ("(in thousands, except per share data)", "(unaudited)"):
    # the caption's, not a column's ("Other / countries", "Of which Use of / Proceeds" stay their column's)
    centre = (cols[0].x0 + cols[-1].x1) / 2
    headed = max((i for i in over_lines if len(over_of[i]) >= 2), default=len(lines))  # the column headers' line
    wide_cols = _widened(cols, over_of.get(headed, []))

    def is_note(t: _Tok) -> bool:
        reach = sum(min(t.x1, c.x1) > max(t.x0, c.x0) for c in wide_cols)
        return abs(t.xc - centre) <= 2 * size and (t.text.startswith("(") and t.text.endswith(")") or reach >= 2)

    notes = {i for i in over_lines if i > headed and len(cols) >= 3 and len(over_of[i]) == 1 and is_note(over_of[i][0])}
    over_lines = [i for i in over_lines if i not in notes]
    bottom = over_lines[-1] if over_lines else -1
    wide = _widened(cols, over_of.get(bottom, []))
    # a row of years under one phrase centred over them all ("Year ended / December 31," over 2018 2017 2016)
    years_below = len(over_of.get(bottom, [])) >= 2 and all(_is_year(t) for t in over_of[bottom])
    middle = (min(t.x0 for t in over_of[bottom]) + max(t.x1 for t in over_of[bottom])) / 2 if years_below else 0.0

    def span(t: _Tok, members: list[int], baseline: float) -> None:
        refs = [[baseline, t.text, True] for _ in members]
        for k, ref in zip(members, refs):
            entries[k].append(ref)
        if members:
            spans.append((t.x0, t.x1, (cols[members[0]].x0, cols[members[-1]].x1), refs))

    for i in header:
        ln = lines[i]
        over = over_of[i]
        if texts := [t.text for t in ln.toks if t not in over or i in notes]:
            stub.append(" ".join(texts))
        if i in notes:
            continue
        if i != bottom and (groups := _even_groups(over, cols, size)):
            for t, members in zip(over, groups):
                span(t, list(members), ln.baseline)
            continue
        for t in over:
            # the second line of a wrapped group header ("Three months ended" / "December 31, 2018"): the
            # only phrase of its line over the group's columns, under the group header's extent
            wrapped = next((refs for x0, x1, (c0, c1), refs in reversed(spans) if i != bottom
                            and x0 - size <= t.xc <= x1 + size and t.x0 >= x0 - 2 * size and t.x1 <= x1 + 2 * size
                            and sum(c0 <= o.xc <= c1 for o in over) == 1), None)
            if wrapped is not None:
                for ref in wrapped:
                    ref[1] = join_lines((ref[1], t.text))
                continue
            hits = [(min(t.x1, c.x1) - max(t.x0, c.x0), k) for k, c in enumerate(wide)]
            hits = [(o, k) for o, k in hits if o > 0]
            if i != bottom and len(over) == 1 and (years_below and (
                    abs(t.xc - middle) <= size or t.x0 <= wide[0].x0 + size and t.x1 < wide[-1].x0)
                    or not years_below and _is_year(t) and abs(t.xc - (wide[0].x0 + wide[-1].x1) / 2) <= 2 * size):
                # one phrase centred over the years, or alone on its line starting over the first of them
                # ("Six Months Ended" / "July 2," "July 3," / "2023" "2022"): it heads them all; so does a
                # year alone on its line centred over a breakdown ("2023" / "Germany" "Other countries"
                # "Total"), not one over the last column ("2023" / "Merck" / "Group": that column's header)
                span(t, list(range(len(cols))), ln.baseline)
                continue
            if i != bottom and not (len(hits) == 1 and _fits(t, wide[hits[0][1]], hits[0][0], size)):
                stack = _stacked(lines, [j for j in over_lines if j > i and j != bottom], over_of, cols, t, ln)
                level = [j for j in over_lines if j != bottom and (
                    abs(lines[j].baseline - ln.baseline) < 1.5 * ln.size  # group headers of other heights
                    or any(abs(lines[j].baseline - b) < 0.5 * ln.size for b in stack[1:]))]  # its own lines
                beside = [o for j in level for o in over_of[j] if o.x1 <= t.x0 or o.x0 >= t.x1]
                lo = max(((o.x1 + t.x0) / 2 for o in beside if o.x1 <= t.x0), default=-1e9)
                hi = min(((t.x1 + o.x0) / 2 for o in beside if o.x0 >= t.x1), default=1e9)
                span(t, [k for k, c in enumerate(cols) if lo <= (c.x0 + c.x1) / 2 <= hi], ln.baseline)
                continue
            k = max(hits)[1] if hits else _col_of(t, cols, size)
            if k is not None:
                entries[k].append([ln.baseline, t.text, False])
    paths: list[list[str]] = []
    for ents in entries:
        path: list[str] = []
        joined = False  # the last element is per-column text that a wrapped line continues
        for _, text, spanning in sorted(ents, key=lambda e: e[0]):
            if not spanning and joined:
                path[-1] = join_lines((path[-1], text))
            else:
                path.append(text)
            joined = not spanning
        paths.append(path)
    return paths, stub


def _stacked(lines: list[_Line], below: list[int], over_of: dict[int, list[_Tok]], cols: list[_Col], t: _Tok,
             ln: _Line) -> list[float]:
    """Baselines of a header phrase and of the lines that go on under it ("Property, Plant and" /
    "Equipment - net" / "as of December 31,"): a group header wrapped over several lines is bounded
    by the phrases beside any of them, not only by those beside its first line."""
    out = [ln.baseline]
    for j in below:
        under = [o for o in over_of[j] if min(o.x1, t.x1) > max(o.x0, t.x0)]
        if lines[j].baseline - out[-1] >= 1.5 * ln.size or len(under) != 1:
            break  # two phrases under it are column headers it stands over, not its own next line
        o = under[0]
        if not (t.x0 - ln.size <= o.x0 and o.x1 <= t.x1 + ln.size) or sum(
                min(o.x1, c.x1) > max(o.x0, c.x0) for c in cols) < 2:
            break  # nor is a phrase over one column ("% of" / "Total"): that column's own header
        out.append(lines[j].baseline)
    return out


def _widened(cols: list[_Col], bottom: list[_Tok]) -> list[_Col]:
    """Each column as wide as its figures and the bottom header phrase standing over it alone."""
    wide = [_Col(c.x0, c.x1) for c in cols]
    for t in bottom:
        under = [c for c in wide if min(t.x1, c.x1) > max(t.x0, c.x0)]
        if len(under) == 1:
            under[0].x0, under[0].x1 = min(under[0].x0, t.x0), max(under[0].x1, t.x1)
    return wide


def _even_groups(over: list[_Tok], cols: list[_Col], size: float) -> list[range] | None:
    """Group headers over equal groups of columns ("Assets | Depreciation | Capital Expenditures" over
    three years each; a year right-aligned over each year's Total column): each heads every column of
    its group. Every header must stand within its group, and all at the same place in it (all centred,
    all over the last column): headers that merely sit over some columns do not make groups."""
    n, m = len(cols), len(over)
    if m < 2 or n % m or n // m < 2 or any(hyphenated(t.text) for t in over):
        # a word hyphenated at the line's end goes on in its own column below: not a group header
        return None
    step = n // m
    groups = [range(j * step, (j + 1) * step) for j in range(m)]
    where = []
    for t, g in zip(over, groups):
        x0, x1 = cols[g[0]].x0, cols[g[-1]].x1
        if not x0 - size <= t.xc <= x1 + size:
            return None
        where.append((t.xc - x0) / max(x1 - x0, 1.0))
    return groups if max(where) - min(where) <= 0.3 else None


def _fits(t: _Tok, c: _Col, overlap: float, size: float) -> bool:
    """A header phrase over one column: mostly over it, or aligned with its left or right edge."""
    tol = 0.3 * size
    return overlap >= 0.5 * (t.x1 - t.x0) or abs(t.x1 - c.x1) <= tol or abs(t.x0 - c.x0) <= tol


@dataclass(slots=True)
class _Parent:
    """A row or section heading that rows below it may sit under."""

    x0: float
    text: str
    section: bool
    unit: str
    flat: bool | None = None  # a section's children stand level with it (True) or indented (False)
    bold: bool = False


def _is_total(numbers: dict[int, float | None], history: list[tuple[float, dict[int, float | None]]],
              x0: float, tol: float) -> bool:
    """Do a row's figures add up the rows just above it at indent x0 (two or more), column by column?"""
    run: list[dict[int, float | None]] = []
    for x, nums in reversed(history):
        if abs(x - x0) > tol:
            break
        run.append(nums)
    return len(run) >= 2 and _columns_summed(numbers, run) > 0


def _adds_up_rows_above(numbers: dict[int, float | None], history: list[tuple[float, dict[int, float | None]]]) -> bool:
    """Do a row's figures add up the last rows above it, whatever their indents ("Total assets": the
    noncurrent rows and the indented "Total current assets" above them)? Two columns must agree, or
    three rows or more: one column of two rows agrees by chance too often; and every row of the run
    must hold a figure, or a lone part after a row of "n/a" would pass for its parent's total."""
    for m in range(2, len(history) + 1):
        run = [nums for _, nums in history[-m:]]
        if not any(run[0].get(k) for k, value in numbers.items() if value is not None):
            break  # a row of dashes or "n/a" adds nothing: a part equal to its parent is no total
        checked = _columns_summed(numbers, run)
        if checked >= 2 or (checked == 1 and m >= 3):
            return True
    return False


def _difference_of(numbers: dict[int, float | None], x0: float, size: float, tol: float,
                   rows: list[tuple[dict[int, float | None], bool, float, list[_Parent]]]) -> int | None:
    """The index of the earlier row this row (at indent x0) is the difference of, column by column to
    within the printed rounding, two columns or more: that row less the total just above this one
    ("Gross profit" = "Total net revenue" - "Total cost of revenue"), or the row just before a run of
    one to three level rows less that run, this row indented under the run ("Income before income
    tax" = "Operating income" - interest - other expense). The last part of a breakdown is its total
    less the other parts too ("indirect" = "Total emissions" - "direct"); it is told apart because
    the row taken off is no total and the part stands level with it (or in another text column,
    "Pfizer Ignite | Various", not indented). Only amounts of 10 or more
    count: small figures (per-share amounts, ratios) are differences of earlier rows by chance."""
    values = [v for v in numbers.values() if v is not None]
    if len(rows) < 2 or len(values) < 2 or any(abs(v) < 10 for v in values):
        return None

    def less(minuend: dict[int, float | None], run: list[dict[int, float | None]]) -> bool:
        return all(v is None or minuend.get(k) is not None and _agrees(
            minuend[k] - sum(r.get(k) or 0.0 for r in run), v) for k, v in numbers.items())

    if rows[-1][1]:
        for a in range(len(rows) - 2, -1, -1):
            if less(rows[a][0], [rows[-1][0]]):
                return a
    for m in (1, 2, 3):
        a = len(rows) - 1 - m
        run = rows[a + 1:]
        if a < 0 or any(total or abs(indent - run[0][2]) > tol for _, total, indent, _ in run):
            break
        if run[0][2] + tol < x0 <= run[0][2] + _INDENT_MAX * size and less(rows[a][0], [r[0] for r in run]):
            return a
    return None


def _agrees(computed: float, printed: float) -> bool:
    """Does a sum or difference of printed figures equal a printed figure, to within the rounding of
    the figures it was computed from (half a percent, or one unit)?"""
    return abs(computed - printed) <= max(0.005 * abs(printed), 1.0)


def _columns_summed(numbers: dict[int, float | None], run: list[dict[int, float | None]]) -> int:
    """How many of a row's figures equal the sum of the run's in their column, to within the printed
    rounding; -1 when one does not."""
    checked = 0
    for k, value in numbers.items():
        if value is None:
            continue
        if not _agrees(sum(nums.get(k) or 0.0 for nums in run), value):
            return -1
        checked += 1
    return checked


def _measure_broken_down(stack: list[_Parent], text: str, x0: float, tol: float) -> int | None:
    """The stack index of the row a lower-case label breaks down, if any.

    "by region" under "Lost Time Injury Rate" (Merck p. 205), level with it, lists its regions
    below: they keep the measure in their path. A second breakdown ("by gender" after the regions)
    goes under the same measure. A capitalised label stays a section: under a valued row it is as
    often a new topic ("Operating expenses:" under "Net sales").
    """
    if not text[:1].islower():
        return None
    j = len(stack) - 1
    while j >= 0 and (stack[j].x0 > x0 + tol or (stack[j].section and abs(stack[j].x0 - x0) <= tol)):
        j -= 1  # the items of an earlier breakdown, and that breakdown's label
    if j < 0 or stack[j].section or abs(stack[j].x0 - x0) > tol:
        return None
    return j


def _close(stack: list[_Parent], x0: float, tol: float, bold: bool = False) -> None:
    """Pop the parents a row at indent x0 is not under.

    Deeper rows end; a row level with a row is its sibling. A section (a label with no figures)
    keeps rows level with it when its first child was level ("Energy" over "Electric power"), but
    not when its first child was indented ("Thereof" over indented rows, then "Biogenic" level).
    """
    while stack:
        top = stack[-1]
        if top.x0 > x0 + tol:
            stack.pop()
        elif abs(top.x0 - x0) <= tol:
            if not top.section or top.flat is False or (bold and top.bold):  # a bold row ends a bold section
                stack.pop()
                continue
            top.flat = True
            break
        else:
            if top.section and top.flat is None:
                top.flat = False
            break


def _assemble(lines: list[_Line], body: list[int], header: list[int], cols: list[_Col], size: float,
              pitch: float, caption: str, page: int) -> Table | None:
    col_paths, stub_lines = _col_headers(lines, header, cols, size)
    stub = " ".join(stub_lines)
    table_unit, excepted = _stub_unit(stub_lines)
    if not table_unit:
        table_unit, excepted = _unit_excepting(caption)
    col_units = [_path_unit(p) for p in col_paths]
    label_right = cols[0].x0 - 0.5 * size
    # split every body line into label groups, figures by column, and header words over the columns
    groups: dict[int, list[list[_Tok]]] = {}
    row_vals: dict[int, list[tuple[int, _Tok]]] = {}
    events: list[tuple[float, int, str, object]] = []  # (baseline, priority, kind, payload) in reading order
    for n_line, i in enumerate(body):
        ln = lines[i]
        if any(t.kind == TXT and t.x0 < label_right < t.x1 for t in ln.toks):
            ln.toks = [x for t in ln.toks for x in _split_at(t, label_right, ln.size)]
        label_toks = [t for t in ln.toks if t.x1 <= label_right or (t.kind == TXT and t.xc < cols[0].x0 - size)]
        rest = [t for t in ln.toks if t not in label_toks]
        vals = [(k, t) for t in rest if (k := _col_of(t, cols, size)) is not None]
        figures = [(k, t) for k, t in vals if t.kind != TXT]
        wrapped = n_line > 0 and ln.baseline - lines[body[n_line - 1]].baseline <= 1.75 * ln.size
        if not figures and not wrapped and len(rest) >= 2 and all(t.kind == TXT or _is_year(t) for t in rest) and (
                not label_toks or _is_unit(" ".join(t.text for t in label_toks))):
            # a header inside the table starts a new header context
            new_paths, new_stub = _col_headers(lines, [i], cols, size)
            events.append((ln.baseline, 0, "header", (new_paths, _unit_in(" ".join(new_stub)))))
            continue
        if figures:
            row_vals[i] = vals
        if label_toks:
            split: list[list[_Tok]] = [[label_toks[0]]]
            for a, b in zip(label_toks, label_toks[1:]):
                if b.x0 - a.x1 >= 1.5 * size:
                    split.append([b])
                else:
                    split[-1].append(b)
            groups[i] = split
    frags, outer = _label_columns(lines, groups, row_vals, size)
    # wrapped labels: fragments on tight leading form one block; a block names at most one row
    labelled: set[int] = set()
    for blk in _blocks(frags, size, pitch):
        rows = [f.line for f in blk if f.is_row]
        text = join_lines(f.text for f in blk if f.text)
        aux = " ".join(f.aux for f in blk if f.aux)
        if not rows:
            span_top, span_bottom = blk[0].top - 0.3 * size, blk[-1].bottom + 0.3 * size
            rows = [i for i in row_vals if i not in labelled and not any(f.line == i and f.text for f in frags)
                    and span_top <= lines[i].baseline <= span_bottom]
            rows = rows[:1]
        if rows:
            labelled.add(rows[0])
            events.append((lines[rows[0]].baseline, 2, "row", (rows[0], text, aux, blk[0].x0, blk[0].bold)))
        elif text:
            events.append((blk[0].baseline, 1, "section", (text, blk[0].x0, blk[0].bold)))
    for blk in _blocks(outer, size, pitch):  # a category column: a section over the rows beside and below it
        events.append((blk[0].baseline, 1, "section", (join_lines(f.text for f in blk), blk[0].x0, False)))
    for i in row_vals:
        if i not in labelled:
            events.append((lines[i].baseline, 2, "row", (i, "", "", cols[0].x0, False)))
    events.sort(key=lambda e: (round(e[0], 1), e[1]))
    conventions = _conventions(row_vals, len(cols))
    stack: list[_Parent] = []
    # every row since the header: its numbers by column, whether it is a total, its indent, its parents
    results: list[tuple[dict[int, float | None], bool, float, list[_Parent]]] = []
    since = 0  # the rows since the last section start at results[since]: the ones a total adds up
    marker_unit = ""
    tol = 0.3 * size
    cells: list[Cell] = []
    n_row = 0
    titles = 0  # sections met since the last row
    for _, _, kind, payload in events:
        if kind == "header":
            new_paths, new_unit = payload  # type: ignore[misc]
            col_paths = [p or old for p, old in zip(new_paths, col_paths)]
            col_units = [_path_unit(p) for p in col_paths]
            marker_unit = new_unit or marker_unit
            # a title just above the repeated header ("Jan–Dec 2023") heads the block it starts
            stack[:] = [p for p in stack[len(stack) - titles:]] if titles else []
            results.clear()
            since = 0
        elif kind == "section":
            text, x0, bold = payload  # type: ignore[misc]
            measure = _measure_broken_down(stack, text, x0, tol) if not titles else None
            breakdown = measure is not None
            if breakdown:
                del stack[measure + 1:]
            if _is_unit(text) or (_unit_in(text) and len(text.split()) <= 3):
                marker_unit = _unit_in(text)  # "In TJ": a block marker, not a parent row
                if not breakdown:
                    stack.clear()
                since = len(results)
                if _is_unit(text):
                    continue
                # "by region (%)" names the block as well as its unit: it heads the rows below it
            # a plain section level with a bold one ("Gender" under "Permanent employment contract") is its child
            while not breakdown and stack and stack[-1].x0 >= x0 - tol and not (
                    stack[-1].bold and not bold and abs(stack[-1].x0 - x0) <= tol):
                stack.pop()
            stack.append(_Parent(x0, text, True, _unit_in(text), bold=bold))
            titles += 1
            since = len(results)
        else:
            i, text, aux, x0, bold = payload  # type: ignore[misc]
            titles = 0
            numbers = {k: cell_number(t.text.rstrip("*"), conventions[k]) for k, t in row_vals[i] if t.kind == NUM}
            history = [(indent, nums) for nums, _, indent, _ in results[since:]]
            total = bool(stack) and not stack[-1].section and x0 > stack[-1].x0 + tol and (
                _is_total(numbers, history, stack[-1].x0, tol) or _adds_up_rows_above(numbers, history))
            if total:
                # an indented total under the rows it adds up ("Consolidated", "Total assets"), not a child
                # of the last one
                while stack and not stack[-1].section and stack[-1].x0 >= history[-1][0] - tol:
                    stack.pop()
            elif text and (minuend := _difference_of(numbers, x0, size, tol, results)) is not None:
                # "Gross profit" (revenue less cost of revenue) under the cost rows: it stands where the
                # rows it is taken from both stand, not under the section of the last one (a row whose
                # label is the line above it, a section, keeps it)
                parents = results[minuend][3]
                shared = next((n for n, (a, b) in enumerate(zip(stack, parents)) if a is not b),
                              min(len(stack), len(parents)))
                del stack[shared:]
            _close(stack, x0, tol, bold)
            results.append((numbers, total, x0, list(stack)))
            path = tuple(p.text for p in stack) + ((text,) if text else ())
            row_table_unit = "" if _is_excepted(path, excepted) else table_unit  # "except per share data"
            row_unit = aux or _unit_in(text)
            section_unit = next((p.unit for p in reversed(stack) if p.unit), "")
            for k, t in row_vals[i]:
                if t.kind == TXT and _SYMBOL.fullmatch(t.text):
                    continue  # a lone "$" before the figure's column
                value = t.text.rstrip("*") if t.kind != TXT else t.text
                marks = t.marks + (("*",) if value != t.text else ())
                unit = t.unit or row_unit or ("%" if value.endswith("%") else "") or col_units[k] or (
                    section_unit or marker_unit or row_table_unit)
                number = cell_number(value, conventions[k]) if t.kind == NUM else None
                cells.append(Cell(value, number, path + ((t.label,) if t.label else ()), tuple(col_paths[k]), unit,
                                  (t.x0, t.top, t.x1, t.bottom), page, marks, n_row))
            n_row += 1
            if text:
                stack.append(_Parent(x0, text, False, ""))
    if not cells:
        return None
    used = [lines[i] for i in header + body]
    box: Box = (min(ln.words[0].x0 for ln in used), min(ln.top for ln in used),
                max(ln.words[-1].x1 for ln in used), max(ln.bottom for ln in used))
    if stub and stub not in caption:
        caption = f"{caption} – {stub}" if caption else stub
    return Table(page, box, _printed(caption), tuple(_printed_cell(c) for c in cells))


def _printed(text: str) -> str:
    """A line-end hyphen no join mended (the last word of a label) is printed as a hyphen."""
    return text.replace(SOFT_HYPHEN, "-")


def _printed_cell(c: Cell) -> Cell:
    texts = (c.value, *c.row_path, *c.col_path)
    if not any(SOFT_HYPHEN in t for t in texts):
        return c
    return replace(c, value=_printed(c.value), row_path=tuple(map(_printed, c.row_path)),
                   col_path=tuple(map(_printed, c.col_path)))


def _path_unit(path: list[str]) -> str:
    return next((u for u in map(_unit_in, reversed(path)) if u), "")


def _label_columns(lines: list[_Line], groups: dict[int, list[list[_Tok]]], row_vals: dict[int, list],
                   size: float) -> tuple[list[_Frag], list[_Frag]]:
    """Sort the text left of the figures into row labels, a unit column and a category column.

    Groups of words far apart on a line stand in different text columns. Columns are found by
    where groups start; a column of units or one- or two-word entries ("GWh", "Employees") next to
    the label is the row's unit, and a column whose entries have other text right of them on their
    line ("Distribution Impact" | "Scope 1 & 2 emissions") is a category over those rows.
    """
    flat = sorted((g[0].x0, i, n) for i, gs in groups.items() for n, g in enumerate(gs))
    cluster_of: dict[tuple[int, int], int] = {}
    k, last = -1, -1e9
    for x0, i, n in flat:
        if x0 - last > 1.5 * size:
            k += 1
        cluster_of[(i, n)] = k
        last = x0
    n_clusters = k + 1
    unitish = [0] * n_clusters
    before_text = [0] * n_clusters
    count = [0] * n_clusters
    for i, gs in groups.items():
        texts = [" ".join(t.text for t in g) for g in gs]
        for n, text in enumerate(texts):
            c = cluster_of[(i, n)]
            count[c] += 1
            unitish[c] += _is_unit(text) or len(text.split()) <= 2
            before_text[c] += any(not _is_unit(t) for t in texts[n + 1:])
    role = []
    for c in range(n_clusters):
        if c > 0 and unitish[c] >= 0.6 * count[c]:
            role.append("unit")
        elif before_text[c] >= 0.5 * count[c] and c < n_clusters - 1:
            role.append("outer")
        else:
            role.append("label")
    frags: list[_Frag] = []
    outer: list[_Frag] = []
    for i, gs in groups.items():
        ln = lines[i]
        label: list[_Tok] = []
        aux: list[str] = []
        for n, g in enumerate(gs):
            r = role[cluster_of[(i, n)]]
            if len(gs) == 1 and r == "unit":
                r = "label"  # a lone short label ("Total") is still the row's label
            text = " ".join(t.text for t in g)
            if r == "outer" and len(gs) > 1 or r == "outer" and i not in row_vals:
                outer.append(_Frag(i, text, g[0].x0, ln.top, ln.bottom, ln.baseline, ln.size, "", False))
            elif r == "unit" and label:
                aux.append(_unit_in(text) or text)
            else:
                label.extend(g)
        if label or aux or i in row_vals:
            text = " ".join(t.text for t in label)
            x0 = label[0].x0 if label else gs[0][0].x0
            words = [w for t in label for w in t.parts]  # a figure token has no parts: not bold by default
            bold = bool(words) and all(w.bold for w in words)
            frags.append(_Frag(i, text, x0, ln.top, ln.bottom, ln.baseline, ln.size, " ".join(aux), i in row_vals,
                               bold))
    frags.sort(key=lambda f: f.baseline)
    outer.sort(key=lambda f: f.baseline)
    return frags, outer


def _blocks(frags: list[_Frag], size: float, pitch: float) -> list[list[_Frag]]:
    """Fragments on tight leading form one block (a wrapped label); a block holds at most one row.

    A label line between two rows on tight leading goes with the row above, unless the table sets its
    figures on a label's last line (its first label wraps above its figures, flush with it): then a
    line flush with the next row that does not read as a continuation (it starts in lower case) opens
    the next row's label. A line standing left of the rows is a heading over them, not a wrap.
    """
    def tight(a: _Frag, b: _Frag) -> bool:
        return b.baseline - a.baseline <= min(1.75 * b.size, 0.8 * pitch)

    def flush(a: _Frag, b: _Frag) -> bool:
        return abs(a.x0 - b.x0) <= 0.5 * size

    def opens_next(f: _Frag, nxt: _Frag | None) -> bool:
        """A figureless line tight above the next row: that row's first line, when the table
        sets figures on a label's last line."""
        return not f.is_row and nxt is not None and nxt.is_row and tight(f, nxt)

    def rest_of_label(a: _Frag, b: _Frag, nxt: _Frag | None) -> bool:
        """A figureless line one row pitch under a row's label, flush with it, that reads as the rest
        of that label (Palfinger p. 3: "(Scope 1)", "energy sources (Scope 2)" on the table's own
        row pitch): it opens with a bracket, or in lower case with no deeper rows below it (a
        breakdown heading such as "by region" has its items indented under it)."""
        if b.is_row or b.bold or not flush(a, b) or b.baseline - a.baseline > 1.2 * pitch:
            return False
        if opens_next(b, nxt):
            return False  # Merck p. 198: upward wraps below a single-line first row
        if b.text[:1] in "([":
            return True
        return b.text[:1].islower() and (nxt is None or nxt.x0 <= b.x0 + 0.5 * size)

    def nearer_next(a: _Frag, f: _Frag, nxt: _Frag | None) -> bool:
        """A line set clearly nearer the row below than the row above (a label's own leading is
        tighter than the space between rows) is that row's first line, whatever the rows above do."""
        return nxt is not None and (f.baseline - a.baseline) - (nxt.baseline - f.baseline) > 0.2 * size

    upward = len(frags) >= 2 and opens_next(frags[0], frags[1]) and flush(frags[0], frags[1])
    blocks: list[list[_Frag]] = []
    for n, f in enumerate(frags):
        nxt = frags[n + 1] if n + 1 < len(frags) else None
        if blocks:
            has_row = any(g.is_row for g in blocks[-1])
            if tight(blocks[-1][-1], f) and not (f.is_row and has_row):
                leads = has_row and opens_next(f, nxt) and flush(f, nxt) and not f.text[:1].islower() and (
                    upward or nearer_next(blocks[-1][-1], f, nxt) or hyphenated(f.text))
                if not leads:
                    blocks[-1].append(f)
                    continue
            elif has_row and not upward and rest_of_label(blocks[-1][-1], f, nxt):
                blocks[-1].append(f)
                continue
        blocks.append([f])
    return blocks


def _conventions(row_vals: dict[int, list[tuple[int, _Tok]]], n: int) -> list[bool | None]:
    """Each column's decimal convention, from its own cells first, else from the whole table's."""
    per_col: list[list[str]] = [[] for _ in range(n)]
    for vals in row_vals.values():
        for k, t in vals:
            if t.kind == NUM:
                per_col[k].append(t.text)
    whole = decimal_comma_convention([x for col in per_col for x in col])
    out: list[bool | None] = []
    for texts in per_col:
        conv = decimal_comma_convention(texts)
        out.append(conv if conv is not None else whole)
    return out


# ---- tables continued on the next page ------------------------------------------------------
def join_pages(tables: list[Table]) -> list[Table]:
    """Join a table that runs over a page break: the first table of a page continues the last one
    of the page before when it has no title and no header of its own and its columns stand where
    the earlier table's do. Its cells then carry the earlier table's column headers, units and
    caption; each cell keeps its own page."""
    out: list[Table] = []
    for table in tables:
        prev = out[-1] if out else None
        first_on_page = prev is not None and all(t.page != table.page for t in out)
        joined = _continue(prev, table) if prev is not None and first_on_page else None
        if joined is not None:
            out[-1] = joined
        else:
            out.append(table)
    return out


def _continue(a: Table, b: Table, same_page: bool = False) -> Table | None:
    """`a` extended by `b`, or None when `b` is not `a`'s continuation (on the next page, or lower on
    the same one)."""
    page = max(c.page for c in a.cells) if a.cells else a.page
    if "tiles" in (a.kind, b.kind):
        return None  # key figures stand on their own
    if b.page != page + (0 if same_page else 1) or b.caption not in ("", a.caption):
        return None  # not on the next page, or a title of its own
    if same_page and (not any(c.col_path for c in a.cells) or _mostly_sentences(b)):
        return None  # nothing to continue (neither has column headers), or running text beside stray figures
    cols_a, cols_b = _column_centres(a.cells), _column_centres(b.cells)
    if not cols_a or len(cols_b) != len(cols_a):
        return None
    spacing = min((y - x for x, y in zip(cols_a, cols_a[1:])), default=40.0)
    tol = max(4.0, 0.4 * spacing)
    if any(abs(x - y) > tol for x, y in zip(cols_a, cols_b)):
        return None
    if any(c.col_path for c in b.cells):
        return None  # a header of its own, repeated or not: its cells are named already
    head_a = [_column_key(a.cells, x, tol) for x in cols_a]
    units = [_column_unit(a.cells, x, tol) for x in cols_a]
    last_row = max(c.row for c in a.cells) + 1
    cells = list(a.cells)
    held = {_same_cell(c) for c in a.cells} if same_page else set()
    for c in b.cells:
        if _same_cell(c) in held:
            continue  # read by both
        k = min(range(len(cols_b)), key=lambda i: abs((c.box[0] + c.box[2]) / 2 - cols_b[i]))
        cells.append(Cell(value=c.value, number=c.number, row_path=c.row_path, col_path=head_a[k],
                          unit=c.unit or units[k], box=c.box, page=c.page, marks=c.marks, row=last_row + c.row))
    box = a.box if not same_page else (min(a.box[0], b.box[0]), min(a.box[1], b.box[1]),
                                        max(a.box[2], b.box[2]), max(a.box[3], b.box[3]))
    return Table(page=a.page, box=box, caption=a.caption or b.caption, cells=tuple(cells))


def _column_centres(cells: tuple[Cell, ...]) -> list[float]:
    """Centres of the table's columns, left to right: cell centres clustered where they sit apart."""
    xs = sorted((c.box[0] + c.box[2]) / 2 for c in cells)
    if not xs:
        return []
    groups: list[list[float]] = [[xs[0]]]
    for x in xs[1:]:
        if x - groups[-1][-1] > 12.0:
            groups.append([x])
        else:
            groups[-1].append(x)
    return [statistics.median(g) for g in groups]


def _column_key(cells: tuple[Cell, ...], x: float, tol: float) -> tuple[str, ...]:
    """The column header path most cells near `x` carry (() when they carry none)."""
    paths = [c.col_path for c in cells if abs((c.box[0] + c.box[2]) / 2 - x) <= tol]
    return max(set(paths), key=paths.count) if paths else ()


def _column_unit(cells: tuple[Cell, ...], x: float, tol: float) -> str:
    units = [c.unit for c in cells if abs((c.box[0] + c.box[2]) / 2 - x) <= tol]
    return max(set(units), key=units.count) if units else ""

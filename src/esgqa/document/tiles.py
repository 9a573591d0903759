"""Key figures set as tiles: a large figure with a short label just under, over or beside it.

Highlights pages, survey results and donut charts print a figure in large type with a few words in
small type under, over or beside it ("52%" / "All Employees", "Belonging score" / "81", "12,728
Employees", "$6.8 Billion" / "Total Assets"). No columns line
up, so the grid reader (`esgqa.document.tables`) either misses them or reads the page's running
text beside them as their row labels. Here each tile is one row of a table of its own, labelled by
its own words, and its words are taken out of what the grid reader sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from esgqa.document.blocks import body_size
from esgqa.document.model import Box, Cell, Table, Word, union
from esgqa.figures import YEAR, cell_number, parse_figure

# a figure as a tile prints it: "52%", ">300", "€1.2", "8.2"; never a word with letters
_FIGURE = re.compile(r"[<>~≈]?[+\-−–]?[$€£]?\d(?:[\d.,]*\d)?[%‰]?")  # "7." numbers a note: no figure
# what may follow a tile's figure in its own type: a scale, then a unit of at most four characters
_TAIL = re.compile(r"(?:\s?(?:thousand|million|billion|bn|mn))?(?:\s?[A-Za-z][A-Za-z0-9²³]{0,3})?", re.I)
_WORD = re.compile(r"[A-Za-z]{3,}")
_PREFIX = re.compile(r"[<>~≈+\-−–]|[$€£]|[A-Z]{3}|US\$|C\$")  # a sign or currency printed before a figure
SIZE_RATIO = 1.3  # the figure's type at least this much larger than its label's: a tile, not a table row
BODY_RATIO = 1.5  # and than the page's running text: a statement's figures are set a little above its headers
GAP = 0.8  # label within this many figure heights of the figure
MAX_LINES = 4  # a label of more lines is running text, and the figure is no tile
MAX_WORDS = 20
CAP_HEIGHT = 0.7  # of the type size: the height of capitals and figures above the baseline
CAPTION_GAP = 3.0  # a heading at most this many label sizes over its tile
LEADING = 1.8  # baselines of one label's lines at most this many type sizes apart


@dataclass
class _Seg:
    """Words on one baseline in one type size, no wider apart than a space: a figure or a label line."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    baseline: float
    words: list[Word]

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2


def _segments(words: list[Word]) -> list[_Seg]:
    out: list[_Seg] = []
    for w in sorted(words, key=lambda w: (round(w.baseline), w.x0)):
        s = out[-1] if out else None
        same_line = s is not None and abs(s.baseline - w.baseline) < 0.25 * max(w.size, s.size)
        near = same_line and -0.1 * w.size <= w.x0 - s.x1 < 0.6 * max(w.size, s.size)
        # a percent sign set smaller than its figure still belongs to it
        if near and (abs(s.size - w.size) < 0.15 * w.size or w.text in ("%", "‰")):
            s.text += w.text if w.text in ("%", "‰") else f" {w.text}"
            s.x1, s.top, s.bottom = max(s.x1, w.x1), min(s.top, w.top), max(s.bottom, w.bottom)
            s.words.append(w)
            continue
        out.append(_Seg(w.text, w.x0, w.x1, w.top, w.bottom, w.size, w.baseline, [w]))
    return _powers(out)


def _powers(segs: list[_Seg]) -> list[_Seg]:
    """A small raised "2" or "3" right after "ft" or "m" is the unit's power ("ft2", as the table reader writes it)."""
    out = []
    for p in segs:
        base = next((s for s in segs if re.search(r"(?:ft|m)$", s.text) and 0 <= p.x0 - s.x1 < 0.3 * s.size
                     and s.baseline - p.baseline > 0.2 * s.size), None) if p.text in ("2", "3") else None
        if base is None:
            out.append(p)
        else:
            base.text, base.x1 = base.text + p.text, max(base.x1, p.x1)
            base.words += p.words
    return out


def _numbering(figures: list[_Seg]) -> list[_Seg]:
    """Figures 1, 2, 3 ... on one page number a list or a scale's steps: they are no key figures."""
    steps = {s.text.strip(): s for s in figures if s.text.strip().isdigit() and len(s.text.strip()) <= 2}
    run = 0
    while str(run + 1) in steps:
        run += 1
    return [steps[str(k)] for k in range(1, run + 1)] if run >= 3 else []


def _box_of(segs: list[_Seg]) -> Box:
    return union((s.x0, s.top, s.x1, s.bottom) for s in segs) or (0.0, 0.0, 0.0, 0.0)


def _is_figure(s: _Seg) -> bool:
    """A figure alone in its segment, with at most its scale and a short unit ("$6.8 Billion", "1.3 million
    ft2"); not a chapter number ("02") or a year (a cover's, a column head's)."""
    text = s.text.strip()
    number = _FIGURE.match(text)
    return (number is not None and bool(_TAIL.fullmatch(text[number.end():])) and not re.fullmatch(r"0\d", text)
            and not YEAR.fullmatch(text))


def _is_label(s: _Seg) -> bool:
    return bool(_WORD.search(s.text)) and not _is_figure(s)


def _aligned(a: _Seg, b: _Seg) -> bool:
    """Left edges or centres together: lines of one label."""
    tol = 0.8 * max(a.size, b.size)
    return abs(a.x0 - b.x0) < tol or abs(a.xc - b.xc) < tol


def _label_block(first: _Seg, labels: list[_Seg], downward: bool) -> list[_Seg] | None:
    """The label's lines, starting at the one next to the figure and going away from it; None when
    they run on like a paragraph."""
    block = [first]
    others = sorted((s for s in labels if s is not first), key=lambda s: s.baseline if downward else -s.baseline)
    for s in others:
        last = block[-1]
        pitch = s.baseline - last.baseline if downward else last.baseline - s.baseline
        if not 0 < pitch <= LEADING * last.size:
            continue
        if abs(s.size - last.size) < 0.12 * last.size and _aligned(s, first):
            block.append(s)
            if len(block) > MAX_LINES:
                return None
    words = sum(len(s.text.split()) for s in block)
    ends_sentence = max(block, key=lambda s: s.top).text.rstrip().endswith(".")  # a paragraph's last lines
    return block if words <= MAX_WORDS and not ends_sentence else None


def _cap_top(s: _Seg) -> float:
    """Where a line's capitals and figures start: its baseline less a cap height."""
    return s.baseline - CAP_HEIGHT * s.size


def _same_line(a: _Seg, b: _Seg) -> bool:
    return abs(a.baseline - b.baseline) < 0.3 * max(a.size, b.size)


def _prefix(f: _Seg, segs: list[_Seg]) -> tuple[_Seg | None, bool]:
    """What stands just left of a figure on its line: a sign or currency ("≈", "EUR") that belongs to
    it, or nothing; False when it is other text (the "CO" of "CO2", a row label): no tile."""
    left = [s for s in segs if s is not f and _same_line(s, f) and s.x0 < f.x0 and s.x1 > f.x0 - 0.3 * f.size]
    if not left:
        return None, True
    s = max(left, key=lambda s: s.x1)
    return (s, True) if len(left) == 1 and s.x1 <= f.x0 + 1 and _PREFIX.fullmatch(s.text.strip()) else (None, False)


Tile = tuple[_Seg, list[_Seg], _Seg | None]  # the figure, its label's lines, a sign or currency before it


def read_tiles(words: list[Word], page: int) -> tuple[list[Table], list[Word]]:
    """The page's tiles as tables (one per heading over them; a row per tile, its label the row),
    and the words the grid reader should still read (all but the tiles')."""
    body = body_size({page: words})  # the type most of the page's characters are set in
    # most pages have no figure in large type: no segments to build (a figure's words are within 15% of its size)
    if not any(w.size >= 0.85 * BODY_RATIO * body and any(ch.isdigit() for ch in w.text) for w in words):
        return [], words
    segs = _segments([w for w in words if not w.vertical and w.x1 > 0 and w.bottom > 0])  # not off the page
    figures = [s for s in segs if _is_figure(s) and s.size >= BODY_RATIO * body]
    tiles = _tiles(figures, [s for s in segs if _is_label(s)], segs)
    tiles = [t for t in tiles if t[0] not in _numbering([f for f, _, _ in tiles])]
    if not tiles:
        return [], words
    tables = _tables(tiles, segs, page)
    taken = {id(w) for f, block, sign in tiles for s in (f, *block, sign) if s is not None for w in s.words}
    return tables, [w for w in words if id(w) not in taken]


def _tiles(figures: list[_Seg], labels: list[_Seg], segs: list[_Seg]) -> list[Tile]:
    """Each figure with the label nearest it, under, over or beside it; a label between two figures goes
    to the nearer, and a figure whose nearest text runs on like a paragraph is no tile."""
    prefixes: dict[int, _Seg | None] = {}
    pairs: list[tuple[float, int, int, str]] = []  # (gap in figure heights, figure, label, side of the label)
    for i, f in enumerate(figures):
        prefixes[i], alone = _prefix(f, segs)
        if not alone:
            continue
        h = max(f.bottom - f.top, 1.0)
        nearest: dict[str, tuple[float, int]] = {}  # per side, the first line there: a label starts next to its figure
        for j, lab in enumerate(labels):
            if lab.size * SIZE_RATIO > f.size:
                continue
            gaps = []
            if _same_line(lab, f):
                gaps.append(("right", lab.x0 - f.x1))
            elif lab.x0 - 0.2 * f.size <= f.xc <= lab.x1 + 0.2 * f.size or abs(lab.x0 - f.x0) < 0.3 * f.size:
                # between the printed marks: baselines and cap heights, not the boxes' generous extents
                gaps += [("below", _cap_top(lab) - f.baseline), ("above", _cap_top(f) - lab.baseline)]
            for side, gap in gaps:
                if gap > -0.2 * h and gap < nearest.get(side, (float("inf"), -1))[0]:
                    nearest[side] = (gap, j)
        pairs += [(gap / h, i, j, side) for side, (gap, j) in nearest.items() if gap <= GAP * h]
    used_f: set[int] = set()
    used_l: set[int] = set()
    tiles: list[Tile] = []
    for _, i, j, side in sorted(pairs):  # nearest first
        if i in used_f or j in used_l:
            continue
        block = _label_block(labels[j], [s for k, s in enumerate(labels) if k not in used_l], side != "above")
        if block is None:
            continue
        ids = {id(s) for s in block}
        taken = {k for k, s in enumerate(labels) if id(s) in ids}
        if taken & used_l:
            continue
        used_f.add(i)
        used_l |= taken
        tiles.append((figures[i], block, prefixes[i]))
    return tiles


def _tables(tiles: list[Tile], segs: list[_Seg], page: int) -> list[Table]:
    """One table per heading over the tiles; a cell per tile, its label the row, its figure as printed."""
    in_tiles = {id(s): f.size for f, block, sign in tiles for s in (f, *block, sign) if s is not None}
    tiles = sorted(tiles, key=lambda t: (round(t[0].top), t[0].x0))
    captions = [_caption([f, *block], segs, in_tiles) for f, block, _ in tiles]
    for k, (f, _, _) in enumerate(tiles):  # a grid's heading may stand over some of its columns only
        if not captions[k]:
            captions[k] = next((c for (g, _, _), c in zip(tiles, captions) if c and abs(g.baseline - f.baseline)
                                < 0.2 * f.size and abs(g.size - f.size) < 0.1 * f.size), "")
    by_caption: dict[str, list[Cell]] = {}
    for (f, block, sign), caption in zip(tiles, captions):
        label = " ".join(s.text.strip() for s in sorted(block, key=lambda s: s.top))
        value = f.text.strip()
        if sign is not None and _WORD.search(sign.text):
            label = f"{sign.text.strip()} {label}"  # "EUR" before "2,446" / "million in revenue"
        elif sign is not None:
            value = sign.text.strip() + value  # "≈" "5,000"
        number = cell_number(value)
        if number is None and (figure := parse_figure(value)) is not None:
            number = figure.value  # "$6.8 Billion": the amount it states, scale included
        cells = by_caption.setdefault(caption, [])
        parts = [f, *block] + ([sign] if sign is not None else [])
        cells.append(Cell(value=value, number=number, row_path=(label,), col_path=(),
                          unit="%" if value.endswith("%") else "", box=_box_of(parts), page=page, row=len(cells)))
    return [Table(page=page, box=union(c.box for c in cells) or cells[0].box, caption=caption, cells=tuple(cells),
                  kind="tiles") for caption, cells in by_caption.items()]


def _caption(parts: list[_Seg], segs: list[_Seg], in_tiles: dict[int, float]) -> str:
    """The heading over a tile: the first line above it that is no tile's, when it reads as a
    heading (short, no sentence end, capitalised, a line on its own, close over the tile); running
    text there means the tile has none."""
    x0, top, x1 = min(s.x0 for s in parts), min(s.top for s in parts), max(s.x1 for s in parts)
    reach = CAPTION_GAP * min(s.size for s in parts)
    above = sorted((s for s in segs if s.bottom <= top + 1 and s.x0 < x1 and s.x1 > x0), key=lambda s: -s.bottom)
    for s in above:
        if id(s) in in_tiles and abs(in_tiles[id(s)] - parts[0].size) < 0.1 * parts[0].size:
            top = s.top  # another tile of the same grid (figures of one size): the heading is further up
            continue
        text = s.text.strip()
        alone = not any(t is not s and id(t) not in in_tiles and _aligned(t, s) and 0 < abs(t.baseline - s.baseline)
                        <= LEADING * s.size for t in segs)
        heading = (len(text.split()) <= 8 and text[-1] not in ".,;:" and (text[0].isupper() or text[0].isdigit())
                   and bool(_WORD.search(text)) and alone and top - s.bottom <= reach)
        return text if heading else ""
    return ""

"""Small typed objects for what is on a page: words, table cells and tables.

Frozen dataclasses, not dicts: every later step (units, index, checks) reads the same fields, and a
cell keeps its header paths, unit, footnote marks and box so an answer can cite where it stands.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points, top-down like the rendered page


@dataclass(frozen=True, slots=True)
class Word:
    """A run of characters on one baseline with no visible gap; superscripts and subscripts are words of their own."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float  # font size in points: tells a footnote mark or subscript from the text around it
    baseline: float = 0.0  # y of the baseline, top-down; words of one printed line share it
    bold: bool = False
    vertical: bool = False  # a line of text turned 90 degrees (a narrow column's header): one word per line
    ocr: bool = False  # read by OCR from an image (esgqa.document.ocr), not from the text layer

    @property
    def box(self) -> Box:
        return (self.x0, self.top, self.x1, self.bottom)

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True, slots=True)
class Cell:
    """One figure of a table, with the headers a reader would use to name it."""

    value: str  # as printed, footnote marks removed: "1,234", "(12)", "n/a"
    number: float | None  # parsed once by esgqa.figures; None for "–", "n/a" and text cells
    row_path: tuple[str, ...]  # parents of an indented sub-row first: ("Aluminium", "Aluminium (Atlantic)")
    col_path: tuple[str, ...]  # header lines over the column, top-down: ("2023", "Merck Group")
    unit: str = ""  # "t CO2e", "GWh", "%", "EUR million"; "" when the table does not say
    box: Box = (0.0, 0.0, 0.0, 0.0)
    page: int = 0  # 1-based physical page
    marks: tuple[str, ...] = ()  # footnote marks printed on the figure: "1,234¹" -> ("1",)
    row: int = 0  # the row's index in its table: two blocks ("In GWh", "In TJ") may repeat a row path

    @property
    def row_label(self) -> str:
        return self.row_path[-1] if self.row_path else ""

    @property
    def col_label(self) -> str:
        return " ".join(self.col_path)


@dataclass(frozen=True, slots=True)
class Table:
    """A table as read off one page: its cells, kept whole for display and split into row units for search."""

    page: int
    box: Box
    caption: str = ""
    cells: tuple[Cell, ...] = field(default_factory=tuple)
    kind: str = "grid"  # "tiles": key figures, each under or over its label (esgqa.document.tiles)

    def row_paths(self) -> list[tuple[str, ...]]:
        """Row paths in reading order, each once."""
        seen: dict[tuple[str, ...], None] = {}
        for c in self.cells:
            seen.setdefault(c.row_path, None)
        return list(seen)

    def cell(self, row: str, col: str) -> Cell | None:
        """The cell whose row label is `row` and whose column path contains `col` (first match)."""
        for c in self.cells:
            if c.row_label == row and (col in c.col_path or col == c.col_label):
                return c
        return None

    def rows(self) -> list[str]:
        """Each row as a sentence-like unit: 'Caption: Parent > Row (unit) | 2023 Merck: 4,190 | 2022: 5,001'.

        Row path, every column path and the value as printed are all in the text, so keyword and
        vector search find the row by any of its headers.
        """
        out: list[str] = []
        by_row: dict[int, list[Cell]] = {}
        for c in self.cells:
            by_row.setdefault(c.row, []).append(c)
        for cells in by_row.values():
            units = {c.unit for c in cells if c.unit}
            head = " > ".join(cells[0].row_path)
            if len(units) == 1 and next(iter(units)) not in head:
                head += f" ({next(iter(units))})"
            parts = [head]
            for c in cells:
                value = c.value + (f" [{','.join(c.marks)}]" if c.marks else "")
                if len(units) > 1 and c.unit:
                    value += f" {c.unit}"
                parts.append(f"{c.col_label}: {value}" if c.col_path else value)
            line = " | ".join(parts)
            out.append(f"{self.caption}: {line}" if self.caption else line)
        return out


@dataclass(frozen=True, slots=True)
class Block:
    """A heading, paragraph, list item, caption or table as it stands on its page."""

    kind: str  # "heading" | "paragraph" | "list" | "caption" | "table"
    page: int  # 1-based physical page
    box: Box
    text: str  # a table's block holds its rows as text; its figures are in Table.cells
    size: float = 0.0  # type size in points: headings rank by it
    bold: bool = False
    section: tuple[str, ...] = ()  # the headings above it, outermost first

    def with_section(self, section: tuple[str, ...]) -> Block:
        return Block(self.kind, self.page, self.box, self.text, self.size, self.bold, section)


def union(boxes: Iterable[Box]) -> Box | None:
    """The smallest box holding all of `boxes` (None when there are none)."""
    boxes = [b for b in boxes if b and b[2] > b[0]]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))

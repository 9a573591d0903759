"""Retrievable units from tables: one passage per table row, written with its headers.

A row passage reads like a sentence ("Caption: Natural gas (TJ) | 2023 Merck Group: 4,190 | ...")
so keyword and vector search find it by any header, and it carries its cells (row and column
paths, unit, value as printed) so the answer engine can pick the one cell a question asks for.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from esgqa.document.layout import pdf_tables
from esgqa.document.model import Block, Box, Cell, Table, union
from esgqa.types import LoadedDocument, Passage


def mark_ocr(rows: list[Passage], ocr_boxes: dict[int, list[Box]]) -> list[Passage]:
    """Row passages with a cell read by OCR (a word box of `ocr_boxes` centred in it) flagged `ocr`."""
    def read_by_ocr(cell: Cell) -> bool:
        x0, top, x1, bottom = cell.box
        return any(x0 <= (b[0] + b[2]) / 2 <= x1 and top <= (b[1] + b[3]) / 2 <= bottom
                   for b in ocr_boxes.get(cell.page, ()))

    return [p.model_copy(update={"ocr": True}) if any(map(read_by_ocr, p.cells)) else p for p in rows]


def with_boxes(passages: list[Passage], blocks: list[Block]) -> list[Passage]:
    """Each text passage with the box of the blocks it was cut from, for the page viewer."""
    from esgqa.document.blocks import box_of

    by_page: dict[int, list[Block]] = {}
    for b in blocks:
        by_page.setdefault(b.page, []).append(b)
    out = []
    for p in passages:
        box = box_of(p.text, by_page.get(p.page or 0, [])) if p.box is None else p.box
        out.append(p.model_copy(update={"box": box}) if box else p)
    return out


def row_passages(doc: LoadedDocument, tables: list[Table] | None = None) -> list[Passage]:
    """One "row" passage per table row, in reading order."""
    if doc.kind != "pdf":
        return []
    tables = pdf_tables(doc) if tables is None else tables
    labels = {p.number: p.label for p in doc.pages}
    out: dict[str, Passage] = {}
    for table in tables:
        by_row: dict[int, list[Cell]] = {}
        for cell in table.cells:
            by_row.setdefault(cell.row, []).append(cell)
        for text, cells in zip(table.rows(), by_row.values()):
            if table.caption and text.startswith(table.caption + ": "):
                text = text[len(table.caption) + 2:]  # the caption is the passage's section
            page = cells[0].page or table.page  # a table joined over a page break: each row on its own page
            pid = hashlib.sha256(f"{doc.name}\x1frow\x1f{page}\x1f{text}".encode()).hexdigest()[:32]
            out.setdefault(pid, Passage(id=pid, document=doc.name, text=text, section=table.caption,
                                        page=page, page_label=labels.get(page), kind="row",
                                        year=doc.year, cells=tuple(cells), box=union(c.box for c in cells)))
    return list(out.values())


def cells_to_json(cells: tuple[Cell, ...]) -> str:
    return json.dumps([asdict(c) for c in cells], ensure_ascii=False, separators=(",", ":"))


def cells_from_json(text: str) -> tuple[Cell, ...]:
    out = []
    for d in json.loads(text):
        out.append(Cell(**{**d, "row_path": tuple(d["row_path"]), "col_path": tuple(d["col_path"]),
                           "box": tuple(d["box"]), "marks": tuple(d["marks"])}))
    return tuple(out)

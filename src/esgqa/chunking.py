"""Split pages into passages that keep their section heading, and tables that keep their headers.

A table chunk is: optional caption line(s), then the header row, then data rows, cells joined by
" | ". Continuation rows (blank first cell, as in "Number of employees by gender | Male ...",
"| Female ...") get their group label filled in, so every row reads on its own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from langchain_text_splitters import RecursiveCharacterTextSplitter

from esgqa.types import LoadedDocument, Page, Passage

CHUNK_CHARS = 800
CHUNK_OVERLAP = 120
TABLE_CHUNK_CHARS = 420
CELL_SEP = " | "

_splitter = RecursiveCharacterTextSplitter(
    chunk_size=CHUNK_CHARS,
    chunk_overlap=CHUNK_OVERLAP,
    separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
)
_TAG = re.compile(r"<[^>]+>")
_FOOTNOTE_MARK = re.compile(r"\s*⁽[⁰¹²³⁴⁵⁶⁷⁸⁹]+⁾")
_RULE = re.compile(r"^[\s\-|:=_]+$")
_DATE = re.compile(r"^(January|February|March|April|May|June|July|August|September|October|"
                   r"November|December)\s+\d", re.I)
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or",
                "the", "to", "with", "vs", "&", "-"}


def chunk(doc: LoadedDocument) -> list[Passage]:
    passages: dict[str, Passage] = {}
    current = ""
    for page in doc.pages:
        for section, kind, text in _segments(page, current, strict=doc.kind == "pdf"):
            current = section
            pieces = _split_table(text) if kind == "table" else _splitter.split_text(text)
            for piece in pieces:
                piece = piece.strip()
                if len(piece) < 3:
                    continue
                pid = _chunk_id(doc.name, page.number, section, piece)
                passages.setdefault(pid, Passage(
                    id=pid, document=doc.name, text=piece, section=section,
                    page=page.number, page_label=page.label, kind=kind, year=doc.year,
                ))
    return list(passages.values())


def _chunk_id(document: str, page: int | None, section: str, text: str) -> str:
    key = f"{document}\x1f{page}\x1f{section}\x1f{text}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def clean_line(line: str) -> str:
    line = _TAG.sub(" ", line).replace("**", "").replace("\\$", "$")
    line = re.sub(r"(?<!\w)\*(\S[^*]*?)\*(?!\w)", r"\1", line)  # *italic*
    line = re.sub(r"\[([^\]]+)\]\(#?[^)]*\)", r"\1", line)  # [link](#)
    return re.sub(r"[ \u00a0]+", " ", line).strip()


def _segments(page: Page, section: str, *, strict: bool) -> Iterator[tuple[str, str, str]]:
    """Yield (section, kind, text) runs; a heading line switches the section."""
    prose: list[str] = []
    table: list[list[str]] = []
    caption = ""

    def flush_prose() -> Iterator[tuple[str, str, str]]:
        text = "\n".join(prose).strip()
        prose.clear()
        if text:
            yield section, "text", text

    def flush_table() -> Iterator[tuple[str, str, str]]:
        nonlocal caption
        rows = list(table)
        table.clear()
        if len(rows) == 1:  # a one-row "table" is a layout grid: read its cells as prose
            yield section, "text", "\n".join(c for c in rows[0] if c)
        elif rows:
            yield section, "table", _render_table(rows, caption)
        caption = ""

    for raw in page.text.splitlines():
        is_row = "\t" in raw or (raw.strip().startswith("|") and raw.strip().endswith("|"))
        if is_row:
            cells = _cells(raw)
            if not any(cells) or _RULE.match(raw.replace("\t", " ")):
                continue
            if not table:
                yield from flush_prose()
            table.append(cells)
            continue
        line = clean_line(raw)
        if table:  # a blank or prose line ends the table
            yield from flush_table()
        if not line:
            continue
        if _is_heading(line, strict=strict):
            yield from flush_prose()
            section = line.lstrip("#").strip()
            caption = ""
            continue
        prose.append(line)
        caption = line.lstrip("-• ").strip() if len(line) <= 160 else ""
    yield from flush_table()
    yield from flush_prose()


def _cells(raw: str) -> list[str]:
    line = raw.strip("\n")
    if "\t" not in line:
        line = line.strip().strip("|").replace("|", "\t")
    return [_FOOTNOTE_MARK.sub("", clean_line(c)).strip() for c in line.split("\t")]


def _render_table(rows: list[list[str]], caption: str) -> str:
    header, body = rows[0], rows[1:]
    width = max(len(r) for r in rows)
    lines = [CELL_SEP.join(_pad(header, width))]
    group = ""
    for row in body:
        row = _pad(row, width)
        if row[0]:
            group = row[0]
        elif group and any(row[1:]):
            row = [group, *row[1:]]
        lines.append(CELL_SEP.join(row))
    if caption and caption.endswith(":"):
        lines.insert(0, caption)
    return "\n".join(lines)


def _pad(row: list[str], width: int) -> list[str]:
    return row + [""] * (width - len(row))


def _split_table(text: str) -> list[str]:
    """Chunks of whole rows, each repeating the caption and header row."""
    lines = text.splitlines()
    head_end = next(i for i, line in enumerate(lines) if CELL_SEP.strip() in line) + 1
    head, rows = lines[:head_end], lines[head_end:]
    chunks: list[str] = []
    current: list[str] = []
    size = sum(len(h) for h in head)
    for row in rows:
        if current and size + len(row) > TABLE_CHUNK_CHARS:
            chunks.append("\n".join(head + current))
            current, size = [], sum(len(h) for h in head)
        current.append(row)
        size += len(row)
    if current or not chunks:
        chunks.append("\n".join(head + current))
    return chunks


def _is_heading(line: str, *, strict: bool) -> bool:
    """Bare title lines ('Green Data Center') and Markdown '#' headings."""
    if line.startswith("#"):
        return len(line) < 120
    starts_like_title = line[0].isupper() or bool(re.match(r"(19|20)\d\d [A-Z]", line))  # "2022 ESG Highlights"
    if len(line) > 70 or line[-1] in ".,;:!?)" or not starts_like_title:
        return False
    if _DATE.match(line) or sum(ch.isdigit() for ch in line) > len(line) * 0.25:
        return False
    words = line.split()
    if not 1 <= len(words) <= (8 if strict else 10):
        return False
    if strict and len(words) < 2:
        return False
    significant = [w for w in words if w.lower() not in _SMALL_WORDS]
    if len(words) <= 4 and not strict:
        return True
    return all(w[0].isupper() or not w[0].isalpha() for w in significant)

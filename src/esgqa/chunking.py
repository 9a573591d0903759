"""Split pages into passages that keep their section heading, and tables that keep their headers.

A table chunk is: optional caption line(s), then the header row, then data rows, cells joined by
" | ". Continuation rows (blank first cell, as in "Number of employees by gender | Male ...",
"| Female ...") get their group label filled in, so every row reads on its own.
"""

from __future__ import annotations

import hashlib
import re

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
# HTML inside Markdown: only elements that parse as such ("<br>", "</p>", "<ul style=...>"), never
# "<30% (target >40%)".
_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|blockquote|br|caption|center|code|col|colgroup|dd|del|details|div|dl|dt|em|figcaption|"
    r"figure|font|h[1-6]|hr|i|img|ins|kbd|li|mark|ol|p|pre|s|small|span|strong|sub|summary|sup|table|tbody|"
    r"td|tfoot|th|thead|tr|u|ul)(?:\s+[a-zA-Z_:][-\w:.]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*\s*/?>",
    re.I)
_HTML_COMMENT = re.compile(r"<!--.*?-->")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^\s<>]+|[\w.+-]+@[\w-]+\.[\w.-]+)>")
_FOOTNOTE_MARK = re.compile(r"\s*⁽[⁰¹²³⁴⁵⁶⁷⁸⁹]+⁾")
_RULE = re.compile(r"^[\s\-|:=_]+$")
_DATE = re.compile(r"^(January|February|March|April|May|June|July|August|September|October|"
                   r"November|December)\s+\d", re.I)
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or",
                "the", "to", "with", "vs", "&", "-"}


def chunk(doc: LoadedDocument) -> list[Passage]:
    passages: dict[str, Passage] = {}
    current = ""
    markup = doc.kind == "markdown"
    for page in doc.pages:
        segments, current_after = _segments(page, current, strict=doc.kind == "pdf", markup=markup)
        # A text piece too short to stand alone ("02" before a chapter title, a printed page
        # number) joins the next text piece of its section, or else the passage before it (with
        # its heading, when that heads nothing else on the page); never dropped, and never a
        # passage of its own that would match every query about its heading.
        carry: tuple[str, str] | None = None
        last: str | None = None

        def flush_carry(section_goes_on: bool = False, page: Page = page) -> None:
            nonlocal carry, last
            if carry is None:
                return
            section, text = carry
            carry = None
            prev = passages.get(last) if last is not None else None
            if prev is None or prev.kind != "text":
                last = _put(passages, doc, page, section, "text", text)
                return
            if prev.section != section and section and not section_goes_on:
                text = f"{section}\n{text}"
            del passages[prev.id]
            last = _put(passages, doc, page, prev.section, "text", f"{prev.text}\n{text}")

        for section, kind, text in segments:
            pieces = _split_table(text) if kind == "table" else _splitter.split_text(text)
            for piece in pieces:
                piece = piece.strip()
                if not piece:
                    continue
                if carry is not None and (carry[0] != section or kind != "text"):
                    flush_carry(section_goes_on=carry[0] == section)
                if kind == "text" and len(piece) < 3:
                    carry = (section, f"{carry[1]}\n{piece}" if carry else piece)
                    continue
                if carry is not None:
                    piece, carry = f"{carry[1]}\n{piece}", None
                last = _put(passages, doc, page, section, kind, piece)
        flush_carry()
        current = current_after
    return list(passages.values())


def _put(passages: dict[str, Passage], doc: LoadedDocument, page: Page, section: str, kind: str,
         text: str) -> str:
    pid = _chunk_id(doc.name, page.number, section, text)
    passages.setdefault(pid, Passage(
        id=pid, document=doc.name, text=text, section=section,
        page=page.number, page_label=page.label, kind=kind, year=doc.year, ocr=page.ocr,
    ))
    return pid


def image_passages(doc: LoadedDocument, texts: dict[int, str], passages: list[Passage]) -> list[Passage]:
    """Text passages of the lines OCR read in each page's images (`texts`, page -> text), flagged `ocr`.

    They stay apart from the text layer's passages so every citation of them can say it was read by
    OCR; each takes the section its page's text is under (the page's last text passage before it).
    """
    from esgqa.pdftext import tidy

    sections: dict[int, str] = {}
    for p in passages:
        if p.kind == "text" and p.page is not None:
            sections[p.page] = p.section
    out: dict[str, Passage] = {}
    section = ""
    for page in doc.pages:
        section = sections.get(page.number, section)
        if page.number not in texts or page.ocr:  # a scanned page's own text is what OCR read
            continue
        for piece in _splitter.split_text(tidy(texts[page.number])):
            if piece := piece.strip():
                pid = _put(out, doc, page, section, "text", piece)
                out[pid] = out[pid].model_copy(update={"ocr": True})
    return list(out.values())


def rename(passages: list[Passage], name: str) -> list[Passage]:
    """The same passages under another document name (their ids include it)."""
    return [p.model_copy(update={"document": name, "id": _chunk_id(name, p.page, p.section, p.text)})
            for p in passages]


def _chunk_id(document: str, page: int | None, section: str, text: str) -> str:
    key = f"{document}\x1f{page}\x1f{section}\x1f{text}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def clean_line(line: str, *, markup: bool = False) -> str:
    """Collapse spaces; with `markup` (Markdown sources only) also drop HTML tags and Markdown
    emphasis and link syntax. PDF and plain text are never stripped: "<2 t" and ">45%" are figures."""
    if markup:
        line = _AUTOLINK.sub(r"\1", line)  # <https://...> shows as its address
        line = _HTML_COMMENT.sub(" ", line)
        line = _HTML_TAG.sub(" ", line).replace("**", "").replace("\\$", "$")
        line = re.sub(r"(?<!\w)\*(\S[^*]*?)\*(?!\w)", r"\1", line)  # *italic*
        line = re.sub(r"\[([^\]]+)\]\(#?[^)]*\)", r"\1", line)  # [link](#)
    return re.sub(r"[ \u00a0]+", " ", line).strip()


def _segments(page: Page, section: str, *, strict: bool, markup: bool) -> tuple[list[tuple[str, str, str]], str]:
    """(section, kind, text) runs of a page, and the section in force at its end.

    A heading line switches the section only when content follows it: a heading-like line followed
    by another one (a list of certifications, a table of contents, an address block) heads nothing
    and stays in the text, and so does a heading at the foot of a page, which also heads the next."""
    out: list[tuple[str, str, str]] = []
    prose: list[str] = []
    table: list[list[str]] = []
    caption = ""
    pending = ""  # a heading not yet followed by content

    def flush_prose() -> None:
        text = "\n".join(prose).strip()
        prose.clear()
        if text:
            out.append((section, "text", text))

    def flush_table() -> None:
        nonlocal caption
        rows = list(table)
        table.clear()
        if len(rows) == 1:  # a one-row "table" is a layout grid: read its cells as prose
            out.append((section, "text", "\n".join(c for c in rows[0] if c)))
        elif rows:
            out.append((section, "table", _render_table(rows, caption)))
        caption = ""

    def settle() -> None:
        """Content follows the pending heading: it becomes the section."""
        nonlocal section, pending, caption
        if pending:
            flush_prose()
            section, pending, caption = pending, "", ""

    def keep_as_text(line: str) -> None:
        nonlocal caption
        prose.append(line)
        caption = line.lstrip("-• ").strip() if len(line) <= 160 else ""

    for raw in page.text.splitlines():
        is_row = "\t" in raw or (raw.strip().startswith("|") and raw.strip().endswith("|"))
        if is_row:
            cells = _cells(raw, markup=markup)
            if not any(cells) or _RULE.match(raw.replace("\t", " ")):
                continue
            if not table:
                settle()
                flush_prose()
            table.append(cells)
            continue
        line = clean_line(raw, markup=markup)
        if table:  # a blank or prose line ends the table
            flush_table()
        if not line:
            continue
        if _is_heading(line, strict=strict, markup=markup):
            if pending:
                keep_as_text(pending)
            pending = line.lstrip("#").strip() if markup and line.startswith("#") else line
            continue
        settle()
        keep_as_text(line)
    flush_table()
    if pending:
        keep_as_text(pending)
        flush_prose()
        section = pending
    flush_prose()
    return out, section


def _cells(raw: str, *, markup: bool) -> list[str]:
    line = raw.strip("\n")
    if "\t" not in line:
        line = line.strip().strip("|").replace("|", "\t")
    return [_FOOTNOTE_MARK.sub("", clean_line(c, markup=markup)).strip() for c in line.split("\t")]


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


def _is_heading(line: str, *, strict: bool, markup: bool = False) -> bool:
    """Bare title lines ('Green Data Center') and Markdown '#' headings."""
    if markup and line.startswith("#"):
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

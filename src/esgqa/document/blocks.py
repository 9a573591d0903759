"""Blocks of a page as a person sees them: headings, paragraphs, list items, captions and tables.

Read from word boxes (pypdfium2): words on one baseline and close together make a line segment,
so two text columns stay apart; segments stacked in one column at the line pitch make a block.
A block is a heading when its type is larger than the document's body text (or bold and short),
and its section path is the stack of headings above it, ranked by size: layout, never wording.
Blocks give every text passage the box the page viewer highlights.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass

from esgqa.document.hyphenation import join_lines
from esgqa.document.model import Block, Box, Table, Word

_BULLET = re.compile(r"^(?:[•▪■●◦‣∙·–—\-*]|\(?\d{1,2}[.)]|\(?[a-z][.)])$")
_TOKEN = re.compile(r"[^\W_]{3,}")
HEADING_RATIO = 1.15  # type at least this much larger than body text reads as a heading
HEADING_WORDS = 20  # a heading is short; a larger-type paragraph (an intro) is not a heading


@dataclass(slots=True)
class _Seg:
    """Words of one baseline with no column gap between them."""

    words: list[Word]

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def size(self) -> float:
        return statistics.median(w.size for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def _segments(words: list[Word]) -> list[_Seg]:
    """Line segments: one baseline, split where the gap is wider than a column gutter (1.5 em)."""
    segs: list[_Seg] = []
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.baseline, w.x0)):
        if rows and abs(w.baseline - rows[-1][0].baseline) <= 0.3 * min(w.size, rows[-1][0].size):
            rows[-1].append(w)
        else:
            rows.append([w])
    for row in rows:
        row.sort(key=lambda w: w.x0)
        cur = [row[0]]
        for w in row[1:]:
            if w.x0 - cur[-1].x1 > 1.5 * max(w.size, cur[-1].size):
                segs.append(_Seg(cur))
                cur = []
            cur.append(w)
        segs.append(_Seg(cur))
    return segs


def _stack(segs: list[_Seg]) -> list[list[_Seg]]:
    """Segments in one column at the line pitch, of one type size, make one block."""
    groups: list[list[_Seg]] = []
    for s in sorted(segs, key=lambda s: (s.top, s.x0)):
        for g in reversed(groups[-6:]):
            last = g[-1]
            same_column = s.x0 < last.x1 and last.x0 < s.x1
            near = 0 <= s.top - last.bottom <= 0.8 * max(s.size, last.size)
            if same_column and near and abs(s.size - last.size) <= 0.15 * last.size:
                g.append(s)
                break
        else:
            groups.append([s])
    return groups


def body_size(words_by_page: dict[int, list[Word]]) -> float:
    """The type size most characters are set in: what a heading is larger than."""
    sizes: Counter[float] = Counter()
    for words in words_by_page.values():
        for w in words:
            sizes[round(w.size, 1)] += len(w.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def page_blocks(words: list[Word], page: int, tables: list[Table], body: float) -> list[Block]:
    """The blocks of one page in reading order (top-down, then left-right); no section paths yet."""
    inside = [t.box for t in tables if t.page == page]
    out: list[Block] = [Block(kind="table", page=page, box=t.box, text="\n".join(t.rows()), size=body)
                        for t in tables if t.page == page]
    free = [w for w in words if not w.vertical and not any(_within(w.box, b) for b in inside)]
    for group in _stack(_segments(free)):
        text = join_lines(s.text for s in group)
        box = (min(s.x0 for s in group), group[0].top, max(s.x1 for s in group), group[-1].bottom)
        size = statistics.median(s.size for s in group)
        bold = all(w.bold for s in group for w in s.words)
        first = group[0].words[0].text
        if size >= HEADING_RATIO * body and len(text.split()) <= HEADING_WORDS or (
                bold and len(text.split()) <= 12 and size >= body and not text.rstrip().endswith(".")):
            kind = "heading"
        elif _BULLET.match(first):
            kind = "list"
        elif any(0 <= t[1] - box[3] <= 2 * size and box[0] < t[2] and t[0] < box[2] for t in inside):
            kind = "caption"
        else:
            kind = "paragraph"
        out.append(Block(kind=kind, page=page, box=box, text=text, size=size, bold=bold))
    return sorted(out, key=lambda b: (round(b.box[1]), b.box[0]))


def with_sections(blocks: list[Block]) -> list[Block]:
    """Give each block the headings above it, outermost first: a larger heading closes smaller ones."""
    stack: list[Block] = []
    out: list[Block] = []
    for b in blocks:
        if b.kind == "heading":
            while stack and stack[-1].size <= b.size + 0.1:
                stack.pop()
        out.append(b.with_section(tuple(h.text for h in stack)))
        if b.kind == "heading":
            stack.append(b)
    return out


def read_blocks(words_by_page: dict[int, list[Word]], tables: list[Table]) -> list[Block]:
    """Every block of a document with its section path."""
    body = body_size(words_by_page)
    blocks = [b for page, words in sorted(words_by_page.items()) for b in page_blocks(words, page, tables, body)]
    return with_sections(blocks)


def box_of(text: str, blocks: list[Block]) -> Box | None:
    """Where a passage stands on its page: the blocks it was cut from.

    The chunker cuts passages from the page text, so a block belongs to a passage when the passage
    holds at least half of the block's words (three letters or more), or when most of the
    passage's words are in the block (a long paragraph or table cut into several passages).
    """
    have = Counter(t.lower() for t in _TOKEN.findall(text))
    total = sum(have.values())
    picked: list[Box] = []
    for b in blocks:
        need = Counter(t.lower() for t in _TOKEN.findall(b.text))
        if not need:
            continue
        held = sum(min(n, have[w]) for w, n in need.items())
        whole = held >= 0.5 * sum(need.values()) and held >= min(3, sum(need.values()))
        part = total >= 5 and held >= 0.6 * total
        if whole or part:
            picked.append(b.box)
    if not picked:
        return None
    return (max(0.0, min(b[0] for b in picked)), max(0.0, min(b[1] for b in picked)),
            max(b[2] for b in picked), max(b[3] for b in picked))


def _within(inner: Box, outer: Box, slack: float = 1.0) -> bool:
    return (inner[0] >= outer[0] - slack and inner[2] <= outer[2] + slack
            and inner[1] >= outer[1] - slack and inner[3] <= outer[3] + slack)

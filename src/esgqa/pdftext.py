"""Turn pypdf's line-by-line page text into paragraphs and tables the chunker can read.

pypdf returns a report the way it is laid out: every visual line a line, the same running
header on every page, words broken at styled initials ("E" / "nergy"), and tables as runs of
space-separated numbers. Left as is, a sentence is cut in three and a table row loses its
year columns. Everything here reads layout, never a particular report's wording.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from esgqa.document.hyphenation import LETTERS, broken_word, halves, vocabulary

# A header row whose trailing cells are years: "Asset Class 2020 2021 2022".
# Years are whole words: "2023220222021" (a chart axis run together) is not a header.
_YEAR_HEADER = re.compile(r"^(?P<label>.*?)\s*(?P<years>(?:(?<!\d)(?:19|20)\d\d(?:\s+|$)){2,})$")
_VALUE = r"(?:[-–(]?[$€£]?\d[\d,]*(?:\.\d+)?%?\)?|n/?a|N/?A|–|-|—)"
_CONNECTORS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "our",
               "than", "that", "the", "their", "to", "which", "with", "its", "per", "over", "under"}


def _glued(fragment: str, rest: str) -> bool:
    """True when a line break split one word: 'Ele' + 'ctricity', 'Mon' + 'itoring'."""
    pair = halves(fragment, rest)
    if pair is None:
        return False
    head, tail = pair
    vocab = vocabulary()
    whole = (head + tail).lower()
    return len(whole) > 3 and whole in vocab and not (head.lower() in vocab and tail in vocab)


def run_together(page_words: Sequence[str], known: Mapping[str, int]) -> dict[str, str]:
    """Words printed one after the other (in the order the word boxes read them) that pypdf ran
    together, most often across a line end ("arrangements" / "with" -> "arrangementswith"): each such
    spelling mapped to the two words spaced. Only where the run-together spelling is no word (not in
    the embedding model's vocabulary, nowhere a word of the document) and each half is a word the
    document prints at least twice (`known`: lower-cased letter runs of its word boxes, counted)."""
    vocab = vocabulary()
    out = {}
    for a, b in zip(page_words, page_words[1:]):
        pair = halves(a, b, capital_tail=True)
        if pair is None:
            continue
        x, y = pair
        whole = (x + y).lower()
        if (len(x) >= 2 and len(y) >= 2 and whole not in vocab and not known.get(whole)
                and known.get(x.lower(), 0) >= 2 and known.get(y.lower(), 0) >= 2):
            out[x + y] = f"{x} {y}"
    return out


def respace(text: str, glued: Mapping[str, str]) -> str:
    """`text` with each whole word found in `glued` (from `run_together`) spaced; figures untouched."""
    return LETTERS.sub(lambda m: glued.get(m[0], m[0]), text) if glued else text


def drop_running_lines(pages: list[str]) -> list[str]:
    """Remove lines repeated on many pages (running headers, footers) and bare page numbers."""
    return [text for text, _ in split_running_lines(pages)]


def split_running_lines(pages: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """(text, removed lines) per page: running headers and footers repeated on many pages, and the
    page's own number, are taken out of the text but kept, so the page still has them as metadata."""
    if len(pages) < 3:
        return [(text, ()) for text in pages]
    seen = Counter(line for text in pages for line in {ln.strip() for ln in text.splitlines()} if line)
    limit = max(3, int(0.4 * len(pages)))
    running = {line for line, n in seen.items() if n >= limit and not re.fullmatch(r"[\d.,%\s]+", line)}
    out = []
    for number, text in enumerate(pages, start=1):
        kept, removed = [], []
        for ln in text.splitlines():
            (removed if ln.strip() in running or ln.strip() == str(number) else kept).append(ln)
        out.append(("\n".join(kept), tuple(ln.strip() for ln in removed)))
    return out


def tidy(text: str) -> str:
    """Join broken words, convert year-column tables to tab rows, reflow wrapped prose."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return _reflow(_tables(_join_fragments(lines)))


def _join_fragments(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if out and _glued(out[-1], line):
            out[-1] += line  # "• Mon" + "itoring our energy" -> "• Monitoring our energy"
        elif out and out[-1].endswith("-") and line[:1].islower():
            head = out[-1][:-1]
            out[-1] = head + line if broken_word(head, line) else out[-1] + line
        else:
            out.append(line)
    return out


def _tables(lines: list[str]) -> list[str]:
    """'Total 8,718.8 8,832.3 16,800.6' under 'Asset Class 2020 2021 2022' -> tab-separated cells."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _YEAR_HEADER.match(lines[i])
        n = len(m.group("years").split()) if m else 0
        row = re.compile(rf"^(?P<label>.*?\S)\s+(?P<values>{_VALUE}(?:\s+{_VALUE}){{{n - 1}}})$") if n else None
        body = []
        j = i + 1
        while row and j < len(lines) and not _YEAR_HEADER.match(lines[j]):
            rm = row.match(lines[j])
            if not rm and j + 1 < len(lines) and len(lines[j]) <= 30:  # a label wrapped onto two lines
                glue = "" if _glued(lines[j], lines[j + 1]) else " "
                if rm := row.match(lines[j] + glue + lines[j + 1]):
                    j += 1
            if not rm:
                break
            body.append([rm.group("label"), *rm.group("values").split()])
            j += 1
        if len(body) >= 2:
            if out and not out[-1].endswith((".", ":")) and len(out[-1]) <= 100:
                out[-1] += ":"  # the line above is the table's caption
            out.append("\t".join([m.group("label"), *m.group("years").split()]))
            out.extend("\t".join(cells) for cells in body)
            out.append("")  # a blank line ends the table
            i = j
        else:
            out.append(lines[i])
            i += 1
    return out


_FIGURE_ONLY = re.compile(rf"^[<>~≈]?{_VALUE}(?:\s*(?:[A-Za-z]{{1,8}}\d?|%))?(?:\s+[A-Za-z]{{1,8}}\d?)?$")


def _reflow(lines: list[str]) -> str:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        # An infographic: "$6.8 Billion" over "Total Assets" reads "$6.8 Billion Total Assets".
        if _FIGURE_ONLY.match(line) and i + 1 < len(lines) and _is_label(lines[i + 1]):
            out.append(f"{line} {lines[i + 1]}")  # never joined onto the line above
            i += 2
            continue
        prev = out[-1] if out else ""
        if prev and line and "\t" not in prev + line and _continues(prev, line):
            out[-1] = f"{prev} {line}"
        else:
            out.append(line)
        i += 1
    return "\n".join(out)


def _is_label(line: str) -> bool:
    return bool(line) and "\t" not in line and len(line) <= 60 and not _FIGURE_ONLY.match(line) \
        and bool(re.search(r"[A-Za-z]{3}", line))


def _continues(prev: str, line: str) -> bool:
    """A wrapped line: the next starts in lower case, or this one stops mid-phrase."""
    if line[0].islower():
        return True
    if prev.endswith((".", "!", "?", ":", ";")):
        return False
    words = prev.split()
    if prev.endswith((",", "–", "(")) or words[-1].lower() in _CONNECTORS:
        return True
    # "... completed" + "ESG related training.": a sentence (not a Title Case heading) that runs on
    if not any(w[0].islower() for w in words[1:]):
        return False
    if re.match(r"[$€£]?\d|[A-Z]{2,}\b(?! [A-Z]{2,})", line):  # "... nearly" + "$120,000", "CT" + "REIT ..."
        return True
    return prev[-1].islower() and len(line) <= 60 and line.endswith((".", "!", "?", ",", ";"))

"""Which indexed reports a question names: "What were TAKKT's Scope 2 emissions?" is about the
TAKKT report, whichever other reports share the store.

A document is named by its company (detected at ingest or set with `esgqa docs --set`) or by its
document name, compared token by token, case-insensitively: the company's distinctive words
without its legal form ("Kingsoft Cloud" for "Kingsoft Cloud Holdings Limited"), or their first
word alone when the question capitalises it as a name ("Kingsoft's"). A one-word match must read
as a name too (capitalised; at the question's start in capitals or with 's), so "square metres"
never names "Square".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from esgqa.document.identity import LEGAL
from esgqa.types import DocumentInfo

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9&]*")  # hyphens split: "kingsoft-cloud-2022-esg-report"
_LEGAL_WORD = re.compile(rf"(?:{LEGAL})", re.I)
# Words of document names that say what kind of report it is, not whose.
_REPORT_WORDS = {"report", "reports", "esg", "sustainability", "annual", "climate", "change", "action", "plan",
                 "environmental", "social", "governance", "csr", "integrated", "nonfinancial", "non-financial",
                 "10k", "10q", "k", "q", "the", "of", "and", "with", "form", "cover", "press", "release",
                 "statement", "data", "book", "databook", "fy", "q1", "q2", "q3", "q4"}


@dataclass(frozen=True)
class Mention:
    """A document named in a question, and where (token positions), so compare can take it out."""

    document: str
    start: int  # character offsets in the question
    end: int
    words: int  # how many words matched: the longer mention wins a tie


def _tokens(text: str) -> list[tuple[str, int, int]]:
    out = []
    for m in _TOKEN.finditer(text.replace("’", "'")):
        word = re.sub(r"'s$", "", m.group(0))
        out.append((word.lower(), m.start(), m.start() + len(word)))
    return out


def _distinctive(name: str) -> list[str]:
    """A company's or document name's words that tell it apart: no legal form, year or report word."""
    words = [w for w, _, _ in _tokens(name.replace("_", " "))]
    while words and _LEGAL_WORD.fullmatch(words[-1]):
        words.pop()
    return [w for w in words if not re.fullmatch(r"\d{2,4}", w) and w not in _REPORT_WORDS]


def mentions(question: str, documents: list[DocumentInfo]) -> list[Mention]:
    """Every document whose company or name the question names (best match per document)."""
    q = _tokens(question)
    words = [w for w, _, _ in q]
    found: dict[str, Mention] = {}
    for doc in documents:
        for name in (doc.company, doc.name):
            target = _distinctive(name) if name else []
            if not target:
                continue
            for i in range(len(words)):
                n = _run(words, i, target)
                # A one-word match (a one-word name, or a name's first word alone: "Kingsoft's") must
                # read as a name: capitalised, and at the question's start in capitals or with a
                # possessive ("Energy use?" names no "Energy Transfer LP", "square metres" no "Square").
                named = n == 1 and question[q[i][1]].isupper() and (i > 0 or _name_like(question, q[i][1], q[i][2]))
                whole = n == len(target) and (n > 1 or named)
                first = n == 1 and len(target[0]) >= 4 and named
                if whole or first:
                    m = Mention(doc.name, q[i][1], q[i + n - 1][2], n)
                    if doc.name not in found or m.words > found[doc.name].words:
                        found[doc.name] = m
    return sorted(found.values(), key=lambda m: m.start)


def _name_like(question: str, start: int, end: int) -> bool:
    """A word at the start of a question reads as a name: in capitals, or followed by 's."""
    word = question[start:end]
    return (word.isupper() and len(word) > 1) or question[end:end + 2] in ("'s", "’s")


def _run(words: list[str], i: int, target: list[str]) -> int:
    """How many of `target`'s words match `words` from position i on."""
    n = 0
    while n < len(target) and i + n < len(words) and words[i + n] == target[n]:
        n += 1
    return n


def as_asked_of(question: str, documents: list[DocumentInfo]) -> str:
    """The question as its own report is searched and read: the report's company, which nearly every
    passage of that report names, becomes "the company" (a stopword), so the words left decide what is
    retrieved and which figure answers. "How many male employees did Kingsoft Cloud employ?" -> "How
    many male employees did the company employ?"."""
    text = question
    for m in sorted(mentions(question, documents), key=lambda m: -m.start):
        if text[m.end:m.end + 1] in ("-", "‑"):
            continue  # "CT REIT-controlled": the name qualifies a word, it is not the subject
        text = f"{text[:m.start]}the company{text[m.end:]}"
    return text


def named_documents(question: str, documents: list[DocumentInfo]) -> list[str]:
    """The documents a question names, in the order it names them."""
    return [m.document for m in mentions(question, documents)]


def without_names(question: str, found: list[Mention]) -> str:
    """The question with the named companies taken out, for asking each report in turn:
    "Compare TAKKT's and Kingsoft Cloud's Scope 2 emissions" -> "Scope 2 emissions"."""
    text = question
    for m in sorted(found, key=lambda m: -m.start):
        end = m.end
        tail = re.match(r"(?:'s|’s|')?", text[end:])
        end += tail.end() if tail else 0
        text = text[:m.start] + text[end:]
    text = re.sub(r"^\s*(?:please\s+)?compare\b\s*(?:(?:the|between)\b\s*)?", "", text, flags=re.I)
    joins = r"(?:between|of|for|at|and|versus|vs\.?|with)"
    dangling = rf"(?i)\b{joins}\s*(?=(?:\s*(?:and|,|versus|vs\.?|with)\b)*\s*[?.!]?\s*$)"
    text = re.sub(dangling, "", text)
    text = re.sub(r"(?i)^\s*(?:and|,)\s+", "", text)
    text = re.sub(r"(?i)\b(and|,)\s+(?=(?:and\b|,)|\s)", "", text)
    text = re.sub(r"(?i)\b(?:of|for|at|by)\s+(?=(?:in|for|during|by|as)\b)", "", text)
    text = re.sub(r"\s*[:;]\s*(?=[?.!]?\s*$)", "", text)
    text = re.sub(r"\s+([?.!,])", r"\1", re.sub(r"\s+", " ", text)).strip(" ,")
    return text or question

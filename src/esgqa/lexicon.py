"""Tokens for BM25 and answer scoring, and abbreviations learned from the documents themselves.

Nothing here knows about any particular report: abbreviations come from patterns such as
"PUE: Power Usage Effectiveness" or "Data Protection Officer (DPO)" found in the indexed text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

STOPWORDS = frozenset("""
a about above after all also am an and any are as at be been being by can could did do does
doing during each for from had has have having how i if in into is it its itself last many much
me more most my no nor not of on once only or other our out over own same she should so some
such than that the their them then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your company
company's group report reported disclose disclosed number amount figure value level
year years fy give tell please state stated according
end beginning start during period date reach reached achieve achieved account accounted
amount amounted record recorded was were
january february march april may june july august september october november december
""".split())  # month names date a figure; they do not describe what it measures

# Words, or runs of CJK characters (read as overlapping character pairs, the usual way to
# keyword-index Chinese without a segmenter).
_TOKEN = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*|[\u3400-\u9fff\uf900-\ufaff]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def stem(word: str) -> str:
    """A deliberately light stemmer: plurals and a few suffixes, nothing clever."""
    if word.isdigit() or len(word) <= 3:
        return word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + repl
    return word


STOP_STEMS = frozenset(stem(w) for w in STOPWORDS)  # stopwords as `tokens` spells them


def tokens(text: str, *, keep_stopwords: bool = False) -> list[str]:
    words = _TOKEN.findall(text.lower().replace("’", "'"))
    out = []
    for w in words:
        if _CJK.match(w):
            out += [w[i:i + 2] for i in range(max(1, len(w) - 1))]
            continue
        w = w.removesuffix("'s").replace("'", "")
        if not keep_stopwords and w in STOPWORDS:
            continue
        out.append(stem(w))
    return out


_DEF_COLON = re.compile(
    r"(?:^|\n)\s*\W{0,3}\d{0,2}\s*([A-Z][A-Za-z0-9&]{1,9})\s*:\s*([A-Z][A-Za-z \-]{3,80}?)[.\n]")
_DEF_PAREN_AFTER = re.compile(r"((?:[A-Z][a-z]+[ \-]){1,6}[A-Z]?[a-z]+)\s*\(\s*([A-Z][A-Za-z0-9&]{1,9})\s*\)")


def _initials_match(short: str, long: str) -> bool:
    letters = [w[0].lower() for w in re.split(r"[\s\-]+", long) if w and w.lower() not in {"of", "and", "the", "for"}]
    return "".join(letters) == short.lower().rstrip("s")


def find_abbreviations(texts: Iterable[str]) -> dict[str, str]:
    """{'pue': 'power usage effectiveness', ...} where the initials fit the long form."""
    found: dict[str, str] = {}
    for text in texts:
        for short, long in _DEF_COLON.findall(text):
            if _initials_match(short, long.strip()):
                found[short.lower()] = long.strip().lower()
        for long, short in _DEF_PAREN_AFTER.findall(text):
            words = long.split()
            for start in range(len(words)):  # the long form is the tail whose initials fit
                candidate = " ".join(words[start:])
                if _initials_match(short, candidate):
                    found[short.lower()] = candidate.lower()
                    break
    return found


def expand(text: str, abbreviations: dict[str, str]) -> str:
    """Append the other spelling of every abbreviation or long form the text uses."""
    low = text.lower()
    extra = []
    for short, long in abbreviations.items():
        if re.search(rf"\b{re.escape(short)}\b", low) and long not in low:
            extra.append(long)
        elif long in low and not re.search(rf"\b{re.escape(short)}\b", low):
            extra.append(short)
    return text if not extra else f"{text} ({'; '.join(extra)})"

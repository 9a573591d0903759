"""Follow-up questions ("And in 2021?", "What about Scope 3?") rewritten into whole questions.

A follow-up leaves out what the previous question said: the company, the metric, the year, the
unit. The rewrite edits the previous question instead of guessing anew: a new year replaces the
old one, a numbered name ("Scope 3") replaces its sibling ("Scope 2"), a qualifier ("for women",
"in MWh") replaces one with the same preposition or is added, and a bare noun phrase replaces the
metric it shares its head noun with (or the whole metric phrase). Everything else of the previous
question is carried. Rules are about English question grammar only, never about one report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# How a follow-up starts: "And ...", "What about ...", "How about ...", "Same for ...".
_LEAD = re.compile(
    r"^\s*(?:(?:and|but|also|so)\s+)?(?:(?:what|how)\s+about|what\s+of|same\s+(?:for|in)?|"
    r"and|but|also|(?:what|how\s+much|how\s+many)\s+(?:was|were|is|are)\s+(?:it|that|this|they|those|these))"
    r"(?=\W|$)[\s,]*", re.I)
# A question that stands on its own starts with a question word or an auxiliary verb.
_QUESTION = re.compile(
    r"^\s*(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|has|have|had|can|could|"
    r"will|would|should|list|describe|explain|give|show|name|state|provide|compare)\b", re.I)
_PRONOUN_SUBJECT = re.compile(r"^\s*(?:what|how\s+much|how\s+many)\s+(?:was|were|is|are)\s+(?:it|that|this|they"
                              r"|those|these)\b", re.I)
YEAR = r"(?:(?:19|20)\d\d|FY\s?'?\d\d)"
# A time expression: "in 2021", "by the end of 2022", "for FY21", "the previous year".
_TIME = re.compile(
    rf"(?:\b(?:in|for|during|as\s+of|as\s+at|at\s+the\s+end\s+of|by\s+the\s+end\s+of|by|at|of)\s+)?"
    rf"(?:(?:the\s+)?(?:(?:fiscal|financial|reporting|calendar)\s+)?year\s+)?(?<![\w.]){YEAR}(?![\w.])", re.I)
_RELATIVE = re.compile(
    r"(?:\b(?:in|for|during|over|of)\s+)?\b(?:the\s+)?(?P<which>previous|prior|preceding|last|current|reporting|"
    r"this|latest|most\s+recent|next|following|coming)\s+(?:fiscal\s+|financial\s+|reporting\s+)?"
    r"(?:year|period)\b|\bthe\s+year\s+before\b", re.I)
_OFFSET = {"previous": -1, "prior": -1, "preceding": -1, "next": 1, "following": 1, "coming": 1}
# A qualifier: a preposition and what it qualifies ("for women", "in MWh", "at the Beijing site").
_QUALIFIER = re.compile(r"^(?P<prep>for|among|in|at|of|by|within|across|from|per|as)\s+(?P<what>.+)$", re.I)
# Words that end a noun phrase in the previous question (its metric ends before them).
_BOUNDARY = re.compile(r"\b(?:in|for|among|at|of|by|during|as|from|within|across|per|to|on|with|compared|"
                       r"versus|vs|than|since|until|and|or|that|which|who)\b|[?,;:]", re.I)
# A proper name: capitalised words (not a numbered name such as "Scope 2").
_PROPER = re.compile(r"\b[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*\b(?!\s+(?:\d|[A-Z]\b|I{1,3}\b|IV\b))")
_IDENT = re.compile(r"\b([A-Za-z]+)\s+(\d{1,2}|[A-Z]|I{1,3}|IV)\b(?!\s*(?:%|[.,]\d))")
_WORD = re.compile(r"[A-Za-z][\w'-]*")
# Whom a figure is about: "for men", "among the employees" (up to a year or the end).
_GROUP = re.compile(r"\b(?:for|among)\s+(?:the\s+)?([^?,;]+?)(?=\s+(?:in|for|during|by|at|as)\s|$)", re.I)
_SMALL = {"the", "a", "an", "of", "in", "for", "and", "or", "to", "at", "by", "on", "its", "their", "our"}


@dataclass(frozen=True)
class Rewrite:
    """The question as answered; `changed` says whether it differs from what was asked."""

    question: str
    changed: bool


def resolve(question: str, history: list[str] | None) -> Rewrite:
    """`question` as a whole question, given the earlier questions of the conversation (oldest first).

    Earlier follow-ups are resolved first, so "And in 2021?" after "What about Scope 3?" after
    "What were the Scope 2 emissions in 2022?" asks about Scope 3 in 2021.
    """
    previous = ""
    for earlier in history or []:
        if earlier and earlier.strip():
            previous = rewrite(earlier, previous) if previous else earlier.strip()
    asked = question.strip()
    if not previous:
        return Rewrite(asked, False)
    whole = rewrite(asked, previous)
    return Rewrite(whole, whole != asked)


def is_followup(question: str) -> bool:
    """Elliptical: led by "and"/"what about"/a pronoun subject, or a fragment with no question frame."""
    q = question.strip()
    if _PRONOUN_SUBJECT.match(q):
        return True
    rest = _strip_lead(q)
    if _QUESTION.match(rest) or not rest:  # "Why?", "And what were ...?": its own question
        return False
    if rest != q.rstrip(" ?.!"):
        return True
    # with no lead, only a fragment that says what changes ("2021?", "Scope 3?", "For women?");
    # "Thanks" or "Water consumption?" is asked as it is
    anchored = (_TIME.search(q) or _RELATIVE.search(q) or _IDENT.search(q) or _QUALIFIER.match(rest))
    return bool(anchored) and len(_WORD.findall(q)) <= 6


def _stands_alone(text: str) -> bool:
    """A question frame with a subject of its own: "What were the Scope 3 emissions?"."""
    if not _QUESTION.match(text):
        return False
    content = [w for w in _WORD.findall(text) if w.lower() not in _SMALL]
    return len(content) >= 3


def _strip_lead(q: str) -> str:
    rest = q
    while True:
        m = _LEAD.match(rest)
        if not m or not m.group(0).strip():
            break
        rest = rest[m.end():]
    return rest.strip().rstrip(" ?.!").strip()


def rewrite(question: str, previous: str) -> str:
    """`question` rewritten from `previous` when it is a follow-up, else `question` unchanged."""
    q = question.strip()
    if not previous.strip() or not is_followup(q):
        return q
    rest = _strip_lead(q)
    prev = previous.strip().rstrip(" ?.!").strip()
    out = prev
    # 1. time: a new year (or "the previous year") replaces the previous one
    times = list(_TIME.finditer(rest)) + list(_RELATIVE.finditer(rest))
    if times:
        out = _replace_time(out, times)
        for m in sorted(times, key=lambda m: -m.start()):
            rest = rest[:m.start()] + rest[m.end():]
        rest = _tidy(re.sub(r"(?i)^(?:\s*(?:and|or|&|,)\b)+|(?:\b(?:and|or|&)\s*|,\s*)+$", "", _tidy(rest)))
    # 2. what is left is a numbered name, a qualifier, or a metric phrase
    if rest:
        out = _replace_phrase(out, rest)
    return _tidy(out) + "?"


def _replace_time(prev: str, times: list[re.Match]) -> str:
    explicit = [int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", prev)]
    new = times[0]
    if new.re is _RELATIVE:
        which = (new.group("which") or "previous").lower().split()[0] if "which" in new.groupdict() else "previous"
        offset = _OFFSET.get(which, 0) if new.group(0).lower().strip() != "the year before" else -1
        if explicit and which in _OFFSET or (explicit and new.group(0).lower().strip() == "the year before"):
            year = explicit[-1] + offset
            return _set_year(prev, str(year), f"in {year}")
        phrase = new.group(0).strip()
        if not re.match(r"(?i)(in|for|during|over|of)\b", phrase):
            phrase = f"in {phrase}"
        return _set_year(prev, None, phrase)
    years = [re.search(rf"{YEAR}", t.group(0)).group(0) for t in times if t.re is _TIME]  # type: ignore[union-attr]
    year = " and ".join(dict.fromkeys(years))  # "And in 2021 and 2020?"
    phrase = new.group(0).strip()
    if not re.match(r"(?i)(in|for|during|as|at|by|of)\b", phrase):
        phrase = f"in {phrase}"
    return _set_year(prev, year, phrase)


def _set_year(prev: str, year: str | None, phrase: str) -> str:
    """Put `year` where the previous question's last year stood (keeping its preposition), or
    replace its relative year phrase, or add `phrase`."""
    years = list(re.finditer(rf"(?<![\w.]){YEAR}(?![\w.])", prev, re.I))
    if year is not None and years:
        last = years[-1]
        return prev[:last.start()] + year + prev[last.end():]
    spans = list(_TIME.finditer(prev)) + list(_RELATIVE.finditer(prev))
    if spans:
        last = max(spans, key=lambda m: m.start())
        return prev[:last.start()] + phrase + prev[last.end():]
    return f"{prev} {phrase}"


def _replace_phrase(prev: str, rest: str) -> str:
    # "Scope 3" for "Scope 2": a numbered name replaces its sibling
    idents = list(_IDENT.finditer(rest))
    replaced = prev
    for m in idents:
        sibling = re.search(rf"\b{re.escape(m.group(1))}\s+(\d{{1,2}}|[A-Z]|I{{1,3}}|IV)\b", replaced, re.I)
        if sibling:
            replaced = replaced[:sibling.start()] + m.group(0) + replaced[sibling.end():]
    if idents and replaced != prev:
        leftover = _tidy(_IDENT.sub("", rest))
        if not leftover or all(w.lower() in _words(replaced) for w in _WORD.findall(leftover)):
            return replaced
    # "Kingsoft Cloud" for "TAKKT", "Shanghai" for "Beijing": a name replaces the previous name
    rest = re.sub(r"(?<=\w)['’]s$", "", rest)  # "And TAKKT's?": the possessive stays where it was
    if _PROPER.fullmatch(rest):
        names = [m for m in _PROPER.finditer(prev) if m.start() > 0 and not _QUESTION.fullmatch(m.group(0))]
        if names:
            m = names[0]
            return prev[:m.start()] + rest + prev[m.end():]
        return _put_qualifier(prev, "of", f"of {rest}")
    # "for women", "in MWh": a qualifier replaces one with the same preposition, else is added
    qual = _QUALIFIER.match(rest)
    if qual:
        return _put_qualifier(prev, qual.group("prep").lower(), rest)
    # a bare noun phrase: it replaces the metric that shares its head noun, or the metric phrase;
    # one or two words beside a previous "for men" replace its object ("And women?")
    if not _shares_head(prev, rest) and len(_WORD.findall(rest)) <= 2:
        objects = [m for m in _GROUP.finditer(prev)
                   if not _TIME.search(m.group(0)) and not _RELATIVE.search(m.group(0))]
        if objects:
            m = objects[-1]
            return prev[:m.start(1)] + rest + prev[m.end(1):]
    return _put_metric(prev, rest)


def _shares_head(prev: str, phrase: str) -> bool:
    words = _WORD.findall(phrase)
    return bool(words) and words[-1].lower().rstrip("s") in {w.lower().rstrip("s") for w in _WORD.findall(prev)}


def _put_qualifier(prev: str, prep: str, phrase: str) -> str:
    same = [m for m in re.finditer(rf"\b{prep}\s+(?:the\s+)?([^?,;]+?)(?=\s+(?:in|for|during|by|at|as)\s|$)",
                                   prev, re.I) if not _TIME.fullmatch(m.group(0).strip())
            and not _RELATIVE.fullmatch(m.group(0).strip())]
    if same:
        m = same[-1]
        return prev[:m.start()] + phrase + prev[m.end():]
    times = [m for m in list(_TIME.finditer(prev)) + list(_RELATIVE.finditer(prev))]
    if times:  # before the year, where a qualifier usually stands: "... for women in 2022"
        first = min(times, key=lambda m: m.start())
        return f"{prev[:first.start()].rstrip()} {phrase} {prev[first.start():]}"
    return f"{prev} {phrase}"


def _put_metric(prev: str, phrase: str) -> str:
    phrase = re.sub(r"(?i)^(?:the|a|an)\s+", "", phrase)  # the previous question's article stays
    words = _WORD.findall(phrase)
    if not words:
        return prev
    head = words[-1].lower().rstrip("s")
    for m in reversed(list(_WORD.finditer(prev))):
        if m.group(0).lower().rstrip("s") == head:
            start = _phrase_start(prev, m.start())
            return prev[:start] + phrase + prev[m.end():]
    # no shared head: the previous metric is the noun phrase after the question frame
    frame = re.match(r"(?i)^\s*(?:what|which|how\s+(?:many|much))\b(?:\s+(?:was|were|is|are|has\s+been|have\s+been))?"
                     r"(?:\s+(?:the|a|an|its|their|our))?\s+", prev)
    if not frame:
        return f"{phrase} ({prev})"
    end = _BOUNDARY.search(prev, frame.end())
    stop = end.start() if end else len(prev)
    return prev[:frame.end()] + phrase + (" " if end else "") + prev[stop:].lstrip()


def _phrase_start(text: str, head: int) -> int:
    """Where the noun phrase ending at `head` starts: after the last article, verb or preposition."""
    before = text[:head]
    cut = 0
    for m in re.finditer(r"\b(?:the|a|an|its|their|our|what|which|was|were|is|are|has|have|had|been|many|much|"
                         r"in|for|among|at|of|by|during|as|from|to|on|with|and|or)\b\s*", before, re.I):
        cut = m.end()
    return cut


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,;")
    text = re.sub(r"\s+([?,;.])", r"\1", text)
    return text.rstrip(" ?.!").strip()

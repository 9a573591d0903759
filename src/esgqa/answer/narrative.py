"""Narrative answers without an LLM: the two to four sentences of the retrieved passages that
best explain, quoted in report order, each cited.

"How does the company manage water risk?" asks for an explanation, not a figure: one sentence
rarely holds it, and the one with the most question words is often a stray. Sentences (split by
the answer engine's own splitter, `answering.SENTENCE_SPLIT`) are ranked by meaning (embedding
similarity to the question) plus the share of the question's keywords they hold, picked by
maximal marginal relevance so a second sentence adds something instead of restating the first,
then put back in the order the report prints them.

Whether a question is narrative is read from its form alone (`is_narrative`): why / how does /
describe / what approach ..., and no word asking for a quantity.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from esgqa.lexicon import tokens
from esgqa.types import Answer, Citation, Passage

# A quantity asked for: these questions want a figure, whatever their form.
_QUANTITY = re.compile(
    r"\bhow (many|much|long|large|big|high|low|far|old)\b|%|"
    r"\bwhat (?:was |were |is |are )?(?:the )?(?:[\w'-]+ ){0,2}?(percentage|percent|share|proportion|number|amount"
    r"|total|ratio|rate|level|value|score|quantity|volume|figure|count)\b|\bhow (?:is|are|was|were) [\w' -]{0,40}\b"
    r"(?:compared|changed?)\b|\bby how\b|\b(in|by) (which|what) year\b|^\s*when\b", re.I)
# Interrogative forms that ask for an explanation or a way of doing (at the start, or after "and":
# "What targets were set and what steps were taken?").
_EXPLAIN = re.compile(
    r"(?:^\s*|\band\s+)(?:why\b|describe\b|explain\b|outline\b|summari[sz]e\b"
    r"|how (?:do|does|did|is|are|was|were|has|have|had|can|could|will|would|should|must)\b"
    # what approach / policy ... : the kinds of thing a report explains rather than counts (the
    # noun before any do/does/did: in "what did the strategy awareness score" it is not the one asked)
    r"|(?:what|which) (?:(?!(?:do|does|did)\b)[\w'’-]+ ){0,8}?(?:approach|approaches|polic(?:y|ies)"
    r"|strateg(?:y|ies)|process(?:es)?|procedures?|practices?|measures|steps|actions|programs?|programmes?"
    r"|initiatives|mechanisms?|systems?"
    r"|methods?|methodolog(?:y|ies)|tools?|framework|standards?|criteria|reasons?|role|purpose|risks?"
    r"|commitments?|plans?|governance|management|responsibilit(?:y|ies)|issues|impacts|areas)\b)", re.I)
# Forms that ask for a thing done ("what did X conduct", "what does X measure") or how often
# something is done: narrative only when no measure is named ("what did the rate increase to").
_DONE = re.compile(r"^\s*(?:what (?:do|does|did)\b|how (?:often|frequently)\b)", re.I)
_MEASURE = re.compile(
    r"\b(rates?|scores?|ratios?|percentages?|shares?|proportions?|numbers?|amounts?|totals?|levels?|values?"
    r"|counts?|intensit(?:y|ies)|coverage|spend|spent|emit|emitted|consume|consumed|cost)\b"
    r"|\b(?:increase|decrease|rise|fall|grow|drop|decline|amount|come)[sd]? to\b|\breach(?:ed)?\b", re.I)


def is_narrative(question: str) -> bool:
    """True when the question's form asks for an explanation and nothing in it asks for a quantity."""
    if _QUANTITY.search(question):
        return False
    return bool(_EXPLAIN.search(question)) or bool(_DONE.match(question) and not _MEASURE.search(question))


@dataclass(frozen=True)
class Sentence:
    """One sentence of a retrieved passage, where it stands in the report."""

    passage: Passage
    rank: int  # the passage's retrieval rank
    position: int  # its place within the passage
    text: str
    seq: int | None = None  # the passage's place in its document's reading order, where the index knows it

    @property
    def order(self) -> tuple[int, int, int, int]:
        """Report order: page, the passage's place in reading order (else how far down the page
        it starts, else its retrieval rank), then the sentence's place in its passage."""
        page = self.passage.page if self.passage.page is not None else 0
        if self.seq is not None:
            return page, self.seq, 0, self.position
        return page, _top(self.passage), self.rank, self.position


def _top(p: Passage) -> int:
    """How far down its page a passage starts (boxes are top-down), 0 when unknown."""
    return int(p.box[1]) if p.box is not None else 0


@dataclass
class Summary:
    sentences: list[Sentence]  # in report order
    relevance: float  # the best sentence's relevance: how well the summary answers

    def confident(self, *, backed: bool) -> bool:
        """Quote it on its own relevance (ANSWER_MIN), or on a lower one (BACKED_MIN) where the
        one-sentence reader also finds the question supported by the passages."""
        return self.relevance >= ANSWER_MIN or (backed and self.relevance >= BACKED_MIN)


MIN_CHARS = 30  # shorter pieces are headings, labels or cut-off fragments, not explanations
MIN_WORDS = 5
MAX_DIGIT_SHARE = 0.25  # a "sentence" mostly of numbers is a flattened table row


def sentences(passages: Sequence[Passage], reading_order: Mapping[str, int] | None = None,
              following: Mapping[str, Passage] | None = None) -> list[Sentence]:
    """The prose sentences of the passages (table rows and figure runs left out), split by the
    answer engine's one sentence splitter after lines broken mid-sentence are joined again;
    `reading_order` maps passage ids to their place in their document. A passage's successor in
    `following` (the next text passage of its document) is read on after it, as the same stretch of
    text: where a chunk ends, the explanation often begins ("Rather, ..." / "Since ...")."""
    from esgqa.answering import SENTENCE_SPLIT  # the engine imports this module: import on use

    out: list[Sentence] = []
    seen: set[str] = set()
    retrieved = {p.id for p in passages}
    for rank, p in enumerate(passages):
        if p.kind != "text":
            continue
        position = 0
        nxt = (following or {}).get(p.id)
        for part in (p, nxt) if nxt is not None and nxt.id not in retrieved else (p,):
            for line in paragraphs(part.text):
                for piece in SENTENCE_SPLIT.split(line):
                    text = " ".join(piece.strip(" -•").split())
                    key = text.lower()
                    if key in seen or not _prose(text):
                        continue
                    seen.add(key)
                    out.append(Sentence(part, rank, position, text, (reading_order or {}).get(part.id)))
                    position += 1
    return out


_ENDS_SENTENCE = re.compile(r"[.!?:;。！？][\"”’)\]]*(?:\s*\d{1,2})?$")  # a footnote mark may follow
RUN_ON_WORDS = 10  # a line this long that stops without punctuation was cut, not a heading


def paragraphs(text: str) -> list[str]:
    """Lines joined where a PDF broke a sentence ("... of the World" / "Resources Institute"):
    the line stops without punctuation and is no heading (the next starts in lower case, or the
    line is too long for a heading)."""
    out: list[str] = []
    for line in (ln.strip() for ln in text.splitlines()):
        if not line:
            continue
        prev = out[-1] if out else ""
        if prev and not _ENDS_SENTENCE.search(prev) and (
                line[0].islower() or len(prev.split()) >= RUN_ON_WORDS):
            out[-1] = f"{prev} {line}"
        else:
            out.append(line)
    return out


def _prose(text: str) -> bool:
    words = re.findall(r"[A-Za-z][A-Za-z'’-]+", text)
    digits = sum(ch.isdigit() for ch in text)
    return (len(text) >= MIN_CHARS and len(words) >= MIN_WORDS and digits <= MAX_DIGIT_SHARE * len(text)
            and not text.endswith(":")  # a lead-in to a list says nothing by itself
            and not text[0].islower()  # the tail of a sentence cut at a passage's start
            and not _NUMBER_RUN.search(text))


_NUMBER_RUN = re.compile(r"\d[\d.,%]*\s+\d[\d.,%]*\s+\d")  # "2020 2021 2022": a table's header or row


def keyword_overlap(question: str, sentence: Sentence, idf: Mapping[str, float] | None = None) -> float:
    """Share of the question's keywords (weighted by rarity when `idf` is given) that the
    sentence holds; a word only in its section heading counts half."""
    asked = list(dict.fromkeys(tokens(question)))
    if not asked:
        return 0.0
    own = set(tokens(sentence.text))
    heading = set(tokens(sentence.passage.section))
    weight = {t: max(idf.get(t, 1.0), 0.05) if idf is not None else 1.0 for t in asked}
    got = sum(w * (1.0 if t in own else 0.5 if t in heading else 0.0) for t, w in weight.items())
    return got / sum(weight.values())


KEYWORD_WEIGHT = 0.3  # of the keyword share, next to the embedding similarity (both 0..1)
MMR_LAMBDA = 0.7  # relevance against novelty when picking the next sentence
DUPLICATE = 0.9  # embedding similarity above which a sentence restates one already picked
MIN_RELEVANCE = 0.35  # a sentence less relevant than this adds nothing to a summary
# The best sentence's relevance decides whether a summary is the answer. On the tuning sets'
# narrative rows it was 0.70 to 1.12 where it held the answer; questions about topics the reports
# do not treat (coal mines at a retailer, indigenous land rights at a bank) scored 0.36 to 0.65.
# At ANSWER_MIN a summary answers by itself; from BACKED_MIN only where the one-sentence reader
# finds the question supported too (the bundled report's HKEX policy KPIs score 0.56 to 0.67);
# otherwise the one-sentence reader's answer stands (it abstains when nothing supports the question).
ANSWER_MIN = 0.68
BACKED_MIN = 0.5
KEEP_WITHIN = 0.2  # after two sentences, stop at one this much less relevant than the best
MIN_SENTENCES, MAX_SENTENCES = 2, 4
FOLLOW = 0.85  # share of its predecessor's relevance a sentence that continues it inherits
CAUSE = 0.15  # added for a sentence that gives a cause, when the question asks why

# A sentence that leans on the one before it ("This is attributable to ...", "In response, ...",
# "Rather, ...", "We aim to achieve this by ...", "The reason for this is ...") answers what that one
# is about, whatever its own words: it opens with a connective, or points back (this, these, those,
# such) within its first few words.
_CONTINUES = re.compile(
    r"^(?:this|these|that|those|it|its|they|their|such|here|hence|thus|therefore|consequently|accordingly"
    r"|as a result|in response|in addition|additionally|also|however|for this reason|to this end|to that end"
    r"|in this (?:way|context|regard)|due to|because|rather|instead|specifically|in particular"
    r"|for (?:example|instance))\b"
    r"|^(?:[\w’'-]+,?\s+){1,5}(?:this|these|those|such)\b(?!\s+(?:as|year|month|quarter|period|report|time)\b)",
    re.I)  # "this year", "this report", "such as" point at no sentence before
_CAUSE = re.compile(
    r"\b(?:because|due to|owing to|attributable to|as a result of|result(?:s|ed)? from|driven by|caused by"
    r"|thanks to|the reason|reasons? (?:for|is|are|was|were)|since(?!\s+(?:\d|january|february|march|april|may"
    r"|june|july|august|september|october|november|december|the (?:beginning|start|end))))\b", re.I)


def relevance(question: str, pool: Sequence[Sentence], vectors: np.ndarray, query_vector: np.ndarray,
              idf: Mapping[str, float] | None = None) -> np.ndarray:
    """Meaning plus keywords for each sentence; a sentence continuing the one before it in its
    passage inherits most of that one's relevance, and for a why-question a stated cause counts more."""
    own = vectors @ np.asarray(query_vector, dtype=np.float32)
    own = own + KEYWORD_WEIGHT * np.array([keyword_overlap(question, s, idf) for s in pool])
    why = bool(re.match(r"\s*why\b", question, re.I))
    out = np.array(own, dtype=np.float64)
    for i, s in enumerate(pool):
        cause = why and bool(_CAUSE.search(s.text))
        prev = pool[i - 1] if i else None
        if prev is not None and prev.rank == s.rank and prev.position == s.position - 1 and (
                cause or _CONTINUES.match(s.text)):
            out[i] = max(out[i], FOLLOW * out[i - 1])
        out[i] += CAUSE * cause
    return out


def summarise(
    question: str, passages: Sequence[Passage], embed: Callable[[list[str]], list[np.ndarray]],
    query_vector: np.ndarray, idf: Mapping[str, float] | None = None,
    reading_order: Mapping[str, int] | None = None, following: Mapping[str, Passage] | None = None,
) -> Summary | None:
    """Two to four relevant, mutually different sentences in report order (documents in the
    order their best passage was retrieved); None when no sentence is relevant enough to be
    worth quoting (`Summary.confident` says whether it answers)."""
    pool = sentences(passages, reading_order, following)
    if not pool:
        return None
    vectors = np.vstack(embed([s.text for s in pool]))
    rel = relevance(question, pool, vectors, query_vector, idf)
    best = float(rel.max())
    if best < BACKED_MIN:
        return None
    picked: list[int] = []
    left = set(range(len(pool)))
    while left and len(picked) < MAX_SENTENCES:
        def mmr(i: int) -> float:
            redundancy = max((float(vectors[i] @ vectors[j]) for j in picked), default=0.0)
            return MMR_LAMBDA * float(rel[i]) - (1 - MMR_LAMBDA) * redundancy

        i = max(left, key=lambda j: (mmr(j), -j))
        left.discard(i)
        if any(float(vectors[i] @ vectors[j]) >= DUPLICATE for j in picked):
            continue  # a near-duplicate (the same sentence in a summary box and the body)
        if rel[i] < MIN_RELEVANCE or (len(picked) >= MIN_SENTENCES and rel[i] < best - KEEP_WITHIN):
            break
        picked.append(i)
    first: dict[str, int] = {}
    for i in picked:
        first[pool[i].passage.document] = min(first.get(pool[i].passage.document, pool[i].rank), pool[i].rank)
    chosen = sorted((pool[i] for i in picked), key=lambda s: (first[s.passage.document], s.order))
    return Summary(chosen, best)


def narrative_answer(question: str, summary: Summary, backend: str) -> Answer:
    """The sentences in report order, each followed by [n] of its passage; one citation per
    passage, quoting the sentences taken from it. Never a figure: it explains, it does not measure."""
    numbers: dict[str, int] = {}  # passage id -> citation number
    quoted: dict[str, list[str]] = {}
    parts = []
    for s in summary.sentences:
        n = numbers.setdefault(s.passage.id, len(numbers) + 1)
        quoted.setdefault(s.passage.id, []).append(s.text)
        parts.append(f"{s.text} [{n}]")
    passage = {s.passage.id: s.passage for s in summary.sentences}
    citations: list[Citation] = [passage[i].cite(n, " ".join(quoted[i])) for i, n in numbers.items()]
    return Answer(question=question, answer=" ".join(parts), abstained=False, citations=citations,
                  backend=backend, figure=None, unit=None, confidence=round(min(1.0, max(0.0, summary.relevance)), 3))

"""Answer steps behind one interface, composed with the retriever as an LCEL chain.

The default `extractive` backend needs no LLM: it splits the retrieved passages into sentences
and table rows, scores each against the question, and quotes the best one with its figure.
It abstains ("not disclosed in the report") when nothing supports the question well enough.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from langchain_core.runnables import Runnable, RunnableLambda

from esgqa.answer.cells import Candidate, CellModel, Context, admissible, candidates, numbers_named, ranked
from esgqa.answer.company import as_asked_of
from esgqa.answer.compose import compose
from esgqa.answer.narrative import Summary, is_narrative, narrative_answer, summarise
from esgqa.chunking import CELL_SEP
from esgqa.embeddings import get_query_embeddings
from esgqa.figures import YEAR, Figure, numbers_in, parse_figures, units_named
from esgqa.index import Index
from esgqa.lexicon import STOP_STEMS, STOPWORDS, expand, stem, tokens
from esgqa.retrieval import HybridRetriever, dense_text, from_document
from esgqa.settings import Settings
from esgqa.types import Answer, Passage

NOT_DISCLOSED = "Not disclosed in the report"
_TARGET_WORDS = {"target", "goal", "design", "designed", "expect", "expected", "expecting", "plan",
                 "planned", "aim", "forecast", "estimate", "estimated", "ambition", "commitment", "will"}
_PERCENT_WORDS = {"percentage", "percent", "share", "proportion", "rate", "ratio", "%"}
# "outside mainland China": the answer must be about the complement, not the named thing.
_CONTRAST_Q = re.compile(r"\b(outside|excluding|except|other than|beyond|apart from|non-)", re.I)
_CONTRAST_U = re.compile(r"\b(outside|other|overseas|international|excluding|except|beyond|abroad|foreign|non-)",
                         re.I)
_OPEN_QUESTION = re.compile(
    r"^\s*(how (do|does|did|is|are)\b|describe|explain|why|what (?:[\w-]+ ){0,4}?(measures|policies|steps|actions"
    r"|approach|procedures|practices|process|programs?|initiatives|issues|impacts|areas|mechanisms|systems)\b"
    r"|which|who|does|do|is|are|has|have)\b", re.I)
# Stock ("663 patents by the end of 2022") versus flow ("added 232 patents this year").
_STOCK = re.compile(r"\b(by|as of|as at|at) (the )?end of\b|\bas (of|at)\b|\b(accumulated|accumulative|cumulative"
                    r"|cumulatively|in total|to date|so far|hold|held|holds|had been)\b", re.I)
_FLOW = re.compile(r"\b(added|adding|new|newly|additional|during the year|in this year|this year|in the year)\b", re.I)
# Words that say a figure is the whole, not a different measure: never a reason to doubt it.
_WHOLE = {"total", "overall", "whole", "entire", "aggregate", "all"}
# Words that introduce the figure a comparison is made against: "(compared to 4,270 ...)", "instead of".
_COMPARED = re.compile(r"\b(?:compared (?:to|with)|versus|vs\.?|instead of|up from|down from|against)"
                       r"(?:\s+(?:approximately|about|around|roughly|some))?\s*[$€£]?\s*$", re.I)
# "increased by 104 t CO2e", "a 24 percent increase": the figure is a change, not the level reached
_CHANGE_BEFORE = re.compile(r"\b(?:increased|decreased|rose|fell|grew|declined|dropped|reduced|lowered|raised|up|down)"
                            r"\s+by(?:\s+(?:approximately|about|around|roughly|some|nearly|almost))?"
                            r"\s*[$€£]?\s*$", re.I)
_CHANGE_AFTER = re.compile(r"\s*(?:percentage points?\s*)?"
                           r"(?:increase|decrease|rise|growth|decline|reduction|drop|fall)\b", re.I)
_ASKS_CHANGE = re.compile(r"\b(?:by how much|chang\w*|increas\w*|decreas\w*|reduc\w*|grow\w*|grew|rise|rose|fall|fell"
                          r"|declin\w*|drop\w*)\b", re.I)
# "(2022: 1,518,000)": a comparison figure labelled with its year; the sentence is still about its own year
_YEAR_LABEL = re.compile(rf"\(\s*{YEAR.pattern}\s*:[^()]*\)")
_INDEX_HEADER = re.compile(r"(chapters?|sections?|page( numbers?)?|pages|location|reference|report section|"
                           r"where (disclosed|reported)|disclosure location)", re.I)
# English sentences end in ". " before a capital; Chinese ones in "。！？" with no space after.
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])|(?<=[。！？])\s*")


# The sentence reader's score: these parts (`ExtractiveAnswerer._parts`) plus SEMANTIC_WEIGHT times the
# question-sentence similarity, shown at `min_support` or above. Still set by hand (on the bundled report),
# the one scorer that is: a conditional logit fitted on the same parts over the tuning sets ranked the
# right sentence first less often (bundled paraphrases 104 vs 109 of 118) and lowered the leave-one-report-out
# accuracy 0.567 -> 0.541 (note of 2026-11-27); `benchmarks/fit.py` fits the cells and calibrates this score.
TEXT_WEIGHTS = {
    "coverage": 0.45,  # the question's words (by rarity) in the sentence: what it is about
    "specificity": 0.2,  # the words around the figure are the ones asked: this figure, not its neighbour
    "retrieval_rank": 0.03,  # a tie-breaker: the passage retrieval ranked higher
    "overcovers": -0.15,  # "Scope 1 and 2" for a question about Scope 1
    "figure_fit": 0.05,  # the figure's own words; a comparison, a change, a target or another year's figure
    "aspect_differs": -0.25,  # a total to date asked, an amount added in the year given (or the reverse)
    "percent_differs": -0.1,  # a share asked, not a percentage
}


class Answerer(Protocol):
    """The narrow interface every backend implements."""

    name: str

    def answer(self, question: str, passages: list[Passage]) -> Answer: ...


# ---- question analysis ---------------------------------------------------------------------
@dataclass
class Query:
    text: str
    terms: list[str]
    years: set[int]
    relative_years: set[int]  # offsets from the reporting year ("last year" = 0, "prior year" = -1)
    identifiers: list[tuple[str, str]]  # ("scope", "3"): numbered names that must match
    wants_percent: bool
    wants_target: bool
    wants_figure: bool
    wants_count: bool = False
    contrast: bool = False
    aspect: str = ""  # "stock" (a total as of a date) or "flow" (added during the period)
    narrative: bool = False  # asks for an explanation (answer.narrative), never a figure
    numbers: set[float] = field(default_factory=set)
    surface: dict[str, str] = field(default_factory=dict)  # stem -> the word as asked
    document: str | None = None  # the one report the passages come from: its own keyword statistics

    def asked_years(self, report_year: int | None) -> set[int]:
        years = set(self.years)
        if report_year:
            years |= {report_year + off for off in self.relative_years}
        return years


def analyse(question: str, abbreviations: dict[str, str]) -> Query:
    q = question.strip()
    low = q.lower()
    years = {int(y) for y in YEAR.findall(q)}
    years |= {2000 + int(y) for y in re.findall(r"\bfy\s?'?(\d{2})\b", low)}
    relative: set[int] = set()
    # "the year before (the reporting year)" names the year before, not the reporting year it mentions
    year_before = re.search(r"\b(year|period) before\b", low)
    if re.search(r"\b(this|last|the latest|the most recent|the current|the reporting) (year|period)\b|"
                 r"\breporting (year|period)\b", low) and not years and not year_before:
        relative.add(0)
    if re.search(r"\b(previous|prior|preceding) (year|period)\b", low) or year_before:
        relative.add(-1)
    if re.search(r"\b(next|following|coming) year\b", low):
        relative.add(1)
    identifiers = [(w, n) for w, n in re.findall(r"\b([a-z]+)\s+(\d{1,2})\b(?!\s*(?:%|,\d|\.\d))", low)
                   if w not in {"in", "of", "by", "than", "to", "and", "for", "were", "was", "is", "are"}]
    expanded = expand(q, abbreviations)
    terms = [t for t in tokens(expanded) if not t.isdigit() and not re.fullmatch(r"(fy)?\d+", t)]
    word_set = set(tokens(low, keep_stopwords=True)) | set(low.split())
    narrative = is_narrative(q)
    return Query(
        text=q,
        terms=list(dict.fromkeys(terms)),
        years=years,
        relative_years=relative,
        identifiers=identifiers,
        wants_percent=bool(word_set & _PERCENT_WORDS) or "%" in q,
        wants_target=bool({t.rstrip("s") for t in word_set} & _TARGET_WORDS - {"will"}),
        wants_figure=not narrative and (not _OPEN_QUESTION.match(q) or bool(re.search(r"\bhow (many|much)\b", low))),
        wants_count=bool(re.search(r"\bhow many\b|\bnumber of\b", low)),
        contrast=bool(_CONTRAST_Q.search(q)),
        aspect=aspect_of(q),
        narrative=narrative,
        numbers={f.value for f in parse_figures(q)},
        surface={stem(w): w for w in re.findall(r"[a-z]+", low) if w not in STOPWORDS},
    )


def aspect_of(text: str) -> str:
    """'stock' (a total as of a date), 'flow' (added in the period) or '' when the text does not say."""
    stock, flow = bool(_STOCK.search(text)), bool(_FLOW.search(text))
    return "stock" if stock and not flow else "flow" if flow and not stock else ""


def only_document(passages: list[Passage]) -> str | None:
    """The document all passages come from, or None when they mix reports."""
    docs = {p.document for p in passages}
    return docs.pop() if len(docs) == 1 else None


# ---- candidate answer units ------------------------------------------------------------------
@dataclass
class Unit:
    passage: Passage
    rank: int
    quote: str  # the evidence as cited
    context: str  # the words that describe it (section, caption, headers, row label, sentence)
    figures: list[Figure]
    table_values: list[tuple[str, str]] = field(default_factory=list)  # (column header, cell)
    row_label: str = ""
    unit_cell: str = ""
    score: float = 0.0
    figure: Figure | None = None
    figure_column: str = ""
    fit: float = 0.0  # how well the chosen figure's own words fit the question (sentences only)

    @functools.cached_property
    def terms(self) -> set[str]:
        """The context's keyword terms (asked for by several scoring steps)."""
        return set(tokens(self.context))

    @functools.cached_property
    def aspect(self) -> str:
        """Stock or flow, as the sentence (a table row: its labels) says: once per unit, not per figure."""
        return aspect_of(self.quote if not self.table_values else self.context)


def _words(context: str) -> list[str]:
    """The distinct content words of a unit, as `_soft` compares them with question words."""
    return list(dict.fromkeys(w for w in re.findall(r"[a-z]{3,}", context.lower()) if w not in STOPWORDS))


def units_of(passage: Passage, rank: int) -> list[Unit]:
    if passage.kind == "table":
        return _table_units(passage, rank)
    out = []
    lead = ""  # the last line not led by a figure: the caption of an infographic's list
    for line in passage.text.splitlines():
        led_by_figure = bool(re.match(r"[<>~$€£]?\d", line.strip()))
        for sentence in SENTENCE_SPLIT.split(line):
            sentence = sentence.strip(" -•")
            if len(sentence) < 8:
                continue
            about = f"{lead} " if led_by_figure and len(line) < 60 and lead else ""
            out.append(Unit(passage, rank, sentence, f"{passage.section}. {about}{sentence}", numbers_in(sentence)))
        if not led_by_figure:
            lead = line.strip()
    return out


def _table_units(passage: Passage, rank: int) -> list[Unit]:
    lines = passage.text.splitlines()
    caption = [ln for ln in lines if CELL_SEP.strip() not in ln]
    rows = [ln for ln in lines if CELL_SEP.strip() in ln]
    if len(rows) < 2:
        return []
    header = [c.strip() for c in rows[0].split("|")]
    if any(re.fullmatch(r"\d{1,3}", c) for c in header):
        return []  # a header of bare numbers is a contents list with page numbers, not data
    if any(_INDEX_HEADER.fullmatch(c) for c in header):
        # A content index (GRI / HKEX / SASB) says where a disclosure is, not what it says; only
        # a sentence in it that states a figure is a disclosure.
        out = []
        for row in rows[1:]:
            for cell in row.split("|"):
                for sentence in SENTENCE_SPLIT.split(cell.strip()):
                    figs = [f for f in numbers_in(sentence) if f.is_quantity]
                    if figs and len(sentence) > 30:
                        out.append(Unit(passage, rank, sentence, f"{passage.section}. {sentence}", figs))
        return out
    out = []
    for row in rows[1:]:
        cells = [c.strip() for c in row.split("|")]
        values, labels, unit_cell = [], [], ""
        for i, cell in enumerate(cells):
            head = header[i] if i < len(header) else ""
            if head.lower() == "unit":
                unit_cell = cell
            elif numbers_in(cell) and len(cell) < 40 and not re.search(r"[a-z]{4,}", cell):
                values.append((head, cell))
            elif cell:
                labels.append(cell)
        label = " — ".join(labels)
        quote = "\n".join([*caption, rows[0], row])
        context = f"{passage.section}. {' '.join(caption)} {label} {unit_cell}"
        figs = [f for _, c in values for f in numbers_in(c)]
        if not values:  # a row of words: read it as a sentence
            text = " ".join(c for c in cells if c)
            out.append(Unit(passage, rank, quote, f"{passage.section}. {text}", numbers_in(text)))
            continue
        out.append(Unit(passage, rank, quote, context, figs, values, label, unit_cell))
    return out


# ---- the extractive backend ------------------------------------------------------------------
class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, index: Index, min_support: float = 0.5, cell_model: CellModel | None = None) -> None:
        self.index = index
        self.min_support = min_support
        self.cell_model = cell_model if cell_model is not None else CellModel.load()
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    MAX_VECTORS = 20_000  # remembered unit and word vectors (~30 MB); the oldest half goes first

    # Embeddings of unit texts are pure functions of the text: safe to share across requests.
    def _embed(self, texts: list[str]) -> list[np.ndarray]:
        with self._lock:
            got = {t: self._vectors[t] for t in dict.fromkeys(texts) if t in self._vectors}
        missing = [t for t in dict.fromkeys(texts) if t not in got]
        if missing:
            new = {t: np.asarray(v, dtype=np.float32)
                   for t, v in zip(missing, get_query_embeddings().embed_documents(missing))}
            got.update(new)
            with self._lock:
                if len(self._vectors) + len(new) > self.MAX_VECTORS:
                    for t in list(self._vectors)[: len(self._vectors) // 2]:
                        del self._vectors[t]
                self._vectors.update(new)
        return [got[t] for t in texts]

    def answer(self, question: str, passages: list[Passage]) -> Answer:
        """The better of two readings, by fitted probability: the best table cell, and the
        best sentence or table-text figure (`text_answer`)."""
        query = self.query(question, passages)
        summary = self.narrative(question, passages, query) if query.narrative else None
        if summary is not None and summary.confident(backed=False):
            return narrative_answer(question, summary, self.name)
        text = self.text_answer(question, passages, query)
        if summary is not None and summary.confident(backed=not text.abstained):
            return narrative_answer(question, summary, self.name)
        if self.cell_model is None or not query.wants_figure:
            return text
        cells = self.cell_ranking(question, query, passages)
        return compose(question, text, cells, self.cell_model, self.name)

    def narrative(self, question: str, passages: list[Passage], query: Query) -> Summary | None:
        """Two to four sentences in report order for a question that asks for an explanation;
        None when none is relevant at all. `answer` quotes it where it is confident enough."""
        qvec = np.asarray(self.index.embeddings.embed_query(dense_text(self.index, question, query.document)))
        bm25, in_order = self.index.bm25(query.document)  # the document's passages in reading order
        ids = {p.id for p in passages if p.kind == "text"}
        following = {p.id: nxt for p, nxt in zip(in_order, in_order[1:])
                     if p.id in ids and nxt.kind == "text" and nxt.document == p.document}
        quoted = ids | {nxt.id for nxt in following.values()}
        reading = {p.id: n for n, p in enumerate(in_order) if p.id in quoted}
        return summarise(question, passages, self._embed, qvec, bm25.idf, reading, following)

    def query(self, question: str, passages: list[Passage]) -> Query:
        """The question parsed once, with the abbreviations and keyword statistics of the one
        report the passages come from (the whole store's when they mix reports)."""
        document = only_document(passages)
        query = analyse(question, self.index.abbreviations(document))
        query.document = document
        return query

    def cell_ranking(self, question: str, query: Query, passages: list[Passage]) -> list[tuple[float, Candidate]]:
        cands, context = self.cell_candidates(question, query, passages)
        return ranked(cands, context, self.cell_model) if cands else []

    def cell_candidates(self, question: str, query: Query,
                        passages: list[Passage]) -> tuple[list[Candidate], Context | None]:
        """The cells of the retrieved table rows that could answer (`admissible`), and the question's
        context (None, and not computed, when no table row was retrieved)."""
        cands = candidates([p for p in passages if p.kind == "row"])
        if not cands:
            return [], None
        context = self.cell_context(question, query, passages)
        return [c for c in cands if admissible(c, context)], context

    def cell_context(self, question: str, query: Query, passages: list[Passage]) -> Context:
        year = next((p.year for p in passages if p.year), None)
        qvec = np.asarray(self.index.embeddings.embed_query(question))
        terms = set(query.terms) | {n for _, n in query.identifiers}
        bm25, _ = self.index.bm25(query.document)  # the report's own statistics, not the store's
        return Context(terms=terms, years=query.asked_years(year), wants_percent=query.wants_percent,
                       identifiers=query.identifiers,
                       vector=qvec, embed=lambda t: self._embed([t])[0], embed_many=self._embed,
                       units=units_named(question),
                       idf=bm25.idf, max_idf=bm25.max_idf)

    def text_answer(self, question: str, passages: list[Passage], query: Query | None = None) -> Answer:
        """The sentence and table-text reading (table rows are read by `cell_ranking`)."""
        query = query or self.query(question, passages)
        units = [u for rank, p in enumerate(passages) if p.kind != "row" for u in units_of(p, rank)]
        if not units:
            return self._abstain(question, passages, 0.0)
        bm25, _ = self.index.bm25(query.document)
        idf = bm25.idf
        max_idf = bm25.max_idf
        weights = {t: max(idf.get(t, max_idf), 0.05) for t in query.terms}
        # Every part of a unit's score but the semantic one is cheap. Embedding the units is
        # what costs, so units are embedded best-first, and only while the semantic part
        # (at most SEMANTIC_WEIGHT) could still lift one above the best so far: exact, not a heuristic.
        gates = {id(u): g for u in units if (g := self._gate(query, u)) is not None}
        able = [u for u in units if id(u) in gates]
        self._prefetch_words(query, weights, able)
        base = {id(u): self._score(query, u, weights, len(passages), *gates[id(u)]) for u in able}
        pending = sorted(able, key=lambda u: -base[id(u)])
        qvec = np.asarray(self.index.embeddings.embed_query(dense_text(self.index, question, query.document)))
        best, scored = float("-inf"), set()
        while pending and base[id(pending[0])] + self.SEMANTIC_WEIGHT >= best:
            batch, pending = pending[:self.EMBED_BATCH], pending[self.EMBED_BATCH:]
            for unit, vec in zip(batch, self._embed([u.context for u in batch])):
                unit.score = base[id(unit)] + self.SEMANTIC_WEIGHT * float(np.dot(qvec, vec))
                best = max(best, unit.score)
                scored.add(id(unit))
        eligible = sorted((u for u in units if id(u) in scored and u.score > 0), key=lambda u: -u.score)
        if not eligible or eligible[0].score < self.min_support:
            return self._abstain(question, passages, eligible[0].score if eligible else 0.0)
        return self._respond(question, query, eligible[0])

    SEMANTIC_WEIGHT = 0.35  # of the question-unit embedding similarity in a unit's score
    EMBED_BATCH = 8

    def _gate(self, q: Query, u: Unit) -> tuple[list[tuple[Figure | None, float]], int] | None:
        """The figures a unit could answer with, and how many identifiers it over-covers;
        None when it cannot answer the question at all."""
        low = u.context.lower()
        extra = 0
        for word, num in q.identifiers:  # "Scope 3" must be about Scope 3 ("Scope 1 and 2" names Scope 2)
            if num not in numbers_named(word, low):
                return None
            # "Scope 1 and 2" is about more than Scope 1 (unless that is what was asked)
            combined = rf"\b{re.escape(word)}\s*\d+\s*(?:and|&|\+|,)\s*\d+"
            asked_several = sum(w == word for w, _ in q.identifiers) > 1
            extra += bool(re.search(combined, low)) and not asked_several and not re.search(combined, q.text.lower())
        years = q.asked_years(u.passage.year)
        candidates = self._candidates(q, u, years)
        return (candidates, extra) if candidates else None

    def _score(
        self, q: Query, u: Unit, weights: dict[str, float], k: int,
        candidates: list[tuple[Figure | None, float]], extra: int,
    ) -> float:
        """A unit's score without its semantic part, with its best figure."""
        best: tuple[float, Figure | None, float] = (-1.0, None, 0.0)
        soft = {t: self._soft(q, t, u.context) for t in weights if t not in u.terms}
        for fig, fit in candidates:
            parts = self._parts(q, u, weights, soft, k, fig, fit, extra)
            score = sum(TEXT_WEIGHTS[name] * value for name, value in parts.items())
            if score > best[0]:
                best = (score, fig, fit)
        score, u.figure, u.fit = best
        return score

    def _parts(self, q: Query, u: Unit, weights: dict[str, float], soft: dict[str, float], k: int,
               fig: Figure | None, fit: float, extra: int) -> dict[str, float]:
        """The named parts of a sentence figure's score but its semantic one (TEXT_WEIGHTS)."""
        found = u.terms
        total = sum(weights.values()) or 1.0
        claimed = self._claimed(u, fig)
        coverage = sum(w * (soft[t] if t not in found else self.CLAIMED_CREDIT if t in claimed else 1.0)
                       for t, w in weights.items()) / total
        return {
            "coverage": coverage,
            "specificity": self._specificity(q, u, fig),
            "retrieval_rank": 1 - u.rank / max(k, 1),
            "overcovers": float(extra),
            "figure_fit": max(-1.0, min(1.0, fit)),
            "aspect_differs": float(bool(q.aspect and u.aspect not in ("", q.aspect))),
            "percent_differs": float(bool(fig and q.wants_percent and not (fig.unit == "percent"
                                                                               or "%" in u.unit_cell))),
        }

    CLAIMED_CREDIT = 0.3  # a question word that, in this sentence, describes a different figure

    def _claimed(self, u: Unit, fig: Figure | None) -> set[str]:
        """Words that describe another figure of the sentence and not this one ("742 suppliers,
        of which 95.7% in mainland China": 'mainland' belongs to 95.7%). Words before the
        first figure are the sentence's subject and belong to all of them."""
        if fig is None or u.table_values or len(u.figures) < 2:
            return set()
        own = set(tokens(" ".join(figure_windows(u.quote, fig))))
        subject = set(tokens(u.quote[:min(f.start for f in u.figures)]))
        others = {t for g in u.figures if g is not fig for t in tokens(" ".join(figure_windows(u.quote, g)))}
        return others - own - subject

    SOFT_MIN = 0.68  # word-embedding similarity for a synonym ("workforce" ~ "employees")
    SOFT_CREDIT = 0.7

    def _soft(self, q: Query, term: str, context: str) -> float:
        """Partial credit for a question word whose synonym is in the unit; high bar, since
        embeddings also put antonyms close (male ~ female: 0.73)."""
        surface = q.surface.get(term)
        if not surface:
            return 0.0
        words = _words(context)
        if not words:
            return 0.0
        qv, *wv = self._embed([surface, *words])
        best = max(float(np.dot(qv, v)) for v in wv)
        return self.SOFT_CREDIT if best >= self.SOFT_MIN else 0.0

    def _prefetch_words(self, q: Query, weights: dict[str, float], units: list[Unit]) -> None:
        """Embed, in one batch, every word `_soft` may compare: one model call per question
        instead of one per unit."""
        surfaces = [q.surface[t] for t in weights if t in q.surface]
        missing = [u for u in units if set(weights) - u.terms]
        if surfaces and missing:
            self._embed(surfaces + [w for u in missing for w in _words(u.context)])

    def _specificity(self, q: Query, u: Unit, fig: Figure | None) -> float:
        """Share of the words describing the figure that the question asked for.

        Penalises a close but different measure ("employees trained by gender" for
        "female employees"). For a table cell the description is its row label and
        column; for a sentence, the words just around the figure.
        """
        if not fig:
            return 0.5
        if u.table_values:
            described = self._described(u, fig)
        else:
            described = _around(u.quote, fig.start - 60, fig.end + 30)
        words = [t for t in dict.fromkeys(tokens(described)) if not t.isdigit() and t != "data" and t not in _WHOLE]
        if not words:
            return 0.5
        bm25, _ = self.index.bm25(q.document)
        w = {t: max(bm25.idf.get(t, 1.0), 0.05) for t in words}
        asked = set(q.terms)
        return sum(v for t, v in w.items() if t in asked) / sum(w.values())

    def _candidates(self, q: Query, u: Unit, years: set[int]) -> list[tuple[Figure | None, float]]:
        """The figures a unit could answer with, each with its fit; [] when it cannot answer."""
        if u.table_values:
            return [(u.figure, 0.0)] if self._choose_cell(q, u, years) else []
        stated = {int(y) for y in YEAR.findall(_YEAR_LABEL.sub(" ", u.quote))}
        if years and not (years & stated) and not (not stated and u.passage.year in years):
            return []
        if not q.wants_figure:  # an open question: the sentence is the answer, not one number in it
            return [(None, 0.0)]
        figures = [f for f in u.figures if f.value not in q.numbers]  # "activity 7.7" names a row, not a figure
        flattened = column_run(u.quote, figures)
        fits = [(f, self._figure_fit(q, u, f, years)) for f in figures
                if f.start not in flattened and self._fits_kind(q, u, f)]
        return [(f, fit) for f, fit in fits if fit > -1]

    @staticmethod
    def _described(u: Unit, f: Figure) -> str:
        """The words that say what a figure measures: row label and column, or nearby words."""
        if u.table_values:
            return f"{u.row_label} {u.figure_column}"
        before, after = figure_windows(u.quote, f)
        return f"{before} {after}"

    def _fits_kind(self, q: Query, u: Unit, f: Figure) -> bool:
        """A count question is not answered by a percentage; 'outside X' not by X itself."""
        is_pct = f.unit == "percent" or "%" in u.unit_cell
        if q.wants_count and not q.wants_percent and is_pct:
            return False
        return not (q.contrast and not _CONTRAST_U.search(self._described(u, f)))

    def _figure_fit(self, q: Query, u: Unit, f: Figure, years: set[int]) -> float:
        """How well a figure in a sentence fits the question: question words describing it.

        A figure's description runs from the previous figure or clause break to the next
        one; words after a number ("663 granted patents") describe it more surely than
        words before it.
        """
        text = u.quote
        before_text, after_text = figure_windows(text, f)
        before = tokens(before_text, keep_stopwords=True)[-10:]
        after = tokens(after_text, keep_stopwords=True)[:6]
        asked = self._informative(q)
        other = self._unasked(q, before + after)

        bm25 = self.index.bm25(q.document)[0]
        idf, top = bm25.idf, bm25.max_idf

        def weigh(words: list[str], scale: float) -> float:
            # rarer words name the measure ("WUE"); common ones name the setting ("data center")
            return sum(scale / d * ((w in asked) - 0.5 * (w in other)) * (0.5 + idf.get(w, top) / top)
                       for d, w in enumerate(words, start=1))

        fit = weigh(list(reversed(before)), 0.5) + weigh(after, 1.0)
        fit += self._respectively(q, text, f)
        if q.wants_percent:
            fit += 0.5 if f.unit == "percent" else -0.3
        # "increased from 57% to 99%", "5,015 (compared to 4,270 a year ago)", "8,638 instead of 8,339":
        # the figure a comparison starts from is not the one reported, unless the question asks for it
        before_fig = text[max(0, f.start - 80):f.start]  # both rules below look only at the words just before
        compared = _COMPARED.search(before_fig) or (
            re.search(r"\bfrom\s*$", before_fig) and re.match(r"\s*to\b", text[f.end:]))
        asks_earlier = re.search(r"\b(from|before|previous|prior|initial|start|compared)\b", q.text, re.I)
        if compared and (not asks_earlier or "instead" in compared.group(0).lower()):
            fit -= 1.5  # "instead of" names a figure replaced: never the one asked
        changed = _CHANGE_BEFORE.search(before_fig) or _CHANGE_AFTER.match(text[f.end:f.end + 30])
        if changed and not _ASKS_CHANGE.search(q.text):
            fit -= 1.5  # asked for the level, this is how much it moved
        # "(2022: 20%)", "120 million in 2023": a figure labelled with a year not asked is that year's
        label = re.search(rf"{YEAR.pattern}\s*:\s*$", before_fig)
        trailing = re.split(r"[,;()]", text[f.end:f.end + 25])[0]  # "in 2023" right after the figure
        own = {int(y) for y in YEAR.findall(trailing)} or ({int(label.group(1))} if label else set())
        if years and own and not own & years:
            fit -= 1.5
        clause = re.split(r"[,;:]", text[:f.start])[-1]
        if not q.wants_target and set(tokens(clause, keep_stopwords=True)) & _TARGET_WORDS:
            fit -= 2  # a goal or design value is not the actual figure
        if q.wants_target and not set(tokens(text[:f.start], keep_stopwords=True)) & _TARGET_WORDS:
            fit -= 1  # nor is an actual figure the goal ("achieved 1.37, which exceeded the target")
        return fit

    def _informative(self, q: Query) -> set[str]:
        """Question terms rare enough to tell passages apart (not the company's own name)."""
        bm25, _ = self.index.bm25(q.document)
        return {t for t in q.terms if bm25.idf.get(t, 10.0) >= 1.0}

    def _unasked(self, q: Query, words: list[str]) -> set[str]:
        """Distinctive words describing a figure that the question did not ask about."""
        bm25, _ = self.index.bm25(q.document)
        asked = set(q.terms)
        neutral = asked | STOP_STEMS | _WHOLE
        return {w for w in words if w not in neutral and bm25.idf.get(w, 0.0) >= 1.5 and not w.isdigit()}

    @staticmethod
    def _respectively(q: Query, text: str, f: Figure) -> float:
        """'PUE and WUE ... set 1.36 and 1.95 respectively': pair the i-th name with the i-th figure."""
        if "respectively" not in text.lower():
            return 0.0
        figs = numbers_in(text)
        m = re.search(r"\b([\w\-]+)((?:,\s*[\w\-]+)*)\s+and\s+([\w\-]+)\b", text[:figs[0].start] if figs else "")
        if not m or f not in figs:
            return 0.0
        names = [m.group(1), *[x.strip() for x in m.group(2).split(",") if x.strip()], m.group(3)]
        if len(names) != len(figs):
            return 0.0
        i = figs.index(f)
        return 2.0 if tokens(names[i]) and tokens(names[i])[0] in set(q.terms) else -1.0

    def _choose_cell(self, q: Query, u: Unit, years: set[int]) -> bool:
        cols = u.table_values
        header_years = [{int(y) for y in YEAR.findall(h)} for h, _ in cols]
        label_years = {int(y) for y in YEAR.findall(u.row_label)}
        if years:
            if label_years:
                if not years & label_years:
                    return False
            elif any(header_years):
                cols = [c for c, hy in zip(cols, header_years) if hy & years]
                if not cols:
                    return False
            elif u.passage.year not in years:
                return False
        is_target = [bool(set(tokens(h, keep_stopwords=True)) & _TARGET_WORDS) for h, _ in cols]
        if q.wants_target and any(is_target):
            cols = [c for c, t in zip(cols, is_target) if t]
        elif not q.wants_target and not all(is_target):
            cols = [c for c, t in zip(cols, is_target) if not t]
        elif not q.wants_target:
            return False

        def col_rank(col: tuple[str, str]) -> tuple[float, int]:
            head_tokens = set(tokens(col[0]))
            ys = [int(y) for y in YEAR.findall(col[0])]
            return (len(head_tokens & set(q.terms)), max(ys) if ys else 0)

        head, cell = max(reversed(cols), key=col_rank)
        figs = numbers_in(cell)
        if not figs:
            return False
        u.figure, u.figure_column = figs[0], head
        return self._fits_kind(q, u, figs[0])

    # ---- building the answer ---------------------------------------------------------------
    def _respond(self, question: str, q: Query, u: Unit) -> Answer:
        p = u.passage
        citation = p.cite(1, u.quote)
        fig = u.figure
        if u.table_values and fig:
            unit = u.unit_cell or ("%" if fig.unit == "percent" and "%" not in fig.text else "")
            column = f" ({u.figure_column})" if u.figure_column else ""
            text = f"{u.row_label}{column}: {fig.text}{' ' + unit if unit and unit != '%' else unit} [1]"
        else:
            unit = _unit_after(u.quote, fig) if fig else ""
            text = f"{u.quote} [1]"
        if fig and not YEAR.search(text) and p.year:
            text += f" (reporting year {p.year})"
        return Answer(
            question=question, answer=text, abstained=False, citations=[citation],
            backend=self.name, figure=fig.text if fig else None, unit=unit or None,
            confidence=round(min(1.0, u.score), 3),
        )

    def _abstain(self, question: str, passages: list[Passage], best: float) -> Answer:
        cites = [p.cite(i) for i, p in enumerate(passages[:3], start=1)]
        refs = ", ".join(f"[{c.n}]" for c in cites)
        text = f"{NOT_DISCLOSED}: no passage states this."
        if refs:
            text += f" Closest passages to check: {refs}."
        return Answer(question=question, answer=text, abstained=True, citations=cites,
                      backend=self.name, confidence=round(max(0.0, 1 - best), 3))


_RUN_GAP = re.compile(r"[\s()\-–—]*")  # what stands between two columns' figures of a flattened row


def column_run(text: str, figures: list[Figure]) -> set[int]:
    """Starts of the figures printed three or more in a row with nothing but spaces, brackets or
    dashes between them ("Revenue 2,237,518 155,336 52,999 2,445,852"): a table row flattened into
    text, whose column headers are not in the sentence. The table reader reads such rows as cells
    with their headers; the words around a figure cannot tell which column it is. Only the run's
    one percentage, if it has one, is told apart, by its kind ("Mixed-use 1 92.2% 278,028")."""
    runs: list[list[Figure]] = []
    for f in sorted(figures, key=lambda f: f.start):
        if runs and _RUN_GAP.fullmatch(text[runs[-1][-1].end:f.start]):
            runs[-1].append(f)
        else:
            runs.append([f])
    out: set[int] = set()
    for run in runs:
        if len(run) >= 3:
            shares = [f for f in run if f.unit == "percent"]
            out |= {f.start for f in run if len(shares) != 1 or f is not shares[0]}
    return out


def figure_windows(text: str, f: Figure) -> tuple[str, str]:
    """The words before and after a figure that describe it: bounded by the neighbouring
    figures and clause breaks."""
    others = [g for g in parse_figures(text) if g.start != f.start]
    left = max([g.end for g in others if g.end <= f.start] + [0])
    right = min([g.start for g in others if g.start >= f.end] + [len(text)])
    before = re.split(r"[;:.!?]\s", text[left:f.start])[-1]
    if left and not re.search(r"[,;]", before):
        before = ""  # "95.7% were in A and 4.3% ...": those words describe 95.7%
    after = re.split(r"[,;:.!?(]", text[f.end:right])[0]
    return before, after


def _around(text: str, start: int, end: int) -> str:
    """text[start:end] without the word fragments cut at either edge."""
    start, end = max(0, start), min(len(text), end)
    piece = text[start:end]
    if start > 0 and text[start - 1].isalnum():
        piece = re.sub(r"^\w+", "", piece)
    if end < len(text) and text[end].isalnum():
        piece = re.sub(r"\w+$", "", piece)
    return piece


def _unit_after(text: str, fig: Figure) -> str:
    """The printed unit: '%', 'kWh' from the figure itself, else the noun after it ('patents')."""
    if fig.currency:
        return fig.currency
    if fig.unit:
        return fig.text.split(None, 1)[-1] if " " in fig.text else re.sub(r"^[\d.,]+", "", fig.text)
    words = []
    for w in re.findall(r"[^\s,;:.()]+|[,;:.()]", text[fig.end:])[:3]:
        if not re.fullmatch(r"[A-Za-z][A-Za-z\-]*", w) or w.lower() in STOPWORDS | {"including", "among"}:
            break
        words.append(w)
    return " ".join(words)  # "95 customer complaint cases" -> "customer complaint cases"


# ---- backends and the chain ------------------------------------------------------------------
BACKENDS = ("extractive", "openai", "llamacpp")


def make_answerer(index: Index, settings: Settings) -> Answerer:
    """Backends chosen by name; the LLM ones load only when asked for."""
    name = settings.answer.backend
    if name == "extractive":
        return ExtractiveAnswerer(index, settings.answer.min_support)
    if name in BACKENDS:
        from esgqa.llm import LLMAnswerer

        return LLMAnswerer(index, settings)
    from esgqa.loading import InputError

    raise InputError(f"unknown backend '{name}' (choose from {', '.join(BACKENDS)})")


def of_report(index: Index, question: str, document: str | None) -> str:
    """The question as the one report it is asked of is searched and read (`as_asked_of`): that
    report's company named as "the company". Unchanged when the store holds several reports and the
    question is not restricted to one (its company names then pick the report)."""
    docs = index.catalog()
    own = [d for d in docs if d.name == document] if document else docs if len(docs) == 1 else []
    return as_asked_of(question, own) if own else question


def build_chain(
    index: Index, settings: Settings, answerer: Answerer, *,
    document: str | None = None, k: int | None = None,
) -> Runnable:
    """retriever | answerer, as LCEL. Built per request: no state shared between sessions."""
    retriever = HybridRetriever(
        index=index, k=k or settings.retrieval.k, document=document,
        candidates=settings.retrieval.candidates, rrf_k=settings.retrieval.rrf_k, rows=settings.retrieval.rows,
        per_page=settings.retrieval.per_page,
    )

    def retrieve(question: str) -> dict:
        t0 = time.perf_counter()
        asked = of_report(index, question, document)
        docs = retriever.invoke(asked)
        return {"question": question, "asked": asked, "passages": [from_document(d) for d in docs],
                "retrieval_ms": (time.perf_counter() - t0) * 1000}

    def respond(state: dict) -> Answer:
        t0 = time.perf_counter()
        ans = answerer.answer(state["asked"], state["passages"])
        if state["asked"] != state["question"]:
            ans = ans.model_copy(update={"question": state["question"]})
        answer_ms = (time.perf_counter() - t0) * 1000
        ans.timings_ms = {"retrieval": round(state["retrieval_ms"], 1), "answer": round(answer_ms, 1),
                          "total": round(state["retrieval_ms"] + answer_ms, 1)}
        return ans

    return RunnableLambda(retrieve) | RunnableLambda(respond)


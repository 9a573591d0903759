"""Answering from table cells by meaning.

Every cell of every table row the retriever returned is a candidate. Each candidate is described
by named features (below, one line each on why it matters); a logistic model whose weights are
fitted by `benchmarks/fit.py` on the tuning sets turns them into the probability that this cell
is the answer. Nothing here names a metric, a report or a question.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from esgqa.document.model import Cell
from esgqa.figures import YEAR, units_named
from esgqa.lexicon import tokens
from esgqa.types import Passage

WEIGHTS_FILE = Path(__file__).with_name("weights.json")


@dataclass
class Candidate:
    cell: Cell
    passage: Passage
    rank: int  # the row passage's retrieval rank, 0-based
    table_rank: int = 0  # the best retrieval rank of any row of the same table (document, page, caption)

    @cached_property
    def row_text(self) -> str:
        return " ".join(self.cell.row_path)

    @cached_property
    def col_text(self) -> str:
        """The column header without its years: what the column is about."""
        return " ".join(YEAR.sub(" ", " ".join(self.cell.col_path)).split())

    @cached_property
    def context_text(self) -> str:
        return self.passage.section

    @cached_property
    def whole_text(self) -> str:
        """Caption, row, column and unit read together, as one would name the cell."""
        return f"{self.context_text}: {self.row_text}, {self.col_text} ({self.cell.unit})"

    @property
    def meaning_texts(self) -> tuple[str, ...]:
        """The texts the meaning features compare with the question."""
        return self.row_text, self.col_text, self.context_text, self.whole_text

    @cached_property
    def described(self) -> set[str]:
        """The content stems of the cell's row, column and caption: what the question's words are sought in."""
        return _stems(f"{self.row_text} {self.col_text} {self.context_text}")

    @cached_property
    def years(self) -> set[int]:
        return {int(y) for y in YEAR.findall(" ".join(self.cell.col_path + self.cell.row_path))}

    @cached_property
    def row_years(self) -> set[int]:
        """Every year the cell's row shows in its columns (to tell the latest)."""
        return {int(y) for c in self.passage.cells for y in YEAR.findall(" ".join(c.col_path))}

    @cached_property
    def caption_years(self) -> set[int]:
        return {int(y) for y in YEAR.findall(self.context_text)}

    @property
    def is_percent(self) -> bool:
        """A share: printed with %, in a percent unit, or under a header that says % ("Return rate (%)")."""
        if "%" in self.cell.value or "%" in self.cell.unit or "percent" in self.cell.unit.lower():
            return True
        return any("%" in label for label in self.cell.row_path + self.cell.col_path)


@dataclass
class Context:
    """What the features need about the question, computed once per question."""

    terms: set[str]  # content stems of the question
    years: set[int]  # years asked, relative years resolved
    wants_percent: bool
    vector: np.ndarray  # the question's embedding
    embed: Callable[[str], np.ndarray]
    embed_many: Callable[[list[str]], list[np.ndarray]] | None = None  # one model call for many texts
    units: dict[str, str] = field(default_factory=dict)  # units the question names, each with its family
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # numbered names asked: ("scope", "3")
    idf: dict[str, float] = field(default_factory=dict)  # word rarity in the report asked about ({}: none known)
    max_idf: float = 1.0  # the rarity of a word the report does not use
    _memo: dict = field(default_factory=dict)

    def rarity(self, stem: str) -> float:
        """A word's idf in the report (a word it never uses counts as its rarest); never quite zero."""
        return max(self.idf.get(stem, self.max_idf), 0.05)

    def prefetch(self, texts: Iterable[str]) -> None:
        """Embed the texts `cos` will be asked about in one batch: one model call, not one per text."""
        todo = [t for t in dict.fromkeys(texts) if t.strip() and t not in self._memo]
        if todo and self.embed_many is not None:
            for t, v in zip(todo, self.embed_many(todo)):
                self._memo[t] = float(np.dot(self.vector, v))

    def cos(self, text: str) -> float:
        if not text.strip():
            return 0.0
        if text not in self._memo:
            self._memo[text] = float(np.dot(self.vector, self.embed(text)))
        return self._memo[text]


def _stems(text: str) -> set[str]:
    """Content stems; small numbers stay ("Scope 2", "category 6"), years and amounts go."""
    return {t for t in tokens(text) if not t.isdigit() or len(t) <= 2}


def _share(part: set[str], whole: set[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


def _rare_share(part: set[str], whole: set[str], x: Context) -> float:
    """`_share` with each word weighed by its rarity in the report; the plain share without statistics."""
    if not x.idf:
        return _share(part, whole)
    total = sum(x.rarity(t) for t in part)
    return sum(x.rarity(t) for t in part & whole) / total if total else 0.0


# ---- features: each a named function with its reason ------------------------------------------
def row_meaning(c: Candidate, x: Context) -> float:
    """The row label means what is asked (embedding similarity: synonyms, other wording)."""
    return x.cos(c.row_text)


def column_meaning(c: Candidate, x: Context) -> float:
    """The column header (region, site, gender, scope; years removed) means what is asked."""
    return x.cos(c.col_text)


def context_meaning(c: Candidate, x: Context) -> float:
    """The table's caption or section is about the question."""
    return x.cos(c.context_text)


def cell_meaning(c: Candidate, x: Context) -> float:
    """The whole cell, caption, row, column and unit read together, means what is asked."""
    return x.cos(c.whole_text)


def row_words(c: Candidate, x: Context) -> float:
    """Share of the row label's words the question uses: a literal match is strong evidence."""
    return _share(_stems(c.row_text), x.terms)


def column_words(c: Candidate, x: Context) -> float:
    """Share of the column header's words the question uses (a named region or category)."""
    return _share(_stems(c.col_text), x.terms)


def context_words(c: Candidate, x: Context) -> float:
    """Share of the caption's words the question uses: the table is about the question."""
    return _share(_stems(c.context_text), x.terms)


def unit_words(c: Candidate, x: Context) -> float:
    """The question names the cell's unit ("in terajoules", "TJ"): +1; another one of the table's: 0."""
    return _share(_stems(c.cell.unit), x.terms)


def question_covered(c: Candidate, x: Context) -> float:
    """Share of the question's words found in the cell's row, column and caption: the cell explains the question."""
    return _share(x.terms, c.described)


def rare_covered(c: Candidate, x: Context) -> float:
    """As `question_covered`, each word weighed by its rarity in the report: the rare words name the
    measure ("training hours", "pay gap"), the common ones the company and the year."""
    return _rare_share(x.terms, c.described, x)


def unit_agrees(c: Candidate, x: Context) -> float:
    """+1 when the cell is in the unit asked ("in terajoules", TJ), -1 in another of its kind (GWh): one
    quantity is often printed twice, once per unit."""
    if not x.units:
        return 0.0
    printed = units_named(c.cell.unit or " ".join(c.cell.row_path + c.cell.col_path))
    if printed.keys() & x.units.keys():
        return 1.0
    return -1.0 if set(printed.values()) & set(x.units.values()) else 0.0


def year_agrees(c: Candidate, x: Context) -> float:
    """+1 when the cell's year is the one asked, -1 when it shows another year: years must agree."""
    if not x.years or not c.years:
        return 0.0
    return 1.0 if c.years & x.years else -1.0


def numbers_named(word: str, text: str) -> set[str]:
    """The numbers a numbered name carries in lower-cased `text`: "scope 1 and 2" gives {"1", "2"} for
    "scope", "categories 1, 6" gives {"1", "6"}. The sentence reader checks "Scope 3" by it too."""
    runs = re.findall(rf"\b{re.escape(word)}s?\s*((?:\d+\s*(?:and|&|\+|,|/)\s*)*\d+)\b", text)
    return {n for run in runs for n in re.findall(r"\d+", run)}


def identifier_agrees(c: Candidate, x: Context) -> float:
    """+1 when the cell's headers name every numbered name asked ("Scope 3", "Category 6"), -1 when they
    name one with other numbers only ("Scope 1" for "Scope 3"), else 0: the number is the meaning."""
    if not x.identifiers:
        return 0.0
    text = f"{c.row_text} {c.col_text} {c.context_text}".lower()
    found = 0
    for word, num in x.identifiers:
        named = numbers_named(word, text)
        if named and num not in named:
            return -1.0
        found += bool(named)
    return 1.0 if found == len(x.identifiers) else 0.0


def admissible(c: Candidate, x: Context) -> bool:
    """A cell whose year or numbered name contradicts the question's ("2019" asked, a 2021 column;
    "Scope 3" asked, a Scope 1 row) cannot be its answer however alike the words: no candidate."""
    return year_agrees(c, x) >= 0 and identifier_agrees(c, x) >= 0


def latest_year(c: Candidate, x: Context) -> float:
    """With no year asked, the latest column is meant: +1 for it, -1 for an older one."""
    if x.years or not c.years or len(c.row_years) < 2:
        return 0.0
    return 1.0 if max(c.years) == max(c.row_years) else -1.0


def percent_agrees(c: Candidate, x: Context) -> float:
    """+1 when a share is asked and the cell is a percentage, -1 when only one of them is."""
    if x.wants_percent and c.is_percent:
        return 1.0
    return -1.0 if x.wants_percent != c.is_percent else 0.0


def caption_year_agrees(c: Candidate, x: Context) -> float:
    """With no year in its headers, the caption's year stands for the cell's: +1 agrees, -1 another."""
    if not x.years or c.years or not c.caption_years:
        return 0.0
    return 1.0 if c.caption_years & x.years else -1.0


def retrieval_rank(c: Candidate, x: Context) -> float:
    """Rows ranked higher by hybrid retrieval are likelier to hold the answer."""
    return 1.0 / (1.0 + c.rank)


def table_rank(c: Candidate, x: Context) -> float:
    """Tables retrieved high are likelier the right table; which of its rows is for meaning to decide."""
    return 1.0 / (1.0 + c.table_rank)


def is_number(c: Candidate, x: Context) -> float:
    """A dash or 'n/a' cannot be the figure asked for."""
    return 1.0 if c.cell.number is not None else 0.0


FEATURES: dict[str, Callable[[Candidate, Context], float]] = {
    f.__name__: f for f in (row_meaning, column_meaning, context_meaning, cell_meaning, row_words, column_words,
                            context_words, unit_words, unit_agrees, question_covered, rare_covered, year_agrees,
                            identifier_agrees, caption_year_agrees, latest_year, percent_agrees, retrieval_rank,
                            table_rank, is_number)
}


def feature_vector(c: Candidate, x: Context) -> np.ndarray:
    return np.array([f(c, x) for f in FEATURES.values()], dtype=np.float64)


def feature_vectors(cands: list[Candidate], x: Context) -> list[np.ndarray]:
    """Every candidate's features, the texts they compare with the question embedded in one batch first."""
    x.prefetch(t for c in cands for t in c.meaning_texts)
    return [feature_vector(c, x) for c in cands]


@dataclass(frozen=True)
class CellModel:
    """Fitted by benchmarks/fit.py: ranking weights over FEATURES (a cell's score), the calibration
    of the best cell's score and its margin over the runner-up into a probability, the same for
    the sentence reader's confidence, and the thresholds for showing a figure."""

    weights: dict[str, float]
    calibration: dict[str, float]  # score, margin, bias
    text_calibration: dict[str, float]  # over the sentence reader's confidence, from_pdf, from_table; and a bias
    show: float  # probability at or above which the best reading is shown as the answer
    unsure: float  # at or above this (and below `show`) the answer is unsure, with candidates

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> CellModel | None:
        if not path.exists():
            return None
        data = json.loads(path.read_text())
        keys = {"weights", "calibration", "text_calibration", "show", "unsure"}
        if not keys <= data.keys() or set(data["weights"]) != set(FEATURES):
            return None  # fitted for another model: refit with benchmarks/fit.py
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict) -> CellModel:
        """The model a fit wrote (`weights.json`'s layout; `fitted_on` is ignored)."""
        return cls(data["weights"], data["calibration"], data["text_calibration"], data["show"], data["unsure"])

    def score(self, features: np.ndarray) -> float:
        return float(features @ np.array([self.weights[name] for name in FEATURES]))

    def probability(self, score: float, margin: float) -> float:
        """How likely a cell with this score, this far above (or below) the best other cell, is the answer."""
        c = self.calibration
        return sigmoid(c["score"] * score + c["margin"] * margin + c["bias"])

    def text_probability(self, confidence: float, from_pdf: float, from_table: float) -> float:
        """How likely the sentence reader's figure is right, given its confidence and its source."""
        c = self.text_calibration
        return sigmoid(c["confidence"] * confidence + c["from_pdf"] * from_pdf + c["from_table"] * from_table
                       + c["bias"])


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def margins(scores: list[float]) -> list[float]:
    """Each score minus the best of the others (positive only for the top candidate)."""
    if len(scores) < 2:
        return [MARGIN_ALONE] * len(scores)
    order = sorted(scores, reverse=True)
    return [s - (order[1] if s == order[0] else order[0]) for s in scores]


MARGIN_ALONE = 5.0  # a lone candidate has no rival: a wide margin


def candidates(passages: list[Passage]) -> list[Candidate]:
    """Every cell of the row passages, with its row's retrieval rank and its table's best one."""
    tables = [(p.document, p.page, p.section) for p in passages]
    best: dict[tuple, int] = {}
    for rank, table in enumerate(tables):
        best.setdefault(table, rank)
    return [Candidate(cell, p, rank, best[tables[rank]]) for rank, p in enumerate(passages) for cell in p.cells]


def ranked(cands: list[Candidate], x: Context, model: CellModel) -> list[tuple[float, Candidate]]:
    """Candidates best first, each with the calibrated probability that it is the answer."""
    scores = [model.score(f) for f in feature_vectors(cands, x)]
    probs = [model.probability(s, m) for s, m in zip(scores, margins(scores))]
    order = sorted(range(len(cands)), key=lambda i: -scores[i])
    return [(probs[i], cands[i]) for i in order]

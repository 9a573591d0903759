"""Judging one answer against one golden row, and the per-set metrics, without an LLM judge.

Figures are compared as numbers (`figures.parse_figure`); a narrative answer must contain the
row's key phrase; an undisclosed question is right only when the answer says "not disclosed".
An unsure answer (candidates shown, no figure claimed) is no answer: it earns nothing and is
not a wrong figure.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from esgqa.document.model import Cell
from esgqa.evals.sets import Item
from esgqa.figures import figures_match, parse_figure, same_value, scale_of, text_contains_figure
from esgqa.types import Answer, Passage

CALIBRATION_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)


def normalise(text: str) -> str:
    """Lower case, one space, no footnote marks or table bars: what a reader compares."""
    text = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾]+", "", text).replace("|", " ").replace("\t", " ")
    text = re.sub(r"[‐‑‒–—]", "-", text).replace("’", "'")
    return re.sub(r"\s+", " ", text).lower().strip()


def figure_correct(answer: Answer, item: Item) -> bool:
    """The headline figure equals an expected one, as numbers; units converted when both sides have one."""
    if answer.abstained or answer.unsure or not answer.figure:
        return False
    return figure_matches(answer.figure, answer.unit, item)


def figure_matches(figure: str, unit: str | None, item: Item) -> bool:
    """A figure as printed (with its unit, if known) equals one of the item's expected figures."""
    got = parse_figure(f"{figure} {unit or ''}") or parse_figure(figure)
    for exp in item.expected:
        want = parse_figure(exp)
        if want is None or got is None:
            continue
        if figures_match(want, got):
            return True
        one_side_bare = not (want.unit and got.unit) and not (want.currency and got.currency)
        if one_side_bare and same_value(want.value, got.value):
            return True
        # "27" in "USD million" is the "$27 million" a sentence prints
        if one_side_bare and (scale := scale_of(item.unit)) != 1.0 and same_value(want.value * scale, got.value):
            return True
    return False


def in_reach(answer: Answer, item: Item) -> bool:
    """The right figure is on the analyst's screen: shown as the answer, or listed among an
    unsure answer's candidates (which claim nothing, but cite the page to check)."""
    if figure_correct(answer, item):
        return True
    return answer.unsure and any(c.figure and figure_matches(c.figure, None, item) for c in answer.candidates)


def narrative_correct(answer: Answer, item: Item) -> bool:
    if answer.abstained or answer.unsure:
        return False
    text = normalise(answer.answer)
    return any(normalise(e) in text for e in item.expected)


def shows_figure(answer: Answer) -> bool:
    """The answer states a figure as the answer (not unsure, not "not disclosed")."""
    return not answer.abstained and not answer.unsure and bool(answer.figure)


def judge(answer: Answer, item: Item) -> bool:
    if not item.answerable:
        return answer.abstained
    if item.kind == "narrative":
        return narrative_correct(answer, item)
    if item.expected:
        return figure_correct(answer, item)
    return not answer.abstained and not answer.unsure


def holds_answer(passage: Passage, item: Item) -> bool:
    """A retrieved passage counts when it is on an expected page (PDF sets), or holds the
    evidence phrase and the figure (the bundled Markdown set, which has no pages)."""
    if item.document and passage.document != item.document:
        return False
    if item.pages:
        return passage.page in item.pages
    if item.evidence and normalise(item.evidence) not in normalise(passage.text):
        return False
    return all(text_contains_figure(passage.text, e) for e in item.expected[:1]) if item.kind != "narrative" else True


def first_hit(passages: list[Passage], item: Item) -> int | None:
    """1-based rank of the first passage that holds the answer, or None."""
    for rank, p in enumerate(passages, start=1):
        if holds_answer(p, item):
            return rank
    return None


@dataclass
class Outcome:
    item: Item
    answer: Answer
    correct: bool
    rank: int | None  # esgqa's retrieval
    baseline_rank: int | None = None
    latency_ms: float = 0.0
    indexed: bool | None = None  # table_cell rows: the expected figure is in an indexed unit of its page
    read: bool | None = None  # table_cell rows in a grid: a cell holds it under the row and column headers

    @property
    def shown(self) -> bool:
        return self.item.kind != "narrative" and shows_figure(self.answer)

    @property
    def cited_ok(self) -> bool:
        return any(holds_answer(Passage(id="", document=c.document, text=c.text, page=c.page), self.item)
                   for c in self.answer.citations)


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def hits(ranks: list[int | None], prefix: str = "") -> dict[str, float | None]:
    n = len(ranks)
    return {
        f"{prefix}hit1": _ratio(sum(1 for r in ranks if r == 1), n),
        f"{prefix}hit5": _ratio(sum(1 for r in ranks if r and r <= 5), n),
        f"{prefix}mrr": round(sum(1 / r for r in ranks if r) / n, 4) if n else None,
    }


def calibration(outcomes: list[Outcome]) -> list[dict]:
    """Reliability table: for the figures shown, confidence bins against observed accuracy."""
    rows = []
    for lo, hi in zip(CALIBRATION_BINS, CALIBRATION_BINS[1:]):
        inside = [o for o in outcomes if o.shown and lo <= o.answer.confidence < hi]
        rows.append({
            "bin": f"{lo:.1f}-{min(hi, 1.0):.1f}", "n": len(inside),
            "mean_confidence": round(statistics.fmean(o.answer.confidence for o in inside), 3) if inside else None,
            "accuracy": _ratio(sum(o.correct for o in inside), len(inside)),
        })
    return rows


def metrics(outcomes: list[Outcome], *, baseline: bool = True) -> dict:
    answerable = [o for o in outcomes if o.item.answerable]
    undisclosed = [o for o in outcomes if not o.item.answerable]
    figures = [o for o in answerable if o.item.wants_figure]
    narrative = [o for o in answerable if o.item.kind == "narrative"]
    shown = [o for o in outcomes if o.shown]
    cells = [o for o in outcomes if o.indexed is not None]
    read = [o for o in outcomes if o.read is not None]
    lat = sorted(o.latency_ms for o in outcomes)
    m = {
        "questions": len(outcomes),
        "answerable": len(answerable),
        "undisclosed": len(undisclosed),
        "accuracy": _ratio(sum(o.correct for o in outcomes), len(outcomes)),
        "figure_accuracy": _ratio(sum(o.correct for o in figures), len(figures)),
        "narrative_accuracy": _ratio(sum(o.correct for o in narrative), len(narrative)),
        "abstention_recall": _ratio(sum(o.correct for o in undisclosed), len(undisclosed)),
        "false_not_disclosed": _ratio(sum(o.answer.abstained for o in answerable), len(answerable)),
        "shown_precision": _ratio(sum(o.correct for o in shown), len(shown)),
        "shown": len(shown),
        "in_reach": _ratio(sum(in_reach(o.answer, o.item) for o in figures), len(figures)),
        "indexed": _ratio(sum(bool(o.indexed) for o in cells), len(cells)),
        "reading_recall": _ratio(sum(bool(o.read) for o in read), len(read)),
        "unsure": sum(1 for o in outcomes if o.answer.unsure),
        "citation_accuracy": _ratio(sum(o.cited_ok for o in answerable if not o.answer.abstained), len(answerable)),
        **hits([o.rank for o in answerable]),
        **(hits([o.baseline_rank for o in answerable], "baseline_") if baseline else
           {"baseline_hit1": None, "baseline_hit5": None, "baseline_mrr": None}),
        "llm_fallbacks": sum(1 for o in outcomes if (o.answer.grounding or {}).get("fallback")),
        "latency_ms_p50": round(statistics.median(lat), 1) if lat else None,
        "latency_ms_p95": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1) if lat else None,
        "calibration": calibration(outcomes),
    }
    return m


_CONNECTORS = {"of", "and", "the", "in", "for", "to", "by", "on", "at", "as", "a", "an", "or", "from", "with"}


def _label_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W_]+", normalise(text)) if w not in _CONNECTORS]


def contains_label(label: str, headers: str, share: float = 0.75) -> bool:
    """Do the headers hold the label's words? Three in four, so a footnote mark or a subscript
    printed into the label ("fluctuation2)") does not fail a reading that names the row."""
    want = _label_words(label)
    if not want:
        return True
    have = set(_label_words(headers))
    return sum(w in have for w in want) >= share * len(want)


def cell_read(cell: Cell, caption: str, item: Item) -> bool:
    """Reading recall for one cell: the expected figure, on an expected page, named by the headers
    a person would read it under (row label in the row path or caption; column and block headers
    in the column path, row path, caption or unit)."""
    if cell.page not in item.pages or not item.expected or not text_contains_figure(cell.value, item.expected[0]):
        return False
    rows = " ".join((*cell.row_path, caption))
    cols = " ".join((*cell.col_path, *cell.row_path, caption, cell.unit))
    return contains_label(item.row, rows) and contains_label(item.column, cols) and contains_label(item.block, cols)


def why_missed(o: Outcome) -> str | None:
    item, ans = o.item, o.answer
    if o.correct:
        return None
    if not item.answerable:
        return f"answered an undisclosed question with {ans.figure or ans.answer[:60]!r}"
    if ans.abstained:
        why = "said not disclosed"
    elif ans.unsure:
        why = "unsure"
    elif item.kind == "narrative":
        why = "key phrase not in the answer"
    else:
        why = f"figure {ans.figure!r} != expected {item.expected}"
    if o.rank is None:
        why += "; answer's page not in the top 5 retrieved"
    return why

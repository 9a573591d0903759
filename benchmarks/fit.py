"""Fit the answer engine's weights on the tuning sets only, and write src/esgqa/answer/weights.json.

    python benchmarks/fit.py            # re-ingests through the eval cache when the reader changed

1. Cell ranking: a conditional logit (softmax over each question's candidate cells) over
   `esgqa.answer.cells.FEATURES`; a cell is positive when its value equals the golden figure
   and it stands on a golden page.
2. Calibration: logistic regression from the best cell's score and its margin over the
   runner-up to "it is right", on scores out of fold (each set's questions scored by a ranker
   fitted without that set: `out_of_fold`), so the probabilities are those of a report the
   ranker never saw; and from the sentence reader's confidence (whether it read a PDF
   page, whose extracted text is noisier than Markdown, and a table's text or prose) to "its figure is right".
3. Thresholds: `show` follows from the calibrated probability and COST_OF_WRONG (a cell is shown
   when it is likelier right than wrong); `unsure` is the (out-of-fold) probability that best separates,
   where the sentence reader found nothing, undisclosed questions (below it: "not disclosed") from
   answerable ones (the median of the thresholds that tie: `best_split`).
Checking sets are never read here. Deterministic: same stores, same weights.
"""

from __future__ import annotations

import json
import sys
from typing import NamedTuple

import numpy as np

from esgqa.answer.cells import FEATURES, WEIGHTS_FILE, CellModel, feature_vectors, margins
from esgqa.answer.compose import choose, text_reading
from esgqa.answering import ExtractiveAnswerer, of_report
from esgqa.evals.run import StoreCache
from esgqa.evals.scoring import figure_correct, figure_matches
from esgqa.evals.sets import all_set_paths, load_set
from esgqa.retrieval import hybrid_search
from esgqa.settings import Settings


class Collected(NamedTuple):
    """One figure question as the engine read it, for fitting and for replaying its choice."""

    feats: list  # each candidate cell's feature vector
    labels: list[bool]  # each candidate cell: is it the golden figure on a golden page?
    reading: list[float] | None  # the sentence reader's calibration inputs, where it gave a figure
    text_ok: bool  # the sentence reader's answer is right
    answerable: bool
    set_name: str
    text_answers: bool  # the sentence reader did not abstain (a figure or an open answer)


FIT_SETS = ("golden", "golden_pdf")  # bundled sets tuned on; plus every report set whose split is tuning
# A wrong figure costs as much as a right one earns ("a false answer is as wrong as an invented
# figure"), so a calibrated probability of 0.5 is where showing starts to pay.
COST_OF_WRONG = 1.0
L2 = 1.0


def logistic(X: np.ndarray, y: np.ndarray, l2: float = L2, iters: int = 50) -> tuple[np.ndarray, float]:
    """Newton-Raphson logistic regression with an L2 penalty (not on the bias)."""
    Xb = np.hstack([X, np.ones((len(X), 1))])
    w = np.zeros(Xb.shape[1])
    reg = np.full(Xb.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(Xb @ w, -30, 30)))
        grad = Xb.T @ (p - y) + reg * w
        hess = (Xb * (p * (1 - p))[:, None]).T @ Xb + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def collect(settings: Settings, only: set[str] | None = None) -> tuple[list[Collected], list[str]]:
    """Each figure question of the fitting sets as the engine reads it, and the sets' names."""
    cache = StoreCache(settings, baseline=False)
    questions, names = [], []
    for path in all_set_paths():
        es = load_set(path, settings.corpus)
        if es.skip or not (es.split == "tuning" or es.name in FIT_SETS) or (only and es.name not in only):
            continue
        names.append(es.name)
        assistant, _, _ = cache.get(es)
        answerer = ExtractiveAnswerer(assistant.index, settings.answer.min_support, cell_model=None)
        r = settings.retrieval
        for item in es.items:
            if item.kind == "narrative":
                continue
            asked = of_report(assistant.index, item.question, item.document)  # as the chain asks it
            passages = hybrid_search(assistant.index, asked, r.k, document=item.document,
                                     candidates=r.candidates, rrf_k=r.rrf_k, rows=r.rows, per_page=r.per_page)
            query = answerer.query(asked, passages)  # as the answerer parses it
            if not query.wants_figure:
                continue
            text = answerer.text_answer(asked, passages, query)
            cands, ctx = answerer.cell_candidates(asked, query, passages)
            feats = feature_vectors(cands, ctx) if cands else []
            labels = [item.answerable and (not item.pages or c.cell.page in item.pages)
                      and figure_matches(c.cell.value, None, item) for c in cands]
            text_ok = item.answerable and figure_correct(text, item)
            reading = None if text.abstained or not text.figure else text_reading(text)
            questions.append(Collected(feats, labels, reading, text_ok, item.answerable, es.name,
                                       not text.abstained))
        print(f"fit: {es.name}: {len(es.items)} questions", file=sys.stderr)
    return questions, names


def rank_fit(groups: list[tuple[np.ndarray, np.ndarray]], l2: float = L2, iters: int = 3000,
             lr: float = 0.5) -> np.ndarray:
    """Conditional logit: maximise, per question, the softmax mass on its right cells."""
    w = np.zeros(groups[0][0].shape[1])
    n = len(groups)
    for _ in range(iters):
        grad = -l2 * w
        for X, y in groups:
            s = X @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * y / (p * y).sum()
            grad += (q - p) @ X
        w += lr * grad / n
    return w


def best_split(silent: list[tuple[float, bool]]) -> float:
    """The probability below which "not disclosed" is said: the one that sorts the most questions
    right (undisclosed below, answerable at or above). Many thresholds tie on so few questions; the
    median of the tied ones keeps the choice in the middle of the best region, not at its lower
    edge, so a refit that moves one question does not swing it."""
    grid = sorted({p for p, _ in silent}) or [0.5]  # not rounded: a rounded p may sit above its own question
    right = [sum((p < t) != answerable for p, answerable in silent) for t in grid]
    tied = [t for t, n in zip(grid, right) if n == max(right)]
    return tied[len(tied) // 2]


def top_of(scores: list[float]) -> tuple[int, float]:
    """The best-scored cell's index and its margin over the runner-up (what calibration reads)."""
    i = int(np.argmax(scores))
    return i, margins(scores)[i]


def best_cell(model: CellModel, feats: list) -> tuple[float, int]:
    """The calibrated probability of a question's best-scored cell, and its index."""
    scores = [model.score(np.array(f)) for f in feats]
    i, margin = top_of(scores)
    return model.probability(scores[i], margin), i


def top_cells(w: np.ndarray, questions: list) -> list[tuple[list[float], bool]]:
    """The best cell of every question that has cells, under ranking weights `w`: its
    (score, margin) and whether it is right."""
    out = []
    for q in questions:
        if q.feats:
            scores = list(np.array(q.feats) @ w)
            i, margin = top_of(scores)
            out.append(([scores[i], margin], bool(q.labels[i])))
    return out


def right_cell_groups(questions: list) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each question that has a right cell: its cells' features and which of them are right."""
    return [(np.array(q.feats), np.array(q.labels, dtype=float)) for q in questions if any(q.labels)]


def ranker(questions: list) -> np.ndarray:
    """The ranking weights fitted on these questions (those without a right cell teach nothing)."""
    return rank_fit(right_cell_groups(questions))


def out_of_fold(questions: list) -> list[tuple[list[float], bool]]:
    """Each question's best cell as a ranker fitted without its set sees it. Calibration and the
    "unsure" threshold are fitted on these: a ranker's scores on its own training questions are
    surer than on a report it never saw, so calibrating on them promises more than it keeps."""
    sets = sorted({q.set_name for q in questions})
    if len(sets) < 2:
        return top_cells(ranker(questions), questions)
    by_set = {}
    for held in sets:
        held_out = [q for q in questions if q.set_name == held]
        by_set[held] = iter(top_cells(ranker([q for q in questions if q.set_name != held]), held_out))
    return [next(by_set[q.set_name]) for q in questions if q.feats]


def fit(questions: list) -> dict:
    groups = right_cell_groups(questions)
    w = rank_fit(groups)
    tops = out_of_fold(questions)
    cw, cb = logistic(np.array([t for t, _ in tops]), np.array([float(ok) for _, ok in tops]))
    conf = [(q.reading, q.text_ok) for q in questions if q.reading is not None]
    ts, tb = logistic(np.array([c for c, _ in conf]), np.array([float(ok) for _, ok in conf]))
    model = CellModel(dict(zip(FEATURES, map(float, w))), {"score": float(cw[0]), "margin": float(cw[1]), "bias": cb},
                      {"confidence": float(ts[0]), "from_pdf": float(ts[1]), "from_table": float(ts[2]), "bias": tb},
                      1.0, 1.0)
    # the best cell out of fold: (p, right?); where the sentence reader abstained: (p, answerable)
    with_cells = [q for q in questions if q.feats]
    cell_readings = [(model.probability(*t), ok) for t, ok in tops]
    silent = [(p, q.answerable) for (p, _), q in zip(cell_readings, with_cells) if q.reading is None]
    show = COST_OF_WRONG / (1 + COST_OF_WRONG)  # calibrated p: show when a right answer outweighs a wrong one
    shown = [ok for p, ok in cell_readings if p >= show]
    unsure = min(best_split(silent), show)
    top1 = sum(float(lab[int(np.argmax(X @ w))]) for X, lab in groups)
    return {
        "weights": model.weights, "calibration": model.calibration,
        "text_calibration": model.text_calibration, "show": show, "unsure": unsure,
        "fitted_on": {"cells": sum(len(X) for X, _ in groups), "questions": len(questions),
                      "questions_with_a_right_cell": len(groups), "right_cell_ranked_first": int(top1),
                      "cells_shown_at_threshold_out_of_fold": len(shown),
                      "their_precision": round(sum(shown) / len(shown), 3) if shown else None,
                      "cost_of_wrong": COST_OF_WRONG},
    }


def decide(model: CellModel, q: Collected) -> bool:
    """Is the composed answer right? The engine's own choice (`esgqa.answer.compose.choose`) on the
    collected readings: an unsure answer is never right, "not disclosed" is when the report is silent."""
    p_text = model.text_probability(*q.reading) if q.reading is not None else 0.0
    p_cell, right_cell = None, False
    if q.feats:
        p_cell, i = best_cell(model, q.feats)
        right_cell = bool(q.labels[i])
    choice = choose(model, p_cell, p_text, q.text_answers)
    return {"cell": right_cell, "text": bool(q.text_ok), "unsure": False, "none": not q.answerable}[choice]


def cross_validate(questions: list) -> dict[str, float]:
    """Leave one report out: fit on the other sets, then score the held-out report's figure
    questions. How a change does on reports its weights never saw, without reading the checking
    sets: a change that lifts the fitted score but not these is fitting the tuning sets."""
    out = {}
    for held in sorted({q.set_name for q in questions} - set(FIT_SETS)):
        model = CellModel.from_dict(fit([q for q in questions if q.set_name != held]))
        test = [q for q in questions if q.set_name == held]
        out[held] = round(sum(decide(model, q) for q in test) / len(test), 3)
    out["mean"] = round(float(np.mean(list(out.values()))), 3)
    return out


def main(argv: list[str]) -> int:
    """`--only a,b` fits on some tuning sets and prints without writing (for a quick look);
    `--cv` prints the leave-one-report-out scores instead of writing the weights."""
    only = set(argv[argv.index("--only") + 1].split(",")) if "--only" in argv else None
    settings = Settings()
    questions, names = collect(settings, only)
    if "--cv" in argv:
        print(json.dumps(cross_validate(questions), indent=2))
        return 0
    data = fit(questions)
    data["fitted_on"]["sets"] = names
    data["fitted_on"]["retrieval_per_page"] = settings.retrieval.per_page  # the rankings the cells came from
    if only is None:
        WEIGHTS_FILE.write_text(json.dumps(data, indent=2) + "\n")
    print(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The fitting script's threshold choice, on made-up probabilities (the fit itself runs on the eval stores)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import numpy as np  # noqa: E402
from fit import Collected, best_split, cross_validate, decide, out_of_fold, ranker, top_cells  # noqa: E402

from esgqa.answer.cells import FEATURES, CellModel  # noqa: E402


def test_best_split_sorts_the_most_questions_right():
    # undisclosed (False) below, answerable (True) at or above: 0.2 sorts all five right
    assert best_split([(0.01, False), (0.05, False), (0.2, True), (0.3, True), (0.4, True)]) == 0.2


def test_best_split_takes_the_middle_of_tied_thresholds():
    # 0.02 and 0.2 each sort four of five right; the lower edge would say "unsure" to an undisclosed 0.03
    silent = [(0.01, False), (0.02, True), (0.03, False), (0.2, True), (0.3, True)]
    assert best_split(silent) == 0.2
    assert best_split([]) == 0.5


def _model(show: float = 0.5, unsure: float = 0.1) -> CellModel:
    """Score = is_number only; p = sigmoid(4 * score + margin - 3); the sentence reader's p = its confidence's sign."""
    weights = {name: 0.0 for name in FEATURES} | {"is_number": 1.0}
    return CellModel(weights, {"score": 4.0, "margin": 1.0, "bias": -3.0},
                     {"confidence": 10.0, "from_pdf": 0.0, "from_table": 0.0, "bias": -5.0}, show, unsure)


def _question(cells: list[float], labels: list[bool], reading=None, text_ok=False, answerable=True, name="a"):
    feats = [[v if n == "is_number" else 0.0 for n in FEATURES] for v in cells]
    return Collected(feats, labels, reading, text_ok, answerable, name, reading is not None)


def test_decide_follows_the_composer():
    m = _model()
    # a lone numeric cell: p = sigmoid(4 + 5 - 3) > show, so the cell answers, right or wrong
    assert decide(m, _question([1.0], [True])) is True
    assert decide(m, _question([1.0], [False])) is False
    # a confident sentence reading (p = sigmoid(5)) beats a cell it outranks: its own correctness counts
    assert decide(m, _question([1.0, 1.0], [True, False], reading=[1.0, 0.0, 0.0], text_ok=False)) is False
    # no reading and a weak cell (two tied non-numbers: p = sigmoid(-3) < unsure): "not disclosed"
    assert decide(m, _question([0.0, 0.0], [False, False], answerable=False)) is True
    assert decide(m, _question([0.0, 0.0], [False, False], answerable=True)) is False
    # between unsure and show: an unsure answer, never right, even on an undisclosed question
    assert decide(_model(unsure=0.01), _question([0.0, 0.0], [False, False], answerable=False)) is False


def test_cross_validate_scores_each_report_on_weights_fitted_without_it():
    rng = np.random.default_rng(0)
    qs = []
    for name in ("r1", "r2", "r3"):
        for _ in range(6):
            right = int(rng.integers(0, 3))
            cells = [1.0 if i == right else 0.0 for i in range(3)]
            qs.append(_question(cells, [i == right for i in range(3)], name=name))
        for ok in (True, True, False):
            qs.append(_question([0.0], [False], answerable=False, name=name))  # silent report, a dash cell
            qs.append(_question([], [], [0.9 if ok else 0.1, 0.0, 0.0], ok, name=name))  # the sentence reader's figure
    scores = cross_validate(qs)
    assert set(scores) == {"r1", "r2", "r3", "mean"}
    # learnt from the other two reports: the numeric cell answers, a dash says "not disclosed", and
    # the sentence reader's figure stands (wrong once in three): 11 of 12 right in each report
    assert scores["r1"] == scores["r2"] == scores["r3"] == round(11 / 12, 3)


def test_calibration_sees_each_set_as_a_ranker_fitted_without_it_would():
    """r1 marks its right cell by one feature, r2 and r3 by another. Fitted on all three, the ranker
    puts every right cell first; out of fold, r1's right cells tie with the wrong ones (the ranker
    never learnt r1's cue) and lose, while r2 and r3 still teach each other."""
    def q(feature: str, name: str) -> Collected:
        wrong, right = [0.0] * len(FEATURES), [0.0] * len(FEATURES)
        right[list(FEATURES).index(feature)] = 1.0
        return Collected([wrong, right], [False, True], None, False, True, name, False)
    qs = [q("row_words", "r1")] * 4 + [q("column_words", "r2")] * 4 + [q("column_words", "r3")] * 4
    assert all(ok for _, ok in top_cells(ranker(qs), qs))
    assert [ok for _, ok in out_of_fold(qs)] == [False] * 4 + [True] * 8

"""The fitting script's threshold choice, on made-up probabilities (the fit itself runs on the eval stores)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from fit import best_split  # noqa: E402


def test_best_split_sorts_the_most_questions_right():
    # undisclosed (False) below, answerable (True) at or above: 0.2 sorts all five right
    assert best_split([(0.01, False), (0.05, False), (0.2, True), (0.3, True), (0.4, True)]) == 0.2


def test_best_split_takes_the_middle_of_tied_thresholds():
    # 0.02 and 0.2 each sort four of five right; the lower edge would say "unsure" to an undisclosed 0.03
    silent = [(0.01, False), (0.02, True), (0.03, False), (0.2, True), (0.3, True)]
    assert best_split(silent) == 0.2
    assert best_split([]) == 0.5

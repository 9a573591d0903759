"""Regression evals: golden sets on the bundled report and on real report PDFs, the naive
LangChain baseline beside esgqa, calibration, and gates that ratchet (see evals/README.md)."""

from esgqa.evals.run import StoreCache, check_gates, load_gates, run_items, run_set, summary_table
from esgqa.evals.scoring import Outcome, judge, metrics
from esgqa.evals.sets import EVALS_DIR, EvalSet, Item, find_set, load_items, load_set

__all__ = ["EVALS_DIR", "EvalSet", "Item", "Outcome", "StoreCache", "check_gates", "find_set", "judge",
           "load_gates", "load_items", "load_set", "metrics", "run_items", "run_set", "summary_table"]

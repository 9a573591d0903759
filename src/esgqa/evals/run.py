"""Run question sets against esgqa and the naive baseline; gates; the summary table.

Each set runs on a store of its own holding only its sources, so a report's score never depends
on which other reports were evaluated. Stores are cached under `settings.eval_cache`, keyed by the
sources' content hashes, and re-ingested only when a file or the ingest code changes.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import statistics
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from esgqa.answering import of_report
from esgqa.assistant import Assistant
from esgqa.document.model import Cell
from esgqa.evals.baseline import NaiveBaseline
from esgqa.evals.scoring import Outcome, cell_read, first_hit, judge, metrics, why_missed
from esgqa.evals.sets import EVALS_DIR, EvalSet
from esgqa.figures import text_contains_figure
from esgqa.fingerprint import reader_version
from esgqa.loading import file_sha256
from esgqa.retrieval import hybrid_search
from esgqa.settings import Settings

GATES_FILE = EVALS_DIR / "gates.toml"
RATCHETED = ("accuracy", "hit5")  # recorded per report set; a run may fall at most `_slack` under


@dataclass
class SetRun:
    eval_set: EvalSet
    outcomes: list[Outcome]
    metrics: dict
    ingest: dict = field(default_factory=dict)


class StoreCache:
    """One store per distinct set of source files, reused across sets and runs."""

    def __init__(self, settings: Settings, baseline: bool) -> None:
        self.settings = settings
        self.baseline = baseline
        self._open: dict[str, tuple[Assistant, NaiveBaseline | None, dict]] = {}

    def get(self, es: EvalSet) -> tuple[Assistant, NaiveBaseline | None, dict]:
        key = hashlib.sha256(":".join(sorted(file_sha256(p) for p in es.sources)).encode()).hexdigest()[:16]
        if key not in self._open:
            self._open[key] = self._prepare(self.settings.eval_cache / key, es.sources, key)
        return self._open[key]

    def _prepare(self, folder: Path, sources: list[Path], key: str) -> tuple[Assistant, NaiveBaseline | None, dict]:
        # With a Chroma server (team mode) each store is a collection of its own there; the cache
        # folder then holds only the marker.
        update: dict = {"store": folder}
        if self.settings.chroma_url:
            update["collection"] = f"{self.settings.collection}-{key}"
        settings = self.settings.model_copy(update=update)
        folder.mkdir(parents=True, exist_ok=True)
        assistant = Assistant(settings)
        marker, fingerprint = folder / "ingested.json", reader_version()
        info = json.loads(marker.read_text()) if marker.exists() else {}
        if info.get("fingerprint") != fingerprint:
            t0 = time.perf_counter()
            done = assistant.ingest(sources)
            info = {"fingerprint": fingerprint, "ingest_s": round(time.perf_counter() - t0, 1),
                    "chunks": sum(r.total for r in done),
                    "pages": sum(d.pages or 0 for d in assistant.index.documents())}  # no second read of the PDFs
            marker.write_text(json.dumps(info))
        base = None
        if self.baseline:
            base_dir, base_marker = folder / "baseline", folder / "baseline.json"
            if not base_marker.exists():
                shutil.rmtree(base_dir, ignore_errors=True)
            base = NaiveBaseline(assistant.index.embeddings, base_dir)
            if not base_marker.exists():
                chunks = sum(base.add(p, p.stem) for p in sources)
                base_marker.write_text(json.dumps({"chunks": chunks}))
            info = {**info, "baseline_chunks": json.loads(base_marker.read_text())["chunks"]}
        return assistant, base, info


def run_items(assistant: Assistant, items, base: NaiveBaseline | None = None, k_hit: int = 5) -> list[Outcome]:
    outcomes = []
    retrieval = assistant.settings.retrieval
    by_page: dict[tuple[str, int | None], list[str]] = {}
    cells: dict[str, list[tuple[Cell, str]]] = {}
    for p in assistant.index.passages():
        by_page.setdefault((p.document, p.page), []).append(p.text)
        cells.setdefault(p.document, []).extend((c, p.section) for c in p.cells)
    for item in items:
        t0 = time.perf_counter()
        answer = assistant.ask(item.question, document=item.document)
        latency = (time.perf_counter() - t0) * 1000
        passages = hybrid_search(assistant.index, of_report(assistant.index, item.question, item.document), k_hit,
                                 document=item.document,
                                 candidates=retrieval.candidates, rrf_k=retrieval.rrf_k, per_page=retrieval.per_page)
        outcome = Outcome(item=item, answer=answer, correct=judge(answer, item),
                          rank=first_hit(passages, item) if item.answerable else None, latency_ms=latency)
        if item.kind == "table_cell" and item.pages:
            outcome.indexed = any(text_contains_figure(t, item.expected[0]) for page in item.pages
                                  for t in by_page.get((item.document or "", page), []))
            if item.row and item.layout != "not_grid":
                outcome.read = any(cell_read(c, caption, item) for c, caption in cells.get(item.document or "", []))
        if base is not None and item.answerable:
            outcome.baseline_rank = first_hit(base.search(item.question, k_hit, item.document), item)
        outcomes.append(outcome)
    return outcomes


def run_set(es: EvalSet, cache: StoreCache) -> SetRun:
    assistant, base, info = cache.get(es)
    outcomes = run_items(assistant, es.items, base)
    return SetRun(es, outcomes, metrics(outcomes, baseline=base is not None), info)


# ---- gates ---------------------------------------------------------------------------------
def load_gates(path: Path = GATES_FILE) -> dict:
    return tomllib.loads(path.read_text())


def check_gates(name: str, m: dict, gates: dict) -> list[str]:
    """Minimums (`[gates.NAME]`), recorded levels (`[levels.NAME]`, minus the slack) and the naive
    baseline (`at_least_baseline`: each metric listed there at least the baseline's same metric)."""
    failures = []
    for metric, minimum in gates.get("gates", {}).get(name, {}).items():
        value = m.get(metric)
        if value is None or value < minimum:
            failures.append(f"{name}: {metric} = {value} < {minimum}")
    for metric, level in gates.get("levels", {}).get(name, {}).items():
        value, slack = m.get(metric), _slack(metric, m, gates.get("tolerance", 0.02))
        if value is None or value < level - slack - ROUNDING:
            failures.append(f"{name}: {metric} = {value} fell more than {slack:.4f} under its level {level}")
    for metric in gates.get("at_least_baseline", []):
        value, floor = m.get(metric), m.get(f"baseline_{metric}")
        if value is not None and floor is not None and value < floor - 1e-9:
            failures.append(f"{name}: {metric} = {value} < the naive baseline's {floor}")
    return failures


ROUNDING = 1e-4  # metrics and levels are kept to 4 decimals: 23/26 and 24/26 differ by more than 1/26 once rounded


def _slack(metric: str, m: dict, tolerance: float) -> float:
    """How far a run may fall under a recorded level: `tolerance`, or one question of the set where
    that is more. A set of 33 cannot move by less than 0.03, and the embedding model's float
    arithmetic differs by a few ulps between CPUs, enough to swap two near-tied cells once."""
    n = m.get("answerable" if metric.startswith("hit") else "questions") or 0
    return max(tolerance, 1 / n) if n else tolerance


def record_levels(runs: list[SetRun], path: Path = GATES_FILE) -> None:
    """The ratchet: raise each report set's recorded level where this run beat it; never lower one.
    The file's own comments stay: its header, and the reason beside a level lowered by hand (until
    a run raises that level past it)."""
    text = path.read_text()
    gates = tomllib.loads(text)
    levels = gates.setdefault("levels", {})
    raised: set[tuple[str, str]] = set()
    for run in runs:
        if run.eval_set.name in gates.get("gates", {}):
            continue  # held to fixed minimums instead
        row = levels.setdefault(run.eval_set.name, {})
        for metric in RATCHETED:
            value = run.metrics.get(metric)
            if value is not None and value > row.get(metric, -1.0):
                row[metric] = value
                raised.add((run.eval_set.name, metric))
    path.write_text(_gates_toml(gates, *_comments(text, raised)))


def _comments(text: str, raised: set[tuple[str, str]]) -> tuple[list[str], dict[tuple[str, str, str], str]]:
    """The leading comment lines, and each `key = value  # reason` comment by (table, set, key);
    a raised level's reason is dropped with its old value."""
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    found: dict[tuple[str, str, str], str] = {}
    section = ("", "")
    for line in text.splitlines():
        if m := re.fullmatch(r"\[(\w+)\.([\w.-]+)\]\s*", line):
            section = (m[1], m[2])
        elif (m := re.fullmatch(r"(\w+)\s*=\s*[^#]*?(\s+#.*)", line)) and (section[1], m[1]) not in raised:
            found[(*section, m[1])] = m[2]
    return header, found


_HEADER = [
    "# Gates for `esgqa eval`. [gates.SET]: minimums that hold for ever (the bundled sets).",
    "# [levels.SET]: the level recorded for each report set; a run may fall under it by `tolerance` or one",
    "# question of the set, whichever is more. at_least_baseline: metrics that must reach the naive",
    "# baseline's on every set that has one.",
    "# `esgqa eval --all --record` raises a level when a run beats it; a level is lowered by hand only",
    "# with its reason beside it.",
]


def _gates_toml(gates: dict, header: list[str] | None = None,
                comments: dict[tuple[str, str, str], str] | None = None) -> str:
    comments = comments or {}
    lines = [
        *(header or _HEADER),
        f"tolerance = {gates.get('tolerance', 0.02)}",
        f"at_least_baseline = {json.dumps(gates.get('at_least_baseline', []))}",
        "",
    ]
    for table in ("gates", "levels"):
        for name, row in gates.get(table, {}).items():
            lines.append(f"[{table}.{name}]")
            lines += [f"{k} = {v}{comments.get((table, name, k), '')}" for k, v in row.items()]
            lines.append("")
    return "\n".join(lines)


# ---- reporting -----------------------------------------------------------------------------
COLUMNS = (("accuracy", "accuracy"), ("hit5", "page hit@5"), ("baseline_hit5", "baseline hit@5"),
           ("indexed", "table figure indexed"), ("reading_recall", "reading recall"),
           ("false_not_disclosed", "false \"not disclosed\""), ("shown_precision", "shown-figure precision"),
           ("in_reach", "right figure shown or a candidate"), ("unsure", "unsure"))


def _fmt(v) -> str:
    return "–" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def summary_table(runs: list[SetRun]) -> str:
    head = "| set | split | n | " + " | ".join(label for _, label in COLUMNS) + " | chunks | ingest s |"
    lines = [head, "|" + "---|" * (5 + len(COLUMNS))]
    for run in runs:
        m = run.metrics
        lines.append(f"| {run.eval_set.name} | {run.eval_set.split} | {m['questions']} | "
                     + " | ".join(_fmt(m.get(key)) for key, _ in COLUMNS)
                     + f" | {_fmt(run.ingest.get('chunks'))} | {_fmt(run.ingest.get('ingest_s'))} |")
    return "\n".join(lines)


def macro(runs: list[SetRun]) -> dict[str, dict[str, float | None]]:
    out = {}
    for split in ("tuning", "checking"):
        ms = [r.metrics for r in runs if r.eval_set.split == split]
        out[split] = {key: (round(statistics.fmean(vals), 4) if (vals := [m[key] for m in ms if m.get(key) is not None])
                            else None) for key, _ in COLUMNS if key != "unsure"} | {"sets": len(ms)}
    return out


def macro_line(runs: list[SetRun]) -> str:
    parts = []
    for split, m in macro(runs).items():
        if m["sets"]:
            parts.append(f"{split} ({m['sets']} sets): accuracy {_fmt(m['accuracy'])}, page hit@5 {_fmt(m['hit5'])} "
                         f"(baseline {_fmt(m['baseline_hit5'])}), false \"not disclosed\" "
                         f"{_fmt(m['false_not_disclosed'])}, shown-figure precision {_fmt(m['shown_precision'])}, "
                         f"reading recall {_fmt(m['reading_recall'])}")
    return "macro: " + "; ".join(parts) if parts else "macro: no report sets ran"


def misses(run: SetRun) -> list[dict]:
    """What went wrong, question by question; never for a checking set (only its score is reported)."""
    if run.eval_set.split == "checking":
        return []
    out = []
    for o in run.outcomes:
        if (why := why_missed(o)) is not None:
            out.append({"id": o.item.id, "question": o.item.question, "expected": o.item.expected,
                        "pages": o.item.pages, "answer": o.answer.answer[:300], "figure": o.answer.figure,
                        "why": why})
    return out

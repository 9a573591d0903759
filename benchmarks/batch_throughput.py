"""Batch throughput on the HKEX KPI questionnaire: questions per second, model load excluded.

    python benchmarks/batch_throughput.py [--workers 1 2] [--repeats 3]

Prints a table and writes benchmarks/results/batch_throughput.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from esgqa.assistant import Assistant  # noqa: E402
from esgqa.batch import run_batch  # noqa: E402
from esgqa.settings import REPO_ROOT, Settings  # noqa: E402

QUESTIONNAIRE = REPO_ROOT / "evals" / "questionnaires" / "hkex_esg_kpis.csv"
DOCUMENT = "kingsoft-cloud-2022-esg-report"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        assistant = Assistant(Settings(store=Path(tmp) / "store"))
        t0 = time.perf_counter()
        assistant.ensure_corpus(say=lambda _: None)
        ingest_s = time.perf_counter() - t0
        assistant.ask("warm-up: how many patents?")  # model load and caches, not part of the rate
        rows = []
        for workers in args.workers:
            rates, summary = [], None
            for i in range(args.repeats):
                # A fresh answerer per run: nothing cached from the previous repeat.
                fresh = Assistant(assistant.settings)
                out = Path(tmp) / f"answers-{workers}-{i}.csv"
                summary = run_batch(fresh, QUESTIONNAIRE, out, document=DOCUMENT, workers=workers, bar=False)
                rates.append(summary.answered / summary.seconds)
            rows.append({
                "workers": workers, "questions": summary.rows, "median_q_per_s": round(statistics.median(rates), 2),
                "runs_q_per_s": [round(r, 2) for r in rates], "with_figure": summary.with_figure,
                "abstained": summary.abstained, "errors": summary.errors,
            })
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "ingest_s": round(ingest_s, 1), "runs": rows}
    print(f"HKEX questionnaire ({QUESTIONNAIRE.name}), corpus ingest {ingest_s:.1f} s, {result['machine']}")
    print("| workers | questions | q/s (median) | runs | with figure | not disclosed |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['workers']} | {r['questions']} | {r['median_q_per_s']} | {r['runs_q_per_s']} | "
              f"{r['with_figure']} | {r['abstained']} |")
    out_dir = REPO_ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "batch_throughput.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

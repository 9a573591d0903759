"""Narrative key-phrase hit rate on the tuning sets, read from the cached eval stores.

Opens each set's store under `.esgqa-eval/` as it is (no re-ingest, whatever the ingest
fingerprint says: only the answer side is being measured), asks the set's narrative rows and
judges them as `esgqa eval` does (`scoring.judge`). Tuning sets only; never a checking set.

    .venv/bin/python benchmarks/narrative_rate.py takkt addiko ct_reit [--show]
"""

from __future__ import annotations

import hashlib
import sys

from esgqa.assistant import Assistant
from esgqa.evals.scoring import judge, normalise
from esgqa.evals.sets import find_set, load_set
from esgqa.loading import file_sha256
from esgqa.retrieval import hybrid_search
from esgqa.settings import Settings

TUNING = {"takkt", "addiko", "ct_reit", "merck", "palfinger", "3m_10k", "golden", "golden_pdf", "paraphrases"}


def main(argv: list[str]) -> None:
    show = "--show" in argv
    names = [a for a in argv if not a.startswith("--")]
    settings = Settings()
    total = hit = 0
    for name in names:
        if name not in TUNING:
            raise SystemExit(f"{name}: not a tuning set")
        es = load_set(find_set(name), settings.corpus)
        rows = [i for i in es.items if i.kind == "narrative"]
        if not rows:
            print(f"{name}: no narrative rows")
            continue
        key = hashlib.sha256(":".join(sorted(file_sha256(p) for p in es.sources)).encode()).hexdigest()[:16]
        folder = settings.eval_cache / key
        if not (folder / "ingested.json").exists():
            print(f"{name}: no cached store at {folder}; run `esgqa eval --set {name}` once")
            continue
        assistant = Assistant(settings.model_copy(update={"store": folder}), create=False)
        got = 0
        for item in rows:
            answer = assistant.ask(item.question, document=item.document)
            ok = judge(answer, item)
            got += ok
            if show:
                r = settings.retrieval
                passages = hybrid_search(assistant.index, item.question, r.k, document=item.document,
                                         candidates=r.candidates, rrf_k=r.rrf_k)
                held = any(normalise(e) in normalise(p.text) for p in passages for e in item.expected)
                print(f"--- {item.id} {'HIT' if ok else 'miss'} want {item.expected} (in the {r.k} retrieved: "
                      f"{'yes' if held else 'no'})\n{answer.answer[:900]}")
        print(f"{name}: {got}/{len(rows)}")
        total, hit = total + len(rows), hit + got
    if total:
        print(f"all: {hit}/{total} = {hit / total:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])

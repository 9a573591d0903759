"""Interrupted and concurrent ingests: a killed ingest loses only unfinished work, a re-run
completes it without duplicates, and two writers on one store serialise."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, cli_env, run_cli

CORPUS = ROOT / "corpus"
PATENTS = "How many patents has the company been granted by the end of 2022?"


def _store_state(store: Path) -> tuple[set[str], set[str]]:
    """(ids in Chroma, ids behind the keyword index), read the way a fresh process would; the
    vector index must hold exactly the stored ids too (a nearest-neighbour query over all)."""
    code = (
        "import json,sys; from pathlib import Path; from esgqa.index import Index; from esgqa.settings import Settings;"
        "ix=Index(Settings(store=Path(sys.argv[1]))); c=ix._collection; n=c.count();"
        "near=c.query(query_embeddings=[[0.05]*384], n_results=n, include=[])['ids'][0] if n else [];"
        "print(json.dumps([c.get()['ids'], [p.id for p in ix.bm25()[1]], near]))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(store)], capture_output=True, text=True, check=True)
    chroma, keyword, nearest = json.loads(out.stdout)
    assert len(chroma) == len(set(chroma)), "duplicate chunk ids"
    assert sorted(nearest) == sorted(chroma), "the vector index and the stored chunks disagree"
    return set(chroma), set(keyword)


def _written(store: Path) -> int:
    db = store / "chroma" / "chroma.sqlite3"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
            return con.execute("select count(*) from embeddings_queue").fetchone()[0]
    except sqlite3.Error:
        return 0


def _ingest(store: Path, *paths: Path) -> subprocess.Popen:
    env = cli_env(store)
    return subprocess.Popen([sys.executable, "-m", "esgqa.cli", "ingest", *map(str, paths)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def clean_ids(corpus_store) -> set[str]:
    ids, keyword = _store_state(corpus_store)
    assert ids == keyword
    return ids


@pytest.mark.parametrize("after_chunks", [1, 150])
def test_sigkill_mid_ingest_then_rerun_equals_a_clean_ingest(tmp_path, clean_ids, after_chunks):
    store = tmp_path / "store"
    proc = _ingest(store, CORPUS)
    deadline = time.time() + 300
    while _written(store) < after_chunks and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    partial, keyword = _store_state(store)
    assert 0 < len(partial) < len(clean_ids), len(partial)
    assert partial == keyword  # the keyword index is derived from the vector store: never apart
    assert partial <= clean_ids  # only whole chunks of the right content
    asked = run_cli("ask", PATENTS, "--json", store=store)
    assert asked.returncode == 0, asked.stderr  # what was indexed answers (maybe "not disclosed")
    assert asked.stdout.strip()

    rerun = run_cli("ingest", str(CORPUS), store=store)
    assert rerun.returncode == 0, rerun.stderr
    assert f"+{len(clean_ids) - len(partial)} -0" in rerun.stdout  # only the missing chunks embedded
    done, keyword = _store_state(store)
    assert done == clean_ids == keyword
    answer = run_cli("ask", PATENTS, "--json", store=store, check_json=True).data
    assert answer["figure"] == "663"


def test_two_ingests_on_one_store_serialise(tmp_path, clean_ids):
    """Both at once into a fresh store: one waits for the other's lock; nothing is doubled or lost."""
    store = tmp_path / "store"
    other = tmp_path / "other" / "notes.md"
    other.parent.mkdir()
    other.write_text("# Notes\n\nThe team planted 1,234 trees in 2022 across three provinces.\n")
    first, second = _ingest(store, CORPUS), _ingest(store, other, CORPUS)
    outs = [p.communicate(timeout=600) for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outs
    ids, keyword = _store_state(store)
    assert ids == keyword
    assert clean_ids <= ids and len(ids) == len(clean_ids) + 1
    answer = run_cli("ask", "How many trees did the team plant in 2022?", "--json", store=store,
                     check_json=True).data
    assert answer["figure"] == "1,234"
    assert run_cli("ask", PATENTS, "--json", store=store, check_json=True).data["figure"] == "663"


def test_a_running_process_follows_another_process_ingest(corpus_store, tmp_path):
    """`esgqa serve` keeps running while someone runs `esgqa ingest` on its store: within a
    second both its keyword and its vector search see the new chunks."""
    import shutil

    from esgqa.assistant import Assistant
    from esgqa.settings import Settings

    store = tmp_path / "store"
    shutil.copytree(corpus_store, store)
    running = Assistant(Settings(store=store))
    assert running.ask(PATENTS).figure == "663"  # caches and the vector index are loaded
    doc = tmp_path / "docs" / "forestry.md"
    doc.parent.mkdir()
    doc.write_text("# Forestry\n\nThe forestry team planted 7,777 oak trees in 2022 near the Wuhan campus.\n")
    assert run_cli("ingest", str(doc), store=store).returncode == 0
    time.sleep(running.index.FRESH_S + 0.1)
    dense = running.index.dense_search("oak trees planted by the forestry team", 3)
    assert dense and dense[0].document == "forestry"
    keyword = running.index.bm25()[1]
    assert any(p.document == "forestry" for p in keyword)
    assert running.ask("How many oak trees did the forestry team plant in 2022?").figure == "7,777"

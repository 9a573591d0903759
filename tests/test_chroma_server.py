"""Team mode: every command against a real `chroma run` server instead of the embedded store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, cli_env, free_port, stderr_lines, wait_until_serving

CHROMA = Path(sys.executable).with_name("chroma")


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} missing (it comes with chromadb)")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(data)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(proc, f"{url}/api/v2/heartbeat", 60, "chroma run")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def _cli(*args: str, store: Path, url: str | None, collection: str = "esgqa", **extra: str
         ) -> subprocess.CompletedProcess:
    env = cli_env(store, ESGQA_COLLECTION=collection, **extra)
    env.pop("ESGQA_CHROMA_URL", None)
    if url:
        env["ESGQA_CHROMA_URL"] = url
    return subprocess.run([sys.executable, "-m", "esgqa.cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=900)


def _eval(store: Path, url: str | None, results: Path) -> dict:
    proc = _cli("eval", "--set", str(ROOT / "evals" / "golden.jsonl"), "--no-baseline", "--json",
                "--results", str(results), store=store, url=url, collection="evalrun", ESGQA_EVAL_CACHE=str(store))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)["sets"]["golden"]


def test_the_eval_through_a_chroma_server_scores_as_embedded(chroma_url, tmp_path):
    served = _eval(tmp_path / "served", chroma_url, tmp_path / "r1")
    assert not list((tmp_path / "served").rglob("chroma.sqlite3"))  # nothing went to an embedded store
    embedded = _eval(tmp_path / "embedded", None, tmp_path / "r2")
    assert list((tmp_path / "embedded").rglob("chroma.sqlite3"))
    keys = [k for k in embedded if k.startswith(("figure", "citation", "abstention", "false", "hit", "mrr"))]
    assert keys
    assert {k: served[k] for k in keys} == {k: embedded[k] for k in keys}
    assert served["figure_accuracy"] >= 0.95


def test_ingest_docs_and_ask_share_the_server_across_processes(chroma_url, tmp_path):
    """Two stores (two machines, say) see one index: what one ingests the other answers from."""
    one, two = tmp_path / "one", tmp_path / "two"
    ingested = _cli("ingest", str(ROOT / "corpus"), store=one, url=chroma_url, collection="shared")
    assert ingested.returncode == 0, ingested.stderr
    docs = _cli("docs", "--json", store=two, url=chroma_url, collection="shared")
    assert docs.returncode == 0, docs.stderr
    assert [d["name"] for d in json.loads(docs.stdout)] == ["kingsoft-cloud-2022-esg-report"]
    asked = _cli("ask", "How many patents has the company been granted by the end of 2022?", "--json",
                 store=two, url=chroma_url, collection="shared")
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["figure"] == "663"
    shutil.rmtree(one)  # the local folders hold no index data
    again = _cli("ask", "What was the Beijing data center PUE in 2022?", "--json", store=one, url=chroma_url,
                 collection="shared")
    assert json.loads(again.stdout)["figure"] == "1.37"


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}", "ftp://example.org", "127.0.0.1:8000"])
def test_a_bad_server_url_is_one_line_exit_2(tmp_path, url):
    proc = _cli("docs", store=tmp_path / "s", url=url.format(port=free_port()))
    assert proc.returncode == 2, proc.stderr
    lines = stderr_lines(proc)
    assert len(lines) == 1 and "chroma" in lines[0].lower(), proc.stderr

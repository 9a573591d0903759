"""The numpy query embedder gives the torch model's vectors, and `esgqa ask` stays light.

The stored vectors come from the torch model (ingest); questions are embedded by numpy
(esgqa.light_embedding). If the two drifted apart, retrieval would silently degrade, so every
kind of text the app embeds is compared here: prose, table rows with numbers, passages beyond the
model's 256-token limit (truncation must match), unicode, and degenerate inputs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, cli_env

MIN_COSINE = 0.9999

UNICODE = [
    "Émissions de gaz à effet de serre : 12 345,6 tCO₂e (−4,2 % vs 2021)",
    "温室气体排放总量（范围一及范围二）为35,796.91吨二氧化碳当量",
    "水資源の使用量は前年比3.5％減少しました",
    "탄소 배출량 2022년 1,234톤",
    "Выбросы парниковых газов сократились на 7 %",
    "انبعاثات الغازات الدفيئة 2022",
    "CO₂ · m³ · ‰ · ± · ≥ 95 % · µg/m³ · ½ · ²⁰²²",
    "café naïve coöperate façade Zürich Øresund Łódź",
    "e\u0301le\u0300ve combining accents and zero\u200bwidth\u200cjoiners\ufeff",
    "emoji 🌍🌱♻️ 👩‍💼 in a sustainability report 🚀",
    "\u00a0non-breaking\u00a0spaces\tand\ttabs\r\nand CRLF\n\nparagraphs",
    "ＦＵＬＬＷＩＤＴＨ　ｔｅｘｔ　１２３",
]

EDGE = ["", " ", "\n", "a", "?", "2022", "0.0 %", "x" * 3000, "1,234,567.89 " * 200,
        "Scope 1 | Scope 2 | Scope 3 |" * 60, "What were the Scope 2 emissions in 2022?"]


def varied_texts() -> list[str]:
    """A few hundred texts of every kind the app embeds, from the bundled report and made up."""
    from esgqa.chunking import chunk
    from esgqa.document.units import row_passages
    from esgqa.index import index_text
    from esgqa.loading import find_files, load

    docs = [load(f) for f in find_files([ROOT / "corpus"])]
    passages = [p for d in docs for p in chunk(d) + row_passages(d)]
    rows = [index_text(p) for p in passages if p.kind == "row"][:120]
    prose = [index_text(p) for p in passages if p.kind != "row"][:120]
    sentences = [s.strip() for p in prose for s in p.split(". ") if 20 < len(s.strip()) < 200][:100]
    # Beyond 256 tokens: both must cut at the same place.
    long = [" ".join(index_text(p) for p in passages[i:i + 6]) for i in range(0, 240, 8)][:30]
    questions = [f"What was the {w} in {y}?" for w in ("water use", "Scope 1 emissions", "female share",
                                                        "PUE", "training hours") for y in (2020, 2021, 2022)]
    texts = rows + prose + sentences + long + questions + UNICODE + EDGE
    assert len(texts) >= 250, len(texts)
    return texts


def test_numpy_vectors_equal_torch_vectors():
    from esgqa.embeddings import get_embeddings, get_query_embeddings

    texts = varied_texts()
    light = np.asarray(get_query_embeddings().embed_documents(texts))
    torch_ = np.asarray(get_embeddings().embed_documents(texts))
    assert light.shape == torch_.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(light, axis=1), 1.0, atol=1e-5)
    cosines = (light * torch_).sum(1) / np.linalg.norm(torch_, axis=1)
    worst = int(np.argmin(cosines))
    assert cosines[worst] >= MIN_COSINE, f"cosine {cosines[worst]:.6f} for {texts[worst][:80]!r}"
    # Queries (one at a time, another code path) too.
    for q in [texts[0], UNICODE[1], EDGE[7], "What is the share of female employees?"]:
        a = np.asarray(get_query_embeddings().embed_query(q))
        b = np.asarray(get_embeddings().embed_query(q))
        assert float(a @ b) >= MIN_COSINE, q[:80]


def test_light_embedder_batches_like_single_texts():
    """Padding in a batch (mixed lengths) must not change a text's vector."""
    from esgqa.embeddings import get_query_embeddings

    model = get_query_embeddings()
    texts = ["short", "a somewhat longer sentence about Scope 2 emissions in 2022", "x " * 400, ""]
    batch = np.asarray(model.embed_documents(texts))
    for i, t in enumerate(texts):
        assert float(batch[i] @ np.asarray(model.embed_query(t))) >= 0.99999


HEAVY = ["torch", "transformers", "sentence_transformers", "langchain_huggingface", "gradio", "pandas",
         "openpyxl", "langchain_chroma"]

ASK_AND_LIST = (
    "import json, sys\n"
    "from esgqa.cli import main\n"
    "code = main(['ask', sys.argv[1], '--json'])\n"
    f"print(json.dumps({{'code': code, 'heavy': [m for m in {HEAVY!r} if m in sys.modules]}}))\n"
)


def test_cold_ask_imports_no_torch_or_gradio(corpus_store: Path):
    """A cold `esgqa ask` answers without torch, transformers or gradio: importing them was most
    of its 7 s. Run in a fresh interpreter: this test process has torch loaded already."""
    proc = subprocess.run([sys.executable, "-c", ASK_AND_LIST, "What were the Scope 2 emissions in 2022?"],
                          capture_output=True, text=True, env=cli_env(corpus_store), cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    answer, report = json.loads(lines[-2]), json.loads(lines[-1])
    assert report["code"] == 0
    assert "35,796.91" in answer["answer"], answer["answer"]
    assert report["heavy"] == [], f"the ask path imported {report['heavy']}"


def test_warm_fills_caches_before_the_first_question(corpus_store: Path):
    from esgqa.answering import ExtractiveAnswerer
    from esgqa.assistant import Assistant
    from esgqa.settings import Settings

    assistant = Assistant(Settings(store=corpus_store))
    assert isinstance(assistant.answerer, ExtractiveAnswerer)
    assistant.warm()
    assert assistant.answerer._vectors, "the answer engine's vectors were not filled"
    cached = set(assistant.index._cache)
    assert "bm25:None" in cached and any(k.startswith("bm25:kingsoft") for k in cached), cached


def test_warm_on_an_empty_store(tmp_path: Path):
    from esgqa.assistant import Assistant
    from esgqa.settings import Settings

    Assistant(Settings(store=tmp_path / "empty")).warm()  # loads the model, asks nothing


@pytest.mark.parametrize("text", ["What were the Scope 2 emissions in 2022?"])
def test_query_vectors_are_cached_across_calls(text: str):
    """The retriever and the answerer embed the same question: once (index._query_vector)."""
    from esgqa.index import LazyEmbeddings, _query_vector

    _query_vector.cache_clear()
    e = LazyEmbeddings()
    assert e.embed_query(text) == e.embed_query(text)
    assert _query_vector.cache_info().hits == 1

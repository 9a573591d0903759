"""Search (issue 18): ranked passages and table rows, the retriever's own hybrid search, with
their locators; `esgqa search` prints rank, score, locator and a snippet."""

from __future__ import annotations

import pytest

from conftest import run_cli
from esgqa.loading import InputError
from esgqa.retrieval import hybrid_search

DOC = "kingsoft-cloud-2022-esg-report"


def test_search_ranks_passages_like_the_retriever(assistant) -> None:
    hits = assistant.search("Scope 2 greenhouse gas emissions", k=8)
    assert 1 <= len(hits) <= 8
    assert [p.score for p in hits] == sorted((p.score for p in hits), reverse=True)
    assert all(p.document == DOC and p.score > 0 for p in hits)
    assert any("Indirect GHG emissions (Scope 2)" in p.text for p in hits[:3])
    # the same search the answers are retrieved with, not a second one
    same = hybrid_search(assistant.index, "Scope 2 greenhouse gas emissions", 8,
                         candidates=assistant.settings.retrieval.candidates, rrf_k=assistant.settings.retrieval.rrf_k)
    assert [p.id for p in hits] == [p.id for p in same]
    assert len(assistant.search("Scope 2 greenhouse gas emissions", k=3)) == 3


def test_search_filters_by_document_and_refuses_bad_input(assistant) -> None:
    assert assistant.search("data center PUE", document=DOC, k=5)
    with pytest.raises(InputError, match="unknown document"):
        assistant.search("PUE", document="no-such-report")
    with pytest.raises(InputError, match="empty"):
        assistant.search("  ")
    with pytest.raises(InputError, match="between 1 and 100"):
        assistant.search("PUE", k=0)


def test_cli_search(corpus_store) -> None:
    proc = run_cli("search", "Beijing data center PUE", "--k", "4", "--json", store=corpus_store, check_json=True)
    assert 1 <= len(proc.data) <= 4
    top = proc.data[0]
    assert top["document"] == DOC and top["locator"].startswith(DOC) and "PUE" in top["text"]
    assert {"score", "page", "section", "box", "kind"} <= set(top)
    text = run_cli("search", "Beijing data center PUE", "--k", "3", store=corpus_store)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert len(lines) == 3
    rank, score, locator = lines[0].split()[:3]
    assert rank == "1" and float(score) > 0 and locator == DOC
    bad = run_cli("search", "PUE", "--document", "nope", store=corpus_store)
    assert bad.returncode == 2 and "unknown document" in bad.stderr


def test_dense_search_is_exact_cosine(assistant) -> None:
    """The dense half ranks every passage by cosine to the question, exactly (not an approximate
    HNSW walk whose answer depends on how many threads built the graph), so runs on two machines
    retrieve the same passages."""
    import numpy as np

    index = assistant.index
    question = "How many patents has the company been granted?"
    stored = index._collection.get(include=["embeddings"])  # straight from Chroma
    vectors = np.asarray(stored["embeddings"])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    q = np.asarray(index.embeddings.embed_query(question))
    cosine = vectors @ (q / np.linalg.norm(q))
    expected = [stored["ids"][j] for j in np.argsort(-cosine)[:20]]
    hits = index.dense_search(question, 20)
    assert [p.id for p in hits] == expected
    assert [round(p.score, 5) for p in hits] == [round(float(c), 5) for c in sorted(cosine, reverse=True)[:20]]
    assert index.dense_search(question, 20, document="no-such-report") == []


def test_text_passages_and_table_rows_each_get_their_own_places(monkeypatch) -> None:
    """With `rows`, the answerer gets the k best text passages and the `rows` best table rows: rows
    ranked first do not push a table's text out of the sentence reader's view (nor the reverse)."""
    from esgqa import retrieval
    from esgqa.types import Passage

    ranked = [Passage(id=f"r{i}", document="d", text=f"row {i}", kind="row") for i in range(5)]
    ranked += [Passage(id=f"t{i}", document="d", text=f"text {i}") for i in range(5)]
    ranked.insert(1, ranked.pop(6))  # t1 between r0 and r1: fused order is kept
    monkeypatch.setattr(retrieval, "fuse", lambda rankings, k, rrf_k=60: list(ranked))
    monkeypatch.setattr(retrieval, "keyword_search", lambda *args, **kwargs: [])
    monkeypatch.setattr(retrieval, "dense_text", lambda index, question, document=None: question)

    class Index:
        def dense_search(self, *args):
            return []

    got = [p.id for p in hybrid_search(Index(), "q", 3, rows=2)]
    assert got == ["r0", "t1", "r1", "t0", "t2"]
    assert [p.id for p in hybrid_search(Index(), "q", 3)] == ["r0", "t1", "r1"]  # no rows asked: the k best

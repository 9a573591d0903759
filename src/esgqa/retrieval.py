"""Hybrid retrieval: BM25 and dense results fused by reciprocal rank fusion (RRF)."""

from __future__ import annotations

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from esgqa.index import Index
from esgqa.lexicon import expand, tokens
from esgqa.types import Passage


def keyword_search(index: Index, query: str, n: int, document: str | None = None) -> list[Passage]:
    bm25, passages = index.bm25()
    if not passages:
        return []
    scores = bm25.get_scores(tokens(query))
    order = np.argsort(-scores, kind="stable")
    hits = []
    for i in order:
        if scores[i] <= 0:
            break
        if document and passages[i].document != document:
            continue
        hits.append(passages[i].model_copy(update={"score": float(scores[i])}))
        if len(hits) == n:
            break
    return hits


def fuse(rankings: list[list[Passage]], k: int, rrf_k: int = 60) -> list[Passage]:
    """Reciprocal rank fusion: robust to the two retrievers' incomparable score scales."""
    fused: dict[str, float] = {}
    by_id: dict[str, Passage] = {}
    for ranking in rankings:
        for rank, p in enumerate(ranking):
            fused[p.id] = fused.get(p.id, 0.0) + 1.0 / (rrf_k + rank + 1)
            by_id.setdefault(p.id, p)
    best = sorted(fused, key=lambda pid: -fused[pid])[:k]
    return [by_id[pid].model_copy(update={"score": fused[pid]}) for pid in best]


def hybrid_search(
    index: Index, query: str, k: int, *, document: str | None = None,
    candidates: int = 30, rrf_k: int = 60,
) -> list[Passage]:
    query = expand(query, index.abbreviations())
    return fuse(
        [keyword_search(index, query, candidates, document),
         index.dense_search(focus(index, query), candidates, document)],
        k, rrf_k,
    )


def dense_text(index: Index, question: str) -> str:
    """What a question is embedded as (by the retriever, and so once, for the answerer too)."""
    return focus(index, expand(question, index.abbreviations()))


def focus(index: Index, query: str) -> str:
    """Drop words found in most passages (the company's own name) so the embedding
    of a short question is about what is asked, not who is asked about."""
    bm25, _ = index.bm25()
    words = query.split()
    kept = [w for w in words if all(bm25.idf.get(t, 10.0) >= 1.6 for t in tokens(w))]
    return " ".join(kept) if len(kept) >= 2 else query


class HybridRetriever(BaseRetriever):
    """LangChain face of `hybrid_search`, so answerers compose with it in LCEL.

    Built per request (document filter and k are fields, not shared state).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Index
    k: int = 6
    document: str | None = None
    candidates: int = 30
    rrf_k: int = 60

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = hybrid_search(
            self.index, query, self.k, document=self.document,
            candidates=self.candidates, rrf_k=self.rrf_k,
        )
        return [to_document(p) for p in hits]


def to_document(p: Passage) -> Document:
    return Document(id=p.id, page_content=p.text, metadata=p.model_dump(exclude={"text", "id"}))


def from_document(d: Document) -> Passage:
    return Passage(id=d.id or "", text=d.page_content, **d.metadata)

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
    bm25, passages = index.bm25(document)
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
    candidates: int = 30, rrf_k: int = 60, rows: int = 0, per_page: int = 0,
) -> list[Passage]:
    """The k best passages by fused rank. With `rows`, the k best text passages and the `rows` best
    table rows, in fused order: each reader (sentences, cells) gets its own best units, so neither
    crowds the other out. With `per_page`, no page takes more than that many of the first places
    (see `spread`)."""
    query = dense_text(index, query, document)
    fused = spread(fuse(
        [keyword_search(index, query, candidates, document),
         index.dense_search(query, candidates, document)],
        max(k, candidates), rrf_k,
    ), per_page)
    if rows <= 0:
        return fused[:k]
    texts = [p.id for p in fused if p.kind != "row"][:k]
    table_rows = [p.id for p in fused if p.kind == "row"][:rows]
    keep = set(texts) | set(table_rows)
    return [p for p in fused if p.id in keep]


def spread(ranked: list[Passage], per_page: int) -> list[Passage]:
    """The same ranking with at most `per_page` passages of one PDF page ahead of the next page's best.

    A table page is cut into many passages (its text and every row), and they tend to rank together:
    five rows of one wrong table can push the right page out of the first five. Passages beyond
    the quota keep their order, after the others. Markdown and text (no page) are not limited.
    """
    if per_page <= 0:
        return ranked
    seen: dict[tuple[str, int], int] = {}
    first, later = [], []
    for p in ranked:
        if p.page is None:
            first.append(p)
            continue
        key = (p.document, p.page)
        seen[key] = seen.get(key, 0) + 1
        (first if seen[key] <= per_page else later).append(p)
    return first + later


def dense_text(index: Index, question: str, document: str | None = None) -> str:
    """What a question is searched and embedded as (by the retriever, and so once, for the
    answerer too): every word asked, plus the other spelling of each abbreviation."""
    return expand(question, index.abbreviations(document))


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
    rows: int = 0
    per_page: int = 0

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = hybrid_search(
            self.index, query, self.k, document=self.document,
            candidates=self.candidates, rrf_k=self.rrf_k, rows=self.rows, per_page=self.per_page,
        )
        return [to_document(p) for p in hits]


def to_document(p: Passage) -> Document:
    return Document(id=p.id, page_content=p.text, metadata=p.model_dump(exclude={"text", "id"}))


def from_document(d: Document) -> Passage:
    return Passage(id=d.id or "", text=d.page_content, **d.metadata)

"""The one object the CLI, the chat UI, batch and evals share: an index plus an answerer."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from esgqa.answer.company import mentions, named_documents, without_names
from esgqa.answer.followup import resolve
from esgqa.answering import Answerer, build_chain, make_answerer
from esgqa.chunking import chunk, image_passages
from esgqa.document.layout import pdf_layout, respaced
from esgqa.document.units import mark_ocr, row_passages, with_boxes
from esgqa.index import Index, IngestResult
from esgqa.loading import InputError, file_sha256, find_files, load
from esgqa.retrieval import hybrid_search
from esgqa.settings import Settings
from esgqa.types import Answer, DocumentInfo, LoadedDocument, Passage

# Shown by `esgqa demo` and as the chat's example questions.
SAMPLE_QUESTIONS = [
    "How many patents has the company been granted by the end of 2022?",
    "What was the Beijing data center PUE in 2022?",
    "What is the share of female employees?",
    "What were the Scope 2 emissions in 2022?",
    "How many suppliers are located outside mainland China?",
    "What were the company's Scope 3 emissions?",
]


K_MIN, K_MAX = 1, 100  # passages per answer a caller may ask for


def check_name(name: str) -> None:
    """A document name is shown, cited and typed after --document: one visible line."""
    if not name.strip() or name != name.strip() or any(not ch.isprintable() for ch in name) or len(name) > 200:
        raise InputError(f"document name {name!r} must be one line of visible text (at most 200 characters), "
                         "without leading or trailing spaces")


class Assistant:
    def __init__(self, settings: Settings | None = None, answerer: Answerer | None = None, *,
                 create: bool = True) -> None:
        """`create=False`: a store without a database is an error (commands that only read)."""
        self.settings = settings or Settings()
        self.index = Index(self.settings, create=create)
        self.answerer = answerer or make_answerer(self.index, self.settings)

    def ensure_corpus(self, say: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> None:
        """An empty store gets the bundled corpus first. Only `esgqa demo` and the app's first start
        on the default store do this; every other command refuses an empty store (require_documents),
        so a mistyped --store never answers from the bundled report."""
        if self.index.is_empty():
            say(f"esgqa: the index is empty; ingesting the bundled corpus from {self.settings.corpus}")
            self.ingest([Path(self.settings.corpus)])

    def prepare(self, path: Path) -> tuple[LoadedDocument, list[Passage]]:
        """Load and chunk; raises InputError before anything is written."""
        doc = load(path)
        layout = pdf_layout(doc) if doc.kind == "pdf" else None  # word boxes read once: tables, blocks
        if layout is not None:
            doc = respaced(doc, layout)  # words pypdf ran together, spaced as the word boxes print them
        passages = chunk(doc)
        if layout is not None:
            # the text OCR read in a page's images, after that page's text (sorted is stable)
            passages = sorted(passages + image_passages(doc, layout.image_text, passages), key=lambda p: p.page or 0)
            passages = with_boxes(passages, layout.blocks) + mark_ocr(row_passages(doc, layout.tables),
                                                                      layout.ocr_boxes)
        if not passages:
            raise InputError(f"{path.name}: no text to index")
        return doc, passages

    def require_documents(self) -> None:
        """An empty store is an error naming it and how to fill it."""
        self.index.require_documents()

    WARM_QUESTION = "What is reported?"  # generic: it only loads things and fills caches

    def warm(self) -> None:
        """Load what a first question would otherwise wait for: the query model, the store's
        passages and keyword index, Chroma's vector index and the answer engine's caches. The app
        calls it before it accepts questions, so its first answer is as quick as its tenth.
        Never calls an LLM: with an LLM backend only retrieval and the extractive fallback run."""
        from esgqa.answering import ExtractiveAnswerer
        from esgqa.retrieval import hybrid_search

        self.index.embeddings.embed_query(self.WARM_QUESTION)
        if self.index.is_empty():
            return
        for doc in self.index.documents():  # a question about one report uses that report's statistics
            self.index.bm25(doc.name)
            self.index.abbreviations(doc.name)
        if isinstance(self.answerer, ExtractiveAnswerer):
            self.ask(self.WARM_QUESTION)
            return
        r = self.settings.retrieval
        passages = hybrid_search(self.index, self.WARM_QUESTION, r.k, candidates=r.candidates, rrf_k=r.rrf_k,
                                 rows=r.rows)
        fallback = getattr(self.answerer, "fallback", None)
        if isinstance(fallback, ExtractiveAnswerer):
            fallback.answer(self.WARM_QUESTION, passages)

    def ingest(
        self, paths: list[Path], progress: Callable[[int], None] | None = None,
        on_error: Callable[[InputError], None] | None = None, *, name: str | None = None,
    ) -> list[IngestResult]:
        """Index files or folders; `name` (one file only) chooses the document's name."""
        files = find_files(paths)
        if name is not None:
            check_name(name)
            if len(files) != 1:
                raise InputError(f"a document name (--name) needs exactly one file, not {len(files)}")
        results = []
        indexed = self.index.documents()  # listed once: a file ingested below is not met again
        for path in files:
            started = time.perf_counter()
            known = self.index.current(path, file_sha256(path), indexed) if path.is_file() else None
            if known is not None and name in (None, known.name):
                results.append(IngestResult(known.name, 0, 0, known.chunks))  # unchanged: not read again
                continue
            try:
                doc, passages = self.prepare(path)
            except InputError as err:
                if on_error is None:
                    raise
                on_error(err)
                continue
            results.append(self.index.add(doc, passages, progress, name=name, started=started))
        return results

    def check_document(self, document: str | None) -> None:
        if document and not self.index.has_document(document):
            names = ", ".join(d.name for d in self.index.documents()) or "none"
            raise InputError(f"unknown document '{document}' (indexed: {names})")

    def document_info(self, name: str) -> DocumentInfo:
        """An indexed document's record; an unknown name is an InputError listing the indexed ones."""
        found = next((d for d in self.index.documents() if d.name == name), None)
        if found is None:
            names = ", ".join(d.name for d in self.index.documents()) or "none"
            raise InputError(f"unknown document '{name}' (indexed: {names})")
        return found

    def remove(self, name: str) -> int:
        """Take a document out of the index; returns the chunks removed. The app's own copy of an
        uploaded file (STORE/uploads) goes with it; a file ingested from elsewhere is left alone."""
        info = self.document_info(name)
        removed = self.index.remove(name)
        uploads = (Path(self.settings.store) / "uploads").resolve()
        if info.source and Path(info.source).parent == uploads:
            Path(info.source).unlink(missing_ok=True)
        return removed

    def reindex(self, name: str, progress: Callable[[int], None] | None = None) -> IngestResult:
        """Read a document again from the file it was ingested from (DocumentInfo.source), keeping its name."""
        info = self.document_info(name)
        if not info.source:
            raise InputError(f"cannot re-index '{name}': the store does not record its source file; "
                             "ingest the file again")
        path = Path(info.source)
        if not path.is_file():
            raise InputError(f"cannot re-index '{name}': its source file {path} is gone; ingest it from where it "
                             "is now, or remove the document")
        doc, passages = self.prepare(path)
        return self.index.add(doc, passages, progress, name=name)

    def ask(self, question: str, *, document: str | None = None, k: int | None = None,
            history: list[str] | None = None) -> Answer:
        """Answer `question`; `history` holds the earlier questions of the conversation (oldest
        first), so a follow-up ("And in 2021?") is answered as the whole question it stands for
        (Answer.rewritten). Without `document`, a question naming one company's report is
        answered from that report alone."""
        if not question or not question.strip():
            raise InputError("the question is empty")
        if k is not None and not K_MIN <= k <= K_MAX:
            raise InputError(f"k must be between {K_MIN} and {K_MAX} passages, not {k}")
        self.check_document(document)
        asked = resolve(question, history)
        if document is None:
            document = self.named_document(asked.question)
        chain = build_chain(self.index, self.settings, self.answerer, document=document, k=k)
        answer = chain.invoke(asked.question)
        if asked.changed:
            answer = answer.model_copy(update={"question": question.strip(), "rewritten": asked.question})
        return answer

    def named_document(self, question: str) -> str | None:
        """The one report a question names by company or document name (of several reports of that
        company, the one whose year the question names, else the latest); None otherwise."""
        docs = {d.name: d for d in self.index.catalog()}
        if len(docs) < 2:
            return None
        named = [docs[n] for n in named_documents(question, list(docs.values()))]
        companies = {d.company.lower() or d.name for d in named}
        if not named or len(companies) > 1:
            return None
        years = {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", question)}
        return max(named, key=lambda d: (d.year in years, d.year or 0)).name

    def search(self, query: str, *, document: str | None = None, k: int = 10) -> list[Passage]:
        """Ranked passages and table rows for `query` (the retriever's own hybrid search), each with
        its document, page, section, box and fused score: for reading around an answer."""
        if not query or not query.strip():
            raise InputError("the search is empty")
        if not K_MIN <= k <= K_MAX:
            raise InputError(f"k must be between {K_MIN} and {K_MAX} passages, not {k}")
        self.check_document(document)
        r = self.settings.retrieval
        return hybrid_search(self.index, query.strip(), k, document=document,
                             candidates=max(r.candidates, k), rrf_k=r.rrf_k)

    def compare(self, question: str, documents: list[str] | None = None, *,
                k: int | None = None) -> list[tuple[str, Answer]]:
        """One cited answer per report: `documents`, else the reports the question names, else
        every report. Each is asked of its own report alone, with the companies' names taken out
        ("Compare TAKKT's and Kingsoft Cloud's Scope 2 emissions" asks each "Scope 2 emissions")."""
        if not question or not question.strip():
            raise InputError("the question is empty")
        infos = self.index.catalog()
        found = mentions(question, infos)
        names = list(dict.fromkeys(documents or [m.document for m in found] or [d.name for d in infos]))
        for name in names:
            self.check_document(name)
        asked = without_names(question.strip(), found)
        rows = []
        for name in names:
            answer = self.ask(asked, document=name, k=k)
            if asked != question.strip():
                answer = answer.model_copy(update={"question": question.strip(), "rewritten": asked})
            rows.append((name, answer))
        return rows

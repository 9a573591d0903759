"""The one object the CLI, the chat UI, batch and evals share: an index plus an answerer."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from esgqa.answering import Answerer, build_chain, make_answerer
from esgqa.chunking import chunk
from esgqa.document.units import pdf_layout, row_passages, with_boxes
from esgqa.index import Index, IngestResult
from esgqa.loading import InputError, find_files, load
from esgqa.settings import Settings
from esgqa.types import Answer, LoadedDocument, Passage

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
        passages = chunk(doc)
        if doc.kind == "pdf":
            layout = pdf_layout(doc)  # word boxes read once: tables for row units, blocks for boxes
            passages = with_boxes(passages, layout.blocks) + row_passages(doc, layout.tables)
        if not passages:
            raise InputError(f"{path.name}: no text to index")
        return doc, passages

    def require_documents(self) -> None:
        """An empty store is an error naming it and how to fill it."""
        self.index.require_documents()

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
        for path in files:
            try:
                doc, passages = self.prepare(path)
            except InputError as err:
                if on_error is None:
                    raise
                on_error(err)
                continue
            results.append(self.index.add(doc, passages, progress, name=name))
        return results

    def check_document(self, document: str | None) -> None:
        if document and not self.index.has_document(document):
            names = ", ".join(d.name for d in self.index.documents()) or "none"
            raise InputError(f"unknown document '{document}' (indexed: {names})")

    def ask(self, question: str, *, document: str | None = None, k: int | None = None) -> Answer:
        if not question or not question.strip():
            raise InputError("the question is empty")
        if k is not None and not K_MIN <= k <= K_MAX:
            raise InputError(f"k must be between {K_MIN} and {K_MAX} passages, not {k}")
        self.check_document(document)
        chain = build_chain(self.index, self.settings, self.answerer, document=document, k=k)
        return chain.invoke(question.strip())

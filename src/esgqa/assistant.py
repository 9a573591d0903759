"""The one object the CLI, the chat UI, batch and evals share: an index plus an answerer."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from esgqa.answering import Answerer, build_chain, make_answerer
from esgqa.chunking import chunk
from esgqa.document.units import row_passages
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


class Assistant:
    def __init__(self, settings: Settings | None = None, answerer: Answerer | None = None) -> None:
        self.settings = settings or Settings()
        self.index = Index(self.settings)
        self.answerer = answerer or make_answerer(self.index, self.settings)

    def ensure_corpus(self, say: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> None:
        """An empty store gets the bundled corpus first, so `ask` works on a fresh clone."""
        if self.index.is_empty():
            say(f"esgqa: the index is empty; ingesting the bundled corpus from {self.settings.corpus}")
            self.ingest([Path(self.settings.corpus)])

    def prepare(self, path: Path) -> tuple[LoadedDocument, list[Passage]]:
        """Load and chunk; raises InputError before anything is written."""
        doc = load(path)
        passages = chunk(doc) + row_passages(doc)
        if not passages:
            raise InputError(f"{path.name}: no text to index")
        return doc, passages

    def ingest(
        self, paths: list[Path], progress: Callable[[int], None] | None = None,
        on_error: Callable[[InputError], None] | None = None,
    ) -> list[IngestResult]:
        results = []
        for path in find_files(paths):
            try:
                doc, passages = self.prepare(path)
            except InputError as err:
                if on_error is None:
                    raise
                on_error(err)
                continue
            results.append(self.index.add(doc, passages, progress))
        return results

    def check_document(self, document: str | None) -> None:
        if document and not self.index.has_document(document):
            names = ", ".join(d.name for d in self.index.documents()) or "none"
            raise InputError(f"unknown document '{document}' (indexed: {names})")

    def ask(self, question: str, *, document: str | None = None, k: int | None = None) -> Answer:
        if not question or not question.strip():
            raise InputError("the question is empty")
        self.check_document(document)
        chain = build_chain(self.index, self.settings, self.answerer, document=document, k=k)
        return chain.invoke(question.strip())

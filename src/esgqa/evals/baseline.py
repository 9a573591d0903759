"""The floor esgqa's retrieval must beat: the LangChain tutorial pipeline.

pypdf page text as it comes, `RecursiveCharacterTextSplitter(1000, 200)`, the same embedding
model, Chroma similarity top-k. No cleaning, no keyword index, no tables.
"""

from __future__ import annotations

from pathlib import Path

from langchain_core.embeddings import Embeddings

from esgqa.types import Passage

COLLECTION = "naive_baseline"


def tutorial_pages(path: Path) -> list[tuple[int | None, str]]:
    """(1-based page, text) as the tutorial's loader gives them: pypdf for PDFs, the whole file otherwise."""
    if path.suffix.lower() != ".pdf":
        return [(None, path.read_text(encoding="utf-8", errors="replace"))]
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    if reader.is_encrypted:
        reader.decrypt("")
    return [(n, page.extract_text() or "") for n, page in enumerate(reader.pages, start=1)]


class NaiveBaseline:
    def __init__(self, embeddings: Embeddings, folder: Path | None = None) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        chroma = ChromaSettings(anonymized_telemetry=False)
        client = (chromadb.PersistentClient(path=str(folder), settings=chroma) if folder
                  else chromadb.EphemeralClient(settings=chroma))
        # Chroma's defaults, but its HNSW graph built on one thread: with several, the insertion
        # order (and so the approximate neighbours) changes from run to run and machine to machine.
        self.store = Chroma(client=client, collection_name=COLLECTION, embedding_function=embeddings,
                            collection_metadata={"hnsw:num_threads": 1})

    def add(self, path: Path, document: str) -> int:
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        texts, metas = [], []
        for page, text in tutorial_pages(path):
            for piece in splitter.split_text(text):
                texts.append(piece)
                metas.append({"document": document, **({"page": page} if page else {})})
        for start in range(0, len(texts), 256):
            self.store.add_texts(texts[start:start + 256], metadatas=metas[start:start + 256])
        return len(texts)

    def count(self) -> int:
        return self.store._collection.count()

    def search(self, question: str, k: int, document: str | None = None) -> list[Passage]:
        flt = {"document": document} if document else None
        return [
            Passage(id=str(i), document=d.metadata["document"], text=d.page_content, page=d.metadata.get("page"))
            for i, d in enumerate(self.store.similarity_search(question, k=k, filter=flt))
        ]

"""Chroma (dense) and BM25 (keyword) over the same passages, kept in step.

Chroma is the source of truth; the BM25 index is rebuilt from it whenever it changes, so the
two can never drift apart. Chunk ids are content hashes, so re-ingesting an unchanged file
embeds nothing, and a changed file only embeds its new chunks and drops the stale ones.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import fcntl
import functools
import math
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import chromadb  # noqa: E402
import numpy as np  # noqa: E402
from chromadb.api import ClientAPI  # noqa: E402
from chromadb.api.shared_system_client import SharedSystemClient  # noqa: E402
from chromadb.config import Settings as ChromaSettings  # noqa: E402
from chromadb.errors import ChromaError  # noqa: E402
from langchain_core.embeddings import Embeddings  # noqa: E402
from rank_bm25 import BM25Okapi  # noqa: E402

from esgqa.chunking import rename  # noqa: E402
from esgqa.document.units import cells_from_json, cells_to_json  # noqa: E402
from esgqa.embeddings import get_embeddings, get_query_embeddings  # noqa: E402
from esgqa.fingerprint import reader_version  # noqa: E402
from esgqa.lexicon import find_abbreviations, tokens  # noqa: E402
from esgqa.loading import InputError, StoreError, one_line  # noqa: E402
from esgqa.settings import Settings  # noqa: E402
from esgqa.types import DocumentInfo, LoadedDocument, Passage  # noqa: E402

BATCH = 64


class LuceneBM25(BM25Okapi):
    """BM25 with Lucene's idf, log(1 + (N - n + .5) / (n + .5)): never zero or negative,
    so a word in half of a small corpus still counts.

    Scored from postings (word -> passages holding it): rank_bm25 visits every passage for every
    query word, which grows to the most expensive part of a query on a dozen reports.
    """

    def __init__(self, corpus: list[list[str]]) -> None:
        super().__init__(corpus)
        rows: dict[str, tuple[list[int], list[int]]] = {}
        for i, freqs in enumerate(self.doc_freqs):
            for word, tf in freqs.items():
                idx, tfs = rows.setdefault(word, ([], []))
                idx.append(i)
                tfs.append(tf)
        self.postings = {w: (np.array(i), np.array(t, dtype=float)) for w, (i, t) in rows.items()}
        self.lengths = np.array(self.doc_len, dtype=float)
        self.max_idf = max(self.idf.values()) if self.idf else 1.0

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))

    def get_scores(self, query: list[str]) -> np.ndarray:
        scores = np.zeros(self.corpus_size)
        for word in query:
            if word not in self.postings:
                continue
            idx, tf = self.postings[word]
            norm = self.k1 * (1 - self.b + self.b * self.lengths[idx] / self.avgdl)
            scores[idx] += self.idf[word] * tf * (self.k1 + 1) / (tf + norm)
        return scores


class LazyEmbeddings(Embeddings):
    """Defers loading the model until something is embedded (`esgqa docs` never loads it).

    Query vectors are remembered, so the retriever and the answerer embed a question once.
    """

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return get_embeddings().embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return list(_query_vector(text))


@functools.lru_cache(maxsize=1024)
def _query_vector(text: str) -> tuple[float, ...]:
    return tuple(get_query_embeddings().embed_query(text))  # numpy: no torch on the ask path


def index_text(p: Passage) -> str:
    """What gets embedded and keyword-indexed: the passage with its section heading."""
    return f"{p.section}\n{p.text}" if p.section else p.text


class IngestResult:
    def __init__(self, document: str, added: int, removed: int, total: int, note: str = "") -> None:
        self.document, self.added, self.removed, self.total = document, added, removed, total
        self.note = note  # what the user must know: a name clash resolved, a copy of a known file

    @property
    def unchanged(self) -> bool:
        return self.added == 0 and self.removed == 0


def chroma_client(settings: Settings, path: Path | None = None) -> ClientAPI:
    """The embedded store under `store/chroma` (or `path`), or a Chroma server when `chroma_url` is set."""
    chroma = ChromaSettings(anonymized_telemetry=False)
    if not settings.chroma_url:
        path = path or Path(settings.store) / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma)
    url = urlparse(settings.chroma_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise InputError(f"chroma_url '{settings.chroma_url}' is not an http(s)://host:port URL")
    token = settings.chroma_token.get_secret_value() if settings.chroma_token else None
    try:
        return chromadb.HttpClient(
            host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https", headers={"Authorization": f"Bearer {token}"} if token else None,
            settings=chroma,
        )
    except Exception as exc:  # noqa: BLE001 - connection errors come in many types
        raise InputError(f"cannot reach the Chroma server at {settings.chroma_url} ({one_line(exc)})") from exc


@contextlib.contextmanager
def store_lock(store: Path, name: str, doing: str) -> Iterator[None]:
    """An exclusive lock on STORE/name across processes, released by the OS if the holder dies."""
    with open(Path(store) / name, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"esgqa: waiting for another process {doing} {store}", file=sys.stderr, flush=True)
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def where(settings: Settings) -> str:
    """The store as the user names it: its folder, or the server and collection."""
    if settings.chroma_url:
        return f"the Chroma server at {settings.chroma_url} (collection '{settings.collection}')"
    return str(settings.store)


def empty_store(settings: Settings) -> InputError:
    """What every command but `demo` says on a store with no documents, instead of filling it."""
    store = where(settings)
    missing = not settings.chroma_url and not (Path(settings.store) / "chroma" / "chroma.sqlite3").exists()
    state = "does not exist" if missing and not Path(settings.store).exists() else "holds no documents"
    target = "" if settings.chroma_url else f" --store {settings.store}"
    return InputError(f"the store {store} is empty ({state}); add reports with: esgqa{target} ingest FILE_OR_FOLDER "
                      "(or run esgqa demo for the bundled report)")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return seen


LOW_SPACE = 64 * 1024 * 1024  # below this, a failed compaction is taken to be a full disk


def store_fault(exc: BaseException, settings: Settings, doing: str) -> StoreError:
    """A Chroma, SQLite or file-system failure as one plain line: the store, the cause, what to do."""
    store = where(settings)
    chain = _chain(exc)
    text = " ".join(str(e) for e in chain).lower()
    codes = {getattr(e, "errno", None) for e in chain}
    free = None
    if not settings.chroma_url:
        with contextlib.suppress(OSError):
            free = shutil.disk_usage(Path(settings.store)).free
    if (errno.ENOSPC in codes or errno.EDQUOT in codes or "no space left" in text or "disk is full" in text
            or (("compaction" in text or "backfill" in text) and free is not None and free < LOW_SPACE)):
        return StoreError(f"{store}: no space left on device while {doing}; what was indexed before is intact "
                          "(free some space, then run the same command again to finish)")
    if errno.EROFS in codes or errno.EACCES in codes or errno.EPERM in codes or "readonly" in text:
        return StoreError(f"{store}: not writable ({one_line(exc)}) while {doing}; it can be read, but adding "
                          "documents needs a writable --store")
    if "malformed" in text or "not a database" in text or "no such table" in text or "corrupt" in text:
        return StoreError(f"{store}: the index database is damaged ({one_line(exc)}); move the store folder "
                          "aside and ingest the reports again")
    return StoreError(f"{store}: the index failed while {doing} ({one_line(exc, kind=True)}); if it happens "
                      "again, the store may be damaged: move it aside and ingest the reports again")


_FAULTS = (ChromaError, sqlite3.Error, OSError)


class Index:
    FRESH_S = 1.0  # how often a reader checks whether another process changed the store

    def __init__(self, settings: Settings, *, create: bool = True) -> None:
        """Open the store; with `create=False` a store without a database is an error, not made
        (a mistyped --store must not leave an empty store behind)."""
        self.settings = settings
        self.read_only = False
        self._path: Path | None = None  # where the embedded database is read from
        if not settings.chroma_url:
            self._check_files(create)
        self.embeddings = LazyEmbeddings()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._follow_lock = threading.Lock()
        self._cache: dict[str, object] = {}
        self._checked = 0.0
        with self._faults("opening"):
            self._open()

    def _check_files(self, create: bool) -> None:
        store = Path(self.settings.store)
        chroma = store / "chroma"
        db = chroma / "chroma.sqlite3"
        if not db.exists():
            if chroma.is_dir() and any(p.is_dir() for p in chroma.iterdir()):
                raise StoreError(f"{store}: the index database {db} is missing (its vector files are there): "
                                 "the store is damaged; move it aside and ingest the reports again")
            if not create:
                raise empty_store(self.settings)
            with self._faults("creating it"):
                store.mkdir(parents=True, exist_ok=True)
            return
        if not (os.access(chroma, os.W_OK) and os.access(db, os.W_OK)):
            # Chroma cannot open a database it may not write (it migrates on start): read a copy.
            self.read_only = True
            copy = Path(tempfile.mkdtemp(prefix="esgqa-readonly-"))
            atexit.register(shutil.rmtree, copy, True)
            with self._faults("copying the read-only store"):
                shutil.copytree(chroma, copy / "chroma")
            self._path = copy / "chroma"

    @contextlib.contextmanager
    def _faults(self, doing: str) -> Iterator[None]:
        try:
            yield
        except _FAULTS as exc:
            raise store_fault(exc, self.settings, doing) from exc

    def _open(self) -> None:
        # Two processes creating a new embedded store at once both run Chroma's migrations
        # ("table collections already exists"): opening is serialised too, briefly.
        opening = (contextlib.nullcontext() if self.settings.chroma_url or self.read_only
                   else store_lock(self.settings.store, "open.lock", "opening"))
        with opening:
            self._open_client()

    def _open_client(self) -> None:
        self._client = chroma_client(self.settings, self._path)
        # What langchain_chroma.Chroma did here, without importing it (~0.3 s of a cold ask).
        self._collection = self._client.get_or_create_collection(
            name=self.settings.collection, embedding_function=None, metadata={"hnsw:space": "cosine"})
        self._seen = self._collection.count()  # chunks this process knows of; see _follow

    def _reopen(self) -> None:
        """An embedded Chroma client keeps its vector index in memory and never sees another
        process's writes; a fresh one (not chromadb's per-path cached one) reads them from disk.
        Requests still holding the old collection finish on it."""
        if self.settings.chroma_url or self.read_only:  # a server's index is always current
            self._seen = self._collection.count()
            return
        path = self._client.get_settings().persist_directory
        SharedSystemClient._identifier_to_system.pop(path, None)  # private, but the only way
        SharedSystemClient._identifier_to_refcount.pop(path, None)
        self._open()

    # ---- reading -------------------------------------------------------------------------
    def passages(self) -> list[Passage]:
        return self._loaded()[0]

    def _loaded(self) -> tuple[list[Passage], np.ndarray, dict[str, np.ndarray]]:
        """Every passage in (document, seq) order, with its unit vector in the same row order;
        read together in one scan, so the two always match. The dict memoises each document's
        rows for this snapshot (see `dense_search`)."""
        self._follow()
        with self._lock, self._faults("reading"):
            if "passages" not in self._cache:
                got = self._collection.get(include=["documents", "metadatas", "embeddings"])
                metas = got["metadatas"]
                order = sorted(range(len(got["ids"])),
                               key=lambda j: (metas[j].get("document", ""), metas[j].get("seq", 0)))
                self._cache["passages"] = [_to_passage(got["ids"][j], got["documents"][j], metas[j]) for j in order]
                vectors = (np.asarray(got["embeddings"], dtype=np.float32)[order] if order
                           else np.zeros((0, 1), dtype=np.float32))
                self._cache["vectors"] = _unit_rows(vectors)
                self._cache["rows"] = {}
            return self._cache["passages"], self._cache["vectors"], self._cache["rows"]  # type: ignore[return-value]

    def _follow(self) -> None:
        """When another process added or removed chunks, drop the in-memory passages (and BM25)
        and reopen the embedded vector index, so both searches see the same chunks; checked at
        most every FRESH_S seconds."""
        now = time.monotonic()
        if now - self._checked < self.FRESH_S or self._write_lock.locked():
            return  # (while this process writes, the count changes by its own hand)
        self._checked = now
        with self._faults("reading"):
            changed = self._collection.count() != self._seen
        if changed and self._follow_lock.acquire(blocking=False):
            try:
                with self._faults("reopening"):
                    self._reopen()
                self._invalidate()
            finally:
                self._follow_lock.release()

    def is_empty(self) -> bool:
        return self.count() == 0

    def count(self) -> int:
        with self._faults("reading"):
            return self._collection.count()

    def require_documents(self) -> None:
        """Commands that answer from the store refuse an empty one rather than answer from nothing."""
        if self.is_empty():
            raise empty_store(self.settings)

    def documents(self) -> list[DocumentInfo]:
        """Indexed documents; one whose chunks are not all of one finished version is incomplete."""
        docs: dict[str, DocumentInfo] = {}
        versions: dict[str, set[str]] = {}
        with self._faults("reading"):
            got = self._collection.get(include=["metadatas"])
        for meta in got["metadatas"]:
            name = meta["document"]
            info = docs.setdefault(name, DocumentInfo(
                name=name, title=meta.get("title", ""), kind=meta.get("doc_kind", ""),
                pages=meta.get("doc_pages") or None, sha256=meta.get("sha256", ""),
                source=meta.get("source", ""), expected=meta.get("doc_chunks"),
                company=meta.get("company", ""), year=meta.get("year"), ingest_seconds=meta.get("ingest_s"),
                reader=meta.get("reader", ""),
            ))
            info.chunks += 1
            info.tables += meta.get("kind") == "row"
            versions.setdefault(name, set()).add(meta.get("sha256", ""))
        for name, info in docs.items():
            info.complete = len(versions[name]) == 1 and (info.expected is None or info.chunks == info.expected)
        return sorted(docs.values(), key=lambda d: d.name)

    def catalog(self) -> list[DocumentInfo]:
        """documents(), remembered until the store changes: a question naming a company looks its
        report up on every ask, and reading every chunk's metadata each time grows with the store."""
        self._follow()
        with self._lock:
            cached = self._cache.get("documents")
        if cached is None:
            cached = self.documents()
            with self._lock:
                self._cache["documents"] = cached
        return cached  # type: ignore[return-value]

    def current(self, path: Path, sha256: str, documents: list[DocumentInfo] | None = None) -> DocumentInfo | None:
        """The complete document this file already is, read by this version of the reader: a
        re-ingest of it has nothing to do, so the file need not even be read. `documents`: a
        listing the caller already holds (one metadata scan for a whole folder, not one per file)."""
        source = str(Path(path).resolve())
        docs = self.documents() if documents is None else documents
        return next((d for d in docs if d.source == source and d.sha256 == sha256 and d.complete
                     and d.reader == reader_version()), None)

    def has_document(self, name: str) -> bool:
        with self._faults("reading"):
            return bool(self._collection.get(where={"document": name}, limit=1)["ids"])

    def _of(self, document: str | None) -> list[Passage]:
        passages = self.passages()
        return passages if document is None else [p for p in passages if p.document == document]

    def bm25(self, document: str | None = None) -> tuple[LuceneBM25, list[Passage]]:
        """Keyword statistics of one document (or of the whole store): a report's answers must
        not depend on which other reports share the store."""
        passages = self._of(document)
        key = f"bm25:{document}"
        with self._lock:
            if key not in self._cache:
                corpus = [tokens(index_text(p)) or ["∅"] for p in passages]
                self._cache[key] = LuceneBM25(corpus)
            return self._cache[key], passages  # type: ignore[return-value]

    def abbreviations(self, document: str | None = None) -> dict[str, str]:
        """Abbreviations defined in one document (or anywhere in the store)."""
        passages = self._of(document)
        key = f"abbr:{document}"
        with self._lock:
            if key not in self._cache:
                self._cache[key] = find_abbreviations(p.text for p in passages)
            return self._cache[key]  # type: ignore[return-value]

    def dense_search(self, query: str, n: int, document: str | None = None) -> list[Passage]:
        """Nearest passages by cosine, computed exactly over the vectors held with the passages.

        Chroma's HNSW search is approximate, and its graph depends on how many threads built it:
        the same store gave other neighbours on another machine (7 of 33 questions differed in
        their first 30 on one report). A matrix product over a few thousand rows takes a
        millisecond and is the same everywhere; ties keep index order.
        """
        passages, vectors, rows_of = self._loaded()
        vector = np.asarray(self.embeddings.embed_query(query), dtype=np.float32)
        if not passages or n <= 0:
            return []
        if document and document not in rows_of:  # one document's rows, found once per snapshot
            rows_of[document] = np.array([j for j, p in enumerate(passages) if p.document == document], dtype=int)
        rows = rows_of[document] if document else np.arange(len(passages))
        scores = vectors[rows] @ (vector / (np.linalg.norm(vector) or 1.0))
        best = np.argsort(-scores, kind="stable")[:n]
        return [passages[int(rows[j])].model_copy(update={"score": float(scores[j])}) for j in best]

    # ---- writing -------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """One writer per store at a time, across processes (released by the OS if one is killed).
        Only writers take the lock: a read-only store can still be read."""
        if self.read_only:
            raise StoreError(f"{self.settings.store}: the store is read-only; it can be read, but adding "
                             "documents needs a writable --store")
        with self._faults("writing"), self._write_lock:
            Path(self.settings.store).mkdir(parents=True, exist_ok=True)  # the lock's folder (also with a server)
            with store_lock(self.settings.store, "write.lock", "writing to"):
                yield

    def add(
        self, doc: LoadedDocument, passages: list[Passage],
        progress: Callable[[int], None] | None = None, *, name: str | None = None,
        started: float | None = None,
    ) -> IngestResult:
        """Embed and store a document's new chunks, then drop its stale ones (`started`: the
        perf_counter when reading the file began, so ingest_seconds counts reading it too).

        Crash-safe by construction: chunk ids are content hashes, each batch is written whole,
        and stale chunks go only after the new ones are in. Killed at any point, the store
        holds whole chunks that answer, `documents()` shows the document incomplete, and a
        re-run adds just what is missing.

        A document is known by its source path and content hash: the same path (or the same
        content from elsewhere) updates its document; another file never replaces it, but gets
        a free name (`name`, or the file stem with a suffix) and the result's `note` says so.
        """
        started = time.perf_counter() if started is None else started
        with self.writing():
            target, source, note, drop = self._identify(doc, name)
            if target != doc.name:
                doc = doc.model_copy(update={"name": target})
                passages = rename(passages, target)
            doc = self._keep_edits(doc)
            result = self._add(doc, passages, progress, source)
            ids = self._collection.get(where={"document": doc.name})["ids"]
            if ids:  # how long this ingest took (reading, chunking, embedding, storing)
                seconds = round(time.perf_counter() - started, 2)
                self._collection.update(ids=ids, metadatas=[{"ingest_s": seconds}] * len(ids))
                self._invalidate()
            for old in drop:  # the same file under its old name (renamed with --name)
                self._collection.delete(where={"document": old})
            self._seen = self._collection.count()
        if drop:
            self._invalidate()
        result.note = note
        return result

    def _identify(self, doc: LoadedDocument, name: str | None) -> tuple[str, str, str, list[str]]:
        """(name to store under, source to record, note for the user, old names of this file to drop)."""
        source = str(Path(doc.path).resolve())
        docs = {d.name: d for d in self.documents()}
        same_path = [d.name for d in docs.values() if d.source == source]
        if same_path:
            keep = name or (doc.name if doc.name in same_path else same_path[0])
            taken = docs.get(keep)
            if taken is not None and taken.source and taken.source != source:  # only with --name
                raise InputError(f"the name '{keep}' is already used by {taken.source}; choose another --name")
            return keep, source, "", [n for n in same_path if n != keep]
        twin = next((d for d in docs.values() if d.sha256 == doc.sha256 and d.source), None)
        if twin is not None and name in (None, twin.name):
            return twin.name, twin.source, (f"same content as '{twin.name}' (from {twin.source}); "
                                            "kept as one document"), []
        wanted = name or doc.name
        taken = docs.get(wanted)
        if taken is None:
            return wanted, source, "", []
        if not taken.source:  # indexed before sources were recorded: it can only be this file
            return wanted, source, "", []
        if name:
            raise InputError(f"the name '{name}' is already used by {taken.source}; choose another --name")
        n = 2
        while f"{wanted}-{n}" in docs:
            n += 1
        return f"{wanted}-{n}", source, (f"'{wanted}' is already {taken.source}; indexed as '{wanted}-{n}' "
                                         "(choose a name with --name)"), []

    def _add(
        self, doc: LoadedDocument, passages: list[Passage], progress: Callable[[int], None] | None,
        source: str,
    ) -> IngestResult:
        got = self._collection.get(where={"document": doc.name}, include=["metadatas"])
        existing = set(got["ids"])
        old_meta = dict(zip(got["ids"], got["metadatas"]))
        new = {p.id: p for p in passages}
        seq = {pid: n for n, pid in enumerate(new)}  # reading order, which Chroma does not keep
        # Similar lengths batched together: the model pads each batch to its longest text.
        to_add = sorted((p for pid, p in new.items() if pid not in existing), key=lambda p: len(index_text(p)))
        stale = sorted(existing - new.keys())
        for start in range(0, len(to_add), BATCH):
            batch = to_add[start:start + BATCH]
            vectors = self.embeddings.embed_documents([index_text(p) for p in batch])
            self._collection.upsert(
                ids=[p.id for p in batch],
                embeddings=vectors,
                documents=[p.text for p in batch],
                metadatas=[_metadata(doc, p, seq[p.id], source, len(new)) for p in batch],
            )
            if progress:
                progress(len(batch))
        # Kept chunks whose place, version or source changed: metadata only, nothing re-embedded.
        # Until this is done (and the stale chunks gone) the document reads as incomplete.
        meta = {pid: _metadata(doc, new[pid], seq[pid], source, len(new)) for pid in new if pid in existing}
        moved = [pid for pid, m in meta.items() if {k: (old_meta.get(pid) or {}).get(k) for k in m} != m]
        if moved:
            self._collection.update(ids=moved, metadatas=[meta[pid] for pid in moved])
        if stale:  # only after the new chunks are safely in
            self._collection.delete(ids=stale)
        self._invalidate()
        return IngestResult(doc.name, len(to_add), len(stale), len(new))

    EDITABLE = ("company", "year")

    def _keep_edits(self, doc: LoadedDocument) -> LoadedDocument:
        """A company or year the user set (esgqa docs --set) outlives re-ingesting the file."""
        got = self._collection.get(where={"document": doc.name}, limit=1, include=["metadatas"])
        meta = got["metadatas"][0] if got["ids"] else {}
        edited = [f for f in str(meta.get("edited", "")).split(",") if f in self.EDITABLE]
        return doc.model_copy(update={f: meta.get(f) for f in edited}) if edited else doc

    def set_info(self, name: str, *, company: str | None = None, year: int | None = None) -> int:
        """Correct a document's detected company or reporting year on all its chunks (metadata
        only, nothing re-embedded); returns the chunks updated."""
        changes: dict[str, str | int] = {}
        if company is not None:
            changes["company"] = company
        if year is not None:
            changes["year"] = year
        with self.writing():
            got = self._collection.get(where={"document": name}, include=["metadatas"])
            if not got["ids"]:
                raise InputError(f"unknown document '{name}'")
            edited = set(str(got["metadatas"][0].get("edited", "")).split(",")) - {""}
            meta = {**changes, "edited": ",".join(sorted(edited | changes.keys()))}
            self._collection.update(ids=got["ids"], metadatas=[meta] * len(got["ids"]))
            self._seen = self._collection.count()
        self._invalidate()
        return len(got["ids"])

    def remove(self, name: str) -> int:
        with self.writing():
            ids = self._collection.get(where={"document": name})["ids"]
            if ids:
                self._collection.delete(ids=ids)
            self._seen = self._collection.count()
        self._invalidate()
        return len(ids)

    def _invalidate(self) -> None:
        with self._lock:
            self._cache.clear()


def _metadata(doc: LoadedDocument, p: Passage, seq: int, source: str, total: int) -> dict:
    meta = {
        "document": doc.name, "seq": seq, "section": p.section, "kind": p.kind, "title": doc.title,
        "doc_kind": doc.kind, "doc_pages": len(doc.pages) if doc.kind == "pdf" else 0,
        "sha256": doc.sha256, "source": source, "doc_chunks": total, "reader": reader_version(),
    }
    if p.page is not None:
        meta["page"] = p.page
    if p.page_label:
        meta["page_label"] = p.page_label
    if doc.year:
        meta["year"] = doc.year
    if doc.company:
        meta["company"] = doc.company
    if p.cells:
        meta["cells"] = cells_to_json(p.cells)
    if p.box:
        meta["box"] = ",".join(f"{v:.1f}" for v in p.box)
    if p.ocr:
        meta["ocr"] = True
    return meta


def _unit_rows(m: np.ndarray) -> np.ndarray:
    """Rows scaled to length one, so a dot product is the cosine."""
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1.0, norms)


def _to_passage(pid: str | None, text: str, meta: dict) -> Passage:
    return Passage(
        id=pid or "", document=meta.get("document", ""), text=text,
        section=meta.get("section", ""), page=meta.get("page"), page_label=meta.get("page_label"),
        kind=meta.get("kind", "text"), year=meta.get("year"),
        cells=cells_from_json(meta["cells"]) if meta.get("cells") else (),
        box=tuple(float(v) for v in meta["box"].split(",")) if meta.get("box") else None,
        ocr=bool(meta.get("ocr")),
    )

"""The Documents tab: the library of indexed reports (readable titles, size, when ingested),
uploads with progress, delete and re-index.

Uploads are validated before the index is touched and never replace another file; every write
from the app goes through one lock, so two users adding reports cannot interleave.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from esgqa.assistant import Assistant
from esgqa.loading import SUFFIXES, InputError, StoreError, file_sha256
from esgqa.types import DocumentInfo
from esgqa.ui.common import Context, doc_status, safe_name

CANCELLED = "\x00cancelled"  # what the browser sends when the user cancels the delete confirmation
CONFIRM_JS = ("(name) => (name && !window.confirm(`Delete ${name} from the index? Its answers go with it.`)) "
              "? '\\u0000cancelled' : name")
HEADERS = ["document", "title", "company", "year", "type", "pages", "chunks", "tables", "ingest (s)", "status",
           "source"]


def doc_row(d: DocumentInfo) -> list:
    """A document as the library shows it: blank where the ingest did not detect a value."""
    return [d.name, d.title, d.company, d.year or "", d.kind, d.pages or "", d.chunks, d.tables or "",
            f"{d.ingest_seconds:.1f}" if d.ingest_seconds is not None else "", doc_status(d), d.source]


def docs_table(assistant: Assistant) -> list[list]:
    return [doc_row(d) for d in assistant.index.documents()]


def claim_upload(folder: Path, name: str, digest: str) -> tuple[Path, bool]:
    """A path in uploads/ for this file: the same file uploaded again gets its earlier path (and
    so updates the same document); a different file with that name gets name-2, name-3, ...
    Reserved atomically, so two uploads (or two app processes) never overwrite each other.
    Returns the path and whether it was newly reserved (an empty placeholder until indexed)."""
    stem, suffix = os.path.splitext(name)
    folder.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        path = folder / (name if n == 1 else f"{stem}-{n}{suffix}")
        try:
            path.open("xb").close()
            return path, True
        except FileExistsError:
            if path.stat().st_size and file_sha256(path) == digest:
                return path, False
        n += 1


def ingest_upload(assistant: Assistant, src: Path, name: str,
                  progress: Callable[..., object] = lambda *a, **k: None) -> str:
    """Index one uploaded file, kept as STORE/uploads/NAME; the status line for the user.

    Validated before the index is touched (a bad file leaves everything as it was), and no
    upload ever replaces another one's file or document: a different file with the same name
    is kept as NAME-2 and indexed under a name of its own."""
    uploads = Path(assistant.settings.store) / "uploads"
    progress(0, desc=f"Reading {name}")
    final, reserved = claim_upload(uploads, name, file_sha256(src))
    (uploads / ".staging").mkdir(exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=uploads / ".staging"))
    staged = staging / final.name  # read under its final name: that names the document
    try:
        shutil.copyfile(src, staged)
        try:
            doc, passages = assistant.prepare(staged)
        except InputError as err:
            return f"✗ {err}"
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            progress(done / max(len(passages), 1), desc=f"Embedding {name}")

        try:
            res = assistant.index.add(doc.model_copy(update={"path": final}), passages, tick)
        except (InputError, StoreError) as err:
            return f"✗ {err}"
        staged.replace(final)
        reserved = False
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if reserved:  # not indexed: give the name back
            final.unlink(missing_ok=True)
    pages = f", {len(doc.pages)} page(s)" if doc.kind == "pdf" else ""
    state = "already indexed, unchanged" if res.unchanged else f"{res.added} chunks embedded"
    notes = [f"another file named {name} was uploaded before; this one is kept as {final.name}"] \
        if final.name != name else []
    notes += [res.note] if res.note else []
    note = "".join(f" Note: {n}." for n in notes)
    return (f"✓ **{res.document}** indexed{pages}: {res.total} chunks ({state}). Pick it in the document "
            f"filter.{note}")


@dataclass
class LibraryTab:
    """What the app refreshes after a change: the table; `changed` are the events that change it."""

    table: gr.Dataframe
    changed: list


def build_library(ctx: Context) -> LibraryTab:
    settings = ctx.assistant.settings
    max_bytes = settings.ui.max_upload_mb * 1024 * 1024
    table = gr.Dataframe(docs_table(ctx.assistant), headers=HEADERS, interactive=False, elem_id="docs", wrap=True,
                         label="Indexed documents")
    with gr.Row():
        picked = gr.Dropdown(choices=ctx.names(), value=None, label="Document to delete or re-index",
                             elem_id="library-doc", interactive=True, min_width=200,
                             allow_custom_value=True)  # a cancelled confirmation sends CANCELLED
        reindex_btn = gr.Button("Re-index from its file", elem_id="reindex-doc", min_width=120)
        delete_btn = gr.Button("Delete from the index", variant="stop", elem_id="delete-doc", min_width=120)
    library_status = gr.Markdown(elem_id="library-status")
    files = gr.File(label=f"Add reports (PDF, Markdown, text; up to {settings.ui.max_upload_mb} MB each)",
                    file_count="multiple", file_types=sorted(SUFFIXES), type="filepath", elem_id="upload")
    index_btn = gr.Button("Index", variant="primary", elem_id="index")
    status = gr.Markdown(elem_id="upload-status")
    ctx.picker(picked)

    def upload(paths: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[str, list]:  # noqa: B008
        if not paths:  # also what a file over the limit leaves: the browser refuses it before upload
            raise gr.Error(f"No file to index: choose a PDF, Markdown or text file of at most "
                           f"{settings.ui.max_upload_mb} MB (the upload limit; a larger file is refused).")
        lines = []
        for tmp in paths:
            src = Path(tmp)
            name = safe_name(src.name)
            if Path(name).suffix not in SUFFIXES:
                lines.append(f"✗ {name}: unsupported type (use {', '.join(sorted(SUFFIXES))})")
                continue
            if src.stat().st_size > max_bytes:
                lines.append(f"✗ {name}: {src.stat().st_size / 1024 / 1024:.1f} MB is over the upload limit of "
                             f"{settings.ui.max_upload_mb} MB (ESGQA_UI__MAX_UPLOAD_MB)")
                continue
            with ctx.ingest_lock:
                lines.append(ingest_upload(ctx.assistant, src, name, progress))
        return "\n\n".join(lines), docs_table(ctx.assistant)

    def delete(name: str | None) -> tuple[str, list]:
        if name == CANCELLED:
            return "Nothing deleted.", docs_table(ctx.assistant)
        if not name:
            raise gr.Error("Pick the document to delete first.")
        try:
            with ctx.ingest_lock:
                removed = ctx.assistant.remove(name)
        except (InputError, StoreError) as err:
            raise gr.Error(str(err)) from err
        return f"✓ **{name}** deleted from the index ({removed} chunks).", docs_table(ctx.assistant)

    def reindex(name: str | None, progress: gr.Progress = gr.Progress()) -> tuple[str, list]:  # noqa: B008
        if not name:
            raise gr.Error("Pick the document to re-index first.")
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            progress(None, desc=f"Embedding {name}: {done} chunks")

        progress(0, desc=f"Reading {name}")
        try:
            with ctx.ingest_lock:
                res = ctx.assistant.reindex(name, tick)
        except (InputError, StoreError) as err:
            return f"✗ {err}", docs_table(ctx.assistant)
        state = "unchanged" if res.unchanged else f"{res.added} chunks embedded, {res.removed} removed"
        return f"✓ **{res.document}** re-indexed: {res.total} chunks ({state}).", docs_table(ctx.assistant)

    changed = [
        index_btn.click(upload, [files], [status, table], api_visibility="private"),
        delete_btn.click(delete, [picked], [library_status, table], api_visibility="private", js=CONFIRM_JS),
        reindex_btn.click(reindex, [picked], [library_status, table], api_visibility="private"),
    ]
    return LibraryTab(table, changed)

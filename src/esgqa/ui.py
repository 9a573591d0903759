"""The analysts' chat: cited answers, a sources panel, a document filter and uploads.

Every handler takes what it needs as arguments and returns new values; the only things shared
between sessions are the read-mostly index and answerer (their caches are locked) and one lock
that serialises uploads, so concurrent users cannot see each other's answers.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from esgqa import audit, crosscheck  # noqa: E402
from esgqa.assistant import SAMPLE_QUESTIONS, Assistant  # noqa: E402
from esgqa.batch import FORMATS, run_batch  # noqa: E402
from esgqa.figures import parse_figures  # noqa: E402
from esgqa.loading import SUFFIXES, InputError, StoreError, file_sha256  # noqa: E402
from esgqa.settings import UISettings  # noqa: E402
from esgqa.types import Answer, DocumentInfo  # noqa: E402

ALL_DOCUMENTS = "All documents"
EXAMPLES = SAMPLE_QUESTIONS
# System fonts only: the default themes would make the browser fetch Google Fonts.
THEME = gr.themes.Soft(font=["system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"],
                       font_mono=["ui-monospace", "Menlo", "Consolas", "monospace"])
CSS = """
.source {border:1px solid var(--border-color-primary); border-radius:8px; padding:10px 12px; margin:0 0 10px 0;}
.source .where {font-weight:600; font-size:0.9em; margin-bottom:6px;}
.source .quote {white-space:pre-wrap; font-size:0.9em; line-height:1.45;}
.source mark {background:#ffe58a; padding:0 2px; border-radius:3px; font-weight:600;}
.undisclosed {background:#fff4e5; border:1px solid #f0b35a; border-radius:8px; padding:8px 12px; margin-bottom:10px;}
.muted {color:var(--body-text-color-subdued); font-size:0.9em;}
.finding-fail {border-color:#d9534f; background:#fdf1f0;}
.finding-pass .where:first-child {color:#2e7d32;}
"""


# ---- rendering ---------------------------------------------------------------------------
def chat_text(ans: Answer) -> str:
    """The answer with its numbered citations, as Markdown for the chat bubble."""
    refs = "\n".join(f"[{c.n}] {c.locator()}" for c in ans.citations)
    head = f"⚠️ {ans.answer}" if ans.abstained else _mark(ans.answer, ans.figure, "**", "**", escape=False)
    return f"{head}\n\n{refs}" if refs else head


def sources_html(ans: Answer | None) -> str:
    if ans is None:
        return "<p class='muted'>Cited passages appear here, with the figure highlighted.</p>"
    parts = []
    if ans.abstained:
        parts.append("<div class='undisclosed'><b>Not disclosed in the report.</b> No passage states this; "
                     "the closest passages are below for you to check.</div>")
    for c in ans.citations:
        quote = _highlight(c.text, ans.figure if not ans.abstained else None)
        parts.append(f"<div class='source'><div class='where'>[{c.n}] {html.escape(c.locator())}</div>"
                     f"<div class='quote'>{quote}</div></div>")
    return "\n".join(parts)


def _highlight(text: str, figure: str | None) -> str:
    return _mark(text, figure, "<mark>", "</mark>", escape=True)


def _mark(text: str, figure: str | None, start: str, end: str, *, escape: bool) -> str:
    """Wrap every statement of the answer's figure (compared as numbers) in start/end."""
    esc = html.escape if escape else (lambda t: t)
    if not figure:
        return esc(text)
    wanted = {f.value for f in parse_figures(figure)}
    out, last = [], 0
    for f in parse_figures(text):
        if f.value in wanted:
            out += [esc(text[last:f.start]), start, esc(text[f.start:f.end]), end]
            last = f.end
    return "".join(out) + esc(text[last:])


def _document(choice: str | None) -> str | None:
    """The filter's value as a document name; None means all documents."""
    return None if not choice or choice == ALL_DOCUMENTS else choice


def safe_name(name: str) -> str:
    """A file name that cannot escape the uploads folder or confuse the index."""
    stem, suffix = os.path.splitext(os.path.basename(name.replace("\\", "/")))
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._")[:80] or "upload"
    return stem + re.sub(r"[^a-z0-9.]", "", suffix.lower())[:10]


def credentials(ui: UISettings) -> tuple[str, str] | None:
    """Basic-auth (user, password) from ESGQA_UI__AUTH; an empty user or password is refused."""
    if ui.auth is None:
        return None
    user, sep, password = ui.auth.get_secret_value().partition(":")
    if not sep or not user or not password:
        raise InputError("ESGQA_UI__AUTH must be user:password with a non-empty user and password")
    return user, password


def doc_status(d: DocumentInfo) -> str:
    """A document's state for the Documents table: complete, or how to finish its ingest."""
    if d.complete:
        return "complete"
    return f"INCOMPLETE ({d.unfinished()}): upload or ingest the file again to finish"


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


# ---- the app -----------------------------------------------------------------------------
def build_app(assistant: Assistant) -> gr.Blocks:
    settings = assistant.settings
    ingest_lock = threading.Lock()
    max_bytes = settings.ui.max_upload_mb * 1024 * 1024

    def choices() -> list[str]:
        return [ALL_DOCUMENTS, *(d.name for d in assistant.index.documents())]

    def docs_table() -> list[list]:
        return [[d.name, d.kind, d.pages or "", d.chunks, doc_status(d), d.title, d.source]
                for d in assistant.index.documents()]

    def answer(question: str, document: str | None) -> Answer:
        doc = _document(document)
        try:
            if assistant.index.is_empty():
                raise InputError(f"No documents are indexed in {settings.store} yet: add a report in the "
                                 "Documents tab.")
            return assistant.ask(question, document=doc)
        except (InputError, StoreError) as err:
            raise gr.Error(str(err)) from err

    def add_question(question: str, history: list) -> tuple[list, str, str]:
        question = (question or "").strip()
        if not question:
            raise gr.Error("Type a question first.")
        return [*(history or []), {"role": "user", "content": question}], "", question

    def respond(question: str, document: str, history: list) -> tuple[list, str]:
        ans = answer(question, document)
        return [*history, {"role": "assistant", "content": chat_text(ans)}], sources_html(ans)

    def api_ask(question: str, document: str = "") -> dict:
        """Answer one question; returns the answer text, its figure and its citations."""
        return answer(question, document or None).json_dict()

    def upload(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[str, dict, list]:  # noqa: B008
        if not files:  # also what a file over the limit leaves: the browser refuses it before upload
            raise gr.Error(f"No file to index: choose a PDF, Markdown or text file of at most "
                           f"{settings.ui.max_upload_mb} MB (the upload limit; a larger file is refused).")
        lines = []
        for tmp in files:
            src = Path(tmp)
            name = safe_name(src.name)
            if Path(name).suffix not in SUFFIXES:
                lines.append(f"✗ {name}: unsupported type (use {', '.join(sorted(SUFFIXES))})")
                continue
            if src.stat().st_size > max_bytes:
                lines.append(f"✗ {name}: {src.stat().st_size / 1024 / 1024:.1f} MB is over the upload limit of "
                             f"{settings.ui.max_upload_mb} MB (ESGQA_UI__MAX_UPLOAD_MB)")
                continue
            lines.append(_ingest_one(src, name, progress))
        return "\n\n".join(lines), gr.update(choices=choices()), docs_table()

    def _ingest_one(src: Path, name: str, progress: gr.Progress) -> str:
        with ingest_lock:
            return ingest_upload(assistant, src, name, progress)

    def answer_sheet(path: str | None, document: str, fmt: str,
                     progress: gr.Progress = gr.Progress()) -> tuple[str, str | None]:  # noqa: B008
        if not path:
            raise gr.Error("Choose a questionnaire file first.")
        src = Path(path)
        name = safe_name(src.name)
        suffix = Path(name).suffix if fmt == "same as input" else fmt
        out = Path(tempfile.mkdtemp(prefix="esgqa-batch-")) / f"{Path(name).stem}-answered{suffix}"
        doc = _document(document)
        try:
            summary = run_batch(assistant, src, out, document=doc, workers=2, bar=False,
                                on_progress=lambda done, total: progress(done / total, desc="Answering"))
        except InputError as err:
            return f"✗ {err}", None
        return f"✓ {summary.line(Path(out.name))}", str(out)

    def check_claims(text: str, path: str | None, document: str) -> tuple[list[list], dict]:
        doc = _document(document)
        try:
            if path:
                src = Path(path)
                out = Path(tempfile.mkdtemp(prefix="esgqa-check-")) / f"{Path(safe_name(src.name)).stem}-checked.csv"
                checks = crosscheck.check_claims(assistant, src, out, document=doc)
            else:
                lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
                if not lines:
                    raise gr.Error("Type a claim or choose a claims file.")
                checks, out = [crosscheck.verify(assistant, ln, document=doc) for ln in lines], None
        except InputError as err:
            raise gr.Error(str(err)) from err
        rows = [[c.claim, c.verdict.replace("_", " "), c.claimed or "", c.reported or "",
                 c.citations[0].locator() if c.citations else "", c.reason] for c in checks]
        return rows, gr.update(value=str(out) if out else None, visible=out is not None)

    def run_audit(document: str) -> str:
        doc = _document(document)
        found = audit.audit(assistant.index, doc)
        if not found:
            return "<p class='muted'>No totals, breakdowns or restated figures to check in this report.</p>"
        failed = sum(f.status == "fail" for f in found)
        items = []
        for f in sorted(found, key=lambda f: f.status != "fail"):
            mark = "✗" if f.status == "fail" else "✓"
            cites = "".join(f"<div class='where'>[{c.n}] {html.escape(c.locator())}: "
                            f"<span class='quote'>{html.escape(' '.join(c.text.split())[:300])}</span></div>"
                            for c in f.citations[:3])
            items.append(f"<div class='source finding-{f.status}'><div class='where'>{mark} {f.kind}: "
                         f"{html.escape(f.message)}</div>{cites}</div>")
        return f"<p><b>{len(found)} checks, {failed} failed.</b></p>" + "".join(items)

    with gr.Blocks(title="esgqa: cited answers from ESG reports", analytics_enabled=False) as app:
        gr.Markdown("## esgqa · cited answers from ESG reports\n"
                    "<span class='muted'>Every figure comes with the passage, page and section it was read "
                    "from. When the report does not disclose something, esgqa says so.</span>")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row():
                    with gr.Column(scale=3):
                        document = gr.Dropdown(choices=choices(), value=ALL_DOCUMENTS, label="Document",
                                               elem_id="document", interactive=True)
                        chat = gr.Chatbot(label="Answers", height=460, elem_id="chat")
                        with gr.Row():
                            question = gr.Textbox(placeholder="Ask about a figure, e.g. Scope 2 emissions in 2022",
                                                  show_label=False, scale=5, elem_id="question", lines=1)
                            ask_btn = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                        gr.Examples(EXAMPLES, inputs=[question], label="Example questions")
                    with gr.Column(scale=2):
                        gr.Markdown("### Sources")
                        sources = gr.HTML(sources_html(None), elem_id="sources")
            with gr.Tab("Documents", id="documents"):
                table = gr.Dataframe(docs_table(), headers=["document", "type", "pages", "chunks", "status", "title",
                                                            "source"],
                                     interactive=False, elem_id="docs", wrap=True)
                files = gr.File(label=f"Add reports (PDF, Markdown, text; up to {settings.ui.max_upload_mb} MB each)",
                                file_count="multiple", file_types=sorted(SUFFIXES), type="filepath",
                                elem_id="upload")
                index_btn = gr.Button("Index", variant="primary", elem_id="index")
                status = gr.Markdown(elem_id="upload-status")
            with gr.Tab("Batch questionnaire", id="batch"):
                gr.Markdown("Upload a questionnaire (CSV, XLSX or JSONL) with a question column (`Question`, "
                            "`Disclosure`, ...). It comes back with answer, figure, unit, citations, evidence and "
                            "confidence columns added; every other column is kept as it was.")
                with gr.Row():
                    batch_file = gr.File(label="Questionnaire", file_types=list(FORMATS), type="filepath",
                                         elem_id="batch-file")
                    with gr.Column():
                        batch_doc = gr.Dropdown(choices=choices(), value=ALL_DOCUMENTS, label="Answer from",
                                                elem_id="batch-doc", interactive=True)
                        batch_fmt = gr.Radio(["same as input", *FORMATS], value="same as input",
                                             label="Output format")
                        batch_btn = gr.Button("Answer questionnaire", variant="primary", elem_id="batch-run")
                batch_status = gr.Markdown(elem_id="batch-status")
                batch_out = gr.File(label="Answered questionnaire", elem_id="batch-out", interactive=False)
            with gr.Tab("Cross-check", id="check"):
                check_doc = gr.Dropdown(choices=choices(), value=ALL_DOCUMENTS, label="Report",
                                        elem_id="check-doc", interactive=True)
                with gr.Row():
                    with gr.Column():
                        gr.Markdown("**Claims**: one per line, e.g. *The Beijing data center's PUE was 1.32 in "
                                    "2022*; or a file with a `claim` column.")
                        claims_text = gr.Textbox(lines=5, show_label=False, elem_id="claims",
                                                 placeholder="One claim per line")
                        claims_file = gr.File(label="or a claims file", file_types=list(FORMATS),
                                              type="filepath", elem_id="claims-file")
                        claims_btn = gr.Button("Check claims", variant="primary", elem_id="check-claims")
                    with gr.Column():
                        gr.Markdown("**Consistency audit**: totals, breakdowns, shares, restated figures, "
                                    "intensities and targets, read from the report's own tables and sentences.")
                        audit_btn = gr.Button("Run consistency audit", variant="primary", elem_id="run-audit")
                verdicts = gr.Dataframe(headers=["claim", "verdict", "claimed", "reported", "source", "reason"],
                                        interactive=False, wrap=True, elem_id="verdicts")
                verdicts_file = gr.File(label="Checked claims", interactive=False, elem_id="verdicts-file",
                                        visible=False)
                findings = gr.HTML(elem_id="findings")

        pending = gr.State("")
        for trigger in (question.submit, ask_btn.click):
            trigger(add_question, [question, chat], [chat, question, pending], api_visibility="private") \
                .then(respond, [pending, document, chat], [chat, sources], api_visibility="private")
        index_btn.click(upload, [files], [status, document, table], api_visibility="private") \
            .then(lambda: [gr.update(choices=choices())] * 2, None, [batch_doc, check_doc], api_visibility="private")
        batch_btn.click(answer_sheet, [batch_file, batch_doc, batch_fmt], [batch_status, batch_out],
                        api_visibility="private")
        claims_btn.click(check_claims, [claims_text, claims_file, check_doc], [verdicts, verdicts_file],
                         api_visibility="private")
        audit_btn.click(run_audit, [check_doc], [findings], api_visibility="private")
        app.load(lambda: (*[gr.update(choices=choices())] * 3, docs_table()), None,
                 [document, batch_doc, check_doc, table], api_visibility="private")
        gr.api(api_ask, api_name="ask")
    return app


def launch(assistant: Assistant, *, prevent_thread_lock: bool = False) -> gr.Blocks:
    ui = assistant.settings.ui
    auth = credentials(ui)
    app = build_app(assistant)
    app.queue(default_concurrency_limit=4)
    app.launch(server_name=ui.host, server_port=ui.port, auth=auth, max_file_size=f"{ui.max_upload_mb}mb",
               show_error=True, quiet=True, css=CSS, theme=THEME, footer_links=["api"],
               prevent_thread_lock=prevent_thread_lock)
    return app

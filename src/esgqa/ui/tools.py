"""The Batch questionnaire and Cross-check tabs: questionnaires answered in bulk, claims checked
against the report and the report's own arithmetic audited."""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

import gradio as gr

from esgqa import audit, crosscheck
from esgqa.batch import FORMATS, run_batch
from esgqa.loading import InputError
from esgqa.ui.common import ALL_DOCUMENTS, Context, document_of, safe_name


def build_batch(ctx: Context) -> None:
    gr.Markdown("Upload a questionnaire (CSV, XLSX or JSONL) with a question column (`Question`, "
                "`Disclosure`, ...). It comes back with answer, figure, unit, citations, evidence and "
                "confidence columns added; every other column is kept as it was.")
    with gr.Row():
        batch_file = gr.File(label="Questionnaire", file_types=list(FORMATS), type="filepath", elem_id="batch-file")
        with gr.Column():
            batch_doc = gr.Dropdown(choices=ctx.choices(), value=ALL_DOCUMENTS, label="Answer from",
                                    elem_id="batch-doc", interactive=True)
            batch_fmt = gr.Radio(["same as input", *FORMATS], value="same as input", label="Output format")
            batch_btn = gr.Button("Answer questionnaire", variant="primary", elem_id="batch-run")
    batch_status = gr.Markdown(elem_id="batch-status")
    batch_out = gr.File(label="Answered questionnaire", elem_id="batch-out", interactive=False)
    ctx.picker(batch_doc, all_documents=True)

    def answer_sheet(path: str | None, document: str, fmt: str,
                     progress: gr.Progress = gr.Progress()) -> tuple[str, str | None]:  # noqa: B008
        if not path:
            raise gr.Error("Choose a questionnaire file first.")
        src = Path(path)
        name = safe_name(src.name)
        suffix = Path(name).suffix if fmt == "same as input" else fmt
        out = Path(tempfile.mkdtemp(prefix="esgqa-batch-")) / f"{Path(name).stem}-answered{suffix}"
        try:
            summary = run_batch(ctx.assistant, src, out, document=document_of(document), workers=2, bar=False,
                                on_progress=lambda done, total: progress(done / total, desc="Answering"))
        except InputError as err:
            return f"✗ {err}", None
        return f"✓ {summary.line(Path(out.name))}", str(out)

    batch_btn.click(answer_sheet, [batch_file, batch_doc, batch_fmt], [batch_status, batch_out],
                    api_visibility="private")


def findings_html(ctx: Context, document: str | None) -> str:
    found = audit.audit(ctx.assistant.index, document)
    if not found:
        return "<p class='muted'>No totals, breakdowns or restated figures to check in this report.</p>"
    failed = sum(f.status == "fail" for f in found)
    items = []
    for f in sorted(found, key=lambda f: f.status != "fail"):
        sign = "✗" if f.status == "fail" else "✓"
        cites = "".join(f"<div class='where'>[{c.n}] {html.escape(c.locator())}: "
                        f"<span class='quote'>{html.escape(' '.join(c.text.split())[:300])}</span></div>"
                        for c in f.citations[:3])
        items.append(f"<div class='source finding-{f.status}'><div class='where'>{sign} {f.kind}: "
                     f"{html.escape(f.message)}</div>{cites}</div>")
    return f"<p><b>{len(found)} checks, {failed} failed.</b></p>" + "".join(items)


def build_check(ctx: Context) -> None:
    check_doc = gr.Dropdown(choices=ctx.choices(), value=ALL_DOCUMENTS, label="Report", elem_id="check-doc",
                            interactive=True)
    with gr.Row():
        with gr.Column():
            gr.Markdown("**Claims**: one per line, e.g. *The Beijing data center's PUE was 1.32 in 2022*; or a "
                        "file with a `claim` column.")
            claims_text = gr.Textbox(lines=5, label="Claims", show_label=False, elem_id="claims",
                                     placeholder="One claim per line")
            claims_file = gr.File(label="or a claims file", file_types=list(FORMATS), type="filepath",
                                  elem_id="claims-file")
            claims_btn = gr.Button("Check claims", variant="primary", elem_id="check-claims")
        with gr.Column():
            gr.Markdown("**Consistency audit**: totals, breakdowns, shares, restated figures, intensities and "
                        "targets, read from the report's own tables and sentences.")
            audit_btn = gr.Button("Run consistency audit", variant="primary", elem_id="run-audit")
    verdicts = gr.Dataframe(headers=["claim", "verdict", "claimed", "reported", "source", "reason"],
                            interactive=False, wrap=True, elem_id="verdicts")
    verdicts_file = gr.File(label="Checked claims", interactive=False, elem_id="verdicts-file", visible=False)
    findings = gr.HTML(elem_id="findings")
    ctx.picker(check_doc, all_documents=True)

    def check_claims(text: str, path: str | None, document: str) -> tuple[list[list], dict]:
        doc = document_of(document)
        try:
            if path:
                src = Path(path)
                out = Path(tempfile.mkdtemp(prefix="esgqa-check-")) / f"{Path(safe_name(src.name)).stem}-checked.csv"
                checks = crosscheck.check_claims(ctx.assistant, src, out, document=doc)
            else:
                lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
                if not lines:
                    raise gr.Error("Type a claim or choose a claims file.")
                checks, out = [crosscheck.verify(ctx.assistant, ln, document=doc) for ln in lines], None
        except InputError as err:
            raise gr.Error(str(err)) from err
        rows = [[c.claim, c.verdict.replace("_", " "), c.claimed or "", c.reported or "",
                 c.citations[0].locator() if c.citations else "", c.reason] for c in checks]
        return rows, gr.update(value=str(out) if out else None, visible=out is not None)

    claims_btn.click(check_claims, [claims_text, claims_file, check_doc], [verdicts, verdicts_file],
                     api_visibility="private")
    audit_btn.click(lambda d: findings_html(ctx, document_of(d)), [check_doc], [findings], api_visibility="private")

"""The Compare tab: the same questions asked of several reports, one row per document and
question, each answer with its citation (click it to open the page)."""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

import gradio as gr

from esgqa.assistant import Assistant
from esgqa.export import EXPORT_FORMATS, CompareResult, compare_sheet, status, write_export
from esgqa.loading import InputError, StoreError
from esgqa.types import Answer, Citation
from esgqa.ui.common import CITE_JS, Context, cite_button, clicked
from esgqa.ui.viewer import View, Viewer, show

MAX_CELLS = 60  # questions × documents in one comparison: each is a full answer


def compare(assistant: Assistant, questions: list[str], documents: list[str],
            progress: gr.Progress | None = None) -> CompareResult:
    """Every question asked of every document; Assistant.compare when the assistant has it."""
    result = CompareResult()
    by_engine = getattr(assistant, "compare", None)
    for n, q in enumerate(questions):
        if progress is not None:
            progress(n / len(questions), desc=f"Question {n + 1} of {len(questions)}")
        pairs = by_engine(q, documents) if callable(by_engine) else \
            [(d, assistant.ask(q, document=d)) for d in documents]
        result.rows += [(q, d, a) for d, a in pairs]
    return result


def _shown(ans: Answer) -> list[Citation]:
    return ans.candidates if ans.unsure and ans.candidates else ans.citations


def table_html(result: CompareResult) -> str:
    """The comparison as an HTML table whose citations open the page viewer."""
    if not result.rows:
        return "<p class='muted'>Pick two or more documents and type a question, then Compare.</p>"
    head = "<tr><th scope='col'>Question</th><th scope='col'>Document</th><th scope='col'>Answer</th>" \
           "<th scope='col'>Source</th></tr>"
    rows = []
    for r, (q, d, ans) in enumerate(result.rows):
        kind = status(ans)
        text = html.escape(ans.answer) if kind == "answered" else f"<i>{kind}</i>: {html.escape(ans.answer)}"
        if ans.rewritten:  # e.g. the company's name taken out of the question asked of its own report
            text = f"<div class='muted'>Answered as: {html.escape(ans.rewritten)}</div>{text}"
        cites = "<br>".join(cite_button(f"{r}:{i}", f"[{c.n}] {c.locator()}") for i, c in enumerate(_shown(ans)[:3]))
        rows.append(f"<tr class='compare-row {kind.replace(' ', '-')}'><td>{html.escape(q)}</td>"
                    f"<td>{html.escape(d)}</td><td>{text}</td><td>{cites or '—'}</td></tr>")
    return f"<table class='compare'><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def citation_of(result: CompareResult, key: str) -> Citation | None:
    try:
        r, i = (int(x) for x in key.split(":"))
        return _shown(result.rows[r][2])[i]
    except (ValueError, IndexError):
        return None


def build_compare(ctx: Context, viewer: Viewer) -> None:
    state = gr.State(CompareResult())
    names = ctx.names()
    docs = gr.Dropdown(choices=names, value=names[:2], multiselect=True, label="Documents to compare (two or more)",
                       elem_id="compare-docs", interactive=True)
    questions = gr.Textbox(lines=3, label="Questions (one per line)", elem_id="compare-questions",
                           placeholder="What were the Scope 2 emissions in 2022?")
    run = gr.Button("Compare", variant="primary", elem_id="compare-run")
    table = gr.HTML(table_html(CompareResult()), elem_id="compare-table", js_on_load=CITE_JS)
    with gr.Row():
        fmt = gr.Radio(list(EXPORT_FORMATS), value=".xlsx", label="Export format", elem_id="compare-export-format")
        export_btn = gr.Button("Export the table", elem_id="compare-export-btn", min_width=120)
    export_file = gr.File(label="Comparison with citations", interactive=False, elem_id="compare-export")
    ctx.picker(docs)

    def run_compare(chosen: list[str] | None, text: str,
                    progress: gr.Progress = gr.Progress()) -> tuple[str, CompareResult]:  # noqa: B008
        chosen = list(dict.fromkeys(chosen or []))
        qs = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
        if len(chosen) < 2:
            raise gr.Error("Pick two or more documents to compare.")
        if not qs:
            raise gr.Error("Type a question (or several, one per line).")
        if len(qs) * len(chosen) > MAX_CELLS:
            raise gr.Error(f"{len(qs)} questions × {len(chosen)} documents is over {MAX_CELLS} answers: "
                           "use the Batch questionnaire tab for more.")
        try:
            result = compare(ctx.assistant, qs, chosen, progress)
        except (InputError, StoreError) as err:
            raise gr.Error(str(err)) from err
        return table_html(result), result

    def open_citation(evt: gr.EventData, result: CompareResult) -> list:
        cite = citation_of(result, clicked(evt))
        return show(ctx, View.of(cite) if cite else None)

    def export(result: CompareResult, suffix: str) -> str:
        if not result.rows:
            raise gr.Error("Run a comparison first: there is nothing to export yet.")
        out = Path(tempfile.mkdtemp(prefix="esgqa-export-")) / f"esgqa-comparison{suffix}"
        return str(write_export(out, compare_sheet(result)))

    run.click(run_compare, [docs, questions], [table, state], api_visibility="private")
    table.click(open_citation, state, viewer.outputs(), api_visibility="private")
    export_btn.click(export, [state, fmt], export_file, api_visibility="private")

"""The Ask tab: a conversation where every answer keeps its own citations.

Each session keeps its turns (question, document filter, Answer) in a gr.State, so the sources
panel shows the citations of whichever answer the user selects, a follow-up is asked with the
earlier questions, and the conversation exports with its evidence.
"""

from __future__ import annotations

import html
import inspect
import tempfile
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from esgqa.assistant import SAMPLE_QUESTIONS, Assistant
from esgqa.export import EXPORT_FORMATS, Turn, chat_sheet, write_export
from esgqa.loading import InputError, StoreError
from esgqa.types import Answer, Citation
from esgqa.ui.common import ALL_DOCUMENTS, CITE_JS, Context, cite_button, clicked, document_of, highlight, mark
from esgqa.ui.viewer import View, Viewer, show

EXAMPLES = SAMPLE_QUESTIONS


def chat_text(ans: Answer) -> str:
    """The answer with its numbered citations, as Markdown for the chat bubble."""
    refs = "\n".join(f"[{c.n}] {c.locator()}" for c in ans.citations)
    head = f"⚠️ {ans.answer}" if ans.abstained else mark(ans.answer, ans.figure, "**", "**", escape=False)
    if ans.rewritten:
        head = f"*Answered as: {ans.rewritten}*\n\n{head}"
    return f"{head}\n\n{refs}" if refs else head


def _items(turn: int, kind: str, cites: list[Citation], figure: str | None) -> list[str]:
    return [f"<div class='source'><div class='where'>{cite_button(f'{turn}:{kind}:{i}', f'[{c.n}] {c.locator()}')}"
            f"</div><div class='quote'>{highlight(c.text, figure)}</div></div>" for i, c in enumerate(cites)]


def sources_html(ans: Answer | None, turn: int = 0) -> str:
    """One answer's evidence: its citations (click one to open its page), or, when esgqa is unsure,
    the candidate figures it would not claim."""
    if ans is None:
        return "<p class='muted'>Cited passages appear here, with the figure highlighted. Click a citation to " \
               "open its page below.</p>"
    parts = [f"<p class='muted'>Sources for: <b>{html.escape(ans.question)}</b></p>"]
    if ans.rewritten:
        parts.append(f"<p class='muted'>Answered as: {html.escape(ans.rewritten)}</p>")
    if ans.abstained:
        parts.append("<div class='undisclosed'><b>Not disclosed in the report.</b> No passage states this; "
                     "the closest passages are below for you to check.</div>")
        parts += _items(turn, "c", ans.citations, None)
    elif ans.unsure and ans.candidates:
        parts.append("<div class='unsure'><b>Unsure.</b> No figure is claimed: these candidates are the nearest "
                     "the report states. Check them before using one.</div>")
        parts += _items(turn, "k", ans.candidates, None)
    else:
        parts += _items(turn, "c", ans.citations, ans.figure)
    return "\n".join(parts)


def ask(assistant: Assistant, question: str, document: str | None, history: list[str]) -> Answer:
    """Ask with the conversation's earlier questions when the assistant takes them (follow-ups)."""
    if assistant.index.is_empty():
        raise InputError(f"No documents are indexed in {assistant.settings.store} yet: add a report in the "
                         "Documents tab.")
    if history and "history" in inspect.signature(assistant.ask).parameters:
        return assistant.ask(question, document=document, history=history)
    return assistant.ask(question, document=document)


def _turn_of_message(chat: list, index: int) -> int:
    """The turn a chat message belongs to: answers before it, counted (a user message goes with
    the answer after it)."""
    return sum(1 for m in chat[:index] if _role(m) == "assistant")


def _role(message: object) -> str:
    return message.get("role", "") if isinstance(message, dict) else getattr(message, "role", "")


def citation_of(turns: list[Turn], key: str) -> Citation | None:
    """The citation a sources-panel key ('turn:c|k:i') names, if it still exists."""
    try:
        t, kind, i = key.split(":")
        ans = turns[int(t)].answer
        return (ans.candidates if kind == "k" else ans.citations)[int(i)]
    except (ValueError, IndexError):
        return None


@dataclass
class ChatTab:
    document: gr.Dropdown


def build_chat(ctx: Context, viewer: Viewer) -> ChatTab:
    turns = gr.State([])
    pending = gr.State("")
    with gr.Row():
        with gr.Column(scale=3, min_width=300):
            document = gr.Dropdown(choices=ctx.choices(), value=ALL_DOCUMENTS, label="Document",
                                   elem_id="document", interactive=True)
            chat = gr.Chatbot(label="Answers", height=460, elem_id="chat", buttons=["copy", "copy_all"])
            with gr.Row():
                question = gr.Textbox(placeholder="Ask about a figure, e.g. Scope 2 emissions in 2022",
                                      label="Question (Enter sends)", show_label=False, scale=5,
                                      elem_id="question", lines=1, max_lines=4, min_width=200)
                ask_btn = gr.Button("Ask", variant="primary", scale=1, elem_id="ask", min_width=70)
            gr.Examples(EXAMPLES, inputs=[question], label="Example questions")
            with gr.Accordion("Export the conversation", open=False, elem_id="chat-export-panel"):
                with gr.Row():
                    fmt = gr.Radio(list(EXPORT_FORMATS), value=".xlsx", label="Format", elem_id="chat-export-format")
                    export_btn = gr.Button("Export", elem_id="chat-export-btn", min_width=90)
                export_file = gr.File(label="Conversation with citations", interactive=False, elem_id="chat-export")
        with gr.Column(scale=2, min_width=260):
            gr.Markdown("### Sources")
            sources = gr.HTML(sources_html(None), elem_id="sources", js_on_load=CITE_JS)

    ctx.picker(document, all_documents=True)

    def add_question(q: str, history: list) -> tuple[list, str, str]:
        q = (q or "").strip()
        if not q:
            raise gr.Error("Type a question first.")
        return [*(history or []), {"role": "user", "content": q}], "", q

    def respond(q: str, doc: str, history: list, done: list[Turn]) -> tuple[list, str, list[Turn]]:
        try:
            ans = ask(ctx.assistant, q, document_of(doc), [t.question for t in done])
        except (InputError, StoreError) as err:
            raise gr.Error(str(err)) from err
        done = [*done, Turn(question=q, answer=ans, document=document_of(doc))]
        return [*history, {"role": "assistant", "content": chat_text(ans)}], sources_html(ans, len(done) - 1), done

    def pick(evt: gr.SelectData, done: list[Turn], history: list) -> str:
        n = _turn_of_message(history, evt.index if isinstance(evt.index, int) else evt.index[0])
        return sources_html(done[n].answer, n) if n < len(done) else gr.skip()

    def open_citation(evt: gr.EventData, done: list[Turn]) -> list:
        cite = citation_of(done, clicked(evt))
        return show(ctx, View.of(cite) if cite else None)

    def export(done: list[Turn], suffix: str) -> str:
        if not done:
            raise gr.Error("Ask a question first: there is nothing to export yet.")
        out = Path(tempfile.mkdtemp(prefix="esgqa-export-")) / f"esgqa-conversation{suffix}"
        return str(write_export(out, chat_sheet(done)))

    for trigger in (question.submit, ask_btn.click):
        trigger(add_question, [question, chat], [chat, question, pending], api_visibility="private") \
            .then(respond, [pending, document, chat, turns], [chat, sources, turns], api_visibility="private")
    chat.select(pick, [turns, chat], sources, api_visibility="private")
    sources.click(open_citation, turns, viewer.outputs(), api_visibility="private")
    export_btn.click(export, [turns, fmt], export_file, api_visibility="private")
    return ChatTab(document)

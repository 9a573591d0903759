"""The app assembled: the Ask, Compare, Documents, Batch and Cross-check tabs over one page viewer.

Every handler takes what it needs as arguments and returns new values; the only things shared
between sessions are the read-mostly index and answerer (their caches are locked) and one lock
that serialises writes, so concurrent users cannot see each other's answers.
"""

from __future__ import annotations

import gradio as gr

from esgqa.assistant import Assistant
from esgqa.loading import InputError, StoreError
from esgqa.ui.chat import ask, build_chat
from esgqa.ui.common import CSS, THEME, Context, credentials, document_of
from esgqa.ui.compare import build_compare
from esgqa.ui.library import build_library, docs_table
from esgqa.ui.tools import build_batch, build_check
from esgqa.ui.viewer import build_viewer


def build_app(assistant: Assistant) -> gr.Blocks:
    ctx = Context(assistant)
    with gr.Blocks(title="esgqa: cited answers from ESG reports", analytics_enabled=False) as app:
        gr.Markdown("## esgqa · cited answers from ESG reports\n"
                    "<span class='muted'>Every figure comes with the passage, page and section it was read "
                    "from. When the report does not disclose something, esgqa says so.</span>")
        viewer = build_viewer(ctx)  # built first (unrendered) so every tab can open it; placed below them
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                build_chat(ctx, viewer)
            with gr.Tab("Compare", id="compare"):
                build_compare(ctx, viewer)
            with gr.Tab("Documents", id="documents"):
                library = build_library(ctx)
            with gr.Tab("Batch questionnaire", id="batch"):
                build_batch(ctx)
            with gr.Tab("Cross-check", id="check"):
                build_check(ctx)
        viewer.column.render()

        def refresh(*values: object) -> list:
            return [*ctx.refresh(*values), docs_table(assistant)]

        for event in library.changed:
            event.then(refresh, ctx.pickers, [*ctx.pickers, library.table], api_visibility="private")
        app.load(refresh, ctx.pickers, [*ctx.pickers, library.table], api_visibility="private")

        def api_ask(question: str, document: str = "") -> dict:
            """Answer one question; returns the answer text, its figure and its citations."""
            try:
                return ask(assistant, question, document_of(document or None), []).json_dict()
            except (InputError, StoreError) as err:
                raise gr.Error(str(err)) from err

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

"""The analysts' app (Gradio): chat with per-answer sources, a page viewer, compare, the document
library, batch questionnaires and cross-checks. One module per tab or panel; `app` assembles them."""

from esgqa.ui.app import build_app, launch
from esgqa.ui.chat import chat_text, sources_html
from esgqa.ui.common import ALL_DOCUMENTS, CSS, THEME, credentials, doc_status, safe_name
from esgqa.ui.library import claim_upload, docs_table, ingest_upload

__all__ = ["ALL_DOCUMENTS", "CSS", "THEME", "build_app", "chat_text", "claim_upload", "credentials", "doc_status",
           "docs_table", "ingest_upload", "launch", "safe_name", "sources_html"]

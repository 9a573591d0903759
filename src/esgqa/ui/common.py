"""What every panel of the app shares: the theme, the stylesheet, the shared context and small helpers."""

from __future__ import annotations

import html
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from esgqa.assistant import Assistant  # noqa: E402
from esgqa.figures import parse_figures  # noqa: E402
from esgqa.loading import InputError  # noqa: E402
from esgqa.settings import UISettings  # noqa: E402
from esgqa.types import DocumentInfo  # noqa: E402

ALL_DOCUMENTS = "All documents"
# System fonts only: the default themes would make the browser fetch Google Fonts.
THEME = gr.themes.Soft(font=["system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"],
                       font_mono=["ui-monospace", "Menlo", "Consolas", "monospace"])
CSS = """
.source {border:1px solid var(--border-color-primary); border-radius:8px; padding:10px 12px; margin:0 0 10px 0;}
.source .where {font-weight:600; font-size:0.9em; margin-bottom:6px;}
.source .quote {white-space:pre-wrap; font-size:0.9em; line-height:1.45; overflow-wrap:anywhere;}
.source mark, .section-text mark {background:#ffe58a; padding:0 2px; border-radius:3px; font-weight:600;}
.undisclosed {background:#fff4e5; border:1px solid #f0b35a; border-radius:8px; padding:8px 12px; margin-bottom:10px;}
.unsure {background:#eef4ff; border:1px solid #7aa7e0; border-radius:8px; padding:8px 12px; margin-bottom:10px;}
.muted {color:var(--body-text-color-subdued); font-size:0.9em;}
.finding-fail {border-color:#d9534f; background:#fdf1f0;}
.finding-pass .where:first-child {color:#2e7d32;}
button.cite {all:unset; cursor:pointer; color:var(--link-text-color, #2563eb); text-decoration:underline;
             overflow-wrap:anywhere;}
button.cite:focus-visible {outline:2px solid #2563eb; outline-offset:2px;}
.section-text {white-space:pre-wrap; font-size:0.9em; line-height:1.45; max-height:480px; overflow:auto;
               overflow-wrap:anywhere;}
table.compare {width:100%; border-collapse:collapse; table-layout:fixed; font-size:0.9em;}
table.compare th, table.compare td {border:1px solid var(--border-color-primary); padding:6px; vertical-align:top;
                                    overflow-wrap:anywhere;}
#viewer-image img {max-width:100%; height:auto;}
.gradio-container {max-width:100% !important;}
@media (max-width: 600px) {
  .gradio-container {padding-left:6px !important; padding-right:6px !important;}
  table.compare {font-size:0.8em;}
}
"""


@dataclass
class Context:
    """What the panels share: the assistant (its index and answerer are read-mostly and locked),
    one lock that serialises writes from this app, and every document picker to refresh."""

    assistant: Assistant
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)
    pickers: list[gr.Dropdown] = field(default_factory=list)
    with_all: set[int] = field(default_factory=set)  # ids of pickers that offer "All documents"

    def picker(self, dropdown: gr.Dropdown, *, all_documents: bool = False) -> gr.Dropdown:
        """Register a document picker, refreshed whenever documents are added or removed."""
        self.pickers.append(dropdown)
        if all_documents:
            self.with_all.add(id(dropdown))
        return dropdown

    def refresh(self, *values: object) -> list:
        """New choices for every registered picker, given their current `values`: a value whose
        document is gone is reset (a picker holding a value outside its choices refuses every event)."""
        names = self.names()
        out = []
        for p, value in zip(self.pickers, values, strict=True):
            choices = [ALL_DOCUMENTS, *names] if id(p) in self.with_all else names
            if isinstance(value, list):
                kept: object = [v for v in value if v in choices]
            else:
                kept = value if value in choices else (ALL_DOCUMENTS if id(p) in self.with_all else None)
            out.append(gr.update(choices=choices, value=kept))
        return out

    def names(self) -> list[str]:
        return [d.name for d in self.assistant.index.documents()]

    def choices(self) -> list[str]:
        return [ALL_DOCUMENTS, *self.names()]


def document_of(choice: str | None) -> str | None:
    """A document picker's value as a document name; None means all documents."""
    return None if not choice or choice == ALL_DOCUMENTS else choice


def user_error(fn: Callable[[], object]) -> object:
    """Run `fn`; an InputError becomes the message shown to the user, not a stack trace."""
    try:
        return fn()
    except InputError as err:
        raise gr.Error(str(err)) from err


def mark(text: str, figure: str | None, start: str, end: str, *, escape: bool) -> str:
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


def highlight(text: str, figure: str | None) -> str:
    return mark(text, figure, "<mark>", "</mark>", escape=True)


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


# Clicking an element with data-cite inside a gr.HTML sends its value to the server (the panel's
# .click handler reads evt.cite) and scrolls to the viewer (below the tabs: on a phone, far below).
# Buttons, so the keyboard (Tab, Enter) opens a citation too.
CITE_JS = ("element.addEventListener('click', (e) => { const b = e.target.closest('[data-cite]'); "
           "if (!b) return; trigger('click', {cite: b.dataset.cite}); "
           "document.getElementById('viewer')?.scrollIntoView({behavior: 'smooth', block: 'start'}); });")


def cite_button(key: str, label: str) -> str:
    """A clickable citation: opens the cited page in the page viewer."""
    return (f"<button class='cite' data-cite='{html.escape(key, quote=True)}' "
            f"aria-label='Open {html.escape(label, quote=True)} in the page viewer'>{html.escape(label)}</button>")


def clicked(evt: gr.EventData) -> str:
    """The data-cite value of the citation clicked ('' when the click was elsewhere)."""
    data = getattr(evt, "_data", None)
    return str(data.get("cite") or "") if isinstance(data, dict) else ""

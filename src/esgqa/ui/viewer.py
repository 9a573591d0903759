"""The page viewer: a citation opens its page as an image with the cited block boxed, so an
analyst checks the figure against the report as printed, not against extracted text.

PDF pages are rendered once per file version (pypdfium2, 100 dpi) and kept on disk; the boxed copy
is drawn with PIL and kept too. Markdown and text sources have no pages: the viewer shows the
cited section's text with the quote marked.
"""

from __future__ import annotations

import html
import re
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import gradio as gr
import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from esgqa.document.model import Box
from esgqa.types import Citation, DocumentInfo
from esgqa.ui.common import Context

DPI = 100
SCALE = DPI / 72  # PDF points to pixels
HIGHLIGHT = (225, 29, 72)  # the box's outline colour (RGB); tests look for it
_PDFIUM = threading.Lock()  # pdfium is not thread-safe
CACHE = Path(tempfile.gettempdir()) / "esgqa-pages"


@dataclass(frozen=True)
class View:
    """What the viewer shows: a document page (or a text section) and what was cited on it."""

    document: str
    page: int | None  # the page on screen (1-based); None for Markdown/text
    cited_page: int | None
    box: Box | None
    quote: str
    section: str = ""

    @classmethod
    def of(cls, c: Citation) -> View:
        return cls(document=c.document, page=c.page, cited_page=c.page, box=c.box, quote=c.text, section=c.section)


def _atomic_save(img: Image.Image, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{threading.get_ident()}.tmp")
    img.save(tmp, format="PNG")
    tmp.replace(path)
    return path


@lru_cache(maxsize=64)
def page_count(pdf: str, sha: str) -> int:
    """Pages in the PDF (`sha` keys the cache to the file's version)."""
    with _PDFIUM:
        doc = pdfium.PdfDocument(pdf)
        try:
            return len(doc)
        finally:
            doc.close()


def page_image(pdf: str, sha: str, number: int) -> Path:
    """Page `number` (1-based) rendered at DPI, from the disk cache when rendered before."""
    path = CACHE / (sha[:16] or "unknown") / f"p{number}.png"
    if path.exists():
        return path
    with _PDFIUM:
        doc = pdfium.PdfDocument(pdf)
        try:
            img = doc[number - 1].render(scale=SCALE).to_pil().convert("RGB")
        finally:
            doc.close()
    return _atomic_save(img, path)


def boxed_image(pdf: str, sha: str, number: int, box: Box) -> Path:
    """The page with `box` (PDF points, top-down) drawn: a translucent fill and a 3-pixel outline."""
    x0, top, x1, bottom = (round(v * SCALE) for v in box)
    path = CACHE / (sha[:16] or "unknown") / f"p{number}-{x0}_{top}_{x1}_{bottom}.png"
    if path.exists():
        return path
    page = Image.open(page_image(pdf, sha, number)).convert("RGBA")
    overlay = Image.new("RGBA", page.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    pad = 3
    rect = (x0 - pad, top - pad, x1 + pad, bottom + pad)
    draw.rectangle(rect, fill=(255, 229, 138, 70))
    draw.rectangle(rect, outline=(*HIGHLIGHT, 255), width=3)
    return _atomic_save(Image.alpha_composite(page, overlay).convert("RGB"), path)


def section_html(ctx: Context, view: View) -> str:
    """A text source's cited section, with the quote marked where it stands."""
    parts = [p.text for p in ctx.assistant.index.passages()
             if p.document == view.document and p.section == view.section and p.kind == "text"]
    text = "\n\n".join(dict.fromkeys(parts)) or view.quote
    words = view.quote.split()
    found = re.search(r"\s+".join(map(re.escape, words)), text) if words else None
    if found is None:
        body = f"<mark>{html.escape(view.quote)}</mark>\n\n{html.escape(text)}" if text != view.quote \
            else f"<mark>{html.escape(text)}</mark>"
    else:
        body = (html.escape(text[:found.start()]) + "<mark>" + html.escape(found.group()) + "</mark>"
                + html.escape(text[found.end():]))
    return f"<div class='section-text'>{body}</div>"


@dataclass
class Viewer:
    """The viewer's components; `show` fills them for a View."""

    column: gr.Column
    state: gr.State
    caption: gr.Markdown
    image: gr.Image
    text: gr.HTML
    prev: gr.Button
    next: gr.Button

    def outputs(self) -> list:
        return [self.state, self.caption, self.image, self.text, self.prev, self.next]


def build_viewer(ctx: Context) -> Viewer:
    with gr.Column(elem_id="viewer", render=False) as column:
        gr.Markdown("### Page viewer")
        caption = gr.Markdown("<span class='muted'>Click a citation to see its page here.</span>",
                              elem_id="viewer-caption")
        with gr.Row():
            prev = gr.Button("◀ Previous page", elem_id="viewer-prev", interactive=False, size="sm", min_width=120)
            nxt = gr.Button("Next page ▶", elem_id="viewer-next", interactive=False, size="sm", min_width=120)
        image = gr.Image(type="filepath", format="png", label="Cited page", elem_id="viewer-image",
                         interactive=False, visible=False, buttons=["download", "fullscreen"])
        text = gr.HTML(elem_id="viewer-text", visible=False)
    viewer = Viewer(column, gr.State(None), caption, image, text, prev, nxt)
    prev.click(lambda v: show(ctx, _step(v, -1)), viewer.state, viewer.outputs(), api_visibility="private")
    nxt.click(lambda v: show(ctx, _step(v, +1)), viewer.state, viewer.outputs(), api_visibility="private")
    return viewer


def _step(view: View | None, delta: int) -> View | None:
    if view is None or view.page is None:
        return view
    return View(view.document, view.page + delta, view.cited_page, view.box, view.quote, view.section)


def _info(ctx: Context, name: str) -> DocumentInfo | None:
    return next((d for d in ctx.assistant.index.documents() if d.name == name), None)


def show(ctx: Context, view: View | None) -> list:
    """The viewer's outputs for `view` (nothing changes for None)."""
    if view is None:
        return [gr.skip()] * 6
    hidden = gr.update(visible=False)
    no_nav = [gr.update(interactive=False)] * 2
    info = _info(ctx, view.document)
    where = f"**{view.document}**" + (f" §{view.section}" if view.section else "")
    if info is None:
        return [view, f"{where}: this document is no longer indexed.", hidden, hidden, *no_nav]
    if view.page is None or info.kind != "pdf":
        return [view, f"{where} (text source: the cited section, quote marked)", hidden,
                gr.update(value=section_html(ctx, view), visible=True), *no_nav]
    source = Path(info.source) if info.source else None
    if source is None or not source.is_file():
        return [view, f"{where} p.{view.page}: the source file {info.source or '(not recorded)'} is not on this "
                      "machine, so the page cannot be shown.", hidden,
                gr.update(value=f"<div class='section-text'><mark>{html.escape(view.quote)}</mark></div>",
                          visible=True), *no_nav]
    total = page_count(str(source), info.sha256)
    number = min(max(view.page, 1), total)
    view = View(view.document, number, view.cited_page, view.box, view.quote, view.section)
    title = f"**{view.document}** p.{number} of {total}"
    if number != view.cited_page:
        note, img = f"not the cited page (p.{view.cited_page})", page_image(str(source), info.sha256, number)
    elif view.box is None:
        note, img = "position not known: the cited passage is on this page", page_image(str(source), info.sha256,
                                                                                       number)
    else:
        note, img = "the cited passage is boxed", boxed_image(str(source), info.sha256, number, view.box)
    return [view, f"{title} · {note}", gr.update(value=str(img), visible=True), hidden,
            gr.update(interactive=number > 1), gr.update(interactive=number < total)]

"""Markdown and plain text: one page each, decoded whatever the encoding (see `esgqa.loading.decode_text`)."""

from __future__ import annotations

from pathlib import Path

from esgqa.document.loaders import register
from esgqa.errors import InputError
from esgqa.types import Page


class TextLoader:
    kind = "text"
    suffixes = (".txt",)

    def pages(self, path: Path, data: bytes) -> list[Page]:
        return _text_pages(path, data)

    def metadata(self, path: Path) -> dict[str, str]:
        return {}


class MarkdownLoader(TextLoader):
    """Markdown is read as text; the chunker reads its headings and tables."""

    kind = "markdown"
    suffixes = (".md", ".markdown")


def _text_pages(path: Path, data: bytes) -> list[Page]:
    from esgqa.loading import decode_text

    text = decode_text(data).removeprefix("\ufeff")
    if "\x00" in text:
        raise InputError(f"{path.name}: looks binary, not text")
    if not text.strip():
        raise InputError(f"{path.name}: file is empty")
    return [Page(text=text)]


register(TextLoader())
register(MarkdownLoader())

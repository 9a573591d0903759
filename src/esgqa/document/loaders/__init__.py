"""One place to add a file format: a loader turns a file's bytes into pages.

A loader has a `kind` (stored with the document and shown in `esgqa docs`), the `suffixes` it reads,
`pages(path, data)` (raising `InputError` with one clear line on bad input) and `metadata(path)`.
PDF, Markdown and text are registered here the same way a new format is: one module that calls
`register(...)`, imported below, or an installed package naming it under the `esgqa.loaders`
entry-point group.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path
from typing import Protocol

from esgqa.types import Page


class Loader(Protocol):
    kind: str
    suffixes: tuple[str, ...]

    def pages(self, path: Path, data: bytes) -> list[Page]: ...

    def metadata(self, path: Path) -> dict[str, str]: ...


_LOADERS: dict[str, Loader] = {}  # by suffix, lower case with the dot


def register(loader: Loader) -> Loader:
    """Make a loader read its suffixes (a later registration of a suffix replaces an earlier one)."""
    for suffix in loader.suffixes:
        _LOADERS[suffix.lower()] = loader
    return loader


def loader_for(path: Path) -> Loader | None:
    _load_plugins()
    return _LOADERS.get(path.suffix.lower())


def suffixes() -> dict[str, str]:
    """Every readable suffix and its kind: {".pdf": "pdf", ".md": "markdown", ...}."""
    _load_plugins()
    return {s: loader.kind for s, loader in _LOADERS.items()}


_plugins_loaded = False


def _load_plugins() -> None:
    global _plugins_loaded
    if not _plugins_loaded:
        _plugins_loaded = True
        for ep in entry_points(group="esgqa.loaders"):
            ep.load()


from esgqa.document.loaders import pdf, text  # noqa: E402,F401  (built-ins register themselves)

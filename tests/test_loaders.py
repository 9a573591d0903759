"""The loaders registry: built-in formats registered like any other, and a new one is one module."""

from __future__ import annotations

from pathlib import Path

import pytest

from esgqa.document import loaders
from esgqa.loading import InputError, load
from esgqa.types import Page


def test_built_in_formats_come_from_the_registry() -> None:
    assert loaders.suffixes() == {".pdf": "pdf", ".md": "markdown", ".markdown": "markdown", ".txt": "text"}


def test_a_registered_loader_reads_its_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class CsvLoader:
        kind = "csv"
        suffixes = (".csv",)

        def pages(self, path: Path, data: bytes) -> list[Page]:
            rows = data.decode().splitlines()
            return [Page(text="\n".join(r.replace(",", " | ") for r in rows))]

        def metadata(self, path: Path) -> dict[str, str]:
            return {}

    monkeypatch.setattr(loaders, "_LOADERS", dict(loaders._LOADERS))
    path = tmp_path / "emissions.csv"
    path.write_text("Scope,2023\nScope 2,4888\n")
    with pytest.raises(InputError, match="unsupported file type '.csv'"):
        load(path)
    loaders.register(CsvLoader())
    doc = load(path)
    assert doc.kind == "csv" and "Scope 2 | 4888" in doc.pages[0].text

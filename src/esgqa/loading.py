"""Read report files into pages. All validation happens here, before the index is touched."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from pathlib import Path

from charset_normalizer import from_bytes

from esgqa.document.loaders import loader_for, suffixes
from esgqa.errors import InputError, StoreError, one_line  # noqa: F401  (imported from here by callers)
from esgqa.types import LoadedDocument

SUFFIXES = suffixes()  # {".pdf": "pdf", ...}: every format a registered loader reads
MANIFEST = "manifest.json"


def file_sha256(path: Path) -> str:
    """A file's content hash, read in blocks (reports can be large): its identity across paths."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def find_files(paths: list[Path]) -> list[Path]:
    """Expand folders to the report files inside them (sorted, recursive)."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES and f.is_file())
        elif p.exists():
            files.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    return files


def load(path: Path) -> LoadedDocument:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    loader = loader_for(path)
    if loader is None:
        known = ", ".join(sorted(suffixes()))
        raise InputError(f"{path.name}: unsupported file type '{path.suffix or '(none)'}' (use {known})")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path.name}: file is empty")
    pages = loader.pages(path, data)
    info = loader.metadata(path)
    doc = LoadedDocument(
        name=path.stem,
        path=path,
        kind=loader.kind,
        sha256=hashlib.sha256(data).hexdigest(),
        pages=pages,
    )
    return _apply_manifest(doc, info)


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not) or UTF-16 with a BOM; otherwise line by line: UTF-8 where a line is,
    and the legacy encoding detected over the other lines (cp1252, GB18030, ...) where it is not,
    so a file pasted together from two sources still reads."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = data.splitlines(keepends=True)
    utf8 = [_is_utf8(ln) for ln in lines]
    encoding = _legacy_encoding(b"".join(ln for ln, ok in zip(lines, utf8) if not ok))
    return "".join(ln.decode("utf-8") if ok else ln.decode(encoding, errors="replace") for ln, ok in zip(lines, utf8))


# Legacy encodings reports and spreadsheets still come in; cp1252 first of the Latin ones,
# since on a short text the detector cannot tell it from cp1250 ("è" or "č").
_LEGACY = ["cp1252", "gb18030", "big5", "shift_jis", "euc_kr", "cp1251", "cp1250"]


def _legacy_encoding(data: bytes) -> str:
    matches = from_bytes(data, cp_isolation=_LEGACY)
    best = matches.best()
    if best is None:
        return "cp1252"
    latin = {"cp1252", "cp1250"}
    if best.encoding in latin and "cp1252" in {m.encoding for m in matches}:
        return "cp1252"
    return best.encoding


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _apply_manifest(doc: LoadedDocument, info: dict[str, str] | None = None) -> LoadedDocument:
    """Title, company and year from a manifest.json beside the file, when there is one; else the
    company is detected from the first pages and the PDF metadata (document/identity.py)."""
    from esgqa.document.identity import detect_company

    manifest = doc.path.parent / MANIFEST
    meta: dict = {}
    if manifest.exists():
        try:
            meta = json.loads(manifest.read_text(encoding="utf-8")).get(doc.name, {})
        except (json.JSONDecodeError, AttributeError):
            meta = {}
    year = meta.get("year") or _guess_year(doc)
    return doc.model_copy(update={
        "title": meta.get("title") or doc.name,
        "company": meta.get("company") or detect_company([p.text for p in doc.pages], info, doc.name).company,
        "year": int(year) if year else None,
        "source": meta.get("source", ""),
    })


def _guess_year(doc: LoadedDocument) -> int | None:
    """The reporting year: a year in the file name, else the most cited recent year."""
    m = re.search(r"(?<!\d)(20\d\d)(?!\d)", doc.name)
    if m:
        return int(m.group(1))
    years = re.findall(r"(?<!\d)(20[0-4]\d)(?!\d)", " ".join(p.text for p in doc.pages[:5]))
    return int(max(set(years), key=years.count)) if years else None



"""Read report files into pages. All validation happens here, before the index is touched."""

from __future__ import annotations

import codecs
import hashlib
import json
import logging
import re
from pathlib import Path

from charset_normalizer import from_bytes
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from esgqa.pdftext import split_running_lines, tidy
from esgqa.types import LoadedDocument, Page

SUFFIXES = {".pdf": "pdf", ".md": "markdown", ".markdown": "markdown", ".txt": "text"}
MANIFEST = "manifest.json"
# A page with fewer extractable characters than this is treated as an image.
MIN_CHARS_PER_PAGE = 25

logging.getLogger("pypdf").setLevel(logging.ERROR)


class InputError(Exception):
    """Bad user input: reported as one line on stderr with exit code 2."""


class StoreError(Exception):
    """The store cannot be read or written (disk full, damaged, read-only): one line naming the
    store, the cause and what to do, exit code 1; never Chroma's internals as an 'internal error'."""


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
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"{path.name}: unsupported file type '{path.suffix or '(none)'}' (use .pdf, .md or .txt)"
        )
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path.name}: file is empty")
    pages = _pdf_pages(path, data) if kind == "pdf" else _text_pages(path, data)
    info = pdf_metadata(path) if kind == "pdf" else {}
    doc = LoadedDocument(
        name=path.stem,
        path=path,
        kind=kind,
        sha256=hashlib.sha256(data).hexdigest(),
        pages=pages,
    )
    return _apply_manifest(doc, info)


def _pdf_pages(path: Path, data: bytes) -> list[Page]:
    if not data.lstrip()[:1024].startswith(b"%PDF-"):
        raise InputError(f"{path.name}: not a PDF file (no %PDF header): corrupt or misnamed")
    if b"%%EOF" not in data[-2048:]:
        raise InputError(f"{path.name}: PDF is truncated or corrupt (no end-of-file marker)")
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{path.name}: PDF is encrypted with a password; decrypt it first")
        labels = _page_labels(reader)
        pages = []
        for i, page in enumerate(reader.pages):
            text = _clean_pdf_text(page.extract_text() or "")
            pages.append(Page(number=i + 1, label=labels[i] if labels else None, text=text))
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(f"{path.name}: cannot read PDF ({one_line(exc)})") from exc
    except Exception as exc:  # pypdf raises many kinds on damaged files
        if "crypt" in str(exc).lower():
            raise InputError(f"{path.name}: cannot decrypt PDF ({one_line(exc)})") from exc
        raise InputError(f"{path.name}: cannot read PDF ({one_line(exc)})") from exc
    if not pages:
        raise InputError(f"{path.name}: PDF has no pages")
    split = split_running_lines([p.text for p in pages])
    pages = [p.model_copy(update={"text": tidy(t), "running": removed}) for p, (t, removed) in zip(pages, split)]
    chars = sum(len(p.text.strip()) for p in pages)
    if chars < MIN_CHARS_PER_PAGE * max(1, len(pages)) * 0.2 or chars < 50:
        raise InputError(
            f"{path.name}: no extractable text in {len(pages)} page(s): it looks scanned; "
            "run OCR (e.g. ocrmypdf) first"
        )
    return pages


def _page_labels(reader: PdfReader) -> list[str] | None:
    """Printed page labels, only when the PDF defines them (otherwise they are just 1..n)."""
    try:
        if "/PageLabels" not in reader.trailer["/Root"]:
            return None
        labels = list(reader.page_labels)
    except Exception:
        return None
    return labels if len(labels) == len(reader.pages) else None


def _clean_pdf_text(text: str) -> str:
    text = text.replace("\x00", "").replace("\u00ad", "")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"(?<=\d) ,(?=\d{3}\b)", ",", text)  # "76 ,591" -> "76,591"
    # "1,6 07.3" -> "1,607.3": a thousands group split by a stray space
    text = re.sub(r"\b(\d{1,3}),(\d{1,2}) (\d{1,2})(?=[.\s]|$)",
                  lambda m: f"{m[1]},{m[2]}{m[3]}" if len(m[2] + m[3]) == 3 else m[0], text)
    return text.strip()


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


def _text_pages(path: Path, data: bytes) -> list[Page]:
    text = decode_text(data).removeprefix("\ufeff")
    if "\x00" in text:
        raise InputError(f"{path.name}: looks binary, not text")
    if not text.strip():
        raise InputError(f"{path.name}: file is empty")
    return [Page(text=text)]


def pdf_metadata(path: Path) -> dict[str, str]:
    """The PDF's document info (/Title, /Author, ...) as text; {} when it cannot be read."""
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            reader.decrypt("")
        return {str(k): str(v) for k, v in (reader.metadata or {}).items() if isinstance(v, str)}
    except Exception:  # noqa: BLE001 - metadata is a hint; the pages were read already
        return {}


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


def one_line(exc: BaseException, *, kind: bool = False) -> str:
    """An exception as one short line for the user, optionally led by its type."""
    msg = str(exc).strip().splitlines()
    text = msg[0] if msg else ""
    if kind:
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return (text or type(exc).__name__)[:200]

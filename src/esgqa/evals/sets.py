"""Question sets: the bundled golden set, its paraphrases, and one golden set per real report PDF.

A row says what an analyst asks and what the page shows (`expected` as printed, `pages` 1-based
physical). Sets are split into `tuning` (misses may be read to change code) and `checking` (only
the score is reported; see evals/README.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from esgqa.loading import InputError
from esgqa.settings import REPO_ROOT

EVALS_DIR = REPO_ROOT / "evals"
REPORTS_DIR = EVALS_DIR / "reports"
EXTERNAL = REPO_ROOT.parent / "shared" / "external"
BUNDLED = ("golden", "paraphrases", "golden_pdf")
KINDS = ("table_cell", "prose_figure", "narrative", "undisclosed", "figure")


@dataclass
class Item:
    id: str
    question: str
    answerable: bool
    expected: list[str] = field(default_factory=list)  # figures as printed, or a narrative key phrase
    unit: str = ""
    pages: list[int] = field(default_factory=list)  # 1-based physical pages holding the answer
    kind: str = "figure"  # table_cell | prose_figure | narrative | undisclosed | figure (bundled sets)
    split: str = ""
    evidence: str = ""  # bundled sets: a phrase the retrieved passage must hold
    category: str = ""
    document: str | None = None
    source: str | None = None  # a PDF under ../shared/external to ingest for this question
    note: str = ""
    # table_cell rows: the headers a reader must attach to the figure (reading recall)
    row: str = ""
    column: str = ""
    block: str = ""  # a block or group header over the row or column, when the table has one
    layout: str = ""  # "not_grid": the figure stands in a map, box or sentence, not a table grid

    @property
    def wants_figure(self) -> bool:
        return self.answerable and self.kind != "narrative" and bool(self.expected)


def item_from(data: dict) -> Item:
    """One JSONL row; older rows (`page`, list `expected`, no `kind`) read the same way."""
    expected = data.get("expected")
    expected = [] if expected is None else [expected] if isinstance(expected, str) else [str(e) for e in expected]
    pages = data.get("pages", data.get("page"))
    pages = [] if pages is None else [pages] if isinstance(pages, int) else list(pages)
    answerable = bool(data.get("answerable", True))
    kind = data.get("kind") or ("figure" if answerable else "undisclosed")
    if kind not in KINDS:
        raise InputError(f"question {data.get('id')}: unknown kind {kind!r}")
    return Item(
        id=str(data["id"]), question=data["question"], answerable=answerable, expected=expected,
        unit=data.get("unit") or "", pages=pages, kind=kind, split=data.get("split", ""),
        evidence=data.get("evidence", ""), category=data.get("category", ""), document=data.get("document"),
        source=data.get("source"), note=data.get("note", ""), row=data.get("row") or "",
        column=data.get("column") or "", block=data.get("block") or "", layout=data.get("layout") or "",
    )


def load_items(path: Path) -> list[Item]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                items.append(item_from(json.loads(line)))
            except (ValueError, KeyError) as err:
                raise InputError(f"{path.name} line {n}: {err}") from err
    return items


@dataclass
class EvalSet:
    name: str
    path: Path
    items: list[Item]
    split: str  # bundled | tuning | checking
    sources: list[Path]  # files its store holds
    skip: str | None = None  # why it cannot run here

    @property
    def is_report(self) -> bool:
        return self.split in {"tuning", "checking"}


def load_set(path: Path, corpus: Path) -> EvalSet:
    items = load_items(path)
    names = sorted({i.source for i in items if i.source})
    sources = [EXTERNAL / n for n in names]
    if any(not i.source for i in items):
        sources += sorted(p for p in corpus.glob("*") if p.suffix in {".md", ".txt", ".pdf"})
    splits = {i.split for i in items if i.split}
    if len(splits) > 1:
        raise InputError(f"{path.name}: one set, one split (found {', '.join(sorted(splits))})")
    split = splits.pop() if splits else "bundled"
    missing = [p for p in sources if not p.exists()]
    skip = f"skipped {path.stem}: {missing[0].name} not found in {missing[0].parent}" if missing else None
    return EvalSet(path.stem, path, items, split, sources, skip)


def all_set_paths() -> list[Path]:
    bundled = [EVALS_DIR / f"{n}.jsonl" for n in BUNDLED if (EVALS_DIR / f"{n}.jsonl").exists()]
    return bundled + sorted(REPORTS_DIR.glob("*.jsonl"))


def find_set(name: str) -> Path:
    """A set by file path or by name (`takkt`, `golden`)."""
    path = Path(name)
    if path.suffix == ".jsonl" and path.exists():
        return path
    for candidate in all_set_paths():
        if candidate.stem == name:
            return candidate
    known = ", ".join(p.stem for p in all_set_paths())
    raise InputError(f"no eval set named {name!r} (known: {known})")

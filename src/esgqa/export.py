"""The app's conversation and compare table as XLSX, CSV or Markdown files an analyst can keep.

Spreadsheet safety is batch's: `batch.write_sheet` writes CSV and XLSX (text that would run as a
formula gets a leading apostrophe, control characters XLSX cannot hold are replaced), and the
Markdown table uses the same `neutralise`, so a cell pasted from it into a sheet is safe too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from esgqa.batch import Sheet, answer_fields, neutralise, write_sheet
from esgqa.types import Answer

EXPORT_FORMATS = (".xlsx", ".csv", ".md")
CHAT_COLUMNS = ["question", "answered_as", "document", "status", "answer", "figure", "unit", "confidence",
                "citations", "evidence"]
COMPARE_COLUMNS = ["question", "document", "status", "answer", "figure", "unit", "confidence", "citations",
                   "evidence"]


@dataclass(frozen=True)
class Turn:
    """One question as the user typed it, the document filter it was asked with, and its answer."""

    question: str
    answer: Answer
    document: str | None = None


@dataclass
class CompareResult:
    """The compare table: one answer per (question, document), in the order shown."""

    rows: list[tuple[str, str, Answer]] = field(default_factory=list)


def status(ans: Answer) -> str:
    """What kind of answer it is, in words a reader of the export understands."""
    if ans.abstained:
        return "not disclosed"
    if ans.unsure:
        return "unsure"
    return "answered"


def _fields(ans: Answer) -> dict[str, object]:
    got = answer_fields(ans)
    return {"status": status(ans), "answer": got["answer"], "figure": got["figure"], "unit": got["unit"],
            "confidence": round(float(got["confidence"]), 3), "citations": got["citations"],
            "evidence": got["evidence"]}


def chat_sheet(turns: list[Turn]) -> Sheet:
    rows = [{"question": t.question, "answered_as": t.answer.rewritten or "", "document": t.document or "all",
             **_fields(t.answer)} for t in turns]
    return Sheet(columns=list(CHAT_COLUMNS), rows=rows)


def compare_sheet(result: CompareResult) -> Sheet:
    rows = [{"question": q, "document": d, **_fields(a)} for q, d, a in result.rows]
    return Sheet(columns=list(COMPARE_COLUMNS), rows=rows)


def write_export(path: Path, sheet: Sheet) -> Path:
    """Write `sheet` as the file type `path` names (.xlsx, .csv or .md)."""
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ValueError(f"export format must be one of {', '.join(EXPORT_FORMATS)}, not {suffix or 'none'}")
    if suffix == ".md":
        path.write_text(markdown_table(sheet), encoding="utf-8")
    else:
        write_sheet(path, sheet)
    return path


def markdown_table(sheet: Sheet) -> str:
    """A GitHub-style table; pipes and line breaks inside a cell cannot break the table."""

    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        text = str(neutralise(" ".join(text.split())))
        return text.replace("\\", "\\\\").replace("|", "\\|")

    lines = ["| " + " | ".join(cell(c) for c in sheet.columns) + " |",
             "|" + "---|" * len(sheet.columns)]
    lines += ["| " + " | ".join(cell(r.get(c)) for c in sheet.columns) + " |" for r in sheet.rows]
    return "\n".join(lines) + "\n"

"""Questionnaires in, answered sheets out: CSV / XLSX / JSONL, resumable, spreadsheet-safe.

The output file is rewritten atomically at least every second while rows are answered, and on
exit, so it is always a valid file holding the rows finished (a kill loses at most a second's
work). A re-run reads it back and skips those rows: each output row carries `row` (its 1-based
row in the input) and the question it answered.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from esgqa.assistant import Assistant
from esgqa.loading import InputError, decode_text, one_line
from esgqa.types import Answer

FORMATS = (".csv", ".xlsx", ".jsonl")
# Header names that hold the question, most specific first; matched case-insensitively.
QUESTION_HEADERS = ("question", "questions", "disclosure question", "disclosure", "disclosure requirement",
                    "query", "kpi question", "prompt", "indicator", "requirement")
ADDED = ("answer", "figure", "unit", "abstained", "citations", "evidence", "confidence", "error", "row")
WRITE_EVERY_S = 1.0  # the answered file is rewritten (atomically) at least this often
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters an XLSX file cannot hold (XML 1.0 control characters; openpyxl refuses them).
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
REPLACEMENT = "\ufffd"


class Formula(str):
    """A spreadsheet formula whose computed value was never saved in the file (e.g. a sheet
    written by a script): its text is kept, and the row says why it was not answered."""


@dataclass
class Sheet:
    columns: list[str]
    rows: list[dict[str, Any]]

    def column(self, *names: str) -> str | None:
        """The header matching the first of `names` that is present, case-insensitively."""
        lowered = {c.lower().strip(): c for c in self.columns}
        return next((lowered[n] for n in names if n in lowered), None)

    def no_column(self, source: str, what: str, looked_for: str) -> InputError:
        found = ", ".join(repr(c) for c in self.columns)
        return InputError(f"{source}: no {what} column (looked for {looked_for}); found columns: {found}")


@dataclass
class BatchSummary:
    rows: int
    answered: int  # this run
    skipped: int  # answered by an earlier run
    with_figure: int
    abstained: int
    errors: int
    seconds: float

    def line(self, output: Path) -> str:
        rate = self.answered / self.seconds if self.seconds else 0.0
        return (f"{self.rows} rows: {self.with_figure} answered with a figure, "
                f"{self.rows - self.with_figure - self.abstained - self.errors} answered in words, "
                f"{self.abstained} not disclosed, {self.errors} errors; {self.answered} answered now "
                f"({self.skipped} already done) in {self.seconds:.1f} s ({rate:.2f} questions/s); wrote {output}")


# ---- reading and writing sheets --------------------------------------------------------------
def read_sheet(path: Path) -> Sheet:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{path.name}: unsupported questionnaire type (use {', '.join(FORMATS)})")
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise InputError(f"{path.name}: the file is empty")
    try:
        sheet = {".csv": _read_csv, ".xlsx": _read_xlsx, ".jsonl": _read_jsonl}[suffix](path)
    except InputError:
        raise
    except Exception as exc:  # a damaged spreadsheet raises many kinds
        raise InputError(f"{path.name}: cannot read ({one_line(exc, kind=True)})") from exc
    if not sheet.columns:
        raise InputError(f"{path.name}: the file is empty (no header row)")
    return sheet


def _read_csv(path: Path) -> Sheet:
    text = decode_text(path.read_bytes())  # Excel on Windows still writes cp1252 CSV
    if "\x00" in text:
        raise InputError(f"{path.name}: looks binary, not a CSV file")
    try:  # the delimiter only: the sniffer's guesses about quoting break quoted commas
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = [r for r in reader if any(c.strip() for c in r)]
    if not rows:
        return Sheet([], [])
    columns = _unique([c.strip() for c in rows[0]])
    return Sheet(columns, [dict(zip(columns, r + [""] * (len(columns) - len(r)))) for r in rows[1:]])


def _read_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)  # not read_only: that mode cannot see merged cells
    formulas = load_workbook(path, data_only=False)  # where a value is missing: was it a formula?
    try:
        ws, fws = wb.active, formulas.active
        for merged in list(ws.merged_cells.ranges):  # a merged cell's value belongs to every cell it covers
            value = _value(ws.cell(merged.min_row, merged.min_col), fws)
            ws.unmerge_cells(str(merged))
            for row in ws.iter_rows(min_row=merged.min_row, max_row=merged.max_row,
                                    min_col=merged.min_col, max_col=merged.max_col):
                for cell in row:
                    cell.value = value
        rows = []
        for r in ws.iter_rows():
            values = [_value(c, fws) for c in r]
            if any(v not in (None, "") for v in values):
                rows.append(values)
    finally:
        wb.close()
        formulas.close()
    if not rows:
        return Sheet([], [])
    columns = _unique([str(c).strip() if c is not None else "" for c in rows[0]])
    return Sheet(columns, [dict(zip(columns, [*r, *[None] * (len(columns) - len(r))])) for r in rows[1:]])


def _value(cell: Any, formulas: Any) -> Any:
    """A cell's saved value; a formula with no saved value comes back as its text (Formula)."""
    if cell.value is not None:
        return cell.value
    source = formulas.cell(cell.row, cell.column)
    if source.data_type != "f" or source.value is None:
        return None
    text = str(getattr(source.value, "text", source.value))  # an ArrayFormula keeps it in .text
    return Formula(text if text.startswith("=") else f"={text}")


def _read_jsonl(path: Path) -> Sheet:
    rows, columns = [], {}
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path.name}: line {n} is not JSON ({exc.msg})") from exc
        if not isinstance(obj, dict):
            raise InputError(f"{path.name}: line {n} is not a JSON object")
        rows.append(obj)
        columns.update(dict.fromkeys(obj))
    return Sheet(list(columns), rows)


def _unique(columns: list[str]) -> list[str]:
    """Blank or repeated headers get a suffix so no column is lost."""
    out: list[str] = []
    for i, c in enumerate(columns, start=1):
        name = c or f"column {i}"
        while name in out:
            name += "_"
        out.append(name)
    return out


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_sheet(path: Path, sheet: Sheet) -> None:
    """Write to a temporary file and rename: a reader (or a kill) never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in sheet.rows), encoding="utf-8")
    elif suffix == ".csv":
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([neutralise(c) for c in sheet.columns])
            for r in sheet.rows:
                writer.writerow([neutralise(_cell(r.get(c))) for c in sheet.columns])
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "answers"
        ws.append([_xlsx_text(neutralise(c)) for c in sheet.columns])
        for r in sheet.rows:
            ws.append([_xlsx_text(neutralise(_cell(r.get(c)))) for c in sheet.columns])
        wb.save(tmp)
    os.replace(tmp, path)


def _xlsx_text(value: Any) -> Any:
    return _XLSX_ILLEGAL.sub(REPLACEMENT, value) if isinstance(value, str) else value


def xlsx_safe(row: dict[str, Any]) -> dict[str, Any]:
    """A row XLSX can hold: control characters replaced by U+FFFD, and the row's `error` says
    where, so one odd cell never stops a run (nor every re-run at the same row)."""
    bad = [k for k, v in row.items() if k != "error" and isinstance(v, str) and _XLSX_ILLEGAL.search(v)]
    if not bad:
        return row
    out = {k: _xlsx_text(v) for k, v in row.items()}
    note = f"control characters (not allowed in XLSX) replaced with {REPLACEMENT} in: {', '.join(bad)}"
    out["error"] = f"{out['error']}; {note}" if out.get("error") else note
    return out


def _same_question(a: str, b: str) -> bool:
    return _xlsx_text(a) == _xlsx_text(b)


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def question_column(sheet: Sheet, source: str) -> str:
    col = sheet.column(*QUESTION_HEADERS) or next(  # "Question (EN)", "Disclosure item"
        (c for c in sheet.columns if c.lower().startswith(("question", "disclosure"))), None)
    if col is None:
        raise sheet.no_column(source, "question", f"{', '.join(QUESTION_HEADERS[:4])}, ...")
    return col


def check_output(source: Path, output: Path) -> None:
    """Before anything is read or answered: a format we can write, and not the input itself."""
    if output.suffix.lower() not in FORMATS:
        raise InputError(f"{output.name}: unsupported output type (use {', '.join(FORMATS)})")
    if output.resolve() == source.resolve():
        raise InputError("the output file must differ from the input")


# ---- answering -------------------------------------------------------------------------------
def answer_fields(ans: Answer) -> dict[str, Any]:
    """The columns a batch adds for one answer."""
    cites = "; ".join(c.locator() for c in ans.citations)
    return {
        "answer": ans.answer,
        "figure": ans.figure or "",
        "unit": ans.unit or "",
        "abstained": ans.abstained,
        "citations": f"closest: {cites}" if ans.abstained and cites else cites,
        "evidence": "" if ans.abstained or not ans.citations else " ".join(ans.citations[0].text.split()),
        "confidence": ans.confidence,
        "error": "",
    }


def run_batch(
    assistant: Assistant, source: Path, output: Path, *, document: str | None = None, workers: int = 1,
    on_progress: Callable[[int, int], None] | None = None, bar: bool = True,
) -> BatchSummary:
    check_output(source, output)
    sheet = read_sheet(source)
    qcol = question_column(sheet, source.name)
    idcol = sheet.column("id")
    assistant.check_document(document)
    as_json = output.suffix.lower() == ".jsonl"
    as_xlsx = output.suffix.lower() == ".xlsx"
    done = _finished_rows(output, qcol, as_json)
    results: dict[int, dict] = {}
    todo = []
    for n, row in enumerate(sheet.rows, start=1):
        question = str(row.get(qcol) or "").strip()
        if n in done and _same_question(done[n][0], question):
            results[n] = done[n][1]
        else:
            todo.append((n, row, question))

    memo: dict[str, Answer] = {}  # a question asked in several rows is answered once

    def ask(question: str) -> Answer:
        if question not in memo:
            memo[question] = assistant.ask(question, document=document)
        return memo[question]

    def work(item: tuple[int, dict, str]) -> tuple[int, dict]:
        n, out = answer_row(item)
        return n, xlsx_safe(out) if as_xlsx else out

    def answer_row(item: tuple[int, dict, str]) -> tuple[int, dict]:
        n, row, question = item
        extra = {"row": n, **({"id": row.get(idcol)} if idcol and as_json else {})}
        error = ""
        if isinstance(row.get(qcol), Formula):
            error = (f"the question cell is a formula ({question}) with no computed value saved in the file: "
                     "open and save it in Excel or LibreOffice, or paste the values, then run again")
        elif not question:
            error = "empty question: nothing to answer"
        if error:
            fields = {"answer": "", "abstained": None, "error": error}
            return n, ({"question": question, **fields, "citations": [], **extra} if as_json
                       else {**row, **fields, **extra})
        try:
            ans = ask(question)
        except InputError as err:
            fields = {"answer": "", "abstained": None, "error": str(err)}
            return n, ({"question": question, **fields, "citations": [], **extra} if as_json
                       else {**row, **fields, **extra})
        return n, ({**ans.json_dict(), **extra} if as_json else {**row, **answer_fields(ans), **extra})

    columns = sheet.columns + [c for c in ADDED if c not in sheet.columns]
    t0 = time.perf_counter()
    progress = _bar(len(sheet.rows), len(results)) if bar else None
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    written, last_write = len(results), time.monotonic()

    def save() -> None:
        nonlocal written, last_write
        write_sheet(output, Sheet(columns, [results[k] for k in sorted(results)]))
        written, last_write = len(results), time.monotonic()

    try:
        for n, out in pool.map(work, todo):  # in input order, whatever order they finish in
            results[n] = out
            # At least every WRITE_EVERY_S: a kill loses at most that much work, and a
            # 10,000-row sheet is not rewritten 10,000 times.
            if time.monotonic() - last_write >= WRITE_EVERY_S:
                save()
            if progress:
                progress.update()
            if on_progress:
                on_progress(len(results), len(sheet.rows))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        if len(results) != written or not output.exists():  # also on Ctrl-C: keep what was answered
            save()
        if progress:
            progress.close()
    outs = list(results.values())
    return BatchSummary(
        rows=len(sheet.rows), answered=len(todo), skipped=len(sheet.rows) - len(todo),
        with_figure=sum(1 for r in outs if r.get("figure") and not r.get("abstained")),
        abstained=sum(1 for r in outs if r.get("abstained") is True or r.get("abstained") == "True"),
        errors=sum(1 for r in outs if r.get("error")),
        seconds=time.perf_counter() - t0,
    )


def _finished_rows(output: Path, qcol: str, as_json: bool) -> dict[int, tuple[str, dict]]:
    """{row: (question, output row)} from an earlier run's output, if there is one."""
    if not output.exists():
        return {}
    try:
        sheet = read_sheet(output)
    except InputError as err:
        raise InputError(f"{output.name} exists but cannot be resumed ({err}); move it away to start over") from err
    key = "question" if as_json else qcol
    done = {}
    for r in sheet.rows:
        try:
            n = int(r.get("row"))
        except (TypeError, ValueError):
            continue
        question = str(r.get(key) or "").strip()
        done[n] = (question[1:] if question.startswith("'") and question[1:].startswith(_FORMULA_START)
                   else question, r)
    return done


def _bar(total: int, initial: int):
    """A progress bar with rate and ETA on a terminal; nothing when stderr is not one."""
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="q", desc="answering", file=sys.stderr, disable=None)

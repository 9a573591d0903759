"""Exports of the app's conversation and compare table: each format read back by its own reader,
with real answers from the bundled report, and text a spreadsheet would run kept inert."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from esgqa.export import CompareResult, Turn, chat_sheet, compare_sheet, markdown_table, write_export

BUNDLED = "kingsoft-cloud-2022-esg-report"


@pytest.fixture(scope="module")
def turns(assistant) -> list[Turn]:
    asked = ["What was the Beijing data center PUE in 2022?", "=1+1", "@SUM(A1:A2) | what? +1"]
    return [Turn(q, assistant.ask(q, document=BUNDLED), BUNDLED) for q in asked]


def read(path) -> list[list[str]]:
    if path.suffix == ".xlsx":
        sheet = load_workbook(path).active
        return [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    if path.suffix == ".csv":
        return list(csv.reader(path.open(encoding="utf-8", newline="")))
    lines = path.read_text(encoding="utf-8").splitlines()
    return [[c.strip() for c in ln.strip("|").split(" | ")] for ln in [lines[0], *lines[2:]]]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".md"])
def test_chat_export_keeps_citations_and_neutralises_formulas(turns, tmp_path, suffix):
    rows = read(write_export(tmp_path / f"chat{suffix}", chat_sheet(turns)))
    header, pue, formula, pipes = rows
    got = dict(zip(header, pue))
    assert got["figure"] == "1.37" and got["status"] == "answered" and got["document"] == BUNDLED
    assert got["citations"].startswith(BUNDLED) and "1.37" in got["evidence"]
    assert formula[0] == "'=1+1" and pipes[0].startswith("'@SUM(A1:A2)")
    if suffix == ".md":  # a pipe in a cell is escaped, so the row keeps its columns
        assert len(pipes) == len(header) and "\\|" in pipes[0]


def test_compare_export_has_one_row_per_question_and_document(assistant, tmp_path):
    result = CompareResult([(q, BUNDLED, assistant.ask(q, document=BUNDLED))
                            for q in ("What is the share of female employees?", "+cmd|' /C calc'!A0")])
    for suffix in (".xlsx", ".csv", ".md"):
        header, first, second = read(write_export(tmp_path / f"cmp{suffix}", compare_sheet(result)))
        assert header[:2] == ["question", "document"] and first[1] == BUNDLED
        assert "33.8" in first[header.index("figure")]
        assert second[0].startswith("'+cmd")


def test_control_characters_and_unknown_formats(turns, tmp_path):
    odd = [Turn("bell\x07 question", turns[0].answer)]
    rows = read(write_export(tmp_path / "odd.xlsx", chat_sheet(odd)))
    assert rows[1][0] == "bell\ufffd question"  # XLSX cannot hold control characters
    with pytest.raises(ValueError, match="export format"):
        write_export(tmp_path / "x.pdf", chat_sheet(odd))
    assert markdown_table(chat_sheet([])).count("\n") == 2  # header and rule only

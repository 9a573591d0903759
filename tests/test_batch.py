"""Batch questionnaires through the real CLI: formats, resume after a kill, bad input, formula safety."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import time

from openpyxl import Workbook, load_workbook

from conftest import ROOT, cli_env, run_cli, stderr_lines
from esgqa.figures import parse_figure

DOC = "kingsoft-cloud-2022-esg-report"


def _xlsx(path, header, rows):
    wb = Workbook()
    wb.active.append(header)
    for r in rows:
        wb.active.append(r)
    wb.save(path)


def _read_xlsx(path):
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    return list(rows[0]), [dict(zip(rows[0], r)) for r in rows[1:]]


def test_xlsx_keeps_its_columns_and_gets_cited_figures(corpus_store, tmp_path):
    src, out = tmp_path / "dd.xlsx", tmp_path / "answered.xlsx"
    _xlsx(src, ["No.", "Question", "Owner"], [
        [1, "What was the total comprehensive energy consumption in 2022?", "Facilities"],
        [2, "How many full-time employees did the company have in 2022?", "HR"],
        [3, "What was the total number of suppliers in 2022?", "Procurement"],
        [4, "What were the company's Scope 3 emissions?", "Sustainability"],
    ])
    proc = run_cli("batch", str(src), "-o", str(out), store=corpus_store)
    assert proc.returncode == 0, proc.stderr
    header, rows = _read_xlsx(out)
    assert header[:3] == ["No.", "Question", "Owner"]
    assert {"answer", "figure", "unit", "abstained", "citations", "evidence", "confidence"} <= set(header)
    assert [r["No."] for r in rows] == [1, 2, 3, 4] and rows[2]["Owner"] == "Procurement"
    for row, want in zip(rows[:3], ["50,637.58", "9,517", "742"]):
        assert parse_figure(str(row["figure"])).value == parse_figure(want).value, row["answer"]
        assert want in row["evidence"] and DOC in row["citations"]
    assert rows[3]["abstained"] is True and rows[3]["figure"] in (None, "")
    assert "4 rows: 3 answered with a figure" in proc.stderr


def test_csv_in_jsonl_out_uses_the_ask_json_object_plus_id(corpus_store, tmp_path):
    src, out = tmp_path / "q.csv", tmp_path / "a.jsonl"
    src.write_text("ID,Disclosure\nB6.3,How many patents has the company been granted by the end of 2022?\n")
    assert run_cli("batch", str(src), "-o", str(out), store=corpus_store).returncode == 0
    row = json.loads(out.read_text().splitlines()[0])
    asked = run_cli("ask", "How many patents has the company been granted by the end of 2022?", "--json",
                    store=corpus_store, check_json=True).data
    assert set(asked) <= set(row) and row["id"] == "B6.3"
    assert row["figure"] == asked["figure"] and row["citations"] == asked["citations"]


def test_killed_half_way_then_rerun_completes_without_duplicates(corpus_store, tmp_path):
    questions = [r["question"] for r in csv.DictReader((ROOT / "evals/questionnaires/hkex_esg_kpis.csv").open())]
    src, out = tmp_path / "q.csv", tmp_path / "a.csv"
    with src.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "question"])
        w.writerows([[f"q{i}", q] for i, q in enumerate(questions, 1)])
    total = len(questions)
    env = cli_env(corpus_store)
    proc = subprocess.Popen([sys.executable, "-m", "esgqa.cli", "batch", str(src), "-o", str(out)], env=env,
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 180
    while time.time() < deadline and not (out.exists() and len(out.read_text().splitlines()) >= 6):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = list(csv.DictReader(out.open()))  # a valid file at every moment
    assert 5 <= len(partial) < total, len(partial)
    assert [int(r["row"]) for r in partial] == list(range(1, len(partial) + 1))

    again = run_cli("batch", str(src), "-o", str(out), store=corpus_store)
    assert again.returncode == 0, again.stderr
    assert f"({len(partial)} already done)" in again.stderr
    rows = list(csv.DictReader(out.open()))
    assert [int(r["row"]) for r in rows] == list(range(1, total + 1))
    assert [r["id"] for r in rows] == [f"q{i}" for i in range(1, total + 1)]
    assert rows[: len(partial)] == partial  # finished rows kept as they were


def test_missing_question_column_names_the_columns_found(corpus_store, tmp_path):
    src = tmp_path / "q.csv"
    src.write_text("No.,Topic,Owner\n1,Energy,Facilities\n")
    proc = run_cli("batch", str(src), "-o", str(tmp_path / "a.csv"), store=corpus_store)
    assert proc.returncode == 2
    lines = stderr_lines(proc)
    assert len(lines) == 1 and "no question column" in lines[0] and "'No.', 'Topic', 'Owner'" in lines[0]
    assert not (tmp_path / "a.csv").exists()


def test_empty_file_is_a_clear_error(corpus_store, tmp_path):
    src = tmp_path / "empty.xlsx"
    src.write_bytes(b"")
    proc = run_cli("batch", str(src), "-o", str(tmp_path / "a.xlsx"), store=corpus_store)
    assert proc.returncode == 2 and stderr_lines(proc) == ["esgqa: error: empty.xlsx: the file is empty"]


def test_empty_question_is_reported_in_its_row(corpus_store, tmp_path):
    src, out = tmp_path / "q.csv", tmp_path / "a.csv"
    src.write_text("question,owner\n,HR\nHow many patents has the company been granted by the end of 2022?,IP\n")
    proc = run_cli("batch", str(src), "-o", str(out), store=corpus_store)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(out.open()))
    assert rows[0]["error"] == "empty question: nothing to answer" and rows[0]["owner"] == "HR"
    assert rows[1]["error"] == "" and rows[1]["figure"] == "663"
    assert "1 errors" in proc.stderr


def test_text_that_looks_like_a_formula_is_neutralised(corpus_store, tmp_path):
    src = tmp_path / "q.csv"
    src.write_text('question,note\n"=HYPERLINK(""http://x"",""click"") patents granted?",@SUM(A1)\n')
    for name in ("a.csv", "a.xlsx"):
        out = tmp_path / name
        assert run_cli("batch", str(src), "-o", str(out), store=corpus_store).returncode == 0
        if name.endswith(".csv"):
            row = next(csv.DictReader(out.open()))
            cells = [row["question"], row["note"]]
        else:
            ws = load_workbook(out).active
            cells = [ws["A2"].value, ws["B2"].value]
            assert ws["A2"].data_type == "s" and ws["B2"].data_type == "s"
        assert cells[0].startswith("'=HYPERLINK") and cells[1] == "'@SUM(A1)"


def test_control_characters_never_stop_an_xlsx_run_and_are_noted(assistant, tmp_path):
    """A control character in a cell (pasted from a PDF) cannot go into XLSX: it is replaced and
    the row says so, the run finishes, and a re-run does not redo (or fail on) that row."""
    from esgqa.batch import run_batch

    src, out = tmp_path / "q.jsonl", tmp_path / "a.xlsx"
    rows = [{"question": "How many patents has the company\x01 been granted by the end of 2022?", "note": "a\x0bb"},
            {"question": "What was the Beijing data center PUE in 2022?", "note": "ok"}]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    summary = run_batch(assistant, src, out, bar=False)
    assert summary.rows == 2 and summary.answered == 2
    header, got = _read_xlsx(out)
    assert got[0]["question"] == "How many patents has the company\ufffd been granted by the end of 2022?"
    assert got[0]["note"] == "a\ufffdb" and got[0]["figure"] == "663"
    assert "control characters" in got[0]["error"] and "question" in got[0]["error"] and "note" in got[0]["error"]
    assert not got[1]["error"] and got[1]["answer"]
    again = run_batch(assistant, src, out, bar=False)
    assert again.answered == 0 and again.skipped == 2


def test_formula_cells_without_saved_values_are_reported_and_kept(assistant, tmp_path):
    """openpyxl (like most scripts) writes formulas without computing them: there is no question
    to read, and the row must say so rather than 'empty question', keeping the formula."""
    from esgqa.batch import run_batch

    src = tmp_path / "q.xlsx"
    _xlsx(src, ["Question", "Owner"], [
        ['="How many patents has the company been granted"&" by the end of 2022?"', '=UPPER("ip")'],
        ["What was the Beijing data center PUE in 2022?", "Facilities"],
    ])
    for name in ("a.xlsx", "a.csv"):
        out = tmp_path / name
        summary = run_batch(assistant, src, out, bar=False)
        assert summary.errors == 1
        if name.endswith(".xlsx"):
            _, got = _read_xlsx(out)
        else:
            got = list(csv.DictReader(out.open()))
        assert got[0]["Question"] == "'=\"How many patents has the company been granted\"&\" by the end of 2022?\""
        assert got[0]["Owner"] == "'=UPPER(\"ip\")"
        assert "formula" in got[0]["error"] and "no computed value" in got[0]["error"], got[0]["error"]
        assert not got[1]["error"] and got[1]["answer"]

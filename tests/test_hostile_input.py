"""The hostile and odd input sweep: every case ends in a clear one-line message or a correct result,
never a traceback, a half-written index or a half-written output.

Each case's outcome is also written to test-artifacts/hostile_inputs.json (the README's count)."""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, external, run_cli, stderr_lines
from esgqa.chunking import chunk
from esgqa.loading import InputError, load
from pdfs import encrypted_pdf, report_page, scanned_pdf, text_pdf, write

ARTIFACTS = ROOT / "test-artifacts"
OUTCOMES: Counter = Counter()
BASE_PDF = text_pdf([report_page(n) for n in range(4)])


@pytest.fixture(scope="module", autouse=True)
def record_outcomes():
    yield
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "hostile_inputs.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**old, **dict(sorted(OUTCOMES.items()))}, indent=2) + "\n")


def _load_outcome(path: Path, case: str) -> str:
    """load() either gives pages that chunk, or one InputError line; anything else fails the test."""
    try:
        doc = load(path)
    except InputError as err:
        assert "\n" not in str(err) and str(err).startswith(path.name), str(err)
        OUTCOMES[f"{case}: clear error"] += 1
        return "error"
    chunk(doc)
    OUTCOMES[f"{case}: loaded"] += 1
    return "loaded"


MUTATIONS = st.sampled_from(["truncate", "flip", "insert", "delete", "duplicate"])


def _mutate(data: bytes, op: str, at: float, size: int, seed: int) -> bytes:
    rng = random.Random(seed)
    i = int(at * len(data))
    if op == "truncate":
        return data[:i]
    if op == "flip":
        out = bytearray(data)
        for j in range(i, min(len(out), i + size)):
            out[j] = rng.randrange(256)
        return bytes(out)
    if op == "insert":
        return data[:i] + bytes(rng.randrange(256) for _ in range(size)) + data[i:]
    if op == "delete":
        return data[:i] + data[i + size:]
    return data[:i] + data[i:i + size] * 3 + data[i + size:]  # duplicate a run


@settings(max_examples=200, deadline=5000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(op=MUTATIONS, at=st.floats(0, 1), size=st.integers(1, 400), seed=st.integers(0, 2**16))
def test_fuzzed_pdfs_load_or_fail_in_one_line(op, at, size, seed):
    with tempfile.TemporaryDirectory() as tmp:
        _load_outcome(write(Path(tmp) / "fuzzed.pdf", _mutate(BASE_PDF, op, at, size, seed)), "fuzzed small PDF")


@settings(max_examples=25, deadline=30000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(op=MUTATIONS, at=st.floats(0, 1), size=st.integers(1, 2000), seed=st.integers(0, 2**16))
def test_fuzzed_real_report_loads_or_fails_in_one_line(op, at, size, seed):
    data = external("CostCo_Climate_Action_Plan.pdf").read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        _load_outcome(write(Path(tmp) / "fuzzed.pdf", _mutate(data, op, at, size, seed)), "fuzzed real report")


def test_random_bytes_named_pdf(tmp_path):
    for seed in range(20):
        data = random.Random(seed).randbytes(random.Random(seed + 1).randrange(1, 50_000))
        assert _load_outcome(write(tmp_path / f"random{seed}.pdf", data), "random bytes as .pdf") == "error"


@pytest.mark.parametrize("case, make, message", [
    ("password-protected PDF", lambda: encrypted_pdf([report_page(1)], "s3cret"), "password"),
    ("blank scan (an image with nothing to read)", lambda: scanned_pdf(""), "OCR"),
    ("PDF with no pages' text", lambda: text_pdf([""] * 5), "OCR"),
])
def test_unreadable_pdfs_leave_the_index_as_it_was(corpus_store, tmp_path, case, make, message):
    before = run_cli("docs", "--json", store=corpus_store).stdout
    path = write(tmp_path / "report.pdf", make())
    proc = run_cli("ingest", str(path), store=corpus_store)
    assert proc.returncode == 2
    lines = stderr_lines(proc)
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert run_cli("docs", "--json", store=corpus_store).stdout == before
    OUTCOMES[f"{case}: clear error"] += 1


def test_a_thousand_page_pdf_loads_in_bounded_memory(tmp_path):
    """Peak memory of load + chunk grows with the text, not with the page count squared or the
    file held twice: 1,000 pages against 100, each in its own process."""
    code = ("import resource,sys,json; from esgqa.loading import load; from esgqa.chunking import chunk;"
            "d=load(sys.argv[1]); c=chunk(d);"
            "print(json.dumps([len(d.pages), len(c), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024]))")
    got = {}
    for pages in (100, 1000):
        path = write(tmp_path / f"r{pages}.pdf", text_pdf([report_page(n) for n in range(pages)]))
        out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
        got[pages] = json.loads(out.stdout)
    assert got[1000][0] == 1000 and got[1000][1] >= 1000
    grew = got[1000][2] - got[100][2]
    assert grew < 150, f"peak RSS grew {grew:.0f} MB from 100 to 1,000 pages"
    OUTCOMES["1,000-page PDF: loaded"] += 1


ENCODED = {
    "cp1252": "Emissions fell 12 % to 5.400 tonnes – revenue was € 3,2 million; “Maßnahmen” für Wärme.\n" * 3,
    "gb18030": "2022年，公司温室气体排放总量为12,345吨二氧化碳当量，同比下降8%。数据中心的PUE为1.37。\n" * 3,
    "utf-16": "Scope 2 emissions were 8,123 tCO2e in 2022 — down 4 %.\n",
}


@pytest.mark.parametrize("encoding", sorted(ENCODED))
def test_text_in_other_encodings_reads_correctly(tmp_path, encoding):
    path = write(tmp_path / "notes.txt", ENCODED[encoding].encode(encoding))
    assert load(path).pages[0].text.strip() == ENCODED[encoding].strip()
    OUTCOMES[f"{encoding} text: loaded"] += 1


def test_mixed_encoding_text_keeps_both_parts(tmp_path):
    data = "Water use: 1,200 m³ in 2022.\n".encode() + "Déchets recyclés : 85 % en 2022.\n".encode("cp1252")
    text = load(write(tmp_path / "mixed.md", data)).pages[0].text
    assert "1,200 m³" in text and "Déchets recyclés : 85 %" in text
    OUTCOMES["mixed UTF-8 / cp1252 text: loaded"] += 1


def test_binary_named_txt_is_refused(tmp_path):
    assert _load_outcome(write(tmp_path / "x.txt", b"\x00\x01\x02" * 100), "binary as .txt") == "error"


def test_chinese_passages_are_indexed_and_asked_about(tmp_path):
    from esgqa.assistant import Assistant
    from esgqa.settings import Settings

    md = write(tmp_path / "zh-report.md", ("# 环境绩效\n\n" + ENCODED["gb18030"]).encode())
    assistant = Assistant(Settings(store=tmp_path / "store"))
    [res] = assistant.ingest([md])
    assert res.total >= 1
    assert assistant.ask("温室气体排放总量是多少？").figure == "12,345"  # CJK read as character pairs
    assert assistant.ask("数据中心的PUE是多少？").figure == "1.37"
    english = assistant.ask("What was the PUE of the data center?")  # across languages: right or abstain
    assert english.citations and english.figure in (None, "1.37")
    OUTCOMES["Chinese report: answered"] += 1


def test_chinese_question_on_the_bundled_report(corpus_store):
    proc = run_cli("ask", "金山云廉洁文化宣传月是什么时候开启的？", "--json", store=corpus_store, check_json=True)
    assert proc.data["citations"]
    OUTCOMES["Chinese question: answered"] += 1


# ---- questionnaires ---------------------------------------------------------------------------
def test_ten_thousand_row_questionnaire_with_blanks_repeats_and_formulas(assistant, tmp_path):
    from esgqa.batch import read_sheet, run_batch

    questions = [r["question"] for r in csv.DictReader((ROOT / "evals/questionnaires/hkex_esg_kpis.csv").open())]
    src = tmp_path / "big.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "Question", "Notes"])
        for n in range(1, 10_001):
            if n % 250 == 0:
                w.writerow(["", "", ""])  # a wholly blank line: skipped
            if n % 97 == 0:
                w.writerow([f"Q{n}", "", "blank question"])
            elif n % 101 == 0:
                w.writerow([f"Q{n}", '=HYPERLINK("http://evil.example","click")', "formula"])
            else:
                w.writerow([f"Q{n}", questions[n % len(questions)], ""])
    out = tmp_path / "big-answered.xlsx"
    summary = run_batch(assistant, src, out, bar=False)
    assert summary.rows == 10_000
    rows = read_sheet(out).rows
    assert [int(r["row"]) for r in rows] == list(range(1, 10_001))
    assert [r["ID"] for r in rows] == [f"Q{n}" for n in range(1, 10_001)]
    assert all(r["error"] == "empty question: nothing to answer" for r in rows if r["Notes"] == "blank question")
    formulas = [r for r in rows if r["Notes"] == "formula"]
    assert formulas and all(r["Question"].startswith("'=") for r in formulas), [r["Question"] for r in formulas][:3]
    by_question: dict[str, set] = {}
    for r in rows:
        if r["Question"] in questions:
            by_question.setdefault(r["Question"], set()).add((r["answer"], r["citations"]))
    assert len(by_question) == len(questions) and all(len(v) == 1 for v in by_question.values())
    OUTCOMES["10,000-row questionnaire: answered"] += 1


def test_merged_cells_carry_their_value_to_every_row(assistant, tmp_path):
    from openpyxl import Workbook

    from esgqa.batch import read_sheet, run_batch

    wb = Workbook()
    ws = wb.active
    ws.append(["Topic", "Question"])
    ws.append(["Environment", "What was the Beijing data center PUE in 2022?"])
    ws.append([None, "What were the Scope 2 emissions in 2022?"])
    ws.append(["Governance", "How many patents has the company been granted by the end of 2022?"])
    ws.merge_cells("A2:A3")
    src = tmp_path / "merged.xlsx"
    wb.save(src)
    run_batch(assistant, src, tmp_path / "out.csv", bar=False)
    rows = read_sheet(tmp_path / "out.csv").rows
    assert [r["Topic"] for r in rows] == ["Environment", "Environment", "Governance"]
    assert rows[0]["figure"] == "1.37" and rows[2]["figure"] == "663"
    OUTCOMES["merged cells: answered"] += 1


@pytest.mark.parametrize("case, name, data, message", [
    ("garbage .xlsx", "q.xlsx", b"PK\x03\x04 not really a zip", "cannot read"),
    ("garbage .csv (binary)", "q.csv", bytes(range(256)) * 20, "binary"),
    ("cp1252 CSV with no question column", "q.csv", "Thème,Coût €\nÉnergie,5\n".encode("cp1252"), "'Thème', 'Coût €'"),
    ("header-only questionnaire", "q.csv", b"Question\n", None),
    ("no question column", "q.csv", b"Topic,Owner\nEnergy,Ops\n", "no question column"),
])
def test_bad_questionnaires_are_one_line_and_write_nothing(corpus_store, tmp_path, case, name, data, message):
    src, out = write(tmp_path / name, data), tmp_path / "answers.csv"
    proc = run_cli("batch", str(src), "-o", str(out), store=corpus_store)
    if message is None:  # nothing to answer is not an error: an empty answered file
        assert proc.returncode == 0, proc.stderr
        OUTCOMES[f"{case}: empty result"] += 1
        return
    assert proc.returncode == 2, proc.stderr
    lines = stderr_lines(proc)
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert not out.exists()
    OUTCOMES[f"{case}: clear error"] += 1

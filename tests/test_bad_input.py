"""Bad input: one line on stderr, exit 2, and the index exactly as it was."""

from pathlib import Path

import pytest

from conftest import external, run_cli, stderr_lines


def _docs(store: Path) -> str:
    proc = run_cli("docs", "--json", store=store)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _bad_files(tmp: Path) -> dict[str, Path]:
    files = {
        "missing": tmp / "does-not-exist.pdf",
        "empty": tmp / "empty.pdf",
        "corrupt": tmp / "corrupt.pdf",
        "empty_text": tmp / "empty.md",
    }
    files["empty"].write_bytes(b"")
    files["corrupt"].write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 500 + b"\n%%EOF\n")
    files["empty_text"].write_text("   \n\n")
    return files


@pytest.mark.parametrize("kind", ["missing", "empty", "corrupt", "empty_text", "truncated", "scanned"])
def test_bad_file_is_one_line_exit_2_and_index_unchanged(corpus_store, tmp_path, kind):
    files = _bad_files(tmp_path)
    if kind == "truncated":
        files[kind] = tmp_path / "truncated.pdf"
        files[kind].write_bytes(external("CostCo_Climate_Action_Plan.pdf").read_bytes()[:300_000])
    if kind == "scanned":
        from pypdf import PdfWriter

        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
        files[kind] = tmp_path / "scanned.pdf"
        with files[kind].open("wb") as fh:
            writer.write(fh)
    before = _docs(corpus_store)
    proc = run_cli("ingest", str(files[kind]), store=corpus_store)
    lines = stderr_lines(proc)
    assert proc.returncode == 2
    assert len(lines) == 1 and lines[0].startswith("esgqa: error:"), proc.stderr
    assert "Traceback" not in proc.stderr
    if kind == "scanned":
        assert "OCR" in lines[0]
    assert _docs(corpus_store) == before


def test_unknown_document_and_wrong_flag(corpus_store):
    before = _docs(corpus_store)
    proc = run_cli("ask", "What was the PUE?", "--document", "no-such-report", store=corpus_store)
    assert proc.returncode == 2
    assert stderr_lines(proc) == [line for line in stderr_lines(proc) if "unknown document" in line]
    assert len(stderr_lines(proc)) == 1
    proc = run_cli("ask", "What was the PUE?", "--no-such-flag", store=corpus_store)
    assert proc.returncode == 2 and len(stderr_lines(proc)) == 1
    assert _docs(corpus_store) == before

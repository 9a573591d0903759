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


@pytest.mark.parametrize("k", ["0", "-1", "101", "many"])
def test_k_outside_1_to_100_is_refused_in_one_line(corpus_store, k):
    proc = run_cli("ask", "What was the PUE?", "--k", k, store=corpus_store)
    assert proc.returncode == 2
    lines = stderr_lines(proc)
    assert len(lines) == 1 and "--k" in lines[0] and "1 to 100" in lines[0], lines


def test_k_is_checked_for_every_caller_not_only_the_cli(assistant):
    from esgqa.loading import InputError

    with pytest.raises(InputError, match="between 1 and 100"):
        assistant.ask("What was the PUE?", k=0)
    assert assistant.ask("What was the Beijing data center PUE in 2022?", k=1).citations


@pytest.mark.parametrize("auth", ["analyst:", ":secret", "analyst", ""])
def test_auth_without_a_user_or_password_is_refused(auth):
    from pydantic import SecretStr

    from esgqa.loading import InputError
    from esgqa.settings import UISettings
    from esgqa.ui import credentials

    with pytest.raises(InputError, match="non-empty user and password"):
        credentials(UISettings(auth=SecretStr(auth)))
    assert credentials(UISettings(auth=SecretStr("analyst:s3cret:x"))) == ("analyst", "s3cret:x")


def test_serve_on_a_public_host_with_an_empty_password_does_not_start(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT, cli_env

    env = cli_env(tmp_path / "store", ESGQA_UI__AUTH="analyst:")
    proc = subprocess.run([sys.executable, "-m", "esgqa.cli", "serve", "--host", "0.0.0.0", "--port", "1"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert proc.returncode == 2 and "non-empty user and password" in proc.stderr, proc.stderr
    assert not (tmp_path / "store").exists()

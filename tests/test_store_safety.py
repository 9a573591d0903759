"""No document silently replaces another, an unfinished ingest shows as such, and store faults
(full disk, read-only, damaged database) are plain one-line errors on a real Chroma store."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, stderr_lines
from esgqa.assistant import Assistant
from esgqa.loading import InputError
from esgqa.settings import Settings
from pdfs import text_pdf, write

REPORT = ROOT / "corpus" / "kingsoft-cloud-2022-esg-report.md"


def _md(path: Path, site: str, mwh: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# Energy\n\nThe {site} site used {mwh} MWh of electricity in 2022.\n")
    return path


def _texts(assistant: Assistant, document: str) -> str:
    return "\n".join(p.text for p in assistant.index.passages() if p.document == document)


def _docs(assistant: Assistant) -> dict:
    return {d.name: d for d in assistant.index.documents()}


def test_same_file_name_from_another_place_never_replaces_a_document(tmp_path):
    a = Assistant(Settings(store=tmp_path / "store"))
    first = _md(tmp_path / "a" / "report.md", "Alpha", "1,111")
    second = _md(tmp_path / "b" / "report.md", "Beta", "2,222")
    (tmp_path / "c").mkdir()
    gamma = "Energy use\nThe Gamma site used 3,333 MWh of electricity in 2022."
    third = write(tmp_path / "c" / "report.pdf", text_pdf([gamma]))

    assert [r.document for r in a.ingest([first])] == ["report"]
    res = a.ingest([second])[0]
    assert res.document == "report-2" and str(first.resolve()) in res.note and "'report-2'" in res.note
    assert a.ingest([third])[0].document == "report-3"
    docs = _docs(a)
    assert {n: d.source for n, d in docs.items()} == {
        "report": str(first.resolve()), "report-2": str(second.resolve()), "report-3": str(third.resolve())}
    assert "1,111" in _texts(a, "report") and "2,222" in _texts(a, "report-2") and "3,333" in _texts(a, "report-3")

    _md(second, "Beta", "2,500")  # the same path again replaces its own document, and only that
    res = a.ingest([second])[0]
    assert res.document == "report-2" and res.added == 1 and res.removed == 1 and not res.note
    assert "2,500" in _texts(a, "report-2") and "2,222" not in _texts(a, "report-2")
    assert "1,111" in _texts(a, "report") and len(_docs(a)) == 3

    copy = tmp_path / "d" / "report.md"  # the same content from elsewhere is one document
    copy.parent.mkdir()
    shutil.copyfile(first, copy)
    res = a.ingest([copy])[0]
    assert res.document == "report" and res.unchanged and "same content" in res.note and len(_docs(a)) == 3


def test_name_option_chooses_the_name_and_never_takes_another_documents(tmp_path):
    a = Assistant(Settings(store=tmp_path / "store"))
    first = _md(tmp_path / "a" / "report.md", "Alpha", "1,111")
    other = _md(tmp_path / "x" / "notes.md", "Delta", "4,444")
    a.ingest([first])
    with pytest.raises(InputError, match="'report' is already used by .*report.md; choose another --name"):
        a.ingest([other], name="report")
    assert a.ingest([other], name="delta-notes")[0].document == "delta-notes"
    assert a.ingest([first], name="alpha-site")[0].document == "alpha-site"  # the same file, renamed
    assert set(_docs(a)) == {"alpha-site", "delta-notes"}
    with pytest.raises(InputError, match="exactly one file"):
        a.ingest([tmp_path / "a", tmp_path / "x"], name="both")
    with pytest.raises(InputError, match="one line of visible text"):
        a.ingest([other], name=" \n")


def test_cli_ingest_says_when_a_name_was_taken(tmp_path):
    store = tmp_path / "store"
    first = _md(tmp_path / "a" / "report.md", "Alpha", "1,111")
    second = _md(tmp_path / "b" / "report.md", "Beta", "2,222")
    Assistant(Settings(store=store)).ingest([first])
    proc = run_cli("ingest", str(second), store=store)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("report-2: 1 chunks")
    assert "'report' is already" in proc.stderr and "indexed as 'report-2'" in proc.stderr
    proc = run_cli("ingest", str(second), "--name", "report", store=store)
    assert proc.returncode == 2 and stderr_lines(proc)[-1].endswith("choose another --name")


def test_uploads_with_one_name_never_overwrite_each_other(tmp_path):
    from esgqa.ui import ingest_upload

    a = Assistant(Settings(store=tmp_path / "store"))
    one = _md(tmp_path / "1" / "report.md", "Alpha", "1,111")
    two = _md(tmp_path / "2" / "report.md", "Beta", "2,222")
    assert ingest_upload(a, one, "report.md").startswith("✓ **report**")
    status = ingest_upload(a, two, "report.md")
    assert status.startswith("✓ **report-2**") and "kept as report-2.md" in status
    uploads = tmp_path / "store" / "uploads"
    assert (uploads / "report.md").read_text() == one.read_text()
    assert (uploads / "report-2.md").read_text() == two.read_text()
    assert "unchanged" in ingest_upload(a, one, "report.md")  # the same file again: same path, same document
    (tmp_path / "3").mkdir()
    bad = write(tmp_path / "3" / "report.pdf", b"%PDF-1.4 not really\n%%EOF\n")
    assert ingest_upload(a, bad, "report.pdf").startswith("✗")
    assert sorted(p.name for p in uploads.iterdir() if p.is_file()) == ["report-2.md", "report.md"]
    assert set(_docs(a)) == {"report", "report-2"}


def _many_sections(path: Path, n: int, figure: int) -> Path:
    path.write_text("".join(f"# Site {i} energy\n\nSite number {i} used {figure + i:,} MWh of power in 2022.\n\n"
                            for i in range(n)))
    return path


def test_an_interrupted_ingest_is_shown_incomplete_and_the_next_one_completes_it(tmp_path):
    store = tmp_path / "store"
    a = Assistant(Settings(store=store))
    path = _many_sections(tmp_path / "sites.md", 100, 1000)
    doc, passages = a.prepare(path)
    assert len(passages) > 64

    def killed(_: int) -> None:
        raise KeyboardInterrupt  # as Ctrl-C or a kill after the first batch is written

    with pytest.raises(KeyboardInterrupt):
        a.index.add(doc, passages, killed)
    info = _docs(a)["sites"]
    assert not info.complete and info.chunks == 64 and info.expected == len(passages)
    proc = run_cli("docs", store=store)
    assert proc.returncode == 0 and "INCOMPLETE" in proc.stdout
    assert f"64 of {len(passages)} chunks" in proc.stderr and str(path.resolve()) in proc.stderr
    listed = json.loads(run_cli("docs", "--json", store=store).stdout)
    assert listed[0]["complete"] is False

    res = a.ingest([path])[0]
    assert res.added == len(passages) - 64 and _docs(a)["sites"].complete

    _many_sections(path, 100, 5000)  # a changed file whose update is cut short: old and new mixed
    doc, passages = a.prepare(path)
    with pytest.raises(KeyboardInterrupt):
        a.index.add(doc, passages, killed)
    assert not _docs(a)["sites"].complete
    a.ingest([path])
    info = _docs(a)["sites"]
    assert info.complete and info.chunks == len(passages) and "5,099" in _texts(a, "sites")


@contextlib.contextmanager
def _mounted(target: Path, *args: str) -> Iterator[None]:
    target.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small or read-only file system needs root")
    proc = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount here ({proc.stderr.strip() or proc.returncode})")
    try:
        yield
    finally:
        subprocess.run(["umount", str(target)], capture_output=True)


def test_full_disk_is_a_plain_error_and_what_was_indexed_stays(tmp_path):
    disk = tmp_path / "disk"
    report = tmp_path / "docs" / REPORT.name
    report.parent.mkdir()
    shutil.copyfile(REPORT, report)
    small = _md(tmp_path / "docs" / "small.md", "Alpha", "1,234")
    with _mounted(disk, "-t", "tmpfs", "-o", "size=1536k", "tmpfs"):
        store = disk / "store"
        assert run_cli("ingest", str(small), store=store).returncode == 0
        proc = run_cli("ingest", str(report), store=store)  # does not fit in 1.5 MB
        lines = stderr_lines(proc)
        assert proc.returncode == 1 and len(lines) == 1, proc.stderr
        assert str(store) in lines[0] and "no space left on device" in lines[0]
        assert "what was indexed before is intact" in lines[0] and "internal error" not in lines[0]
        proc = run_cli("docs", store=store)  # reading needs Chroma to catch up, which needs space
        assert proc.returncode == 0 or "no space left on device" in proc.stderr, proc.stderr
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)  # space freed
        docs = {d["name"]: d for d in json.loads(run_cli("docs", "--json", store=store).stdout)}
        assert docs["small"]["complete"] and docs["small"]["chunks"] == 1
        assert not docs[report.stem]["complete"] and docs[report.stem]["chunks"] < docs[report.stem]["expected"]
        asked = run_cli("ask", "How much electricity did the Alpha site use in 2022?", "--document", "small",
                        "--json", store=store, check_json=True).data
        assert asked["figure"].startswith("1,234"), asked["answer"]
        proc = run_cli("ingest", str(report), store=store)
        assert proc.returncode == 0, proc.stderr
        docs = {d["name"]: d for d in json.loads(run_cli("docs", "--json", store=store).stdout)}
        assert docs[report.stem]["complete"] and docs[report.stem]["chunks"] == docs[report.stem]["expected"]


def test_a_read_only_store_can_be_read_but_not_written(tmp_path):
    store, ro = tmp_path / "store", tmp_path / "ro"
    Assistant(Settings(store=store)).ingest([_md(tmp_path / "a" / "small.md", "Alpha", "1,234")])
    with _mounted(ro, "--bind", str(store)):
        subprocess.run(["mount", "-o", "remount,ro,bind", str(ro)], check=True)
        assert subprocess.run(["touch", str(ro / "probe")], capture_output=True).returncode != 0
        listed = run_cli("docs", "--json", store=ro, check_json=True).data
        assert [d["name"] for d in listed] == ["small"]
        asked = run_cli("ask", "How much electricity did the Alpha site use in 2022?", "--json", store=ro,
                        check_json=True).data
        assert asked["figure"].startswith("1,234"), asked["answer"]
        proc = run_cli("ingest", str(_md(tmp_path / "b" / "other.md", "Beta", "2,222")), store=ro)
        lines = stderr_lines(proc)
        assert proc.returncode == 1 and len(lines) == 1 and "read-only" in lines[0] and str(ro) in lines[0], lines


@pytest.mark.parametrize("damage", ["garbage", "missing"])
def test_a_damaged_or_missing_database_is_named_not_an_internal_error(tmp_path, damage):
    store = tmp_path / "store"
    Assistant(Settings(store=store)).ingest([_md(tmp_path / "a" / "small.md", "Alpha", "1,234")])
    db = store / "chroma" / "chroma.sqlite3"
    if damage == "garbage":
        data = bytearray(db.read_bytes())
        data[:16] = b"not a database!!"
        db.write_bytes(bytes(data))
    else:
        db.unlink()
    for args in (["docs"], ["ask", "How much electricity did the Alpha site use?"]):
        proc = run_cli(*args, store=store)
        lines = stderr_lines(proc)
        assert proc.returncode == 1 and len(lines) == 1, proc.stderr
        assert str(store) in lines[0] and "internal error" not in lines[0]
        assert ("damaged" if damage == "garbage" else "is missing") in lines[0]
        assert "ingest the reports again" in lines[0]
    assert not db.exists() or damage == "garbage"  # nothing silently re-created

"""Remove and re-index, as the app's library and `esgqa remove` / `esgqa reindex` use them."""

from __future__ import annotations

import pytest

from conftest import run_cli, stderr_lines
from esgqa.loading import InputError


@pytest.fixture()
def store(tmp_path):
    from esgqa.assistant import Assistant
    from esgqa.settings import Settings

    report = tmp_path / "site-report.md"
    report.write_text("# Energy\n\nThe Oslo site used 4,321 MWh of electricity in 2022.\n\n"
                      "# Water\n\nThe Oslo site withdrew 87 ML of water in 2022.\n")
    other = tmp_path / "other.md"
    other.write_text("# Waste\n\nThe Lyon site recycled 64% of its waste in 2022.\n")
    assistant = Assistant(Settings(store=tmp_path / "store"))
    assistant.ingest([report, other])
    return assistant, report


def test_reindex_reads_the_source_again_and_says_when_it_is_gone(store):
    assistant, report = store
    report.write_text(report.read_text().replace("4,321", "4,999"))
    res = assistant.reindex("site-report")
    assert res.document == "site-report" and res.added >= 1
    answer = assistant.ask("How much electricity did the Oslo site use?", document="site-report")
    assert answer.figure.startswith("4,999")
    report.unlink()
    with pytest.raises(InputError, match=r"cannot re-index 'site-report': its source file .*site-report.md is gone"):
        assistant.reindex("site-report")
    with pytest.raises(InputError, match="unknown document 'nope'"):
        assistant.reindex("nope")


def test_remove_takes_only_that_document_out(store):
    assistant, _ = store
    assert assistant.remove("site-report") > 0
    assert [d.name for d in assistant.index.documents()] == ["other"]
    assert assistant.ask("What share of waste did the Lyon site recycle?").figure.startswith("64")
    with pytest.raises(InputError, match="unknown document 'site-report'"):
        assistant.remove("site-report")


def test_cli_remove(store):
    assistant, _ = store
    path = assistant.settings.store
    unknown = run_cli("remove", "no-such-report", store=path)
    assert unknown.returncode == 2
    assert stderr_lines(unknown) == ["esgqa: error: unknown document 'no-such-report' (indexed: other, site-report)"]
    done = run_cli("remove", "site-report", store=path)
    assert done.returncode == 0, done.stderr
    assert "removed site-report" in done.stderr
    assert run_cli("docs", "--json", store=path, check_json=True).data[0]["name"] == "other"

"""The bundled report answers with cited figures, offline; undisclosed things are not invented."""

import pytest

from conftest import run_cli
from esgqa.figures import numbers_in, same_value, text_contains_figure

CASES = [
    ("How many patents has the company been granted by the end of 2022?", "663"),
    ("What was the Beijing data center PUE in 2022?", "1.37"),
    ("What is the share of female employees?", "33.8%"),
    ("What were the Scope 2 emissions in 2022?", "35,796.91"),
    ("How many suppliers are located outside mainland China?", "32"),
]


@pytest.mark.parametrize("question, figure", CASES)
def test_answers_state_the_figure_and_cite_it(assistant, question, figure):
    ans = assistant.ask(question)
    assert not ans.abstained
    assert text_contains_figure(ans.figure or "", figure), ans.answer
    assert ans.citations and text_contains_figure(ans.citations[0].text, figure)
    # grounded: every figure the answer states is in a cited passage
    cited = " ".join(c.text for c in ans.citations)
    for f in numbers_in(ans.answer.replace("[1]", "")):
        assert text_contains_figure(cited, f), f"{f.text} not in the citations"


def test_scope3_is_not_disclosed(assistant):
    ans = assistant.ask("What were the company's Scope 3 emissions?")
    assert ans.abstained and "not disclosed" in ans.answer.lower()
    assert ans.citations, "abstentions point at the closest passages"
    assert not numbers_in(ans.answer.replace("[1]", "").replace("[2]", "").replace("[3]", ""))


def test_ask_json_contract(corpus_store):
    proc = run_cli("ask", "What was the Beijing data center PUE in 2022?", "--json", store=corpus_store,
                   check_json=True)
    data = proc.data
    assert set(data) >= {"question", "answer", "abstained", "citations", "backend", "timings_ms"}
    assert data["backend"] == "extractive" and data["abstained"] is False
    cite = data["citations"][0]
    assert set(cite) >= {"n", "document", "page", "page_label", "section", "text"}
    assert cite["document"] == "kingsoft-cloud-2022-esg-report" and cite["page"] is None
    assert same_value(float(data["figure"]), 1.37) and text_contains_figure(cite["text"], "1.37")
    assert data["timings_ms"]["total"] > 0


@pytest.mark.parametrize("command", [["ask", "How many KClub activities were launched?"], ["docs"],
                                     ["check", "--consistency"], ["batch", "q.csv", "-o", "a.csv"]])
def test_an_empty_store_is_named_and_never_filled_behind_the_users_back(tmp_path, command):
    """A mistyped --store must not answer from the bundled report (only `esgqa demo` loads it)."""
    (tmp_path / "q.csv").write_text("question\nHow many patents?\n")
    missing = tmp_path / "typo-store"
    args = [str(tmp_path / a) if a.endswith(".csv") else a for a in command]
    proc = run_cli(*args, store=missing)
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and str(missing) in lines[0] and "empty" in lines[0] and "ingest" in lines[0], lines
    assert not missing.exists(), "a read command created the store"
    assert not (tmp_path / "a.csv").exists()
    if command[0] != "ask":
        return
    existing = tmp_path / "empty-store"
    (existing / "chroma").mkdir(parents=True)
    proc = run_cli(*args, store=existing)
    assert proc.returncode != 0 and "empty" in proc.stderr and str(existing) in proc.stderr
    assert not (existing / "chroma" / "chroma.sqlite3").exists()
    from esgqa.index import Index
    from esgqa.settings import Settings

    Index(Settings(store=tmp_path / "opened"))  # a real store, nothing ingested
    proc = run_cli(*args, store=tmp_path / "opened")
    assert proc.returncode != 0 and "holds no documents" in proc.stderr, proc.stderr

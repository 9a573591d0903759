"""The bundled report answers with cited figures, offline; undisclosed things are not invented."""

import json

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


def test_ask_on_empty_store_ingests_the_corpus_first(tmp_path):
    proc = run_cli("ask", "How many KClub activities were launched?", "--json", store=tmp_path / "fresh")
    assert proc.returncode == 0, proc.stderr
    assert "ingesting the bundled corpus" in proc.stderr
    assert json.loads(proc.stdout)["citations"]

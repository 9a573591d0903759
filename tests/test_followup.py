"""Follow-ups (issue 18): an elliptical question is answered as the whole question it stands for,
rewritten from the previous one by carrying its company, metric, year and unit."""

from __future__ import annotations

import pytest

from conftest import run_cli
from esgqa.answer.followup import is_followup, resolve, rewrite

SCOPE2 = "What were the Scope 2 emissions in 2022?"


@pytest.mark.parametrize(("previous", "question", "expected"), [
    # the year replaced (its preposition kept), or added
    (SCOPE2, "And in 2021?", "What were the Scope 2 emissions in 2021?"),
    (SCOPE2, "2020?", "What were the Scope 2 emissions in 2020?"),
    (SCOPE2, "What was it in 2020?", "What were the Scope 2 emissions in 2020?"),
    ("How many patents had the company been granted by the end of 2022?", "And by the end of 2021?",
     "How many patents had the company been granted by the end of 2021?"),
    ("What is the share of female employees?", "And in 2021?", "What is the share of female employees in 2021?"),
    # a relative year counts from the year asked before
    (SCOPE2, "How about the previous year?", "What were the Scope 2 emissions in 2021?"),
    (SCOPE2, "And the year before?", "What were the Scope 2 emissions in 2021?"),
    ("What was the water withdrawal?", "And in the previous year?",
     "What was the water withdrawal in the previous year?"),
    # a numbered name replaces its sibling; the year is carried
    (SCOPE2, "What about Scope 3?", "What were the Scope 3 emissions in 2022?"),
    (SCOPE2, "Scope 1?", "What were the Scope 1 emissions in 2022?"),
    # a qualifier replaces one with the same preposition, or is added before the year
    ("What was the employee turnover rate for men in 2022?", "And for women?",
     "What was the employee turnover rate for women in 2022?"),
    ("What was the employee turnover rate for men in 2022?", "And women?",
     "What was the employee turnover rate for women in 2022?"),
    ("How many employees received training in 2022?", "And for women?",
     "How many employees received training for women in 2022?"),
    ("What was Acme's energy consumption in MWh in 2023?", "And in GJ?",
     "What was Acme's energy consumption in GJ in 2023?"),
    # a metric replaces the one sharing its head noun, or the metric phrase after the question frame
    ("What was the total energy consumption in 2022?", "What about water consumption?",
     "What was the water consumption in 2022?"),
    ("What was the total energy consumption in 2022?", "And water withdrawal?",
     "What was the water withdrawal in 2022?"),
    ("What was the Beijing data center PUE in 2022?", "What about the Shanghai data center?",
     "What was the Shanghai data center PUE in 2022?"),
    ("What was the total water withdrawal in 2022?", "And in 2021 and 2020?",
     "What was the total water withdrawal in 2021 and 2020?"),
    ("What was the total water withdrawal in FY22?", "And FY21?", "What was the total water withdrawal in FY21?"),
    # a company (a proper name) replaces the one asked about, or is added
    ("What were the Scope 1 emissions of Acme?", "And Globex Corp?", "What were the Scope 1 emissions of Globex Corp?"),
    ("What were Acme's Scope 1 emissions?", "And Globex?", "What were Globex's Scope 1 emissions?"),
    ("What were Acme's Scope 1 emissions?", "And Globex's?", "What were Globex's Scope 1 emissions?"),
    (SCOPE2, "And Globex?", "What were the Scope 2 emissions of Globex in 2022?"),
    ("What was the Beijing data center PUE in 2022?", "And Shanghai?",
     "What was the Shanghai data center PUE in 2022?"),
])
def test_followup_rewritten_from_previous(previous: str, question: str, expected: str) -> None:
    assert is_followup(question)
    assert rewrite(question, previous) == expected


@pytest.mark.parametrize("question", [
    "What were the Scope 3 emissions in 2021?",
    "What is the share of female managers?",
    "How many suppliers are located outside mainland China?",
    "And what were the total water withdrawals in 2021?",  # led by "and", but whole
    "Why?",  # its own question, though short
    "Thanks",
    "Water consumption?",  # no lead and nothing it changes: asked as it is
])
def test_a_question_that_stands_alone_is_not_rewritten(question: str) -> None:
    assert not is_followup(question)
    got = resolve(question, [SCOPE2])
    assert (got.question, got.changed) == (question, False)


def test_earlier_followups_are_resolved_first() -> None:
    got = resolve("And in 2021?", [SCOPE2, "What about Scope 3?"])
    assert (got.question, got.changed) == ("What were the Scope 3 emissions in 2021?", True)
    assert resolve("And in 2021?", []).changed is False  # nothing to carry: asked as it is
    assert resolve("And in 2021?", None).question == "And in 2021?"


def test_followup_answered_on_the_bundled_report(assistant) -> None:
    first = assistant.ask(SCOPE2)
    assert first.figure == "35,796.91" and first.rewritten is None
    second = assistant.ask("And in 2021?", history=[SCOPE2])
    assert second.question == "And in 2021?"
    assert second.rewritten == "What were the Scope 2 emissions in 2021?"
    assert second.figure == "24,549.30", second.answer
    assert second.citations and "Scope 2" in second.citations[0].text
    third = assistant.ask("What about Scope 1?", history=[SCOPE2, "And in 2021?"])
    assert third.rewritten == "What were the Scope 1 emissions in 2021?"
    assert third.figure == "128.42", third.answer


def test_cli_after_shows_the_question_answered(corpus_store) -> None:
    proc = run_cli("ask", "And in 2021?", "--after", SCOPE2, "--json", store=corpus_store, check_json=True)
    assert proc.data["rewritten"] == "What were the Scope 2 emissions in 2021?"
    assert proc.data["figure"] == "24,549.30"
    text = run_cli("ask", "And in 2021?", "--after", SCOPE2, store=corpus_store)
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[0] == "Answered as: What were the Scope 2 emissions in 2021?"

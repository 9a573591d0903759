"""The sentence reader on sentences written here, with the real model and the bundled store's statistics."""

from __future__ import annotations

import pytest

from esgqa.answering import ExtractiveAnswerer
from esgqa.types import Passage


@pytest.fixture(scope="module")
def reader(assistant) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(assistant.index)


def figure_for(reader: ExtractiveAnswerer, question: str, sentence: str, year: int) -> str | None:
    """The figure read from one passage; the bundled report lends its keyword statistics."""
    document = reader.index.documents()[0].name
    passages = [Passage(id="p0", document=document, text=sentence, year=year)]
    return reader.text_answer(question, passages).figure


@pytest.mark.parametrize(("question", "sentence", "year", "figure"), [
    ("Approximately how many plaintiffs were suing the company over the warming system at the end of 2018?",
     "As of December 31, 2018, the Company is a named defendant in lawsuits over the warming system involving "
     "approximately 5,015 plaintiffs (compared to approximately 4,270 plaintiffs at December 31, 2017).",
     2018, "5,015"),
    ("After recalculation, what were the actual Scope 1 and 2 emissions in 2022?",
     "The recalculation for 2022 showed that actual Scope 1 and 2 emissions were 8,638 t CO2e instead of "
     "8,339 t CO2e.", 2023, "8,638 t CO2e"),
    ("What share of total energy consumption came from renewable energies in 2023?",
     "The share of our total energy consumption by renewable energies increased to 23% in 2023 (2022: 20%).",
     2023, "23%"),
])
def test_the_figure_compared_against_is_not_the_one_reported(reader, question, sentence, year, figure):
    assert figure_for(reader, question, sentence, year) == figure


def test_the_earlier_figure_when_the_question_asks_for_it(reader):
    sentence = ("Revenue grew to 120 million in 2023, up from 100 million in 2022.")
    assert figure_for(reader, "What was revenue in the previous year, 2022?", sentence, 2023) == "100 million"


@pytest.mark.parametrize(("question", "sentence"), [  # table rows flattened into text: which column?
    ("What revenue did the service segment generate in 2023?", "Revenue 2,237,518 155,336 52,999 2,445,852"),
    ("What remuneration did Andreas Klauser receive for 2023?", "Andreas Klauser 711 768 579 574"),
])
def test_no_figure_from_a_flattened_table_row(reader, question, sentence):
    assert figure_for(reader, question, sentence, 2023) is None


def test_a_flattened_rows_one_percentage_and_a_named_row_number(reader):
    # the run's only percentage is told apart by its kind; "7.7" is the row the question names
    assert figure_for(reader, "What was the occupancy rate of the mixed-use property in 2022?",
                      "Mixed-use 1 92.2% 278,028", 2022) == "92.2%"
    assert figure_for(reader, "How much CapEx was reported for activity 7.7, acquisition and ownership of "
                      "buildings, in 2023?", "Acquisition and ownership of buildings 7.7 14,191", 2023) == "14,191"


def test_column_run_reads_runs_of_three_or_more():
    from esgqa.answering import column_run
    from esgqa.figures import numbers_in
    text = "Revenue 2,237,518 155,336 (37.4) and 12 employees, 40 of them new"
    assert sorted(f.text for f in numbers_in(text) if f.start in column_run(text, numbers_in(text))) == [
        "155,336", "2,237,518", "37.4"]


def test_a_year_labelling_a_comparison_figure_does_not_make_the_sentence_that_years(reader):
    # "(2022: 1,518,000)" labels one figure; the sentence, in a 2023 report, still reports 2023
    sentence = ("Our direct emissions (Scope 1) totaled 1,236,000 metric tons of CO2eq (2022: 1,518,000), with "
                "process-related emissions accounting for 990,000 metric tons of CO2eq.")
    assert figure_for(reader, "How many metric tons of the 2023 Scope 1 emissions were process-related?",
                      sentence, 2023) == "990,000"


def test_a_change_is_not_the_level_unless_the_change_is_asked(reader):
    sentence = ("Indirect emissions from purchased heat (Scope 2.2) increased by 104 t CO2e to 534 t CO2e, "
                "a 24 percent increase over the previous year.")
    assert figure_for(reader, "How much CO2e came from purchased heat in 2023?", sentence, 2023) == "534 t CO2e"
    assert figure_for(reader, "By how much did emissions from purchased heat increase in 2023?",
                      sentence, 2023) in ("104 t CO2e", "24 percent")

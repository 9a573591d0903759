"""Narrative answers without an LLM: two to four relevant, different sentences, in report order,
each cited, never a figure. Real embedding model; synthetic passages so every property is visible."""

from __future__ import annotations

import re

import numpy as np
import pytest

from esgqa.answer.narrative import is_narrative, narrative_answer, summarise
from esgqa.types import Passage

DOC = "kingsoft-cloud-2022-esg-report"  # the bundled report: the answerer reads its keyword statistics


@pytest.fixture(scope="module")
def model():
    from esgqa.embeddings import get_embeddings

    return get_embeddings()


def _summary(model, question: str, passages: list[Passage]):
    def embed(texts: list[str]) -> list[np.ndarray]:
        return [np.asarray(v, dtype=np.float32) for v in model.embed_documents(texts)]

    return summarise(question, passages, embed, np.asarray(model.embed_query(question), dtype=np.float32))


def _p(pid: str, text: str, page: int, section: str = "", top: float | None = None) -> Passage:
    box = (50.0, top, 500.0, top + 40.0) if top is not None else None
    return Passage(id=pid, document=DOC, text=text, page=page, section=section, box=box)


WATER = [
    _p("env", "We assess water risk at every site with a recognised water risk atlas. Sites in "
              "water-stressed basins set their own reduction plans and report progress each quarter. "
              "Our offices moved to a new building in the city centre.", page=12, section="Water management"),
    _p("hr", "Employee turnover fell as we expanded training programmes. The canteen now serves more "
             "vegetarian meals.", page=30, section="People"),
    _p("gov", "The board's sustainability committee reviews water-related risks twice a year and approves "
              "the water stewardship policy. Patents granted rose again this year.", page=5, section="Governance"),
]


def test_a_summary_answers_alone_when_relevant_or_where_the_sentence_reader_agrees():
    from esgqa.answer.narrative import ANSWER_MIN, BACKED_MIN, Summary

    assert Summary([], ANSWER_MIN).confident(backed=False)
    weaker = Summary([], (ANSWER_MIN + BACKED_MIN) / 2)
    assert weaker.confident(backed=True) and not weaker.confident(backed=False)
    assert not Summary([], BACKED_MIN - 0.01).confident(backed=True)


@pytest.mark.parametrize("question, narrative", [
    ("How does the company manage water risk?", True),
    ("What targets were set and what steps were taken to reach them?", True),  # after "and"
    ("How does the company choose suppliers when buying equipment?", True),  # "when" inside is no date
    ("When did the company adopt its water policy?", False),
    ("What is the company's approach to supplier audits?", True),
    ("Why did Scope 2 emissions increase in 2023?", True),
    ("Describe the whistleblowing mechanism.", True),
    ("What tool does the company use to map water stress?", True),
    ("How many patents has the company been granted?", False),
    ("What percentage of employees are women?", False),
    ("What were Scope 1 emissions in 2022?", False),
    ("How much water was withdrawn in 2022?", False),
    ("What did the coverage rate increase to?", False),
    ("By which year does the company target net zero?", False),
])
def test_narrative_is_read_from_the_question_form(question, narrative):
    assert is_narrative(question) is narrative


def test_picks_the_relevant_sentences_in_report_order_each_cited(model):
    question = "How does the company manage water risk?"
    summary = _summary(model, question, WATER)
    assert summary is not None and 2 <= len(summary.sentences) <= 4
    texts = [s.text for s in summary.sentences]
    assert all("water" in t.lower() for t in texts), texts  # nothing about turnover, canteens or patents
    assert [s.passage.page for s in summary.sentences] == sorted(s.passage.page for s in summary.sentences)
    assert texts[0].startswith("The board's sustainability committee")  # page 5 before page 12
    ans = narrative_answer(question, summary, "extractive")
    assert ans.figure is None and ans.unit is None and not ans.abstained and not ans.unsure
    # every sentence is followed by [n], and citation n is its passage quoting it
    pieces = re.findall(r"(.+?) \[(\d+)\](?: |$)", ans.answer)
    assert [p for p, _ in pieces] == texts
    by_n = {c.n: c for c in ans.citations}
    assert sorted(by_n) == list(range(1, len(by_n) + 1))
    for (text, n), s in zip(pieces, summary.sentences):
        assert text in by_n[int(n)].text and by_n[int(n)].page == s.passage.page


def test_within_a_page_sentences_follow_the_page_from_top_to_bottom(model):
    lower = _p("low", "The water stewardship policy requires every plant to treat its wastewater.", 7, top=600)
    upper = _p("up", "Water risk is assessed each year at every plant with a basin risk atlas.", 7, top=100)
    summary = _summary(model, "How does the company manage water risk?", [lower, upper])
    assert [s.passage.id for s in summary.sentences] == ["up", "low"]


def test_the_index_reading_order_comes_before_the_place_on_the_page(model):
    """Two columns: the right column's passage starts higher up but is read after the left one."""
    left = _p("left", "Water risk is assessed each year at every plant with a basin risk atlas.", 7, top=400)
    right = _p("right", "The water stewardship policy requires every plant to treat its wastewater.", 7, top=90)

    def embed(texts: list[str]) -> list[np.ndarray]:
        return [np.asarray(v, dtype=np.float32) for v in model.embed_documents(texts)]

    question = "How does the company manage water risk?"
    qv = np.asarray(model.embed_query(question), dtype=np.float32)
    summary = summarise(question, [right, left], embed, qv, reading_order={"left": 10, "right": 11})
    assert [s.passage.id for s in summary.sentences] == ["left", "right"]


def test_sentences_of_two_reports_stay_together(model):
    a1 = _p("a1", "Water risk is assessed each year at every plant with a basin risk atlas.", 3)
    b1 = Passage(id="b1", document="other-report", page=1,
                 text="Our water risk reviews cover every mill in a water-stressed basin.")
    a2 = _p("a2", "The water stewardship policy sets how each plant manages its water risk.", 20)
    summary = _summary(model, "How does the company manage water risk?", [a1, b1, a2])
    docs = [s.passage.document for s in summary.sentences]
    assert len(set(docs)) == 2, docs
    groups = list(dict.fromkeys(docs))
    assert docs == sorted(docs, key=groups.index)  # each report's sentences together
    best = {d: min(s.rank for s in summary.sentences if s.passage.document == d) for d in groups}
    assert groups == sorted(groups, key=best.get)  # the report retrieved first comes first
    ours = [s.passage.page for s in summary.sentences if s.passage.document == DOC]
    assert ours == sorted(ours)


def test_a_near_duplicate_is_dropped(model):
    box = _p("box", "The board's sustainability committee reviews water-related risks twice a year.", 3)
    body = _p("body", "The Board's sustainability committee reviews water related risks twice each year. "
                      "Sites in water-stressed basins set their own water reduction plans.", 14)
    summary = _summary(model, "How does the company manage water risk?", [box, body])
    texts = [s.text.lower() for s in summary.sentences]
    assert sum("committee reviews" in t for t in texts) == 1, texts
    assert any("basins" in t for t in texts)


def test_a_sentence_that_gives_the_cause_follows_its_fact(model):
    p = _p("heat", "Emissions from purchased heat increased by 24 percent over the previous year. This is "
                   "attributable to the colder winters in many of our regions. The new warehouse opened in May.", 13)
    summary = _summary(model, "Why did emissions from purchased heat increase?", [p, WATER[1]])
    assert any("colder winters" in s.text for s in summary.sentences)


def test_nothing_relevant_gives_no_summary(model):
    assert _summary(model, "How does the company manage water risk?", [WATER[1]]) is None
    assert _summary(model, "How does the company manage water risk?", []) is None


def test_a_narrative_question_never_gets_a_figure(assistant):
    """Through the engine, with passages full of figures and table rows: the answer explains, cites,
    and shows no figure, no unit and no candidates (compose is never reached)."""
    passages = [
        _p("w1", "Water withdrawal was 1,234,567 m3 in 2022, up 4.5% on 2021. We manage water risk by "
                 "screening every data center site against regional water stress maps. Sites in stressed "
                 "basins recycle cooling water and report their use monthly.", 40, "Water"),
        Passage(id="t1", document=DOC, kind="table", page=41, section="Water data",
                text="Indicator | Unit | 2022\nWater withdrawal | m3 | 1,234,567\nRecycled water | m3 | 345,678"),
    ]
    ans = assistant.answerer.answer("How does the company manage water risk?", passages)
    assert not ans.abstained and not ans.unsure and ans.figure is None and ans.unit is None
    assert not ans.candidates and ans.citations
    assert "water stress" in ans.answer and re.search(r"\[1\]", ans.answer)


@pytest.mark.parametrize("question, word", [
    ("How does the company manage data security and privacy?", "privacy"),
    # below ANSWER_MIN, quoted because the one-sentence reader finds it supported too
    ("What whistle-blowing procedures does the company have?", "whistle"),
])
def test_the_bundled_report_explains_its_policies(assistant, question, word):
    ans = assistant.ask(question)
    assert word in ans.answer.lower()
    assert not ans.abstained and ans.figure is None
    cited = re.findall(r"\[(\d+)\]", ans.answer)
    assert 2 <= len(cited) <= 4 and {int(n) for n in cited} == {c.n for c in ans.citations}
    assert any(word in c.text.lower() for c in ans.citations)


@pytest.mark.parametrize("question", [
    "How does the company protect deep-sea ecosystems?",
    "Why did the company close its coal mines?",
])
def test_a_topic_the_report_does_not_treat_is_not_disclosed(assistant, question):
    """No summary of loosely related sentences: below ANSWER_MIN the one-sentence reader decides,
    and it finds nothing either."""
    ans = assistant.ask(question)
    assert ans.abstained and ans.figure is None, ans.answer


def test_a_sentence_pointing_back_inherits_what_it_continues(model):
    """'We aim to achieve this mainly by ...' answers 'how' for the goal stated before it, though
    its own words are not the question's; 'this year' points at no sentence."""
    goal = _p("goal", "By 2030 we intend to halve our direct and indirect greenhouse gas emissions. We aim to "
                      "achieve this mainly by replacing old furnaces and buying green power. "
                      "Patents granted rose again this year.", 8)
    targets = _p("targets", "By 2040 we intend to reach net zero greenhouse gas emissions across the value chain. "
                            "We also intend to halve our Scope 3 greenhouse gas emissions per euro of sales by 2030. "
                            "Our greenhouse gas emissions fell by 17% compared with the prior year.", 30)
    summary = _summary(model, "How does the company intend to halve its greenhouse gas emissions by 2030?",
                       [targets, goal])
    texts = [s.text for s in summary.sentences]
    assert any("replacing old furnaces" in t for t in texts), texts
    assert not any("Patents" in t for t in texts), texts


def test_the_passage_after_a_retrieved_one_is_read_on_and_cited_itself(model):
    """A chunk that stops where the explanation begins: its successor in reading order is read on,
    and a sentence from it cites the successor, not the retrieved passage."""
    first = _p("first", "No taxonomy-eligible revenue was identified for the year. The reason for this is not "
                        "that our activities are less sustainable. Rather, the taxonomy so far covers the "
                        "sectors with the highest emissions", 26)
    after = _p("after", "(energy, industry and transport). Since we are a mail-order retailer and belong to none "
                        "of these sectors, our revenue is not covered by the taxonomy.", 26)
    question = "Why was no taxonomy-eligible revenue identified?"
    qv = np.asarray(model.embed_query(question), dtype=np.float32)

    def embed(texts: list[str]) -> list[np.ndarray]:
        return [np.asarray(v, dtype=np.float32) for v in model.embed_documents(texts)]

    alone = summarise(question, [first], embed, qv)
    assert not any("retailer" in s.text for s in alone.sentences)
    summary = summarise(question, [first], embed, qv, reading_order={"first": 1, "after": 2},
                        following={"first": after})
    assert any("retailer" in s.text for s in summary.sentences), [s.text for s in summary.sentences]
    ans = narrative_answer(question, summary, "extractive")
    cited = {c.n: c for c in ans.citations}
    for text, n in re.findall(r"(.+?) \[(\d+)\](?: |$)", ans.answer):
        assert text in cited[int(n)].text
    assert {c.text.count("retailer") for c in ans.citations} == {0, 1}  # only the successor quotes it

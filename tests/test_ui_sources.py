"""The sources panel and chat bubble for real answers from the bundled report: each citation is a
button naming its answer, an unsure answer shows its candidates as candidates, a rewritten
follow-up says what was answered, and a text source's section is shown with the quote marked."""

from __future__ import annotations

import re

from esgqa.export import Turn
from esgqa.ui.chat import chat_text, citation_of, sources_html
from esgqa.ui.common import Context
from esgqa.ui.viewer import View, section_html

BUNDLED = "kingsoft-cloud-2022-esg-report"


def test_citations_are_buttons_keyed_to_their_answer(assistant):
    first = assistant.ask("How many patents has the company been granted by the end of 2022?", document=BUNDLED)
    second = assistant.ask("What was the Beijing data center PUE in 2022?", document=BUNDLED)
    turns = [Turn(first.question, first), Turn(second.question, second)]
    panel = sources_html(second, 1)
    keys = re.findall(r"data-cite='([^']+)'", panel)
    assert keys and all(k.startswith("1:c:") for k in keys)
    assert "<mark>1.37</mark>" in panel and "Sources for: <b>What was the Beijing" in panel
    assert citation_of(turns, keys[0]) == second.citations[0]
    assert citation_of(turns, "0:c:0") == first.citations[0]
    assert citation_of(turns, "7:c:0") is None and citation_of(turns, "junk") is None


def test_unsure_answers_show_candidates_and_follow_ups_say_what_was_answered(assistant):
    real = assistant.ask("What was the Beijing data center PUE in 2022?", document=BUNDLED)
    unsure = real.model_copy(update={"unsure": True, "candidates": real.citations, "figure": None,
                                     "rewritten": "What was the Beijing data center PUE in 2022?",
                                     "question": "And the PUE?"})
    panel = sources_html(unsure, 0)
    assert "class='unsure'" in panel and "No figure is claimed" in panel
    assert re.findall(r"data-cite='([^']+)'", panel) == [f"0:k:{i}" for i in range(len(real.citations))]
    assert "<mark>" not in panel  # no figure is claimed, so none is highlighted
    assert citation_of([Turn("And the PUE?", unsure)], "0:k:0") == real.citations[0]
    assert chat_text(unsure).startswith("*Answered as: What was the Beijing data center PUE in 2022?*")
    assert "Answered as: What was the Beijing" in panel


def test_text_source_section_marks_the_quote(assistant):
    ans = assistant.ask("What is the share of female employees?", document=BUNDLED)
    cite = ans.citations[0]
    shown = section_html(Context(assistant), View.of(cite))
    marked = re.search(r"<mark>(.*?)</mark>", shown, re.S).group(1)
    assert "33.8%" in marked and len(shown) > len(marked) + 50  # the quote inside its section

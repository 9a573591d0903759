"""Each cell-scoring feature on synthetic cells: it moves the way its reason says, and the
composed answer shows a figure, an unsure list or "not disclosed" by the fitted thresholds."""

import numpy as np
import pytest

from esgqa.answer import cells as F
from esgqa.answer.cells import Candidate, CellModel, Context, feature_vector, feature_vectors
from esgqa.answer.compose import compose
from esgqa.document.model import Cell
from esgqa.figures import units_named
from esgqa.lexicon import tokens
from esgqa.types import Answer, Passage

VOCAB = ["scope", "emissions", "germany", "france", "water", "women", "share", "energy"]


def embed(text: str) -> np.ndarray:
    """A bag-of-words 'embedding' over a tiny vocabulary: enough to test that meaning counts."""
    words = set(tokens(text))
    v = np.array([1.0 if w in words else 0.0 for w in VOCAB]) + 1e-3
    return v / np.linalg.norm(v)


def ctx(question: str, years=(), percent=False) -> Context:
    return Context(terms=set(tokens(question)), years=set(years), wants_percent=percent,
                   vector=embed(question), embed=embed, units=units_named(question))


def cand(row=("Scope 2 emissions",), col=("2023", "Germany"), value="4,888", unit="t", rank=0,
         siblings=(("2023",), ("2022",))) -> Candidate:
    cell = Cell(value, 4888.0 if value[0].isdigit() else None, tuple(row), tuple(col), unit, page=3)
    others = tuple(Cell("1", 1.0, tuple(row), c) for c in siblings)
    return Candidate(cell, Passage(id="r", document="d", text="t", section="GHG emissions", page=3,
                                   kind="row", cells=(cell, *others)), rank)


def test_row_meaning_and_row_words_prefer_the_row_asked():
    x = ctx("Scope 2 emissions in Germany")
    assert F.row_meaning(cand(), x) > F.row_meaning(cand(row=("Water use",)), x)
    assert F.row_words(cand(), x) == 1.0 and F.row_words(cand(row=("Water use",)), x) == 0.0


def test_column_features_read_the_non_year_header():
    x = ctx("Scope 2 emissions in Germany")
    assert F.column_words(cand(col=("2023", "Germany")), x) == 1.0
    assert F.column_words(cand(col=("2023", "France")), x) == 0.0
    assert F.column_meaning(cand(col=("2023", "Germany")), x) > F.column_meaning(cand(col=("2023", "France")), x)
    assert F.column_meaning(cand(col=("2023",)), x) == 0.0  # a year is not a meaning


def test_years_must_agree_and_the_latest_is_meant_when_none_is_asked():
    assert F.year_agrees(cand(col=("2023",)), ctx("q", years={2023})) == 1.0
    assert F.year_agrees(cand(col=("2022",)), ctx("q", years={2023})) == -1.0
    assert F.year_agrees(cand(col=("Germany",)), ctx("q", years={2023})) == 0.0
    assert F.latest_year(cand(col=("2023",)), ctx("q")) == 1.0
    assert F.latest_year(cand(col=("2022",)), ctx("q")) == -1.0
    assert F.latest_year(cand(col=("2022",)), ctx("q", years={2022})) == 0.0


def test_a_year_with_a_footnote_mark_is_a_year_and_an_amount_is_not():
    assert F.year_agrees(cand(col=("Jan-Dec 2023²",)), ctx("q", years={2023})) == 1.0
    assert F.year_agrees(cand(col=("FY2022",)), ctx("q", years={2023})) == -1.0
    assert F.year_agrees(cand(col=("12,023 units",)), ctx("q", years={2023})) == 0.0


def test_the_captions_year_counts_only_where_the_headers_have_none():
    def captioned(col, caption):
        c = cand(col=col)
        return Candidate(c.cell, c.passage.model_copy(update={"section": caption}), 0)
    assert F.caption_year_agrees(captioned(("Germany",), "Revenue 2023"), ctx("q", years={2023})) == 1.0
    assert F.caption_year_agrees(captioned(("Germany",), "Revenue 2022"), ctx("q", years={2023})) == -1.0
    assert F.caption_year_agrees(captioned(("2022",), "Revenue 2023"), ctx("q", years={2023})) == 0.0  # its own
    assert F.caption_year_agrees(captioned(("Germany",), "Revenue 2023"), ctx("q")) == 0.0


def test_a_percent_header_makes_its_cells_shares():
    share = ctx("return to work rate", percent=True)
    assert F.percent_agrees(cand(row=("Return to work rate (%)", "thereof men"), value="91.5", unit=""), share) == 1.0
    assert F.percent_agrees(cand(row=("% of employees with temporary contracts",), value="21", unit=""),
                            ctx("headcount on temporary contracts")) == -1.0
    assert F.percent_agrees(cand(row=("Number of employees",), value="3,182", unit=""), share) == -1.0


def test_rows_of_one_table_share_its_best_rank():
    def row(i, page):
        cell = Cell("1", 1.0, (f"row {i}",), ("2023",), page=page)
        return Passage(id=f"r{i}", document="d", text="t", section="T", page=page, kind="row", cells=(cell,))
    got = F.candidates([row(0, 3), row(1, 5), row(2, 3)])
    assert [(c.rank, c.table_rank) for c in got] == [(0, 0), (1, 1), (2, 0)]
    assert F.table_rank(got[2], ctx("q")) == F.table_rank(got[0], ctx("q")) > F.table_rank(got[1], ctx("q"))
    assert F.retrieval_rank(got[2], ctx("q")) < F.retrieval_rank(got[0], ctx("q"))


def test_percent_rank_number_and_coverage():
    assert F.percent_agrees(cand(value="45%"), ctx("share of women", percent=True)) == 1.0
    assert F.percent_agrees(cand(value="4,888"), ctx("share of women", percent=True)) == -1.0
    assert F.percent_agrees(cand(value="4,888"), ctx("emissions")) == 0.0
    assert F.retrieval_rank(cand(rank=0), ctx("q")) > F.retrieval_rank(cand(rank=3), ctx("q"))
    assert F.is_number(cand(value="n/a"), ctx("q")) == 0.0
    assert F.question_covered(cand(), ctx("Germany scope 2 emissions")) == 1.0
    assert F.question_covered(cand(), ctx("water use in France")) == 0.0


def model(show=0.8, unsure=0.3) -> CellModel:
    weights = {name: 0.0 for name in F.FEATURES} | {"row_words": 4.0, "column_words": 4.0}
    return CellModel(weights, {"score": 1.0, "margin": 0.0, "bias": -4.0},
                     {"confidence": 1.0, "from_pdf": 0.0, "from_table": 0.0, "bias": 0.0}, show, unsure)


def test_compose_shows_hedges_or_abstains_by_probability():
    m = model()
    x = ctx("Scope 2 emissions in Germany")
    abstain = Answer(question="q", answer="Not disclosed", abstained=True)
    good, wrong_col = cand(), cand(col=("2023", "France"), value="1,234")
    ranked = F.ranked([good, wrong_col], x, m)
    shown = compose("q", abstain, ranked, m, "extractive")
    assert shown.figure == "4,888" and not shown.unsure and shown.citations[0].page == 3
    assert "Germany" in shown.answer
    only_row = F.ranked([wrong_col], x, m)  # row matches, column does not: p = 0.5
    hedged = compose("q", abstain, only_row, m, "extractive")
    assert hedged.unsure and hedged.figure is None and hedged.candidates and "1,234" in hedged.answer
    assert [c.figure for c in hedged.candidates] == ["1,234"]  # each candidate names the figure it offers
    nothing = F.ranked([cand(row=("Water use",), col=("2023", "France"))], x, m)
    assert compose("q", abstain, nothing, m, "extractive").abstained


@pytest.mark.parametrize("name", list(F.FEATURES))
def test_every_feature_has_a_reason(name):
    assert (F.FEATURES[name].__doc__ or "").strip(), f"{name} needs its one-line reason"


def test_feature_vector_follows_the_registry():
    assert feature_vector(cand(), ctx("q")).shape == (len(F.FEATURES),)


def test_caption_unit_and_whole_cell_features():
    x = ctx("Scope 2 emissions in Germany in tonnes")
    assert F.context_words(cand(), ctx("GHG emissions")) == 1.0  # the caption is "GHG emissions"
    assert F.context_words(cand(), ctx("water use")) == 0.0
    assert F.unit_words(cand(unit="tonnes"), x) == 1.0
    assert F.unit_words(cand(unit="MWh"), x) == 0.0
    assert F.cell_meaning(cand(), x) > F.cell_meaning(cand(row=("Water use",), col=("2023", "France")), x)


def test_relative_years_are_resolved_against_the_reporting_year():
    from esgqa.answering import analyse

    def asked(question: str) -> set[int]:
        return analyse(question, {}).asked_years(2018)

    assert asked("Net sales in the reporting year?") == {2018}
    assert asked("Net sales in the prior year?") == {2017}
    assert asked("Net sales in the year before the reporting year?") == {2017}
    assert asked("How much hazardous waste was produced in the year before?") == {2017}
    assert asked("Net sales in 2016?") == {2016}


def test_unit_agrees_tells_the_unit_asked_from_another_of_its_kind():
    x = ctx("How much natural gas was consumed in 2023, in terajoules?")
    assert F.unit_agrees(cand(unit="TJ"), x) == 1.0
    assert F.unit_agrees(cand(unit="GWh"), x) == -1.0  # energy too, but not the unit asked
    assert F.unit_agrees(cand(unit="m3"), x) == 0.0
    assert F.unit_agrees(cand(unit="", row=("Natural gas (TJ)",)), x) == 1.0  # the unit in a header
    assert F.unit_agrees(cand(unit="GWh"), ctx("How much natural gas was consumed?")) == 0.0


def test_rare_covered_weighs_the_words_that_name_the_measure():
    # "hours" is rare in the report, "employee" common: a row naming only the common word covers little
    x = ctx("average training hours per employee")
    x.idf = {"average": 2.0, "train": 1.0, "hour": 4.0, "employee": 0.2}
    x.terms = set(x.idf)
    common = cand(row=("Employees trained",))
    rare = cand(row=("Average hours of training",))
    assert F.question_covered(common, x) == 0.5 and F.question_covered(rare, x) == 0.75
    assert F.rare_covered(common, x) == pytest.approx(1.2 / 7.2)
    assert F.rare_covered(rare, x) == pytest.approx(7.0 / 7.2)
    x.idf = {}
    assert F.rare_covered(common, x) == F.question_covered(common, x)  # no statistics: plain shares


def test_the_texts_compared_by_meaning_are_embedded_in_one_batch():
    batches = []

    def embed_many(texts: list[str]) -> list[np.ndarray]:
        batches.append(list(texts))
        return [embed(t) for t in texts]

    x = ctx("Scope 2 emissions in Germany")
    x.embed_many = embed_many
    cands = [cand(), cand(row=("Water use",)), cand(col=("2023", "France"))]
    got = feature_vectors(cands, x)
    assert len(batches) == 1 and len(batches[0]) == len(set(batches[0]))  # once, no text twice
    alone = ctx("Scope 2 emissions in Germany")  # no batch: each text embedded when asked
    assert all(np.allclose(v, feature_vector(c, alone)) for v, c in zip(got, cands))


def test_a_numbered_name_must_be_the_one_asked():
    x = Context(terms={"scope", "3", "emissions"}, years=set(), wants_percent=False, vector=embed("scope"),
                embed=embed, identifiers=[("scope", "3")])
    assert F.identifier_agrees(cand(row=("Scope 3 emissions",)), x) == 1.0
    assert F.identifier_agrees(cand(row=("Scope 1 emissions",)), x) == -1.0
    assert F.identifier_agrees(cand(row=("Scope 1, 2 and 3",)), x) == 1.0  # a run of numbers names each
    assert F.identifier_agrees(cand(row=("Total emissions",)), x) == 0.0  # does not say: no evidence
    assert F.identifier_agrees(cand(row=("Scope 1 emissions",)), ctx("Scope emissions")) == 0.0  # none asked


def test_a_cell_that_contradicts_the_year_or_the_number_asked_is_no_candidate():
    x = Context(terms={"scope", "emissions"}, years={2019}, wants_percent=False, vector=embed("scope"),
                embed=embed, identifiers=[("scope", "3")])
    assert not F.admissible(cand(col=("2023",)), x)  # another year
    assert not F.admissible(cand(row=("Scope 1",), col=("2019",)), x)  # another scope
    assert F.admissible(cand(row=("Scope 3",), col=("2019",)), x)
    assert F.admissible(cand(row=("Emissions",), col=("Germany",)), x)  # says neither: still a candidate

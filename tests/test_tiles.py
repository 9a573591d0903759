"""Key figures set as tiles (a large figure with its label under or over it), on PDFs made here."""

from __future__ import annotations

from pathlib import Path

import pytest

from esgqa.document.model import Table
from esgqa.document.tables import find_tables
from esgqa.document.tiles import read_tiles
from esgqa.document.words import read_words
from pdfs import placed_pdf, write

PROSE = ["Diversity at all levels within our", "organization is part of our", "connection to a stronger",
         "workforce. Our Board has set a", "target for its representation."]


def words_of(tmp_path: Path, items: list) -> list:
    return read_words(write(tmp_path / "t.pdf", placed_pdf([items])))[1]


def tiles_of(tmp_path: Path, items: list) -> dict[str, str]:
    tables = [t for t in find_tables(words_of(tmp_path, items), 1) if t.kind == "tiles"]
    assert len(tables) <= 1
    return {c.row_label: c.value for t in tables for c in t.cells}


def test_labels_under_figures_beside_running_text(tmp_path: Path) -> None:
    items = [(60, 100, "52%", 20), (60, 114, "All Employees", 9), (200, 100, "75%", 20),
             (200, 114, "Senior Executives", 9)]
    items += [(340, 96 + 12 * i, line, 9) for i, line in enumerate(PROSE)]
    tables = find_tables(words_of(tmp_path, items), 1)
    assert tiles_of(tmp_path, items) == {"All Employees": "52%", "Senior Executives": "75%"}
    tile = next(t for t in tables if t.kind == "tiles")
    assert {c.unit for c in tile.cells} == {"%"}
    # the running text beside them labels nothing
    assert not [c for t in tables if t.kind != "tiles" for c in t.cells]


def test_a_label_between_two_figures_goes_to_the_nearer(tmp_path: Path) -> None:
    items = [(60, 100, "Belonging score", 9), (60, 126, "81", 22), (250, 100, "Inclusion score", 9),
             (250, 126, "79", 22), (60, 160, "Growth score", 9), (60, 186, "80", 22),
             (250, 160, "Authenticity score", 9), (250, 186, "83", 22)]
    assert tiles_of(tmp_path, items) == {"Belonging score": "81", "Inclusion score": "79", "Growth score": "80",
                                         "Authenticity score": "83"}


def test_a_label_of_several_lines(tmp_path: Path) -> None:
    items = [(60, 100, "90%", 21), (60, 114, "of employees", 10), (60, 126, "participated", 10),
             (200, 100, "81", 21), (200, 114, "our 2022", 10), (200, 126, "engagement score", 10)]
    assert tiles_of(tmp_path, items) == {"of employees participated": "90%", "our 2022 engagement score": "81"}


def test_a_figure_over_a_paragraph_is_no_tile(tmp_path: Path) -> None:
    items = [(60, 100, "1", 20)] + [(60, 114 + 12 * i, line, 9) for i, line in enumerate(PROSE)]
    table, rest = read_tiles(words_of(tmp_path, items), 1)
    assert table == [] and len(rest) == len(words_of(tmp_path, items))


def test_a_table_in_one_type_size_has_no_tiles(tmp_path: Path) -> None:
    items = [(300, 90, "2023", 9), (380, 90, "2022", 9)]
    for i, (label, a, b) in enumerate([("Scope 1", "120", "130"), ("Scope 2", "45", "50"), ("Total", "165", "180")]):
        items += [(60, 104 + 12 * i, label, 9), (300, 104 + 12 * i, a, 9), (380, 104 + 12 * i, b, 9)]
    tables: list[Table] = find_tables(words_of(tmp_path, items), 1)
    assert [t.kind for t in tables] == ["grid"]
    assert {c.row_label for c in tables[0].cells} == {"Scope 1", "Scope 2", "Total"}



def test_labels_beside_figures_with_their_signs(tmp_path: Path) -> None:
    items = [(60, 100, "85", 28), (100, 100, "Companies", 9), (300, 100, "12,728", 28), (410, 100, "Employees", 9),
             (60, 150, "~", 28), (80, 150, "5,000", 28), (170, 150, "Service centres", 9),
             (300, 150, "EUR", 9), (320, 150, "2,446", 28), (420, 150, "million in revenue", 9)]
    assert tiles_of(tmp_path, items) == {"Companies": "85", "Employees": "12,728", "Service centres": "~5,000",
                                         "EUR million in revenue": "2,446"}


def test_list_numbers_and_glued_figures_are_no_tiles(tmp_path: Path) -> None:
    steps = [(60, 100 + 30 * k, str(5 - k), 20) for k in range(5)]
    labels = [(90, 100 + 30 * k, f"Rating step {name}", 9) for k, name in enumerate("ABCDE")]
    glued = [(300, 100, "Emissions", 12), (368, 100, "2", 20), (368, 114, "Scope total", 9)]
    assert tiles_of(tmp_path, steps + labels + glued) == {}



def test_a_figure_with_its_scale_and_unit(tmp_path: Path) -> None:
    items = [(60, 100, "$6.8 Billion", 18), (70, 114, "Total Assets", 10), (60, 150, "1.3 million ft", 18),
             (201, 142, "2", 10), (70, 164, "development pipeline", 10)]
    tables = [t for t in find_tables(words_of(tmp_path, items), 1) if t.kind == "tiles"]
    cells = {c.row_label: c for t in tables for c in t.cells}
    assert {k: c.value for k, c in cells.items()} == {"Total Assets": "$6.8 Billion",
                                                    "development pipeline": "1.3 million ft2"}
    assert cells["Total Assets"].number == 6.8e9


CT_REIT = Path(__file__).resolve().parents[1] / ".." / "shared" / "external" / "CT_REIT_2022_ESG_Report.pdf"


@pytest.mark.skipif(not CT_REIT.exists(), reason="shared CT REIT report not present")
def test_survey_scores_and_donut_labels_on_a_real_page() -> None:
    """CT REIT p. 19: six survey scores under a heading, four shares over donut labels, beside three
    columns of running text that the grid reader took for their row labels."""
    tables = find_tables(read_words(CT_REIT, [19])[19], 19)
    tiles = {c.row_label: (t.caption, c.value) for t in tables if t.kind == "tiles" for c in t.cells}
    assert tiles["Commitment to DIB score"] == ("2022 DIB SURVEY – SELECT RESULTS", "80")
    assert tiles["Conversation engagement score"] == ("2022 DIB SURVEY – SELECT RESULTS", "82")
    assert tiles["All Management"] == ("", "42%")
    assert len(tiles) == 10
    assert not [c for t in tables if t.kind != "tiles" for c in t.cells]

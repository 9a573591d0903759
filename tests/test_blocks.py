"""Blocks read from word boxes: headings by type size, section paths, two columns, passage boxes."""

from __future__ import annotations

from pathlib import Path

from esgqa.document.blocks import box_of, read_blocks
from esgqa.document.hyphenation import join_lines, spelled_as_in
from esgqa.document.tables import find_tables
from esgqa.document.words import read_words
from esgqa.pdftext import tidy
from pdfs import placed_pdf, right, write


def _page(tmp_path: Path) -> list:
    items = [(50, 60, "Environment", 18), (50, 100, "Water use", 13)]
    left = ["We withdrew less water in all our", "plants this year than the year", "before, mostly in dry regions."]
    rightcol = ["Waste sent to landfill fell as", "recycling rose at every site", "we run in Europe and Asia."]
    for i, (a, b) in enumerate(zip(left, rightcol)):
        items += [(50, 130 + 12 * i, a, 9), (320, 130 + 12 * i, b, 9)]
    items += [(50, 200, "Emissions", 13), (50, 230, "Scope 1 and 2 emissions fell by a tenth in the year.", 9)]
    items += [(50, 260, "Emissions by scope (t)", 9)]
    items += [right(300, 280, "2022"), right(380, 280, "2023")]
    items += [(50, 298, "Scope 1", 9), right(300, 298, "1,200", 9), right(380, 298, "1,100", 9)]
    items += [(50, 316, "Scope 2", 9), right(300, 316, "4,888", 9), right(380, 316, "4,500", 9)]
    return items


def _blocks(tmp_path: Path):
    path = write(tmp_path / "b.pdf", placed_pdf([_page(tmp_path)]))
    words = read_words(path)
    return read_blocks(words, find_tables(words[1], 1))


def test_headings_by_size_give_section_paths(tmp_path: Path) -> None:
    blocks = _blocks(tmp_path)
    heads = [b.text for b in blocks if b.kind == "heading"]
    assert heads == ["Environment", "Water use", "Emissions"]
    para = next(b for b in blocks if b.text.startswith("Scope 1 and 2 emissions fell"))
    assert para.kind == "paragraph" and para.section == ("Environment", "Emissions")
    water = next(b for b in blocks if b.text.startswith("We withdrew"))
    assert water.section == ("Environment", "Water use")


def test_two_columns_are_two_blocks_and_the_table_is_one(tmp_path: Path) -> None:
    blocks = _blocks(tmp_path)
    water = next(b for b in blocks if b.text.startswith("We withdrew"))
    assert water.text.endswith("dry regions.") and "Waste" not in water.text
    assert water.box[2] < 320
    tables = [b for b in blocks if b.kind == "table"]
    assert len(tables) == 1 and "4,888" in tables[0].text
    assert not any("4,888" in b.text for b in blocks if b.kind != "table")


def test_a_passage_gets_the_box_of_the_blocks_it_was_cut_from(tmp_path: Path) -> None:
    blocks = _blocks(tmp_path)
    box = box_of("Water use\nWe withdrew less water in all our plants this year than the year before", blocks)
    assert box is not None and box[1] < 100 < box[3] and box[2] < 320
    assert box_of("Nothing of this stands on the page at all", blocks) is None


def test_a_word_hyphenated_at_the_line_end_is_read_whole(tmp_path: Path) -> None:
    """pdfium marks a hyphen that ends a line; the paragraph reads "compliance", not "compli ance"."""
    items = [(50, 100, "Risk management, compli-", 9), (50, 112, "ance and internal audit, and", 9),
             (50, 124, "the Non-", 9), (50, 136, "Landlord areas.", 9)]
    path = write(tmp_path / "h.pdf", placed_pdf([items]))
    words = read_words(path)
    para = next(b for b in read_blocks(words, []) if b.text.startswith("Risk"))
    assert para.text == "Risk management, compliance and internal audit, and the Non-Landlord areas."


def test_join_lines() -> None:
    assert join_lines(["compli\xad", "ance"]) == "compliance"
    assert join_lines(["Non\xad", "Landlord Controlled"]) == "Non-Landlord Controlled"
    assert join_lines(["well-", "being"]) == "well-being"  # a hyphen printed as such stays
    assert join_lines(["Scope 1 -", "direct"]) == "Scope 1 - direct"  # a dash, not a broken word
    assert join_lines(["Total", "", "2023\xad"]) == "Total 2023-"


def test_a_compound_hyphenated_at_the_line_end_keeps_its_hyphen() -> None:
    """pdfium marks every line-end hyphen alike; a compound's halves are both words and run together
    they are not ("location-based"), an acronym starts a compound ("GHG-intensive"); a word broken to
    fit is read whole whether or not its halves are words ("shareholders", "decarbonisation")."""
    assert join_lines(["Scope 2 location\xad", "based"]) == "Scope 2 location-based"
    assert join_lines(["non\xad", "financial"]) == "non-financial"
    assert join_lines(["GHG\xad", "intensive"]) == "GHG-intensive"
    assert join_lines(["share\xad", "holders"]) == "shareholders"
    assert join_lines(["decarbon\xad", "isation"]) == "decarbonisation"
    assert tidy("Our location-\nbased emissions fell, as did the manage-\nment's.") == (
        "Our location-based emissions fell, as did the management's.")


def test_a_word_broken_at_the_line_end_is_joined_as_the_document_spells_it() -> None:
    """The document's own spelling within its lines decides first: a 10-K that prints "noncontrolling"
    gets "Noncontrolling" back from "Non-" / "controlling"; one that prints "work-related" keeps it."""
    with spelled_as_in(["Net income attributable to noncontrolling interests"]):
        assert join_lines(["Non\xad", "controlling interests"]) == "Noncontrolling interests"
    assert join_lines(["Non\xad", "controlling interests"]) == "Non-controlling interests"
    with spelled_as_in(["injuries and work-related ill health"]):
        assert join_lines(["work\xad", "related"]) == "work-related"
        assert tidy("These are work-\nrelated.") == "These are work-related."

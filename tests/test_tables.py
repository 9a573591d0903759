"""The table reader on small PDFs made here (one table shape each) and on hard pages of the shared reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from esgqa.document.model import Cell, Table
from esgqa.document.tables import find_tables, without_bare_repeats
from esgqa.document.words import read_words
from pdfs import courier_width, encrypted_pdf, placed_pdf, right, write

EXTERNAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "external"


def tables_of(tmp_path: Path, items: list, name: str = "t.pdf") -> list[Table]:
    path = write(tmp_path / name, placed_pdf([items]))
    return find_tables(read_words(path)[1], 1)


def only(tables: list[Table]) -> Table:
    assert len(tables) == 1, [t.rows() for t in tables]
    return tables[0]


def cell(table: Table, row: str, col: str) -> Cell:
    found = table.cell(row, col)
    assert found is not None, (row, col, table.rows())
    return found


def col_paths(table: Table, row: str) -> dict[str, tuple[str, ...]]:
    """Each figure of a row, by value, with the column path it was read under."""
    return {c.value: c.col_path for c in table.cells if c.row_label == row}


TWO_COLS = (300, 380)


def two_year_header(y: float = 100) -> list:
    """"2022" and "2023" right-aligned over TWO_COLS: the header of the small two-year tables."""
    return [right(c, y, year) for c, year in zip(TWO_COLS, ("2022", "2023"))]


def row_items(y: float, label: str, values: list[str], x: float = 50, cols: tuple = (300, 380, 460),
              size: float = 8) -> list:
    return [(x, y, label, size)] + [right(c, y, v, size) for c, v in zip(cols, values)]


def centred(x: float, baseline: float, text: str, size: float = 6) -> tuple:
    """A header phrase centred at x (group headers stand centred over their columns)."""
    return (x - courier_width(text, size) / 2, baseline, text, size)


def test_columns_named_by_regions_not_years(tmp_path: Path) -> None:
    items = [(50, 80, "GHG emissions by region (t CO2e)", 11)]
    items += [right(300, 110, "North"), right(380, 110, "South"), right(460, 110, "Total")]
    items += row_items(128, "Scope 1 emissions", ["1,234", "2,345", "3,579"])
    items += row_items(146, "Scope 2 emissions", ["100", "200", "300"])
    items += row_items(164, "Scope 3 emissions", ["10.5", "20.25", "30.75"])
    t = only(tables_of(tmp_path, items))
    c = cell(t, "Scope 1 emissions", "South")
    assert (c.value, c.number, c.col_path, c.row_path) == ("2,345", 2345.0, ("South",), ("Scope 1 emissions",))
    assert c.unit == "t CO2e" and c.page == 1
    assert cell(t, "Scope 3 emissions", "Total").number == 30.75
    assert t.caption.startswith("GHG emissions by region")
    assert len(t.cells) == 9
    row = next(r for r in t.rows() if "Scope 1 emissions" in r)
    assert "South: 2,345" in row and "North: 1,234" in row and "Total: 3,579" in row


def test_two_row_header_with_spanning_groups(tmp_path: Path) -> None:
    cols = (260, 320, 420, 480)
    items = [(50, 100, "Emissions", 8), (255, 100, "Scope 1", 8), (415, 100, "Scope 2", 8)]
    items += [right(c, 118, y) for c, y in zip(cols, ["2022", "2023", "2022", "2023"])]
    items += row_items(136, "Plant A", ["10", "11", "20", "21"], cols=cols)
    items += row_items(154, "Plant B", ["12", "13", "22", "23"], cols=cols)
    t = only(tables_of(tmp_path, items))
    assert cell(t, "Plant B", "2023").col_path == ("Scope 1", "2023")
    c = [c for c in t.cells if c.row_label == "Plant B" and c.col_path == ("Scope 2", "2023")]
    assert [x.value for x in c] == ["23"]
    assert {c.col_path for c in t.cells} == {("Scope 1", "2022"), ("Scope 1", "2023"), ("Scope 2", "2022"),
                                             ("Scope 2", "2023")}


def test_wrapped_header_cell_is_one_path_element(tmp_path: Path) -> None:
    items = [right(300, 90, "2023"), right(380, 90, "2023"), right(300, 100, "Group"), right(380, 100, "thereof"),
             right(300, 110, "total"), right(380, 110, "Germany"), (50, 110, "GWh", 8)]
    items += row_items(130, "Electricity", ["950", "120"], cols=(300, 380))
    items += row_items(148, "Natural gas", ["1,182", "59"], cols=(300, 380))
    t = only(tables_of(tmp_path, items))
    c = cell(t, "Natural gas", "2023 thereof Germany")
    assert (c.value, c.col_path, c.unit) == ("59", ("2023 thereof Germany",), "GWh")


def test_indented_sub_rows_and_section_rows(tmp_path: Path) -> None:
    items = two_year_header()
    items += row_items(118, "Energy consumption", ["100", "200"], cols=(300, 380))
    items += row_items(136, "Electricity", ["60", "120"], x=62, cols=(300, 380))
    items += row_items(154, "of which renewable", ["30", "90"], x=74, cols=(300, 380))
    items += row_items(172, "Natural gas", ["40", "80"], x=62, cols=(300, 380))
    items += [(50, 196, "Waste", 8)]
    items += row_items(214, "Hazardous waste", ["5", "6"], cols=(300, 380))
    items += row_items(232, "Total waste", ["7", "8"], cols=(300, 380))
    t = only(tables_of(tmp_path, items))
    assert cell(t, "of which renewable", "2023").row_path == ("Energy consumption", "Electricity",
                                                              "of which renewable")
    assert cell(t, "Natural gas", "2022").row_path == ("Energy consumption", "Natural gas")
    assert cell(t, "Hazardous waste", "2022").row_path == ("Waste", "Hazardous waste")
    assert cell(t, "Total waste", "2023").row_path == ("Waste", "Total waste")


def test_an_indented_total_is_no_child_of_the_row_above(tmp_path: Path) -> None:
    cols = (300, 380)
    items = [right(300, 100, "2016"), right(380, 100, "2017")]
    items += row_items(118, "United States", ["90,349", "120,486"], cols=cols)
    items += row_items(136, "Germany", ["14,148", "16,951"], cols=cols)
    items += row_items(154, "Rest of world", ["31,490", "40,429"], cols=cols)
    items += row_items(172, "Consolidated", ["135,987", "177,866"], x=66, cols=cols)
    t = only(tables_of(tmp_path, items))
    assert cell(t, "Consolidated", "2017").row_path == ("Consolidated",)


def test_an_indented_total_of_rows_at_several_indents_is_no_child_of_the_row_above(tmp_path: Path) -> None:
    """"Total assets" indented under "Other assets" adds up the indented "Total current assets" and
    the rows after it (a balance sheet): it is no child of "Other assets"."""
    cols = (300, 380)
    items = [right(300, 100, "2022"), right(380, 100, "2021")]
    items += row_items(118, "Cash", ["10", "20"], cols=cols)
    items += row_items(136, "Receivables", ["30", "25"], cols=cols)
    items += row_items(154, "Total current assets", ["40", "45"], x=66, cols=cols)
    items += row_items(172, "Goodwill", ["100", "90"], cols=cols)
    items += row_items(190, "Other assets", ["7", "8"], cols=cols)
    items += row_items(208, "Total assets", ["147", "143"], x=82, cols=cols)
    t = only(tables_of(tmp_path, items))
    assert cell(t, "Total assets", "2022").row_path == ("Total assets",)
    assert cell(t, "Total current assets", "2021").row_path == ("Total current assets",)


def test_a_row_that_is_the_difference_of_rows_above_is_no_child_of_their_section(tmp_path: Path) -> None:
    """Block p. 68: "Gross profit" (revenue less the cost of revenue) indented under the cost rows, and
    "Operating income" under the operating expenses, stand at the top level, not in those sections;
    so do "Income before income tax" (operating income less the two level rows above it) and "Net
    income", not children of the row above."""
    cols = (300, 380)
    items = [right(300, 100, "2020"), right(380, 100, "2019")]
    items += [(50, 114, "Revenue:", 8)]
    items += row_items(128, "Transaction-based revenue", ["3,294", "2,471"], x=58, cols=cols)
    items += row_items(142, "Hardware revenue", ["91", "84"], x=58, cols=cols)
    items += row_items(156, "Total net revenue", ["3,385", "2,555"], x=74, cols=cols)
    items += [(50, 170, "Cost of revenue:", 8)]
    items += row_items(184, "Transaction-based costs", ["1,911", "1,349"], x=58, cols=cols)
    items += row_items(198, "Hardware costs", ["138", "123"], x=58, cols=cols)
    items += row_items(212, "Total cost of revenue", ["2,049", "1,472"], x=74, cols=cols)
    items += row_items(226, "Gross profit", ["1,336", "1,083"], x=74, cols=cols)
    items += [(50, 240, "Operating expenses:", 8)]
    items += row_items(254, "Product development", ["881", "670"], x=58, cols=cols)
    items += row_items(268, "Sales and marketing", ["1,109", "624"], x=58, cols=cols)
    items += row_items(282, "Total operating expenses", ["1,990", "1,294"], x=74, cols=cols)
    items += row_items(296, "Operating income (loss)", ["(654)", "(211)"], x=74, cols=cols)
    items += row_items(310, "Interest expense, net", ["18", "20"], cols=cols)  # level rows taken off it
    items += row_items(324, "Other expense (income), net", ["(271)", "(30)"], cols=cols)
    items += row_items(338, "Income (loss) before income tax", ["(401)", "(201)"], x=74, cols=cols)
    items += row_items(352, "Provision for income taxes", ["45", "12"], cols=cols)
    items += row_items(366, "Net income (loss)", ["(446)", "(213)"], x=74, cols=cols)
    t = only(tables_of(tmp_path, items))
    assert cell(t, "Gross profit", "2020").row_path == ("Gross profit",)
    assert cell(t, "Operating income (loss)", "2019").row_path == ("Operating income (loss)",)
    assert cell(t, "Income (loss) before income tax", "2020").row_path == ("Income (loss) before income tax",)
    assert cell(t, "Net income (loss)", "2020").row_path == ("Net income (loss)",)
    assert cell(t, "Total cost of revenue", "2020").row_path == ("Cost of revenue:", "Total cost of revenue")
    assert cell(t, "Hardware costs", "2020").row_path == ("Cost of revenue:", "Hardware costs")


def test_an_indented_breakdown_that_adds_up_nothing_stays_a_child(tmp_path: Path) -> None:
    cols = (300, 380)
    items = [right(300, 100, "2022"), right(380, 100, "2021")]
    items += row_items(118, "Employees", ["500", "480"], cols=cols)
    items += row_items(136, "Germany", ["120", "110"], cols=cols)
    items += row_items(154, "of which women", ["50", "45"], x=66, cols=cols)
    t = only(tables_of(tmp_path, items))
    assert cell(t, "of which women", "2022").row_path == ("Germany", "of which women")


def test_a_caption_unit_with_an_exception_spares_the_rows_it_excepts(tmp_path: Path) -> None:
    """"(in millions, except per share data)": revenue is in millions, earnings per share are not."""
    cols = TWO_COLS
    items = [(50, 80, "(in millions, except per share data)", 8)] + two_year_header()
    items += row_items(118, "Revenues", ["12,734", "27,742"], cols=cols)
    items += row_items(136, "Earnings per common share, diluted", ["0.41", "1.73"], cols=cols)
    items += row_items(154, "Weighted-average shares outstanding", ["5,700", "5,650"], cols=cols)
    t = only(tables_of(tmp_path, items))
    assert cell(t, "Revenues", "2023").unit == "millions"
    assert cell(t, "Earnings per common share, diluted", "2023").unit == ""
    assert cell(t, "Weighted-average shares outstanding", "2023").unit == "millions"  # not "per share"


def test_a_section_over_indented_rows_ends_at_its_own_level(tmp_path: Path) -> None:
    cols = TWO_COLS
    items = two_year_header()
    items += row_items(118, "Total emissions", ["2,152", "1,951"], cols=cols)
    items += [(50, 136, "Thereof", 8)]
    items += row_items(154, "direct (Scope 1)", ["1,827", "1,626"], x=62, cols=cols)
    items += row_items(172, "indirect (Scope 2)", ["325", "325"], x=62, cols=cols)
    items += row_items(190, "Biogenic emissions", ["14", "15"], cols=cols)
    t = only(tables_of(tmp_path, items))
    assert cell(t, "indirect (Scope 2)", "2023").row_path == ("Thereof", "indirect (Scope 2)")
    assert cell(t, "Biogenic emissions", "2023").row_path == ("Biogenic emissions",)


def test_financial_statement_with_dollar_signs_and_group_headers(tmp_path: Path) -> None:
    cols = (300, 360, 440, 500)
    items = [(40, 70, "(in millions)", 8), (305, 82, "2022", 8), (445, 82, "2021", 8)]
    items += [right(c, 94, h) for c, h in zip(cols, ["Shares", "Amount", "Shares", "Amount"])]
    items += [(40, 112, "Balance, beginning of year", 8), right(300, 112, "1,383"), (320, 112, "$", 8),
              right(360, 112, "23"), right(440, 112, "1,380"), (460, 112, "$", 8), right(500, 112, "23")]
    items += row_items(130, "Change in repurchased stock", ["(6)", "—", "3", "—"], x=40, cols=cols)
    t = only(tables_of(tmp_path, items))
    assert all(c.value != "$" for c in t.cells)
    c = [c for c in t.cells if c.row_label == "Change in repurchased stock" and c.col_path == ("2022", "Shares")]
    assert [(x.value, x.number) for x in c] == [("(6)", -6.0)]
    assert cell(t, "Balance, beginning of year", "Amount").col_path == ("2022", "Amount")
    assert cell(t, "Balance, beginning of year", "Amount").unit == "millions"


def test_footnote_marks_are_kept_apart_from_the_figure(tmp_path: Path) -> None:
    items = two_year_header()
    items += row_items(118, "Employees", ["1,234", "1,300"], cols=(300, 380))
    items += [(300, 115, "1", 5)]  # "1,234¹": a raised small mark right after the figure
    items += row_items(136, "Injuries", ["3", "2"], cols=(300, 380))
    items += [(380, 133, "*", 5)]
    items += [(50, 154, "Women in management", 8), (50 + courier_width("Women in management", 8), 151, "2", 5)]
    items += [right(300, 154, "30%"), right(380, 154, "31%")]
    t = only(tables_of(tmp_path, items))
    c = cell(t, "Employees", "2022")
    assert (c.value, c.number, c.marks) == ("1,234", 1234.0, ("1",))
    assert cell(t, "Injuries", "2023").marks == ("*",)
    women = cell(t, "Women in management", "2023")  # the mark on the label leaves the label clean
    assert (women.value, women.number, women.unit) == ("31%", 31.0, "%")
    assert "1,234 [1]" in next(r for r in t.rows() if r.startswith("Employees"))


def test_split_subscript_joins_the_label(tmp_path: Path) -> None:
    co = courier_width("CO", 8)
    items = two_year_header()
    items += [(50, 118, "Direct CO", 8 + 0), (50 + courier_width("Direct CO", 8), 120, "2", 5),
              (50 + courier_width("Direct CO", 8) + 3, 118, "e emissions", 8)]
    items += [right(300, 118, "4,888"), right(380, 118, "5,001")]
    items += [(50, 136, "CH", 8), (50 + co, 138, "4", 5), (50 + co + 6, 136, "emissions", 8)]
    items += [right(300, 136, "12"), right(380, 136, "13")]
    t = only(tables_of(tmp_path, items))
    assert cell(t, "Direct CO2e emissions", "2023").value == "5,001"
    assert cell(t, "CH4 emissions", "2022").number == 12.0
    assert all(c.col_path in {("2022",), ("2023",)} for c in t.cells)


def test_two_tables_side_by_side(tmp_path: Path) -> None:
    items = [(40, 80, "Energy (MWh)", 10), (310, 80, "Water (m3)", 10)]
    items += [right(230, 100, "2022"), right(280, 100, "2023"), right(500, 100, "2022"), right(550, 100, "2023")]
    rows = [("Electricity", "10.5", "11.5", "Withdrawal", "300", "310"),
            ("Heat", "4.0", "4.5", "Discharge", "200", "205"),
            ("Fuel", "1.0", "0.5", "Consumption", "100", "105")]
    for k, (a, a1, a2, b, b1, b2) in enumerate(rows):
        y = 118 + 18 * k
        items += [(40, y, a, 8), right(230, y, a1), right(280, y, a2)]
        items += [(310, y, b, 8), right(500, y, b1), right(550, y, b2)]
    tables = tables_of(tmp_path, items)
    assert len(tables) == 2, [t.rows() for t in tables]
    left, right_ = sorted(tables, key=lambda t: t.box[0])
    assert cell(left, "Heat", "2023").value == "4.5" and cell(left, "Heat", "2023").unit == "MWh"
    assert cell(right_, "Discharge", "2022").value == "200" and cell(right_, "Discharge", "2022").unit == "m3"
    assert {c.row_label for c in left.cells} == {"Electricity", "Heat", "Fuel"}
    assert {c.row_label for c in right_.cells} == {"Withdrawal", "Discharge", "Consumption"}


def test_negatives_placeholders_and_thousands_conventions(tmp_path: Path) -> None:
    cols = TWO_COLS
    items = two_year_header()
    items += row_items(118, "Net result (EUR million)", ["(12)", "1,250.5"], cols=cols)
    items += row_items(136, "Offsets", ["–", "n/a"], cols=cols)
    items += row_items(154, "Energy (kWh)", ["604,126", "2.503,030"], cols=cols)
    t = only(tables_of(tmp_path, items))
    net = cell(t, "Net result (EUR million)", "2022")
    assert (net.value, net.number, net.unit) == ("(12)", -12.0, "EUR million")
    assert cell(t, "Offsets", "2022").number is None and cell(t, "Offsets", "2023").value == "n/a"
    assert cell(t, "Energy (kWh)", "2023").number == 2_503_030.0


def test_wrapped_labels_and_a_block_marker(tmp_path: Path) -> None:
    cols = (300, 380)
    items = [(50, 100, "GWh", 8), right(300, 100, "2022"), right(380, 100, "2023")]
    items += [(50, 118, "Biomass and self-generated", 8)]
    items += row_items(128, "renewable energy", ["35", "38"], cols=cols)  # figures on the label's last line
    items += row_items(146, "Electricity", ["950", "964"], cols=cols)
    items += [(50, 172, "In TJ", 8)]
    items += [(50, 190, "Biomass and self-generated", 8)]
    items += row_items(200, "renewable energy", ["126", "137"], cols=cols)
    items += row_items(218, "Electricity", ["3,420", "3,470"], cols=cols)
    t = only(tables_of(tmp_path, items))
    rows = [c for c in t.cells if c.row_label == "Biomass and self-generated renewable energy"]
    assert [(c.value, c.unit) for c in rows] == [("35", "GWh"), ("38", "GWh"), ("126", "TJ"), ("137", "TJ")]
    assert len({c.row for c in rows}) == 2
    assert [r for r in t.rows() if "3,470" in r] == ["GWh: Electricity (TJ) | 2022: 3,420 | 2023: 3,470"]


def test_one_figure_column_under_a_header(tmp_path: Path) -> None:
    items = [(50, 100, "Total energy use (PJ)", 9), right(540, 100, "2023")]
    for k, (label, value) in enumerate([("Renewable energy purchased", "14"), ("Renewable energy generated", "86"),
                                        ("Total energy", "239")]):
        items += [(50, 118 + 11 * k, label, 7), right(540, 118 + 11 * k, value, 7)]
    t = only(tables_of(tmp_path, items))
    c = cell(t, "Renewable energy generated", "2023")
    assert (c.value, c.unit) == ("86", "PJ")
    assert t.rows()[0] == "Total energy use (PJ): Renewable energy purchased (PJ) | 2023: 14"


def test_a_contents_list_is_no_table(tmp_path: Path) -> None:
    items = []
    for k, (label, page) in enumerate([("Introduction", "3"), ("Our strategy", "7"), ("Climate", "12"),
                                       ("People", "25")]):
        items += [(50, 100 + 14 * k, label, 9), right(540, 100 + 14 * k, page, 9)]
    assert tables_of(tmp_path, items) == []


def test_running_text_and_page_references_are_no_table(tmp_path: Path) -> None:
    items = [(50, 100 + 12 * k, line, 9) for k, line in enumerate([
        "In 2023 we emitted 1,234 t CO2e, down from 2,345 t in 2022, and used 50.6 GWh.",
        "Water withdrawal was 1,200 m3 in 2023 and 1,350 m3 in 2022 across 12 sites.",
        "Our 2030 target is a 42% cut against the 2019 base year of 3,000 t.",
    ])]
    for k, (code, name, pages) in enumerate([("2-1", "Organizational details", "14 et seq., 127"),
                                             ("2-2", "Entities included", "26, 127"), ("2-3", "Reporting period",
                                                                                       "26, 191")]):
        items += [(50, 200 + 14 * k, code, 8), (90, 200 + 14 * k, name, 8), (300, 200 + 14 * k, pages, 8)]
    assert tables_of(tmp_path, items) == []


def test_read_words_opens_empty_password_pdf(tmp_path: Path) -> None:
    path = write(tmp_path / "enc.pdf", encrypted_pdf(["Scope 1 emissions 1,234"], ""))
    words = read_words(path)
    assert [w.text for w in words[1]] == ["Scope", "1", "emissions", "1,234"]
    assert words[1][0].size == 10.0 and words[1][0].x0 < words[1][1].x0


# --- the shared reports: hard pages looked at rendered ----------------------------------------


def shared_page(name: str, page: int) -> list[Table]:
    path = EXTERNAL / name
    if not path.exists():
        pytest.skip(f"shared report {name} is not here ({EXTERNAL})")
    return find_tables(read_words(path, [page])[page], page)


def find_cell(tables: list[Table], row: str, col: str) -> Cell:
    hits = [c for t in tables for c in t.cells if c.row_label == row and (col in c.col_path or col == c.col_label)]
    assert hits, (row, col, [r for t in tables for r in t.rows()])
    return hits[0]


def test_addiko_sites_as_columns() -> None:
    tables = shared_page("Addiko-Bank-AG-Sustainability-Report-2023.pdf", 52)
    c = find_cell(tables, "Total energy consumption", "AD Podgorica (MNG)")
    assert (c.value, c.number, c.unit) == ("386,433", 386433.0, "kWh")
    assert c.col_path[-1] == "AD Podgorica (MNG)" and len(c.col_path) == 2  # under the group header
    assert find_cell(tables, "Total fossil energy consumption", "Zagreb (Croatia)").number == 2_503_030.0
    share = find_cell(tables, "Share of fossil sources in total energy consumption (%)", "Vienna (Austria)")
    assert (share.value, share.unit) == ("0%", "%")


def test_sec_statements_totals_units_and_period_headers() -> None:
    """Reports never tuned on (read against the rendered pages): a balance sheet's indented totals
    stand under their section, not under the row above; "(MILLIONS, EXCEPT PER SHARE DATA)" gives
    the unit to all but the per-share rows; "Six Months Ended" heads both date columns; the cash-flow
    statement broken by a long label line is one table (it was read three times)."""
    balance = shared_page("Pfizer_2023Q2_10Q.pdf", 10)
    total = find_cell(balance, "Total assets", "December 31, 2022")
    assert (total.value, total.row_path, total.unit) == ("197,205", ("Assets", "Total assets"), "MILLIONS")
    cash = shared_page("Pfizer_2023Q2_10Q.pdf", 12)
    ops = find_cell(cash, "Net cash provided by/(used in) operating activities", "July 3, 2022")
    assert ops.value == "14,711" and ops.col_path[0] == "Six Months Ended"
    income = shared_page("BOEING_2022_10K.pdf", 55)
    assert find_cell(income, "Sales of products", "2022").unit == "Dollars in millions"
    eps = find_cell(income, "Diluted loss per share", "2022")
    assert (eps.value, eps.unit) == ("($8.30)", "")
    once = [c for t in cash for c in t.cells if c.row_label == "Depreciation and amortization"]  # once, headed
    assert [(c.value, c.col_path) for c in once] == [("3,060", ("Six Months Ended", "July 2, 2023")),
                                                      ("2,362", ("Six Months Ended", "July 3, 2022"))]
    sheet = shared_page("BOEING_2022_10K.pdf", 57)
    assert find_cell(sheet, "Total assets", "2022").row_path == ("Assets", "Total assets")


def test_rio_tinto_indented_rows_and_wrapped_headers() -> None:
    tables = shared_page("Rio_Tinto_Climate_Change_Report_2023.pdf", 39)
    c = find_cell(tables, "Aluminium (Atlantic)", "Renewable energy projects")
    assert (c.value, c.row_path, c.unit) == ("2.2", ("Aluminium", "Aluminium (Atlantic)"), "Mt CO2e")
    assert find_cell(tables, "Scope 3 emissions", "2019").number is None  # printed "–"
    assert find_cell(tables, "2018 emissions target baseline (adjusted for acquisitions & divestments)",
                     "2018").value == "34.5"


def test_ct_reit_two_tables_side_by_side() -> None:
    tables = shared_page("CT_REIT_2022_ESG_Report.pdf", 29)
    assert len(tables) == 2
    left, right_ = sorted(tables, key=lambda t: t.box[0])
    assert "Like-For-Like" in right_.caption and "Like-For-Like" not in left.caption
    c = find_cell([right_], "Electricity", "2022")
    assert c.row_path == ("Canadian Tire Store Single-Tenant Properties", "Electricity")
    anchored = [c for c in right_.cells if c.row_path == (
        "Multi-Tenant Properties Anchored by a Canadian Tire Store", "Electricity") and c.col_path == ("2022",)]
    assert [c.value for c in anchored] == ["5,791.9"]
    total = find_cell([left], "Total", "2022")
    assert (total.value, total.unit) == ("16,800.6", "eMWh")


def test_sma_unit_column_and_sections() -> None:
    tables = shared_page("SMA_Solar_2023.pdf", 67)
    c = find_cell(tables, "Scope 2", "2022")
    assert (c.value, c.unit) == ("368.11", "t")
    assert c.row_path[-1] == "Scope 2" and c.row_path[0].startswith("Climate protection")
    assert find_cell(tables, "Anti-corruption training", "2023").value in {"3,021", "60.0"}


def test_merck_tj_block() -> None:
    tables = shared_page("Merck_KGaA_2023.pdf", 215)
    hits = [c for t in tables for c in t.cells if c.row_label == "Natural gas" and c.col_label == "2023 Merck Group"]
    assert [(c.value, c.unit) for c in hits] == [("1,164", "GWh"), ("4,190", "TJ")]
    assert hits[1].row_path == ("Total energy consumption", "Direct energy consumption", "Natural gas")


def _two_pages(tmp_path: Path, second_header: list[str] | None) -> list[Table]:
    from esgqa.document.tables import join_pages

    p1 = [(50, 60, "Intro text about the company and its people.", 9),
          (50, 700, "Employees by country (headcount)", 11)]
    p1 += [right(c, 730, y) for c, y in zip((300, 380, 460), ["2021", "2022", "2023"])]
    p1 += row_items(748, "Germany", ["1,200", "1,250", "1,300"]) + row_items(766, "France", ["400", "410", "420"])
    p2 = [right(c, 62, y) for c, y in zip((300, 380, 460), second_header)] if second_header else []
    p2 += row_items(80, "Spain", ["90", "95", "99"]) + row_items(98, "Italy", ["60", "61", "62"])
    p2 += row_items(116, "Total", ["1,750", "1,816", "1,881"])
    path = write(tmp_path / "two.pdf", placed_pdf([p1, p2]))
    words = read_words(path)
    return join_pages([t for page in (1, 2) for t in find_tables(words[page], page)])


def test_table_continued_on_next_page_joins(tmp_path: Path) -> None:
    t = only(_two_pages(tmp_path, None))
    spain = cell(t, "Spain", "2022")
    assert (spain.value, spain.page, spain.col_path, spain.unit) == ("95", 2, ("2022",), "headcount")
    assert cell(t, "Germany", "2023").page == 1
    assert len({c.row for c in t.cells}) == 5  # rows of both pages stay apart
    assert any(r.startswith("Employees by country") and "Total" in r for r in t.rows())


def test_table_with_its_own_header_on_next_page_stays_apart(tmp_path: Path) -> None:
    tables = _two_pages(tmp_path, ["North", "South", "East"])
    assert len(tables) == 2
    assert cell(tables[1], "Spain", "South").page == 2


def test_group_headers_right_aligned_over_each_groups_total(tmp_path: Path) -> None:
    cols = (200, 250, 300, 350, 400, 450)
    items = [(50, 80, "Energy (MWh)", 11)]
    items += [right(300, 100, "2021"), right(450, 100, "2022")]
    items += [right(c, 118, h) for c, h in zip(cols, ["Owned", "Leased", "Total"] * 2)]
    items += row_items(136, "Stores", ["1.0", "2.0", "3.0", "4.0", "5.0", "9.0"], cols=cols)
    items += row_items(154, "Offices", ["1.5", "2.5", "4.0", "4.5", "5.5", "10.0"], cols=cols)
    t = only(tables_of(tmp_path, items))
    assert cell(t, "Stores", "Leased").col_path in (("2021", "Leased"),)
    assert [c.col_path for c in t.cells if c.row_label == "Offices"][3:] == [
        ("2022", "Owned"), ("2022", "Leased"), ("2022", "Total")]


def test_a_year_header_between_figures_starts_another_table(tmp_path: Path) -> None:
    cols = (250, 320, 390)
    items = [(50, 80, "Segment results (Millions)", 11)]
    items += [right(c, 100, y) for c, y in zip(cols, ["2018", "2017", "2016"])]
    items += row_items(118, "Industrial", ["12,267", "11,866", "11,217"], cols=cols)
    items += row_items(136, "Consumer", ["4,796", "4,731", "4,578"], cols=cols)
    items += [(275, 160, "Assets", 8)]
    items += [right(c, 176, y) for c, y in zip(cols, ["2018", "2017", "2016"])]
    items += row_items(194, "Industrial", ["9,855", "9,895", "9,140"], cols=cols)
    items += row_items(212, "Consumer", ["2,757", "2,706", "2,497"], cols=cols)
    tables = tables_of(tmp_path, items)
    assert len(tables) == 2, [t.rows() for t in tables]
    assert cell(tables[1], "Industrial", "2017").value == "9,895"
    assert not any(c.value == "2018" for t in tables for c in t.cells)


def test_wrapped_group_header_heads_its_columns(tmp_path: Path) -> None:
    cols = (250, 300, 350, 430, 480, 530)
    items = [(265, 90, "Three months ended", 8), (270, 100, "December 31, 2018", 8)]
    items += [(445, 90, "Three months ended", 8), (450, 100, "December 31, 2017", 8)]
    items += [right(c, 112, h) for c, h in zip(cols, ["Sales", "Share", "Income"] * 2)]
    items += row_items(130, "Health Care", ["1,520", "19.1", "458", "1,484", "18.6", "460"], cols=cols)
    items += row_items(148, "Consumer", ["1,211", "15.2", "257", "1,210", "15.1", "272"], cols=cols)
    t = only(tables_of(tmp_path, items))
    c = cell(t, "Health Care", "Income")
    assert (c.value, c.col_label) == ("458", "Three months ended December 31, 2018 Income")
    assert [x.col_label for x in t.cells if x.row_label == "Consumer"][3:] == [
        f"Three months ended December 31, 2017 {h}" for h in ("Sales", "Share", "Income")]


def test_a_bold_section_heads_plain_sections_level_with_it(tmp_path: Path) -> None:
    items = [right(300, 80, "2022"), right(380, 80, "2023")]
    items += [(50, 98, "Permanent contract", 8, True), (50, 116, "Gender", 8)]
    items += row_items(134, "Female", ["100", "110"], x=60, cols=(300, 380))
    items += row_items(152, "Male", ["200", "210"], x=60, cols=(300, 380))
    items += [(50, 170, "Regions", 8)]
    items += row_items(188, "Europe", ["250", "260"], x=60, cols=(300, 380))
    items += [(50, 206, "Temporary contract", 8, True), (50, 224, "Gender", 8)]
    items += row_items(242, "Female", ["10", "11"], x=60, cols=(300, 380))
    items += [(50, 260, "Own workforce", 8, True), right(300, 260, "310", 8, True), right(380, 260, "331", 8, True)]
    t = only(tables_of(tmp_path, items))
    paths = {c.row_path for c in t.cells}
    assert ("Permanent contract", "Regions", "Europe") in paths
    assert ("Temporary contract", "Gender", "Female") in paths
    assert ("Own workforce",) in paths


def test_a_title_over_a_repeated_header_heads_its_block(tmp_path: Path) -> None:
    cols = (300, 380)
    items = [(50, 80, "Revenue", 11), (50, 96, "Jan-Dec 2022", 8)]
    items += [(50, 112, "EUR thousand", 8), right(300, 112, "Sales"), right(380, 112, "Service")]
    items += row_items(130, "EMEA", ["1,097", "152"], cols=cols) + row_items(148, "APAC", ["104", "6"], cols=cols)
    items += [(50, 172, "Jan-Dec 2023", 8)]
    items += [(50, 188, "EUR thousand", 8), right(300, 188, "Sales"), right(380, 188, "Service")]
    items += row_items(206, "EMEA", ["1,293", "118"], cols=cols) + row_items(224, "APAC", ["129", "4"], cols=cols)
    cells = [c for t in tables_of(tmp_path, items) for c in t.cells]
    apac = next(c for c in cells if c.value == "129")
    assert apac.row_path == ("Jan-Dec 2023", "APAC") and apac.col_path == ("Sales",)


def test_a_lead_in_sentence_between_figures_starts_another_table(tmp_path: Path) -> None:
    items = [(50, 80, "(Millions)", 8), right(300, 80, "Q2 2018"), right(380, 80, "Q4 2018")]
    items += row_items(98, "Cost of sales", ["12", "15"], cols=(300, 380))
    items += row_items(116, "Total", ["105", "32"], cols=(300, 380))
    items += [(50, 140, "Restructuring actions, including cash impacts, follow:", 8)]
    cols = (300, 380, 460)
    items += [(50, 160, "(Millions)", 8)] + [right(c, 160, h) for c, h in zip(cols, ["Employee", "Asset", "Total"])]
    items += row_items(178, "Expense incurred", ["125", "12", "137"], cols=cols)
    items += row_items(196, "Cash payments", ["(24)", "—", "(24)"], cols=cols)
    tables = tables_of(tmp_path, items)
    assert len(tables) == 2, [t.rows() for t in tables]
    assert cell(tables[1], "Expense incurred", "Employee").value == "125"
    assert cell(tables[0], "Total", "Q4 2018").value == "32"


def test_sideways_column_headers_head_their_columns(tmp_path: Path) -> None:
    # an EU taxonomy table: headers turned upright over narrow columns, two lines over the first one,
    # and a group row with no figures that splits the table below them
    items = [(50, 150, "Economic activities", 7)]
    items += [(294, 148, "Absolute CapEx", 7, False, True), (302, 148, "in TEUR", 7, False, True)]
    items += [(374, 148, "Proportion of CapEx", 7, False, True), (452, 148, "Code", 7, False, True)]
    cols = (300, 380, 460)
    items += row_items(170, "Electricity from solar", ["1,409", "4.6%", "4.1"], cols=cols)
    items += row_items(188, "Acquisition of buildings", ["14,191", "46.3%", "7.7"], cols=cols)
    items += [(50, 240, "A.2 Taxonomy-eligible but not environmentally sustainable activities", 7)]
    items += [(50, 250, "(not taxonomy-aligned activities)", 7)]
    items += row_items(290, "Transport by motorbikes", ["1,845", "6.0%", "6.5"], cols=cols)
    items += row_items(308, "Data processing", ["152", "0.5%", "8.1"], cols=cols)
    tables = tables_of(tmp_path, items)
    cells = {c.value: c for t in tables for c in t.cells}
    assert cells["14,191"].col_path[0] == "Absolute CapEx in TEUR"
    assert cells["46.3%"].col_path[0] == "Proportion of CapEx"
    assert cells["4.1"].col_path[0] == "Code"
    assert cells["1,845"].col_path[0] == "Absolute CapEx in TEUR"  # the table's part under the group row too
    assert all("CapEx" not in " ".join((*c.row_path, t.caption)) for t in tables for c in t.cells)


def test_sideways_text_stays_out_of_the_lines(tmp_path: Path) -> None:
    items = [(30, 400, "Group management report", 8, False, True)]  # a turned margin tab beside the table
    items += row_items(128, "Scope 1 emissions", ["1,234", "2,345"], cols=(300, 380))
    items += row_items(146, "Scope 2 emissions", ["100", "200"], cols=(300, 380))
    words = read_words(write(tmp_path / "m.pdf", placed_pdf([items])))[1]
    assert [w.text for w in words if w.vertical] == ["Group management report"]
    t = only(find_tables(words, 1))
    assert t.cells[0].row_path == ("Scope 1 emissions",) and t.cells[0].value == "1,234"
    assert all(c.col_path == () for c in t.cells)
    # a lone turned line over one column (a chart's axis title above) heads nothing either
    axis = [(297, 110, "(Thousands m3)", 7, False, True)]
    t = only(find_tables(read_words(write(tmp_path / "a.pdf", placed_pdf([items + axis])))[1], 1))
    assert all(c.col_path == () for c in t.cells)


def test_identifiers_wrapped_under_a_label_are_part_of_it(tmp_path: Path) -> None:
    # a mine safety table: "Plant ID:" wraps onto the identifier, the figures stand on the label's last line
    cols = (300, 380)
    items = [(50, 100, "Mine name / ID", 7), right(300, 100, "S&S (#)", 7), right(380, 100, "Proposed ($)", 7)]
    y = 112
    plants = [("North Plant ID:", "3102153", ["—", "—"]), ("South Plant ID:", "0300426", ["3", "8,749"]),
              ("Corona Plant ID:", "0400191", ["4", "2,616"])]
    for name, ident, figs in plants:
        items += [(50, y, name, 7)]
        items += [(50, y + 8, ident, 7)] + [right(c, y + 8, v, 7) for c, v in zip(cols, figs)]
        y += 16
    items += row_items(y, "Total", ["7", "11,365"], cols=cols, size=7)
    t = only(tables_of(tmp_path, items))
    assert cell(t, "Corona Plant ID: 0400191", "S&S (#)").value == "4"
    assert cell(t, "South Plant ID: 0300426", "Proposed ($)").value == "8,749"
    assert cell(t, "Total", "Proposed ($)").value == "11,365"
    assert not any(c.value in ("3102153", "0300426", "0400191") for c in t.cells)


def test_a_group_row_over_several_lines_keeps_the_table_whole(tmp_path: Path) -> None:
    # a group row and a wrapped label fill more than eight lines between two rows of figures: label
    # text left of the figures, so one table, and the rows below sit under the group row
    cols = (300, 380)
    items = [(50, 100, "Activity", 6), right(300, 100, "2022", 6), right(380, 100, "2023", 6)]
    items += row_items(114, "Solar power", ["1,409", "4.6"], cols=cols, size=6)
    for y, text in [(128, "A.2 Taxonomy-eligible but not"), (135, "environmentally sustainable"),
                    (142, "activities (not taxonomy-aligned"), (149, "activities)"),
                    (161, "Collection and transport of"), (168, "non-hazardous waste in source")]:
        items += [(50, y, text, 6)]
    items += row_items(175, "segregated fractions", ["121", "1.3"], cols=cols, size=6)
    t = only(tables_of(tmp_path, items))
    c = cell(t, "Collection and transport of non-hazardous waste in source segregated fractions", "2022")
    assert c.value == "121" and c.row_path[0].startswith("A.2 Taxonomy-eligible")
    assert cell(t, "Solar power", "2023").value == "4.6"


def test_rows_after_a_long_label_line_go_on_under_the_same_headers(tmp_path: Path) -> None:
    """A statement broken by a label line too long for a row ("Adjustments to reconcile ... :") is read
    as two runs; the header-less second run continues the first under its column headers."""
    cols = TWO_COLS
    items = two_year_header()
    items += row_items(118, "Net income", ["7,894", "17,781"], cols=cols)
    items += row_items(136, "Discontinued operations", ["(1)", "26"], cols=cols)
    items += [(50, 154, "Adjustments to reconcile net income before allocation to noncontrolling interests to "
                        "net cash provided by operating activities:", 8)]
    items += row_items(172, "Depreciation and amortization", ["3,060", "2,362"], x=58, cols=cols)
    items += row_items(190, "Deferred taxes", ["(1,471)", "(3,461)"], x=58, cols=cols)
    t = only(tables_of(tmp_path, items))
    assert col_paths(t, "Deferred taxes") == {"(1,471)": ("2022",), "(3,461)": ("2023",)}
    assert len(t.cells) == 8


def test_empty_space_still_parts_two_tables(tmp_path: Path) -> None:
    cols = (300, 380)
    items = [(50, 100, "Site", 6), right(300, 100, "2022", 6), right(380, 100, "2023", 6)]
    items += row_items(114, "North", ["1,409", "4.6"], cols=cols, size=6)
    items += row_items(122, "South", ["1,509", "5.6"], cols=cols, size=6)
    items += [(50, 150, "East and west", 6)]
    items += row_items(215, "East", ["121", "1.3"], cols=cols, size=6)
    items += row_items(223, "West", ["131", "1.4"], cols=cols, size=6)
    assert len(tables_of(tmp_path, items)) == 2


def test_a_label_printed_in_the_cell_names_its_figure(tmp_path: Path) -> None:
    # a goals table: "Ever assessed: 80 %" holds a sub-label and the figure in one cell
    items = [(50, 100, "KPI", 8), (300, 100, "Goals 2025", 8), (420, 100, "Results 2023", 8)]
    items += [(50, 118, "Share of products", 8), (300, 118, "40 %", 8), (420, 118, "23.5 %", 8)]
    items += [(50, 136, "Purchasing volume", 8), (300, 136, "Ever assessed: 80 %", 8),
              (420, 136, "Ever assessed: 46.4 %", 8)]
    items += [(50, 154, "Share of women", 8), (300, 154, "45 %", 8), (420, 154, "33.8%", 8)]
    t = only(tables_of(tmp_path, items))
    cells = {c.value: c for c in t.cells}
    assert cells["80 %"].row_path == ("Purchasing volume", "Ever assessed")
    assert cells["80 %"].col_path == ("Goals 2025",) and cells["46.4 %"].col_path == ("Results 2023",)
    assert cells["33.8%"].row_path == ("Share of women",) and cells["33.8%"].col_path == ("Results 2023",)
    assert "Ever assessed: 80 %" not in cells


def test_a_sentence_ending_in_a_figure_is_no_labelled_cell(tmp_path: Path) -> None:
    items = [(50, 100, "The share of women in management positions in 2023 was: 33.8 %", 8)]
    assert tables_of(tmp_path, items) == []


def test_a_heading_left_of_the_rows_is_no_label_wrapped_above_its_figures(tmp_path: Path) -> None:
    # headings stand left of the indented rows on tight leading: the rows below them keep their own labels
    cols = (300, 380)
    items = [(50, 100, "Rate", 7), right(300, 100, "U.S.", 7), right(380, 100, "Other", 7)]
    items += [(50, 110, "December 31 liability:", 7)]
    items += row_items(119, "Benefit obligation", ["4.36 %", "2.50 %"], x=58, cols=cols, size=7)
    items += [(50, 128, "Net periodic cost:", 7)]
    items += row_items(137, "Service cost", ["4.47 %", "2.36 %"], x=58, cols=cols, size=7)
    items += row_items(146, "Interest cost", ["4.04 %", "2.26 %"], x=58, cols=cols, size=7)
    t = only(tables_of(tmp_path, items))
    interest = next(c for c in t.cells if c.value == "4.04 %")
    assert interest.row_label == "Interest cost" and "Service cost" not in " ".join(interest.row_path)


def test_a_year_before_a_figure_is_no_label_and_shares_flush_left_stay_figures(tmp_path: Path) -> None:
    items = [(50, 100, "Rate", 8), (300, 100, "Goals", 8), (420, 100, "Results", 8)]
    items += [(50, 118, "Interest rate", 8), (300, 118, "3.5 %", 8), (420, 118, "3.8 %", 8)]
    items += [(50, 136, "Salary increase", 8), (300, 136, "2023: 5.50%", 8), (420, 136, "2024: 5.00%", 8)]
    items += [(50, 154, "Staff turnover", 8), (300, 154, "4.0 %", 8), (420, 154, "4.2 %", 8)]
    cells = [c for t in tables_of(tmp_path, items) for c in t.cells]
    assert not any(c.row_path and c.row_path[-1] in ("2023", "2024") for c in cells)
    # shares set flush left over company names: figures, not identifiers in the labels
    items = []
    for k, name in enumerate(["Alpha GmbH", "Beta AG", "Gamma SE"]):
        items += [(50, 100 + 20 * k, "100%", 8), (300, 100 + 20 * k, "100%", 8), (50, 108 + 20 * k, name, 8)]
    cells = [c for t in tables_of(tmp_path, items, "b.pdf") for c in t.cells]
    assert sum(c.value == "100%" and c.box[0] < 60 for c in cells) == 3


def test_a_one_column_table_beside_a_text_column(tmp_path: Path) -> None:
    # a two-column page: a small table of one figure column in the left column, running text in the
    # right one on the same baselines; two rows under a header, the first label wrapped below its figure
    prose = ["leave policies to help employees maintain financial", "stability during this period of the year.",
             "Work-related accidents: in the unlikely event of", "a workplace accident, insurance covers the costs",
             "costs and provides financial support during recovery", "Inclusion: in the case of a disability, we offer"]
    items = [(305, 100 + 13 * k, line, 8) for k, line in enumerate(prose)]
    items += [(55, 100, "Management", 8), (138, 106, "Share of female employees", 8), (55, 110, "level", 8)]
    items += [(55, 126, "Management", 8), (138, 126, "50%", 8), (55, 135, "Board", 8)]
    items += [(55, 152, "Executives", 8), (138, 152, "33.8%", 8)]
    t = only(tables_of(tmp_path, items))
    c = next(c for c in t.cells if c.value == "50%")
    assert c.row_label == "Management Board" and "Share of female employees" in c.col_path
    assert next(c for c in t.cells if c.value == "33.8%").row_label == "Executives"
    assert all(c.box[2] < 300 for c in t.cells)


def test_two_lines_of_label_and_figure_without_a_header_are_no_table(tmp_path: Path) -> None:
    items = [(55, 100, "Introduction", 8), right(300, 100, "3", 8)]
    items += [(55, 112, "Our strategy", 8), right(300, 112, "7", 8)]
    assert tables_of(tmp_path, items) == []


def test_a_section_with_a_unit_heads_its_rows_and_gives_their_unit(tmp_path: Path) -> None:
    cols = (300, 380)
    items = [(50, 100, "Training", 8), right(300, 100, "2022"), right(380, 100, "2023")]
    items += row_items(118, "Persons trained", ["5,082", "6,688"], cols=cols)
    items += [(50, 136, "by region (%)", 8)]
    items += row_items(154, "Europe", ["7", "10"], x=58, cols=cols)
    items += row_items(172, "Asia-Pacific (APAC)", ["9", "14"], x=58, cols=cols)
    t = only(tables_of(tmp_path, items))
    c = cell(t, "Asia-Pacific (APAC)", "2023")
    assert (c.value, c.unit, c.row_path) == ("14", "%", ("Persons trained", "by region (%)", "Asia-Pacific (APAC)"))
    assert cell(t, "Persons trained", "2023").row_path == ("Persons trained",)


def test_a_lower_case_label_under_a_row_breaks_that_row_down(tmp_path: Path) -> None:
    """Merck p. 205: "by region" under the LTIR row; its regions keep the LTIR in their path, and
    the next measure at the row's level ends the breakdown. A capitalised label stays a section."""
    cols = TWO_COLS
    items = two_year_header()
    items += row_items(118, "Lost Time Injury Rate", ["1.2", "1.3"], cols=cols)
    items += [(50, 136, "by region", 8)]
    items += row_items(154, "Europe", ["1.7", "2.2"], x=62, cols=cols)
    items += row_items(172, "North America", ["1.7", "1.4"], x=62, cols=cols)
    items += row_items(190, "Number of deaths", ["0", "1"], cols=cols)
    items += [(50, 208, "By gender", 8)]
    items += row_items(226, "Women", ["0", "1"], x=62, cols=cols)
    t = only(tables_of(tmp_path, items))
    assert cell(t, "Europe", "2023").row_path == ("Lost Time Injury Rate", "by region", "Europe")
    assert cell(t, "North America", "2023").row_path == ("Lost Time Injury Rate", "by region", "North America")
    assert cell(t, "Number of deaths", "2023").row_path == ("Number of deaths",)
    assert cell(t, "Women", "2023").row_path == ("By gender", "Women")


def test_a_second_breakdown_goes_under_the_same_measure(tmp_path: Path) -> None:
    """Merck p. 194: "by employee category" then "by region (%)" under one training measure."""
    cols = TWO_COLS
    items = two_year_header()
    items += row_items(118, "Employees trained", ["80", "90"], cols=cols)
    items += [(50, 136, "by category", 8)]
    items += row_items(154, "Managers", ["85", "95"], x=62, cols=cols)
    items += [(50, 172, "by region (%)", 8)]
    items += row_items(190, "Europe", ["7", "10"], x=62, cols=cols)
    t = only(tables_of(tmp_path, items))
    assert cell(t, "Managers", "2023").row_path == ("Employees trained", "by category", "Managers")
    assert cell(t, "Europe", "2023").row_path == ("Employees trained", "by region (%)", "Europe")


# --- header shapes met on real pages (CT REIT p. 32, Addiko p. 77, 3M p. 73), rebuilt small --------


def test_header_word_hyphenated_at_line_end_heads_its_own_column(tmp_path: Path) -> None:
    """"Non-" / "Landlord" / "Controlled" over the middle column of each year's three, the year right-
    aligned over the year's Total: the hyphenated word is no group header over all three columns."""
    cols = (260, 320, 380, 440, 500, 560)
    items = [right(380, 80, "2021"), right(560, 80, "2022")]
    items += [(290, 90, "Non-", 8), (470, 90, "Non-", 8)]
    for c in (260, 320, 440, 500):
        items.append(right(c, 100, "Landlord"))
    items += [(50, 110, "Asset Class", 8)]
    items += [right(c, 110, w) for c, w in zip(cols, ["Controlled", "Controlled", "Total"] * 2)]
    items += row_items(128, "Industrial", ["478.4", "8,680.1", "9,158.5", "175.9", "8,641.7", "8,817.6"], cols=cols)
    items += row_items(146, "Mixed-Use", ["1.0", "2,384.3", "2,385.3", "2.0", "2,106.0", "2,108.0"], cols=cols)
    t = only(tables_of(tmp_path, items))
    paths = col_paths(t, "Industrial")
    assert paths["478.4"] == ("2021", "Landlord Controlled")
    assert paths["8,680.1"] == ("2021", "Non-Landlord Controlled")
    assert paths["9,158.5"] == ("2021", "Total")
    assert paths["8,641.7"] == ("2022", "Non-Landlord Controlled")


def test_group_headers_of_different_heights_stay_over_their_own_columns(tmp_path: Path) -> None:
    """A three-line and a two-line group header, each centred in its own band, so no line holds both:
    each heads only the columns under it, not every column of the table."""
    cols = (230, 290, 350, 410, 470, 530)
    items = [(206, 80, "Share of employees reviewed", 8), (386, 85, "Average training hours", 8),
             (206, 90, "in regular performance", 8), (386, 95, "per employee", 8), (206, 100, "reviews", 8)]
    items += [right(c, 115, w) for c, w in zip(cols, ["total", "female", "male"] * 2)]
    items += row_items(133, "Vienna", ["119", "48", "71", "32.9", "34.5", "31.8"], cols=cols)
    items += row_items(151, "Zagreb", ["738", "536", "202", "25.0", "26.0", "21.0"], cols=cols)
    t = only(tables_of(tmp_path, items))
    paths = col_paths(t, "Vienna")
    assert paths["48"] == ("Share of employees reviewed in regular performance reviews", "female")
    assert paths["71"] == ("Share of employees reviewed in regular performance reviews", "male")
    assert paths["34.5"] == ("Average training hours per employee", "female")


def test_header_phrase_over_a_wide_column_header_and_stacked_tables(tmp_path: Path) -> None:
    """"Other" stands over "Unallocated", wider than the column's figures, so it names that column only;
    the same table printed again for the year before, headers and all, is a table of its own."""
    cols = (300, 380, 460)
    items: list = []
    for top, year, vals in ((80, "2018", ["4,538", "(2)", "12,267"]), (170, "2017", ["4,382", "(4)", "11,866"])):
        items += [(250, top, f"Year ended December 31, {year}", 8), (268, top + 10, "United", 8),
                  (352, top + 10, "Other", 8)]
        items += [(50, top + 20, "Net Sales (Millions)", 8), right(300, top + 20, "States"),
                  right(392, top + 20, "Unallocated"), right(460, top + 20, "Worldwide")]
        items += row_items(top + 38, "Industrial", vals, cols=cols)
        items += row_items(top + 56, "Consumer", ["2,868", "(1)", "4,796"], cols=cols)
    tables = tables_of(tmp_path, items)
    assert len(tables) == 2, [t.rows() for t in tables]
    first, second = tables
    paths = col_paths(first, "Industrial")
    assert paths["(2)"] == ("Year ended December 31, 2018", "Other Unallocated")
    assert paths["12,267"] == ("Year ended December 31, 2018", "Worldwide")
    assert paths["4,538"] == ("Year ended December 31, 2018", "United States")
    c = next(c for c in second.cells if c.row_label == "Industrial" and c.value == "11,866")
    assert (c.col_path, c.row_path) == (("Year ended December 31, 2017", "Worldwide"), ("Industrial",))


def test_a_phrase_centred_over_a_row_of_years_heads_every_year(tmp_path: Path) -> None:
    """"Year ended / December 31," centred over "2018 2017 2016" (3M p. 72) stands over the middle year
    only, but names the period of all three."""
    cols = (300, 380, 460)
    items = [(352, 80, "Year ended", 8), (347, 90, "December 31,", 8)]
    items += [(50, 100, "Net Sales (Millions)", 8)] + [right(c, 100, y) for c, y in zip(cols, ["2018", "2017", "2016"])]
    items += row_items(118, "Abrasives", ["1,804", "1,746", "1,626"], cols=cols)
    items += row_items(136, "Energy", ["1,487", "1,645", "1,616"], cols=cols)
    t = only(tables_of(tmp_path, items))
    paths = col_paths(t, "Abrasives")
    assert paths["1,804"] == ("Year ended December 31,", "2018")
    assert paths["1,626"] == ("Year ended December 31,", "2016")


def test_a_phrase_alone_on_its_line_over_the_first_of_the_years_heads_every_year(tmp_path: Path) -> None:
    """"Six Months Ended" printed over the first date column only (Pfizer's 10-Q) names both periods."""
    cols = (300, 380)
    items = [(262, 72, "Six Months Ended", 8), right(300, 82, "July 2,"), right(380, 82, "July 3,")]
    items += [(50, 92, "(MILLIONS)", 8)] + [right(c, 92, y) for c, y in zip(cols, ["2023", "2022"])]
    items += row_items(114, "Net income", ["7,894", "17,781"], cols=cols)
    items += row_items(132, "Depreciation", ["2,415", "2,282"], cols=cols)
    t = only(tables_of(tmp_path, items))
    paths = col_paths(t, "Net income")
    assert paths["7,894"][0] == "Six Months Ended" and paths["17,781"][0] == "Six Months Ended"
    assert paths["17,781"][-1].endswith("2022")


def test_a_note_centred_under_the_column_headers_is_the_tables_not_a_columns(tmp_path: Path) -> None:
    """Block's quarterly table (p. 68): "Three Months Ended," over the dates, and under them, centred
    over all the columns, "(in thousands, except per share data)" and "(unaudited)": the table's unit
    and caption, not the bottom header line (which left the period over the middle columns only)."""
    cols = (300, 380, 460, 540)
    items = [centred(410, 70, "Three Months Ended,", 8)]
    items += [right(c, 80, d) for c, d in zip(cols, ["Dec. 31,", "Sep. 30,", "Jun. 30,", "Mar. 31,"])]
    items += [right(c, 90, "2020") for c in cols]
    items += [centred(410, 100, "(in thousands, except per share data)", 8), centred(410, 110, "(unaudited)", 8)]
    items += row_items(128, "Total net revenue", ["3,158,970", "3,033,874", "1,923,625", "1,381,109"], cols=cols)
    items += row_items(146, "Net income per share", ["0.65", "0.08", "(0.03)", "(0.24)"], cols=cols)
    t = only(tables_of(tmp_path, items))
    paths = col_paths(t, "Total net revenue")
    assert paths["3,158,970"] == ("Three Months Ended,", "Dec. 31, 2020")
    assert paths["1,381,109"] == ("Three Months Ended,", "Mar. 31, 2020")
    assert cell(t, "Total net revenue", "Sep. 30, 2020").unit == "thousands"
    assert cell(t, "Net income per share", "Sep. 30, 2020").unit == ""
    assert "(unaudited)" in t.caption


def test_a_group_header_wrapped_above_its_neighbours_heads_only_its_columns(tmp_path: Path) -> None:
    """3M p. 39: "Property, Plant and / Equipment - net / as of December 31," stands over the last two
    columns and starts two lines above the other group headers; its top lines are alone on theirs, yet
    it heads only its own columns, not the Employees and Capital Spending groups beside it."""
    cols = (240, 285, 330, 380, 425, 470, 520, 565)

    items = [centred(532, 80, "Property, Plant and"), centred(532, 88, "Equipment - net"),
             centred(275, 96, "Employees as of December 31,"), centred(415, 96, "Capital Spending"),
             centred(532, 96, "as of December 31,")]
    items += [right(c, 106, y) for c, y in zip(cols, ["2018", "2017", "2016"] * 2 + ["2018", "2017"])]
    items += row_items(124, "Asia Pacific", ["18,971", "18,283", "18,124", "238", "209", "228", "1,624", "1,672"],
                       cols=cols)
    items += row_items(142, "Latin America", ["16,249", "15,426", "17,509", "50", "56", "64", "448", "505"],
                       cols=cols)
    t = only(tables_of(tmp_path, items))
    paths = col_paths(t, "Asia Pacific")
    assert paths["18,971"] == ("Employees as of December 31,", "2018")
    assert paths["238"] == ("Capital Spending", "2018")
    assert paths["1,624"] == ("Property, Plant and Equipment - net as of December 31,", "2018")


def test_a_wrapped_group_header_stops_at_the_column_headers_under_it(tmp_path: Path) -> None:
    """3M p. 21: "Three months ended / December 31, 2018" over "Net/Sales", "% of/Total", "Oper./Income":
    the column headers under a group header are not more lines of it, so it heads all three."""
    cols = (255, 305, 350, 400, 450, 495, 540, 585)

    items = []
    for middle, (top, bottom) in ((300, ("Three months ended", "December 31, 2018")),
                                  (445, ("Three months ended", "December 31, 2017")),
                                  (560, ("2018 vs 2017", "% change"))):
        items += [centred(middle, 80, top), centred(middle, 88, bottom)]
    heads = [("Net", "Sales"), ("% of", "Total"), ("Oper.", "Income")] * 2 + [("Net", "Sales"), ("Oper.", "Income")]
    for c, (top, bottom) in zip(cols, heads):
        items += [right(c, 96, top, 6), right(c, 104, bottom, 6)]
    items += row_items(122, "Health Care", ["1,520", "19.1", "458", "1,497", "18.9", "441", "1.5", "3.9"], cols=cols)
    items += row_items(140, "Consumer", ["1,225", "15.4", "266", "1,234", "15.6", "270", "(0.7)", "(1.5)"], cols=cols)
    t = only(tables_of(tmp_path, items))
    paths = col_paths(t, "Health Care")
    assert paths["1,520"] == ("Three months ended December 31, 2018", "Net Sales")
    assert paths["458"] == ("Three months ended December 31, 2018", "Oper. Income")
    assert paths["1,497"] == ("Three months ended December 31, 2017", "Net Sales")
    assert paths["441"] == ("Three months ended December 31, 2017", "Oper. Income")
    assert paths["3.9"] == ("2018 vs 2017 % change", "Oper. Income")


def test_a_label_wrapped_onto_the_row_pitch_stays_one_label(tmp_path: Path) -> None:
    """Palfinger p. 3: figures on a label's first line and its second line one row pitch below, as
    far as the next row: "(Scope 1)" and "energy sources (Scope 2)" end their labels, they head nothing."""
    cols = TWO_COLS
    items = two_year_header(70)
    for y, label in ((82, "Revenue"), (94, "EBITDA"), (106, "Employees")):
        items += row_items(y, label, ["1,000", "1,100"], cols=cols)
    items += row_items(118, "CO2 emissions from production", ["30,796", "31,913"], cols=cols)
    items += row_items(130, "Direct emissions from fuels", ["18,419", "19,019"], cols=cols)
    items += [(50, 142, "(Scope 1)", 8)]
    items += row_items(154, "Indirect emissions from electricity", ["12,377", "12,894"], cols=cols)
    items += [(50, 166, "energy sources (Scope 2)", 8)]
    t = only(tables_of(tmp_path, items))
    assert cell(t, "Direct emissions from fuels (Scope 1)", "2023").row_path == (
        "Direct emissions from fuels (Scope 1)",)
    assert cell(t, "Indirect emissions from electricity energy sources (Scope 2)", "2023").value == "12,894"


def test_a_label_line_tight_above_the_next_row_opens_that_row(tmp_path: Path) -> None:
    """Merck p. 198: a single-line first row, then labels wrapped upward (figures on their last
    line): "thereof number of women in middle" is the next row's first line, not the rest of the
    row above it."""
    cols = TWO_COLS
    items = two_year_header()
    items += row_items(118, "% of women (total)", ["43", "44"], cols=cols)
    items += [(58, 136, "thereof number of women in senior", 8)]
    items += row_items(146, "management (Role 6+)", ["51", "58"], x=58, cols=cols)
    items += [(58, 164, "thereof number of women in middle", 8)]
    items += row_items(174, "management (Role 4 & 5)", ["1,550", "1,622"], x=58, cols=cols)
    t = only(tables_of(tmp_path, items))
    assert cell(t, "thereof number of women in middle management (Role 4 & 5)", "2023").value == "1,622"


def test_a_label_line_nearer_the_row_below_opens_it_even_under_a_one_line_row(tmp_path: Path) -> None:
    """Commerzbank p. 27, Amazon p. 30: one-line rows, then a label wrapped upward, flush with the
    rows, its first line set nearer the figures below (the label's own leading) than the row above;
    and a line ending in a hyphen, which goes on with the line below whatever the spacing."""
    cols = TWO_COLS
    items = two_year_header(100)
    items += row_items(118, "Scope 1", ["16,717", "17,418"], cols=cols)
    items += [(50, 131, "Scope 2 emissions", 8)]  # 13 below Scope 1, 9 above its figures
    items += row_items(140, "(location-based)", ["52,768", "59,367"], cols=cols)
    items += [(50, 153, "Scope 3 emis-", 8)]  # level between the rows: the hyphen decides
    items += row_items(166, "sions", ["37,630", "46,306"], cols=cols)
    items += row_items(179, "Total", ["106,000", "123,000"], cols=cols)
    t = only(tables_of(tmp_path, items))
    assert cell(t, "Scope 1", "2023").value == "17,418"
    assert cell(t, "Scope 2 emissions (location-based)", "2023").value == "59,367"
    assert cell(t, "Scope 3 emissions", "2022").value == "37,630"


def test_a_table_beside_running_text_at_its_header_only_is_read_alone(tmp_path: Path) -> None:
    """Commerzbank p. 27: a two-column page; the right column's running text stands beside the
    table's caption and header (on other baselines) but beside its rows only a short pull quote. The
    table is read alone: its header heads the columns, no prose joins the caption or the header."""
    prose = ["our responsibility as an employer to ensure its implementation.",
             "Commerzbank aims to offer its staff a working environment",
             "characterised by a spirit of partnership. Our human resources",
             "policy makes it possible to promote the development of each",
             "individual employee and collegial cooperation, even in a"]
    items = [(310, 95 + 12 * k, line, 7) for k, line in enumerate(prose)]
    items += [(50, 90, "Operational emissions of the bank", 8)]
    items += [right(150, 107, "Germany", 7), right(205, 107, "Other", 7), right(260, 107, "Total", 7)]
    items += [(50, 107, "Tonnes CO2e", 7)]
    items += [right(205, 116, "countries", 7)]
    items += [(360, 160, "a spirit of partnership", 7)]
    for y, label, values in ((130, "Scope 1", ["16,717", "701", "17,418"]),
                             (143, "Scope 2", ["52,768", "6,599", "59,367"]),
                             (156, "Scope 3", ["37,630", "8,676", "46,306"])):
        items += row_items(y, label, values, cols=(150, 205, 260), size=7)
    t = only(tables_of(tmp_path, items))
    assert cell(t, "Scope 2", "Other countries").value == "6,599"
    assert cell(t, "Scope 3", "Total").unit == "Tonnes CO2e"
    assert "responsibility" not in t.caption and all(c.box[2] < 300 for c in t.cells)


def test_a_year_alone_over_a_breakdown_heads_every_column(tmp_path: Path) -> None:
    """Commerzbank p. 27: "2023" alone on the top header line, centred over "Germany", "Other countries"
    and "Total" (so over the middle one only): the year of all three."""
    items = [centred(220, 95, "2023", 7)]
    items += [right(150, 107, "Germany", 7), right(240, 107, "Other countries", 7), right(300, 107, "Total", 7)]
    items += row_items(120, "Scope 1", ["16,717", "701", "17,418"], cols=(150, 240, 300), size=7)
    items += row_items(133, "Scope 2", ["52,768", "6,599", "59,367"], cols=(150, 240, 300), size=7)
    t = only(tables_of(tmp_path, items))
    assert col_paths(t, "Scope 1") == {"16,717": ("2023", "Germany"), "701": ("2023", "Other countries"),
                                       "17,418": ("2023", "Total")}


def test_a_unit_wrapped_in_the_stub_under_the_title_gives_every_row_its_unit(tmp_path: Path) -> None:
    """Commerzbank p. 27: the title sits just over the header, so it is read with the stub; the stub's
    last two lines, "Tonnes CO2 / equivalents", are the unit of every row (all the stub's text
    together is none)."""
    cols = (150, 240, 300)
    items = [(50, 88, "Operational emissions of", 7), centred(212, 96, "2023", 7)]
    items += [(50, 106, "Tonnes CO2", 7), right(150, 106, "Germany", 7), right(240, 106, "Other", 7),
              right(300, 106, "Total", 7)]
    items += [(50, 114, "equivalents", 7), right(240, 114, "countries", 7)]
    items += row_items(127, "Scope 1", ["16,717", "701", "17,418"], cols=cols, size=7)
    items += row_items(140, "Scope 3", ["37,630", "8,676", "46,306"], cols=cols, size=7)
    t = only(tables_of(tmp_path, items))
    assert cell(t, "Scope 3", "Other countries").unit == "Tonnes CO2 equivalents"
    assert cell(t, "Scope 3", "Other countries").col_path == ("2023", "Other countries")


def test_a_table_read_again_without_its_headers_is_dropped():
    def c(value: str, x: float, col: tuple[str, ...]) -> Cell:
        return Cell(value, None, ("Share of women",), col, "%", (x, 10.0, x + 20, 20.0), 9)

    whole = Table(9, (0, 0, 100, 100), "Goals", (c("45 %", 50, ("Goals 2025",)), c("33.8%", 80, ("Results 2023",))))
    bare = Table(9, (40, 0, 100, 100), "", (c("45 %", 50, ()), c("33.8%", 80, ())))
    other = Table(9, (0, 200, 100, 300), "", (c("12", 50, ()),))  # no headers, but no other reading of it
    headed_part = Table(9, (40, 0, 100, 100), "Part", (c("45 %", 50, ("2023",)),))  # headers of its own: kept
    assert without_bare_repeats([whole, bare, other, headed_part]) == [whole, other, headed_part]


def test_takkt_goals_table_is_read_once_with_its_column_headers() -> None:
    """TAKKT p. 9: the Social Impact rows were also read a second time, header-less, so the 2025 goal
    (45 %) and the 2023 result (33.8 %) could not be told apart."""
    tables = shared_page("TAKKT_AG_Sustainability.pdf", 9)
    women = [c for t in tables for c in t.cells if c.row_label == "Share of women in management positions (in %)"]
    assert sorted((c.col_label, c.value) for c in women) == [("Goals 2025", "45 %"), ("Results 2023", "33.8%")]

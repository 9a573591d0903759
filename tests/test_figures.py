from esgqa.figures import figures_match, numbers_in, parse_figure, text_contains_figure


def test_numbers_compare_as_numbers():
    assert figures_match(parse_figure("35,796.91"), parse_figure("35796.910"))
    assert figures_match(parse_figure("1.37"), parse_figure("1.370"))
    assert not figures_match(parse_figure("1.37"), parse_figure("1.32"))


def test_units_convert_within_a_family_only():
    assert figures_match(parse_figure("50.6 GWh"), parse_figure("50,600 MWh"))
    assert figures_match(parse_figure("HK$ 3 million"), parse_figure("HK$3,000,000"))
    assert not figures_match(parse_figure("HK$ 3 million"), parse_figure("RMB 3 million"))
    assert not figures_match(parse_figure("33.8%"), parse_figure("33.8 tonnes"))
    assert parse_figure("24,549.30 tonnes CO2").unit == "co2"


def test_years_dates_and_names_are_not_quantities():
    text = "As of December 31, 2022, Scope 2 emissions during COVID-19 were 35,796.91 tonnes"
    assert [f.text for f in numbers_in(text)] == ["35,796.91 tonnes"]
    assert numbers_in("2 Other categories refer to interns") == []


def test_text_contains_figure():
    assert text_contains_figure("the PUE achieved 1.370 in 2022", "1.37")
    assert not text_contains_figure("the PUE achieved 1.375", "1.37")


def test_a_standards_number_is_a_name_not_a_quantity():
    assert numbers_in("certified to ISO 45001 and ISO/IEC 27001") == []
    assert [f.value for f in numbers_in("donated RMB 5000 to 2,000 pupils")] == [5000, 2000]


def test_a_disclosure_code_is_a_name_not_a_quantity():
    """A GRI content index line ("404-1 Average hours of training") has no figure in it; a range
    ("aged 30-50"), a percentage range and a span of years keep their numbers."""
    assert numbers_in("Corporate culture 404-1 Average hours of training per year per employee") == []
    assert numbers_in("303-5 Water consumption") == []
    assert numbers_in("GRI 2-7 Employees") == []
    assert [f.value for f in numbers_in("aged 30-50: 3,744")] == [30, 50, 3744]
    assert [f.value for f in numbers_in("emissions fell 12-15% in the year")] == [12, 15]
    assert [f.value for f in numbers_in("we cut 5,000 t between 2019-2023")] == [5000]


def test_scale_of_reads_the_scale_a_unit_label_spells_out():
    from esgqa.figures import scale_of
    assert scale_of("USD million") == 1e6 and scale_of("EUR thousand") == 1e3 and scale_of("USD billion") == 1e9
    assert scale_of("t CO2e") == 1.0 and scale_of("m3") == 1.0 and scale_of("") == 1.0


def test_dates_in_figures_and_threshold_categories_are_not_quantities():
    assert [f.text for f in numbers_in("Employees as of 12/31/2023 (headcount): 2,569")] == ["2,569"]
    assert [f.text for f in numbers_in("as at 31.12.2023 we had 40 sites; on 2023-12-31, 7")] == ["40", "7"]
    assert [f.text for f in numbers_in("women in leadership (roles 4+) rose to 39%")] == ["39%"]
    assert [f.text for f in numbers_in("a ratio of 3.5/4 and 12.5")] == ["3.5", "4", "12.5"]  # not a date
    assert [f.text for f in numbers_in("Total GHG Emissions (t CO2e)1 1,817.8")] == ["1,817.8"]  # a footnote mark

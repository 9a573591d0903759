"""Cross-check through the real CLI: claims get verdicts; the audit passes the real report and
flags figures changed in a copy of it."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from conftest import ROOT, external, run_cli

REPORT = ROOT / "corpus" / "kingsoft-cloud-2022-esg-report.md"
DOC = "kingsoft-cloud-2022-esg-report"


def _audit(store, document=DOC):
    proc = run_cli("check", "--consistency", "--document", document, "--json", store=store)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)["findings"]


def test_audit_of_the_bundled_report_passes_every_check_it_can_make(corpus_store):
    rc, findings = _audit(corpus_store)
    assert rc == 0 and findings and all(f["status"] == "pass" for f in findings), \
        [f["message"] for f in findings if f["status"] == "fail"]
    assert all(set(f) == {"kind", "status", "message", "citations"} and f["citations"] for f in findings)
    messages = "\n".join(f["message"] for f in findings)
    for expected in [
        "512 + 150 + 1 = 663",  # patents, in a sentence
        "Number of employees by gender (2022 Data) adds up to 9,517",
        "Number of employees by age group (2022 Data) adds up to 9,517",
        "Number of employees by geographical region (2022 Data) adds up to 9,517",
        "Number of suppliers by geographical region (2022): 710 + 32 = 742",
        "Total GHG emissions (Scope 1 and 2) (2021 Data): 128.42 + 24,549.30 = 24,677.72",
        "Total GHG emissions (Scope 1 and 2) (2022 Data): 53.43 + 35,796.91 = 35,850.34",
        "Total comprehensive energy consumption (2021 Data): 494.70 + 34,587.19 = 35,081.89",
        "Total comprehensive energy consumption (2022 Data): 209.37 + 50,428.21 = 50,637.58",
        "shares of 742: 95.7% + 4.3% = 100%",
    ]:
        assert expected in messages, expected
    assert {f["kind"] for f in findings} >= {"table_total", "breakdowns", "sentence_total", "shares", "intensity",
                                             "restated", "target"}


CHANGES = {  # (original, changed, what the audit must say about it and cite)
    "component": ("Direct energy consumption\tMWh\t494.70\t209.37", "Direct energy consumption\tMWh\t494.70\t219.37",
                  "219.37"),
    "total": ("Total GHG emissions ⁽¹⁾ (Scope 1 and 2) ⁽²⁾\tTonne CO ₂\t24,677.72\t35,850.34",
              "Total GHG emissions ⁽¹⁾ (Scope 1 and 2) ⁽²⁾\tTonne CO ₂\t24,677.72\t35,950.34", "35,950.34"),
    "restated": ("the total number of our suppliers was 742", "the total number of our suppliers was 745", "745"),
    "intensity": ("Running water consumption per unit of revenue\tTonne/RMB Million\t12.43\t16.23",
                  "Running water consumption per unit of revenue\tTonne/RMB Million\t12.43\t17.23", "17.23"),
}


@pytest.fixture(scope="module")
def changed_store(corpus_store, tmp_path_factory):
    """A store holding a copy of the report whose figures were changed. A file at another path
    never replaces an indexed document (it would be indexed beside it, as NAME-2), so the copy
    goes into a store of its own."""
    root = tmp_path_factory.mktemp("changed")
    store = root / "store"
    text = REPORT.read_text(encoding="utf-8")
    for original, changed, _ in CHANGES.values():
        assert text.count(original) == 1, original
        text = text.replace(original, changed)
    (root / "docs").mkdir()
    (root / "docs" / REPORT.name).write_text(text, encoding="utf-8")
    proc = run_cli("ingest", str(root / "docs" / REPORT.name), store=store)
    assert proc.returncode == 0, proc.stderr
    return store


@pytest.mark.parametrize("change", list(CHANGES))
def test_audit_flags_each_changed_figure_and_cites_it(changed_store, change):
    rc, findings = _audit(changed_store)
    assert rc == 1
    figure = CHANGES[change][2]
    flagged = [f for f in findings if f["status"] == "fail" and figure in f["message"]
               and any(figure in c["text"] for c in f["citations"])]
    assert flagged, (change, [f["message"] for f in findings if f["status"] == "fail"])


def test_audit_raises_nothing_the_changes_did_not_cause(changed_store):
    _, findings = _audit(changed_store)
    for f in findings:
        if f["status"] == "fail":
            assert any(c[2] in f["message"] for c in CHANGES.values()), f["message"]


def test_claims_get_each_verdict_with_units_and_years(corpus_store, tmp_path):
    claims = tmp_path / "claims.csv"
    rows = [
        ("c1", "The Beijing data center's PUE was 1.37 in 2022", "supported"),
        ("c2", "The Beijing data center's PUE was 1.32 in 2022", "contradicted"),
        ("c3", "Total comprehensive energy consumption was 50.6 GWh in 2022", "supported"),  # GWh vs MWh
        ("c4", "Total comprehensive energy consumption was 50,637,580 kWh in 2022", "supported"),
        ("c5", "Running water consumption was 132.8 thousand tonnes in 2022", "supported"),
        ("c6", "Scope 2 emissions were 24,549.30 tonnes CO2e in 2022", "contradicted"),  # the 2021 figure
        ("c7", "Total comprehensive energy consumption was 50.6 GWh in 2021", "contradicted"),  # the 2022 figure
        ("c8", "Total GHG emissions were 35,850 tonnes in 2020", "not_found"),  # a year the report lacks
        ("c9", "Scope 3 emissions were 1,200 tonnes in 2022", "not_found"),
        ("c10", "Female employees made up 33.8% of the workforce", "supported"),
        ("c11", "The company had 700 granted patents by the end of 2022", "contradicted"),
    ]
    with claims.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "claim"])
        w.writerows([r[:2] for r in rows])
    out = tmp_path / "checked.jsonl"
    proc = run_cli("check", str(claims), "-o", str(out), "--document", DOC, store=corpus_store)
    assert proc.returncode == 0, proc.stderr
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert all({"id", "claim", "verdict", "reported", "citations"} <= set(g) for g in got)
    assert [(g["id"], g["verdict"]) for g in got] == [(r[0], r[2]) for r in rows]
    for g in got:
        if g["verdict"] != "not_found":
            assert g["citations"] and g["reported"]
    assert "11 claims: 5 supported, 4 contradicted, 2 not found" in proc.stderr


def test_structured_claim_columns_and_spreadsheet_output(corpus_store, tmp_path):
    claims = tmp_path / "provider.csv"
    claims.write_text("id,metric,value,unit,year\nr1,Indirect GHG emissions (Scope 2),35796.91,t CO2e,2022\n"
                      "r2,Hazardous waste,0.9,tonnes,2021\n")
    out = tmp_path / "checked.csv"
    assert run_cli("check", str(claims), "-o", str(out), store=corpus_store).returncode == 0
    rows = list(csv.DictReader(out.open()))
    assert [r["verdict"] for r in rows] == ["supported", "contradicted"]  # 2021 hazardous waste was 0.092 t
    assert rows[0]["metric"] == "Indirect GHG emissions (Scope 2)" and "35,796.91" in rows[0]["evidence"]


def test_claims_file_without_a_claim_column_is_a_clear_error(corpus_store, tmp_path):
    claims = tmp_path / "c.csv"
    claims.write_text("id,text\n1,something\n")
    proc = run_cli("check", str(claims), "-o", str(tmp_path / "o.csv"), store=corpus_store)
    assert proc.returncode == 2 and "no claim column" in proc.stderr and "'id', 'text'" in proc.stderr


def test_audit_runs_on_a_real_pdf(corpus_store, tmp_path):
    pdf = external("CT_REIT_2022_ESG_Report.pdf")
    store = tmp_path / "store"
    shutil.copytree(corpus_store, store)
    assert run_cli("ingest", str(pdf), store=store).returncode == 0
    rc, findings = _audit(store, pdf.stem)
    assert len(findings) >= 10 and all(f["citations"][0]["page"] for f in findings)
    assert rc == (1 if any(f["status"] == "fail" for f in findings) else 0)


# ---- compound claims and stock versus flow (issue 18) -----------------------------------------

def test_a_claim_with_several_figures_is_one_part_per_figure():
    from esgqa.crosscheck import claimed_figures, parts

    got = parts("Of our 40 sites, 31 are ISO 14001 certified")
    assert [p.figure.text for p in got] == ["40", "31"]  # 14001 is a standard's name
    assert got[1].question == "sites are ISO 14001 certified"  # the noun counted by the figure before
    got = parts("Scope 1 was 1,200 t and Scope 2 4,888 t in 2022")
    assert [p.figure.text for p in got] == ["1,200 t", "4,888 t"]  # "Scope 1" is a name, not a figure
    assert got[0].question == "Scope 1 was in 2022" and got[1].question == "Scope 2 in 2022"
    assert [f.text for f in claimed_figures("Scope 2 emissions were 24,549.30 tonnes CO2e in 2022")] == \
        ["24,549.30 tonnes CO2e"]
    # one figure: the question is the whole claim without it, as before
    assert [" ".join(p.question.split()) for p in parts("The Beijing data center's PUE was 1.37 in 2022")] == \
        ["The Beijing data center's PUE was in 2022"]


@pytest.mark.parametrize("text, kind", [
    ("The company had 9,517 employees at year end", "stock"),
    ("employees as at 31 December 2023", "stock"),
    ("By the end of 2022, accumulated 663 granted patents", "stock"),
    ("hired 1,203 new employees during the year", "flow"),
    ("In this year, Kingsoft Cloud added 232 granted patents", "flow"),
    ("Scope 1 emissions were 53.43 t in 2022", ""),
    ("Total GHG emissions were 35,850 t in 2022", ""),  # a bare "total" says neither
    ("headcount at year end rose as we hired 300 people", ""),  # says both
])
def test_stock_or_flow(text, kind):
    from esgqa.crosscheck import stock_or_flow

    assert stock_or_flow(text) == kind


def test_a_stock_is_not_supported_by_a_flow_nor_a_flow_by_a_stock():
    from esgqa.crosscheck import reported_words, stock_flow_mismatch
    from esgqa.types import Answer

    why = stock_flow_mismatch("We had 232 employees at year end", "hired 232 new employees during the year")
    assert why and "claim states a stock" in why and "report's figure is a flow" in why and "\n" not in why
    assert "claim states a flow" in stock_flow_mismatch("232 new hires in 2023", "headcount as at 31 December: 232")
    assert stock_flow_mismatch("We had 232 employees at year end", "232 employees as at 31 December") is None
    assert stock_flow_mismatch("Scope 1 was 53.43 t", "added 53.43 t during the year") is None  # claim says neither
    # the words read for the report's figure are its own clause: the same sentence may hold both
    sentence = ("By the end of 2022, the company held 663 granted patents, and in this year it added "
                "232 granted patents [1]")
    held = reported_words(Answer(question="", answer=sentence, abstained=False, figure="663"))
    added = reported_words(Answer(question="", answer=sentence, abstained=False, figure="232"))
    assert "663" in held and "232" not in held and "added 232" in added
    assert stock_flow_mismatch("the company added 663 patents during the year", held)
    assert stock_flow_mismatch("the company held 232 patents at year end", added)


def test_compound_claims_get_one_row_per_figure_with_suffixed_ids(corpus_store, tmp_path):
    claims = tmp_path / "claims.csv"
    rows = [
        ("c1", "Scope 1 emissions were 53.43 t and Scope 2 emissions 4,888 t in 2022"),
        ("c2", "As of December 31, 2022, we had 742 suppliers, of which 710 were in mainland China"),
        ("c3", "Female employees made up 33.8% of the workforce"),
    ]
    with claims.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "claim", "source"])
        w.writerows([(*r, "provider") for r in rows])
    out = tmp_path / "checked.csv"
    proc = run_cli("check", str(claims), "-o", str(out), "--document", DOC, store=corpus_store)
    assert proc.returncode == 0, proc.stderr
    got = list(csv.DictReader(out.open()))
    assert [(r["id"], r["claimed"], r["verdict"]) for r in got] == [
        ("c1.1", "53.43 t", "supported"), ("c1.2", "4,888 t", "contradicted"),
        ("c2.1", "742", "supported"), ("c2.2", "710", "supported"), ("c3", "33.8%", "supported")]
    assert got[0]["claim"] == got[1]["claim"] == rows[0][1] and all(r["source"] == "provider" for r in got)
    assert all(r["citations"] and r["evidence"] for r in got)
    assert "35,796.91" in got[1]["reported"] and "35,796.91" in got[1]["evidence"]
    assert "5 claims: 4 supported, 1 contradicted, 0 not found" in proc.stderr


def test_compound_claims_in_a_spreadsheet_without_ids_are_numbered(assistant, tmp_path):
    """XLSX in and out, no id column: a compound claim's rows get an id column ("2.1", "2.2", the
    claim's number in the file), a one-figure claim's row stays without one."""
    from openpyxl import Workbook, load_workbook

    from esgqa.crosscheck import check_claims

    src, out = tmp_path / "claims.xlsx", tmp_path / "checked.xlsx"
    wb = Workbook()
    wb.active.append(["claim"])
    wb.active.append(["The Beijing data center's PUE was 1.37 in 2022"])
    wb.active.append(["Scope 1 emissions were 53.43 t and Scope 2 emissions 4,888 t in 2022"])
    wb.save(src)
    checks = check_claims(assistant, src, out, document=DOC)
    assert [(c.id, c.verdict) for c in checks] == [(None, "supported"), ("2.1", "supported"), ("2.2", "contradicted")]
    rows = list(load_workbook(out).active.values)
    header, body = rows[0], rows[1:]
    assert header[:2] == ("claim", "verdict") and header[-1] == "id"
    assert [(r[header.index("id")], r[header.index("claimed")]) for r in body] == \
        [(None, "1.37"), ("2.1", "53.43 t"), ("2.2", "4,888 t")]

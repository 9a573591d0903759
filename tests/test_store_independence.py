"""A report's answers do not depend on which other reports share the store (issue 18): with
`document=`, keyword statistics and abbreviations are the report's own."""

import shutil

from conftest import ROOT, external
from esgqa.assistant import Assistant
from esgqa.evals import load_items
from esgqa.settings import Settings

DOC = "kingsoft-cloud-2022-esg-report"


def test_same_answers_alone_and_beside_other_reports(corpus_store, tmp_path):
    others = [external("CT_REIT_2022_ESG_Report.pdf"), external("CostCo_Climate_Action_Plan.pdf")]
    shared = tmp_path / "shared-store"
    shutil.copytree(corpus_store, shared)
    crowded = Assistant(Settings(store=shared))
    crowded.ingest(others)
    alone = Assistant(Settings(store=corpus_store))
    assert len({d.name for d in crowded.index.documents()}) == 3
    items = load_items(ROOT / "evals" / "golden.jsonl")[::6]
    for item in items:
        a = alone.ask(item.question, document=DOC)
        b = crowded.ask(item.question, document=DOC)
        assert (a.figure, a.abstained, a.unsure) == (b.figure, b.abstained, b.unsure), item.question
        assert [(c.page, c.text) for c in a.citations] == [(c.page, c.text) for c in b.citations], item.question

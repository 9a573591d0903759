from pathlib import Path

from conftest import ROOT
from esgqa.assistant import Assistant
from esgqa.settings import Settings


def test_ingesting_twice_adds_nothing(corpus_store: Path, monkeypatch):
    a = Assistant(Settings(store=corpus_store))
    before = a.index.count()

    def not_again(path):
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(a, "prepare", not_again)  # an unchanged file is not even read
    results = a.ingest([ROOT / "corpus"])
    assert results and all(r.unchanged for r in results)
    assert a.index.count() == before > 100


def test_changed_file_replaces_its_old_chunks(tmp_path: Path):
    src = tmp_path / "docs"
    src.mkdir()
    report = src / "acme-2023.md"
    report.write_text("# Energy\n\nTotal energy use was 1,234 MWh in 2023.\n\n# Water\n\nWater use was 55 tonnes.\n")
    a = Assistant(Settings(store=tmp_path / "store"))
    first = a.ingest([report])[0]
    report.write_text("# Energy\n\nTotal energy use was 1,500 MWh in 2023.\n\n# Water\n\nWater use was 55 tonnes.\n")
    second = a.ingest([report])[0]
    assert second.added == 1 and second.removed == 1  # only the changed section is re-embedded
    texts = [p.text for p in a.index.passages()]
    assert any("1,500" in t for t in texts) and not any("1,234" in t for t in texts)
    assert a.index.count() == first.total
    # and the keyword index follows Chroma
    from esgqa.retrieval import keyword_search
    hits = keyword_search(a.index, "total energy use", 5)
    assert hits and "1,500" in hits[0].text
    assert all("1,234" not in p.text for p in a.index.bm25()[1])


def test_documents_listing(corpus_store: Path):
    docs = Assistant(Settings(store=corpus_store)).index.documents()
    assert [d.name for d in docs] == ["kingsoft-cloud-2022-esg-report"]
    assert docs[0].chunks > 100 and docs[0].title.startswith("Kingsoft Cloud")

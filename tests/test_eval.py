"""The eval's gates can fail: a broken answerer or retriever is caught, a working one is not."""

from conftest import ROOT
from esgqa.answering import ExtractiveAnswerer
from esgqa.assistant import Assistant
from esgqa.evals import check_gates, load_gates, load_items, metrics, run_eval
from esgqa.types import Answer

ITEMS = [i for i in load_items(ROOT / "evals" / "golden.jsonl")
         if i.id in {"k001", "k016", "k075", "k084", "k099", "k102", "u01", "u05"}]


class AlwaysFirstNumber(ExtractiveAnswerer):
    """A broken answerer: quotes the first passage and its first figure, never abstains."""

    def answer(self, question: str, passages) -> Answer:
        ans = super().answer(question, passages)
        return ans.model_copy(update={"abstained": False, "figure": "999", "answer": "999 [1]"})


def test_working_pipeline_passes_the_gates_on_a_sample(assistant):
    m = metrics(run_eval(assistant, ITEMS, baseline=False))
    assert check_gates(m, load_gates()) == []


def test_broken_answerer_fails_the_gates(corpus_store):
    from esgqa.settings import Settings

    broken = Assistant(Settings(store=corpus_store))
    broken.answerer = AlwaysFirstNumber(broken.index)
    m = metrics(run_eval(broken, ITEMS, baseline=False))
    failures = check_gates(m, load_gates())
    assert any("figure_accuracy" in f for f in failures)
    assert any("abstention_recall" in f for f in failures)


def test_broken_retrieval_fails_the_gates(corpus_store, monkeypatch):
    from esgqa import retrieval
    from esgqa.settings import Settings

    monkeypatch.setattr(retrieval, "hybrid_search", lambda *a, **k: [])
    monkeypatch.setattr(retrieval.HybridRetriever, "_get_relevant_documents", lambda self, q, **k: [])
    broken = Assistant(Settings(store=corpus_store))
    m = metrics(run_eval(broken, ITEMS, baseline=False))
    assert any("figure_accuracy" in f for f in check_gates(m, load_gates()))

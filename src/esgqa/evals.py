"""Regression evals without an LLM judge: figures compared as numbers, citations, abstention,
retrieval hit@k / MRR, latency; and a naive LangChain-tutorial baseline on the same questions."""

from __future__ import annotations

import json
import re
import statistics
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from esgqa.assistant import Assistant
from esgqa.chunking import clean_line
from esgqa.figures import figures_match, parse_figure, same_value, text_contains_figure
from esgqa.loading import InputError
from esgqa.retrieval import hybrid_search
from esgqa.settings import REPO_ROOT
from esgqa.types import Answer, Passage

EVALS_DIR = REPO_ROOT / "evals"
GATES_FILE = EVALS_DIR / "gates.toml"
EXTERNAL = REPO_ROOT.parent / "shared" / "external"


@dataclass
class Item:
    id: str
    question: str
    answerable: bool
    expected: list[str] = field(default_factory=list)
    evidence: str = ""
    category: str = ""
    document: str | None = None
    page: int | list[int] | None = None  # 1-based; a list when the report states it on several pages
    source: str | None = None  # file to ingest first (relative to ../shared/external)


@dataclass
class Result:
    item: Item
    answer: Answer
    figure_ok: bool | None
    citation_ok: bool | None
    rank: int | None  # 1-based rank of the first passage holding the evidence
    baseline_rank: int | None = None
    latency_ms: float = 0.0


def load_items(path: Path) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            items.append(Item(**{k: v for k, v in data.items() if k in Item.__dataclass_fields__}))
    return items


def normalise(text: str) -> str:
    text = "\n".join(clean_line(x) for x in text.splitlines())
    text = re.sub(r"⁽[⁰¹²³⁴⁵⁶⁷⁸⁹]+⁾", "", text).replace("|", " ").replace("\t", " ")
    return re.sub(r"\s+", " ", text).lower().strip()


def holds_evidence(text: str, item: Item, page: int | None = None) -> bool:
    pages = item.page if isinstance(item.page, list) else [item.page]
    if item.page is not None and page not in pages:
        return False
    if item.evidence and normalise(item.evidence) not in normalise(text):
        return False
    return all(text_contains_figure(text, e) for e in item.expected[:1])


def figure_correct(answer: Answer, item: Item) -> bool:
    """The headline figure equals an expected one, as numbers; units converted when both sides have one."""
    if answer.abstained or not answer.figure:
        return False
    got = parse_figure(f"{answer.figure} {answer.unit or ''}") or parse_figure(answer.figure)
    for exp in item.expected:
        want = parse_figure(exp)
        if want is None or got is None:
            continue
        if figures_match(want, got):
            return True
        one_side_bare = not (want.unit and got.unit) and not (want.currency and got.currency)
        if one_side_bare and same_value(want.value, got.value):
            return True
    return False


def citation_correct(answer: Answer, item: Item) -> bool:
    return any(holds_evidence(c.text, item, c.page) for c in answer.citations)


def first_hit(passages: list[Passage], item: Item) -> int | None:
    for rank, p in enumerate(passages, start=1):
        if holds_evidence(p.text, item, p.page):
            return rank
    return None


class NaiveBaseline:
    """What LangChain tutorials build: RecursiveCharacterTextSplitter(1000, 200), dense top-k."""

    def __init__(self, assistant: Assistant, documents: list[str]) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from esgqa.loading import load

        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(client=client, collection_name="baseline", embedding_function=assistant.index.embeddings)
        texts, metas = [], []
        for path in documents:
            doc = load(Path(path))
            for page in doc.pages:
                for piece in splitter.split_text(page.text):
                    texts.append(piece)
                    metas.append({"document": doc.name, **({"page": page.number} if page.number else {})})
        for start in range(0, len(texts), 256):
            self.store.add_texts(texts[start:start + 256], metadatas=metas[start:start + 256])

    def search(self, question: str, k: int, document: str | None) -> list[Passage]:
        flt = {"document": document} if document else None
        return [
            Passage(id=str(i), document=d.metadata["document"], text=d.page_content, page=d.metadata.get("page"))
            for i, d in enumerate(self.store.similarity_search(question, k=k, filter=flt))
        ]


def run_eval(assistant: Assistant, items: list[Item], *, baseline: bool = True, k_hit: int = 5) -> list[Result]:
    _ingest_sources(assistant, items)
    base = NaiveBaseline(assistant, _documents_for(assistant, items)) if baseline else None
    results = []
    for item in items:
        t0 = time.perf_counter()
        answer = assistant.ask(item.question, document=item.document)
        latency = (time.perf_counter() - t0) * 1000
        passages = hybrid_search(assistant.index, item.question, max(k_hit, assistant.settings.retrieval.k),
                                 document=item.document, candidates=assistant.settings.retrieval.candidates,
                                 rrf_k=assistant.settings.retrieval.rrf_k)
        result = Result(
            item=item, answer=answer,
            figure_ok=figure_correct(answer, item) if item.answerable and item.expected else None,
            citation_ok=citation_correct(answer, item) if item.answerable and not answer.abstained else (
                False if item.answerable else None),
            rank=first_hit(passages, item) if item.answerable else None,
            latency_ms=latency,
        )
        if base and item.answerable:
            result.baseline_rank = first_hit(base.search(item.question, k_hit, item.document), item)
        results.append(result)
    return results


def _ingest_sources(assistant: Assistant, items: list[Item]) -> None:
    assistant.ensure_corpus()
    for source in sorted({i.source for i in items if i.source}):
        path = EXTERNAL / source
        if not path.exists():
            raise InputError(f"eval source {path} is missing")
        if not assistant.index.has_document(path.stem):
            assistant.ingest([path])


def _documents_for(assistant: Assistant, items: list[Item]) -> list[str]:
    sources = {str(EXTERNAL / i.source) for i in items if i.source}
    if any(not i.source for i in items):
        sources |= {str(p) for p in Path(assistant.settings.corpus).glob("*") if p.suffix in {".md", ".txt", ".pdf"}}
    return sorted(sources)


# ---- metrics -------------------------------------------------------------------------------
def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def hit_metrics(ranks: list[int | None], k: int = 5) -> dict[str, float | None]:
    n = len(ranks)
    return {
        "hit@1": _ratio(sum(1 for r in ranks if r == 1), n),
        f"hit@{k}": _ratio(sum(1 for r in ranks if r and r <= k), n),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4) if n else None,
    }


def metrics(results: list[Result], *, baseline: bool = True) -> dict:
    answerable = [r for r in results if r.item.answerable]
    unanswerable = [r for r in results if not r.item.answerable]
    with_fig = [r for r in answerable if r.figure_ok is not None]
    abstained = [r for r in results if r.answer.abstained]
    lat = sorted(r.latency_ms for r in results)
    return {
        "questions": len(results),
        "answerable": len(answerable),
        "undisclosed": len(unanswerable),
        "figure_accuracy": _ratio(sum(r.figure_ok for r in with_fig), len(with_fig)),
        "citation_accuracy": _ratio(sum(bool(r.citation_ok) for r in answerable), len(answerable)),
        "abstention_precision": _ratio(sum(not r.item.answerable for r in abstained), len(abstained)),
        "abstention_recall": _ratio(sum(r.answer.abstained for r in unanswerable), len(unanswerable)),
        "false_abstention_rate": _ratio(sum(r.answer.abstained for r in answerable), len(answerable)),
        "esgqa": hit_metrics([r.rank for r in answerable]),
        "baseline": hit_metrics([r.baseline_rank for r in answerable]) if baseline else
        {"hit@1": None, "hit@5": None, "mrr": None},
        # LLM backends: answers whose figures were not grounded (or whose server failed) and fell back
        "llm_fallbacks": sum(1 for r in results if (r.answer.grounding or {}).get("fallback")),
        "latency_ms_p50": round(statistics.median(lat), 1) if lat else None,
        "latency_ms_p95": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1) if lat else None,
    }


def load_gates(set_name: str = "golden", path: Path = GATES_FILE) -> dict[str, float]:
    gates = tomllib.loads(path.read_text())["gates"]
    return gates.get(set_name, gates["golden"])


def check_gates(m: dict, gates: dict[str, float]) -> list[str]:
    failures = []
    for name, minimum in gates.items():
        value = m.get(name)
        if value is None or value < minimum:
            failures.append(f"{name} = {value} < {minimum}")
    return failures


def misses(results: list[Result]) -> list[dict]:
    out = []
    for r in results:
        why = []
        if r.item.answerable and r.answer.abstained:
            why.append("abstained on an answerable question")
        elif r.figure_ok is False:
            why.append(f"figure {r.answer.figure!r} != expected {r.item.expected}")
        if r.item.answerable and not r.answer.abstained and r.citation_ok is False:
            why.append("no citation holds the evidence" + (f" on page {r.item.page}" if r.item.page else ""))
        if not r.item.answerable and not r.answer.abstained:
            why.append("answered an undisclosed question")
        if r.item.answerable and r.rank is None:
            why.append("evidence not in the top 5 retrieved passages")
        if why:
            out.append({"id": r.item.id, "question": r.item.question, "expected": r.item.expected,
                        "evidence": r.item.evidence, "answer": r.answer.answer, "figure": r.answer.figure,
                        "why": "; ".join(why)})
    return out


def render_table(name: str, m: dict) -> str:
    rows = [
        ("figure accuracy", m["figure_accuracy"], None),
        ("citation accuracy", m["citation_accuracy"], None),
        ("abstention precision", m["abstention_precision"], None),
        ("abstention recall", m["abstention_recall"], None),
        ("false-abstention rate", m["false_abstention_rate"], None),
        ("retrieval hit@1", m["esgqa"]["hit@1"], m["baseline"]["hit@1"]),
        ("retrieval hit@5", m["esgqa"]["hit@5"], m["baseline"]["hit@5"]),
        ("retrieval MRR", m["esgqa"]["mrr"], m["baseline"]["mrr"]),
        ("latency p50 (ms)", m["latency_ms_p50"], None),
        ("latency p95 (ms)", m["latency_ms_p95"], None),
    ]
    lines = [f"### {name}: {m['questions']} questions ({m['answerable']} answerable, {m['undisclosed']} undisclosed)",
             "", "| metric | esgqa | naive baseline |", "|---|---|---|"]
    for label, ours, base in rows:
        lines.append(f"| {label} | {_fmt(ours)} | {_fmt(base) if base is not None else '–'} |")
    return "\n".join(lines)


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else (f"{v:.3f}" if isinstance(v, float) and v <= 1.0 else f"{v}")


def default_sets() -> list[tuple[Path, str | None]]:
    """The golden set, plus the PDF set when ../shared/external is present."""
    sets: list[tuple[Path, str | None]] = [(EVALS_DIR / "golden.jsonl", None)]
    pdf_set = EVALS_DIR / "golden_pdf.jsonl"
    if pdf_set.exists():
        items = load_items(pdf_set)
        missing = [i.source for i in items if i.source and not (EXTERNAL / i.source).exists()]
        sets.append((pdf_set, f"skipped {pdf_set.name}: {missing[0]} not found in {EXTERNAL}" if missing else None))
    return sets


"""One answer from two readings (a table cell, a sentence), by calibrated probability.

A cell at or above `show` that is likelier than the sentence reader's figure is the answer;
otherwise the sentence reader's answer stands. Where that reader found nothing, a cell between
`unsure` and `show` gives an answer that says it is unsure and lists the nearest candidates with
their cells and pages; below `unsure` nothing comes close and the report is taken not to disclose it.
"""

from __future__ import annotations

from esgqa.answer.cells import Candidate, CellModel
from esgqa.types import Answer, Citation

UNSURE = "Unsure"
MAX_CANDIDATES = 3


def describe(c: Candidate) -> str:
    """'Scope 2 › market-based (2023, Germany): 4,888 t CO2e': the cell named by its headers."""
    cell = c.cell
    where = f" ({cell.col_label})" if cell.col_path else ""
    unit = f" {cell.unit}" if cell.unit and cell.unit != "%" and "%" not in cell.value else (
        "%" if cell.unit == "%" and "%" not in cell.value else "")
    return f"{' › '.join(cell.row_path) or c.passage.section}{where}: {cell.value}{unit}"


def cite(c: Candidate, n: int) -> Citation:
    quote = f"{c.passage.section}: {c.passage.text}" if c.passage.section else c.passage.text
    box = c.cell.box if c.cell.box[2] > c.cell.box[0] else None
    return c.passage.cite(n, quote, box)


def cell_answer(question: str, c: Candidate, p: float, backend: str) -> Answer:
    text = f"{describe(c)} [1]"
    if c.passage.year and not c.years:
        text += f" (reporting year {c.passage.year})"
    return Answer(question=question, answer=text, abstained=False, citations=[cite(c, 1)], backend=backend,
                  figure=c.cell.value, unit=c.cell.unit or None, confidence=round(p, 3))


def unsure_answer(question: str, text: Answer, p_text: float, cells: list[tuple[float, Candidate]],
                  backend: str) -> Answer:
    picked: list[tuple[float, str, Citation]] = []
    seen: set[str] = set()
    for p, c in cells:
        if len(picked) == MAX_CANDIDATES:
            break
        if c.cell.number is None or c.cell.value in seen:
            continue
        seen.add(c.cell.value)
        picked.append((p, describe(c), cite(c, len(picked) + 1).model_copy(update={"figure": c.cell.value})))
    if text.figure and not text.abstained and text.figure not in seen and text.citations:
        picked.append((p_text, f"{text.figure}{' ' + text.unit if text.unit else ''}",
                       text.citations[0].model_copy(update={"n": len(picked) + 1, "figure": text.figure})))
    picked.sort(key=lambda t: -t[0])
    cites = [c.model_copy(update={"n": i}) for i, (_, _, c) in enumerate(picked, start=1)]
    listing = "; ".join(f"{d} [{i}]" for i, (_, d, _) in enumerate(picked, start=1))
    return Answer(question=question, answer=f"{UNSURE}: the closest figures are {listing}. Check the cited pages.",
                  abstained=False, unsure=True, citations=cites, candidates=cites, backend=backend,
                  confidence=round(max(p for p, _, _ in picked), 3))


def text_from_pdf(text: Answer) -> float:
    """1.0 when the sentence reader quoted a PDF page (extracted text is noisier than Markdown)."""
    return 1.0 if text.citations and text.citations[0].page is not None else 0.0


def text_from_table(text: Answer) -> float:
    """1.0 when the sentence reader answered from a table's text (a header row over its columns)."""
    return 1.0 if text.citations and " | " in text.citations[0].text else 0.0


def text_reading(text: Answer) -> list[float]:
    """What the sentence reader's calibration looks at: its confidence, its source, table or prose."""
    return [text.confidence, text_from_pdf(text), text_from_table(text)]


def choose(model: CellModel, p_cell: float | None, p_text: float, text_answers: bool) -> str:
    """Which reading answers: "cell" when the best cell (None: there is none) is at least `show`
    likely and likelier than the sentence reader's figure; else "text" when the sentence reader
    answered; else "unsure" for a cell between `unsure` and `show`; else "none": not disclosed.
    (Hedging the sentence reader's own figures too, as the 95%-precision target would need, lost a
    third of the right answers on the tuning sets: not yet.) `benchmarks/fit.py` replays this choice."""
    if p_cell is not None and p_cell >= model.show and p_cell > p_text:
        return "cell"
    if text_answers:
        return "text"
    if p_cell is not None and p_cell >= model.unsure:
        return "unsure"
    return "none"


def compose(question: str, text: Answer, cells: list[tuple[float, Candidate]], model: CellModel,
            backend: str) -> Answer:
    """The answer `choose` picks: the best cell, the sentence reader's own answer, an unsure answer
    with candidates, or the sentence reader's abstention (the report is taken not to disclose it)."""
    p_text = model.text_probability(*text_reading(text)) if text.figure and not text.abstained else 0.0
    p_cell, best = cells[0] if cells else (None, None)
    choice = choose(model, p_cell, p_text, not text.abstained)
    if choice == "cell":
        return cell_answer(question, best, p_cell, backend)
    if choice == "text":
        return text.model_copy(update={"confidence": round(p_text, 3)}) if text.figure else text
    if choice == "unsure":
        return unsure_answer(question, text, p_text, cells, backend)
    return text

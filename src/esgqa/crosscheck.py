"""Verify claimed figures against the report: supported, contradicted or not found.

A claim ("The Beijing data center's PUE was 1.32 in 2022") becomes a question by taking its figure
out; the answerer finds what the report states for that metric and year (it already refuses a
figure from another year's column), and the two figures are compared as numbers with units.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from esgqa.assistant import Assistant
from esgqa.batch import Sheet, check_output, read_sheet, write_sheet
from esgqa.figures import Figure, figures_match, numbers_in, parse_figure
from esgqa.types import ClaimCheck

CLAIM_HEADERS = ("claim", "claims", "statement", "assertion", "claimed")
ADDED = ("verdict", "claimed", "reported", "citations", "evidence", "reason")


def claim_text(row: dict[str, Any], claim_col: str | None) -> str:
    """The claim as written, or one composed from metric / value / unit / year columns."""
    text = str(row.get(claim_col) or "").strip() if claim_col else ""
    if text:
        return text
    low = {k.lower().strip(): v for k, v in row.items()}
    metric, value = str(low.get("metric") or "").strip(), str(low.get("value") or "").strip()
    if not metric or not value:
        return ""
    unit, year = str(low.get("unit") or "").strip(), str(low.get("year") or "").strip()
    return f"{metric} was {value}{' ' + unit if unit else ''}{' in ' + year if year else ''}"


def verify(assistant: Assistant, claim: str, *, document: str | None = None, id: str | None = None) -> ClaimCheck:
    figures = numbers_in(claim)
    if not figures:
        return ClaimCheck(id=id, claim=claim, verdict="not_found", reason="the claim states no figure to check")
    # "Scope 2 emissions were 35,796.91 t": the measured figure, not the number in a name
    claimed = max(figures, key=lambda f: (bool(f.unit or f.currency), f.decimals > 0 or "," in f.text,
                                          len(re.sub(r"\D", "", f.text))))
    # The question is the claim without its figure, so the answerer looks for the report's own.
    question = (claim[:claimed.start] + claim[claimed.end:]).strip()
    if claimed.unit == "percent":
        question += " (percentage)"  # a share is answered by a share, not by the headcount beside it
    answer = assistant.ask(question, document=document)
    if answer.abstained:
        return ClaimCheck(id=id, claim=claim, verdict="not_found", claimed=claimed.text, citations=answer.citations,
                          reason="the report does not state this metric for this year; closest passages cited")
    reported = parse_figure(f"{answer.figure} {answer.unit or ''}") or parse_figure(answer.figure or "")
    unit = answer.unit or ""
    shown = answer.figure if not unit or (answer.figure or "").endswith(unit) else f"{answer.figure} {unit}"
    if reported is None or not _comparable(claimed, reported):
        return ClaimCheck(id=id, claim=claim, verdict="not_found", claimed=claimed.text, reported=shown,
                          citations=answer.citations,
                          reason=f"the closest figure the report states ({shown}) measures something else")
    if figures_match(claimed, reported):
        return ClaimCheck(id=id, claim=claim, verdict="supported", claimed=claimed.text, reported=shown,
                          citations=answer.citations, reason="the report states the same figure")
    return ClaimCheck(id=id, claim=claim, verdict="contradicted", claimed=claimed.text, reported=shown,
                      citations=answer.citations, reason=f"the report states {shown}, not {claimed.text}")


def _comparable(claimed: Figure, reported: Figure) -> bool:
    """Same kind of quantity: unit families agree (or one side is bare), currencies agree."""
    if claimed.currency and reported.currency and claimed.currency != reported.currency:
        return False
    if claimed.unit and reported.unit:
        return claimed.unit == reported.unit or {claimed.unit, reported.unit} == {"mass", "co2"}
    return (claimed.unit == "percent") == (reported.unit == "percent")


def check_claims(assistant: Assistant, source: Path, output: Path, *, document: str | None = None) -> list[ClaimCheck]:
    check_output(source, output)
    sheet = read_sheet(source)
    claim_col = sheet.column(*CLAIM_HEADERS)
    if claim_col is None and not (sheet.column("metric") and sheet.column("value")):
        raise sheet.no_column(source.name, "claim", "'claim', or 'metric' + 'value'")
    id_col = sheet.column("id")
    assistant.check_document(document)
    checks, rows = [], []
    as_json = output.suffix.lower() == ".jsonl"
    for row in sheet.rows:
        text = claim_text(row, claim_col)
        rid = None if id_col is None or row.get(id_col) is None else str(row.get(id_col))
        check = verify(assistant, text, document=document, id=rid) if text else ClaimCheck(
            id=rid, claim="", verdict="not_found", reason="empty claim: nothing to check")
        checks.append(check)
        rows.append(check.model_dump() if as_json else {**row, **_columns(check)})
        write_sheet(output, Sheet(sheet.columns + [c for c in ADDED if c not in sheet.columns], rows))
    return checks


def _columns(check: ClaimCheck) -> dict[str, Any]:
    return {
        "verdict": check.verdict, "claimed": check.claimed or "", "reported": check.reported or "",
        "citations": "; ".join(c.locator() for c in check.citations),
        "evidence": " ".join(check.citations[0].text.split()) if check.citations and check.verdict != "not_found"
        else "",
        "reason": check.reason,
    }


def summary(checks: list[ClaimCheck]) -> str:
    counts = {v: sum(c.verdict == v for c in checks) for v in ("supported", "contradicted", "not_found")}
    return ", ".join(f"{n} {v.replace('_', ' ')}" for v, n in counts.items())

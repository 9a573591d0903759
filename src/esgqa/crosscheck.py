"""Verify claimed figures against the report: supported, contradicted or not found.

A claim ("The Beijing data center's PUE was 1.32 in 2022") becomes a question by taking its figure
out; the answerer finds what the report states for that metric and year (it already refuses a
figure from another year's column), and the two figures are compared as numbers with units.

A claim with several figures ("Of our 40 sites, 31 are ISO 14001 certified"; "Scope 1 was 1,200 t
and Scope 2 4,888 t in 2022") is checked figure by figure (`parts`): each figure's own clause,
plus the claim's year, is its question, and each gets its own verdict, citation and id ("c1.1").
A stock (a total as at a date) is never supported by a flow (what was added in the period) or
the other way round (`stock_flow_mismatch`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from esgqa.answering import aspect_of
from esgqa.assistant import Assistant
from esgqa.batch import Sheet, check_output, read_sheet, write_sheet
from esgqa.figures import YEAR, Figure, figures_match, numbers_in, parse_figure
from esgqa.lexicon import STOPWORDS
from esgqa.types import Answer, ClaimCheck

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


@dataclass(frozen=True)
class Part:
    """One figure of a claim and the words that say what it measures."""

    figure: Figure
    question: str  # the claim's words for this figure, the figure taken out: what the answerer is asked
    text: str  # the clause of the claim that states it, figure included (read for stock or flow)


# Where one figure's clause ends and the next one's begins.
_CLAUSE_BREAK = re.compile(r"\s*(?:[,;]|\band\b|\bwhile\b|\bwhereas\b|\bbut\b|\bof which\b|\bamong which\b)\s*",
                           re.I)


def claimed_figures(claim: str) -> list[Figure]:
    """The figures a claim states, not the numbers in names ("Scope 1", "Category 15")."""
    out = []
    for f in numbers_in(claim):
        before = re.findall(r"[A-Za-z][\w-]*", claim[:f.start])[-1:]
        named = (before and before[0][0].isupper() and before[0].lower() not in STOPWORDS
                 and claim[:f.start].endswith(f"{before[0]} ") and not (f.unit or f.currency)
                 and re.fullmatch(r"\d{1,2}", f.text))
        if not named:
            out.append(f)
    return out


def parts(claim: str) -> list[Part]:
    """One part per claimed figure. A single figure: the whole claim without it (as ever).
    Several: each figure's clause (`clause`), plus the claim's year where it names none, plus the
    noun after the previous figure where the clause has none of its own ("Of our 40 sites, 31 are
    certified": 31 sites)."""
    figures = claimed_figures(claim)
    if len(figures) <= 1:
        return [Part(f, (claim[:f.start] + claim[f.end:]).strip(), claim) for f in figures]
    years = YEAR.findall(claim)
    out = []
    for i, f in enumerate(figures):
        lead, left, right = clause(claim, figures, i)
        before, after = claim[left:f.start].strip(), claim[f.end:right].strip()
        noun = ""
        if i and not _leading_noun(after):
            noun = _leading_noun(claim[figures[i - 1].end:]) or _leading_noun(claim[figures[0].end:])
        # a later part takes the lead's setting ("At our data centers, ...") but not its date,
        # which the year appended below carries without pulling towards the sentence that has it
        shared = lead if not i or not YEAR.search(lead) else ""
        question = " ".join(w for w in (shared, before, noun, after) if w)
        if years and not YEAR.search(question):
            question += f" in {years[-1]}"
        out.append(Part(f, question, f"{lead} {claim[left:right].strip()}".strip()))
    return out


def clause(text: str, figures: list[Figure], i: int) -> tuple[str, int, int]:
    """The words that belong to figure i of several: its own clause (bounded by the clause
    breaks nearest the neighbouring figures) and the lead before the first figure's clause,
    which belongs to all ("In 2022, Scope 1 was ... and Scope 2 ..."). Returns (lead, start, end)."""
    def bounds(j: int) -> tuple[int, int]:
        f = figures[j]
        lo = figures[j - 1].end if j else 0
        hi = figures[j + 1].start if j + 1 < len(figures) else len(text)
        starts = [m.end() for m in _CLAUSE_BREAK.finditer(text, lo, f.start)]
        ends = [m.start() for m in _CLAUSE_BREAK.finditer(text, f.end, hi)]
        return (starts[-1] if starts else lo), (ends[0] if ends else hi)

    first_left = bounds(0)[0]
    left, right = bounds(i)
    lead = text[:first_left].strip(" ,;") if i or first_left else ""
    return lead, left, right


def _leading_noun(text: str) -> str:
    """The word right after a figure when it names what was counted ("40 sites"), else ''."""
    m = re.match(r"\s*([A-Za-z][\w-]*)", text)
    return m.group(1) if m and m.group(1).lower() not in STOPWORDS | {"are", "were", "is", "was"} else ""


def verify(assistant: Assistant, claim: str, *, document: str | None = None, id: str | None = None) -> ClaimCheck:
    """The claim's one figure checked (its measured figure where it states several: see
    `check_claim` for every figure)."""
    figures = numbers_in(claim)
    if not figures:
        return ClaimCheck(id=id, claim=claim, verdict="not_found", reason="the claim states no figure to check")
    # "Scope 2 emissions were 35,796.91 t": the measured figure, not the number in a name
    claimed = max(figures, key=lambda f: (bool(f.unit or f.currency), f.decimals > 0 or "," in f.text,
                                          len(re.sub(r"\D", "", f.text))))
    # The question is the claim without its figure, so the answerer looks for the report's own.
    question = (claim[:claimed.start] + claim[claimed.end:]).strip()
    return _verify_part(assistant, claim, Part(claimed, question, claim), document, id)


def check_claim(assistant: Assistant, claim: str, *, document: str | None = None,
                id: str | None = None) -> list[ClaimCheck]:
    """One check per claimed figure; a claim with one figure keeps its id, a claim with several
    gets "ID.1", "ID.2", ... (the claim's number in the file where it has no id)."""
    found = parts(claim)
    if len(found) <= 1:
        return [verify(assistant, claim, document=document, id=id)]
    return [_verify_part(assistant, claim, part, document, f"{id}.{n}" if id else str(n))
            for n, part in enumerate(found, start=1)]


def _verify_part(assistant: Assistant, claim: str, part: Part, document: str | None, id: str | None) -> ClaimCheck:
    claimed, question = part.figure, part.question
    if claimed.unit == "percent":
        question += " (percentage)"  # a share is answered by a share, not by the headcount beside it
    elif _is_count(claimed) and not re.search(r"\bnumber of\b", question, re.I):
        question += " (number of)"  # and a count by a count, not by the share beside it
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
    mismatch = stock_flow_mismatch(part.text, reported_words(answer))
    if mismatch:
        return ClaimCheck(id=id, claim=claim, verdict="not_found", claimed=claimed.text, reported=shown,
                          citations=answer.citations, reason=f"{mismatch}: {shown} measures something else")
    if figures_match(claimed, reported):
        return ClaimCheck(id=id, claim=claim, verdict="supported", claimed=claimed.text, reported=shown,
                          citations=answer.citations, reason="the report states the same figure")
    return ClaimCheck(id=id, claim=claim, verdict="contradicted", claimed=claimed.text, reported=shown,
                      citations=answer.citations, reason=f"the report states {shown}, not {claimed.text}")


# Stock and flow words the answerer's `aspect_of` does not know: a headcount "at year end" is a
# stock; people "hired" or "recruited" are a flow. A bare "total" says neither ("total emissions
# in 2022" is a flow), so it is left out; "in total" / "to date" are stocks there already.
_STOCK_MORE = re.compile(r"\b(at (the )?(year|period)[- ]end|year[- ]end|headcount|as at|as of|outstanding"
                         r"|balance|on (the )?books)\b", re.I)
_FLOW_MORE = re.compile(r"\b(hired|hires|hiring|recruited|recruits|joined|new|newly|added|during the (year|period)"
                        r"|over the (year|period)|in the (year|period)|in this (year|period)|this year|turnover"
                        r"|left|departures|granted in)\b", re.I)


def stock_or_flow(text: str) -> str:
    """'stock' (a level as at a date: employees at year end, patents held), 'flow' (what happened
    in the period: new hires, patents added) or '' when the words do not say or say both."""
    kind = aspect_of(text)
    if kind:
        return kind
    stock, flow = bool(_STOCK_MORE.search(text)), bool(_FLOW_MORE.search(text))
    return "stock" if stock and not flow else "flow" if flow and not stock else ""


_SAYS = {"stock": "a level as at a date", "flow": "what changed during the period"}


def stock_flow_mismatch(claimed: str, reported: str) -> str | None:
    """Why a reported figure cannot support a claimed one: one is a stock and the other a flow.
    None when they agree or either side does not say."""
    a, b = stock_or_flow(claimed), stock_or_flow(reported)
    if a and b and a != b:
        return f"the claim states a {a} ({_SAYS[a]}), the report's figure is a {b} ({_SAYS[b]})"
    return None


def reported_words(answer: Answer) -> str:
    """The words that describe the answer's figure: a cell's row and column, or in a sentence
    the figure's own clause and the sentence's lead (a sentence may state a stock and a flow)."""
    text = re.sub(r"\s*\[\d+\]", "", answer.answer)
    figures = numbers_in(text)
    for i, f in enumerate(figures):
        if answer.figure and text[f.start:].startswith(answer.figure):
            lead, left, right = clause(text, figures, i)
            return f"{lead} {text[left:right]}".strip()
    return text


def _is_count(f: Figure) -> bool:
    """A whole number with no unit or currency: a count of something ("31 sites")."""
    return not (f.unit or f.currency) and f.decimals == 0 and f.value == int(f.value)


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
    added = [c for c in ADDED if c not in sheet.columns]
    for number, row in enumerate(sheet.rows, start=1):
        text = claim_text(row, claim_col)
        rid = None if id_col is None or row.get(id_col) is None else str(row.get(id_col))
        found = check_claim(assistant, text, document=document, id=rid or str(number)) if text else [ClaimCheck(
            id=rid, claim="", verdict="not_found", reason="empty claim: nothing to check")]
        if len(found) == 1 and text:
            found[0].id = rid  # one figure: the row keeps its own id (none where the file gives none)
        for check in found:  # one row per checked figure, its id suffixed ("c1.1", "c1.2")
            checks.append(check)
            if as_json:
                rows.append(check.model_dump())
                continue
            if len(found) > 1 and id_col is None and "id" not in added:
                added.append("id")
            ids = {id_col or "id": check.id} if len(found) > 1 else {}
            rows.append({**row, **ids, **_columns(check)})
        write_sheet(output, Sheet(sheet.columns + added, rows))
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

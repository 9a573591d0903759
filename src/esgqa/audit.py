"""Does a report's own arithmetic hold? Checks read from its structure and wording only.

Nothing here names a metric. Tables are read back from the indexed table chunks (header, unit
column, year columns); a breakdown is rows sharing a group label, a total is a row labelled
"Total ..."; sentences are read for "N things, including a ..., b ... and c ..." and for shares.
Rounding is tolerated the way the report rounds: each printed figure stands for an interval.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from esgqa.answering import SENTENCE_SPLIT, aspect_of, figure_windows
from esgqa.chunking import CELL_SEP
from esgqa.figures import YEAR, Figure, numbers_in
from esgqa.index import Index
from esgqa.lexicon import STOP_STEMS, tokens
from esgqa.types import Citation, Finding, Passage

_NA = re.compile(r"^(n/?a|–|—|-|/|nil|none)$", re.I)
_NOT_ADDITIVE = re.compile(r"\b(rate|ratio|average|avg|per|percentage|proportion|share|intensity|density|score|"
                           r"index|effectiveness|hours?)\b|%", re.I)
_TOTAL = re.compile(r"^\s*(total|sum|overall|in total|all)\b", re.I)
_TARGET = re.compile(r"\b(target|goal|plan|budget|forecast|expected|designed?)\b", re.I)
_INCLUDING = re.compile(r",?\s*\b(including|of which|among which|among them|comprising|consisting of|namely)\b", re.I)
_GENERIC = {"number", "total", "data", "amount", "value", "person", "people", "unit", "indicator"}


# ---- tables read back from their chunks ------------------------------------------------------
@dataclass
class Row:
    group: str
    label: str
    unit: str
    values: dict[str, Figure | None]  # column header -> figure (None for n/a)
    passage: Passage
    line: str

    @property
    def name(self) -> str:
        return f"{self.group} — {self.label}" if self.group and self.group != self.label else self.label


@dataclass
class Table:
    header: list[str]
    caption: str
    rows: list[Row] = field(default_factory=list)


def tables_of(passages: list[Passage]) -> list[Table]:
    """Whole tables again: chunks of one table share its caption and header row."""
    tables: dict[tuple, Table] = {}
    seen: set[tuple] = set()
    for p in passages:
        if p.kind != "table":
            continue
        lines = p.text.splitlines()
        rows = [ln for ln in lines if CELL_SEP.strip() in ln]
        if len(rows) < 2:
            continue
        caption = " ".join(ln for ln in lines if CELL_SEP.strip() not in ln)
        header = [c.strip() for c in rows[0].split("|")]
        key = (p.document, p.section, caption, tuple(header))
        table = tables.setdefault(key, Table(header, caption))
        for line in rows[1:]:
            if (key, line) in seen:
                continue  # repeated across chunks
            seen.add((key, line))
            row = _row(header, line, p)
            if row:
                table.rows.append(row)
    return list(tables.values())


def _row(header: list[str], line: str, p: Passage) -> Row | None:
    cells = [c.strip() for c in line.split("|")]
    labels, values, unit = [], {}, ""
    for i, cell in enumerate(cells):
        head = header[i] if i < len(header) else f"column {i + 1}"
        figs = numbers_in(cell)
        if head.lower() == "unit":
            unit = cell
        elif _NA.match(cell) and i > 0:
            values[head] = None
        elif figs and len(cell) < 40 and not re.search(r"[a-z]{4,}", cell) and i > 0:
            values[head] = figs[0]
        elif cell:
            labels.append(re.sub(r"\s*⁽[⁰¹²³⁴⁵⁶⁷⁸⁹]+⁾", "", cell))
    if not values or not labels:
        return None
    return Row(labels[0] if len(labels) > 1 else "", labels[-1], unit, values, p, line)


# ---- the checks ------------------------------------------------------------------------------
def audit(index: Index, document: str | None = None) -> list[Finding]:
    passages = [p for p in index.passages() if document is None or p.document == document]
    findings: list[Finding] = []
    for table in tables_of(passages):
        findings += _group_totals(table) + _total_rows(table) + _hierarchy(table) + _breakdowns(table)
        findings += _intensities(table)
    texts = [p for p in passages if p.kind != "table"]
    tables = tables_of(passages)
    findings += _sentence_totals(texts) + _restated(tables, texts)
    for table in tables:
        findings += _targets(table, texts)
    for f in findings:  # citations gathered from several places: number them in order
        for n, c in enumerate(f.citations, start=1):
            c.n = n
    return findings


def _cite(*rows_or_passages: Row | Passage, text: str | None = None) -> list[Citation]:
    out, seen = [], set()
    for x in rows_or_passages:
        p = x.passage if isinstance(x, Row) else x
        quote = text or (x.line if isinstance(x, Row) else p.text)
        if (p.id, quote) in seen:
            continue
        seen.add((p.id, quote))
        out.append(p.cite(len(out) + 1, quote))
    return out


def _sum_check(kind: str, what: str, total: Row, parts: list[Row], columns: list[str]) -> list[Finding]:
    findings = []
    for col in columns:
        want = total.values.get(col)
        got = [r.values.get(col) for r in parts]
        if want is None or all(g is None for g in got):
            continue
        figs = [g for g in got if g is not None]
        low = sum(f.value for f in figs) - sum(f.half_step for f in figs)
        high = sum(f.value for f in figs) + sum(f.half_step for f in figs)
        ok = low - want.half_step - 1e-9 <= want.value <= high + want.half_step + 1e-9
        shown = " + ".join(g.text if g else "n/a" for g in got)
        result = want.text if ok else f"{_fmt(sum(f.value for f in figs), figs)}, but the report states {want.text}"
        findings.append(Finding(kind=kind, status="pass" if ok else "fail",
                                message=f"{what} ({col}): {shown} = {result}", citations=_cite(total, *parts)))
    return findings


def _fmt(value: float, figs: list[Figure]) -> str:
    decimals = max((f.decimals for f in figs), default=0)
    return f"{value:,.{decimals}f}"


def _columns(table: Table) -> list[str]:
    """Actual-value columns: targets and plans are not summed with actuals."""
    cols = list(dict.fromkeys(c for r in table.rows for c in r.values))
    return [c for c in cols if not _TARGET.search(c)]


def _additive(row: Row) -> bool:
    return not _NOT_ADDITIVE.search(f"{row.group} {row.label} {row.unit}")


def _group_totals(table: Table) -> list[Finding]:
    """Rows sharing a group label, one of them 'Total ...': the others add up to it."""
    groups: dict[str, list[Row]] = defaultdict(list)
    for r in table.rows:
        if r.group:
            groups[r.group].append(r)
    out = []
    for group, rows in groups.items():
        totals = [r for r in rows if _TOTAL.match(r.label)]
        parts = [r for r in rows if not _TOTAL.match(r.label)]
        if len(totals) == 1 and len(parts) >= 2 and all(_additive(r) for r in rows):
            out += _sum_check("table_total", group, totals[0], parts, _columns(table))
    return out


def _head(label: str) -> list[str]:
    words = [t for t in tokens(re.sub(r"\([^)]*\)", " ", label)) if t not in STOP_STEMS and not t.isdigit()]
    return words[-2:]


def _total_rows(table: Table) -> list[Finding]:
    """'Total energy consumption' then 'Direct ...' and 'Indirect ... energy consumption' rows."""
    out = []
    rows = [r for r in table.rows if not r.group]
    for i, total in enumerate(rows):
        if not _TOTAL.match(total.label) or not _additive(total):
            continue
        parts = []
        for r in rows[i + 1:]:
            if _TOTAL.match(r.label) or r.unit != total.unit or not _additive(r):
                break
            if _head(r.label) == _head(total.label):
                parts.append(r)
        if len(parts) >= 2:
            out += _sum_check("table_total", total.label, total, parts, _columns(table))
    return out


def _hierarchy(table: Table) -> list[Finding]:
    """PDF-style tables: top-level rows (unique labels) add up to a bare 'Total' row, and each
    top-level row to the repeated sub-rows under it ('Electricity', 'Natural Gas')."""
    rows = [r for r in table.rows if not r.group]
    counts = defaultdict(int)
    for r in rows:
        counts[r.label.lower()] += 1
    total = next((r for r in rows if re.fullmatch(r"total", r.label.strip(), re.I)), None)
    repeated = {k for k, n in counts.items() if n > 1}
    if not total or _NOT_ADDITIVE.search(table.caption) or not all(_additive(r) for r in rows):
        return []
    out = []
    top = [r for r in rows if r is not total and r.label.lower() not in repeated and rows.index(r) < rows.index(total)]
    if len(top) >= 2:
        out += _sum_check("table_total", f"{table.caption or 'table'} total", total, top, _columns(table))
    for i, parent in enumerate(rows):
        if parent not in top:
            continue
        children = []
        for r in rows[i + 1:]:
            if r.label.lower() not in repeated:
                break
            children.append(r)
        if len(children) >= 2:
            out += _sum_check("table_total", f"{parent.label}", parent, children, _columns(table))
    return out


def _breakdowns(table: Table) -> list[Finding]:
    """'Number of employees by gender / by age group / by region': the same people counted
    several ways, so the sums agree; a breakdown may cover only one part of another
    (a note such as 'full-time employees only'), which shows as one of its rows."""
    subjects: dict[tuple[str, str], list[tuple[str, list[Row]]]] = defaultdict(list)
    groups: dict[str, list[Row]] = defaultdict(list)
    for r in table.rows:
        if r.group:
            groups[r.group].append(r)
    for group, rows in groups.items():
        m = re.match(r"(.+?)\s+by\s+(.+)", group, re.I)
        if m and len(rows) >= 2 and all(_additive(r) for r in rows) and not any(_TOTAL.match(r.label) for r in rows):
            subjects[(m.group(1).lower(), rows[0].unit)].append((group, rows))
    out = []
    for (subject, _unit), breakdowns in subjects.items():
        if len(breakdowns) < 2:
            continue
        for col in _columns(table):
            sums = {}
            for group, rows in breakdowns:
                figs = [r.values.get(col) for r in rows]
                if any(f is None for f in figs):
                    continue
                sums[group] = (sum(f.value for f in figs), rows)
            if len(sums) < 2:
                continue
            common = max(set(round(v, 6) for v, _ in sums.values()),
                         key=lambda v: sum(round(s, 6) == v for s, _ in sums.values()))
            for group, (value, rows) in sums.items():
                label = f"{group} ({col}) adds up to {value:,.0f}"
                if round(value, 6) == common:
                    status, msg = "pass", f"{label}, as the other breakdowns of {subject} do"
                else:
                    part = next((r for r in rows if r.values.get(col) and abs(r.values[col].value - common) < 1e-6),
                                None)
                    status = "pass" if part else "fail"
                    msg = (f"{label}; the other breakdowns of {subject} ({common:,.0f}) cover its "
                           f"'{part.label}' part" if part else
                           f"{label}, but the other breakdowns of {subject} add up to {common:,.0f}")
                others = [r for g, (_, rs) in sums.items() for r in rs if g != group][:3]
                out.append(Finding(kind="breakdowns", status=status, message=msg, citations=_cite(*rows, *others)))
    return out


def _intensities(table: Table) -> list[Finding]:
    """'X per unit of revenue' = X / revenue: intensities sharing a denominator imply one value of it."""
    by_denominator: dict[tuple[str, str], list[tuple[Row, Row]]] = defaultdict(list)
    for r in table.rows:
        m = re.search(r"\bper\s+(.+)$", r.label, re.I)
        if not m or "/" not in r.unit:
            continue
        num_unit, den_unit = (u.strip() for u in r.unit.split("/", 1))
        base_words = set(_head(r.label[:m.start()])) | set(tokens(r.label[:m.start()]))
        candidates = [t for t in table.rows if t is not r and t.unit.strip() == num_unit]
        if not candidates:
            continue
        numerator = max(candidates, key=lambda t: (len(set(tokens(t.label)) & base_words),
                                                   -len(set(tokens(t.label)) - base_words)))
        by_denominator[(m.group(1).lower().strip(), den_unit)].append((r, numerator))
    out = []
    for (what, den_unit), pairs in by_denominator.items():
        if len(pairs) < 2:
            continue
        for col in _columns(table):
            spans = []
            for intensity, total in pairs:
                i, t = intensity.values.get(col), total.values.get(col)
                if i is None or t is None or i.value <= 0:
                    continue
                lo_i, hi_i = i.value - i.half_step, i.value + i.half_step
                lo_t, hi_t = t.value - t.half_step, t.value + t.half_step
                spans.append((lo_t / hi_i, hi_t / lo_i if lo_i > 0 else float("inf"), intensity, total))
            if len(spans) < 2:
                continue
            lo, hi = max(s[0] for s in spans), min(s[1] for s in spans)
            if lo <= hi:
                out.append(Finding(
                    kind="intensity", status="pass",
                    message=f"{len(spans)} intensities per {what} ({col}) imply the same {what}: "
                            f"{lo:,.1f} to {hi:,.1f} {den_unit}",
                    citations=_cite(*[x for s in spans for x in (s[2], s[3])])))
                continue
            # the odd ones out: spans missing the value that most of the others agree on
            point = max((x for sp in spans for x in sp[:2]), key=lambda x: sum(sp[0] <= x <= sp[1] for sp in spans))
            agree = [sp for sp in spans if sp[0] <= point <= sp[1]]
            if len(agree) < 2:
                out.append(Finding(kind="intensity", status="fail",
                                   message=f"intensities per {what} ({col}) imply different values of {what}",
                                   citations=_cite(*[x for sp in spans for x in (sp[2], sp[3])])))
                continue
            rlo, rhi = max(sp[0] for sp in agree), min(sp[1] for sp in agree)
            for sp in spans:
                if sp in agree:
                    continue
                intensity, total = sp[2].values[col], sp[3].values[col]
                out.append(Finding(
                    kind="intensity", status="fail",
                    message=f"{sp[2].label} ({col}) {intensity.text} with {sp[3].label} {total.text} implies "
                            f"{what} of {total.value / intensity.value:,.1f} {den_unit}; {len(agree)} other "
                            f"intensities imply {rlo:,.1f} to {rhi:,.1f}",
                    citations=_cite(sp[2], sp[3], *[x for r in agree for x in (r[2], r[3])])))
    return out


_MET = re.compile(r"\b(met|meet|meets|achieved|achieving|reached|exceeded|exceeding|surpassed|beat|better than)\b"
                  r"[^.]{0,40}\btargets?\b|\btargets?\b[^.]{0,40}\b(met|achieved|reached|exceeded|surpassed)\b", re.I)


def _targets(table: Table, passages: list[Passage]) -> list[Finding]:
    """Progress against target, where the text says the target was met.

    Which way is better comes from the report's own targets: a next-year target below this
    year's says lower is better (PUE 1.375 -> 1.365). The text's figure must also be the
    table's progress figure."""
    out = []
    targets = [c for c in table.header if _TARGET.search(c) and YEAR.search(c)]
    actuals = [c for c in table.header if not _TARGET.search(c) and YEAR.search(c)]
    for r in table.rows:
        for col in actuals:
            year = YEAR.search(col).group()
            same = [c for c in targets if year in c]
            later = [c for c in targets if int(YEAR.search(c).group()) > int(year)]
            actual, target = r.values.get(col), r.values.get(same[0]) if same else None
            nxt = r.values.get(later[0]) if later else None
            if not (actual and target and nxt) or nxt.value == target.value:
                continue
            lower_better = nxt.value < target.value
            met = actual.value <= target.value if lower_better else actual.value >= target.value
            head = _head(r.label)[-1:]
            for p, sent in _sentences(passages):
                if not head or not _MET.search(sent):
                    continue
                stated = [f for f in numbers_in(sent) if set(head) <= set(tokens(" ".join(figure_windows(sent, f))))]
                if not stated:
                    continue
                f = stated[0]
                agrees = abs(f.value - actual.value) <= max(f.half_step, actual.half_step) + 1e-9
                ok = met and agrees
                way = "lower" if lower_better else "higher"
                msg = (f"{r.label} {year}: {actual.text} against a target of {target.text} ({way} is better, "
                       f"as the next target {nxt.text} shows): {'met' if met else 'missed'}; the text says the "
                       f"target was met with {f.text}")
                out.append(Finding(kind="target", status="pass" if ok else "fail",
                                   message=msg + ("" if agrees else f", but the table shows {actual.text}"),
                                   citations=_cite(r) + _cite(p, text=sent)))
                break
    return out


def _sentences(passages: list[Passage]):
    for p in passages:
        for line in p.text.splitlines():
            for s in SENTENCE_SPLIT.split(line):
                if len(s) > 20:
                    yield p, s.strip()


def _sentence_totals(passages: list[Passage]) -> list[Finding]:
    """'663 patents, including 512 invention, 150 design and 1 utility model patent';
    '742 suppliers, among which 95.7% ... and 4.3% ...'."""
    out, seen = [], set()
    for p, s in _sentences(passages):
        m = _INCLUDING.search(s)
        if not m:
            continue
        head = [f for f in numbers_in(s[:m.start()]) if f.unit != "percent"]
        if not head:
            continue
        total = head[-1]
        tail_text = re.split(r";|, and (?:a total|the|we|our)\b|\. ", s[m.end():])[0]
        tail = numbers_in(tail_text)
        key = (s[:m.start()].strip(), tail_text.strip())
        if len(tail) < 2 or key in seen:
            continue
        seen.add(key)
        if all(f.unit == "percent" for f in tail):
            low = sum(f.value - f.half_step for f in tail)
            high = sum(f.value + f.half_step for f in tail)
            ok = low - 1e-9 <= 100 <= high + 1e-9
            shown = " + ".join(f.text for f in tail)
            out.append(Finding(kind="shares", status="pass" if ok else "fail",
                               message=f"shares of {total.text}: {shown} = {sum(f.value for f in tail):g}%"
                                       + ("" if ok else ", not 100%"),
                               citations=_cite(p, text=s)))
            continue
        noun = set(tokens(s[total.end:m.start()])[:2]) - STOP_STEMS
        parts = [f for f in tail if f.unit == total.unit and
                 (not noun or noun & set(tokens(tail_text[f.end:f.end + 40])[:4]) or
                  noun & set(tokens(s[total.end:m.start()])))]
        if len(parts) < 2:
            continue
        ok = abs(sum(f.value for f in parts) - total.value) <= sum(f.half_step for f in parts) + total.half_step + 1e-9
        shown = " + ".join(f.text for f in parts)
        said = f", as stated ({total.text})" if ok else f", but the sentence states {total.text}"
        out.append(Finding(kind="sentence_total", status="pass" if ok else "fail",
                           message=f"{shown} = {sum(f.value for f in parts):,g}{said}", citations=_cite(p, text=s)))
    return out


def _restated(tables: list[Table], passages: list[Passage]) -> list[Finding]:
    """A table figure stated again in the text: the same value (as the report rounds), or a flag.

    Only a sentence figure whose own words name the row (every distinctive word of its label,
    and no other distinctive word) and whose year is the column's year is compared; values
    more than 25% apart are taken to be different measures, not a misprint."""
    facts = []
    for table in tables:
        for r in table.rows:
            # a category ("Male") is named by its group; a total row ("Total number of suppliers") names itself
            words = _words(r.label) if not r.group or _TOTAL.match(r.label) else _words(r.name)
            if not words:
                continue
            for col, fig in r.values.items():
                years = {int(y) for y in YEAR.findall(col)} or ({r.passage.year} if r.passage.year else set())
                if fig is not None and not _TARGET.search(col) and len(years) == 1:
                    facts.append((words, years.pop(), fig, r, col))
    out = []
    for p, s in _sentences(passages):
        quantities = numbers_in(s)
        if len(quantities) >= 3 and len(re.findall(r"[A-Za-z]{2,}", s)) < 3 * len(quantities):
            continue  # a table row that reached the text as a line of numbers, not a sentence
        stated_years = {int(y) for y in YEAR.findall(s)}
        for f in quantities:
            before, after = figure_windows(s, f)
            own = {t for t in tokens(f"{before} {after}") if t not in STOP_STEMS and not t.isdigit()}
            for words, year, fig, row, col in facts:
                if not words <= own or len(own - words - _GENERIC) > 2:
                    continue
                if (stated_years and year not in stated_years) or (not stated_years and p.year != year):
                    continue
                if aspect_of(s) and aspect_of(row.name) and aspect_of(s) != aspect_of(row.name):
                    continue
                if (f.unit == "percent") != (fig.unit == "percent" or "%" in row.unit):
                    continue
                same = abs(f.value - fig.value) <= max(f.half_step, fig.half_step) + 1e-9
                if not same and abs(f.value - fig.value) > 0.25 * max(abs(f.value), abs(fig.value)):
                    continue
                msg = (f"{row.name} ({col}) {fig.text} is stated again as {f.text}" if same else
                       f"{row.name} ({col}) is {fig.text} in the table but {f.text} in the text")
                out.append(Finding(kind="restated", status="pass" if same else "fail", message=msg,
                                   citations=_cite(row) + _cite(p, text=s)))
    return _dedupe(out)


def _words(label: str) -> set[str]:
    return {t for t in tokens(label) if t not in STOP_STEMS and t not in _GENERIC and not t.isdigit()}


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        if (f.kind, f.message) not in seen:
            seen.add((f.kind, f.message))
            out.append(f)
    return out

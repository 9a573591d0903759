"""The one number/unit parser, shared by answering, cross-check and evals.

Figures are compared as numbers, not strings: "35,796.91" == "35796.910",
"1.370" == "1.37", "50.6 GWh" == "50,600 MWh", "HK$ 3 million" == "HK$3,000,000".
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_SCALES = {
    "thousand": 1e3, "k": 1e3, "'000": 1e3,
    "million": 1e6, "mn": 1e6, "m": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9,
}


def scale_of(label: str) -> float:
    """The scale a unit label states in words ("USD million" -> 1e6, "EUR thousand" -> 1e3); 1.0 if none."""
    words = re.findall(r"[a-z]+", label.lower())
    return next((_SCALES[w] for w in words if w in _SCALES and len(w) > 1), 1.0)


# unit spelling -> (family, factor to the family's base unit)
_UNITS: dict[str, tuple[str, float]] = {
    "%": ("percent", 1.0), "percent": ("percent", 1.0), "per cent": ("percent", 1.0),
    "wh": ("energy", 1e-3), "kwh": ("energy", 1.0), "mwh": ("energy", 1e3),
    "gwh": ("energy", 1e6), "twh": ("energy", 1e9), "gj": ("energy", 277.778),
    "mj": ("energy", 0.277778), "tj": ("energy", 277_778.0),
    "kg": ("mass", 1e-3), "t": ("mass", 1.0), "tonne": ("mass", 1.0), "tonnes": ("mass", 1.0),
    "ton": ("mass", 1.0), "tons": ("mass", 1.0), "kt": ("mass", 1e3), "mt": ("mass", 1e6),
    "m3": ("volume", 1.0), "m³": ("volume", 1.0), "cubic metres": ("volume", 1.0),
    "litres": ("volume", 1e-3), "liters": ("volume", 1e-3),
}
# Units as a question or a header names them, spelled out or abbreviated -> (key, family); to tell
# "in terajoules" from a GWh column. Not for parsing figures (that is _UNITS above).
_UNIT_NAMES: dict[str, tuple[str, str]] = {
    "terajoules?|tj": ("tj", "energy"), "gigajoules?|gj": ("gj", "energy"), "megajoules?|mj": ("mj", "energy"),
    "kilowatt[- ]hours?|kwh": ("kwh", "energy"), "megawatt[- ]hours?|e?mwh": ("mwh", "energy"),
    "gigawatt[- ]hours?|gwh": ("gwh", "energy"), "terawatt[- ]hours?|twh": ("twh", "energy"),
    "kilograms?|kg": ("kg", "mass"), "(?:metric )?tonnes|(?:metric )?tons|t ?co[2₂](?:e|eq)?": ("t", "mass"),
    "(?:metric )?kilo ?ton(?:ne)?s|kt": ("kt", "mass"), "megatonnes|million tonnes|mt": ("mt", "mass"),
    "cubic met(?:re|er)s|m3|m³": ("m3", "volume"), "megalit(?:re|er)s|ml": ("ml", "volume"),
    "lit(?:re|er)s": ("l", "volume"),
}
_UNIT_NAME_RE = [(re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.I), unit)
                 for pattern, unit in _UNIT_NAMES.items()]


def units_named(text: str) -> dict[str, str]:
    """The units a text names ("in terajoules", "GWh", "t CO2e"), each key with its family."""
    return dict(unit for rx, unit in _UNIT_NAME_RE if rx.search(text))


# Emissions are masses of CO2(e); "t CO2e", "tonnes CO2", "tCO2e" all land in family "co2".
_CO2 = re.compile(r"^\s*(?:of\s+)?co\s*[2₂](?:\s*-?e(?:q)?\b)?", re.I)

_CURRENCIES = {
    "hk$": "HKD", "hks": "HKD", "hkd": "HKD", "rmb": "CNY", "cny": "CNY", "¥": "CNY",
    "us$": "USD", "usd": "USD", "$": "USD", "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP",
}

# A figure starts after anything but a letter, digit or separator. Not `\w`: Chinese text glues
# figures to its characters ("总量为12,345吨").
_NUM = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_CURRENCY_RE = r"(?:HK\$|HKS|HKD|RMB|CNY|US\$|USD|EUR|GBP|[$€£¥])"
FIGURE_RE = re.compile(
    rf"(?<![0-9A-Za-z_.,\u00c0-\u024f])(?<![A-Za-z]-)(?P<cur>{_CURRENCY_RE}\s?)?(?P<num>{_NUM})(?![\d])"
    r"(?P<scale>\s?(?:thousand|million|billion|mn|bn)\b)?"
    r"(?P<unit>\s?(?:%|per\s?cent\b|percent\b|[kMGT]Wh\b|Wh\b|GJ\b|MJ\b|TJ\b|kg\b|kt\b|"
    r"tonnes?\b|tons?\b|t\b|m3\b|m³|cubic metres\b|lit(?:re|er)s\b))?",
    re.I,
)
# A year: alone, after "FY", or with a footnote mark glued on ("Jan-Dec 2023²"), never inside a longer number
# ("12,023", "2023.5"). The one year pattern, for questions, sentences, headers and table tokens.
YEAR = re.compile(r"(?<![\d.,])(19[5-9]\d|20\d\d)(?![\d]|[.,]\d)")


@dataclass(frozen=True)
class Figure:
    """A number as printed, with what it measures in comparable form."""

    text: str  # as printed, e.g. "35,796.91" or "HK$ 3 million"
    value: float  # the printed number times its scale word
    unit: str | None  # canonical unit family: percent, energy, mass, co2, volume, or None
    base_value: float  # value in the family's base unit (kWh, tonne, m3)
    currency: str | None
    start: int
    end: int
    decimals: int  # digits after the decimal point as printed (for rounding tolerance)
    is_label: bool = False  # a name, not a quantity: "Scope 2", "31 December", "Phase 1"
    step: float = 0.0  # the printed rounding step in base units: "50.6 GWh" -> 100,000 kWh

    @property
    def half_step(self) -> float:
        """Half the printed rounding step in the figure's own units: "6.8 billion" -> 50 million."""
        if self.base_value:
            return 0.5 * self.step * self.value / self.base_value
        return 0.5 * 10.0 ** -self.decimals

    def rounds_to(self, base_value: float) -> bool:
        """Could this printed figure be `base_value`, rounded the way it is printed?"""
        return abs(self.base_value - base_value) <= 0.5 * self.step + 1e-9 * max(1.0, abs(base_value))

    @property
    def is_year(self) -> bool:
        return self.unit is None and self.currency is None and bool(YEAR.fullmatch(self.text))

    @property
    def is_quantity(self) -> bool:
        return not (self.is_year or self.is_label)


def to_number(text: str) -> float | None:
    """'35,796.91' -> 35796.91; None when the text holds no number."""
    m = re.search(_NUM, text.replace(" ", ""))
    return float(m.group(0).replace(",", "")) if m else None


def parse_figures(text: str) -> list[Figure]:
    """Every figure in `text`, with unit and scale read from the words around it."""
    return list(_parse(text))


@functools.lru_cache(maxsize=8192)
def _parse(text: str) -> tuple[Figure, ...]:
    """Cached: the answerer reads the same sentence's figures once per candidate figure."""
    out: list[Figure] = []
    dates = [d.span() for d in _NUMERIC_DATE.finditer(text)]  # "12/31/2023": its numbers are a date's parts
    for m in FIGURE_RE.finditer(text):
        raw = m.group("num")
        value = float(raw.replace(",", ""))
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        scale_word = (m.group("scale") or "").strip().lower()
        value *= _SCALES.get(scale_word, 1.0)
        unit_word = re.sub(r"\s+", " ", (m.group("unit") or "").strip().lower())
        family, factor = _UNITS.get(unit_word, (None, 1.0))
        end = m.end()
        # a bare "t"/"tonnes" followed by CO2 is an emissions figure
        co2 = _CO2.match(text[end:end + 12])
        if co2 and (family == "mass" or family is None):
            family = "co2"
            end += co2.end()
        cur = (m.group("cur") or "").strip().lower()
        currency = _CURRENCIES.get(cur) if cur else None
        if family is None and unit_word:
            end = m.end("num") + (len(m.group("scale") or ""))
        out.append(Figure(
            is_label=any(a <= m.start() and m.end() <= b for a, b in dates) or _is_label(text, m.start(), m.end(), raw),
            text=text[m.start():end].strip(),
            value=value,
            unit=family,
            base_value=value * factor,
            currency=currency,
            start=m.start(),
            end=end,
            decimals=decimals,
            step=10.0 ** -decimals * _SCALES.get(scale_word, 1.0) * factor,
        ))
    return tuple(out)


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_CURRENCY_CODES = {"RMB", "CNY", "USD", "HKD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "SGD", "US", "HK"}
_LABEL_BEFORE = re.compile(r"(?:(?<=[^\s.!?])\s+|\()([A-Z][A-Za-z]+)\s?$")


# A date written in figures: "12/31/2023", "31.12.2023", "2023-12-31"
_NUMERIC_DATE = re.compile(r"(?<![\d.,/])(?:\d{1,2}([/.])\d{1,2}\1(?:19|20)?\d\d|(?:19|20)\d\d([/.-])\d{1,2}\2\d{1,2})"
                           r"(?![\d/])")


def _is_label(text: str, start: int, end: int, raw: str) -> bool:
    """Day of a date, or a small integer naming something ('Scope 2', '(Phase 1)', 'roles 4+')."""
    before, after = text[max(0, start - 12):start], text[end:end + 12]
    small = raw.isdigit() and len(raw) <= 2
    if small and (before.endswith((")", "]")) or after.startswith("+")):
        # "Total GHG Emissions (t CO2e)1": a footnote mark glued to what it annotates;
        # "roles 4+", "aged 50+": a category from a threshold up
        return True
    if re.search(rf"\b{_MONTH}\.?\s*$", before, re.I) or re.match(rf"\s*{_MONTH}\b", after, re.I):
        return "." not in raw and len(raw) <= 2
    if re.fullmatch(r"\d{4,6}", raw):  # a standard's number: "ISO 45001", "ISO/IEC 27001", "GB/T 36074"
        return _names_standard(before)
    if re.fullmatch(r"\d{1,3}", raw) and _in_code(text, start, end):
        return True
    if "." in raw or "," in raw or len(raw) > 2:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    if re.fullmatch(r"[\s\-•*]*", text[line_start:start]) and re.match(r"\s+[A-Z]", after):
        return True  # "2 Other categories refer to ...": a footnote or list number
    return bool(_LABEL_BEFORE.search(text[max(0, start - 30):start]))


_STANDARD = re.compile(r"\b([A-Z]{2,6})(?:/[A-Z]{1,4})?[\s:-]?$")


def _names_standard(before: str) -> bool:
    """The text just before a number ends in a standard's name ("ISO ", "GRI ", "GB/T "), not a currency."""
    m = _STANDARD.search(before)
    return bool(m) and m.group(1) not in _CURRENCY_CODES


# A disclosure code: "GRI 404-1", "303-5", "ESRS E1-6". Two bare integers joined by a hyphen where the
# second is smaller or a letter or standard's name comes first; "30-50" (a range) is not one.
_CODE = re.compile(r"(?<![\d.,\-–])(?P<pre>[A-Z]{1,2})?(?P<a>\d{1,3})-(?P<b>\d{1,2})(?![\d.,%\-–])")


def _in_code(text: str, start: int, end: int) -> bool:
    """True when the number at text[start:end] is one part of a disclosure code, not a quantity."""
    for m in _CODE.finditer(text, max(0, start - 6), min(len(text), end + 4)):
        if not (m.start("a") <= start and end <= m.end("b")):
            continue
        named = m.group("pre") or _names_standard(text[max(0, m.start() - 12):m.start()])
        return bool(named) or int(m.group("b")) < int(m.group("a"))
    return False


def numbers_in(text: str) -> list[Figure]:
    """The quantities in `text`: years, dates and labels such as 'Scope 2' left out."""
    return [f for f in parse_figures(text) if f.is_quantity]


def same_value(a: float, b: float) -> bool:
    """Equal as numbers (float noise aside); rounding tolerance is Figure.rounds_to's job."""
    return a == b or abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def figures_match(expected: Figure, found: Figure) -> bool:
    """Same quantity: converts units within a family; different currencies never match."""
    if expected.currency and found.currency and expected.currency != found.currency:
        return False
    if expected.unit and found.unit and expected.unit != found.unit:
        # tonnes vs t CO2 is the same measurement, labelled more or less precisely
        if {expected.unit, found.unit} != {"mass", "co2"}:
            return False
    if expected.unit and found.unit:
        # the less precise of the two sets the tolerance: 50.6 GWh matches 50,637.58 MWh
        coarse = expected if expected.step >= found.step else found
        return coarse.rounds_to((found if coarse is expected else expected).base_value) or _relative_close(
            expected.base_value, found.base_value)
    return same_value(expected.value, found.value)


def _relative_close(a: float, b: float, rel: float = 5e-4) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b))


def text_contains_figure(text: str, figure: str | Figure) -> bool:
    """Does `text` state this figure (as a number, in any of the forms above)?"""
    want = figure if isinstance(figure, Figure) else _first(figure)
    if want is None:
        return False
    return any(figures_match(want, f) for f in parse_figures(text))


def _first(text: str) -> Figure | None:
    figs = parse_figures(text)
    return figs[0] if figs else None


def parse_figure(text: str) -> Figure | None:
    """The first figure in a short string such as '35,796.91 tonnes' or '33.8%'."""
    return _first(text)


# --- table cells -------------------------------------------------------------------------------
# A cell is one printed figure, not a sentence: its conventions differ from running text. "(12)" is
# -12 in accounts, "–" and "n/a" mean no figure, and a report may print "2.503,030" for 2,503,030
# next to "604,126" in the same column. The table reader decides the convention per column.

PLACEHOLDERS = frozenset({"-", "–", "—", "−", "‒", "n/a", "n.a.", "n. a.", "n.a", "na", "n/m", "nm", "n.m.", "…",
                          "n/d", "n.d.", "not available", "n.v.", "k.a."})
_CELL = re.compile(r"[<>≤≥~≈]?\(?[-+−–]?\(?(?:[$€£¥]|[A-Z]{3}\s)?\s?(?P<num>\d[\d.,'\u2009\u202f\u00a0 ]*)\)?"
                   r"\s?(?:%|‰|pp|x)?\)?\*{0,3}")


def cell_number(text: str, decimal_comma: bool | None = None) -> float | None:
    """A table cell as printed -> its number: '(12)' -> -12, '1,234' -> 1234, '–'/'n/a' -> None.

    `decimal_comma` is the column's convention (see `decimal_comma_convention`): True reads '1.234,5'
    and '12,5' the German way, False reads every ',' and a '.' before a ',' as thousands separators
    ('2.503,030' -> 2503030), None decides from the text alone.
    """
    t = text.strip()
    if not t or t.lower() in PLACEHOLDERS:
        return None
    m = _CELL.fullmatch(t)
    if not m:
        return None
    core = re.sub(r"[\s'\u2009\u202f\u00a0]", "", m.group("num"))
    if not core or core[-1] in ".,":
        return None
    negative = t.lstrip("<>≤≥~≈").startswith(("(", "-", "−", "–")) or "(-" in t[:3]
    value = _separated(core, decimal_comma)
    if value is None:
        return None
    return -value if negative else value


def _separated(core: str, decimal_comma: bool | None) -> float | None:
    """Digits with ',' and '.' read as thousands or decimal separators."""
    if "." in core and "," in core:
        last_comma, last_dot = core.rfind(","), core.rfind(".")
        if last_comma > last_dot:  # "1.234,5" (German) or "2.503,030" (both thousands)
            tail = core[last_comma + 1:]
            if decimal_comma is False and len(tail) == 3 and _groups_of_3(core.replace(",", ".").split(".")):
                return float(core.replace(",", "").replace(".", ""))
            whole = core[:last_comma].replace(".", "")
            return float(f"{whole}.{tail}") if whole.replace(",", "").isdigit() and tail.isdigit() else None
        whole, _, frac = core.rpartition(".")
        whole = whole.replace(",", "")
        return float(f"{whole}.{frac}") if whole.isdigit() and frac.isdigit() else None
    sep = "," if "," in core else "." if "." in core else ""
    if not sep:
        return float(core)
    parts = core.split(sep)
    if not all(p.isdigit() for p in parts):
        return None
    thousands = len(parts) > 2 or _groups_of_3(parts)
    if sep == ",":
        if decimal_comma is True and len(parts) == 2:
            thousands = False
        if thousands and _groups_of_3(parts):
            return float("".join(parts))
        return float(f"{parts[0]}.{parts[1]}") if len(parts) == 2 else None
    if decimal_comma is True and _groups_of_3(parts):
        return float("".join(parts))
    if len(parts) > 2:
        return float("".join(parts)) if _groups_of_3(parts) else None
    return float(f"{parts[0]}.{parts[1]}")


def _groups_of_3(parts: list[str]) -> bool:
    return all(len(p) == 3 for p in parts[1:])


def decimal_comma_convention(texts: list[str]) -> bool | None:
    """Does this column write decimals with a comma? True/False when its cells show it, else None.

    '12,5' or '1.234,56' show a decimal comma; '1,234.5' or '604,126' beside '2.503,030' show a
    thousands comma. A column of only '1,234' style cells is read as thousands (the common case).
    """
    comma_dec = comma_thou = False
    for t in texts:
        core = re.sub(r"[^\d.,]", "", t)
        if re.search(r"\d,\d{1,2}$|\d,\d{4,}$", core) or re.search(r"\.\d{3},\d{1,2}$", core):
            comma_dec = True
        elif re.search(r"\d,\d{3}(?:\.\d+)?$", core) and not re.search(r"\.\d{3},\d{3}$", core):
            comma_thou = True
        elif re.search(r",\d{3}\.\d+$", core):
            comma_thou = True
    if comma_dec and not comma_thou:
        return True
    if comma_thou and not comma_dec:
        return False
    return None

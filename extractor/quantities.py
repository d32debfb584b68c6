"""Every number in a string, with what is attached to it.

A clinical number rarely stands alone: `7.83 (± 1.71)`, `8.4 (7–10)`, `3% (95% CI: 2%-4%)`,
`4% (204/5,319)`, `13 (44.8%)`. One evidence row is one *quantity*, not one number
(conventions rule 2), so this module groups a headline number with its dispersion, CI,
range, count and denominator, and reports p-values as quantities of their own for the
matchers to attach to the estimate they qualify. It knows syntax only; what a quantity
*means* (score, complication, sample size) is decided by the matchers.

It also refuses numbers that are never evidence and that syntax alone can recognise:
DOIs, URLs, ISBN-like chains (`978-1-4731-2414-1`), dates (`April 15, 2019`),
identifiers glued to letters (`NCT01234567`, `EQ-5D`, `S1`), reference brackets (`[8,
13]`), numbered paragraphs (`4.1 In a ...`) and labels (`Table 2`, `grade 3`).

Hyphens: between two numbers a hyphen is a range separator (`38.6-52.3`); a Unicode minus
(`−`) is always a sign; an ASCII hyphen is a sign only where no number precedes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractor.numbers import DIGITS, NumberWords, load_number_words, parse_digits

_N = rf"(?:[−\-–]\s?)?{DIGITS}"  # a bound inside a CI/range: may be negative
_DASH = r"(?:\s*(?:–|—|-|−|‐|to)\s*)"
_PCT = r"(?:\s?%|\s?percent\b|\s?per\s?cent\b)"
_UNIT = (
    r"(?:percentage\s+points?|points?|pts?|mm\s?Hg|mL/kg/min|ml/kg/min|cm²|cm2|mm|cm|km|m|kg/m2|kg/m²|kg|"
    r"mg/kg|mg|mcg|µg|g|mL|ml|L|IU|"
    r"days?|weeks?|wks?|months?|mos?|years?|yrs?|hours?|hrs?|h|minutes?|mins?|min|"
    r"seconds?|sec|bpm|ms|mmol/l|mmol/L|mg/dl|mg/dL)(?![\w])"
)
_PVAL = re.compile(
    rf"(?<![A-Za-z])[pP](?:\s*[-\s]?values?)?\s*(?P<rel><=|>=|≤|≥|<|>|=|＜|＞)\s*(?P<v>{DIGITS})"
)
_REL_MAP = {
    "≤": "<=",
    "≥": ">=",
    "＜": "<",
    "＞": ">",
    "<=": "<=",
    ">=": ">=",
    "<": "<",
    ">": ">",
    "=": "=",
}

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_EXCLUDED = re.compile(
    "|".join(
        [
            r"\bdoi:\s*\S+",
            r"\b10\.\d{4,9}/\S+",
            r"https?://\S+|www\.\S+",
            r"(?<![\w.])\d+(?:[-‐–]\d+){2,}(?![\w])",  # ISBN, phone, ISO dates
            rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?(?!\d)",
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+\d{{4}})?",
            rf"\b{_MONTH},?\s+\d{{4}}",
            rf"\b\d{{4}}\s+{_MONTH}(?:\s+\d{{1,2}})?\b",
            r"\[\s*\d+(?:\s*[-–,]\s*\d+)*\s*\]",  # reference numbers [12], [8, 13, 21]
            r"^\s*\d{1,2}(?:\.\d{1,2})+(?=\s+[A-Z])",  # numbered paragraph 4.1
            r"^\s*\d{1,2}(?=\s+[A-Z][a-z]+(?:\s+[a-z]+){0,5}\s*$)",  # heading "5 Safety"
            r"\d+:\d+",  # times and ratios 10:30, 1:1
            r"(?i:\b(?:table|fig\.?|figure|file|appendix|phase|version|grade|class|type|"
            r"stage|level|step|section|chapter|page|vol\.?|no\.|model|day|visit|"
            r"supplementary)\s+\d+(?:\.\d+)?)",
        ]
    ),
    re.MULTILINE,
)
_RELATION_BEFORE = re.compile(
    r"(?:(?P<w>less than|fewer than|lower than|more than|greater than|higher than|at least|"
    r"at most|up to|about|approximately|approx\.|around|nearly|almost|over|under|below|"
    r"above|exceeding)|(?P<s><=|>=|≤|≥|<|>|~|≈))\s*$",
    re.IGNORECASE,
)
_REL_WORDS = {
    "less than": "<",
    "fewer than": "<",
    "lower than": "<",
    "under": "<",
    "below": "<",
    "more than": ">",
    "greater than": ">",
    "higher than": ">",
    "over": ">",
    "above": ">",
    "exceeding": ">",
    "at least": ">=",
    "at most": "<=",
    "up to": "<=",
}

_SD_PM = re.compile(rf"\s*(?:±|\+/[-−]|\+[-−]|∓)\s*(?P<sd>{DIGITS})(?P<sdpct>{_PCT})?")
_SD_PAREN = re.compile(
    rf"\s*[(\[]\s*(?:±|\+/[-−]|SD\s*[:=,]?|s\.d\.\s*[:=,]?|standard deviation\s*[:=,]?)\s*"
    rf"(?P<sd>{DIGITS})(?P<sdpct>{_PCT})?\s*[)\]]",
    re.IGNORECASE,
)
_SD_COMMA = re.compile(
    rf"\s*[,;]\s*(?:SD|standard deviation)\s*[:=,]?\s*(?P<sd>{DIGITS})(?P<sdpct>{_PCT})?"
)
_PIN = rf"(?:\s*[;,]\s*{_PVAL.pattern})?"
_CI = re.compile(
    rf"\s*(?:(?P<open>[(\[])\s*)?(?:[,;]\s*)?(?:(?P<lvl>\d{{2}}(?:\.\d+)?)\s?%\s*)?"
    rf"(?:CI|C\.I\.|confidence intervals?|CrI|credible intervals?)(?:\s*[\[(]CI[\])])?"
    rf"\s*[:=,]?\s*(?P<lo>{_N}){_PCT}?\s*(?:–|—|-|−|‐|to|,)\s*(?P<hi>{_N}){_PCT}?"
    rf"(?:\s*[;,]\s*(?:[pP]\s*(?P<prel><=|>=|≤|≥|<|>|=)\s*(?P<pv>{DIGITS})))?"
    rf"(?(open)\s*[)\]])"
)
_RANGE = re.compile(
    rf"\s*[(\[]\s*(?:(?P<rk>IQR|interquartile range|range|min[-–]max)\s*[:=,]?\s*)?"
    rf"(?P<lo>{_N}){_PCT}?{_DASH}(?P<hi>{_N}){_PCT}?"
    rf"(?:\s*[;,]\s*(?:[pP]\s*(?P<prel><=|>=|≤|≥|<|>|=)\s*(?P<pv>{DIGITS})))?\s*[)\]]",
    re.IGNORECASE,
)
_COUNT_FRAC = re.compile(
    rf"\s*[(\[]\s*(?:[nN]\s*=\s*)?(?P<c>{DIGITS})\s*/\s*(?P<d>{DIGITS})\s*[)\]]"
)
_COUNT_N = re.compile(rf"\s*[(\[]\s*[nN]\s*=\s*(?P<c>{DIGITS})\s*[)\]]")
_INNER_COUNT = re.compile(
    rf"\s*[,;]\s*(?:[nN]\s*=\s*)?(?P<c>{DIGITS})(?:\s*/\s*(?P<d>{DIGITS}))?(?=\s*[)\]])"
)
_PCT_PAREN = re.compile(rf"\s*[(\[]\s*(?P<p>{DIGITS})\s?%\s*[)\]]")
_UNIT_AT = re.compile(rf"\s?(?P<u>{_UNIT})")
_FRACTION = re.compile(rf"(?P<c>{DIGITS})\s*/\s*(?P<d>{DIGITS})(?![\d/])")
_OF_FRACTION = re.compile(rf"(?P<c>{DIGITS})\s+(?:out\s+)?of\s+(?:the\s+)?(?P<d>{DIGITS})(?![\d.])")
_WORD_OF_FRACTION = re.compile(
    rf"\s+(?:out\s+)?of\s+(?:the\s+|these\s+|all\s+)?(?P<d>{DIGITS})(?![\d.,]\d)(?!\s?%)"
)
_BARE_RANGE = re.compile(rf"(?P<lo>{DIGITS}){_PCT}?\s*(?:–|—|-|‐)\s*(?P<hi>{_N})(?P<pct>{_PCT})?")
_ANCHOR = re.compile(rf"(?<![\d.,·]){DIGITS}")


@dataclass(frozen=True)
class Quantity:
    """A number with its attachments; offsets are absolute (`offset` added)."""

    start: int
    end: int
    text: str
    value: float | None
    kind: str = "value"  # value | p | range (a bare `a–b` with nothing before it)
    is_percent: bool = False
    percent: float | None = None
    count: int | None = None
    denominator: int | None = None
    sd: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = None
    range_low: float | None = None
    range_high: float | None = None
    range_kind: str | None = None  # 'range' or 'iqr'
    p_value: float | None = None
    p_relation: str | None = None
    unit: str | None = None
    relation: str | None = None  # '<' for "less than 1%", '>=' for "at least 20"
    is_word: bool = False
    n_equals: bool = False  # written as `n = 102`
    compound: bool = False  # part of a compound adjective: `3-cm`, `6-month`
    year_like: bool = False  # a bare integer 1900-2100


def _int(text: str | None) -> int | None:
    value = parse_digits(text) if text else None
    return int(value) if value is not None and value == int(value) else None


def find_quantities(text: str, offset: int = 0, words: NumberWords | None = None) -> list[Quantity]:
    """Quantities in `text`, left to right, never overlapping; offsets shifted by `offset`."""
    words = words or load_number_words()
    blocked = [m.span() for m in _EXCLUDED.finditer(text)]
    found: list[Quantity] = []
    for m in _PVAL.finditer(text):
        found.append(
            Quantity(
                m.start() + offset,
                m.end() + offset,
                m.group(),
                None,
                kind="p",
                p_value=parse_digits(m.group("v")),
                p_relation=_REL_MAP[m.group("rel")],
            )
        )
        blocked.append(m.span())
    anchors = [(m.start(), m.end(), False) for m in _ANCHOR.finditer(text)]
    anchors += [(m.start(), m.end(), True) for m in words.regex.finditer(text)]
    anchors.sort()
    cursor = 0
    for start, end, is_word in anchors:
        if start < cursor or any(a <= start < b for a, b in blocked):
            continue
        if not is_word and _is_identifier(text, start, end):
            continue
        quantity = _parse_at(text, start, end, is_word, words)
        if quantity is None:
            continue
        cursor = quantity.end
        found.append(_shift(quantity, offset, text))
    values = [q for q in found if q.kind != "p"]
    found = [
        q
        for q in found
        if q.kind != "p" or not any(v.start <= q.start and q.end <= v.end for v in values)
    ]
    found.sort(key=lambda q: q.start)
    return found


def _shift(q: Quantity, offset: int, text: str) -> Quantity:
    from dataclasses import replace

    return replace(q, start=q.start + offset, end=q.end + offset, text=text[q.start : q.end])


def _is_identifier(text: str, start: int, end: int) -> bool:
    """Digits glued to letters before them (NCT0123, S1, EQ-5D) or to letters after them
    that are not a unit (3rd, 5D)."""
    before = text[start - 1] if start else ""
    if before and (before.isalpha() or before in "_/"):
        return True
    if before in "-‐" and start >= 2 and text[start - 2].isalnum():
        return True
    after = text[end] if end < len(text) else ""
    if after.isalpha() and not _UNIT_AT.match(text, end):
        return True
    return False


def _parse_at(
    text: str, start: int, end: int, is_word: bool, words: NumberWords
) -> Quantity | None:
    if is_word:
        parsed = words.parse(text[start:end])
        if parsed is None:
            return None
        fields: dict = {"value": float(parsed), "is_word": True}
        pos = end
        of = _WORD_OF_FRACTION.match(text, end)  # `Forty-two of the 60 knees`
        if of and float(parsed) == int(parsed) and _int(of.group("d")) is not None:
            count = int(parsed)
            fields.update(count=count, denominator=_int(of.group("d")))
            return _finish(text, start, of.end(), fields)
    else:
        for regex, kind in (
            (_FRACTION, "fraction"),
            (_OF_FRACTION, "fraction"),
            (_BARE_RANGE, "range"),
        ):
            m = regex.match(text, start)
            if not m:
                continue
            if kind == "fraction":
                count, denominator = _int(m.group("c")), _int(m.group("d"))
                if count is None or denominator is None:
                    continue
                return _finish(
                    text,
                    start,
                    m.end(),
                    {"value": float(count), "count": count, "denominator": denominator},
                )
            if kind == "range" and not _after_number(text, start):
                low, high = parse_digits(m.group("lo")), parse_digits(m.group("hi"))
                pct = bool(m.group("pct"))
                fields = {
                    "value": None,
                    "kind": "range",
                    "range_low": low,
                    "range_high": high,
                    "is_percent": pct,
                    "range_kind": "range",
                }
                pos = m.end()
                unit = _UNIT_AT.match(text, pos)
                if unit and not pct:
                    fields["unit"] = unit.group("u")
                    pos = unit.end()
                return _finish(text, start, pos, fields)
        value = parse_digits(text[start:end])
        if value is None:
            return None
        fields = {"value": value}
        pos = end
        if (
            start
            and text[start - 1] == "−"
            or (
                start >= 1
                and text[start - 1] in "-–"
                and not _after_number(text, start - 1)
                and (start < 2 or text[start - 2] in " ([;:,=")
            )
        ):
            fields["value"] = -value
            start -= 1
    pct = re.compile(_PCT).match(text, pos)
    if pct:
        fields["is_percent"] = True
        fields["percent"] = fields["value"]
        pos = pct.end()
    if not is_word and text[pos : pos + 1] in "-‐" and _UNIT_AT.match(text, pos + 1):
        unit = _UNIT_AT.match(text, pos + 1)
        fields["unit"], fields["compound"] = unit.group("u"), True
        return _finish(text, start, unit.end(), fields)
    pos = _unit(text, pos, fields)
    for _ in range(4):
        new = _attach(text, pos, fields, start)
        if new == pos:
            break
        pos = _unit(text, new, fields)
    if is_word and len(fields) <= 2 and not fields.get("count"):
        pass
    return _finish(text, start, pos, fields)


def _after_number(text: str, pos: int) -> bool:
    """True when the nearest non-space character before `pos` ends a number."""
    before = text[:pos].rstrip()
    return bool(before) and (before[-1].isdigit() or before[-1] == "%")


def _unit(text: str, pos: int, fields: dict) -> int:
    if fields.get("unit") or fields.get("is_percent"):
        return pos
    m = _UNIT_AT.match(text, pos)
    if m:
        fields["unit"] = m.group("u")
        return m.end()
    return pos


def _attach(text: str, pos: int, fields: dict, start: int) -> int:
    """Attach one dispersion, CI, range or count after `pos`; return the new end."""
    if fields.get("sd") is None:
        for regex in (_SD_PM, _SD_PAREN, _SD_COMMA):
            m = regex.match(text, pos)
            if m:
                fields["sd"] = parse_digits(m.group("sd"))
                if m.group("sdpct") and not fields.get("is_percent"):
                    fields["unit"] = "%"  # `35.2 ± 8.1%`: a score measured in percent
                return m.end()
    if fields.get("ci_low") is None:
        m = _CI.match(text, pos)
        if m and (m.group("open") or m.group(0).lstrip()[:1] in ",;" or m.group("lvl")):
            fields["ci_low"], fields["ci_high"] = (
                parse_digits(m.group("lo")),
                parse_digits(m.group("hi")),
            )
            fields["ci_level"] = round(float(m.group("lvl")) / 100, 4) if m.group("lvl") else None
            _p(fields, m)
            return m.end()
    if fields.get("range_low") is None and fields.get("ci_low") is None:
        m = _RANGE.match(text, pos)
        if m:
            fields["range_low"], fields["range_high"] = (
                parse_digits(m.group("lo")),
                parse_digits(m.group("hi")),
            )
            kind = (m.group("rk") or "").lower()
            fields["range_kind"] = "iqr" if kind.startswith(("iqr", "inter")) else "range"
            _p(fields, m)
            return m.end()
    if fields.get("count") is None:
        if fields.get("is_percent"):
            for regex in (_COUNT_FRAC, _COUNT_N, _INNER_COUNT):
                m = regex.match(text, pos)
                if m and (regex is not _INNER_COUNT or _inside_open_paren(text, start)):
                    fields["count"] = _int(m.group("c"))
                    fields["denominator"] = _int(m.groupdict().get("d"))
                    return m.end()
        elif fields.get("value") is not None and float(fields["value"]).is_integer():
            m = _PCT_PAREN.match(text, pos)
            if m:
                fields["count"] = int(fields["value"])
                fields["percent"] = parse_digits(m.group("p"))
                return m.end()
    return pos


def _inside_open_paren(text: str, pos: int) -> bool:
    before = text[max(0, pos - 40) : pos]
    return before.rfind("(") > before.rfind(")") or before.rfind("[") > before.rfind("]")


def _p(fields: dict, m: re.Match[str]) -> None:
    if m.group("pv"):
        fields["p_value"] = parse_digits(m.group("pv"))
        fields["p_relation"] = _REL_MAP[m.group("prel")]


def _finish(text: str, start: int, end: int, fields: dict) -> Quantity:
    """Fill derived fields: relation words before, n = prefix, year-like integers."""
    before = text[max(0, start - 25) : start]
    n_eq = re.search(r"(?<![A-Za-z])[nN]\s*=\s*$", before)
    if n_eq:
        fields["n_equals"] = True
        start -= len(before) - n_eq.start()
    else:
        rel = _RELATION_BEFORE.search(before)
        if rel:
            word = (rel.group("w") or "").lower()
            fields["relation"] = (
                _REL_WORDS.get(word, "~") if word else _REL_MAP.get(rel.group("s"), "~")
            )
    value = fields.get("value")
    plain = text[start:end].strip()
    if (
        value is not None
        and value == int(value)
        and 1900 <= value <= 2100
        and re.fullmatch(r"\d{4}", plain)
    ):
        fields["year_like"] = True
    return Quantity(start=start, end=end, text=text[start:end], **fields)

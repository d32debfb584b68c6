"""Every statistic in a text, found by its shape, whatever it measures.

`576 ± 53 mL`, `2.65 (± 0.52)`, `-16.50 (SD 6.37)`, `8.4 (7–10)`, `14 months (IQR 9–20)`,
`0.62 [95% CI 0.48, 0.80; P<0.001]`, `23 (46.9%) of 49`, `81.5% (145/178)`, `12 of 40`,
`3.2 × 10^9/L`: a clinical statistic is a headline number with things attached to it, and
its shape alone says which is which. This module is the one parser of those shapes, for
prose (`StatisticParser.scan`) and for table cells (`StatisticParser.parse_cell`), so a
value reads the same wherever it is written. It knows notation only: what a statistic is
evidence *of* (a score, a share of patients, a sample size) is decided later, from context.

The words of the notation (`SD`, `IQR`, `confidence interval`, `per cent`, `less than`,
`Table`, units) are data, read from `patterns/statistics.tsv` and `patterns/units.tsv`.

Ambiguous shapes stay ambiguous unless told: `24.1 (3.9)` is a mean and its SD only where
a declaration says so (`mean (SD)`), `12 (9.8)` a count and its percent only under `n (%)`,
and an unlabelled `(0.48–0.80)` is a pair whose meaning (range, IQR, CI) the caller may
declare. Undeclared, `x (y)` is two statistics and a pair is a range.

Time is linear in the length of the text: each statistic is read from one anchor number
within `WINDOW` characters, every pattern is anchored where it is tried, and the
exclusions (dates, identifiers, references) are found in one pass with patterns that
cannot backtrack over unbounded input.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable
from dataclasses import MISSING, dataclass, replace
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any

from extractor.annotate.numbers import DIGITS, NumberWords, load_number_words, parse_digits
from extractor.memo import BoundedMemo
from extractor.patterns_dir import default_patterns_dir

STATISTICS_FILE = "statistics.tsv"
UNITS_FILE = "units.tsv"

# How far after its anchor number one statistic may reach. The longest real ones
# (`0.74 (95% confidence interval [CI], 0.65 to 0.85; P < 0.001 for noninferiority)`) are
# under 100 characters; the bound is what keeps a scan of a pathological text linear.
WINDOW = 200
# Largest magnitude read as a number: beyond it a digit string is an identifier or noise,
# and the value would not survive a REAL or INTEGER column.
MAX_MAGNITUDE = 1e15

ROLES = (
    "sd",
    "se",
    "ci",
    "iqr",
    "range",
    "percent",
    "n",
    "p",
    "to",
    "of",
    "relation",
    "label",
    "join",
)
RELATIONS = ("<", ">", "<=", ">=", "~")
DIMENSIONS = (
    "time",
    "mass",
    "volume",
    "length",
    "area",
    "pressure",
    "concentration",
    "rate",
    "energy",
    "temperature",
    "currency",
    "count",
    "score",
    "proportion",
    "dose",
    "other",
)
# What an ambiguous `x (y)` or unlabelled pair may be declared to mean.
PAREN_MEANINGS = ("sd", "se", "percent")
PAIR_MEANINGS = ("ci", "iqr", "range")

_REL_SYMBOLS = {
    "≤": "<=",
    "≥": ">=",
    "＜": "<",
    "＞": ">",
    "=<": "<=",
    "=>": ">=",
    "<=": "<=",
    ">=": ">=",
    "<": "<",
    ">": ">",
    "=": "=",
    "~": "~",
    "≈": "~",
}
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


@dataclass(frozen=True)
class Statistic:
    """A number with everything its notation attaches to it; offsets are absolute.

    `kind` is `value` for an estimate, count or share; `p` for a p-value; `range` for a
    bare `a–b` with no estimate before it; `ci` for an interval written apart from its
    estimate (`(95% CI, 1.2 to 3.4)` after words), which a later step hands to the
    estimate it qualifies. `shape` names the written form (`estimate_sd`, `count_percent`,
    ...), so rules can ask for a shape without re-reading the text.
    """

    start: int
    end: int
    text: str
    value: float | None
    kind: str = "value"
    shape: str = "number"
    value_end: int = 0  # end of the headline number (and its % or unit), before attachments
    is_percent: bool = False
    percent: float | None = None
    count: int | None = None
    denominator: int | None = None
    sd: float | None = None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = None
    range_low: float | None = None
    range_high: float | None = None
    range_kind: str | None = None  # 'range' or 'iqr' ('range' too for an undeclared pair)
    unlabelled_pair: bool = False  # `(a–b)` with no label: range, IQR or CI, per context
    paren: float | None = None  # a cell's `x (y)` whose meaning nothing declared
    p_value: float | None = None
    p_relation: str | None = None
    unit: str | None = None  # canonical (`mmHg`), from patterns/units.tsv
    unit_text: str | None = None  # as written (`mm Hg`)
    dimension: str | None = None  # of the unit: time, mass, volume, ...
    relation: str | None = None  # '<' for `less than 1%`, '>=' for `at least 20`
    signed: bool = False  # written with an explicit sign: `+0.59`, `−2.4`
    is_word: bool = False  # `Eleven`, `one hundred and five`
    n_equals: bool = False  # written as `n = 102`
    compound: bool = False  # part of a compound adjective: `3-cm`, `6-month`
    year_like: bool = False  # a bare integer 1900-2100


# every field in declaration order, the four without a default as None: filled in this
# order, an instance's dict keeps the layout its class shares, so reads stay fast
_TEMPLATE = {
    f.name: None if f.default is MISSING else f.default for f in dataclass_fields(Statistic)
}
_REQUIRED = frozenset(f.name for f in dataclass_fields(Statistic) if f.default is MISSING)
# what `_statistic` relies on: state in `__dict__`, nothing run after `__init__`, no factory
assert not hasattr(Statistic, "__slots__") and not hasattr(Statistic, "__post_init__")
assert all(f.default_factory is MISSING for f in dataclass_fields(Statistic))


def _statistic(**values: Any) -> Statistic:
    """`Statistic(**values)`, the same object made without the frozen dataclass's
    `__init__`, which sets each of the 32 fields through `object.__setattr__`: 7 µs a
    statistic against 1 µs here, and a first pass makes thousands. A field missing or
    unknown raises `TypeError`, as `__init__` would."""
    if not (_REQUIRED <= values.keys() <= _TEMPLATE.keys()):
        raise TypeError(f"not the fields of a Statistic: {sorted(values)}")
    stat = object.__new__(Statistic)
    state = stat.__dict__
    state.update(_TEMPLATE)
    state.update(values)
    return stat


@dataclass(frozen=True)
class _Unit:
    canonical: str | None
    dimension: str


@dataclass(frozen=True)
class NotationWords:
    """`patterns/statistics.tsv` and `patterns/units.tsv`, read strictly."""

    words: dict[str, tuple[str, ...]]  # role -> spellings
    relations: dict[str, str]  # relation spelling (lower-cased) -> symbol
    units: dict[str, _Unit]  # spelling -> unit

    @classmethod
    def load(cls, directory: Path) -> NotationWords:
        words: dict[str, list[str]] = {role: [] for role in ROLES}
        relations: dict[str, str] = {}
        for path, lineno, row in _rows(directory / STATISTICS_FILE, ["words", "role", "meaning"]):
            role, meaning = row["role"], row["meaning"]
            if role not in ROLES:
                raise ValueError(f"{path}:{lineno}: unknown role {role!r} (one of {ROLES})")
            if (role == "relation") != bool(meaning):
                raise ValueError(f"{path}:{lineno}: `meaning` is for relations only, and needed")
            if role == "relation" and meaning not in RELATIONS:
                raise ValueError(f"{path}:{lineno}: relation {meaning!r} not one of {RELATIONS}")
            for spelling in _split(row["words"]):
                if spelling in words[role]:
                    raise ValueError(f"{path}:{lineno}: duplicate {role} spelling {spelling!r}")
                words[role].append(spelling)
                if role == "relation":
                    relations[spelling.lower()] = meaning
        units: dict[str, _Unit] = {}
        for path, lineno, row in _rows(directory / UNITS_FILE, ["unit", "canonical", "dimension"]):
            if row["dimension"] not in DIMENSIONS:
                raise ValueError(
                    f"{path}:{lineno}: unknown dimension {row['dimension']!r} ({DIMENSIONS})"
                )
            for spelling in _split(row["unit"]):
                if spelling in units:
                    raise ValueError(f"{path}:{lineno}: duplicate unit spelling {spelling!r}")
                units[spelling] = _Unit(row["canonical"] or None, row["dimension"])
        for role in ("sd", "ci", "n", "p", "to", "of"):
            if not words[role]:
                raise ValueError(f"{directory / STATISTICS_FILE}: no spelling for role {role!r}")
        return cls({k: tuple(v) for k, v in words.items()}, relations, units)

    def alternation(self, role: str) -> str:
        return _alternation_of(self.words[role])

    def unit_of(self, written: str) -> _Unit | None:
        unit = self.units.get(written)
        if unit is None:
            lowered = written.lower()
            unit = next(
                (u for s, u in self.units.items() if len(s) >= 4 and s.lower() == lowered), None
            )
        return unit


def _split(cell: str) -> list[str]:
    return [s.strip() for s in cell.split("|") if s.strip()]


def _rows(path: Path, columns: list[str]) -> Iterable[tuple[Path, int, dict[str, str]]]:
    header: list[str] | None = None
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = [f.strip() for f in next(csv.reader([line.rstrip("\n")], delimiter="\t"))]
            if header is None:
                if fields != columns:
                    raise ValueError(f"{path}:{lineno}: expected columns {columns}, got {fields}")
                header = fields
                continue
            fields += [""] * (len(columns) - len(fields))
            if len(fields) != len(columns):
                raise ValueError(f"{path}:{lineno}: expected {len(columns)} columns")
            yield path, lineno, dict(zip(columns, fields, strict=True))


def _is_capital_abbreviation(spelling: str) -> bool:
    letters = spelling.replace("-", "").replace("–", "")
    return len(letters) >= 2 and letters.isupper() and letters.isalnum()


def _alternation(spellings: Iterable[str]) -> str:
    """One regex alternative per spelling, longest first; capitals-only abbreviations
    (`SD`, `CI`) match as written, everything else case-insensitively; a space in a
    spelling matches any run of spaces."""
    parts = []
    for spelling in sorted(set(spellings), key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in spelling.split())
        parts.append(body if _is_capital_abbreviation(spelling) else f"(?i:{body})")
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


@functools.lru_cache(maxsize=64)
def _alternation_of(spellings: tuple[str, ...]) -> str:
    """`_alternation` of a role's spellings, built once: table readers ask for it per
    label (`n`, `p`), and sorting and escaping the spellings each time cost more than
    the search they build."""
    return _alternation(spellings)


def _grouped_alternation(spellings: Iterable[str]) -> str:
    """`_alternation`, with the alternatives that begin with the same letter behind one
    test of that letter, so a position tries only those. It matches what `_alternation`
    matches: alternatives of different ASCII letters (case-insensitive, as all are here)
    never match the same character, and within a letter the order is kept. Any other
    spelling (a capitals-only abbreviation, a non-ASCII start) keeps the plain form."""
    spellings = sorted(set(spellings), key=len, reverse=True)
    groups: dict[str, list[str]] = {}
    for spelling in spellings:
        words = spelling.split()
        first = words[0][0] if words else ""
        if not (first.isascii() and first.isalpha()) or _is_capital_abbreviation(spelling):
            return _alternation(spellings)
        body = r"\s+".join(re.escape(word) for word in words)
        groups.setdefault(first.lower(), []).append(f"(?i:{body})")
    if not groups:
        return "(?!)"
    alternatives = "|".join(f"(?=(?i:{c}))(?:{'|'.join(m)})" for c, m in groups.items())
    # a word of letters (and a final point) before a number: every label is such a word
    # when none holds a space, a digit or another sign, and most words are not before one
    guard = all(re.fullmatch(r"[A-Za-z]+\.?", s) for s in spellings)
    lead = "(?=(?i:[a-z])+\\.?\\s+[A-Za-z]?\\d)" if guard else ""  # folded as the labels are
    return f"{lead}(?:{alternatives})"


def _first_letters(spellings: Iterable[str]) -> str:
    """A regex for the first character of any spelling as `_alternation` matches it:
    capitals-only abbreviations as written, the rest case-insensitively."""
    exact = {s.split()[0][0] for s in spellings if s.split() and _is_capital_abbreviation(s)}
    folded = {s.split()[0][0] for s in spellings if s.split() and not _is_capital_abbreviation(s)}
    parts = []
    if exact:
        parts.append("[" + "".join(re.escape(c) for c in sorted(exact)) + "]")
    if folded:
        parts.append("(?i:[" + "".join(re.escape(c) for c in sorted(folded)) + "])")
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


MEMO_TEXT = 120  # texts up to this length (table cells, brackets) are memoised
MEMO_SIZE = 50_000  # entries kept before the memo starts afresh (bounded memory)


class StatisticParser:
    """The grammar of statistical notation, compiled once from the pattern files."""

    def __init__(self, notation: NotationWords, number_words: NumberWords) -> None:
        self.notation = notation
        self.number_words = number_words
        self._memo: BoundedMemo[list[Statistic]] = BoundedMemo(MEMO_SIZE)
        self._cell_memo: BoundedMemo[Statistic | None] = BoundedMemo(MEMO_SIZE)
        self._compile()

    @classmethod
    def load(cls, directory: Path | None = None) -> StatisticParser:
        return _cached_parser(Path(directory) if directory else default_patterns_dir())

    # -- grammar ---------------------------------------------------------------------------

    def _compile(self) -> None:  # noqa: PLR0915 - one place that states the whole grammar
        w = self.notation.alternation
        num = DIGITS
        bound = rf"(?:[−\-–+]\s?)?{num}"
        pct = rf"(?:\s?%|\s?{w('percent')}\b)"
        to = rf"(?:\s*(?:–|—|--|-|−|‐|{w('to')}\b)\s*)"
        pm = r"(?:±|\+\s?/\s?[-−–]|\+[-−]|∓)"
        rel = r"(?P<rel><=|>=|=<|=>|≤|≥|<|>|=|＜|＞)"
        units = sorted(self.notation.units, key=len, reverse=True)
        unit_alt = "|".join(
            re.escape(u) if len(u) < 4 or not u.isalpha() else f"(?i:{re.escape(u)})" for u in units
        )
        # a unit ends at a non-word character; `%`-free; `/` may continue a unit only as
        # part of a longer listed spelling (tried first)
        self._unit = re.compile(rf"\s?(?P<u>{unit_alt})(?![\w/²³])")
        self._pct = re.compile(pct)
        p_label = w("p")
        self._p = re.compile(
            rf"(?<![\w.])(?:{p_label})(?:\s*\([^()\n]{{1,25}}\))?\s*[-\s]?\s*{rel}\s*"
            rf"(?P<v>{num})(?P<exp>\s?[×x]\s?10\s?\^?\s?[−\-–]\s?\d{{1,3}})?"
        )
        p_inside = rf"(?:{p_label})(?:\s*\([^()\n]{{1,25}}\))?\s*{rel}\s*(?P<pv>{num})"
        self._p_inside = re.compile(p_inside.replace("(?P<rel>", "(?P<prel>"))
        extra = r"(?:\s*[;,]\s*(?P<extra>[^()\[\]\n]{1,80}?))?"
        ci_label = rf"(?:{w('ci')})(?:\s*[\[(](?:{w('ci')})[\])])?"
        level = rf"(?:(?P<lvl>\d{{2}}(?:\.\d+)?)\s?(?:%|{w('percent')})[\s-]*)"
        unit_opt = rf"(?:\s?(?:{unit_alt})(?![\w/²³]))?"
        ci_body = (
            rf"{ci_label}\s*(?:[:=,]|\b(?:{w('of')})\b)?\s*"
            rf"(?P<lo>{bound})(?P<lopct>{pct})?{unit_opt}\s*(?:{to}|,|;)\s*"
            rf"(?P<hi>{bound})(?P<hipct>{pct})?{unit_opt}"
        )
        self._ci = re.compile(
            rf"\s*(?:(?P<open>[(\[])\s*)?(?:[,;]\s*)?{level}?{ci_body}"
            rf"(?(open){extra}\s*[)\]])"
        )
        self._ci_standalone = re.compile(rf"{level}{ci_body}(?:{extra}(?=\s*[)\]]))?")
        pair_extra = extra
        self._labelled_pair = re.compile(
            rf"\s*(?P<open>[(\[])?\s*(?(open)|[,;]\s*)(?P<rk>{w('iqr')}|{w('range')})\s*[:=,]?\s*"
            rf"(?P<lo>{bound}){pct}?{to}(?P<hi>{bound}){pct}?"
            rf"(?(open){pair_extra}\s*[)\]])"
        )
        self._pair = re.compile(
            rf"\s*[(\[]\s*(?P<lo>{bound}){pct}?(?P<sep>{to}|\s*,\s*)(?P<hi>{bound}){pct}?"
            rf"{pair_extra}\s*[)\]]"
        )
        disp = rf"(?P<lab>{w('sd')}|{w('se')})"
        self._disp_pm = re.compile(
            rf"\s*{pm}\s*(?P<sd>{num})(?P<sdpct>{pct})?(?:\s*\(?\s*{disp}\s*\)?(?![\w]))?"
        )
        self._disp_paren = re.compile(
            rf"\s*[(\[]\s*(?:{pm}\s*|{disp}\s*[:=,]?\s*(?:{pm}\s*)?)(?P<sd>{num})(?P<sdpct>{pct})?"
            rf"(?:\s*{disp.replace('lab', 'lab2')})?{extra}\s*[)\]]"
        )
        self._disp_label = re.compile(rf"\s*[(\[]\s*{disp}\s*[)\]]")
        self._disp_comma = re.compile(
            rf"\s*[,;]\s*{disp}\s*[:=,]?\s*(?P<sd>{num})(?P<sdpct>{pct})?"
        )
        n_label = w("n")
        of = rf"(?:{w('of')})"
        self._count_in_paren = re.compile(
            rf"\s*[(\[]\s*(?:{n_label}\s*[=:]\s*)?(?P<c>{num})(?:\s*(?:/|\b{of}\b)\s*(?P<d>{num}))?"
            rf"{extra}\s*[)\]]"
        )
        self._count_inside = re.compile(
            rf"\s*[,;]\s*(?:{n_label}\s*[=:]\s*)?(?P<c>{num})(?:\s*/\s*(?P<d>{num}))?(?=\s*[)\]])"
        )
        self._pct_in_paren = re.compile(
            rf"\s*[(\[]\s*(?P<p>{num}){pct}"
            rf"(?:\s*[;,]\s*(?:{level}?{ci_label}\s*[:=,]?\s*)?"
            rf"(?P<lo>{bound}){pct}?{to}(?P<hi>{bound}){pct}?)?"
            rf"{extra}\s*[)\]]"
        )
        self._paren = re.compile(rf"\s*[(\[]\s*(?P<x>{bound})\s*[)\]]")
        # `13 (n)`: a bracket holding only the count label says the number is a count
        self._count_label = re.compile(rf"\s*[(\[]\s*(?:{n_label})\s*[)\]]")
        # a whole cell that is only an interval (`−0.11 to 0.46`, `(20.71 - 52.14)`): the
        # CI column of a table, or a range
        self._cell_interval = re.compile(
            rf"(?P<open>[(\[])?\s*(?P<lo>{bound})(?P<lopct>{pct})?{to}(?P<hi>{bound})(?P<hipct>{pct})?"
            rf"\s*(?(open)[)\]])"
        )
        # `29.7, 49.5`, `[10.0,16.8]`: a comma joins the bounds of a CI column's cell (a
        # space after it, or decimals on both sides, so `1,234` stays one number)
        decimal = r"[−\-–]?\d+\.\d+"
        self._cell_ci_comma = re.compile(
            rf"(?P<open>[(\[])?\s*(?:(?P<lo>{bound})\s*[,;]\s+(?P<hi>{bound})"
            rf"|(?P<lo2>{decimal})\s*[,;]\s*(?P<hi2>{decimal}))\s*(?(open)[)\]])"
        )
        self._of_denominator = re.compile(rf"\s+{of}\s+(?P<d>{num})(?![\d.,·]\d)(?!\s?%)(?!{to}\d)")
        self._equals_percent = re.compile(rf"\s*=\s*(?P<p>{num}){pct}")
        self._fraction = re.compile(rf"(?P<c>{num})\s*/\s*(?P<d>{num})(?![\d/])")
        self._of_fraction = re.compile(
            rf"(?P<c>{num})\s+{of}\s+(?P<d>{num})(?![\d.,·]\d)(?!\s?%)(?!{to}\d)"
        )
        self._word_of_fraction = re.compile(rf"\s+{of}\s+(?P<d>{num})(?![\d.,·]\d)(?!\s?%)")
        self._bare_range = re.compile(
            rf"(?P<lo>{num})(?P<lopct>{pct})?\s*(?:–|—|--|-|‐)\s*"
            rf"(?P<hi>{bound})(?P<pct>{pct})?"
        )
        self._exponent = re.compile(
            r"\s?[×x*]\s?10\s?(?:\^\s?(?P<e1>[−\-]?\d{1,2})|\(\s?(?P<e2>[−\-]?\d{1,2})\s?\)"
            r"|(?P<e3>[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2}))"
        )
        self._join: re.Pattern[str] | None = None
        self._declaration = re.compile(
            rf"[(\[]\s*(?:±\s*)?(?:(?P<sd>{w('sd')})|(?P<se>{w('se')})|(?P<iqr>{w('iqr')})|"
            rf"(?P<range>{w('range')})|(?P<pct>%|{w('percent')})|"
            rf"(?P<ci>(?:\d{{2}}\s?%\s*)?{w('ci')}))\s*[)\]]"
        )
        # a number not continuing another (`(?<![\d.,·])`), found by `_anchors`: a pattern
        # that starts with a lookbehind is tried at every character, one that starts with
        # its first characters skips to them
        self._anchor = re.compile(num)
        self._relation_before = re.compile(
            rf"(?:(?P<w>{_alternation(self.notation.words['relation'])})|(?P<s><=|>=|≤|≥|<|>|~|≈))"
            r"\s*$"
        )
        # the last character a relation can end with (any case): a text whose last
        # non-space character is none of them is not searched (most are not)
        lasts = {s.split()[-1][-1] for s in self.notation.words["relation"] if s.split()}
        lasts |= set("=≤≥<>~≈")
        self._relation_last = re.compile(
            "[" + "".join(re.escape(c) for c in sorted(lasts)) + "]", re.IGNORECASE
        )
        self._n_before = re.compile(rf"(?<![A-Za-z])(?:{n_label})\s*[=:]\s*$")
        self._currency_before = re.compile(r"(?:US\$|\$|€|£)\s?$")
        # the label alternatives, tried only after their first letter (most words start
        # with a letter some label starts with, and few labels with each)
        grouped_label = _grouped_alternation(self.notation.words["label"])
        month = (
            r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
            r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
        )
        # Everything here is anchored by a lookbehind that stops a match from starting
        # inside a run it already failed on, so the scan stays linear on long digit runs.
        # every exclusion starts with one of these (a reference's `[`, a digit, `doi`,
        # `http`, `www`, a month, a line's leading space, a label word's first letter after
        # no word character): tested first, they spare the full alternation at every other
        # character (no match changes)
        label_first = _first_letters(self.notation.words["label"])
        first = rf"[\[\ddhwJFMASOND]|^\s|(?<![\w.]){label_first}"
        self._excluded = re.compile(
            rf"(?={first})(?:"
            + "|".join(
                [
                    r"\bdoi:\s*\S+",
                    r"\b10\.\d{4,9}/\S+",
                    r"https?://\S+|www\.\S+",
                    r"(?<![\w.\-‐–])\d+(?:[-‐–]\d+){2,}(?![\w])",  # ISBN, phone, ISO dates
                    r"(?<![\d/])\d{1,4}/\d{1,2}/\d{2,4}(?![\d/])",  # 12/05/2020
                    rf"\b{month}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?(?!\d)",
                    rf"(?<!\d)\d{{1,2}}(?:st|nd|rd|th)?\s+{month}(?:,?\s+\d{{4}})?",
                    rf"\b{month},?\s+\d{{4}}",
                    rf"(?<!\d)\d{{4}}\s+{month}(?:\s+\d{{1,2}})?\b",
                    r"\[\s*\d+(?:\s*[-–,]\s*\d+)*\s*\]",  # reference numbers [12], [8, 13, 21]
                    r"^\s*\d{1,2}(?:\.\d{1,2})+(?=\s+[A-Z])",  # numbered paragraph 4.1
                    r"^\s*\d{1,2}(?=\s+[A-Z][a-z]+(?:\s+[a-z]+){0,5}\s*$)",  # heading "5 Safety"
                    r"(?<![\d:])\d+(?::\d+)+(?![\d:])",  # times and ratios 10:30, 1:1, 2:1:1
                    rf"(?<![\w.])(?:{grouped_label})\s+[A-Za-z]?\d+[a-z]?(?![\d.,·]\d)(?![\d])",
                ]
            )
            + ")",
            re.MULTILINE,
        )

    # -- scanning prose ---------------------------------------------------------------------

    def scan(
        self,
        text: str,
        offset: int = 0,
        *,
        paren_means: str | None = None,
        pair_means: str | None = None,
    ) -> list[Statistic]:
        """Statistics in `text`, left to right, never overlapping; offsets shifted by
        `offset`. `paren_means` (`sd`, `se`, `percent`) reads every `x (y)` as declared
        (`Values are mean (SD)`); `pair_means` (`ci`, `iqr`, `range`) every unlabelled
        `(a–b)`."""
        if paren_means not in (None, *PAREN_MEANINGS) or pair_means not in (None, *PAIR_MEANINGS):
            raise ValueError(f"unknown declaration {paren_means!r} / {pair_means!r}")
        if len(text) > MEMO_TEXT:
            return self._scan(text, offset, paren_means, pair_means)
        # table cells repeat (`12 (5.3)`, `NA`, `0.04`): a short text is parsed once
        found = self._memo.get(
            (text, paren_means, pair_means), lambda: self._scan(text, 0, paren_means, pair_means)
        )
        return [_shifted(stat, offset) for stat in found]

    def _scan(
        self, text: str, offset: int, paren_means: str | None, pair_means: str | None
    ) -> list[Statistic]:
        anchors = self._anchors(text)
        anchors += [(m.start(), m.end(), True) for m in self.number_words.regex.finditer(text)]
        if not anchors:  # no number, so no p-value either (its value is a number)
            return []
        # the exclusions (dates, identifiers, references) only ever block an anchor: a
        # text without one is not searched for them
        blocked = [m.span() for m in self._excluded.finditer(text)]
        found: list[Statistic] = []
        for m in self._p.finditer(text):
            found.append(
                _statistic(
                    start=m.start() + offset,
                    end=m.end() + offset,
                    text=m.group(),
                    value=None,
                    kind="p",
                    shape="p",
                    value_end=m.end() + offset,
                    p_value=_p_number(m.group("v"), m.group("exp")),
                    p_relation=_REL_SYMBOLS[m.group("rel")],
                )
            )
            blocked.append(m.span())
        blocked.sort()
        anchors.sort()
        cursor = 0
        block_index = 0
        values: list[Statistic] = []
        for start, end, is_word in anchors:
            if start < cursor:
                continue
            while block_index < len(blocked) and blocked[block_index][1] <= start:
                block_index += 1
            if any(a <= start < b for a, b in blocked[block_index : block_index + 3]):
                continue
            if not is_word and self._is_identifier(text, start, end):
                continue
            stat = self._parse_at(text, start, end, is_word, paren_means, pair_means)
            if stat is None:
                continue
            cursor = stat.end
            values.append(_shifted(stat, offset))
        # a p-value written inside a statistic (`(95% CI 1.1-2.0; P = .03)`) belongs to it
        kept_p = []
        v_index = 0
        for p in found:
            while v_index < len(values) and values[v_index].end <= p.start:
                v_index += 1
            holder = values[v_index] if v_index < len(values) else None
            if holder is None or not (holder.start <= p.start and p.end <= holder.end):
                kept_p.append(p)
        return sorted([*kept_p, *values], key=lambda s: s.start)

    def _anchors(self, text: str) -> list[tuple[int, int, bool]]:
        """Where a number starts that no digit, point or comma comes right before: what
        `finditer` of the number after that lookbehind finds, a candidate at a time (a
        refused start resumes the search one character on, as `finditer` would)."""
        found = []
        search = self._anchor.search
        m = search(text)
        while m is not None:
            start = m.start()
            if start and (text[start - 1] in ".,·" or text[start - 1].isdecimal()):
                m = search(text, start + 1)
                continue
            found.append((start, m.end(), False))
            m = search(text, m.end())
        return found

    def _is_identifier(self, text: str, start: int, end: int) -> bool:
        """Digits glued to letters before them (NCT0123, S1, EQ-5D, CD4) or to letters
        after them that are not a unit (3rd, 5D)."""
        before = text[start - 1] if start else ""
        if before == "/" and text[max(0, start - 2) : start - 1] == "%":
            return False  # `10.8%/5.4%`: a percent for each arm of `(A/B)`
        if before and (before.isalpha() or before in "_/#"):
            return True
        if before in "-‐" and start >= 2 and text[start - 2].isalnum():
            return True
        after = text[end] if end < len(text) else ""
        return bool(after.isalpha() and not self._unit.match(text, end, end + 40))

    def _parse_at(
        self,
        text: str,
        start: int,
        end: int,
        is_word: bool,
        paren_means: str | None,
        pair_means: str | None,
    ) -> Statistic | None:
        limit = min(len(text), start + WINDOW)
        fields: dict = {}
        if is_word:
            parsed = self.number_words.parse(text[start:end])
            if parsed is None:
                return None
            fields.update(value=float(parsed), is_word=True)
            of = self._word_of_fraction.match(text, end, limit)  # `Forty-two of the 60`
            if of and (d := _int(of.group("d"))) is not None:
                fields.update(count=int(parsed), denominator=d, shape="fraction")
                return self._finish(text, start, of.end(), end, fields)
            pos = end
        else:
            standalone_ci = self._ci_standalone.match(text, start, limit)
            if standalone_ci and not _after_number(text, start):
                fields = {"value": None, "kind": "ci", **self._ci_fields(standalone_ci)}
                return self._finish(text, start, standalone_ci.end(), start, fields)
            for regex, shape in ((self._fraction, "fraction"), (self._of_fraction, "fraction")):
                m = regex.match(text, start, limit)
                if not m:
                    continue
                count, denominator = _int(m.group("c")), _int(m.group("d"))
                if count is None or denominator is None or count > denominator:
                    continue  # a part larger than its whole is no share (`reference 2020/1187`)
                fields = {"value": float(count), "count": count, "denominator": denominator}
                fields["shape"] = shape
                pos = m.end()
                eq = self._equals_percent.match(text, pos, limit)  # `145/178 = 81.5%`
                pc = self._pct_in_paren.match(text, pos, limit)  # `12/40 (30%)`
                if pc is None and paren_means == "percent":  # `1/8 (12.5)` under `n/N (%)`
                    pc = self._paren.match(text, pos, limit)
                    pc = pc if pc and pc.group("x")[:1].isdigit() else None
                for extra_match in (eq, pc):
                    if extra_match:
                        group = "p" if "p" in extra_match.groupdict() else "x"
                        fields["percent"] = parse_digits(extra_match.group(group))
                        fields["shape"] = "fraction_percent"
                        if extra_match is pc and pc.groupdict().get("lo"):
                            fields.update(_interval(pc, "ci"))
                        pos = extra_match.end()
                        break
                return self._finish(text, start, pos, m.end(), fields)
            bare = self._bare_range.match(text, start, limit)
            if bare and not _after_number(text, start) and not self._exponent.match(text, end):
                low, high = parse_digits(bare.group("lo")), parse_digits(bare.group("hi"))
                pct = bool(bare.group("pct"))
                fields = {
                    "value": None,
                    "kind": "range",
                    "shape": "range",
                    "range_low": low,
                    "range_high": high,
                    "is_percent": pct,
                    "range_kind": "range",
                }
                pos = bare.end()
                unit = self._unit.match(text, pos, limit)
                if unit and not pct:
                    pos = self._set_unit(fields, unit)
                return self._finish(text, start, pos, start, fields)
            value = parse_digits(text[start:end])
            if value is None:
                return None
            fields["value"] = value
            pos = end
            sign = _sign_before(text, start)
            if sign:
                fields["signed"] = True
                if sign[0] in "−-–":
                    fields["value"] = -value
                start = sign[1]
            exponent = self._exponent.match(text, pos, limit)
            if exponent:
                fields["value"] *= 10 ** _exponent_value(exponent)
                pos = exponent.end()
        value_end = pos
        pct = self._pct.match(text, pos, limit)
        if pct:
            fields["is_percent"] = True
            fields["percent"] = fields["value"]
            pos = value_end = pct.end()
        elif text[pos : pos + 1] in "-‐" and self._unit.match(text, pos + 1, limit):
            unit = self._unit.match(text, pos + 1, limit)
            fields["compound"] = True
            return self._finish(text, start, self._set_unit(fields, unit), pos, fields)
        pos = value_end = self._maybe_unit(text, pos, limit, fields)
        for _ in range(5):
            new = self._attach(text, pos, limit, fields, start, paren_means, pair_means)
            if new == pos:
                break
            pos = self._maybe_unit(text, new, limit, fields)
        return self._finish(text, start, pos, value_end, fields)

    def _maybe_unit(self, text: str, pos: int, limit: int, fields: dict) -> int:
        if fields.get("unit") or fields.get("is_percent"):
            return pos
        m = self._unit.match(text, pos, limit)
        if not m:
            return pos
        end = self._set_unit(fields, m)
        exponent = self._exponent.match(text, pos, limit)  # `10^9/L` after a unit-less value
        return end if not exponent else pos

    def _set_unit(self, fields: dict, m: re.Match[str]) -> int:
        written = m.group("u")
        unit = self.notation.unit_of(written)
        fields["unit_text"] = written
        fields["unit"] = (unit.canonical if unit and unit.canonical else written) if unit else None
        fields["dimension"] = unit.dimension if unit else None
        return m.end()

    def _attach(  # noqa: PLR0911,PLR0912 - one branch per attachable shape
        self,
        text: str,
        pos: int,
        limit: int,
        fields: dict,
        start: int,
        paren_means: str | None,
        pair_means: str | None,
    ) -> int:
        """Attach one dispersion, interval, range, count or percent after `pos`."""
        if fields.get("sd") is not None:
            m = self._disp_label.match(text, pos, limit)  # `0.12 ± 0.04 L (SEM)`
            if m:
                if _alternation_matches(self.notation.words["se"], m.group("lab")):
                    fields["se"], fields["sd"] = fields["sd"], None
                return m.end()
        if fields.get("sd") is None and fields.get("se") is None:
            for regex in (self._disp_pm, self._disp_paren, self._disp_comma):
                m = regex.match(text, pos, limit)
                if m:
                    label = (m.group("lab") or m.groupdict().get("lab2") or "").lower()
                    is_se = bool(label) and _alternation_matches(self.notation.words["se"], label)
                    fields["se" if is_se else "sd"] = parse_digits(m.group("sd"))
                    if m.group("sdpct") and not fields.get("is_percent"):
                        fields["unit"] = fields["unit_text"] = "%"  # `35.2 ± 8.1%`
                        fields["dimension"] = "proportion"
                    self._p_from_extra(m, fields)
                    end = m.end()
                    exponent = self._exponent.match(text, end, limit)
                    if exponent:  # `2.1 ± 0.3 × 10^9`: the power scales both
                        factor = 10 ** _exponent_value(exponent)
                        fields["value"] *= factor
                        key = "se" if is_se else "sd"
                        fields[key] *= factor
                        end = exponent.end()
                    return end
        if fields.get("ci_low") is None:
            m = self._ci.match(text, pos, limit)
            # bounds in % qualify a percent: `37% at 3 months (95% CI 21-54%)` is not the
            # interval of the 3 months
            percent_bounds = m is not None and bool(m.group("lopct") or m.group("hipct"))
            if (
                m
                and (m.group("open") or m.group(0).lstrip()[:1] in ",;" or m.group("lvl"))
                and (fields.get("is_percent") or not percent_bounds)
            ):
                fields.update(self._ci_fields(m))
                return m.end()
        if fields.get("range_low") is None and fields.get("ci_low") is None:
            m = self._labelled_pair.match(text, pos, limit)
            if m:
                kind = (
                    "iqr" if _alternation_matches(self.notation.words["iqr"], m["rk"]) else "range"
                )
                fields.update(_interval(m, kind))
                self._p_from_extra(m, fields)
                return m.end()
            m = self._pair.match(text, pos, limit)
            if m and self._pair_fits(m, fields):
                fields.update(_interval(m, pair_means or "range"))
                fields["unlabelled_pair"] = pair_means is None
                self._p_from_extra(m, fields)
                return m.end()
        if fields.get("count") is None and fields.get("value") is not None:
            m = self._count_label.match(text, pos, limit)
            if m and not fields.get("is_percent") and _whole(fields["value"]):
                fields["count"] = int(fields["value"])  # `13 (n)`
                return m.end()
            if fields.get("is_percent"):
                m = self._count_in_paren.match(text, pos, limit)
                if m:
                    count, denominator = _int(m.group("c")), _int(m.group("d"))
                    if count is not None and (m.group("d") is None or denominator is not None):
                        fields.update(count=count, denominator=denominator)
                        self._p_from_extra(m, fields)
                        return m.end()
                m = self._count_inside.match(text, pos, limit)
                if m and _inside_open_paren(text, start):
                    fields["count"] = _int(m.group("c"))
                    fields["denominator"] = _int(m.group("d"))
                    return m.end()
            elif float(fields["value"]).is_integer() and fields["value"] >= 0:
                m = self._pct_in_paren.match(text, pos, limit)
                if m:
                    fields["count"] = int(fields["value"])
                    fields["percent"] = parse_digits(m.group("p"))
                    if m.groupdict().get("lo"):
                        fields.update(_interval(m, "ci"))
                    self._p_from_extra(m, fields)
                    end = m.end()
                    of = self._of_denominator.match(text, end, limit)  # `23 (46.9%) of 49`
                    if of and (d := _int(of.group("d"))) is not None:
                        fields["denominator"] = d
                        end = of.end()
                    return end
        if (
            paren_means
            and fields.get("value") is not None
            and fields.get("paren") is None
            and not _attached(fields)
        ):
            m = self._paren.match(text, pos, limit)
            if m:
                x = parse_digits(m.group("x"))
                if paren_means == "percent":
                    if float(fields["value"]).is_integer() and x is not None and 0 <= x <= 100:
                        fields["count"], fields["percent"] = int(fields["value"]), x
                        return m.end()
                elif x is not None and x >= 0:
                    fields[paren_means] = x
                    return m.end()
        return pos

    def _pair_fits(self, m: re.Match[str], fields: dict) -> bool:
        """An unlabelled `(a, b)` is an interval only when it holds the estimate; with a
        dash (`(7–10)`) it is read as one whatever it holds, as papers write ranges."""
        if "," not in m.group("sep"):
            return True
        low, high, value = parse_digits(m.group("lo")), parse_digits(m.group("hi")), fields["value"]
        return None not in (low, high, value) and low <= value <= high

    def _ci_fields(self, m: re.Match[str]) -> dict:
        fields = {
            "ci_low": parse_digits(m.group("lo")),
            "ci_high": parse_digits(m.group("hi")),
            "ci_level": round(float(m.group("lvl")) / 100, 4) if m.group("lvl") else None,
        }
        self._p_from_extra(m, fields)
        return fields

    def _p_from_extra(self, m: re.Match[str], fields: dict) -> None:
        extra = m.groupdict().get("extra")
        if not extra:
            return
        p = self._p_inside.search(extra)
        if p and fields.get("p_value") is None:
            fields["p_value"] = parse_digits(p.group("pv"))
            fields["p_relation"] = _REL_SYMBOLS[p.group("prel")]

    def _finish(self, text: str, start: int, end: int, value_end: int, fields: dict) -> Statistic:
        """Fill what the neighbours say: `n =` before, a relation word, a currency sign,
        a year-like integer, and the shape name."""
        before = text[max(0, start - 30) : start]
        n_eq = self._n_before.search(before)
        if n_eq and fields.get("value") is not None:
            fields["n_equals"] = True
            start -= len(before) - n_eq.start()
        else:
            last = len(before.rstrip()) - 1
            rel = (
                self._relation_before.search(before)
                if last >= 0 and self._relation_last.match(before, last)
                else None
            )
            if rel:
                fields["relation"] = (
                    self.notation.relations.get(" ".join(rel.group("w").lower().split()), "~")
                    if rel.group("w")
                    else _REL_SYMBOLS.get(rel.group("s"), "~")
                )
            currency = self._currency_before.search(before)
            if currency and not fields.get("unit"):
                written = currency.group().strip()
                unit = self.notation.unit_of(written)
                fields["unit_text"] = written
                fields["unit"] = unit.canonical if unit and unit.canonical else written
                fields["dimension"] = "currency"
                start -= len(currency.group())
        value = fields.get("value")
        if value is not None and not abs(value) <= MAX_MAGNITUDE:  # also catches inf and nan
            return Statistic(start, end, text[start:end], None, kind="noise", shape="noise")
        plain = text[start:end].strip()
        if (
            value is not None
            and value == int(value)
            and 1900 <= value <= 2100
            and re.fullmatch(r"\d{4}", plain)
        ):
            fields["year_like"] = True
        fields.setdefault("shape", _shape_of(fields))
        return _statistic(start=start, end=end, text=text[start:end], value_end=value_end, **fields)

    # -- lists sharing a unit -------------------------------------------------------------

    def share_units(self, text: str, stats: list[Statistic], offset: int = 0) -> list[Statistic]:
        """`from 44.8 to 24.1%`, `97.6 and 91.4 %`, `12 and 24 months`: a plain number
        joined to the next statistic by a list word takes that statistic's % or unit."""
        if self._join is None:
            self._join = re.compile(
                rf"(?:\s*(?:{_alternation(self.notation.words['join'])})\s*)+"
                if self.notation.words["join"]
                else r"(?!)"
            )
        out = list(stats)
        for i in range(len(out) - 2, -1, -1):
            a, b = out[i], out[i + 1]
            if not _plain_number(a) or b.kind != "value" or not (b.is_percent or b.unit):
                continue
            if not self._join.fullmatch(text, a.end - offset, b.start - offset):
                continue
            if b.is_percent:
                out[i] = replace(a, is_percent=True, percent=a.value, shape="percent")
            elif not b.compound:
                out[i] = replace(a, unit=b.unit, unit_text=b.unit_text, dimension=b.dimension)
        return out

    # -- declarations ------------------------------------------------------------------------

    def declarations(self, text: str) -> tuple[list[str], list[str]]:
        """Every meaning `text` declares for `x (y)` and for a bare pair, in order.

        `Values are mean (SD) or n (%)` declares both `sd` and `percent`: a reader that
        must not guess sees that the text alone does not settle a bracket's meaning.
        """
        paren: list[str] = []
        pair: list[str] = []
        for m in self._declaration.finditer(text):
            for name, target in (("sd", paren), ("se", paren), ("pct", paren), ("iqr", pair)):
                if m.group(name):
                    target.append("percent" if name == "pct" else name)
            for name in ("range", "ci"):
                if m.group(name):
                    pair.append(name)
        return list(dict.fromkeys(paren)), list(dict.fromkeys(pair))

    def declared(self, text: str) -> tuple[str | None, str | None]:
        """What `x (y)` and an unlabelled pair mean where `text` declares it.

        `Values are mean (SD)`, `mean (± SD)`, `median (IQR)`, `n (%)`, `HR (95% CI)`: a
        bracket holding only a notation label declares the format of the bare brackets that
        follow (in the same sentence, paragraph, table column). Returns
        `(paren_means, pair_means)`, each None when nothing is declared.
        """
        paren = pair = None
        for m in self._declaration.finditer(text):
            if paren is None and m.group("sd"):
                paren = "sd"
            elif paren is None and m.group("se"):
                paren = "se"
            elif paren is None and m.group("pct"):
                paren = "percent"
            elif pair is None and m.group("iqr"):
                pair = "iqr"
            elif pair is None and m.group("range"):
                pair = "range"
            elif pair is None and m.group("ci"):
                pair = "ci"
        return paren, pair

    # -- table cells ------------------------------------------------------------------------

    def parse_cell(
        self,
        text: str,
        start: int = 0,
        *,
        paren_means: str | None = None,
        pair_means: str | None = None,
    ) -> Statistic | None:
        """The one statistic a whole cell is (footnote marks around it allowed), else None.

        A cell has no words around its numbers, so the cell must *be* the statistic:
        `54.2 ± 8.1`, `12 (9.8)`, `0.44 [0.31–0.62]`, `< 0.001`, `45 (38%)`; a cell with
        words or two statistics is not one number. `paren_means`/`pair_means` come from the
        table's header, caption or notes (`mean (SD)`, `n (%)`, `HR (95% CI)`).
        """
        if len(text) > MEMO_TEXT:
            return self._parse_cell(text, start, paren_means, pair_means)
        # a table asks about the same cells many times (under each meaning it may have,
        # for its layout, for its readings): a short cell is parsed once
        found = self._cell_memo.get(
            (text, paren_means, pair_means),
            lambda: self._parse_cell(text, 0, paren_means, pair_means),
        )
        return _shifted(found, start) if found is not None else None

    def _parse_cell(
        self, text: str, start: int, paren_means: str | None, pair_means: str | None
    ) -> Statistic | None:
        body, lead = _strip_marks(text)
        if not body:
            return None
        interval = self._cell_interval.fullmatch(body)
        if interval and (interval.group("lopct") is None) == (interval.group("hipct") is None):
            return self._interval_cell(interval, start + lead, pair_means)
        comma = self._cell_ci_comma.fullmatch(body) if pair_means == "ci" else None
        if comma:
            low = comma.group("lo") or comma.group("lo2")
            high = comma.group("hi") or comma.group("hi2")
            return Statistic(
                start=start + lead,
                end=start + lead + len(body),
                text=body,
                value=None,
                kind="ci",
                shape="ci",
                value_end=start + lead,
                ci_low=parse_digits(low),
                ci_high=parse_digits(high),
            )
        found = self.scan(body, start + lead, paren_means=paren_means, pair_means=pair_means)
        if len(found) != 1:
            return None
        stat = found[0]
        covered = stat.end - (start + lead)
        rest = body[covered:].strip()
        head = body[: stat.start - (start + lead)].strip()
        if rest or (head and head not in ("<", ">", "≤", "≥", "=", "~")):
            return None
        return stat

    def _interval_cell(self, m: re.Match[str], start: int, pair_means: str | None) -> Statistic:
        """A cell that is only an interval: the CI of a `95% CI` column when the table
        declares CIs, else a range (an IQR under `median (IQR)`)."""
        low, high = parse_digits(m.group("lo")), parse_digits(m.group("hi"))
        if pair_means == "ci":
            fields: dict = {"kind": "ci", "shape": "ci", "ci_low": low, "ci_high": high}
        else:
            kind = "iqr" if pair_means == "iqr" else "range"
            fields = {"kind": "range", "shape": "range", "range_low": low, "range_high": high}
            fields["range_kind"] = kind
        fields["is_percent"] = m.group("lopct") is not None
        end = start + m.end()
        return Statistic(
            start=start, end=end, text=m.group(), value=None, value_end=start, **fields
        )


def _strip_marks(text: str) -> tuple[str, int]:
    """A cell's text without footnote marks (`12.3ᵃ`, `45*`, `0.02^b^`, `†`), and where
    the kept text begins."""
    body = _CELL_MARKS_END.sub("", text)
    lead = len(body) - len(body.lstrip())
    return body.strip(), lead


_CELL_MARKS_END = re.compile(
    r"(?:\s*(?:[*†‡§¶#ᵃᵇᶜᵈᵉ]+|\^[\w*†‡§¶#][\w*†‡§¶#, ]{0,8}\^|(?<=%)\.))+\s*$"
)


def _whole(value: float) -> bool:
    return float(value).is_integer() and value >= 0


def _plain_number(stat: Statistic) -> bool:
    return (
        stat.kind == "value"
        and stat.shape == "number"
        and stat.value is not None
        and stat.unit is None
        and not stat.is_word
        and not stat.year_like
    )


def _attached(fields: dict) -> bool:
    return any(
        fields.get(k) is not None for k in ("sd", "se", "ci_low", "range_low", "count", "percent")
    )


def _shape_of(fields: dict) -> str:
    if fields.get("kind") == "range":
        return "range"
    if fields.get("value") is None and fields.get("ci_low") is not None:
        return "ci"
    if fields.get("count") is not None:
        if fields.get("is_percent"):
            return "percent_count"
        if fields.get("percent") is not None:
            return "count_percent"
        return "fraction" if fields.get("denominator") is not None else "count"
    if fields.get("is_percent"):
        return "percent_ci" if fields.get("ci_low") is not None else "percent"
    if fields.get("sd") is not None:
        return "estimate_sd"
    if fields.get("se") is not None:
        return "estimate_se"
    if fields.get("ci_low") is not None:
        return "estimate_ci"
    if fields.get("range_low") is not None:
        return "estimate_iqr" if fields.get("range_kind") == "iqr" else "estimate_range"
    if fields.get("n_equals"):
        return "n_equals"
    return "number"


def _interval(m: re.Match[str], kind: str) -> dict:
    low, high = parse_digits(m.group("lo")), parse_digits(m.group("hi"))
    if kind == "ci":
        return {"ci_low": low, "ci_high": high}
    return {"range_low": low, "range_high": high, "range_kind": kind}


def _alternation_matches(spellings: tuple[str, ...], written: str) -> bool:
    lowered = " ".join(written.lower().split())
    return any(lowered == s.lower() for s in spellings)


def _int(text: str | None) -> int | None:
    value = parse_digits(text) if text else None
    if value is None or value != int(value) or abs(value) > MAX_MAGNITUDE:
        return None
    return int(value)


def _p_number(digits: str, exponent: str | None) -> float | None:
    value = parse_digits(digits)
    if value is None or not exponent:
        return value
    power = re.search(r"[−\-–]\s?(\d{1,3})", exponent)
    return value * 10 ** -int(power.group(1)) if power else value


def _exponent_value(m: re.Match[str]) -> int:
    raw = (m.group("e1") or m.group("e2") or m.group("e3") or "0").translate(_SUPERSCRIPTS)
    return int(raw.replace("−", "-"))


def _after_number(text: str, pos: int) -> bool:
    """True when the nearest non-space character before `pos` ends a number."""
    i = pos - 1
    while i >= 0 and i > pos - 20 and text[i] == " ":
        i -= 1
    return i >= 0 and (text[i].isdigit() or text[i] == "%")


def _sign_before(text: str, start: int) -> tuple[str, int] | None:
    """The sign written before the number at `start` and where it begins, if it is one.

    A Unicode minus is always a sign; `-`, `–` and `+` are signs where no number precedes
    them (between two numbers a hyphen is a range): at the start, after a space, bracket,
    `=`, `:`, `;` or `,`; `(- 0.7 gm)` and `vs. + 2.7%` with a space after the sign too.
    """
    if not start:
        return None
    i = start - 1
    if text[i] == " " and i >= 1 and text[i - 1] in "−-–+" and i >= 1:
        sign_at = i - 1
        opener = text[sign_at - 1] if sign_at else ""
        if opener not in "([=" and not (text[sign_at] == "+" and opener == " "):
            return None  # a plus is never a dash: `vs. + 2.7%` is signed
    elif text[i] in "−-–+":
        sign_at = i
    else:
        return None
    sign = text[sign_at]
    if sign == "−":
        return sign, sign_at
    if _after_number(text, sign_at):
        return None
    before = text[sign_at - 1] if sign_at else ""
    if before == "" or before in " ([;:,=\n/":
        return sign, sign_at
    return None


def _inside_open_paren(text: str, pos: int) -> bool:
    before = text[max(0, pos - 40) : pos]
    return before.rfind("(") > before.rfind(")") or before.rfind("[") > before.rfind("]")


def _shifted(stat: Statistic, offset: int) -> Statistic:
    if not offset:
        return stat
    # what `replace` makes, without its per-field keyword round trip (a statistic has no
    # `__post_init__` to rerun): memoised cells and sentences are shifted many times
    shifted = object.__new__(Statistic)  # as `copy.copy` makes it, without its protocol
    state = shifted.__dict__
    state.update(stat.__dict__)
    state["start"] = stat.start + offset
    state["end"] = stat.end + offset
    state["value_end"] = stat.value_end + offset
    return shifted


@functools.lru_cache(maxsize=8)
def _cached_parser(directory: Path) -> StatisticParser:
    return StatisticParser(NotationWords.load(directory), load_number_words(directory))

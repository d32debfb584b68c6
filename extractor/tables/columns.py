"""What a column's headers say about every number under it.

A column's headers, top to bottom (`Drug A (n = 120)` over `Mean`, `Week 12` over
`Placebo`, `HR (95% CI)`, `P`), give its numbers an arm and that arm's size, a time, a
role (a value, a p-value, a CI, an effect, a change or difference, or one sub-column of
an arm: its mean, SD, n or %), and the meaning of a bare bracket (`Mean (SD)`, `n (%)`).
The words are data (`table_headers.tsv`, `effects.tsv`, `timepoints.tsv`, the parser's
notation words); this module only says which part of a header is which. Whatever is left
of a header once those parts are taken out is a *name*: an arm, or, in a table whose
rows are the arms, the outcome (`Total losses (g/kg/hr)`); `interpret.py` decides which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from extractor.annotate.statistics import StatisticParser
from extractor.tables.labels import group_size, one_time, strip_marks, unit_in, without_group_size
from extractor.tables.model import Cell

ROLES = ("value", "p", "ci", "effect", "change")
SUB_ROLES = ("estimate", "sd", "se", "range", "n", "percent")
_PAIR = re.compile(r"(?P<a>[^()]*?[^\W\d_][^()]*?)\s*\(\s*(?P<b>[^()]*[^\W\d_][^()]*)\s*\)")
_EDGE_WORD = re.compile(r"^(?:[a-z]{1,2}\b\W*)+|(?:\W+\b[a-z]{1,2})+$")


@dataclass(frozen=True)
class Level:
    """What one header cell says."""

    cell: Cell
    role: str = "value"
    sub: str | None = None  # the sub-column this cell names (`Mean`, `SD`, `n`, `%`)
    n: int | None = None
    n_start: int | None = None  # absolute span of `n = 120` in the document
    n_end: int | None = None
    name: str | None = None  # what is left: an arm, or an outcome
    total: bool = False
    timepoint: str | None = None
    months: float | None = None
    statistic: str | None = None  # mean / median
    paren: tuple[str, ...] = ()
    pair: tuple[str, ...] = ()
    effect: str | None = None
    change: str | None = None  # change / difference / difference?
    ci_level: float | None = None
    unit: str | None = None
    pair_arms: tuple[str, str] | None = None  # `Intervention (control)`: two arms per cell
    percent_only: bool = False  # `(%)` without a count word: bare numbers are percents
    with_statistic: bool = False  # `Mean days of sick leave`: the name is a measured thing


@dataclass(frozen=True)
class Column:
    """One column: its headers and what they say, combined bottom level first."""

    index: int
    levels: tuple[Level, ...]
    role: str = "value"
    sub: str | None = None
    n_level: Level | None = None
    names: tuple[str, ...] = ()
    total: bool = False
    timepoint: str | None = None
    months: float | None = None
    statistic: str | None = None
    paren: str | None = None
    pair: str | None = None
    effect: str | None = None
    change: str | None = None
    ci_level: float | None = None
    unit: str | None = None
    pair_arms: tuple[str, str] | None = None
    percent_only: bool = False

    @property
    def text(self) -> str:
        """The headers as written, top to bottom: `table_column`."""
        return " › ".join(level.cell.text for level in self.levels)

    @property
    def group_key(self) -> tuple[str, ...]:
        """The headers above the last one: sub-columns sharing them belong together."""
        return tuple(level.cell.text for level in self.levels[:-1])

    @property
    def n(self) -> int | None:
        return self.n_level.n if self.n_level else None


def read_level(cell: Cell, vocab: Any, parser: StatisticParser) -> Level:
    """Everything one header cell says."""
    words = vocab.table_headers
    clean = strip_marks(cell.text)
    size = group_size(cell.text, parser)
    rest = without_group_size(clean, parser)
    paren, pair = parser.declarations(rest)
    level = Level(
        cell=cell,
        paren=tuple(paren),
        pair=tuple(pair),
        unit=unit_in(rest, parser),
        percent_only=percent_only(rest, parser, words),
    )
    if size is not None:
        level = replace(
            level, n=size.n, n_start=cell.start + size.start, n_end=cell.start + size.end
        )
    if words.total.fullmatch(rest.strip(" :;,")):
        return replace(level, total=True)
    taken: list[tuple[int, int]] = []
    level = _role(level, rest, vocab, taken)
    level = replace(level, sub=_sub_role(rest, words, parser), statistic=_statistic(rest, words))
    when = one_time(rest, vocab)
    if when is not None and level.role == "change" and when.timepoint == "baseline":
        taken += [(w.start, w.end) for w in _times(rest, vocab)]  # `change from baseline`
    elif when is not None:
        level = replace(level, timepoint=when.timepoint, months=when.months)
        taken += [(w.start, w.end) for w in _times(rest, vocab)]
    for match in words.statistic_header.finditer(rest):
        taken.append(match.span())
        level = replace(level, with_statistic=True)
    for match in re.finditer(r"[(\[][^()\[\]]*[)\]]", rest):
        if any(parser.declarations(match.group())) or parser.notation.unit_of(match.group()[1:-1]):
            taken.append(match.span())
    name = _residue(rest, taken)
    if name and words.total.fullmatch(name):
        return replace(level, total=True)
    pair_match = _PAIR.fullmatch(name) if name else None
    if pair_match and level.role == "value":
        arms = (pair_match["a"].strip(), pair_match["b"].strip())
        return replace(level, pair_arms=arms, name=None)  # the arms are the cell's own
    if level.sub in ("n", "percent", "sd", "se", "range"):
        name = None  # `n`, `(%)`, `SD` name a sub-column, nothing else
    return replace(level, name=name or None)


def _times(rest: str, vocab: Any) -> list[Any]:
    from extractor.tables.labels import times_in

    return times_in(rest, vocab)


def _role(level: Level, rest: str, vocab: Any, taken: list[tuple[int, int]]) -> Level:
    """p-value, effect, change/difference or CI column; else a value column."""
    words = vocab.table_headers
    p = list(words.p_value.finditer(rest))
    if p and (not rest[: p[0].start()].strip(" ;:,(") or not rest[p[-1].end() :].strip(" ;:,)")):
        taken += [m.span() for m in p]
        return replace(level, role="p")
    try:
        effects = vocab.effects_in(rest, 0)
    except Exception:
        effects = []
    ci = words.ci.search(rest)
    if ci:
        taken.append(ci.span())
        level = replace(level, ci_level=round(float(ci.group("level")) / 100, 4))
    if effects:
        taken += [(t.start, t.end) for t in effects]
        return replace(level, role="effect", effect=effects[0].canonical)
    change = words.change.search(rest)
    if change:
        taken.append(change.span())
        kind = words.statistic_of_change(change.group("quals"), change.group("head"))
        return replace(level, role="change", change=kind)
    if ci and len(_residue(rest, [ci.span()]).split()) <= 1:
        return replace(level, role="ci")
    return level


def _sub_role(rest: str, words: Any, parser: StatisticParser) -> str | None:
    """The sub-column a whole header cell names: `Mean`, `SD (min)`, `SE`, `IQR`, `n`,
    `%` (a unit in brackets does not change what it names)."""
    bare = re.sub(
        r"[(\[]([^()\[\]]*)[)\]]",
        lambda m: " " if parser.notation.unit_of(m.group(1).strip()) else m.group(),
        rest,
    ).strip(" :;,")
    if not bare:
        return None
    if words.n_cell.fullmatch(bare):
        return "n"
    if words.percent_cell.fullmatch(bare) or bare.strip("() ") == "%":
        return "percent"
    for role, pattern in words.sub_columns.items():
        if pattern.fullmatch(bare.strip("() ")):
            return role
    if words.statistic_header.fullmatch(bare):
        return "estimate"
    return None


def _statistic(rest: str, words: Any) -> str | None:
    mean = words.anywhere["note_mean"].search(rest)
    median = words.anywhere["note_median"].search(rest)
    if mean and not median:
        return "mean"
    if median and not mean:
        return "median"
    return None


def _residue(text: str, taken: list[tuple[int, int]]) -> str:
    """The text with the taken spans removed, trimmed of punctuation and short
    lower-case connecting words at its edges."""
    chars = list(text)
    for start, end in taken:
        for i in range(max(0, start), min(len(chars), end)):
            chars[i] = " "
    parts = [p for p in re.split(r"[;:]", "".join(chars)) if re.search(r"[^\W\d_]{2,}", p)]
    rest = " ".join(" ".join(parts).split()).strip(" ,;:/-–")
    rest = _EDGE_WORD.sub("", rest).strip(" ,;:/-–")
    return rest if re.search(r"[^\W\d_]", rest) else ""


def read_column(index: int, cells: list[Cell], vocab: Any, parser: StatisticParser) -> Column:
    """A column from its header cells (top to bottom, repeated spanning cells once)."""
    levels = tuple(read_level(cell, vocab, parser) for cell in cells)
    column = Column(index=index, levels=levels)
    if not levels:
        return column
    bottom_up = list(reversed(levels))
    role_level = next((lv for lv in bottom_up if lv.role != "value"), None)
    declared = next((lv for lv in bottom_up if lv.paren or lv.pair), None)
    when = next((lv for lv in bottom_up if lv.timepoint), None)
    return replace(
        column,
        role=role_level.role if role_level else "value",
        sub=levels[-1].sub,
        n_level=next((lv for lv in bottom_up if lv.n is not None), None),
        names=tuple(lv.name for lv in levels if lv.name),
        total=any(lv.total for lv in levels),
        timepoint=when.timepoint if when else None,
        months=when.months if when else None,
        statistic=next((lv.statistic for lv in bottom_up if lv.statistic), None),
        paren=_single(declared.paren) if declared else None,
        pair=_single(declared.pair) if declared else None,
        effect=role_level.effect if role_level else None,
        change=role_level.change if role_level else None,
        ci_level=next((lv.ci_level for lv in bottom_up if lv.ci_level), None),
        unit=next((lv.unit for lv in bottom_up if lv.unit), None),
        pair_arms=next((lv.pair_arms for lv in bottom_up if lv.pair_arms), None),
        percent_only=bool(declared and declared.percent_only) or levels[-1].sub == "percent",
    )


def percent_only(text: str, parser: StatisticParser, words: Any) -> bool:
    """`(%)` or `rate (%)` declares bare numbers to be percents; `n (%)`, `No. (%)`,
    `Number (%) of patients` declare counts with their percents."""
    paren, _pair = parser.declarations(text)
    if paren != ["percent"]:
        return False
    counts = f"(?:{parser.notation.alternation('n')}|{words.n_cell.pattern})"
    return not re.search(rf"(?<![\w]){counts}\s*[(\[]\s*%", text, re.IGNORECASE)


def _single(meanings: tuple[str, ...]) -> str | None:
    """A declaration settles a bracket only when it names one meaning."""
    return meanings[0] if len(meanings) == 1 else None

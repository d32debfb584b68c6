"""The numbers of one table row: each cell through the statistic parser, then the
sub-columns of one arm joined (`Mean | SD`, `n | %`, `χ | SD`, `estimate | 95% CI`).

A cell is read with what the table declares about its brackets, nearest first: the row
label (`Age, mean (SD)`), its group row (`Sex, n (%)`), the column headers (`n (%)`,
`HR (95% CI)`), then the caption, footnotes and label-column header. A declaration that
names two meanings (`mean (SD) or n (%)`) settles nothing, and the nearer ones are asked
first, so a row saying `n (%)` is not overruled by a caption saying `mean (SD)`. A cell
the parser does not read as one statistic is no reading: there is no second grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from extractor.annotate.statistics import Statistic, StatisticParser
from extractor.tables.columns import Column
from extractor.tables.model import Cell

Declaration = tuple[tuple[str, ...], tuple[str, ...]]
_BRACKETED = re.compile(r"[(\[]\s*([^()\[\]]+?)\s*[)\]]")
_GAP = re.compile(r"^[\s()\[\]]*$")
COUNT_PERCENT = re.compile(r"\d[\d,\u2009\u202f ]*\s+\d+(?:\.\d+)?\s?%")
# a footnote mark inside a cell, before the bracket it does not belong to
_INNER_MARK = re.compile(r"\^[^^\s]{1,8}\^|[*†‡§¶#]+(?=\s*[(\[±])|[ᵃᵇᶜᵈᵉᶠ]+")


@dataclass
class Reading:
    """One statistic of a row, with what its neighbours added to it."""

    column: Column
    cell: Cell
    stat: Statistic
    arm: str | None = None  # a two-arm cell names its own arm
    sd: float | None = None
    se: float | None = None
    count: int | None = None
    denominator: int | None = None
    percent: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = None
    range_low: float | None = None
    range_high: float | None = None
    range_kind: str | None = None
    n: int | None = None
    n_source: str | None = None
    bare_percent: bool = False  # a bare number that the header says is a percent
    joined: list[Cell] = field(default_factory=list)  # the sub-column cells taken in
    used: bool = False  # taken into a neighbour

    @classmethod
    def of(cls, column: Column, cell: Cell, stat: Statistic, arm: str | None = None) -> Reading:
        return cls(
            column=column,
            cell=cell,
            stat=stat,
            arm=arm,
            sd=stat.sd,
            se=stat.se,
            count=stat.count,
            denominator=stat.denominator,
            percent=stat.percent,
            ci_low=stat.ci_low,
            ci_high=stat.ci_high,
            ci_level=stat.ci_level,
            range_low=stat.range_low,
            range_high=stat.range_high,
            range_kind=stat.range_kind,
        )

    @property
    def value(self) -> float | None:
        return self.stat.value

    @property
    def bare(self) -> bool:
        """A number with nothing attached (`54.2`, `27`), the kind a sub-column completes."""
        return self.stat.shape == "number" and self.stat.kind == "value" and not self.joined

    @property
    def whole(self) -> bool:
        return self.value is not None and float(self.value).is_integer() and self.value >= 0


def holds_statistic(text: str, parser: StatisticParser) -> bool:
    """A cell holding a number a table reports (whatever its brackets are declared to
    mean; a bracketed `(22)` under `(%)` and a `2219 45%` too); a year or a time heading
    is not one."""
    if COUNT_PERCENT.fullmatch(text.strip()):
        return True
    inner = _BRACKETED.fullmatch(text.strip())
    candidates = [text, _INNER_MARK.sub(lambda m: " " * len(m.group()), text)]
    for candidate in [*candidates, inner.group(1)] if inner else candidates:
        for meaning in (None, "sd", "percent"):
            stat = parser.parse_cell(candidate, paren_means=meaning)
            if stat is not None:
                return not stat.year_like and not (
                    stat.dimension == "time" and stat.shape == "number"
                )
    return False


def resolve(sources: list[Declaration]) -> tuple[str | None, str | None]:
    """(paren_means, pair_means) from declarations, nearest first; a source declaring two
    meanings for the same thing stops the search with None."""
    paren = pair = None
    paren_done = pair_done = False
    for parens, pairs in sources:
        if not paren_done and parens:
            paren, paren_done = (parens[0] if len(parens) == 1 else None), True
        if not pair_done and pairs:
            pair, pair_done = (pairs[0] if len(pairs) == 1 else None), True
    return paren, pair


def read_cell(
    cell: Cell, column: Column, sources: list[Declaration], parser: StatisticParser
) -> list[Reading]:
    """The statistic(s) a cell holds: one, two for a cell of two arms (`3.0±1.5 (4.3±1.9)`
    under `Intervention (control)`), or none."""
    if cell.empty:
        return []
    column_declaration: Declaration = (
        (column.paren,) if column.paren else (),
        (column.pair,) if column.pair else (),
    )
    paren, pair = resolve([*sources[:2], column_declaration, *sources[2:]])
    if column.role == "ci":
        pair = "ci"  # a `95% CI` column holds intervals whatever else is declared
    text, start = cell.text, cell.start
    inner = _BRACKETED.fullmatch(text.strip().rstrip("*†‡§¶#"))
    if inner and column.sub == "percent":  # `(22)` under `(%)`
        text, start = inner.group(1), cell.start + cell.text.index(inner.group(1))
    stat = parser.parse_cell(text, start, paren_means=paren, pair_means=pair)
    if stat is None and _INNER_MARK.search(text):  # `61.2^a^ (14.0)`: the mark is blanked
        blanked = _INNER_MARK.sub(lambda m: " " * len(m.group()), text)
        stat = parser.parse_cell(blanked, start, paren_means=paren, pair_means=pair)
        if stat is not None:
            stat = replace(stat, text=text[stat.start - start : stat.end - start])
    if stat is None and column.pair_arms:
        return _two_arms(cell, column, paren, pair, parser)
    if stat is None:
        return _count_and_percent(cell, column, parser)
    if stat is None or stat.kind == "noise" or stat.year_like:
        return []
    reading = Reading.of(column, cell, stat)
    if column.sub == "percent" and reading.bare:
        reading.percent, reading.bare_percent = stat.value, True
    return [reading]


def _two_arms(
    cell: Cell, column: Column, paren: str | None, pair: str | None, parser: StatisticParser
) -> list[Reading]:
    """A cell that is two statistics, the second in brackets: one reading per arm."""
    found = [
        s
        for s in parser.scan(cell.text, cell.start, paren_means=paren, pair_means=pair)
        if s.kind == "value"
    ]
    if len(found) != 2 or column.pair_arms is None:
        return []
    gaps = [
        cell.text[: found[0].start - cell.start],
        cell.text[found[0].end - cell.start : found[1].start - cell.start],
        cell.text[found[1].end - cell.start :],
    ]
    if not all(_GAP.match(g) for g in gaps) or "(" not in gaps[1] + gaps[2]:
        return []
    first, second = column.pair_arms
    return [Reading.of(column, cell, found[0], first), Reading.of(column, cell, found[1], second)]


def _count_and_percent(cell: Cell, column: Column, parser: StatisticParser) -> list[Reading]:
    """`2219 45%`: a count and its percent side by side in one cell."""
    found = [s for s in parser.scan(cell.text, cell.start) if s.kind == "value"]
    if len(found) != 2:
        return []
    count, share = found
    gap = cell.text[count.end - cell.start : share.start - cell.start]
    if gap.strip() or count.shape != "number" or not share.is_percent or share.shape != "percent":
        return []
    if count.value is None or not float(count.value).is_integer() or count.value < 0:
        return []
    reading = Reading.of(column, cell, count)
    reading.count, reading.percent = int(count.value), share.percent
    return [reading]


def combine(readings: list[Reading]) -> list[Reading]:
    """Join each reading with the sub-column after it (same arm headers, next column)."""
    for current, following in zip(readings, readings[1:], strict=False):
        if current.used or following.used or not _neighbours(current, following):
            continue
        if _join(current, following):
            following.used = True
            current.joined.append(following.cell)
    return [r for r in readings if not r.used]


def _neighbours(a: Reading, b: Reading) -> bool:
    """`b` is a sub-column of `a`'s arm: the next column, under the same upper headers,
    and its header (or `a`'s own `13 (n)`) says it completes a value."""
    return (
        b.column.index == a.column.index + 1
        and a.column.group_key == b.column.group_key
        and a.arm == b.arm
        and (b.column.sub is not None or b.column.role == "ci" or a.stat.shape == "count")
    )


def _join(a: Reading, b: Reading) -> bool:  # noqa: PLR0911 - one branch per sub-column kind
    """Take `b` into `a` when `b` is the dispersion, percent, CI or range of `a`."""
    b_percent = b.stat.is_percent or b.bare_percent or (b.column.sub == "percent" and b.bare)
    if b_percent and a.column.sub == "n" and b.column.sub is None:
        return False  # `n | Seroprevalence (%)`: n is the share's denominator (column_n)
    countable = a.stat.shape in ("count", "fraction") or (
        a.bare and a.whole and a.column.sub in ("n", None, "estimate")
    )
    if b_percent and countable and a.percent is None and b.value is not None:
        a.count = a.count if a.count is not None else int(a.value)
        a.percent = b.value
        return True
    if not _estimate(a):
        return False
    if b.column.sub == "sd" and b.bare and a.sd is None and a.se is None:
        a.sd = b.value
        return True
    if b.column.sub == "se" and b.bare and a.sd is None and a.se is None:
        a.se = b.value
        return True
    interval = b.stat.kind in ("ci", "range") and b.value is None
    low = b.ci_low if b.ci_low is not None else b.range_low
    high = b.ci_high if b.ci_high is not None else b.range_high
    if interval and b.column.role == "ci" and a.ci_low is None:
        a.ci_low, a.ci_high = low, high
        a.ci_level = b.column.ci_level or a.column.ci_level
        return True
    if interval and b.column.sub == "range" and a.range_low is None:
        a.range_low, a.range_high, a.range_kind = low, high, b.range_kind
        return True
    return False


def _estimate(reading: Reading) -> bool:
    """A value that a dispersion or interval may qualify (not a count or a share)."""
    return (
        reading.value is not None
        and reading.count is None
        and reading.percent is None
        and not reading.stat.is_percent
    )


def column_n(readings: list[Reading]) -> None:
    """An `n` sub-column gives its size to the value after it (`n | Median (IQR)`), and is
    the denominator of a share given alone (`n | Seroprevalence (%)`)."""
    for current, following in zip(readings, readings[1:], strict=False):
        if (
            current.column.sub == "n"
            and current.bare
            and current.whole
            and following.column.index == current.column.index + 1
            and following.n is None
        ):
            following.n, following.n_source = int(current.value), "n column"
            if following.percent is not None and following.count is None:
                following.denominator = int(current.value)

"""Undo what a text layout loses of a table's header, or say that it could not.

Pandoc writes a table with spanning headers as a simple or multiline table, which has no
column spans: a spanning header (`Apple Juice n = 30` over `Mean | SD`) lands in one
column, and the converters of the PMC corpus pack such a row to the left (`Apple Juice |
White Grape Juice | Water` over six sub-columns), push a second header row below the
rule, or drop its empty first cell so that it starts one column early. Read as written,
every value would get the wrong arm. The repairs here are the ones the layout itself
proves:

* a leading body row with no statistic in it (`χ | SD | χ | SD`) is a header row;
* a header row that fills exactly the value columns but starts in the label column has
  lost its empty first cell and moves right;
* an upper header row is spread over the sub-columns below it when the sub-columns repeat
  (`χ SD χ SD χ SD` under three arms), or when each upper cell already sits over its own
  group of them;
* a row in the body that repeats the header's form (`Intervention 4-12 months m (SD) |
  TAU 4-12 months m (SD) | p`) starts a new table with that header.

A repair the layout does not prove (the sub-columns do not repeat) is still made when the
counts agree, but the grid is marked uncertain; where nothing fits, the header is left
as written and marked uncertain too. Rows read from an uncertain grid carry the
`table_columns_uncertain` flag.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from extractor.tables.canonical import Grid

IsStatistic = Callable[[str], bool]

_N_EQUALS = re.compile(r"[(\[]?\s*[nN]\s*=\s*[\d,]+\s*[)\]]?")


def repair(grid: Grid, is_statistic: IsStatistic, positional: bool = True) -> list[Grid]:
    """The grid with its header made whole, split where a second header starts.

    `positional` is for layouts whose columns are positions (pandoc simple and multiline
    tables): only there can a row lose its empty first cell; a pipe or grid table writes
    every cell between its separators."""
    grid = grid.squared()
    grid = _promote(grid, is_statistic)
    values = _value_columns(grid, is_statistic)
    if positional:
        grid.header = (
            [grid.header[0]] + [_shifted(r, values, grid) for r in grid.header[1:]]
            if grid.header
            else []
        )
    if _demote_stray(grid):
        _demote_partial(grid, values)
    for upper in range(len(grid.header) - 2, -1, -1):
        grid.header[upper] = _spread(grid.header[upper], grid.header[upper + 1], values, grid)
    return _split(grid, is_statistic)


def _header_like(row: list[str], is_statistic: IsStatistic) -> bool:
    """Two or more cells and none of them a number (an `n = 24` is a header's)."""
    filled = [c for c in row if c.strip()]
    return len(filled) >= 2 and not any(
        is_statistic(c) and not _N_EQUALS.fullmatch(c.strip()) for c in filled
    )


def _promote(grid: Grid, is_statistic: IsStatistic) -> Grid:
    """Leading body rows without a number are header rows (a table of words is left)."""
    if not any(not _header_like(r, is_statistic) and any(r[1:]) for r in grid.body):
        return grid
    while grid.body and _header_like(grid.body[0], is_statistic):
        grid.header.append(grid.body.pop(0))
    return grid


def _value_columns(grid: Grid, is_statistic: IsStatistic) -> list[int]:
    return [
        j
        for j in range(1, grid.ncols)
        if any(j < len(r) and r[j].strip() and is_statistic(r[j]) for r in grid.body)
    ]


def _filled(row: list[str]) -> list[int]:
    return [j for j, c in enumerate(row) if c.strip()]


def _shifted(row: list[str], values: list[int], grid: Grid) -> list[str]:
    """A row filling the value columns' count from the label column has lost its first
    empty cell(s): move it over the value columns."""
    filled = _filled(row)
    if not values or not filled or filled[0] != 0 or filled != list(range(len(filled))):
        return row
    contiguous = values == list(range(values[0], values[0] + len(values)))
    if len(filled) != len(values) or not contiguous or values[0] < 1:
        if row is grid.header[-1] and len(filled) > 1 and filled[-1] < values[-1]:
            grid.uncertain = True  # the row over the values labels only some: unplaced
        return row
    grid.uncertain = True
    width = len(row)
    return ([""] * values[0] + row[: len(filled)] + [""] * width)[:width]


def _demote_stray(grid: Grid) -> bool:
    """A lower header row with text in the label column, under a first row that has its
    own label-column header, has lost its place (`Item | EP group | ...` over `n (%) |
    n (%) | n (%)`) and could not be moved: it goes back to the body, where a row of
    words labels nothing, and the table is uncertain. True when a row went back."""
    if len(grid.header) < 2 or not grid.header[0][0].strip():
        return False
    moved = False
    for index in range(len(grid.header) - 1, 0, -1):
        row = grid.header[index]
        if row[0].strip():
            grid.body.insert(0, grid.header.pop(index))
            grid.uncertain = moved = True
    return moved


def _demote_partial(grid: Grid, values: list[int]) -> None:
    """Once a sub-header row was found out of place, the header row above it is only
    trusted if it labels every value column; else it goes to the body too (the spans it
    had are lost, and a header over the wrong column would give values the wrong arm)."""
    while grid.header and any(not grid.header[-1][j].strip() for j in values):
        grid.body.insert(0, grid.header.pop())


def _norm(text: str) -> str:
    """A sub-header's form: `Placebo (n = 42)` and `Placebo (n = 70)` repeat."""
    text = _N_EQUALS.sub(" ", text.lower())
    text = re.sub(r"[\d\W_]+", " ", text)
    return " ".join(text.split())


def _period(cells: list[str]) -> tuple[int, int] | None:
    """(p, groups): the sub-columns repeat every p columns, `groups` times, perhaps
    followed by columns that do not repeat (`n % n % X² p`); the longest repetition
    wins, then the shortest period. None when nothing repeats."""
    forms = [_norm(c) for c in cells]
    best: tuple[int, int] | None = None
    for p in range(1, len(forms) // 2 + 1):
        for groups in range(len(forms) // p, 1, -1):
            if all(forms[i] == forms[i % p] for i in range(groups * p)):
                if best is None or groups * p > best[0] * best[1]:
                    best = (p, groups)
                break
    return best


def _spread(upper: list[str], lower: list[str], values: list[int], grid: Grid) -> list[str]:
    """Spread an upper header row over the groups of sub-columns in the row below."""
    below = [j for j in _filled(lower) if j >= 1]
    above = [j for j in _filled(upper) if j >= 1]
    if not below or not above:
        return upper
    start, end = below[0], below[-1]
    if below != list(range(start, end + 1)):
        return upper
    if all(upper[j].strip() for j in below):
        return upper  # already one upper cell per sub-column
    inside = [j for j in above if start <= j <= end]
    beyond = [j for j in values if j > end] + [j for j in above if j > end and j not in values]
    found = _period(lower[start : end + 1])
    exact = found is not None
    if found is None:
        if not inside or (end - start + 1) % len(inside):
            grid.uncertain = True
            return upper
        p, groups = (end - start + 1) // len(inside), len(inside)
    else:
        p, groups = found
        k, m = len(inside), end - start + 1
        if _packed(inside, start) and k < groups and groups % k == 0:
            p, groups = p * (groups // k), k  # `n % n %` under two arms
        elif _packed(inside, start) and k > groups and m % k == 0 and m // k == p:
            groups, exact = k, False  # the last group does not repeat the first exactly
    if p < 2 and not exact:
        grid.uncertain = True
        return upper
    bounds = [(start + g * p, start + (g + 1) * p - 1) for g in range(groups)]
    tail = list(range(start + groups * p, end + 1))
    out = list(upper)
    owners = [next((g for g, (a, b) in enumerate(bounds) if a <= j <= b), None) for j in inside]
    if None not in owners and len(set(owners)) == len(owners) and not _packed(inside, start):
        for j, g in zip(inside, owners, strict=True):  # each over its own group already
            a, b = bounds[g]
            for k in range(a, b + 1):
                out[k] = upper[j]
        if not exact:
            grid.uncertain = True
        return out
    if not _packed(inside, start):
        grid.uncertain = True
        return upper
    texts = [upper[j] for j in inside] + [upper[j] for j in above if j > end]
    if len(texts) < groups:
        grid.uncertain = True
        return upper
    out = list(upper)
    for j in range(start, len(out)):
        out[j] = ""
    for g, (a, b) in enumerate(bounds):
        for k in range(a, b + 1):
            out[k] = texts[g]
    rest = texts[groups:]
    targets = tail + [j for j in beyond if j not in tail]
    if rest and len(rest) != len(targets):
        grid.uncertain = True
    for j, text in zip(targets, rest, strict=False):
        out[j] = text
    if not exact:
        grid.uncertain = True
    return out


def widen_short_spans(upper: list[str], starts: list[bool], lower: list[str]) -> list[str]:
    """An upper header row of a structured source (JATS) whose spanning cells are each
    shorter than the group of sub-columns they head, widened to that group.

    A `colspan="2"` over `n (%) | Mean | SD` leaves the third sub-column without an arm;
    the header is proven short only when the sub-columns repeat (`n (%) Mean SD n (%)
    Mean SD`), every repeating group holds exactly one spanning cell, and every spanning
    cell lies inside its group. The widened cells are only the group's empty ones, so a
    well-formed header comes back unchanged. `starts` marks the column where each upper
    cell begins (its colspan's repeats are False); column 0 is the row labels'."""
    below = [j for j in _filled(lower) if j >= 1]
    if not below or below != list(range(below[0], below[-1] + 1)):
        return upper
    start = below[0]
    found = _period(lower[start : below[-1] + 1])
    if found is None:
        return upper
    period, groups = found
    if period < 2:
        return upper
    spans = _spans(upper, starts)
    group_of = lambda j: (j - start) // period if start <= j < start + groups * period else None  # noqa: E731
    owner: dict[int, tuple[int, int]] = {}
    for first, last in spans:
        group = group_of(first)
        if group is None:
            if first < start + groups * period and last >= start:
                return upper  # a cell straddling the groups: the header is not short
            continue
        if group_of(last) != group or group in owner:
            return upper
        owner[group] = (first, last)
    if len(owner) != groups:
        return upper
    out = list(upper)
    for group, (first, _last) in owner.items():
        for j in range(start + group * period, start + (group + 1) * period):
            if not out[j].strip():
                out[j] = upper[first]
    return out


def _spans(upper: list[str], starts: list[bool]) -> list[tuple[int, int]]:
    """(first, last) column of each filled upper cell beyond the label column."""
    spans: list[tuple[int, int]] = []
    for j in range(1, len(upper)):
        if not upper[j].strip():
            continue
        if starts[j] or not spans or spans[-1][1] != j - 1 or upper[spans[-1][0]] != upper[j]:
            spans.append((j, j))
        else:
            spans[-1] = (spans[-1][0], j)
    return spans


def _packed(columns: list[int], start: int) -> bool:
    return columns == list(range(start, start + len(columns)))


def _split(grid: Grid, is_statistic: IsStatistic) -> list[Grid]:
    """A body row shaped like a header starts a new table under the same caption."""
    parts: list[Grid] = []
    current = Grid(grid.header, [], grid.caption, [], grid.uncertain)
    for row in grid.body:
        if current.body and _header_like(row, is_statistic) and _filled(row)[0] > 0:
            parts.append(current)
            stub = grid.header[-1] if grid.header else [""] * len(row)
            first = _filled(row)[0]
            header = [cell or (stub[j] if j < first else "") for j, cell in enumerate(row)]
            current = Grid([header], [], grid.caption, [], grid.uncertain)
            continue
        current.body.append(row)
    parts.append(current)
    parts[-1].footnotes = grid.footnotes
    return [p for p in parts if p.body] or [grid]

"""Tables whose columns are aligned with spaces -> `Grid`.

Three layouts, all read by column *position* before `normalise` collapses the spaces:

* pandoc simple tables: header line(s), a rule of dash groups (`----- ---- -----`) whose
  groups are the columns, one line per row, ending at a blank line;
* pandoc multiline tables: the same between two full-width rules, where a header cell or
  a row may run over several lines and rows are separated by blank lines;
* space-aligned tables without rules (a header line over rows whose cells are numbers),
  whose columns are the gaps shared by every row.

A stretch of text is given to the column it overlaps most. Pandoc counts escaped markup
(`\\*\\*`) as zero width, so a cell may sit a character or two off its column: that is
layout noise. A stretch that really straddles two columns is split at a space in the gap
between them when there is one; otherwise it is placed where most of it lies and the grid
is marked uncertain, so the rows read from it are flagged rather than trusted.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from extractor.tables.canonical import Grid

COLUMN_RULE = re.compile(r"^\s*-{2,}(?:[ \t]+-{2,})+\s*$")
FRAME_RULE = re.compile(r"^\s*-{3,}\s*$")
_RUN = re.compile(r"\S+(?: \S+)*")  # text separated from its neighbours by 2+ spaces
# a stretch off its column by at most this many characters is still in it (markup noise)
_SLACK = 2
_FIRST_SHIFTS = (0, 1, -1, 2, -2, 3, -3)
_DRIFT = 4  # how far escaped markup may pull one stretch left of the one before


@dataclass(frozen=True)
class Columns:
    """Column extents [start, end) on the line; a column owns up to the next one's start."""

    extents: tuple[tuple[int, int], ...]

    def owner_bounds(self, j: int) -> tuple[int, int]:
        low = 0 if j == 0 else self.extents[j][0]
        high = self.extents[j + 1][0] if j + 1 < len(self.extents) else 10**9
        return low, high

    @functools.cached_property
    def _bounds(self) -> tuple[tuple[int, int], ...]:
        """Every column's `owner_bounds`, computed once: a line's stretches ask for them
        at every shift tried."""
        return tuple(self.owner_bounds(j) for j in range(len(self.extents)))

    @functools.cached_property
    def _lows(self) -> list[int] | None:
        """The columns' owner starts when they rise left to right (the owners then tile
        the line, each ending where the next starts), else None."""
        lows = [low for low, _ in self._bounds]
        return lows if all(a <= b for a, b in zip(lows, lows[1:], strict=False)) else None

    def overlaps(self, start: int, end: int) -> list[int]:
        """How many characters of [start, end) each column owns."""
        lows = self._lows
        if lows is None:
            return [max(0, min(end, high) - max(start, low)) for low, high in self._bounds]
        # the owners tile the line: only those from the one holding `start` up to `end`
        # can hold any of the stretch
        out = [0] * len(lows)
        bounds = self._bounds
        j = max(0, bisect.bisect_right(lows, start) - 1)
        while j < len(lows) and lows[j] < end:
            low, high = bounds[j]
            out[j] = max(0, min(end, high) - max(start, low))
            j += 1
        return out

    def gap_before(self, j: int) -> tuple[int, int]:
        """The blank space between column j-1 and column j."""
        return self.extents[j - 1][1], self.extents[j][0]


def blank(line: str) -> bool:
    return not line.strip()


def split_line(line: str, columns: Columns) -> tuple[list[str], bool]:
    """A line's text per column, and whether a stretch straddled two columns.

    Escaped markup that a converter dropped (`\\*`) pulls everything after it a few
    characters left, so the stretches are placed left to right at the smallest extra
    shift that puts each inside a column (the first one may also sit a little right);
    a stretch that lands in a column already holding one, close before the next
    column, belongs to that next column.
    """
    cells: list[list[str]] = [[] for _ in columns.extents]
    doubtful = False
    shift = None
    for run in _RUN.finditer(line.expandtabs(8)):
        candidates = _FIRST_SHIFTS if shift is None else range(shift, shift + _DRIFT + 1)
        shift = _best_shift(candidates, run.start(), run.group(), columns)
        for start, text in _split_run(run.start() + shift, run.group(), columns):
            overlap = columns.overlaps(start, start + len(text))
            best = max(range(len(overlap)), key=lambda j: (overlap[j], -j))
            if cells[best] and best + 1 < len(cells) and not cells[best + 1]:
                pull = columns.extents[best + 1][0] - start
                if 0 < pull <= _DRIFT:
                    best, shift, start = best + 1, shift + pull, start + pull
                    overlap = columns.overlaps(start, start + len(text))
            others = [v for j, v in enumerate(overlap) if j != best]
            if others and max(others) > _SLACK:
                doubtful = True
            cells[best].append(text)
    return [" ".join(c) for c in cells], doubtful


def _best_shift(candidates: Sequence[int], start: int, text: str, columns: Columns) -> int:
    """The first shift with the fewest characters outside their columns, as `min` would
    choose; none can have fewer than 0, so the first with 0 ends the search (most lines
    sit where their columns are)."""
    best, fewest = candidates[0], None
    for shift in candidates:
        outside = sum(_straddle(s, t, columns) for s, t in _split_run(start + shift, text, columns))
        if fewest is None or outside < fewest:
            best, fewest = shift, outside
            if outside == 0:
                break
    return best


def _straddle(start: int, text: str, columns: Columns) -> int:
    """How many characters of a stretch lie outside the column it overlaps most."""
    overlap = columns.overlaps(start, start + len(text))
    return len(text) - max(overlap)


def _split_run(start: int, text: str, columns: Columns) -> list[tuple[int, str]]:
    """Split a stretch at single spaces that fall in the gap between two columns."""
    pieces = [(start, text)]
    if " " not in text:  # nowhere to split
        return pieces
    for j in range(1, len(columns.extents)):
        gap_low, gap_high = columns.gap_before(j)
        out = []
        for begin, piece in pieces:
            # the first space whose position on the line falls in the gap
            low, high = max(0, gap_low - begin), max(gap_high, gap_low + 1) - begin
            cut = piece.find(" ", low, high) if high > low else -1
            if cut < 0 or not piece[:cut].strip() or not piece[cut + 1 :].strip():
                out.append((begin, piece))
            else:
                out += [(begin, piece[:cut]), (begin + cut + 1, piece[cut + 1 :])]
        pieces = out
    return pieces


def rule_columns(rule: str) -> Columns:
    return Columns(tuple(m.span() for m in re.finditer(r"-+", rule.expandtabs(8))))


def _joined(lines: list[str], columns: Columns) -> tuple[list[str], bool]:
    """One row from several lines (a multiline cell): each column's pieces in order."""
    texts: list[list[str]] = [[] for _ in columns.extents]
    doubtful = False
    for line in lines:
        cells, odd = split_line(line, columns)
        doubtful |= odd
        for j, cell in enumerate(cells):
            if cell:
                texts[j].append(cell)
    return [" ".join(t) for t in texts], doubtful


def fits(line: str, columns: Columns) -> bool:
    """A line that belongs to the table: it starts inside the first column (pandoc
    indents its tables; the notes under them start at the margin) and none of its
    stretches runs over more than two columns (prose under a table does)."""
    expanded = line.expandtabs(8)
    indent = len(expanded) - len(expanded.lstrip())
    if indent < columns.extents[0][0]:
        return False
    for run in _RUN.finditer(expanded):
        touched = [v for v in columns.overlaps(run.start(), run.end()) if v > _SLACK]
        if len(touched) > 2:
            return False
    return True


def parse_ruled_table(
    lines: list[str], rule: int, low: int, high: int, fenced: bool
) -> tuple[Grid, int, int] | None:
    """The pandoc simple or multiline table whose column rule is `lines[rule]`, looked for
    within lines [low, high): (grid, first, last) line indices."""
    columns = rule_columns(lines[rule])
    if len(columns.extents) < 2:
        return None
    first = rule
    head: list[str] = []
    index = rule - 1
    while index >= low and not blank(lines[index]) and not FRAME_RULE.match(lines[index]):
        if COLUMN_RULE.match(lines[index]):
            break
        head.insert(0, lines[index])
        first = index
        index -= 1
    multiline = index >= low and bool(FRAME_RULE.match(lines[index]))
    if multiline:
        first = index
    header: list[list[str]] = []
    doubtful = False
    if multiline and head:
        row, doubtful = _joined(head, columns)
        header.append(row)
    else:
        for line in head:
            row, odd = split_line(line, columns)
            doubtful |= odd
            header.append(row)
    body, last, odd = _body(lines, rule, high, columns, multiline, fenced)
    if not body:
        return None
    return Grid(header, body, uncertain=doubtful or odd), first, last


def _body(
    lines: list[str], rule: int, high: int, columns: Columns, multiline: bool, fenced: bool
) -> tuple[list[list[str]], int, bool]:
    """The rows after the column rule, the index of the table's last line, and doubt."""
    body: list[list[str]] = []
    block: list[str] = []
    doubtful = False
    last = rule
    index = rule + 1

    def flush() -> None:
        nonlocal block, doubtful
        if block:
            row, odd = _joined(block, columns)
            doubtful |= odd
            body.append(row)
            block = []

    while index < high:
        line = lines[index]
        if FRAME_RULE.match(line) or COLUMN_RULE.match(line):
            flush()
            if body or multiline:
                last = index  # the closing rule belongs to the table
            break
        if blank(line):
            if multiline:
                flush()
            nxt = next((k for k in range(index + 1, high) if not blank(lines[k])), None)
            if nxt is None or not (fenced or multiline or not body):
                break
            if not (COLUMN_RULE.match(lines[nxt]) or FRAME_RULE.match(lines[nxt])) and not fits(
                lines[nxt], columns
            ):
                break
            index += 1
            continue
        if not fits(line, columns) and body:
            break
        if body and _heads_next_table(lines, index, high):
            break
        if multiline:
            block.append(line)
        else:
            row, odd = split_line(line, columns)
            doubtful |= odd
            body.append(row)
        last = index
        index += 1
    flush()
    return body, last, doubtful


def _heads_next_table(lines: list[str], index: int, high: int) -> bool:
    """A line right above a column rule that has rows under it is the next table's
    header (a closing rule has none)."""
    if index + 2 >= high or not COLUMN_RULE.match(lines[index + 1]):
        return False
    return not blank(lines[index + 2]) and not FRAME_RULE.match(lines[index + 2])


def parse_unruled_table(
    lines: list[str], start: int, is_value: Callable[[str], bool]
) -> tuple[Grid, int, int] | None:
    """A space-aligned table without rules whose first data row is `lines[start]`:
    2+ rows whose cells after the label are all values, with an optional header line
    directly above. Columns are the gaps every data row shares."""
    data: list[int] = []
    index = start
    while index < len(lines):
        runs = list(_RUN.finditer(lines[index].expandtabs(8)))
        if len(runs) >= 2 and all(is_value(r.group()) for r in runs[1:]):
            data.append(index)
        elif data and len(runs) == 1 and len(runs[0].group().split()) <= 6 and index > start:
            data.append(index)  # a parent label inside the table
        else:
            break
        index += 1
    while data and len(list(_RUN.finditer(lines[data[-1]]))) < 2:
        data.pop()
    if sum(len(list(_RUN.finditer(lines[i]))) >= 2 for i in data) < 2:
        return None
    columns = _gap_columns([lines[i] for i in data])
    if columns is None:
        return None
    header: list[list[str]] = []
    first = data[0]
    doubtful = False
    above = first - 1
    if above >= 0 and len(list(_RUN.finditer(lines[above]))) >= 2:
        last_run = list(_RUN.finditer(lines[above]))[-1].group()
        if not is_value(last_run):
            row, doubtful = split_line(lines[above], columns)
            header.append(row)
            first = above
    body = []
    for i in data:
        row, odd = split_line(lines[i], columns)
        doubtful |= odd
        body.append(row)
    return Grid(header, body, uncertain=doubtful), first, data[-1]


def _gap_columns(lines: list[str]) -> Columns | None:
    """Columns from the stretches after each row's label: a column is a set of
    positions some row has text at, separated from the next by a gap no row crosses."""
    spans = []
    label_end = 0
    for line in lines:
        runs = list(_RUN.finditer(line.expandtabs(8)))
        if len(runs) < 2:
            continue
        label_end = max(label_end, runs[0].end())
        spans += [r.span() for r in runs[1:]]
    if not spans:
        return None
    spans.sort()
    merged = [list(spans[0])]
    for begin, end in spans[1:]:
        if begin < merged[-1][1] + 2:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([begin, end])
    if merged[0][0] <= label_end:
        return None  # a label runs into the values: the columns cannot be told apart
    return Columns(((0, label_end), *(tuple(m) for m in merged)))

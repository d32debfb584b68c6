"""Tables on a PDF page -> blocks in the canonical table text (docs/TABLE_TEXT.md).

Read as prose, a table is a stream of numbers with no columns: "Age 54.2 8.1 55.0 7.9
0.41". Rendered as `| Age | 54.2 | 8.1 | ...` rows under its headers, the one table reader
of the extractor can give every value its arm and its outcome. Two kinds are found:

* Ruled tables (a grid of vertical and horizontal rules): pdfplumber's table finder,
  which follows the rules, reads them (separator `---`: the columns are known).
* Unruled tables, as journals set them: found from a `Table N` caption, and the columns
  inferred from the word positions: the gaps that the rows share (separator `===`: the
  reader says it inferred them). A row whose label is indented under a row without values
  stays a row of its own (the group row is its parent); a label or value that wraps onto a
  second line is joined back into its cell.

Finding tables must not cost the fast reader its speed, so a page is only looked at when
it has a caption or rows of aligned numbers, and pdfplumber is only opened for a page that
also has rules in both directions.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from extractor.ingest.pdf_layout import Line, Word, rows_of
from extractor.ingest.pdf_plumber import RuledTable

# Words further apart than this many ems are in different cells; inside a cell, words are
# a space apart (about 0.25 em), between columns journals leave at least an em.
CELL_GAP_EM = 1.0
# A row whose label starts this many ems right of the table's left edge is indented.
INDENT_EM = 0.8
# Rows further apart than this many times the table's usual row pitch end the table.
MAX_ROW_GAP = 2.5
# Lines under the caption that continue it (a caption of several lines), at most.
MAX_CAPTION_LINES = 4
# Footnote lines under the last row, at most.
MAX_FOOTNOTES = 6
# A page "looks tabular" with this many rows of at least three cells holding numbers.
NUMERIC_ROWS = 4

# The caption label, as sections.py and normalise.py recognise it, and Roman (IEEE).
_CAPTION = re.compile(
    r"^(?:Table|TABLE)\s+(?:[A-Z]?\d{1,3}[A-Za-z]?|[IVXL]{1,6}\b)(?:[.:|]\s*|\s+|$)"
)
_FOOTNOTE = re.compile(r"^(?:[a-h†‡§¶*#]|\d{1,2})\s|^(?:Values|Data|Abbreviations?|Note)\b")
_LETTERS = re.compile(r"[^\W\d_]")


@dataclass
class _Row:
    cells: list[list[Word]]  # words of each cell, left to right

    @property
    def words(self) -> list[Word]:
        return [w for cell in self.cells for w in cell]

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def x0(self) -> float:
        return self.cells[0][0].x0

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)


@dataclass(frozen=True)
class Table:
    """A table found on a page: its rendered block and the words it took from the page."""

    block: Line
    words: frozenset[Word]


def has_caption(words: Sequence[Word]) -> bool:
    """Whether a `Table N` caption starts on some line of the page."""
    return any(
        _CAPTION.match(f"{a.text} {b.text}")
        for row in rows_of(words)
        for a, b in zip(row, row[1:], strict=False)
    )


def looks_tabular(words: Sequence[Word]) -> bool:
    """Cheap test of whether a page may hold a table: a caption or aligned numbers."""
    rows = rows_of(words)
    numeric = 0
    for row in rows:
        if any(_CAPTION.match(f"{a.text} {b.text}") for a, b in zip(row, row[1:], strict=False)):
            return True  # a caption, also one beside a column of prose
        cells = _cells(row)
        if len(cells) >= 3 and sum(_is_value(_text(c)) for c in cells[1:]) >= 2:
            numeric += 1
            if numeric >= NUMERIC_ROWS:
                return True
    return False


def find_tables(
    words: Sequence[Word],
    split: float | None,
    ruled: Callable[[], list[RuledTable]] | None = None,
) -> list[Table]:
    """The tables of a page, each as a block for the layout and the words it replaces.

    `ruled`, when given, returns where pdfplumber found ruled tables (column and row
    ranges in the words' frame); it is called only when needed.
    """
    tables: list[Table] = []
    taken: set[Word] = set()
    if ruled is not None:
        for grid in ruled():
            table = _ruled_table([w for w in words if w not in taken], grid, split)
            if table is not None:
                tables.append(table)
                taken |= table.words
    remaining = [w for w in words if w not in taken]
    rows = rows_of(remaining)
    for index, row in enumerate(rows):
        for part in _parts(row, split):
            if not _CAPTION.match(" ".join(w.text for w in part[:3])):
                continue
            if any(w in taken for w in part):
                continue
            table = _unruled_table(rows, index, part, split)
            if table is not None:
                tables.append(table)
                taken |= table.words
    return tables


def render(
    caption: str | None,
    header: Sequence[Sequence[str]],
    body: Sequence[Sequence[str]],
    footnotes: Sequence[str],
    *,
    inferred: bool,
) -> str:
    """The canonical text of a table (docs/TABLE_TEXT.md)."""
    width = max(len(r) for r in [*header, *body])
    lines = [caption] if caption else []
    for row in [*header]:
        lines.append(_render_row(row, width))
    mark = "===" if inferred else "---"
    lines.append("|" + "|".join([mark] * width) + "|")
    for row in body:
        lines.append(_render_row(row, width))
    lines.extend(footnotes)
    return "\n".join(lines)


def _render_row(row: Sequence[str], width: int) -> str:
    cells = [" ".join(c.replace("|", "/").split()) for c in row]
    cells += [""] * (width - len(cells))
    return "|" + "|".join(f" {c} " if c else " " for c in cells) + "|"


# --- unruled tables ---------------------------------------------------------------------


def _parts(row: list[Word], split: float | None) -> list[list[Word]]:
    """A page row as the lines it holds: one, or the left and right column's."""
    if split is None or any(w.x0 < split < w.x1 for w in row):
        return [row]
    left = [w for w in row if w.x1 <= split]
    right = [w for w in row if w.x0 >= split]
    return [p for p in (left, right) if p]


def _region(
    rows: Sequence[list[Word]], index: int, caption: list[Word], split: float | None
) -> tuple[float, float]:
    """The x range a table under this caption may use: its column, or the whole page when
    the other column next to it holds no running text."""
    if split is None:
        return (float("-inf"), float("inf"))
    if caption[0].x0 >= split:
        return (split, float("inf"))
    if max(w.x1 for w in caption) > split:
        return (float("-inf"), float("inf"))
    # The other column's lines all start at its left edge; a table's cells on that side
    # start wherever its columns are.
    margin = min((w.x0 for row in rows for w in row if w.x0 >= split), default=split)
    starts = [
        min(w.x0 for w in right)
        for row in rows[index + 1 : index + 7]
        if (right := [w for w in row if w.x0 >= split])
    ]
    if starts and all(abs(x - margin) <= 2.0 for x in starts):
        return (float("-inf"), split)
    return (float("-inf"), float("inf"))


def _unruled_table(
    rows: Sequence[list[Word]], index: int, caption: list[Word], split: float | None
) -> Table | None:
    lo, hi = _region(rows, index, caption, split)
    em = statistics.median(w.height for w in caption)
    lines = []
    for row in rows[index + 1 :]:
        part = [w for w in row if lo <= w.x0 and w.x1 <= hi]
        if part:
            lines.append(_Row(_cells(part, em)))
    caption_rows = [_Row([caption])]
    body_start = 0
    region_width = max((r.x1 for r in lines[:8]), default=0) - min(
        (r.x0 for r in lines[:8]), default=0
    )
    while (
        body_start < len(lines)
        and len(caption_rows) < MAX_CAPTION_LINES
        and len(lines[body_start].cells) == 1
        and lines[body_start].x1 - lines[body_start].x0 > 0.5 * region_width
        and lines[body_start].top - caption_rows[-1].bottom < em
    ):
        caption_rows.append(lines[body_start])
        body_start += 1
    table_rows = _table_rows(lines[body_start:], caption_rows[-1].bottom, em)
    if sum(any(_is_value(_text(c)) for c in r.cells[1:]) for r in table_rows) < 2:
        return None  # fewer than two rows of values: text under a caption, not a table
    footnotes = _footnotes(lines[body_start + len(table_rows) :], table_rows, em)
    columns = _columns(table_rows, em)
    if len(columns) < 2:
        return None
    grid = [_assign(row, columns, header=False) for row in table_rows]
    header_count = _header_count(grid)
    header = [_assign(row, columns, header=True) for row in table_rows[:header_count]]
    body = _merge_continuations(table_rows[header_count:], grid[header_count:], em)
    caption_text = " ".join(" ".join(w.text for w in r.words) for r in caption_rows)
    text = render(
        caption_text,
        header,
        body,
        [" ".join(w.text for w in r.words) for r in footnotes],
        inferred=True,
    )
    used = [*caption_rows, *table_rows, *footnotes]
    return Table(_block(text, used), frozenset(w for r in used for w in r.words))


def _cells(words: Sequence[Word], em: float | None = None) -> list[list[Word]]:
    """Words of a line grouped into cells at gaps wider than CELL_GAP_EM."""
    words = sorted(words, key=lambda w: w.x0)
    size = em or statistics.median(w.height for w in words)
    cells = [[words[0]]]
    for before, word in zip(words, words[1:], strict=False):
        if word.x0 - before.x1 > CELL_GAP_EM * size:
            cells.append([word])
        else:
            cells[-1].append(word)
    return cells


def _table_rows(lines: Sequence[_Row], top: float, em: float) -> list[_Row]:
    """The rows under the caption that belong to the table: multi-cell rows, and single
    cells between them (group rows, wrapped labels) while the rows stay close."""
    rows: list[_Row] = []
    pitches: list[float] = []
    previous_bottom = top
    for i, line in enumerate(lines):
        pitch = statistics.median(pitches) if pitches else 2.0 * em
        if line.top - previous_bottom > MAX_ROW_GAP * max(pitch, em):
            break
        following = lines[i + 1] if i + 1 < len(lines) else None
        if len(line.cells) == 1 and (following is None or len(following.cells) < 2):
            break  # a lone cell belongs only before a row of cells (group row, header)
        if rows:
            pitches.append(line.bottom - rows[-1].bottom)
        rows.append(line)
        previous_bottom = line.bottom
    while rows and len(rows[-1].cells) == 1:
        rows.pop()
    return rows


def _footnotes(lines: Sequence[_Row], table: Sequence[_Row], em: float) -> list[_Row]:
    notes: list[_Row] = []
    if not table:
        return notes
    bottom = table[-1].bottom
    body_size = statistics.median(w.height for r in table for w in r.words)
    for line in lines[:MAX_FOOTNOTES]:
        text = " ".join(w.text for w in line.words)
        small = statistics.median(w.height for w in line.words) < 0.95 * body_size
        if line.top - bottom > 2.0 * em or not (small or _FOOTNOTE.match(text)):
            break
        notes.append(line)
        bottom = line.bottom
    return notes


def _columns(rows: Sequence[_Row], em: float) -> list[tuple[float, float]]:
    """Column ranges: the cells of the rows with values, merged where they overlap.

    Gaps that all these rows share are the column boundaries; a cell that bridges a gap
    of the other rows merges the two columns (the reader does not split a cell).
    """
    spans = sorted(
        (cell[0].x0, max(w.x1 for w in cell))
        for row in rows
        if len(row.cells) >= 2
        for cell in row.cells
    )
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1]:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return [(a, b) for a, b in columns]


def _assign(row: _Row, columns: Sequence[tuple[float, float]], *, header: bool) -> list[str]:
    """A row's cell texts in the columns. A header cell over several columns is repeated
    in each (a heading centred over two columns); a body cell goes to the column it
    overlaps most."""
    out = [""] * len(columns)
    for cell in row.cells:
        x0, x1 = cell[0].x0, max(w.x1 for w in cell)
        overlaps = [min(x1, b) - max(x0, a) for a, b in columns]
        text = _text(cell)
        if header:
            hits = [i for i, o in enumerate(overlaps) if o > 0]
            if not hits:
                hits = [_nearest(columns, x0, x1)]
            for i in hits:
                out[i] = f"{out[i]} {text}".strip()
        else:
            best = max(range(len(columns)), key=lambda i: overlaps[i])
            if overlaps[best] <= 0:
                best = _nearest(columns, x0, x1)
            out[best] = f"{out[best]} {text}".strip()
    return out


def _nearest(columns: Sequence[tuple[float, float]], x0: float, x1: float) -> int:
    middle = (x0 + x1) / 2
    return min(range(len(columns)), key=lambda i: abs((columns[i][0] + columns[i][1]) / 2 - middle))


def _header_count(grid: Sequence[Sequence[str]]) -> int:
    """Rows before the first row holding a value in a column after the first."""
    for i, row in enumerate(grid):
        if any(_is_value(c) for c in row[1:]):
            return i
    return 0


def _merge_continuations(
    rows: Sequence[_Row], grid: Sequence[list[str]], em: float
) -> list[list[str]]:
    """Join the second line of a wrapped cell to its first.

    A line with only a label that starts in lower case (or a bracket) continues the label
    above it; a line whose label cell is empty but which has values continues the values
    above it (a confidence interval set under its estimate). Other label-only lines are
    group rows and stay.
    """
    out: list[list[str]] = []
    left = min((r.x0 for r in rows), default=0.0)
    for row, cells in zip(rows, grid, strict=True):
        label, values = cells[0], cells[1:]
        if out and label and not any(values) and (label[0].islower() or label[0] in "(["):
            out[-1][0] = f"{out[-1][0]} {label}"
            continue
        if (
            out
            and not label
            and any(values)
            and any(out[-1][1:])
            and row.x0 > left + INDENT_EM * em
        ):
            out[-1] = [f"{a} {b}".strip() for a, b in zip(out[-1], cells, strict=True)]
            continue
        if out and label and label[0].islower() and any(values) and not any(out[-1][1:]):
            # The label wrapped and its values stand on its second line.
            out[-1] = [f"{out[-1][0]} {label}", *values]
            continue
        out.append(list(cells))
    return out


def _is_value(text: str) -> bool:
    """A cell holding a number rather than words: digits, and letters only as in "95% CI"
    or "n=12" (two at most)."""
    return bool(text) and any(c.isdigit() for c in text) and len(_LETTERS.findall(text)) <= 2


def _text(cell: Sequence[Word]) -> str:
    return " ".join(w.text for w in cell)


def _block(text: str, rows: Sequence[_Row]) -> Line:
    words = [w for r in rows for w in r.words]
    return Line(
        text=text,
        x0=min(w.x0 for w in words),
        x1=max(w.x1 for w in words),
        bottom=max(w.bottom for w in words),
        size=statistics.median(w.height for w in words),
        column=0,
        block=0,
        top=min(w.top for w in words),
        verbatim=True,
    )


# --- ruled tables ---------------------------------------------------------------------


def _ruled_table(words: Sequence[Word], grid: RuledTable, split: float | None) -> Table | None:
    """A ruled table's rows from the page's words placed in the ruled cells.

    A ruled row holding several text lines that line up across its cells (tables ruled
    only around their header and body) is split into one row per line; otherwise its
    lines are one cell's wrapped text.
    """
    if len(grid.columns) < 2 or not grid.rows:
        return None
    x0 = min(a for a, _ in grid.columns)
    x1 = max(b for _, b in grid.columns)
    top = min(a for a, _ in grid.rows)
    bottom = max(b for _, b in grid.rows)
    inside = [
        w
        for w in words
        if w.x0 >= x0 - 1 and w.x1 <= x1 + 1 and w.middle >= top and w.middle <= bottom
    ]
    if not inside:
        return None
    cells: list[list[str]] = []
    for row_top, row_bottom in grid.rows:
        in_row = [w for w in inside if row_top <= w.middle <= row_bottom]
        if not in_row:
            continue
        lines = rows_of(in_row)
        per_line = [_in_columns(line, grid.columns) for line in lines]
        if len(lines) > 1 and all(sum(1 for c in cells_ if c) >= 2 for cells_ in per_line):
            cells.extend(per_line)
        else:
            joined = [" ".join(filter(None, parts)) for parts in zip(*per_line, strict=True)]
            cells.append(joined)
    if len(cells) < 2:
        return None
    header_count = _header_count(cells)
    em = statistics.median(w.height for w in inside)
    # Captions are looked for in the table's column only (all the page if it spans both).
    if split is not None and x1 <= split:
        nearby = [w for w in words if w.x1 <= split]
    elif split is not None and x0 >= split:
        nearby = [w for w in words if w.x0 >= split]
    else:
        nearby = list(words)
    caption_words = _caption_above(nearby, x0, x1, top, em) or _caption_below(
        nearby, x0, x1, bottom, em
    )
    caption = " ".join(w.text for w in caption_words) or None
    text = render(caption, cells[:header_count], cells[header_count:], [], inferred=False)
    used = inside + caption_words
    block = Line(
        text=text,
        x0=min(w.x0 for w in used),
        x1=max(w.x1 for w in used),
        bottom=max(w.bottom for w in used),
        size=em,
        column=0,
        block=0,
        top=min(w.top for w in used),
        verbatim=True,
    )
    return Table(block, frozenset(used))


def _in_columns(line: Sequence[Word], columns: Sequence[tuple[float, float]]) -> list[str]:
    out = [""] * len(columns)
    for w in line:
        middle = (w.x0 + w.x1) / 2
        i = next((i for i, (a, b) in enumerate(columns) if a <= middle <= b), None)
        if i is None:
            i = _nearest(columns, w.x0, w.x1)
        out[i] = f"{out[i]} {w.text}".strip()
    return out


def _caption_above(
    words: Sequence[Word], x0: float, x1: float, top: float, em: float
) -> list[Word]:
    """The caption lines right above a ruled table (up to three lines, starting `Table N`)."""
    above = [
        w
        for w in words
        if w.bottom <= top + 1 and w.top >= top - 5 * em and w.x1 > x0 and w.x0 < x1
    ]
    rows = rows_of(above)
    for i, row in enumerate(rows):
        if _CAPTION.match(" ".join(w.text for w in row[:3])):
            return [w for r in rows[i:] for w in _up_to_gap(r, em)]
    return []


def _up_to_gap(row: Sequence[Word], em: float) -> list[Word]:
    """A caption line's words up to the first gap of two ems: past it is the other column."""
    kept = [row[0]]
    for before, word in zip(row, row[1:], strict=False):
        if word.x0 - before.x1 > 2 * em:
            break
        kept.append(word)
    return kept


def _caption_below(
    words: Sequence[Word], x0: float, x1: float, bottom: float, em: float
) -> list[Word]:
    """A caption set under its table (as some journals and proceedings do): the lines
    from a `Table N` line starting within two ems under the table, until a gap."""
    below = [w for w in words if w.top >= bottom - 1 and w.top <= bottom + 6 * em]
    rows = [r for r in rows_of(below) if r[0].x0 < x1 and max(w.x1 for w in r) > x0]
    if not rows or rows[0][0].top > bottom + 2 * em:
        return []
    if not _CAPTION.match(" ".join(w.text for w in rows[0][:3])):
        return []
    caption = [rows[0]]
    for row in rows[1:]:
        if row[0].top - caption[-1][-1].bottom > 0.8 * em:
            break
        caption.append(row)
    return [w for r in caption for w in _up_to_gap(r, em)]

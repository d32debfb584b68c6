"""The table model: what every table reader produces and the interpreter reads.

A table reaches the extractor in several layouts (the canonical block of
docs/TABLE_TEXT.md that JATS, PDF and text readers render, and the flattened tables of
text copied out of PDFs), but a number gets its meaning the same way in all of them: from
its row header (with the group row above it), its column headers (top to bottom), the
caption and the footnotes. So every reader builds this one model, with every cell's span
in `documents.text`, and one interpreter turns it into evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cell:
    """One cell: its text as written (footnote marks kept) and where it is in the text.

    An empty cell has `text == ""` and `start == end` at the place it would be.
    """

    text: str
    start: int
    end: int

    @property
    def empty(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class Line:
    """A line of the table block as rendered: the quote of every number it holds."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Row:
    """A body row: one cell per column; `parent` is the index of its group row, if any."""

    cells: tuple[Cell, ...]
    line: Line
    parent: int | None = None
    uncertain: bool = False  # the reader placed this row's cells in columns with doubt

    @property
    def label(self) -> Cell:
        return self.cells[0]

    @property
    def is_group(self) -> bool:
        """A row whose only non-empty cell is the first (`Sex, n (%)`, `Adverse events`)."""
        return not self.cells[0].empty and all(c.empty for c in self.cells[1:])


@dataclass(frozen=True)
class Footnote:
    """A line under the table: a note (`Values are mean ± SD`) or a marked footnote."""

    text: str
    start: int
    end: int


@dataclass
class Table:
    """One table, as its reader found it.

    `header` holds the header rows, each with one cell per column (a spanning header is
    repeated in every column it spans); `rows` the body rows. `columns_uncertain` is set
    when the reader inferred a column boundary with doubt (a `===` separator): every row
    read from the table is then flagged for a reviewer.
    """

    start: int
    end: int
    ncols: int
    header: list[tuple[Cell, ...]] = field(default_factory=list)
    header_lines: list[Line] = field(default_factory=list)  # the quote of a header's n
    rows: list[Row] = field(default_factory=list)
    caption: Line | None = None
    label: str | None = None  # `Table 2`, from the caption
    title: str = ""  # the caption without its label
    footnotes: list[Footnote] = field(default_factory=list)
    columns_uncertain: bool = False
    layout: str = "canonical"  # 'canonical' or 'flattened': the rule is `table.<layout>_row`

    def column_headers(self, column: int) -> list[Cell]:
        """The header cells of a column, top to bottom, a repeated spanning cell once."""
        stack: list[Cell] = []
        for row in self.header:
            cell = row[column] if column < len(row) else None
            if cell is None or cell.empty:
                continue
            if stack and stack[-1].text == cell.text:
                continue
            stack.append(cell)
        return stack

    def header_line_of(self, cell: Cell) -> Line | None:
        return next((x for x in self.header_lines if x.start <= cell.start <= x.end), None)

    def parent_of(self, index: int) -> Row | None:
        parent = self.rows[index].parent
        return self.rows[parent] if parent is not None else None

    def notes(self) -> str:
        """The caption and every footnote as one text: where a table declares its format."""
        parts = [self.caption.text] if self.caption else []
        parts += [f.text for f in self.footnotes]
        return "\n".join(parts)

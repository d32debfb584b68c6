"""Canonical table blocks in the normalised text -> the table model, with exact spans.

Every reader that knows a table's structure (JATS, PDF, the text-table renderer) writes it
as the block of docs/TABLE_TEXT.md: an optional caption line, header rows, a mandatory
`|---|` separator (`|===|` when a column boundary was inferred with doubt), body rows and
footnote lines. This module reads those blocks back; it decides nothing about what a
number means. A block that breaks the form (a row with too many or too few cells) is
still read, its rows padded or cut to the separator's width and the table flagged as
having uncertain columns, because a renderer's slip must never move a value silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractor.header_words import HeaderWords
from extractor.tables.model import Cell, Footnote, Line, Row, Table

# `|---|---|`, `|===|===|` (alignment colons tolerated): the line that ends the header
_SEPARATOR = re.compile(r"^\|(?:\s*:?(?P<rule>-{3,}|={3,}):?\s*\|)+\s*$")


def lines_of(text: str) -> list[Line]:
    """Every line of `text` with its offsets (the newline excluded)."""
    lines, start = [], 0
    for raw in text.split("\n"):
        lines.append(Line(raw, start, start + len(raw)))
        start += len(raw) + 1
    return lines


def is_row(line: Line) -> bool:
    return line.text.startswith("|")


def read_canonical_tables(text: str, words: HeaderWords) -> list[Table]:
    """Every canonical table block in `text`, in document order."""
    lines = lines_of(text)
    tables: list[Table] = []
    taken = -1
    for index, line in enumerate(lines):
        if index <= taken or not _SEPARATOR.match(line.text):
            continue
        table, last = _block(lines, index, words)
        tables.append(table)
        taken = last
    return tables


def _block(lines: list[Line], separator: int, words: HeaderWords) -> tuple[Table, int]:
    """The table whose separator is line `separator`, and the index of its last line."""
    sep = lines[separator]
    ncols = sep.text.count("|") - 1
    uncertain = "===" in sep.text
    first = separator
    while first > 0 and is_row(lines[first - 1]):
        first -= 1
    last = separator
    while last + 1 < len(lines) and is_row(lines[last + 1]):
        last += 1
    caption = None
    if first > 0 and lines[first - 1].text.strip() and not _SEPARATOR.match(lines[first - 1].text):
        caption = lines[first - 1]
    notes_end = last
    while notes_end + 1 < len(lines) and lines[notes_end + 1].text.strip():
        if _SEPARATOR.match(lines[notes_end + 1].text) or is_row(lines[notes_end + 1]):
            break  # another table glued on: it is read on its own
        notes_end += 1
    header, ragged_h = _cells_of(lines[first:separator], ncols)
    body, ragged_b = _cells_of(lines[separator + 1 : last + 1], ncols)
    rows = list(_with_parents(body, lines[separator + 1 : last + 1]))
    footnotes = [_footnote(x) for x in lines[last + 1 : notes_end + 1]]
    label, title = split_caption(caption.text, words) if caption else (None, "")
    table = Table(
        start=(caption or lines[first]).start,
        end=lines[notes_end].end,
        ncols=ncols,
        header=header,
        header_lines=[_stripped(x) for x in lines[first:separator]],
        rows=rows,
        caption=caption,
        label=label,
        title=title,
        footnotes=footnotes,
        columns_uncertain=uncertain or ragged_h or ragged_b,
        layout="canonical",
    )
    return table, notes_end


def _stripped(line: Line) -> Line:
    text = line.text.rstrip()
    return Line(text, line.start, line.start + len(text))


def _footnote(line: Line) -> Footnote:
    lead = len(line.text) - len(line.text.lstrip())
    text = line.text.strip()
    return Footnote(text, line.start + lead, line.start + lead + len(text))


def split_caption(caption: str, words: HeaderWords) -> tuple[str | None, str]:
    """(`Table 2`, `Outcomes at 12 weeks`) from `Table 2. Outcomes at 12 weeks`; a caption
    without a label (PMC captions often have none) is all title."""
    match = words.caption.match(caption)
    if match is None:
        return None, caption.strip()
    return " ".join(match.group("label").split()), caption[match.end() :].strip()


def _cells_of(lines: list[Line], ncols: int) -> tuple[list[tuple[Cell, ...]], bool]:
    """Each row line split into exactly `ncols` cells; True when a row had to be fixed."""
    rows, ragged = [], False
    for line in lines:
        cells = split_cells(line)
        if len(cells) != ncols:
            ragged = True
            if len(cells) > ncols:
                cells = cells[:ncols]
            else:
                cells += [Cell("", line.end, line.end)] * (ncols - len(cells))
        rows.append(tuple(cells))
    return rows, ragged


def split_cells(line: Line) -> list[Cell]:
    """`| a | b |` -> cells `a`, `b` with their offsets in the document."""
    text = line.text.rstrip()
    if not text.startswith("|"):
        return []
    body_end = len(text) - 1 if text.endswith("|") and len(text) > 1 else len(text)
    cells: list[Cell] = []
    pos = 1
    while pos <= body_end:
        bar = text.find("|", pos, body_end)
        stop = body_end if bar < 0 else bar
        piece = text[pos:stop]
        lead = len(piece) - len(piece.lstrip())
        stripped = piece.strip()
        begin = line.start + pos + lead
        cells.append(Cell(stripped, begin, begin + len(stripped)))
        pos = stop + 1
        if bar < 0:
            break
    return cells


def _with_parents(body: list[tuple[Cell, ...]], lines: list[Line]) -> Iterator[Row]:
    """Rows with their group row: a row whose only non-empty cell is the first is the
    parent of the rows below it until the next group row (docs/TABLE_TEXT.md)."""
    parent: int | None = None
    for index, (cells, line) in enumerate(zip(body, lines, strict=True)):
        row = Row(cells, Line(line.text.strip(), line.start, line.start + len(line.text.strip())))
        if row.is_group:
            parent = index
            yield row
            continue
        yield Row(cells, row.line, parent)

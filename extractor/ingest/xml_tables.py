"""JATS `<table-wrap>` -> the canonical table text of docs/TABLE_TEXT.md.

A table-wrap is rendered as one block of lines: the caption line (`Table 2. Caption`),
the header rows from `<thead>`, the mandatory separator, the body rows, and one line per
footnote of `<table-wrap-foot>`. Spanning cells are resolved on a grid, so every row has
one cell per column and every value stays in its column:

* a cell with `colspan` is repeated in each column it spans (each column then reads its
  own stack of headers); in the body, a row whose only text is one cell spanning from the
  first column is a group row, written in the first cell alone;
* a cell with `rowspan` is repeated in each row it spans (within its `thead`/`tbody`);
* a spanning header cell shorter than the repeating group of sub-columns below it
  (`colspan="2"` over `n (%) | Mean | SD`) is widened to its group (`repair.py`);
* rows and columns with no text at all (rules drawn with `<hr/>`, spacer columns) are
  left out; short rows are padded with empty cells;
* without a `<thead>`, leading rows made only of `<th>` cells are the header.

The XML says where each cell is, so the separator is always the certain `---` form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from extractor.ingest.xml_safe import local_name
from extractor.ingest.xml_text import collapse, inline_text
from extractor.tables.repair import widen_short_spans

# A span larger than this is a typing error in the XML, not a table 10,000 columns wide.
_MAX_SPAN = 200
_LEADING_MARKER = re.compile(r"^\^([^\s^]{1,4})\^\s*")
_FOOTNOTE_SPLIT = re.compile(r"(?:(?<=^)|(?<=\s))(?=\^[^\s^]{1,4}\^)")


@dataclass(frozen=True)
class _Cell:
    text: str
    header: bool  # a <th>
    span_start: bool  # the column where a colspan begins (False for its repeats)
    colspan: int


def table_wrap_blocks(wrap: Element) -> list[str]:
    """The text blocks of one `<table-wrap>`: one per `<table>` in it.

    A table given only as an image has no rows: its caption and footnotes become
    paragraphs of their own.
    """
    caption = caption_line(wrap)
    footnotes = footnote_lines(wrap)
    tables = list(_tables(wrap))
    if not tables:
        return [line for line in [caption, *footnotes] if line]
    blocks = []
    for index, table in enumerate(tables):
        lines = [caption] if index == 0 and caption else []
        lines += table_lines(table)
        if index == len(tables) - 1:
            lines += footnotes
        blocks.append("\n".join(lines))
    return blocks


def caption_line(wrap: Element) -> str:
    """`Table 2. Caption text`: the label, then the caption's title and paragraphs."""
    label = ""
    caption = ""
    for child in wrap:
        name = local_name(child.tag)
        if name == "label" and not label:
            label = inline_text(child)
        elif name == "caption" and not caption:
            caption = inline_text(child)
    label = label.rstrip(".: ")
    line = f"{label}. {caption}" if label and caption else label or caption
    return _not_a_row(line)


def footnote_lines(wrap: Element) -> list[str]:
    """One line per footnote, starting with its marker when it has one (`a Values ...`)."""
    lines: list[str] = []
    for foot in wrap:
        if local_name(foot.tag) == "table-wrap-foot":
            for item in _footnote_items(foot):
                lines.extend(_footnote_text(item))
    return [_not_a_row(line) for line in lines if line]


def _footnote_items(foot: Element) -> Iterator[Element]:
    for child in foot:
        name = local_name(child.tag)
        if name in ("fn-group", "table-wrap-foot"):
            yield from _footnote_items(child)
        elif name not in ("permissions",):
            yield child


def _footnote_text(item: Element) -> list[str]:
    """A `<fn>` is one footnote; a bare paragraph may hold several, each behind a marker."""
    if local_name(item.tag) == "fn":
        label = ""
        parts = []
        for child in item:
            if local_name(child.tag) == "label":
                label = inline_text(child).strip("^")
            else:
                parts.append(inline_text(child))
        if item.text and item.text.strip():
            parts.insert(0, collapse(item.text))
        text = collapse(" ".join(parts))
        if label:
            return [_marker_first(f"{label} {text}")]
        return [_marker_first(text)]
    text = inline_text(item)
    return [_marker_first(piece) for piece in _FOOTNOTE_SPLIT.split(text) if piece.strip()]


def _marker_first(line: str) -> str:
    """`^a^Values are ...` -> `a Values are ...`: the marker leads the footnote line."""
    line = collapse(line)
    marker = _LEADING_MARKER.match(line)
    if marker:
        rest = line[marker.end() :]
        return f"{marker.group(1)} {rest}" if rest else marker.group(1)
    return line


def _not_a_row(line: str) -> str:
    """A caption or footnote line must never start like a table row."""
    return "/" + line[1:] if line.startswith("|") else line


def _tables(element: Element) -> Iterator[Element]:
    """The `<table>`s of a table-wrap, not those nested inside a cell of another table."""
    for child in element:
        name = local_name(child.tag)
        if name == "table":
            yield child
        elif name not in ("caption", "table-wrap-foot", "label"):
            yield from _tables(child)


def table_lines(table: Element) -> list[str]:
    """Header rows, separator and body rows of one `<table>`, one line each."""
    head_groups: list[list[Element]] = []
    body_groups: list[list[Element]] = []
    loose: list[Element] = []
    for child in table:
        name = local_name(child.tag)
        if name == "thead":
            head_groups.append(_rows(child))
        elif name in ("tbody", "tfoot"):
            body_groups.append(_rows(child))
        elif name == "tr":
            loose.append(child)
    if loose:
        body_groups.insert(0, loose)
    header = [row for group in head_groups for row in _grid(group)]
    body = [row for group in body_groups for row in _grid(group)]
    while not head_groups and body and _all_th(body[0]):
        header.append(body.pop(0))
    width = max((len(row) for row in header + body), default=0)
    header = [_padded(row, width) for row in header if _has_text(row)]
    body = [_group_row(_padded(row, width)) for row in body if _has_text(row)]
    keep = [
        column
        for column in range(width)
        if any(row[column].text for row in header) or any(row[column].text for row in body)
    ]
    texts = [[row[c].text for c in keep] for row in header]
    for upper in range(len(texts) - 2, -1, -1):
        starts = [header[upper][c].span_start for c in keep]
        texts[upper] = widen_short_spans(texts[upper], starts, texts[upper + 1])
    lines = [_line(row) for row in texts]
    lines.append("|" + "---|" * len(keep))
    lines += [_line([row[c].text for c in keep]) for row in body]
    return lines


def _rows(group: Element) -> list[Element]:
    return [row for row in group if local_name(row.tag) == "tr"]


def _span(cell: Element, attribute: str) -> int:
    try:
        value = int(cell.get(attribute, "1"))
    except ValueError:
        return 1
    return min(max(value, 1), _MAX_SPAN)


def _grid(rows: list[Element]) -> list[list[_Cell | None]]:
    """Place the cells of one row group on a grid, resolving colspan and rowspan."""
    grid: list[list[_Cell | None]] = []
    carried: dict[int, tuple[int, _Cell]] = {}  # column -> (rows still to fill, cell)
    for row in rows:
        placed: dict[int, _Cell] = {}
        for column, (remaining, cell) in list(carried.items()):
            placed[column] = cell
            if remaining <= 1:
                del carried[column]
            else:
                carried[column] = (remaining - 1, cell)
        column = 0
        for element in row:
            if local_name(element.tag) not in ("td", "th"):
                continue
            while column in placed:
                column += 1
            colspan, rowspan = _span(element, "colspan"), _span(element, "rowspan")
            text = inline_text(element).replace("|", "/")
            header = local_name(element.tag) == "th"
            for offset in range(colspan):
                cell = _Cell(text, header, offset == 0, colspan)
                # a cell never overwrites one carried down by a rowspan from above
                target = column + offset
                while target in placed:
                    target += 1
                placed[target] = cell
                if rowspan > 1:
                    carried[target] = (rowspan - 1, cell)
            column += colspan
        width = max(placed, default=-1) + 1
        grid.append([placed.get(c) for c in range(width)])
    return grid


def _all_th(row: list[_Cell | None]) -> bool:
    cells = [cell for cell in row if cell is not None and cell.text]
    return bool(cells) and all(cell.header for cell in cells)


def _padded(row: list[_Cell | None], width: int) -> list[_Cell]:
    empty = _Cell("", False, True, 1)
    return [cell or empty for cell in row] + [empty] * (width - len(row))


def _has_text(row: list[_Cell | None]) -> bool:
    return any(cell is not None and cell.text for cell in row)


def _group_row(row: list[_Cell]) -> list[_Cell]:
    """A body row whose only text is one cell spanning from the first column is a group
    row (`Adverse events` across the table): its text stays in the first cell alone."""
    first = row[0]
    if first.colspan > 1 and first.span_start:
        spanned = row[: first.colspan]
        rest = row[first.colspan :]
        repeats = all(cell.text == first.text and not cell.span_start for cell in spanned[1:])
        if repeats and not any(cell.text for cell in rest):
            empty = _Cell("", False, True, 1)
            return [first] + [empty] * (len(row) - 1)
    return row


def _line(cells: list[str]) -> str:
    return "|" + "".join(f" {text} |" if text else " |" for text in cells)

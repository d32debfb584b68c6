"""Flattened tables (text copied out of a PDF) -> the table model, in place.

PDF text extraction writes a table as a caption line, note lines, a header line and one
line per row with single spaces between cells (`Pain, VAS 7.83 ± 1.71 4.97 ± 2.63 ...`).
Such a table is read where it stands, not rewritten: a row's cells are found from its
right end by the statistic parser (so a label may hold digits: `EQ-5D-3L`, `Grade 3`),
the header is cut into columns at the words that name them (`Preoperative`, `1 year
postoperative`, `Mean difference`, `p-value`, `Drug (n = 150)`), and every cell keeps its
span in the text. A row with fewer cells than columns is placed left to right (a trailing
p-value in the p column) and marked uncertain; a row with more is not placed at all.

A table is only recognised where its structure is unmistakable: a `Table N` caption that
is a title rather than the start of a sentence ("Table 2 shows ..." is prose), followed by
rows. It ends at the next caption, figure legend, or a line of prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from extractor.annotate.statistics import StatisticParser
from extractor.tables.labels import group_size, times_in
from extractor.tables.model import Cell, Footnote, Line, Row, Table
from extractor.tables.reader import split_caption
from extractor.tables.readings import holds_statistic

MAX_ROW = 400  # characters: a longer line is prose, whatever it ends with
_DASHES = re.compile(r"^[-–—−.…]+$")


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str

    @property
    def indent(self) -> int:
        return len(self.text) - len(self.text.lstrip())

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    def stripped(self) -> Line:
        text = self.text.strip()
        return Line(text, self.start + self.indent, self.start + self.indent + len(text))


class FlattenedReader:
    """Reads the flattened tables of one text."""

    def __init__(self, text: str, vocab: Any, parser: StatisticParser) -> None:
        self.text, self.vocab, self.parser = text, vocab, parser
        self.words = vocab.table_headers
        self.lines: list[_Line] = []
        start = 0
        for raw in text.split("\n"):
            self.lines.append(_Line(start, start + len(raw), raw))
            start += len(raw) + 1

    # -- what a line is -------------------------------------------------------------------

    def caption_at(self, text: str) -> bool:
        """A `Table N` line that is a title: punctuation after the number, or a capitalised,
        short title. `Table 2 shows the outcomes ...` starts a sentence."""
        match = self.words.caption.match(text)
        if match is None:
            return False
        title = text[match.end() :]
        if len(title.split()) > 30:
            return False
        return (
            bool(match.group("sep"))
            or not title
            or title[0].isupper()
            or title[0] in "([0123456789"
        )

    def figure_at(self, text: str) -> bool:
        return bool(self.vocab.cue_pattern(r"^\s*{caption_label}\s*S?\d+").match(text))

    def is_note(self, text: str) -> bool:
        return bool(self.words.note_line.match(text)) and group_size(text, self.parser) is None

    def empty_cell(self, text: str) -> bool:
        return bool(self.words.empty_cell.fullmatch(text) or _DASHES.match(text))

    def split_row(self, line: _Line, max_cells: int | None) -> tuple[str, list[Cell]]:
        """A row's label and its cells, read from the right: a cell is taken while the
        rest of the line still leaves a label. Surplus bare numbers on the left go back
        to the label (`Grade 3 12 (40%)` under one column -> label `Grade 3`)."""
        text = line.text.rstrip()
        if len(text) > MAX_ROW:
            return text.strip(), []
        cells: list[Cell] = []
        rest = text
        while rest.strip():
            found = None
            for pos in _word_starts(rest):
                piece = rest[pos:]
                if self.empty_cell(piece.strip()) or holds_statistic(piece, self.parser):
                    found = pos
                    break
            if found is None or not rest[:found].strip():
                break
            piece = rest[found:].strip()
            begin = line.start + found
            cells.insert(0, Cell(piece, begin, begin + len(piece)))
            rest = rest[:found].rstrip()
        if max_cells is not None:
            while len(cells) > max_cells and self._bare(cells[0]):
                dropped = cells.pop(0)
                rest = text[: dropped.end - line.start]
        return rest.strip(), cells

    def _bare(self, cell: Cell) -> bool:
        stat = self.parser.parse_cell(cell.text)
        return stat is not None and stat.shape in ("number", "percent")

    def label_ok(self, label: str, has_parent: bool) -> bool:
        """A row label, not a wrapped line of prose that happens to end in a number."""
        words = label.split()
        if not words or len(words) > 12 or len(label) > 90:
            return False
        if re.search(r"[.!?]\s+[A-Z]", label) or self._prose_end(words[-1]):
            return False
        return has_parent or any(ch.isalpha() for ch in label)

    def _prose_end(self, word: str) -> bool:
        """A label ending in a connecting word (`... improved from`) is wrapped prose."""
        return bool(self.words.prose_end.match(word))

    # -- the header ----------------------------------------------------------------------------

    def is_header(self, text: str) -> bool:
        if self.words.label.match(text) or group_size(text, self.parser):
            return True
        return len(self._markers(text)) >= 2

    def _markers(self, text: str) -> list[tuple[int, int, str]]:
        """Words that name columns, in reading order and not overlapping."""
        found: list[tuple[int, int, str]] = [
            (w.start, w.end, "T") for w in times_in(text, self.vocab)
        ]
        found += [(m.start(), m.end(), "N") for m in _n_spans(text, self.parser)]
        found += [(m.start(), m.end(), "C") for m in self.words.change.finditer(text)]
        found += [(m.start(), m.end(), "I") for m in self.words.ci.finditer(text)]
        try:
            found += [(t.start, t.end, "E") for t in self.vocab.effects_in(text, 0)]
        except Exception:
            pass
        found += [(m.start(), m.end(), "P") for m in self.words.p_value.finditer(text)]
        found += [(m.start(), m.end(), "V") for m in self.words.value.finditer(text)]
        found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        kept: list[tuple[int, int, str]] = []
        for marker in found:
            if kept and marker[0] < kept[-1][1]:
                continue
            kept.append(marker)
        return kept

    def header_cells(self, line: _Line) -> list[Cell]:
        """The label-column header and one cell per column, cut at the column words:
        `Outcome Drug (n = 150) Placebo (n = 148) Mean difference (95% CI) P value`."""
        text = line.text
        label = self.words.label.match(text)
        cursor = label.end() if label else 0
        stub = (
            Cell(
                label.group().strip(),
                line.start + label.start() + (len(label.group()) - len(label.group().lstrip())),
                line.start + label.end(),
            )
            if label
            else Cell("", line.start, line.start)
        )
        spans: list[list[int]] = []
        for start, end, kind in self._markers(text):
            if start < cursor:
                continue
            gap = text[cursor:start].strip(" ,;:/|")
            attached = bool(spans) and not gap.strip("()[]")
            if kind in ("N", "I", "V") and attached:
                spans[-1][1] = end
            elif kind == "N" and gap:
                first = cursor + len(text[cursor:start]) - len(text[cursor:start].lstrip(" ,;:/|"))
                spans.append([first, end])
            else:
                spans.append([start, end])
            cursor = end
        cells = [stub]
        for span in spans:  # `Mean difference (95% CI`: the bracket closes in the cell
            piece = text[span[0] : span[1]]
            if piece.count("(") > piece.count(")") and text[span[1] :].lstrip()[:1] == ")":
                span[1] = text.index(")", span[1]) + 1
        for start, end in spans:
            piece = text[start:end]
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            cells.append(
                Cell(piece, line.start + start + lead, line.start + start + lead + len(piece))
            )
        return cells

    # -- finding tables -----------------------------------------------------------------------

    def tables(self, skip: list[tuple[int, int]]) -> list[Table]:
        """Every flattened table outside the spans in `skip` (canonical blocks)."""
        out: list[Table] = []
        index = 0
        while index < len(self.lines):
            line = self.lines[index]
            inside = any(a <= line.start < b for a, b in skip)
            if not inside and self.caption_at(line.text.strip()):
                table, end = self._captioned(index)
                if table is not None:
                    out.append(table)
                    index = max(end, index + 1)
                    continue
            index += 1
        return out

    def _next(self, index: int) -> int | None:
        for j in range(index + 1, len(self.lines)):
            if not self.lines[j].blank:
                return j
        return None

    def _captioned(self, index: int) -> tuple[Table | None, int]:
        caption = self.lines[index]
        notes: list[_Line] = []
        header: int | None = None
        extra: list[int] = []
        j = index + 1
        while j < len(self.lines) and len(extra) <= 3:
            line = self.lines[j]
            text = line.text.strip()
            if line.blank:
                j += 1
                continue
            if text.startswith("|"):
                return None, index + 1  # a canonical block follows: not this reader's
            if self.is_note(text):
                notes.append(line)
            elif self.is_header(text) and not self.split_row(line, None)[1]:
                header = j
                break
            elif self.split_row(line, None)[1]:
                break
            else:
                extra.append(j)  # a caption title wrapped onto the next line
            j += 1
        if header is None and extra:
            j = extra[0]
        header_cells = self.header_cells(self.lines[header]) if header is not None else []
        first_row = header + 1 if header is not None else j
        rows, end = self._rows(first_row, len(header_cells) - 1 if header_cells else None)
        if not any(not r.is_group for r in rows):
            return None, index + 1
        ncols = len(header_cells) or max(len(r.cells) for r in rows)
        rows = [_widened(r, ncols) for r in rows]
        cap = caption.stripped()
        label, title = split_caption(cap.text, self.words)
        table = Table(
            start=cap.start,
            end=self.lines[end - 1].end,
            ncols=ncols,
            header=[tuple(header_cells)] if header_cells else [],
            header_lines=[self.lines[header].stripped()] if header is not None else [],
            rows=rows,
            caption=cap,
            label=label,
            title=title,
            footnotes=[
                Footnote(n.stripped().text, n.stripped().start, n.stripped().end) for n in notes
            ],
            columns_uncertain=False,
            layout="flattened",
        )
        return table, end

    def _rows(self, j: int, width: int | None) -> tuple[list[Row], int]:
        """Rows from line `j` on, and the index after the last table line."""
        rows: list[Row] = []
        parent: int | None = None
        parent_indent = 0
        children_indented: bool | None = None
        last = j
        while j < len(self.lines):
            line = self.lines[j]
            text = line.text.strip()
            if line.blank:
                j += 1
                continue
            if self.caption_at(text) or self.figure_at(text) or text.startswith("|"):
                break
            if self.is_note(text) and rows:
                last = j = j + 1
                continue
            label, cells = self.split_row(line, width)
            if parent is not None and children_indented is None and cells:
                children_indented = line.indent > parent_indent
            if parent is not None and children_indented and line.indent <= parent_indent:
                parent = None
            if cells and self.label_ok(label, parent is not None):
                rows.append(self._row(line, label, cells, width, parent))
                last = j = j + 1
                continue
            nxt = self._next(j)
            if cells or len(text.split()) > 8 or text.endswith(".") or nxt is None:
                break
            next_label, next_cells = self.split_row(self.lines[nxt], width)
            if not next_cells or not self.label_ok(next_label, True):
                break
            rows.append(self._row(line, text, [], width, None))
            parent, parent_indent, children_indented = len(rows) - 1, line.indent, None
            j += 1
        return rows, last

    def _row(
        self, line: _Line, label: str, cells: list[Cell], width: int | None, parent: int | None
    ) -> Row:
        """A row with one cell per column: its label, then its cells placed left to
        right; a trailing p-value goes to the p column; a short row is uncertain."""
        quote = line.stripped()
        label_start = quote.start
        label_cell = Cell(label, label_start, label_start + len(label))
        if width is None or len(cells) == width:
            return Row((label_cell, *cells), quote, parent)
        if len(cells) > width:
            return Row((label_cell,), quote, parent, uncertain=True)  # cannot be placed
        empty = [Cell("", quote.end, quote.end)] * (width - len(cells))
        return Row((label_cell, *cells, *empty), quote, parent, uncertain=True)


def _widened(row: Row, ncols: int) -> Row:
    if len(row.cells) >= ncols:
        return row
    end = row.line.end
    cells = (*row.cells, *[Cell("", end, end)] * (ncols - len(row.cells)))
    return Row(cells, row.line, row.parent, row.uncertain)


def _word_starts(text: str) -> list[int]:
    return [
        i for i, ch in enumerate(text) if not ch.isspace() and (i == 0 or text[i - 1].isspace())
    ]


def _n_spans(text: str, parser: StatisticParser) -> list[re.Match[str]]:
    from extractor.tables.labels import _n_pattern

    return list(_n_pattern(parser).finditer(text))

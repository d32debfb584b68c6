"""Tables: find them in the text, read their columns, and turn their rows into evidence.

Three layouts reach us. PDF extraction flattens a table into a caption line, note lines,
a header line and one line per row with single spaces between cells (`Pain, VAS 7.83 ±
1.71 4.97 ± 2.63 ...`); markdown sources keep `|` cells; plain-text sources align columns
with runs of spaces. In all three the numbers get their meaning from position (header
column, parent label above the row), which the prose matchers cannot see, so tables are
matched first and their lines are handed back as `consumed` for the prose matchers to skip.

A table is only recognised where its structure is unmistakable: a `Table N` caption that is
a title rather than the start of a sentence ("Table 2 shows ..." is prose), a markdown
separator line, or three or more lines whose every cell after the label is a number. It
ends at the next caption, figure legend, heading or prose line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from extractor.matchers.table_cells import Cell, parse_cell, split_row
from extractor.matchers.table_columns import (
    _N,
    Column,
    Style,
    cell_column,
    header_columns,
    is_header,
    is_note,
    read_style,
)
from extractor.matchers.table_lines import (
    FIGURE,
    MD_SEPARATOR,
    Line,
    aligned_parts,
    caption_at,
    label_ok,
    lines_of,
    markdown_parts,
)
from extractor.matchers.table_rows import Row, Table, row_evidence
from extractor.types import Evidence, Sentence

if TYPE_CHECKING:
    from extractor.vocab import Vocabulary

# Without indentation a parent label's rows end where its levels add up to 100% (ASA I, II,
# III), allowing for rounding; a list of conditions that do not add up runs to the next parent.
_WHOLE = 99.4


def _caption_instrument(vocab: Vocabulary, title: str) -> Any:
    """The one instrument a caption names (`MADRS total score by visit`), else None."""
    try:
        found = {t.canonical: t for t in vocab.instruments_in(title)}
    except Exception:  # a vocabulary hiccup must not lose the table
        return None
    return next(iter(found.values())) if len(found) == 1 else None


def _first_percent(cells: list[Cell]) -> float:
    return next((c.percent for c in cells if c.percent is not None), 0.0)


@dataclass
class TableResult:
    """The evidence from every table, and the sentences (start, end) the tables used up."""

    evidence: list[Evidence] = field(default_factory=list)
    consumed: set[tuple[int, int]] = field(default_factory=set)


class _TableReader:
    """Reads tables from one document; collects their evidence and the lines they span."""

    def __init__(self, text: str, vocab: Any) -> None:
        self.text, self.vocab = text, vocab
        self.lines = lines_of(text)
        self.evidence: list[Evidence] = []
        self.spans: list[tuple[int, int]] = []

    def run(self) -> None:
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            nxt = self._next(i)
            if (
                line.text.lstrip().startswith("|")
                and nxt is not None
                and MD_SEPARATOR.match(self.lines[nxt].text)
            ):
                end = self._markdown(i, self._caption_before(i))
            elif caption_at(line.text):
                end = self._captioned(i)
            else:
                end = self._aligned(i, None, Style())
            i = max(end, i + 1)

    # -- helpers ------------------------------------------------------------------------

    def _next(self, i: int) -> int | None:
        """Index of the next non-blank line after `i`."""
        for j in range(i + 1, len(self.lines)):
            if not self.lines[j].blank:
                return j
        return None

    def _caption_before(self, i: int) -> int | None:
        j = i - 1
        while j >= 0 and self.lines[j].blank and i - j <= 2:
            j -= 1
        return j if j >= 0 and caption_at(self.lines[j].text) else None

    def _emit(
        self,
        table: Table,
        line: Line,
        label: str,
        parent: str | None,
        cells: list[tuple[Column, Cell]],
    ) -> None:
        stripped = line.text.strip()
        start = line.start + line.indent
        row = Row(
            label=label,
            parent=parent,
            quote=stripped,
            quote_start=start,
            quote_end=start + len(stripped),
            cells=cells,
        )
        try:
            self.evidence.extend(row_evidence(table, row, self.vocab))
        except Exception:  # an odd row is skipped, never the document
            return

    def _header_sizes(self, columns: list[Column], line: Line, kind: str) -> None:
        """`Surgery (n = 30)` in a header: a sample size for that arm (quote: the header)."""
        stripped = line.text.strip()
        start = line.start + line.indent
        for column in columns:
            if column.n is None or column.n_start is None or column.n_end is None:
                continue
            self.evidence.append(
                Evidence(
                    kind="sample_size",
                    value=float(column.n),
                    char_start=column.n_start,
                    char_end=column.n_end,
                    rule=f"table.{kind}_header_n",
                    quote=stripped,
                    quote_start=start,
                    quote_end=start + len(stripped),
                    measure=self._unit(stripped),
                    measure_text=column.group,
                    group_name=column.group,
                    statistic="n",
                    timepoint=column.timepoint,
                    months=column.months,
                )
            )

    def _unit(self, text: str) -> str:
        """What an `(n = x)` in a caption or header counts: a count noun there, else patients."""
        try:
            nouns = self.vocab.count_nouns_in(text, 0)
        except Exception:
            nouns = []
        return nouns[0].canonical if nouns else "patients"

    def _table(
        self, kind: str, style: Style, columns: list[Column], n: int | None, caption: int | None
    ) -> Table:
        groups = {c.group for c in columns if c.role == "value" and c.group}
        title = self.lines[caption].text if caption is not None else ""
        return Table(
            kind=kind,
            style=style,
            columns=columns,
            n=n,
            between_arms=len(groups) >= 2,
            describes_cohort=bool(
                self.vocab.table_headers.anywhere["cohort_caption"].search(title)
            ),
            caption_instrument=_caption_instrument(self.vocab, title),
        )

    # -- captioned (flattened or aligned) -------------------------------------------------

    def _captioned(self, i: int) -> int:
        caption = self.lines[i]
        style, header, j = Style(), None, i + 1
        n_matches = list(_N.finditer(caption.text))  # two Ns in a caption are arms: no table N
        n_match = n_matches[0] if len(n_matches) == 1 else None
        table_n = int(n_match.group("n").replace(",", "")) if n_match else None
        extra: list[int] = []
        while j < len(self.lines) and len(extra) <= 3:
            line = self.lines[j]
            if line.blank:
                j += 1
                continue
            if is_note(line.text, self.vocab.table_headers):
                style = read_style(line.text, self.vocab.table_headers, style)
            elif (
                is_header(line.text.strip(), self.vocab, line.start + line.indent)
                and not split_row(line.text)[1]
            ):
                header = j
                break
            elif split_row(line.text)[1]:
                break
            extra.append(j)  # a caption title wrapped onto the next line
            j += 1
        if header is None and extra:
            j = extra[0]  # no header found: the extra lines were not caption lines
        start_row = (header + 1) if header is not None else j
        if header is not None and len(aligned_parts(self.lines[header])) >= 2:
            end = self._aligned(header, i, style, table_n)
            if end > header:
                return end
        columns: list[Column] = []
        if header is not None:
            h = self.lines[header]
            columns = header_columns(h.text.strip(), h.start + h.indent, self.vocab)
        table = self._table("flattened", style, columns, table_n, i)
        end, rows = self._flattened_rows(start_row, table)
        if rows == 0:
            return i + 1
        self.spans.append((caption.start, self.lines[end - 1].end))
        if header is not None:
            self._header_sizes(columns, self.lines[header], "flattened")
        if table_n is not None and n_match is not None:
            self._caption_size(caption, n_match)
        return end

    def _caption_size(self, caption: Line, match: re.Match[str]) -> None:
        stripped = caption.text.strip()
        start = caption.start + caption.indent
        self.evidence.append(
            Evidence(
                kind="sample_size",
                value=float(match.group("n").replace(",", "")),
                char_start=caption.start + match.start(),
                char_end=caption.start + match.end(),
                rule="table.caption_n",
                quote=stripped,
                quote_start=start,
                quote_end=start + len(stripped),
                measure=self._unit(stripped),
                statistic="n",
            )
        )

    def _flattened_rows(self, j: int, table: Table) -> tuple[int, int]:
        """Rows from line `j` on; returns (index after the last table line, rows read)."""
        width = len(table.columns) or None
        parent: Line | None = None
        children_indented: bool | None = None
        rows, last, share = 0, j, 0.0
        while j < len(self.lines):
            line = self.lines[j]
            text = line.text
            if line.blank:
                j += 1
                continue
            if caption_at(text) or FIGURE.match(text):
                break
            if is_note(text, self.vocab.table_headers) and rows:
                last = j = j + 1
                continue
            label, cells = split_row(text, line.start, width)
            if parent is not None and children_indented is None and cells:
                children_indented = line.indent > parent.indent
            if parent is not None and children_indented and line.indent <= parent.indent:
                parent = None
            if cells and label_ok(label, parent is not None):
                columns = table.columns or [Column(role="value")] * len(cells)
                if len(cells) > len(columns):  # more numbers than columns: cannot assign
                    rows, last, j = rows + 1, j + 1, j + 1
                    continue
                pairs = list(zip(columns, cells, strict=False))
                if (
                    columns
                    and cells
                    and cells[-1].shape == "p"
                    and len(cells) < len(columns)
                    and columns[-1].role == "p"
                ):
                    pairs = list(zip(columns, cells[:-1], strict=False)) + [
                        (columns[-1], cells[-1])
                    ]
                self._emit(table, line, label, parent.text.strip() if parent else None, pairs)
                rows += 1
                if parent is not None and not children_indented:
                    share += _first_percent(cells)
                    if share >= _WHOLE:  # the levels of one variable are complete
                        parent = None
                last = j = j + 1
                continue
            nxt = self._next(j)
            if cells or len(text.split()) > 8 or text.rstrip().endswith(".") or nxt is None:
                break
            nlabel, ncells = split_row(self.lines[nxt].text, 0, width)
            if not ncells or not label_ok(nlabel, True):
                break
            parent, children_indented, share = line, None, 0.0
            j += 1
        return last, rows

    # -- markdown -------------------------------------------------------------------------

    def _markdown(self, i: int, caption: int | None) -> int:
        header = self.lines[i]
        heads = markdown_parts(header)
        columns = [cell_column(t, s, self.vocab) for t, s in heads[1:]]
        style = Style()
        table = self._table("markdown", style, columns, None, caption)
        j, parent, share = i + 2, None, 0.0
        while j < len(self.lines) and self.lines[j].text.lstrip().startswith("|"):
            line = self.lines[j]
            parts = markdown_parts(line)
            if parts:
                label, values = parts[0][0], parts[1:]
                cells = [(c, parse_cell(t, s)) for c, (t, s) in zip(columns, values, strict=False)]
                if all(cell is None or cell.shape == "empty" for _, cell in cells):
                    parent, share = label or None, 0.0
                else:
                    present = [(c, cell) for c, cell in cells if cell is not None]
                    self._emit(table, line, label, parent, present)
                    share += _first_percent([cell for _, cell in present])
                    parent = None if share >= _WHOLE else parent
            j += 1
        first = self.lines[caption] if caption is not None else header
        self.spans.append((first.start, self.lines[j - 1].end))
        self._header_sizes(columns, header, "markdown")
        return j

    # -- space-aligned --------------------------------------------------------------------

    def _aligned(self, i: int, caption: int | None, style: Style, n: int | None = None) -> int:
        """A header line and 2+ rows whose cells after the label are all numbers."""
        header = self.lines[i]
        heads = aligned_parts(header)
        if len(heads) < 2 or caption_at(header.text) or parse_cell(heads[-1][0]) is not None:
            return i
        rows: list[tuple[Line, list[tuple[str, int, int]]]] = []
        j = i + 1
        while j < len(self.lines):
            line = self.lines[j]
            if line.blank:
                if rows and j + 1 < len(self.lines) and self.lines[j + 1].blank:
                    break
                j += 1
                continue
            parts = aligned_parts(line)
            if len(parts) < 2 or any(parse_cell(p[0]) is None for p in parts[1:]):
                if len(parts) == 1 and len(line.text.split()) <= 6 and not rows == []:
                    rows.append((line, parts))  # a parent label inside the table
                    j += 1
                    continue
                break
            rows.append((line, parts))
            j += 1
        while rows and len(rows[-1][1]) == 1:
            rows.pop()
        if sum(len(p) >= 2 for _, p in rows) < 2:
            return i
        label_col = heads[0][2] <= min(p[0][2] for _, p in rows) + 1
        value_heads = heads[1:] if label_col else heads
        columns = [cell_column(t, s, self.vocab) for t, s, _ in value_heads]
        table = self._table("aligned", style, columns, n, caption)
        parent = None
        for line, parts in rows:
            if len(parts) == 1:
                parent = parts[0][0]
                continue
            cells = []
            for text, start, x in parts[1:]:
                centre = x + len(text) / 2
                k = min(
                    range(len(value_heads)),
                    key=lambda m: abs(value_heads[m][2] + len(value_heads[m][0]) / 2 - centre),
                )
                cell = parse_cell(text, start)
                if cell is not None:
                    cells.append((columns[k], cell))
            self._emit(table, line, parts[0][0], parent, cells)
        first = self.lines[caption] if caption is not None else header
        last = rows[-1][0]
        self.spans.append((first.start, last.end))
        self._header_sizes(columns, header, "aligned")
        return self.lines.index(last) + 1


def find_table_evidence(text: str, sentences: list[Sentence], vocab: Vocabulary) -> TableResult:
    """Evidence from every table in `text`, and the sentences that are its lines.

    A sentence is consumed when it lies wholly inside a table (caption to last row), so a
    prose sentence that merely shares a line boundary with a table is still matched.
    """
    reader = _TableReader(text, vocab)
    reader.run()
    consumed = {
        (s.start, s.end)
        for s in sentences
        if any(start <= s.start and s.end <= end for start, end in reader.spans)
    }
    return TableResult([e for e in reader.evidence if e.value is not None], consumed)

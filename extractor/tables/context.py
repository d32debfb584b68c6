"""What a whole table (and the document's other tables) says to every row in it.

The caption and footnotes declare formats (`Data are n (%)`), a time (`Outcomes at week
8`), whether the table describes the cohort at entry (`Baseline characteristics`) or its
adverse events, and sometimes the population's size (`(n = 258)`). Across a document,
the arms are named again and again (`Placebo (n = 112)` in one table's header,
`Placebo` as a row of the next), which is how a row is known to be an arm rather than an
outcome. The label column (one or more leading columns without numbers) has a header of
its own that may say the rows are arms (`Group`) or name the outcome (`CGI-S`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from extractor.annotate.statistics import StatisticParser
from extractor.tables.columns import Column, percent_only, read_column
from extractor.tables.labels import GroupSize, When, group_size, one_time, strip_marks, times_in
from extractor.tables.labels import without_group_size as _without_n
from extractor.tables.model import Cell, Row, Table
from extractor.tables.rows import RowInfo, read_rows


def row_is_arm(info: RowInfo, parser: StatisticParser, arms: dict[str, set[int]]) -> bool:
    """A row label that is an arm: it gives a group size, or names an arm of the document."""
    return info.size is not None or arm_key(info.label, parser) in arms


def arm_key(text: str, parser: StatisticParser) -> str:
    """An arm's name as compared across tables: no marks, no size, case folded."""
    return " ".join(_without_n(strip_marks(text), parser).lower().split())


def document_arms(tables: list[Table], vocab: Any, parser: StatisticParser) -> dict[str, set[int]]:
    """Names given a group size anywhere in the document's tables (its arms), with the
    sizes they were given."""
    arms: dict[str, set[int]] = {}
    for table in tables:
        cells = [c for row in table.header for c in row]
        cells += [row.label for row in table.rows]
        for cell in cells:
            size = group_size(cell.text, parser)
            if size is None:
                continue
            key = arm_key(cell.text, parser)
            if key and not vocab.table_headers.total.fullmatch(key):
                arms.setdefault(key, set()).add(size.n)
    return arms


@dataclass
class TableContext:
    """One table, read: its columns and rows and what it says as a whole."""

    table: Table
    stub: int  # the label columns are 0 .. stub-1
    columns: list[Column]
    rows: list[RowInfo]
    declarations: tuple[tuple[str, ...], tuple[str, ...]]
    percent_only: bool
    time: When | None
    describes_cohort: bool
    about_events: bool
    size: GroupSize | None  # the caption's `(n = 258)`
    statistic: str | None  # `Values are means`
    ci_level: float | None
    stub_header: str
    section: str | None
    rows_are_arms: bool
    caption_text: str


def read_table(
    table: Table, vocab: Any, parser: StatisticParser, arms: dict[str, set[int]], is_value: Any
) -> TableContext:
    words = vocab.table_headers
    table = _header_rows_from_body(table, is_value)
    stub = _stub_width(table, is_value)
    valid = _valid_header_rows(table, stub, vocab, parser, is_value)
    columns = [
        read_column(j, _stack(table, j, valid), vocab, parser) for j in range(stub, table.ncols)
    ]
    rows = read_rows(table, vocab, parser)
    stub_header = " ".join(
        c.text for j in range(stub) for c in _stack(table, j, valid) if not c.empty
    ).strip()
    notes = [table.caption.text] if table.caption else []
    notes += [f.text for f in table.footnotes] + [stub_header]
    notes += [
        " ".join(c.text for c in r.cells) for r in table.rows if _words_only(r.cells, is_value)
    ]
    parens: list[str] = []
    pairs: list[str] = []
    for note in notes:
        paren, pair = parser.declarations(note)
        parens += [p for p in paren if p not in parens]
        pairs += [p for p in pair if p not in pairs]
    title = table.title
    ctx = TableContext(
        table=table,
        stub=stub,
        columns=columns,
        rows=rows,
        declarations=(tuple(parens), tuple(pairs)),
        percent_only=any(percent_only(n, parser, words) for n in notes) and parens == ["percent"],
        time=one_time(title, vocab) if title else None,
        describes_cohort=_describes_cohort(title, vocab),
        about_events=bool(words.anywhere["complication_heading"].search(title + " " + stub_header)),
        size=group_size(table.caption.text, parser) if table.caption else None,
        statistic=_note_statistic(" ".join(notes), words),
        ci_level=_ci_level(" ".join(notes), words),
        stub_header=stub_header,
        section=table.caption.text.strip() if table.caption else None,
        rows_are_arms=False,
        caption_text=title,
    )
    ctx.rows_are_arms = _rows_are_arms(ctx, words, parser, arms)
    return ctx


def _describes_cohort(title: str, vocab: Any) -> bool:
    """`Baseline characteristics`, `Laboratory data on admission`: a caption about the
    cohort at entry (its words in `table_headers.tsv`, or a baseline time), unless it also
    names a later time (`Prescriptions at baseline and at 3, 6 and 12 months`)."""
    if not title:
        return False
    times = times_in(title, vocab)
    if any(w.timepoint == "follow-up" for w in times):
        return False
    return bool(vocab.table_headers.anywhere["cohort_caption"].search(title)) or any(
        w.timepoint == "baseline" for w in times
    )


def _header_rows_from_body(table: Table, is_value: Any) -> Table:
    """Leading body rows of words only (`| | Mean | SD |` under arm headers, where a
    reader put a second header row in the body) are header rows; a table of words only
    keeps its rows."""
    rows = table.rows
    count = 0
    while count < len(rows) and _words_only(rows[count].cells, is_value):
        count += 1
    if not count or count == len(rows):
        return table
    moved = [
        Row(r.cells, r.line, None if r.parent is None else r.parent - count, r.uncertain)
        for r in rows[count:]
    ]
    return replace(
        table,
        header=[*table.header, *(r.cells for r in rows[:count])],
        header_lines=[*table.header_lines, *(r.line for r in rows[:count])],
        rows=moved,
    )


def _stub_width(table: Table, is_value: Any) -> int:
    """Leading columns without a number in any body row are label columns."""
    width = 1
    while width < table.ncols and not any(
        not row.cells[width].empty and is_value(row.cells[width].text) for row in table.rows
    ):
        width += 1
    return width if width < table.ncols else 1


def _words_only(cells: tuple[Cell, ...], is_value: Any) -> bool:
    filled = [c for c in cells if not c.empty]
    return len(filled) >= 2 and not any(is_value(c.text) for c in filled)


def _stack(table: Table, column: int, valid: set[int]) -> list[Cell]:
    """A column's header cells from the header rows that can be trusted."""
    stack: list[Cell] = []
    for index, row in enumerate(table.header):
        if index not in valid or column >= len(row) or row[column].empty:
            continue
        if stack and stack[-1].text == row[column].text:
            continue
        stack.append(row[column])
    return stack


def _valid_header_rows(
    table: Table, stub: int, vocab: Any, parser: StatisticParser, is_value: Any
) -> set[int]:
    """In a table whose columns are uncertain, a header row that puts `P` over a column
    of means is out of place: none of its words is used (its text stays in the table)."""
    rows = set(range(len(table.header)))
    if not table.columns_uncertain:
        return rows
    for index, header in enumerate(table.header):
        for j in range(stub, min(len(header), table.ncols)):
            if header[j].empty:
                continue
            if not vocab.table_headers.p_value.match(strip_marks(header[j].text)):
                continue
            cells = [r.cells[j].text for r in table.rows if not r.cells[j].empty]
            if cells and not any(_p_like(c, parser) for c in cells):
                rows.discard(index)
    return rows


def _p_like(text: str, parser: StatisticParser) -> bool:
    stat = parser.parse_cell(text)
    return (
        stat is not None
        and stat.value is not None
        and 0 <= stat.value <= 1
        and stat.shape == "number"
    )


def _note_statistic(text: str, words: Any) -> str | None:
    mean = words.anywhere["note_mean"].search(text)
    median = words.anywhere["note_median"].search(text)
    if mean and not median:
        return "mean"
    if median and not mean:
        return "median"
    return None


def _ci_level(text: str, words: Any) -> float | None:
    match = words.ci.search(text)
    return round(float(match.group("level")) / 100, 4) if match else None


def _rows_are_arms(
    ctx: TableContext, words: Any, parser: StatisticParser, arms: dict[str, set[int]]
) -> bool:
    """One row per arm (`Placebo`, `Intervention (n = 125)`), outcomes across: the label
    column says so (`Group`), or two rows are arms named in the document and no column
    is one."""
    if ctx.stub_header and words.arm_stub.fullmatch(strip_marks(ctx.stub_header)):
        return True
    columns_are_arms = any(
        column.n is not None or any(arm_key(n, parser) in arms for n in column.names)
        for column in ctx.columns
    )
    if columns_are_arms:
        return False
    named = sum(1 for row in ctx.rows if row_is_arm(row, parser, arms))
    return named >= 2

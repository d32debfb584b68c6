"""Specifications of the canonical-block reader: the table model with exact spans.

The blocks are written as a JATS, PDF or text reader renders them (docs/TABLE_TEXT.md):
the reader must find them in a document, give every cell its span in the text, read the
header rows as stacks per column and the group rows as parents.
"""

from __future__ import annotations

import pytest

from extractor.tables.reader import read_canonical_tables
from extractor.vocab import Vocabulary

BLOCK = """Prose before the table ends here.

Table 2. Outcomes at 12 weeks (intention-to-treat population)
| Outcome | Drug A (n = 120) | Drug A (n = 120) | Placebo (n = 118) | Placebo (n = 118) | P |
| | Mean | SD | Mean | SD | |
|---|---|---|---|---|---|
| Age, years | 54.2 | 8.1 | 55.0 | 7.9 | 0.41 |
| Sex, n (%) | | | | | |
| Female | 60 (50.0) | | 58 (49.2) | | 0.88 |
| Male | 60 (50.0) | | 60 (50.8) | | |
a Values are mean ± SD unless stated otherwise.
b P from the χ² test.

Prose after the table."""


@pytest.fixture(scope="module")
def table():
    (found,) = read_canonical_tables(BLOCK, Vocabulary.load().table_headers)
    return found


def test_the_block_runs_from_its_caption_to_its_last_footnote(table):
    assert BLOCK[table.start : table.end].startswith("Table 2. Outcomes")
    assert BLOCK[table.start : table.end].endswith("P from the χ² test.")
    assert (table.label, table.title) == (
        "Table 2",
        "Outcomes at 12 weeks (intention-to-treat population)",
    )


def test_every_cell_has_its_exact_span_in_the_text(table):
    cells = [c for row in table.header for c in row] + [c for r in table.rows for c in r.cells]
    for cell in cells:
        assert BLOCK[cell.start : cell.end] == cell.text
    assert table.rows[2].cells[1].text == "60 (50.0)"


def test_a_spanning_header_is_read_once_in_each_column_stack(table):
    assert [c.text for c in table.column_headers(2)] == ["Drug A (n = 120)", "SD"]
    assert [c.text for c in table.column_headers(5)] == ["P"]


def test_a_row_with_only_its_first_cell_is_the_parent_of_the_rows_below(table):
    sex, female, male = table.rows[1], table.rows[2], table.rows[3]
    assert sex.is_group and female.parent == 1 and male.parent == 1
    assert table.rows[0].parent is None


def test_footnote_lines_are_read_with_their_marks(table):
    assert [f.text for f in table.footnotes] == [
        "a Values are mean ± SD unless stated otherwise.",
        "b P from the χ² test.",
    ]


def test_a_block_without_header_rows_starts_with_the_separator():
    text = "|---|---|\n| Hospital stay, days | 4.1 |\n"
    (table,) = read_canonical_tables(text, Vocabulary.load().table_headers)
    assert table.header == [] and table.rows[0].cells[1].text == "4.1"


def test_a_separator_of_equals_signs_marks_the_columns_uncertain():
    text = "| Outcome | A |\n|===|===|\n| Pain | 3 |\n"
    (table,) = read_canonical_tables(text, Vocabulary.load().table_headers)
    assert table.columns_uncertain


def test_a_ragged_row_is_padded_to_the_separator_and_marks_the_columns_uncertain():
    text = "| Outcome | A | B |\n|---|---|---|\n| Pain | 3 |\n| Nausea | 1 | 2 | 9 |\n"
    (table,) = read_canonical_tables(text, Vocabulary.load().table_headers)
    assert [c.text for c in table.rows[0].cells] == ["Pain", "3", ""]
    assert [c.text for c in table.rows[1].cells] == ["Nausea", "1", "2"]
    assert table.columns_uncertain


def test_two_blocks_are_two_tables_and_prose_is_no_caption():
    text = (
        "| x | 1 |\n|---|---|\n| y | 2 |\n\n"
        "Outcome data follow.\n\n"
        "| a | 3 |\n|---|---|\n| b | 4 |\n"
    )
    tables = read_canonical_tables(text, Vocabulary.load().table_headers)
    assert [t.rows[0].cells[1].text for t in tables] == ["2", "4"]
    assert all(t.caption is None for t in tables)

"""Specifications of text tables -> the canonical block (docs/TABLE_TEXT.md).

Markdown and pandoc text keeps a table's columns only in its layout (pipes, borders,
positions), so each layout is read before `normalise` collapses spaces and written back in
the one form the table reader reads. The tables are written for these tests.
"""

from __future__ import annotations

import pytest

from extractor.tables.text_source import render_text_tables
from extractor.text.normalise import normalise
from extractor.types import RawText
from extractor.vocab import Vocabulary
from tests.table_support import rendered


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.load()


def blocks(text: str) -> list[str]:
    """The canonical blocks of a rendered text (paragraphs holding a separator)."""
    return [p for p in text.split("\n\n") if "\n|---" in p or "\n|===" in p or p.startswith("|--")]


def test_a_pipe_table_takes_its_caption_above_and_its_footnote_below(vocab):
    text = (
        "Results were as follows.\n\n"
        "Table 2: Pain after lumbar fusion\n\n"
        "| Outcome | Fusion | Physiotherapy |\n"
        "| :--- | ---: | ---: |\n"
        "| ODI | 28.1 ± 9.0 | 35.4 ± 11.2 |\n\n"
        "*P < 0.05 versus physiotherapy.\n\n"
        "Discussion follows."
    )
    assert blocks(rendered(text, vocab)) == [
        "Table 2: Pain after lumbar fusion\n"
        "| Outcome | Fusion | Physiotherapy |\n"
        "|---|---|---|\n"
        "| ODI | 28.1 ± 9.0 | 35.4 ± 11.2 |\n"
        "*P < 0.05 versus physiotherapy."
    ]


def test_text_outside_tables_is_left_as_it_was(vocab):
    text = "Methods  were   double-spaced.\n\n\n\nA second paragraph, 12 (9.8).\n"
    assert rendered(text, vocab) == text


def test_a_pandoc_simple_table_is_read_by_the_columns_of_its_rule(vocab):
    text = (
        "  Outcome              Twice daily   Once daily\n"
        "  -------------------- ------------- ------------\n"
        "  FEV1 change, mL      112 (41)      98 (44)\n"
        "  Rescue puffs/day     1.2 (0.8)     1.6 (0.9)\n"
    )
    assert blocks(rendered(text, vocab)) == [
        "| Outcome | Twice daily | Once daily |\n"
        "|---|---|---|\n"
        "| FEV1 change, mL | 112 (41) | 98 (44) |\n"
        "| Rescue puffs/day | 1.2 (0.8) | 1.6 (0.9) |"
    ]


def test_a_pandoc_multiline_table_joins_the_lines_of_a_cell(vocab):
    text = (
        "  ---------------------------------------------------\n"
        "  Outcome           Radiofrequency      Sham\n"
        "                    ablation\n"
        "  ----------------- ------------------- -------------\n"
        "  NRS back pain     3.9 (2.1)           5.8 (2.3)\n"
        "  at 6 months\n"
        "\n"
        "  ODI               24.0 (12.5)         31.2 (14.0)\n"
        "  ---------------------------------------------------\n"
    )
    assert blocks(rendered(text, vocab)) == [
        "| Outcome | Radiofrequency ablation | Sham |\n"
        "|---|---|---|\n"
        "| NRS back pain at 6 months | 3.9 (2.1) | 5.8 (2.3) |\n"
        "| ODI | 24.0 (12.5) | 31.2 (14.0) |"
    ]


def test_a_grid_table_repeats_a_spanning_cell_in_every_column_it_spans(vocab):
    text = (
        "+-------------+-------------+-------------+\n"
        "| Outcome     | Insulin pump              |\n"
        "+=============+=============+=============+\n"
        "| HbA1c, %    | 7.9 (0.8)   | 7.1 (0.6)   |\n"
        "+-------------+-------------+-------------+\n"
    )
    assert blocks(rendered(text, vocab)) == [
        "| Outcome | Insulin pump | Insulin pump |\n"
        "|---|---|---|\n"
        "| HbA1c, % | 7.9 (0.8) | 7.1 (0.6) |"
    ]


def test_a_space_aligned_table_without_rules_is_found_by_its_columns_of_numbers(vocab):
    text = (
        "Table 3. Spirometry (mean ± SD)\n\n"
        "                      Baseline       Week 12\n"
        "FEV1, L               1.62 ± 0.41    1.71 ± 0.44\n"
        "FVC, L                2.80 ± 0.62    2.86 ± 0.60\n"
    )
    assert blocks(rendered(text, vocab)) == [
        "Table 3. Spirometry (mean ± SD)\n"
        "| | Baseline | Week 12 |\n"
        "|---|---|---|\n"
        "| FEV1, L | 1.62 ± 0.41 | 1.71 ± 0.44 |\n"
        "| FVC, L | 2.80 ± 0.62 | 2.86 ± 0.60 |"
    ]


def test_prose_with_double_spaces_is_no_table(vocab):
    text = (
        "The mean age was 61 years.  Women  made up 45% of the cohort.\nIn total  212  patients.\n"
    )
    assert blocks(rendered(text, vocab)) == []


FENCED = (
    "Both groups were similar at entry. ::::table-wrap\n"
    "::: caption\n"
    "Characteristics of the children at\n"
    "admission\n"
    ":::\n"
    "\n"
    "                Zinc          Placebo\n"
    "  ------------- ------------- -----------\n"
    "  Age, months   14.2          13.8\n"
    "  Boys, n (%)   31 (52)       29 (48)\n"
    "\n"
    "Values are mean or n (%).\n"
    "\n"
    "*Two-sided t test.:::: The stool output fell in both groups."
)


def test_a_table_wrap_fence_gives_caption_rows_and_footnotes_and_keeps_the_prose(vocab):
    out = rendered(FENCED, vocab)
    assert out.startswith("Both groups were similar at entry.\n\n")
    assert out.endswith("\n\nThe stool output fell in both groups.")
    assert blocks(out) == [
        "Characteristics of the children at admission\n"
        "| | Zinc | Placebo |\n"
        "|---|---|---|\n"
        "| Age, months | 14.2 | 13.8 |\n"
        "| Boys, n (%) | 31 (52) | 29 (48) |\n"
        "Values are mean or n (%).\n"
        "*Two-sided t test."
    ]


def test_a_fence_holding_only_an_image_leaves_its_caption_as_prose(vocab):
    text = "Scores fell. ::::table-wrap\n::: caption\nScores by week\n:::\n\n![]():::: Next."
    out = rendered(text, vocab)
    assert blocks(out) == [] and "Scores by week" in out and "![]()" not in out


def test_emphasis_is_dropped_and_footnote_marks_are_kept(vocab):
    text = (
        "| **Outcome** | *Drug* (*n* = 40) | Placebo^a^ |\n"
        "|---|---|---|\n"
        "| Relapse | 4 (10)* | 11 (28)[b](#) |\n"
    )
    assert blocks(rendered(text, vocab)) == [
        "| Outcome | Drug (n = 40) | Placebo^a^ |\n"
        "|---|---|---|\n"
        "| Relapse | 4 (10)* | 11 (28)^b^ |"
    ]


def test_a_spanning_header_packed_left_is_spread_over_its_repeating_sub_columns(vocab):
    text = (
        "                       Metformin n = 40     Diet n = 38\n"
        "  --------------------- -------------------- --------------- ---------- ----------\n"
        "                        Mean                 SD              Mean       SD\n"
        "  Fasting glucose       7.4                  1.1             8.2        1.3\n"
    )
    assert blocks(rendered(text, vocab)) == [
        "| | Metformin n = 40 | Metformin n = 40 | Diet n = 38 | Diet n = 38 |\n"
        "| | Mean | SD | Mean | SD |\n"
        "|---|---|---|---|---|\n"
        "| Fasting glucose | 7.4 | 1.1 | 8.2 | 1.3 |"
    ]


def test_a_sub_header_that_lost_its_empty_first_cell_moves_over_the_values_with_doubt(vocab):
    text = (
        "                         Week 4                Week 8\n"
        "  ---------------------- ------------ -------- ---------- ------\n"
        "  n                      (%)          n        (%)\n"
        "  Headache               12           (15)     9          (11)\n"
    )
    assert blocks(rendered(text, vocab)) == [
        "| | Week 4 | Week 4 | Week 8 | Week 8 |\n"
        "| | n | (%) | n | (%) |\n"
        "|===|===|===|===|===|\n"
        "| Headache | 12 | (15) | 9 | (11) |"
    ]


def test_a_row_that_repeats_the_header_form_starts_a_new_table_under_the_same_caption(vocab):
    text = (
        "Table 4. Visits per patient\n\n"
        "  ------------ ------------------ ---------------\n"
        "  Profession   Clinic 0-3 months  Home 0-3 months\n"
        "  Nurse        2.1 (1.0)          3.4 (1.2)\n"
        "               Clinic 4-12 months Home 4-12 months\n"
        "  Nurse        1.2 (0.9)          2.0 (1.1)\n"
        "  ------------ ------------------ ---------------\n"
    )
    parts = blocks(rendered(text, vocab))
    assert [p.split("\n")[0] for p in parts] == ["Table 4. Visits per patient"] * 2
    assert parts[1].split("\n")[1] == "| Profession | Clinic 4-12 months | Home 4-12 months |"
    assert parts[1].endswith("| Nurse | 1.2 (0.9) | 2.0 (1.1) |")


def test_a_row_pushed_left_by_dropped_markup_is_still_read_by_its_columns(vocab):
    # `\\*` escapes dropped by a converter pull the cells after them left
    text = (
        "  Arm                 Mean     SD      Mean     SD\n"
        "  ------------------- -------- ------- -------- ------\n"
        "  Control*          2.19*  1.63    1.78*** 1.80\n"
    )
    assert blocks(rendered(text, vocab))[0].endswith("| Control* | 2.19* | 1.63 | 1.78*** | 1.80 |")


def test_the_rendered_block_survives_normalisation_line_for_line(vocab):
    out = rendered(FENCED, vocab)
    block = blocks(out)[0]
    text = normalise(RawText(pages=[out], source_type="text")).text
    for line in block.split("\n"):
        if line.startswith("|"):
            assert f"\n{line}\n" in f"\n{text}\n"


def test_a_text_with_tables_comes_back_as_a_new_raw_text_with_the_same_encoding(vocab):
    raw = RawText(
        pages=["| a | b |\n|---|---|\n| x | 1 |\n"], source_type="text", encoding="cp1252"
    )
    out = render_text_tables(raw, vocab)
    assert out.encoding == "cp1252" and out.pages[0].startswith("| a | b |\n|---|---|")
    unchanged = RawText(pages=["No table here."], source_type="text")
    assert render_text_tables(unchanged, vocab) is unchanged

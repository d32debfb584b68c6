"""Bad tables never crash a run and never move a value into the wrong column.

Ragged rows, empty headers, spanning cells and footnote marks are what real tables look
like after conversion; each must be read without an exception, and where the column of a
value is in doubt the row says so (`table_columns_uncertain`) instead of guessing.
"""

from __future__ import annotations

import random

import pytest

from extractor.pipeline import Extractor, extract_document
from extractor.vocab import Vocabulary
from tests.table_support import only, rendered, rows_of


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.load()


def test_a_ragged_pipe_row_keeps_every_cell_and_flags_its_table(vocab):
    text = (
        "| Outcome | Ramipril | Placebo |\n"
        "|---|---|---|\n"
        "| SBP, mmHg, mean (SD) | 131 (12) | 139 (14) | 0.01 |\n"
    )
    assert "| 0.01 |" in rendered(text, vocab)  # no text lost
    rows = rows_of(text, vocab)
    placebo = only(rows, group_name="Placebo")
    assert (placebo.value, placebo.sd, placebo.flags) == (139, 14, ["table_columns_uncertain"])


def test_a_row_short_of_cells_is_not_shifted_and_is_flagged(vocab):
    text = "| Outcome | Week 4 | Week 12 |\n|---|---|---|\n| CAT score, mean (SD) | 18.2 (6.1) |\n"
    row = only(rows_of(text, vocab), kind="score")
    assert (row.value, row.months) == (18.2, 0.9)
    assert row.flags == ["table_columns_uncertain"]


def test_flattened_rows_with_fewer_cells_than_columns_are_flagged(vocab):
    text = (
        "Table 5 Outcomes\n\n"
        "Outcome Baseline 6 months P\n\n"
        "ODI 44.1 ± 9.0 NR\n\n"
        "NRS pain — 3.2 ± 2.0 0.01\n\n"
        "SF-36 PCS 31.0 ± 7.2\n"
    )
    rows = rows_of(text, vocab)
    odi = only(rows, measure="ODI")  # NR holds the 6-month column; the P is missing
    assert (odi.timepoint, odi.flags) == ("baseline", ["table_columns_uncertain"])
    nrs = only(rows, measure="NRS pain")
    assert (nrs.timepoint, nrs.value, nrs.p_value) == ("follow-up", 3.2, 0.01)
    assert only(rows, measure="SF-36 PCS").flags == ["table_columns_uncertain"]


def test_a_flattened_row_with_more_cells_than_columns_gives_nothing(vocab):
    text = (
        "Table 5 Outcomes\n\n"
        "Outcome Baseline 6 months P\n\n"
        "SF-36 PCS 31.0 ± 7.2 40.5 ± 8.1 0.002 99 98 97\n"
    )
    assert rows_of(text, vocab) == []


def test_empty_headers_leave_bare_numbers_unread_and_statistics_without_an_arm(vocab):
    text = "| | | |\n|---|---|---|\n| Tidal volume, mL | 480 ± 62 | 0.04 |\n"
    rows = rows_of(text, vocab)
    assert [(r.value, r.sd, r.group_name) for r in rows] == [(480, 62, None)]


def test_footnote_marks_on_cells_are_read_as_the_numbers_they_mark(vocab):
    text = (
        "Table 2. Renal function, mean (SD)\n\n"
        "| Outcome | Dapagliflozin | Placebo |\n"
        "|---|---|---|\n"
        "| eGFR | 61.2^a^ (14.0) | 58.9* (15.1) |\n"
        "| Creatinine, mg/dL | 1.12ᵃ | 1.20† |\n"
    )
    rows = rows_of(text, vocab)
    assert only(rows, group_name="Dapagliflozin", measure_text="eGFR").value == 61.2
    assert only(rows, group_name="Placebo", measure_text="eGFR").sd == 15.1
    creatinine = [r.value for r in rows if r.measure_text == "Creatinine, mg/dL"]
    assert creatinine == [1.12, 1.2]


def test_a_header_cell_spanning_two_columns_gives_both_the_same_arm(vocab):
    text = (
        "+-----------------+----------+----------+\n"
        "| Outcome         | Surgery (n = 52)    |\n"
        "+=================+==========+==========+\n"
        "| Mean (SD)       | 3 months | 12 months|\n"
        "+-----------------+----------+----------+\n"
        "| Oxford Hip Score| 38 (7)   | 43 (6)   |\n"
        "+-----------------+----------+----------+\n"
    )
    out = rendered(text, vocab)
    assert "| Outcome | Surgery (n = 52) | Surgery (n = 52) |" in out


def test_a_table_with_junk_in_its_cells_is_read_without_crashing(vocab):
    junk = [
        "| ± | ( | ) |\n|---|---|---|\n| 12 (( | ±± 3 | 1e999 |\n",
        "| a |\n|---|\n|\n| | | | |\n",
        "Table 1 \n\n 1 2 3 4 5 6 7 8 9\n\n x 1\n",
        "::::table-wrap\n::: caption\n:::\n\n  ---- ----\n  a    1\n",
        "  ---- ----\n\n\n  ---- ----\n",
        "+---+\n| 1 |\n",
    ]
    for text in junk:
        rows_of(text, vocab)  # no exception: that is the specification


def test_random_table_shaped_noise_never_crashes_the_pipeline():
    extractor = Extractor.load()
    pieces = [
        "|",
        "---",
        "===",
        " ",
        "\n",
        "12.3",
        "(4)",
        "±",
        "n = 30",
        "Table 2.",
        "::::table-wrap",
        "::: caption",
        ":::",
        "+---+",
        "  ",
        "a",
        "%",
        "^a^",
        "*",
        "-",
        "0.001",
        "Mean",
        "SD",
    ]
    generator = random.Random(9)
    for _ in range(150):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(5, 60)))
        result = extract_document(text.encode(), "noise.txt", extractor)
        assert result.status in ("ok", "error")
        if result.status == "error":
            assert "internal error" not in (result.error or "")

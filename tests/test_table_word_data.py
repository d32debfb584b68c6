"""Table words are data: one line added to a copy of `patterns/table_headers.tsv` (or, for
the figure captions that end a table, `patterns/cues.tsv`) changes what a table yields.

Each test reads the same table with the project's patterns and with a copy that has one
more header word, so a word list left in Python (or a cache shared between vocabularies)
would make it fail. Written for the tables in pain, cardiology, oncology and spine wordings.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from table_support import rows_of

from extractor.patterns_dir import default_patterns_dir
from extractor.types import Evidence
from extractor.vocab import Vocabulary


def _with_header_word(tmp_path: Path, line: str, file: str = "table_headers.tsv") -> Vocabulary:
    """A copy of the project's patterns with `line` appended to `file`."""
    directory = tmp_path / "patterns"
    shutil.copytree(default_patterns_dir(), directory)
    with (directory / file).open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    return Vocabulary.load(directory)


def _score_statistics(table: str, vocab: Vocabulary) -> list[str | None]:
    return [r.statistic for r in rows_of(table, vocab) if r.kind == "score"]


def _kinds(rows: list[Evidence]) -> list[str]:
    return [r.kind for r in rows if r.kind != "sample_size"]


PAIN_TABLE = """Table 3 Pain after spinal cord stimulation

Values are Mdn (IQR)

Outcome Baseline 12 months

NRS pain 7.5 (6.0-8.5) 3.0 (2.0-4.5)
"""


def test_a_note_word_says_what_the_numbers_are(tmp_path: Path) -> None:
    # pain: APA's `Mdn` in a table's note makes its values medians
    assert _score_statistics(PAIN_TABLE, Vocabulary.load()) == [None, None]
    edited = _with_header_word(tmp_path, "Mdn\tnote_median")
    assert _score_statistics(PAIN_TABLE, edited) == ["median", "median"]


def test_a_note_opening_word_makes_a_line_a_note(tmp_path: Path) -> None:
    # pain: a `Legend:` line under the caption says the values are medians
    table = PAIN_TABLE.replace("Values are Mdn (IQR)", "Legend: median (IQR)")
    assert _score_statistics(table, Vocabulary.load()) == [None, None]
    edited = _with_header_word(tmp_path, "legend\tnote_opening")
    assert _score_statistics(table, edited) == ["median", "median"]


VALVE_EVENTS = """Table 3 In-hospital events after transcatheter valve implantation

Data are n (%)

Characteristics Value

Tolerability
  Stroke 2 (1.7%)
  Pacing wire left in situ 11 (9.2%)
"""


def test_a_complication_heading_word_makes_its_rows_complications(tmp_path: Path) -> None:
    # cardiology: under a `Tolerability` heading a row that names no event is still one
    def kinds(vocab: Vocabulary) -> list[str]:
        return [r.kind for r in rows_of(VALVE_EVENTS, vocab) if r.count == 11]

    assert kinds(Vocabulary.load()) == ["proportion"]
    edited = _with_header_word(tmp_path, "tolerability\tcomplication_heading")
    assert kinds(edited) == ["complication"]


AF_TABLE = """Table 2 Events during follow-up

Data are n (%)

Characteristics Value

Past stroke 3 (2.5%)
Atrial fibrillation 12 (10.0%)
"""


def test_a_history_word_makes_a_row_a_condition_not_an_outcome(tmp_path: Path) -> None:
    # cardiology: `Past stroke` is a patient's history, not a stroke during the study
    assert _kinds(rows_of(AF_TABLE, Vocabulary.load())) == ["complication", "complication"]
    edited = _with_header_word(tmp_path, "past\thistory")
    assert _kinds(rows_of(AF_TABLE, edited)) == ["proportion", "complication"]


def test_a_cohort_caption_word_makes_a_table_describe_patients_at_entry(tmp_path: Path) -> None:
    # oncology: a `Patient profile` table lists conditions at entry, not complications
    table = AF_TABLE.replace("Events during follow-up", "Patient profile")
    table = table.replace("Past stroke", "Stroke")
    assert _kinds(rows_of(table, Vocabulary.load())) == ["complication"] * 2
    edited = _with_header_word(tmp_path, "profile\tcohort_caption")
    assert _kinds(rows_of(table, edited)) == ["proportion"] * 2


def test_a_threshold_label_word_makes_a_row_a_share_of_patients(tmp_path: Path) -> None:
    # spine: `ODI PASS` counts patients in an acceptable state; 50% is not a mean ODI
    table = (
        "Table 3 Function after lumbar fusion\n\n"
        "Outcome Surgery (n = 40) Physiotherapy (n = 40)\n\n"
        "ODI PASS 50.0% 30.0%\n"
    )
    assert _kinds(rows_of(table, Vocabulary.load())) == ["score", "score"]
    edited = _with_header_word(tmp_path, "PASS\tthreshold_label")
    assert _kinds(rows_of(table, edited)) == ["proportion", "proportion"]


def test_a_figure_caption_ends_a_flattened_table(tmp_path: Path) -> None:
    # cardiology: the caption of the figure after the table is not one of its rows, and
    # the words that open a figure caption are data (`caption_label` in `cues.tsv`)
    table = AF_TABLE.replace("Past stroke", "Stroke")

    def labels(text: str, vocab: Vocabulary) -> list[str | None]:
        return [r.table_row for r in rows_of(text, vocab)]

    assert labels(table + "Figure 2 Bleeding 4 (3.3%)\n", Vocabulary.load()) == [
        "Stroke",
        "Atrial fibrillation",
    ]
    chart = table + "Chart 2 Bleeding 4 (3.3%)\n"
    assert labels(chart, Vocabulary.load())[-1] == "Chart 2 Bleeding"
    edited = _with_header_word(tmp_path, "Chart\tcaption_label", file="cues.tsv")
    assert labels(chart, edited) == ["Stroke", "Atrial fibrillation"]

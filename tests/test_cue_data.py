"""Cue words are data: adding one line to a copy of `patterns/` changes what is extracted.

Each test runs the same sentence with the project's patterns and with a copy that has
one more cue word, so a word list left in Python (or a cache shared between vocabularies)
would make it fail.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from extractor.matchers import find_evidence
from extractor.patterns_dir import default_patterns_dir
from extractor.types import Evidence, Sentence
from extractor.vocab import Vocabulary


def _patterns_with(tmp_path: Path, file: str, line: str) -> Vocabulary:
    """A copy of the project's patterns with `line` appended to `file`."""
    directory = tmp_path / "patterns"
    shutil.copytree(default_patterns_dir(), directory)
    with (directory / file).open("a", encoding="utf-8") as handle:
        handle.write(line.rstrip("\n") + "\n")
    return Vocabulary.load(directory)


def _rows(text: str, vocab: Vocabulary, kind: str) -> list[Evidence]:
    found = find_evidence(text, [Sentence(0, len(text), text)], vocab)
    return [r for r in found if r.kind == kind]


def _values(text: str, vocab: Vocabulary, kind: str) -> list[float | None]:
    return [r.value for r in _rows(text, vocab, kind)]


def test_follow_up_word_makes_a_time_a_duration(tmp_path: Path) -> None:
    # oncology: 30 months of surveillance is how long patients were watched, not survival
    text = "Median overall survival was 18.4 months after a surveillance of 30 months."
    before = _values(text, Vocabulary.load(), "score")
    assert 30 in before
    edited = _patterns_with(tmp_path, "cues.tsv", "surveillance\tfollow_up")
    after = _values(text, edited, "score")
    assert 30 not in after


def test_judging_word_makes_a_value_a_threshold(tmp_path: Path) -> None:
    # orthopaedics: a change the panel judged meaningful is a threshold, not a result
    text = "A WOMAC improvement of 12 points was judged meaningful by the panel."
    kinds = ("score", "change")
    before = [v for k in kinds for v in _values(text, Vocabulary.load(), k)]
    assert 12 in before
    edited = _patterns_with(tmp_path, "cues.tsv", "judged\tjudging")
    after = [v for k in kinds for v in _values(text, edited, k)]
    assert 12 not in after


def test_not_counted_word_keeps_a_whole_number_a_score(tmp_path: Path) -> None:
    # pain: `regardless` after a whole number is not a plural noun counting things
    text = "The mean NRS pain score at 6 weeks was 3 regardless of the dose."
    assert 3 not in _values(text, Vocabulary.load(), "score")
    edited = _patterns_with(tmp_path, "cues.tsv", "regardless\tnot_counted")
    assert 3 in _values(text, edited, "score")


def test_arm_opening_word_gives_the_sentence_its_arm(tmp_path: Path) -> None:
    # cardiology: `Of <arm> (n=N), ...` opens the sentence on the arm its values belong to
    text = "Of the patients who underwent ablation (n=48), the KCCQ score improved by 6.4 points."
    before = [r.group_name for r in _rows(text, Vocabulary.load(), "change")]
    edited = _patterns_with(tmp_path, "cues.tsv", "of\tarm_opening")
    after = [r.group_name for r in _rows(text, edited, "change")]
    assert before == [None]
    assert after and after[0] and "ablation" in after[0]


_PAIN_TABLE = """Table 3 Pain after spinal cord stimulation

Values are Mdn (IQR)

Outcome Baseline 12 months

NRS pain 7.5 (6.0-8.5) 3.0 (2.0-4.5)
"""


def test_table_note_word_says_what_the_numbers_are(tmp_path: Path) -> None:
    # pain: APA's `Mdn` in a table's note makes its values medians
    def statistics(vocab: Vocabulary) -> list[str | None]:
        return [r.statistic for r in _table_rows(_PAIN_TABLE, vocab) if r.kind == "score"]

    assert statistics(Vocabulary.load()) == [None, None]
    edited = _patterns_with(tmp_path, "table_headers.tsv", "Mdn\tnote_median")
    assert statistics(edited) == ["median", "median"]


def test_defining_word_after_a_number_makes_it_a_definition(tmp_path: Path) -> None:
    # psychiatry: a PHQ-9 of 20 `signifying` severe depression says what 20 stands for
    text = "At 8 weeks, a PHQ-9 of 20 signifying severe depression was rare."
    assert 20 in _values(text, Vocabulary.load(), "score")
    edited = _patterns_with(tmp_path, "cues.tsv", "signif*\tdefining_after")
    assert 20 not in _values(text, edited, "score")


def test_linking_word_makes_a_bare_number_the_instruments_value(tmp_path: Path) -> None:
    # orthopaedics: `totalled` links 71.4 to the Constant score as `was` would
    text = "The Constant score totalled 71.4 in the repaired shoulders."
    assert _values(text, Vocabulary.load(), "score") == []
    edited = _patterns_with(tmp_path, "cues.tsv", "totalled\tvalue_link")
    assert _values(text, edited, "score") == [71.4]


def _table_rows(table: str, vocab: Vocabulary) -> list[Evidence]:
    """Rows of a table given one sentence per line, as the splitter hands tables over."""
    lines, start = [], 0
    for line in table.split("\n"):
        if line.strip():
            begin = start + len(line) - len(line.lstrip())
            lines.append(Sentence(begin, start + len(line), line.strip()))
        start += len(line) + 1
    return find_evidence(table, lines, vocab)


_VALVE_EVENTS = """Table 3 In-hospital events after transcatheter valve implantation

Data are n (%)

Characteristics Value

Tolerability
  Stroke 2 (1.7%)
  Pacing wire left in situ 11 (9.2%)
"""


def test_complication_heading_word_makes_its_rows_complications(tmp_path: Path) -> None:
    # cardiology: under a `Tolerability` heading a row that names no event is still one
    def kinds(vocab: Vocabulary) -> list[str]:
        return [r.kind for r in _table_rows(_VALVE_EVENTS, vocab) if r.count == 11]

    assert kinds(Vocabulary.load()) == ["proportion"]
    edited = _patterns_with(tmp_path, "table_headers.tsv", "tolerability\tcomplication_heading")
    assert kinds(edited) == ["complication"]


_AF_TABLE = """Table 2 Events during follow-up

Data are n (%)

Characteristics Value

Past stroke 3 (2.5%)
Atrial fibrillation 12 (10.0%)
"""


def test_history_word_makes_a_row_a_condition_not_an_outcome(tmp_path: Path) -> None:
    # cardiology: `Past stroke` is a patient's history, not a stroke during the study
    def kinds(vocab: Vocabulary) -> list[str]:
        return [r.kind for r in _table_rows(_AF_TABLE, vocab)]

    assert kinds(Vocabulary.load()) == ["complication", "complication"]
    edited = _patterns_with(tmp_path, "table_headers.tsv", "past\thistory")
    assert kinds(edited) == ["proportion", "complication"]


def test_cohort_caption_word_makes_a_table_describe_patients_at_entry(tmp_path: Path) -> None:
    # oncology: a `Patient profile` table lists conditions at entry, not complications
    table = _AF_TABLE.replace("Events during follow-up", "Patient profile")
    table = table.replace("Past stroke", "Stroke")
    assert [r.kind for r in _table_rows(table, Vocabulary.load())] == ["complication"] * 2
    edited = _patterns_with(tmp_path, "table_headers.tsv", "profile\tcohort_caption")
    assert [r.kind for r in _table_rows(table, edited)] == ["proportion"] * 2


def test_threshold_label_word_makes_a_row_a_share_of_patients(tmp_path: Path) -> None:
    # spine: `ODI PASS` counts patients in an acceptable state; 50% is not a mean ODI
    table = (
        "Table 3 Function after lumbar fusion\n\n"
        "Outcome Surgery (n = 40) Physiotherapy (n = 40)\n\n"
        "ODI PASS 50.0% 30.0%\n"
    )

    def kinds(vocab: Vocabulary) -> list[str]:
        return [r.kind for r in _table_rows(table, vocab) if r.kind != "sample_size"]

    assert kinds(Vocabulary.load()) == ["score", "score"]
    edited = _patterns_with(tmp_path, "table_headers.tsv", "PASS\tthreshold_label")
    assert kinds(edited) == ["proportion", "proportion"]


def test_note_opening_word_makes_a_line_a_note(tmp_path: Path) -> None:
    # pain: a `Legend:` line under the caption says the values are medians
    table = _PAIN_TABLE.replace("Values are Mdn (IQR)", "Legend: median (IQR)")

    def statistics(vocab: Vocabulary) -> list[str | None]:
        return [r.statistic for r in _table_rows(table, vocab) if r.kind == "score"]

    assert statistics(Vocabulary.load()) == [None, None]
    edited = _patterns_with(tmp_path, "table_headers.tsv", "legend\tnote_opening")
    assert statistics(edited) == ["median", "median"]


def test_event_verb_ties_a_count_of_patients_to_the_event_named_after_it(tmp_path: Path) -> None:
    # orthopaedics: `incurred` is an outcome verb (the count is not a sample size) and,
    # as an event verb, joins the 7 to the thrombosis four words on
    text = "In the fusion group 7 patients incurred an early postoperative deep vein thrombosis."
    outcome_only = _patterns_with(tmp_path / "a", "cues.tsv", "incurred\toutcome")
    assert [r.kind for r in _rows(text, outcome_only, "complication")] == []
    both = _patterns_with(tmp_path / "b", "cues.tsv", "incurred\toutcome\nincurred\tevent_verb")
    found = [(r.value, r.measure) for r in _rows(text, both, "complication")]
    assert found == [(7, "deep vein thrombosis")]


def test_onset_word_makes_a_symptom_an_event(tmp_path: Path) -> None:
    # oncology: fatigue patients `noticed` is an event they had, counted as a complication
    text = "During chemotherapy, 14 patients (23%) noticed fatigue."
    assert _rows(text, Vocabulary.load(), "complication") == []
    edited = _patterns_with(tmp_path, "cues.tsv", "noticed\tonset")
    found = [(r.value, r.measure) for r in _rows(text, edited, "complication")]
    assert found == [(14, "fatigue")]


def test_symptom_outcome_word_makes_a_symptom_an_outcome(tmp_path: Path) -> None:
    # oncology: `fatigue burden` is measured on everyone; 14 patients are a share, not events
    text = "14 patients (23%) reported new fatigue burden."
    assert [r.kind for r in _rows(text, Vocabulary.load(), "complication")] == ["complication"]
    edited = _patterns_with(tmp_path, "cues.tsv", "burden\tsymptom_outcome")
    assert _rows(text, edited, "complication") == []
    assert [r.kind for r in _rows(text, edited, "proportion")] == ["proportion"]


def test_change_verb_makes_from_and_to_shares_baseline_and_follow_up(tmp_path: Path) -> None:
    # pain: `plummeted from 62% ... to 18%` is one share before and one after
    text = "Daily opioid use plummeted from 62% before surgery to 18% at 1 year."
    assert _rows(text, Vocabulary.load(), "proportion") == []
    edited = _patterns_with(tmp_path, "cues.tsv", "plummeted\tchange_verb")
    found = [(r.value, r.timepoint) for r in _rows(text, edited, "proportion")]
    assert found == [(62, "baseline"), (18, "follow-up")]


def test_follow_up_word_gives_events_the_time_they_were_observed_at(tmp_path: Path) -> None:
    # orthopaedics: a `median surveillance of 18 months` is the time the count holds at
    text = "Deep infection occurred in 3 patients (5%) (median surveillance of 18 months)."
    before = [(r.value, r.months) for r in _rows(text, Vocabulary.load(), "complication")]
    assert before == [(3, None)]
    edited = _patterns_with(tmp_path, "cues.tsv", "surveillance\tfollow_up")
    assert [(r.value, r.months) for r in _rows(text, edited, "complication")] == [(3, 18)]

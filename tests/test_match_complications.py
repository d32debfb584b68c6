"""Specifications of complications (events with count/rate) and proportions (other shares)."""

from __future__ import annotations

import shutil
from pathlib import Path

from matcher_helpers import mention, rows

from extractor.matchers import find_evidence
from extractor.text.sentences import SentenceSplitter
from extractor.types import Sentence
from extractor.vocab import Vocabulary


def test_rate_with_count_and_denominator():
    text = "The overall complication rate was 6% (31/512) after total hip arthroplasty."
    (row,) = rows(text, "complication")
    assert (row.value, row.count, row.denominator, row.percent, row.measure) == (
        31,
        31,
        512,
        6,
        "any complication",
    )
    assert mention(text, row) == "6% (31/512)"


def test_named_events_in_a_list_with_percent_and_count():
    text = (
        "The most common events were deep vein thrombosis (3%, 12/402), pulmonary embolism "
        "(less than 1%, 2/402) and surgical site infection in 2% (n=8)."
    )
    found = [(r.measure, r.count, r.denominator) for r in rows(text, "complication")]
    assert found == [
        ("deep vein thrombosis", 12, 402),
        ("pulmonary embolism", 2, 402),
        ("wound infection", 8, None),
    ]


def test_event_not_in_vocabulary_keeps_its_words():
    text = "Adverse events included transient tinnitus (n=9) and hiccups (n=4)."
    found = [(r.measure, r.measure_text, r.value) for r in rows(text, "complication")]
    assert found == [(None, "transient tinnitus", 9), (None, "hiccups", 4)]


def test_word_counts_of_named_events_and_their_total():
    text = (
        "Five adverse events occurred: two cases of atrial fibrillation, one stroke and two "
        "episodes of major bleeding."
    )
    found = [(r.measure, r.value) for r in rows(text, "complication")]
    assert found == [
        ("any adverse event", 5),
        ("atrial fibrillation", 2),
        ("stroke", 1),
        ("major bleeding", 2),
    ]


def test_rate_with_ci_from_a_meta_analysis():
    text = "The pooled revision rate was 4% (95% CI: 3%-6%)."
    (row,) = rows(text, "complication")
    assert (row.value, row.percent, row.ci_low, row.ci_high, row.measure) == (
        4,
        4,
        3,
        6,
        "revision",
    )


def test_range_with_mean_in_parentheses():
    text = "Reoperation rates ranged from 2% to 11% (mean 5%) across the included cohorts."
    (row,) = rows(text, "complication")
    assert (row.value, row.range_low, row.range_high, row.measure) == (5, 2, 11, "reoperation")


def test_percent_of_patients_with_event_after():
    text = "In 9.5% of patients, a serious adverse event occurred."
    (row,) = rows(text, "complication")
    assert (row.value, row.measure) == (9.5, "serious adverse event")


def test_no_complications_is_a_zero_row():
    text = "No complications were reported during the 30-day follow-up."
    (row,) = rows(text, "complication")
    assert (row.value, row.count, row.rule) == (0, 0, "complication.none_reported")


def test_rate_with_timepoint_and_arm():
    text = "Infection rate was 3% (n=6) at 3 months in the antibiotic group."
    (row,) = rows(text, "complication")
    assert (row.count, row.months, row.group_name) == (6, 3.0, "antibiotic")


def test_success_rates_of_two_arms_are_proportions_with_groups():
    text = (
        "Among 200 patients comparing ablation (n=100) with drug therapy (AAD, n=100), "
        "freedom from arrhythmia at 12 months was higher in the ablation group "
        "(72% [72/100] versus 51% [51/100])."
    )
    found = [(r.value, r.count, r.denominator, r.group_name) for r in rows(text, "proportion")]
    assert found == [(72, 72, 100, "ablation"), (51, 51, 100, "drug therapy")]


def test_percent_word_of_patients():
    (row,) = rows("Ninety-two percent of patients were satisfied.", "proportion")
    assert (row.value, row.percent) == (92, 92)


def test_count_noun_with_percent_is_one_proportion():
    text = "Forty-one patients (68.3%) reported no pain at rest."
    (row,) = rows(text, "proportion")
    assert (row.value, row.count, row.percent) == (68.3, 41, 68.3)
    assert mention(text, row) == "Forty-one patients (68.3%)"


def test_from_to_percentages_are_two_proportions():
    text = "Benzodiazepine use decreased from 38.2 to 12.5% at discharge (p = 0.004)."
    found = [(r.value, r.timepoint, r.p_value) for r in rows(text, "proportion")]
    assert found == [(38.2, "baseline", None), (12.5, "follow-up", 0.004)]


def test_count_of_total_with_percent():
    text = "In 45 of 50 eyes (90%), the graft remained clear."
    (row,) = rows(text, "proportion")
    assert (row.count, row.denominator) == (45, 50)


def test_threshold_inside_a_proportion_sentence_is_not_a_score():
    text = "In twelve patients (40.0%), an NRS score of 3 or lower was reported."
    found = rows(text)
    assert [(r.kind, r.value) for r in found] == [("proportion", 40.0)]


def test_clinician_adds_a_complication_without_code(tmp_path: Path):
    source = Path(__file__).resolve().parent.parent / "patterns"
    target = tmp_path / "patterns"
    shutil.copytree(source, target)
    text = "Heterotopic ossification was seen in 7% (n=14) of hips."
    sentence = [Sentence(0, len(text), text)]
    before = find_evidence(text, sentence, Vocabulary.load(target))
    assert [r.kind for r in before if r.kind == "complication"] == []
    path = target / "complications.tsv"
    path.write_text(
        path.read_text(encoding="utf-8") + "heterotopic ossification\tHO\tother\n", encoding="utf-8"
    )
    after = find_evidence(text, sentence, Vocabulary.load(target))
    (row,) = [r for r in after if r.kind == "complication"]
    assert (row.measure, row.count, row.percent) == ("heterotopic ossification", 14, 7)


def test_a_fraction_takes_its_own_rate_and_ci_a_few_words_later():
    """The rate is count/denominator rounded, so it is the fraction's own, words between."""
    text = (
        "Within one year, revision was needed in 6 of 88 cemented knees (6.8%; 95% CI "
        "2.5-14.2) and in 3 of 90 uncemented knees (3.3%; 95% CI 0.7-9.4)."
    )
    found = [
        (r.count, r.denominator, r.percent, r.ci_low, r.ci_high) for r in rows(text, "complication")
    ]
    assert found == [(6, 88, 6.8, 2.5, 14.2), (3, 90, 3.3, 0.7, 9.4)]


def test_a_rate_that_is_not_the_fractions_stays_apart():
    text = "Wound dehiscence occurred in 15 of 120 patients overall (12.5%, 4.0% after closure)."
    found = [(r.count, r.percent) for r in rows(text, "complication")]
    assert (15, 12.5) in found and (15, 4.0) not in found


def test_a_bracketed_fraction_restates_the_named_count_before_it():
    text = "By 90 days, 14 patients had died (14/512, 2.7%; 95% CI 1.5 to 4.6)."
    (row,) = rows(text, "complication")
    assert (row.measure, row.count, row.denominator, row.percent, row.ci_low, row.ci_high) == (
        "death",
        14,
        512,
        2.7,
        1.5,
        4.6,
    )


def test_a_sentence_opened_by_its_baseline_reports_characteristics_not_events():
    text = "At baseline, 40 patients (20%) had atrial fibrillation and 9 (4.5%) had a pacemaker."
    assert rows(text, "complication") == []
    assert [r.value for r in rows(text, "proportion")] == [20, 4.5]
    text = "At 30 days, 4 patients (2%) had a stroke."
    assert [r.measure for r in rows(text, "complication")] == ["stroke"]


def test_an_arm_written_as_the_adjective_of_the_counted_patients_is_their_arm():
    text = (
        "Patients were randomised to cemented (n = 80) or uncemented (n = 82) fixation. "
        "Revision was needed in 3 of 80 cemented patients and in 6 of the 82 uncemented "
        "patients."
    )
    found = sorted(
        find_evidence(text, SentenceSplitter().split(text), Vocabulary.load()),
        key=lambda r: r.char_start,
    )
    assert [(r.count, r.group_name) for r in found if r.kind == "complication"] == [
        (3, "cemented"),
        (6, "uncemented"),
    ]


def test_no_deaths_attributed_to_the_treatment_are_treatment_related_deaths():
    text = "Two patients died during follow-up; no deaths were attributed to the study medication."
    assert [(r.measure, r.value) for r in rows(text, "complication")] == [
        ("death", 2),
        ("treatment-related death", 0),
    ]


def test_stopping_a_drug_because_of_adverse_events_is_a_discontinuation():
    text = "Eleven participants (4.1%) stopped apixaban because of adverse events."
    (row,) = rows(text, "complication")
    assert (row.measure, row.count) == ("adverse event leading to discontinuation", 11)


def test_an_efficacy_share_beside_an_event_rate_is_a_proportion():
    text = "Bony union was achieved in 92% while nonunion occurred in 4%."
    assert [(r.kind, r.value) for r in rows(text)] == [("proportion", 92), ("complication", 4)]


def test_neither_group_and_not_a_single_patient_are_zero_counts():
    text = "Neither group had any case of endophthalmitis."
    assert [(r.measure, r.value) for r in rows(text, "complication")] == [("endophthalmitis", 0)]
    text = "Not a single patient developed a wound infection."
    assert [(r.measure, r.value) for r in rows(text, "complication")] == [("wound infection", 0)]

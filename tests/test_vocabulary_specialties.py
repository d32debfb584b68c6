"""Specifications of the vocabularies in `patterns/` across specialties: a representative
outcome, unit, count noun or time of each field is named (`measure`, `unit`, `timepoint`)
when a sentence reports it, and words that are ambiguous in clinical text are not.

Each case is one sentence in our own words, run through the real sentence splitter and
prose engine with the project's patterns, so a vocabulary line is tested as it is used."""

from __future__ import annotations

from typing import Any

import pytest

from extractor.types import Evidence


@pytest.fixture(scope="module")
def extractor() -> Any:
    from extractor.pipeline import Extractor

    return Extractor.load()


def rows(extractor: Any, text: str) -> list[Evidence]:
    return extractor.prose.rows_of(text, extractor.splitter)


def by_value(extractor: Any, text: str) -> dict[float, Evidence]:
    return {row.value: row for row in rows(extractor, text) if row.value is not None}


# -- outcomes named in each specialty -------------------------------------------------------


def test_diabetes_hba1c_series_in_percent_names_hba1c(extractor):
    found = by_value(extractor, "HbA1c fell from 8.1 ± 1.2% to 7.2 ± 1.0% at 24 weeks.")
    assert {v: (r.kind, r.measure, r.unit) for v, r in found.items()} == {
        8.1: ("score", "HbA1c", "%"),
        7.2: ("score", "HbA1c", "%"),
    }


def test_hba1c_in_ifcc_units_keeps_mmol_per_mol(extractor):
    found = by_value(extractor, "HbA1c fell from 64 ± 9 mmol/mol to 53 ± 8 mmol/mol with insulin.")
    assert {(r.measure, r.unit) for r in found.values()} == {("HbA1c", "mmol/mol")}


def test_cardiology_in_stent_late_lumen_loss_is_named_apart_from_in_segment(extractor):
    found = by_value(
        extractor,
        "In-stent late lumen loss at 9 months was 0.11 ± 0.25 mm with the sirolimus stent "
        "and 0.16 ± 0.43 mm with the bare-metal stent.",
    )
    assert {r.measure for r in found.values()} == {"in-stent late lumen loss"}
    assert found[0.16].unit == "mm"


def test_surgery_time_to_first_flatus_is_named(extractor):
    found = by_value(extractor, "Time to first flatus was 36 ± 8 hours in the ERAS group.")
    assert (found[36.0].measure, found[36.0].unit) == ("time to first flatus", "hours")


def test_psychiatry_subscale_abbreviation_names_the_subscale(extractor):
    found = by_value(
        extractor, "The mean HADS-A score fell to 6.2 ± 2.8 after eight sessions of CBT."
    )
    assert found[6.2].measure == "HADS anxiety"


def test_neurology_part_of_a_scale_wins_over_the_whole_scale(extractor):
    found = by_value(
        extractor, "The MDS-UPDRS part III score was 32.4 ± 9.1 in the rasagiline group."
    )
    assert found[32.4].measure == "MDS-UPDRS part III"


def test_ophthalmology_intraocular_pressure_is_named_with_its_unit(extractor):
    found = by_value(
        extractor,
        "Intraocular pressure fell from 24.1 ± 3.2 mmHg to 16.3 ± 2.7 mmHg with latanoprost.",
    )
    assert {(r.measure, r.unit) for r in found.values()} == {("intraocular pressure", "mmHg")}


def test_rheumatology_disease_activity_score_version_is_named(extractor):
    found = by_value(
        extractor, "Mean DAS28-CRP decreased from 5.6 ± 0.9 to 3.2 ± 1.1 with tocilizumab."
    )
    assert {r.measure for r in found.values()} == {"DAS28-CRP"}


def test_respiratory_fev1_change_in_litres_is_named(extractor):
    found = by_value(extractor, "FEV1 improved by 0.12 L (95% CI 0.08 to 0.16) with tiotropium.")
    assert (found[0.12].kind, found[0.12].measure, found[0.12].unit) == ("change", "FEV1", "L")


# -- words that must not name an outcome ----------------------------------------------------


def test_a_common_word_such_as_function_names_no_instrument(extractor):
    found = by_value(extractor, "Physical function improved to 45.2 ± 9.1 in the exercise group.")
    assert found[45.2].measure is None
    assert found[45.2].measure_text == "Physical function"


def test_hr_is_a_hazard_ratio_never_heart_rate(extractor):
    found = by_value(
        extractor,
        "Heart rate was 72 ± 10 bpm in the bisoprolol group; the HR for death was 0.80 "
        "(95% CI 0.70 to 0.91).",
    )
    assert (found[72.0].measure, found[0.8].kind, found[0.8].measure) == (
        "heart rate",
        "effect",
        "HR",
    )


def test_a_percent_after_an_outcome_not_measured_in_percent_is_a_share(extractor):
    found = by_value(extractor, "Pain incidence fell from 64.0% to 48.5% with celecoxib.")
    assert {v: r.kind for v, r in found.items()} == {64.0: "proportion", 48.5: "proportion"}


def test_a_threshold_on_a_percent_measure_leaves_the_share_a_share(extractor):
    found = by_value(extractor, "Patients with Ki-67 ≥ 20% accounted for 45% of the cohort.")
    assert found[45.0].kind == "proportion"


# -- who is counted, and when ----------------------------------------------------------------


def test_pregnant_women_are_a_population_not_a_share_of_women(extractor):
    found = by_value(extractor, "A total of 240 pregnant women were randomised.")
    assert (found[240.0].kind, found[240.0].measure) == ("sample_size", "pregnant women")


def test_end_of_the_trial_is_a_follow_up_time(extractor):
    found = by_value(
        extractor,
        "At the end of the trial, the mean PSQI score was 6.1 ± 2.3 in the melatonin group.",
    )
    assert (found[6.1].measure, found[6.1].timepoint) == ("PSQI", "follow-up")


def test_study_entry_is_a_baseline_time(extractor):
    found = by_value(
        extractor, "At study entry, the mean PSQI score was 11.2 ± 3.0 in the melatonin group."
    )
    assert found[11.2].timepoint == "baseline"

"""Specifications of score series, respectively lists, measure names and numbers that are
not scores."""

from __future__ import annotations

from matcher_helpers import rows
from test_match_scores_changes import paragraph


def test_each_from_to_pair_is_baseline_then_follow_up_and_shares_the_final_unit():
    text = "ODI improved from 48 to 22 and from 51 to 30 points, respectively."
    found = rows(text, "score")
    assert [(r.value, r.timepoint, r.unit) for r in found] == [
        (48, "baseline", "points"),
        (22, "follow-up", "points"),
        (51, "baseline", "points"),
        (30, "follow-up", "points"),
    ]


def test_a_list_shares_a_fronted_timepoint():
    text = "At 6 months, mean KOOS and WOMAC were 71.3 and 18.2, respectively."
    found = rows(text, "score")
    assert [(r.measure, r.value, r.timepoint, r.months) for r in found] == [
        ("KOOS", 71.3, "follow-up", 6.0),
        ("WOMAC", 18.2, "follow-up", 6.0),
    ]


def test_p_after_respectively_goes_to_every_value_and_arm():
    text = (
        "Mean HbA1c at 6 months was 7.1 and 7.9 in the intervention and control arms, "
        "respectively (p = 0.01)."
    )
    found = rows(text, "score")
    assert [(r.value, r.group_name, r.months, r.p_value) for r in found] == [
        (7.1, "intervention", 6.0, 0.01),
        (7.9, "control", 6.0, 0.01),
    ]


def test_coordinated_qualifiers_are_looked_up_as_instruments():
    text = "Before surgery the lumbar and radicular NRS were 6.9 ± 1.2 and 5.8 ± 2.1, respectively."
    found = rows(text, "score")
    assert [(r.measure, r.measure_text, r.timepoint) for r in found] == [
        ("NRS back pain", "lumbar NRS", "baseline"),
        ("NRS leg pain", "radicular NRS", "baseline"),
    ]


def test_back_and_leg_pain_nrs_spellings_are_the_same_instruments():
    text = "Back pain NRS fell from 7.0 to 3.1 and leg pain NRS from 6.2 to 2.4 at 1 year."
    found = rows(text, "score")
    assert [r.measure for r in found] == ["NRS back pain"] * 2 + ["NRS leg pain"] * 2


def test_eq5d_versions_and_eq_vas_are_distinct_instruments():
    assert {r.measure for r in rows("EQ-5D-5L index improved from 0.61 to 0.78 at 12 months.")} == {
        "EQ-5D-5L"
    }
    found = rows("The VAS on self-reported health status rose from 55.0 to 70.2 at 1 year.")
    assert {r.measure for r in found} == {"EQ VAS"}


def test_generic_pain_takes_the_specific_instrument_of_the_previous_sentence():
    found = paragraph(
        "Mean knee pain (rated on a 0–10 NRS) decreased from 6.8 at baseline to 2.9 at 3 months.",
        "In the control group, mean knee pain decreased from 6.6 at baseline to 5.9 at 3 months.",
    )
    assert [(r.value, r.measure) for r in found if r.kind == "score"] == [
        (6.8, "NRS pain"),
        (2.9, "NRS pain"),
        (6.6, "NRS pain"),
        (5.9, "NRS pain"),
    ]


def test_generic_pain_alone_stays_generic():
    found = rows("Mean knee pain decreased from 6.6 at baseline to 5.9 at 3 months.", "score")
    assert {r.measure for r in found} == {"pain"}


def test_follow_up_durations_are_not_scores():
    found = rows("The final ODI was 24.2, recorded at a mean of 31.4 months.")
    assert [r.value for r in found] == [24.2]
    assert rows("NRS pain was last collected at a median of 240 days.") == []
    assert rows("ODI data were complete, with a mean follow up of 27.5 months.") == []


def test_time_measured_instruments_keep_their_time_unit():
    (row,) = rows("Median progression-free survival was 7.9 months (95% CI 6.1–9.4).")
    assert (row.kind, row.value, row.unit) == ("score", 7.9, "months")


def test_number_words_without_a_quantity_are_not_scores():
    assert rows("The Oswestry score is one of the most widely used instruments.") == []


def test_scale_ends_with_anchor_labels_are_not_scores():
    assert rows("The KOOS was scored from 0 (extreme symptoms) to 100 (no symptoms).") == []


def test_single_arm_introduced_with_its_size_names_the_group():
    text = "In patients who declined surgery (n=18), the ODI was 44.2 ± 15.1 at 1 year."
    (row,) = rows(text, "score")
    assert (row.value, row.group_name, row.months) == (44.2, "declined surgery", 12.0)


def test_generic_pain_finds_the_paragraphs_pain_scale_across_another_instrument():
    found = paragraph(
        "Mean back pain (VAS) fell from 71.2 at baseline to 30.5 at 6 months.",
        "ODI fell from 48.0 at baseline to 29.4 at 6 months.",
        "In the control group, mean back pain fell from 70.4 at baseline to 62.2 at 6 months.",
    )
    last = [r for r in found if r.quote.startswith("In the control")]
    assert [(r.value, r.measure) for r in last] == [(70.4, "VAS pain"), (62.2, "VAS pain")]


def test_a_comparator_arm_is_not_the_group_of_the_value():
    text = "Compared with placebo (n=61), pregabalin reduced NRS pain by 1.2 points at 8 weeks."
    (row,) = rows(text, "change")
    assert (row.value, row.group_name) == (1.2, None)


def test_both_after_two_series_gives_the_p_to_the_follow_up_values_only():
    text = "ODI fell from 50.2 to 30.1 and NDI from 40.3 to 22.0, both significantly (p<0.001)."
    found = rows(text, "score")
    assert [(r.value, r.timepoint, r.p_value) for r in found] == [
        (50.2, "baseline", None),
        (30.1, "follow-up", 0.001),
        (40.3, "baseline", None),
        (22.0, "follow-up", 0.001),
    ]


def test_a_time_after_follow_up_words_is_a_duration_even_for_survival():
    text = "Median overall survival was 28.4 months, with follow-up for a median of 3.1 years."
    assert [(r.kind, r.value) for r in rows(text)] == [("score", 28.4)]


def test_an_inherited_instrument_does_not_take_values_in_foreign_units():
    found = paragraph(
        "KCCQ rose from 55.0 at baseline to 68.3 at 6 months.",
        "Heart rate fell from 88 to 72 bpm at 6 months.",
        "Mean BMI was 27.1 ± 4.2 kg/m2.",
    )
    assert [r.value for r in found if r.kind in ("score", "change")] == [55.0, 68.3]


def test_a_100_mm_visual_analogue_scale_keeps_its_millimetres():
    found = rows("VAS pain decreased from 72 mm at baseline to 31 mm at 1 year.", "score")
    assert [(r.value, r.unit, r.timepoint) for r in found] == [
        (72, "mm", "baseline"),
        (31, "mm", "follow-up"),
    ]


def test_values_respectively_paired_with_timepoints():
    text = (
        "Mean JOA scores were 9.1, 13.8 and 14.2 preoperatively, at 1 year and at 2 years, "
        "respectively."
    )
    found = rows(text, "score")
    assert [(r.value, r.timepoint, r.months) for r in found] == [
        (9.1, "baseline", None),
        (13.8, "follow-up", 12.0),
        (14.2, "follow-up", 24.0),
    ]


def test_each_arm_after_its_value_shares_the_fronted_time():
    text = (
        "After 12 weeks, the mean NRS pain was 3.4 in the duloxetine group and 4.9 in the "
        "placebo group (p = 0.001)."
    )
    found = rows(text, "score")
    assert [(r.value, r.group_name, r.months, r.p_value) for r in found] == [
        (3.4, "duloxetine", 2.8, None),
        (4.9, "placebo", 2.8, 0.001),
    ]


def test_second_arm_after_versus_is_a_score_of_its_own():
    text = (
        "Median PFS was 11.2 months in the combination arm versus 7.4 months in the "
        "monotherapy arm (HR 0.62, 95% CI 0.48–0.80)."
    )
    found = rows(text, "score")
    assert [(r.value, r.group_name, r.statistic) for r in found] == [
        (11.2, "combination", "median"),
        (7.4, "monotherapy", "median"),
    ]


def test_a_category_with_its_patient_count_is_not_a_score():
    assert rows("ECOG performance status was 0 in 45 patients and 1 in 30 patients.", "score") == []


def test_a_whole_number_before_a_plural_noun_counts_things():
    assert rows("The SF-36 questionnaire consists of 36 items.") == []
    assert rows("The KCCQ has 23 items and was completed at 6 months.", "score") == []
    (row,) = rows("Mean KOOS was 70 across groups at 12 months.", "score")
    assert (row.value, row.months) == (70, 12.0)  # `across` is not a counted noun


def test_an_inherited_instrument_needs_a_time_or_series_for_a_score():
    found = paragraph(
        "Mean ODI improved from 48.2 at baseline to 24.1 at 12 months.",
        "Mean BMI was 27.1 ± 4.2.",
    )
    assert [r.value for r in found if r.kind == "score"] == [48.2, 24.1]
    found = paragraph(
        "Mean ODI improved from 48.2 at baseline to 24.1 at 12 months.",
        "The mean was 23.0 ± 9.5 at 24 months.",
    )
    assert [(r.value, r.measure, r.months) for r in found if r.kind == "score"][-1] == (
        23.0,
        "ODI",
        24.0,
    )


def test_a_fronted_time_holds_for_every_value_of_the_sentence():
    text = "At 2 years, the mean Constant score was 78.2 ± 11.0 and the mean DASH 14.3 ± 9.8."
    found = rows(text, "score")
    assert [(r.measure, r.months) for r in found] == [("Constant score", 24.0), ("DASH", 24.0)]


def test_a_fronted_time_is_the_end_of_a_from_to_series_not_its_start():
    found = rows("At 12 months, the mJOA had improved from 10.2 to 14.9.", "score")
    assert [(r.value, r.timepoint, r.months) for r in found] == [
        (10.2, "baseline", None),
        (14.9, "follow-up", 12.0),
    ]


def test_instruments_pair_with_an_equally_long_list_without_respectively():
    text = "Mean NRS pain and ODI at 6 months were 3.1 ± 1.2 and 25.4 ± 10.1."
    found = rows(text, "score")
    assert [(r.measure, r.value, r.months) for r in found] == [
        ("NRS pain", 3.1, 6.0),
        ("ODI", 25.4, 6.0),
    ]

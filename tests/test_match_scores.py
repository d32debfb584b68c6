"""Specifications of scores and changes: values, series, respectively, timepoints, arms."""

from __future__ import annotations

from matcher_helpers import mention, rows


def test_from_to_series_gives_one_row_per_timepoint():
    text = (
        "Mean KCCQ improved from 52.1 at baseline to 66.0 at 6-month follow-up (p<0.001), "
        "68.2 at 12-month follow-up and 70.4 at the 24-month follow-up."
    )
    found = rows(text, "score")
    assert [(r.value, r.timepoint, r.months) for r in found] == [
        (52.1, "baseline", None),
        (66.0, "follow-up", 6.0),
        (68.2, "follow-up", 12.0),
        (70.4, "follow-up", 24.0),
    ]
    assert {r.measure for r in found} == {"KCCQ"}
    assert found[1].p_value == 0.001 and found[1].p_relation == "<"
    assert found[0].rule == "score.from_to_series"


def test_sd_and_percent_unit_score_in_cardiology():
    text = "LVEF improved from 35.2 ± 8.1% at baseline to 42.7 ± 9.3% at 12 months."
    found = rows(text, "score")
    assert [(r.value, r.sd, r.unit, r.months) for r in found] == [
        (35.2, 8.1, "%", None),
        (42.7, 9.3, "%", 12.0),
    ]
    assert found[0].statistic == "mean"


def test_median_with_iqr_and_weeks_converted_to_months():
    text = "Median NRS decreased from 7 (IQR 6–8) to 3 (2–5) at 6 weeks."
    first, second = rows(text, "score")
    assert (first.value, first.range_low, first.range_high, first.statistic) == (7, 6, 8, "median")
    assert (second.value, second.months, second.timepoint) == (3, 1.4, "follow-up")


def test_ci_attaches_and_baseline_before_value():
    text = (
        "The pooled WOMAC score decreased from a baseline of 48.1 (95% CI 45.8 to 50.4) "
        "to 22.8 (95% CI 20.4 to 25.2) at 12 months."
    )
    first, second = rows(text, "score")
    assert (first.value, first.timepoint, first.ci_low, first.ci_level) == (
        48.1,
        "baseline",
        45.8,
        0.95,
    )
    assert (second.value, second.months, second.ci_high) == (22.8, 12.0, 25.2)


def test_preoperative_and_final_follow_up_in_spine():
    text = "JOA score improved from 9.8 ± 2.6 preoperatively to 14.1 ± 2.1 at final follow-up."
    found = rows(text, "score")
    assert [(r.value, r.sd, r.timepoint) for r in found] == [
        (9.8, 2.6, "baseline"),
        (14.1, 2.1, "follow-up"),
    ]


def test_respectively_pairs_qualifiers_and_changes():
    text = (
        "The neck and arm NRS were 6.1 (3–9) and 4.4 (1–8) preoperatively and 2.0 (0–6) and "
        "1.5 (0–5) at 1 year postoperatively, which was a reduction of 67% and 66% (p<0.001), "
        "respectively."
    )
    scores = rows(text, "score")
    changes = rows(text, "change")
    assert [(r.value, r.measure_text, r.timepoint) for r in scores] == [
        (6.1, "neck NRS", "baseline"),
        (4.4, "arm NRS", "baseline"),
        (2.0, "neck NRS", "follow-up"),
        (1.5, "arm NRS", "follow-up"),
    ]
    assert {r.measure for r in scores} == {"NRS pain"}
    assert [(r.value, r.unit, r.p_value, r.measure_text) for r in changes] == [
        (67, "%", 0.001, "neck NRS"),
        (66, "%", 0.001, "arm NRS"),
    ]


def test_respectively_pairs_values_with_arms():
    text = (
        "Length of stay was 5.2 ± 1.9, 6.8 ± 2.4 and 7.1 ± 3.0 days in the low-dose, "
        "high-dose and placebo groups, respectively."
    )
    found = rows(text, "score")
    assert [(r.value, r.group_name) for r in found] == [
        (5.2, "low-dose"),
        (6.8, "high-dose"),
        (7.1, "placebo"),
    ]
    assert found[0].measure == "length of stay"


def test_two_lists_share_their_timepoints():
    text = (
        "SF-36 PCS scores increased from 31.5 and 29.9 at baseline to 44.0 and 40.2 at 2 years "
        "respectively."
    )
    found = rows(text, "score")
    assert [(r.value, r.timepoint, r.months) for r in found] == [
        (31.5, "baseline", None),
        (29.9, "baseline", None),
        (44.0, "follow-up", 24.0),
        (40.2, "follow-up", 24.0),
    ]


def test_group_before_from_to_in_each_clause():
    text = (
        "ECOG status improved more in the exercise group (from 2.0 to 1.0) than in the usual "
        "care group (from 2.1 to 1.9)."
    )
    found = rows(text, "score")
    assert [(r.value, r.group_name, r.timepoint) for r in found] == [
        (2.0, "exercise", "baseline"),
        (1.0, "exercise", "follow-up"),
        (2.1, "usual care", "baseline"),
        (1.9, "usual care", "follow-up"),
    ]


def test_survival_median_with_ci_is_a_score_in_months():
    text = "Median overall survival was 18.4 months (95% CI 15.2–21.7)."
    (row,) = rows(text, "score")
    assert (row.value, row.measure, row.unit, row.ci_low, row.statistic) == (
        18.4,
        "overall survival",
        "months",
        15.2,
        "median",
    )


def test_improvement_of_points_with_ci_is_a_change():
    text = "KOOS pain improved by 21.3 points (95% CI 17.9 to 24.7) at 12 months."
    (row,) = rows(text, "change")
    assert (row.value, row.measure, row.unit, row.ci_low, row.statistic) == (
        21.3,
        "KOOS pain",
        "points",
        17.9,
        "change",
    )
    assert rows(text, "score") == []


def test_mean_change_with_sd_after_a_series():
    text = (
        "Mean PHQ-9 fell from 16.2 (± 4.1) to 9.8 (± 5.0) at 8 weeks with a mean change of "
        "6.4 (± 4.9) points."
    )
    (change,) = rows(text, "change")
    assert (change.value, change.sd, change.unit) == (6.4, 4.9, "points")
    assert len(rows(text, "score")) == 2


def test_between_group_difference():
    text = "The mean difference between groups in ODI was 8.2 points (95% CI 4.1 to 12.3)."
    (row,) = rows(text, "change")
    assert (row.value, row.statistic) == (8.2, "difference")


def test_relative_change_after_the_value():
    text = (
        "The Oswestry score went from 52.0 to 30.1 at 1 year, which was a 42% improvement "
        "(p<0.001)."
    )
    (row,) = rows(text, "change")
    assert (row.value, row.unit, row.p_value) == (42, "%", 0.001)


def test_change_in_next_sentence_inherits_instrument_and_arm():
    text = "The mean change was only 0.4 points in the sham group at 3 months (p=0.41)."
    prev = "HbA1c improved from 8.9 at baseline to 7.1 at 3 months in the dapagliflozin group."
    from matcher_helpers import vocab

    from extractor.matchers import find_evidence
    from extractor.types import Sentence

    full = prev + " " + text
    found = find_evidence(
        full, [Sentence(0, len(prev), prev), Sentence(len(prev) + 1, len(full), text)], vocab()
    )
    (change,) = [r for r in found if r.kind == "change"]
    assert (change.value, change.measure, change.group_name, change.months, change.p_value) == (
        0.4,
        "HbA1c",
        "sham",
        3.0,
        0.41,
    )


def test_mention_span_is_value_with_dispersion():
    text = "VAS-pain score improved from 7.2 (± 1.6) to 3.1 (± 2.0) postoperatively."
    first = rows(text, "score")[0]
    assert mention(text, first) == "7.2 (± 1.6)"
    assert first.quote == text and (first.quote_start, first.quote_end) == (0, len(text))

"""Specifications of proportions that need a cue or a second number around the share."""

from __future__ import annotations

from matcher_helpers import mention, rows


def _shares(text: str) -> list[tuple]:
    return [(r.value, r.count, r.denominator, r.timepoint, r.months) for r in rows(text)]


def test_a_change_of_share_gives_a_baseline_and_a_follow_up_row():
    text = "Anticoagulant use decreased from 64% at admission to 22% at 3 months."
    found = [(r.kind, r.value, r.timepoint) for r in rows(text)]
    assert found == [("proportion", 64, "baseline"), ("proportion", 22, "follow-up")]


def test_a_spread_of_rates_across_studies_is_not_a_row():
    assert rows("Union rates across the included series were 62% to 98%.", "proportion") == []
    assert rows("Satisfaction ranged from 71% to 94% in the cohorts.", "proportion") == []


def test_a_percent_of_the_cohort_takes_its_bracketed_count():
    text = "Smokers made up 31.5% of the sample (58/184)."
    (row,) = rows(text, "proportion")
    assert (row.value, row.count, row.denominator) == (31.5, 58, 184)
    assert mention(text, row) == "31.5% of the sample (58/184)"


def test_a_count_and_the_percent_closing_its_clause_are_one_row():
    text = "Eighteen women would choose the same reconstruction again (75.0%)."
    assert _shares(text) == [(75.0, 18, None, None, None)]


def test_a_subset_of_these_patients_is_a_proportion():
    text = "Twelve of these patients were treated with a second ablation."
    assert [(r.kind, r.value, r.count) for r in rows(text)] == [("proportion", 12, 12)]


def test_no_patients_with_a_finding_is_a_zero_share():
    text = "There were no patients with a bicuspid aortic valve in this series."
    assert [(r.kind, r.value) for r in rows(text)] == [("proportion", 0)]


def test_a_share_of_patients_reaching_a_threshold_is_a_row():
    text = "The MCID for the KOOS pain subscale was reached in 74% of patients."
    assert [(r.kind, r.value) for r in rows(text)] == [("proportion", 74)]


def test_published_studies_are_not_a_share():
    assert rows("Only two case series have been published on this technique.", "proportion") == []


def test_a_second_arm_inherits_the_time_of_the_first():
    text = (
        "Response rates at 6 months were higher with the combination (58% [29/50] versus "
        "30% [15/50])."
    )
    assert _shares(text) == [(58, 29, 50, "follow-up", 6), (30, 15, 50, "follow-up", 6)]


def test_shares_of_a_respectively_list_take_their_arms():
    text = (
        "Pain-free walking was reported by 62% and 41% of patients in the nerve block and "
        "placebo groups, respectively."
    )
    assert [(r.value, r.group_name) for r in rows(text, "proportion")] == [
        (62, "nerve block"),
        (41, "placebo"),
    ]


def test_parts_adding_up_to_a_total_are_its_breakdown():
    text = (
        "Twenty trials (12 placebo-controlled, 5 active-controlled and 3 open-label) were pooled."
    )
    found = [(r.value, r.denominator, r.measure_text) for r in rows(text, "proportion")]
    assert found == [
        (12, 20, "placebo-controlled"),
        (5, 20, "active-controlled"),
        (3, 20, "open-label"),
    ]


def test_numbers_in_brackets_that_do_not_add_up_are_not_a_breakdown():
    assert rows("We reviewed 50 hips (12 bilateral, 30 unilateral).", "proportion") == []


def test_a_percent_of_the_cohort_is_a_share():
    text = "Hypertension was present in 68% of the cohort and diabetes in 31%."
    assert [r.value for r in rows(text, "proportion")] == [68, 31]


def test_a_time_compared_with_is_not_the_time_of_the_share():
    text = "At 6 months, 72% of patients reported less dyspnoea than at baseline."
    assert [(r.timepoint, r.months) for r in rows(text, "proportion")] == [("follow-up", 6)]


def test_a_time_after_the_count_dates_it():
    text = "Nine patients (30%) used benzodiazepines preoperatively."
    assert [(r.value, r.count, r.timepoint) for r in rows(text, "proportion")] == [
        (30, 9, "baseline")
    ]


def test_a_fraction_takes_the_rate_equal_to_it_a_few_words_later():
    text = (
        "At six months, 301 of the 355 patients with a complete assessment (84.8%) were "
        "free of angina."
    )
    (row,) = rows(text, "proportion")
    assert (row.count, row.denominator, row.percent) == (301, 355, 84.8)


def test_the_patients_who_had_a_mean_age_are_the_population_not_a_share():
    text = "The 812 patients had a mean age of 64.3 years, and 402 (49.5%) were men."
    assert [r.value for r in rows(text, "proportion")] == [49.5]
    assert [r.value for r in rows(text, "sample_size")] == [812]


def test_the_total_opening_the_sentence_is_the_denominator_when_the_arithmetic_agrees():
    text = "Among 210 respondents, 150 (71%) would choose the same treatment again."
    (row,) = rows(text, "proportion")
    assert (row.count, row.denominator, row.percent) == (150, 210, 71)
    text = "Of the 64 patients treated, 30 (25%) were smokers."  # 30/64 is not 25%
    (row,) = rows(text, "proportion")
    assert row.denominator is None

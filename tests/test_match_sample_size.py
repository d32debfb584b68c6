"""Specifications of sample sizes: counts of a study's, arm's or population's units."""

from __future__ import annotations

from matcher_helpers import mention, rows


def test_number_before_count_noun_is_a_sample_size():
    text = "This RCT of 148 patients with heart failure compared two regimens."
    (row,) = rows(text, "sample_size")
    assert (row.value, row.measure, mention(text, row)) == (148, "patients", "148 patients")
    assert row.rule == "sample_size.count_noun"


def test_number_word_and_adjectives_before_the_noun():
    text = "Eleven studies reporting on 1,181 total knee arthroplasties and 2 randomised trials."
    found = [(r.value, r.measure) for r in rows(text, "sample_size")]
    assert (11, "studies") in found and (2, "trials") in found


def test_n_equals_gives_arm_name_from_text_before_parenthesis():
    text = "We compared apixaban (n=210) with warfarin (VKA, n=198) in atrial fibrillation."
    found = {r.group_name: r.value for r in rows(text, "sample_size")}
    assert found == {"apixaban": 210, "warfarin": 198}


def test_n_equals_after_group_noun_strips_group():
    text = "In the placebo group (n = 64), KCCQ scores did not change."
    (row,) = rows(text, "sample_size")
    assert (row.value, row.group_name, row.rule) == (64, "placebo", "sample_size.n_equals")


def test_capital_n_population():
    text = "All but two participants (N = 58) completed the PHQ-9."
    (row,) = rows(text, "sample_size")
    assert row.value == 58


def test_total_and_included():
    for text in (
        "A total of 312 women were enrolled.",
        "Of 400 screened, 352 participants were randomised.",
        "a sample size of 29 patients was adequate",
    ):
        assert rows(text, "sample_size"), text


def test_breakdown_by_sex_is_one_sample_size_and_two_proportions():
    text = "The cohort consisted of 120 children (70 boys, 50 girls) with asthma."
    text = text.replace("boys", "males").replace("girls", "females")
    sizes = rows(text, "sample_size")
    parts = rows(text, "proportion")
    assert [r.value for r in sizes] == [120]
    assert [(r.count, r.denominator) for r in parts] == [(70, 120), (50, 120)]


def test_patients_with_an_outcome_are_not_a_sample_size():
    text = "Out of 60 patients treated with ablation, 51 patients reported freedom from angina."
    assert [r.value for r in rows(text, "sample_size")] == [60]
    (prop,) = rows(text, "proportion")
    assert (prop.count, prop.denominator) == (51, 60)


def test_count_with_percent_is_a_proportion_not_a_sample_size():
    text = "Twelve patients (30.0%) required transfusion."
    assert rows(text, "sample_size") == []


def test_mean_number_of_procedures_is_not_a_sample_size():
    text = "Patients had undergone a mean of 3 lumbar surgeries (1–7) before."
    assert rows(text, "sample_size") == []


def test_cases_of_an_event_are_not_a_sample_size():
    assert rows("Two cases of wound dehiscence were seen.", "sample_size") == []


def test_hyphenated_compound_is_not_a_count():
    assert rows("Quality of life was measured with the EuroQol 5-dimensions 3-levels.") == []

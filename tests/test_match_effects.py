"""Specifications of effect estimates: HR, OR, RR, NNT with their CI and p."""

from __future__ import annotations

from matcher_helpers import mention, rows


def test_hazard_ratio_with_ci_and_p_in_parentheses():
    text = "Death occurred less often (hazard ratio 0.74 (95% CI 0.65-0.85; P<0.001))."
    (row,) = rows(text, "effect")
    assert (row.measure, row.value, row.ci_low, row.ci_high, row.p_value) == (
        "HR",
        0.74,
        0.65,
        0.85,
        0.001,
    )


def test_semicolon_separated_odds_ratio():
    text = "Smoking predicted nonunion (OR, 2.1; 95% CI, 1.3 to 3.4)."
    (row,) = rows(text, "effect")
    assert (row.measure, row.value, row.ci_low, row.ci_high, row.ci_level) == (
        "OR",
        2.1,
        1.3,
        3.4,
        0.95,
    )
    assert mention(text, row) == "2.1; 95% CI, 1.3 to 3.4"


def test_bracketed_interval_after_effect_is_its_ci():
    text = "Readmission was more likely after discharge to a facility, HR = 1.32 [1.05–1.66]."
    (row,) = rows(text, "effect")
    assert (row.value, row.ci_low, row.ci_high, row.range_low) == (1.32, 1.05, 1.66, None)


def test_number_needed_to_treat():
    (row,) = rows("The number needed to treat was 8 to prevent one stroke.", "effect")
    assert (row.measure, row.value) == ("NNT", 8)
    (row,) = rows("NNT 12 for one additional responder.", "effect")
    assert row.value == 12


def test_risk_ratio_with_following_p_value():
    text = "The relative risk of infection was 0.62 (95% CI 0.41–0.93), p = 0.02."
    (row,) = rows(text, "effect")
    assert (row.measure, row.value, row.p_value, row.p_relation) == ("RR", 0.62, 0.02, "=")


def test_lowercase_or_is_not_an_odds_ratio():
    assert rows("Patients aged 50 or 60 years were eligible.", "effect") == []


def test_rate_ratio_lowered_to_a_value():
    text = "Vaccination lowered the rate ratio of hospital admission to 0.61 (95% CI 0.50-0.74)."
    (row,) = rows(text, "effect")
    assert (row.measure, row.value, row.ci_low, row.ci_high) == ("IRR", 0.61, 0.50, 0.74)


def test_nnt_unit_inside_the_definition_is_not_the_estimate_nor_an_event():
    text = "The NNT to prevent one hip fracture was 15 (95% CI 9 to 41)."
    found = [(r.kind, r.value) for r in rows(text)]
    assert found == [("effect", 15)]
    (row,) = rows(text, "effect")
    assert (row.measure, row.ci_low, row.ci_high) == ("NNT", 9, 41)


def test_nnt_unit_after_the_estimate_is_not_an_event():
    text = "The number needed to treat was 8 to prevent one stroke."
    assert [(r.kind, r.value) for r in rows(text)] == [("effect", 8)]


def test_adjusted_hazard_ratio_with_abbreviation_ci_and_p_after_semicolons():
    text = (
        "Statin use was associated with lower mortality "
        "(adjusted hazard ratio (aHR) 0.81; 95% CI 0.72–0.91; P < 0.001)."
    )
    (row,) = rows(text, "effect")
    assert (row.measure, row.value, row.ci_low, row.ci_high, row.ci_level) == (
        "HR",
        0.81,
        0.72,
        0.91,
        0.95,
    )
    assert (row.p_value, row.p_relation) == (0.001, "<")


def test_relative_risk_with_bare_interval_and_p_after_it():
    text = "Falls were less frequent with exercise (relative risk 0.8 (0.6 to 1.1); p = 0.21)."
    (row,) = rows(text, "effect")
    assert (row.measure, row.value, row.ci_low, row.ci_high, row.range_low) == (
        "RR",
        0.8,
        0.6,
        1.1,
        None,
    )
    assert row.p_value == 0.21


def test_odds_ratio_with_p_inside_the_brackets():
    text = "Diabetes predicted surgical site infection (OR, 2.4; 95% CI, 1.5 to 3.9; P = .004)."
    (row,) = rows(text, "effect")
    assert (row.measure, row.value, row.ci_low, row.ci_high, row.p_value) == (
        "OR",
        2.4,
        1.5,
        3.9,
        0.004,
    )


def test_named_effect_then_comma_then_estimate():
    text = "The HR for progression, 0.58 (95% CI 0.46-0.74), favoured the combination."
    (row,) = rows(text, "effect")
    assert (row.measure, row.value, row.ci_low) == ("HR", 0.58, 0.46)


def test_respectively_list_of_odds_ratios_gives_one_row_each():
    text = (
        "Odds ratios were 2.1 (1.3-3.4) and 1.6 (1.1-2.3) for diabetes and smoking, respectively."
    )
    found = [(r.measure, r.value, r.ci_low, r.ci_high) for r in rows(text, "effect")]
    assert found == [("OR", 2.1, 1.3, 3.4), ("OR", 1.6, 1.1, 2.3)]


def test_effect_assumed_in_a_power_calculation_is_not_a_result():
    for text in (
        "The trial had 90% power to detect a hazard ratio of 0.75 for death.",
        "Assuming an odds ratio of 2.0, 120 knees were required.",
    ):
        assert rows(text, "effect") == [], text


def test_heart_and_respiratory_rates_are_not_effects():
    for text in (
        "At admission, HR 112 bpm and RR 24 breaths/min were recorded.",
        "Mean HR was 72 beats per minute during the stress test.",
        "Time in the OR 95 minutes on average.",
    ):
        assert rows(text, "effect") == [], text


def test_measure_text_keeps_what_the_effect_compares():
    text = (
        "Apixaban lowered the risk (hazard ratio for stroke or systemic embolism, 0.79; "
        "95% CI, 0.66 to 0.96; P<0.001)."
    )
    (row,) = rows(text, "effect")
    assert (row.measure_text, row.value, row.p_value) == (
        "hazard ratio for stroke or systemic embolism",
        0.79,
        0.001,
    )


def test_abbreviation_in_square_brackets_between_name_and_estimate():
    text = "Obesity (odds ratio [OR] 2.6; 95% CI 1.4-4.8) predicted wound dehiscence."
    (row,) = rows(text, "effect")
    assert (row.measure, row.value, row.ci_low, row.ci_high) == ("OR", 2.6, 1.4, 4.8)

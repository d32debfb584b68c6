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

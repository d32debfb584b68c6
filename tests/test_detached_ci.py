"""An interval written apart from its estimate belongs to that estimate (oncology,
orthopaedics, cardiology wordings written for this test)."""

from __future__ import annotations

from matcher_helpers import rows


def test_an_interval_after_the_arms_belongs_to_the_difference_before_them():
    text = (
        "The mean ODI was 8.4 points lower in the surgery group than in the physiotherapy "
        "group (95% CI, 4.1 to 12.7; P < 0.001)."
    )
    found = [(r.kind, r.value, r.statistic, r.ci_low, r.ci_high, r.p_value) for r in rows(text)]
    assert found == [("change", 8.4, "difference", 4.1, 12.7, 0.001)]


def test_an_interval_after_a_favoured_arm_belongs_to_the_ratio():
    text = "The hazard ratio was 0.75 in favour of the combination (95% CI, 0.61 to 0.92)."
    found = [(r.kind, r.value, r.ci_low, r.ci_high) for r in rows(text)]
    assert found == [("effect", 0.75, 0.61, 0.92)]


def test_an_interval_after_the_time_belongs_to_the_rate_not_the_time():
    text = "The revision rate was 2.3% at 5 years (95% CI, 1.1 to 4.0)."
    (row,) = rows(text)
    assert (row.kind, row.value, row.months, row.ci_low, row.ci_high) == (
        "complication",
        2.3,
        60,
        1.1,
        4.0,
    )


def test_an_interval_with_its_own_number_before_is_left_alone():
    text = "Mean KOOS pain was 84.1 (95% CI, 81.0 to 87.2) at 2 years."
    (row,) = rows(text)
    assert (row.value, row.ci_low, row.ci_high) == (84.1, 81.0, 87.2)

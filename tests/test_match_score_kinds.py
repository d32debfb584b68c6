"""Scores, changes and criteria from other specialties: which numbers are results.

Written afresh (oncology, neurology, cardiology, orthopaedics, psychiatry) for the classes
found on the development set: a set of categories is a criterion, a per-arm change list is
all changes, a between-group difference is a change.
"""

from __future__ import annotations

from matcher_helpers import rows


def _kinds(text: str, kind: str) -> list[float]:
    return [r.value for r in rows(text, kind)]


def test_a_set_of_categories_of_an_instrument_is_a_criterion_not_a_score():
    for text in (
        "Adults with an ECOG performance status of 0 or 1 and measurable disease were treated.",
        "At 12 months, 64% of patients had a modified Rankin Scale score of 0 to 2.",
    ):
        assert _kinds(text, "score") == []


def test_a_single_category_is_still_a_score():
    text = "The mean NYHA class improved from 2.9 at baseline to 1.8 at 6 months."
    assert _kinds(text, "score") == [2.9, 1.8]


def _changes(text: str) -> list[tuple[float, str | None]]:
    return [(r.value, r.statistic) for r in rows(text, "change")]


def test_a_second_by_after_and_is_a_change_too():
    text = (
        "The Oxford Hip Score improved by a mean of 18.2 points (95% CI, 16.0 to 20.4) after "
        "resurfacing and by 15.9 points (95% CI, 13.1 to 18.7) after total hip replacement."
    )
    assert _changes(text) == [(18.2, "change"), (15.9, "change")]
    assert rows(text, "score") == []


def test_the_change_verb_distributes_over_the_next_instrument():
    text = (
        "The PHQ-9 fell by a mean of 6.1 points (95% CI, 5.0 to 7.2) and the GAD-7 by 4.3 "
        "points (95% CI, 3.4 to 5.2) after eight sessions."
    )
    found = [(r.measure, r.value, r.kind) for r in rows(text)]
    assert found == [("PHQ-9", 6.1, "change"), ("GAD-7", 4.3, "change")]


def test_a_between_group_difference_after_a_comma_is_a_difference_with_ci_and_p():
    text = (
        "The MADRS score decreased more with the active drug (between-group difference, 3.6 "
        "points; 95% CI, 1.2 to 6.0; P = .004)."
    )
    (row,) = rows(text, "change")
    assert (row.value, row.statistic, row.ci_low, row.ci_high, row.p_value) == (
        3.6,
        "difference",
        1.2,
        6.0,
        0.004,
    )


def test_percentage_points_keep_their_interval_and_p():
    text = (
        "The between-group difference in the change in LVEF was 3.1 percentage points (95% "
        "CI, 0.9 to 5.3; P = 0.006)."
    )
    (row,) = rows(text, "change")
    assert (row.value, row.ci_low, row.ci_high, row.p_value) == (3.1, 0.9, 5.3, 0.006)
    assert rows(text, "score") == []


def test_a_value_regarded_as_important_is_a_threshold():
    text = "The ODI fell by 21 points at one year, well above the 10 points considered important."
    assert [(r.kind, r.value) for r in rows(text)] == [("change", 21)]


def test_prolonged_by_months_is_a_difference_in_the_outcomes_units():
    text = "The doublet prolonged median overall survival by 4.2 months compared with docetaxel."
    (row,) = rows(text, "change")
    assert (row.value, row.statistic, row.unit, row.measure) == (
        4.2,
        "difference",
        "months",
        "overall survival",
    )


def test_a_loss_to_follow_up_is_a_share_not_a_change():
    text = "Weaknesses include the retrospective design and the 9.3% loss to one-year follow-up."
    assert [(r.kind, r.value) for r in rows(text)] == [("proportion", 9.3)]


def test_a_scale_range_and_a_scale_size_are_not_scores():
    text = (
        "Anxiety was rated on the GAD-7 (range, 0 to 21, higher scores indicating more "
        "anxiety) at baseline and at 3 and 12 months."
    )
    assert rows(text, "score") == []
    text = (
        "Leg pain was recorded on an 11-point numeric rating scale and function on the ODI "
        "at baseline and at 3 and 12 months."
    )
    assert rows(text, "score") == []

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

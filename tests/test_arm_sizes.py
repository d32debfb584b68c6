"""An arm's size where the declaration gives it: the n belongs to the arm named before it,
past the dose and schedule written with the name.

Each case is a paragraph written for this file, run through the real splitter and prose
engine; one behaviour per test.
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def extractor() -> Any:
    """The project's extractor (patterns, sentence splitter, prose engine), loaded once."""
    from extractor.pipeline import Extractor

    return Extractor.load()


def _groups(extractor: Any, text: str) -> dict[float, str | None]:
    """Each row's value -> its group_name."""
    return {row.value: row.group_name for row in extractor.prose.rows_of(text, extractor.splitter)}


def test_a_size_after_a_dose_and_a_schedule_abbreviation_is_the_named_arms(
    extractor: Any,
) -> None:
    groups = _groups(
        extractor,
        "Women with polycystic ovary syndrome were randomized to receive metformin 850 mg BID"
        " (n = 75) or placebo (n = 74) for 12 months.",
    )
    assert groups[75] == "metformin"
    assert groups[74] == "placebo"


def test_a_size_after_a_dose_taken_at_night_is_the_named_arms(extractor: Any) -> None:
    groups = _groups(
        extractor,
        "Night-shift nurses were randomized to melatonin 2 mg nightly (n = 41) or placebo"
        " (n = 40).",
    )
    assert groups[41] == "melatonin"


def test_a_count_between_the_arms_of_a_listing_is_the_first_arms_size(extractor: Any) -> None:
    groups = _groups(
        extractor,
        "Patients with acute coronary syndrome were randomized to ticagrelor or clopidogrel."
        " The trial stopped at the interim analysis (412 patients randomized to ticagrelor,"
        " 405 to clopidogrel).",
    )
    assert groups[412] == "ticagrelor"
    assert groups[405] == "clopidogrel"


def test_sizes_in_brackets_of_their_own_leave_the_count_before_the_whole_population(
    extractor: Any,
) -> None:
    groups = _groups(
        extractor,
        "Sixty patients having knee arthroscopy were randomly assigned to receive bupivacaine"
        " (group A, n = 30) and ropivacaine (group B, n = 30).",
    )
    assert groups[60] is None


def test_a_size_after_a_dose_inside_the_arms_bracket_is_the_named_arms(extractor: Any) -> None:
    groups = _groups(
        extractor,
        "Adults with hypertension were randomly allocated to receive oral chlorthalidone"
        " (12.5 mg per day; n = 1210) or matched placebo (n = 1198).",
    )
    assert groups[1210] == "oral chlorthalidone"


def test_a_size_before_what_every_patient_had_is_the_whole_population(extractor: Any) -> None:
    # the exercise regimen is no arm: the randomisation declares two others
    groups = _groups(
        extractor,
        "This randomized trial included 96 knee osteoarthritis patients that underwent an"
        " identical exercise regimen at home. Patients were randomly assigned to shockwave"
        " therapy (n = 48) or sham shockwave (n = 47).",
    )
    assert groups[96] is None
    assert groups[47] == "sham shockwave"

"""Which arms a randomisation sentence declares: each arm whole, as the sentence names it.

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


def test_treatments_joined_before_an_or_are_one_arm(extractor: Any) -> None:
    groups = _groups(
        extractor,
        "Children with sarcoma were randomly assigned to doxorubicin and ifosfamide (AI) or"
        " vincristine. Grade 3 neutropenia occurred in 12 patients (40%) given AI and in 5"
        " patients (17%) given vincristine.",
    )
    assert groups[12] == "doxorubicin and ifosfamide (AI)"


def test_the_arm_after_a_combination_is_declared_too(extractor: Any) -> None:
    groups = _groups(
        extractor,
        "Adults with obesity were randomized to exercise plus diet, or usual care. Weight fell"
        " by 4.1 kg with exercise plus diet and by 0.8 kg with usual care.",
    )
    assert groups[4.1] == "exercise plus diet"
    assert groups[0.8] == "usual care"


def test_arms_numbered_in_the_randomisation_are_declared_by_their_names(
    extractor: Any,
) -> None:
    # FLEX spells nothing of `gentle movement`: only the declaration ties the two
    groups = _groups(
        extractor,
        "Older adults with knee osteoarthritis were randomly assigned to one of two groups:"
        " (1) aquatic exercise or (2) gentle movement (FLEX). Pain fell by 2.3 points with"
        " aquatic exercise and by 0.9 points with FLEX.",
    )
    assert groups[0.9] == "gentle movement"

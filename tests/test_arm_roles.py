"""Arms the text names by their role (`control`, `intervention`) rather than by what they
received: the role is one of the study's arms, and the row names that arm with its role.

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


def test_a_numbered_group_introduced_by_its_role_is_shown_with_the_role(extractor: Any) -> None:
    groups = _groups(
        extractor,
        "Women having hip arthroplasty were randomly assigned to control group A or"
        " intervention group B. Dislocation occurred in 6 patients (5%) in group A and in 2"
        " patients (2%) in group B.",
    )
    assert groups[6] == "control (group A)"
    assert groups[2] == "intervention (group B)"


def test_a_role_written_right_after_a_value_names_the_arm_of_that_role(extractor: Any) -> None:
    groups = _groups(
        extractor,
        "Patients with heart failure were randomly assigned to nurse-led telemonitoring"
        " (n = 120) or usual care (n = 118). Readmission at 90 days occurred in 18%"
        " intervention versus 27% control.",
    )
    assert groups[18] == "nurse-led telemonitoring (intervention)"
    assert groups[27] == "usual care"


def test_an_undeclared_plural_role_is_the_comparator_arm(extractor: Any) -> None:
    groups = _groups(
        extractor,
        "Patients with chronic wounds were randomly assigned to negative-pressure dressing"
        " (n = 40) or gauze (n = 41). Complete healing at 12 weeks: 62% with the dressing,"
        " 38% controls.",
    )
    assert groups[38] == "gauze (control)"


def test_a_role_is_not_given_an_arm_when_the_study_has_three_arms(extractor: Any) -> None:
    groups = _groups(
        extractor,
        "Adults with plaque psoriasis were randomly assigned to calcipotriol (n = 40),"
        " betamethasone (n = 41) or calcipotriol plus betamethasone (n = 39). Clearance at"
        " 8 weeks was 47% controls.",
    )
    assert groups[47] is None


def test_a_value_before_a_word_that_names_no_arm_keeps_no_arm(extractor: Any) -> None:
    groups = _groups(
        extractor,
        "Patients with atrial fibrillation were randomly assigned to apixaban or warfarin."
        " Adherence was 92% overall, and 4% stopped early.",
    )
    assert groups[92] is None


def test_what_a_role_group_only_received_names_it(extractor: Any) -> None:
    groups = _groups(
        extractor,
        "Patients having cataract surgery were randomly allocated to the experimental group"
        " (n = 60), which listened to music, or the control group (n = 58), which only"
        " received routine nursing care. Anxiety fell by 12.4 points in the control group.",
    )
    assert groups[12.4] == "routine nursing care (control)"


def test_a_treatment_role_paired_with_the_control_is_the_other_arm_declared_by_treatment(
    extractor: Any,
) -> None:
    groups = _groups(
        extractor,
        "Sixty patients with vertebral fractures were randomly divided into 2 groups. Thirty"
        " underwent balloon kyphoplasty. The other 30 patients had conservative care (control"
        " group). Follow-up imaging was done in 52 patients (27 treatment group and 25 control"
        " group). New fractures occurred in 2 patients (7.4%) in the treatment group and in 6"
        " patients (24.0%) in the control group.",
    )
    assert groups[2] == "balloon kyphoplasty (treatment)"
    assert groups[6] == "conservative care (control)"

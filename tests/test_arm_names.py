"""How an arm is named in `group_name`: by the whole name the document declares for it.

A paper introduces an arm once by its full name and a short form (`eccentric loading
(ECC)`) and then uses either. A row's `group_name` carries both, so that a reader, and a
reviewer matching arms across papers, recognises the arm whichever name they know.
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


def test_an_arm_declared_by_its_full_name_is_shown_with_its_short_form(extractor: Any) -> None:
    groups = _groups(
        extractor,
        "Athletes with Achilles tendinopathy were randomly assigned to eccentric loading (ECC)"
        " or rest. The VISA-A score improved by 18 points in the ECC group and by 9 points"
        " in the rest group.",
    )
    assert groups[18] == "eccentric loading (ECC)"
    assert groups[9] == "rest"


def test_an_arm_declared_by_its_short_form_is_shown_with_its_full_name_first(
    extractor: Any,
) -> None:
    groups = _groups(
        extractor,
        "Cognitive behavioural therapy (CBT) is often offered for insomnia. Adults were"
        " randomly assigned to CBT or sleep hygiene education. The mean insomnia severity"
        " score at 8 weeks was 7.1 in the CBT group and 11.4 in the sleep hygiene education"
        " group.",
    )
    assert groups[7.1] == "Cognitive behavioural therapy (CBT)"


def test_a_short_form_inside_a_longer_arm_name_is_followed_by_its_spelling(
    extractor: Any,
) -> None:
    groups = _groups(
        extractor,
        "Percutaneous coronary intervention (PCI) is often added to medical therapy. Patients"
        " with stable angina were randomly assigned to medical therapy plus PCI or medical"
        " therapy alone. Angina recurred in 21 patients (14%) in the medical therapy plus PCI"
        " group and in 35 patients (23%) in the medical therapy alone group.",
    )
    assert groups[14] == "medical therapy plus PCI (Percutaneous coronary intervention)"


def test_a_spelling_that_starts_with_a_joining_word_is_not_the_arm_name(extractor: Any) -> None:
    # `AC` is spelt from Adriamycin: an abbreviation finder reads `and cyclophosphamide`
    groups = _groups(
        extractor,
        "We compared doxorubicin and cyclophosphamide (AC) with doxorubicin and docetaxel"
        " (AD) before surgery for sarcoma. Patients were randomly assigned to AC (n = 90) or"
        " AD (n = 93).",
    )
    assert groups[90] == "doxorubicin and cyclophosphamide (AC)"
    assert groups[93] == "doxorubicin and docetaxel (AD)"


def test_a_bracketed_name_that_cannot_abbreviate_the_arm_is_not_shown_with_it(
    extractor: Any,
) -> None:
    # KOPS names the study, written after the drug: its first letter starts no word of it
    groups = _groups(
        extractor,
        "Adults with knee osteoarthritis were randomly assigned to duloxetine or placebo in"
        " the Knee Osteoarthritis Pain Study of duloxetine (KOPS). The mean WOMAC pain score"
        " at 12 weeks was 5.2 in the duloxetine group and 6.8 in the placebo group.",
    )
    assert groups[5.2] == "duloxetine"


def test_a_role_is_noted_inside_the_short_form_bracket(extractor: Any) -> None:
    groups = _groups(
        extractor,
        "Stroke survivors were randomly assigned to treadmill training (TT) or stretching"
        " (ST). Walking distance improved by 61 m in the TT group and by 28 m in the control"
        " group.",
    )
    assert groups[28] == "stretching (ST, control)"


_FOOTNOTED = (
    "Patients with knee pain were randomly assigned to the TENS group or the SH group. The"
    " mean VAS pain score at 4 weeks was 2.1 in the TENS group and 3.4 in the SH group.\n"
)


def test_short_forms_a_footnote_defines_as_a_list_name_the_arms(extractor: Any) -> None:
    groups = _groups(
        extractor,
        _FOOTNOTED + "TENS group, the transcutaneous electrical nerve stimulation; SH group,"
        " sham stimulation.",
    )
    assert groups[2.1] == "transcutaneous electrical nerve stimulation (TENS)"
    assert groups[3.4] == "sham stimulation (SH)"


def test_a_footnote_item_that_does_not_spell_the_short_form_defines_nothing(
    extractor: Any,
) -> None:
    groups = _groups(extractor, _FOOTNOTED + "TENS group, hospital ward; SH group, outpatients.")
    assert groups[2.1] == "TENS"


def test_the_last_word_of_a_randomised_arms_name_mentions_it_alone(extractor: Any) -> None:
    groups = _groups(
        extractor,
        "Patients having radiotherapy for head and neck cancer were randomised to silicone gel"
        " sheeting or aqueous cream. Moist desquamation developed in 31% of patients under the"
        " sheeting and in 58% of patients treated with the cream.",
    )
    assert groups[31] == "silicone gel sheeting"
    assert groups[58] == "aqueous cream"


def test_a_last_word_after_another_modifier_is_not_the_arm(extractor: Any) -> None:
    # `triclosan sutures` shares `sutures` with the arm `plain sutures` but is not it
    groups = _groups(
        extractor,
        "Patients were randomized to wound closure with triclosan-coated or plain sutures."
        " Closure with triclosan sutures reduced the infection rate to 9.1%, compared with"
        " plain sutures (14.0%).",
    )
    assert groups[9.1] != "plain sutures"


def test_the_last_word_of_an_arm_named_only_in_passing_mentions_nothing(
    extractor: Any,
) -> None:
    # `those receiving intensive chemotherapy` declares no arm of the randomisation
    groups = _groups(
        extractor,
        "Children were randomised to ondansetron or metoclopramide. Vomiting was rare in"
        " those receiving intensive chemotherapy. During the chemotherapy cycles, vomiting"
        " occurred in 12%.",
    )
    assert groups[12] is None


def test_treatments_a_joined_name_abbreviates_in_brackets_are_spelt_out(extractor: Any) -> None:
    groups = _groups(
        extractor,
        "Dual therapy with ticagrelor (T) and rivaroxaban (R) was compared with rivaroxaban"
        " alone. Patients with atrial fibrillation after stenting were randomized to T + R or"
        " R alone. Bleeding occurred in 11% with T + R and in 7% with R alone.",
    )
    assert groups[11] == "T + R (ticagrelor, rivaroxaban)"
    assert groups[7] == "R alone (rivaroxaban)"

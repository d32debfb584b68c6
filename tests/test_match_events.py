"""Specifications of which event a complication count belongs to, and when it is a row."""

from __future__ import annotations

from matcher_helpers import rows


def _events(text: str) -> list[tuple[str | None, float]]:
    return [(r.measure, r.value) for r in rows(text, "complication")]


def test_each_count_of_a_list_takes_the_event_of_its_own_item():
    text = (
        "Complications after cardiac surgery included postoperative delirium (6%, 12/200), "
        "pericardial effusion (less than 1%, 1/200) and a lead fault (2%, 4/200)."
    )
    assert [(r.measure, r.measure_text, r.count) for r in rows(text, "complication")] == [
        ("delirium", "postoperative delirium", 12),
        ("pericardial effusion", "pericardial effusion", 1),
        (None, "lead fault", 4),
    ]


def test_the_head_event_of_an_item_wins_over_its_consequence():
    text = "Screw malposition requiring reoperation occurred in 3% (7/233) of patients."
    assert _events(text) == [("implant malposition", 7)]


def test_the_subject_names_the_event_of_a_generic_predicate():
    text = "Febrile neutropenia was the most common adverse event (9% [27/301])."
    assert _events(text) == [("febrile neutropenia", 27)]


def test_a_rate_named_for_a_reason_counts_the_rate_noun():
    text = "The readmission rate for wound complications was 4% (95% CI 2% to 6%)."
    (row,) = rows(text, "complication")
    assert (row.measure, row.percent, row.ci_low) == ("readmission", 4, 2)


def test_reasons_for_a_procedure_count_that_procedure():
    text = "Reoperations were done to drain a haematoma (n=5) or for persistent pain (n=2)."
    assert _events(text) == [("reoperation", 5), ("reoperation", 2)]


def test_patients_who_developed_an_event_are_a_complication_with_their_share():
    text = "Nineteen patients (7.6%) developed febrile neutropenia during docetaxel."
    (row,) = rows(text)
    assert (row.kind, row.measure, row.count, row.percent) == (
        "complication",
        "febrile neutropenia",
        19,
        7.6,
    )


def test_a_symptom_as_outcome_is_not_an_event():
    text = "Thirty patients (60%) reported pain relief of at least 50% at 3 months."
    assert rows(text, "complication") == []


def test_a_reported_symptom_is_an_event():
    text = "After knee replacement, 4 patients reported worsening pain at the incision."
    assert _events(text) == [("pain", 4)]


def test_a_single_patients_management_is_not_a_zero_count():
    assert rows("However, no revision surgery was performed on her.", "complication") == []


def test_no_events_in_the_plural_is_a_zero_count():
    assert _events("No pericardial effusions occurred after ablation.") == [
        ("pericardial effusion", 0)
    ]


def test_a_figure_caption_is_not_evidence():
    assert rows("Figure 3 Two cases of screw loosening on plain radiographs") == []


def test_mean_follow_up_dates_the_rates_of_its_sentence():
    text = "The reintervention rate was 5% (n=14/280) at a median follow-up of 2 years."
    (row,) = rows(text, "complication")
    assert (row.measure, row.timepoint, row.months) == ("reoperation", "follow-up", 24)


def test_events_said_to_be_related_to_the_device_are_device_related():
    text = "Three events (2 lead migrations and 1 pocket infection) were related to the device."
    assert _events(text)[0] == ("device-related adverse event", 3)


def test_a_relative_clause_after_the_patients_does_not_name_the_event():
    text = "Reoperation was required in two patients where wound dehiscence occurred."
    assert _events(text) == [("reoperation", 2)]


def test_an_arm_abbreviation_opening_the_sentence_is_the_group_of_its_counts():
    text = "With CBT, 2 patients reported worsening pain after the first session."
    assert [(r.measure, r.value, r.group_name) for r in rows(text, "complication")] == [
        ("pain", 2, "CBT")
    ]


def test_a_count_that_had_an_unnamed_event_keeps_its_words():
    text = (
        "Two adverse events occurred with placebo; 1 had transient tinnitus"
        " and 1 had a metallic taste."
    )
    found = [(r.measure, r.measure_text, r.value) for r in rows(text, "complication")]
    assert found == [
        ("any adverse event", "adverse events", 2),
        (None, "transient tinnitus", 1),
        (None, "metallic taste", 1),
    ]


def test_a_share_of_events_related_to_the_surgery_is_procedure_related():
    text = "In this trial, 14% (9/64) of the events were judged related to the surgery."
    assert _events(text) == [("procedure-related adverse event", 9)]


def test_a_symptom_at_baseline_is_a_characteristic_not_an_event():
    text = "Twenty-two patients (44%) had radiating arm pain at baseline."
    assert [(r.kind, r.value) for r in rows(text)] == [("proportion", 44)]


def test_a_relative_change_in_an_event_sentence_is_not_an_event_rate():
    text = "Pneumonia occurred in 4% (n=6), while dyspnoea scores fell by 30%."
    assert _events(text) == [("pneumonia", 6)]


def test_none_of_the_patients_developed_an_event_is_a_zero_count():
    assert _events("None of the patients developed a pulmonary embolism.") == [
        ("pulmonary embolism", 0)
    ]


def test_a_grade_after_or_is_not_a_count():
    text = "Grade 3 or 4 febrile neutropenia was observed in 12% of patients."
    assert _events(text) == [("febrile neutropenia", 12)]


def test_a_sentence_about_a_figure_is_not_a_caption():
    assert _events("Figure 4 shows that 6 patients had a revision.") == [("revision", 6)]


def test_a_urinary_tract_infection_is_an_infection():
    (row,) = rows("Two urinary tract infections occurred after cystoscopy.", "complication")
    assert row.measure == "urinary tract infection"


def test_events_listed_after_a_generic_subject_keep_their_own_words():
    text = "The most common adverse events were nausea (12%), fatigue (9%) and headache (5%)."
    found = [(r.measure, r.measure_text, r.value) for r in rows(text, "complication")]
    assert found == [
        ("nausea", "nausea", 12),
        ("fatigue", "fatigue", 9),
        ("headache", "headache", 5),
    ]


def test_a_named_count_takes_the_percent_bracketed_after_its_event():
    (row,) = rows("There were 4 deaths (1.2%) within 90 days of TAVI.", "complication")
    assert (row.measure, row.count, row.percent) == ("death", 4, 1.2)


def test_a_share_of_events_related_to_an_arm_belongs_to_that_arm():
    text = (
        "Overall, 30% (12/40) of the events were related to the balloon angioplasty and 10% "
        "(2/20) of the events were related to medical therapy."
    )
    assert [(r.value, r.group_name) for r in rows(text, "complication")] == [
        (12, "balloon angioplasty"),
        (2, "medical therapy"),
    ]


def test_events_related_to_the_device_name_no_arm():
    text = "Two events (1 lead migration and 1 pocket infection) were related to the device."
    found = [(r.measure, r.value, r.group_name) for r in rows(text, "complication")]
    assert found == [
        ("device-related adverse event", 2, None),
        ("device migration", 1, None),
        ("infection", 1, None),
    ]


def test_one_of_the_patients_developed_an_event_is_a_count_of_one():
    assert _events("One of the patients developed a pulmonary embolism.") == [
        ("pulmonary embolism", 1)
    ]


def test_patients_who_had_no_events_are_a_share_not_a_count_of_events():
    text = "Thirty-five patients (70%) had no complications after the ablation."
    assert [(r.kind, r.value, r.count) for r in rows(text)] == [("proportion", 70, 35)]
    assert rows("Three of these patients had no complications.", "complication") == []

"""Clinical events from other specialties: their vocabulary names and which count is whose.

Written afresh (endocrinology, structural cardiology, spine, hip arthroplasty, oncology) to
show the general classes: a safety event is found under its clinical name, a threshold in
brackets after the event does not hide it, and a second count continues the first's event.
"""

from __future__ import annotations

from matcher_helpers import rows


def _events(text: str) -> list[tuple[str | None, float]]:
    return [(r.measure, r.value) for r in rows(text, "complication")]


def test_a_definition_in_brackets_after_the_event_does_not_hide_it():
    text = (
        "Hypoglycaemia (plasma glucose <3.0 mmol/l) was recorded in 12 (5.1%) and 4 (1.7%) "
        "participants on the two insulin regimens."
    )
    assert _events(text) == [("hypoglycaemia", 12), ("hypoglycaemia", 4)]


def test_a_second_count_continues_the_event_of_the_first_not_the_next_one():
    text = (
        "Acute kidney injury developed in 14 patients (6.0%) after valve implantation and in "
        "9 (3.8%) after surgical replacement, and a new permanent pacemaker in 11.2% and 4.5%."
    )
    assert _events(text) == [
        ("acute kidney injury", 14),
        ("acute kidney injury", 9),
        ("permanent pacemaker implantation", 11.2),
        ("permanent pacemaker implantation", 4.5),
    ]


def test_only_before_a_share_names_no_event():
    text = "Only 2.1% of patients required manipulation under anesthesia for arthrofibrosis."
    assert _events(text) == [("manipulation under anaesthesia", 2.1)]


def test_a_participle_clause_before_the_count_names_no_event():
    text = (
        "Pneumonitis of any grade, as confirmed by blinded central review, occurred in "
        "seventeen patients (4.4%)."
    )
    assert _events(text) == [("interstitial lung disease", 17)]


def test_graded_and_discontinuation_events_are_apart_from_any_adverse_event():
    text = "Grade 3–5 adverse events were reported in 88 of 240 patients (36.7%)."
    assert _events(text) == [("grade 3 or higher adverse event", 88)]
    text = "Adverse events led to treatment discontinuation in 5.5% of the participants."
    assert _events(text) == [("adverse event leading to discontinuation", 5.5)]


def test_treatment_related_death_is_apart_from_death():
    text = "Two drug-related deaths (0.6%) occurred, both from sepsis."
    assert [m for m, _ in _events(text)][0] == "treatment-related death"


def test_deep_infection_is_apart_from_wound_infection():
    text = "Deep surgical site infection developed in 3 of 410 hips (0.7%)."
    assert _events(text) == [("deep infection", 3)]


def test_spine_and_procedural_events_have_names():
    text = (
        "C5 palsy occurred in 6 patients (4.0%) and dysphagia in 9 patients (6.0%); one "
        "patient had a vasovagal episode during the injection."
    )
    assert _events(text) == [("C5 palsy", 6), ("dysphagia", 9), ("vasovagal reaction", 1)]


def test_the_comparator_arms_rate_keeps_the_event_of_the_first_arms():
    text = "Hypoglycaemia was more common with the insulin pump (6.1%) than with injections (2.3%)."
    found = [(r.measure, r.measure_text, r.value) for r in rows(text, "complication")]
    assert found == [
        ("hypoglycaemia", "Hypoglycaemia", 6.1),
        ("hypoglycaemia", "Hypoglycaemia", 2.3),
    ]


def test_joints_that_were_revised_are_a_revision_count():
    text = (
        "Periprosthetic fracture occurred in 4 of 390 hips (1.0%) and five hips (1.3%) were "
        "revised."
    )
    assert _events(text) == [("fracture", 4), ("revision", 5)]


def test_grade_numbers_inside_an_event_name_are_part_of_the_name():
    text = (
        "Grade 3–5 adverse events occurred in 44.1% of patients given olaparib and "
        "adverse events leading to discontinuation in 6.1%."
    )
    assert _events(text) == [
        ("grade 3 or higher adverse event", 44.1),
        ("adverse event leading to discontinuation", 6.1),
    ]


def test_an_event_whose_name_holds_and_is_one_event():
    text = "Nausea and vomiting occurred in 18 patients (9.0%) and constipation in 11 (5.5%)."
    assert _events(text) == [("nausea and vomiting", 18), ("constipation", 11)]


def test_no_cases_of_two_coordinated_events_are_two_zeros():
    text = "There were no cases of deep infection or venous thromboembolism after resurfacing."
    assert _events(text) == [("deep infection", 0), ("venous thromboembolism", 0)]


def test_treatment_related_adverse_events_leading_to_death_are_treatment_related_deaths():
    text = "Treatment-related adverse events led to death in 2 patients (0.5%)."
    assert _events(text) == [("treatment-related death", 2)]


def test_the_second_rate_after_versus_keeps_the_event():
    text = "New-onset atrial fibrillation developed in 18.2% vs 24.6% of patients (P = .03)."
    assert _events(text) == [("atrial fibrillation", 18.2), ("atrial fibrillation", 24.6)]


def test_an_event_word_inside_an_instruments_name_is_no_event():
    text = "The WOMAC stiffness subscale improved by 35% in 24 patients (60%)."
    assert _events(text) == []
    assert _events("Joint stiffness was reported by 12% of patients after arthroplasty.") == [
        ("stiffness", 12)
    ]


def test_an_event_free_survival_is_not_a_count_of_the_event():
    assert _events("Revision-free survival at 10 years was 96.4% for the cemented stems.") == []


def test_a_rate_with_its_count_of_total_in_brackets_is_one_event_row():
    text = "The rate of reoperation at 2 years was 4.5% (9 of 200) after plating."
    (row,) = rows(text, "complication")
    assert (row.measure, row.value, row.count, row.denominator, row.percent) == (
        "reoperation",
        9,
        9,
        200,
        4.5,
    )


def test_general_surgical_and_medical_events_are_named():
    text = "Pneumothorax occurred in 3 cases (1.5%) and a transient ischaemic attack in 2 (1.0%)."
    assert _events(text) == [("pneumothorax", 3), ("transient ischaemic attack", 2)]


def test_graded_and_qualified_events_keep_their_qualifier():
    """A qualified event (major, disabling, severe) is a different end point from the bare one."""
    text = (
        "After carotid stenting, disabling stroke was seen in 3 of 280 patients (1.1%) and "
        "major bleeding in 7 (2.5%); severe hypoglycemia occurred in 4 participants on the "
        "sulfonylurea."
    )
    assert _events(text) == [
        ("disabling stroke", 3),
        ("major bleeding", 7),
        ("severe hypoglycaemia", 4),
    ]


def test_procedural_events_of_catheter_and_laparoscopic_procedures_have_names():
    text = (
        "Laparoscopic colectomy required conversion to laparotomy in 11 cases (5.2%); "
        "device embolization occurred in 2 patients after appendage closure and AKI in 9 (4.3%)."
    )
    assert _events(text) == [
        ("conversion to open surgery", 11),
        ("device embolisation", 2),
        ("acute kidney injury", 9),
    ]


def test_common_drug_adverse_events_have_names():
    text = (
        "The most frequent adverse events with topiramate were somnolence (18 [9.4%]), "
        "dry mouth (11 [5.7%]) and peripheral edema (6 [3.1%])."
    )
    assert _events(text) == [("somnolence", 18), ("dry mouth", 11), ("peripheral oedema", 6)]


def test_a_symptom_that_occurred_in_patients_is_an_event():
    """The occurrence verb after the symptom makes it the counted event."""
    text = "Dizziness occurred in 13 participants (8.2%) during the titration phase."
    assert _events(text) == [("dizziness", 13)]
    text = "Insomnia was reported in 9 patients (4.5%) on the higher dose."
    assert _events(text) == [("insomnia", 9)]


def test_an_event_qualified_later_in_the_clause_is_the_qualified_event():
    text = "Bleeding occurred in 30 of 600 patients (5.0%) and was major in 12 (2.0%)."
    assert _events(text) == [("bleeding", 30), ("major bleeding", 12)]


def test_a_relative_clause_rate_counts_the_event_it_hangs_on():
    text = (
        "The main drawback of the nerve block was foot drop, which affected 6.2% of patients "
        "on the first day."
    )
    found = [(r.measure, r.measure_text, r.value) for r in rows(text, "complication")]
    assert found == [("foot drop", "foot drop", 6.2)]


def test_a_pacemaker_rate_is_permanent_pacemaker_implantation():
    text = "A pacemaker rate of 8.1% was the price of the self-expanding device."
    assert _events(text) == [("permanent pacemaker implantation", 8.1)]


def test_listed_events_pair_in_order_with_listed_counts_respectively():
    text = (
        "Anastomotic leak, ileus and pneumonia occurred in 6 (3.1%), 14 (7.2%) and 5 (2.6%) "
        "patients, respectively."
    )
    assert _events(text) == [("anastomotic leak", 6), ("ileus", 14), ("pneumonia", 5)]


def test_the_most_common_complication_affecting_n_is_the_subjects_event():
    text = "Transient hoarseness was the most common complication, affecting 19 patients (9.5%)."
    assert _events(text) == [("hoarseness", 19)]


def test_airway_and_psychiatric_events_have_names():
    text = "Two patients (1.0%) required reintubation and one (0.5%) developed a pneumothorax."
    assert _events(text) == [("reintubation", 2), ("pneumothorax", 1)]
    text = "Vivid dreams were common and 12 children (15%) had hallucinations after ketamine."
    assert [m for m, _ in _events(text)] == ["hallucination"]


def test_seizures_and_arrhythmias_have_names():
    text = "Seizures occurred in 3 (2.1%) patients on the higher dose of bupropion."
    assert _events(text) == [("seizure", 3)]
    text = "Ventricular arrhythmia developed in 4 of 388 procedures (1.0%)."
    assert _events(text) == [("arrhythmia", 4)]

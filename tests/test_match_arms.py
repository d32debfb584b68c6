"""Arms named after the value, by order, or in a randomisation split (`matchers/arms.py`).

Sentences are written for these tests in other specialties and wordings than the seed
corpus; the negative cases show that `with X` / `on X` alone do not make X an arm.
"""

from __future__ import annotations

from matcher_helpers import rows, vocab

from extractor.matchers import find_evidence
from extractor.text.sentences import SentenceSplitter
from extractor.types import Evidence


def paragraph(text: str, kind: str | None = None) -> list[Evidence]:
    found = find_evidence(text, SentenceSplitter().split(text), vocab())
    return [r for r in found if kind is None or r.kind == kind]


def groups(found: list[Evidence]) -> list[tuple[float, str | None]]:
    return [(r.value, r.group_name) for r in sorted(found, key=lambda r: r.char_start)]


def test_arm_after_the_value_by_participle() -> None:
    text = (
        "Surgical site infection occurred in 9 patients (3.0%) given cefazolin and in "
        "17 (5.8%) given cefuroxime."
    )
    assert groups(rows(text, "complication")) == [(9, "cefazolin"), (17, "cefuroxime")]


def test_a_condition_after_with_is_not_an_arm() -> None:
    """One `with X` is no contrast and X was never declared an arm."""
    text = "Pneumonia occurred in 12 patients (4.1%) with diabetes."
    assert groups(rows(text, "complication")) == [(12, None)]


def test_instruments_after_on_are_not_arms() -> None:
    text = "At 6 months, pain was 3.2 points on the NRS and 28.1 points on the ODI."
    assert all(r.group_name is None for r in rows(text, "score"))


def test_respectively_with_arms_of_the_previous_sentence() -> None:
    text = (
        "We randomly allocated patients to sacubitril-valsartan or enalapril. "
        "Hyperkalaemia was recorded in 44 (5.2%) and 61 (7.3%) patients, respectively."
    )
    assert groups(paragraph(text, "complication")) == [
        (44, "sacubitril-valsartan"),
        (61, "enalapril"),
    ]


def test_respectively_pairing_instruments_does_not_take_arms() -> None:
    text = (
        "Patients were randomised to duloxetine or placebo. "
        "The NRS and ODI at 12 weeks were 3.8 and 24.6, respectively."
    )
    found = paragraph(text, "score")
    assert [r.measure for r in found] == ["NRS pain", "ODI"]
    assert all(r.group_name is None for r in found)


def test_arms_do_not_cross_a_paragraph() -> None:
    text = (
        "Patients were randomised to duloxetine or placebo.\n\n"
        "Nausea occurred in 14 (9.0%) and 6 (3.9%) patients."
    )  # an unlabelled pair needs the paragraph's own arms (a bare `respectively` may not)
    assert all(r.group_name is None for r in paragraph(text, "complication"))


def test_pair_of_one_event_at_different_times_is_not_an_arm_pair() -> None:
    text = (
        "Patients were randomised to apixaban or warfarin. "
        "Bleeding occurred in 2.1% at 6 months and 3.4% at 12 months."
    )
    assert all(r.group_name is None for r in paragraph(text, "complication"))


def test_randomisation_split_gives_a_size_per_arm() -> None:
    text = "Of the 356 patients enrolled, 180 were assigned to TAVI and 176 to surgery."
    found = groups(rows(text, "sample_size"))
    assert (180, "TAVI") in found and (176, "surgery") in found


def test_follow_up_counts_by_time_are_sizes_but_not_a_change_list() -> None:
    text = "Radiographs were reviewed for 210 hips at 1 year, 198 at 2 years and 187 at 5 years."
    assert sorted(r.value for r in rows(text, "sample_size")) == [187, 198, 210]
    other = "A total of 210 hips were reviewed at 1 year, with loosening in 3 at 2 years."
    assert sorted(r.value for r in rows(other, "sample_size")) == [210]


def test_parallel_from_to_pair_takes_the_first_pairs_time() -> None:
    text = (
        "Mean QuickDASH fell from 52.3 at baseline to 18.4 at 1 year and the NRS from 6.6 to 2.1."
    )
    found = {r.value: r for r in rows(text, "score")}
    assert found[2.1].months == 12 and found[2.1].measure == "NRS pain"
    assert found[6.6].timepoint == "baseline"
    own = "Mean ODI improved from 48.2 to 30.5 at 6 months and from 30.5 to 22.0 at 12 months."
    assert {r.value: r.months for r in rows(own, "score")}[22.0] == 12


def test_arm_opening_the_clause_and_arm_after_among_those_receiving() -> None:
    text = (
        "Among patients receiving gabapentin, 19 (12%) reported dizziness, compared with 7 "
        "(4%) among those receiving placebo."
    )
    assert groups(rows(text)) == [(19, "gabapentin"), (7, "placebo")]


def test_a_condition_opening_the_clause_is_not_an_arm() -> None:
    text = "In patients with obesity, 14 (9%) had a superficial wound infection."
    assert all(r.group_name is None for r in rows(text))


def test_versus_pair_takes_the_paragraphs_arms_but_not_a_pair_of_times() -> None:
    text = (
        "Patients were randomised to cabozantinib or sunitinib. "
        "Median progression-free survival was 8.6 versus 5.3 months."
    )
    assert groups(paragraph(text, "score")) == [(8.6, "cabozantinib"), (5.3, "sunitinib")]
    times = (
        "Patients were randomised to cabozantinib or sunitinib. "
        "The mean NRS was 3.4 and 2.9 at 3 and 6 months."
    )
    assert all(r.group_name is None for r in paragraph(times, "score"))


def test_a_contrast_does_not_lengthen_the_declared_arms() -> None:
    text = (
        "Patients were randomised to denosumab or zoledronic acid. "
        "Fractures were rarer with obesity than with sarcopenia. "
        "Osteonecrosis of the jaw occurred in 12 (1.8%) and 9 (1.3%) patients, respectively."
    )
    found = sorted((r for r in paragraph(text) if r.count in (12, 9)), key=lambda r: r.char_start)
    assert [(r.count, r.group_name) for r in found] == [(12, "denosumab"), (9, "zoledronic acid")]


def test_p_closing_a_respectively_list_goes_to_every_share() -> None:
    text = (
        "Complete ulcer healing was achieved in 71.3% and 58.8% of photobiomodulation "
        "and sham patients, respectively (P = 0.02)."
    )
    found = sorted(rows(text, "proportion"), key=lambda r: r.char_start)
    assert [(r.value, r.group_name, r.p_value) for r in found] == [
        (71.3, "photobiomodulation", 0.02),
        (58.8, "sham", 0.02),
    ]


def test_arms_named_by_a_letter_or_numeral_after_the_noun() -> None:
    text = "Median NRS pain was 2 in group A and 4 in group B on the first postoperative day."
    assert groups(rows(text, "score")) == [(2, "A"), (4, "B")]
    text = "Bradycardia occurred in 3 patients (6%) in arm I and 9 patients (18%) in arm II."
    found = sorted(rows(text), key=lambda r: r.char_start)
    assert [(r.count, r.group_name) for r in found] == [(3, "I"), (9, "II")]


def test_versus_between_measures_declares_no_arms() -> None:
    text = (
        "Responsiveness of the ODI versus the NRS was compared. "
        "Both improved in 71% and 64% of patients, respectively."
    )
    assert all(r.group_name is None for r in paragraph(text))


def test_a_pair_after_a_coordinated_subject_pairs_with_it_not_the_arms() -> None:
    text = (
        "Patients were randomised to edoxaban or dalteparin. "
        "Smokers and diabetics made up 31% and 22% of the cohort."
    )
    assert all(r.group_name is None for r in paragraph(text))
    one_event = (
        "Patients were randomised to edoxaban or dalteparin. "
        "Recurrent venous thromboembolism occurred in 7.9% and 11.3%."
    )
    found = sorted(paragraph(one_event, "complication"), key=lambda r: r.char_start)
    assert [r.group_name for r in found] == ["edoxaban", "dalteparin"]


def test_randomisation_declares_arms_but_a_title_or_criterion_does_not() -> None:
    text = (
        "Randomized Trials of Bracing: a review. Adults with NYHA class II to IV symptoms "
        "were enrolled. Nausea occurred in 12 (4.0%) and 7 (2.3%) patients, respectively."
    )
    assert all(r.group_name is None for r in paragraph(text))
    text = (
        "We randomly assigned, in a 2:1 ratio, adults with class II to IV symptoms to "
        "receive finerenone or placebo. Nausea occurred in 12 (4.0%) and 7 (2.3%) patients, "
        "respectively."
    )
    found = sorted((r for r in paragraph(text) if r.count), key=lambda r: r.char_start)
    assert [r.group_name for r in found] == ["finerenone", "placebo"]


def test_with_phrases_not_next_to_values_are_no_contrast() -> None:
    text = (
        "Scores range from 0 to 100, with higher scores indicating better function, and were "
        "read on core-laboratory echocardiography. Nausea occurred in 12 (4.0%) and "
        "7 (2.3%) patients, respectively."
    )
    assert all(r.group_name is None for r in paragraph(text))


def test_short_and_long_names_of_one_arm_are_one_arm() -> None:
    text = (
        "Patients were randomised to adductor canal block or periarticular infiltration. "
        "Opioid use was lower in the block group. "
        "Quadriceps weakness occurred in 6 (5.8%) and 2 (2.0%) patients, respectively."
    )
    found = sorted((r for r in paragraph(text) if r.count), key=lambda r: r.char_start)
    assert [r.group_name for r in found] == [
        "adductor canal block",
        "periarticular infiltration",
    ]


def test_lancet_style_count_percent_of_total_with_its_arm() -> None:
    text = (
        "Remission was reported by 47 (31%) of 152 patients given ustekinumab and "
        "26 (17%) of 150 given placebo."
    )
    found = sorted(rows(text, "proportion"), key=lambda r: r.char_start)
    assert [(r.count, r.denominator, r.group_name) for r in found] == [
        (47, 152, "ustekinumab"),
        (26, 150, "placebo"),
    ]
    assert rows(text, "sample_size") == [] and rows(text, "score") == []


def test_count_percent_then_patients_then_arm() -> None:
    text = (
        "Serious adverse events occurred in seven (4%) patients in the ustekinumab group "
        "and nine (6%) in the placebo group."
    )
    found = sorted(rows(text, "complication"), key=lambda r: r.char_start)
    assert [(r.count, r.group_name) for r in found] == [(7, "ustekinumab"), (9, "placebo")]


def test_three_arms_of_a_randomisation_pair_in_order() -> None:
    text = (
        "Participants were randomised to standard-dose, high-dose or no vitamin D. "
        "Falls were reported by 21%, 24% and 19% of participants, respectively."
    )
    found = sorted(paragraph(text, "proportion"), key=lambda r: r.char_start)
    assert [r.group_name for r in found] == ["standard-dose", "high-dose", "no vitamin D"]


def test_a_count_after_a_randomisation_is_not_an_arm_name() -> None:
    text = (
        "A total of 640 patients underwent randomisation: 322 were assigned to apixaban "
        "and 318 to aspirin. Bleeding occurred in 9 (2.8%) and 6 (1.9%) patients, respectively."
    )
    found = sorted((r for r in paragraph(text) if r.count), key=lambda r: r.char_start)
    assert [r.group_name for r in found] == ["apixaban", "aspirin"]


def test_arms_named_by_how_patients_were_treated() -> None:
    text = (
        "Mean QuickDASH at 1 year was 14.2 for operatively treated patients and 19.8 for "
        "nonoperatively treated patients."
    )
    assert groups(rows(text, "score")) == [
        (14.2, "operatively treated"),
        (19.8, "nonoperatively treated"),
    ]
    text = (
        "Pruritus occurred in 9% of morphine-treated patients and 3% of placebo-treated patients."
    )
    assert groups(rows(text)) == [(9, "morphine"), (3, "placebo")]


def test_a_value_after_a_comparison_is_not_the_earlier_arms() -> None:
    text = "The VAS at 6 hours was 3.1 in the block arm compared with 4.7 in controls."
    assert groups(rows(text, "score")) == [(3.1, "block"), (4.7, None)]
    text = (
        "Patients were randomised to bracing or observation. Curve progression was less "
        "frequent in the bracing group (28%) than with observation alone (52%)."
    )
    assert groups(paragraph(text)) == [(28, "bracing"), (52, "observation")]


def test_abbreviated_arm_is_the_same_arm_and_a_bracketed_pair_takes_the_arms() -> None:
    text = (
        "Patients were randomised to cognitive behavioural therapy (n = 60) or usual care "
        "(n = 58). Dropout was lower in the CBT group. Relapse occurred in 7 (11.7%) vs "
        "15 (25.9%) patients. Headache was more common after CBT (15.0% vs 5.2%)."
    )
    found = sorted((r for r in paragraph(text, "proportion")), key=lambda r: r.char_start)
    assert [(r.value, r.group_name) for r in found] == [
        (11.7, "cognitive behavioural therapy"),
        (25.9, "usual care"),
        (15.0, "cognitive behavioural therapy"),
        (5.2, "usual care"),
    ]


def test_a_definition_between_commas_does_not_block_the_main_clause() -> None:
    text = (
        "Response, defined as a 30% fall in pain, was achieved by 41 patients (68.3%) "
        "treated with pregabalin and 26 (43.3%) treated with placebo."
    )
    found = sorted(rows(text, "proportion"), key=lambda r: r.char_start)
    assert [(r.count, r.group_name) for r in found] == [(41, "pregabalin"), (26, "placebo")]
    assert rows("Response was defined as a 30% fall in pain at 12 weeks.") == []


def test_known_arm_written_as_the_label_of_its_value() -> None:
    text = (
        "Patients were randomised to liberal or restrictive transfusion. "
        "Myocardial infarction: liberal 9/210 (4.3%); restrictive 14/208 (6.7%)."
    )
    found = sorted((r for r in paragraph(text) if r.count), key=lambda r: r.char_start)
    assert [(r.count, r.group_name) for r in found] == [(9, "liberal"), (14, "restrictive")]
    # an undeclared label is not an arm
    text = "Myocardial infarction: men 9/210 (4.3%); women 14/208 (6.7%)."
    assert all(r.group_name is None for r in rows(text))


def test_a_time_closing_a_pair_holds_for_both_values() -> None:
    text = (
        "Patients were randomised to ablation or antiarrhythmic drugs. "
        "Stroke occurred in 1.4% and 2.2% at 24 months."
    )
    found = sorted(paragraph(text, "complication"), key=lambda r: r.char_start)
    assert [(r.value, r.months, r.group_name) for r in found] == [
        (1.4, 24, "ablation"),
        (2.2, 24, "antiarrhythmic drugs"),
    ]
    own = "Stroke occurred in 1.4% at 30 days and 2.2% at 2 years."
    assert [r.months for r in sorted(rows(own), key=lambda r: r.char_start)] == [1, 24]


def test_bare_respectively_takes_the_arms_an_earlier_paragraph_declared() -> None:
    text = (
        "Methods: Adults were randomly assigned to semaglutide or placebo for 68 weeks.\n\n"
        "Results: Gallbladder disorders occurred in 23 (2.6%) and 5 (1.2%) participants, "
        "respectively. Nausea was reported in 44.2% and 17.4%."
    )
    found = sorted(paragraph(text), key=lambda r: r.char_start)
    assert [(r.count, r.group_name) for r in found if r.count] == [
        (23, "semaglutide"),
        (5, "placebo"),
    ]
    # without `respectively`, another paragraph's arms are too far away to pair a list
    assert all(r.group_name is None for r in found if r.count is None)


def test_bracketed_versus_pairs_after_events_take_the_two_named_arms() -> None:
    text = (
        "Patients were randomly assigned to duloxetine (n = 156) or pregabalin (n = 155). "
        "The most frequent adverse events with duloxetine and pregabalin were dizziness "
        "(22 [14.1%] vs 35 [22.6%]) and somnolence (12 [7.7%] vs 28 [18.1%])."
    )
    found = [(r.measure, r.value, r.group_name) for r in paragraph(text, "complication")]
    assert found == [
        ("dizziness", 22, "duloxetine"),
        ("dizziness", 35, "pregabalin"),
        ("somnolence", 12, "duloxetine"),
        ("somnolence", 28, "pregabalin"),
    ]


def test_an_event_going_on_in_arm_patients_keeps_its_event_and_that_arm() -> None:
    text = (
        "Patients were randomised to open (n = 70) or endoscopic (n = 70) release. Numbness "
        "was reported by 12 of 70 patients in the open group and 5 of 70 in the endoscopic "
        "group, and persisted at six months in four open patients."
    )
    found = [(r.kind, r.value, r.measure, r.group_name) for r in paragraph(text)]
    assert ("complication", 4, "numbness", "open") in found
    assert not any(k == "sample_size" and v == 4 for k, v, _, _ in found)


def test_the_second_of_two_parallel_after_phrases_names_the_second_arm() -> None:
    """The paper may call the second arm by its procedure (`laminectomy`), not its name."""
    text = (
        "Patients were randomised to anterior (n = 40) or posterior (n = 41) fusion. "
        "Dysphagia developed in 6 patients (15.0%) after anterior fusion and in 1 patient "
        "(2.4%) after laminectomy."
    )
    found = [(r.value, r.group_name) for r in paragraph(text, "complication")]
    assert found[1] == (1, "laminectomy") and found[0][1] is not None

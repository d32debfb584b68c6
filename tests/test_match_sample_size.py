"""Specifications of sample sizes: counts of a study's, arm's or population's units."""

from __future__ import annotations

from matcher_helpers import mention, rows


def test_number_before_count_noun_is_a_sample_size():
    text = "This RCT of 148 patients with heart failure compared two regimens."
    (row,) = rows(text, "sample_size")
    assert (row.value, row.measure, mention(text, row)) == (148, "patients", "148 patients")
    assert row.rule == "sample_size.count_noun"


def test_number_word_and_adjectives_before_the_noun():
    text = "Eleven studies reporting on 1,181 total knee arthroplasties and 2 randomised trials."
    found = [(r.value, r.measure) for r in rows(text, "sample_size")]
    assert (11, "studies") in found and (2, "trials") in found


def test_n_equals_gives_arm_name_from_text_before_parenthesis():
    text = "We compared apixaban (n=210) with warfarin (VKA, n=198) in atrial fibrillation."
    found = {r.group_name: r.value for r in rows(text, "sample_size")}
    assert found == {"apixaban": 210, "warfarin": 198}


def test_n_equals_after_group_noun_strips_group():
    text = "In the placebo group (n = 64), KCCQ scores did not change."
    (row,) = rows(text, "sample_size")
    assert (row.value, row.group_name, row.rule) == (64, "placebo", "sample_size.n_equals")


def test_capital_n_population():
    text = "All but two participants (N = 58) completed the PHQ-9."
    (row,) = rows(text, "sample_size")
    assert row.value == 58


def test_total_and_included():
    for text in (
        "A total of 312 women were enrolled.",
        "Of 400 screened, 352 participants were randomised.",
        "a sample size of 29 patients was adequate",
    ):
        assert rows(text, "sample_size"), text


def test_breakdown_by_sex_is_one_sample_size_and_two_proportions():
    text = "The cohort consisted of 120 children (70 boys, 50 girls) with asthma."
    text = text.replace("boys", "males").replace("girls", "females")
    sizes = rows(text, "sample_size")
    parts = rows(text, "proportion")
    assert [r.value for r in sizes] == [120]
    assert [(r.count, r.denominator) for r in parts] == [(70, 120), (50, 120)]


def test_patients_with_an_outcome_are_not_a_sample_size():
    text = "Out of 60 patients treated with ablation, 51 patients reported freedom from angina."
    assert [r.value for r in rows(text, "sample_size")] == [60]
    (prop,) = rows(text, "proportion")
    assert (prop.count, prop.denominator) == (51, 60)


def test_count_with_percent_is_a_proportion_not_a_sample_size():
    text = "Twelve patients (30.0%) required transfusion."
    assert rows(text, "sample_size") == []


def test_mean_number_of_procedures_is_not_a_sample_size():
    text = "Patients had undergone a mean of 3 lumbar surgeries (1–7) before."
    assert rows(text, "sample_size") == []


def test_cases_of_an_event_are_not_a_sample_size():
    assert rows("Two cases of wound dehiscence were seen.", "sample_size") == []


def test_hyphenated_compound_is_not_a_count():
    assert rows("Quality of life was measured with the EuroQol 5-dimensions 3-levels.") == []


def test_one_in_n_is_a_ratio_not_a_sample_size():
    text = "Approximately one in three women remained on statin therapy at one year."
    assert rows(text, "sample_size") == []


def test_patients_with_an_event_named_before_in_are_not_a_sample_size():
    for text in (
        "Deep infection occurred in three patients after total knee replacement.",
        "A repeat ablation was required in 4 patients during the first year.",
        "Early removal was necessary in 2 patients where wound dehiscence occurred.",
    ):
        assert rows(text, "sample_size") == [], text


def test_assessed_in_n_patients_is_still_a_sample_size():
    text = "Health-related quality of life was assessed in 240 patients with lymphoma."
    assert [r.value for r in rows(text, "sample_size")] == [240]


def test_parts_of_a_total_in_the_same_unit_are_a_breakdown():
    text = "Fourteen trials (10 placebo-controlled and 4 active-comparator trials) were pooled."
    assert [r.value for r in rows(text, "sample_size")] == [14]


def test_another_unit_in_brackets_is_a_sample_size_of_its_own():
    text = "We pooled 38 studies (4,210 patients) of opioid tapering."
    assert sorted(r.value for r in rows(text, "sample_size")) == [38, 4210]


def test_studies_of_an_intervention_are_studies():
    text = "Pooled estimates were similar in 3 studies of cemented stems."
    (row,) = rows(text, "sample_size")
    assert (row.value, row.measure) == (3, "studies")


def test_relative_clause_names_the_group():
    text = (
        "Mortality was 8% at 30 days in the 412 patients who underwent transcatheter "
        "valve replacement in the registry."
    )
    (row,) = rows(text, "sample_size")
    assert (row.value, row.group_name) == (412, "transcatheter valve replacement")
    text = (
        "pCR ranged from 20% to 41% in 86 women (from 4 trials) who received neoadjuvant "
        "chemotherapy, overall."
    )
    found = {r.value: r.group_name for r in rows(text, "sample_size")}
    assert found == {86: "neoadjuvant chemotherapy", 4: None}


def test_relative_clause_naming_a_condition_is_not_a_group():
    text = "We followed 120 patients who had chronic neck pain for two years."
    (row,) = rows(text, "sample_size")
    assert (row.value, row.group_name) == (120, None)


def test_list_of_sizes_paired_with_arms_named_before():
    text = "The nivolumab and docetaxel arms comprised 135 and 137 patients, respectively."
    found = [(r.value, r.measure, r.group_name) for r in rows(text, "sample_size")]
    assert found == [(135, "patients", "nivolumab"), (137, "patients", "docetaxel")]


def test_list_of_sizes_paired_with_arms_named_after():
    text = (
        "Overall, 60 and 58 participants were randomised to duloxetine and placebo, respectively."
    )
    found = [(r.value, r.measure, r.group_name) for r in rows(text, "sample_size")]
    assert found == [(60, "participants", "duloxetine"), (58, "participants", "placebo")]


def test_bare_numbers_enrolled_after_the_unit_was_named():
    text = (
        "Of 1,204 women assessed for eligibility, 860 were randomly assigned and 842 were analysed."
    )
    found = [(r.value, r.measure) for r in rows(text, "sample_size")]
    assert found == [(1204, "women"), (860, "women"), (842, "women")]


def test_bare_number_treated_for_an_event_is_not_a_sample_size():
    text = "Of the 60 patients, 12 were treated for wound infection."
    assert [r.value for r in rows(text, "sample_size")] == [60]


def test_arms_introduced_by_randomised_to():
    text = "Patients were randomly assigned to ticagrelor (n = 920) or clopidogrel (n = 915)."
    found = {r.group_name: r.value for r in rows(text, "sample_size")}
    assert found == {"ticagrelor": 920, "clopidogrel": 915}


def test_analysed_population_has_no_group():
    for text in (
        "Efficacy was analysed in the intention-to-treat population (N = 310).",
        "Toxicity is reported for the safety analysis set (n = 402).",
    ):
        (row,) = rows(text, "sample_size")
        assert row.group_name is None and row.measure == "patients", text


def test_n_equals_after_an_event_is_not_a_sample_size():
    assert rows("Dural tear (n = 4) was the commonest complication.", "sample_size") == []


def test_body_part_naming_the_procedure_counts_the_procedures():
    text = "We reviewed 1,250 consecutive total hip arthroplasties in 1,102 patients."
    found = [(r.value, r.measure) for r in rows(text, "sample_size")]
    assert found == [(1250, "procedures"), (1102, "patients")]


def test_arm_named_after_the_count_and_the_next_arm_with_a_bare_number():
    text = "There were 64 patients in the ketamine group and 61 in the placebo group."
    found = [(r.value, r.measure, r.group_name) for r in rows(text, "sample_size")]
    assert found == [(64, "patients", "ketamine"), (61, "patients", "placebo")]


def test_patients_lost_or_withdrawn_are_not_a_sample_size():
    for text in (
        "Two patients were lost to follow-up before the 12-month visit.",
        "Nine participants withdrew because of nausea.",
    ):
        assert rows(text, "sample_size") == [], text


def test_condition_named_before_in_n_patients_keeps_the_sample_size():
    text = "We report an RCT of catheter ablation for atrial fibrillation in 300 patients."
    assert [r.value for r in rows(text, "sample_size")] == [300]


def test_arms_named_by_allocation_after_the_count():
    text = "Of these, 45 patients were randomised to early surgery and 44 to conservative care."
    found = [(r.value, r.measure, r.group_name) for r in rows(text, "sample_size")]
    assert found == [(45, "patients", "early surgery"), (44, "patients", "conservative care")]


def test_n_after_a_counted_study_noun_counts_participants():
    text = "Overall, 16 RCTs (n = 2,345) compared early with delayed mobilisation."
    found = [(r.value, r.measure) for r in rows(text, "sample_size")]
    assert found == [(16, "trials"), (2345, "patients")]
    (row,) = rows("Included studies (n = 16) were mostly small.", "sample_size")
    assert (row.value, row.measure) == (16, "studies")


def test_population_n_counts_participants_even_after_the_word_study():
    (row,) = rows("The study sample (N = 1,200) was representative of the region.", "sample_size")
    assert (row.value, row.measure, row.group_name) == (1200, "patients", None)


def test_middle_arm_of_three_in_a_comma_list():
    text = "Participants were allocated to exercise (n=48), manual therapy (n=47) or advice (n=49)."
    found = {r.group_name: r.value for r in rows(text, "sample_size")}
    assert found == {"exercise": 48, "manual therapy": 47, "advice": 49}


def test_sex_breakdown_after_an_enrolling_verb_is_proportions():
    text = "In total, 240 participants were randomised (131 men [54.6%] and 109 women)."
    assert [r.value for r in rows(text, "sample_size")] == [240]
    parts = {r.measure: (r.value, r.count, r.denominator) for r in rows(text, "proportion")}
    assert parts == {"men": (54.6, 131, 240), "women": (109, 109, 240)}


def test_event_as_clause_subject_counts_patients_with_it():
    text = "Symptomatic deep vein thrombosis was treated with rivaroxaban in one patient."
    assert rows(text, "sample_size") == []
    assert [r.value for r in rows(text, "complication")] == [1]
    # the event's own rate, measured in a defined population: those patients are a size
    text = "Stroke occurred in 3% at 30 days in the 512 patients who had carotid stenting."
    assert [r.value for r in rows(text, "sample_size")] == [512]


def test_values_of_a_criterion_are_not_enrolled_numbers():
    text = "Patients with an ASA grade of 1 or 2 were randomised to spinal or general anaesthesia."
    assert rows(text, "sample_size") == []


def test_sizes_split_into_arms_after_the_total_or_without_a_noun():
    text = "The trial enrolled 318 patients: 160 in the cryoballoon arm and 158 in the laser arm."
    found = [(r.value, r.group_name) for r in rows(text, "sample_size")]
    assert found == [(318, None), (160, "cryoballoon"), (158, "laser")]
    text = "Of these, 88 were allocated to the plate group and 91 to the nail group."
    found = [(r.value, r.group_name) for r in rows(text, "sample_size")]
    assert found == [(88, "plate"), (91, "nail")]


def test_arm_as_subject_and_elliptic_next_arm():
    text = "The exercise group comprised 73 patients and the education group 70."
    found = [(r.value, r.group_name) for r in rows(text, "sample_size")]
    assert found == [(73, "exercise"), (70, "education")]
    text = "The exercise group comprised 73 patients and the education group had more smokers."
    assert [r.value for r in rows(text, "sample_size")] == [73]


def test_arms_in_brackets_after_the_total_are_sizes_not_a_breakdown():
    text = "In all, 188 hips (95 in the ceramic group and 93 in the metal group) were reviewed."
    found = [(r.value, r.group_name) for r in rows(text, "sample_size")]
    assert found == [(188, None), (95, "ceramic"), (93, "metal")]
    assert rows(text, "proportion") == []


def test_underwent_randomisation_then_arms_in_brackets():
    text = (
        "Of 260 patients screened, 204 underwent randomisation (103 to adductor canal block "
        "and 101 to periarticular infiltration)."
    )
    found = [(r.value, r.group_name) for r in rows(text, "sample_size")]
    assert found == [
        (260, None),
        (204, None),
        (103, "adductor canal block"),
        (101, "periarticular infiltration"),
    ]


def test_n_after_a_summary_statistic_is_the_population():
    text = "Functional outcomes at final review, median (IQR) (n = 143)"
    found = [(r.value, r.measure, r.group_name) for r in rows(text, "sample_size")]
    assert found == [(143, "patients", None)]
    text = "Wound infection (n = 4) and dehiscence (n = 2) were recorded."
    assert rows(text, "sample_size") == []


def test_population_split_into_arms_in_brackets():
    text = (
        "The safety population comprised 1,180 patients (592 and 588, respectively, in the "
        "sotatercept and placebo groups)."
    )
    found = [(r.value, r.group_name) for r in rows(text, "sample_size")]
    assert found == [(1180, None), (592, "sotatercept"), (588, "placebo")]
    assert rows(text, "proportion") == []
    text = (
        "Of the 604 patients, 598 received at least one dose of trial drug (300 in the "
        "sotatercept group and 298 in the placebo group)."
    )
    found = [(r.value, r.group_name) for r in rows(text, "sample_size")]
    assert found == [(604, None), (598, None), (300, "sotatercept"), (298, "placebo")]


def test_an_allocation_ratio_before_the_arms_keeps_their_sizes():
    text = (
        "A total of 240 participants were randomized 2:1 to erenumab (n = 160) or placebo (n = 80)."
    )
    found = [(r.value, r.group_name) for r in rows(text, "sample_size")]
    assert (160, "erenumab") in found and (80, "placebo") in found
    text = (
        "In all, 96 children were allocated in a 1:1 ratio to dexmedetomidine (n = 48) or "
        "midazolam (n = 48)."
    )
    found = [(r.value, r.group_name) for r in rows(text, "sample_size")]
    assert (48, "dexmedetomidine") in found and (48, "midazolam") in found


def test_alternative_counts_describe_eligibility_not_sizes():
    text = "Adults with stenosis at two or three segments were eligible for decompression."
    assert rows(text, "sample_size") == []


def test_patients_with_their_share_in_one_bracket_are_an_event_count():
    text = "Pin-site infection was seen only in the external fixator group (4 patients, 8.3%)."
    assert rows(text, "sample_size") == []
    (row,) = rows(text, "complication")
    assert (row.count, row.percent) == (4, 8.3)

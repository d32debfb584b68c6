"""Specifications of changes and between-group differences in prose, and their p-values."""

from __future__ import annotations

from matcher_helpers import mention, rows, vocab

from extractor.matchers import find_evidence
from extractor.types import Sentence


def paragraph(*sentences: str):
    """All rows of consecutive sentences of one paragraph (single-space separated)."""
    text = " ".join(sentences)
    spans, start = [], 0
    for sentence in sentences:
        spans.append(Sentence(start, start + len(sentence), sentence))
        start += len(sentence) + 1
    return find_evidence(text, spans, vocab())


def test_change_noun_heads_a_long_subject_before_the_value():
    text = "The mean change in KOOS pain between baseline and 12 months was 24.6 (± 15.3)."
    (row,) = rows(text)
    assert (row.kind, row.value, row.measure, row.statistic, row.sd) == (
        "change",
        24.6,
        "KOOS pain",
        "change",
        15.3,
    )


def test_between_group_difference_with_a_timepoint_in_the_subject():
    text = "The adjusted between-group difference in LVEF at 6 months was 4.1 (95% CI 1.2 to 7.0)."
    (row,) = rows(text)
    assert (row.kind, row.statistic, row.ci_low, row.ci_high) == ("change", "difference", 1.2, 7.0)


def test_a_verb_between_the_change_noun_and_the_value_ends_the_phrase():
    text = "The reduction in pain at 6 months was significant, and the mean ODI was 24.1 ± 9.0."
    (row,) = rows(text)
    assert (row.kind, row.measure, row.value) == ("score", "ODI", 24.1)


def test_point_compound_before_a_change_noun_is_a_change_in_points():
    text = "Most participants reported a 3-point reduction in NRS pain after the block."
    (row,) = rows(text)
    assert (row.kind, row.value, row.unit, row.statistic) == ("change", 3, "points", "change")
    assert mention(text, row) == "3-point"


def test_p_after_a_long_phrase_without_a_clause_break_goes_to_the_change():
    text = (
        "The Harris Hip Score showed a mean gain of 38 points between the preoperative and the "
        "2-year assessments (p < 0.001)."
    )
    (row,) = rows(text)
    assert (row.kind, row.p_value, row.p_relation) == ("change", 0.001, "<")
    assert row.timepoint != "baseline"  # a change is never at baseline


def test_p_after_both_goes_to_each_estimate_it_sums_up():
    text = (
        "Pooled analysis showed a KCCQ gain of 8.2 points (95% CI 5.1-11.3) and a 6MWD gain of "
        "32 m (95% CI 18-46), both above the reported MCID (P < 0.001)."
    )
    found = rows(text, "change")
    assert [(r.measure, r.value, r.p_value, r.p_relation) for r in found] == [
        ("KCCQ", 8.2, 0.001, "<"),
        ("6MWD", 32, 0.001, "<"),
    ]


def test_p_in_the_brackets_of_a_change_after_a_semicolon():
    text = "In the placebo arm the change in HbA1c was small at 6 months (0.1; p=0.52)."
    (row,) = rows(text)
    assert (row.kind, row.value, row.months, row.p_value) == ("change", 0.1, 6.0, 0.52)


def test_threshold_with_least_a_is_not_a_change():
    assert rows("Responders had least a 30% reduction in NRS pain at 3 months.") == []


def test_instrument_chains_through_sentences_that_inherit_it():
    found = paragraph(
        "PHQ-9 fell from 15.2 at baseline to 8.1 at 12 weeks in the intervention arm.",
        "The mean change was only 1.1 points in the usual care arm at 12 weeks (p=0.21).",
        "Among those who switched arms (n=22), the change was small at 12 weeks (0.4; p=0.70) "
        "but improved from 13.9 at 12 weeks to 9.0 at 24 weeks (4.9 point decrease, p<0.001).",
    )
    third = [r for r in found if r.quote.startswith("Among") and r.kind != "sample_size"]
    assert [(r.kind, r.value, r.measure, r.months, r.p_value) for r in third] == [
        ("change", 0.4, "PHQ-9", 2.8, 0.70),
        ("score", 13.9, "PHQ-9", 2.8, None),
        ("score", 9.0, "PHQ-9", 5.5, None),
        ("change", 4.9, "PHQ-9", None, 0.001),
    ]
    assert third[1].timepoint != "baseline"  # the FROM of this series has its own time
    assert third[-1].unit == "points"


def test_a_blank_line_ends_the_inheritance():
    one, two = "Mean ODI fell from 52.0 at baseline to 31.0 at 1 year.", "The change was 3.1."
    text = one + "\n\n" + two
    sentences = [Sentence(0, len(one), one), Sentence(len(one) + 2, len(text), two)]
    found = find_evidence(text, sentences, vocab())
    assert [r.value for r in found] == [52.0, 31.0]


def test_change_at_a_visit_named_by_its_unit():
    text = "Change from baseline in HbA1c at week 24 was −1.1% with semaglutide."
    (row,) = rows(text)
    assert (row.kind, row.value, row.unit, row.months) == ("change", -1.1, "%", 5.5)


def test_second_arm_value_after_a_change_is_a_change_too():
    text = (
        "The ODI decreased by a mean of 19.8 points in the surgical group and 11.2 points in "
        "the non-surgical group (p = 0.01)."
    )
    found = rows(text)
    assert [(r.kind, r.value, r.group_name, r.p_value) for r in found] == [
        ("change", 19.8, "surgical", None),
        ("change", 11.2, "non-surgical", 0.01),
    ]


def test_list_of_changes_shares_the_unit_written_after_the_last():
    text = "The SF-36 PCS and MCS improved by 8.9 and 4.1 points, respectively (both p<0.01)."
    found = rows(text)
    assert [(r.measure, r.value, r.unit, r.p_value) for r in found] == [
        ("SF-36 PCS", 8.9, "points", 0.01),
        ("SF-36 MCS", 4.1, "points", 0.01),
    ]


def test_difference_between_arms_is_not_an_arm_name():
    (row,) = rows("The difference in 6MWD between arms was 28 m (95% CI 10 to 46; p=0.003).")
    assert (row.kind, row.statistic, row.group_name, row.p_value) == (
        "change",
        "difference",
        None,
        0.003,
    )


def test_a_change_judged_by_its_clause_is_a_threshold_not_a_result():
    assert rows("A change in NRS pain of 2 points was considered clinically important.") == []
    assert rows("A reduction in HbA1c of 0.5% is considered meaningful.") == []


def test_a_judgement_after_a_comma_leaves_the_result():
    text = "ODI improved by 21.0 points, which was considered clinically important."
    (row,) = rows(text)
    assert (row.kind, row.value) == ("change", 21.0)

"""Specifications of the table interpreter: what each cell of a table becomes.

Every table here is written for the test (cardiology, oncology, orthopaedics, pain,
psychiatry, diabetes, respiratory) rather than copied from a corpus, so passing them shows
the layouts are read by their structure, not by one paper's words. Each goes through the
pipeline's own steps: text tables rendered canonically, the text normalised, one sentence
per line handed to the table matcher.
"""

from __future__ import annotations

import pytest

from extractor.tables import find_table_evidence
from extractor.vocab import Vocabulary
from tests.table_support import line_sentences, only, read, rows_of


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.load()


# -- flattened tables (text copied out of a PDF) ------------------------------------------

KNEE = """Table 2 Patient-reported outcomes after total knee arthroplasty

Values are mean ± SD; p values are from paired t tests

Outcome Preoperative 2 years postoperative Mean difference P value

KOOS pain 41.3 ± 16.2 83.9 ± 12.5 42.6 ± 18.0 <0.001

Oxford Knee Score 19.8 ± 7.4 39.2 ± 6.9 19.4 ± 8.8 <0.001
"""


def test_flattened_pre_post_table_gives_scores_at_each_timepoint_with_sd(vocab):
    text, result = read(KNEE, vocab)
    baseline = only(result.evidence, kind="score", measure="KOOS pain", timepoint="baseline")
    assert (baseline.value, baseline.sd, baseline.statistic) == (41.3, 16.2, "mean")
    assert baseline.months is None and baseline.p_value is None
    follow = only(result.evidence, kind="score", measure="KOOS pain", timepoint="follow-up")
    assert (follow.value, follow.sd, follow.months) == (83.9, 12.5, 24.0)
    assert text[follow.char_start : follow.char_end] == "83.9 ± 12.5"


def test_mean_difference_of_pre_and_post_is_a_within_group_change_carrying_the_p(vocab):
    rows = rows_of(KNEE, vocab)
    change = only(rows, kind="change", measure="Oxford Knee Score")
    assert (change.value, change.sd, change.statistic) == (19.4, 8.8, "change")
    assert (change.p_value, change.p_relation) == (0.001, "<")
    assert all(r.p_value is None for r in rows if r.kind == "score")


def test_table_row_is_the_quote_the_cell_is_the_mention_and_the_caption_the_section(vocab):
    text, result = read(KNEE, vocab)
    for row in result.evidence:
        assert text[row.quote_start : row.quote_end] == row.quote
        assert row.quote_start <= row.char_start < row.char_end <= row.quote_end
        assert row.rule == "table.flattened_row"
        assert row.section == "Table 2 Patient-reported outcomes after total knee arthroplasty"
    assert {r.quote for r in result.evidence} == {
        "KOOS pain 41.3 ± 16.2 83.9 ± 12.5 42.6 ± 18.0 <0.001",
        "Oxford Knee Score 19.8 ± 7.4 39.2 ± 6.9 19.4 ± 8.8 <0.001",
    }


def test_table_row_and_table_column_name_the_headers_that_gave_outcome_and_time(vocab):
    row = only(rows_of(KNEE, vocab), kind="score", value=39.2)
    assert (row.table_row, row.table_column) == ("Oxford Knee Score", "2 years postoperative")


ONCOLOGY_BASELINE = """Table 1. Characteristics of the patients at enrolment

Data are median (range) or n (%)

Characteristic Value

Age, years 63 (38-81)

Male sex 41 (57.7%)

Previous stroke 3 (4.2%)

ECOG performance status

0 30 (42.3%)

1 41 (57.7%)

Tumour stage

III 19 (26.8%)

IV 52 (73.2%)
"""


def test_count_percent_rows_are_proportions_named_with_their_group_row(vocab):
    rows = rows_of(ONCOLOGY_BASELINE, vocab)
    stage = only(rows, measure_text="Tumour stage IV")
    assert stage.kind == "proportion"
    assert (stage.value, stage.count, stage.percent) == (73.2, 52, 73.2)
    ecog = only(rows, measure_text="ECOG performance status 1")
    assert (ecog.kind, ecog.count, ecog.table_row) == (
        "proportion",
        41,
        "ECOG performance status › 1",
    )


def test_a_group_row_ends_where_the_shares_of_its_levels_reach_the_whole(vocab):
    rows = rows_of(ONCOLOGY_BASELINE, vocab)
    assert only(rows, count=19).measure_text == "Tumour stage III"
    assert only(rows, count=41, percent=57.7, measure_text="Male sex").table_row == "Male sex"


def test_a_baseline_table_gives_its_continuous_rows_as_scores_at_baseline(vocab):
    # changed: an age was no row at all; a baseline table now yields its scores (issue 9)
    age = only(rows_of(ONCOLOGY_BASELINE, vocab), measure_text="Age, years")
    assert (age.kind, age.value, age.measure, age.timepoint) == ("score", 63, None, "baseline")
    assert (age.statistic, age.range_low, age.range_high, age.unit) == ("median", 38, 81, "years")


def test_an_event_in_the_history_of_a_baseline_table_is_a_proportion_not_a_complication(vocab):
    stroke = only(rows_of(ONCOLOGY_BASELINE, vocab), measure_text="Previous stroke")
    assert (stroke.kind, stroke.count, stroke.measure) == ("proportion", 3, None)


CARDIAC_SAFETY = """Table 3 In-hospital events after transcatheter valve implantation

Data are n (%)

Characteristics Value

Adverse events

Stroke 2 (1.7%)

Major vascular access bleeding 6 (5.0%)

New pacemaker 11 (9.2%)
"""


def test_rows_under_an_adverse_events_group_row_are_complications(vocab):
    rows = rows_of(CARDIAC_SAFETY, vocab)
    assert {r.kind for r in rows} == {"complication"}
    stroke = only(rows, measure="stroke")
    assert (stroke.value, stroke.count, stroke.percent, stroke.statistic) == (2, 2, 1.7, "count")
    assert only(rows, count=6).measure == "bleeding"


def test_a_label_that_names_no_event_qualifies_the_event_of_its_group_row(vocab):
    pacemaker = only(rows_of(CARDIAC_SAFETY, vocab), count=11)
    assert pacemaker.measure == "new pacemaker adverse event"
    assert pacemaker.measure_text == "Adverse events New pacemaker"


def test_a_continuous_row_without_an_instrument_is_a_score_with_no_measure(vocab):
    # changed: a duration was dropped for naming no instrument; a score needs none now
    text = CARDIAC_SAFETY.replace("Adverse events\n", "Procedure duration, minutes 74.2 (± 21.5)\n")
    duration = only(rows_of(text, vocab), kind="score")
    assert (duration.value, duration.sd, duration.measure, duration.unit) == (
        74.2,
        21.5,
        None,
        "minutes",
    )


def test_a_caption_n_is_the_table_sample_size_and_the_denominator_of_its_rows(vocab):
    text, result = read(
        "Table 1 Characteristics of 120 knees (n = 120)\n\n"
        "Characteristics Value\n\n"
        "Kellgren-Lawrence grade 4 84 (70.0%)\n",
        vocab,
    )
    size = only(result.evidence, kind="sample_size")
    assert (size.value, size.measure, size.rule) == (120, "knees", "table.caption_n")
    assert text[size.char_start : size.char_end] == "(n = 120)"
    share = only(result.evidence, kind="proportion")
    assert (share.denominator, share.n, share.n_source) == (120, 120, "population")


def test_prose_starting_with_table_is_not_a_caption(vocab):
    _, result = read(
        "Table 2 shows that the mean KOOS pain score was 41.3 at baseline.\n\n"
        "KOOS pain 41.3 ± 16.2 83.9 ± 12.5\n",
        vocab,
    )
    assert result.evidence == [] and result.consumed == set()


def test_consumed_covers_caption_note_header_and_rows_but_not_the_prose_after(vocab):
    text = KNEE + "\nDiscussion\nThe improvement in KOOS pain of 42.6 points was large.\n"
    sentences = line_sentences(text)
    result = find_table_evidence(text, sentences, vocab)
    consumed = {text[s:e] for s, e in result.consumed}
    assert consumed == {s.text for s in sentences[:5]}
    assert not any("was large" in c for c in consumed)


def test_a_flattened_table_stops_at_a_heading_followed_by_prose(vocab):
    _, result = read(
        "Table 1 Baseline characteristics\n\n"
        "Characteristics Value\n\n"
        "Women 25 (62.5%)\n\n"
        "Secondary outcomes\n"
        "Opioid use fell in 12 patients (30%) and rose in 2 of 40.\n",
        vocab,
    )
    assert [r.quote for r in result.evidence] == ["Women 25 (62.5%)"]


def test_the_procedure_duration_of_a_characteristics_table_gives_no_row(vocab):
    rows = rows_of(
        "Table 2 Operative characteristics\n\n"
        "Characteristic Value\n\n"
        "Mean age, years 67.2 (± 9.1)\n\n"
        "Operative time, min 84.0 (± 21.5)\n\n"
        "Duration of surgery, hours 2.4 (± 0.6)\n\n"
        "Blood loss, mL 310 (± 95)\n\n"
        "Cemented stem 31 (55.4%)\n",
        vocab,
    )
    assert sorted((r.kind, r.value) for r in rows) == [
        ("proportion", 55.4),
        ("score", 67.2),
        ("score", 310),
    ]


def test_operative_time_in_a_table_of_outcomes_is_a_score(vocab):
    rows = rows_of(
        "Table 3 Outcomes by approach\n\n"
        "Values are mean ± SD\n\n"
        "Outcome Robotic (n = 40) Open (n = 41)\n\n"
        "Operative time, min 212 ± 40 168 ± 35\n",
        vocab,
    )
    assert sorted(r.value for r in rows if r.kind == "score") == [168, 212]


def test_p_column_goes_to_follow_up_values_when_there_is_no_change_column(vocab):
    rows = rows_of(
        "Table 2 Pain after shoulder arthroplasty\n\n"
        "Outcome Baseline 6 months 12 months P\n\n"
        "Constant score 38.2 ± 11.0 61.5 ± 12.3 68.0 ± 13.1 <0.001\n",
        vocab,
    )
    assert [(r.timepoint, r.months, r.p_value) for r in rows] == [
        ("baseline", None, None),
        ("follow-up", 6.0, 0.001),
        ("follow-up", 12.0, 0.001),
    ]


def test_between_arm_mean_difference_is_a_difference_with_its_ci_and_no_arm(vocab):
    rows = rows_of(
        "Table 2 Primary outcome\n\n"
        "Outcome Drug (n = 150) Placebo (n = 148) Mean difference (95% CI) P value\n\n"
        "HbA1c, % 7.1 ± 0.9 7.9 ± 1.0 −0.8 (−1.0 to −0.6) <0.001\n",
        vocab,
    )
    diff = only(rows, kind="change")
    assert (diff.value, diff.statistic, diff.ci_low, diff.ci_high) == (
        -0.8,
        "difference",
        -1.0,
        -0.6,
    )
    assert (diff.p_value, diff.group_name) == (0.001, None)
    placebo = only(rows, kind="score", group_name="Placebo")
    assert (placebo.value, placebo.n, placebo.n_source) == (7.9, 148, "column header")


def test_effect_column_gives_hazard_ratios_with_ci_and_no_arm(vocab):
    rows = rows_of(
        "Table 3 Subgroup analysis of overall survival\n\n"
        "Subgroup HR (95% CI) P\n\n"
        "PD-L1 ≥ 50% 0.62 (0.48-0.80) <0.001\n"
        "PD-L1 < 50% 0.91 (0.74-1.12) 0.37\n",
        vocab,
    )
    assert [(r.kind, r.measure, r.value, r.ci_low, r.ci_high, r.group_name) for r in rows] == [
        ("effect", "HR", 0.62, 0.48, 0.80, None),
        ("effect", "HR", 0.91, 0.74, 1.12, None),
    ]
    assert rows[1].p_value == 0.37 and rows[0].measure_text == "PD-L1 ≥ 50%"


def test_a_median_iqr_note_makes_bracketed_pairs_interquartile_ranges_of_medians(vocab):
    rows = rows_of(
        "Table 2 Pain after chemotherapy-induced neuropathy treatment\n\n"
        "Values are median (IQR)\n\n"
        "Outcome Baseline Week 12 Δ\n\n"
        "NRS pain 6 (5-8) 4 (2-5) −2 (−3 to −1)\n",
        vocab,
    )
    week12 = only(rows, kind="score", timepoint="follow-up")
    assert (week12.value, week12.statistic, week12.months) == (4, "median", 2.8)
    assert (week12.range_low, week12.range_high, week12.sd) == (2, 5, None)
    change = only(rows, kind="change")
    assert (change.value, change.range_low, change.range_high) == (-2, -3, -1)


SHOULDER = (
    "Table 2 Shoulder function after arthroscopic rotator cuff repair\n\n"
    "Values are mean ± SD\n\n"
    "Outcome Preoperative 1 year Gain P value\n\n"
    "Constant score 48.2 ± 11.3 79.6 ± 9.8 31.4 ± 12.1 <0.001\n"
)


def test_a_header_synonym_added_to_the_patterns_changes_what_a_table_yields(vocab, patterns_copy):
    before = rows_of(SHOULDER, vocab)
    assert not [r for r in before if r.kind == "change"]  # `Gain` names no column
    with (patterns_copy / "table_headers.tsv").open("a", encoding="utf-8") as handle:
        handle.write("gain\tchange\n")
    rows = rows_of(SHOULDER, Vocabulary.load(patterns_copy))
    change = only(rows, kind="change", measure="Constant score")
    assert (change.value, change.sd, change.statistic, change.p_value) == (
        31.4,
        12.1,
        "change",
        0.001,
    )
    assert only(rows, kind="score", timepoint="baseline").value == 48.2


def test_an_unknown_table_header_role_fails_loudly_with_file_and_line(patterns_copy):
    path = patterns_copy / "table_headers.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append("gain\tchnage")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"table_headers\.tsv:{len(lines)}: role 'chnage'"):
        Vocabulary.load(patterns_copy)


def test_a_duplicate_table_header_word_fails_loudly(patterns_copy):
    with (patterns_copy / "table_headers.tsv").open("a", encoding="utf-8") as handle:
        handle.write("P-value\tp_value\n")
    with pytest.raises(ValueError, match=r"table_headers\.tsv:\d+: 'P-value' is already listed"):
        Vocabulary.load(patterns_copy)


def test_header_words_join_their_parts_by_space_hyphen_or_nothing(vocab):
    time = vocab.table_headers.time
    for header in ("Final follow-up", "final follow up", "Final followup", "Pre-op", "preop"):
        assert time.fullmatch(header), header
    assert not time.search("Pre-treatment values")  # `pre-` of another word is not `Pre`


# -- canonical tables (markdown, aligned, and what JATS and PDF readers write) ---------------

MARKDOWN_ARMS = """Table 2: Outcomes at 6 months

| Outcome | Spinal cord stimulation (n = 30) | Medical management (n = 28) | P |
|---|---|---|---|
| NRS pain | 3.1 ± 1.9 | 6.4 ± 2.0 | <0.001 |
| ODI | 28.5 ± 12.1 | 44.0 ± 13.7 | 0.002 |
| Opioid use | 9 (30.0%) | 17 (60.7%) | 0.02 |
"""


def test_arm_headers_give_one_sample_size_per_arm_quoting_the_header(vocab):
    text, result = read(MARKDOWN_ARMS, vocab)
    sizes = [r for r in result.evidence if r.kind == "sample_size"]
    assert sorted((r.group_name, r.value) for r in sizes) == [
        ("Medical management", 28.0),
        ("Spinal cord stimulation", 30.0),
    ]
    for size in sizes:
        assert text[size.char_start : size.char_end].replace(" ", "") in ("(n=30)", "(n=28)")
        assert size.quote.startswith("| Outcome |") and size.rule == "table.header_n"


def test_arm_columns_give_scores_per_arm_with_the_p_on_both(vocab):
    rows = rows_of(MARKDOWN_ARMS, vocab)
    scs = only(rows, kind="score", measure="NRS pain", group_name="Spinal cord stimulation")
    assert (scs.value, scs.sd, scs.rule, scs.months) == (3.1, 1.9, "table.canonical_row", 6.0)
    mm = only(rows, kind="score", measure="ODI", group_name="Medical management")
    assert (mm.value, mm.sd, mm.p_value, mm.p_relation) == (44.0, 13.7, 0.002, "=")


def test_a_count_with_percent_gets_the_arm_size_as_denominator_when_they_agree(vocab):
    opioid = only(rows_of(MARKDOWN_ARMS, vocab), kind="proportion", group_name="Medical management")
    assert (opioid.count, opioid.percent, opioid.denominator) == (17, 60.7, 28)
    assert (opioid.n, opioid.n_source) == (28, "column header")


def test_caption_time_dates_every_value_of_the_table(vocab):
    row = only(
        rows_of(MARKDOWN_ARMS, vocab), kind="score", measure="ODI", group_name="Medical management"
    )
    assert (row.timepoint, row.months) == ("follow-up", 6.0)


ALIGNED = """Table 4 Left ventricular function, mean (SD)

Outcome             Baseline      12 months     Change (95% CI)
LVEF, %             31.2 (6.5)    38.9 (7.1)    7.7 (5.9 to 9.5)
KCCQ summary        52.0 (18.4)   71.3 (17.0)   19.3 (14.8 to 23.8)
"""


def test_space_aligned_table_reads_columns_by_position(vocab):
    rows = rows_of(ALIGNED, vocab)
    lvef = only(rows, kind="score", measure="LVEF", timepoint="follow-up")
    assert (lvef.value, lvef.sd, lvef.months, lvef.rule) == (38.9, 7.1, 12.0, "table.canonical_row")
    change = only(rows, kind="change", measure="KCCQ")
    assert (change.value, change.ci_low, change.ci_high, change.ci_level) == (
        19.3,
        14.8,
        23.8,
        0.95,
    )
    assert change.statistic == "change"


def test_an_undeclared_bracket_is_not_guessed(vocab):
    # changed: `31.2 (6.5)` was read as mean (SD) with nothing saying so; now it needs a
    # declaration (caption, note, header or label) and is no row without one
    text = ALIGNED.replace(", mean (SD)", "")
    assert [r for r in rows_of(text, vocab) if r.kind == "score"] == []


def test_aligned_table_without_caption_is_found_by_its_number_columns(vocab):
    rows = rows_of(
        "The scores are listed below.\n\n"
        "Scale       Before treatment    After treatment\n"
        "PHQ-9       16.2 ± 4.1          9.8 ± 5.0\n"
        "GAD-7       13.5 ± 3.9          8.1 ± 4.4\n",
        vocab,
    )
    assert sorted((r.measure, r.timepoint, r.value) for r in rows) == [
        ("GAD-7", "baseline", 13.5),
        ("GAD-7", "follow-up", 8.1),
        ("PHQ-9", "baseline", 16.2),
        ("PHQ-9", "follow-up", 9.8),
    ]


def test_a_separate_95_ci_column_qualifies_the_estimate_before_it(vocab):
    row = only(
        rows_of(
            "| Outcome | Mean difference | 95% CI | P |\n"
            "|---|---|---|---|\n"
            "| SF-36 PCS | 4.2 | 1.9 to 6.5 | 0.001 |\n",
            vocab,
        ),
        kind="change",
    )
    assert (row.value, row.ci_low, row.ci_high, row.ci_level) == (4.2, 1.9, 6.5, 0.95)
    assert (row.p_value, row.p_relation, row.statistic) == (0.001, "=", "change")


ARM_PER_ROW = """Table 3 Shoulder outcomes by arm (mean ± SD)

| Outcome | Before surgery | 6 months | 24 months |
|---|---|---|---|
| Constant score, arthroscopic group | 48.2 ± 11.0 | 70.5 ± 9.8 | 78.1 ± 8.7 |
| Constant score, open repair group | 47.6 ± 12.3 | 66.0 ± 10.4 | 75.9 ± 9.1 |
| VAS pain – arm B | 6.1 ± 1.7 | 2.9 ± 1.5 | 2.2 ± 1.4 |
"""


def test_row_label_naming_an_arm_after_the_instrument_gives_the_group(vocab):
    rows = rows_of(ARM_PER_ROW, vocab)
    open_24 = only(rows, kind="score", value=75.9)
    assert (open_24.group_name, open_24.timepoint, open_24.months, open_24.measure) == (
        "open repair",
        "follow-up",
        24.0,
        "Constant score",
    )
    assert only(rows, kind="score", value=48.2).group_name == "arthroscopic"
    assert only(rows, kind="score", value=2.2).group_name == "B"


VISIT_ROWS = """Table 2. MADRS total score by visit, mean (SD)

Visit        Vortioxetine (n = 150)    Placebo (n = 148)
Baseline     31.9 (4.2)                32.2 (4.4)
Week 2       25.0 (6.8)                27.1 (6.5)
Week 8       16.4 (9.1)                20.3 (9.4)
"""


def test_rows_that_are_visits_take_the_instrument_the_caption_names(vocab):
    rows = rows_of(VISIT_ROWS, vocab)
    week8 = only(rows, kind="score", value=20.3)
    assert (week8.measure, week8.group_name, week8.timepoint, week8.months, week8.sd) == (
        "MADRS",
        "Placebo",
        "follow-up",
        1.8,
        9.4,
    )
    assert only(rows, kind="score", value=31.9).timepoint == "baseline"


def test_visit_rows_under_a_caption_naming_no_instrument_keep_the_caption_as_outcome(vocab):
    # changed: these gave no rows; a score no longer needs a vocabulary instrument
    text = VISIT_ROWS.replace("MADRS total score by visit", "Depressive symptoms by visit")
    row = only(rows_of(text, vocab), kind="score", value=20.3)
    assert (row.measure, row.measure_text) == (None, "Depressive symptoms by visit, mean (SD)")


VISIT_ROWS_MARKDOWN = """Table 3. Neck Disability Index

| Timepoint | Arthroplasty (n = 60) | Fusion (n = 58) | P value |
|---|---|---|---|
| Preoperative | 44.2 ± 15.0 | 45.1 ± 14.2 | 0.74 |
| 6 weeks | 30.2 ± 16.1 | 33.9 ± 15.7 | 0.21 |
| 24 months | 21.0 ± 14.4 | 25.6 ± 15.0 | 0.09 |
"""


def test_a_p_column_in_a_row_per_visit_compares_the_arms_at_baseline_too(vocab):
    rows = rows_of(VISIT_ROWS_MARKDOWN, vocab)
    six_weeks = only(rows, kind="score", value=33.9)
    assert (six_weeks.measure, six_weeks.group_name, six_weeks.months) == ("NDI", "Fusion", 1.4)
    baseline = only(rows, kind="score", value=44.2)
    assert (baseline.timepoint, baseline.p_value) == ("baseline", 0.74)


ARMS_UNDER_INSTRUMENT = """Table 2. Glycaemic outcomes (mean ± SD)

| Outcome | Baseline | 12 weeks | 52 weeks |
|---|---|---|---|
| HbA1c, % | | | |
| Tirzepatide | 8.3 ± 0.9 | 6.9 ± 0.8 | 6.8 ± 0.9 |
| Placebo | 8.2 ± 0.9 | 8.0 ± 1.0 | 8.1 ± 1.1 |
"""


def test_rows_naming_arms_under_an_instrument_group_row_are_that_instrument_per_arm(vocab):
    rows = rows_of(ARMS_UNDER_INSTRUMENT, vocab)
    late = only(rows, kind="score", value=8.1)
    assert (late.measure, late.group_name, late.months, late.sd) == ("HbA1c", "Placebo", 12.0, 1.1)
    assert only(rows, kind="score", value=8.3).group_name == "Tirzepatide"


# -- sub-columns, group sizes, arms in rows, two arms in one cell ------------------------------

SUB_COLUMNS = """Table 2. Lung function at 24 weeks

| | Inhaler A (n = 84) | Inhaler A (n = 84) | Inhaler B (n = 80) | Inhaler B (n = 80) |
| | Mean | SD | Mean | SD |
|---|---|---|---|---|
| FEV1, L | 2.31 | 0.52 | 2.18 | 0.49 |
| Exacerbations | 12 | 14.3% | 21 | 26.3% |
"""


def test_mean_and_sd_sub_columns_under_one_arm_make_one_row_with_both_numbers(vocab):
    rows = rows_of(SUB_COLUMNS, vocab)
    fev = only(rows, kind="score", group_name="Inhaler B")
    assert (fev.value, fev.sd, fev.statistic, fev.unit, fev.months) == (
        2.18,
        0.49,
        "mean",
        "L",
        5.5,
    )
    assert fev.table_column == "Inhaler B (n = 80) › Mean"
    assert len([r for r in rows if r.kind == "score"]) == 2


def test_a_count_and_a_percent_in_sub_columns_make_one_share(vocab):
    share = only(rows_of(SUB_COLUMNS, vocab), kind="proportion", group_name="Inhaler A")
    assert (share.count, share.percent, share.denominator, share.value) == (12, 14.3, 84, 14.3)


def test_a_spanning_arm_header_gives_its_size_once(vocab):
    sizes = [r for r in rows_of(SUB_COLUMNS, vocab) if r.kind == "sample_size"]
    assert sorted((r.group_name, r.value) for r in sizes) == [("Inhaler A", 84), ("Inhaler B", 80)]


N_ROW = """Table 1. Baseline characteristics

| Characteristic | Total | Telemonitoring | Usual care |
|---|---|---|---|
| Participants | 212 | 106 | 106 |
| Age, years, mean (SD) | 71.4 (8.2) | 70.9 (8.0) | 71.9 (8.4) |
| Women, n (%) | 88 (41.5) | 45 (42.5) | 43 (40.6) |
"""


def test_an_n_row_gives_each_column_its_size(vocab):
    rows = rows_of(N_ROW, vocab)
    sizes = [r for r in rows if r.kind == "sample_size"]
    assert sorted((r.group_name or "", r.value, r.rule) for r in sizes) == [
        ("", 212, "table.n_row"),
        ("Telemonitoring", 106, "table.n_row"),
        ("Usual care", 106, "table.n_row"),
    ]
    age = only(rows, kind="score", group_name="Usual care")
    assert (age.value, age.sd, age.n, age.n_source, age.timepoint) == (
        71.9,
        8.4,
        106,
        "n row",
        "baseline",
    )


def test_a_total_column_gives_the_whole_population_no_arm(vocab):
    women = only(rows_of(N_ROW, vocab), kind="proportion", count=88)
    assert (women.group_name, women.percent, women.denominator) == (None, 41.5, 212)


ARM_ROWS = """Table 3. Response at week 8 by treatment group

| Group | n | Responders | % | OR (95% CI) |
|---|---|---|---|---|
| Escitalopram (n = 110) | 108 | 61/108 | 56.5 | 1.92 (1.12 to 3.30) |
| Placebo (n = 112) | 109 | 44/109 | 40.4 | Ref. |
"""


def test_a_table_of_arms_as_rows_takes_the_outcome_from_its_columns(vocab):
    rows = rows_of(ARM_ROWS, vocab)
    share = only(rows, kind="proportion", group_name="Escitalopram")
    assert (share.count, share.denominator, share.percent, share.measure_text) == (
        61,
        108,
        56.5,
        "Responders",
    )
    assert (share.timepoint, share.months) == ("follow-up", 1.8)


def test_a_row_header_size_and_an_n_column_are_sample_sizes_of_the_row_arm(vocab):
    sizes = [r for r in rows_of(ARM_ROWS, vocab) if r.kind == "sample_size"]
    assert sorted((r.group_name, r.value, r.rule) for r in sizes) == [
        ("Escitalopram", 108, "table.n_column"),
        ("Escitalopram", 110, "table.row_header_n"),
        ("Placebo", 109, "table.n_column"),
        ("Placebo", 112, "table.row_header_n"),
    ]


def test_an_effect_in_a_row_per_arm_belongs_to_that_arm_and_a_reference_is_no_value(vocab):
    effects = [r for r in rows_of(ARM_ROWS, vocab) if r.kind == "effect"]
    assert [(e.measure, e.value, e.ci_low, e.ci_high, e.group_name) for e in effects] == [
        ("OR", 1.92, 1.12, 3.30, "Escitalopram")
    ]


TWO_ARMS_PER_CELL = """Table 2. Physical activity scores, intervention (control)

| Outcome | Mean ± SD at baseline; Exercise (Waitlist) | Mean ± SD, week 12; Exercise (Waitlist) |
|---|---|---|
| Step count, thousands | 5.1 ± 1.8 (5.3 ± 2.0) | 7.4 ± 2.1 (5.2 ± 1.9) |
"""


def test_a_cell_of_two_statistics_under_a_two_arm_header_gives_one_row_per_arm(vocab):
    rows = rows_of(TWO_ARMS_PER_CELL, vocab)
    assert sorted((r.group_name, r.timepoint, r.value, r.sd) for r in rows) == [
        ("Exercise", "baseline", 5.1, 1.8),
        ("Exercise", "follow-up", 7.4, 2.1),
        ("Waitlist", "baseline", 5.3, 2.0),
        ("Waitlist", "follow-up", 5.2, 1.9),
    ]


P_PER_GROUP = """Table 2. Outcomes by centre

| | Centre A | Centre A | Centre A | Centre B | Centre B | Centre B |
| | Before | After | P | Before | After | P |
|---|---|---|---|---|---|---|
| SpO2, %, mean (SD) | 91.2 (2.1) | 94.0 (1.8) | 0.004 | 90.8 (2.4) | 92.1 (2.0) | 0.31 |
"""


def test_each_p_column_qualifies_the_values_of_its_own_header_group(vocab):
    rows = rows_of(P_PER_GROUP, vocab)
    a_after = only(rows, kind="score", value=94.0)
    b_after = only(rows, kind="score", value=92.1)
    assert (a_after.group_name, a_after.p_value) == ("Centre A", 0.004)
    assert (b_after.group_name, b_after.p_value) == ("Centre B", 0.31)
    assert only(rows, kind="score", value=91.2).p_value is None


ADVERSE_EVENT_TABLE = """Table 4. Adverse events reported by at least 5% of patients, n (%)

| Event | Apixaban (n = 140) | Warfarin (n = 138) |
|---|---|---|
| Any adverse event | 58 (41.4) | 67 (48.6) |
| Nausea | 9 (6.4) | 7 (5.1) |
| Fatigue | 8 (5.7) | 10 (7.2) |
"""


def test_counts_in_a_table_about_adverse_events_are_complications(vocab):
    rows = [r for r in rows_of(ADVERSE_EVENT_TABLE, vocab) if r.kind != "sample_size"]
    assert {r.kind for r in rows} == {"complication"}
    nausea = only(rows, measure="nausea", group_name="Warfarin")
    assert (nausea.value, nausea.count, nausea.percent, nausea.denominator) == (7, 7, 5.1, 138)


def test_a_bare_number_under_a_percent_caption_is_a_percent(vocab):
    rows = rows_of(
        "Table 5. Thirty-day event rates (%)\n\n"
        "| Event | Ticagrelor | Clopidogrel |\n"
        "|---|---|---|\n"
        "| Stent thrombosis | 1.3 | 1.9 |\n",
        vocab,
    )
    row = only(rows, group_name="Clopidogrel")
    assert (row.value, row.percent, row.statistic, row.count) == (1.9, 1.9, "percent", None)


def test_a_block_whose_columns_were_inferred_with_doubt_flags_every_row(vocab):
    rows = rows_of(
        "| Outcome | Arm A | Arm B |\n"
        "|===|===|===|\n"
        "| 6MWD, m, mean (SD) | 312 (84) | 298 (90) |\n",
        vocab,
    )
    assert rows and all(r.flags == ["table_columns_uncertain"] for r in rows)


SUBHEADER_IN_BODY = """Table 6. Blood loss by arm

| | Tranexamic acid (n = 60) | Tranexamic acid (n = 60) | Saline (n = 58) | Saline (n = 58) |
|---|---|---|---|---|
| | Mean | SD | Mean | SD |
| Blood loss, mL | 412 | 160 | 598 | 210 |
"""


def test_a_row_of_sub_headers_a_reader_left_in_the_body_is_read_as_a_header_row(vocab):
    rows = rows_of(SUBHEADER_IN_BODY, vocab)
    saline = only(rows, kind="score", group_name="Saline")
    assert (saline.value, saline.sd, saline.unit, saline.n) == (598, 210, "mL", 58)
    assert saline.table_column == "Saline (n = 58) › Mean"


REGISTRY = """Table 1. Stage at diagnosis by tumour site (n = 7 412)

| | Cervix | Cervix | Vulva |
| | n = 5 110 | n = 5 110 | n = 2 302 |
|---|---|---|---|
| Stage I | 2 044 40% | | 921 40% |
"""


def test_a_count_and_its_percent_side_by_side_in_one_cell_make_one_share(vocab):
    row = only(rows_of(REGISTRY, vocab), kind="proportion", group_name="Vulva")
    assert (row.count, row.percent, row.denominator, row.n) == (921, 40, 2302, 2302)


def test_a_group_size_written_with_thin_space_thousands_is_one_number(vocab):
    sizes = {r.group_name: r.value for r in rows_of(REGISTRY, vocab) if r.kind == "sample_size"}
    assert sizes == {None: 7412, "Cervix": 5110, "Vulva": 2302}


SEROPREVALENCE = """Table 2. Hepatitis E seroprevalence by province

| Province | Blood donors | Blood donors | Blood donors |
| | n | Seroprevalence (%) | 95% C.I. |
|---|---|---|---|
| North | 210 | 12.4 | 8.6, 17.5 |
"""


def test_an_n_column_is_the_denominator_of_a_named_share_beside_it_with_its_ci(vocab):
    rows = rows_of(SEROPREVALENCE, vocab)
    share = only(rows, kind="proportion")
    assert (share.percent, share.denominator, share.ci_low, share.ci_high) == (12.4, 210, 8.6, 17.5)
    assert (share.group_name, share.count) == ("Blood donors", None)
    assert only(rows, kind="sample_size").value == 210


def test_a_header_with_a_unit_names_what_is_measured_not_an_arm(vocab):
    rows = rows_of(
        "| Strain | n | Lysis time (min) | SD (min) |\n"
        "|---|---|---|---|\n"
        "| Wild type | 230 | 65.1 | 3.2 |\n",
        vocab,
    )
    time = only(rows, kind="score")
    assert (time.value, time.sd, time.group_name, time.n) == (65.1, 3.2, None, 230)
    assert time.measure_text == "Lysis time, Wild type"


ODDS = """Table 3. Risk of preterm birth

| Variable | Adjusted OR (95% CI) |
|---|---|
| Parity | |
| 0 | 1.00 (reference) |
| 1 | 0.82 (0.70–0.96) |
| P-trend | <0.01 |
"""


def test_a_reference_category_and_a_p_trend_row_give_no_effect(vocab):
    effects = [r for r in rows_of(ODDS, vocab) if r.kind == "effect"]
    assert [(e.value, e.ci_low, e.ci_high, e.measure_text) for e in effects] == [
        (0.82, 0.70, 0.96, "Parity 1")
    ]


def test_a_row_label_naming_a_change_makes_its_values_changes_and_the_p_the_differences(vocab):
    rows = rows_of(
        "Table 2. Efficacy at week 16\n\n"
        "| Outcome | Drug (n = 100) | Placebo (n = 98) | Difference (95% CI) | P |\n"
        "|---|---|---|---|---|\n"
        "| Itch NRS, mean change from baseline (SD) | −3.9 (2.1) | −1.2 (1.8) "
        "| −2.7 (−3.3 to −2.1) | <0.001 |\n",
        vocab,
    )
    drug = only(rows, kind="change", group_name="Drug")
    assert (drug.value, drug.sd, drug.statistic, drug.p_value, drug.months) == (
        -3.9,
        2.1,
        "change",
        None,
        3.7,
    )
    difference = only(rows, kind="change", statistic="difference")
    assert (difference.value, difference.group_name, difference.p_value) == (-2.7, None, 0.001)

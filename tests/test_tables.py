"""Specifications of the table matcher: flattened PDF tables, markdown and aligned tables.

Every table here is written for the test (cardiology, oncology, orthopaedics, pain) rather
than copied from the seed corpus, so passing them shows the layouts are read by their
structure, not by one paper's words. Sentences are given as one per non-blank line, which
is how the sentence splitter hands table lines over.
"""

from __future__ import annotations

import pytest

from extractor.matchers.tables import TableResult, find_table_evidence
from extractor.types import Evidence, Sentence
from extractor.vocab import Vocabulary


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.load()


def line_sentences(text: str) -> list[Sentence]:
    """One sentence per non-blank line (stripped), as the splitter gives table lines."""
    sentences, start = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            begin = start + raw.index(stripped)
            sentences.append(Sentence(begin, begin + len(stripped), stripped))
        start += len(raw) + 1
    return sentences


def run(text: str, vocab: Vocabulary) -> TableResult:
    return find_table_evidence(text, line_sentences(text), vocab)


def only(rows: list[Evidence], **attrs: object) -> Evidence:
    """The single row whose attributes equal `attrs`."""
    found = [r for r in rows if all(getattr(r, k) == v for k, v in attrs.items())]
    assert len(found) == 1, f"expected one row with {attrs}, got {found}"
    return found[0]


KNEE = """Table 2 Patient-reported outcomes after total knee arthroplasty

Values are mean ± SD; p values are from paired t tests

Outcome Preoperative 2 years postoperative Mean difference P value

KOOS pain 41.3 ± 16.2 83.9 ± 12.5 42.6 ± 18.0 <0.001

Oxford Knee Score 19.8 ± 7.4 39.2 ± 6.9 19.4 ± 8.8 <0.001
"""


def test_flattened_pre_post_table_gives_scores_at_each_timepoint_with_sd(vocab):
    rows = run(KNEE, vocab).evidence
    baseline = only(rows, kind="score", measure="KOOS pain", timepoint="baseline")
    assert (baseline.value, baseline.sd, baseline.statistic) == (41.3, 16.2, "mean")
    assert baseline.months is None and baseline.p_value is None
    follow = only(rows, kind="score", measure="KOOS pain", timepoint="follow-up")
    assert (follow.value, follow.sd, follow.months) == (83.9, 12.5, 24.0)
    assert KNEE[follow.char_start : follow.char_end] == "83.9 ± 12.5"


def test_mean_difference_of_pre_and_post_is_a_within_group_change_carrying_the_p(vocab):
    rows = run(KNEE, vocab).evidence
    change = only(rows, kind="change", measure="Oxford Knee Score")
    assert (change.value, change.sd, change.statistic) == (19.4, 8.8, "change")
    assert (change.p_value, change.p_relation) == (0.001, "<")
    assert all(r.p_value is None for r in rows if r.kind == "score")


def test_table_row_is_the_quote_and_the_cell_is_the_mention(vocab):
    rows = run(KNEE, vocab).evidence
    for row in rows:
        assert KNEE[row.quote_start : row.quote_end] == row.quote
        assert row.quote_start <= row.char_start < row.char_end <= row.quote_end
        assert row.rule == "table.flattened_row"
        assert not row.section
    assert {r.quote for r in rows} == {
        "KOOS pain 41.3 ± 16.2 83.9 ± 12.5 42.6 ± 18.0 <0.001",
        "Oxford Knee Score 19.8 ± 7.4 39.2 ± 6.9 19.4 ± 8.8 <0.001",
    }


ONCOLOGY_BASELINE = """Table 1. Characteristics of the patients at enrolment

Data are median (range) or n (%)

Characteristic Value

Age, years 63 (38-81)
Body-mass index, kg/m2 26.4 (19.0-38.2)
Male sex 41 (57.7%)
Previous stroke 3 (4.2%)
ECOG performance status
  0 30 (42.3%)
  1 41 (57.7%)
Tumour stage
  III 19 (26.8%)
  IV 52 (73.2%)
"""


def test_count_percent_rows_are_proportions_named_with_their_parent_label(vocab):
    rows = run(ONCOLOGY_BASELINE, vocab).evidence
    stage = only(rows, measure_text="Tumour stage IV")
    assert stage.kind == "proportion"
    assert (stage.value, stage.count, stage.percent) == (73.2, 52, 73.2)
    ecog = only(rows, measure_text="ECOG performance status 1")
    assert (ecog.kind, ecog.count) == ("proportion", 41)
    assert only(rows, measure_text="Male sex").percent == 57.7


def test_age_and_bmi_rows_give_no_evidence(vocab):
    rows = run(ONCOLOGY_BASELINE, vocab).evidence
    assert not [r for r in rows if r.quote.startswith(("Age", "Body-mass"))]
    assert len(rows) == 6


def test_an_event_in_the_history_of_a_baseline_table_is_a_proportion_not_a_complication(vocab):
    rows = run(ONCOLOGY_BASELINE, vocab).evidence
    stroke = only(rows, measure_text="Previous stroke")
    assert (stroke.kind, stroke.count, stroke.measure) == ("proportion", 3, None)


CARDIAC_SAFETY = """Table 3 In-hospital events after transcatheter valve implantation

Data are n (%)

Characteristics Value

Procedure duration, minutes 74.2 (± 21.5)
Contrast volume, mL 118 (± 40)
Adverse events
  Stroke 2 (1.7%)
  Major vascular access bleeding 6 (5.0%)
  New pacemaker 11 (9.2%)
Fluoroscopy time, minutes 9.6 (± 4.0)
"""


def test_rows_under_an_adverse_events_heading_are_complications(vocab):
    rows = run(CARDIAC_SAFETY, vocab).evidence
    assert {r.kind for r in rows} == {"complication"}
    stroke = only(rows, measure="stroke")
    assert (stroke.value, stroke.count, stroke.percent, stroke.statistic) == (2, 2, 1.7, "count")
    bleeding = only(rows, count=6)
    assert bleeding.measure == "bleeding"
    pacemaker = only(rows, count=11)
    assert pacemaker.measure_text == "Adverse events New pacemaker"


def test_a_label_that_is_no_event_qualifies_the_event_of_its_heading(vocab):
    rows = run(CARDIAC_SAFETY, vocab).evidence
    assert only(rows, count=11).measure == "new pacemaker adverse event"


def test_duration_and_volume_rows_are_not_evidence(vocab):
    rows = run(CARDIAC_SAFETY, vocab).evidence
    assert len(rows) == 3
    assert not [r for r in rows if "minutes" in r.quote or "mL" in r.quote]


MARKDOWN_ARMS = """Table 2: Outcomes at 6 months

| Outcome | Spinal cord stimulation (n = 30) | Medical management (n = 28) | P |
|---|---|---|---|
| NRS pain | 3.1 ± 1.9 | 6.4 ± 2.0 | <0.001 |
| ODI | 28.5 ± 12.1 | 44.0 ± 13.7 | 0.002 |
| Opioid use | 9 (30.0%) | 17 (60.7%) | 0.02 |
"""


def test_markdown_arm_headers_give_a_sample_size_per_arm(vocab):
    rows = run(MARKDOWN_ARMS, vocab).evidence
    sizes = [r for r in rows if r.kind == "sample_size"]
    assert sorted((r.group_name, r.value) for r in sizes) == [
        ("Medical management", 28.0),
        ("Spinal cord stimulation", 30.0),
    ]
    for size in sizes:
        assert MARKDOWN_ARMS[size.char_start : size.char_end].replace(" ", "") in (
            "(n=30)",
            "(n=28)",
        )
        assert size.quote.startswith("| Outcome |")


def test_markdown_rows_give_scores_per_arm_with_the_p_on_both(vocab):
    rows = run(MARKDOWN_ARMS, vocab).evidence
    scs = only(rows, kind="score", measure="NRS pain", group_name="Spinal cord stimulation")
    assert (scs.value, scs.sd, scs.rule) == (3.1, 1.9, "table.markdown_row")
    mm = only(rows, kind="score", measure="ODI", group_name="Medical management")
    assert (mm.value, mm.sd, mm.p_value, mm.p_relation) == (44.0, 13.7, 0.002, "=")
    opioid = only(rows, kind="proportion", group_name="Medical management")
    assert (opioid.count, opioid.percent, opioid.denominator) == (17, 60.7, 28)


ALIGNED = """Table 4 Left ventricular function

Outcome             Baseline      12 months     Change (95% CI)
LVEF, %             31.2 (6.5)    38.9 (7.1)    7.7 (5.9 to 9.5)
KCCQ summary        52.0 (18.4)   71.3 (17.0)   19.3 (14.8 to 23.8)
"""


def test_space_aligned_table_reads_columns_by_position(vocab):
    rows = run(ALIGNED, vocab).evidence
    lvef = only(rows, kind="score", measure="LVEF", timepoint="follow-up")
    assert (lvef.value, lvef.sd, lvef.months, lvef.rule) == (38.9, 7.1, 12.0, "table.aligned_row")
    change = only(rows, kind="change", measure="KCCQ")
    assert (change.value, change.ci_low, change.ci_high, change.ci_level) == (
        19.3,
        14.8,
        23.8,
        0.95,
    )
    assert change.statistic == "change"


def test_aligned_table_without_caption_is_found_by_its_number_columns(vocab):
    text = (
        "The scores are listed below.\n\n"
        "Scale       Before treatment    After treatment\n"
        "PHQ-9       16.2 ± 4.1          9.8 ± 5.0\n"
        "GAD-7       13.5 ± 3.9          8.1 ± 4.4\n"
    )
    rows = run(text, vocab).evidence
    assert sorted((r.measure, r.timepoint, r.value) for r in rows) == [
        ("GAD-7", "baseline", 13.5),
        ("GAD-7", "follow-up", 8.1),
        ("PHQ-9", "baseline", 16.2),
        ("PHQ-9", "follow-up", 9.8),
    ]


def test_between_arm_mean_difference_is_a_difference_with_its_ci(vocab):
    text = (
        "Table 2 Primary outcome\n\n"
        "Outcome Drug (n = 150) Placebo (n = 148) Mean difference (95% CI) P value\n\n"
        "HbA1c, % 7.1 ± 0.9 7.9 ± 1.0 −0.8 (−1.0 to −0.6) <0.001\n"
    )
    rows = run(text, vocab).evidence
    diff = only(rows, kind="change")
    assert (diff.value, diff.statistic, diff.ci_low, diff.ci_high) == (
        -0.8,
        "difference",
        -1.0,
        -0.6,
    )
    assert (diff.p_value, diff.group_name) == (0.001, None)
    assert only(rows, kind="score", group_name="Placebo").value == 7.9


def test_effect_column_gives_hazard_ratios_with_ci(vocab):
    text = (
        "Table 3 Subgroup analysis of overall survival\n\n"
        "Subgroup HR (95% CI) P\n\n"
        "PD-L1 ≥ 50% 0.62 (0.48-0.80) <0.001\n"
        "PD-L1 < 50% 0.91 (0.74-1.12) 0.37\n"
    )
    rows = run(text, vocab).evidence
    assert [(r.kind, r.measure, r.value, r.ci_low, r.ci_high) for r in rows] == [
        ("effect", "HR", 0.62, 0.48, 0.80),
        ("effect", "HR", 0.91, 0.74, 1.12),
    ]
    assert rows[1].p_value == 0.37 and rows[0].measure_text == "PD-L1 ≥ 50%"


def test_prose_starting_with_table_is_not_a_caption(vocab):
    text = (
        "Table 2 shows that the mean KOOS pain score was 41.3 at baseline.\n\n"
        "KOOS pain 41.3 ± 16.2 83.9 ± 12.5\n"
    )
    result = run(text, vocab)
    assert result.evidence == []
    assert result.consumed == set()


def test_consumed_covers_caption_note_header_and_rows_but_not_the_prose_after(vocab):
    text = KNEE + "\nDiscussion\nThe improvement in KOOS pain of 42.6 points was large.\n"
    sentences = line_sentences(text)
    result = find_table_evidence(text, sentences, vocab)
    consumed = {text[s:e] for s, e in result.consumed}
    assert consumed == {s.text for s in sentences[:5]}
    assert "Discussion" not in consumed
    assert not any("was large" in c for c in consumed)


def test_table_stops_at_a_heading_followed_by_prose(vocab):
    text = (
        "Table 1 Baseline characteristics\n\n"
        "Characteristics Value\n\n"
        "Women 25 (62.5%)\n\n"
        " Secondary outcomes\n"
        "Opioid use fell in 12 patients (30%) and rose in 2 of 40\n"
    )
    result = run(text, vocab)
    assert [r.quote for r in result.evidence] == ["Women 25 (62.5%)"]
    assert not any("Secondary" in text[s:e] for s, e in result.consumed)


def test_p_column_goes_to_follow_up_values_when_there_is_no_change_column(vocab):
    text = (
        "Table 2 Pain after shoulder arthroplasty\n\n"
        "Outcome Baseline 6 months 12 months P\n\n"
        "Constant score 38.2 ± 11.0 61.5 ± 12.3 68.0 ± 13.1 <0.001\n"
    )
    rows = run(text, vocab).evidence
    assert [(r.timepoint, r.months, r.p_value) for r in rows] == [
        ("baseline", None, None),
        ("follow-up", 6.0, 0.001),
        ("follow-up", 12.0, 0.001),
    ]


def test_odd_rows_are_skipped_without_crashing(vocab):
    text = (
        "Table 5 Outcomes\n\n"
        "Outcome Baseline 6 months P\n\n"
        "ODI 44.1 ± 9.0 NR\n"
        "NRS pain — 3.2 ± 2.0 0.01\n"
        "ODI ± ± 12 (\n"
        "SF-36 PCS 31.0 ± 7.2 40.5 ± 8.1 0.002 99 98 97\n"
    )
    rows = run(text, vocab).evidence
    assert only(rows, measure="ODI").value == 44.1
    nrs = only(rows, measure="NRS pain")
    assert (nrs.timepoint, nrs.value, nrs.p_value) == ("follow-up", 3.2, 0.01)


def test_without_indentation_a_parent_ends_when_its_levels_reach_100_percent(vocab):
    text = (
        "Table 1 Demographics of 48 patients undergoing hip arthroscopy\n\n"
        "Characteristics Value\n\n"
        "Tönnis grade\n\n"
        "0 30 (62.5%)\n\n"
        "1 18 (37.5%)\n\n"
        "Workers' compensation claim 7 (14.6%)\n"
    )
    rows = run(text, vocab).evidence
    assert [r.measure_text for r in rows] == [
        "Tönnis grade 0",
        "Tönnis grade 1",
        "Workers' compensation claim",
    ]


def test_a_caption_n_is_the_table_sample_size_and_the_denominator_of_its_rows(vocab):
    text = (
        "Table 1 Characteristics of 120 knees (n = 120)\n\n"
        "Characteristics Value\n\n"
        "Kellgren-Lawrence grade 4 84 (70.0%)\n"
    )
    rows = run(text, vocab).evidence
    size = only(rows, kind="sample_size")
    assert (size.value, size.measure, size.rule) == (120, "knees", "table.caption_n")
    assert text[size.char_start : size.char_end] == "(n = 120)"
    assert only(rows, kind="proportion").denominator == 120


def test_a_separate_95_ci_column_qualifies_the_estimate_before_it(vocab):
    text = (
        "| Outcome | Mean difference | 95% CI | P |\n"
        "|---|---|---|---|\n"
        "| SF-36 PCS | 4.2 | 1.9 to 6.5 | 0.001 |\n"
    )
    row = only(run(text, vocab).evidence, kind="change")
    assert (row.value, row.ci_low, row.ci_high, row.ci_level) == (4.2, 1.9, 6.5, 0.95)
    assert (row.p_value, row.p_relation, row.statistic) == (0.001, "=", "change")


def test_a_median_iqr_note_makes_bracketed_pairs_ranges_of_medians(vocab):
    text = (
        "Table 2 Pain after chemotherapy-induced neuropathy treatment\n\n"
        "Values are median (IQR)\n\n"
        "Outcome Baseline Week 12 Δ\n\n"
        "NRS pain 6 (5-8) 4 (2-5) −2 (−3 to −1)\n"
    )
    rows = run(text, vocab).evidence
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
    assert run(SHOULDER, vocab).evidence == []  # `Gain` names no column: rows do not fit
    with (patterns_copy / "table_headers.tsv").open("a", encoding="utf-8") as handle:
        handle.write("gain\tchange\n")
    rows = run(SHOULDER, Vocabulary.load(patterns_copy)).evidence
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


ARM_PER_ROW = """Table 3 Shoulder outcomes by arm (mean ± SD)

| Outcome | Before surgery | 6 months | 24 months |
|---|---|---|---|
| Constant score, arthroscopic group | 48.2 ± 11.0 | 70.5 ± 9.8 | 78.1 ± 8.7 |
| Constant score, open repair group | 47.6 ± 12.3 | 66.0 ± 10.4 | 75.9 ± 9.1 |
| VAS pain – arm B | 6.1 ± 1.7 | 2.9 ± 1.5 | 2.2 ± 1.4 |
"""


def test_row_label_naming_an_arm_after_the_instrument_gives_the_group(vocab):
    rows = run(ARM_PER_ROW, vocab).evidence
    open_24 = only(rows, kind="score", value=75.9)
    assert (open_24.group_name, open_24.timepoint, open_24.months) == (
        "open repair",
        "follow-up",
        24.0,
    )
    assert only(rows, kind="score", value=48.2).group_name == "arthroscopic"
    assert only(rows, kind="score", value=2.2).group_name == "B"


VISIT_ROWS = """Table 2. MADRS total score by visit, mean (SD)

Visit        Vortioxetine (n = 150)    Placebo (n = 148)
Baseline     31.9 (4.2)                32.2 (4.4)
Week 2       25.0 (6.8)                27.1 (6.5)
Week 8       16.4 (9.1)                20.3 (9.4)
"""

VISIT_ROWS_MARKDOWN = """Table 3. Neck Disability Index

| Timepoint | Arthroplasty (n = 60) | Fusion (n = 58) | P value |
|---|---|---|---|
| Preoperative | 44.2 ± 15.0 | 45.1 ± 14.2 | 0.74 |
| 6 weeks | 30.2 ± 16.1 | 33.9 ± 15.7 | 0.21 |
| 24 months | 21.0 ± 14.4 | 25.6 ± 15.0 | 0.09 |
"""


def test_rows_that_are_visits_take_the_instrument_the_caption_names(vocab):
    rows = run(VISIT_ROWS, vocab).evidence
    week8 = only(rows, kind="score", value=20.3)
    assert (week8.measure, week8.group_name, week8.timepoint, week8.months, week8.sd) == (
        "MADRS",
        "Placebo",
        "follow-up",
        1.8,
        9.4,
    )
    assert only(rows, kind="score", value=31.9).timepoint == "baseline"
    md = run(VISIT_ROWS_MARKDOWN, vocab).evidence
    six_weeks = only(md, kind="score", value=33.9)
    assert (six_weeks.measure, six_weeks.group_name, six_weeks.months) == ("NDI", "Fusion", 1.4)
    baseline = only(md, kind="score", value=44.2)
    assert (baseline.timepoint, baseline.p_value) == ("baseline", 0.74)  # arms compared


def test_visit_rows_under_a_caption_naming_no_instrument_give_no_scores(vocab):
    text = VISIT_ROWS.replace("MADRS total score", "Outcome")
    assert [r for r in run(text, vocab).evidence if r.kind == "score"] == []


ARMS_UNDER_INSTRUMENT = """Table 2. Glycaemic outcomes (mean ± SD)

| Outcome | Baseline | 12 weeks | 52 weeks |
|---|---|---|---|
| HbA1c, % | | | |
| Tirzepatide | 8.3 ± 0.9 | 6.9 ± 0.8 | 6.8 ± 0.9 |
| Placebo | 8.2 ± 0.9 | 8.0 ± 1.0 | 8.1 ± 1.1 |
"""


def test_rows_naming_arms_under_an_instrument_parent_row_are_that_instrument_per_arm(vocab):
    rows = run(ARMS_UNDER_INSTRUMENT, vocab).evidence
    late = only(rows, kind="score", value=8.1)
    assert (late.measure, late.group_name, late.months, late.sd) == ("HbA1c", "Placebo", 12.0, 1.1)
    assert only(rows, kind="score", value=8.3).group_name == "Tirzepatide"

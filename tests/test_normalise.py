"""Specifications of normalisation: the text that every evidence offset points into."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractor.ingest.text import read_text
from extractor.text.normalise import load_hyphen_rules, normalise
from extractor.types import RawText

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.txt"))


def norm(text: str) -> str:
    return normalise(RawText(pages=[text], source_type="text")).text


def page_ending(last_line: str) -> str:
    return f"{WRAP}\n{last_line}"


def norm_pages(*pages: str) -> tuple[str, tuple[int, ...]]:
    result = normalise(RawText(pages=list(pages), source_type="pdf", paginated=True))
    return result.text, result.page_starts


# A hard-wrapped paragraph needs lines of a typical width around the line under test, so
# that the normaliser can tell wrapped prose from short structural lines.
WRAP = "This prospective cohort enrolled consecutive adults in two centres from"
TAIL = "and all of them were followed up for two years after the index operation."


def wrapped(*lines: str) -> str:
    return "\n".join([WRAP, *lines, TAIL])


# --- characters ---------------------------------------------------------------------


def test_ligature_mended() -> None:
    assert norm("signi\ufb01cant e\ufb00ect, \ufb02uoroscopy, o\ufb03ce, ba\ufb04ed") == (
        "significant effect, fluoroscopy, office, baffled"
    )


def test_soft_hyphen_removed() -> None:
    assert norm("fre\u00adquen\u00adcies of 44.8%") == "frequencies of 44.8%"


def test_soft_hyphen_at_line_end_joins_the_word() -> None:
    assert norm(wrapped("patients in the cohort had a high fre\u00ad", "quency of pain")) == (
        f"{WRAP} patients in the cohort had a high frequency of pain {TAIL}"
    )


def test_non_breaking_and_thin_spaces_become_spaces() -> None:
    assert norm("45.6\u00a0years, 47.8\u2009min, Table\u202f1") == "45.6 years, 47.8 min, Table 1"


def test_plain_space_between_digit_groups_before_a_word_joins_one_number() -> None:
    assert norm("A total of 12 406 adults with atrial fibrillation") == (
        "A total of 12\u2009406 adults with atrial fibrillation"
    )


def test_plain_spaces_in_a_run_of_numbers_or_before_a_percent_stay_spaces() -> None:
    assert norm("scores of 8 120 45 points") == "scores of 8 120 45 points"
    assert norm("rose from 14 250% to") == "rose from 14 250% to"
    assert norm("in 1998 240 hips were") == "in 1998 240 hips were"


def test_zero_width_characters_removed() -> None:
    assert norm("\ufeffmean\u200b age\u200d of 59\u2060 years") == "mean age of 59 years"


def test_unicode_dashes_minus_and_comparison_signs_are_kept() -> None:
    text = "range 30–60 min; change −2.4 (± 1.1); p ≤ 0.05 and ≥ 18 years — overall"
    assert norm(text) == text


def test_typographic_hyphens_become_ascii_hyphens() -> None:
    assert norm("Follow\u2011up outcomes, p\u2010value") == "Follow-up outcomes, p-value"


def test_runs_of_spaces_collapse_to_one() -> None:
    assert norm("Pain, VAS  7.83 \t± 1.71    4.97") == "Pain, VAS 7.83 ± 1.71 4.97"


def test_control_characters_are_dropped() -> None:
    assert norm("mean\x07 age\x1b of 59") == "mean age of 59"


def test_form_feed_is_a_paragraph_break() -> None:
    assert norm("End of the methods.\x0cResults were good.") == (
        "End of the methods.\n\nResults were good."
    )


# --- words broken at line ends ---------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("obser-", "vation period", "observation period"),
        ("fre-", "quencies (%)", "frequencies (%)"),
        ("dis-", "ability index", "disability index"),
        ("minimal-", "ly invasive", "minimally invasive"),
        ("taken pre-", "operative and", "taken preoperative and"),
        ("one-year follow-", "ing surgery", "one-year following surgery"),
        ("a co-", "hort of 29", "a cohort of 29"),
        ("the pro-", "cedure was", "the procedure was"),
        ("in the sixteen ten-", "dons repaired", "in the sixteen tendons repaired"),
    ],
)
def test_hyphenated_line_break_is_joined(first: str, second: str, joined: str) -> None:
    assert norm(wrapped(f"the outcome was measured {first}", second)) == (
        f"{WRAP} the outcome was measured {joined} {TAIL}"
    )


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("(EQ-", "5D-3L) index", "(EQ-5D-3L) index"),
        ("at 6-", "month follow-up", "at 6-month follow-up"),
        ("with non-", "surgical management", "with non-surgical management"),
        ("non-steroidal anti-", "inflammatory drugs", "non-steroidal anti-inflammatory drugs"),
        ("intra-", "articular injection", "intra-articular injection"),
        ("at one-year follow-", "up visits", "at one-year follow-up visits"),
        ("long-", "term results", "long-term results"),
        ("of the X-", "ray images", "of the X-ray images"),
        ("with a t-", "test and", "with a t-test and"),
        ("using chi-", "square tests", "using chi-square tests"),
        ("the MISJF-", "related events", "the MISJF-related events"),
        ("self-", "reported health", "self-reported health"),
        ("Twenty-", "three patients", "Twenty-three patients"),
        ("intention-", "to-treat analysis", "intention-to-treat analysis"),
        ("in 14–", "22% of patients", "in 14–22% of patients"),
    ],
)
def test_real_hyphen_survives_line_break(first: str, second: str, joined: str) -> None:
    assert norm(wrapped(f"the outcome was measured {first}", second)) == (
        f"{WRAP} the outcome was measured {joined} {TAIL}"
    )


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("all-", "cause mortality", "all-cause mortality"),
        ("in-", "hospital mortality", "in-hospital mortality"),
        ("a double-", "blind, placebo-controlled", "a double-blind, placebo-controlled"),
        ("progression-", "free survival", "progression-free survival"),
        ("HER2-", "positive tumours", "HER2-positive tumours"),
        ("a high-", "risk cohort", "a high-risk cohort"),
    ],
)
def test_real_hyphens_of_cardiology_and_oncology_survive_line_break(
    first: str, second: str, joined: str
) -> None:
    assert norm(wrapped(f"the outcome was measured {first}", second)) == (
        f"{WRAP} the outcome was measured {joined} {TAIL}"
    )


def test_suspended_hyphen_before_and_is_kept_with_its_space() -> None:
    # PDF text has no trailing spaces: "pre-" then "and" on the next line is still "pre- and".
    assert norm(wrapped("differences between pre-", "and postoperative data")) == (
        f"{WRAP} differences between pre- and postoperative data {TAIL}"
    )


def test_suspended_hyphen_with_trailing_space_is_kept() -> None:
    assert norm(wrapped("differences between pre- ", "to postoperative data")) == (
        f"{WRAP} differences between pre- to postoperative data {TAIL}"
    )


def test_hyphen_rules_are_read_from_the_patterns_file(tmp_path: Path) -> None:
    rules_file = tmp_path / "hyphen_prefixes.txt"
    rules_file.write_text("# only one rule\npost-\n", encoding="utf-8")
    rules = load_hyphen_rules(rules_file)
    raw = RawText(
        pages=[wrapped("a post-", "operative visit and non-", "surgical care")], source_type="text"
    )
    assert normalise(raw, hyphen_rules=rules).text == (
        f"{WRAP} a post-operative visit and nonsurgical care {TAIL}"
    )


def test_malformed_hyphen_rule_names_file_and_line(tmp_path: Path) -> None:
    rules_file = tmp_path / "hyphen_prefixes.txt"
    rules_file.write_text("non-\n\nfollow up\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"hyphen_prefixes\.txt:3: cannot read 'follow up'"):
        load_hyphen_rules(rules_file)


def test_duplicate_hyphen_rule_names_file_and_line(tmp_path: Path) -> None:
    rules_file = tmp_path / "hyphen_prefixes.txt"
    rules_file.write_text("non-\nself-\nNon-\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"hyphen_prefixes\.txt:3: duplicate entry 'non-'"):
        load_hyphen_rules(rules_file)


# --- lines and paragraphs -------------------------------------------------------------


def test_wrapped_prose_lines_are_joined_with_single_space() -> None:
    text = (
        "The mean VAS-pain score improved from 7.83 (± 1.71) to 4.97 \n"
        "(± 2.63) postoperatively (p < 0.001). EQ-5D-3L score \n"
        "improved from 0.266 (± 0.129) to 0.499 (± 0.260) in all \n"
        "patients.\n"
    )
    assert norm(text) == (
        "The mean VAS-pain score improved from 7.83 (± 1.71) to 4.97 (± 2.63) "
        "postoperatively (p < 0.001). EQ-5D-3L score improved from 0.266 (± 0.129) to "
        "0.499 (± 0.260) in all patients."
    )


def test_wrapped_line_ending_a_sentence_joins_the_next_sentence() -> None:
    text = (
        "Statistical analyses were carried out using standard software and the\n"
        "significance level was set at 5 percent for all of the comparisons.\n"
        "Continuous data are presented as means with standard deviations here.\n"
    )
    assert norm(text).count("\n") == 0


def test_heading_line_stays_on_its_own_line() -> None:
    text = (
        "were excluded, and the remaining patients were analysed as one cohort.\n"
        "Statistical analysis\n"
        "Statistical analyses were carried out using standard software and the\n"
        "significance level was set at 5 percent for all of the comparisons."
    )
    assert norm(text).split("\n") == [
        "were excluded, and the remaining patients were analysed as one cohort.",
        "Statistical analysis",
        "Statistical analyses were carried out using standard software and the "
        "significance level was set at 5 percent for all of the comparisons.",
    ]


def test_paragraph_break_after_full_stop_is_kept() -> None:
    assert norm(wrapped("was reached.", "", "The second paragraph starts here and")) == (
        f"{WRAP} was reached.\n\nThe second paragraph starts here and {TAIL}"
    )


def test_sentence_interrupted_by_blank_line_is_joined() -> None:
    text = (
        "1.1 Current evidence on the safety and efficacy of minimally invasive sacroiliac (SI) \n"
        "\n"
        "joint fusion surgery for chronic SI pain is adequate to support the use of this \n"
        "procedure."
    )
    assert norm(text) == (
        "1.1 Current evidence on the safety and efficacy of minimally invasive sacroiliac "
        "(SI) joint fusion surgery for chronic SI pain is adequate to support the use of "
        "this procedure."
    )


def test_blank_line_after_a_preposition_is_joined_even_before_a_capital() -> None:
    assert norm(
        "in accordance with the STrengthening the Reporting of \n\nOBservational studies"
    ) == ("in accordance with the STrengthening the Reporting of OBservational studies")


def test_table_rows_separated_by_blank_lines_stay_separate() -> None:
    text = (
        "Table 1 Baseline characteristics\n\nAge, years 45.6 (± 8.6)\n\nWomen 25 (86.2%)\n\n"
        "  I 5 (17.2%)\n\n  II 22 (75.9%)\n"
    )
    assert norm(text).split("\n\n") == [
        "Table 1 Baseline characteristics",
        "Age, years 45.6 (± 8.6)",
        "Women 25 (86.2%)",
        "I 5 (17.2%)",
        "II 22 (75.9%)",
    ]


def test_table_rows_on_consecutive_lines_stay_separate() -> None:
    text = "\n".join(
        [
            WRAP,
            "and the results are summarised in the table below for all of the arms.",
            "Table 2 Outcomes at one year",
            "Outcome Baseline 12 months p value",
            "NYHA class III or IV 41 (38.0%) 12 (11.1%) < 0.001",
            "LVEF, % 31.2 ± 6.4 38.9 ± 7.7 < 0.001",
            "Hospitalisation for heart failure in the first year 22 (20.4%) 9 (8.3%) 0.02",
            "Death from any cause 5 (4.6%)",
            "Most of the deaths were cardiovascular and occurred in the first months.",
        ]
    )
    assert norm(text).split("\n")[1:-1] == [
        "Table 2 Outcomes at one year",
        "Outcome Baseline 12 months p value",
        "NYHA class III or IV 41 (38.0%) 12 (11.1%) < 0.001",
        "LVEF, % 31.2 ± 6.4 38.9 ± 7.7 < 0.001",
        "Hospitalisation for heart failure in the first year 22 (20.4%) 9 (8.3%) 0.02",
        "Death from any cause 5 (4.6%)",
    ]


def test_numbered_paragraph_starts_its_own_line() -> None:
    text = (
        "4.4 In a systematic review and meta-analysis of 432 patients the mean pain \n"
        "score decreased from 8.1 at baseline to 2.0 at 24 months. ODI decreased from \n"
        "56.6 at baseline to 25.1 (95% CI 12.3 to 37.9) at 12 months. \n"
        " 4.5 In an RCT of 103 patients, SI joint function ratings decreased more \n"
        "in the SI joint fusion group than in the conservative management group.\n"
    )
    lines = norm(text).split("\n")
    assert [line[:4] for line in lines] == ["4.4 ", "4.5 "]


def test_markdown_table_rows_stay_one_line_each() -> None:
    text = (
        "| Outcome | Baseline | 1 year |\n|---|---|---|\n"
        "| VAS | 7.83 | 4.97 |\n| ODI | 69.4 | 45.6 |"
    )
    assert norm(text).split("\n") == [
        "| Outcome | Baseline | 1 year |",
        "|---|---|---|",
        "| VAS | 7.83 | 4.97 |",
        "| ODI | 69.4 | 45.6 |",
    ]


def test_list_items_stay_on_their_own_lines() -> None:
    text = (
        "Typical patients include people who:\n\n  • Suffer ongoing back pain\n"
        "  • Have sacroiliitis\n- Are over 50\n1. Had failed therapy"
    )
    assert norm(text).split("\n")[-4:] == [
        "• Suffer ongoing back pain",
        "• Have sacroiliitis",
        "- Are over 50",
        "1. Had failed therapy",
    ]


def test_number_after_a_line_stopping_mid_clause_is_not_a_list_item() -> None:
    text = wrapped("and in the surgical arm the median NRS score fell from 8 to", "4. Patients")
    assert norm(text).count("\n") == 0


def test_line_ending_inside_an_open_bracket_is_continued() -> None:
    text = wrapped(
        "LVEF rose to 44.1% (95% CI 41.0 to 47.2) at 6 months and 46.0 (95%",
        "CI 42.9 to 49.1) at 12 months.",
    )
    assert "(95% CI 42.9 to 49.1)" in norm(text)


def test_unwrapped_paragraphs_on_single_lines_are_not_merged() -> None:
    first = "Sacroiliac joint fusion is a medical procedure for the treatment of back pain. " * 3
    second = "It is often used when other pain treatment therapies have been unsuccessful. " * 3
    text = f"{first.strip()}\n{second.strip()}\nShort heading\n{first.strip()}"
    assert norm(text).count("\n") == 3


def test_lowercase_line_continues_unwrapped_paragraph() -> None:
    first = "Sacroiliac joint fusion is a medical procedure for the treatment of back pain " * 3
    assert norm(f"{first.strip()}\nand of hip pain.") == f"{first.strip()} and of hip pain."


def test_text_is_trimmed_at_both_ends() -> None:
    assert norm("\n\n   Abstract  \n\n") == "Abstract"


# --- pages ------------------------------------------------------------------------------


def test_page_starts_point_at_first_char_of_each_page() -> None:
    text, starts = norm_pages("Page one ends here.", "Page two starts.\nIt goes on.", "Page three.")
    assert text == "Page one ends here.\n\nPage two starts.\nIt goes on.\n\nPage three."
    assert starts == (0, text.index("Page two"), text.index("Page three"))


def test_sentence_continues_across_page_break() -> None:
    text, starts = norm_pages(
        page_ending("In the RCT of 148 patients, mean joint pain improved from"),
        "82.3 at baseline to 30.4 at 6 months and 28.3 at 12 months in the SI joint\nfusion group.",
    )
    assert "improved from 82.3 at baseline" in text
    assert starts[1] == text.index("82.3 at baseline")


def test_word_hyphenated_across_page_break_is_joined_on_the_second_page() -> None:
    text, starts = norm_pages(
        page_ending("the results were presented as fre-"), "quencies and percentages."
    )
    assert "presented as frequencies and percentages." in text
    assert text[starts[1] :].startswith("quencies")


def test_page_ending_a_sentence_keeps_a_paragraph_break() -> None:
    text, starts = norm_pages(
        page_ending("was reached."), "Results were good in most of the patients treated."
    )
    assert text.endswith("was reached.\n\nResults were good in most of the patients treated.")
    assert text[starts[1] :] == "Results were good in most of the patients treated."


def test_empty_page_starts_where_the_next_page_starts() -> None:
    text, starts = norm_pages("First page.", "   \n", "Third page.")
    assert starts == (0, text.index("Third"), text.index("Third"))


def test_empty_first_page_still_starts_at_zero() -> None:
    text, starts = norm_pages("", "Second page.")
    assert (text, starts) == ("Second page.", (0, 0))


def test_unpaginated_text_has_no_page_starts() -> None:
    assert normalise(RawText(pages=["Some text."], source_type="text")).page_starts == ()


def test_output_is_deterministic() -> None:
    raw = read_text((CORPUS_FILES[1]).read_bytes())
    assert normalise(raw) == normalise(raw)


# --- the sample corpus -----------------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[:3])
def test_corpus_file_keeps_every_digit_sequence_in_order(path: Path) -> None:
    raw = read_text(path.read_bytes())
    assert re.findall(r"\d+", normalise(raw).text) == re.findall(r"\d+", raw.pages[0])


@pytest.mark.parametrize(
    "expected",
    [
        "over a one-year observation period.",
        "EuroQol 5-dimensions 3-levels (EQ-5D-3L).",
        "surveys being taken preoperative and one-year postoperative.",
        "pre- and postoperative use of opioid medication",
        "at least one outpatient follow-up visit",
        "presented as means with standard deviations (SD), frequencies (%), or medians",
        "using chi-square and Fisher’s exact test",
        "reported one-year following surgery.",
        "received an image-guided intra-articular SIJ injection",
        "Possibly, some postoperative patients",
    ],
)
def test_corpus_cohort_study_is_rejoined(expected: str) -> None:
    path = next(p for p in CORPUS_FILES if p.name.startswith("001"))
    assert expected in normalise(read_text(path.read_bytes())).text


@pytest.mark.parametrize(
    "expected",
    [
        "minimally invasive sacroiliac (SI) joint fusion surgery for chronic SI pain",
        "non-steroidal anti-inflammatory drugs",
        "with non-surgical management (NSM, n=46)",
        "the random effects meta-analysis (RMA)",
        "\n4.5 In an RCT of 103 patients",
        "\n5 Safety\n",
    ],
)
def test_corpus_guidance_is_rejoined(expected: str) -> None:
    path = next(p for p in CORPUS_FILES if p.name.startswith("002"))
    assert expected in normalise(read_text(path.read_bytes())).text

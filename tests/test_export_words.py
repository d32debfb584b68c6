"""The judgments the meta-analysis export makes with words from patterns/."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.review.export_words import ExportWords, arm_match, initialism


@pytest.fixture(scope="module")
def words() -> ExportWords:
    return ExportWords.load(Path(__file__).resolve().parent.parent / "patterns")


def test_initialism_takes_the_first_letter_of_each_word_hyphens_included() -> None:
    assert initialism("non-surgical management") == "NSM"
    assert initialism("minimally invasive SI joint fusion") == "MISJF"


@pytest.mark.parametrize(
    ("arm", "other", "expected"),
    [
        ("SI joint fusion", "SI  joint fusion", 2),
        ("NSM", "non-surgical management", 1),
        ("MISJF", "minimally invasive SI joint fusion", 1),
        ("SI joint fusion", "minimally invasive SI joint fusion", 1),
        ("placebo", "duloxetine", 0),
        ("nsm", "non-surgical management", 0),  # an abbreviation is written in capitals
        ("fusion", "fusion surgery", 0),  # the shorter name must end the longer one
        (None, "placebo", 0),
    ],
)
def test_arm_match_says_how_surely_two_names_are_one_arm(
    arm: str | None, other: str, expected: int
) -> None:
    assert arm_match(arm, other) == expected


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("placebo", "placebo"),
        ("sham surgery", "sham"),
        ("usual care", "usual care"),
        ("non-surgical management", "non-surgical"),
        ("nonsurgical management", "nonsurgical"),
        ("waiting-list controls", "waiting-list"),
        ("duloxetine", None),
        ("controlled-release oxycodone", None),  # whole words only
    ],
)
def test_comparator_words_are_found_as_whole_words_in_any_spelling(
    words: ExportWords, name: str, word: str | None
) -> None:
    assert words.comparator_word(name) == word


def test_a_comparator_word_added_to_the_patterns_file_takes_effect_without_code(
    patterns_copy: Path,
) -> None:
    assert ExportWords.load(patterns_copy).comparator_word("acupuncture") is None
    with (patterns_copy / "arm_roles.tsv").open("a", encoding="utf-8") as handle:
        handle.write("acupuncture\tcomparator\n")
    assert ExportWords.load(patterns_copy).comparator_word("acupuncture") == "acupuncture"


@pytest.mark.parametrize(
    ("quote", "months", "expected"),
    [
        ("At 12 weeks, pain was 3.1.", 2.8, "12 weeks"),
        ("pain was 3.1 at the 12-week visit", 2.8, "12 weeks"),
        ("pain was 3.1 at week 12", 2.8, "12 weeks"),
        ("45.6 at 2years", 24.0, "2 years"),
        ("30.4 at 6-month follow-up and 28.3 at 12-month follow-up", 12.0, "12 months"),
        ("pain was 3.1 at one year", 12.0, "12 months"),  # not written in digits: the months
    ],
)
def test_time_is_given_as_the_source_wrote_it(
    words: ExportWords, quote: str, months: float, expected: str
) -> None:
    assert words.time_as_stated(quote, 0, 0, "follow-up", months) == expected


def test_the_time_nearest_the_mention_wins_when_two_times_convert_alike(
    words: ExportWords,
) -> None:
    quote = "At 52 weeks pain was 4.1, and at 12 months it was 4.0."
    assert words.time_as_stated(quote, 0, quote.index("4.0"), "follow-up", 12.0) == "12 months"
    assert words.time_as_stated(quote, 0, quote.index("4.1"), "follow-up", 12.0) == "52 weeks"


def test_baseline_and_unstated_times_are_named_so(words: ExportWords) -> None:
    assert words.time_as_stated("x", 0, 0, "baseline", None) == "baseline"
    assert words.time_as_stated("x", 0, 0, "follow-up", None) == "follow-up, time not stated"
    assert words.time_as_stated("x", 0, 0, None, None) is None


def test_sample_sizes_of_people_count_as_n_and_other_units_do_not(words: ExportWords) -> None:
    assert words.counts_people("patients") and words.counts_people("participants")
    assert words.counts_people(None)
    assert not words.counts_people("knees") and not words.counts_people("studies")

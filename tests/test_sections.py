"""Specifications of section finding: where a number sits, and whether it is evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.ingest.text import read_text
from extractor.text.normalise import normalise
from extractor.text.sections import (
    extract_allowed,
    find_headings,
    find_sections,
    heading_sentence_starts,
    load_section_vocabulary,
    section_at,
)
from extractor.types import Section

REPO = Path(__file__).resolve().parent.parent
CORPUS_FILES = sorted((REPO / "corpus").glob("*.txt"))


@pytest.fixture(scope="module")
def vocabulary():
    return load_section_vocabulary(REPO / "patterns" / "sections.tsv")


def corpus_text(prefix: str) -> str:
    path = next(p for p in CORPUS_FILES if p.name.startswith(prefix))
    return normalise(read_text(path.read_bytes())).text


def at(text: str, phrase: str, vocabulary) -> Section | None:
    return section_at(find_sections(text, vocabulary), text.index(phrase))


def named(text: str, phrase: str, vocabulary) -> str | None:
    section = at(text, phrase, vocabulary)
    return section.name if section else None


# --- recognising headings ----------------------------------------------------------------


def test_heading_alone_on_a_line_starts_section(vocabulary) -> None:
    text = "Methods\nWe included 29 patients.\nResults\nPain fell from 7.8 to 4.9."
    sections = find_sections(text, vocabulary)
    assert [(s.name, text[s.start : s.end]) for s in sections] == [
        ("methods", "Methods\nWe included 29 patients."),
        ("results", "Results\nPain fell from 7.8 to 4.9."),
    ]


@pytest.mark.parametrize("line", ["RESULTS", "Results:", "Results.", "results", "Results  "])
def test_heading_ignores_case_and_trailing_punctuation(vocabulary, line: str) -> None:
    assert named(f"{line}\nPain fell from 7.8 to 4.9.", "Pain", vocabulary) == "results"


@pytest.mark.parametrize("line", ["4 Efficacy", "2. Methods", "II. Results", "## Results"])
def test_numbered_or_marked_heading_starts_section(vocabulary, line: str) -> None:
    section = at(f"{line}\nPain fell from 7.8 to 4.9.", "Pain", vocabulary)
    assert section is not None and section.start == 0
    assert section.name in {"efficacy", "methods", "results"}


def test_multi_word_heading_is_recognised(vocabulary) -> None:
    text = "Material and methods\nWe included 29 patients."
    assert named(text, "We included", vocabulary) == "methods"


def test_structured_abstract_label_starts_section(vocabulary) -> None:
    text = "Summary of background data: SIJ pain occurs in 25%.\nResults: 29 were included."
    assert named(text, "SIJ pain", vocabulary) == "background"
    assert named(text, "29 were", vocabulary) == "results"


def test_labels_inside_one_paragraph_are_found_after_sentence_ends(vocabulary) -> None:
    text = (
        "BACKGROUND: Heart failure is common. METHODS: We randomised 4744 patients. "
        "RESULTS: The primary outcome occurred in 16.3% vs. 21.2% (HR 0.74). "
        "CONCLUSIONS: Risk was lower."
    )
    assert [s.name for s in find_sections(text, vocabulary)] == [
        "background",
        "methods",
        "results",
        "conclusion",
    ]
    assert named(text, "16.3%", vocabulary) == "results"


def test_glued_heading_starts_results_section(vocabulary) -> None:
    text = corpus_text("004")
    section = at(text, "8.4 (7–10)", vocabulary)
    assert section is not None and section.name == "results"
    assert text[section.start :].startswith("ResultsThe lumbar")


@pytest.mark.parametrize(
    ("phrase", "name"),
    [
        ("Degenerative sacroiliac", "introduction"),
        ("We carried out", "methods"),
        ("After minimally invasive", "discussion"),
        ("Minimally invasive SI joint fusion helped", "conclusion"),
        ("IV, retrospective", "level of evidence"),
    ],
)
def test_every_glued_heading_of_the_abstract_is_found(vocabulary, phrase: str, name: str) -> None:
    assert named(corpus_text("004"), phrase, vocabulary) == name


@pytest.mark.parametrize(
    "text",
    [
        "Resultsthe lumbar NRS was 8.4.",
        "Results were good in 29 patients.",
        "The Results section lists 29 patients.",
        "AIMS AND SCOPE OF 12 JOURNALS",
        "Our conclusion: pain fell in 5 sites.",
    ],
)
def test_heading_words_in_running_text_are_not_headings(vocabulary, text: str) -> None:
    assert find_sections(text, vocabulary) == []


def test_glued_heading_needs_a_sentence_end_before_it(vocabulary) -> None:
    assert find_sections("The pain ResultsThe lumbar NRS was 8.4.", vocabulary) == []


def test_unknown_subheading_keeps_parent_section(vocabulary) -> None:
    text = "Methods\nWe included 29 patients.\nPopulation\nAll were adults aged 18 to 80."
    assert named(text, "All were adults", vocabulary) == "methods"


def test_text_before_any_heading_has_no_section(vocabulary) -> None:
    text = "A title with 3 words\nResults\nPain fell."
    assert at(text, "A title", vocabulary) is None


# --- what is extracted -------------------------------------------------------------------


def test_introduction_is_not_extracted(vocabulary) -> None:
    text = "Introduction\nPain occurs in 14–22% of patients [1].\nResults\nPain fell by 37%."
    sections = find_sections(text, vocabulary)
    assert not extract_allowed(sections, text.index("14–22%"))
    assert extract_allowed(sections, text.index("37%"))


@pytest.mark.parametrize(
    "heading",
    ["Background", "Summary of background data", "References", "Acknowledgements", "Keywords"],
)
def test_context_sections_are_not_extracted(vocabulary, heading: str) -> None:
    text = f"{heading}\nSomething with 25% in it."
    assert not extract_allowed(find_sections(text, vocabulary), text.index("25%"))


def test_where_no_section_is_known_numbers_are_extracted(vocabulary) -> None:
    text = "Out of 40 patients, 39 reported pain reduction."
    assert extract_allowed(find_sections(text, vocabulary), text.index("39"))


def test_background_label_inside_abstract_is_nested_and_not_extracted(vocabulary) -> None:
    text = corpus_text("000")
    sections = find_sections(text, vocabulary)
    offset = text.index("up to 25% of cases")
    containing = [s.name for s in sections if s.start <= offset < s.end]
    assert containing == ["abstract", "background"]
    assert not extract_allowed(sections, offset)


def test_results_label_inside_abstract_is_extracted(vocabulary) -> None:
    text = corpus_text("001")
    sections = find_sections(text, vocabulary)
    offset = text.index("A total of 29 patients were included")
    assert section_at(sections, offset).name == "results"
    assert [s.name for s in sections if s.start <= offset < s.end] == ["abstract", "results"]
    assert extract_allowed(sections, offset)


def test_heading_alone_on_a_line_closes_the_abstract(vocabulary) -> None:
    text = corpus_text("001")
    offset = text.index("In 14–22% of patients")
    sections = find_sections(text, vocabulary)
    assert [s.name for s in sections if s.start <= offset < s.end] == ["introduction"]
    assert not extract_allowed(sections, offset)


# --- numbered guidance paragraphs --------------------------------------------------------


def test_numbered_paragraph_is_a_section_named_by_its_number(vocabulary) -> None:
    text = corpus_text("002")
    section = at(text, "improved from 82.3 at baseline", vocabulary)
    assert section is not None and (section.kind, section.name) == ("paragraph", "4.3")
    assert text[section.start : section.end].startswith("4.3 In the RCT of 148 patients")
    assert text[section.start : section.end].endswith("compared with patients in the NSM group.")


def test_numbered_paragraph_inherits_extract_from_its_section(vocabulary) -> None:
    text = corpus_text("002")
    sections = find_sections(text, vocabulary)
    assert extract_allowed(sections, text.index("improved from 82.3"))  # 4 Efficacy
    assert extract_allowed(sections, text.index("4% (204/5,319)"))  # 5 Safety
    assert not extract_allowed(sections, text.index("15% to 30% of patients"))  # 2 Indications
    assert not extract_allowed(sections, text.index("Typically, 3 implants"))  # 3 The procedure
    assert not extract_allowed(sections, text.index("beyond 3 years"))  # 6 Committee comments


def test_guidance_sections_nest_paragraphs(vocabulary) -> None:
    text = corpus_text("002")
    sections = find_sections(text, vocabulary)
    offset = text.index("4% (n=19) at 6 months")
    assert [(s.kind, s.name) for s in sections if s.start <= offset < s.end] == [
        ("section", "safety"),
        ("paragraph", "5.6"),
    ]


def test_information_for_patients_is_not_extracted(vocabulary) -> None:
    text = corpus_text("002")
    assert not extract_allowed(find_sections(text, vocabulary), text.index("978-1-4731"))


def test_short_numbered_subheading_is_not_a_paragraph(vocabulary) -> None:
    text = "2 Methods\n2.1 Patient selection\nWe included 29 patients.\n"
    assert named(text, "We included", vocabulary) == "methods"
    assert [s.kind for s in find_sections(text, vocabulary)] == ["section"]


# --- tables ------------------------------------------------------------------------------


def test_table_caption_opens_table_section(vocabulary) -> None:
    text = corpus_text("001")
    section = at(text, "Quality of life, EQ-5D-3L 0.266", vocabulary)
    assert section is not None
    assert (section.kind, section.name, section.extract) == ("table", "Table 3 Results", True)


def test_table_runs_until_prose_resumes_without_the_subheading(vocabulary) -> None:
    text = corpus_text("001")
    table = at(text, "Unknown 5 (17.2%)", vocabulary)
    assert table is not None and table.name == "Table 1 Baseline characteristics"
    assert text[table.start : table.end].endswith("Unknown 5 (17.2%)")
    assert named(text, "Primary outcome measures\nA statistically", vocabulary) == "results"
    assert named(text, "Mean VAS-pain score improved", vocabulary) == "results"


def test_table_ends_at_figure_caption(vocabulary) -> None:
    text = corpus_text("001")
    table = at(text, "Self-reported health status, VAS 49.6", vocabulary)
    assert table is not None and table.kind == "table"
    assert "Fig. 1" not in text[table.start : table.end]


def test_table_ends_at_next_table_caption(vocabulary) -> None:
    text = "Results\nTable 1 Baseline\nAge 45.6\nTable 2 Outcomes\nLVEF, % 31.2 38.9\n"
    assert [(s.name, text[s.start : s.end]) for s in find_sections(text, vocabulary)][1:] == [
        ("Table 1 Baseline", "Table 1 Baseline\nAge 45.6"),
        ("Table 2 Outcomes", "Table 2 Outcomes\nLVEF, % 31.2 38.9"),
    ]


def test_table_inside_introduction_is_extracted(vocabulary) -> None:
    text = "Introduction\nPrior work.\nTable 1. Outcomes\nLVEF, % 31.2 38.9\n"
    assert extract_allowed(find_sections(text, vocabulary), text.index("31.2"))


@pytest.mark.parametrize(
    "text",
    [
        "Results\nTable 2 shows the baseline characteristics of 29 patients.",
        "Results\nBaseline characteristics are presented in Table 1. Most were women.",
    ],
)
def test_prose_mentioning_a_table_is_not_a_caption(vocabulary, text: str) -> None:
    assert [s.kind for s in find_sections(text, vocabulary)] == ["section"]


# --- nesting and lookup ------------------------------------------------------------------


def test_sections_are_sorted_with_outer_before_inner(vocabulary) -> None:
    sections = find_sections(corpus_text("002"), vocabulary)
    assert sections == sorted(sections, key=lambda s: (s.start, -s.end))
    assert [s.name for s in sections[:3]] == ["your responsibility", "recommendations", "1.1"]


def test_section_at_returns_the_innermost_section() -> None:
    outer = Section(0, 100, "efficacy")
    inner = Section(10, 50, "4.3", kind="paragraph", extract=False)
    assert section_at([outer, inner], 20) == inner
    assert section_at([outer, inner], 60) == outer
    assert section_at([outer, inner], 100) is None


def test_extract_allowed_follows_the_innermost_section() -> None:
    sections = [Section(0, 100, "abstract"), Section(10, 50, "background", extract=False)]
    assert not extract_allowed(sections, 20)
    assert extract_allowed(sections, 60)
    assert extract_allowed(sections, 200)


def test_glued_heading_text_is_a_sentence_start(vocabulary) -> None:
    text = "Pain fell. ResultsThe lumbar NRS was 8.4."
    starts = heading_sentence_starts(find_headings(text, vocabulary))
    assert starts == [text.index("Results"), text.index("The lumbar")]


# --- the vocabulary file -----------------------------------------------------------------


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "sections.tsv"
    path.write_text(content, encoding="utf-8")
    return path


def test_new_heading_synonym_needs_no_code_change(tmp_path: Path) -> None:
    path = write(tmp_path, "heading\tname\textract\nOutcomes\tresults\tyes\n")
    text = "Outcomes\nMortality was 9.6%."
    assert named(text, "Mortality", load_section_vocabulary(path)) == "results"


def test_unknown_column_fails_naming_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "# comment\nheading\tname\textract\tlevel\n")
    with pytest.raises(ValueError, match=r"sections\.tsv:2: unknown column 'level'"):
        load_section_vocabulary(path)


def test_duplicate_heading_fails_naming_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "heading\tname\textract\nResults\tresults\tyes\nresults \tresults\tno\n")
    with pytest.raises(
        ValueError, match=r"sections\.tsv:3: duplicate heading 'results' \(first on line 2\)"
    ):
        load_section_vocabulary(path)


def test_extract_must_be_yes_or_no(tmp_path: Path) -> None:
    path = write(tmp_path, "heading\tname\textract\nResults\tresults\ttrue\n")
    with pytest.raises(ValueError, match=r"sections\.tsv:2: extract must be 'yes' or 'no'"):
        load_section_vocabulary(path)


def test_row_with_missing_field_fails(tmp_path: Path) -> None:
    path = write(tmp_path, "heading\tname\textract\nResults\tresults\n")
    with pytest.raises(ValueError, match=r"sections\.tsv:2: expected 3 tab-separated fields"):
        load_section_vocabulary(path)


def test_missing_column_fails(tmp_path: Path) -> None:
    path = write(tmp_path, "heading\tname\nResults\tresults\n")
    with pytest.raises(ValueError, match=r"sections\.tsv:1: the header must name each of"):
        load_section_vocabulary(path)


def test_project_vocabulary_loads() -> None:
    vocabulary = load_section_vocabulary()
    assert vocabulary.lookup("Materials and methods") == ("methods", True)
    assert vocabulary.lookup("INTRODUCTION") == ("introduction", False)
    assert vocabulary.lookup("Indications and current treatments")[1] is False
    assert vocabulary.lookup("Efficacy")[1] is True

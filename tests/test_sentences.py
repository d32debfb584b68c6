"""Specifications of sentence splitting: where quotes begin and end."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from extractor.ingest.text import read_text
from extractor.text.normalise import normalise
from extractor.text.sentences import COMPONENT, SentenceSplitter, load_abbreviations

CORPUS_FILES = sorted((Path(__file__).resolve().parent.parent / "corpus").glob("*.txt"))


@pytest.fixture(scope="module")
def splitter() -> SentenceSplitter:
    return SentenceSplitter()


def texts(splitter: SentenceSplitter, text: str, **kwargs: object) -> list[str]:
    return [sentence.text for sentence in splitter.split(text, **kwargs)]


# --- where sentences end -----------------------------------------------------------------


def test_full_stop_before_capital_ends_sentence(splitter: SentenceSplitter) -> None:
    assert texts(splitter, "A total of 29 patients were included. In 44.8% of patients, ...") == [
        "A total of 29 patients were included.",
        "In 44.8% of patients, ...",
    ]


def test_full_stop_before_lowercase_does_not_end_sentence(splitter: SentenceSplitter) -> None:
    assert len(texts(splitter, "The dose was 5 mg. per day in all patients.")) == 1


def test_break_after_p_value_when_a_capital_follows(splitter: SentenceSplitter) -> None:
    assert texts(splitter, "The score improved (p < 0.001). Mean ODI fell from 69.4 to 45.6.") == [
        "The score improved (p < 0.001).",
        "Mean ODI fell from 69.4 to 45.6.",
    ]


def test_no_break_after_p_value_decimal(splitter: SentenceSplitter) -> None:
    text = "Pain fell (p < 0.001). and function improved (P = .026), as did ODI (n = 102)."
    assert texts(splitter, text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "Mean VAS fell from 7.83 to 4.97 in 29 patients.",
        "Success was 81% vs. 26% in the NSM group.",
        "Dengler et al. reported similar opioid use (52.5%).",
        "As shown by Kube et al. (2019), 2.0 points is relevant.",
        "Adverse events (e.g. Wound infection) occurred in 3.4%.",
        "Opioid use (i.e. Any opioid) fell to 24.1%.",
        "Fusion was seen on CT (Fig. 2) in 27 of 28 patients.",
        "See Figs. 1 and 2 and Tab. 3 for the 29 patients.",
        "The trial (No. 5 in the registry) enrolled 148 patients.",
        "Pain lasted approx. 20 minutes in ca. 12% of patients.",
        "Results differed (cf. Table 2) in 14 patients.",
        "Patients of Dr. Smith had 12% more pain.",
        "Injection relieved pain for 30 min. 10 patients had relief for longer.",
        "Scores were 4.2 and 5.1 resp. 2.0 points apart.",
    ],
)
def test_no_break_after_abbreviation(splitter: SentenceSplitter, text: str) -> None:
    assert texts(splitter, text) == [text]


def test_no_break_after_et_al(splitter: SentenceSplitter) -> None:
    text = "According to Whynes et al. The EQ-5D-3L of 0.499 is a moderate level."
    assert texts(splitter, text) == [text]


def test_minutes_abbreviation_before_capital_ends_sentence(splitter: SentenceSplitter) -> None:
    # "min." often ends a sentence; it only binds to a following number.
    assert texts(splitter, "The procedure took 47.8 min. Further details are in Table 2.") == [
        "The procedure took 47.8 min.",
        "Further details are in Table 2.",
    ]


def test_question_and_exclamation_marks_end_sentences(splitter: SentenceSplitter) -> None:
    assert texts(splitter, "Does it work? Yes! In 39 of 40 patients.") == [
        "Does it work?",
        "Yes!",
        "In 39 of 40 patients.",
    ]


def test_closing_quote_after_full_stop_stays_with_sentence(splitter: SentenceSplitter) -> None:
    assert texts(splitter, "24 patients “totally agree.” Twenty-five would recommend it.") == [
        "24 patients “totally agree.”",
        "Twenty-five would recommend it.",
    ]


def test_opening_bracket_after_full_stop_starts_sentence(splitter: SentenceSplitter) -> None:
    assert texts(splitter, "Success was 81%. (Success was defined as a 20 mm reduction.)") == [
        "Success was 81%.",
        "(Success was defined as a 20 mm reduction.)",
    ]


def test_digit_after_full_stop_starts_sentence(splitter: SentenceSplitter) -> None:
    assert texts(splitter, "Follow-up was complete. 29 patients were analysed.") == [
        "Follow-up was complete.",
        "29 patients were analysed.",
    ]


# --- lines, paragraphs, numbered paragraphs ----------------------------------------------


def test_every_line_break_starts_a_sentence(splitter: SentenceSplitter) -> None:
    text = "Table 1 Baseline characteristics\nAge, years 45.6 (± 8.6)\nWomen 25 (86.2%)"
    assert texts(splitter, text) == [
        "Table 1 Baseline characteristics",
        "Age, years 45.6 (± 8.6)",
        "Women 25 (86.2%)",
    ]


def test_paragraph_break_starts_a_sentence(splitter: SentenceSplitter) -> None:
    assert texts(splitter, "Results\n\nA total of 29 patients\n\n\nwere included") == [
        "Results",
        "A total of 29 patients",
        "were included",
    ]


def test_numbered_paragraph_starts_sentence(splitter: SentenceSplitter) -> None:
    text = "ODI decreased to 28.7 at 24 months.\n4.3 In the RCT of 148 patients, pain improved."
    assert texts(splitter, text) == [
        "ODI decreased to 28.7 at 24 months.",
        "4.3 In the RCT of 148 patients, pain improved.",
    ]


def test_numbered_paragraph_on_the_same_line_starts_sentence(splitter: SentenceSplitter) -> None:
    text = "ODI decreased to 28.7 at 24 months. 4.3 In the RCT of 148 patients, pain improved."
    assert texts(splitter, text)[1] == "4.3 In the RCT of 148 patients, pain improved."


def test_numbered_heading_is_not_split_after_its_number(splitter: SentenceSplitter) -> None:
    assert texts(splitter, "2. Methods\nIV. Results\nWe included 29 patients.") == [
        "2. Methods",
        "IV. Results",
        "We included 29 patients.",
    ]


# --- extra starts from the section finder ------------------------------------------------


def test_extra_start_splits_a_heading_glued_to_the_next_word(splitter: SentenceSplitter) -> None:
    text = "after fusion. ResultsThe lumbar NRS was 8.4 (7–10) preoperatively."
    assert texts(splitter, text, extra_starts=[text.index("The lumbar")]) == [
        "after fusion.",
        "Results",
        "The lumbar NRS was 8.4 (7–10) preoperatively.",
    ]


def test_extra_start_on_whitespace_moves_to_the_next_word(splitter: SentenceSplitter) -> None:
    text = "Conclusion:  Fusion helped 54 patients."
    assert texts(splitter, text, extra_starts=[text.index(":") + 1]) == [
        "Conclusion:",
        "Fusion helped 54 patients.",
    ]


def test_extra_start_at_an_existing_start_changes_nothing(splitter: SentenceSplitter) -> None:
    text = "Results\nA total of 29 patients were included."
    assert texts(splitter, text, extra_starts=[0, text.index("A total")]) == texts(splitter, text)


# --- other specialties -------------------------------------------------------------------


def test_cardiology_trial_sentences(splitter: SentenceSplitter) -> None:
    text = (
        "The primary outcome occurred in 386 patients (16.3%) in the dapagliflozin group and "
        "in 502 patients (21.2%) in the placebo group (hazard ratio, 0.74; 95% CI, 0.65 to "
        "0.85; P<0.001). Death from cardiovascular causes occurred in 9.6% vs. 11.5% (Fig. 2). "
        "LVEF rose from 31.2% to 38.9% at 12 mo. [12] NYHA class improved in 41 patients."
    )
    assert texts(splitter, text) == [
        "The primary outcome occurred in 386 patients (16.3%) in the dapagliflozin group and "
        "in 502 patients (21.2%) in the placebo group (hazard ratio, 0.74; 95% CI, 0.65 to "
        "0.85; P<0.001).",
        "Death from cardiovascular causes occurred in 9.6% vs. 11.5% (Fig. 2).",
        "LVEF rose from 31.2% to 38.9% at 12 mo.",
        "[12] NYHA class improved in 41 patients.",
    ]


def test_oncology_trial_sentences(splitter: SentenceSplitter) -> None:
    text = (
        "Median progression-free survival was 11.2 months (95% CI 9.5–13.0) vs. 7.4 months "
        "with chemotherapy (HR 0.58; p < .001). Grade ≥ 3 adverse events occurred in 34% of "
        "patients, e.g. Neutropenia in 12%. The ORR was 45.1% (n = 203/450)."
    )
    assert texts(splitter, text) == [
        "Median progression-free survival was 11.2 months (95% CI 9.5–13.0) vs. 7.4 months "
        "with chemotherapy (HR 0.58; p < .001).",
        "Grade ≥ 3 adverse events occurred in 34% of patients, e.g. Neutropenia in 12%.",
        "The ORR was 45.1% (n = 203/450).",
    ]


# --- offsets, chunks, pipelines ----------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[:3])
def test_corpus_sentence_offsets_slice_the_text_exactly(
    splitter: SentenceSplitter, path: Path
) -> None:
    text = normalise(read_text(path.read_bytes())).text
    sentences = splitter.split(text)
    assert sentences
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip() != ""
    ends = [s.end for s in sentences]
    starts = [s.start for s in sentences]
    assert all(end <= start for end, start in zip(ends[:-1], starts[1:], strict=True))


def test_no_sentence_is_lost_between_sentences(splitter: SentenceSplitter) -> None:
    path = next(p for p in CORPUS_FILES if p.name.startswith("002"))
    text = normalise(read_text(path.read_bytes())).text
    sentences = splitter.split(text)
    gaps = [text[a.end : b.start] for a, b in zip(sentences, sentences[1:], strict=False)]
    assert all(not gap.strip() for gap in gaps)


def test_chunking_does_not_change_the_sentences(splitter: SentenceSplitter) -> None:
    path = next(p for p in CORPUS_FILES if p.name.startswith("001"))
    text = normalise(read_text(path.read_bytes())).text
    small_chunks = SentenceSplitter(chunk_chars=1000)
    assert small_chunks.split(text) == splitter.split(text)


def test_line_longer_than_a_chunk_is_cut_at_sentence_ends(splitter: SentenceSplitter) -> None:
    text = "In 29 patients the VAS fell from 7.83 to 4.97 (p < 0.001). " * 40
    assert SentenceSplitter(chunk_chars=500).split(text) == splitter.split(text)


@pytest.mark.slow
def test_five_megabyte_single_line_does_not_hit_spacy_max_length(
    splitter: SentenceSplitter,
) -> None:
    sentence = "Death occurred in 9.6% vs. 11.5% of 4,744 patients (HR 0.82; P = .029). "
    text = sentence * (5_000_000 // len(sentence) + 1)
    assert len(text) > splitter.nlp.max_length
    sentences = splitter.split(text)
    assert len(sentences) == text.count(sentence)
    assert sentences[-1].end == len(text.rstrip())


def test_component_works_in_any_blank_pipeline() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe(COMPONENT)
    doc = nlp("The ORR was 45.1% vs. 30.2%. Median OS was 18.1 months.")
    assert [s.text for s in doc.sents] == [
        "The ORR was 45.1% vs. 30.2%.",
        "Median OS was 18.1 months.",
    ]


def test_abbreviations_come_from_the_patterns_file(tmp_path: Path) -> None:
    path = tmp_path / "abbreviations.txt"
    path.write_text("# test list\nmo.\n", encoding="utf-8")
    custom = SentenceSplitter(abbreviations_path=path)
    assert [s.text for s in custom.split("LVEF rose at 12 mo. Later it fell. See Fig. 2.")] == [
        "LVEF rose at 12 mo. Later it fell.",
        "See Fig.",
        "2.",
    ]


def test_duplicate_abbreviation_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "abbreviations.txt"
    path.write_text("Fig.\nvs.\nfig.\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"abbreviations\.txt:3: duplicate abbreviation 'fig\.'"):
        load_abbreviations(path)


def test_abbreviation_without_full_stop_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "abbreviations.txt"
    path.write_text("Fig.\n\nvs\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"abbreviations\.txt:3: cannot read 'vs'"):
        load_abbreviations(path)


# --- the words' attributes ---------------------------------------------------------------


def test_the_splitters_words_read_as_spacys_own_for_what_extraction_reads(
    splitter: SentenceSplitter,
) -> None:
    """The splitter computes only some word attributes (see WORD_ATTRIBUTES): those it
    keeps, and all that token features are made of, must be spaCy's own."""
    from extractor.annotate.features import _word

    plain = spacy.blank("en").vocab
    text = "The 12 patients (30%) in arm A, e.g. www.x.org, had 5.3 ± 1.2 mm. Forty-two\tdied!"
    for doc, _offset in splitter.docs(text):
        for token in doc:
            word = plain[token.text]
            own = (word.text, word.lower_, word.is_alpha, word.is_punct, word.is_digit)
            assert _word(token) == (*own, word.like_num), token.text
            assert (token.is_space, token.norm_) == (word.is_space, word.norm_), token.text

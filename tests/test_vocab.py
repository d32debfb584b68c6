"""Specifications of the vocabulary loader: strict reading, whole-word longest matching,
hyphen/space variants, timepoints with months, and data-only extension by clinicians."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extractor.vocab import Vocabulary

PATTERNS = Path(__file__).resolve().parent.parent / "patterns"


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.load(PATTERNS)


@pytest.fixture
def patterns_dir(tmp_path: Path) -> Path:
    target = tmp_path / "patterns"
    shutil.copytree(PATTERNS, target)
    return target


def canon(terms) -> list[str]:
    return [t.canonical for t in terms]


def test_instrument_hyphen_and_space_variants_match_the_same_canonical(vocab):
    text = "VAS-pain, VAS pain and EQ-5D-3L versus EQ 5D"
    assert canon(vocab.instruments_in(text)) == ["VAS pain", "VAS pain", "EQ-5D-3L", "EQ-5D"]


def test_longest_instrument_wins(vocab):
    terms = vocab.instruments_in("The SF-36 PCS improved")
    assert [(t.text, t.canonical) for t in terms] == [("SF-36 PCS", "SF-36 PCS")]


def test_matching_is_case_insensitive_for_words(vocab):
    assert canon(vocab.instruments_in("the oswestry disability index")) == ["ODI"]


def test_capitalised_abbreviation_does_not_match_lowercase_word(vocab):
    assert vocab.effects_in("two or three times") == []
    assert canon(vocab.effects_in("OR 2.1")) == ["OR"]


def test_matching_is_whole_word(vocab):
    assert vocab.instruments_in("canvas and NRSx") == []


def test_term_offsets_are_absolute(vocab):
    (term,) = vocab.instruments_in("mean KOOS pain", offset=100)
    assert (term.start, term.end, term.text) == (105, 114, "KOOS pain")


def test_plural_is_found_automatically(vocab):
    assert canon(vocab.complications_in("two reoperations and three SAEs")) == [
        "reoperation",
        "serious adverse event",
    ]
    assert canon(vocab.count_nouns_in("Eleven studies")) == ["studies"]


def test_count_noun_category_tells_sex_from_population(vocab):
    terms = vocab.count_nouns_in("54 patients (41 women, 13 men)")
    assert [t.category for t in terms] == ["person", "sex", "sex"]


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("at 6 months", 6.0),
        ("6-month follow-up", 6.0),
        ("at 2years postoperatively", 24.0),
        ("at one-year following surgery", 12.0),
        ("24-month", 24.0),
        ("6 weeks after surgery", 1.4),
        ("at 90 days", 3.0),
    ],
)
def test_numeric_timepoint_gives_months(vocab, text, months):
    (tp,) = vocab.timepoints_in(text)
    assert (tp.timepoint, tp.months) == ("follow-up", months)


def test_baseline_phrases_are_baseline_without_months(vocab):
    for text in ("at baseline", "preoperatively", "pre-treatment", "at admission"):
        (tp,) = vocab.timepoints_in(text)
        assert (tp.timepoint, tp.months) == ("baseline", None), text


def test_follow_up_duration_is_not_a_timepoint(vocab):
    assert vocab.timepoints_in("with a mean follow-up of 27.8 months") == []


def test_shared_unit_gives_each_number_a_timepoint(vocab):
    assert [t.months for t in vocab.timepoints_in("at 3 and 6 months")] == [3.0, 6.0]


def test_a_numeric_time_is_told_at_the_start_of_a_text_only(vocab):
    assert vocab.numeric_time_at_start("at week 12 visit")
    assert vocab.numeric_time_at_start("at 6 months, n (%)")
    assert not vocab.numeric_time_at_start("at baseline and 6 months")
    assert not vocab.numeric_time_at_start("at risk, n")


def test_scale_of_known_instrument(vocab):
    assert vocab.scale_of("NRS pain") == (0.0, 10.0)
    assert vocab.scale_of("no such instrument") is None


def test_added_synonym_is_found_without_code_change(patterns_dir):
    path = patterns_dir / "instruments.tsv"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "WORC\tWestern Ontario Rotator Cuff Index|WORC index\t0\t2100\tlower_is_better\tpoints\n",
        encoding="utf-8",
    )
    assert canon(Vocabulary.load(patterns_dir).instruments_in("the WORC index")) == ["WORC"]


def test_a_complication_added_to_the_vocabulary_is_extracted_without_code(patterns_dir):
    """Orthopaedics: heterotopic ossification becomes an event once it is a line of data."""
    from extractor.pipeline import Extractor

    text = "Heterotopic ossification was seen in 7% (n=14) of hips."

    def events(directory: Path) -> list[tuple[str | None, float | None, float | None]]:
        extractor = Extractor.load(directory)
        rows = extractor.prose.rows_of(text, extractor.splitter)
        return [(r.measure, r.count, r.percent) for r in rows if r.kind == "complication"]

    assert events(patterns_dir) == []
    path = patterns_dir / "complications.tsv"
    path.write_text(
        path.read_text(encoding="utf-8") + "heterotopic ossification\tHO\tother\n",
        encoding="utf-8",
    )
    assert events(patterns_dir) == [("heterotopic ossification", 14, 7)]


def test_unknown_column_fails_with_file_and_line(patterns_dir):
    path = patterns_dir / "complications.tsv"
    text = path.read_text(encoding="utf-8").replace(
        "canonical\tsynonyms\tcategory", "canonical\tsynonyms\tcategory\tseverity"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        ValueError, match=r"complications\.tsv:\d+: .*unknown columns \['severity'\]"
    ):
        Vocabulary.load(patterns_dir)


def test_duplicate_name_fails_with_both_lines(patterns_dir):
    path = patterns_dir / "count_nouns.tsv"
    path.write_text(
        path.read_text(encoding="utf-8") + "people2\tpatients\tperson\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"count_nouns\.tsv:\d+: 'patients' is already listed"):
        Vocabulary.load(patterns_dir)


def test_unknown_category_fails_loudly(patterns_dir):
    path = patterns_dir / "complications.tsv"
    path.write_text(
        path.read_text(encoding="utf-8") + "heterotopic ossification\tHO\tbony\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"complications\.tsv:\d+: category 'bony'"):
        Vocabulary.load(patterns_dir)


def test_unknown_cue_role_fails_loudly(patterns_dir):
    path = patterns_dir / "cues.tsv"
    path.write_text(path.read_text(encoding="utf-8") + "maybe\tguess\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"cues\.tsv:\d+: role 'guess'"):
        Vocabulary.load(patterns_dir)

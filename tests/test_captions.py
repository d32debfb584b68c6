"""A figure caption is not evidence, for every kind (conventions: rows come from results).

`Figure 1: Flow of 240 patients` describes a picture; the same words as prose about the
figure (`Figure 4 shows that ...`) are a sentence like any other. The caption words are
data (`caption_label`, `caption_verb` in `patterns/cues.tsv`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extractor.matchers import find_evidence
from extractor.patterns_dir import default_patterns_dir
from extractor.types import Evidence, Sentence
from extractor.vocab import Vocabulary


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.load()


def _rows(text: str, vocab: Vocabulary) -> list[Evidence]:
    return find_evidence(text, [Sentence(0, len(text), text)], vocab)


@pytest.mark.parametrize(
    "caption",
    [
        "Figure 1: Flow of 240 patients through the trial",  # cardiology CONSORT diagram
        "Fig. 2 Enrolment of 118 patients (n = 60 surgery, n = 58 physiotherapy)",
        "Figure S3. Kaplan-Meier curves of overall survival in 412 patients with NSCLC",
        "Supplementary figure 2 | VAS pain 6.8 ± 1.9 at baseline and 2.1 ± 1.4 at 12 months",
    ],
)
def test_a_figure_caption_yields_no_rows_of_any_kind(caption: str, vocab: Vocabulary) -> None:
    assert _rows(caption, vocab) == []


def test_prose_about_a_figure_is_still_read(vocab: Vocabulary) -> None:
    text = "Figure 4 shows that 240 patients were randomised."
    assert [(r.kind, r.value) for r in _rows(text, vocab)] == [("sample_size", 240)]


def test_a_new_caption_word_is_data(tmp_path: Path, vocab: Vocabulary) -> None:
    # orthopaedics: a `Chart` caption is a picture too once the word is listed
    text = "Chart 2: Flow of 240 patients through the trial"
    assert [r.kind for r in _rows(text, vocab)] == ["sample_size"]
    directory = tmp_path / "patterns"
    shutil.copytree(default_patterns_dir(), directory)
    with (directory / "cues.tsv").open("a", encoding="utf-8") as handle:
        handle.write("Chart\tcaption_label\n")
    assert _rows(text, Vocabulary.load(directory)) == []

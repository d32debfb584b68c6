"""Sanity of the pattern layer over the seed corpus (properties, not exact counts)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from matcher_helpers import vocab

from extractor.matchers import find_evidence
from extractor.types import Sentence

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
KINDS = {"sample_size", "score", "change", "complication", "proportion", "effect"}


def _sentences(text: str) -> list[Sentence]:
    from extractor.text.sentences import SentenceSplitter

    return SentenceSplitter().split(text)


@pytest.fixture(scope="module", params=sorted(p.name for p in CORPUS.glob("*.txt")))
def document(request):
    text = (CORPUS / request.param).read_text(encoding="utf-8")
    return text, find_evidence(text, _sentences(text), vocab())


def test_every_mention_lies_inside_its_quote(document):
    text, found = document
    for row in found:
        assert row.quote == text[row.quote_start : row.quote_end]
        assert row.quote_start <= row.char_start < row.char_end <= row.quote_end, row


def test_values_are_finite_numbers_and_kinds_known(document):
    _, found = document
    for row in found:
        assert row.kind in KINDS
        assert isinstance(row.value, float) and math.isfinite(row.value), row
        assert row.rule


def test_rows_are_sorted_by_position(document):
    _, found = document
    keys = [(r.char_start, r.char_end, r.kind) for r in found]
    assert keys == sorted(keys)


def test_no_row_from_years_identifiers_or_references(document):
    text, found = document
    for row in found:
        mention = text[row.char_start : row.char_end]
        assert not re.fullmatch(r"(?:19|20)\d\d", mention.strip()), row
        assert not re.search(r"\[\s*\d+(?:\s*,\s*\d+)*\s*\]|et al\.", row.quote), row
        assert not re.search(r"ISBN|NCT\d|NL\d{4}|METC|doi", mention), row


def test_not_evidence_numbers_of_the_seeds_make_no_rows(document):
    text, found = document
    mentions = {text[r.char_start : r.char_end] for r in found}
    for never in ("2%\nlidocaine", "3-cm", "30–60 min", "0–100", "0–10", "50%", "20 mm", "27"):
        assert never not in mentions

"""One document from bytes to rows: traceability of every row, and failure handling."""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import pytest

from extractor import pipeline
from extractor.pipeline import extract_document
from extractor.types import DocumentResult

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
NICE_TEXT = "002_9727310af0dcecef.txt"
NICE_PDF = "002_nice_guidance_layout.pdf"


@pytest.fixture(scope="module")
def results(extractor) -> dict[str, DocumentResult]:
    return {
        path.name: extract_document(path.read_bytes(), path.name, extractor)
        for path in sorted(CORPUS.iterdir())
        if path.suffix in pipeline.SUPPORTED_SUFFIXES
    }


def test_every_mention_lies_inside_its_quote_and_the_quote_in_the_text(results) -> None:
    for doc_id, result in results.items():
        assert result.status == "ok", (doc_id, result.error)
        for row in result.evidence:
            assert result.text[row.quote_start : row.quote_end] == row.quote, row
            assert row.quote_start <= row.char_start < row.char_end <= row.quote_end, row


def test_every_row_names_its_rule_and_has_a_stable_id(results) -> None:
    for result in results.values():
        ids = [row.id for row in result.evidence]
        assert len(ids) == len(set(ids))
        assert all(row.rule and row.doc_id == result.doc_id for row in result.evidence)


def test_values_are_finite_numbers_of_a_known_kind_in_text_order(results) -> None:
    kinds = {"sample_size", "score", "change", "complication", "proportion", "effect"}
    for result in results.values():
        for row in result.evidence:
            assert row.kind in kinds, row
            assert isinstance(row.value, int | float) and math.isfinite(row.value), row
        keys = [(r.char_start, r.char_end, r.kind) for r in result.evidence]
        assert keys == sorted(keys), result.doc_id


def test_no_row_is_a_year_an_identifier_or_a_seed_not_evidence_number(results) -> None:
    """Conventions rule 10, on the seed corpus: years, registrations, DOIs and the
    thresholds, scales, doses and sizes the seeds write are never a row's mention."""
    never = ("2%\nlidocaine", "3-cm", "30–60 min", "0–100", "0–10", "50%", "20 mm", "27")
    for result in results.values():
        for row in result.evidence:
            mention = result.text[row.char_start : row.char_end]
            assert not re.fullmatch(r"(?:19|20)\d\d", mention.strip()), row
            assert not re.search(r"ISBN|NCT\d|NL\d{4}|METC|doi", mention), row
            assert mention not in never, row


def test_pdf_rows_carry_the_page_their_mention_is_on(results) -> None:
    result = results[NICE_PDF]
    starts = list(result.page_starts)
    assert result.pages == len(starts) >= 2
    ends = starts[1:] + [len(result.text)]
    for row in result.evidence:
        assert row.page is not None
        assert starts[row.page - 1] <= row.char_start < ends[row.page - 1], row


def test_text_rows_have_no_page(results) -> None:
    assert all(row.page is None for row in results[NICE_TEXT].evidence)


def test_pdf_and_text_versions_of_a_document_yield_the_same_numbers(results) -> None:
    def numbers(doc_id: str) -> Counter:
        return Counter(
            (r.kind, r.value, r.measure, r.timepoint, r.months, r.ci_low, r.ci_high, r.section)
            for r in results[doc_id].evidence
        )

    assert numbers(NICE_PDF) == numbers(NICE_TEXT)


def test_rows_in_introduction_are_not_extracted(results) -> None:
    sections = {row.section for result in results.values() for row in result.evidence}
    assert not sections & {"introduction", "background"}


def test_a_reader_crash_becomes_an_error_result(extractor, monkeypatch) -> None:
    def explode(data: bytes):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "read_text", explode)
    result = extract_document(b"Results: 12 patients.", "a.txt", extractor)
    assert (result.status, result.evidence) == ("error", [])
    assert "RuntimeError: boom" in result.error


def test_a_matcher_crash_becomes_an_error_result(extractor, monkeypatch) -> None:
    def explode(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("bad pattern")

    monkeypatch.setattr(pipeline, "find_table_evidence", explode)
    result = extract_document(b"Results: 12 patients.", "a.txt", extractor)
    assert result.status == "error" and "internal error" in result.error
    assert result.sha256 and result.extractor_version == extractor.version


def test_extractor_version_changes_with_extraction_code_not_with_other_modules(
    tmp_path: Path,
) -> None:
    import shutil

    code = tmp_path / "extractor"
    shutil.copytree(REPO / "extractor", code, ignore=shutil.ignore_patterns("__pycache__"))
    patterns = REPO / "patterns"
    before = pipeline.extractor_version(patterns, code)

    (code / "cli.py").write_text("# a command-line change\n", encoding="utf-8")
    assert pipeline.extractor_version(patterns, code) == before

    linker = code / "link" / "engine.py"
    linker.write_text(linker.read_text(encoding="utf-8") + "\n# a linking change\n", "utf-8")
    assert pipeline.extractor_version(patterns, code) != before


def test_statistics_are_looked_for_only_in_the_sentences_read(extractor) -> None:
    from extractor.annotate.document import annotate

    text = "We enrolled 120 patients. The mean age was 54.2 (SD 8.1) years.\n"
    engine = extractor.prose
    chunks = list(extractor.splitter.docs(text))
    first_only = annotate(text, chunks, engine.parser, engine.terms, lambda n, _s: n == 0)
    statistics = [
        [t.text for t in s.features[s.span.start : s.span.end] if t.is_stat] for s in first_only
    ]
    assert statistics == [["120"], []]

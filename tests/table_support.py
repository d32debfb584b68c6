"""Helpers for the table specifications (`tests/test_tables*.py`).

A table reaches the interpreter the way a document does: text tables are rendered into
the canonical block before `normalise`, the text is normalised, and the table reader gets
one sentence per non-blank line (how the sentence splitter hands table lines over).
"""

from __future__ import annotations

from extractor.tables import TableResult, find_table_evidence
from extractor.tables.text_source import render_text_tables
from extractor.text.normalise import normalise
from extractor.types import Evidence, RawText, Sentence
from extractor.vocab import Vocabulary


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


def rendered(text: str, vocab: Vocabulary) -> str:
    """The text with its text tables in the canonical form (before normalisation)."""
    return render_text_tables(RawText(pages=[text], source_type="text"), vocab).pages[0]


def document_text(text: str, vocab: Vocabulary) -> str:
    """What `documents.text` holds for a text file with these contents."""
    return normalise(RawText(pages=[rendered(text, vocab)], source_type="text")).text


def read(text: str, vocab: Vocabulary) -> tuple[str, TableResult]:
    """(documents.text, the table matcher's result) for a text file's contents."""
    final = document_text(text, vocab)
    return final, find_table_evidence(final, line_sentences(final), vocab)


def rows_of(text: str, vocab: Vocabulary) -> list[Evidence]:
    return read(text, vocab)[1].evidence


def only(rows: list[Evidence], **attrs: object) -> Evidence:
    """The single row whose attributes equal `attrs`."""
    found = [r for r in rows if all(getattr(r, k) == v for k, v in attrs.items())]
    assert len(found) == 1, f"expected one row with {attrs}, got {found}"
    return found[0]

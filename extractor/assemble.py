"""Turn the pattern layer's rows into table rows: ids, provenance and consistency flags.

Kept apart from the matchers so that every rule gets the same treatment: whatever made
a row, it leaves here with a stable id, its page, its section and its flags.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from extractor.checks import apply_checks
from extractor.text.sections import section_at
from extractor.types import Evidence, NormalisedText, Section
from extractor.vocab import Vocabulary


def evidence_id(doc_id: str, kind: str, char_start: int, char_end: int, ordinal: int) -> str:
    """Stable across runs and machines: a digest of where the mention is and what it is.

    Attributes (timepoint, measure, CI) are deliberately left out, so a pattern change
    that alters an attribute keeps the id and shows as a changed row in a diff.
    `ordinal` separates rows of the same kind that share one span.
    """
    key = f"{doc_id}\x1f{kind}\x1f{char_start}\x1f{char_end}\x1f{ordinal}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def assemble_rows(
    rows: list[Evidence],
    *,
    doc_id: str,
    text: NormalisedText,
    sections: list[Section],
    vocab: Vocabulary,
) -> list[Evidence]:
    """Fill id, doc_id, page, section and flags; return rows in document order."""
    ordered = sorted(rows, key=lambda r: (r.char_start, r.char_end, r.kind, r.rule))
    seen: Counter[tuple[str, int, int]] = Counter()
    for row in ordered:
        key = (row.kind, row.char_start, row.char_end)
        row.id = evidence_id(doc_id, row.kind, row.char_start, row.char_end, seen[key])
        seen[key] += 1
        row.doc_id = doc_id
        row.page = text.page_at(row.char_start)
        section = section_at(sections, row.char_start)
        # a table row names its table's caption itself (a PMC caption has no `Table N`)
        row.section = row.section or (section.name if section else None)
    apply_checks(ordered, vocab.scale_of)
    return ordered

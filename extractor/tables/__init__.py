"""Tables: every reader's tables in one model, and one interpreter for their numbers.

Readers that know a table's structure (JATS, PDF, the text-table renderer of
`text_source.py`) write it into `documents.text` as the canonical block of
docs/TABLE_TEXT.md; `reader.py` reads those blocks back, `flattened.py` reads the
flattened tables of text copied out of PDFs where they stand, and `context.py` +
`interpret.py` turn each table into evidence rows. The table lines are handed back as
consumed sentences, so the prose matchers do not read them again as prose.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from extractor.annotate.statistics import StatisticParser
from extractor.tables.context import document_arms, read_table
from extractor.tables.flattened import FlattenedReader
from extractor.tables.interpret import TableEvidence
from extractor.tables.model import Table
from extractor.tables.reader import read_canonical_tables
from extractor.tables.readings import holds_statistic
from extractor.types import Evidence, Sentence

log = logging.getLogger(__name__)


@dataclass
class TableResult:
    """The evidence from every table, and the sentences (start, end) the tables used up."""

    evidence: list[Evidence] = field(default_factory=list)
    consumed: set[tuple[int, int]] = field(default_factory=set)


def read_tables(text: str, vocab: Any, parser: StatisticParser) -> list[Table]:
    """Every table of a normalised text: canonical blocks, then flattened tables."""
    tables = read_canonical_tables(text, vocab.table_headers)
    spans = [(t.start, t.end) for t in tables]
    tables += FlattenedReader(text, vocab, parser).tables(spans)
    return sorted(tables, key=lambda t: t.start)


def find_table_evidence(text: str, sentences: list[Sentence], vocab: Any) -> TableResult:
    """Evidence from every table in `text`, and the sentences that are its lines.

    A sentence is consumed when it lies wholly inside a table (caption to last
    footnote), so a prose sentence that merely shares a line boundary with a table is
    still matched. A table that cannot be read is skipped, never the document.
    """
    parser = StatisticParser.load(vocab.directory)
    tables = read_tables(text, vocab, parser)
    arms = document_arms(tables, vocab, parser)
    evidence: list[Evidence] = []
    for table in tables:
        try:
            ctx = read_table(table, vocab, parser, arms, lambda c: holds_statistic(c, parser))
            evidence += TableEvidence(ctx, vocab, parser, arms).evidence()
        except Exception:  # a reader bug must cost one table, not the document
            log.exception("table at %d could not be read", table.start)
    spans = [(t.start, t.end) for t in tables]
    consumed = {
        (s.start, s.end) for s in sentences if any(a <= s.start and s.end <= b for a, b in spans)
    }
    return TableResult([e for e in evidence if e.value is not None], consumed)

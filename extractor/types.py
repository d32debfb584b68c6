"""The values that flow between the stages of the pipeline.

ingest -> normalise -> sentences/sections -> tables, annotate -> rules/link -> assemble -> store.

Every stage takes and returns these plain, typed values so that one document goes from
bytes to rows without touching shared state (the condition for running documents in
parallel workers later). Column names mirror the contract in docs/EVIDENCE.md.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from typing import Any


class IngestError(Exception):
    """A file that cannot be turned into text; the message is shown to a person as is.

    It becomes `documents.error` with `status = 'error'`, so it must say what is wrong in
    words a reviewer understands ("the PDF is encrypted"), never a traceback.
    """


@dataclass(frozen=True)
class RawText:
    """Text as a reader got it out of a file, one string per page, before normalisation.

    Non-paginated sources have exactly one page and `paginated = False`.
    """

    pages: list[str]
    source_type: str  # 'text', 'pdf', 'jats', 'pubmed-xml'
    paginated: bool = False
    encoding: str | None = None  # for text sources: 'utf-8', 'utf-8-sig', 'cp1252', ...
    warnings: tuple[str, ...] = ()
    # False when the reader wrote every paragraph on one line itself (XML sources): the
    # normaliser then keeps every line break instead of rejoining hard-wrapped prose
    reflow: bool = True


@dataclass(frozen=True)
class NormalisedText:
    """The text every `char_start`/`char_end` points into, and where each page begins."""

    text: str
    page_starts: tuple[int, ...] = ()  # offset in `text` where page i+1 begins; () if unpaginated

    def page_at(self, offset: int) -> int | None:
        """1-based page of the character at `offset`, None for unpaginated text."""
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, offset)


@dataclass(frozen=True)
class Span:
    """A half-open character range [start, end) in the normalised text."""

    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    """A sentence or a table row: the unit a `quote` is taken from."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Section:
    """A recognised part of a document.

    `name` is canonical (`abstract`, `methods`, `results`, `discussion`, `4.3`, `Table 3
    Results`, ...); `extract` is False for parts that only describe other work
    (introduction, background), whose numbers are not this document's evidence.
    """

    start: int
    end: int
    name: str
    kind: str = "section"  # 'section', 'paragraph' (numbered guidance paragraph), 'table'
    extract: bool = True


@dataclass
class Evidence:
    """One extracted quantity: a row of the `evidence` table.

    The pattern layer fills the quantity, its attributes, the span, the quote and the rule;
    the assembler fills `id`, `doc_id`, `page`, `section` and `flags`.
    """

    kind: str
    value: float | None
    char_start: int
    char_end: int
    rule: str
    quote: str = ""
    quote_start: int = 0
    quote_end: int = 0
    measure: str | None = None
    measure_text: str | None = None
    group_name: str | None = None
    timepoint: str | None = None
    months: float | None = None
    statistic: str | None = None
    unit: str | None = None
    sd: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = None
    range_low: float | None = None
    range_high: float | None = None
    count: int | None = None
    denominator: int | None = None
    percent: float | None = None
    p_value: float | None = None
    p_relation: str | None = None
    se: float | None = None
    n: int | None = None
    n_source: str | None = None
    table_row: str | None = None
    table_column: str | None = None
    # filled by the assembler
    id: str = ""
    doc_id: str = ""
    page: int | None = None
    section: str | None = None
    flags: list[str] = field(default_factory=list)

    def as_row(self) -> dict[str, Any]:
        """The dict written to SQLite: flags as a comma-separated string (NULL if none)."""
        row = asdict(self)
        row["flags"] = ",".join(self.flags) if self.flags else None
        return row


@dataclass
class DocumentResult:
    """Everything one document contributes to the database, written in one transaction."""

    doc_id: str
    source_type: str
    sha256: str
    status: str  # 'ok' or 'error'
    extractor_version: str
    error: str | None = None
    text: str | None = None
    pages: int | None = None
    encoding: str | None = None
    warnings: tuple[str, ...] = ()
    page_starts: tuple[int, ...] = ()
    size_bytes: int = 0
    evidence: list[Evidence] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

"""Make one document's results storable in SQLite, whatever values extraction produced.

SQLite cannot hold every Python value: an integer beyond 64 bits (`1/10000000000000000000`
read as a count) raises OverflowError when bound, a lone surrogate (half of a UTF-16 pair,
as some PDF glyph maps produce) raises UnicodeEncodeError, and NaN silently becomes NULL.
One such value must never stop a run or lose its document, so before writing:

- a number that cannot be stored (an integer outside SQLite's 64-bit range, an infinite
  or NaN float) is stored as NULL, and its row gets the flag `unrepresentable_number`;
  the quote still shows what was written;
- each lone surrogate in any text is replaced by U+FFFD (one character for one, so every
  `char_start`/`char_end` still points at the same characters), and the document gets a
  warning saying how many were replaced.

Both are documented in docs/EVIDENCE.md.
"""

from __future__ import annotations

import dataclasses
import math
import re

from extractor.schema import EVIDENCE_COLUMNS
from extractor.types import DocumentResult, Evidence

SQLITE_INT_MIN = -(2**63)
SQLITE_INT_MAX = 2**63 - 1

UNREPRESENTABLE_FLAG = "unrepresentable_number"
REPLACEMENT = "\ufffd"

_SURROGATE = re.compile("[\ud800-\udfff]")

# Which evidence fields are numbers and which are text, as the schema types their columns.
_EVIDENCE_FIELDS = {f.name for f in dataclasses.fields(Evidence)}
_NUMERIC_FIELDS = tuple(
    c for c, kind in EVIDENCE_COLUMNS.items() if kind in (int, float) and c in _EVIDENCE_FIELDS
)
_TEXT_FIELDS = tuple(
    c
    for c, kind in EVIDENCE_COLUMNS.items()
    if kind is str and c in _EVIDENCE_FIELDS and c != "flags"  # flags are the code's own words
)


def storable_number(value: object) -> tuple[object, bool]:
    """(value to store, whether it had to be dropped) for a number bound for SQLite."""
    if isinstance(value, bool) or value is None:
        return value, False
    if isinstance(value, int):
        if SQLITE_INT_MIN <= value <= SQLITE_INT_MAX:
            return value, False
        return None, True
    if isinstance(value, float):
        if math.isfinite(value):
            return value, False
        return None, True
    return value, False


def storable_text(value: str | None) -> tuple[str | None, int]:
    """(text with lone surrogates replaced by U+FFFD, how many were replaced)."""
    if not value:
        return value, 0
    replaced, count = _SURROGATE.subn(REPLACEMENT, value)
    return replaced, count


def storable_result(result: DocumentResult) -> DocumentResult:
    """A copy of `result` that SQLite accepts, with flags and warnings saying what changed.

    Returns `result` itself when nothing needed changing (the usual case): the checks are
    linear scans done in C, so they cost little even on a 50 MB text.
    """
    replaced = 0
    changes: dict[str, object] = {}
    for name in ("doc_id", "error", "text", "encoding", "source_type", "extractor_version"):
        value, count = storable_text(getattr(result, name))
        if count:
            changes[name] = value
            replaced += count
    warnings = []
    for warning in result.warnings:
        value, count = storable_text(warning)
        warnings.append(value or "")
        replaced += count
    evidence = []
    evidence_changed = False
    for row in result.evidence:
        fixed, count = _storable_evidence(row)
        evidence.append(fixed)
        evidence_changed |= fixed is not row
        replaced += count
    sections = []
    sections_changed = False
    for section in result.sections:
        name, count = storable_text(section.name)
        if count:
            section = dataclasses.replace(section, name=name or "")
            sections_changed = True
            replaced += count
        sections.append(section)
    if not (changes or replaced or evidence_changed or sections_changed):
        return result
    if evidence_changed:
        changes["evidence"] = evidence
    if sections_changed:
        changes["sections"] = sections
    if replaced:
        warnings.append(
            f"{replaced} character(s) that are not valid Unicode (lone surrogates) "
            "were stored as U+FFFD"
        )
    changes["warnings"] = tuple(warnings)
    return dataclasses.replace(result, **changes)


def _storable_evidence(row: Evidence) -> tuple[Evidence, int]:
    changes: dict[str, object] = {}
    dropped = False
    for name in _NUMERIC_FIELDS:
        value, lost = storable_number(getattr(row, name))
        if lost:
            changes[name] = value
            dropped = True
    replaced = 0
    for name in _TEXT_FIELDS:
        value, count = storable_text(getattr(row, name))
        if count:
            changes[name] = value
            replaced += count
    if dropped and UNREPRESENTABLE_FLAG not in row.flags:
        changes["flags"] = [*row.flags, UNREPRESENTABLE_FLAG]
    if not changes:
        return row, 0
    return dataclasses.replace(row, **changes), replaced

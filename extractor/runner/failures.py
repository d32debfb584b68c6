"""The error result of a document that never reached, or never left, extraction.

A file that cannot be read, one whose extraction ran out of its time or memory budget or
crashed its worker, and one whose results could not be stored all end the same way: a
`documents` row with `status = 'error'` and a reason a person understands, so every input
file has exactly one row and one document's failure is that document's alone.
"""

from __future__ import annotations

import hashlib

from extractor.pipeline import source_type_for
from extractor.types import DocumentResult


def error_result(
    doc_id: str,
    reason: str,
    extractor_version: str,
    data: bytes | None = None,
    *,
    sha256: str | None = None,
    size_bytes: int = 0,
    warnings: tuple[str, ...] = (),
) -> DocumentResult:
    """An error row for `doc_id`; `data` (when the bytes were read) fills hash and size."""
    if data is not None:
        sha256 = hashlib.sha256(data).hexdigest()
        size_bytes = len(data)
    return DocumentResult(
        doc_id=doc_id,
        source_type=source_type_for(doc_id),
        sha256=sha256 or "",
        status="error",
        extractor_version=extractor_version,
        error=reason,
        size_bytes=size_bytes,
        warnings=warnings,
    )


def as_error(result: DocumentResult, reason: str) -> DocumentResult:
    """The same document as an error row (its hash kept, its rows dropped)."""
    return error_result(
        result.doc_id,
        reason,
        result.extractor_version,
        sha256=result.sha256,
        size_bytes=result.size_bytes,
        warnings=result.warnings,
    )


def unstorable_reason(error: Exception) -> str:
    """Why a document whose rows could not be stored (or made) is an error row."""
    return (
        "extraction produced rows that could not be stored "
        f"({type(error).__name__}: {error}); please report this document"
    )

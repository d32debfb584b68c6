"""The only module that talks to SQLite.

Schema follows docs/EVIDENCE.md (the contract) plus this package's extensions. Each
document is written in one transaction (`Database.atomic()`), so a run killed at any
moment leaves every document either fully old or fully new, and the next run finishes
the rest. WAL mode lets Datasette read while `extract` writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from extractor.types import DocumentResult, Evidence

DOCUMENT_COLUMNS: dict[str, type] = {
    "doc_id": str,
    "source_type": str,
    "sha256": str,
    "status": str,
    "error": str,
    "text": str,
    "pages": int,
    "extractor_version": str,
    # extensions
    "encoding": str,
    "warnings": str,
    "page_starts": str,
    "size_bytes": int,
}

EVIDENCE_COLUMNS: dict[str, type] = {
    "id": str,
    "doc_id": str,
    "kind": str,
    "measure": str,
    "measure_text": str,
    "group_name": str,
    "timepoint": str,
    "months": float,
    "statistic": str,
    "value": float,
    "unit": str,
    "sd": float,
    "ci_low": float,
    "ci_high": float,
    "ci_level": float,
    "range_low": float,
    "range_high": float,
    "count": int,
    "denominator": int,
    "percent": float,
    "p_value": float,
    "p_relation": str,
    "quote": str,
    "char_start": int,
    "char_end": int,
    "page": int,
    "section": str,
    "rule": str,
    # extensions
    "quote_start": int,
    "quote_end": int,
    "flags": str,
    "se": float,
    "n": int,
    "n_source": str,
    "table_row": str,
    "table_column": str,
}

SECTION_COLUMNS: dict[str, type] = {
    "doc_id": str,
    "name": str,
    "kind": str,
    "char_start": int,
    "char_end": int,
    "extract": int,
}


@dataclass(frozen=True)
class StoredDocument:
    """What a re-run needs to know to decide whether a file must be extracted again."""

    doc_id: str
    sha256: str
    extractor_version: str
    status: str


def open_database(path: Path | str) -> sqlite_utils.Database:
    """Open (creating if needed) an evidence database with the full schema, in WAL mode."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create tables, indexes and the quote search index if they are missing.

    The evidence table exists before any row does, so readers (Datasette, diff, eval)
    never meet a database without it.
    """
    if not db["documents"].exists():
        db["documents"].create(DOCUMENT_COLUMNS, pk="doc_id", not_null={"status"})
    if not db["evidence"].exists():
        db["evidence"].create(
            EVIDENCE_COLUMNS,
            pk="id",
            foreign_keys=[("doc_id", "documents", "doc_id")],
            not_null={"doc_id", "kind"},
        )
        db["evidence"].create_index(["doc_id", "char_start"])
        db["evidence"].create_index(["kind", "measure"])
    if not db["sections"].exists():
        db["sections"].create(
            SECTION_COLUMNS,
            foreign_keys=[("doc_id", "documents", "doc_id")],
        )
        db["sections"].create_index(["doc_id", "char_start"])
    if not db["evidence_fts"].exists():
        db["evidence"].enable_fts(["quote", "measure_text"], create_triggers=True)


def stored_documents(db: sqlite_utils.Database) -> dict[str, StoredDocument]:
    """Hash and extractor version of every document already in the database."""
    rows = db.execute("select doc_id, sha256, extractor_version, status from documents").fetchall()
    return {r[0]: StoredDocument(*r) for r in rows}


def write_document(db: sqlite_utils.Database, result: DocumentResult) -> None:
    """Replace everything known about one document, atomically."""
    with db.atomic():
        _delete_rows(db, [result.doc_id], keep_document=True)
        db["documents"].upsert(_document_row(result), pk="doc_id")
        if result.evidence:
            db["evidence"].insert_all(
                (_evidence_row(e) for e in result.evidence), pk="id", batch_size=500
            )
        if result.sections:
            db["sections"].insert_all(
                {
                    "doc_id": result.doc_id,
                    "name": s.name,
                    "kind": s.kind,
                    "char_start": s.start,
                    "char_end": s.end,
                    "extract": int(s.extract),
                }
                for s in result.sections
            )


def remove_documents(db: sqlite_utils.Database, doc_ids: Iterable[str]) -> int:
    """Delete documents whose files are gone, with their evidence and sections."""
    ids = list(doc_ids)
    if not ids:
        return 0
    with db.atomic():
        _delete_rows(db, ids, keep_document=False)
    return len(ids)


def count_evidence(db: sqlite_utils.Database, doc_ids: Iterable[str] | None = None) -> int:
    """Number of evidence rows, for all documents or the given ones."""
    if doc_ids is None:
        return db["evidence"].count
    total = 0
    for chunk in _chunks(list(doc_ids), 500):
        marks = ",".join("?" * len(chunk))
        total += db.execute(
            f"select count(*) from evidence where doc_id in ({marks})", chunk
        ).fetchone()[0]
    return total


def _delete_rows(db: sqlite_utils.Database, doc_ids: list[str], keep_document: bool) -> None:
    tables = ["evidence", "sections"] + ([] if keep_document else ["documents"])
    for chunk in _chunks(doc_ids, 500):
        marks = ",".join("?" * len(chunk))
        for table in tables:
            db.execute(f"delete from [{table}] where doc_id in ({marks})", chunk)


def _document_row(result: DocumentResult) -> dict[str, object]:
    return {
        "doc_id": result.doc_id,
        "source_type": result.source_type,
        "sha256": result.sha256,
        "status": result.status,
        "error": result.error,
        "text": result.text,
        "pages": result.pages,
        "extractor_version": result.extractor_version,
        "encoding": result.encoding,
        "warnings": "; ".join(result.warnings) if result.warnings else None,
        "page_starts": json.dumps(list(result.page_starts)) if result.page_starts else None,
        "size_bytes": result.size_bytes,
    }


def _evidence_row(evidence: Evidence) -> dict[str, object]:
    row = evidence.as_row()
    return {column: row.get(column) for column in EVIDENCE_COLUMNS}


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]

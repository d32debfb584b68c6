"""The only module that talks to SQLite.

Schema follows docs/EVIDENCE.md (the contract) plus this package's extensions; it is
created, versioned and migrated by `extractor.schema`, which refuses files that are not
evidence databases. Each document is written in one transaction (`Database.atomic()`),
so a run killed at any moment leaves every document either fully old or fully new, and
the next run finishes the rest. WAL mode lets Datasette read while `extract` writes.
Values SQLite cannot hold are made storable first (`extractor.storable`), so no value a
matcher produces can stop a run.
"""

from __future__ import annotations

import contextlib
import errno
import json
import operator
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import sqlite_utils
from sqlite_utils.db import jsonify_if_needed

from extractor.errors import UserError
from extractor.schema import (
    DOCUMENT_COLUMNS,
    EVIDENCE_COLUMNS,
    SECTION_COLUMNS,
    check_is_sqlite,
    refuse_unknown,
)
from extractor.schema import ensure_schema as _ensure_schema
from extractor.storable import storable_result
from extractor.types import DocumentResult, Evidence

__all__ = [
    "DOCUMENT_COLUMNS",
    "DocumentRows",
    "EVIDENCE_COLUMNS",
    "SECTION_COLUMNS",
    "SeenDocuments",
    "StoreError",
    "StoredDocument",
    "count_evidence",
    "document_rows",
    "ensure_schema",
    "merge_shard",
    "open_shard",
    "open_database",
    "remove_documents",
    "stored_document",
    "stored_documents",
    "write_document",
    "write_rows",
    "writer_lock",
]

# How long a connection waits for another one's write transaction before giving up.
BUSY_TIMEOUT_MS = 30_000


class StoreError(UserError):
    """The database cannot be opened or written (read-only, full disk, held by another
    run); the message names the file and what to do."""


@dataclass(frozen=True)
class StoredDocument:
    """What a re-run needs to know to decide whether a file must be extracted again."""

    doc_id: str
    sha256: str
    extractor_version: str
    status: str
    error: str | None = None


def open_database(path: Path | str) -> sqlite_utils.Database:
    """Open (creating if needed) an evidence database with the full schema, in WAL mode.

    Raises SchemaError for a file that is not an evidence database this code can write
    (it is left untouched) and StoreError when the file or its folder cannot be written.
    The evidence table exists before any row does, so readers (Datasette, diff, eval)
    never meet a database without it.
    """
    path = Path(path)
    check_is_sqlite(path)
    _make_parent(path)
    db = None
    try:
        db = sqlite_utils.Database(path)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}").fetchall()  # see schema._header
        refuse_unknown(db.conn, str(path))  # before WAL: a refused file is never changed
        with db.ensure_autocommit_on():  # sqlite-utils' enable_wal leaves its cursors
            db.execute("PRAGMA journal_mode = WAL").fetchall()  # unfinished: see schema._header
        db.execute("PRAGMA foreign_keys = ON")
        _ensure_schema(db.conn, str(path))
    except sqlite3.Error as error:
        if db is not None:
            db.close()
        raise StoreError(describe_sqlite_error(error, path)) from error
    except BaseException:
        if db is not None:
            db.close()
        raise
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create or migrate the schema of an open database (see `extractor.schema`)."""
    _ensure_schema(db.conn)


def _make_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(
            f"cannot create the folder {path.parent} for the database ({error.strerror}): "
            "choose another --db"
        ) from error


def describe_sqlite_error(error: BaseException, path: Path | str) -> str:
    """One line saying what a database-level SQLite error means for the user."""
    message = str(error)
    lowered = message.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return f"{path} is read-only: make it and its folder writable, or choose another --db"
    if "unable to open database file" in lowered or "cannot open" in lowered:
        return (
            f"cannot open {path} for writing: check that its folder exists and is writable "
            "(SQLite keeps -wal and -shm files beside it), or choose another --db"
        )
    if "disk is full" in lowered or "database or disk is full" in lowered:
        return (
            f"the disk holding {path} is full: free some space and run again "
            "(documents already written are kept and not extracted again)"
        )
    if "locked" in lowered or "busy" in lowered:
        return (
            f"{path} is locked by another program writing to it: "
            "wait for it to finish and run again"
        )
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return f"{path} is damaged or not a SQLite database ({message}); choose another --db"
    if "disk i/o error" in lowered:
        return f"the disk failed while writing {path} ({message}): check the disk and run again"
    return f"SQLite could not use {path} ({message})"


def is_database_level(error: BaseException) -> bool:
    """Whether a write error is about the database as a whole (full disk, read-only,
    locked, damaged), so every later document would fail too, rather than about the one
    document being written (a constraint violated by its rows)."""
    if isinstance(error, sqlite3.OperationalError | sqlite3.DatabaseError) and not isinstance(
        error, sqlite3.IntegrityError | sqlite3.InterfaceError | sqlite3.DataError
    ):
        return True
    return isinstance(error, OSError)


@contextlib.contextmanager
def writer_lock(path: Path | str) -> Iterator[None]:
    """Hold the one-writer lock of a database file for the length of the block.

    Two `extract` runs writing one database would extract the same documents twice and
    race on its snapshot, so the second one is refused at once with a plain message.
    The lock is `flock` on the database file itself: it needs no extra file, is invisible
    to SQLite (which uses `fcntl` locks) and to readers such as Datasette, and the kernel
    releases it when the process ends, however it ends.
    """
    import fcntl

    path = Path(path)
    check_is_sqlite(path)
    _make_parent(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise StoreError(
                f"cannot create {path}: the folder {path.parent} is read-only; choose another --db"
            ) from error
        raise StoreError(f"cannot open {path} ({error.strerror}); choose another --db") from error
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise StoreError(
                f"another extract run is writing {path}: wait for it to finish, "
                "or give this run another --db"
            ) from error
        yield
    finally:
        os.close(fd)


def stored_document(db: sqlite_utils.Database, doc_id: str) -> StoredDocument | None:
    """What the database holds about one document (a primary-key lookup), else None.

    A run asks this per file instead of loading every document first, so its memory does
    not grow with the corpus.
    """
    rows = db.execute(
        "select doc_id, sha256, extractor_version, status, error from documents where doc_id = ?",
        (doc_id,),
    ).fetchall()  # to its end, so no statement is left in progress (see schema._header)
    return StoredDocument(*rows[0]) if rows else None


class SeenDocuments:
    """The doc_ids a run met, kept in a TEMP table rather than in memory.

    At the end, the documents of the database the run did not meet are those whose files
    are gone. A temporary table lives in SQLite's temp file, so a corpus of 36 million
    files costs disk, not memory. Ids are written in batches, each committed on its own
    (never inside a document's transaction).
    """

    BATCH = 1000

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.pending: list[tuple[str]] = []
        db.execute("create temp table if not exists seen_documents (doc_id text primary key)")
        db.execute("delete from temp.seen_documents")
        db.conn.commit()

    def add(self, doc_id: str) -> None:
        self.pending.append((doc_id,))
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.db.conn.executemany(
                "insert or ignore into temp.seen_documents values (?)", self.pending
            )
            self.db.conn.commit()
            self.pending.clear()

    def missing(self) -> list[str]:
        """Documents in the database that were not seen, sorted."""
        self.flush()
        rows = self.db.execute(
            "select doc_id from documents where doc_id not in "
            "(select doc_id from temp.seen_documents) order by doc_id"
        )
        return [r[0] for r in rows]


def open_shard(path: Path | str) -> sqlite_utils.Database:
    """A new shard: an evidence database a distributed worker writes one partition into.

    Same schema as the evidence database (so the same `write_document` fills it and the
    same checks read it), but in rollback-journal mode, so once closed it is one
    self-contained file that can be renamed into place and read by another machine.
    """
    path = Path(path)
    check_is_sqlite(path)
    _make_parent(path)
    db = sqlite_utils.Database(path)
    try:
        db.execute("PRAGMA journal_mode = DELETE").fetchall()  # run to its end: see schema._header
        _ensure_schema(db.conn, str(path))
    except sqlite3.Error as error:
        db.close()
        raise StoreError(describe_sqlite_error(error, path)) from error
    return db


def merge_shard(db: sqlite_utils.Database, shard: Path | str) -> list[str]:
    """Copy every document of a shard into the database, replacing what it held about
    them, in one transaction; returns the merged doc_ids.

    A shard merged twice (a run killed between the merge and the shard's deletion) gives
    the same rows, so merging is safe to repeat.
    """
    shard = Path(shard)
    check = sqlite3.connect(f"{shard.resolve().as_uri()}?mode=ro", uri=True)
    try:
        refuse_unknown(check, str(shard))
    finally:
        check.close()
    conn = db.conn
    conn.execute("ATTACH DATABASE ? AS shard", (str(shard),))
    try:
        doc_ids = [r[0] for r in conn.execute("select doc_id from shard.documents order by doc_id")]
        with db.atomic():
            marked = "select doc_id from shard.documents"
            for table in ("evidence", "sections"):
                conn.execute(f"delete from main.[{table}] where doc_id in ({marked})")
            for table, columns in (
                ("documents", DOCUMENT_COLUMNS),
                ("evidence", EVIDENCE_COLUMNS),
                ("sections", SECTION_COLUMNS),
            ):
                names = ", ".join(f"[{c}]" for c in columns)
                verb = "insert or replace" if table == "documents" else "insert"
                conn.execute(
                    f"{verb} into main.[{table}] ({names}) select {names} from shard.[{table}]"
                    + (" order by rowid" if table != "documents" else "")
                )
    finally:
        conn.execute("DETACH DATABASE shard")
    return doc_ids


def stored_documents(db: sqlite_utils.Database) -> dict[str, StoredDocument]:
    """Hash and extractor version of every document already in the database."""
    rows = db.execute(
        "select doc_id, sha256, extractor_version, status, error from documents"
    ).fetchall()
    return {r[0]: StoredDocument(*r) for r in rows}


def write_document(db: sqlite_utils.Database, result: DocumentResult) -> None:
    """Replace everything known about one document, atomically.

    Values SQLite cannot hold are stored as NULL with a flag, or replaced (see
    `extractor.storable`); anything else that fails rolls the document back and raises.
    """
    write_rows(db, document_rows(result))


class DocumentRows(NamedTuple):
    """One document's rows as SQLite takes them: tuples in the schema's column order.

    Made by `document_rows` wherever the document was extracted (a worker process), so
    the one process that writes only runs `executemany` on them: with two workers busy
    on two cores, every per-row step left to the writer is taken from extraction. A
    named tuple of tuples pickles compactly and fast. `basis` is what an error row in
    its place needs, should the rows not be storable (see `runner.run.store_rows`).
    """

    document: tuple[object, ...]  # DOCUMENT_COLUMNS order
    evidence: list[tuple[object, ...]]  # EVIDENCE_COLUMNS order
    sections: list[tuple[object, ...]]  # SECTION_COLUMNS order
    basis: tuple[str, str, int, tuple[str, ...]]  # version, sha256, size, warnings

    @property
    def doc_id(self) -> str:
        return self.document[_DOC_ID]  # type: ignore[return-value]

    @property
    def status(self) -> str:
        return self.document[_STATUS]  # type: ignore[return-value]

    @property
    def error(self) -> str | None:
        return self.document[_ERROR]  # type: ignore[return-value]

    @property
    def extractor_version(self) -> str:
        return self.basis[0]


def document_rows(result: DocumentResult) -> DocumentRows:
    """The rows `write_document` stores for `result`, made storable (see `storable`)."""
    basis = (result.extractor_version, result.sha256, result.size_bytes, result.warnings)
    result = storable_result(result)
    values = _document_row(result)
    document = _plain(tuple(values[c] for c in DOCUMENT_COLUMNS))
    evidence = [_evidence_tuple(e) for e in result.evidence]
    sections = [
        _plain((result.doc_id, s.name, s.kind, s.start, s.end, int(s.extract)))
        for s in result.sections
    ]
    return DocumentRows(document, evidence, sections, basis)


def write_rows(db: sqlite_utils.Database, rows: DocumentRows) -> None:
    """Replace everything known about one document with `rows`, in one transaction.

    The statements are the ones sqlite-utils' `upsert` and `insert_all` ran before (an
    upsert of the document, plain inserts of its rows, in order), so the rows, their
    rowids and the full-text index are the same; anything that fails rolls back.
    """
    conn = db.conn
    with db.atomic():
        _delete_rows(db, [rows.doc_id], keep_document=True)
        conn.execute(_UPSERT_DOCUMENT, rows.document)
        if rows.evidence:
            conn.executemany(_INSERT_EVIDENCE, rows.evidence)
        if rows.sections:
            conn.executemany(_INSERT_SECTION, rows.sections)


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
        ).fetchall()[0][0]
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


def _evidence_tuple(evidence: Evidence) -> tuple[object, ...]:
    """The evidence row in column order: `Evidence.as_row` without its deep copy, with
    values sqlite-utils would have turned into JSON or text turned so here."""
    row = _EVIDENCE_VALUES(evidence)
    flags = row[_FLAGS]
    return _plain((*row[:_FLAGS], ",".join(flags) if flags else None, *row[_FLAGS + 1 :]))


def _plain(row: tuple[object, ...]) -> tuple[object, ...]:
    """The row with any value that is not a plain SQLite value (a list, a date) turned
    into what sqlite-utils' inserts made of it (JSON, ISO text), as before."""
    if all(type(value) in _PLAIN for value in row):
        return row
    return tuple(jsonify_if_needed(value) for value in row)


def _insert(table: str, columns: Iterable[str], upsert_key: str | None = None) -> str:
    names = list(columns)
    sql = (
        f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in names)}) "
        f"VALUES ({', '.join('?' for _ in names)})"
    )
    if upsert_key is not None:
        updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in names if c != upsert_key)
        sql += f" ON CONFLICT([{upsert_key}]) DO UPDATE SET {updates}"
    return sql


_UPSERT_DOCUMENT = _insert("documents", DOCUMENT_COLUMNS, upsert_key="doc_id")
_INSERT_EVIDENCE = _insert("evidence", EVIDENCE_COLUMNS)
_INSERT_SECTION = _insert("sections", SECTION_COLUMNS)
_DOCUMENT_ORDER = list(DOCUMENT_COLUMNS)
_DOC_ID, _STATUS, _ERROR = (_DOCUMENT_ORDER.index(c) for c in ("doc_id", "status", "error"))
# Every evidence column is an `Evidence` field: a column without one fails loudly at the
# first write (AttributeError) rather than storing NULLs.
_EVIDENCE_VALUES = operator.attrgetter(*EVIDENCE_COLUMNS)
_FLAGS = list(EVIDENCE_COLUMNS).index("flags")
_PLAIN = frozenset({str, int, float, bool, type(None), bytes})


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]

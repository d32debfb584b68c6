"""The evidence database's schema: created, recognised, migrated, or refused.

A database is ours when its `application_id` says so (or, for files written before the
schema was versioned, when its tables are the ones this package makes). Its
`user_version` is the schema version. Everything else is refused before anything is
written, with a message for a person: a text file or PDF given as `--db`, another
application's SQLite file, a database made by a newer extractor. Nothing here ever alters
a file it refuses.

Creation and migration run in one `BEGIN IMMEDIATE` transaction, so a kill at any moment
leaves either the old schema or the complete new one (tables, indexes, full-text index and
its triggers, version); never tables without their indexes. A second process opening the
same file waits for the first one's transaction instead of racing it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from extractor.errors import UserError

# "EvDb": marks a SQLite file as an evidence database (PRAGMA application_id).
APPLICATION_ID = 0x45764462
# Bump when the schema changes, and teach `_migrate` the step from the previous version.
SCHEMA_VERSION = 1

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

_SQL_TYPES = {str: "TEXT", int: "INTEGER", float: "REAL"}

# Column constraints, as the first (unversioned) schema declared them.
_CONSTRAINTS: dict[tuple[str, str], str] = {
    ("documents", "doc_id"): " PRIMARY KEY",
    ("documents", "status"): " NOT NULL",
    ("evidence", "id"): " PRIMARY KEY",
    ("evidence", "doc_id"): ' NOT NULL REFERENCES "documents"("doc_id")',
    ("evidence", "kind"): " NOT NULL",
    ("sections", "doc_id"): ' REFERENCES "documents"("doc_id")',
}

TABLES: dict[str, dict[str, type]] = {
    "documents": DOCUMENT_COLUMNS,
    "evidence": EVIDENCE_COLUMNS,
    "sections": SECTION_COLUMNS,
}

INDEXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "idx_evidence_doc_id_char_start": ("evidence", ("doc_id", "char_start")),
    "idx_evidence_kind_measure": ("evidence", ("kind", "measure")),
    "idx_sections_doc_id_char_start": ("sections", ("doc_id", "char_start")),
}

# The quote search index (FTS5 over evidence, kept in step by triggers), in the form
# sqlite-utils' enable_fts writes it, so databases made before versioning compare equal.
_FTS_COLUMNS = ("quote", "measure_text")
_FTS_TABLE = """CREATE VIRTUAL TABLE IF NOT EXISTS "evidence_fts" USING FTS5 (
    "quote", "measure_text",
    content="evidence"
)"""
_FTS_TRIGGERS = {
    "evidence_ai": """CREATE TRIGGER IF NOT EXISTS "evidence_ai" AFTER INSERT ON "evidence" BEGIN
  INSERT INTO "evidence_fts" (rowid, "quote", "measure_text") VALUES (new.rowid, new."quote", new."measure_text");
END""",  # noqa: E501
    "evidence_ad": """CREATE TRIGGER IF NOT EXISTS "evidence_ad" AFTER DELETE ON "evidence" BEGIN
  INSERT INTO "evidence_fts" ("evidence_fts", rowid, "quote", "measure_text") VALUES('delete', old.rowid, old."quote", old."measure_text");
END""",  # noqa: E501
    "evidence_au": """CREATE TRIGGER IF NOT EXISTS "evidence_au" AFTER UPDATE ON "evidence" BEGIN
  INSERT INTO "evidence_fts" ("evidence_fts", rowid, "quote", "measure_text") VALUES('delete', old.rowid, old."quote", old."measure_text");
  INSERT INTO "evidence_fts" (rowid, "quote", "measure_text") VALUES (new.rowid, new."quote", new."measure_text");
END""",  # noqa: E501
}

SQLITE_HEADER = b"SQLite format 3\x00"

# What a non-SQLite file given as --db most likely is, so the message can say it.
_LOOKS_LIKE = (
    (b"%PDF-", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive or an Office document"),
    (b"\x1f\x8b", "a gzip archive"),
)


class SchemaError(UserError):
    """A file that is not (or not yet, or no longer) an evidence database this code can
    write; the message says what it is and what to do, in one line."""


def check_is_sqlite(path: Path) -> None:
    """Refuse an existing file that is not a SQLite database, before SQLite touches it.

    An empty file is fine (SQLite treats it as a new database).
    """
    if path.is_dir():
        raise SchemaError(f"{path} is a folder; --db takes the path of a database file")
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except PermissionError as error:
        raise SchemaError(
            f"cannot read {path} (permission denied): make it readable or choose another --db"
        ) from error
    if not head or head == SQLITE_HEADER:
        return
    what = next((name for magic, name in _LOOKS_LIKE if head.startswith(magic)), None)
    if what is None:
        what = "a text file" if _looks_like_text(head) else "not a SQLite database"
    raise SchemaError(
        f"{path} is {what}, not an evidence database; "
        "give --db a new file name (or an existing evidence database)"
    )


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(char.isprintable() or char in "\t\n\r\f" for char in text)


def ensure_schema(conn: sqlite3.Connection, label: str = "the database") -> None:
    """Create, or migrate to, the current schema, in one transaction; refuse foreign files.

    `label` names the file in messages. The connection must not be inside a transaction.
    """
    if conn.in_transaction:
        raise RuntimeError("ensure_schema needs a connection outside a transaction")
    refuse_unknown(conn, label)  # read-only check first: nothing is written to a refused file
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the write lock: another process may have created it meanwhile.
        application_id, version = _header(conn)
        if application_id == APPLICATION_ID and version == SCHEMA_VERSION:
            if _complete(conn):
                conn.execute("COMMIT")
                return
        refuse_unknown(conn, label)
        _create_or_migrate(conn)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _header(conn: sqlite3.Connection) -> tuple[int, int]:
    # fetchall, not fetchone: a statement stepped to its row but not to its end stays
    # "in progress" for as long as its cursor lives, and a COMMIT then fails ("cannot
    # commit transaction - SQL statements in progress"); a thread that samples frames, as
    # Dask's worker profiler does, can keep such a cursor alive past its line
    application_id = conn.execute("PRAGMA application_id").fetchall()[0][0]
    version = conn.execute("PRAGMA user_version").fetchall()[0][0]
    return application_id, version


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f'pragma table_info("{table}")')}


def refuse_unknown(conn: sqlite3.Connection, label: str) -> None:
    """Raise SchemaError unless the file is empty, ours, or ours from before versioning."""
    try:
        application_id, version = _header(conn)
        tables = _tables(conn)
    except sqlite3.DatabaseError as error:
        raise SchemaError(
            f"{label} is not a SQLite database ({error}); give --db a new file name"
        ) from error
    if application_id == APPLICATION_ID:
        if version > SCHEMA_VERSION:
            raise SchemaError(
                f"{label} was written by a newer extractor (schema version {version}; this "
                f"one knows up to {SCHEMA_VERSION}): upgrade clinical-evidence-extractor"
            )
        return
    if application_id != 0:
        raise SchemaError(
            f"{label} belongs to another application (application_id {application_id:#x}); "
            "give --db a new file name"
        )
    if not tables:
        return  # a new, empty database
    if "documents" in tables and {"doc_id", "sha256", "extractor_version"} <= _columns(
        conn, "documents"
    ):
        return  # written before the schema was versioned: migrated below
    shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
    raise SchemaError(
        f"{label} is a SQLite database of another application (tables: {shown}), "
        "not an evidence database; give --db a new file name"
    )


def _complete(conn: sqlite3.Connection) -> bool:
    """Whether every table, column, index and trigger of the schema is there."""
    names = {r[0] for r in conn.execute("select name from sqlite_master")}
    wanted = set(TABLES) | set(INDEXES) | set(_FTS_TRIGGERS) | {"evidence_fts"}
    if not wanted <= names:
        return False
    return all(set(columns) <= _columns(conn, table) for table, columns in TABLES.items())


def _create_or_migrate(conn: sqlite3.Connection) -> None:
    """Bring any earlier state (nothing, unversioned, half-made) to the current schema.

    Every step is idempotent, so the same code creates a new database and repairs one an
    older, non-atomic version left without its indexes.
    """
    for statement in schema_statements(conn):
        conn.execute(statement)


def schema_statements(conn: sqlite3.Connection) -> Iterator[str]:
    """The statements that bring the connection's database to the current schema."""
    existing = _tables(conn)
    for table, columns in TABLES.items():
        if table not in existing:
            yield _create_table(table, columns)
            continue
        present = _columns(conn, table)
        for column, kind in columns.items():
            if column not in present:
                yield f'ALTER TABLE "{table}" ADD COLUMN "{column}" {_SQL_TYPES[kind]}'
    for name, (table, columns) in INDEXES.items():
        quoted = ", ".join(f'"{c}"' for c in columns)
        yield f'CREATE INDEX IF NOT EXISTS "{name}"\n    ON "{table}" ({quoted})'
    fts_missing = "evidence_fts" not in existing
    yield _FTS_TABLE
    if fts_missing and "evidence" in existing:
        # rows written before the index existed become searchable too
        yield 'INSERT INTO "evidence_fts"("evidence_fts") VALUES(\'rebuild\')'
    yield from _FTS_TRIGGERS.values()


def _create_table(table: str, columns: dict[str, type]) -> str:
    lines = [
        f'   "{name}" {_SQL_TYPES[kind]}{_CONSTRAINTS.get((table, name), "")}'
        for name, kind in columns.items()
    ]
    return f'CREATE TABLE "{table}" (\n' + ",\n".join(lines) + "\n)"

"""The database schema: versioned, created in one transaction, and never imposed on a
file that is not an evidence database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlite_utils

from extractor import schema, store
from extractor.schema import SchemaError

REPO = Path(__file__).resolve().parent.parent


def first_schema_database(path: Path, with_indexes: bool = True) -> None:
    """A database as the first, unversioned release made it (sqlite-utils calls, no
    transaction, no version), with one document and one evidence row."""
    db = sqlite_utils.Database(path)
    db.enable_wal()
    db["documents"].create(
        {"doc_id": str, "source_type": str, "sha256": str, "status": str, "error": str,
         "text": str, "pages": int, "extractor_version": str, "encoding": str,
         "warnings": str, "page_starts": str, "size_bytes": int},
        pk="doc_id",
        not_null={"status"},
    )  # fmt: skip
    db["evidence"].create(
        {column: kind for column, kind in schema.EVIDENCE_COLUMNS.items()},
        pk="id",
        foreign_keys=[("doc_id", "documents", "doc_id")],
        not_null={"doc_id", "kind"},
    )
    if with_indexes:
        db["evidence"].create_index(["doc_id", "char_start"])
        db["evidence"].create_index(["kind", "measure"])
    db["documents"].insert({"doc_id": "a.txt", "status": "ok", "sha256": "0", "text": "x"})
    db["evidence"].insert({"id": "a-1", "doc_id": "a.txt", "kind": "score", "quote": "VAS 7.8"})
    db.close()


def names(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("select name from sqlite_master")}


def header(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        return (
            conn.execute("pragma application_id").fetchone()[0],
            conn.execute("pragma user_version").fetchone()[0],
        )


def test_a_new_database_carries_the_application_id_and_schema_version(tmp_path: Path) -> None:
    store.open_database(tmp_path / "e.db").close()
    assert header(tmp_path / "e.db") == (schema.APPLICATION_ID, schema.SCHEMA_VERSION)


def test_a_new_database_has_every_table_index_and_trigger(tmp_path: Path) -> None:
    store.open_database(tmp_path / "e.db").close()
    wanted = set(schema.TABLES) | set(schema.INDEXES) | {"evidence_fts", "evidence_ai"}
    assert wanted <= names(tmp_path / "e.db")


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"Results: 148 patients were included.\n", "a text file"),
        (b"%PDF-1.7\n1 0 obj <<>> endobj\n", "a PDF"),
        (bytes(range(256)), "not a SQLite database"),
    ],
    ids=["text", "pdf", "binary"],
)
def test_a_file_that_is_not_sqlite_is_refused_and_left_unchanged(
    tmp_path: Path, content: bytes, what: str
) -> None:
    path = tmp_path / "paper.db"
    path.write_bytes(content)
    with pytest.raises(SchemaError, match=what) as refused:
        store.open_database(path)
    assert "--db" in str(refused.value) and "\n" not in str(refused.value)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paper.db"]


def test_another_applications_database_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table customers (id integer primary key, name text)")
        conn.execute("insert into customers (name) values ('Ada')")
    before = path.read_bytes()
    with pytest.raises(SchemaError, match="another application.*customers"):
        store.open_database(path)
    assert path.read_bytes() == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "delete"


def test_a_database_marked_by_another_application_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("pragma application_id = 1234")
        conn.execute("create table documents (doc_id text, sha256 text, extractor_version text)")
    with pytest.raises(SchemaError, match="another application"):
        store.open_database(path)


def test_a_database_of_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    store.open_database(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"pragma user_version = {schema.SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    with pytest.raises(SchemaError, match="newer extractor"):
        store.open_database(path)
    assert path.read_bytes() == before


def test_a_database_of_the_first_unversioned_schema_is_migrated_with_its_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    first_schema_database(path)
    db = store.open_database(path)
    assert header(path) == (schema.APPLICATION_ID, schema.SCHEMA_VERSION)
    assert [r["id"] for r in db["evidence"].rows] == ["a-1"]
    assert [r["id"] for r in db["evidence"].search("VAS")] == ["a-1"], "old rows searchable"
    assert {"sections", "idx_sections_doc_id_char_start"} <= names(path)


def test_indexes_a_killed_first_release_left_missing_are_created(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    first_schema_database(path, with_indexes=False)
    store.open_database(path).close()
    assert set(schema.INDEXES) <= names(path)


def test_a_kill_during_schema_creation_leaves_no_half_made_schema(tmp_path: Path) -> None:
    """The process dies (os._exit, as a SIGKILL would) when SQLite starts the first
    CREATE INDEX; the next open must end with every index there."""
    path = tmp_path / "e.db"
    code = textwrap.dedent(
        f"""
        import os, sqlite3
        real_connect = sqlite3.connect
        def connect(*args, **kwargs):
            conn = real_connect(*args, **kwargs)
            def trace(sql):
                if "CREATE INDEX" in sql.upper():
                    os._exit(9)
            conn.set_trace_callback(trace)
            return conn
        sqlite3.connect = connect
        from extractor import store
        store.open_database({str(path)!r})
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    killed = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path)
    assert killed.returncode == 9
    store.open_database(path).close()
    assert set(schema.INDEXES) <= names(path)
    assert header(path) == (schema.APPLICATION_ID, schema.SCHEMA_VERSION)


def test_processes_creating_one_database_at_once_all_succeed(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    code = f"from extractor import store; store.open_database({str(path)!r}).close()"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    processes = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    errors = [p.communicate()[1].decode() for p in processes]
    assert [p.returncode for p in processes] == [0] * 4, errors
    assert set(schema.INDEXES) <= names(path)

"""The database: the contract's columns, atomic per-document writes, removal."""

from __future__ import annotations

import pickle
import re
import sqlite3
from pathlib import Path

import pytest

from extractor import store
from extractor.types import DocumentResult, Evidence

CONTRACT = Path(__file__).resolve().parent.parent / "docs" / "EVIDENCE.md"


def contract_columns(table: str) -> list[str]:
    """Column names listed in the contract's table for `table`."""
    text = CONTRACT.read_text(encoding="utf-8")
    block = text.split(f"## `{table}`", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    names: list[str] = []
    for cell in re.findall(r"^\| (`[^|]+`) \|", block, flags=re.M):
        names += re.findall(r"`([a-z_0-9]+)`", cell)
    return names


def result(doc_id: str = "a.txt", values: tuple[float, ...] = (148,)) -> DocumentResult:
    text = "In the RCT of 148 patients, mean NRS fell."
    rows = [
        Evidence(
            kind="sample_size",
            value=v,
            char_start=14,
            char_end=26,
            rule="test",
            id=f"{doc_id}-{i}",
            doc_id=doc_id,
            quote=text,
        )
        for i, v in enumerate(values)
    ]
    return DocumentResult(
        doc_id=doc_id,
        source_type="text",
        sha256="0" * 64,
        status="ok",
        extractor_version="test",
        text=text,
        evidence=rows,
    )


def test_schema_has_every_contract_column(tmp_path: Path) -> None:
    db = store.open_database(tmp_path / "e.db")
    for table in ("documents", "evidence"):
        expected = contract_columns(table)
        assert len(expected) > 5, f"could not read the contract for {table}"
        assert set(expected) <= set(db[table].columns_dict), table


def test_evidence_table_exists_before_any_row(tmp_path: Path) -> None:
    db = store.open_database(tmp_path / "e.db")
    assert db["evidence"].exists() and db["evidence"].count == 0


def test_database_is_in_wal_mode(tmp_path: Path) -> None:
    db = store.open_database(tmp_path / "e.db")
    assert db.journal_mode == "wal"


def test_writing_a_document_again_replaces_its_rows(tmp_path: Path) -> None:
    db = store.open_database(tmp_path / "e.db")
    store.write_document(db, result(values=(148, 102)))
    store.write_document(db, result(values=(46,)))
    assert [r["value"] for r in db["evidence"].rows] == [46]


def test_a_failed_write_leaves_the_previous_rows(tmp_path: Path) -> None:
    db = store.open_database(tmp_path / "e.db")
    store.write_document(db, result(values=(148,)))
    broken = result(values=(1, 2))
    broken.evidence[1].id = broken.evidence[0].id  # duplicate primary key mid-write
    with pytest.raises(sqlite3.IntegrityError):
        store.write_document(db, broken)
    assert [r["value"] for r in db["evidence"].rows] == [148]


def test_rows_made_apart_from_the_writer_store_every_evidence_field_as_as_row_gives_it(
    tmp_path: Path,
) -> None:
    document = result(values=(148, 102))
    document.evidence[0].flags = ["estimated", "from_table"]
    document.evidence[1].page, document.evidence[1].section = 3, "Results"
    rows = pickle.loads(pickle.dumps(store.document_rows(document)))  # as a worker sends them
    db = store.open_database(tmp_path / "e.db")
    store.write_rows(db, rows)
    stored = list(db.query("select * from evidence order by rowid"))
    expected = [e.as_row() for e in document.evidence]
    assert [{c: row[c] for c in store.EVIDENCE_COLUMNS} for row in stored] == [
        {c: row[c] for c in store.EVIDENCE_COLUMNS} for row in expected
    ]


def test_a_list_in_a_numeric_evidence_field_is_stored_as_json_text(tmp_path: Path) -> None:
    document = result()
    document.evidence[0].sd = [1.5, 2.0]  # type: ignore[assignment]  # a matcher's slip
    db = store.open_database(tmp_path / "e.db")
    store.write_document(db, document)
    assert next(db["evidence"].rows)["sd"] == "[1.5, 2.0]"


def test_document_rows_say_which_document_they_are_and_how_it_went(tmp_path: Path) -> None:
    rows = store.document_rows(result("b.txt", values=(1, 2, 3)))
    assert (rows.doc_id, rows.status, rows.error, len(rows.evidence)) == ("b.txt", "ok", None, 3)
    assert rows.extractor_version == "test"


def test_removing_a_document_removes_its_evidence(tmp_path: Path) -> None:
    db = store.open_database(tmp_path / "e.db")
    store.write_document(db, result("a.txt"))
    store.write_document(db, result("b.txt"))
    assert store.remove_documents(db, ["a.txt"]) == 1
    assert {r["doc_id"] for r in db["evidence"].rows} == {"b.txt"}
    assert [r["doc_id"] for r in db["documents"].rows] == ["b.txt"]


def test_quotes_are_full_text_searchable(tmp_path: Path) -> None:
    db = store.open_database(tmp_path / "e.db")
    store.write_document(db, result())
    hits = list(db["evidence"].search("RCT"))
    assert len(hits) == 1


def test_a_count_beyond_64_bits_is_stored_as_null_with_a_flag(tmp_path: Path) -> None:
    db = store.open_database(tmp_path / "e.db")
    document = result()
    document.evidence[0].count = 1
    document.evidence[0].denominator = 10**19  # `4% (1/10000000000000000000)`
    store.write_document(db, document)
    [row] = db["evidence"].rows
    assert (row["count"], row["denominator"]) == (1, None)
    assert row["flags"] == "unrepresentable_number"


@pytest.mark.parametrize(
    "value",
    [float("inf"), float("-inf"), float("nan"), 10**309],
    ids=["inf", "-inf", "nan", "1e309"],
)
def test_a_value_sqlite_cannot_hold_is_stored_as_null_with_a_flag(
    tmp_path: Path, value: float
) -> None:
    db = store.open_database(tmp_path / "e.db")
    document = result()
    document.evidence[0].value = value
    store.write_document(db, document)
    [row] = db["evidence"].rows
    assert row["value"] is None and row["flags"] == "unrepresentable_number"


def test_a_lone_surrogate_is_stored_as_a_replacement_character_at_the_same_offset(
    tmp_path: Path,
) -> None:
    db = store.open_database(tmp_path / "e.db")
    document = result()
    document.text = "In the \ud835 RCT of 148 patients, mean NRS fell."
    document.evidence[0].quote = document.text
    store.write_document(db, document)
    [doc] = db["documents"].rows
    assert doc["text"] == "In the \ufffd RCT of 148 patients, mean NRS fell."
    assert len(doc["text"]) == len(document.text)
    assert "U+FFFD" in doc["warnings"]
    assert next(db["evidence"].rows)["quote"] == doc["text"]


def test_a_second_writer_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    with store.writer_lock(path):
        with pytest.raises(store.StoreError, match="another extract run is writing"):
            with store.writer_lock(path):
                pass
    with store.writer_lock(path):  # released when the first block ends
        pass


def _cursors_kept_alive(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every cursor sqlite-utils returns is kept, as a thread sampling frames (Dask's worker
    profiler) may keep one past its line."""
    import sqlite_utils

    kept: list = []
    execute = sqlite_utils.Database.execute

    def keeping(self, sql, parameters=None):  # noqa: ANN001, ANN202
        cursor = execute(self, sql, parameters)
        kept.append(cursor)
        return cursor

    monkeypatch.setattr(sqlite_utils.Database, "execute", keeping)
    return kept


def test_a_shard_opens_while_its_pragma_cursors_are_still_alive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = _cursors_kept_alive(monkeypatch)
    db = store.open_shard(tmp_path / "shard.db")
    try:
        assert kept, "open_shard ran no statement through sqlite-utils"
        assert "documents" in db.table_names()
    finally:
        db.close()


def test_a_database_opens_while_its_pragma_cursors_are_still_alive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cursors_kept_alive(monkeypatch)
    db = store.open_database(tmp_path / "evidence.db")
    try:
        assert "evidence" in db.table_names()
    finally:
        db.close()

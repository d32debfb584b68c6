"""The text snapshot of the evidence: canonical, stable, and written only when it changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from extractor.review.snapshot import (
    DOCUMENTS_FILE,
    SnapshotError,
    canonical_number,
    format_number,
    read_snapshot,
    rows_file_path,
    state_from_database,
    write_snapshot,
)
from extractor.store import open_database, remove_documents, write_document
from extractor.types import DocumentResult, Evidence

TEXT = (
    "Results: 148 patients were included. VAS improved from 7.83 (± 1.71) at baseline "
    "to 3.1 at 12 months (p < 0.001)."
)


def _evidence(mention: str, kind: str = "score", **attrs) -> Evidence:
    start = TEXT.index(mention)
    sentence_start = TEXT.rfind(". ", 0, start)
    sentence_start = 0 if sentence_start < 0 else sentence_start + 2
    sentence_end = TEXT.find(".", start + len(mention))
    sentence_end = len(TEXT) if sentence_end < 0 else sentence_end + 1
    attrs.setdefault("id", f"{kind}-{start}")
    return Evidence(
        kind=kind,
        value=attrs.pop("value", None),
        char_start=start,
        char_end=start + len(mention),
        rule=attrs.pop("rule", "test_rule"),
        quote=TEXT[sentence_start:sentence_end],
        quote_start=sentence_start,
        quote_end=sentence_end,
        **attrs,
    )


def _document(doc_id: str, evidence: list[Evidence], **kw) -> DocumentResult:
    for e in evidence:
        e.doc_id = doc_id
        e.id = f"{doc_id}#{e.id}"  # ids are unique across documents, as the real ones
    return DocumentResult(
        doc_id=doc_id,
        source_type=kw.pop("source_type", "text"),
        sha256=kw.pop("sha256", "0" * 64),
        status=kw.pop("status", "ok"),
        extractor_version="test-1",
        text=kw.pop("text", TEXT),
        evidence=evidence,
        **kw,
    )


def _rows() -> list[Evidence]:
    return [
        _evidence("3.1", value=3.1, measure="VAS pain", timepoint="follow-up", months=12.0),
        _evidence("148 patients", kind="sample_size", value=148.0, measure="patients"),
        _evidence("7.83 (± 1.71)", value=7.83, measure="VAS pain", sd=1.71, timepoint="baseline"),
    ]


@pytest.fixture
def db(tmp_path: Path):
    database = open_database(tmp_path / "e.db")
    write_document(database, _document("a.txt", _rows()))
    write_document(database, _document("nested/b.txt", [_rows()[0]]))
    write_document(
        database,
        _document(
            "broken.pdf",
            [],
            source_type="pdf",
            status="error",
            text=None,
            error="the PDF is encrypted\tand\nunreadable",
        ),
    )
    return database


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_integral_floats_print_without_a_decimal_point() -> None:
    assert format_number(12.0) == "12"
    assert format_number(148) == "148"


def test_float_noise_is_rounded_away() -> None:
    assert format_number(0.1 + 0.2) == "0.3"
    assert canonical_number(0.1 + 0.2) == 0.3


def test_small_numbers_keep_ten_significant_digits() -> None:
    assert format_number(1 / 7) == "0.1428571429"
    assert format_number(0.00001) == "1e-05"


def test_one_file_per_document_mirroring_subfolders(db, tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    write_snapshot(db, folder)
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert files == [DOCUMENTS_FILE, "a.txt.jsonl", "broken.pdf.jsonl", "nested/b.txt.jsonl"]


def test_rows_are_sorted_by_position_after_a_header(db, tmp_path: Path) -> None:
    write_snapshot(db, tmp_path / "snap")
    lines = _lines(tmp_path / "snap" / "a.txt.jsonl")
    assert lines[0] == {"snapshot": 1, "doc_id": "a.txt"}
    starts = [row["char_start"] for row in lines[1:]]
    assert starts == sorted(starts) and len(starts) == 3


def test_a_row_carries_its_mention_and_quote(db, tmp_path: Path) -> None:
    write_snapshot(db, tmp_path / "snap")
    baseline = _lines(tmp_path / "snap" / "a.txt.jsonl")[2]
    assert baseline["mention"] == "7.83 (± 1.71)"
    assert baseline["quote"].startswith("VAS improved from 7.83")
    assert baseline["timepoint"] == "baseline" and baseline["sd"] == 1.71


def test_numbers_are_written_canonically(db, tmp_path: Path) -> None:
    write_snapshot(db, tmp_path / "snap")
    text = (tmp_path / "snap" / "a.txt.jsonl").read_text(encoding="utf-8")
    assert '"value": 148,' in text and '"months": 12,' in text
    assert ".0," not in text


def test_null_columns_are_left_out_of_the_line(db, tmp_path: Path) -> None:
    write_snapshot(db, tmp_path / "snap")
    sample = _lines(tmp_path / "snap" / "a.txt.jsonl")[1]
    assert sample["kind"] == "sample_size" and "months" not in sample and "sd" not in sample


def test_error_documents_are_listed_with_their_reason(db, tmp_path: Path) -> None:
    write_snapshot(db, tmp_path / "snap")
    lines = (tmp_path / "snap" / DOCUMENTS_FILE).read_text(encoding="utf-8").split("\n")
    assert lines[0] == "doc_id\tsource_type\tstatus\tevidence\tsha256\textractor_version\terror"
    broken = next(line for line in lines if line.startswith("broken.pdf\t"))
    assert broken.split("\t")[2:4] == ["error", "0"]
    assert broken.endswith("the PDF is encrypted\\tand\\nunreadable")


def test_snapshot_reads_back_as_the_database(db, tmp_path: Path) -> None:
    write_snapshot(db, tmp_path / "snap")
    from_db = state_from_database(db)
    from_folder = read_snapshot(tmp_path / "snap")
    assert from_folder.documents == from_db.documents
    assert from_folder.rows == from_db.rows
    assert from_folder.documents["broken.pdf"].error == "the PDF is encrypted\tand\nunreadable"


def test_unchanged_database_leaves_every_byte_and_mtime_alone(db, tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    write_snapshot(db, folder)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}
    dir_mtimes = {p: p.stat().st_mtime_ns for p in [folder, *folder.rglob("*")] if p.is_dir()}
    stats = write_snapshot(db, folder)
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}
    assert after == before
    assert {p: p.stat().st_mtime_ns for p in dir_mtimes} == dir_mtimes
    assert (stats.written, stats.deleted, stats.unchanged) == (0, 0, 4)


def test_only_the_changed_document_file_is_rewritten(db, tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    write_snapshot(db, folder)
    untouched = folder / "nested" / "b.txt.jsonl"
    mtime = untouched.stat().st_mtime_ns
    rows = _rows()
    rows[0].months = 6.0
    write_document(db, _document("a.txt", rows))
    stats = write_snapshot(db, folder)
    assert stats.written == 1
    assert untouched.stat().st_mtime_ns == mtime
    assert '"months": 6,' in (folder / "a.txt.jsonl").read_text(encoding="utf-8")


def test_files_of_removed_documents_are_deleted(db, tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    write_snapshot(db, folder)
    remove_documents(db, ["nested/b.txt"])
    stats = write_snapshot(db, folder)
    assert stats.deleted == 1
    assert not (folder / "nested").exists()
    assert "nested/b.txt" not in (folder / DOCUMENTS_FILE).read_text(encoding="utf-8")


def test_files_that_are_not_snapshot_files_survive(db, tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    folder.mkdir()
    (folder / "README.md").write_text("hand-written")
    write_snapshot(db, folder)
    assert (folder / "README.md").read_text() == "hand-written"


def test_leftover_temp_files_of_an_interrupted_write_are_cleaned(db, tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    folder.mkdir()
    (folder / ".a.txt.jsonl.abc123.tmp").write_text("half")
    write_snapshot(db, folder)
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".*.tmp"))


def test_unsafe_doc_ids_map_to_safe_paths_inside_the_folder() -> None:
    assert rows_file_path("a/b.txt").as_posix() == "a/b.txt.jsonl"
    assert rows_file_path("../x.txt").as_posix() == "%2E%2E/x.txt.jsonl"
    assert rows_file_path('c:\\d*?"<>|.txt').as_posix() == "c%3A%5Cd%2A%3F%22%3C%3E%7C.txt.jsonl"
    assert rows_file_path("ünïcode name.pdf").as_posix() == "%C3%BCn%C3%AFcode name.pdf.jsonl"


def test_unsafe_doc_id_round_trips_through_the_header(tmp_path: Path) -> None:
    database = open_database(tmp_path / "e.db")
    write_document(database, _document("../odd:name.txt", [_rows()[1]]))
    write_snapshot(database, tmp_path / "snap")
    assert set(read_snapshot(tmp_path / "snap").documents) == {"../odd:name.txt"}
    assert all(tmp_path / "snap" in p.parents for p in (tmp_path / "snap").rglob("*"))


def test_line_separators_inside_a_quote_do_not_split_the_row(tmp_path: Path) -> None:
    text = "A\u2028B 12 patients\u0085 C\r\nD"
    database = open_database(tmp_path / "e.db")
    start = text.index("12")
    row = Evidence(
        kind="sample_size",
        value=12,
        char_start=start,
        char_end=start + 2,
        rule="r",
        quote=text,
        id="r1",
        doc_id="d.txt",
    )
    write_document(database, _document("d.txt", [row], text=text))
    write_snapshot(database, tmp_path / "snap")
    raw = (tmp_path / "snap" / "d.txt.jsonl").read_bytes()
    assert raw.count(b"\n") == 2 and b"\r" not in raw
    assert read_snapshot(tmp_path / "snap").rows["d.txt"][0]["quote"] == text


def test_files_use_unix_newlines_and_utf8(db, tmp_path: Path) -> None:
    write_snapshot(db, tmp_path / "snap")
    raw = (tmp_path / "snap" / "a.txt.jsonl").read_bytes()
    assert b"\r\n" not in raw and "±".encode() in raw and raw.endswith(b"\n")


def test_a_folder_without_documents_file_is_not_a_snapshot(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="not an evidence snapshot"):
        read_snapshot(tmp_path)


def test_the_same_database_gives_the_same_bytes_in_another_folder(db, tmp_path: Path) -> None:
    write_snapshot(db, tmp_path / "one")
    write_snapshot(db, tmp_path / "two")
    for path in (tmp_path / "one").rglob("*.jsonl"):
        twin = tmp_path / "two" / path.relative_to(tmp_path / "one")
        assert twin.read_bytes() == path.read_bytes()
    assert sorted(os.listdir(tmp_path / "one")) == sorted(os.listdir(tmp_path / "two"))

"""Writing the snapshot: one document at a time, so memory does not grow with the
database; files readable by others, as committed files are."""

from __future__ import annotations

import os
import stat
import tracemalloc
from pathlib import Path

from extractor.review.snapshot import read_snapshot, rows_file_path, write_snapshot
from extractor.store import open_database, write_document
from extractor.types import DocumentResult, Evidence

TEXT = "Results: " + " ".join(f"VAS was {i}.5 at {i} months." for i in range(40))


def database(path: Path, documents: int, rows: int = 40) -> Path:
    db = open_database(path)
    for d in range(documents):
        doc_id = f"doc{d:05d}.txt"
        evidence = [
            Evidence(kind="score", value=i + 0.5, char_start=9 + i, char_end=12 + i,
                     rule="r", quote=TEXT, id=f"{doc_id}-{i}", doc_id=doc_id)
            for i in range(rows)
        ]  # fmt: skip
        write_document(
            db,
            DocumentResult(doc_id=doc_id, source_type="text", sha256="0" * 64, status="ok",
                           extractor_version="t", text=TEXT, evidence=evidence),
        )  # fmt: skip
    db.close()
    return path


def peak_bytes_writing(db: Path, folder: Path) -> int:
    tracemalloc.start()
    try:
        write_snapshot(db, folder)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_writing_memory_does_not_grow_with_the_number_of_documents(tmp_path: Path) -> None:
    small = peak_bytes_writing(database(tmp_path / "small.db", 20), tmp_path / "s1")
    large = peak_bytes_writing(database(tmp_path / "large.db", 320), tmp_path / "s2")
    assert large < 2 * small, f"16x the documents took {large / small:.1f}x the memory"


def test_snapshot_files_get_the_usual_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_snapshot(database(tmp_path / "e.db", 2), tmp_path / "snap")
    finally:
        os.umask(old)
    modes = {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "snap").rglob("*") if p.is_file()}
    assert modes == {0o644}


def test_a_file_at_a_path_its_document_no_longer_maps_to_is_removed(tmp_path: Path) -> None:
    db = database(tmp_path / "e.db", 1)
    folder = tmp_path / "snap"
    write_snapshot(db, folder)
    real = folder / rows_file_path("doc00000.txt")
    stray = folder / "old-layout" / "doc00000.txt.jsonl"
    stray.parent.mkdir()
    stray.write_bytes(real.read_bytes())
    stats = write_snapshot(db, folder)
    assert stats.deleted == 1 and not stray.exists() and real.exists()
    assert list(read_snapshot(folder).documents) == ["doc00000.txt"]


def test_jsonl_files_that_are_not_snapshot_files_are_never_deleted(tmp_path: Path) -> None:
    """A snapshot folder given by mistake (the repository itself) keeps its gold files."""
    folder = tmp_path / "repo"
    gold = folder / "tests" / "gold" / "a.jsonl"
    gold.parent.mkdir(parents=True)
    gold.write_text('{"doc_id": "a.txt", "kind": "score", "value": 7.8}\n', encoding="utf-8")
    write_snapshot(database(tmp_path / "e.db", 1), folder)
    assert gold.exists()

"""Workers hand back each document's rows ready to store, with everything the walk knew
about the file; whatever goes wrong on the way is that document's error row alone."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from extractor.runner.run import run_corpus

TEXT = "Results: A total of {n} patients were included.\n"
ODD_NAME = os.fsdecode(b"caf\xe9.txt")  # not valid UTF-8: the walk warns about it
ODD_ID = "caf\\xe9.txt"


def small_corpus(folder: Path) -> Path:
    folder.mkdir()
    for i, name in enumerate(["a.txt", ODD_NAME, "z.txt"]):
        (folder / name).write_text(TEXT.format(n=100 + i), encoding="utf-8")
    return folder


def document(db: Path, doc_id: str) -> tuple[str, str | None, str | None]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "select status, error, warnings from documents where doc_id = ?", (doc_id,)
        ).fetchone()


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_walks_warning_about_a_file_is_stored_with_its_rows(
    tmp_path: Path, extractor, jobs: int
) -> None:
    db = tmp_path / "e.db"
    run_corpus(small_corpus(tmp_path / "c"), db, extractor=extractor, jobs=jobs)
    status, _, warnings = document(db, ODD_ID)
    assert status == "ok" and warnings is not None and "not valid UTF-8" in warnings


def test_a_document_whose_worker_died_keeps_the_walks_warning(
    tmp_path: Path, extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from extractor import pipeline

    real = pipeline.extract_document

    def dies_on_the_odd_name(data: bytes, doc_id: str, ex):  # type: ignore[no-untyped-def]
        if doc_id == ODD_ID:
            os._exit(3)
        return real(data, doc_id, ex)

    monkeypatch.setattr("extractor.runner.workers.extract_document", dies_on_the_odd_name)
    db = tmp_path / "e.db"
    run_corpus(small_corpus(tmp_path / "c"), db, extractor=extractor, jobs=2)
    status, error, warnings = document(db, ODD_ID)
    assert status == "error" and "exit status 3" in (error or "")
    assert warnings is not None and "not valid UTF-8" in warnings
    assert document(db, "a.txt")[0] == document(db, "z.txt")[0] == "ok"


def test_rows_a_worker_cannot_make_make_their_document_an_error_row(
    tmp_path: Path, extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from extractor import store

    real = store.document_rows

    def fails_for_z(result):  # type: ignore[no-untyped-def]
        if result.doc_id == "z.txt" and result.status == "ok":
            raise ValueError("a value no rule foresaw")
        return real(result)

    monkeypatch.setattr("extractor.runner.workers.document_rows", fails_for_z)
    db = tmp_path / "e.db"
    summary = run_corpus(small_corpus(tmp_path / "c"), db, extractor=extractor, jobs=2)
    status, error, _ = document(db, "z.txt")
    assert status == "error" and "could not be stored (ValueError" in (error or "")
    assert document(db, "a.txt")[0] == "ok" and summary.failed == 1

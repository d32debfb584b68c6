"""A corpus run: what it reads, skips, replaces, removes, and how it survives bad input
and interruption."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor import pipeline
from extractor.run import corpus_files, run_corpus

REPO = Path(__file__).resolve().parent.parent


def rows(db_path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


def test_walk_is_recursive_and_takes_only_text_markdown_and_pdf(tmp_path: Path) -> None:
    (tmp_path / "nested" / "deeper").mkdir(parents=True)
    for name in ["a.txt", "nested/b.md", "nested/deeper/c.PDF", "d.docx", "e.csv"]:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "f.txt").write_bytes(b"x")
    assert [doc_id for doc_id, _ in corpus_files(tmp_path)] == [
        "a.txt",
        "nested/b.md",
        "nested/deeper/c.PDF",
    ]


def test_every_sample_document_is_read(corpus_copy: Path, tmp_path: Path, extractor) -> None:
    db = tmp_path / "e.db"
    summary = run_corpus(corpus_copy, db, extractor=extractor)
    n_files = len(list(corpus_files(corpus_copy)))
    assert summary.read == n_files and summary.failed == 0
    statuses = rows(db, "select status, count(*) from documents group by status")
    assert statuses == [("ok", n_files)]
    assert summary.evidence_rows == rows(db, "select count(*) from evidence")[0][0] > 0


def test_second_run_on_unchanged_corpus_reads_nothing(
    corpus_copy: Path, tmp_path: Path, extractor
) -> None:
    db = tmp_path / "e.db"
    first = run_corpus(corpus_copy, db, extractor=extractor)
    second = run_corpus(corpus_copy, db, extractor=extractor)
    assert (second.read, second.skipped, second.evidence_rows) == (0, first.read, 0)
    assert second.total_evidence == first.total_evidence


def test_changed_file_is_reextracted_and_its_old_rows_replaced(
    corpus_copy: Path, tmp_path: Path, extractor
) -> None:
    db = tmp_path / "e.db"
    run_corpus(corpus_copy, db, extractor=extractor)
    doc = corpus_copy / "004_7fb97a0dc5d85665.txt"
    doc.write_text(
        "Results: A total of 212 patients were included in the trial.\n", encoding="utf-8"
    )
    summary = run_corpus(corpus_copy, db, extractor=extractor)
    assert summary.read == 1
    values = rows(db, "select value from evidence where doc_id = ?", (doc.name,))
    assert values == [(212.0,)]


def test_deleted_file_loses_its_rows(corpus_copy: Path, tmp_path: Path, extractor) -> None:
    db = tmp_path / "e.db"
    run_corpus(corpus_copy, db, extractor=extractor)
    (corpus_copy / "000_35dad4553f3b404f.txt").unlink()
    summary = run_corpus(corpus_copy, db, extractor=extractor)
    assert summary.removed == 1
    assert rows(db, "select count(*) from evidence where doc_id like '000_%'") == [(0,)]
    assert rows(db, "select count(*) from documents where doc_id like '000_%'") == [(0,)]


@pytest.mark.slow
def test_edited_pattern_file_reextracts_every_document(
    corpus_copy: Path, patterns_copy: Path, tmp_path: Path
) -> None:
    db = tmp_path / "e.db"
    first = run_corpus(corpus_copy, db, patterns_copy)
    some_file = sorted(p for p in patterns_copy.rglob("*.tsv"))[0]
    some_file.write_text(some_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    second = run_corpus(corpus_copy, db, patterns_copy)
    assert second.read == first.read and second.skipped == 0


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("empty.txt", b"", "empty"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj <<", "PDF"),
        ("not-a-pdf.pdf", b"hello, I am plain text", "PDF"),
    ],
)
def test_bad_file_becomes_an_error_row_and_the_run_goes_on(
    corpus_copy: Path, tmp_path: Path, extractor, name: str, content: bytes, reason: str
) -> None:
    (corpus_copy / name).write_bytes(content)
    db = tmp_path / "e.db"
    summary = run_corpus(corpus_copy, db, extractor=extractor)
    assert summary.failed == 1
    [(status, error)] = rows(db, "select status, error from documents where doc_id = ?", (name,))
    assert status == "error" and reason.lower() in error.lower()
    assert "Traceback" not in error
    assert rows(db, "select count(*) from documents where status = 'ok'")[0][0] >= 5


def test_cp1252_file_is_read_and_the_decoding_recorded(tmp_path: Path, extractor) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "legacy.txt").write_bytes(
        "Results: Pain fell from 7.1 \xb1 1.2 at baseline to 3.2 \xb1 1.5 at 6 months "
        "in 64 patients.".encode("cp1252")
    )
    db = tmp_path / "e.db"
    run_corpus(corpus, db, extractor=extractor)
    [(status, encoding, warnings, text)] = rows(
        db, "select status, encoding, warnings, text from documents"
    )
    assert (status, encoding) == ("ok", "cp1252")
    assert "cp1252" in warnings and "7.1 ± 1.2" in text


@pytest.mark.slow
def test_evidence_ids_are_the_same_on_another_machine(
    corpus_copy: Path, tmp_path: Path, extractor
) -> None:
    elsewhere = tmp_path / "elsewhere" / "corpus"
    shutil.copytree(corpus_copy, elsewhere)
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    run_corpus(corpus_copy, a, extractor=extractor)
    run_corpus(elsewhere, b, extractor=extractor)
    sql = "select id, doc_id, kind, value from evidence order by id"
    assert rows(a, sql) == rows(b, sql) and rows(a, sql)


def test_interrupted_run_keeps_finished_documents_and_resumes(
    corpus_copy: Path, tmp_path: Path, extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "e.db"
    real = pipeline.extract_document
    calls: list[str] = []

    def interrupt_on_third(data: bytes, doc_id: str, ex):  # type: ignore[no-untyped-def]
        calls.append(doc_id)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(data, doc_id, ex)

    monkeypatch.setattr("extractor.workers.extract_document", interrupt_on_third)
    with pytest.raises(KeyboardInterrupt):
        run_corpus(corpus_copy, db, extractor=extractor)
    assert rows(db, "select doc_id from documents order by doc_id") == [(d,) for d in calls[:2]]
    assert rows(db, "pragma integrity_check") == [("ok",)]

    monkeypatch.setattr("extractor.workers.extract_document", real)
    resumed = run_corpus(corpus_copy, db, extractor=extractor)
    total = len(list(corpus_files(corpus_copy)))
    assert (resumed.skipped, resumed.read) == (2, total - 2)


@pytest.mark.slow
def test_killed_process_leaves_a_consistent_database_that_the_next_run_completes(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    source = (REPO / "corpus" / "001_1cd16be5a574c92a.txt").read_text(encoding="utf-8")
    copies = 40
    for i in range(copies):
        (corpus / f"copy_{i:03d}.txt").write_text(f"Copy {i}.\n\n{source}", encoding="utf-8")
    db = tmp_path / "e.db"
    command = [sys.executable, "-m", "extractor", str(corpus), "--db", str(db), "--no-snapshot"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(command, cwd=tmp_path, env=env)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        try:
            done = rows(db, "select count(*) from documents")[0][0]
        except sqlite3.Error:
            continue
        if done >= 3:
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 3 <= done < copies, "the run should have been killed part-way"

    assert rows(db, "pragma integrity_check") == [("ok",)]
    orphans = "select count(*) from evidence where doc_id not in (select doc_id from documents)"
    assert rows(db, orphans) == [(0,)]
    per_doc = set(rows(db, "select count(*) from evidence group by doc_id"))
    assert len(per_doc) == 1, "every committed copy has all of its rows, none half-written"

    committed = rows(db, "select count(*) from documents")[0][0]
    finished = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    read, skipped = map(
        int, re.match(r"(\d+) documents read, (\d+) skipped", finished.stdout).groups()
    )
    assert (read, skipped) == (copies - committed, committed)
    assert rows(db, "select count(*) from documents")[0][0] == copies
    assert set(rows(db, "select count(*) from evidence group by doc_id")) == per_doc


@pytest.mark.slow
def test_parallel_workers_write_the_same_rows_as_one_process(
    corpus_copy: Path, tmp_path: Path, extractor
) -> None:
    serial, parallel = tmp_path / "serial.db", tmp_path / "parallel.db"
    run_corpus(corpus_copy, serial, extractor=extractor)
    summary = run_corpus(corpus_copy, parallel, REPO / "patterns", extractor=extractor, jobs=2)
    assert summary.read == len(list(corpus_files(corpus_copy)))
    sql = "select * from evidence order by id"
    assert rows(parallel, sql) == rows(serial, sql)

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
from extractor.runner.run import corpus_files, run_corpus

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
    corpus_copy: Path, tmp_path: Path, extractor
) -> None:
    """Ctrl-C reaches the parent (workers are their own process group): modelled here as
    KeyboardInterrupt raised in the parent once two documents are committed."""
    db = tmp_path / "e.db"
    committed: list[str] = []

    def interrupt_after_two(doc_id: str) -> None:
        committed.append(doc_id)
        if len(committed) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_corpus(corpus_copy, db, extractor=extractor, on_document=interrupt_after_two)
    assert rows(db, "select doc_id from documents order by doc_id") == [(d,) for d in committed]
    assert rows(db, "pragma integrity_check") == [("ok",)]

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


def test_an_unreadable_file_becomes_an_error_row_and_the_others_are_written(
    corpus_copy: Path, tmp_path: Path
) -> None:
    from process_helpers import run_extract

    locked = corpus_copy / "locked.txt"
    locked.write_text("Results: 148 patients were included.\n", encoding="utf-8")
    locked.chmod(0)
    db = tmp_path / "e.db"
    result = run_extract(
        [str(corpus_copy), "--db", str(db), "--no-snapshot"], tmp_path, unprivileged=True
    )
    assert result.returncode == 0, result.stderr
    [(status, error)] = rows(db, "select status, error from documents where doc_id = 'locked.txt'")
    assert status == "error" and "permission denied" in error
    total = len(list(corpus_files(corpus_copy)))
    assert rows(db, "select count(*) from documents where status = 'ok'") == [(total - 1,)]
    assert "failed: locked.txt: cannot read the file: permission denied" in result.stderr


def test_a_count_of_twenty_digits_does_not_stop_the_run(tmp_path: Path, extractor) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Results: Infection occurred in 4% (1/10000000000000000000) of patients.\n",
        encoding="utf-8",
    )
    (corpus / "b.txt").write_text("Results: 148 patients were included.\n", encoding="utf-8")
    db = tmp_path / "e.db"
    summary = run_corpus(corpus, db, extractor=extractor)
    assert (summary.read, summary.failed) == (2, 0)
    assert rows(db, "select doc_id, status from documents order by doc_id") == [
        ("a.txt", "ok"),
        ("b.txt", "ok"),
    ]


def test_rows_that_cannot_be_stored_make_their_document_an_error_row(
    corpus_copy: Path, tmp_path: Path, extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline.extract_document

    def duplicate_ids(data: bytes, doc_id: str, ex):  # type: ignore[no-untyped-def]
        result = real(data, doc_id, ex)
        if doc_id.startswith("000_") and len(result.evidence) > 1:
            result.evidence[1].id = result.evidence[0].id
        return result

    monkeypatch.setattr("extractor.runner.workers.extract_document", duplicate_ids)
    db = tmp_path / "e.db"
    summary = run_corpus(corpus_copy, db, extractor=extractor)
    [(doc_id, error)] = rows(db, "select doc_id, error from documents where status = 'error'")
    assert doc_id.startswith("000_") and "could not be stored" in error
    assert rows(db, "select count(*) from evidence where doc_id = ?", (doc_id,)) == [(0,)]
    assert summary.failed == 1 and summary.read == len(list(corpus_files(corpus_copy)))


def test_a_file_name_too_long_for_the_snapshot_is_written_under_a_shortened_name(
    tmp_path: Path, extractor
) -> None:
    from extractor.review.snapshot import read_snapshot

    corpus = tmp_path / "c"
    corpus.mkdir()
    name = "a:" * 120 + ".txt"  # 244 bytes; percent-encoded ':' makes it 484
    (corpus / name).write_text("Results: 148 patients were included.\n", encoding="utf-8")
    snapshot = tmp_path / "snapshot"
    summary = run_corpus(corpus, tmp_path / "e.db", extractor=extractor, snapshot_dir=snapshot)
    assert summary.failed == 0
    state = read_snapshot(snapshot)
    assert list(state.documents) == [name] and len(state.rows[name]) == 1
    assert all(len(p.name.encode()) <= 255 for p in snapshot.rglob("*"))

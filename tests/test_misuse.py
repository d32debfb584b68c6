"""Every misuse of `extract` gets one line saying what is wrong and what to do, and a
non-zero exit status; never a traceback, never a file it should not touch altered."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from process_helpers import run_extract

from extractor import store
from extractor.cli import cli


def sample_corpus(folder: Path, count: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"doc{i}.txt").write_text(
            f"Results: A total of {148 + i} patients were included.\n", encoding="utf-8"
        )
    return folder


def one_error_line(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"Results: 148 patients.\n", "text file"),
        (b"%PDF-1.7\n1 0 obj <<>> endobj\n", "PDF"),
    ],
    ids=["text", "pdf"],
)
def test_a_document_given_as_db_is_refused_and_left_unchanged(
    tmp_path: Path, content: bytes, what: str
) -> None:
    db = tmp_path / "paper.txt"
    db.write_bytes(content)
    result = CliRunner().invoke(cli, [str(sample_corpus(tmp_path / "c")), "--db", str(db)])
    assert result.exit_code == 1
    assert what in one_error_line(result.output) and "--db" in result.output
    assert db.read_bytes() == content


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table customers (id integer primary key)")
    result = CliRunner().invoke(cli, [str(sample_corpus(tmp_path / "c")), "--db", str(db)])
    assert result.exit_code == 1
    assert "another application" in one_error_line(result.output)


def test_a_database_of_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    store.open_database(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("pragma user_version = 99")
    result = CliRunner().invoke(cli, [str(sample_corpus(tmp_path / "c")), "--db", str(db)])
    assert result.exit_code == 1
    assert "newer extractor" in one_error_line(result.output)


def test_a_read_only_database_is_refused_before_anything_is_extracted(tmp_path: Path) -> None:
    corpus = sample_corpus(tmp_path / "c")
    db = tmp_path / "e.db"
    store.open_database(db).close()
    db.chmod(0o444)
    result = run_extract(
        [str(corpus), "--db", str(db), "--no-snapshot"], tmp_path, unprivileged=True
    )
    assert result.returncode == 1
    assert "read-only" in one_error_line(result.stderr)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        assert conn.execute("select count(*) from documents").fetchone() == (0,)


def test_a_read_only_folder_for_a_new_database_is_refused(tmp_path: Path) -> None:
    corpus = sample_corpus(tmp_path / "c")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    result = run_extract(
        [str(corpus), "--db", str(folder / "e.db"), "--no-snapshot"], tmp_path, unprivileged=True
    )
    assert result.returncode == 1
    assert "read-only" in one_error_line(result.stderr)


def test_an_empty_patterns_folder_is_refused(tmp_path: Path) -> None:
    patterns = tmp_path / "patterns"
    patterns.mkdir()
    result = CliRunner().invoke(
        cli,
        [
            str(sample_corpus(tmp_path / "c")),
            "--db",
            str(tmp_path / "e.db"),
            "--patterns",
            str(patterns),
        ],
    )
    assert result.exit_code == 1
    assert "--patterns" in one_error_line(result.output)


def test_a_second_run_on_a_database_in_use_is_told_so_plainly(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    with store.writer_lock(db):
        result = CliRunner().invoke(cli, [str(sample_corpus(tmp_path / "c")), "--db", str(db)])
    assert result.exit_code == 1
    assert "another extract run is writing" in one_error_line(result.output)


def test_a_full_disk_stops_the_run_in_one_line_and_keeps_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite says SQLITE_FULL when the disk is full; `max_page_count` makes it say so
    after a few documents, as a disk filling up mid-run would."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(30):
        (corpus / f"doc{i:02d}.txt").write_text(
            f"Results: {100 + i} patients were included. " + "Filler text. " * 400,
            encoding="utf-8",
        )
    real_open = store.open_database

    def nearly_full(path):  # type: ignore[no-untyped-def]
        db = real_open(path)
        pages = db.execute("pragma page_count").fetchone()[0]
        db.execute(f"pragma max_page_count = {pages + 40}")
        return db

    monkeypatch.setattr(store, "open_database", nearly_full)
    db = tmp_path / "e.db"
    result = CliRunner().invoke(cli, [str(corpus), "--db", str(db), "--no-snapshot"])
    assert result.exit_code == 1
    assert "full" in one_error_line(result.output)
    with sqlite3.connect(db) as conn:
        written = conn.execute("select count(*) from documents").fetchone()[0]
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    assert 0 < written < 30


def test_a_failed_snapshot_is_one_line_after_the_database_is_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import extractor.review.snapshot as snapshot

    def disk_full(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(snapshot, "_atomic_write", disk_full)
    db = tmp_path / "e.db"
    result = CliRunner().invoke(cli, [str(sample_corpus(tmp_path / "c")), "--db", str(db)])
    assert result.exit_code == 1
    assert "No space left on device" in one_error_line(result.output)
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from documents").fetchone() == (3,)


def test_two_runs_started_together_never_end_in_a_traceback(tmp_path: Path) -> None:
    """One of them may finish first; otherwise the second says the database is in use."""
    import subprocess
    import sys

    from process_helpers import extract_env

    corpus = sample_corpus(tmp_path / "c", count=6)
    for attempt in range(3):
        db = tmp_path / f"e{attempt}.db"
        command = [sys.executable, "-m", "extractor", str(corpus), "--db", str(db), "--no-snapshot"]
        processes = [
            subprocess.Popen(
                command, env=extract_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for _ in range(2)
        ]
        outcomes = [(p.wait(timeout=300), p.stderr.read().decode()) for p in processes]  # type: ignore[union-attr]
        for code, stderr in outcomes:
            assert "Traceback" not in stderr
            assert code == 0 or (code == 1 and "another extract run is writing" in stderr)
        assert 0 in [code for code, _ in outcomes]
        with sqlite3.connect(db) as conn:
            assert conn.execute("select count(*) from documents").fetchone() == (6,)

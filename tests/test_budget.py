"""Each document runs under a time and memory budget in a worker process; past it, or
when its worker crashes, the document is an error row saying so and the run goes on."""

from __future__ import annotations

import faulthandler
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor import pipeline
from extractor.cli import cli
from extractor.runner.budget import Budget, format_size, parse_size
from extractor.runner.run import run_corpus

TEXT = "Results: A total of {n} patients were included.\n"


def small_corpus(folder: Path, names: list[str]) -> Path:
    folder.mkdir()
    for i, name in enumerate(names):
        (folder / name).write_text(TEXT.format(n=100 + i), encoding="utf-8")
    return folder


def documents(db: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select doc_id, status, error from documents")
        return {r[0]: (r[1], r[2]) for r in rows}


def misbehave_on(name: str, action, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Make extraction of the document `name` do `action()` (in the worker process)."""
    real = pipeline.extract_document

    def patched(data: bytes, doc_id: str, ex):  # type: ignore[no-untyped-def]
        if doc_id == name:
            action()
        return real(data, doc_id, ex)

    monkeypatch.setattr("extractor.runner.workers.extract_document", patched)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_document_past_the_time_budget_becomes_an_error_row_and_the_run_goes_on(
    tmp_path: Path, extractor, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    corpus = small_corpus(tmp_path / "c", ["a.txt", "hangs.txt", "z.txt"])
    misbehave_on("hangs.txt", lambda: time.sleep(3600), monkeypatch)
    db = tmp_path / "e.db"
    summary = run_corpus(corpus, db, extractor=extractor, jobs=jobs, budget=Budget(seconds=1))
    found = documents(db)
    assert found["hangs.txt"] == ("error", Budget(seconds=1).timeout_reason())
    assert "took longer than 1 s" in found["hangs.txt"][1]
    assert found["a.txt"][0] == found["z.txt"][0] == "ok"
    assert summary.failed == 1


def test_memory_past_the_budget_inside_extraction_becomes_an_error_row(
    tmp_path: Path, extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Extraction catches MemoryError itself; the budget is still named as the reason."""
    corpus = small_corpus(tmp_path / "c", ["a.txt", "greedy.txt", "z.txt"])
    real = pipeline.normalise

    def greedy(raw, *rules):  # type: ignore[no-untyped-def]
        if "101" in raw.pages[0]:  # greedy.txt
            hoard = [bytearray(64 * 1024**2) for _ in range(64)]  # 4 GB, past 1 GB
            del hoard
        return real(raw, *rules)

    monkeypatch.setattr(pipeline, "normalise", greedy)
    budget = Budget(memory_bytes=parse_size("1GB"))
    db = tmp_path / "e.db"
    run_corpus(corpus, db, extractor=extractor, budget=budget)
    found = documents(db)
    assert found["greedy.txt"] == ("error", budget.memory_reason())
    assert "needed more than 1 GB of memory" in found["greedy.txt"][1]
    assert found["a.txt"][0] == found["z.txt"][0] == "ok"


def test_memory_error_escaping_extraction_is_the_memory_budget_too(
    tmp_path: Path, extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = small_corpus(tmp_path / "c", ["a.txt", "greedy.txt"])

    def grab() -> None:
        hoard = [bytearray(64 * 1024**2) for _ in range(64)]
        del hoard

    misbehave_on("greedy.txt", grab, monkeypatch)
    budget = Budget(memory_bytes=parse_size("1GB"))
    db = tmp_path / "e.db"
    run_corpus(corpus, db, extractor=extractor, budget=budget)
    assert documents(db)["greedy.txt"] == ("error", budget.memory_reason())
    assert documents(db)["a.txt"][0] == "ok"


def test_a_worker_that_crashes_makes_an_error_row_naming_the_signal(
    tmp_path: Path, extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = small_corpus(tmp_path / "c", ["a.txt", "crash.txt", "z.txt"])

    def segfault() -> None:
        faulthandler.disable()  # pytest's fault handler would print the worker's stack
        os.kill(os.getpid(), signal.SIGSEGV)

    misbehave_on("crash.txt", segfault, monkeypatch)
    db = tmp_path / "e.db"
    run_corpus(corpus, db, extractor=extractor)
    found = documents(db)
    assert found["crash.txt"][0] == "error" and "crashed (SIGSEGV)" in found["crash.txt"][1]
    assert found["a.txt"][0] == found["z.txt"][0] == "ok"


def test_a_hung_document_does_not_hold_up_the_others_with_two_jobs(
    tmp_path: Path, extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["a.txt", "hangs.txt", *(f"doc{i}.txt" for i in range(6))]
    corpus = small_corpus(tmp_path / "c", names)
    misbehave_on("hangs.txt", lambda: time.sleep(3600), monkeypatch)
    finished: list[str] = []
    run_corpus(
        corpus,
        tmp_path / "e.db",
        extractor=extractor,
        jobs=2,
        budget=Budget(seconds=20),
        on_document=finished.append,
    )
    assert finished[-1] == "hangs.txt", "the others finished while it ran out its time"


def test_budget_options_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = small_corpus(tmp_path / "c", ["a.txt", "hangs.txt"])
    misbehave_on("hangs.txt", lambda: time.sleep(3600), monkeypatch)
    result = CliRunner().invoke(
        cli,
        [str(corpus), "--db", str(tmp_path / "e.db"), "--timeout", "1", "--max-memory", "2GB"],
    )
    assert result.exit_code == 0, result.output
    assert "failed: hangs.txt: took longer than 1 s" in result.output


@pytest.mark.parametrize(("size", "says"), [("lots", "2GB"), ("64MB", "at least 512MB")])
def test_a_memory_budget_that_cannot_work_is_a_usage_error(
    tmp_path: Path, size: str, says: str
) -> None:
    corpus = small_corpus(tmp_path / "c", ["a.txt"])
    result = CliRunner().invoke(cli, [str(corpus), "--max-memory", size])
    assert result.exit_code == 2 and says in result.output


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("2GB", 2 * 1024**3),
        ("512M", 512 * 1024**2),
        ("1.5g", int(1.5 * 1024**3)),
        ("800MiB", 800 * 1024**2),
    ],
)
def test_sizes_are_read_as_people_write_them(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_sizes_are_shown_as_people_write_them() -> None:
    assert (format_size(4 * 1024**3), format_size(512 * 1024**2)) == ("4 GB", "512 MB")


def test_a_file_larger_than_the_memory_budget_is_not_read(tmp_path: Path, extractor) -> None:
    corpus = small_corpus(tmp_path / "c", ["a.txt"])
    with open(corpus / "huge.txt", "wb") as handle:
        handle.truncate(700 * 1024**2)  # sparse: 700 MB to stat, nothing on disk
    db = tmp_path / "e.db"
    run_corpus(corpus, db, extractor=extractor, budget=Budget(memory_bytes=parse_size("600MB")))
    status, error = documents(db)["huge.txt"]
    assert status == "error" and "more than the memory budget (600 MB" in error
    assert documents(db)["a.txt"][0] == "ok"

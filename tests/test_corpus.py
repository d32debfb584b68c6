"""Walking a corpus folder: every file with a supported suffix is a document, and the ones
that cannot be read say why instead of vanishing or hanging the run."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from extractor.runner.corpus import CorpusWalk, corpus_entries, doc_id_for
from extractor.runner.run import run_corpus

TEXT = "Results: A total of 148 patients were included.\n"


def entries(root: Path) -> dict[str, str | None]:
    return {e.doc_id: e.problem for e in corpus_entries(root)}


def documents(db: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(db) as conn:
        return {
            r[0]: (r[1], r[2]) for r in conn.execute("select doc_id, status, error from documents")
        }


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(TEXT, encoding="utf-8")
    (root / "sub" / "b.txt").write_text(TEXT, encoding="utf-8")
    return root


def test_a_symlink_inside_the_corpus_is_followed(corpus: Path) -> None:
    (corpus / "link.txt").symlink_to(corpus / "a.txt")
    (corpus / "linked-folder").symlink_to(corpus / "sub")
    assert entries(corpus) == {
        "a.txt": None,
        "link.txt": None,
        "linked-folder/b.txt": None,
        "sub/b.txt": None,
    }


def test_a_symlink_out_of_the_corpus_is_reported_not_read(corpus: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text(TEXT, encoding="utf-8")
    (corpus / "out.txt").symlink_to(outside)
    problem = entries(corpus)["out.txt"]
    assert problem is not None and "outside the corpus folder" in problem


def test_a_folder_link_out_of_the_corpus_is_a_note(corpus: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "c.txt").write_text(TEXT, encoding="utf-8")
    (corpus / "shared").symlink_to(elsewhere)
    walk = CorpusWalk(corpus)
    assert "shared/c.txt" not in {e.doc_id for e in walk}
    assert any("shared/" in note and "outside the corpus" in note for note in walk.notes)


def test_a_folder_link_loop_is_a_note_and_ends(corpus: Path) -> None:
    (corpus / "sub" / "again").symlink_to(corpus)
    walk = CorpusWalk(corpus)
    assert {e.doc_id for e in walk} == {"a.txt", "sub/b.txt"}
    assert any("sub/again/" in note and "loop" in note for note in walk.notes)


def test_a_dangling_link_and_a_file_link_loop_are_reported(corpus: Path) -> None:
    (corpus / "gone.txt").symlink_to(corpus / "deleted.txt")
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    found = entries(corpus)
    assert "does not exist" in (found["gone.txt"] or "")
    assert "loop" in (found["loop.txt"] or "")


def test_a_named_pipe_is_reported_and_never_opened(corpus: Path) -> None:
    os.mkfifo(corpus / "pipe.txt")
    assert "named pipe" in (entries(corpus)["pipe.txt"] or "")


def test_a_non_utf8_file_name_gets_a_readable_doc_id_and_a_warning(corpus: Path) -> None:
    name = os.fsdecode(b"caf\xe9.txt")
    (corpus / name).write_text(TEXT, encoding="utf-8")
    [entry] = [e for e in corpus_entries(corpus) if e.doc_id.startswith("caf")]
    assert entry.doc_id == "caf\\xe9.txt" == doc_id_for(name)
    assert entry.path.read_text(encoding="utf-8") == TEXT
    assert "not valid UTF-8" in entry.warnings[0]


def test_every_unreadable_entry_becomes_an_error_row_and_the_rest_are_written(
    corpus: Path, tmp_path: Path, extractor
) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text(TEXT, encoding="utf-8")
    (corpus / "out.txt").symlink_to(outside)
    (corpus / "gone.txt").symlink_to(corpus / "deleted.txt")
    os.mkfifo(corpus / "pipe.txt")
    (corpus / os.fsdecode(b"caf\xe9.txt")).write_text(TEXT, encoding="utf-8")
    db = tmp_path / "e.db"
    summary = run_corpus(corpus, db, extractor=extractor)
    rows = documents(db)
    assert set(rows) == {"a.txt", "sub/b.txt", "out.txt", "gone.txt", "pipe.txt", "caf\\xe9.txt"}
    assert {d for d, (status, _) in rows.items() if status == "ok"} == {
        "a.txt",
        "sub/b.txt",
        "caf\\xe9.txt",
    }
    assert summary.failed == 3 and {d for d, _ in summary.failures} == {
        "out.txt",
        "gone.txt",
        "pipe.txt",
    }


def test_a_rerun_does_not_rewrite_an_unchanged_unreadable_entry(
    corpus: Path, tmp_path: Path, extractor
) -> None:
    os.mkfifo(corpus / "pipe.txt")
    db = tmp_path / "e.db"
    run_corpus(corpus, db, extractor=extractor)
    again = run_corpus(corpus, db, extractor=extractor)
    assert (again.read, again.skipped, again.failed) == (0, 3, 0)

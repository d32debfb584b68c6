"""No traps: what a new user does by mistake either works or is stopped with a clear line.

Each test is one trap of issue 12: edited `patterns/` ignored, databases sharing one
snapshot folder, a run on an empty folder emptying a snapshot, `extract diff` comparing
HEAD's snapshot while the working tree's differs, a mistyped command read as a folder.
(`extract serve`'s URL, name and reloading are in tests/test_serve.py.)
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.cli import cli
from extractor.pipeline import extractor_version

REPO = Path(__file__).resolve().parent.parent

PAPER = "Results\nTwelve patients were included. Wound infection occurred in 2 of 12 patients.\n"
OTHER = "Results\nForty patients were randomised. Nine had a reoperation.\n"


def corpus(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def snapshot_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


# --- patterns/ in the current folder ---------------------------------------------------------


def test_a_patterns_folder_in_the_current_folder_is_the_one_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    shutil.copytree(REPO / "patterns", tmp_path / "patterns")
    with (tmp_path / "patterns" / "complications.tsv").open("a", encoding="utf-8") as handle:
        handle.write("heterotopic ossification\tHO\tother\n")  # an edit in this copy
    corpus(tmp_path / "papers", **{"a.txt": PAPER})
    monkeypatch.chdir(tmp_path)
    code, _out, err = run("papers", "--db", "out/evidence.db")
    assert code == 0, err
    with sqlite3.connect(tmp_path / "out" / "evidence.db") as conn:
        (version,) = conn.execute("select extractor_version from documents").fetchone()
    assert version == extractor_version(tmp_path / "patterns")
    assert version != extractor_version(REPO / "patterns")


def test_the_run_says_which_patterns_it_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(REPO / "patterns", tmp_path / "patterns")
    corpus(tmp_path / "papers", **{"a.txt": PAPER})
    monkeypatch.chdir(tmp_path)
    _code, _out, err = run("papers", "--db", "out/evidence.db")
    assert f"Patterns: {(tmp_path / 'patterns').resolve()} (patterns/ of the current folder)" in err


def test_without_a_patterns_folder_here_the_run_names_the_installed_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus(tmp_path / "papers", **{"a.txt": PAPER})
    monkeypatch.chdir(tmp_path)
    _code, _out, err = run("papers", "--db", "out/evidence.db")
    assert f"Patterns: {(REPO / 'patterns').resolve()} (the installed checkout's" in err


def test_a_patterns_folder_of_something_else_is_not_taken_for_the_vocabularies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "patterns").mkdir()
    (tmp_path / "patterns" / "notes.txt").write_text("design patterns")
    corpus(tmp_path / "papers", **{"a.txt": PAPER})
    monkeypatch.chdir(tmp_path)
    code, _out, err = run("papers", "--db", "out/evidence.db")
    assert code == 0, err
    assert "the installed checkout's" in err


# --- one snapshot folder per database ------------------------------------------------------------


def test_each_database_keeps_its_own_snapshot_folder_beside_it(tmp_path: Path) -> None:
    first = corpus(tmp_path / "first", **{"a.txt": PAPER})
    second = corpus(tmp_path / "second", **{"b.txt": OTHER})
    assert run(str(first), "--db", str(tmp_path / "db" / "a.db"))[0] == 0
    assert run(str(second), "--db", str(tmp_path / "db" / "b.db"))[0] == 0
    a_files = snapshot_files(tmp_path / "db" / "a.snapshot")
    b_files = snapshot_files(tmp_path / "db" / "b.snapshot")
    assert "a.txt.jsonl" in a_files and "b.txt.jsonl" not in a_files
    assert "b.txt.jsonl" in b_files and "a.txt.jsonl" not in b_files


def test_a_run_never_touches_another_databases_snapshot(tmp_path: Path) -> None:
    first = corpus(tmp_path / "first", **{"a.txt": PAPER})
    assert run(str(first), "--db", str(tmp_path / "db" / "a.db"))[0] == 0
    before = snapshot_files(tmp_path / "db" / "a.snapshot")
    second = corpus(tmp_path / "second", **{"b.txt": OTHER})
    assert run(str(second), "--db", str(tmp_path / "db" / "b.db"))[0] == 0
    assert (
        run(str(tmp_path / "empty-folder-made-below"), "--db", str(tmp_path / "db" / "c.db"))[0]
        == 2
    )  # a missing folder is a usage error, before anything is written
    assert snapshot_files(tmp_path / "db" / "a.snapshot") == before


def test_the_repository_commits_the_snapshot_of_its_default_database() -> None:
    assert (REPO / "db" / "evidence.snapshot" / "_documents.tsv").is_file()
    assert not (REPO / "db" / "snapshot").exists()


# --- a run on an empty or different folder ---------------------------------------------------


def test_a_run_on_an_empty_folder_does_not_empty_a_database_of_other_documents(
    tmp_path: Path,
) -> None:
    papers = corpus(tmp_path / "papers", **{"a.txt": PAPER})
    db = tmp_path / "db" / "evidence.db"
    assert run(str(papers), "--db", str(db))[0] == 0
    before = snapshot_files(tmp_path / "db" / "evidence.snapshot")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _out, err = run(str(empty), "--db", str(db))
    assert code == 2
    assert "holds no .txt, .md or .pdf file" in err and "would remove them all" in err
    assert snapshot_files(tmp_path / "db" / "evidence.snapshot") == before


def test_a_run_on_another_corpus_with_the_same_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "db" / "evidence.db"
    assert run(str(corpus(tmp_path / "papers", **{"a.txt": PAPER})), "--db", str(db))[0] == 0
    code, _out, err = run(str(corpus(tmp_path / "others", **{"b.txt": OTHER})), "--db", str(db))
    assert code == 2
    assert "none of the 1 documents" in err and "--db PATH" in err


def test_a_first_run_on_an_empty_folder_makes_an_empty_database(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run(str(empty), "--db", str(tmp_path / "db" / "evidence.db"))
    assert code == 0, err
    assert out.startswith("0 documents read")


def test_removing_some_documents_of_a_corpus_is_still_a_normal_run(tmp_path: Path) -> None:
    papers = corpus(tmp_path / "papers", **{"a.txt": PAPER, "b.txt": OTHER})
    db = tmp_path / "db" / "evidence.db"
    assert run(str(papers), "--db", str(db))[0] == 0
    (papers / "b.txt").unlink()
    code, out, _err = run(str(papers), "--db", str(db))
    assert code == 0 and "1 removed" in out


# --- extract diff and the working tree -------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose snapshot is committed, with the working tree as the current folder."""
    root = tmp_path / "repo"
    corpus(root / "corpus", **{"a.txt": PAPER})
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.org")
    git(root, "config", "user.name", "T")
    monkeypatch.chdir(root)
    assert run("corpus")[0] == 0
    git(root, "add", "corpus", "db/evidence.snapshot")
    git(root, "commit", "-q", "-m", "corpus and its snapshot")
    return root


def test_extract_diff_warns_when_the_working_trees_snapshot_is_not_committed(repo: Path) -> None:
    (repo / "corpus" / "b.txt").write_text(OTHER, encoding="utf-8")
    assert run("corpus")[0] == 0  # the snapshot changes, nothing is committed
    code, out, err = run("diff", "main", "HEAD")
    assert code == 0
    assert "No evidence changed" in out  # true of the commits, and now said to be only that
    assert "db/evidence.snapshot/ in the working tree has 2 uncommitted changes" in err
    assert "extract diff BASE db/evidence.snapshot" in err
    assert err.count("warning:") == 1


def test_extract_diff_of_a_committed_snapshot_says_nothing_more(repo: Path) -> None:
    _code, _out, err = run("diff", "main", "HEAD")
    assert "uncommitted" not in err


def test_extract_diff_of_the_working_trees_folder_sees_the_uncommitted_rows(repo: Path) -> None:
    (repo / "corpus" / "b.txt").write_text(OTHER, encoding="utf-8")
    assert run("corpus")[0] == 0
    code, out, err = run("diff", "HEAD", "db/evidence.snapshot", "--exit-code")
    assert code == 1, err
    assert "b.txt" in out.replace("\\", "")


def test_a_revision_from_before_per_database_folders_is_still_read(repo: Path) -> None:
    git(repo, "mv", "db/evidence.snapshot", "db/snapshot")
    git(repo, "commit", "-q", "-m", "the old layout")
    code, out, err = run("diff", "HEAD", "HEAD~1")
    assert code == 0, err
    assert "No evidence changed" in out


# --- a mistyped command ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"), [("serv", "serve"), ("exprot", "export"), ("dif", "diff")]
)
def test_a_mistyped_command_suggests_the_command(
    typed: str, meant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(typed)
    assert code == 2
    assert f"did you mean `extract {meant}`?" in err
    assert "does not exist" not in err


def test_a_missing_folder_unlike_any_command_is_still_named_as_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, err = run("my-papers")
    assert code == 2 and "my-papers" in err and "did you mean" not in err


def test_a_corpus_folder_named_like_a_command_is_still_extracted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus(tmp_path / "serv", **{"a.txt": PAPER})
    monkeypatch.chdir(tmp_path)
    code, out, err = run("serv", "--db", "out.db")
    assert code == 0, err
    assert out.startswith("1 documents read")

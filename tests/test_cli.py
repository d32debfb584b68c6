"""The command line as a user meets it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.cli import cli

REPO = Path(__file__).resolve().parent.parent


def test_extract_corpus_ends_with_one_summary_line(corpus_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "out" / "e.db"
    result = CliRunner().invoke(cli, [str(corpus_copy), "--db", str(db)])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert re.fullmatch(
        r"\d+ documents read, \d+ skipped as unchanged, \d+ failed, \d+ removed; "
        r"\d+ evidence rows written \(\d+ in .+\)",
        last,
    ), last
    assert db.exists()


def test_progress_bar_stays_out_of_a_pipe(corpus_copy: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [str(corpus_copy), "--db", str(tmp_path / "e.db")])
    assert result.stdout.count("\n") == 1  # the summary; stderr names the patterns used
    assert "Extracting" not in result.output


@pytest.mark.slow
def test_default_command_is_run(corpus_copy: Path, tmp_path: Path) -> None:
    explicit = CliRunner().invoke(cli, ["run", str(corpus_copy), "--db", str(tmp_path / "a.db")])
    implicit = CliRunner().invoke(cli, [str(corpus_copy), "--db", str(tmp_path / "b.db")])
    assert explicit.exit_code == implicit.exit_code == 0
    assert explicit.output.split(";")[0] == implicit.output.split(";")[0]


def test_missing_corpus_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [str(tmp_path / "nope")])
    assert result.exit_code == 2


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert command.help and command.help.strip(), name
        if name != "run":
            assert f"extract {name}" in readme, f"README does not show `extract {name}`"


@pytest.mark.slow
def test_progress_bar_shows_on_a_terminal(corpus_copy: Path, tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "extractor", str(corpus_copy), "--db", str(tmp_path / "e.db")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=terminal, env=env)
    os.close(terminal)
    stdout, _ = process.communicate(timeout=300)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(controller)
    assert process.returncode == 0
    assert b"Extracting" in seen
    assert stdout.decode().count("\n") == 1, "stdout carries only the summary line"


def test_failed_documents_are_named_before_the_summary(corpus_copy: Path, tmp_path: Path) -> None:
    (corpus_copy / "empty.txt").write_bytes(b"")
    result = CliRunner().invoke(cli, [str(corpus_copy), "--db", str(tmp_path / "e.db")])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert lines[-2] == "failed: empty.txt: the file is empty"
    assert " 1 failed," in lines[-1]


def test_strict_fails_the_exit_code_when_a_document_failed(
    corpus_copy: Path, tmp_path: Path
) -> None:
    (corpus_copy / "empty.txt").write_bytes(b"")
    result = CliRunner().invoke(cli, [str(corpus_copy), "--db", str(tmp_path / "e.db"), "--strict"])
    assert result.exit_code == 1
    assert " 1 failed," in result.output.strip().splitlines()[-1]


def test_strict_passes_a_clean_run(corpus_copy: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [str(corpus_copy), "--db", str(tmp_path / "e.db"), "--strict"])
    assert result.exit_code == 0, result.output

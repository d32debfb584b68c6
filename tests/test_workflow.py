"""The pull-request workflow: valid, wired to the script, and the script works locally.

GitHub Actions cannot run here, so the workflow's diff step only calls
scripts/ci_evidence_diff.sh, and these tests run that step's exact `run:` line in a
temporary git repository with two commits, the way CI would on a pull request.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / ".github" / "workflows" / "evidence-diff.yml"
SCRIPT = "scripts/ci_evidence_diff.sh"
MARKER = "<!-- evidence-diff -->"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps(workflow: dict) -> list[dict]:
    (job,) = workflow["jobs"].values()
    return job["steps"]


def _diff_step(workflow: dict) -> dict:
    (step,) = [s for s in _steps(workflow) if SCRIPT in s.get("run", "")]
    return step


def test_workflow_runs_on_pull_requests(workflow: dict) -> None:
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "pull_request" in triggers
    assert "patterns/**" in triggers["pull_request"]["paths"]
    assert "corpus/**" in triggers["pull_request"]["paths"]


def test_workflow_may_write_pull_request_comments_and_nothing_else(workflow: dict) -> None:
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}


def test_workflow_checks_out_full_history_and_installs_the_project(workflow: dict) -> None:
    steps = _steps(workflow)
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert str(python["with"]["python-version"]) == "3.11"
    assert any(s.get("run", "").strip() == "python -m pip install -e ." for s in steps)


def test_diff_step_calls_the_script_with_base_and_head(workflow: dict) -> None:
    step = _diff_step(workflow)
    assert step["run"].strip() == f'bash {SCRIPT} "$BASE_SHA" "$HEAD_SHA" evidence-diff.md'
    assert step["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert step["env"]["HEAD_SHA"] == "${{ github.sha }}"


def test_comment_step_updates_the_comment_with_the_scripts_marker(workflow: dict) -> None:
    steps = _steps(workflow)
    comment = next(s for s in steps if s.get("uses", "").startswith("actions/github-script@"))
    script = comment["with"]["script"]
    assert MARKER in script and "updateComment" in script and "createComment" in script
    assert "evidence-diff.md" in script
    assert MARKER in (REPO / SCRIPT).read_text(encoding="utf-8")
    order = [s.get("name") for s in steps]
    assert order.index(comment["name"]) > order.index(_diff_step(workflow)["name"])


# --- running the step ----------------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _commit(repo: Path, message: str) -> str:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "HEAD").strip()


def _new_repo(tmp_path: Path, parts: list[str]) -> Path:
    """A git repository holding copies of the given project folders and the CI script."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    for part in parts:
        shutil.copytree(REPO / part, repo / part, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "scripts").mkdir(exist_ok=True)
    shutil.copy2(REPO / SCRIPT, repo / SCRIPT)
    return repo


def _run_step(workflow: dict, repo: Path, base: str, head: str) -> str:
    """Run the workflow's diff step as written, with GitHub's expressions filled in."""
    step = _diff_step(workflow)
    values = {
        "${{ github.event.pull_request.base.sha }}": base,
        "${{ github.sha }}": head,
    }
    env = dict(os.environ)
    env.update({name: values.get(value, value) for name, value in step["env"].items()})
    env["PYTHON"] = sys.executable
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],  # as Actions
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    return (repo / "evidence-diff.md").read_text(encoding="utf-8")


def _change_year_to_six_months(repo: Path) -> None:
    """A pattern edit a PR could make: the `year` timepoint unit now counts 6 months."""
    path = repo / "patterns" / "timepoints.tsv"
    text = path.read_text(encoding="utf-8")
    edited, n = re.subn(r"^(year\tunit\t[^\t]*\t)12$", r"\g<1>6", text, flags=re.M)
    assert n == 1, "patterns/timepoints.tsv has no `year` unit line of 12 months"
    path.write_text(edited, encoding="utf-8")


@pytest.mark.slow
def test_ci_script_reports_a_vocabulary_change(workflow: dict, tmp_path: Path) -> None:
    repo = _new_repo(tmp_path, ["corpus", "patterns"])
    base = _commit(repo, "corpus and patterns")
    _change_year_to_six_months(repo)
    head = _commit(repo, "a year is six months")
    status = _git(repo, "status", "--porcelain")

    report = _run_step(workflow, repo, base, head)

    assert report.startswith(MARKER + "\n**Evidence diff:** ")
    assert re.search(r"~[1-9]\d* changed", report.splitlines()[1])
    assert "`months`: 24 → 12" in report
    assert "+0 added" in report and "−0 removed" in report
    after = _git(repo, "status", "--porcelain").splitlines()
    assert [line for line in after if "evidence-diff." not in line] == status.splitlines()
    assert "evidence-diff" not in _git(repo, "worktree", "list")


@pytest.mark.slow
def test_ci_script_runs_each_revisions_own_extractor(workflow: dict, tmp_path: Path) -> None:
    repo = _new_repo(tmp_path, ["corpus", "patterns", "extractor"])
    base = _commit(repo, "project")
    _change_year_to_six_months(repo)
    head = _commit(repo, "a year is six months")

    report = _run_step(workflow, repo, base, head)

    assert "`months`: 24 → 12" in report
    assert f"base: {base[:10]} → head: {head[:10]}" in report


@pytest.mark.slow
def test_ci_script_shows_every_row_as_added_when_the_base_has_no_corpus(
    workflow: dict, tmp_path: Path
) -> None:
    repo = _new_repo(tmp_path, ["patterns"])
    base = _commit(repo, "patterns only")
    shutil.copytree(REPO / "corpus", repo / "corpus")
    head = _commit(repo, "add the corpus")

    report = _run_step(workflow, repo, base, head)

    n_docs = len(list((REPO / "corpus").iterdir()))
    summary = report.splitlines()[1]
    assert summary.startswith(f"**Evidence diff:** {n_docs} documents touched · +")
    assert "−0 removed · ~0 changed" in summary and "+0 added" not in summary


@pytest.mark.slow
def test_ci_script_still_reports_when_the_bases_own_extractor_is_broken(
    workflow: dict, tmp_path: Path
) -> None:
    repo = _new_repo(tmp_path, ["corpus", "patterns", "extractor"])
    cli = repo / "extractor" / "cli.py"
    working = cli.read_text(encoding="utf-8")
    cli.write_text('raise RuntimeError("this base branch is broken")\n', encoding="utf-8")
    base = _commit(repo, "a broken base")
    cli.write_text(working, encoding="utf-8")
    _change_year_to_six_months(repo)
    head = _commit(repo, "fixed, and a year is six months")

    report = _run_step(workflow, repo, base, head)

    assert "`months`: 24 → 12" in report
    assert report.rstrip().endswith(
        "so its corpus was extracted with the head's extractor and the base's patterns: "
        "code changes are not part of this diff."
    )
    assert "[!WARNING]" in report

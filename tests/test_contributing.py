"""The contributor's loop: one test command in the README, .ci/run and the tests workflow.

`python -m pytest` runs the fast tier; the slow end-to-end tests carry the `slow` marker
and run when asked (`-m slow`, or `-m "slow or not slow"` for both). CI must run both, with
the very command a newcomer reads first in the README.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
TESTS_WORKFLOW = REPO / ".github" / "workflows" / "tests.yml"


def readme_first_commands() -> list[str]:
    """The commands of the README's first code block, without their comments."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, re.S)
    assert block, "the README opens with no bash block"
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def ci_test_command() -> str:
    """The line of .ci/run that follows its 'exactly as README.md gives it' comment."""
    lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "exactly as README.md gives it" in line)
    return lines[at + 1].strip()


@pytest.fixture(scope="module")
def tests_workflow() -> dict:
    return yaml.safe_load(TESTS_WORKFLOW.read_text(encoding="utf-8"))


def workflow_runs(workflow: dict) -> list[str]:
    return [
        step["run"].strip()
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "run" in step
    ]


def test_readme_opens_with_the_install_and_the_test_command() -> None:
    install, test = readme_first_commands()
    assert install.startswith("pip install -e . && extract corpus/")
    assert test.startswith("pip install -e '.[test]' && python -m pytest")


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    assert ci_test_command() == readme_first_commands()[1]


def test_ci_test_command_includes_the_slow_tier() -> None:
    assert '-m "slow or not slow"' in ci_test_command()


def test_default_pytest_run_leaves_out_the_slow_tier(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.getini("addopts") == ["-m", "not slow"]
    assert any(marker.startswith("slow:") for marker in pytestconfig.getini("markers"))


def test_tests_workflow_runs_on_every_pull_request(tests_workflow: dict) -> None:
    triggers = tests_workflow.get("on", tests_workflow.get(True))  # YAML 1.1: bare `on` is True
    assert "pull_request" in triggers
    assert not (triggers["pull_request"] or {}).get("paths"), "tests must run on every PR"


def test_tests_workflow_lints_and_checks_formatting(tests_workflow: dict) -> None:
    runs = workflow_runs(tests_workflow)
    assert "ruff check ." in runs and "ruff format --check ." in runs


def test_tests_workflow_runs_the_readmes_test_command(tests_workflow: dict) -> None:
    assert readme_first_commands()[1] in workflow_runs(tests_workflow)


def test_tests_workflow_sits_beside_the_evidence_diff_workflow() -> None:
    assert (TESTS_WORKFLOW.parent / "evidence-diff.yml").is_file()

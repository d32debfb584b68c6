"""Run `extract` as a user meets it: a separate process, optionally without root's powers.

Tests of read-only files and folders mean nothing as root, who may write anything, and CI
machines often run tests as root. `run_extract(..., unprivileged=True)` drops the two
capabilities that let root ignore file permissions (CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH) from the child before it starts, so permission bits apply to it as
to any user; the test process keeps its own.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2


def _drop_file_capabilities() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def extract_env() -> dict[str, str]:
    """The environment for a child `python -m extractor` that imports this checkout."""
    return {**os.environ, "PYTHONPATH": str(REPO)}


def run_extract(
    args: list[str], cwd: Path, *, unprivileged: bool = False, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`python -m extractor ARGS` in `cwd`, its output captured as text."""
    preexec = _drop_file_capabilities if unprivileged and os.geteuid() == 0 else None
    return subprocess.run(
        [sys.executable, "-m", "extractor", *args],
        cwd=cwd,
        env=extract_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=preexec,
    )

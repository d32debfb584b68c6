"""No process outlives the `extract` the user started: its workers end with it however it
ends (SIGKILL, SIGTERM, Ctrl-C)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from process_helpers import REPO, extract_env

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it is not running)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def slow_corpus(folder: Path, copies: int = 40) -> Path:
    folder.mkdir()
    source = (REPO / "corpus" / "001_1cd16be5a574c92a.txt").read_text(encoding="utf-8")
    for i in range(copies):
        (folder / f"copy_{i:03d}.txt").write_text(f"Copy {i}.\n\n{source}", encoding="utf-8")
    return folder


def start_with_workers(tmp_path: Path, jobs: int = 2) -> tuple[subprocess.Popen, set[int]]:
    """An `extract --jobs N` in its own session (as a terminal would run it), once its
    workers are up."""
    command = [sys.executable, "-m", "extractor", str(slow_corpus(tmp_path / "c")),
               "--db", str(tmp_path / "e.db"), "--no-snapshot", "--jobs", str(jobs)]  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=extract_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < jobs:
        assert process.poll() is None, process.communicate()
        workers = {pid for pid in children_of(process.pid) if alive(pid)}
        time.sleep(0.05)
    assert len(workers) == jobs, "the workers never started"
    return process, workers


def assert_all_gone(pids: set[int], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.05)
    assert not [pid for pid in pids if alive(pid)], "workers outlived their parent"


def test_workers_die_with_a_parent_killed_by_sigkill(tmp_path: Path) -> None:
    process, workers = start_with_workers(tmp_path)
    process.kill()
    process.wait()
    assert_all_gone(workers)


def test_workers_end_with_a_parent_stopped_by_sigterm(tmp_path: Path) -> None:
    process, workers = start_with_workers(tmp_path)
    process.terminate()
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 143
    assert "interrupted" in stderr.decode() and "Traceback" not in stderr.decode()
    assert_all_gone(workers)


def test_workers_end_with_ctrl_c(tmp_path: Path) -> None:
    """A terminal's Ctrl-C sends SIGINT to its foreground process group."""
    process, workers = start_with_workers(tmp_path)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in stderr.decode()
    assert_all_gone(workers)


def test_a_run_that_ends_normally_leaves_no_worker(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Results: 148 patients were included.\n", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "extractor", str(corpus), "--db", str(tmp_path / "e.db"),
         "--jobs", "2"],
        cwd=tmp_path, env=extract_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    seen: set[int] = set()
    while process.poll() is None:
        seen |= children_of(process.pid)
        time.sleep(0.01)
    assert process.returncode == 0
    assert_all_gone(seen, within=1.0)


def descendants_of(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        children = children_of(todo.pop())
        found |= children
        todo.extend(children)
    return found


def test_a_killed_dask_run_leaves_no_worker(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    command = [sys.executable, "-m", "extractor", str(slow_corpus(tmp_path / "c")),
               "--db", str(tmp_path / "e.db"), "--no-snapshot", "--engine", "dask",
               "--jobs", "2"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=tmp_path, env=extract_env(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    found: set[int] = set()
    while time.monotonic() < deadline and len(found) < 4:  # 2 Dask workers, 2 extractors
        assert process.poll() is None, process.communicate()
        found = {pid for pid in descendants_of(process.pid) if alive(pid)}
        time.sleep(0.1)
    assert len(found) >= 4, "the cluster never started extracting"
    process.kill()
    process.wait()
    assert_all_gone(found, within=10)

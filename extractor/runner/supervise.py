"""Extract documents in supervised worker processes, each document under a budget.

Why processes, even for `--jobs 1`: a thread cannot be stopped, so the only way to end a
document that loops in a regex or a PDF reader, or to take back the memory it grabbed,
is to kill the process it runs in. Each worker is forked from the process that already
loaded the `Extractor`, so starting one costs milliseconds, not the seconds of loading
spaCy again; a killed worker is replaced the same way.

The parent hands each idle worker one document at a time over a pipe and waits for the
result with a deadline. A worker is killed (SIGKILL to its process group) when:

- its document has run longer than `budget.seconds`: the document's row says so;
- its memory passes `budget.memory_bytes` (RLIMIT_AS inside the worker makes allocation
  fail there; the parent also watches its resident memory in /proc, for allocations
  made outside Python's reach): the row says it needed more memory;
- it dies on its own (a crash in a C library): the row names the signal.

No worker outlives the process that started it: workers are their own process group
(Ctrl-C in a terminal reaches only the parent, which then kills them), ask the kernel for
SIGKILL when their parent dies (PR_SET_PDEATHSIG on Linux), and also poll their parent
id once a second, so SIGKILL, SIGTERM or Ctrl-C of the parent all take them with it.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any, Generic, TypeVar

from extractor.runner.budget import Budget

# How often the parent looks at a busy worker's memory and deadline, in seconds. The
# memory of a runaway document can grow by this interval's worth of allocation before
# it is noticed; RLIMIT_AS stops it exactly.
POLL_SECONDS = 0.05

_PR_SET_PDEATHSIG = 1
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

T = TypeVar("T")  # a task: what a worker is sent for one document (picklable)
R = TypeVar("R")  # its result (picklable)


@contextlib.contextmanager
def loaded_objects_frozen() -> Iterator[None]:
    """Meanwhile, leave every object alive now (the loaded extractor above all) out of
    the garbage collector's walks, as a worker forked by `SupervisedPool` has them.

    The extractor holds some 130,000 objects that live as long as the process; each full
    collection walks them all, though none can become garbage. A worker runs with them
    frozen (see `SupervisedPool._fork`); extracting in this process does the same, so both
    cost alike (full texts measured 1.17 -> 0.91 s CPU, abstracts 0.13 -> 0.03 s of
    collection). Objects made meanwhile are collected as usual; afterwards all are again.
    Under a freeze someone else made, nothing changes: their unfreeze is theirs to do.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@dataclass
class _Worker:
    """One forked worker, and the document it is busy with (if any)."""

    pid: int
    conn: Connection
    task: Any = None
    started: float = 0.0
    peak_rss: int = 0


@dataclass
class SupervisedPool(Generic[T, R]):
    """Up to `jobs` workers running `work(task)`; see the module docstring.

    `work` runs in the worker; `failure(task, reason)` builds the error result of a
    document whose worker was killed or died.
    """

    work: Callable[[T], R]
    failure: Callable[[T, str], R]
    jobs: int = 1
    budget: Budget = field(default_factory=Budget)
    _workers: list[_Worker] = field(default_factory=list, init=False)

    def map(self, tasks: Iterable[T]) -> Iterator[R]:
        """Results of `tasks`, in the order they finish; workers are gone when it ends."""
        pending = iter(tasks)
        exhausted = False
        done: list[R] = []
        try:
            while True:
                # Refill idle workers before handing results out: a worker extracts the
                # next document while the caller writes the last one.
                while not exhausted and self._has_capacity():
                    task = next(pending, None)
                    if task is None:
                        exhausted = True
                    else:
                        done.extend(self._start(task))
                yield from done
                done.clear()
                busy = [w for w in self._workers if w.task is not None]
                if not busy:
                    if exhausted:
                        return
                    continue
                ready = wait([w.conn for w in busy], timeout=POLL_SECONDS)
                for worker in busy:
                    if worker.conn in ready:
                        done.append(self._collect(worker))
                    else:
                        outcome = self._check_budget(worker)
                        if outcome is not None:
                            done.append(outcome)
        finally:
            self.close()

    def close(self) -> None:
        """Stop every worker: a polite None, then SIGKILL for any that does not leave."""
        for worker in self._workers:
            if worker.task is None:
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
        deadline = time.monotonic() + 1.0
        for worker in self._workers:
            if worker.task is not None or _wait_exit(worker.pid, deadline) is None:
                _kill_group(worker.pid)
            worker.conn.close()
        self._workers.clear()

    # --- workers ---------------------------------------------------------------------

    def _has_capacity(self) -> bool:
        return len(self._workers) < self.jobs or any(w.task is None for w in self._workers)

    def _idle_or_new(self) -> _Worker:
        for worker in self._workers:
            if worker.task is None:
                return worker
        worker = self._fork()
        self._workers.append(worker)
        return worker

    def _fork(self) -> _Worker:
        """Start a worker, a copy of this process that shares its memory until written.

        The objects of this process (the loaded extractor above all) are frozen out of
        the worker's garbage collector: a collection writes to the header of every
        object it visits, which would copy each page holding one into every worker.
        Measured on 60 documents with two workers: 36,000 page faults in the workers
        without, 21,000 with, and about 6% less worker CPU (three runs each on a busy
        machine, so only roughly). The parent collects as before.
        """
        parent_end, child_end = Pipe(duplex=True)
        parent_pid = os.getpid()
        others = [w.conn for w in self._workers]
        sys.stdout.flush()
        sys.stderr.flush()
        gc.freeze()  # see the docstring
        try:
            pid = os.fork()
        except BaseException:
            gc.unfreeze()
            raise
        if pid != 0:
            gc.unfreeze()
        if pid == 0:  # the worker
            code = 1
            try:
                parent_end.close()
                for conn in others:  # so a worker's pipe closes when its own peers die
                    conn.close()
                _become_worker(parent_pid, self.budget)
                _serve(child_end, self.work, self.budget.memory_bytes)
                code = 0
            finally:
                os._exit(code)
        child_end.close()
        return _Worker(pid=pid, conn=parent_end)

    def _start(self, task: T) -> Iterator[R]:
        worker = self._idle_or_new()
        worker.task, worker.started, worker.peak_rss = task, time.monotonic(), 0
        try:
            worker.conn.send(task)
        except (BrokenPipeError, ConnectionResetError, OSError):
            yield self._bury(worker)

    def _collect(self, worker: _Worker) -> R:
        try:
            kind, result = worker.conn.recv()
        except (EOFError, ConnectionResetError, OSError):
            return self._bury(worker)
        if kind == "memory":
            # the worker reached its RLIMIT_AS: it leaves, a fresh one takes the next task
            if result is None or _is_error(result):
                return self._kill(worker, self.budget.memory_reason())
            self._kill(worker, "")
            return result
        worker.task = None
        return result

    def _check_budget(self, worker: _Worker) -> R | None:
        if time.monotonic() - worker.started > self.budget.seconds:
            return self._kill(worker, self.budget.timeout_reason())
        rss = _resident_bytes(worker.pid)
        worker.peak_rss = max(worker.peak_rss, rss)
        if rss > self.budget.memory_bytes:
            return self._kill(worker, self.budget.memory_reason())
        return None

    def _kill(self, worker: _Worker, reason: str) -> R:
        """Kill a worker whose document failed; the document's result says why."""
        task = worker.task
        assert task is not None
        _kill_group(worker.pid)
        return self._forget(worker, task, reason)

    def _bury(self, worker: _Worker) -> R:
        """A worker that died on its own: reap it and say why, in words."""
        task = worker.task
        assert task is not None
        return self._forget(worker, task, _death_reason(worker.pid, self.budget, worker.peak_rss))

    def _forget(self, worker: _Worker, task: T, reason: str) -> R:
        worker.conn.close()
        self._workers.remove(worker)
        return self.failure(task, reason)


def _is_error(result: object) -> bool:
    """Whether a result is an error row (`status == 'error'`): a document that met the
    memory limit with an error row is made the memory budget's error instead."""
    return getattr(result, "status", None) == "error"


# --- inside a worker -------------------------------------------------------------------


def _become_worker(parent_pid: int, budget: Budget) -> None:
    """Make this forked process a worker that cannot outlive its parent."""
    os.setpgid(0, 0)  # its own group: a terminal's Ctrl-C goes to the parent alone
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the request above
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    _limit_memory(budget.memory_bytes)


def _watch_parent(parent_pid: int) -> None:
    """Portable backstop for PR_SET_PDEATHSIG: leave once the parent is gone."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent_pid:
            os._exit(1)


def _limit_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform: the parent's RSS watch still applies
        return
    with contextlib.suppress(ValueError, OSError):
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _serve(conn: Connection, work: Callable[[Any], Any], memory_limit: int) -> None:
    """Answer tasks until the parent says stop (None) or goes away.

    A document that reached the memory limit is answered with "memory": extraction
    catches MemoryError and makes an error row of it, so the limit is recognised by the
    process's peak address space instead; the worker then leaves, as memory may be
    fragmented or half-freed.
    """
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            result = work(task)
        except MemoryError:
            result = None
        del task
        if result is None or _peak_address_space() > 0.9 * memory_limit:
            conn.send(("memory", result))
            return
        conn.send(("result", result))


def _peak_address_space() -> int:
    try:
        with open("/proc/self/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


# --- processes -------------------------------------------------------------------------


def _resident_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


def _kill_group(pid: int) -> None:
    """SIGKILL a worker's whole process group and reap it, so no zombie is left.

    Called only while the worker is not yet reaped, so its pid (and group id) cannot
    have been reused by another process.
    """
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _wait_exit(pid: int, deadline: float) -> int | None:
    """The wait status of a worker that exits by `deadline` (reaped), else None."""
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return 0
        if done:
            return status
        if time.monotonic() > deadline:
            return None
        time.sleep(0.01)


def _death_reason(pid: int, budget: Budget, peak_rss: int) -> str:
    """Why a worker died on its own, in words; reaps it (a worker whose pipe closed is
    exiting, so it is given a moment before being killed)."""
    status = _wait_exit(pid, time.monotonic() + 1.0)
    if status is None:
        _kill_group(pid)
        return "the extraction process stopped answering on this document"
    if peak_rss > 0.8 * budget.memory_bytes:
        return budget.memory_reason()
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return (
            f"the extraction process crashed ({name}) on this document; "
            "the run went on without it (please report the file)"
        )
    return (
        f"the extraction process ended unexpectedly (exit status {os.WEXITSTATUS(status)}) "
        "on this document; the run went on without it"
    )

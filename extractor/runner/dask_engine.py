"""Extraction on a Dask distributed cluster, for corpora that outgrow one machine.

`extract corpus/ --engine dask [--scheduler ADDRESS]` walks the corpus, decides what to
extract and removes what is gone exactly as a local run does (`run.run_corpus`); only the
extraction moves. Changed documents are grouped into partitions (at most
`partition_size` documents or `partition_bytes` of input) and each partition is a Dask
task: a worker extracts it, every document under the same budget as locally (a
supervised child process, see `extractor.runner.supervise`), into a shard database, and returns
the shard's bytes. The client saves the shard, merges it into the evidence database and
deletes it (`extractor.runner.shards`). So the database ends with the same ids and rows as a
local run, a re-run skips what is unchanged, and a killed run resumes: saved shards are
merged first, unsaved partitions are extracted again.

Documents travel to the workers and shards back through Dask itself, so workers need no
shared file system; they need the same version of this package and the same patterns,
which each task checks (the extractor version carries a digest of both). At most two
partitions per worker thread are in flight, so the client's memory stays flat.

Without `--scheduler`, a `LocalCluster` of `jobs` single-threaded worker processes runs
on this machine.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlite_utils

from extractor import store
from extractor.errors import UserError
from extractor.pipeline import Extractor
from extractor.runner import shards
from extractor.runner.budget import Budget
from extractor.runner.run import LocalEngine, Stored, Task

DEFAULT_PARTITION_SIZE = 100
DEFAULT_PARTITION_BYTES = 64 * 1024**2


@dataclass
class DaskEngine:
    """The `Engine` of `run_corpus` that extracts on a Dask cluster (see module docstring)."""

    extractor: Extractor
    shards_dir: Path
    scheduler: str | None = None
    patterns_dir: Path | None = None
    budget: Budget | None = None
    workers: int = 1  # LocalCluster worker processes when no scheduler is given
    partition_size: int = DEFAULT_PARTITION_SIZE
    partition_bytes: int = DEFAULT_PARTITION_BYTES
    connect_seconds: float = 30.0  # how long to try reaching `scheduler`

    def resume(self, db: sqlite_utils.Database) -> Iterator[Stored]:
        """Merge the shards an interrupted run saved but did not merge."""
        return shards.merge_pending(db, self.shards_dir)

    def __call__(self, db: sqlite_utils.Database, tasks: Iterator[Task]) -> Iterator[Stored]:
        from distributed import wait

        with self._client() as client:
            threads = sum(client.nthreads().values()) or 1
            token = f"{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}"
            in_flight: dict[object, str] = {}
            for number, partition in enumerate(self._partitions(tasks)):
                name = f"{token}-{number:06d}"
                future = client.submit(
                    extract_partition,
                    partition,
                    str(self.patterns_dir) if self.patterns_dir else None,
                    self.extractor.version,
                    self.budget,
                    key=f"extract-partition-{name}",
                    pure=False,
                )
                in_flight[future] = name
                while len(in_flight) >= 2 * threads:
                    done = wait(list(in_flight), return_when="FIRST_COMPLETED").done
                    for finished in done:
                        yield from self._merge(db, finished, in_flight.pop(finished))
            while in_flight:
                done = wait(list(in_flight), return_when="FIRST_COMPLETED").done
                for finished in done:
                    yield from self._merge(db, finished, in_flight.pop(finished))

    def _partitions(self, tasks: Iterator[Task]) -> Iterator[list[Task]]:
        partition: list[Task] = []
        size = 0
        for task in tasks:
            partition.append(task)
            size += len(task.data)
            if len(partition) >= self.partition_size or size >= self.partition_bytes:
                yield partition
                partition, size = [], 0
        if partition:
            yield partition

    def _merge(self, db: sqlite_utils.Database, future: object, name: str) -> Iterator[Stored]:
        try:
            data = future.result()  # type: ignore[attr-defined]
        except WorkerMismatch as error:
            raise UserError(str(error)) from error
        path = shards.save_shard(self.shards_dir, name, data)
        yield from shards.merge_shard_file(db, path)

    @contextlib.contextmanager
    def _client(self) -> Iterator[object]:
        try:
            from distributed import Client, LocalCluster
        except ImportError as error:
            raise UserError(
                "--engine dask needs Dask distributed: "
                "pip install 'clinical-evidence-extractor[dask]'"
            ) from error
        if self.scheduler:
            try:
                client = Client(self.scheduler, timeout=self.connect_seconds)
            except (OSError, TimeoutError) as error:
                raise UserError(
                    f"cannot reach the Dask scheduler at {self.scheduler} ({error}): start one "
                    "with `dask scheduler`, or leave --scheduler out for a local cluster"
                ) from error
            with client:
                yield client
            return
        with (
            LocalCluster(
                n_workers=max(1, self.workers),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client


class WorkerMismatch(Exception):
    """A worker whose extractor differs from the client's: its rows would not match."""


@lru_cache(maxsize=4)
def _worker_extractor(patterns_dir: str | None) -> Extractor:
    """The Extractor of this worker process, loaded once and reused by its tasks."""
    return Extractor.load(Path(patterns_dir) if patterns_dir else None)


def extract_partition(
    tasks: list[Task], patterns_dir: str | None, version: str, budget: Budget | None
) -> bytes:
    """What a Dask worker runs: extract `tasks` into a new shard, return its bytes.

    Each document runs as in a local run (a supervised child process under `budget`),
    and is stored with the same `store_result`, so a shard holds exactly the rows a local
    run would write.
    """
    extractor = _worker_extractor(patterns_dir)
    if extractor.version != version:
        raise WorkerMismatch(
            f"a Dask worker has extractor {extractor.version}, the client {version}: install "
            "the same version of clinical-evidence-extractor and the same patterns on every "
            "worker (and point --patterns at a folder the workers have)"
        )
    with tempfile.TemporaryDirectory(prefix="extract-shard-") as tmp:
        path = Path(tmp) / "shard.db"
        shard = store.open_shard(path)
        try:
            engine = LocalEngine(extractor, jobs=1, budget=budget or Budget())
            for _ in engine(shard, iter(tasks)):
                pass
        finally:
            shard.close()
        return path.read_bytes()

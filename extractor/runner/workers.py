"""Extract documents, each under a time and memory budget, in one or more processes.

`extract_document` shares no state between documents, so documents can go to separate
processes. Workers are forked from this process after it loaded the `Extractor`, so they
share it without loading it again (see `extractor.runner.supervise`). At most `jobs` documents
are in flight, so memory stays flat however large the corpus. The caller keeps writing
to SQLite from one process: workers never touch the database.

A worker hands back a document's rows ready to store (`store.DocumentRows`: tuples in
column order, values made storable), not the extraction result: with `jobs` workers on
as many cores, the one writing process is the part that does not scale, so every
per-row step (dataclass to row, flags, storable checks) is done where the document was
extracted, and the writer only runs `executemany`.

Without a budget and with one job, documents are extracted in this process, as a
library caller or a profiler may want; the command line always sets a budget.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial

from extractor.pipeline import Extractor, extract_document
from extractor.runner.budget import Budget
from extractor.runner.failures import as_error, error_result, unstorable_reason
from extractor.runner.supervise import SupervisedPool, loaded_objects_frozen
from extractor.store import DocumentRows, document_rows
from extractor.types import DocumentResult

# A budget that never stops a document, for `jobs > 1` without a budget.
UNLIMITED = Budget(seconds=float("inf"), memory_bytes=2**62)


@dataclass(frozen=True)
class Task:
    """A document to extract: its id, its bytes, and what the walk has to say about it."""

    doc_id: str
    data: bytes
    warnings: tuple[str, ...] = ()


def extract_rows(
    tasks: Iterable[Task],
    extractor: Extractor,
    *,
    jobs: int = 1,
    budget: Budget | None = None,
) -> Iterator[DocumentRows]:
    """The rows of each task's document: in the order given with one job in-process,
    else in the order they finish.

    With a `budget` (or `jobs > 1`) each document runs in a supervised worker process:
    one that runs out of time or memory, or crashes its worker, comes back as an error
    row saying so, and the others go on.
    """
    if budget is None and jobs <= 1:
        with loaded_objects_frozen():  # as in a worker: see the function
            for task in tasks:
                yield _rows(task, extractor)
        return
    pool: SupervisedPool[Task, DocumentRows] = SupervisedPool(
        work=partial(_rows, extractor=extractor),
        failure=partial(_stopped, version=extractor.version),
        jobs=max(1, jobs),
        budget=budget or UNLIMITED,
    )
    for rows in pool.map(tasks):
        yield _checked(rows, extractor)


def _rows(task: Task, extractor: Extractor) -> DocumentRows:
    """What a worker runs for one document: extract it, then make its rows.

    Rows that cannot be made (a value no storable rule foresaw) make the document an
    error row, as a failed write does (see `run.store_rows`).
    """
    result = _extract(task.data, task.doc_id, extractor)
    if task.warnings:
        result.warnings = (*task.warnings, *result.warnings)
    try:
        return document_rows(result)
    except MemoryError:
        raise
    except Exception as error:
        return document_rows(as_error(result, unstorable_reason(error)))


def _extract(data: bytes, doc_id: str, extractor: Extractor) -> DocumentResult:
    """Extraction of one document (looked up here, so tests can replace it)."""
    return extract_document(data, doc_id, extractor)


def _stopped(task: Task, reason: str, version: str) -> DocumentRows:
    return document_rows(
        error_result(task.doc_id, reason, version, task.data, warnings=task.warnings)
    )


def _checked(rows: DocumentRows, extractor: Extractor) -> DocumentRows:
    if rows.extractor_version != extractor.version:
        raise RuntimeError(
            f"a worker extracted {rows.doc_id} with {rows.extractor_version}, "
            f"not {extractor.version}: were the patterns edited during the run?"
        )
    return rows

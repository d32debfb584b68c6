"""Extract documents, each under a time and memory budget, in one or more processes.

`extract_document` shares no state between documents, so documents can go to separate
processes. Workers are forked from this process after it loaded the `Extractor`, so they
share it without loading it again (see `extractor.runner.supervise`). At most `jobs` documents
are in flight, so memory stays flat however large the corpus. The caller keeps writing
to SQLite from one process: workers never touch the database.

Without a budget and with one job, documents are extracted in this process, as a
library caller or a profiler may want; the command line always sets a budget.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial

from extractor.pipeline import Extractor, extract_document
from extractor.runner.budget import Budget
from extractor.runner.failures import error_result
from extractor.runner.supervise import SupervisedPool
from extractor.types import DocumentResult

# A budget that never stops a document, for `jobs > 1` without a budget.
UNLIMITED = Budget(seconds=float("inf"), memory_bytes=2**62)


def extract_all(
    documents: Iterable[tuple[str, bytes]],
    extractor: Extractor,
    *,
    jobs: int = 1,
    budget: Budget | None = None,
) -> Iterator[DocumentResult]:
    """Results for `(doc_id, bytes)` pairs: in the order given with one job in-process,
    else in the order they finish.

    With a `budget` (or `jobs > 1`) each document runs in a supervised worker process:
    one that runs out of time or memory, or crashes its worker, comes back as an error
    result saying so, and the others go on.
    """
    if budget is None and jobs <= 1:
        for doc_id, data in documents:
            yield extract_document(data, doc_id, extractor)
        return
    pool = SupervisedPool(
        work=partial(_extract, extractor=extractor),
        failure=partial(_stopped, version=extractor.version),
        jobs=max(1, jobs),
        budget=budget or UNLIMITED,
    )
    for result in pool.map(documents):
        yield _checked(result, extractor)


def _extract(data: bytes, doc_id: str, extractor: Extractor) -> DocumentResult:
    """What a worker runs for one document (looked up here, so tests can replace it)."""
    return extract_document(data, doc_id, extractor)


def _stopped(doc_id: str, data: bytes, reason: str, version: str) -> DocumentResult:
    return error_result(doc_id, reason, version, data)


def _checked(result: DocumentResult, extractor: Extractor) -> DocumentResult:
    if result.extractor_version != extractor.version:
        raise RuntimeError(
            f"a worker extracted {result.doc_id} with {result.extractor_version}, "
            f"not {extractor.version}: were the patterns edited during the run?"
        )
    return result

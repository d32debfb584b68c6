"""Extract documents in worker processes.

`extract_document` shares no state between documents, so documents can go to separate
processes; each worker loads its own read-only `Extractor` once. Results come back in
submission order, and at most `2 × jobs` documents are in flight, so memory stays flat
however large the corpus. The caller keeps writing to SQLite from one process: workers
never touch the database.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from extractor.pipeline import Extractor, extract_document
from extractor.types import DocumentResult

# One Extractor per worker process, set by the pool's initializer. It is loaded once and
# only read afterwards; the parent process never sees it.
_worker_extractor: Extractor | None = None


def _start_worker(patterns_dir: str | None) -> None:
    global _worker_extractor
    _worker_extractor = Extractor.load(Path(patterns_dir) if patterns_dir else None)


def _extract_in_worker(data: bytes, doc_id: str) -> DocumentResult:
    assert _worker_extractor is not None, "worker started without an extractor"
    return extract_document(data, doc_id, _worker_extractor)


def extract_all(
    documents: Iterable[tuple[str, bytes]],
    extractor: Extractor,
    *,
    jobs: int = 1,
    patterns_dir: Path | None = None,
) -> Iterator[DocumentResult]:
    """Results for `(doc_id, bytes)` pairs, in the order given.

    With `jobs > 1` the work is spread over that many processes, which must load the same
    patterns as `extractor` (`patterns_dir`); their version is checked against it so a
    run never mixes rows from two pattern sets.
    """
    if jobs <= 1:
        for doc_id, data in documents:
            yield extract_document(data, doc_id, extractor)
        return
    with ProcessPoolExecutor(
        max_workers=jobs,
        initializer=_start_worker,
        initargs=(str(patterns_dir) if patterns_dir else None,),
    ) as pool:
        pending: deque[Future[DocumentResult]] = deque()
        for doc_id, data in documents:
            pending.append(pool.submit(_extract_in_worker, data, doc_id))
            if len(pending) >= 2 * jobs:
                yield _checked(pending.popleft().result(), extractor)
        while pending:
            yield _checked(pending.popleft().result(), extractor)


def _checked(result: DocumentResult, extractor: Extractor) -> DocumentResult:
    if result.extractor_version != extractor.version:
        raise RuntimeError(
            f"a worker extracted {result.doc_id} with {result.extractor_version}, "
            f"not {extractor.version}: were the patterns edited during the run?"
        )
    return result

"""Walk a corpus folder and bring the evidence database up to date with it.

A document is extracted only when its bytes or the extractor (code + patterns) changed;
deleted files lose their rows; each document is committed on its own, so a run stopped
by Ctrl-C or a kill resumes where it stopped. Files are read one at a time (or one per
worker process), what is known about each is looked up in the database as it comes, and
the ids met are kept in a temporary table, so memory does not grow with the corpus.

Every input file ends as exactly one `documents` row, whatever happens to it: a file that
cannot be read, a document whose rows cannot be stored, and (with a budget) one that
runs out of time or memory or crashes its worker each become an error row with the
reason, and the run goes on. What stops a run is what would stop every later document
too (a full disk, a read-only database): that is a `UserError` with one line saying
what to do, and the documents already written are kept.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from extractor import store
from extractor.budget import Budget
from extractor.corpus import CorpusEntry, CorpusWalk, corpus_entries
from extractor.errors import UserError
from extractor.failures import as_error, error_result
from extractor.pipeline import Extractor
from extractor.types import DocumentResult
from extractor.workers import extract_all

DEFAULT_BUDGET = Budget()

# How many failed documents the summary names; the rest are counted.
FAILURES_SHOWN = 5


@dataclass
class RunSummary:
    """What one run did; `line()` is what the command prints last."""

    read: int = 0
    skipped: int = 0
    failed: int = 0
    removed: int = 0
    evidence_rows: int = 0
    total_evidence: int = 0
    db_path: str = ""
    failures: list[tuple[str, str]] = field(default_factory=list)  # first few (doc_id, why)
    notes: list[str] = field(default_factory=list)  # folders not walked, snapshot problems

    def line(self) -> str:
        return (
            f"{self.read} documents read, {self.skipped} skipped as unchanged, "
            f"{self.failed} failed, {self.removed} removed; "
            f"{self.evidence_rows} evidence rows written "
            f"({self.total_evidence} in {self.db_path})"
        )

    def failure_lines(self) -> list[str]:
        """The failed documents (the first few) and the notes, one line each."""
        lines = [f"failed: {doc_id}: {reason}" for doc_id, reason in self.failures]
        if self.failed > len(self.failures):
            lines.append(
                f"... and {self.failed - len(self.failures)} more failed documents "
                "(select doc_id, error from documents where status = 'error')"
            )
        lines.extend(f"note: {note}" for note in self.notes)
        return lines

    def count(self, result: DocumentResult) -> None:
        self.read += 1
        self.evidence_rows += len(result.evidence)
        if result.status == "error":
            self.failed += 1
            if len(self.failures) < FAILURES_SHOWN:
                self.failures.append((result.doc_id, result.error or "unknown error"))


ProgressCallback = Callable[[str], None]


def corpus_files(corpus_dir: Path) -> Iterator[tuple[str, Path]]:
    """(doc_id, path) of every supported file below the folder, in a stable order.

    Hidden files and folders (`.git`, editor swap files) are not documents. Files that
    cannot be read are listed too (see `extractor.corpus` for the reasons kept).
    """
    for entry in corpus_entries(Path(corpus_dir)):
        yield entry.doc_id, entry.path


def load_extractor(patterns_dir: Path | None) -> Extractor:
    """The extractor for a run; a patterns folder that cannot be loaded is a UserError."""
    try:
        return Extractor.load(patterns_dir)
    except FileNotFoundError as error:
        missing = Path(error.filename).name if error.filename else "a vocabulary file"
        raise UserError(
            f"the patterns folder {patterns_dir} has no {missing}: point --patterns at a "
            "folder laid out like the project's patterns/, or leave --patterns out"
        ) from error
    except (OSError, ValueError, KeyError, UnicodeDecodeError) as error:
        raise UserError(
            f"the patterns in {patterns_dir or 'patterns/'} could not be loaded "
            f"({type(error).__name__}: {error}); fix the file it names"
        ) from error


def run_corpus(
    corpus_dir: Path,
    db_path: Path,
    patterns_dir: Path | None = None,
    *,
    force: bool = False,
    snapshot_dir: Path | None = None,
    on_document: ProgressCallback | None = None,
    extractor: Extractor | None = None,
    jobs: int = 1,
    budget: Budget | None = DEFAULT_BUDGET,
) -> RunSummary:
    """Extract every new or changed document of `corpus_dir` into `db_path`.

    `on_document` is called with each doc_id after it is committed (progress bars use it).
    With `snapshot_dir`, the text snapshot reviewed in pull requests is brought up to date
    from the database afterwards. `jobs > 1` extracts in that many worker processes while
    this process alone writes, one transaction per document as before. Each document runs
    under `budget` (time and memory) in a worker process; `budget=None` with one job
    extracts in this process, unguarded.

    Raises UserError (one line for a person) when the run cannot go on at all.
    """
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise UserError(f"{corpus_dir} is not a folder: give extract the corpus folder")
    extractor = extractor or load_extractor(patterns_dir)
    summary = RunSummary(db_path=str(db_path))
    with store.writer_lock(db_path):
        db = store.open_database(db_path)
        try:
            _update(db, corpus_dir, extractor, summary, force, on_document, jobs, budget)
            if snapshot_dir is not None:
                _write_snapshot(db, Path(snapshot_dir), summary)
        finally:
            db.close()
    return summary


def _update(
    db,  # type: ignore[no-untyped-def]
    corpus_dir: Path,
    extractor: Extractor,
    summary: RunSummary,
    force: bool,
    on_document: ProgressCallback | None,
    jobs: int,
    budget: Budget | None,
) -> None:
    seen = store.SeenDocuments(db)
    walk = CorpusWalk(corpus_dir)
    ready: deque[DocumentResult] = deque()  # error rows decided without extraction
    warnings: dict[str, tuple[str, ...]] = {}  # the walk's warnings, added to the results

    def changed_documents() -> Iterator[tuple[str, bytes]]:
        """Yield what must be extracted; count (and report) what is unchanged."""
        for entry in walk:
            seen.add(entry.doc_id)
            data, problem = _read(entry)
            previous = store.stored_document(db, entry.doc_id)
            if problem is not None:
                if (
                    previous is not None
                    and previous.status == "error"
                    and previous.error == problem
                    and previous.extractor_version == extractor.version
                    and not force
                ):
                    _skip(summary, entry.doc_id, on_document)
                else:
                    ready.append(
                        error_result(
                            entry.doc_id, problem, extractor.version, warnings=entry.warnings
                        )
                    )
                continue
            assert data is not None
            if (
                not force
                and previous is not None
                and previous.sha256 == hashlib.sha256(data).hexdigest()
                and previous.extractor_version == extractor.version
            ):
                _skip(summary, entry.doc_id, on_document)
            else:
                warnings[entry.doc_id] = entry.warnings
                yield entry.doc_id, data

    def with_ready(results: Iterator[DocumentResult]) -> Iterator[DocumentResult]:
        for result in results:
            yield from _drain(ready)
            extra = warnings.pop(result.doc_id, ())
            if extra:
                result.warnings = (*extra, *result.warnings)
            yield result
        yield from _drain(ready)

    results = extract_all(changed_documents(), extractor, jobs=jobs, budget=budget)
    for result in with_ready(results):
        _store(db, result)
        summary.count(result)
        if on_document is not None:
            on_document(result.doc_id)
    summary.notes.extend(walk.notes)
    summary.removed = _remove(db, seen.missing(), db_label=summary.db_path)
    summary.total_evidence = store.count_evidence(db)


def _drain(ready: deque[DocumentResult]) -> Iterator[DocumentResult]:
    while ready:
        yield ready.popleft()


def _skip(summary: RunSummary, doc_id: str, on_document: ProgressCallback | None) -> None:
    summary.skipped += 1
    if on_document is not None:
        on_document(doc_id)


def _read(entry: CorpusEntry) -> tuple[bytes | None, str | None]:
    """(bytes, None) or (None, why the file cannot be read)."""
    if entry.problem is not None:
        return None, entry.problem
    try:
        return entry.path.read_bytes(), None
    except PermissionError:
        return None, "cannot read the file: permission denied (make it readable and run again)"
    except IsADirectoryError:
        return None, "is a folder, not a file"
    except OSError as error:
        reason = error.strerror.lower() if error.strerror else type(error).__name__
        return None, f"cannot read the file: {reason}"


def _store(db, result: DocumentResult) -> None:  # type: ignore[no-untyped-def]
    """Write one result; if its rows cannot be stored, store the document as an error.

    Errors about the database as a whole (full disk, read-only, locked) stop the run with
    a UserError: every later document would fail the same way.
    """
    try:
        store.write_document(db, result)
        return
    except Exception as error:
        if store.is_database_level(error):
            raise store.StoreError(store.describe_sqlite_error(error, _path_of(db))) from error
        reason = (
            "extraction produced rows that could not be stored "
            f"({type(error).__name__}: {error}); please report this document"
        )
    try:
        store.write_document(db, as_error(result, reason))
    except Exception as error:
        raise store.StoreError(store.describe_sqlite_error(error, _path_of(db))) from error
    result.status, result.error, result.evidence = "error", reason, []


def _remove(db, doc_ids: list[str], db_label: str) -> int:  # type: ignore[no-untyped-def]
    try:
        return store.remove_documents(db, doc_ids)
    except Exception as error:
        if store.is_database_level(error):
            raise store.StoreError(store.describe_sqlite_error(error, db_label)) from error
        raise


def _path_of(db) -> str:  # type: ignore[no-untyped-def]
    row = db.execute("pragma database_list").fetchone()
    return row[2] if row else "the database"


def _write_snapshot(db, folder: Path, summary: RunSummary) -> None:  # type: ignore[no-untyped-def]
    from extractor.snapshot import SnapshotError, write_snapshot

    try:
        write_snapshot(db, folder)
    except (OSError, SnapshotError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise UserError(
            f"the database is complete, but the snapshot in {folder} could not be written "
            f"({reason}): fix that and run again, or pass --no-snapshot"
        ) from error


def count_corpus_files(corpus_dir: Path) -> int:
    """How many documents a run will look at: the length of the progress bar."""
    return sum(1 for _ in corpus_entries(Path(corpus_dir)))

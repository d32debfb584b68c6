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

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import sqlite_utils

from extractor import store
from extractor.errors import UserError
from extractor.ingest import Record, file_records
from extractor.pipeline import TEXT_SUFFIXES, Extractor
from extractor.runner.budget import Budget, format_size
from extractor.runner.corpus import CorpusEntry, CorpusWalk, corpus_entries
from extractor.runner.failures import error_result, unstorable_reason
from extractor.runner.workers import Task, extract_rows
from extractor.types import DocumentResult

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

    def count(self, stored: Stored) -> None:
        self.read += 1
        self.evidence_rows += stored.evidence_rows
        if stored.status == "error":
            self.failed += 1
            if len(self.failures) < FAILURES_SHOWN:
                self.failures.append((stored.doc_id, stored.error or "unknown error"))


ProgressCallback = Callable[[str], None]


def corpus_files(corpus_dir: Path) -> Iterator[tuple[str, Path]]:
    """(doc_id, path) of every supported file below the folder, in a stable order.

    Hidden files and folders (`.git`, editor swap files) are not documents. Files that
    cannot be read are listed too (see `extractor.runner.corpus` for the reasons kept).
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


@dataclass(frozen=True)
class Stored:
    """What was committed for one document: all a summary and a progress bar need."""

    doc_id: str
    status: str
    error: str | None
    evidence_rows: int

    @classmethod
    def of(cls, rows: store.DocumentRows) -> Stored:
        return cls(rows.doc_id, rows.status, rows.error, len(rows.evidence))


class Engine(Protocol):
    """Extracts tasks and commits their results to the database, yielding each stored
    document; the local engine uses worker processes, the Dask engine a cluster."""

    def resume(self, db: sqlite_utils.Database) -> Iterator[Stored]:
        """Commit what an interrupted earlier run left half-way (before the walk)."""
        ...

    def __call__(self, db: sqlite_utils.Database, tasks: Iterator[Task]) -> Iterator[Stored]: ...


@dataclass
class LocalEngine:
    """Extraction in supervised worker processes on this machine (see `extract_rows`)."""

    extractor: Extractor
    jobs: int = 1
    budget: Budget | None = None

    def resume(self, db: sqlite_utils.Database) -> Iterator[Stored]:
        return iter(())  # every document is committed as it finishes: nothing is half-way

    def __call__(self, db: sqlite_utils.Database, tasks: Iterator[Task]) -> Iterator[Stored]:
        for rows in extract_rows(tasks, self.extractor, jobs=self.jobs, budget=self.budget):
            yield store_rows(db, rows)


def corpus_records(corpus_dir: Path) -> Iterator[Record]:
    """Every readable document of the corpus, lazily: one per file, one per citation of a
    PubMed file (`<path>#<PMID>`), each with the sha256 of its own bytes."""
    for entry in corpus_entries(Path(corpus_dir)):
        for doc_id, data, sha256, _problem in _records(entry):
            if data is not None and sha256 is not None:
                yield Record(doc_id, data, sha256)


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
    engine: Engine | None = None,
) -> RunSummary:
    """Extract every new or changed document of `corpus_dir` into `db_path`.

    `on_document` is called with each doc_id after it is committed (progress bars use it).
    With `snapshot_dir`, the text snapshot reviewed in pull requests is brought up to date
    from the database afterwards. `jobs > 1` extracts in that many worker processes while
    this process alone writes, one transaction per document as before. Each document runs
    under `budget` (time and memory) in a worker process; `budget=None` with one job
    extracts in this process, unguarded. `engine` replaces local extraction (the Dask
    engine); what is read, skipped, removed and stored is the same whichever runs.

    Raises UserError (one line for a person) when the run cannot go on at all.
    """
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise UserError(f"{corpus_dir} is not a folder: give extract the corpus folder")
    extractor = extractor or load_extractor(patterns_dir)
    engine = engine or LocalEngine(extractor, jobs=jobs, budget=budget)
    summary = RunSummary(db_path=str(db_path))
    with store.writer_lock(db_path):
        db = store.open_database(db_path)
        try:
            _update(db, corpus_dir, extractor, engine, summary, force, on_document, budget)
            if snapshot_dir is not None:
                _write_snapshot(db, Path(snapshot_dir), summary)
        finally:
            db.close()
    return summary


def _update(
    db: sqlite_utils.Database,
    corpus_dir: Path,
    extractor: Extractor,
    engine: Engine,
    summary: RunSummary,
    force: bool,
    on_document: ProgressCallback | None,
    budget: Budget | None,
) -> None:
    def committed(stored: Stored) -> None:
        summary.count(stored)
        if on_document is not None:
            on_document(stored.doc_id)

    for stored in engine.resume(db):
        committed(stored)
    seen = store.SeenDocuments(db)
    walk = CorpusWalk(corpus_dir)
    largest = budget.memory_bytes if budget is not None else None

    def changed_documents() -> Iterator[Task]:
        """Yield what must be extracted; store what cannot be read, skip what is unchanged."""
        for entry in walk:
            for doc_id, data, sha256, problem in _records(entry, largest):
                seen.add(doc_id)
                previous = store.stored_document(db, doc_id)
                unchanged = (
                    not force
                    and previous is not None
                    and previous.extractor_version == extractor.version
                    and (
                        previous.sha256 == sha256
                        if data is not None
                        else (previous.status == "error" and previous.error == problem)
                    )
                )
                if unchanged:
                    _skip(summary, doc_id, on_document)
                elif problem is not None:
                    result = error_result(
                        doc_id, problem, extractor.version, warnings=entry.warnings
                    )
                    committed(store_result(db, result))
                else:
                    assert data is not None
                    yield Task(doc_id, data, entry.warnings)

    for stored in engine(db, changed_documents()):
        committed(stored)
    summary.notes.extend(walk.notes)
    summary.removed = _remove(db, seen.missing(), db_label=summary.db_path)
    summary.total_evidence = store.count_evidence(db)


def _skip(summary: RunSummary, doc_id: str, on_document: ProgressCallback | None) -> None:
    summary.skipped += 1
    if on_document is not None:
        on_document(doc_id)


def _records(
    entry: CorpusEntry, largest: int | None = None
) -> Iterator[tuple[str, bytes | None, str | None, str | None]]:
    """(doc_id, bytes, sha256, None) for each document of a corpus file (one, or one per
    citation of a PubMed file), or (doc_id, None, None, why it cannot be read).

    A text or PDF file larger than the memory budget is not read at all: no worker could
    hold it, and reading it here would take that memory from the run itself. (PubMed
    files are streamed a citation at a time, so their size does not matter.)
    """
    if entry.problem is not None:
        yield entry.doc_id, None, None, entry.problem
        return
    try:
        bounded = entry.path.name.lower().endswith(tuple(TEXT_SUFFIXES) + (".pdf",))
        if largest is not None and bounded and (size := entry.path.stat().st_size) > largest:
            yield (
                entry.doc_id,
                None,
                None,
                (
                    f"the file is {format_size(size)}, more than the memory budget "
                    f"({format_size(largest)}, --max-memory): not read"
                ),
            )
            return
        for record in file_records(entry.path, entry.doc_id):
            yield record.doc_id, record.data, record.sha256, None
    except PermissionError:
        yield (
            entry.doc_id,
            None,
            None,
            ("cannot read the file: permission denied (make it readable and run again)"),
        )
    except IsADirectoryError:
        yield entry.doc_id, None, None, "is a folder, not a file"
    except OSError as error:
        reason = error.strerror.lower() if error.strerror else type(error).__name__
        yield entry.doc_id, None, None, f"cannot read the file: {reason}"


def store_result(db: sqlite_utils.Database, result: DocumentResult) -> Stored:
    """Write one result (see `store_rows`)."""
    return store_rows(db, store.document_rows(result))


def store_rows(db: sqlite_utils.Database, rows: store.DocumentRows) -> Stored:
    """Write one document's rows; if they cannot be stored, store it as an error.

    Errors about the database as a whole (full disk, read-only, locked) stop the run with
    a UserError: every later document would fail the same way.
    """
    try:
        store.write_rows(db, rows)
        return Stored.of(rows)
    except Exception as error:
        if store.is_database_level(error):
            raise store.StoreError(store.describe_sqlite_error(error, _path_of(db))) from error
        reason = unstorable_reason(error)
    version, sha256, size_bytes, warnings = rows.basis
    failed = store.document_rows(
        error_result(
            rows.doc_id, reason, version, sha256=sha256, size_bytes=size_bytes, warnings=warnings
        )
    )
    try:
        store.write_rows(db, failed)
    except Exception as error:
        raise store.StoreError(store.describe_sqlite_error(error, _path_of(db))) from error
    return Stored.of(failed)


def _remove(db: sqlite_utils.Database, doc_ids: list[str], db_label: str) -> int:
    try:
        return store.remove_documents(db, doc_ids)
    except Exception as error:
        if store.is_database_level(error):
            raise store.StoreError(store.describe_sqlite_error(error, db_label)) from error
        raise


def _path_of(db: sqlite_utils.Database) -> str:
    rows = db.execute("pragma database_list").fetchall()  # see schema._header
    return rows[0][2] if rows else "the database"


def _write_snapshot(db: sqlite_utils.Database, folder: Path, summary: RunSummary) -> None:
    from extractor.review.snapshot import SnapshotError, write_snapshot

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

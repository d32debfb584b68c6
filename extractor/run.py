"""Walk a corpus folder and bring the evidence database up to date with it.

A document is extracted only when its bytes or the extractor (code + patterns) changed;
deleted files lose their rows; each document is committed on its own, so a run stopped
by Ctrl-C or a kill resumes where it stopped. Files are read one at a time (or a few
per worker process), so memory does not grow with the size of the corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from extractor import store
from extractor.ingest import Record, file_records
from extractor.pipeline import Extractor, is_supported
from extractor.workers import extract_all


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

    def line(self) -> str:
        return (
            f"{self.read} documents read, {self.skipped} skipped as unchanged, "
            f"{self.failed} failed, {self.removed} removed; "
            f"{self.evidence_rows} evidence rows written "
            f"({self.total_evidence} in {self.db_path})"
        )


ProgressCallback = Callable[[str], None]


def corpus_files(corpus_dir: Path) -> Iterator[tuple[str, Path]]:
    """(doc_id, path) of every supported file below the folder, in a stable order.

    Hidden files and folders (`.git`, editor swap files) are not documents.
    """
    for path in sorted(corpus_dir.rglob("*")):
        relative = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and is_supported(path.name):
            yield relative.as_posix(), path


def corpus_records(corpus_dir: Path) -> Iterator[Record]:
    """Every document of the corpus, lazily: one per file, one per citation of a PubMed
    file (`<path>#<PMID>`), each with the sha256 of its own bytes."""
    for file_id, path in corpus_files(corpus_dir):
        yield from file_records(path, file_id)


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
) -> RunSummary:
    """Extract every new or changed document of `corpus_dir` into `db_path`.

    `on_document` is called with each doc_id after it is committed (progress bars use it).
    With `snapshot_dir`, the text snapshot reviewed in pull requests is brought up to date
    from the database afterwards. `jobs > 1` extracts in that many worker processes while
    this process alone writes, one transaction per document as before.
    """
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise NotADirectoryError(f"{corpus_dir} is not a folder")
    extractor = extractor or Extractor.load(patterns_dir)
    db = store.open_database(db_path)
    summary = RunSummary(db_path=str(db_path))
    try:
        known = store.stored_documents(db)
        present: set[str] = set()

        def changed_documents() -> Iterator[tuple[str, bytes]]:
            """Yield what must be extracted; count (and report) what is unchanged."""
            for record in corpus_records(corpus_dir):
                doc_id, data = record.doc_id, record.data
                present.add(doc_id)
                previous = known.get(doc_id)
                if (
                    not force
                    and previous is not None
                    and previous.sha256 == record.sha256
                    and previous.extractor_version == extractor.version
                ):
                    summary.skipped += 1
                    if on_document is not None:
                        on_document(doc_id)
                else:
                    yield doc_id, data

        results = extract_all(changed_documents(), extractor, jobs=jobs, patterns_dir=patterns_dir)
        for result in results:
            store.write_document(db, result)
            summary.read += 1
            summary.failed += result.status == "error"
            summary.evidence_rows += len(result.evidence)
            if on_document is not None:
                on_document(result.doc_id)
        summary.removed = store.remove_documents(db, sorted(set(known) - present))
        summary.total_evidence = store.count_evidence(db)
        if snapshot_dir is not None:
            from extractor.snapshot import write_snapshot

            write_snapshot(db, Path(snapshot_dir))
    finally:
        db.close()
    return summary


def count_corpus_files(corpus_dir: Path) -> int:
    """How many documents a run will look at: the length of the progress bar."""
    return sum(1 for _ in corpus_files(Path(corpus_dir)))

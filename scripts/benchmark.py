"""Print how fast extraction is, next to baselines measured in the same run.

Timings on shared machines are noisy, so nothing here is asserted: the script prints
figures and ratios against two baselines taken moments before on the same machine: the
I/O floor (reading and hashing the bytes, what a no-op re-run must do) and the reading
floor (ingesting and normalising the text, what any extractor must do before matching).
It also prints peak memory for two corpus sizes, which should stay flat: a run holds one
document at a time.

    python scripts/benchmark.py [--copies 40]
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from extractor.ingest.pdf import read_pdf  # noqa: E402
from extractor.ingest.text import read_text  # noqa: E402
from extractor.normalise import normalise  # noqa: E402
from extractor.pipeline import Extractor, extract_document, source_type_for  # noqa: E402
from extractor.run import corpus_files, run_corpus  # noqa: E402


def make_corpus(target: Path, copies: int) -> list[tuple[str, bytes]]:
    """`copies` copies of every sample document, each made unique by a first line."""
    target.mkdir(parents=True)
    documents = []
    for doc_id, path in corpus_files(REPO / "corpus"):
        data = path.read_bytes()
        for i in range(copies):
            name = f"{i:04d}_{doc_id.replace('/', '_')}"
            body = data if path.suffix.lower() == ".pdf" else f"Copy {i}.\n\n".encode() + data
            (target / name).write_bytes(body)
            documents.append((name, body))
    return documents


def timed(
    label: str,
    documents: list[tuple[str, bytes]],
    step: Callable[[str, bytes], object],
    baseline: float | None,
    baseline_name: str = "reading",
) -> float:
    start = time.perf_counter()
    for doc_id, data in documents:
        step(doc_id, data)
    seconds = time.perf_counter() - start
    report(label, seconds, documents, baseline, baseline_name)
    return seconds


def report(
    label: str,
    seconds: float,
    documents: list[tuple[str, bytes]],
    baseline: float | None,
    baseline_name: str = "reading",
    extra: str = "",
) -> None:
    megabytes = sum(len(d) for _, d in documents) / 1e6
    ratio = f"{seconds / baseline:7.1f}x {baseline_name}" if baseline else "   (baseline)"
    print(
        f"  {label:<38} {seconds:8.3f} s  {len(documents) / seconds:9.1f} docs/s  "
        f"{megabytes / seconds:7.2f} MB/s  {ratio}  {extra}".rstrip()
    )


def ingest_only(doc_id: str, data: bytes) -> object:
    raw = read_pdf(data) if source_type_for(doc_id) == "pdf" else read_text(data)
    return normalise(raw)


def peak_memory_of_run(copies: int) -> float:
    """Peak RSS (MB) of a fresh process running `extract` on a corpus of `copies` copies."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        make_corpus(corpus, copies)
        code = (
            "import resource, sys; from pathlib import Path; "
            f"sys.path.insert(0, {str(REPO)!r}); "
            "from extractor.run import run_corpus; "
            f"run_corpus(Path({str(corpus)!r}), Path({str(Path(tmp) / 'e.db')!r})); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40, help="copies of each sample document")
    args = parser.parse_args()

    extractor = Extractor.load()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        documents = make_corpus(corpus, args.copies)
        size = sum(len(d) for _, d in documents) / 1e6
        print(
            f"corpus: {len(documents)} documents, {size:.1f} MB "
            f"({args.copies} copies of the sample corpus)"
        )
        io = timed(
            "I/O floor: read + sha256",
            documents,
            lambda _d, data: hashlib.sha256(data).hexdigest(),
            None,
        )
        base = timed("reading floor: ingest + normalise", documents, ingest_only, None)
        timed(
            "extract_document (no database)",
            documents,
            lambda doc_id, data: extract_document(data, doc_id, extractor),
            base,
        )
        db = Path(tmp) / "e.db"
        start = time.perf_counter()
        summary = run_corpus(corpus, db, extractor=extractor)
        full = time.perf_counter() - start
        report(
            "run_corpus, first run (with SQLite)",
            full,
            documents,
            base,
            extra=f"{summary.total_evidence} rows",
        )
        start = time.perf_counter()
        run_corpus(corpus, Path(tmp) / "parallel.db", extractor=extractor, jobs=2)
        parallel = time.perf_counter() - start
        report(
            "run_corpus --jobs 2 (with SQLite)",
            parallel,
            documents,
            base,
            extra=f"{full / parallel:.2f}x faster than one process",
        )
        start = time.perf_counter()
        run_corpus(corpus, db, extractor=extractor)
        noop = time.perf_counter() - start
        report("run_corpus, unchanged corpus (no-op)", noop, documents, io, "I/O")
        shutil.rmtree(corpus)

    small, large = max(1, args.copies // 4), args.copies
    print("peak memory of a whole run (fresh process):")
    for copies in (small, large):
        print(f"  {copies:4d} copies: {peak_memory_of_run(copies):8.1f} MB")
    print(f"  (this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB)")


if __name__ == "__main__":
    main()

"""Print how fast and how lean extraction is, next to baselines measured in the same run.

Timings on shared machines are noisy, so nothing here is asserted: the script prints
figures and ratios against baselines taken moments before on the same machine, and the
load average, so a reader can judge how idle the machine was.

Sections (all by default; `--only` picks some):

- `speed`: the I/O floor (read + sha256), the reading floor (ingest + normalise),
  extraction without a database, a whole run in-process and in a supervised worker
  (`--jobs 1` with its time and memory budget), and a no-op re-run.
- `engine`: CPU seconds of extraction (no database) against bare spaCy (blank English +
  sentencizer) on the same texts, with the loaded objects out of the garbage collector's
  walks as in a run's worker, for abstracts and for full texts separately: the
  generated abstracts and the seed corpus's full texts by default, or your own folders
  (`--abstracts-dir`, `--full-dir`, e.g. `../shared/dev/pico/corpus`).
- `jobs`: `--jobs 1` against `--jobs 2` (and more with `--jobs N`), each a whole run in a
  fresh process, repeated and the fastest kept; with the time spent loading the
  extractor (once, in the parent), and the CPU seconds of the parent and of its workers:
  the parent's share of the CPU bounds the speed-up, whatever else runs on the machine.
- `memory`: peak memory of a whole run with its snapshot, parent and worker, for a corpus
  and one sixteen times larger: flat memory means the two match.
- `pubmed`: abstracts per second per core on generated abstracts in a baseline-style
  PubMed XML file (`--pubmed-form text`: one text file each), the ratio to bare spaCy
  (blank English + sentencizer) on the same texts, peak memory, and the projected hours
  for 36 million abstracts on 2, 16 and 64 cores.

    python scripts/benchmark.py [--copies 40] [--abstracts 10000] [--only pubmed]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from extractor.ingest.pdf import read_pdf  # noqa: E402
from extractor.ingest.text import read_text  # noqa: E402
from extractor.pipeline import Extractor, extract_document, source_type_for  # noqa: E402
from extractor.runner.budget import Budget  # noqa: E402
from extractor.runner.run import corpus_files, run_corpus  # noqa: E402
from extractor.runner.supervise import loaded_objects_frozen  # noqa: E402
from extractor.text.normalise import normalise  # noqa: E402

PUBMED_ABSTRACTS = 36_000_000
ENGINE_ROUNDS = 3  # passes per set in `engine`, each with a fresh bare spaCy's first pass
SECTIONS = ("speed", "engine", "jobs", "memory", "pubmed")
ABSTRACT_SOURCES = (REPO.parent.parent / "shared" / "dev" / "pico" / "corpus", REPO / "corpus")


# --- corpora -------------------------------------------------------------------------------


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


def abstract_sentences() -> list[str]:
    """Sentences of real abstracts: the PICO development set when present, else the
    sample corpus. Used as material only; every generated abstract is a new mix."""
    sentences: list[str] = []
    for folder in ABSTRACT_SOURCES:
        if folder.is_dir():
            for path in sorted(folder.glob("*.txt")):
                text = path.read_text(encoding="utf-8", errors="replace")
                sentences += [s for s in re.split(r"(?<=\.)\s+", text) if 30 < len(s) < 600]
            if len(sentences) > 500:
                break
    return sentences


def generated_abstracts(count: int, seed: int = 1) -> list[tuple[str, list[tuple[str, str]]]]:
    """`count` PubMed-style abstracts: a title and labelled sections (1-2 KB, the length of
    a typical PubMed abstract), mixed from real abstracts' sentences with their numbers
    varied, so no two are alike."""
    rng = random.Random(seed)
    sentences = abstract_sentences()
    abstracts = []
    for i in range(count):
        picked = rng.sample(sentences, k=min(len(sentences), rng.randint(6, 10)))
        picked = [
            re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(0, 9)), s) for s in picked
        ]
        third = max(1, len(picked) // 3)
        abstracts.append(
            (
                f"Trial {i} of an intervention in adults.",
                [
                    ("BACKGROUND", picked[0]),
                    ("METHODS", " ".join(picked[1 : third + 1])),
                    ("RESULTS", " ".join(picked[third + 1 : -1])),
                    ("CONCLUSIONS", picked[-1]),
                ],
            )
        )
    return abstracts


def abstract_text(title: str, sections: list[tuple[str, str]]) -> str:
    return title + "\n\n" + "\n".join(f"{label}: {text}" for label, text in sections) + "\n"


def make_pubmed_corpus(target: Path, count: int, form: str) -> list[str]:
    """The abstracts as one baseline-style PubMed XML file (`xml`, read a citation at a
    time) or as one plain-text file each (`text`); returns their texts."""
    abstracts = generated_abstracts(count)
    target.mkdir(parents=True)
    if form == "xml":
        sys.path.insert(0, str(REPO / "scripts"))
        from make_pubmed_baseline import write_baseline

        write_baseline(target / "pubmed26n0001.xml.gz", count, abstracts=abstracts)
    else:
        for i, (title, sections) in enumerate(abstracts):
            (target / f"pmid{30_000_001 + i}.txt").write_text(
                abstract_text(title, sections), encoding="utf-8"
            )
    return [abstract_text(title, sections) for title, sections in abstracts]


# --- measuring -----------------------------------------------------------------------------


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def report(
    label: str,
    seconds: float,
    count: int,
    megabytes: float,
    baseline: float | None,
    baseline_name: str = "reading",
    extra: str = "",
) -> None:
    ratio = f"{seconds / baseline:7.1f}x {baseline_name}" if baseline else "   (baseline)"
    print(
        f"  {label:<42} {seconds:8.3f} s  {count / seconds:9.1f} docs/s  "
        f"{megabytes / seconds:7.2f} MB/s  {ratio}  {extra}".rstrip()
    )


def timed(
    label: str,
    documents: list[tuple[str, bytes]],
    step: Callable[[str, bytes], object],
    baseline: float | None,
) -> float:
    start = time.perf_counter()
    for doc_id, data in documents:
        step(doc_id, data)
    seconds = time.perf_counter() - start
    report(label, seconds, len(documents), sum(len(d) for _, d in documents) / 1e6, baseline)
    return seconds


def ingest_only(doc_id: str, data: bytes) -> object:
    raw = read_pdf(data) if source_type_for(doc_id) == "pdf" else read_text(data)
    return normalise(raw)


_RUN_IN_CHILD = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {repo!r})
from extractor.runner.run import load_extractor, run_corpus
start = time.perf_counter()
extractor = load_extractor(None)
loaded = time.perf_counter()
cpu = time.process_time()
snapshot = {snapshot!r}
summary = run_corpus(Path({corpus!r}), Path({db!r}), jobs={jobs}, extractor=extractor,
                     snapshot_dir=Path(snapshot) if snapshot else None)
seconds = time.perf_counter() - start
parent_cpu = time.process_time() - cpu
workers = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({{
    "seconds": seconds,
    "load_seconds": loaded - start,
    "parent_cpu": parent_cpu,
    "workers_cpu": workers.ru_utime + workers.ru_stime,
    "read": summary.read,
    "failed": summary.failed,
    "rows": summary.total_evidence,
    "parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}}))
"""


def run_in_fresh_process(corpus: Path, work: Path, jobs: int = 1, snapshot: bool = False) -> dict:
    """A whole `run_corpus` in a new interpreter: its time, and the peak resident memory
    of the parent and of its largest worker (RUSAGE_CHILDREN)."""
    db = work / f"run-{time.monotonic_ns()}.db"
    code = _RUN_IN_CHILD.format(
        repo=str(REPO),
        corpus=str(corpus),
        db=str(db),
        jobs=jobs,
        snapshot=str(work / "snapshot") if snapshot else "",
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    db.unlink(missing_ok=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- sections ------------------------------------------------------------------------------


def speed(extractor: Extractor, copies: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        documents = make_corpus(corpus, copies)
        megabytes = sum(len(d) for _, d in documents) / 1e6
        print(
            f"speed: {len(documents)} documents, {megabytes:.1f} MB ({copies} copies of the "
            f"sample corpus); load average {load_average()}"
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
        runs = {}
        for attempt in range(2):  # alternate, keep the fastest of each
            for label, budget in (("in-process", None), ("supervised", Budget())):
                db = Path(tmp) / f"{label}-{attempt}.db"
                start = time.perf_counter()
                run_corpus(corpus, db, extractor=extractor, budget=budget)
                seconds = time.perf_counter() - start
                runs[label] = min(runs.get(label, seconds), seconds)
        report("run, in-process (no budget)", runs["in-process"], len(documents), megabytes, base)
        report(
            "run, --jobs 1 supervised (budget)",
            runs["supervised"],
            len(documents),
            megabytes,
            base,
            extra=f"{runs['supervised'] / runs['in-process']:.2f}x in-process",
        )
        start = time.perf_counter()
        run_corpus(corpus, Path(tmp) / "supervised-0.db", extractor=extractor)
        report(
            "run, unchanged corpus (no-op)",
            time.perf_counter() - start,
            len(documents),
            megabytes,
            io,
            "I/O",
        )


def jobs_scaling(copies: int, most: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        documents = make_corpus(corpus, copies)
        cores = os.cpu_count() or 1
        print(
            f"jobs: {len(documents)} documents, whole runs in fresh processes, fastest of 3 "
            f"alternating; {cores} cores; load average before {load_average()}"
        )
        best: dict[int, dict] = {}
        for _ in range(3):
            for jobs in range(1, most + 1):
                result = run_in_fresh_process(corpus, Path(tmp), jobs=jobs)
                if jobs not in best or result["seconds"] < best[jobs]["seconds"]:
                    best[jobs] = result
        one = best[1]
        for jobs, result in best.items():
            seconds, load = result["seconds"], result["load_seconds"]
            run = seconds - load
            print(
                f"  --jobs {jobs}: {seconds:8.2f} s  {len(documents) / seconds:7.1f} docs/s  "
                f"{one['seconds'] / seconds:5.2f}x --jobs 1; without loading the extractor "
                f"({load:.2f} s, once, before any worker): {run:6.2f} s, "
                f"{(one['seconds'] - one['load_seconds']) / run:5.2f}x"
            )
        print("  CPU of those runs (the parent walks and writes, the workers extract):")
        for jobs, result in best.items():
            _cpu_breakdown(jobs, result, one, len(documents), cores)
        print(f"  load average after {load_average()}")


def _cpu_breakdown(jobs: int, result: dict, one: dict, count: int, cores: int) -> None:
    """Where the CPU of a run went, and the speed-up it allows.

    Per document the parent spends P and the workers X seconds of CPU. With one job the
    parent writes while its worker extracts the next document, so a document takes
    max(X, P, (P + X) / cores); with N jobs max(X / N, P, (P + X) / cores). The parent's
    share P / (P + X) thus bounds the speed-up: 2 x (1 - share) for 2 jobs on 2 cores.
    The second bound takes X and P of the --jobs 1 run for its side, so it also counts
    what running side by side costs the workers (shared caches, page copies).
    """
    parent, workers = result["parent_cpu"], result["workers_cpu"]
    share = parent / (parent + workers) if parent + workers else 0.0

    def per_document(run: dict, n: int) -> float:
        p, x = run["parent_cpu"] / count, run["workers_cpu"] / count
        return max(x / n, p, (p + x) / cores)

    own = per_document(result, 1) / per_document(result, jobs) if workers else 0.0
    against_one = per_document(one, 1) / per_document(result, jobs) if workers else 0.0
    print(
        f"    --jobs {jobs}: parent {parent:6.2f} s CPU ({parent / count * 1000:5.1f} ms/doc), "
        f"workers {workers:6.2f} s ({workers / count * 1000:5.1f} ms/doc); parent share "
        f"{share:5.1%}: at most {own:.2f}x on {cores} cores ({against_one:.2f}x with the "
        "--jobs 1 run's CPU per document)"
    )


def memory(copies: int) -> None:
    print(
        f"memory: peak resident memory of a whole run with its snapshot, fresh process; "
        f"load average {load_average()}"
    )
    for factor in (1, 16):
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            documents = make_corpus(corpus, copies * factor)
            result = run_in_fresh_process(corpus, Path(tmp), snapshot=True)
            print(
                f"  {factor:2d}x: {len(documents):6d} documents, {result['rows']:7d} rows: "
                f"parent {result['parent_mb']:7.1f} MB, worker {result['worker_mb']:7.1f} MB "
                f"({result['seconds']:.0f} s)"
            )


def pubmed(count: int, cores: int, form: str) -> None:
    import spacy

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "abstracts"
        texts = make_pubmed_corpus(corpus, count, form)
        chars = sum(len(t) for t in texts)
        layout = "one baseline-style PubMed XML file" if form == "xml" else "plain-text files"
        print(
            f"pubmed: {count} generated abstracts ({layout}), {chars / count:.0f} characters "
            f"each on average; load average {load_average()}"
        )
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        start = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=256):
            pass
        bare = time.perf_counter() - start
        result = run_in_fresh_process(corpus, Path(tmp), jobs=cores)
        seconds = result["seconds"]
        per_core = count / seconds / cores
        print(f"  bare spaCy (blank en + sentencizer): {count / bare:9.1f} abstracts/s, one core")
        print(
            f"  extract --jobs {cores} (with SQLite):      {count / seconds:9.1f} abstracts/s, "
            f"{per_core:.1f} per core, {seconds / bare * cores:.1f}x bare spaCy per core; "
            f"{result['failed']} failed, {result['rows']} rows"
        )
        print(
            f"  peak memory: parent {result['parent_mb']:.1f} MB, "
            f"largest worker {result['worker_mb']:.1f} MB"
        )
        for n in (2, 16, 64):
            hours = PUBMED_ABSTRACTS / (per_core * n) / 3600
            print(
                f"  36 million abstracts on {n:2d} cores: {hours:8.1f} hours "
                "(at this per-core rate, scaling linearly)"
            )


def _cpu_ratio(
    extractor: Extractor, fresh: list[Language], documents: list[tuple[str, bytes]], rounds: int
) -> None:
    """Process CPU time, not wall time, so other programs on a shared machine count less;
    the passes are interleaved so drift hits both sides alike. Bare spaCy's first pass is
    taken on each of the `fresh` pipelines (one per round) and its median reported: one
    fresh pass alone swung by half from run to run here, the extraction's far less."""
    if not documents:
        print("    no *.txt documents there: nothing measured")
        return
    texts = [data.decode("utf-8", "replace") for _, data in documents]
    nlp = fresh[0]
    bare_times, extract_times, collect_times, first_times = [], [], [], []
    for round_ in range(rounds):
        if 0 < round_ < len(fresh):
            start = time.process_time()
            for text in texts:
                fresh[round_](text)
            first_times.append(time.process_time() - start)
        start = time.process_time()
        for text in texts:
            nlp(text)
        bare_times.append(time.process_time() - start)
        if round_ == 0:
            first_times.append(bare_times[0])
        with _collections_timed() as collecting:
            start = time.process_time()
            for name, data in documents:
                extract_document(data, name, extractor)
            extract_times.append(time.process_time() - start)
        collect_times.append(collecting[0])
    chars = sum(len(t) for t in texts)
    # The first pass is reported apart: spaCy's tokenizer caches every string it has seen
    # (and the statistic scanner memoises short cells), so later passes over the same texts
    # flatter both sides, spaCy more; a corpus is read once, so the first pass is the honest one.
    best = extract_times.index(min(extract_times))
    first = statistics.median(first_times)
    print(
        "    bare spaCy first passes on fresh pipelines: "
        + ", ".join(f"{t:.3f}" for t in first_times)
        + f" s (median {first:.3f} s)"
    )
    for label, bare, extract, collect in (
        ("first pass", first, extract_times[0], collect_times[0]),
        (f"best of {rounds}", min(bare_times), extract_times[best], collect_times[best]),
    ):
        print(
            f"    {label:>10}: bare spaCy {bare:7.3f} s, extraction {extract:7.3f} s CPU "
            f"({chars / extract / 1000:.0f} k characters/s): {extract / bare:.1f}x bare spaCy"
            f" (garbage collection {collect:.3f} s of it)"
        )


@contextlib.contextmanager
def _collections_timed() -> Iterator[list[float]]:
    """Seconds spent in Python's garbage collector meanwhile (in `[0]` when done): the
    collector walks every object the loaded extractor holds, so a share of the time is
    the process's, not the extraction's algorithms'."""
    spent = [0.0]
    started = [0.0]

    def callback(phase: str, _info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - started[0]

    gc.callbacks.append(callback)
    try:
        yield spent
    finally:
        gc.callbacks.remove(callback)


def _text_documents(folder: Path) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.txt"))]


def engine(
    extractor: Extractor, abstracts: int, abstracts_dir: Path | None, full_dir: Path | None
) -> None:
    import spacy

    print(f"engine: extraction CPU against bare spaCy, same texts; load average {load_average()}")
    bare = []  # fresh bare spaCys for each set of texts, as the first pass needs
    for _ in range(2):
        fresh = []
        for _ in range(ENGINE_ROUNDS):
            nlp = spacy.blank("en")
            nlp.add_pipe("sentencizer")
            fresh.append(nlp)
        bare.append(fresh)
    # a run extracts in a worker forked with the loaded extractor out of the garbage
    # collector's walks: measured here in the same state, bare spaCy's objects too
    with loaded_objects_frozen():
        _engine(extractor, bare, abstracts, abstracts_dir, full_dir)


def _engine(
    extractor: Extractor,
    bare: list[list[Language]],
    abstracts: int,
    abstracts_dir: Path | None,
    full_dir: Path | None,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if abstracts_dir is not None:
            documents = _text_documents(abstracts_dir)
            where = str(abstracts_dir)
        else:
            texts = make_pubmed_corpus(Path(tmp) / "abstracts", min(abstracts, 500), "text")
            documents = [(f"a{i}.txt", t.encode()) for i, t in enumerate(texts)]
            where = "generated abstracts"
        print(f"  abstracts: {len(documents)} from {where}")
        _cpu_ratio(extractor, bare.pop(0), documents, rounds=ENGINE_ROUNDS)
    if full_dir is not None:
        documents = _text_documents(full_dir)
        where = str(full_dir)
    else:
        documents = [
            (name, data)
            for name, data in _text_documents(REPO / "corpus")
            if len(data) > 10_000  # the seeds' full papers and guidance, not their abstracts
        ]
        where = "the sample corpus's full texts"
    print(f"  full texts: {len(documents)} from {where}")
    _cpu_ratio(extractor, bare.pop(0), documents, rounds=ENGINE_ROUNDS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40, help="copies of each sample document")
    parser.add_argument(
        "--memory-copies",
        type=int,
        default=5,
        help="copies for the 1x memory corpus (16x is 16 times as many)",
    )
    parser.add_argument("--abstracts", type=int, default=10_000, help="generated abstracts")
    parser.add_argument(
        "--pubmed-form", choices=["xml", "text"], default="xml", help="how abstracts are stored"
    )
    parser.add_argument("--jobs", type=int, default=2, help="most worker processes to try")
    parser.add_argument("--abstracts-dir", type=Path, help="abstracts (*.txt) for `engine`")
    parser.add_argument("--full-dir", type=Path, help="full texts (*.txt) for `engine`")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only these")
    args = parser.parse_args()
    sections = args.only or list(SECTIONS)

    extractor = Extractor.load()
    if "speed" in sections:
        speed(extractor, args.copies)
    if "engine" in sections:
        engine(extractor, args.abstracts, args.abstracts_dir, args.full_dir)
    if "jobs" in sections:
        jobs_scaling(max(1, args.copies // 2), args.jobs)
    if "memory" in sections:
        memory(args.memory_copies)
    if "pubmed" in sections:
        pubmed(args.abstracts, args.jobs, args.pubmed_form)


if __name__ == "__main__":
    main()

"""Print how fast the PDF reader is, next to pypdfium2 and pdfplumber in the same run.

For every PDF of a folder, three readers run one after the other on the same bytes:

* pypdfium2 bare: open, and for each page the text page's `get_text_range()`: the floor,
  text with no layout at all;
* pdfplumber: `page.extract_text()` for each page, the reader this project used before;
* this reader: `extractor.ingest.pdf.read_pdf`, layout and all.

Times are CPU seconds of this process (the machine is shared, wall time is noise), the
figure is pages per second, and the medians are per file. Nothing is asserted: timings
are printed, never tested.

    python scripts/bench_pdf.py FOLDER [--no-pdfplumber] [--repeat N]

`measure(paths)` and `print_report(results)` are importable (scripts/benchmark.py).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import pdfplumber  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402

from extractor.ingest.pdf import read_pdf  # noqa: E402
from extractor.types import IngestError  # noqa: E402

READERS = ("pypdfium2", "pdfplumber", "reader")


@dataclass(frozen=True)
class FileResult:
    """Pages per CPU second of each reader on one file (None: not run or failed)."""

    name: str
    pages: int
    rates: dict[str, float | None]
    error: str | None = None


def pdfium_bare(data: bytes) -> int:
    """pypdfium2's plain text of every page; returns the page count."""
    document = pdfium.PdfDocument(data)
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        return len(document)
    finally:
        document.close()


def pdfplumber_text(data: bytes) -> int:
    """pdfplumber's `extract_text` of every page; returns the page count."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
        return len(pdf.pages)


def this_reader(data: bytes) -> int:
    return len(read_pdf(data).pages)


def _rate(step: Callable[[bytes], int], data: bytes, repeat: int) -> tuple[float | None, int]:
    best: float | None = None
    pages = 0
    for _ in range(repeat):
        start = time.process_time()
        pages = step(data)
        seconds = max(time.process_time() - start, 1e-6)
        best = seconds if best is None else min(best, seconds)
    assert best is not None
    return pages / best, pages


def measure(
    paths: Iterable[Path], *, pdfplumber_too: bool = True, repeat: int = 1
) -> list[FileResult]:
    """Pages per CPU second of each reader, file by file (best of `repeat` runs)."""
    steps: dict[str, Callable[[bytes], int]] = {
        "pypdfium2": pdfium_bare,
        "pdfplumber": pdfplumber_text,
        "reader": this_reader,
    }
    results = []
    for path in paths:
        data = path.read_bytes()
        rates: dict[str, float | None] = dict.fromkeys(READERS)
        pages = 0
        error = None
        for name, step in steps.items():
            if name == "pdfplumber" and not pdfplumber_too:
                continue
            try:
                rates[name], pages = _rate(step, data, repeat)
            except (IngestError, Exception) as exc:  # a benchmark reports, never stops
                error = f"{name}: {exc}"
        results.append(FileResult(path.name, pages, rates, error))
    return results


def print_report(results: Sequence[FileResult], out=sys.stdout) -> None:
    """A table of pages/s per file, then the per-file medians and their ratios."""
    width = max([len(r.name) for r in results] + [4])
    header = f"{'file':<{width}} {'pages':>5} " + " ".join(f"{n:>11}" for n in READERS)
    print(header, file=out)
    print("-" * len(header), file=out)
    for r in results:
        cells = " ".join(
            f"{r.rates[n]:>11.1f}" if r.rates[n] is not None else f"{'-':>11}" for n in READERS
        )
        print(
            f"{r.name:<{width}} {r.pages:>5} {cells}" + (f"  ({r.error})" if r.error else ""),
            file=out,
        )
    medians: dict[str, float | None] = {}
    for n in READERS:
        values = [r.rates[n] for r in results if r.rates[n] is not None]
        medians[n] = statistics.median(values) if values else None
    print("-" * len(header), file=out)
    cells = " ".join(
        f"{medians[n]:>11.1f}" if medians[n] is not None else f"{'-':>11}" for n in READERS
    )
    print(f"{'median pages/s per file':<{width + 6}}{cells}", file=out)
    reader = medians["reader"]
    if reader:
        for n in ("pypdfium2", "pdfplumber"):
            if medians[n]:
                print(f"reader / {n}: {reader / medians[n]:.2f}x (medians)", file=out)
    total = sum(r.pages for r in results)
    print(f"{len(results)} files, {total} pages; CPU seconds of this process", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a folder of PDFs (searched recursively)")
    parser.add_argument("--no-pdfplumber", action="store_true", help="skip the slow baseline")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs per reader")
    args = parser.parse_args(argv)
    paths = sorted(p for p in args.folder.rglob("*") if p.suffix.lower() == ".pdf")
    if not paths:
        print(f"no PDFs under {args.folder}", file=sys.stderr)
        return 1
    print_report(measure(paths, pdfplumber_too=not args.no_pdfplumber, repeat=args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

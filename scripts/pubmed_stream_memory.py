"""Print the peak memory of streaming a PubMed baseline-style file, at 1x and 10x size.

Streaming must keep memory flat: a 300,000-citation file should peak where a
30,000-citation one does. Each size is generated (scripts/make_pubmed_baseline.py) and
read in a fresh process through `extractor.ingest.file_records` (what a corpus run
uses), counting records and hashing their bytes but not extracting them; the child's
peak resident memory is printed. Nothing is asserted: these are figures to read.

    python scripts/pubmed_stream_memory.py [--citations 30000] [--factors 1 10]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from make_pubmed_baseline import write_baseline  # noqa: E402

_CHILD = """
import resource, sys, time
sys.path.insert(0, {repo!r})
from pathlib import Path
from extractor.ingest import file_records
start = time.perf_counter()
count = 0
for record in file_records(Path({path!r}), "baseline.xml.gz"):
    count += 1
elapsed = time.perf_counter() - start
print(count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, f"{{elapsed:.1f}}")
"""


def stream_peak(path: Path) -> tuple[int, int, float]:
    """(records, peak RSS in KiB, seconds) of streaming `path` in a fresh process."""
    code = _CHILD.format(repo=str(REPO), path=str(path))
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    return int(out[0]), int(out[1]), float(out[2])


def baseline_rss() -> int:
    """Peak RSS of a process that only imports the reader: the floor to compare with."""
    code = (
        f"import resource, sys; sys.path.insert(0, {str(REPO)!r}); import extractor.ingest; "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citations", type=int, default=30_000)
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10])
    args = parser.parse_args()
    print(f"import only: peak {baseline_rss() / 1024:.0f} MiB")
    with tempfile.TemporaryDirectory() as tmp:
        for factor in args.factors:
            count = args.citations * factor
            path = Path(tmp) / f"baseline-{factor}x.xml.gz"
            began = time.perf_counter()
            write_baseline(path, count)
            made = time.perf_counter() - began
            records, peak, seconds = stream_peak(path)
            print(
                f"{factor:>3}x: {records:,} citations, {path.stat().st_size / 2**20:.0f} MiB "
                f"gzipped (made in {made:.0f} s); streamed in {seconds:.0f} s "
                f"({records / seconds:,.0f}/s), peak {peak / 1024:.0f} MiB"
            )
            path.unlink()


if __name__ == "__main__":
    main()

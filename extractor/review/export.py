"""`extract export`: the evidence as files for meta-analysis software, without a server.

Three layouts, each the query Datasette shows under the same name, so the browser and the
command line give the same rows:

- `metafor` (canned query `meta_analysis_comparisons`): one row per study × outcome × time ×
  comparison, with metafor's and RevMan's columns: m1i, sd1i, n1i, m2i, sd2i, n2i for
  continuous outcomes; ai, n1i, ci, n2i (events and totals) for dichotomous ones;
- `arms` (canned query `meta_analysis_export`): one row per study × arm × outcome × time,
  duplicates merged, with n and where it came from;
- `evidence`: the evidence table itself, one row per extracted number.

Written as CSV (empty cell for NULL) or JSON (a list of objects, NULL as null).
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from extractor.review.export_sql import ARMS_SQL, COMPARISONS_SQL, run_query
from extractor.review.export_words import ExportWords

EVIDENCE_SQL = """select * from evidence
where (:measure = '' or coalesce(measure, measure_text) = :measure)
  and (:doc_id = '' or doc_id = :doc_id)
order by doc_id, char_start, id
"""

LAYOUTS: dict[str, str] = {
    "metafor": COMPARISONS_SQL,
    "arms": ARMS_SQL,
    "evidence": EVIDENCE_SQL,
}
FORMATS = ("csv", "json")


class ExportError(Exception):
    """The export could not be made; the message says why, for a person."""


def export_rows(
    db_path: Path | str,
    layout: str = "metafor",
    measure: str | None = None,
    doc_id: str | None = None,
    patterns_dir: Path | None = None,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(columns, rows) of one layout, filtered by outcome and document when given."""
    if layout not in LAYOUTS:
        raise ExportError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    db_path = Path(db_path)
    if not db_path.is_file():
        raise ExportError(f"no evidence database at {db_path}; run `extract CORPUS_DIR` first")
    words = ExportWords.load(patterns_dir) if patterns_dir is not None else None
    try:
        return run_query(
            db_path, LAYOUTS[layout], {"measure": measure, "doc_id": doc_id}, words=words
        )
    except sqlite3.DatabaseError as error:
        raise ExportError(
            f"{db_path} is not an evidence database that can be read: {error}"
        ) from error


def write_rows(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], output: TextIO, fmt: str = "csv"
) -> None:
    """Write rows as CSV (header first) or as a JSON list of objects."""
    if fmt == "csv":
        writer = csv.writer(output, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    elif fmt == "json":
        json.dump([dict(zip(columns, row, strict=True)) for row in rows], output, indent=1)
        output.write("\n")
    else:
        raise ExportError(f"unknown format {fmt!r}; choose csv or json")


def export(
    db_path: Path | str,
    output: TextIO,
    layout: str = "metafor",
    fmt: str = "csv",
    measure: str | None = None,
    doc_id: str | None = None,
    patterns_dir: Path | None = None,
) -> int:
    """Write one layout of the database to `output`; returns the number of rows."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose csv or json")
    columns, rows = export_rows(db_path, layout, measure, doc_id, patterns_dir)
    write_rows(columns, rows, output, fmt)
    return len(rows)

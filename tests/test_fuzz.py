"""Fuzzing: whatever the files, every one ends as exactly one `documents` row and the run
finishes.

CI runs a small budget (`EXTRACT_FUZZ_EXAMPLES`, default 25 corpora, inputs up to 2 KB).
The long local mode explores far more and larger inputs and writes a report:

    EXTRACT_FUZZ=long python -m pytest tests/test_fuzz.py -s

(`EXTRACT_FUZZ_EXAMPLES` sets the number of corpora, default 400; inputs grow to 64 KB.)
The report (printed, and written to `EXTRACT_FUZZ_REPORT`, default
/tmp/extract-fuzz-report.json) counts inputs, crashes inside extraction, documents
stopped by their budget, documents without a row, and the slowest time per character,
with the labels of the slowest and crashing inputs; `EXTRACT_FUZZ_SAVE=DIR` keeps those
inputs for whoever fixes them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from fuzz_inputs import FuzzInput, any_input
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.runner.budget import Budget
from extractor.runner.run import run_corpus

LONG = os.environ.get("EXTRACT_FUZZ") == "long"
EXAMPLES = int(os.environ.get("EXTRACT_FUZZ_EXAMPLES", "400" if LONG else "25"))
SIZE = 64 * 1024 if LONG else 2 * 1024
BUDGET = Budget(seconds=60 if LONG else 20, memory_bytes=2 * 1024**3)
REPORT = Path(os.environ.get("EXTRACT_FUZZ_REPORT", "/tmp/extract-fuzz-report.json"))
SAVE = os.environ.get("EXTRACT_FUZZ_SAVE")
MIN_CHARS_FOR_RATE = 2000  # below this, a run's fixed cost hides the extraction time
SLOW_US_PER_CHAR = 150  # about four times real text's rate: such inputs are kept (SAVE)

# Error reasons that mean the code failed, not that the file is bad or ran out of budget.
CRASH_MARKERS = ("internal error", "crashed", "ended unexpectedly", "could not be stored",
                 "could not read the file (")  # fmt: skip
BUDGET_MARKERS = ("took longer than", "needed more than")


class Findings:
    """What the fuzzing saw, over every example of the session."""

    def __init__(self) -> None:
        self.inputs = 0
        self.without_row = 0
        self.crashes: list[dict] = []
        self.budget_stops: list[dict] = []
        self.rates: list[dict] = []
        self.labels: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()

    def report(self) -> dict:
        slowest = sorted(self.rates, key=lambda r: r["us_per_char"], reverse=True)
        firsts: dict[tuple, dict] = {}
        for rate in slowest:  # one per input: hypothesis replays inputs while it shrinks
            firsts.setdefault((rate["label"], rate["chars"]), rate)
        slowest = list(firsts.values())
        return {
            "mode": "long" if LONG else "ci",
            "corpora": EXAMPLES,
            "inputs": self.inputs,
            "statuses": dict(self.statuses),
            "documents_without_a_row": self.without_row,
            "crashes": len(self.crashes),
            "budget_stops": len(self.budget_stops),
            "slowest_us_per_char": slowest[0]["us_per_char"] if slowest else None,
            "slowest": slowest[:15],
            "slowest_us_per_char_by_kind": self._slowest_by_kind(),
            "crash_labels": dict(Counter(c["label"] for c in self.crashes)),
            "budget_labels": dict(Counter(b["label"] for b in self.budget_stops)),
            "crash_examples": _distinct(self.crashes)[:15],
            "budget_examples": _distinct(self.budget_stops)[:15],
            "labels": dict(self.labels.most_common()),
            "budget": {"seconds": BUDGET.seconds, "memory_bytes": BUDGET.memory_bytes},
        }

    def _slowest_by_kind(self) -> dict[str, float]:
        """The worst rate of each kind of input (`text/mutated`, `pdf/bytes`, ...)."""
        worst: dict[str, float] = {}
        for rate in self.rates:
            kind = rate["label"].split(" ")[0]
            worst[kind] = max(worst.get(kind, 0.0), rate["us_per_char"])
        return dict(sorted(worst.items(), key=lambda item: -item[1]))


def _distinct(entries: list[dict]) -> list[dict]:
    """One entry per (label, error): hypothesis replays an input while it shrinks."""
    seen: set[tuple] = set()
    kept = []
    for entry in entries:
        key = (entry["label"], entry["error"])
        if key not in seen:
            seen.add(key)
            kept.append(entry)
    return kept


FINDINGS = Findings()


@pytest.fixture(scope="module", autouse=True)
def write_report():  # type: ignore[no-untyped-def]
    yield
    report = FINDINGS.report()
    REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    if LONG:
        print("\n" + json.dumps({k: v for k, v in report.items() if k != "labels"}, indent=2))


def _save(doc: FuzzInput, name: str) -> str | None:
    if not SAVE:
        return None
    folder = Path(SAVE)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{FINDINGS.inputs:05d}_{name}"
    path.write_bytes(doc.data)
    return str(path)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(docs=st.lists(any_input(SIZE), min_size=1, max_size=3))
def test_every_fuzzed_file_ends_as_exactly_one_documents_row(extractor, docs) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        names = [f"doc{i}{doc.suffix}" for i, doc in enumerate(docs)]
        for name, doc in zip(names, docs, strict=True):
            (corpus / name).write_bytes(doc.data)
        committed: dict[str, float] = {}
        start = time.perf_counter()
        run_corpus(
            corpus,
            Path(tmp) / "e.db",
            extractor=extractor,
            budget=BUDGET,
            on_document=lambda doc_id: committed.setdefault(doc_id, time.perf_counter()),
        )
        with sqlite3.connect(Path(tmp) / "e.db") as conn:
            rows = {
                r[0]: r[1:]
                for r in conn.execute("select doc_id, status, error, length(text) from documents")
            }
    _record(docs, names, rows, committed, start)
    assert sorted(rows) == sorted(names), "every file has exactly one documents row"
    for status, error, _ in rows.values():
        assert status in ("ok", "error")
        assert status == "ok" or (error and "Traceback" not in error)


def _record(docs, names, rows, committed, start) -> None:  # type: ignore[no-untyped-def]
    previous = start
    for name in sorted(committed, key=committed.get):  # in commit order: gaps are durations
        seconds, previous = committed[name] - previous, committed[name]
        doc = docs[names.index(name)]
        status, error, chars = rows.get(name, ("missing", None, None))
        chars = chars or len(doc.data)
        if chars >= MIN_CHARS_FOR_RATE and status == "ok":
            rate = seconds / chars * 1e6
            FINDINGS.rates.append(
                {"label": doc.label, "chars": chars, "seconds": round(seconds, 3),
                 "us_per_char": round(rate, 1),
                 "saved": _save(doc, name) if rate > SLOW_US_PER_CHAR else None}
            )  # fmt: skip
        entry = {"label": doc.label, "bytes": len(doc.data), "error": error}
        if error and any(marker in error for marker in CRASH_MARKERS):
            entry["saved"] = _save(doc, name)
            FINDINGS.crashes.append(entry)
        elif error and any(marker in error for marker in BUDGET_MARKERS):
            entry["saved"] = _save(doc, name)
            FINDINGS.budget_stops.append(entry)
    for name, doc in zip(names, docs, strict=True):
        FINDINGS.inputs += 1
        FINDINGS.labels[doc.label.split(" ")[0]] += 1
        FINDINGS.statuses[rows.get(name, ("missing",))[0]] += 1
        FINDINGS.without_row += name not in rows

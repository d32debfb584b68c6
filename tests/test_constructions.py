"""The generalisation suite: every construction, in phrasings the seed corpus never uses.

Cases are data (`tests/constructions/<construction>.jsonl`, format in the README there),
written in other wordings, instruments and specialties (orthopaedics, cardiology,
oncology, pain) than the seed documents, so a pattern that only matches one paper's words
fails here. Each case is one paragraph run through the real sentence splitter and
the prose engine with the project's patterns; the rows must be exactly the expected
ones (kind and value as a multiset), carry the expected attributes and mention span, and
every row's span must lie inside its quote.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from extractor.types import Evidence

CASES = Path(__file__).resolve().parent / "constructions"
SPECIALTIES = {"orthopaedics", "cardiology", "oncology", "pain"}
ATTRIBUTES = {
    "measure", "measure_text", "group_name", "timepoint", "months", "statistic", "unit",
    "sd", "ci_low", "ci_high", "ci_level", "range_low", "range_high", "count",
    "denominator", "percent", "p_value", "p_relation", "n",
}  # fmt: skip
KINDS = {"sample_size", "score", "change", "complication", "proportion", "effect"}


def _cases() -> Iterator[tuple[str, int, dict[str, Any]]]:
    for path in sorted(CASES.glob("*.jsonl")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                yield path.name, lineno, json.loads(line)


def _params() -> list[Any]:
    """One test per case; a case with a `gap` (what the engine still gets wrong) is a strict
    xfail, so a fixed gap fails as XPASS until its mark is removed."""
    return [
        pytest.param(
            case,
            id=f"{name}:{lineno}:{case.get('note', '')}",
            marks=(
                [pytest.mark.xfail(reason=case["gap"], strict=True, raises=AssertionError)]
                if "gap" in case
                else []
            ),
        )
        for name, lineno, case in _cases()
    ]


@pytest.fixture(scope="module")
def extractor() -> Any:
    """The project's extractor (patterns, sentence splitter, prose engine), loaded once."""
    from extractor.pipeline import Extractor

    return Extractor.load()


def _same(key: str, got: Any, want: Any) -> bool:
    if want is None or got is None:
        return got is None and want is None
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        tolerance = 0.05 if key == "months" else 1e-9  # months are rounded to one decimal
        return math.isclose(got, want, rel_tol=1e-6, abs_tol=tolerance)
    return got == want


def _fits(row: Evidence, want: dict[str, Any], text: str) -> bool:
    if row.kind != want["kind"] or not _same("value", row.value, want["value"]):
        return False
    mention = want.get("mention")
    if mention is not None and text[row.char_start : row.char_end] != mention:
        return False
    return all(_same(k, getattr(row, k), v) for k, v in want.items() if k in ATTRIBUTES)


def _assign(rows: list[Evidence], wants: list[dict[str, Any]], text: str) -> list[int] | None:
    """A one-to-one choice of rows for the expected items (None if there is none)."""
    chosen: list[int] = []

    def search(i: int) -> bool:
        if i == len(wants):
            return True
        for r, row in enumerate(rows):
            if r not in chosen and _fits(row, wants[i], text):
                chosen.append(r)
                if search(i + 1):
                    return True
                chosen.pop()
        return False

    return chosen if search(0) else None


def _show(rows: list[Evidence], text: str) -> str:
    keep = ATTRIBUTES | {"kind", "value", "rule"}
    lines = []
    for row in rows:
        attrs = {k: v for k, v in vars(row).items() if k in keep and v is not None}
        lines.append(f"  {text[row.char_start : row.char_end]!r}: {attrs}")
    return "\n".join(lines) or "  (no rows)"


@pytest.mark.parametrize("case", _params())
def test_construction(case: dict[str, Any], extractor: Any) -> None:
    text = case["text"]
    rows = extractor.prose.rows_of(text, extractor.splitter)
    shown = _show(rows, text)
    for row in rows:
        assert text[row.quote_start : row.quote_end] == row.quote, shown
        assert row.quote_start <= row.char_start <= row.char_end <= row.quote_end, shown
    got = sorted((r.kind, round(r.value, 6)) for r in rows if r.value is not None)
    want = sorted((w["kind"], round(float(w["value"]), 6)) for w in case["expect"])
    assert got == want and len(rows) == len(got), f"rows (kind, value) differ:\n{shown}"
    assert _assign(rows, case["expect"], text) is not None, (
        f"no row carries every expected attribute and mention:\n{shown}\nexpected: {case['expect']}"
    )


def test_every_construction_file_has_eight_cases_in_three_specialties() -> None:
    by_file: dict[str, list[dict[str, Any]]] = {}
    for name, _lineno, case in _cases():
        by_file.setdefault(name, []).append(case)
    assert len(by_file) >= 11
    for name, cases in by_file.items():
        assert len(cases) >= 8, name
        assert len({c["specialty"] for c in cases} & SPECIALTIES) >= 3, name


def test_every_case_is_well_formed() -> None:
    for name, lineno, case in _cases():
        where = f"{name}:{lineno}"
        assert set(case) <= {"text", "expect", "note", "specialty", "gap"}, where
        assert case["note"] and case["specialty"], where
        if "gap" in case:
            assert isinstance(case["gap"], str) and case["gap"].strip(), where
        for item in case["expect"]:
            assert item["kind"] in KINDS, where
            assert isinstance(item["value"], (int, float)), where
            assert set(item) <= ATTRIBUTES | {"kind", "value", "mention"}, where
            if "mention" in item:
                assert item["mention"] in case["text"], where


def test_no_case_copies_a_seed_sentence() -> None:
    """Generalisation means other wordings: no case text shares 8 words in a row with the
    seed corpus."""
    seed = " ".join(
        p.read_text(encoding="utf-8") for p in (CASES.parent.parent / "corpus").glob("*.txt")
    )
    seed_words = " ".join(seed.split()).lower()
    for name, lineno, case in _cases():
        words = case["text"].lower().split()
        for i in range(len(words) - 7):
            assert " ".join(words[i : i + 8]) not in seed_words, f"{name}:{lineno}"

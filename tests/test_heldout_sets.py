"""The held-out gold sets are well formed and every number in them is in its document.

tests/heldout/ and tests/heldout2/ are generalisation checks written independently of
patterns/ and of the extractor (see their README.md files: the first has since been used
for development, the second is still unseen). These checks are structural only, like
tests/test_gold_files.py for the seed gold: valid JSON, contract attributes only, `near`
verbatim in the document, each value (and every attribute copied from the text) written
next to its `near`, canonical names from the README's list. They deliberately make no
precision or recall assertion: the extractor is scored with `extract eval`, never tuned
line by line to an unseen set.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from gold_support import (
    ATTRIBUTE_WINDOW,
    VALUE_WINDOW,
    WRITTEN_NUMBERS,
    collapsed,
    is_written,
    windows,
)

from extractor.review.evaluate import ATTRIBUTES, GOLD_KEYS, KINDS, load_gold

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class GoldSet:
    """One held-out set: its documents, gold files and README of canonical names."""

    name: str
    some_canonical_names: frozenset[str]  # a sample the README must list
    documents: int = 4  # how many documents the set was written with

    @property
    def root(self) -> Path:
        return REPO / "tests" / self.name

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def gold(self) -> Path:
        return self.root / "gold"

    @property
    def gold_files(self) -> list[Path]:
        return sorted(self.gold.glob("*.jsonl"))


SETS = [
    GoldSet("heldout", frozenset({"patients", "HR", "deep infection", "KOOS pain"})),
    GoldSet("heldout2", frozenset({"patients", "OR", "MADRS", "dural tear"})),
    GoldSet("heldout3", frozenset({"patients", "IRR", "NIHSS", "return to theatre"})),
    GoldSet("heldout4", frozenset({"women", "RD", "BCVA", "postpartum haemorrhage"}), documents=5),
]
GOLD_FILES = [(s, p) for s in SETS for p in s.gold_files]


@pytest.fixture(params=SETS, ids=lambda s: s.name)
def gold_set(request: pytest.FixtureRequest) -> GoldSet:
    return request.param


def gold_lines(gold_set: GoldSet) -> list[tuple[str, int, dict]]:
    lines = []
    for path in gold_set.gold_files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                lines.append((path.name, number, json.loads(line)))
    return lines


def source_of(gold_set: GoldSet, gold_file: str) -> str:
    path = gold_set.corpus / (Path(gold_file).stem + ".txt")
    return collapsed(path.read_text(encoding="utf-8"))


def canonical_names(gold_set: GoldSet) -> set[str]:
    """The backticked names listed under '## Canonical names' in the README."""
    text = (gold_set.root / "README.md").read_text(encoding="utf-8")
    section = text.split("## Canonical names", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("- "):
            names.update(re.findall(r"`([^`]+)`", line.split(":", 1)[-1]))
        elif line.startswith("  "):
            names.update(re.findall(r"`([^`]+)`", line))
    return names


def test_every_document_has_a_gold_file_and_vice_versa(gold_set: GoldSet) -> None:
    stems = {p.stem for p in gold_set.gold_files}
    assert {p.stem for p in gold_set.corpus.glob("*.txt")} == stems
    assert len(stems) == gold_set.documents


def test_documents_are_utf8_text(gold_set: GoldSet) -> None:
    for path in gold_set.corpus.glob("*.txt"):
        path.read_bytes().decode("utf-8")


@pytest.mark.parametrize(("gold_set", "path"), GOLD_FILES, ids=lambda x: getattr(x, "name", x))
def test_every_line_is_a_json_object(gold_set: GoldSet, path: Path) -> None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path.name}:{number} is blank"
        assert isinstance(json.loads(line), dict), f"{path.name}:{number}"


@pytest.mark.parametrize(("gold_set", "path"), GOLD_FILES, ids=lambda x: getattr(x, "name", x))
def test_gold_file_loads_through_the_evaluator(gold_set: GoldSet, path: Path) -> None:
    assert load_gold(path)


def test_only_known_kinds_and_contract_attributes(gold_set: GoldSet) -> None:
    assert GOLD_KEYS == {"doc_id", "kind", "value", "near", *ATTRIBUTES}
    for name, number, item in gold_lines(gold_set):
        assert item["kind"] in KINDS, f"{name}:{number}"
        assert set(item) <= GOLD_KEYS, f"{name}:{number}: {set(item) - GOLD_KEYS}"
        assert isinstance(item["value"], (int, float)), f"{name}:{number}"


def test_doc_id_is_the_file_name_of_its_document(gold_set: GoldSet) -> None:
    for name, number, item in gold_lines(gold_set):
        assert item["doc_id"] == Path(name).stem + ".txt", f"{name}:{number}"
        assert (gold_set.corpus / item["doc_id"]).is_file(), f"{name}:{number}"


def test_near_is_three_to_eight_words_and_verbatim_in_the_source(gold_set: GoldSet) -> None:
    for name, number, item in gold_lines(gold_set):
        near = collapsed(item.get("near") or "")
        assert 3 <= len(near.split()) <= 8, f"{name}:{number}: {near!r}"
        assert near in source_of(gold_set, name), f"{name}:{number}: {near!r}"


def test_value_is_written_next_to_near(gold_set: GoldSet) -> None:
    for name, number, item in gold_lines(gold_set):
        texts = windows(source_of(gold_set, name), collapsed(item["near"]), VALUE_WINDOW)
        assert is_written(item["value"], texts), (
            f"{name}:{number}: {item['value']} not written near {item['near']!r}"
        )


def test_numeric_attributes_are_written_next_to_near(gold_set: GoldSet) -> None:
    for name, number, item in gold_lines(gold_set):
        texts = windows(source_of(gold_set, name), collapsed(item["near"]), ATTRIBUTE_WINDOW)
        for key in WRITTEN_NUMBERS:
            if item.get(key) is not None:
                assert is_written(item[key], texts), (
                    f"{name}:{number}: {key}={item[key]} not written near {item['near']!r}"
                )


def test_value_is_the_headline_number_of_its_kind(gold_set: GoldSet) -> None:
    """The contract's `value`: the count for complications when known, the percent for
    proportions when given, and the count when a proportion has no percent."""
    for name, number, item in gold_lines(gold_set):
        where = f"{name}:{number}"
        if item["kind"] == "complication" and item.get("count") is not None:
            assert item["value"] == item["count"], where
        elif item["kind"] == "complication":
            assert item.get("percent") in (None, item["value"]), where
        if item["kind"] == "proportion" and item.get("percent") is not None:
            assert item["value"] == item["percent"], where
        elif item["kind"] == "proportion" and item.get("count") is not None:
            assert item["value"] == item["count"], where
        if item["kind"] == "sample_size":
            assert float(item["value"]).is_integer(), where


def test_percent_agrees_with_count_and_denominator(gold_set: GoldSet) -> None:
    """An invented document must be internally consistent: n/N rounds to the printed %."""
    for name, number, item in gold_lines(gold_set):
        count, denominator, percent = (item.get(k) for k in ("count", "denominator", "percent"))
        if None not in (count, denominator, percent):
            assert abs(100 * count / denominator - percent) <= 0.05 + 1e-9, f"{name}:{number}"


def test_attribute_values_are_from_the_contract_vocabulary(gold_set: GoldSet) -> None:
    for name, number, item in gold_lines(gold_set):
        where = f"{name}:{number}"
        assert item.get("timepoint") in (None, "baseline", "follow-up"), where
        assert item.get("p_relation") in (None, "<", "=", ">", "<=", ">="), where
        assert item.get("statistic") in (None, "mean", "median", "change", "difference"), where
        if item.get("timepoint") == "baseline":
            assert "months" not in item, where
        if item.get("p_relation"):
            assert item.get("p_value") is not None, where
        if item.get("ci_low") is not None:
            assert item.get("ci_level") == 0.95 and item["ci_low"] <= item["ci_high"], where


def test_measures_are_the_canonical_names_listed_in_the_readme(gold_set: GoldSet) -> None:
    names = canonical_names(gold_set)
    assert gold_set.some_canonical_names <= names
    for name, number, item in gold_lines(gold_set):
        if "measure" in item:
            assert item["measure"] in names, f"{name}:{number}: {item['measure']!r}"
        if item["kind"] == "proportion":
            assert "measure" not in item, f"{name}:{number}: proportions carry no measure"


def test_items_follow_document_order(gold_set: GoldSet) -> None:
    """Each item's `near` occurs no earlier than the sentence of the item before it."""
    for path in gold_set.gold_files:
        source = source_of(gold_set, path.name)
        previous = 0
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            near = collapsed(json.loads(line)["near"])
            found = source.find(near, max(0, previous - 300))
            assert found >= 0, f"{path.name}:{number} is out of document order"
            previous = found


def test_a_database_holding_exactly_the_gold_scores_perfectly(
    gold_set: GoldSet, tmp_path: Path
) -> None:
    """The evaluator reads these files as intended: the gold, stored as rows, matches itself."""
    import sqlite_utils

    from extractor.review.evaluate import evaluate

    db = sqlite_utils.Database(tmp_path / "gold.db")
    db["documents"].insert_all(
        [
            {"doc_id": p.stem + ".txt", "status": "ok", "text": source_of(gold_set, p.name)}
            for p in gold_set.gold_files
        ],
        pk="doc_id",
    )
    rows = []
    for i, (_, _, item) in enumerate(gold_lines(gold_set)):
        attributes = {k: v for k, v in item.items() if k != "near"}
        rows.append({"id": f"g{i}", **attributes, "quote": item["near"], "rule": "gold"})
    db["evidence"].insert_all(rows, pk="id", alter=True)
    report = evaluate(tmp_path / "gold.db", gold_set.gold)
    assert not report.misses and not report.false_positives
    assert report.total.true_positives == len(rows)


def test_nears_hold_no_table_separators(gold_set: GoldSet) -> None:
    """A `near` never contains `|`, so it does not depend on how a markdown table is read."""
    for name, number, item in gold_lines(gold_set):
        assert "|" not in item["near"], f"{name}:{number}"

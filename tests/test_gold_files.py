"""The gold files are well formed and every number in them is in the source as written.

Recall and precision are measured against these files, so a typo in a gold value would
make the extractor look wrong where it is right. These checks read each gold line back
against its document in corpus/: the `near` text must be verbatim, and the value (and every
numeric attribute the text states) must be written within a few words of it.
"""

from __future__ import annotations

import json
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
GOLD = REPO / "tests" / "gold"
CORPUS = REPO / "corpus"
GOLD_FILES = sorted(GOLD.glob("*.jsonl"))


def gold_lines() -> list[tuple[str, int, dict]]:
    lines = []
    for path in GOLD_FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                lines.append((path.name, number, json.loads(line)))
    return lines


def source_of(gold_file: str) -> str:
    return collapsed((CORPUS / (Path(gold_file).stem + ".txt")).read_text(encoding="utf-8"))


def test_every_seed_document_has_a_gold_file() -> None:
    stems = {p.stem for p in CORPUS.glob("*.txt")}
    assert stems <= {p.stem for p in GOLD_FILES}


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.name)
def test_every_line_is_a_json_object(path: Path) -> None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path.name}:{number} is blank"
        assert isinstance(json.loads(line), dict), f"{path.name}:{number}"


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.name)
def test_gold_file_loads_through_the_evaluator(path: Path) -> None:
    assert load_gold(path)


def test_only_known_kinds_and_contract_attributes() -> None:
    assert GOLD_KEYS == {"doc_id", "kind", "value", "near", *ATTRIBUTES}
    for name, number, item in gold_lines():
        assert item["kind"] in KINDS, f"{name}:{number}"
        assert set(item) <= GOLD_KEYS, f"{name}:{number}: {set(item) - GOLD_KEYS}"
        assert isinstance(item["value"], (int, float)), f"{name}:{number}"


def test_doc_id_is_the_file_name_of_its_document() -> None:
    for name, number, item in gold_lines():
        assert item["doc_id"] == Path(name).stem + ".txt", f"{name}:{number}"
        assert (CORPUS / item["doc_id"]).is_file(), f"{name}:{number}"


def test_every_item_has_a_near() -> None:
    for name, number, item in gold_lines():
        assert item.get("near"), f"{name}:{number}"


def test_near_is_verbatim_in_the_source() -> None:
    for name, number, item in gold_lines():
        assert collapsed(item["near"]) in source_of(name), f"{name}:{number}: {item['near']!r}"


def test_value_is_written_next_to_near() -> None:
    for name, number, item in gold_lines():
        texts = windows(source_of(name), collapsed(item["near"]), VALUE_WINDOW)
        assert is_written(item["value"], texts), (
            f"{name}:{number}: {item['value']} not written near {item['near']!r}"
        )


def test_numeric_attributes_are_written_next_to_near() -> None:
    for name, number, item in gold_lines():
        texts = windows(source_of(name), collapsed(item["near"]), ATTRIBUTE_WINDOW)
        for key in WRITTEN_NUMBERS:
            if item.get(key) is not None:
                assert is_written(item[key], texts), (
                    f"{name}:{number}: {key}={item[key]} not written near {item['near']!r}"
                )


def test_value_is_the_headline_number_of_its_kind() -> None:
    """The contract's `value`: the count for complications when known, the percent for
    proportions when given, and the count when a proportion has no percent."""
    for name, number, item in gold_lines():
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


def test_attribute_values_are_from_the_contract_vocabulary() -> None:
    for name, number, item in gold_lines():
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


def test_items_follow_document_order() -> None:
    """Each item's `near` occurs no earlier than the sentence of the item before it."""
    for path in GOLD_FILES:
        source = source_of(path.name)
        previous = 0
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            near = collapsed(json.loads(line)["near"])
            found = source.find(near, max(0, previous - 300))
            assert found >= 0, f"{path.name}:{number} is out of document order"
            previous = found


def test_a_database_holding_exactly_the_gold_scores_perfectly(tmp_path: Path) -> None:
    """The evaluator and the gold files agree: the gold, stored as rows, matches itself."""
    import sqlite_utils

    from extractor.review.evaluate import evaluate

    db = sqlite_utils.Database(tmp_path / "gold.db")
    db["documents"].insert_all(
        [
            {"doc_id": p.stem + ".txt", "status": "ok", "text": source_of(p.name)}
            for p in GOLD_FILES
        ],
        pk="doc_id",
    )
    rows = []
    for i, (_, _, item) in enumerate(gold_lines()):
        attributes = {k: v for k, v in item.items() if k != "near"}
        rows.append({"id": f"g{i}", **attributes, "quote": item["near"], "rule": "gold"})
    db["evidence"].insert_all(rows, pk="id", alter=True)
    report = evaluate(tmp_path / "gold.db", GOLD)
    assert not report.misses and not report.false_positives
    assert report.total.true_positives == len(rows)


def test_pdf_twin_gold_is_the_text_gold_with_its_doc_id() -> None:
    """The typeset PDF of the NICE guidance must yield what its text version yields."""
    text_gold = (GOLD / "002_9727310af0dcecef.jsonl").read_text(encoding="utf-8")
    pdf_gold = (GOLD / "pdf" / "002_nice_guidance_layout.jsonl").read_text(encoding="utf-8")
    assert (CORPUS / "002_nice_guidance_layout.pdf").is_file()
    assert pdf_gold == text_gold.replace(
        '"doc_id": "002_9727310af0dcecef.txt"', '"doc_id": "002_nice_guidance_layout.pdf"'
    )

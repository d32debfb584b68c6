"""Scoring a database against gold files: one-to-one matches, and misses that say why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from extractor.review.evaluate import GoldError, evaluate, format_report, groups_agree

DOC = "a.txt"
TEXT = (
    "A total of 29 patients were included. "
    "Mean VAS-pain score improved from 7.83 (± 1.71) to 4.97 (± 2.63) at one year. "
    "In these 29 patients, data were complete."
)


def make_db(
    tmp_path: Path,
    rows: list[dict[str, Any]],
    documents: dict[str, str] | None = None,
) -> Path:
    """A database with the contract's documents and evidence tables, holding `rows`."""
    path = tmp_path / "evidence.db"
    db = sqlite_utils.Database(path)
    documents = {DOC: TEXT} if documents is None else documents
    db["documents"].insert_all(
        [{"doc_id": d, "status": "ok", "text": t} for d, t in documents.items()],
        pk="doc_id",
    )
    db["evidence"].create(
        {
            "id": str, "doc_id": str, "kind": str, "measure": str, "group_name": str,
            "timepoint": str, "months": float, "statistic": str, "value": float,
            "unit": str, "sd": float, "ci_low": float, "ci_high": float, "count": int,
            "denominator": int, "percent": float, "p_value": float, "p_relation": str,
            "quote": str, "char_start": int, "char_end": int, "quote_start": int,
            "quote_end": int, "section": str, "rule": str, "measure_text": str,
        },
        pk="id",
    )  # fmt: skip
    for i, row in enumerate(rows):
        db["evidence"].insert({"id": f"r{i}", "doc_id": DOC, "rule": "test", **row})
    return path


def mention(value: str, occurrence: int = 0, doc_text: str = TEXT) -> dict[str, Any]:
    """Span, quote and quote offsets of the `occurrence`-th `value` in the document."""
    start = -1
    for _ in range(occurrence + 1):
        start = doc_text.index(value, start + 1)
    q0 = doc_text.rfind(". ", 0, start)
    q0 = 0 if q0 < 0 else q0 + 2
    q1 = doc_text.find(". ", start)
    q1 = len(doc_text) if q1 < 0 else q1 + 1
    return {
        "char_start": start,
        "char_end": start + len(value),
        "quote_start": q0,
        "quote_end": q1,
        "quote": doc_text[q0:q1],
    }


def write_gold(tmp_path: Path, items: list[dict[str, Any]], name: str = "gold.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(
        "".join(json.dumps({"doc_id": DOC, **item}) + "\n" for item in items),
        encoding="utf-8",
    )
    return path


BASELINE = {
    "kind": "score",
    "value": 7.83,
    "measure": "VAS pain",
    "timepoint": "baseline",
    "sd": 1.71,
    **mention("7.83"),
}
FOLLOW_UP = {
    "kind": "score",
    "value": 4.97,
    "measure": "VAS pain",
    "timepoint": "follow-up",
    "months": 12,
    "sd": 2.63,
    **mention("4.97"),
}


def test_exact_match_is_a_true_positive(tmp_path: Path) -> None:
    db = make_db(tmp_path, [BASELINE])
    gold = write_gold(
        tmp_path,
        [{"kind": "score", "value": 7.83, "measure": "VAS pain", "timepoint": "baseline",
          "sd": 1.71, "near": "improved from 7.83"}],
    )  # fmt: skip
    report = evaluate(db, gold)
    stats = report.kinds["score"]
    assert (stats.gold, stats.extracted, stats.true_positives) == (1, 1, 1)
    assert stats.precision == 1.0 and stats.recall == 1.0
    assert not report.misses and not report.false_positives


def test_attribute_mismatch_is_a_miss_naming_the_attribute(tmp_path: Path) -> None:
    db = make_db(tmp_path, [{**FOLLOW_UP, "timepoint": "baseline"}])
    gold = write_gold(tmp_path, [{"kind": "score", "value": 4.97, "timepoint": "follow-up"}])
    report = evaluate(db, gold)
    assert report.kinds["score"].true_positives == 0
    [miss] = report.misses
    assert miss.reason == "timepoint: expected follow-up, got baseline"
    assert miss.row_id == "r0"
    assert [fp.row_id for fp in report.false_positives] == ["r0"]


def test_values_only_ignores_attributes_but_not_kind_or_value(tmp_path: Path) -> None:
    db = make_db(tmp_path, [{**FOLLOW_UP, "timepoint": "baseline", "measure": "NRS pain"}])
    gold = write_gold(
        tmp_path,
        [
            {"kind": "score", "value": 4.97, "timepoint": "follow-up", "measure": "VAS pain"},
            {"kind": "score", "value": 7.83, "timepoint": "baseline"},
        ],
    )
    report = evaluate(db, gold, attributes=False)
    assert report.kinds["score"].true_positives == 1
    [miss] = report.misses
    assert miss.value == 7.83


def test_every_differing_attribute_is_named(tmp_path: Path) -> None:
    db = make_db(tmp_path, [{**FOLLOW_UP, "months": 6, "sd": None}])
    gold = write_gold(tmp_path, [{"kind": "score", "value": 4.97, "months": 12, "sd": 2.63}])
    [miss] = evaluate(db, gold).misses
    assert miss.reason == "months: expected 12, got 6; sd: expected 2.63, got None"


def test_attributes_absent_from_gold_are_not_checked(tmp_path: Path) -> None:
    db = make_db(tmp_path, [{**FOLLOW_UP, "statistic": "median", "unit": "mm"}])
    gold = write_gold(tmp_path, [{"kind": "score", "value": 4.97}])
    assert evaluate(db, gold).kinds["score"].true_positives == 1


def test_explicit_null_in_gold_requires_null(tmp_path: Path) -> None:
    db = make_db(tmp_path, [{**FOLLOW_UP, "group_name": "surgery"}])
    gold = write_gold(tmp_path, [{"kind": "score", "value": 4.97, "group_name": None}])
    [miss] = evaluate(db, gold).misses
    assert miss.reason == "group_name: expected None, got surgery"


def test_near_picks_the_row_from_the_right_sentence(tmp_path: Path) -> None:
    first = {"kind": "sample_size", "value": 29, "measure": "patients", **mention("29")}
    second = {"kind": "sample_size", "value": 29, "measure": "patients", **mention("29", 1)}
    db = make_db(tmp_path, [first, second])
    gold = write_gold(tmp_path, [{"kind": "sample_size", "value": 29, "near": "In these 29"}])
    report = evaluate(db, gold)
    assert [m.row_id for m in report.matches] == ["r1"]
    assert [fp.row_id for fp in report.false_positives] == ["r0"]


def test_near_is_compared_with_whitespace_collapsed(tmp_path: Path) -> None:
    db = make_db(tmp_path, [BASELINE])
    gold = write_gold(tmp_path, [{"kind": "score", "value": 7.83, "near": "from\n  7.83 (±"}])
    assert evaluate(db, gold).kinds["score"].true_positives == 1


def test_near_outside_the_quote_is_reported(tmp_path: Path) -> None:
    db = make_db(tmp_path, [BASELINE])
    gold = write_gold(tmp_path, [{"kind": "score", "value": 7.83, "near": "In these 29"}])
    [miss] = evaluate(db, gold).misses
    assert miss.reason == "near: 'In these 29' not in the row's quote"


def test_one_row_cannot_match_two_gold_items(tmp_path: Path) -> None:
    db = make_db(tmp_path, [BASELINE])
    item = {"kind": "score", "value": 7.83, "near": "improved from 7.83"}
    report = evaluate(db, write_gold(tmp_path, [item, item]))
    stats = report.kinds["score"]
    assert (stats.gold, stats.true_positives) == (2, 1)
    [miss] = report.misses
    assert miss.reason == "its only agreeing row was matched to another gold item"


def test_matching_maximises_pairs_rather_than_taking_the_first_fit(tmp_path: Path) -> None:
    # The first gold item fits both rows, the second only the first row: a greedy pass
    # would give the first row away and miss the second item.
    first = {"kind": "sample_size", "value": 29, "measure": "patients", **mention("29")}
    second = {"kind": "sample_size", "value": 29, "measure": "patients", **mention("29", 1)}
    db = make_db(tmp_path, [first, second])
    gold = write_gold(
        tmp_path,
        [
            {"kind": "sample_size", "value": 29},
            {"kind": "sample_size", "value": 29, "near": "A total of 29"},
        ],
    )
    report = evaluate(db, gold)
    assert report.kinds["sample_size"].true_positives == 2
    assert sorted((m.source, m.row_id) for m in report.matches) == [
        ("gold.jsonl:1", "r1"),
        ("gold.jsonl:2", "r0"),
    ]


def test_values_match_within_tolerance_only(tmp_path: Path) -> None:
    db = make_db(tmp_path, [{**BASELINE, "value": 7.830000001}, {**FOLLOW_UP, "value": 4.9}])
    gold = write_gold(
        tmp_path, [{"kind": "score", "value": 7.83}, {"kind": "score", "value": 4.97}]
    )
    report = evaluate(db, gold)
    assert report.kinds["score"].true_positives == 1
    assert [m.value for m in report.misses] == [4.97]


def test_text_attributes_compare_case_insensitively(tmp_path: Path) -> None:
    db = make_db(tmp_path, [{**FOLLOW_UP, "measure": "vas PAIN", "timepoint": "Follow-up"}])
    gold = write_gold(
        tmp_path,
        [{"kind": "score", "value": 4.97, "measure": "VAS pain", "timepoint": "follow-up"}],
    )
    assert evaluate(db, gold).kinds["score"].true_positives == 1


@pytest.mark.parametrize(
    ("expected", "got"),
    [
        ("SI joint fusion", "the SI joint fusion group"),
        ("minimally invasive SI joint fusion", "SI joint fusion"),
        ("NSM", "non-surgical management"),
        ("non-surgical management", "NSM arm"),
        ("Conservative management", "conservative management group"),
        ("TKA", "total knee arthroplasty"),
    ],
)
def test_group_names_match_leniently(expected: str, got: str) -> None:
    assert groups_agree(expected, got)


@pytest.mark.parametrize(
    ("expected", "got"),
    [
        ("SI joint fusion", "conservative management"),
        ("NSM", None),
        ("crossed over", "did not cross over"),
        ("fusion", "transfusion"),
    ],
)
def test_different_group_names_do_not_match(expected: str, got: str | None) -> None:
    assert not groups_agree(expected, got)


def test_group_name_leniency_applies_when_matching(tmp_path: Path) -> None:
    db = make_db(tmp_path, [{**FOLLOW_UP, "group_name": "the NSM group"}])
    gold = write_gold(
        tmp_path, [{"kind": "score", "value": 4.97, "group_name": "non-surgical management"}]
    )
    assert evaluate(db, gold).kinds["score"].true_positives == 1


def test_false_positive_lists_the_quote_with_the_mention_marked(tmp_path: Path) -> None:
    db = make_db(tmp_path, [BASELINE])
    report = evaluate(db, write_gold(tmp_path, [{"kind": "score", "value": 4.97}]))
    [fp] = report.false_positives
    assert (fp.doc_id, fp.kind, fp.value, fp.measure) == (DOC, "score", 7.83, "VAS pain")
    assert "improved from «7.83» (± 1.71)" in fp.excerpt


def test_mention_is_marked_even_without_quote_offsets(tmp_path: Path) -> None:
    db = make_db(tmp_path, [{**BASELINE, "quote_start": None}])
    [fp] = evaluate(db, write_gold(tmp_path, [{"kind": "score", "value": 4.97}])).false_positives
    assert "«7.83»" in fp.excerpt


def test_a_kind_absent_from_gold_is_all_false_positives(tmp_path: Path) -> None:
    effect = {"kind": "effect", "value": 0.74, "measure": "HR", **mention("4.97")}
    db = make_db(tmp_path, [BASELINE, effect])
    report = evaluate(db, write_gold(tmp_path, [{"kind": "score", "value": 7.83}]))
    stats = report.kinds["effect"]
    assert (stats.gold, stats.extracted, stats.true_positives) == (0, 1, 0)
    assert stats.precision == 0.0 and stats.recall is None


def test_a_value_found_under_another_kind_says_so(tmp_path: Path) -> None:
    db = make_db(tmp_path, [{**BASELINE, "kind": "change"}])
    report = evaluate(db, write_gold(tmp_path, [{"kind": "score", "value": 7.83}]))
    [miss] = report.misses
    assert miss.reason == "kind: expected score, got change"


def test_a_missing_value_names_the_values_found_in_its_sentence(tmp_path: Path) -> None:
    db = make_db(tmp_path, [FOLLOW_UP])
    gold = write_gold(tmp_path, [{"kind": "score", "value": 7.83, "near": "improved from"}])
    [miss] = evaluate(db, gold).misses
    assert miss.reason == "no row with this value; its sentence has score rows with value 4.97"


def test_rows_of_documents_without_gold_are_ignored(tmp_path: Path) -> None:
    db = make_db(tmp_path, [BASELINE], documents={DOC: TEXT, "b.txt": TEXT})
    sqlite_utils.Database(db)["evidence"].insert(
        {"id": "other", "doc_id": "b.txt", "kind": "score", "value": 1.0, "quote": "x"}
    )
    report = evaluate(db, write_gold(tmp_path, [{"kind": "score", "value": 7.83}]))
    assert report.kinds["score"].extracted == 1
    assert report.documents == [DOC]


def test_gold_documents_missing_from_the_database_are_reported(tmp_path: Path) -> None:
    db = make_db(tmp_path, [BASELINE])
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps({"doc_id": DOC, "kind": "score", "value": 7.83})
        + "\n"
        + json.dumps({"doc_id": "gone.txt", "kind": "score", "value": 1.0})
        + "\n",
        encoding="utf-8",
    )
    report = evaluate(db, gold)
    assert report.missing_documents == ["gone.txt"]
    assert report.kinds["score"].gold == 1
    assert "gone.txt" in format_report(report)


def test_doc_ids_restrict_the_evaluation(tmp_path: Path) -> None:
    db = make_db(tmp_path, [BASELINE])
    report = evaluate(db, write_gold(tmp_path, [{"kind": "score", "value": 7.83}]), {"z.txt"})
    assert report.documents == [] and report.total.gold == 0


def test_gold_can_be_a_folder_or_several_files(tmp_path: Path) -> None:
    db = make_db(tmp_path, [BASELINE, FOLLOW_UP])
    folder = tmp_path / "gold"
    folder.mkdir()
    one = write_gold(folder, [{"kind": "score", "value": 7.83}], "one.jsonl")
    two = write_gold(folder, [{"kind": "score", "value": 4.97}], "two.jsonl")
    assert evaluate(db, folder).kinds["score"].true_positives == 2
    assert evaluate(db, [one, two]).kinds["score"].true_positives == 2
    assert evaluate(db, one).kinds["score"].true_positives == 1


def test_a_malformed_gold_line_names_its_file_and_line(tmp_path: Path) -> None:
    db = make_db(tmp_path, [BASELINE])
    gold = tmp_path / "bad.jsonl"
    gold.write_text(
        json.dumps({"doc_id": DOC, "kind": "score", "value": 7.83})
        + "\n"
        + json.dumps({"doc_id": DOC, "kind": "score", "value": 1, "tiempo": "x"})
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(GoldError, match=r"bad\.jsonl:2: unknown attribute\(s\) tiempo"):
        evaluate(db, gold)


def test_an_unknown_kind_in_gold_fails(tmp_path: Path) -> None:
    db = make_db(tmp_path, [BASELINE])
    with pytest.raises(GoldError, match="unknown kind 'scores'"):
        evaluate(db, write_gold(tmp_path, [{"kind": "scores", "value": 1}]))


def test_report_renders_table_false_positives_and_misses(tmp_path: Path) -> None:
    db = make_db(tmp_path, [{**FOLLOW_UP, "timepoint": "baseline"}])
    report = evaluate(db, write_gold(tmp_path, [{"kind": "score", "value": 4.97,
                                                 "timepoint": "follow-up"}]))  # fmt: skip
    text = format_report(report)
    assert "precision" in text and "recall" in text
    assert "score" in text.splitlines()[2]
    assert "False positives (1):" in text and "«4.97»" in text
    assert "Misses (1):" in text
    assert "gold.jsonl:1  score 4.97: timepoint: expected follow-up, got baseline" in text


def test_to_json_carries_counts_and_lists(tmp_path: Path) -> None:
    db = make_db(tmp_path, [BASELINE, FOLLOW_UP])
    report = evaluate(db, write_gold(tmp_path, [{"kind": "score", "value": 7.83}]))
    data = json.loads(report.to_json())
    assert data["total"] == {
        "kind": "all",
        "gold": 1,
        "extracted": 2,
        "true_positives": 1,
        "precision": 0.5,
        "recall": 1.0,
    }
    assert [fp["row_id"] for fp in data["false_positives"]] == ["r1"]
    assert data["matches"] == [{"source": "gold.jsonl:1", "row_id": "r0"}]


def test_the_same_inputs_give_the_same_report(tmp_path: Path) -> None:
    rows = [BASELINE, FOLLOW_UP, {**BASELINE, "timepoint": None}]
    db = make_db(tmp_path, rows)
    gold = write_gold(
        tmp_path,
        [{"kind": "score", "value": 7.83}, {"kind": "score", "value": 7.83}],
    )
    assert evaluate(db, gold).to_json() == evaluate(db, gold).to_json()


def test_each_rule_gets_its_precision_and_recall(tmp_path: Path) -> None:
    db = make_db(
        tmp_path,
        [
            {**BASELINE, "rule": "score.series"},
            {**FOLLOW_UP, "timepoint": "baseline", "rule": "score.series"},
            {"kind": "sample_size", "value": 29, "rule": "sample_size.count_noun", **mention("29")},
        ],
    )
    gold = write_gold(
        tmp_path,
        [
            {"kind": "score", "value": 7.83, "timepoint": "baseline"},
            {"kind": "score", "value": 4.97, "timepoint": "follow-up"},
        ],
    )
    report = evaluate(db, gold)
    series = report.rules["score.series"]
    assert (series.extracted, series.true_positives, series.near_misses) == (2, 1, 1)
    assert series.precision == 0.5 and series.recall == 0.5
    counted = report.rules["sample_size.count_noun"]
    assert (counted.extracted, counted.true_positives, counted.recall) == (1, 0, None)
    assert "score.series" in format_report(report)


def test_lenient_measure_accepts_an_unnamed_outcome_written_as_the_gold_names_it(
    tmp_path: Path,
) -> None:
    row = {**BASELINE, "measure": None, "measure_text": "Mean VAS-pain score"}
    db = make_db(tmp_path, [row])
    gold = write_gold(tmp_path, [{"kind": "score", "value": 7.83, "measure": "VAS pain"}])
    assert evaluate(db, gold).kinds["score"].true_positives == 0
    assert evaluate(db, gold, lenient_measure=True).kinds["score"].true_positives == 1


def test_lenient_measure_still_refuses_another_outcome(tmp_path: Path) -> None:
    row = {**BASELINE, "measure": None, "measure_text": "walking distance"}
    db = make_db(tmp_path, [row])
    gold = write_gold(tmp_path, [{"kind": "score", "value": 7.83, "measure": "VAS pain"}])
    assert evaluate(db, gold, lenient_measure=True).kinds["score"].true_positives == 0

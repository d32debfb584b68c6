"""`extract export`: trials written here, through the real pipeline, into a meta-analysis.

Three small randomised trials of one outcome (VAS pain at 12 weeks), each in its own words,
are extracted by the real pipeline; the export's metafor layout is then pooled by
inverse-variance weighting and the pooled mean difference checked against the arithmetic
done by hand from the sentences below.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from datasette.app import Datasette

from extractor.cli import cli
from extractor.review.export import ExportError, export, export_rows
from extractor.review.meta import mean_difference, pool_inverse_variance
from extractor.serve.serve import SETTINGS, load_metadata, register_plugin

REPO = Path(__file__).resolve().parent.parent

TRIALS = {
    "trial_a.txt": (
        "A randomised trial of duloxetine for chronic low back pain\n\n"
        "Methods\nSixty patients were enrolled. They were randomly assigned to duloxetine "
        "(n=30) or placebo (n=30).\n\n"
        "Results\nAt 12 weeks, mean VAS pain was 3.1 (SD 1.2) in the duloxetine group and "
        "4.6 (SD 1.5) in the placebo group.\n"
    ),
    # The comparator is named first here: its role comes from the word, not the order.
    "trial_b.txt": (
        "Duloxetine versus usual care in chronic low back pain\n\n"
        "Methods\nEighty patients were enrolled. They were randomly assigned to usual care "
        "(n=40) or duloxetine (n=40).\n\n"
        "Results\nAt 12 weeks, mean VAS pain was 4.2 (SD 2.0) in the usual care group and "
        "3.0 (SD 1.8) in the duloxetine group.\n"
    ),
    "trial_c.txt": (
        "Exercise therapy compared with a waiting list\n\n"
        "Methods\nFifty patients were enrolled. They were randomly assigned to exercise "
        "therapy (n=25) or a waiting list (n=25).\n\n"
        "Results\nIn the exercise therapy group, mean VAS pain fell from 6.8 (SD 1.1) at "
        "baseline to 3.5 (SD 1.4) at 12 weeks.\n"
        "In the waiting list group, mean VAS pain was 6.9 (SD 1.0) at baseline and 5.1 "
        "(SD 1.6) at 12 weeks.\n"
    ),
}


@pytest.fixture(scope="module")
def trials_db(tmp_path_factory: pytest.TempPathFactory, extractor) -> Path:
    from extractor.runner.run import run_corpus

    root = tmp_path_factory.mktemp("trials")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in TRIALS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    db_path = root / "evidence.db"
    run_corpus(corpus, db_path, extractor=extractor)
    return db_path


def metafor_rows(db_path: Path, **filters: str) -> list[dict[str, str]]:
    """The metafor layout as a meta-analyst reads it: the CSV file, parsed."""
    out = io.StringIO()
    export(db_path, out, layout="metafor", fmt="csv", **filters)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_metafor_layout_has_one_row_per_study_outcome_time_and_comparison(
    trials_db: Path,
) -> None:
    rows = metafor_rows(trials_db, measure="VAS pain")
    keys = [(r["study"], r["measure"], r["time"], r["intervention"], r["comparator"]) for r in rows]
    assert keys == [
        ("trial_a.txt", "VAS pain", "12 weeks", "duloxetine", "placebo"),
        ("trial_b.txt", "VAS pain", "12 weeks", "duloxetine", "usual care"),
        ("trial_c.txt", "VAS pain", "baseline", "exercise therapy", "waiting list"),
        ("trial_c.txt", "VAS pain", "12 weeks", "exercise therapy", "waiting list"),
    ]


def test_comparator_is_the_arm_named_with_a_comparator_word_even_when_named_first(
    trials_db: Path,
) -> None:
    (row,) = metafor_rows(trials_db, doc_id="trial_b.txt")
    assert (row["intervention"], row["comparator"]) == ("duloxetine", "usual care")
    assert row["role_from"] == 'comparator word "usual care"'
    assert (row["m1i"], row["sd1i"], row["n1i"]) == ("3.0", "1.8", "40")
    assert (row["m2i"], row["sd2i"], row["n2i"]) == ("4.2", "2.0", "40")


def test_each_arm_has_its_own_n_and_says_where_it_came_from(trials_db: Path) -> None:
    (row,) = metafor_rows(trials_db, doc_id="trial_a.txt")
    # 60 patients were enrolled; each arm's own (n=30) is what a meta-analysis needs
    assert (row["n1i"], row["n1_source"], row["n2i"], row["n2_source"]) == (
        "30",
        "arm",
        "30",
        "arm",
    )


def test_weeks_stay_weeks_beside_the_months_column(trials_db: Path) -> None:
    rows = metafor_rows(trials_db, measure="VAS pain")
    follow_ups = [r for r in rows if r["timepoint"] == "follow-up"]
    assert {(r["time"], r["months"]) for r in follow_ups} == {("12 weeks", "2.8")}


def test_pooled_mean_difference_of_the_exported_trials_is_the_hand_calculation(
    trials_db: Path,
) -> None:
    rows = [r for r in metafor_rows(trials_db, measure="VAS pain") if r["time"] == "12 weeks"]
    estimates = [
        mean_difference(
            float(r["m1i"]),
            float(r["sd1i"]),
            int(r["n1i"]),
            float(r["m2i"]),
            float(r["sd2i"]),
            int(r["n2i"]),
            label=r["study"],
        )
        for r in rows
    ]
    pooled = pool_inverse_variance(estimates)
    # By hand, from the sentences: MD = m1 - m2, variance = sd1²/n1 + sd2²/n2, weight = 1/var.
    md = {"a": 3.1 - 4.6, "b": 3.0 - 4.2, "c": 3.5 - 5.1}  # -1.5, -1.2, -1.6
    var = {
        "a": 1.2**2 / 30 + 1.5**2 / 30,  # 0.123
        "b": 1.8**2 / 40 + 2.0**2 / 40,  # 0.181
        "c": 1.4**2 / 25 + 1.6**2 / 25,  # 0.1808
    }
    weight = {k: 1 / v for k, v in var.items()}  # 8.130, 5.525, 5.531
    by_hand = sum(weight[k] * md[k] for k in md) / sum(weight.values())
    assert pooled.value == pytest.approx(by_hand, abs=1e-9)
    assert pooled.value == pytest.approx(-1.4425, abs=1e-4)
    assert pooled.se == pytest.approx(math.sqrt(1 / sum(weight.values())), abs=1e-9)
    assert pooled.ci == pytest.approx((-1.890, -0.995), abs=1e-3)


def test_export_writes_the_same_rows_as_csv_and_as_json(trials_db: Path) -> None:
    as_csv, as_json = io.StringIO(), io.StringIO()
    export(trials_db, as_csv, layout="arms", fmt="csv")
    export(trials_db, as_json, layout="arms", fmt="json")
    from_csv = list(csv.DictReader(io.StringIO(as_csv.getvalue())))
    from_json = json.loads(as_json.getvalue())
    assert len(from_csv) == len(from_json) > 0
    assert [r["evidence_id"] for r in from_csv] == [r["evidence_id"] for r in from_json]
    assert from_json[0]["months"] is None or isinstance(from_json[0]["months"], float)


def test_evidence_layout_is_every_row_of_the_evidence_table(trials_db: Path) -> None:
    import sqlite3

    columns, rows = export_rows(trials_db, layout="evidence")
    with sqlite3.connect(trials_db) as conn:
        assert len(rows) == conn.execute("select count(*) from evidence").fetchone()[0]
    assert columns[:3] == ["id", "doc_id", "kind"]


def test_extract_export_writes_a_file_without_a_server(trials_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "comparisons.csv"
    result = CliRunner().invoke(
        cli, ["export", "--db", str(trials_db), "--measure", "VAS pain", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert "4 rows written to" in result.output
    assert target.read_text(encoding="utf-8").startswith("study,measure,kind,data_type,")


def test_extract_export_prints_json_to_standard_output(trials_db: Path) -> None:
    result = CliRunner().invoke(
        cli, ["export", "--db", str(trials_db), "--layout", "arms", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert {r["study"] for r in json.loads(result.stdout)} == set(TRIALS)


def test_extract_export_of_a_missing_database_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "run `extract CORPUS_DIR` first" in result.output


def test_export_of_a_file_that_is_not_an_evidence_database_is_an_error(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    other.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(ExportError, match="not an evidence database"):
        export_rows(other)


@pytest.mark.parametrize(
    ("layout", "query"),
    [("metafor", "meta_analysis_comparisons"), ("arms", "meta_analysis_export")],
)
async def test_datasette_query_and_extract_export_give_the_same_rows(
    trials_db: Path, layout: str, query: str
) -> None:
    register_plugin()
    ds = Datasette(
        [str(trials_db)],
        metadata=load_metadata(REPO / "db" / "metadata.yml", trials_db),
        settings=SETTINGS,
    )
    response = await ds.client.get(f"/evidence/{query}.json", params={"_shape": "arrays"})
    assert response.status_code == 200, response.text
    columns, rows = export_rows(trials_db, layout=layout)
    assert response.json()["columns"] == columns
    assert [tuple(r) for r in response.json()["rows"]] == rows


def test_an_n_and_se_the_extraction_stored_are_used_and_the_sd_derived(tmp_path: Path) -> None:
    """A table cell `3.1 (SE 0.2)` under a `Drug (n = 25)` column: n from the header,
    SD = SE × √n = 0.2 × 5 = 1."""
    from extractor.store import open_database, write_document
    from extractor.types import DocumentResult, Evidence

    text = "Drug (n = 25) 3.1 (SE 0.2)"
    cell = Evidence(
        kind="score",
        value=3.1,
        char_start=14,
        char_end=26,
        rule="hand",
        quote=text,
        quote_start=0,
        quote_end=len(text),
        id="t#1",
        doc_id="t.txt",
        measure="VAS pain",
        group_name="Drug",
        timepoint="follow-up",
        se=0.2,
        n=25,
        n_source="column header",
        table_column="Drug (n = 25)",
    )
    db = open_database(tmp_path / "evidence.db")
    write_document(
        db,
        DocumentResult(
            doc_id="t.txt",
            source_type="text",
            sha256="x",
            status="ok",
            extractor_version="hand",
            text=text,
            size_bytes=len(text),
            evidence=[cell],
        ),
    )
    db.close()
    columns, rows = export_rows(tmp_path / "evidence.db", layout="arms")
    (row,) = [dict(zip(columns, r, strict=True)) for r in rows]
    assert (row["n"], row["n_source"], row["se"]) == (25, "column header", 0.2)
    assert (row["sd"], row["sd_source"]) == (pytest.approx(1.0), "SE × √n")

"""The Dask engine: a LocalCluster of two workers writes the same database as a local run,
re-runs skip what is unchanged, and shards a killed run saved are merged, not lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the Dask engine needs dask[distributed]")

from click.testing import CliRunner  # noqa: E402

from extractor.cli import cli  # noqa: E402
from extractor.runner import shards  # noqa: E402
from extractor.runner.budget import Budget  # noqa: E402
from extractor.runner.dask_engine import DaskEngine, extract_partition  # noqa: E402
from extractor.runner.run import Task, run_corpus  # noqa: E402

TABLES = {
    "documents": "select * from documents order by doc_id",
    "evidence": "select * from evidence order by id",
    "sections": "select * from sections order by doc_id, char_start, char_end, name",
}


def everything(db: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db) as conn:
        return {table: conn.execute(sql).fetchall() for table, sql in TABLES.items()}


def dask_engine(extractor, tmp_path: Path, **kw) -> DaskEngine:  # type: ignore[no-untyped-def]
    return DaskEngine(
        extractor=extractor,
        shards_dir=tmp_path / "shards",
        budget=Budget(),
        workers=2,
        partition_size=2,
        **kw,
    )


@pytest.fixture
def corpus(corpus_copy: Path) -> Path:
    """The sample corpus plus a file that cannot be read and one that fails to extract."""
    (corpus_copy / "empty.txt").write_bytes(b"")
    (corpus_copy / "sub").mkdir()
    (corpus_copy / "sub" / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<")
    (corpus_copy / "gone.txt").symlink_to(corpus_copy / "nowhere.txt")
    return corpus_copy


def test_a_local_cluster_of_two_workers_writes_every_row_a_local_run_writes(
    corpus: Path, tmp_path: Path, extractor
) -> None:
    local, distributed = tmp_path / "local.db", tmp_path / "dask.db"
    run_corpus(corpus, local, extractor=extractor)
    summary = run_corpus(
        corpus, distributed, extractor=extractor, engine=dask_engine(extractor, tmp_path)
    )
    assert summary.read == len(everything(local)["documents"]) and summary.failed == 3
    assert everything(distributed) == everything(local)
    assert everything(local)["evidence"], "the comparison compares something"
    assert shards.pending_shards(tmp_path / "shards") == [], "every shard merged and deleted"


def test_a_dask_rerun_skips_the_unchanged_and_removes_the_deleted(
    corpus: Path, tmp_path: Path, extractor
) -> None:
    db = tmp_path / "dask.db"
    engine = dask_engine(extractor, tmp_path)
    first = run_corpus(corpus, db, extractor=extractor, engine=engine)
    (corpus / "000_35dad4553f3b404f.txt").unlink()
    (corpus / "004_7fb97a0dc5d85665.txt").write_text(
        "Results: A total of 212 patients were included.\n", encoding="utf-8"
    )
    second = run_corpus(corpus, db, extractor=extractor, engine=engine)
    assert (second.read, second.skipped, second.removed) == (1, first.read - 2, 1)


def test_shards_a_killed_run_saved_are_merged_before_the_next_run(
    corpus: Path, tmp_path: Path, extractor
) -> None:
    """A run killed after saving a shard and before merging it: the next run merges the
    shard first, so its documents are skipped as unchanged, not extracted again."""
    names = ["001_1cd16be5a574c92a.txt", "003_3c6ec5651588653d.txt"]
    tasks = [Task(name, (corpus / name).read_bytes()) for name in names]
    data = extract_partition(tasks, None, extractor.version, Budget())
    shards.save_shard(tmp_path / "shards", "killed-000000", data)
    db = tmp_path / "dask.db"
    summary = run_corpus(corpus, db, extractor=extractor, engine=dask_engine(extractor, tmp_path))
    local = tmp_path / "local.db"
    run_corpus(corpus, local, extractor=extractor)
    assert summary.skipped == 2 and everything(db) == everything(local)


def test_extract_merge_merges_what_a_killed_run_left(
    corpus: Path, tmp_path: Path, extractor
) -> None:
    name = "001_1cd16be5a574c92a.txt"
    data = extract_partition([Task(name, (corpus / name).read_bytes())], None,
                             extractor.version, Budget())  # fmt: skip
    shards.save_shard(tmp_path / "e.db.shards", "killed-000000", data)
    result = CliRunner().invoke(cli, ["merge", "--db", str(tmp_path / "e.db")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 shards merged: 1 documents")
    assert [r[0] for r in everything(tmp_path / "e.db")["documents"]] == [name]


def test_a_worker_with_other_patterns_is_refused(corpus: Path, extractor) -> None:
    from extractor.runner.dask_engine import WorkerMismatch

    with pytest.raises(WorkerMismatch, match="same version"):
        extract_partition([Task("a.txt", b"x")], None, "another-version", Budget())


def test_an_unreachable_scheduler_is_a_user_error(corpus: Path, tmp_path: Path, extractor) -> None:
    from extractor.errors import UserError

    engine = dask_engine(extractor, tmp_path, scheduler="tcp://127.0.0.1:9", connect_seconds=2)
    with pytest.raises(UserError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        run_corpus(corpus, tmp_path / "e.db", extractor=extractor, engine=engine)

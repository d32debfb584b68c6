"""Shards: partitions of a distributed run, each a small evidence database of its own.

A Dask worker extracts a partition of documents into a shard (an SQLite file with the
evidence schema, written by the same `write_document`) and sends its bytes back; the
client saves it in the shards folder, then merges it into the evidence database and
deletes it. A shard is saved under a temporary name and renamed only once complete, so
the folder only ever holds whole shards; one left by a killed run is merged by the next
run (or `extract merge`) before anything else, so nothing already extracted is lost, and
merging a shard twice gives the same rows.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from extractor import store
from extractor.runner.run import Stored

SHARD_PREFIX = "part-"
SHARD_SUFFIX = ".db"
# Temporary files older than this are leftovers of a killed run, not a shard being saved.
STALE_SECONDS = 24 * 3600


def default_shards_dir(db_path: Path) -> Path:
    """`db/evidence.db` -> `db/evidence.db.shards/`: beside the database it feeds."""
    return db_path.parent / f"{db_path.name}.shards"


def save_shard(folder: Path, name: str, data: bytes) -> Path:
    """Write a shard's bytes under a temporary name, then rename it into place."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{SHARD_PREFIX}{name}{SHARD_SUFFIX}"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def pending_shards(folder: Path) -> list[Path]:
    """Complete shards waiting to be merged, oldest name first."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.name.startswith(SHARD_PREFIX) and p.suffix == SHARD_SUFFIX
    )


def merge_shard_file(db: sqlite_utils.Database, shard: Path) -> list[Stored]:
    """Merge one shard into the database, then delete it; what it brought."""
    merged = _documents_of(shard)
    store.merge_shard(db, shard)
    shard.unlink()
    return merged


def merge_pending(db: sqlite_utils.Database, folder: Path) -> Iterator[Stored]:
    """Merge every complete shard of the folder (left by an interrupted run)."""
    for shard in pending_shards(folder):
        yield from merge_shard_file(db, shard)
    _remove_stale_temporaries(folder)


def _documents_of(shard: Path) -> list[Stored]:
    conn = sqlite3.connect(f"{shard.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "select d.doc_id, d.status, d.error, "
            "(select count(*) from evidence e where e.doc_id = d.doc_id) "
            "from documents d order by d.doc_id"
        ).fetchall()
    except sqlite3.DatabaseError as error:
        raise store.StoreError(
            f"the shard {shard} is damaged ({error}); delete it and run again"
        ) from error
    finally:
        conn.close()
    return [Stored(*row) for row in rows]


def _remove_stale_temporaries(folder: Path) -> None:
    if not folder.is_dir():
        return
    now = time.time()
    for path in folder.glob(f".{SHARD_PREFIX}*.tmp"):
        try:
            if now - path.stat().st_mtime > STALE_SECONDS:
                path.unlink()
        except OSError:
            continue


def merge_folder(db_path: Path, folder: Path | None = None) -> tuple[int, list[Stored]]:
    """`extract merge`: merge every pending shard of `folder` into the database at
    `db_path`; (shards merged, documents they brought)."""
    folder = folder or default_shards_dir(db_path)
    with store.writer_lock(db_path):
        db = store.open_database(db_path)
        try:
            count = len(pending_shards(folder))
            merged = list(merge_pending(db, folder))
        finally:
            db.close()
    return count, merged

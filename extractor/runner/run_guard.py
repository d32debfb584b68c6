"""What a run may not do to data it did not produce.

A run brings the database in line with the corpus folder, which removes the rows of every
document no longer in that folder. Pointed at the wrong folder (an empty one, or another
corpus) with the default database, it would silently remove every document the database
holds and empty the snapshot committed beside it. `check_corpus_matches` refuses that case:
when the database holds documents and the folder has none of them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from extractor.runner.run import corpus_files


class RunRefused(Exception):
    """A run that would remove data it did not produce; the message says what to do."""


def stored_doc_ids(db_path: Path) -> set[str]:
    """The documents an existing evidence database holds (none when there is no database)."""
    if not Path(db_path).is_file():
        return set()
    try:
        conn = sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True)
        try:
            return {doc_id for (doc_id,) in conn.execute("select doc_id from documents")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return set()  # not an evidence database: the run itself says so


def check_corpus_matches(corpus_dir: Path, db_path: Path) -> None:
    """Refuse a run that would remove every document of a database and keep none."""
    known = stored_doc_ids(db_path)
    if not known:
        return
    present = {doc_id for doc_id, _ in corpus_files(Path(corpus_dir))}
    if present & known:
        return
    what = (
        f"{corpus_dir} holds no .txt, .md or .pdf file"
        if not present
        else f"none of the {len(known)} documents in {db_path} is in {corpus_dir}"
    )
    raise RunRefused(
        f"{what}, but {db_path} holds {len(known)} document"
        f"{'' if len(known) == 1 else 's'} from another folder: this run would remove them "
        f"all and empty their snapshot. Give this corpus its own database with "
        f"--db PATH, or delete {db_path} to start over."
    )

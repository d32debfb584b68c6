"""A canonical text snapshot of the evidence, for git and for pull-request review.

Nobody reviews a binary SQLite file, so `extract corpus/` also writes the evidence as text
next to the database (`db/evidence.snapshot/` for `db/evidence.db`: each database its
own folder, so two databases in one folder never overwrite each other's). Committed with
the corpus and the patterns, it makes `git diff` alone say what an edit to a vocabulary or
a document did to the evidence, and it is one of the sides `extract diff` can read (a
folder, or the folder as committed at a git revision).

Layout of the folder:

- `_documents.tsv` — one line per document, sorted by `doc_id`: `doc_id`, `source_type`,
  `status`, `evidence` (row count), `sha256`, `extractor_version`, `error`. So documents
  that failed to read are reviewable too. TAB-separated with a header line; inside a field
  `\\` is `\\\\`, TAB is `\\t`, newline is `\\n`, carriage return is `\\r`, and NULL is `\\N`.
- `<doc_id>.jsonl` — one file per document (also for documents without rows, so a
  document's presence is visible in `git diff`), mirroring the `doc_id`'s subfolders
  (`nice/ipg578.pdf` -> `nice/ipg578.pdf.jsonl`). Path components are percent-encoded
  outside a conservative set of characters (and `.`/`..` are encoded), so any `doc_id`
  maps to a safe relative path; a component longer than 240 bytes once encoded keeps its
  start and ends in `~` plus 16 hex digits of its hash, so it fits every file system. The
  file's first line carries the real `doc_id`, so readers never decode file names.

  Line 1 is a header `{"snapshot": 1, "doc_id": "..."}`. Every further line is one
  evidence row as a JSON object, sorted by (`char_start`, `char_end`, `kind`, `id`). JSON
  rather than TSV because each value is labelled in the line itself: a diff line reads
  `"months": 12` -> `"months": 6` without counting columns. Keys come in the fixed order
  of `REVIEW_COLUMNS`; keys whose value is NULL are left out to keep lines short. Non-ASCII
  is written as is (a quote with `±` stays readable); U+2028, U+2029 and U+0085 are escaped
  so that every tool agrees a row is one line.

Why these columns: `REVIEW_COLUMNS` are the contract's columns a reviewer judges (what was
extracted, from where, by which rule) plus `mention` (`text[char_start:char_end]`, the
words that were matched) and `quote_start` (so the mention can be marked inside the quote
without the document text). `doc_id` is the file, so it is not repeated per row.

Numbers are printed by one rule on every machine (`format_number`): integral values
without `.0` (`12`, not `12.0`), other floats with ten significant digits
(`format(x, '.10g')`), which removes binary noise such as `0.30000000000000004`. The same
rule (`canonical_number`) normalises values read from a database, so a database and its
snapshot compare equal.

Writing is idempotent and streams: documents are read from the database one at a time,
each file is rendered in memory, compared with what is on disk, and only replaced (temp
file in the same folder, then `os.replace`) when its bytes differ; files of documents no
longer in the database are deleted. An unchanged database leaves the folder byte-for-byte,
and mtime-for-mtime, unchanged; memory holds one document's rows, whatever the size of
the database. Files get the mode the umask gives new files (0644 under the usual 022).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import quote as _percent_quote

import sqlite_utils

from extractor.store import EVIDENCE_COLUMNS

SNAPSHOT_FORMAT = 1
DOCUMENTS_FILE = "_documents.tsv"
ROWS_SUFFIX = ".jsonl"

# The order of keys in a snapshot line, and the fields a diff compares.
REVIEW_COLUMNS: tuple[str, ...] = (
    "id",
    "kind",
    "measure",
    "measure_text",
    "group_name",
    "timepoint",
    "months",
    "statistic",
    "value",
    "unit",
    "sd",
    "ci_low",
    "ci_high",
    "ci_level",
    "range_low",
    "range_high",
    "count",
    "denominator",
    "percent",
    "p_value",
    "p_relation",
    "se",
    "n",
    "n_source",
    "table_row",
    "table_column",
    "char_start",
    "char_end",
    "page",
    "section",
    "rule",
    "flags",
    "mention",
    "quote",
    "quote_start",
)

# Columns of `documents` in _documents.tsv, in this order. `evidence` is the row count.
DOCUMENT_FIELDS: tuple[str, ...] = (
    "doc_id",
    "source_type",
    "status",
    "evidence",
    "sha256",
    "extractor_version",
    "error",
)

# Review columns that hold numbers, as the schema types them (mention, quote are text).
NUMERIC_COLUMNS = frozenset(c for c in REVIEW_COLUMNS if EVIDENCE_COLUMNS.get(c) in (int, float))

Row = dict[str, Any]
"""One evidence row as a reviewer sees it: `REVIEW_COLUMNS` keys, canonical values."""


class SnapshotError(Exception):
    """A snapshot folder or file that cannot be read; the message is for a person."""


@dataclass(frozen=True)
class DocumentInfo:
    """What a reviewer needs to know about one document besides its rows."""

    doc_id: str
    source_type: str | None = None
    status: str | None = None
    evidence: int = 0
    sha256: str | None = None
    extractor_version: str | None = None
    error: str | None = None


@dataclass
class EvidenceState:
    """The evidence of one side of a comparison, however it was stored.

    `rows[doc_id]` is sorted like a snapshot file; every document in `documents` has an
    entry in `rows` (possibly empty). `label` says where the state came from, for reports.
    """

    documents: dict[str, DocumentInfo] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    label: str = ""

    @property
    def row_count(self) -> int:
        return sum(len(r) for r in self.rows.values())


@dataclass(frozen=True)
class SnapshotStats:
    """What `write_snapshot` did, so `extract` can say it and tests can check it."""

    documents: int
    rows: int
    written: int  # files created or replaced
    unchanged: int  # files left alone because their bytes were already right
    deleted: int  # files of documents no longer in the database

    @property
    def changed(self) -> bool:
        return bool(self.written or self.deleted)


# --- numbers -------------------------------------------------------------------------------


def canonical_number(x: Any) -> Any:
    """The value a number is compared and stored as: integral -> int, else 10 digits.

    Non-numbers pass through unchanged (a text in a numeric column is shown, not hidden).
    NaN and infinities have no JSON form, so they become the strings "nan"/"inf"/"-inf".
    """
    if x is None or isinstance(x, str):
        return x
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return x
    if isinstance(x, float):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        if x.is_integer() and abs(x) < 1e16:
            return int(x)
        return float(format(x, ".10g"))
    return x


def format_number(x: int | float) -> str:
    """The text of a number, identical on every machine (see the module docstring)."""
    value = canonical_number(x)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(value, ".10g")
    return str(value)


# --- reading a database --------------------------------------------------------------------


def state_from_database(
    db: sqlite_utils.Database | sqlite3.Connection | Path | str,
) -> EvidenceState:
    """Read the review columns of every document and row of an evidence database.

    Tolerates databases written by older or newer extractors: a missing column reads as
    NULL, unknown columns are ignored. The mention is cut out by SQLite (`substr` counts
    characters, like Python slicing), so document texts never need to be loaded.
    """
    conn, label, close = _connect(db)
    try:
        return _read_state(conn, label)
    finally:
        if close:
            conn.close()


def _connect(
    db: sqlite_utils.Database | sqlite3.Connection | Path | str,
) -> tuple[sqlite3.Connection, str, bool]:
    if isinstance(db, sqlite_utils.Database):
        return db.conn, "database", False
    if isinstance(db, sqlite3.Connection):
        return db, "database", False
    path = Path(db)
    if not path.is_file():
        raise SnapshotError(f"{path} is not a file")
    # Read-only, so comparing two databases never changes either of them.
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    return conn, str(path), True


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"pragma table_info([{table}])")}


def _check_tables(conn: sqlite3.Connection, label: str) -> tuple[set[str], set[str]]:
    """Columns of `documents` and `evidence`, after checking this is an evidence database."""
    try:
        doc_columns = _columns(conn, "documents")
        ev_columns = _columns(conn, "evidence")
    except sqlite3.DatabaseError as exc:
        raise SnapshotError(f"{label} is not an evidence database: {exc}") from exc
    if "doc_id" not in doc_columns:
        raise SnapshotError(f"{label} has no documents table: is it an evidence database?")
    for column in ("char_start", "char_end", "kind", "id", "doc_id"):
        if ev_columns and column not in ev_columns:
            raise SnapshotError(f"{label}: the evidence table has no `{column}` column")
    return doc_columns, ev_columns


def _rows_sql(doc_columns: set[str], ev_columns: set[str]) -> str:
    """The query for evidence rows (`e`) as `REVIEW_COLUMNS`, with the mention cut out."""
    select = []
    for column in REVIEW_COLUMNS:
        if column == "mention":
            select.append(
                "substr(d.text, e.char_start + 1, e.char_end - e.char_start)"
                if "text" in doc_columns
                else "NULL"
            )
        elif column in ev_columns:
            select.append(f"e.[{column}]")
        else:
            select.append("NULL")
    return (
        f"select {', '.join(select)} from evidence e left join documents d on d.doc_id = e.doc_id"
    )


def _read_state(conn: sqlite3.Connection, label: str) -> EvidenceState:
    doc_columns, ev_columns = _check_tables(conn, label)
    state = EvidenceState(label=label)

    rows_by_doc: dict[str, list[Row]] = {}
    if ev_columns:
        sql = _rows_sql(doc_columns, ev_columns).replace("select ", "select e.doc_id, ", 1)
        for record in conn.execute(sql):
            row = _canonical_row(dict(zip(REVIEW_COLUMNS, record[1:], strict=True)))
            rows_by_doc.setdefault(record[0], []).append(row)

    select_docs = ", ".join(
        f"[{c}]" if c in doc_columns else "NULL" for c in DOCUMENT_FIELDS if c != "evidence"
    )
    for record in conn.execute(f"select {select_docs} from documents"):
        values = dict(zip([c for c in DOCUMENT_FIELDS if c != "evidence"], record, strict=True))
        doc_id = values["doc_id"]
        values["evidence"] = len(rows_by_doc.get(doc_id, []))
        state.documents[doc_id] = DocumentInfo(**values)
    for doc_id, rows in rows_by_doc.items():
        if doc_id not in state.documents:  # orphan rows: show them rather than lose them
            state.documents[doc_id] = DocumentInfo(doc_id=doc_id, evidence=len(rows))
    for doc_id in state.documents:
        state.rows[doc_id] = sort_rows(rows_by_doc.get(doc_id, []))
    return state


def _canonical_row(row: Mapping[str, Any]) -> Row:
    out: Row = {}
    for column in REVIEW_COLUMNS:
        value = row.get(column)
        if column in NUMERIC_COLUMNS:
            value = canonical_number(value)
        elif column == "flags" and value == "":
            value = None
        out[column] = value
    return out


def _sort_key(row: Row) -> tuple:
    def num(v: Any) -> float:
        return v if isinstance(v, (int, float)) else -1

    return (
        num(row.get("char_start")),
        num(row.get("char_end")),
        row.get("kind") or "",
        row.get("id") or "",
    )


def sort_rows(rows: Iterable[Row]) -> list[Row]:
    """Rows in snapshot order: by position, then kind and id, so the order never varies."""
    return sorted(rows, key=_sort_key)


# --- rendering files -----------------------------------------------------------------------

_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"}


def _json_value(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return format_number(value)
    text = json.dumps(str(value), ensure_ascii=False)
    for char, escaped in _LINE_BREAKS.items():
        text = text.replace(char, escaped)
    return text


def render_row(row: Row) -> str:
    """One evidence row as its snapshot line (without the newline)."""
    parts = [
        f"{json.dumps(column)}: {_json_value(row[column])}"
        for column in REVIEW_COLUMNS
        if row.get(column) is not None
    ]
    return "{" + ", ".join(parts) + "}"


def render_rows_file(doc_id: str, rows: Iterable[Row]) -> str:
    """The whole `.jsonl` file of one document."""
    lines = ["{" + f'"snapshot": {SNAPSHOT_FORMAT}, "doc_id": {_json_value(doc_id)}' + "}"]
    lines.extend(render_row(row) for row in sort_rows(rows))
    return "\n".join(lines) + "\n"


def _tsv_escape(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def _tsv_unescape(field_text: str) -> str | None:
    if field_text == "\\N":
        return None
    out = []
    i = 0
    while i < len(field_text):
        char = field_text[i]
        if char == "\\" and i + 1 < len(field_text):
            nxt = field_text[i + 1]
            out.append({"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}.get(nxt, "\\" + nxt))
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def render_documents_file(documents: Iterable[DocumentInfo]) -> str:
    """The `_documents.tsv` file: one line per document, sorted by doc_id."""
    lines = ["\t".join(DOCUMENT_FIELDS)]
    for doc in sorted(documents, key=lambda d: d.doc_id):
        lines.append("\t".join(_tsv_escape(getattr(doc, name)) for name in DOCUMENT_FIELDS))
    return "\n".join(lines) + "\n"


_SAFE_CHARS = "-_.,+=@~()[]{}!#$&' "


def rows_file_path(doc_id: str) -> PurePosixPath:
    """Where a document's rows live inside the snapshot folder (relative, `/`-separated).

    Every component is percent-encoded outside letters, digits and `_SAFE_CHARS`, so
    characters that are unsafe on some file system (`:`, `\\`, `*`, `?`, `"`, `<`, `>`,
    `|`, control characters) never reach the disk; `.` and `..` components are encoded
    too, so a path can never leave the folder. Non-ASCII letters are kept readable.
    """
    parts = []
    components = doc_id.split("/")
    for index, part in enumerate(components):
        encoded = _percent_quote(part, safe=_SAFE_CHARS)
        if encoded in (".", ".."):
            encoded = encoded.replace(".", "%2E")
        elif not encoded:
            encoded = "%"  # never produced by percent-encoding, so it cannot collide
        suffix = ROWS_SUFFIX if index == len(components) - 1 else ""
        parts.append(_fit_name(encoded, part, suffix) + suffix)
    return PurePosixPath(*parts)


# File systems refuse names longer than 255 bytes, and the temporary file written beside
# each snapshot file adds 14 (".name.XXXXXXXX.tmp"), so no name may exceed this.
MAX_NAME_BYTES = 240
_HASHED_TAIL = 17  # "~" and 16 hex digits of the component's SHA-256


def _fit_name(encoded: str, original: str, suffix: str) -> str:
    """`encoded`, or its start plus a hash of `original` when the name would be too long.

    Percent-encoding can triple a name's length (`:` is `%3A`), so a name the corpus's
    file system accepts may be too long for the snapshot's. The hash keeps two long names
    with the same start apart; the file's header line still carries the full doc_id.
    """
    if len(encoded) + len(suffix) <= MAX_NAME_BYTES:  # encoded names are ASCII
        return encoded
    keep = MAX_NAME_BYTES - len(suffix) - _HASHED_TAIL
    start = encoded[:keep]
    cut = start.rfind("%", max(0, keep - 2))
    if cut != -1:  # never split a %XX escape
        start = start[:cut]
    digest = hashlib.sha256(original.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{start}~{digest}"


def render_snapshot(state: EvidenceState) -> dict[str, str]:
    """Every file of the snapshot of `state`: relative path -> content."""
    files: dict[str, str] = {DOCUMENTS_FILE: render_documents_file(state.documents.values())}
    for doc_id in sorted(state.documents):
        path = str(rows_file_path(doc_id))
        if path in files:
            raise SnapshotError(f"two documents map to the same snapshot file {path}")
        files[path] = render_rows_file(doc_id, state.rows.get(doc_id, []))
    return files


def default_snapshot_dir(db_path: Path | str) -> Path:
    """The snapshot folder of a database: `<name>.snapshot/` beside it (`db/evidence.db` ->
    `db/evidence.snapshot/`), so every database keeps its own and no run touches another's."""
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.stem}.snapshot")


# --- writing -------------------------------------------------------------------------------


def write_snapshot(
    db: sqlite_utils.Database | sqlite3.Connection | Path | str, folder: Path | str
) -> SnapshotStats:
    """Bring the snapshot folder in line with the database, touching only what changed.

    Streams: one document's rows are read, rendered and written at a time, so memory
    does not grow with the database (a PubMed-sized database has millions of documents).
    """
    conn, label, close = _connect(db)
    try:
        documents = _stream_documents(conn, label)
        return _write_stream(documents, Path(folder), lambda d: _in_database(conn, d))
    finally:
        if close:
            conn.close()


def write_state(state: EvidenceState, folder: Path | str) -> SnapshotStats:
    """Write `state` as a snapshot folder (see the module docstring for the guarantees)."""
    documents = (
        (state.documents[doc_id], sort_rows(state.rows.get(doc_id, [])))
        for doc_id in sorted(state.documents)
    )
    return _write_stream(documents, Path(folder), lambda doc_id: doc_id in state.documents)


def _stream_documents(
    conn: sqlite3.Connection, label: str
) -> Iterator[tuple[DocumentInfo, list[Row]]]:
    """(document, its sorted rows) for every document of a database, by doc_id.

    Documents come from a cursor and rows from one indexed query per document, so only
    one document's rows are in memory. Orphan rows (no documents row) are kept visible.
    """
    doc_columns, ev_columns = _check_tables(conn, label)
    fields = [c for c in DOCUMENT_FIELDS if c != "evidence"]
    select_docs = ", ".join(
        f"d.[{c}]" if c in doc_columns and c != "doc_id" else "NULL" for c in fields[1:]
    )
    ids = "select doc_id from documents"
    if ev_columns:
        ids += " union select doc_id from evidence"
    cursor = conn.execute(
        f"select ids.doc_id, {select_docs} from ({ids}) ids "
        "left join documents d on d.doc_id = ids.doc_id order by ids.doc_id"
    )
    rows_sql = _rows_sql(doc_columns, ev_columns) + " where e.doc_id = ?" if ev_columns else ""
    for record in cursor:
        values = dict(zip(fields, record, strict=True))
        rows = []
        if rows_sql:
            rows = [
                _canonical_row(dict(zip(REVIEW_COLUMNS, r, strict=True)))
                for r in conn.execute(rows_sql, (values["doc_id"],))
            ]
        values["evidence"] = len(rows)
        yield DocumentInfo(**values), sort_rows(rows)


def _in_database(conn: sqlite3.Connection, doc_id: str) -> bool:
    found = conn.execute("select 1 from documents where doc_id = ?", (doc_id,)).fetchone()
    if found is None and "doc_id" in _columns(conn, "evidence"):
        found = conn.execute(
            "select 1 from evidence where doc_id = ? limit 1", (doc_id,)
        ).fetchone()
    return found is not None


def _write_stream(
    documents: Iterable[tuple[DocumentInfo, list[Row]]],
    folder: Path,
    is_document: Callable[[str], bool],
) -> SnapshotStats:
    """Write each document's file as it comes, and `_documents.tsv` line by line."""
    folder.mkdir(parents=True, exist_ok=True)
    mode = _file_mode()
    written = unchanged = count = rows_total = 0
    # _documents.tsv grows line by line in an anonymous temp file (not in the folder, whose
    # mtime must not change when nothing does), then replaces the file only if it differs.
    with tempfile.TemporaryFile() as tsv:
        tsv.write(("\t".join(DOCUMENT_FIELDS) + "\n").encode("utf-8"))
        for info, rows in documents:
            relative = str(rows_file_path(info.doc_id))
            data = render_rows_file(info.doc_id, rows).encode("utf-8")
            if _write_if_changed(folder / relative, data, mode):
                written += 1
            else:
                unchanged += 1
            line = "\t".join(_tsv_escape(getattr(info, name)) for name in DOCUMENT_FIELDS)
            tsv.write((line + "\n").encode("utf-8"))
            count += 1
            rows_total += len(rows)
        if _same_content(tsv, folder / DOCUMENTS_FILE):
            unchanged += 1
        else:
            tsv.seek(0)
            _atomic_write(folder / DOCUMENTS_FILE, tsv, mode)
            written += 1
    deleted = _delete_stale(folder, is_document)
    return SnapshotStats(
        documents=count, rows=rows_total, written=written, unchanged=unchanged, deleted=deleted
    )


def _write_if_changed(target: Path, data: bytes, mode: int) -> bool:
    """Replace `target` with `data` unless it already holds exactly that; True if written."""
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return False
    except (FileNotFoundError, NotADirectoryError):
        pass
    _atomic_write(target, data, mode)
    return True


def _file_mode() -> int:
    """The mode a new file gets from this process's umask (0644 under the usual 022):
    snapshot files are committed and read by others, not private like a temp file."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _atomic_write(target: Path, data: bytes | BinaryIO, mode: int | None = None) -> None:
    """Readers (git, a reviewer's editor) see the old file or the new one, never half.

    `data` is bytes or a file to copy from (read to its end).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                shutil.copyfileobj(data, handle)
            os.fchmod(handle.fileno(), _file_mode() if mode is None else mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _same_content(source: BinaryIO, target: Path, chunk: int = 1 << 20) -> bool:
    """Whether the file `target` holds exactly what `source` (read from its start) holds."""
    source.seek(0, os.SEEK_END)
    try:
        if target.stat().st_size != source.tell():
            return False
        source.seek(0)
        with open(target, "rb") as existing:
            while True:
                a, b = source.read(chunk), existing.read(chunk)
                if a != b:
                    return False
                if not a:
                    return True
    except OSError:
        return False


def _delete_stale(folder: Path, is_document: Callable[[str], bool]) -> int:
    """Delete snapshot files of documents no longer there, leftovers of interrupted writes,
    and empty folders.

    A rows file is kept when the doc_id on its header line is a document and this file
    is where that document's rows belong; nothing is held in memory per document. Only
    files this module writes are candidates: `.*.tmp` leftovers and `*.jsonl` files whose
    first line is a snapshot header, so a README, `.gitattributes` or any other JSONL
    file in the folder (or in a folder given by mistake) survives.
    """
    deleted = 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(folder).as_posix()
        if path.name.startswith(".") and path.name.endswith(".tmp"):
            path.unlink()
            continue
        if not path.name.endswith(ROWS_SUFFIX):
            continue
        doc_id = _header_doc_id(path)
        if doc_id is None:
            continue  # not a snapshot file (a gold file, someone's notes): never ours to delete
        if str(rows_file_path(doc_id)) != relative or not is_document(doc_id):
            path.unlink()
            deleted += 1
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return deleted


def _header_doc_id(path: Path) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            header = json.loads(handle.readline())
    except (OSError, ValueError):
        return None
    if not isinstance(header, dict) or header.get("snapshot") != SNAPSHOT_FORMAT:
        return None
    doc_id = header.get("doc_id")
    return doc_id if isinstance(doc_id, str) else None


# --- reading a snapshot --------------------------------------------------------------------


def read_snapshot(folder: Path | str) -> EvidenceState:
    """Read a snapshot folder written by `write_snapshot` back into an `EvidenceState`."""
    folder = Path(folder)
    if not (folder / DOCUMENTS_FILE).is_file():
        raise SnapshotError(f"{folder} is not an evidence snapshot (no {DOCUMENTS_FILE})")
    files = {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in folder.rglob("*")
        if path.is_file()
        and (
            path.name.endswith(ROWS_SUFFIX) or path.relative_to(folder).as_posix() == DOCUMENTS_FILE
        )
    }
    return parse_snapshot(files, label=str(folder))


def parse_snapshot(files: Mapping[str, str], label: str = "") -> EvidenceState:
    """Build a state from snapshot file contents (relative path -> text).

    Shared by the folder reader and the git reader, which gets the same files out of a
    commit without checking anything out.
    """
    state = EvidenceState(label=label)
    if DOCUMENTS_FILE not in files:
        raise SnapshotError(f"{label or 'snapshot'} has no {DOCUMENTS_FILE}")
    state.documents.update(_parse_documents(files[DOCUMENTS_FILE], label))
    for relative in sorted(files):
        if not relative.endswith(ROWS_SUFFIX):
            continue
        doc_id, rows = _parse_rows_file(files[relative], f"{label}/{relative}")
        state.rows[doc_id] = sort_rows(rows)
        if doc_id not in state.documents:
            state.documents[doc_id] = DocumentInfo(doc_id=doc_id, evidence=len(rows))
    for doc_id in state.documents:
        state.rows.setdefault(doc_id, [])
    return state


def _parse_documents(text: str, label: str) -> dict[str, DocumentInfo]:
    lines = text.split("\n")
    if not lines or lines[0].split("\t") != list(DOCUMENT_FIELDS):
        raise SnapshotError(f"{label}/{DOCUMENTS_FILE}: unexpected header {lines[:1]!r}")
    documents = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        cells = line.split("\t")
        if len(cells) != len(DOCUMENT_FIELDS):
            raise SnapshotError(
                f"{label}/{DOCUMENTS_FILE}:{number}: expected {len(DOCUMENT_FIELDS)} fields"
            )
        values: dict[str, Any] = dict(zip(DOCUMENT_FIELDS, map(_tsv_unescape, cells), strict=True))
        values["evidence"] = int(values["evidence"] or 0)
        documents[values["doc_id"]] = DocumentInfo(**values)
    return documents


def _parse_rows_file(text: str, label: str) -> tuple[str, list[Row]]:
    lines = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    try:
        header = json.loads(lines[0][1]) if lines else {}
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{label}:1: not a snapshot header: {exc}") from exc
    if not isinstance(header, dict) or "doc_id" not in header:
        raise SnapshotError(f"{label}:1: not a snapshot header (no doc_id)")
    if header.get("snapshot") != SNAPSHOT_FORMAT:
        raise SnapshotError(
            f"{label}: snapshot format {header.get('snapshot')!r} is not {SNAPSHOT_FORMAT}"
        )
    rows = []
    for number, line in lines[1:]:
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SnapshotError(f"{label}:{number}: {exc}") from exc
        rows.append(_canonical_row(raw))
    return header["doc_id"], rows

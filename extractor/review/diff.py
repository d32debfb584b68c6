"""What changed in the evidence between two states: rows added, removed, changed, moved.

The states come from `extractor.review.diff_sources.load_side` (a database, a snapshot folder or a
git revision); the report is rendered by `extractor.review.diff_report`. This module only decides
which rows correspond and what differs, so both renderings say the same thing.

Matching, per document, in passes over the rows not matched yet (a reviewer should see an
edited attribute as one change, not as one removal plus one addition):

1. same `id` — ids are stable (same input, same patterns -> same id), so a pattern change
   that alters an attribute of a row found at the same place keeps its id;
2. same (`kind`, `mention`, `quote`) — the same words in the same sentence: the text moved
   (an edit earlier in the document shifts every offset, and with them the ids), or a rule
   was renamed, or the measure changed in a way that changed the id;
3. same (`kind`, `quote`, `value`) — the same number in the same sentence whose matched span
   grew or shrank (a rule now also takes the CI);
4. same (`kind`, `measure`, `value`) — the same quantity whose sentence was reworded.

Within a pass, rows sharing a key are paired in document order, minimising the total
distance between their positions (an order-preserving alignment), so three identical
`(n=40)` in a document pair up first with first, not crosswise.

A matched pair is *changed* when any content field differs: every review column except the
position ones (`id`, `char_start`, `char_end`, `quote_start`). Offsets alone are not a
change: when only they (or the id) differ, the row *moved* — the text around it was edited —
and is counted, but not listed as a change in the Markdown report. A change of the matched
words themselves shows as the field `mention`. `--exit-code` and `has_changes` ignore moves,
since nothing a reader of the evidence sees has changed.

A document counts as touched when it appeared, disappeared, changed status or error, or has
any added, removed, changed or moved row. A new `sha256` or `extractor_version` alone is
reported in the document's fields but does not touch it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from extractor.review.snapshot import REVIEW_COLUMNS, DocumentInfo, EvidenceState, Row

POSITION_FIELDS: tuple[str, ...] = ("id", "char_start", "char_end", "quote_start")
CONTENT_FIELDS: tuple[str, ...] = tuple(c for c in REVIEW_COLUMNS if c not in POSITION_FIELDS)
# Document fields whose change is itself worth a reviewer's attention.
DOCUMENT_REVIEW_FIELDS: tuple[str, ...] = ("source_type", "status", "error")
DOCUMENT_INFO_FIELDS: tuple[str, ...] = ("sha256", "extractor_version")

_MAX_ALIGNMENT_CELLS = 1_000_000  # beyond this a key group is paired in order, not aligned


@dataclass
class RowChange:
    """One row present on both sides: the two versions and the content fields that differ."""

    base: Row
    head: Row
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class DocumentDiff:
    """Everything that differs for one document."""

    doc_id: str
    status: str  # 'added' (only in head), 'removed' (only in base), 'modified'
    base: DocumentInfo | None = None
    head: DocumentInfo | None = None
    document_fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    added: list[Row] = field(default_factory=list)
    removed: list[Row] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    moved: list[RowChange] = field(default_factory=list)

    @property
    def touched(self) -> bool:
        return (
            self.status != "modified"
            or any(f in self.document_fields for f in DOCUMENT_REVIEW_FIELDS)
            or bool(self.added or self.removed or self.changed or self.moved)
        )

    @property
    def has_changes(self) -> bool:
        """Touched for a reason other than rows moving."""
        return (
            self.status != "modified"
            or any(f in self.document_fields for f in DOCUMENT_REVIEW_FIELDS)
            or bool(self.added or self.removed or self.changed)
        )


@dataclass
class EvidenceDiff:
    """The diff of two evidence states: only touched documents, sorted by doc_id."""

    base_label: str
    head_label: str
    documents: list[DocumentDiff] = field(default_factory=list)
    base_rows: int = 0
    head_rows: int = 0

    @property
    def added(self) -> int:
        return sum(len(d.added) for d in self.documents)

    @property
    def removed(self) -> int:
        return sum(len(d.removed) for d in self.documents)

    @property
    def changed(self) -> int:
        return sum(len(d.changed) for d in self.documents)

    @property
    def moved(self) -> int:
        return sum(len(d.moved) for d in self.documents)

    @property
    def has_changes(self) -> bool:
        return any(d.has_changes for d in self.documents)

    def summary(self) -> dict[str, int]:
        return {
            "documents_touched": len(self.documents),
            "documents_added": sum(d.status == "added" for d in self.documents),
            "documents_removed": sum(d.status == "removed" for d in self.documents),
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "moved": self.moved,
            "base_rows": self.base_rows,
            "head_rows": self.head_rows,
        }


def diff_states(base: EvidenceState, head: EvidenceState) -> EvidenceDiff:
    """Compare two states document by document (see the module docstring for the rules)."""
    result = EvidenceDiff(
        base_label=base.label,
        head_label=head.label,
        base_rows=base.row_count,
        head_rows=head.row_count,
    )
    for doc_id in sorted(set(base.documents) | set(head.documents)):
        doc = diff_document(
            doc_id,
            base.documents.get(doc_id),
            head.documents.get(doc_id),
            base.rows.get(doc_id, []),
            head.rows.get(doc_id, []),
        )
        if doc.touched:
            result.documents.append(doc)
    return result


def diff_document(
    doc_id: str,
    base_doc: DocumentInfo | None,
    head_doc: DocumentInfo | None,
    base_rows: list[Row],
    head_rows: list[Row],
) -> DocumentDiff:
    """The diff of one document's info and rows."""
    status = "added" if base_doc is None else "removed" if head_doc is None else "modified"
    doc = DocumentDiff(doc_id=doc_id, status=status, base=base_doc, head=head_doc)
    if base_doc is not None and head_doc is not None:
        for name in DOCUMENT_REVIEW_FIELDS + DOCUMENT_INFO_FIELDS:
            old, new = getattr(base_doc, name), getattr(head_doc, name)
            if old != new:
                doc.document_fields[name] = (old, new)
    pairs, removed, added = match_rows(base_rows, head_rows)
    doc.removed, doc.added = removed, added
    for old, new in pairs:
        fields = {c: (old.get(c), new.get(c)) for c in CONTENT_FIELDS if old.get(c) != new.get(c)}
        if fields:
            doc.changed.append(RowChange(old, new, fields))
        elif any(old.get(c) != new.get(c) for c in POSITION_FIELDS):
            doc.moved.append(RowChange(old, new, {}))
    doc.changed.sort(key=lambda c: _position(c.head))
    doc.moved.sort(key=lambda c: _position(c.head))
    return doc


# --- matching ------------------------------------------------------------------------------


def _key_id(row: Row) -> Hashable:
    return row.get("id") or None


def _key_words(row: Row) -> Hashable:
    if not row.get("mention") and not row.get("quote"):
        return None
    return (row.get("kind"), row.get("mention"), row.get("quote"))


def _key_sentence_value(row: Row) -> Hashable:
    if not row.get("quote") or row.get("value") is None:
        return None
    return (row.get("kind"), row.get("quote"), row.get("value"))


def _key_quantity(row: Row) -> Hashable:
    if row.get("measure") is None and row.get("value") is None:
        return None
    return (row.get("kind"), row.get("measure"), row.get("value"))


MATCH_PASSES: tuple[Callable[[Row], Hashable], ...] = (
    _key_id,
    _key_words,
    _key_sentence_value,
    _key_quantity,
)


def match_rows(
    base_rows: list[Row], head_rows: list[Row]
) -> tuple[list[tuple[Row, Row]], list[Row], list[Row]]:
    """Pair base rows with head rows; return (pairs, removed base rows, added head rows)."""
    old = sorted(base_rows, key=_position)
    new = sorted(head_rows, key=_position)
    old_left = list(range(len(old)))
    new_left = list(range(len(new)))
    pairs: list[tuple[int, int]] = []
    for key in MATCH_PASSES:
        if not old_left or not new_left:
            break
        old_groups = _group(old, old_left, key)
        new_groups = _group(new, new_left, key)
        taken_old: set[int] = set()
        taken_new: set[int] = set()
        for group_key, old_idx in old_groups.items():
            new_idx = new_groups.get(group_key)
            if not new_idx:
                continue
            for i, j in _align(
                [_position(old[i]) for i in old_idx], [_position(new[j]) for j in new_idx]
            ):
                pairs.append((old_idx[i], new_idx[j]))
                taken_old.add(old_idx[i])
                taken_new.add(new_idx[j])
        old_left = [i for i in old_left if i not in taken_old]
        new_left = [j for j in new_left if j not in taken_new]
    return (
        [(old[i], new[j]) for i, j in pairs],
        [old[i] for i in old_left],
        [new[j] for j in new_left],
    )


def _group(rows: list[Row], indices: list[int], key: Callable[[Row], Hashable]) -> dict:
    groups: dict[Hashable, list[int]] = {}
    for i in indices:
        k = key(rows[i])
        if k is not None:
            groups.setdefault(k, []).append(i)
    return groups


def _position(row: Row) -> int:
    start = row.get("char_start")
    return start if isinstance(start, int) else 0


def _align(a: list[int], b: list[int]) -> list[tuple[int, int]]:
    """Order-preserving pairing of min(len) items minimising the sum of |a_i - b_j|.

    Both lists are sorted positions. Dynamic programming over (i, j); very large groups,
    where that would be slow, are paired in order instead.
    """
    if len(a) > len(b):
        return [(i, j) for j, i in _align(b, a)]
    n, m = len(a), len(b)
    if n == m or n * m > _MAX_ALIGNMENT_CELLS:
        return [(i, i) for i in range(n)]
    inf = float("inf")
    # cost[i][j]: a[:i] all paired within b[:j]
    cost = [[0.0] * (m + 1)] + [[inf] * (m + 1) for _ in range(n)]
    for i in range(1, n + 1):
        row, prev = cost[i], cost[i - 1]
        for j in range(i, m + 1):
            skip = row[j - 1]
            take = prev[j - 1] + abs(a[i - 1] - b[j - 1])
            row[j] = take if take <= skip else skip
    pairs = []
    i, j = n, m
    while i > 0:
        if cost[i][j] == cost[i][j - 1] and j > i:
            j -= 1
        else:
            pairs.append((i - 1, j - 1))
            i -= 1
            j -= 1
    return pairs[::-1]


# --- JSON ----------------------------------------------------------------------------------


def diff_to_json(diff: EvidenceDiff) -> dict[str, Any]:
    """The diff as plain data for tools: the same content as the Markdown report, uncut."""
    return {
        "base": diff.base_label,
        "head": diff.head_label,
        "summary": diff.summary(),
        "has_changes": diff.has_changes,
        "documents": [
            {
                "doc_id": d.doc_id,
                "status": d.status,
                "document_fields": {
                    k: {"base": o, "head": n} for k, (o, n) in d.document_fields.items()
                },
                "added": d.added,
                "removed": d.removed,
                "changed": [
                    {
                        "base": c.base,
                        "head": c.head,
                        "fields": {k: {"base": o, "head": n} for k, (o, n) in c.fields.items()},
                    }
                    for c in d.changed
                ],
                "moved": [
                    {
                        "base_id": c.base.get("id"),
                        "head_id": c.head.get("id"),
                        "base_char_start": c.base.get("char_start"),
                        "head_char_start": c.head.get("char_start"),
                    }
                    for c in d.moved
                ],
            }
            for d in diff.documents
        ],
    }

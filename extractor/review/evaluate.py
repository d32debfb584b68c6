"""Precision and recall of an evidence database against hand-checked gold files.

A gold file (`tests/gold/*.jsonl`) holds one JSON object per evidence item a careful
reviewer copied out of one document: `doc_id`, `kind`, `value`, any contract attributes
the text states, and `near`, a short verbatim piece of the sentence that tells repeated
values apart. An attribute present in a gold item is checked; an absent one is not.

Matching is one-to-one within a document and kind: a gold item and a database row match
when their values agree, `near` is inside the row's quote, and every attribute the gold
item gives agrees with the row. The number of matched pairs is maximised (augmenting
paths over a fixed order, so the result is the same on every run). What a pattern
engineer needs most is why an item was missed, so every miss whose value *was* extracted
says which attribute disagreed ("timepoint: expected follow-up, got baseline").
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from extractor.store import EVIDENCE_COLUMNS

KINDS: tuple[str, ...] = (
    "sample_size",
    "score",
    "change",
    "complication",
    "proportion",
    "effect",
)

# Contract attributes a gold item may state, in the order the contract lists them.
ATTRIBUTES: tuple[str, ...] = (
    "measure",
    "group_name",
    "timepoint",
    "months",
    "statistic",
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
    "section",
)
NUMERIC_ATTRIBUTES = frozenset(a for a in ATTRIBUTES if EVIDENCE_COLUMNS[a] in (int, float))
GOLD_KEYS = frozenset({"doc_id", "kind", "value", "near", *ATTRIBUTES})

REL_TOL = 1e-6
ABS_TOL = 1e-9
_EXCERPT_CONTEXT = 70
_GROUP_STOPWORDS = frozenset({"the", "group", "groups", "arm", "arms"})


class GoldError(ValueError):
    """A gold file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class GoldItem:
    """One line of a gold file."""

    doc_id: str
    kind: str
    value: float
    attributes: dict[str, Any]
    near: str | None
    source: str  # "file.jsonl:12", to find the line again

    @property
    def measure(self) -> str | None:
        return self.attributes.get("measure")


@dataclass
class KindStats:
    """Counts for one kind; precision/recall are None when their denominator is 0."""

    kind: str
    gold: int = 0
    extracted: int = 0
    true_positives: int = 0

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.extracted if self.extracted else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.gold if self.gold else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "gold": self.gold,
            "extracted": self.extracted,
            "true_positives": self.true_positives,
            "precision": self.precision,
            "recall": self.recall,
        }


@dataclass
class RuleStats:
    """How one rule's rows fared: precision over its rows, and recall over the gold items
    it matched plus those it found but labelled wrong (a row of the rule with the item's
    kind and value was the nearest miss). Items no row came near count for no rule."""

    rule: str
    extracted: int = 0
    true_positives: int = 0
    near_misses: int = 0

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.extracted if self.extracted else None

    @property
    def recall(self) -> float | None:
        total = self.true_positives + self.near_misses
        return self.true_positives / total if total else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "extracted": self.extracted,
            "true_positives": self.true_positives,
            "near_misses": self.near_misses,
            "precision": self.precision,
            "recall": self.recall,
        }


@dataclass(frozen=True)
class FalsePositive:
    """A database row no gold item accounts for."""

    doc_id: str
    kind: str
    value: float | None
    measure: str | None
    excerpt: str  # the quote around the mention, the mention marked «like this»
    row_id: str
    rule: str | None


@dataclass(frozen=True)
class Miss:
    """A gold item no database row matched, and the nearest reason why."""

    doc_id: str
    kind: str
    value: float
    measure: str | None
    near: str | None
    source: str
    reason: str
    row_id: str | None = None  # the row that came closest, when there is one


@dataclass(frozen=True)
class Match:
    source: str
    row_id: str


@dataclass
class EvalReport:
    """Everything `evaluate` found; `format_report` renders it for people."""

    kinds: dict[str, KindStats] = field(default_factory=dict)
    rules: dict[str, RuleStats] = field(default_factory=dict)
    false_positives: list[FalsePositive] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    missing_documents: list[str] = field(default_factory=list)
    error_documents: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)

    @property
    def total(self) -> KindStats:
        total = KindStats("all")
        for stats in self.kinds.values():
            total.gold += stats.gold
            total.extracted += stats.extracted
            total.true_positives += stats.true_positives
        return total

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "missing_documents": self.missing_documents,
            "error_documents": self.error_documents,
            "kinds": [s.to_dict() for s in self.kinds.values()],
            "total": self.total.to_dict(),
            "rules": [s.to_dict() for s in self.rules.values()],
            "false_positives": [asdict(fp) for fp in self.false_positives],
            "misses": [asdict(m) for m in self.misses],
            "matches": [asdict(m) for m in self.matches],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


# --------------------------------------------------------------------------- gold


def gold_files(gold_path: Path | str | Iterable[Path | str]) -> list[Path]:
    """One file, several files, or folders of `.jsonl` files (searched recursively), sorted."""
    paths = [gold_path] if isinstance(gold_path, (str, Path)) else list(gold_path)
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(p.rglob("*.jsonl")))
        elif p.is_file():
            files.append(p)
        else:
            raise GoldError(f"{p}: no such gold file or folder")
    return files


def load_gold(gold_path: Path | str | Iterable[Path | str]) -> list[GoldItem]:
    """Read and validate gold items; any malformed line fails loudly with file:line."""
    items: list[GoldItem] = []
    for path in gold_files(gold_path):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            items.append(_parse_gold_line(line, f"{path.name}:{number}"))
    return items


def _parse_gold_line(line: str, source: str) -> GoldItem:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise GoldError(f"{source}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise GoldError(f"{source}: expected a JSON object")
    unknown = sorted(set(data) - GOLD_KEYS)
    if unknown:
        raise GoldError(f"{source}: unknown attribute(s) {', '.join(unknown)}")
    for key in ("doc_id", "kind", "value"):
        if data.get(key) is None:
            raise GoldError(f"{source}: '{key}' is required")
    if data["kind"] not in KINDS:
        raise GoldError(f"{source}: unknown kind {data['kind']!r}")
    if not isinstance(data["value"], (int, float)) or isinstance(data["value"], bool):
        raise GoldError(f"{source}: value must be a number")
    for key in NUMERIC_ATTRIBUTES & set(data):
        v = data[key]
        if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool)):
            raise GoldError(f"{source}: {key} must be a number or null")
    attributes = {k: data[k] for k in ATTRIBUTES if k in data}
    return GoldItem(
        doc_id=data["doc_id"],
        kind=data["kind"],
        value=float(data["value"]),
        attributes=attributes,
        near=data.get("near"),
        source=source,
    )


# --------------------------------------------------------------------------- database


def _read_database(
    db_path: Path, doc_ids: set[str]
) -> tuple[dict[str, str], dict[str, str | None], list[dict[str, Any]]]:
    """Status and text of the wanted documents that exist, and their evidence rows."""
    if not Path(db_path).is_file():
        raise FileNotFoundError(f"{db_path}: no such database")
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        wanted = sorted(doc_ids)
        statuses: dict[str, str] = {}
        texts: dict[str, str | None] = {}
        rows: list[dict[str, Any]] = []
        has_evidence = bool(
            conn.execute(
                "select 1 from sqlite_master where type = 'table' and name = 'evidence'"
            ).fetchone()
        )
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            for r in conn.execute(
                f"select doc_id, status, text from documents where doc_id in ({marks})", chunk
            ):
                statuses[r["doc_id"]] = r["status"]
                texts[r["doc_id"]] = r["text"]
            if has_evidence:
                rows.extend(
                    dict(r)
                    for r in conn.execute(
                        f"select * from evidence where doc_id in ({marks})", chunk
                    )
                )
    finally:
        conn.close()
    rows.sort(key=lambda r: (r["doc_id"], r.get("char_start") or 0, str(r.get("id") or "")))
    return statuses, texts, rows


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --------------------------------------------------------------------------- comparison


def numbers_equal(a: float | None, b: float | None) -> bool:
    """Equal within 1e-6 relative tolerance (1e-9 absolute near zero)."""
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=ABS_TOL)


def collapse_whitespace(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _normalise_group(name: str) -> str:
    words = re.sub(r"[^\w]+", " ", name.lower()).split()
    return " ".join(w for w in words if w not in _GROUP_STOPWORDS)


def _acronym(normalised: str) -> str:
    return "".join(w[0] for w in normalised.split() if w)


def groups_agree(expected: str, got: str | None) -> bool:
    """Lenient arm names: case, 'the'/'group'/'arm' and punctuation do not matter; one
    name may contain the other ('SI joint fusion' ~ 'minimally invasive SI joint fusion'),
    and an abbreviation matches its spelled-out form ('NSM' ~ 'non-surgical management').
    """
    if not got:
        return False
    a, b = _normalise_group(expected), _normalise_group(got)
    if not a or not b:
        return a == b
    if f" {a} " in f" {b} " or f" {b} " in f" {a} ":
        return True
    short_a, short_b = a.replace(" ", ""), b.replace(" ", "")
    return (" " not in a and short_a == _acronym(b)) or (" " not in b and short_b == _acronym(a))


def attribute_agrees(name: str, expected: Any, got: Any) -> bool:
    """Whether a row's attribute agrees with what the gold item states (None = NULL)."""
    if expected is None:
        return got is None or got == ""
    if name in NUMERIC_ATTRIBUTES:
        try:
            return got is not None and numbers_equal(float(expected), float(got))
        except (TypeError, ValueError):
            return False
    if name == "group_name":
        return groups_agree(str(expected), got)
    if got is None:
        return False
    return str(expected).strip().casefold() == str(got).strip().casefold()


def _near_in_quote(item: GoldItem, row: dict[str, Any]) -> bool:
    if not item.near:
        return True
    return collapse_whitespace(item.near) in collapse_whitespace(row.get("quote") or "")


def outcome_text_agrees(expected: str, written: str | None) -> bool:
    """Whether an outcome written in the text (`Symptomatic intracranial hemorrhage`)
    names the gold's canonical outcome (`symptomatic intracranial haemorrhage`): at least
    half of the canonical name's words appear, compared by their first five letters with
    British `ae`/`oe` spelled the American way."""
    if not written:
        return False

    def words(text: str) -> set[str]:
        text = text.casefold().replace("ae", "e").replace("oe", "e")
        return {w[:5] for w in re.findall(r"[a-z0-9]+", text) if len(w) >= 3}

    wanted = words(expected)
    return bool(wanted) and len(wanted & words(written)) * 2 >= len(wanted)


def _disagreements(item: GoldItem, row: dict[str, Any], lenient_measure: bool = False) -> list[str]:
    """What stops `row` matching `item`, one phrase per attribute, in contract order.

    With `lenient_measure`, a row whose `measure` is NULL (no vocabulary names its
    outcome, as the contract allows) agrees with the gold's measure when its
    `measure_text` names it (`outcome_text_agrees`)."""
    problems: list[str] = []
    if not numbers_equal(item.value, row.get("value")):
        problems.append(f"value: expected {_fmt(item.value)}, got {_fmt(row.get('value'))}")
    if not _near_in_quote(item, row):
        problems.append(f"near: {item.near!r} not in the row's quote")
    for name, expected in item.attributes.items():
        got = row.get(name)
        if (
            lenient_measure
            and name == "measure"
            and not got
            and expected
            and outcome_text_agrees(str(expected), row.get("measure_text"))
        ):
            continue
        if not attribute_agrees(name, expected, got):
            problems.append(f"{name}: expected {_fmt(expected)}, got {_fmt(got)}")
    return problems


def _fmt(v: Any) -> str:
    if v is None:
        return "None"
    if isinstance(v, float):
        return f"{v:g}" if abs(v) < 1e15 else repr(v)
    return str(v)


# --------------------------------------------------------------------------- matching


def _maximum_matching(
    golds: list[GoldItem], rows: list[dict[str, Any]], lenient_measure: bool = False
) -> dict[int, int]:
    """Gold index -> row index, as many pairs as possible, deterministic.

    Kuhn's augmenting paths: gold items in file order, each trying its compatible rows in
    document order, so a tie goes to the earliest row.
    """
    compatible = [
        [j for j, row in enumerate(rows) if not _disagreements(g, row, lenient_measure)]
        for g in golds
    ]
    row_owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in compatible[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in row_owner or augment(row_owner[j], seen):
                row_owner[j] = i
                return True
        return False

    for i in range(len(golds)):
        augment(i, set())
    return {i: j for j, i in row_owner.items()}


def _explain_miss(
    item: GoldItem,
    same_kind: list[dict[str, Any]],
    unmatched: set[int],
    other_kinds: list[dict[str, Any]],
) -> tuple[str, str | None]:
    """The most useful sentence about why `item` found no row, and the closest row."""
    candidates = [
        (j, row) for j, row in enumerate(same_kind) if numbers_equal(item.value, row.get("value"))
    ]
    if candidates:
        # Prefer a row from the same sentence (`near` in its quote), then a row no other
        # gold item took, then the fewest differences; ties go to the earliest row.
        def rank(pair: tuple[int, dict[str, Any]]) -> tuple[bool, bool, int, int]:
            j, row = pair
            taken = j not in unmatched
            return (not _near_in_quote(item, row), taken, len(_disagreements(item, row)), j)

        j, row = min(candidates, key=rank)
        problems = _disagreements(item, row)
        if j not in unmatched:
            if not problems:
                return "its only agreeing row was matched to another gold item", row.get("id")
            return "; ".join(problems) + " (that row matched another gold item)", row.get("id")
        return "; ".join(problems), row.get("id")
    for row in other_kinds:
        if numbers_equal(item.value, row.get("value")) and _near_in_quote(item, row):
            return f"kind: expected {item.kind}, got {row.get('kind')}", row.get("id")
    if item.near:
        same_sentence = [row for row in same_kind if _near_in_quote(item, row)]
        if same_sentence:
            values = ", ".join(sorted({_fmt(row.get("value")) for row in same_sentence}))
            return (
                f"no row with this value; its sentence has {item.kind} rows with value {values}",
                None,
            )
    return "no row of this kind with this value", None


def _excerpt(row: dict[str, Any], text: str | None) -> str:
    """The quote with the mention marked «like this», trimmed around it."""
    quote = row.get("quote") or ""
    start, end = row.get("char_start"), row.get("char_end")
    q0 = row.get("quote_start")
    rel = None
    if isinstance(start, int) and isinstance(end, int) and end >= start:
        if isinstance(q0, int) and 0 <= start - q0 <= end - q0 <= len(quote) and quote:
            rel = (start - q0, end - q0)
        elif text and 0 <= start <= end <= len(text):
            found = quote.find(text[start:end]) if text[start:end] else -1
            if found >= 0:
                rel = (found, found + end - start)
    if rel is None:
        limit = 2 * _EXCERPT_CONTEXT
        return collapse_whitespace(quote if len(quote) <= limit else quote[:limit] + "…")
    a, b = rel
    before = quote[max(0, a - _EXCERPT_CONTEXT) : a]
    after = quote[b : b + _EXCERPT_CONTEXT]
    head = "…" if a > _EXCERPT_CONTEXT else ""
    tail = "…" if b + _EXCERPT_CONTEXT < len(quote) else ""
    return collapse_whitespace(f"{head}{before}«{quote[a:b]}»{after}{tail}")


# --------------------------------------------------------------------------- evaluate


def evaluate(
    db_path: Path,
    gold_path: Path | list[Path],
    doc_ids: set[str] | None = None,
    *,
    attributes: bool = True,
    lenient_measure: bool = False,
) -> EvalReport:
    """Score the evidence in `db_path` against the gold items.

    With `attributes=False` a row matches on kind, value and `near` alone: that separates
    finding the numbers from labelling them (measure, timepoint, arm, CI ...), which fail
    for different reasons and are fixed in different places.

    Only documents named in the gold files count (restricted further to `doc_ids` when
    given); rows of other documents are ignored. Gold documents absent from the
    `documents` table are listed as missing and left out of the counts, so a partial
    database does not read as a recall failure; documents present with status 'error'
    count, and are listed.
    """
    items = load_gold(gold_path)
    if not attributes:
        items = [replace(g, attributes={}) for g in items]
    if doc_ids is not None:
        items = [g for g in items if g.doc_id in doc_ids]
    gold_docs = sorted({g.doc_id for g in items})
    statuses, texts, rows = _read_database(Path(db_path), set(gold_docs))

    report = EvalReport()
    report.missing_documents = [d for d in gold_docs if d not in statuses]
    report.error_documents = [d for d in gold_docs if statuses.get(d) == "error"]
    report.documents = [d for d in gold_docs if d in statuses]
    present = set(report.documents)
    items = [g for g in items if g.doc_id in present]

    kinds_seen = {g.kind for g in items} | {r["kind"] for r in rows}
    ordered = [k for k in KINDS if k in kinds_seen] + sorted(kinds_seen - set(KINDS))
    report.kinds = {k: KindStats(k) for k in ordered}

    by_doc_gold: dict[str, list[GoldItem]] = {}
    for g in items:
        by_doc_gold.setdefault(g.doc_id, []).append(g)
    by_doc_rows: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_doc_rows.setdefault(r["doc_id"], []).append(r)

    for doc in report.documents:
        doc_gold = by_doc_gold.get(doc, [])
        doc_rows = by_doc_rows.get(doc, [])
        for kind in ordered:
            golds = [g for g in doc_gold if g.kind == kind]
            krows = [r for r in doc_rows if r["kind"] == kind]
            stats = report.kinds[kind]
            stats.gold += len(golds)
            stats.extracted += len(krows)
            pairs = _maximum_matching(golds, krows, lenient_measure)
            stats.true_positives += len(pairs)
            matched = set(pairs.values())
            by_id = {str(r.get("id")): r for r in krows}
            for j, r in enumerate(krows):
                rule = report.rules.setdefault(str(r.get("rule")), RuleStats(str(r.get("rule"))))
                rule.extracted += 1
                rule.true_positives += j in matched
            for i in sorted(pairs):
                report.matches.append(Match(golds[i].source, str(krows[pairs[i]].get("id"))))
            matched_rows = set(pairs.values())
            free = set(range(len(krows))) - matched_rows
            others = [r for r in doc_rows if r["kind"] != kind]
            for i, g in enumerate(golds):
                if i in pairs:
                    continue
                reason, row_id = _explain_miss(g, krows, free, others)
                near = by_id.get(str(row_id)) if row_id is not None else None
                if near is not None:
                    name = str(near.get("rule"))
                    report.rules.setdefault(name, RuleStats(name)).near_misses += 1
                report.misses.append(
                    Miss(g.doc_id, g.kind, g.value, g.measure, g.near, g.source, reason, row_id)
                )
            for j in sorted(free):
                r = krows[j]
                report.false_positives.append(
                    FalsePositive(
                        doc_id=doc,
                        kind=kind,
                        value=r.get("value"),
                        measure=r.get("measure"),
                        excerpt=_excerpt(r, texts.get(doc)),
                        row_id=str(r.get("id")),
                        rule=r.get("rule"),
                    )
                )
    report.misses.sort(key=lambda m: _source_key(m.source))
    return report


def _source_key(source: str) -> tuple[str, int]:
    name, _, line = source.rpartition(":")
    return (name, int(line) if line.isdigit() else 0)


# --------------------------------------------------------------------------- report


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def format_report(report: EvalReport) -> str:
    """A plain-text table per kind, then the false positives and misses to act on."""
    lines: list[str] = []
    if report.missing_documents:
        lines.append("Missing documents (in gold, not in the database; left out of the counts):")
        lines.extend(f"  {d}" for d in report.missing_documents)
        lines.append("")
    if report.error_documents:
        lines.append("Documents with status 'error' (their gold items count as misses):")
        lines.extend(f"  {d}" for d in report.error_documents)
        lines.append("")
    header = f"{'kind':<14}{'gold':>6}{'extracted':>11}{'TP':>6}{'precision':>11}{'recall':>9}"
    lines.append(header)
    lines.append("-" * len(header))
    for stats in [*report.kinds.values(), report.total]:
        if stats.kind == "all":
            lines.append("-" * len(header))
        lines.append(
            f"{stats.kind:<14}{stats.gold:>6}{stats.extracted:>11}{stats.true_positives:>6}"
            f"{_pct(stats.precision):>11}{_pct(stats.recall):>9}"
        )
    if report.rules:
        lines.append("")
        head = f"{'rule':<40}{'rows':>6}{'TP':>6}{'near':>6}{'precision':>11}{'recall':>9}"
        lines.append(head)
        lines.append("-" * len(head))
        for r in sorted(report.rules.values(), key=lambda r: (-r.extracted, r.rule)):
            lines.append(
                f"{r.rule[:39]:<40}{r.extracted:>6}{r.true_positives:>6}{r.near_misses:>6}"
                f"{_pct(r.precision):>11}{_pct(r.recall):>9}"
            )
    lines.append("")
    lines.append(f"False positives ({len(report.false_positives)}):")
    for fp in report.false_positives:
        measure = f" [{fp.measure}]" if fp.measure else ""
        rule = f"  ({fp.rule})" if fp.rule else ""
        lines.append(f"  {fp.doc_id}  {fp.kind} {_fmt(fp.value)}{measure}: {fp.excerpt}{rule}")
    lines.append("")
    lines.append(f"Misses ({len(report.misses)}):")
    for m in report.misses:
        measure = f" [{m.measure}]" if m.measure else ""
        near = f" near {m.near!r}" if m.near else ""
        lines.append(f"  {m.source}  {m.kind} {_fmt(m.value)}{measure}{near}: {m.reason}")
    return "\n".join(lines) + "\n"

"""The evidence diff as Markdown for a pull-request comment.

Layout: a summary line first (documents touched; rows added, removed, changed, and moved
when any), the two sides, then one section per touched document in `doc_id` order with its
added, removed and changed rows. Every row shows what was extracted (kind, measure, value
and its attributes, where and by which rule) and its quote with the matched words in bold,
so a reviewer can judge it without opening the database. A changed row lists each changed
field as `field: old → new`; a changed quote shows the old quote too.

Safety: quotes, measures and doc_ids are untrusted text from papers and file names. They
are HTML-escaped (`&`, `<`, `>`) and Markdown punctuation is backslash-escaped, so a `|`,
`*`, backtick or `<script>` in a quote is shown, never interpreted. The mention is marked
with `<b>` rather than `**`, because `**` does not render when it touches punctuation
(`(n=40)`) inside a word. Long quotes are cut to a window around the mention.

Size: GitHub rejects comments over 65,536 characters. A section with more than `fold_rows`
rows is folded into `<details>`; when the whole report exceeds `max_chars` (default 60,000,
leaving room for the marker and a header), the number of rows shown per document and
category is the largest that fits (a binary search: the report grows with it), so small
documents keep all their rows and every document keeps its heading and counts. Whole rows
are cut, never half a row, and each cut says how many rows are not shown; a note under the
summary says the report was shortened. Only if the headings alone do not fit does the
report become one line of counts per document, as many as fit, with a note for the rest.
The JSON format is never cut.

GitHub also turns `@name` into a notification and `#123` into a cross-reference in the
referenced issue; a quote must do neither, so a word joiner (U+2060, invisible) is put
after such an `@` or `#`.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.review.diff import DocumentDiff, EvidenceDiff, RowChange, diff_states, diff_to_json
from extractor.review.diff_sources import DEFAULT_SNAPSHOT_PATH, load_side
from extractor.review.snapshot import Row, format_number

GITHUB_COMMENT_LIMIT = 65_536
DEFAULT_MAX_CHARS = 60_000
DEFAULT_FOLD_ROWS = 10
QUOTE_WINDOW = 320  # characters of quote shown around the mention
FULL_REPORT_HINT = "run `extract diff` locally for the full report"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~^$])")
_LINE_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)\.)")
_GITHUB_REFERENCE = re.compile(r"(?<![\w.])([@#])(?=\w)")  # @user, #123, GH-style refs


def escape_text(text: Any, line_start: bool = False) -> str:
    """Untrusted text made inert in Markdown and HTML, on one line.

    `line_start` also escapes what would open a list or heading when the text begins a
    line (a quote that starts with "1." or "-").
    """
    value = html.escape(str(text), quote=False)
    value = _GITHUB_REFERENCE.sub("\\1\u2060", value)
    value = _MD_SPECIAL.sub(r"\\\1", value)
    value = re.sub(r"\s+", " ", value)
    if not line_start:
        return value
    # A leading '-', '+', '=' or '1.' would start a list or a heading underline ('>' is
    # already an entity).
    return _LINE_START.sub(_escape_line_start, value)


def _escape_line_start(match: re.Match[str]) -> str:
    if match.group(2):
        return f"{match.group(1)}\\{match.group(2)}"
    return f"{match.group(1)}{match.group(3)}\\."


def show_value(value: Any) -> str:
    """A field value as shown in a report: numbers canonical, NULL as an em dash."""
    if value is None:
        return "—"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    text = str(value)
    if len(text) > 160:
        text = text[:157] + "…"
    return escape_text(text)


def quote_with_mention(row: Row, window: int = QUOTE_WINDOW) -> str:
    """The row's quote, escaped, with the mention in bold, cut to a window around it."""
    quote = row.get("quote") or ""
    mention = row.get("mention") or ""
    start = None
    if (
        mention
        and isinstance(row.get("char_start"), int)
        and isinstance(row.get("quote_start"), int)
    ):
        offset = row["char_start"] - row["quote_start"]
        if quote[offset : offset + len(mention)] == mention:
            start = offset
    if start is None and mention:
        found = quote.find(mention)
        start = found if found >= 0 else None
    if start is None:
        text = _window(quote, 0, 0, window)
        suffix = f" (mention: <b>{escape_text(mention)}</b>)" if mention else ""
        return (
            escape_text(text, line_start=True) + suffix if text else suffix.strip() or "(no quote)"
        )
    end = start + len(mention)
    lo, hi = _window_bounds(len(quote), start, end, window)
    before = ("…" if lo > 0 else "") + quote[lo:start]
    after = quote[end:hi] + ("…" if hi < len(quote) else "")
    mark = f"<b>{escape_text(mention.strip())}</b>"
    lead = mention[: len(mention) - len(mention.lstrip())]
    trail = mention[len(mention.rstrip()) :]
    return escape_text(before + lead, line_start=True) + mark + escape_text(trail + after)


def _window_bounds(length: int, start: int, end: int, window: int) -> tuple[int, int]:
    if length <= window:
        return 0, length
    room = max(window - (end - start), 0)
    lo = max(0, start - room // 2)
    hi = min(length, end + (room - (start - lo)))
    lo = max(0, min(lo, hi - window))
    return lo, hi


def _window(text: str, start: int, end: int, window: int) -> str:
    lo, hi = _window_bounds(len(text), start, end, window)
    return ("…" if lo > 0 else "") + text[lo:hi] + ("…" if hi < len(text) else "")


def describe_row(row: Row) -> str:
    """One line saying what a row extracted, where, and by which rule."""
    parts = [f"**{escape_text(row.get('kind') or '?')}**"]
    measure = row.get("measure")
    if measure:
        text = escape_text(measure)
        written = row.get("measure_text")
        if written and written != measure:
            text += f" (“{escape_text(written)}”)"
        parts.append(text)
    if row.get("group_name"):
        parts.append(f"group {escape_text(row['group_name'])}")
    value = show_value(row.get("value"))
    statistic = row.get("statistic")
    unit = row.get("unit")
    # A percent that is the headline value is printed once, as "24.1%".
    percent_is_value = row.get("percent") is not None and row.get("percent") == row.get("value")
    if unit == "%" or statistic == "percent" or percent_is_value:
        value += "%"
    elif unit:
        value += f" {escape_text(unit)}"
    shown_statistic = statistic if statistic not in (None, "percent") else None
    parts.append(f"{escape_text(shown_statistic)} {value}" if shown_statistic else value)
    extras = []
    if row.get("sd") is not None:
        extras.append(f"SD {show_value(row['sd'])}")
    if row.get("ci_low") is not None or row.get("ci_high") is not None:
        level = row.get("ci_level")
        label = f"{show_value(level * 100)}% CI" if isinstance(level, (int, float)) else "CI"
        extras.append(
            f"{label} {show_value(row.get('ci_low'))} to {show_value(row.get('ci_high'))}"
        )
    if row.get("range_low") is not None or row.get("range_high") is not None:
        extras.append(
            f"range {show_value(row.get('range_low'))} to {show_value(row.get('range_high'))}"
        )
    if row.get("denominator") is not None:
        extras.append(f"{show_value(row.get('count'))}/{show_value(row['denominator'])}")
    elif row.get("count") is not None and row.get("count") != row.get("value"):
        extras.append(f"count {show_value(row['count'])}")
    if row.get("percent") is not None and not percent_is_value:
        extras.append(f"{show_value(row['percent'])}%")
    if row.get("p_value") is not None:
        extras.append(f"p {escape_text(row.get('p_relation') or '=')} {show_value(row['p_value'])}")
    parts.extend(extras)
    time = [escape_text(row["timepoint"])] if row.get("timepoint") else []
    if row.get("months") is not None:
        months = show_value(row["months"])
        time.append(f"{months} month{'' if months == '1' else 's'}")
    if time:
        parts.append(", ".join(time))
    where = [escape_text(row["section"])] if row.get("section") else []
    if row.get("page") is not None:
        where.append(f"p. {show_value(row['page'])}")
    where.append(f"rule `{_code(row.get('rule'))}`" if row.get("rule") else "no rule")
    line = " · ".join(parts) + " — " + ", ".join(where)
    if row.get("flags"):
        line += f" · flags: {escape_text(row['flags'])}"
    return line


def _code(value: Any) -> str:
    """Text safe inside a single-backtick code span (backticks cannot be escaped there)."""
    return str(value).replace("`", "'").replace("\n", " ")


def render_row(row: Row) -> str:
    return f"- {describe_row(row)}\n  > {quote_with_mention(row)}"


def render_change(change: RowChange) -> str:
    lines = [f"- {describe_row(change.head)}"]
    for name, (old, new) in change.fields.items():
        if name == "quote":
            continue
        lines.append(f"  - `{name}`: {show_value(old)} → {show_value(new)}")
    if "quote" in change.fields:
        lines.append(f"  - `quote` before:\n    > {quote_with_mention(change.base)}")
        lines.append(f"  - `quote` after:\n    > {quote_with_mention(change.head)}")
    else:
        lines.append(f"  > {quote_with_mention(change.head)}")
    return "\n".join(lines)


def summary_line(diff: EvidenceDiff) -> str:
    docs = len(diff.documents)
    parts = [
        f"{docs} document{'s' if docs != 1 else ''} touched",
        f"+{diff.added} added",
        f"−{diff.removed} removed",
        f"~{diff.changed} changed",
    ]
    if diff.moved:
        parts.append(f"{diff.moved} moved")
    return "**Evidence diff:** " + " · ".join(parts)


def _counts(doc: DocumentDiff) -> str:
    return f"+{len(doc.added)} −{len(doc.removed)} ~{len(doc.changed)}"


def _document_notes(doc: DocumentDiff) -> list[str]:
    notes = []
    if doc.status == "added" and doc.head is not None:
        notes.append(f"New document (status {show_value(doc.head.status)}).")
    if doc.status == "removed":
        notes.append("Document removed from the corpus.")
    for name, (old, new) in doc.document_fields.items():
        if name == "extractor_version":
            continue  # new patterns give every document a new version: not news per document
        if name == "sha256":
            notes.append(f"Input changed (sha256 {show_value(old)[:12]} → {show_value(new)[:12]}).")
        else:
            notes.append(f"`{name}`: {show_value(old)} → {show_value(new)}")
    head = doc.head or doc.base
    if (
        head is not None
        and head.status == "error"
        and head.error
        and "error" not in doc.document_fields
    ):
        notes.append(f"Error: {show_value(head.error)}")
    if doc.moved:
        n = len(doc.moved)
        notes.append(f"_{n} row{'s' if n != 1 else ''} moved (same content, new position)._")
    return notes


@dataclass
class _Section:
    """A document's section, rendered row by row once, assembled under different caps."""

    doc: DocumentDiff
    notes: list[str]
    added: list[str]
    removed: list[str]
    changed: list[str]

    @property
    def largest(self) -> int:
        return max(len(self.added), len(self.removed), len(self.changed))

    def render(self, cap: int | None, fold_rows: int) -> tuple[str, int]:
        """The section with at most `cap` rows per category; returns (text, rows cut)."""
        body: list[str] = list(self.notes)
        cut = listed = 0
        for title, noun, items in (
            ("Added", "added", self.added),
            ("Removed", "removed", self.removed),
            ("Changed", "changed", self.changed),
        ):
            if not items:
                continue
            shown = items if cap is None else items[:cap]
            listed += len(shown)
            more = len(items) - len(shown)
            cut += more
            block = f"**{title} ({len(items)})**"
            if shown:
                block += "\n\n" + "\n".join(shown)
            if more and shown:
                block += (
                    f"\n\n_… and {more} more {noun} row{'s' if more != 1 else ''} in this "
                    f"document not shown; {FULL_REPORT_HINT}._"
                )
            elif more:
                block += f" — not shown; {FULL_REPORT_HINT}."
            body.append(block)
        content = "\n\n".join(body)
        if listed > fold_rows:
            summary = f"<b>{html.escape(self.doc.doc_id)}</b> — {_counts(self.doc)}"
            text = f"<details><summary>{summary}</summary>\n\n{content}\n\n</details>"
        else:
            text = f"#### {escape_text(self.doc.doc_id)} — {_counts(self.doc)}\n\n{content}"
        return text.rstrip() + "\n", cut


def render_markdown(
    diff: EvidenceDiff,
    max_chars: int = DEFAULT_MAX_CHARS,
    fold_rows: int = DEFAULT_FOLD_ROWS,
) -> str:
    """The report for a pull-request comment, at most `max_chars` characters long."""
    sides = (
        f"<sub>base: {escape_text(diff.base_label)} → head: {escape_text(diff.head_label)}"
        f" · {diff.base_rows} → {diff.head_rows} rows</sub>"
    )
    if not diff.documents:
        return f"**Evidence diff:** No evidence changed.\n\n{sides}\n"[:max_chars]
    head = f"{summary_line(diff)}\n\n{sides}\n"
    sections = [
        _Section(
            doc=doc,
            notes=_document_notes(doc),
            added=[render_row(r) for r in doc.added],
            removed=[render_row(r) for r in doc.removed],
            changed=[render_change(c) for c in doc.changed],
        )
        for doc in diff.documents
    ]

    def with_cap(cap: int | None) -> str:
        rendered = [s.render(cap, fold_rows) for s in sections]
        return _assemble(head, [t for t, _ in rendered], sum(c for _, c in rendered))

    full = with_cap(None)
    if len(full) <= max_chars:
        return full
    # The largest number of rows per document and category that fits: the report grows
    # with the cap, so a binary search finds it.
    lo, hi = 0, max(s.largest for s in sections) - 1
    smallest = with_cap(0)
    best = smallest if len(smallest) <= max_chars else None
    while best is not None and lo < hi:
        mid = (lo + hi + 1) // 2
        text = with_cap(mid)
        if len(text) <= max_chars:
            lo, best = mid, text
        else:
            hi = mid - 1
    if best is not None:
        return best
    return _compact(head, sections, max_chars)


def _compact(head: str, sections: list[_Section], max_chars: int) -> str:
    """Too many documents for even their headings: one line of counts per document."""
    total_rows = sum(len(s.added) + len(s.removed) + len(s.changed) for s in sections)
    lines: list[str] = []
    for i, section in enumerate(sections):
        line = f"- {escape_text(section.doc.doc_id)} — {_counts(section.doc)}"
        rest = sections[i + 1 :]
        candidate = _assemble(head, ["\n".join([*lines, line]) + "\n"], total_rows, rest)
        if len(candidate) > max_chars:
            break
        lines.append(line)
    dropped = sections[len(lines) :]
    text = _assemble(head, ["\n".join(lines) + "\n"] if lines else [], total_rows, dropped)
    return text[:max_chars]


def _assemble(
    head: str, parts: list[str], cut_rows: int, dropped: list[_Section] | None = None
) -> str:
    out = [head]
    if cut_rows or dropped:
        out.append(
            "> [!NOTE]\n> This report was shortened to fit a GitHub comment: "
            + _plural(cut_rows, "row")
            + (f" and {_plural(len(dropped), 'document')}" if dropped else "")
            + f" not shown; {FULL_REPORT_HINT}.\n"
        )
    out.extend(parts)
    if dropped:
        added = sum(len(s.doc.added) for s in dropped)
        removed = sum(len(s.doc.removed) for s in dropped)
        changed = sum(len(s.doc.changed) for s in dropped)
        out.append(
            f"_… and {_plural(len(dropped), 'more document')} (+{added} −{removed} ~{changed}) "
            f"not shown; {FULL_REPORT_HINT}._\n"
        )
    return "\n".join(out)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def compare(
    base_spec: str,
    head_spec: str,
    *,
    output_format: str = "markdown",
    max_chars: int = DEFAULT_MAX_CHARS,
    snapshot_path: str = DEFAULT_SNAPSHOT_PATH,
    repo: Path = Path("."),
    base_label: str | None = None,
    head_label: str | None = None,
) -> tuple[str, EvidenceDiff]:
    """What `extract diff` prints, and the diff (for `--exit-code`), from two side specs.

    Raises `SideError` when a side cannot be read.
    """
    base = load_side(base_spec, repo=repo, snapshot_path=snapshot_path)
    head = load_side(head_spec, repo=repo, snapshot_path=snapshot_path)
    base.label = base_label or base.label or base_spec
    head.label = head_label or head.label or head_spec
    diff = diff_states(base, head)
    if output_format == "json":
        return json.dumps(diff_to_json(diff), ensure_ascii=False, indent=2) + "\n", diff
    return render_markdown(diff, max_chars=max_chars), diff

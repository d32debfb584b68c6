"""What the reviewer's Datasette pages show: each number with what it needs to be checked.

A reviewer checks a number by reading it next to its sentence. These functions turn
evidence rows into the cells of the reviewer-first pages (templates in
`extractor/serve/templates/`): the value with its statistic and unit, SD / CI / range in one
cell, n with where it came from (the same rule as `extract export`), flags as badges, and
the quote with the mention highlighted and page, section and document badges; and a
document's text with every extracted span highlighted and linked to its row.

Everything from the database is escaped: quotes and texts are untrusted documents.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape

from extractor.review.export_sql import ROW_N_SQL
from extractor.review.export_words import load_words

# The evidence columns a reviewer reads first, in the order the pages show them; every
# other column is one click away.
REVIEW_COLUMNS = (
    "measure",
    "measure_text",
    "kind",
    "group_name",
    "timepoint",
    "months",
    "statistic",
    "value",
    "unit",
    "sd",
    "se",
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
    "flags",
    "quote",
    "page",
    "section",
    "n",
    "n_source",
    "table_row",
    "table_column",
)


def number(x: Any) -> str:
    """A number as a reader writes it: 12, not 12.0; ten significant digits at most."""
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:.10g}"
    return str(x)


def highlight_quote(
    quote: str,
    quote_start: int | None,
    char_start: int | None,
    char_end: int | None,
    page: int | None = None,
    section: str | None = None,
    page_href: str | None = None,
) -> Markup:
    """The quote as HTML: the mention in <mark>, then page and section badges.

    An offset that does not fall inside the quote (a row written by an older extractor,
    or a bug) leaves the quote unmarked rather than marking the wrong words.
    """
    parts = ['<span class="evidence-quote">']
    start = end = None
    if quote_start is not None and char_start is not None and char_end is not None:
        start, end = char_start - quote_start, char_end - quote_start
    if start is not None and end is not None and 0 <= start < end <= len(quote):
        parts += [
            str(escape(quote[:start])),
            "<mark>",
            str(escape(quote[start:end])),
            "</mark>",
            str(escape(quote[end:])),
        ]
    else:
        parts.append(str(escape(quote)))
    if page is not None:
        badge = f"p.\N{NO-BREAK SPACE}{escape(str(page))}"
        if page_href:
            badge = f'<a href="{escape(page_href)}">{badge}</a>'
        parts.append(
            f'<span class="evidence-badge evidence-page" title="page in the source">{badge}</span>'
        )
    if section:
        parts.append(
            f'<span class="evidence-badge evidence-section" title="section">'
            f"{escape(section)}</span>"
        )
    parts.append("</span>")
    return Markup("".join(parts))


def value_html(row: Mapping[str, Any]) -> Markup:
    """The headline number with its unit, and its statistic beneath."""
    value = number(row.get("value"))
    unit = row.get("unit")
    if unit == "%":
        text = f"{escape(value)}%"
    elif unit:
        text = f"{escape(value)}\N{NO-BREAK SPACE}{escape(unit)}"
    else:
        text = str(escape(value))
    statistic = row.get("statistic")
    below = f'<span class="evidence-sub">{escape(statistic)}</span>' if statistic else ""
    return Markup(f'<span class="evidence-value">{text}</span>{below}')


def spread_html(row: Mapping[str, Any]) -> Markup:
    """SD, CI, range or IQR, count / denominator and p, as one cell: what qualifies the value."""
    parts = []
    if row.get("sd") is not None:
        parts.append(f"SD {escape(number(row['sd']))}")
    if row.get("se") is not None:
        parts.append(f"SE {escape(number(row['se']))}")
    if row.get("ci_low") is not None or row.get("ci_high") is not None:
        level = row.get("ci_level")
        label = f"{number(level * 100)}% CI" if level else "CI"
        parts.append(
            f"{escape(label)} {escape(number(row.get('ci_low')))}–"
            f"{escape(number(row.get('ci_high')))}"
        )
    if row.get("range_low") is not None or row.get("range_high") is not None:
        parts.append(
            f"range {escape(number(row.get('range_low')))}–{escape(number(row.get('range_high')))}"
        )
    if row.get("count") is not None and row.get("denominator") is not None:
        parts.append(f"{escape(number(row['count']))}/{escape(number(row['denominator']))}")
    elif row.get("count") is not None and row.get("count") != row.get("value"):
        parts.append(f"count {escape(number(row['count']))}")
    if row.get("percent") is not None and row.get("percent") != row.get("value"):
        parts.append(f"{escape(number(row['percent']))}%")
    if row.get("p_value") is not None:
        parts.append(f"p {escape(row.get('p_relation') or '=')} {escape(number(row['p_value']))}")
    return Markup("<br>".join(parts))


def time_html(row: Mapping[str, Any]) -> Markup:
    """`baseline`, or `follow-up` with the time as the source wrote it (`12 weeks`)."""
    timepoint, months = row.get("timepoint"), row.get("months")
    if timepoint is None and months is None:
        return Markup("")
    stated = load_words().time_as_stated(
        row.get("quote"), row.get("quote_start"), row.get("char_start"), timepoint, months
    )
    if timepoint == "follow-up" and months is not None:
        return Markup(f'follow-up<span class="evidence-sub">{escape(stated)}</span>')
    return Markup(escape(stated or timepoint or ""))


def n_html(n: Any, source: str | None) -> Markup:
    if n is None:
        return (
            Markup(f'<span class="evidence-sub">{escape(source or "")}</span>')
            if source
            else Markup("")
        )
    return Markup(
        f'<span title="n from: {escape(source or "")}">{escape(number(n))}</span>'
        f'<span class="evidence-sub">{escape(source or "")}</span>'
    )


def table_cell_html(row: Mapping[str, Any]) -> Markup:
    """For a table cell: its row and column headers, since the quote is the table row."""
    parts = [
        f'<span class="evidence-badge evidence-table-{name}" title="table {name} header">'
        f"{escape(label)}: {escape(row[f'table_{name}'])}</span>"
        for name, label in (("row", "row"), ("column", "column"))
        if row.get(f"table_{name}")
    ]
    return Markup("".join(parts))


def flags_html(flags: str | None) -> Markup:
    if not flags:
        return Markup("")
    return Markup(
        "".join(
            f'<span class="evidence-flag">{escape(flag.strip())}</span>'
            for flag in flags.split(",")
            if flag.strip()
        )
    )


def measure_html(row: Mapping[str, Any]) -> Markup:
    measure, written, kind = row.get("measure"), row.get("measure_text"), row.get("kind")
    name = escape(measure) if measure else Markup(f"<i>{escape(written or '')}</i>")
    title = f' title="as written: {escape(written)}"' if written and written != measure else ""
    return Markup(
        f"<span{title}>{name}</span>"
        + (f'<span class="evidence-sub">{escape(kind)}</span>' if kind else "")
    )


@dataclass(frozen=True)
class ReviewRow:
    """The reviewer cells of one evidence row."""

    id: str
    href: str
    doc_id: str
    doc_href: str
    measure: Markup
    arm: str
    time: Markup
    value: Markup
    spread: Markup
    n: Markup
    flags: Markup
    quote: Markup


async def evidence_rows(
    datasette: Any, database: str, ids: Sequence[str]
) -> dict[str, Mapping[str, Any]]:
    """Every column of the given evidence rows, plus `n` and `n_source` by the export's rule."""
    if not ids:
        return {}
    db = datasette.get_database(database)
    result = await db.execute(
        "select * from evidence where id in (select value from json_each(:ids))",
        {"ids": json.dumps(list(ids))},
    )
    rows = {row["id"]: dict(zip(result.columns, row, strict=True)) for row in result.rows}
    sized = await db.execute(ROW_N_SQL, {"ids": json.dumps(list(ids))})
    for evidence_id, n, source in sized.rows:
        rows[evidence_id]["export_n"], rows[evidence_id]["export_n_source"] = n, source
    return rows


def review_row(datasette: Any, database: str, row: Mapping[str, Any]) -> ReviewRow:
    """The reviewer cells of one evidence row (from `evidence_rows`)."""
    from datasette.utils import tilde_encode

    doc_href = datasette.urls.row(database, "documents", tilde_encode(row["doc_id"]))
    page = row.get("page")
    return ReviewRow(
        id=row["id"],
        href=datasette.urls.row(database, "evidence", tilde_encode(row["id"])),
        doc_id=row["doc_id"],
        doc_href=doc_href,
        measure=measure_html(row),
        arm=row.get("group_name") or "",
        time=time_html(row),
        value=value_html(row),
        spread=spread_html(row),
        n=n_html(row.get("export_n"), row.get("export_n_source")),
        flags=flags_html(row.get("flags")),
        quote=highlight_quote(
            row.get("quote") or "",
            row.get("quote_start"),
            row.get("char_start"),
            row.get("char_end"),
            page,
            row.get("section"),
            page_href=f"{doc_href}#page-{page}" if page is not None else None,
        )
        + table_cell_html(row),
    )


# --- a document's text ---------------------------------------------------------------------


def document_text_html(
    text: str,
    spans: Iterable[Mapping[str, Any]],
    page_starts: Sequence[int] = (),
    href: Callable[[str], str] = lambda evidence_id: f"#{evidence_id}",
) -> Markup:
    """The text with every extracted span in a <mark> linked to its row, and page breaks.

    `spans` are evidence rows with `id`, `char_start`, `char_end` and a short `label`.
    Overlapping spans are split where they overlap; a piece covered by several rows links
    to the shortest (the most specific) and lists them all in its tooltip. Each row's first
    piece carries an anchor `m-<id>` so its row can point back into the text; each page
    (after the first) starts with a `page-N` anchor.
    """
    rows = [
        s
        for s in spans
        if isinstance(s.get("char_start"), int)
        and isinstance(s.get("char_end"), int)
        and 0 <= s["char_start"] < s["char_end"] <= len(text)
    ]
    cuts = {0, len(text)}
    for row in rows:
        cuts.update((row["char_start"], row["char_end"]))
    page_at = {start: page for page, start in enumerate(page_starts, start=1) if page > 1}
    cuts.update(s for s in page_at if 0 <= s <= len(text))
    bounds = sorted(cuts)
    starts = sorted(rows, key=lambda r: r["char_start"])
    start_keys = [r["char_start"] for r in starts]
    anchored: set[str] = set()
    out: list[str] = []
    for left, right in zip(bounds, bounds[1:], strict=False):
        if left in page_at:
            page = page_at[left]
            out.append(
                f'<span class="evidence-page-break" id="page-{page}">'
                f"p.\N{NO-BREAK SPACE}{page}</span>"
            )
        piece = str(escape(text[left:right]))
        reach = bisect.bisect_right(start_keys, left)
        covering = [r for r in starts[:reach] if r["char_end"] >= right]
        if not covering:
            out.append(piece)
            continue
        covering.sort(key=lambda r: (r["char_end"] - r["char_start"], r["char_start"]))
        anchors = "".join(
            f'<span class="evidence-anchor" id="m-{escape(r["id"])}"></span>'
            for r in covering
            if r["id"] not in anchored and r["char_start"] == left
        )
        anchored.update(r["id"] for r in covering if r["char_start"] == left)
        title = "; ".join(str(r.get("label") or r["id"]) for r in covering)
        first = covering[0]
        out.append(
            f'{anchors}<a class="evidence-span" href="{escape(href(first["id"]))}" '
            f'title="{escape(title)}"><mark>{piece}</mark></a>'
        )
    return Markup("".join(out))


def span_label(row: Mapping[str, Any]) -> str:
    """A row as its tooltip in the text: `score · VAS pain · SI joint fusion · 30.4`."""
    parts = [row.get("kind"), row.get("measure") or row.get("measure_text"), row.get("group_name")]
    if row.get("timepoint"):
        parts.append(
            row["timepoint"] + (f" {number(row['months'])} mo" if row.get("months") else "")
        )
    parts.append(number(row.get("value")))
    return " · ".join(str(p) for p in parts if p not in (None, ""))


# --- the helper the templates call -----------------------------------------------------------

REVIEW_HEADERS = (
    # (cell, header, column the header sorts by)
    ("measure", "measure", "measure"),
    ("arm", "arm", "group_name"),
    ("time", "time", "months"),
    ("value", "value", "value"),
    ("spread", "SD / CI / range", None),
    ("n", "n", None),
    ("flags", "flags", "flags"),
    ("quote", "quote", None),
)
REVIEW_HELP = {
    "measure": "What was measured (canonical name; hover for the words as written) and the kind",
    "arm": "The arm or subgroup (group_name); empty for the whole study population",
    "time": "baseline, or follow-up with the time as the source wrote it",
    "value": "The headline number with its unit and statistic",
    "spread": "SD, confidence interval, range or IQR, count/denominator and p-value",
    "n": "The n of the arm or study, by the rule of the meta-analysis export, and its source",
    "flags": "Consistency flags: check these rows against the quote first",
    "quote": "The sentence, the extracted mention highlighted; page, section and document",
}


@dataclass(frozen=True)
class DocumentView:
    """What a document's page shows."""

    doc_id: str
    source_type: str | None
    status: str | None
    error: str | None
    warnings: str | None
    sha256: str | None
    pages: int | None
    rows: list[ReviewRow]
    text: Markup
    evidence_href: str
    sections_href: str


class EvidenceReview:
    """Handed to the templates as `evidence_review`: reviewer cells for displayed rows."""

    folded = frozenset(REVIEW_COLUMNS)
    headers = REVIEW_HEADERS
    header_help = REVIEW_HELP

    def __init__(self, datasette: Any, database: str) -> None:
        self.datasette = datasette
        self.database = database

    async def table_rows(self, rows: Sequence[Any]) -> list[ReviewRow]:
        """Reviewer cells for the rows of a table page, in their order."""
        ids = [row["id"] for row in rows]
        full = await evidence_rows(self.datasette, self.database, ids)
        return [review_row(self.datasette, self.database, full[i]) for i in ids]

    async def row(self, row: Any) -> ReviewRow:
        full = await evidence_rows(self.datasette, self.database, [row["id"]])
        return review_row(self.datasette, self.database, full[row["id"]])

    async def document(self, row: Any) -> DocumentView:
        """A document row with its evidence rows and its highlighted text."""
        from datasette.utils import tilde_encode

        doc = {key: row[key] for key in row.keys()}
        db = self.datasette.get_database(self.database)
        ids = [
            r[0]
            for r in (
                await db.execute(
                    "select id from evidence where doc_id = ? order by char_start, id",
                    [doc["doc_id"]],
                )
            ).rows
        ]
        full = await evidence_rows(self.datasette, self.database, ids)
        reviewed = [review_row(self.datasette, self.database, full[i]) for i in ids]
        try:
            page_starts = json.loads(doc.get("page_starts") or "[]")
        except ValueError:
            page_starts = []
        spans = [{**full[i], "label": span_label(full[i])} for i in ids]
        text = document_text_html(
            doc.get("text") or "",
            spans,
            page_starts,
            href=lambda i: self.datasette.urls.row(self.database, "evidence", tilde_encode(i)),
        )
        table = self.datasette.urls.table(self.database, "evidence")
        sections = self.datasette.urls.table(self.database, "sections")
        query = urlencode({"doc_id": doc["doc_id"]})
        return DocumentView(
            doc_id=doc["doc_id"],
            source_type=doc.get("source_type"),
            status=doc.get("status"),
            error=doc.get("error"),
            warnings=doc.get("warnings"),
            sha256=doc.get("sha256"),
            pages=doc.get("pages"),
            rows=reviewed,
            text=text,
            evidence_href=f"{table}?{query}",
            sections_href=f"{sections}?{query}",
        )

"""Datasette plugin: show each quote with its extracted mention highlighted.

A reviewer verifies a number by reading the sentence it came from. Highlighting exactly
`quote[char_start - quote_start : char_end - quote_start]`, with the page and section
beside it, lets them do that without opening the source, and shows at a glance when a
pattern grabbed the wrong words. Everything from the database is escaped: quotes are
untrusted text from arbitrary documents.

Registered through the `datasette` entry point in pyproject.toml (and by
`python -m extractor.serve` when the package is not installed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from extractor.export_sql import ARMS_SQL, COMPARISONS_SQL, TRAJECTORIES_SQL, register_functions

CSS_PATH = "/-/evidence-plugin.css"

CSS = """
td.col-quote { min-width: 22em; }
/* Quotes of hard-wrapped sources keep their line breaks; reading them as prose is easier. */
.evidence-quote { line-height: 1.45; white-space: normal; }
.evidence-quote mark {
  background: #ffe066; color: inherit; padding: 0 0.1em; border-radius: 2px;
  box-shadow: 0 0 0 1px #e0b400;
}
.evidence-badge {
  display: inline-block; margin-left: 0.35em; padding: 0 0.45em; border-radius: 0.7em;
  font-size: 0.75em; white-space: nowrap; background: #e4ecf7; color: #1d3557;
}
.evidence-badge.evidence-section { background: #eceff1; color: #37474f; }
.evidence-column-descriptions { margin: 0.5em 0 1em; }
body.row.table-documents td.col-text { min-width: 40em; }
.evidence-column-descriptions summary { cursor: pointer; color: #1d3557; }
"""

# Columns a row needs for its mention to be located inside its quote.
LOCATION_COLUMNS = ("quote_start", "char_start", "char_end")
PROVENANCE_COLUMNS = ("page", "section")


def highlight_quote(
    quote: str,
    quote_start: int | None,
    char_start: int | None,
    char_end: int | None,
    page: int | None = None,
    section: str | None = None,
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
        parts.append(
            f'<span class="evidence-badge evidence-page" title="page in the source">'
            f"p.\N{NO-BREAK SPACE}{escape(str(page))}</span>"
        )
    if section:
        parts.append(
            f'<span class="evidence-badge evidence-section" title="section">'
            f"{escape(section)}</span>"
        )
    parts.append("</span>")
    return Markup("".join(parts))


def _columns(row: Any) -> Mapping[str, Any]:
    """A result row as a mapping (Datasette passes sqlite3.Row objects)."""
    try:
        return {key: row[key] for key in row.keys()}
    except (AttributeError, TypeError):
        return {}


async def _quote_from_lookup(
    datasette: Any, database: str, evidence_id: str, quote: str
) -> Markup | None:
    """Highlight a quote shown without its offsets by looking its evidence row up by id.

    Canned queries select `evidence_id` and `quote` only, so their CSV stays readable, and
    a reviewer may hide the offset columns; the offsets are fetched here, one primary-key
    lookup per displayed row.
    """
    try:
        db = datasette.get_database(database)
        result = await db.execute(
            "select quote_start, char_start, char_end, page, section from evidence where id = ?",
            [evidence_id],
        )
    except Exception:  # not an evidence database: leave the cell to Datasette
        return None
    found = result.first()
    if found is None:
        return None
    return highlight_quote(quote, *found)


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | Awaitable[Markup | None] | None:
    """Highlighted quotes on the evidence table, its row pages and canned queries;
    evidence ids and doc_ids in query results link to their rows."""
    if table not in ("evidence", None):
        return None
    columns = _columns(row)
    if column == "quote" and isinstance(value, str):
        if all(name in columns for name in LOCATION_COLUMNS):
            return highlight_quote(
                value,
                *(columns[name] for name in LOCATION_COLUMNS),
                *(columns.get(name) for name in PROVENANCE_COLUMNS),
            )
        # Canned queries and `?_col=` views leave the offsets out; the row's id finds them.
        evidence_id = columns.get("evidence_id" if table is None else "id")
        if isinstance(evidence_id, str):
            return _quote_from_lookup(datasette, database, evidence_id, value)
        return None
    if column == "evidence_id" and table is None and isinstance(value, str):
        return _row_link(datasette, database, "evidence", value)
    if column == "doc_id" and isinstance(value, str):
        # The table view links doc_id itself (a foreign key with a label); its row page
        # and canned queries show plain text, which leaves a reviewer one step from the
        # document's text and its other rows.
        return _document_link(datasette, database, value)
    return None


def _row_link(datasette: Any, database: str, table: str, key: str) -> Markup:
    href = datasette.urls.row(database, table, tilde_encode(key))
    return Markup(f'<a href="{escape(href)}">{escape(key)}</a>')


async def _document_link(datasette: Any, database: str, doc_id: str) -> Markup | None:
    """Link to the document's row, in databases that have a documents table."""
    try:
        has_documents = await datasette.get_database(database).table_exists("documents")
    except Exception:
        return None
    return _row_link(datasette, database, "documents", doc_id) if has_documents else None


# Datasette lists every column's description above the table; with thirty-odd columns
# that pushes the rows a reviewer came for below the fold. Fold the list away and put
# each description on its column header's tooltip instead. On a row page, the links to
# other tables (a document's evidence) move above the row, which can be a whole paper.
FOLD_DESCRIPTIONS_JS = """
document.querySelectorAll("dl.column-descriptions").forEach((list) => {
  const details = document.createElement("details");
  details.className = "evidence-column-descriptions";
  const summary = document.createElement("summary");
  summary.textContent = `What the columns mean (${list.querySelectorAll("dt").length})`;
  list.parentNode.insertBefore(details, list);
  details.append(summary, list);
});
document.querySelectorAll("th[data-column-description]").forEach((th) => {
  th.title = th.dataset.columnDescription;
});
// A document's page ends with its whole text; its evidence links go above it.
const linksHeading = [...document.querySelectorAll("h2")].find(
  (h2) => h2.textContent.trim() === "Links from other tables"
);
const rowTable = document.querySelector(".table-wrapper");
if (linksHeading && rowTable && document.body.classList.contains("row")) {
  const list = linksHeading.nextElementSibling;
  rowTable.before(linksHeading);
  if (list && list.tagName === "UL") linksHeading.after(list);
}
"""


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.path(CSS_PATH)]


@hookimpl
def extra_body_script(view_name: str) -> str | None:
    return FOLD_DESCRIPTIONS_JS if view_name in ("table", "row") else None


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """Serve the stylesheet from the plugin itself: a module plugin has no static folder."""

    async def stylesheet() -> Response:
        return Response(
            CSS,
            content_type="text/css; charset=utf-8",
            headers={"cache-control": "max-age=3600"},
        )

    return [(r"^/-/evidence-plugin\.css$", stylesheet)]


# The meta-analysis queries are the SQL of `extract export` (extractor/export_sql.py), offered
# here as canned queries so that the browser and the command line give the same rows.
META_ANALYSIS_QUERIES: dict[str, dict[str, Any]] = {
    "score_trajectories": {
        "title": "Score trajectories",
        "description": (
            "One row per document, measure and arm: the baseline value and every follow-up "
            'value in time order, side by side ("6 months: 30.4; 12 months: 28.3"), times '
            "as the source wrote them (12 weeks stays 12 weeks), with SD or CI when stated. A "
            "value stated twice (abstract and results, with and without its time) is shown "
            "once. n is the same as in the meta-analysis export: the arm's own sample size "
            "(or that of another name of the arm, NSM for non-surgical management), the "
            "study's for rows without an arm, empty when none is stated. Leave a field blank "
            "to see all."
        ),
        "params": ["doc_id", "measure"],
        "sql": TRAJECTORIES_SQL,
        "hide_sql": True,
    },
    "meta_analysis_export": {
        "title": "Meta-analysis export, per arm (study × arm × outcome × time)",
        "description": (
            "One row per study, arm, outcome and time: mean and SD (scores, changes), events "
            "and n (complications, proportions) or the estimate (effects). The same value "
            "stated twice is one row, its evidence_ids and quotes listing every mention. "
            "When a document states different values at one point, the one with an SD wins, "
            "then the one stated most often, then the first: distinct_values and all_values "
            "show the rest. n_source says where every n comes from: denominator (the row's "
            "own), arm, arm as another name of it, study (rows without an arm); an arm never "
            "gets the whole trial's n (study_n shows it beside). checks lists what to verify. "
            "The same rows as `extract export --layout arms`."
        ),
        "params": ["measure", "doc_id"],
        "sql": ARMS_SQL,
        "hide_sql": True,
    },
    "meta_analysis_comparisons": {
        "title": "Meta-analysis comparisons, metafor/RevMan layout",
        "description": (
            "One row per study, outcome, time and comparison: m1i, sd1i, n1i (intervention) "
            "and m2i, sd2i, n2i (comparator) for continuous outcomes, ai, n1i, ci, n2i (events "
            "and totals) for dichotomous ones, ready for metafor's escalc or RevMan. The "
            "comparator is the arm named with a comparator word of patterns/arm_roles.tsv "
            "(placebo, usual care, sham ...), else the arm the document introduces last; "
            "role_from says which. The same rows as `extract export` (layout metafor)."
        ),
        "params": ["measure", "doc_id"],
        "sql": COMPARISONS_SQL,
        "hide_sql": True,
    },
}


@hookimpl
def prepare_connection(conn: Any) -> None:
    """The SQL functions of the meta-analysis queries (arm names, roles, times as stated)."""
    register_functions(conn)


@hookimpl
def canned_queries(datasette: Any, database: str) -> Awaitable[dict[str, Any]]:
    """The meta-analysis queries, for databases that hold an evidence table."""

    async def queries() -> dict[str, Any]:
        db = datasette.get_database(database)
        if await db.table_exists("evidence") and await db.table_exists("documents"):
            return {name: dict(query) for name, query in META_ANALYSIS_QUERIES.items()}
        return {}

    return queries()

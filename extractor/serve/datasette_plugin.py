"""Datasette plugin: reviewer-first pages, meta-analysis queries and forest plots.

A reviewer verifies a number by reading it beside the sentence it came from. The plugin
makes the evidence pages open with what that takes (templates in `extractor/serve/templates/`,
cells from `extractor/review_view.py`): measure, arm, time, value, SD / CI / range, n,
flags and the quote with its mention highlighted and its page, section and document
badges; every other column is one click away. A document's page shows its text with every
extracted number highlighted and linked to its row. The meta-analysis canned queries are
the SQL of `extract export`, and `/<database>/-/forest` draws a forest plot of every
outcome that two or more documents or arms report.

Everything from the database is escaped: quotes are untrusted text from arbitrary
documents. The plugin only acts on databases that hold an evidence table.

Registered through the `datasette` entry point in pyproject.toml (and by
`python -m extractor.serve.serve` when the package is not installed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import NotFound, Response
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup, escape

from extractor.review.export_sql import (
    ARMS_SQL,
    COMPARISONS_SQL,
    TRAJECTORIES_SQL,
    register_functions,
)
from extractor.review.forest import forest_outcomes, outcome_rows, render_svg
from extractor.review.review_view import EvidenceReview, highlight_quote

__all__ = ["META_ANALYSIS_QUERIES", "highlight_quote"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSS_PATH = "/-/evidence-plugin.css"
CSS = (TEMPLATES / "evidence-plugin.css").read_text(encoding="utf-8")
JS = (TEMPLATES / "evidence-plugin.js").read_text(encoding="utf-8")
# The stylesheet's URL changes with its content, so a browser never keeps an old one.
CSS_VERSION = hashlib.sha256(CSS.encode("utf-8")).hexdigest()[:10]

# Columns a row needs for its mention to be located inside its quote.
LOCATION_COLUMNS = ("quote_start", "char_start", "char_end")
PROVENANCE_COLUMNS = ("page", "section")

# A forest plot over a whole corpus runs the export query on every row: give it longer
# than Datasette's one-second default.
FOREST_TIME_LIMIT_MS = 20_000


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


# --- the reviewer-first pages ---------------------------------------------------------------


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    """Add this plugin's templates, after Datasette's and any --template-dir's.

    They are named for the evidence database (`_table-evidence-evidence.html`,
    `row-evidence-evidence.html`, `row-evidence-documents.html`), so they apply to it alone
    and a user's own templates still win.
    """
    env.loader = ChoiceLoader([env.loader, FileSystemLoader(str(TEMPLATES))])


@hookimpl
def extra_template_vars(
    datasette: Any, database: str | None, table: str | None, view_name: str
) -> dict[str, Any]:
    if view_name in ("table", "row") and table in ("evidence", "documents") and database:
        return {"evidence_review": EvidenceReview(datasette, database)}
    return {}


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.path(f"{CSS_PATH}?{CSS_VERSION}")]


@hookimpl
def extra_body_script(view_name: str) -> str | None:
    return JS if view_name in ("table", "row") else None


@hookimpl
def database_actions(datasette: Any, database: str) -> list[dict[str, str]]:
    return [
        {
            "href": datasette.urls.path(f"/{tilde_encode(database)}/-/forest"),
            "label": "Forest plots of the outcomes",
        }
    ]


# --- meta-analysis queries -----------------------------------------------------------------

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
            "show the rest. n_source says where every n comes from: the extraction's own "
            "(statistic, arm, population, column header, n row), else statistic (the row's "
            "denominator), arm, arm as another name of it, population (rows without an arm); "
            "an arm never "
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


async def _is_evidence_database(datasette: Any, database: str) -> bool:
    db = datasette.get_database(database)
    return await db.table_exists("evidence") and await db.table_exists("documents")


@hookimpl
def canned_queries(datasette: Any, database: str) -> Awaitable[dict[str, Any]]:
    """The meta-analysis queries, for databases that hold an evidence table."""

    async def queries() -> dict[str, Any]:
        if await _is_evidence_database(datasette, database):
            return {name: dict(query) for name, query in META_ANALYSIS_QUERIES.items()}
        return {}

    return queries()


# --- forest plots ----------------------------------------------------------------------------


async def _forest_outcomes(datasette: Any, database: str, measure: str = "") -> dict:
    if database not in datasette.databases or not await _is_evidence_database(datasette, database):
        raise NotFound(f"{database} is not an evidence database")
    result = await datasette.get_database(database).execute(
        ARMS_SQL, {"measure": measure, "doc_id": ""}, custom_time_limit=FOREST_TIME_LIMIT_MS
    )
    return forest_outcomes(outcome_rows(result.columns, result.rows))


def _forest_href(datasette: Any, database: str, suffix: str, **params: str) -> str:
    query = f"?{urlencode(params)}" if params else ""
    return datasette.urls.path(f"/{tilde_encode(database)}/-/forest{suffix}{query}")


async def forest_page(datasette: Any, request: Any) -> Response:
    """`/<database>/-/forest`: the outcomes with two or more sources, or one outcome's plot."""
    database = request.url_vars["database"]
    measure, kind = request.args.get("measure", ""), request.args.get("kind", "")
    outcomes = await _forest_outcomes(datasette, database, measure)
    context: dict[str, Any] = {
        "database": database,
        "outcome": None,
        "export_href": datasette.urls.path(f"/{tilde_encode(database)}/meta_analysis_export"),
        "index_href": _forest_href(datasette, database, ""),
    }
    if measure:
        outcome = outcomes.get((measure, kind)) or next(
            (o for (m, _), o in outcomes.items() if m == measure and not kind), None
        )
        if outcome is None:
            raise NotFound(f"no outcome {measure!r} ({kind or 'any kind'}) with two sources")
        context.update(
            outcome=outcome,
            svg=Markup(render_svg(outcome, lambda i: _row_href(datasette, database, i))),
            svg_href=_forest_href(
                datasette, database, ".svg", measure=outcome.measure, kind=outcome.kind
            ),
            rows_href=datasette.urls.path(f"/{tilde_encode(database)}/meta_analysis_export")
            + "?"
            + urlencode({"measure": outcome.measure, "doc_id": ""}),
        )
    else:
        context["outcomes"] = [
            {
                "outcome": outcome,
                "href": _forest_href(
                    datasette, database, "", measure=outcome.measure, kind=outcome.kind
                ),
            }
            for outcome in sorted(outcomes.values(), key=lambda o: (-o.sources, o.measure))
        ]
    return Response.html(
        await datasette.render_template("evidence-forest.html", context, request=request)
    )


async def forest_svg(datasette: Any, request: Any) -> Response:
    """`/<database>/-/forest.svg?measure=…&kind=…`: one outcome's plot as an SVG file."""
    database = request.url_vars["database"]
    measure, kind = request.args.get("measure", ""), request.args.get("kind", "")
    outcome = (await _forest_outcomes(datasette, database, measure)).get((measure, kind))
    if outcome is None:
        raise NotFound(f"no outcome {measure!r} ({kind}) with two sources")
    svg = render_svg(outcome, lambda i: _row_href(datasette, database, i))
    return Response(svg, content_type="image/svg+xml; charset=utf-8")


def _row_href(datasette: Any, database: str, evidence_id: str) -> str:
    return datasette.urls.row(database, "evidence", tilde_encode(evidence_id))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """The stylesheet (a module plugin has no static folder) and the forest plots."""

    async def stylesheet() -> Response:
        return Response(
            CSS,
            content_type="text/css; charset=utf-8",
            headers={"cache-control": "max-age=3600"},
        )

    return [
        (r"^/-/evidence-plugin\.css$", stylesheet),
        (r"^/(?P<database>[^/]+)/-/forest$", forest_page),
        (r"^/(?P<database>[^/]+)/-/forest\.svg$", forest_svg),
    ]

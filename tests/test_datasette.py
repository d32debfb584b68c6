"""Datasette on the evidence database: metadata, canned queries, links, quote highlighting.

Datasette runs in-process on two databases: one built by hand from corpus sentences
(tests/datasette_sample.py), for exact values, and one built by the real pipeline from the
sample corpus, for checks that every query runs on real rows.
"""

from __future__ import annotations

import csv
import html
import io
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from datasette.app import Datasette
from datasette.utils import tilde_encode
from datasette_sample import COHORT, FLAGGED, META, NICE, build_hand_database

from extractor.serve.datasette_plugin import META_ANALYSIS_QUERIES, highlight_quote
from extractor.serve.serve import SETTINGS, load_metadata, register_plugin
from extractor.store import (
    DOCUMENT_COLUMNS,
    EVIDENCE_COLUMNS,
    SECTION_COLUMNS,
    open_database,
    write_document,
)
from extractor.types import DocumentResult, Evidence

REPO = Path(__file__).resolve().parent.parent
METADATA = REPO / "db" / "metadata.yml"
# The canned queries of the metadata, and those the plugin adds (the SQL of `extract export`).
QUERIES: dict[str, dict[str, Any]] = {
    **yaml.safe_load(METADATA.read_text("utf-8"))["databases"]["evidence"]["queries"],
    **META_ANALYSIS_QUERIES,
}

SIJF, NSM = "SI joint fusion", "non-surgical management"

# The columns each canned query returns: what reviewers and export scripts rely on.
QUERY_COLUMNS = {
    "score_trajectories": [
        "doc_id",
        "measure",
        "group_name",
        "n",
        "baseline",
        "follow_ups",
        "n_follow_ups",
    ],
    "changes_with_ci": [
        "evidence_id",
        "doc_id",
        "measure",
        "group_name",
        "statistic",
        "value",
        "unit",
        "sd",
        "ci_low",
        "ci_high",
        "ci_level",
        "p",
        "timepoint",
        "months",
        "quote",
    ],
    "complications_by_rate": [
        "evidence_id",
        "doc_id",
        "measure",
        "group_name",
        "count",
        "denominator",
        "percent",
        "rate_percent",
        "rate_from",
        "ci_low",
        "ci_high",
        "quote",
    ],
    "sample_sizes": ["doc_id", "group_name", "measure", "n", "values_stated", "mentions"],
    "flagged_rows": [
        "evidence_id",
        "doc_id",
        "flags",
        "kind",
        "measure",
        "group_name",
        "value",
        "sd",
        "ci_low",
        "ci_high",
        "count",
        "denominator",
        "percent",
        "quote",
    ],
    "search_quotes": [
        "evidence_id",
        "doc_id",
        "kind",
        "measure",
        "group_name",
        "value",
        "quote",
    ],
    "meta_analysis_export": [
        "study",
        "arm",
        "measure",
        "kind",
        "data_type",
        "timepoint",
        "months",
        "time",
        "statistic",
        "mean",
        "sd",
        "sd_source",
        "se",
        "events",
        "percent",
        "estimate",
        "n",
        "n_source",
        "study_n",
        "unit",
        "ci_low",
        "ci_high",
        "distinct_values",
        "all_values",
        "mentions",
        "checks",
        "evidence_id",
        "evidence_ids",
        "quotes",
    ],
    "meta_analysis_comparisons": [
        "study",
        "measure",
        "kind",
        "data_type",
        "timepoint",
        "months",
        "time",
        "intervention",
        "comparator",
        "role_from",
        "m1i",
        "sd1i",
        "ai",
        "n1i",
        "n1_source",
        "m2i",
        "sd2i",
        "ci",
        "n2i",
        "n2_source",
        "statistic",
        "unit",
        "checks",
        "intervention_ids",
        "comparator_ids",
        "intervention_quotes",
        "comparator_quotes",
    ],
}


@pytest.fixture(scope="session", autouse=True)
def plugin_registered() -> None:
    register_plugin()


def make_datasette(db_path: Path) -> Datasette:
    """Datasette as `extract serve` runs it: read-only, project metadata and settings."""
    return Datasette([str(db_path)], metadata=load_metadata(METADATA, db_path), settings=SETTINGS)


@pytest.fixture(scope="session")
def hand_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_hand_database(tmp_path_factory.mktemp("hand") / "evidence.db")


@pytest.fixture
def ds(hand_db: Path) -> Datasette:
    return make_datasette(hand_db)


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus through the real pipeline, once per session."""
    from extractor.runner.run import run_corpus

    path = tmp_path_factory.mktemp("sample") / "evidence.db"
    run_corpus(REPO / "corpus", path)
    return path


@pytest.fixture
def sample_ds(sample_db: Path) -> Datasette:
    return make_datasette(sample_db)


async def query_rows(ds: Datasette, name: str, **params: str) -> list[dict[str, Any]]:
    """A canned query's rows as dicts, through Datasette's JSON API."""
    response = await ds.client.get(f"/evidence/{name}.json", params={**params, "_shape": "objects"})
    assert response.status_code == 200, response.text
    return response.json()["rows"]


async def query_columns(ds: Datasette, name: str, **params: str) -> list[str]:
    response = await ds.client.get(f"/evidence/{name}.json", params=params)
    assert response.status_code == 200, response.text
    return response.json()["columns"]


def one(rows: list[dict[str, Any]], **where: Any) -> dict[str, Any]:
    found = [r for r in rows if all(r[k] == v for k, v in where.items())]
    assert len(found) == 1, f"expected one row with {where}, got {found}"
    return found[0]


def marks(page: str) -> list[str]:
    """The highlighted mentions of an HTML page, unescaped."""
    return [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", page, re.S)]


def card(page: str) -> str:
    """The reviewer card of a row page: its facts and its highlighted sentence."""
    return page[
        page.index('<div class="evidence-card') : page.index('class="evidence-all-columns"')
    ]


async def evidence_page(ds: Datasette, evidence_id: str) -> str:
    """The HTML of one evidence row's page."""
    url = ds.urls.row("evidence", "evidence", tilde_encode(evidence_id))
    return (await ds.client.get(url)).text


def evidence_row(db_path: Path, evidence_id: str) -> sqlite3.Row:
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute("select * from evidence where id = ?", [evidence_id]).fetchone()


# --- metadata ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("documents", DOCUMENT_COLUMNS),
        ("evidence", EVIDENCE_COLUMNS),
        ("sections", SECTION_COLUMNS),
    ],
)
def test_metadata_describes_every_column_of_every_table(table: str, columns: dict) -> None:
    described = yaml.safe_load(METADATA.read_text("utf-8"))["databases"]["evidence"]["tables"][
        table
    ]["columns"]
    assert set(described) == set(columns)
    assert all(isinstance(text, str) and len(text) > 10 for text in described.values())


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_canned_query_declares_its_title_description_and_parameters(name: str) -> None:
    query = QUERIES[name]
    used = set(re.findall(r"(?<!:):([a-z_]+)", query["sql"]))
    assert query["title"] and len(query["description"]) > 40
    assert set(query.get("params", [])) == used


def test_metadata_is_rekeyed_for_a_database_with_another_name() -> None:
    metadata = load_metadata(METADATA, Path("elsewhere/review-2026.db"))
    assert list(metadata["databases"]) == ["review-2026"]
    assert "changes_with_ci" in metadata["databases"]["review-2026"]["queries"]


async def test_database_page_shows_title_and_lists_canned_queries(ds: Datasette) -> None:
    page = (await ds.client.get("/evidence")).text
    assert "Clinical evidence" in (await ds.client.get("/")).text
    for name, query in QUERIES.items():
        assert f'href="/evidence/{name}"' in page
        assert html.escape(query["title"], quote=False) in page


# --- facets, sort, search -----------------------------------------------------------------


async def test_evidence_table_offers_the_default_facets(ds: Datasette, hand_db: Path) -> None:
    data = (await ds.client.get("/evidence/evidence.json")).json()
    assert list(data["facet_results"]) == ["kind", "measure", "doc_id", "group_name"]
    kinds = {r["value"]: r["count"] for r in data["facet_results"]["kind"]["results"]}
    with sqlite3.connect(hand_db) as conn:
        expected = dict(conn.execute("select kind, count(*) from evidence group by kind"))
    assert kinds == expected


async def test_group_name_facet_counts_rows_per_arm(ds: Datasette) -> None:
    data = (await ds.client.get("/evidence/evidence.json", params={"doc_id": NICE})).json()
    arms = {r["value"]: r["count"] for r in data["facet_results"]["group_name"]["results"]}
    assert arms[SIJF] == 1 + 4 + 4 + 1  # n=102, four VAS, four ODI, one ASLR
    assert arms[NSM] == 1 + 2


async def test_documents_table_offers_status_and_source_type_facets(ds: Datasette) -> None:
    data = (await ds.client.get("/evidence/documents.json")).json()
    assert set(data["facet_results"]) == {"status", "source_type"}


async def test_evidence_table_is_sorted_by_document(ds: Datasette) -> None:
    data = (await ds.client.get("/evidence/evidence.json", params={"_shape": "objects"})).json()
    doc_ids = [r["doc_id"] for r in data["rows"]]
    assert doc_ids == sorted(doc_ids)


async def test_evidence_table_search_box_searches_quotes(ds: Datasette) -> None:
    page = (await ds.client.get("/evidence/evidence")).text
    assert 'name="_search"' in page
    data = (
        await ds.client.get(
            "/evidence/evidence.json", params={"_search": "reoperation", "_shape": "objects"}
        )
    ).json()
    assert [r["measure"] for r in data["rows"]] == ["reoperation"]


# --- links between tables -----------------------------------------------------------------


async def test_evidence_row_in_the_table_links_to_its_document(ds: Datasette) -> None:
    page = (await ds.client.get("/evidence/evidence", params={"doc_id": COHORT})).text
    assert f'<a href="/evidence/documents/{tilde_encode(COHORT)}">{COHORT}</a>' in page


async def test_evidence_row_page_links_to_its_document(ds: Datasette) -> None:
    page = (
        await ds.client.get(ds.urls.row("evidence", "evidence", tilde_encode(f"{META}#1")))
    ).text
    assert f'href="/evidence/documents/{tilde_encode(META)}"' in page


async def test_document_page_links_to_its_evidence_and_sections(ds: Datasette) -> None:
    response = await ds.client.get(ds.urls.row("evidence", "documents", tilde_encode(NICE)))
    assert response.status_code == 200
    assert f'href="/evidence/evidence?doc_id={NICE}"' in response.text
    assert f'href="/evidence/sections?doc_id={NICE}"' in response.text


async def test_document_page_lists_its_rows_beside_its_text(ds: Datasette, hand_db: Path) -> None:
    page = (await ds.client.get(ds.urls.row("evidence", "documents", tilde_encode(NICE)))).text
    with sqlite3.connect(hand_db) as conn:
        ids = [i for (i,) in conn.execute("select id from evidence where doc_id = ?", [NICE])]
    rows_table = page[page.index('<aside class="evidence-document-rows">') : page.index("</aside>")]
    for evidence_id in ids:
        assert f'href="#m-{html.escape(evidence_id)}"' in rows_table
    assert f"Evidence rows ({len(ids)})" in rows_table


async def test_document_text_highlights_every_extracted_span_linked_to_its_row(
    ds: Datasette, hand_db: Path
) -> None:
    page = (await ds.client.get(ds.urls.row("evidence", "documents", tilde_encode(COHORT)))).text
    text_part = page[page.index('class="evidence-document-text"') :]
    links = re.findall(
        r'<a class="evidence-span" href="([^"]+)"[^>]*><mark>(.*?)</mark>', text_part, re.S
    )
    with sqlite3.connect(hand_db) as conn:
        rows = conn.execute(
            "select e.id, substr(d.text, e.char_start + 1, e.char_end - e.char_start)"
            " from evidence e join documents d using (doc_id) where doc_id = ?",
            [COHORT],
        ).fetchall()
    linked = {href for href, _ in links}
    marked = "".join(html.unescape(m) for _, m in links)
    for evidence_id, mention in rows:
        assert f'id="m-{evidence_id}"' in text_part
        assert mention in marked
    assert all(href.startswith("/evidence/evidence/") for href in linked)


async def test_document_text_marks_where_each_page_begins(ds: Datasette) -> None:
    page = (await ds.client.get(ds.urls.row("evidence", "documents", tilde_encode(NICE)))).text
    breaks = re.findall(r'<span class="evidence-page-break" id="page-(\d+)">', page)
    assert breaks == ["2", "3"]  # the hand-built NICE document has three pages


async def test_page_badge_of_a_quote_links_to_that_page_of_the_document(ds: Datasette) -> None:
    page = await evidence_page(ds, f"{NICE}#6")
    assert f'href="/evidence/documents/{tilde_encode(NICE)}#page-2"' in page


async def test_documents_list_shows_only_the_beginning_of_the_text(
    ds: Datasette, hand_db: Path
) -> None:
    page = (await ds.client.get("/evidence/documents")).text
    cells = re.findall(r'<td class="col-text[^"]*">(.*?)</td>', page, re.S)
    assert cells and all(
        len(html.unescape(c)) <= SETTINGS["truncate_cells_html"] + 1 for c in cells
    )


async def test_document_page_shows_the_full_text(ds: Datasette, hand_db: Path) -> None:
    page = (await ds.client.get(ds.urls.row("evidence", "documents", tilde_encode(META)))).text
    assert "underscoring the importance of standardized diagnostic pathways" in page


async def test_canned_query_ids_link_to_evidence_rows(ds: Datasette) -> None:
    page = (await ds.client.get("/evidence/flagged_rows")).text
    row_url = f"/evidence/evidence/{tilde_encode(f'{FLAGGED}#1')}"
    assert f'<a href="{row_url}">{FLAGGED}#1</a>' in page
    assert f'href="/evidence/documents/{tilde_encode(FLAGGED)}"' in page


# --- reviewer-first pages -------------------------------------------------------------------

REVIEW_HEADERS = [
    "row",
    "measure",
    "arm",
    "time",
    "value",
    "SD / CI / range",
    "n",
    "flags",
    "quote",
]


def headers(page: str) -> list[str]:
    """The visible header labels of the evidence table, in order."""
    head = page[page.index("<thead>") : page.index("</thead>")]
    cells = re.findall(r"<th([^>]*)>(.*?)</th>", head, re.S)
    return [
        re.sub(r"<[^>]+>|&nbsp;.*", "", text).strip()
        for attributes, text in cells
        if "evidence-more" not in attributes
    ]


async def test_evidence_table_opens_with_the_reviewer_columns_in_order(ds: Datasette) -> None:
    page = (await ds.client.get("/evidence/evidence")).text
    assert headers(page) == REVIEW_HEADERS


async def test_every_other_column_is_in_the_table_one_click_away(ds: Datasette) -> None:
    page = (await ds.client.get("/evidence/evidence")).text
    hidden = re.findall(
        r'<th [^>]*class="evidence-more col-[^"]*"[^>]*data-column="([a-z_]+)"', page
    )
    assert {"id", "doc_id", "rule", "char_start", "char_end"} <= set(hidden)
    assert "quote" not in hidden and "measure" not in hidden
    assert 'class="evidence-toggle-columns"' in page


async def test_reviewer_row_shows_time_as_stated_and_the_arms_n_with_its_source(
    ds: Datasette,
) -> None:
    page = (
        await ds.client.get("/evidence/evidence", params={"doc_id": NICE, "measure": "VAS pain"})
    ).text
    row = next(
        r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S) if "<mark>28.3 at 12-month" in r
    )
    cells = [
        re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", c))).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]
    assert cells[1:8] == [
        "VAS pain score",
        SIJF,
        "follow-up 12 months",
        "28.3 points",
        "p < 0.001",
        "102 arm",
        "",
    ]


async def test_row_page_shows_the_facts_beside_the_highlighted_sentence(ds: Datasette) -> None:
    page = card(await evidence_page(ds, f"{COHORT}#2"))
    facts = dict(
        (
            re.sub(r"<[^>]+>", "", dt).strip(),
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dd)).strip(),
        )
        for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page, re.S)
    )
    assert facts == {
        "measure": "VAS pain score",
        "arm": "—",
        "time": "baseline",
        "value": "7.83 mean",
        "SD / CI / range": "SD 1.71",
        "n": "29 population",
        "flags": "—",
    }
    assert marks(page) == ["7.83 (± 1.71)"]


async def test_flags_show_as_badges_on_the_row(ds: Datasette) -> None:
    page = (await ds.client.get("/evidence/evidence", params={"doc_id": FLAGGED})).text
    assert '<tr class="evidence-flagged">' in page
    assert '<span class="evidence-flag">percent_mismatch</span>' in page


# --- the quote cell -----------------------------------------------------------------------


async def test_quote_cell_marks_exactly_the_mention(ds: Datasette, hand_db: Path) -> None:
    row = evidence_row(hand_db, f"{NICE}#6")  # 28.3 at 12 months
    page = await evidence_page(ds, row["id"])
    with sqlite3.connect(hand_db) as conn:
        text = conn.execute("select text from documents where doc_id = ?", [NICE]).fetchone()[0]
    assert marks(card(page)) == [text[row["char_start"] : row["char_end"]]] == ["28.3 at 12-month"]


async def test_quote_cell_shows_the_page_and_section_badges(ds: Datasette) -> None:
    page = (
        await ds.client.get(ds.urls.row("evidence", "evidence", tilde_encode(f"{NICE}#6")))
    ).text
    quote_cell = re.search(r'<td class="col-quote[^"]*">(.*?)</td>', page, re.S).group(1)
    assert re.search(r'class="evidence-badge evidence-page"[^>]*>p.\xa02</span>', quote_cell)
    assert re.search(r'class="evidence-badge evidence-section"[^>]*>4.3</span>', quote_cell)


async def test_quote_of_an_unpaginated_source_has_no_page_badge(ds: Datasette) -> None:
    page = (
        await ds.client.get(ds.urls.row("evidence", "evidence", tilde_encode(f"{COHORT}#1")))
    ).text
    assert marks(card(page)) == ["29 patients"]
    assert "evidence-page" not in page


async def test_evidence_table_highlights_every_quote(ds: Datasette, hand_db: Path) -> None:
    data = await ds.client.get("/evidence/evidence", params={"_size": "max"})
    with sqlite3.connect(hand_db) as conn:
        expected = [
            text[start:end]
            for text, start, end in conn.execute(
                "select d.text, e.char_start, e.char_end from evidence e"
                " join documents d using (doc_id) order by e.doc_id, e.id"
            )
        ]
    assert sorted(marks(data.text)) == sorted(expected)


async def test_quote_is_highlighted_when_the_offset_columns_are_hidden(ds: Datasette) -> None:
    page = (
        await ds.client.get("/evidence/evidence", params={"id": f"{COHORT}#1", "_col": "quote"})
    ).text
    assert marks(page) == ["29 patients"]


async def test_html_in_a_quote_is_escaped(tmp_path: Path) -> None:
    text = 'Results: <script>alert("x")</script> 12 <b>patients</b> were included.'
    db = open_database(tmp_path / "evidence.db")
    start = text.index("12 <b>patients</b>")
    write_document(
        db,
        DocumentResult(
            doc_id="evil.txt",
            source_type="text",
            sha256="x",
            status="ok",
            extractor_version="test",
            text=text,
            evidence=[
                Evidence(
                    kind="sample_size",
                    value=12,
                    char_start=start,
                    char_end=start + len("12 <b>patients</b>"),
                    rule="test",
                    quote=text,
                    quote_start=0,
                    quote_end=len(text),
                    id="evil-1",
                    doc_id="evil.txt",
                    section="<i>results</i>",
                )
            ],
        ),
    )
    db.close()
    page = (await make_datasette(tmp_path / "evidence.db").client.get("/evidence/evidence")).text
    assert "<script>alert" not in page and "<b>patients" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<mark>12 &lt;b&gt;patients&lt;/b&gt;</mark>" in page
    assert "&lt;i&gt;results&lt;/i&gt;</span>" in page


def test_offsets_outside_the_quote_leave_it_unmarked() -> None:
    rendered = highlight_quote("29 patients were included.", 100, 90, 95)
    assert "<mark>" not in rendered
    assert rendered == '<span class="evidence-quote">29 patients were included.</span>'


def test_highlight_without_offsets_still_shows_the_badges() -> None:
    rendered = highlight_quote("A < B", None, None, None, page=3, section="results")
    assert "A &lt; B" in rendered and "p.\xa03" in rendered and ">results</span>" in rendered


async def test_canned_query_quotes_are_highlighted(ds: Datasette) -> None:
    page = (await ds.client.get("/evidence/changes_with_ci")).text
    assert marks(page) == [
        "VAS improvement of 45.5 points (95% CI: 38.6-52.3)",
        "ODI improvement of 23.3 points (95% CI: 21.0-25.7)",
        "mean change of 2.86 (± 2.94) points",
    ]


async def test_stylesheet_is_served_and_linked_from_pages(ds: Datasette) -> None:
    css = await ds.client.get("/-/evidence-plugin.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ".evidence-quote mark" in css.text
    page = (await ds.client.get("/evidence/evidence")).text
    linked = re.search(r'<link rel="stylesheet" href="(/-/evidence-plugin\.css\?[0-9a-f]+)">', page)
    assert linked, "the stylesheet is linked with its version"
    assert (await ds.client.get(linked.group(1))).text == css.text


# --- canned queries: exact values on the hand-built database --------------------------------


@pytest.mark.parametrize("name", sorted(QUERY_COLUMNS))
async def test_canned_query_returns_its_columns(ds: Datasette, name: str) -> None:
    params = {"q": "patients"} if name == "search_quotes" else {}
    assert await query_columns(ds, name, **params) == QUERY_COLUMNS[name]


async def test_score_trajectory_puts_baseline_and_follow_ups_side_by_side(ds: Datasette) -> None:
    rows = await query_rows(ds, "score_trajectories")
    vas = one(rows, doc_id=NICE, measure="VAS pain", group_name=SIJF)
    assert vas == {
        "doc_id": NICE,
        "measure": "VAS pain",
        "group_name": SIJF,
        "n": 102,
        "baseline": "82.3",
        "follow_ups": "6 months: 30.4; 12 months: 28.3; 24 months: 26.7",
        "n_follow_ups": 3,
    }


async def test_score_trajectory_has_one_row_per_arm(ds: Datasette) -> None:
    rows = await query_rows(ds, "score_trajectories", doc_id=NICE, measure="VAS pain")
    assert [(r["group_name"], r["n"], r["baseline"], r["follow_ups"]) for r in rows] == [
        (SIJF, 102, "82.3", "6 months: 30.4; 12 months: 28.3; 24 months: 26.7"),
        (NSM, 46, "82.2", "6 months: 70.3"),
    ]


async def test_score_trajectory_shows_a_value_restated_with_its_time_once(ds: Datasette) -> None:
    rows = await query_rows(ds, "score_trajectories", doc_id=COHORT)
    assert rows == [
        {
            "doc_id": COHORT,
            "measure": "VAS pain",
            "group_name": None,
            "n": 29,
            "baseline": "7.83 (sd 1.71)",
            "follow_ups": "12 months: 4.97 (sd 2.63)",
            "n_follow_ups": 1,
        }
    ]


async def test_score_trajectory_keeps_every_value_a_document_states_at_one_time(
    ds: Datasette,
) -> None:
    rows = await query_rows(ds, "score_trajectories", measure="SF-36 PCS")
    pcs = one(rows, doc_id=NICE)
    assert (pcs["baseline"], pcs["follow_ups"]) == ("30.2 | 30.7", "6 months: 42.8; 6 months: 37")


async def test_score_trajectory_leaves_n_empty_when_the_arm_has_no_sample_size(
    ds: Datasette,
) -> None:
    rows = await query_rows(ds, "score_trajectories", measure="ASLR")
    assert one(rows, group_name="conservative management")["n"] is None


async def test_changes_with_ci_gives_each_change_with_its_interval(ds: Datasette) -> None:
    rows = await query_rows(ds, "changes_with_ci", doc_id=META)
    assert [(r["measure"], r["value"], r["ci_low"], r["ci_high"], r["p"]) for r in rows] == [
        ("VAS pain", 45.5, 38.6, 52.3, "p < 0.001"),
        ("ODI", 23.3, 21.0, 25.7, "p < 0.001"),
    ]
    assert {r["ci_level"] for r in rows} == {0.95}


async def test_changes_with_ci_filters_by_statistic(ds: Datasette) -> None:
    assert await query_rows(ds, "changes_with_ci", statistic="difference") == []
    assert len(await query_rows(ds, "changes_with_ci", statistic="change")) == 3


async def test_complications_are_ranked_by_rate_highest_first(ds: Datasette) -> None:
    rows = await query_rows(ds, "complications_by_rate")
    rates = [r["rate_percent"] for r in rows]
    known = [r for r in rates if r is not None]
    assert known == sorted(known, reverse=True)
    assert rates[: len(known)] == known  # rows without a rate come last
    assert [r["measure"] for r in rows][:2] == ["serious adverse event", "any adverse event"]
    assert rows[-1]["measure"] == "nerve impingement" and rows[-1]["rate_percent"] is None


async def test_complication_rate_is_computed_from_count_when_no_percent_is_stated(
    ds: Datasette,
) -> None:
    rows = await query_rows(ds, "complications_by_rate", measure="wound problem")
    assert [
        (r["count"], r["denominator"], r["percent"], r["rate_percent"], r["rate_from"])
        for r in rows
    ] == [(17, 432, None, 3.94, "count / denominator")]


async def test_sample_sizes_are_given_per_document_and_arm(ds: Datasette) -> None:
    rows = await query_rows(ds, "sample_sizes", doc_id=NICE)
    assert [(r["group_name"], r["n"], r["values_stated"], r["mentions"]) for r in rows] == [
        (None, 148, "148; 103", 2),  # stated once each: the larger
        (SIJF, 102, "102", 1),
        (NSM, 46, "46", 1),
    ]


async def test_sample_size_n_is_the_n_stated_most_often_not_the_largest(ds: Datasette) -> None:
    rows = await query_rows(ds, "sample_sizes", doc_id=COHORT)
    assert [(r["n"], r["values_stated"], r["mentions"]) for r in rows] == [(29, "29 (2×); 57", 3)]


async def test_score_trajectory_n_is_the_included_not_the_screened_population(
    ds: Datasette,
) -> None:
    rows = await query_rows(ds, "score_trajectories", doc_id=COHORT)
    assert [r["n"] for r in rows] == [29]  # 57 charts screened, 29 patients included


async def test_flagged_rows_lists_only_rows_with_flags(ds: Datasette) -> None:
    rows = await query_rows(ds, "flagged_rows")
    assert [
        (r["evidence_id"], r["flags"], r["percent"], r["count"], r["denominator"]) for r in rows
    ] == [(f"{FLAGGED}#1", "percent_mismatch", 12.0, 3, 40)]


async def test_flagged_rows_filters_by_one_flag(ds: Datasette) -> None:
    assert len(await query_rows(ds, "flagged_rows", flag="percent_mismatch")) == 1
    assert await query_rows(ds, "flagged_rows", flag="percent") == []  # whole flags only


async def test_search_quotes_finds_rows_by_words_in_their_quote(ds: Datasette) -> None:
    rows = await query_rows(ds, "search_quotes", q="bursitis")
    assert [r["measure"] for r in rows] == ["wound problem"]


async def test_search_quotes_with_an_empty_query_returns_nothing(ds: Datasette) -> None:
    assert await query_rows(ds, "search_quotes") == []


async def test_search_quotes_accepts_punctuation_typed_by_a_person(ds: Datasette) -> None:
    rows = await query_rows(ds, "search_quotes", q='VAS-pain "improved')
    assert {r["doc_id"] for r in rows} == {COHORT}


async def test_meta_analysis_export_has_one_row_per_study_arm_measure_kind_and_time(
    ds: Datasette,
) -> None:
    rows = await query_rows(ds, "meta_analysis_export")
    keys = [
        (r["study"], r["arm"], r["measure"], r["kind"], r["timepoint"], r["months"]) for r in rows
    ]
    assert len(keys) == len(set(keys))


async def test_meta_analysis_export_keeps_every_score_in_exactly_one_row(
    ds: Datasette, hand_db: Path
) -> None:
    rows = await query_rows(ds, "meta_analysis_export")
    listed = [i for r in rows if r["kind"] == "score" for i in r["evidence_ids"].split(" ")]
    # every value at a point with several values keeps its own row of the per-value list:
    # rows give the picked value, all_values the others; here each id is listed once
    with sqlite3.connect(hand_db) as conn:
        scores = {i for (i,) in conn.execute("select id from evidence where kind = 'score'")}
    picked_or_merged = set(listed)
    assert len(listed) == len(picked_or_merged)
    assert picked_or_merged <= scores
    conflicting = [r for r in rows if r["kind"] == "score" and r["distinct_values"] > 1]
    assert len(scores - picked_or_merged) == sum(r["distinct_values"] - 1 for r in conflicting)


async def test_meta_analysis_export_gives_mean_sd_and_n_of_a_timepoint(ds: Datasette) -> None:
    rows = await query_rows(ds, "meta_analysis_export", measure="VAS pain")
    baseline = one(rows, study=COHORT, timepoint="baseline", kind="score")
    assert (baseline["mean"], baseline["sd"], baseline["n"], baseline["n_source"]) == (
        7.83,
        1.71,
        29,
        "population",
    )
    assert baseline["evidence_id"] == f"{COHORT}#2"  # the first statement, not the restatement
    at_12 = one(rows, study=NICE, arm=SIJF, months=12.0)
    assert (at_12["mean"], at_12["sd"], at_12["n"], at_12["n_source"]) == (28.3, None, 102, "arm")


async def test_meta_analysis_export_merges_the_same_value_stated_twice_keeping_both_quotes(
    ds: Datasette,
) -> None:
    rows = await query_rows(ds, "meta_analysis_export", measure="VAS pain", doc_id=COHORT)
    scores = [r for r in rows if r["kind"] == "score"]
    assert [(r["timepoint"], r["months"], r["mean"], r["mentions"]) for r in scores] == [
        ("baseline", None, 7.83, 2),
        ("follow-up", 12.0, 4.97, 2),  # "improved ... to 4.97" and "4.97 at 12 months"
    ]
    follow_up = scores[1]
    assert follow_up["evidence_ids"].split(" ") == [f"{COHORT}#3", f"{COHORT}#5"]
    assert "mean VAS-pain score improved from 7.83" in follow_up["quotes"]
    assert "Mean VAS-pain score improved from 7.83" in follow_up["quotes"]


async def test_meta_analysis_export_never_gives_an_arm_the_whole_trials_n(ds: Datasette) -> None:
    rows = await query_rows(ds, "meta_analysis_export", measure="ASLR")
    cm = [r for r in rows if r["arm"] == "conservative management"]
    assert [(r["timepoint"], r["mean"], r["n"], r["n_source"], r["study_n"]) for r in cm] == [
        ("baseline", 3.8, None, "not stated", 148),
        ("follow-up", 3.7, None, "not stated", 148),
    ]


async def test_meta_analysis_export_takes_a_dichotomous_n_from_the_rows_denominator(
    ds: Datasette,
) -> None:
    rows = await query_rows(ds, "meta_analysis_export", measure="wound problem")
    assert [(r["events"], r["n"], r["n_source"], r["data_type"]) for r in rows] == [
        (17, 432, "statistic", "dichotomous")
    ]


async def test_meta_analysis_export_counts_conflicting_values_at_one_point(
    ds: Datasette,
) -> None:
    rows = await query_rows(ds, "meta_analysis_export", measure="SF-36 PCS")
    assert [(r["timepoint"], r["mean"], r["distinct_values"], r["all_values"]) for r in rows] == [
        ("baseline", 30.2, 2, "30.2; 30.7"),
        ("follow-up", 42.8, 2, "42.8; 37"),
    ]


async def test_meta_analysis_export_downloads_as_csv(ds: Datasette) -> None:
    response = await ds.client.get(
        "/evidence/meta_analysis_export.csv", params={"measure": "ODI", "doc_id": NICE}
    )
    assert response.status_code == 200
    header, *rows = csv.reader(io.StringIO(response.text))
    assert header == QUERY_COLUMNS["meta_analysis_export"]
    assert rows[0][:10] == [
        NICE,
        SIJF,
        "ODI",
        "score",
        "continuous",
        "baseline",
        "",
        "baseline",
    ] + [
        "",
        "57.2",
    ]
    assert len(rows) == 4


async def test_comparisons_pair_each_arm_with_the_comparator_at_one_time(ds: Datasette) -> None:
    rows = await query_rows(ds, "meta_analysis_comparisons", measure="VAS pain")
    assert [
        (r["time"], r["intervention"], r["m1i"], r["n1i"], r["comparator"], r["m2i"], r["n2i"])
        for r in rows
    ] == [
        ("baseline", SIJF, 82.3, 102, NSM, 82.2, 46),
        ("6 months", SIJF, 30.4, 102, NSM, 70.3, 46),
    ]
    assert {r["role_from"] for r in rows} == {'comparator word "non-surgical"'}


async def test_evidence_table_exports_as_json_and_csv(ds: Datasette, hand_db: Path) -> None:
    with sqlite3.connect(hand_db) as conn:
        n = conn.execute("select count(*) from evidence").fetchone()[0]
    as_json = await ds.client.get("/evidence/evidence.json", params={"_size": "max"})
    assert len(as_json.json()["rows"]) == n
    as_csv = await ds.client.get("/evidence/evidence.csv", params={"_size": "max"})
    assert as_csv.text.splitlines()[0].split(",")[:3] == ["id", "doc_id", "kind"]


# --- the sample corpus through the real pipeline ------------------------------------------


@pytest.mark.parametrize("name", sorted(QUERY_COLUMNS))
async def test_sample_corpus_canned_query_runs_with_its_columns(
    sample_ds: Datasette, name: str
) -> None:
    params = {"q": "patients"} if name == "search_quotes" else {}
    assert await query_columns(sample_ds, name, **params) == QUERY_COLUMNS[name]


async def test_sample_corpus_quote_marks_are_the_mentions_in_the_document_text(
    sample_ds: Datasette, sample_db: Path
) -> None:
    with sqlite3.connect(sample_db) as conn:
        rows = conn.execute(
            "select e.id, d.text, e.char_start, e.char_end from evidence e"
            " join documents d using (doc_id) order by e.doc_id, e.char_start limit 40"
        ).fetchall()
    assert rows, "the sample corpus gave no evidence rows"
    for evidence_id, text, start, end in rows:
        page = (
            await sample_ds.client.get(
                sample_ds.urls.row("evidence", "evidence", tilde_encode(evidence_id))
            )
        ).text
        assert marks(card(page)) == [text[start:end]], evidence_id


async def test_sample_corpus_cohort_n_is_the_29_patients_included(sample_ds: Datasette) -> None:
    rows = await query_rows(sample_ds, "sample_sizes", doc_id=COHORT)
    assert one(rows, group_name=None, measure="patients")["n"] == 29


async def test_sample_corpus_trajectories_have_a_baseline_or_follow_up(
    sample_ds: Datasette,
) -> None:
    rows = await query_rows(sample_ds, "score_trajectories")
    assert rows
    assert all(r["baseline"] or r["follow_ups"] for r in rows)


async def test_sample_corpus_complications_are_ranked_by_rate(sample_ds: Datasette) -> None:
    rows = await query_rows(sample_ds, "complications_by_rate")
    assert rows
    rates = [r["rate_percent"] for r in rows if r["rate_percent"] is not None]
    assert rates == sorted(rates, reverse=True)


async def test_sample_corpus_meta_analysis_export_has_unique_keys(sample_ds: Datasette) -> None:
    rows = await query_rows(sample_ds, "meta_analysis_export")
    keys = [
        (r["study"], r["arm"], r["measure"], r["kind"], r["timepoint"], r["months"]) for r in rows
    ]
    assert rows and len(keys) == len(set(keys))


async def test_sample_corpus_search_finds_quotes_containing_the_word(
    sample_ds: Datasette,
) -> None:
    rows = await query_rows(sample_ds, "search_quotes", q="patients")
    assert rows and all("patients" in r["quote"].lower() for r in rows)


async def test_sample_corpus_facets_count_the_rows_of_each_kind(
    sample_ds: Datasette, sample_db: Path
) -> None:
    data = (await sample_ds.client.get("/evidence/evidence.json")).json()
    kinds = {r["value"]: r["count"] for r in data["facet_results"]["kind"]["results"]}
    with sqlite3.connect(sample_db) as conn:
        assert kinds == dict(conn.execute("select kind, count(*) from evidence group by kind"))
    assert set(data["facet_results"]) == {"kind", "measure", "doc_id", "group_name"}


async def test_sample_corpus_trajectories_and_meta_analysis_export_agree_on_n(
    sample_ds: Datasette,
) -> None:
    trajectories = await query_rows(sample_ds, "score_trajectories")
    export_n: dict[tuple, set] = {}
    for r in await query_rows(sample_ds, "meta_analysis_export"):
        if r["kind"] == "score":
            export_n.setdefault((r["study"], r["measure"], r["arm"]), set()).add(r["n"])
    assert trajectories
    # a document reporting several studies (a guidance document) gives one outcome and arm
    # several n; the trajectory's is the n of its first value, one of the export's
    for row in trajectories:
        assert row["n"] in export_n[(row["doc_id"], row["measure"], row["group_name"])], row

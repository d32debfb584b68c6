"""Forest plots: every outcome two or more documents or arms report, drawn as SVG."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette
from datasette.utils import tilde_encode
from datasette_sample import COHORT, NICE, build_hand_database

from extractor.review.forest import forest_outcomes, nice_ticks, render_svg, wilson_interval
from extractor.serve.serve import SETTINGS, load_metadata, register_plugin

REPO = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def arm_row(**values: Any) -> dict[str, Any]:
    """A row of the per-arm export with only what a forest plot reads."""
    row = dict(
        study="a.txt",
        arm=None,
        measure="VAS pain",
        kind="score",
        data_type="continuous",
        time="12 weeks",
        unit=None,
        mean=None,
        sd=None,
        events=None,
        percent=None,
        estimate=None,
        n=None,
        ci_low=None,
        ci_high=None,
        evidence_id="a#1",
    )
    row.update(values)
    return row


def test_wilson_interval_matches_the_textbook_values() -> None:
    # Newcombe (1998), Table I: 0/10 -> 0 to 0.2775; 5/10 -> 0.2366 to 0.7634
    assert wilson_interval(0, 10) == pytest.approx((0.0, 27.75), abs=0.01)
    assert wilson_interval(5, 10) == pytest.approx((23.66, 76.34), abs=0.01)


def test_a_mean_with_sd_and_n_gets_the_interval_of_its_standard_error() -> None:
    rows = [
        arm_row(mean=7.83, sd=1.71, n=29, evidence_id="a#1"),
        arm_row(study="b.txt", mean=5.0, evidence_id="b#1"),
    ]
    (outcome,) = forest_outcomes(rows).values()
    first, second = outcome.points
    half = 1.959963984540054 * 1.71 / math.sqrt(29)
    assert (first.ci_low, first.ci_high) == pytest.approx((7.83 - half, 7.83 + half))
    assert first.ci_from == "SD and n"
    assert (second.ci_low, second.ci_high, second.ci_from) == (None, None, None)


def test_a_stated_interval_is_kept_as_stated() -> None:
    rows = [
        arm_row(mean=8.1, ci_low=7.8, ci_high=8.4, sd=9.9, n=100),
        arm_row(study="b.txt", mean=5.0, evidence_id="b#1"),
    ]
    point = next(iter(forest_outcomes(rows).values())).points[0]
    assert (point.ci_low, point.ci_high, point.ci_from) == (7.8, 8.4, "stated")


def test_events_and_n_give_a_percent_with_its_wilson_interval() -> None:
    rows = [
        arm_row(kind="complication", data_type="dichotomous", events=5, n=10),
        arm_row(study="b.txt", kind="complication", data_type="dichotomous", percent=3.0),
    ]
    (outcome,) = forest_outcomes(rows).values()
    first, second = outcome.points
    assert first.estimate == 50.0 and first.ci_from == "Wilson, events/n"
    assert (first.ci_low, first.ci_high) == pytest.approx((23.66, 76.34), abs=0.01)
    assert (second.estimate, second.ci_from) == (3.0, None)
    assert outcome.unit == "%"


def test_only_outcomes_of_two_or_more_documents_or_arms_are_plotted() -> None:
    rows = [
        arm_row(measure="ODI", mean=40.0),
        arm_row(measure="VAS pain", arm="drug", mean=3.0, evidence_id="a#2"),
        arm_row(measure="VAS pain", arm="placebo", mean=4.0, evidence_id="a#3"),
    ]
    assert list(forest_outcomes(rows)) == [("VAS pain", "score")]


def test_times_are_grouped_baseline_first_then_in_time_order() -> None:
    rows = [
        arm_row(time="1 year", mean=1.0),
        arm_row(time="12 weeks", mean=2.0, evidence_id="a#2"),
        arm_row(time="baseline", mean=3.0, evidence_id="a#3"),
        arm_row(study="b.txt", time="6 months", mean=4.0, evidence_id="b#1"),
    ]
    (outcome,) = forest_outcomes(rows).values()
    assert list(outcome.groups) == ["baseline", "12 weeks", "6 months", "1 year"]


def test_every_point_of_the_svg_links_to_its_evidence_row() -> None:
    rows = [
        arm_row(mean=7.83, sd=1.71, n=29, evidence_id="a#1"),
        arm_row(study="b <&> c.txt", mean=5.0, evidence_id="b#1"),
    ]
    (outcome,) = forest_outcomes(rows).values()
    svg = render_svg(outcome, lambda i: f"/evidence/evidence/{i}")
    root = ET.fromstring(svg)  # well-formed: names are escaped
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert links == ["/evidence/evidence/a#1", "/evidence/evidence/b#1"]
    assert "b &lt;&amp;&gt; c.txt" in svg


def test_ratios_are_drawn_on_a_log_axis_with_a_line_at_one() -> None:
    rows = [
        arm_row(
            measure="HR",
            kind="effect",
            data_type="effect",
            estimate=0.74,
            ci_low=0.65,
            ci_high=0.85,
        ),
        arm_row(
            study="b.txt",
            measure="HR",
            kind="effect",
            data_type="effect",
            estimate=1.3,
            ci_low=0.9,
            ci_high=1.9,
            evidence_id="b#1",
        ),
    ]
    (outcome,) = forest_outcomes(rows).values()
    assert outcome.log_scale
    svg = render_svg(outcome, lambda i: i)
    assert 'stroke-dasharray="3 3"' in svg  # the line of no effect
    assert [">0.75</text>", ">1</text>", ">1.5</text>", ">2</text>"] == [
        tick
        for tick in (">0.5</text>", ">0.75</text>", ">1</text>", ">1.5</text>", ">2</text>")
        if tick in svg
    ]


def test_nice_ticks_cover_the_range_in_round_steps() -> None:
    assert nice_ticks(4.0, 82.3) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(-1.9, -0.99) == [-2.0, -1.8, -1.6, -1.4, -1.2, -1.0, -0.8]


# --- the pages -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_hand_database(tmp_path_factory.mktemp("forest") / "evidence.db")


@pytest.fixture
def ds(hand_db: Path) -> Datasette:
    register_plugin()
    return Datasette(
        [str(hand_db)],
        metadata=load_metadata(REPO / "db" / "metadata.yml", hand_db),
        settings=SETTINGS,
    )


async def test_forest_index_lists_the_outcomes_with_two_or_more_sources(ds: Datasette) -> None:
    page = (await ds.client.get("/evidence/-/forest")).text
    assert 'href="/evidence/-/forest?measure=VAS+pain&amp;kind=score"' in page
    # ODI is reported by one arm of one document only in the hand-built database
    assert "measure=ODI&amp;kind=score" not in page


async def test_forest_page_shows_the_plot_with_a_link_per_estimate(ds: Datasette) -> None:
    response = await ds.client.get(
        "/evidence/-/forest", params={"measure": "VAS pain", "kind": "score"}
    )
    assert response.status_code == 200
    svg = response.text[response.text.index("<svg") : response.text.index("</svg>") + 6]
    links = [a.get("href") for a in ET.fromstring(svg).iter(f"{SVG}a")]
    assert f"/evidence/evidence/{tilde_encode(f'{COHORT}#2')}" in links
    assert any(link.startswith(f"/evidence/evidence/{tilde_encode(NICE)}") for link in links)
    assert len(links) == len(set(links))


async def test_forest_plot_downloads_as_svg(ds: Datasette) -> None:
    response = await ds.client.get(
        "/evidence/-/forest.svg", params={"measure": "VAS pain", "kind": "score"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert ET.fromstring(response.text).tag == f"{SVG}svg"


async def test_forest_of_an_unknown_outcome_is_not_found(ds: Datasette) -> None:
    response = await ds.client.get("/evidence/-/forest", params={"measure": "nothing"})
    assert response.status_code == 404


async def test_database_page_links_to_the_forest_plots(ds: Datasette) -> None:
    page = (await ds.client.get("/evidence")).text
    assert 'href="/evidence/-/forest"' in page

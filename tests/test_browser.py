"""End to end: `extract serve`'s Datasette in a real headless Chromium.

What a reviewer sees is HTML after the browser has run Datasette's scripts: the evidence
table's headers, the highlighted mention in each quote with its page badge, a canned
query's rows. The server is started exactly as `extract serve` starts it (read-only, the
project's metadata and plugin, localhost), on a free port.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from datasette.utils import tilde_encode
from datasette_sample import NICE, build_hand_database

from extractor.serve.serve import build_datasette_command

# End to end through a real browser: the slow tier (`python -m pytest -m slow`).
pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
METADATA = REPO / "db" / "metadata.yml"
# Debian's package is `chromium`; GitHub's Ubuntu runners ship Google Chrome.
CHROMIUM = next(
    filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None
)

requires_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not on PATH (CI installs it: apt-get install -y chromium)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"datasette exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"datasette did not answer {url} within {timeout}s")


# A page served beside the evidence (a test-only static mount) that opens another page of
# the same server in a 1366 x 768 frame and writes where things landed into its own DOM,
# which --dump-dom then returns: layout measured by the real browser, without a driver.
PROBE_HTML = """<!DOCTYPE html><html><body>
<iframe id="frame" style="border:0" width="1366" height="768"></iframe>
<script>
const params = new URLSearchParams(location.search);
const frame = document.getElementById("frame");
frame.addEventListener("load", () => setTimeout(() => {
  const doc = frame.contentDocument;
  const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const shown = (selector) =>
    [...doc.querySelectorAll(selector)].filter((el) => el.offsetParent !== null);
  const visibleHeaders = shown("thead th").map((th) => th.textContent.trim());
  if (params.get("click")) { doc.querySelector(params.get("click")).click(); }
  const result = {
    scrollWidth: doc.documentElement.scrollWidth,
    headers: visibleHeaders,
    lastHeader: box(shown("thead th").pop()),
    firstMark: box(doc.querySelector(params.get("mark") || "mark")),
    facetsFolded: !!doc.querySelector(".facet-results") &&
      !!doc.querySelector(".facet-results").closest("details:not([open])"),
    moreVisible: shown(".evidence-more").length,
    textOverflow: (() => { const t = doc.querySelector(".evidence-document-text");
      return t ? t.scrollWidth - t.clientWidth : null; })(),
    text: box(doc.querySelector(".evidence-document-text")),
    rows: box(doc.querySelector(".evidence-document-rows")),
  };
  const out = document.createElement("pre");
  out.id = "probe-result";
  out.textContent = JSON.stringify(result);
  document.body.append(out);
}, 500));
frame.src = params.get("target");
</script></body></html>"""


def start_server(db_path: Path, probe_dir: Path) -> Iterator[str]:
    """Datasette as `extract serve` runs it (plus the probe page); yields its base URL."""
    port = free_port()
    (probe_dir / "probe.html").write_text(PROBE_HTML, encoding="utf-8")
    command = build_datasette_command(db_path, METADATA, port)
    command += ["--static", f"probe:{probe_dir}"]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{base}/-/versions.json", process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def hand_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db_path = build_hand_database(tmp_path_factory.mktemp("browser-hand") / "evidence.db")
    yield from start_server(db_path, tmp_path_factory.mktemp("probe"))


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from extractor.runner.run import run_corpus

    db_path = tmp_path_factory.mktemp("browser-sample") / "evidence.db"
    run_corpus(REPO / "corpus", db_path)
    return db_path


@pytest.fixture(scope="module")
def sample_server(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from start_server(sample_db, tmp_path_factory.mktemp("probe"))


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium once with a throwaway profile and no network chatter."""
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def dump_dom(tmp_path: Path, url: str) -> str:
    return chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", url).stdout


def screenshot(tmp_path: Path, url: str, name: str, height: int = 768) -> Path:
    """A 1366-pixel-wide screenshot: the laptop screen a reviewer works on."""
    target = tmp_path / name
    chromium(tmp_path, f"--window-size=1366,{height}", f"--screenshot={target}", url)
    keep = os.environ.get("EVIDENCE_SCREENSHOT_DIR")
    if keep:  # to look at the pictures after the run
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, Path(keep) / name)
    return target


def is_png(path: Path) -> bool:
    data = path.read_bytes()
    return data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


def probe(tmp_path: Path, server: str, target: str, **options: str) -> dict:
    """Where things land when `target` opens in a 1366 x 768 window (see PROBE_HTML)."""
    query = urlencode({"target": target, **options})
    dom = dump_dom(tmp_path, f"{server}/probe/probe.html?{query}")
    found = re.search(r'<pre id="probe-result">(.*?)</pre>', dom, re.S)
    assert found, "the probe page did not report"
    return json.loads(html.unescape(found.group(1)))


SCREEN_WIDTH, SCREEN_HEIGHT = 1366, 768
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


@requires_chromium
def test_evidence_table_fits_the_reviewer_columns_on_one_1366_pixel_screen(
    hand_server: str, tmp_path: Path
) -> None:
    found = probe(tmp_path, hand_server, f"/evidence/evidence?doc_id={NICE}&measure=VAS+pain")
    assert [h.replace("\u2699", "").strip() for h in found["headers"]] == REVIEW_HEADERS
    assert found["lastHeader"]["right"] <= SCREEN_WIDTH
    assert found["scrollWidth"] <= SCREEN_WIDTH  # no sideways scrolling
    assert found["firstMark"]["bottom"] <= SCREEN_HEIGHT  # a highlighted quote on screen one
    assert found["facetsFolded"]
    assert found["moreVisible"] == 0


@requires_chromium
def test_show_all_columns_brings_every_other_column_in_one_click(
    hand_server: str, tmp_path: Path
) -> None:
    found = probe(
        tmp_path, hand_server, f"/evidence/evidence?doc_id={NICE}", click=".evidence-toggle-columns"
    )
    assert found["moreVisible"] > 0


@requires_chromium
def test_evidence_page_highlights_mentions_with_page_badges(
    hand_server: str, tmp_path: Path
) -> None:
    dom = dump_dom(tmp_path, f"{hand_server}/evidence/evidence?doc_id={NICE}&measure=VAS+pain")
    mentions = [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", dom, re.S)]
    assert "30.4 at 6-month" in mentions and "82.2 at baseline" in mentions
    assert len(mentions) == 6  # four SI joint fusion and two non-surgical VAS rows
    assert len(re.findall(r'class="evidence-badge evidence-page"', dom)) == 6


@requires_chromium
def test_evidence_page_offers_the_facets_and_search(hand_server: str, tmp_path: Path) -> None:
    dom = dump_dom(tmp_path, f"{hand_server}/evidence/evidence")
    facets = re.findall(r'class="facet-info[^"]*"[^>]*data-column="([a-z_]+)"', dom)
    assert sorted(facets) == ["doc_id", "group_name", "kind", "measure"]
    assert 'name="_search"' in dom
    assert "Facets: " in dom


@requires_chromium
def test_row_page_shows_the_number_and_its_sentence_on_one_screen(
    hand_server: str, tmp_path: Path
) -> None:
    row = f"/evidence/evidence/{tilde_encode(NICE + '#6')}"
    found = probe(tmp_path, hand_server, row, mark=".evidence-card mark")
    assert found["firstMark"]["bottom"] <= SCREEN_HEIGHT
    assert found["scrollWidth"] <= SCREEN_WIDTH


@requires_chromium
def test_document_page_shows_its_text_wrapped_with_the_numbers_highlighted(
    hand_server: str, tmp_path: Path
) -> None:
    page = f"/evidence/documents/{tilde_encode(NICE)}"
    found = probe(tmp_path, hand_server, page, mark=".evidence-document-text mark")
    assert found["textOverflow"] == 0  # wrapped, nothing cut at the right edge
    assert found["text"]["right"] <= SCREEN_WIDTH and found["rows"]["right"] <= SCREEN_WIDTH
    assert found["scrollWidth"] <= SCREEN_WIDTH
    dom = dump_dom(tmp_path, f"{hand_server}{page}")
    assert len(re.findall(r'<a class="evidence-span" href="/evidence/evidence/', dom)) >= 26


@requires_chromium
def test_trajectory_query_page_shows_arms_side_by_side(hand_server: str, tmp_path: Path) -> None:
    dom = dump_dom(tmp_path, f"{hand_server}/evidence/score_trajectories?doc_id={NICE}")
    assert "Score trajectories" in dom
    assert "6 months: 30.4; 12 months: 28.3; 24 months: 26.7" in dom
    assert "6 months: 70.3" in dom


@requires_chromium
def test_forest_plot_page_draws_a_linked_point_per_estimate(
    hand_server: str, tmp_path: Path
) -> None:
    dom = dump_dom(tmp_path, f"{hand_server}/evidence/-/forest?measure=VAS+pain&kind=score")
    # the cohort's baseline and follow-up, NICE's four fusion and two NSM values
    assert dom.count('class="forest-row"') == 8
    assert "<svg" in dom


@requires_chromium
def test_screenshots_at_1366_pixels(sample_server: str, sample_db: Path, tmp_path: Path) -> None:
    """Screenshots of the four reviewer pages, kept with EVIDENCE_SCREENSHOT_DIR=folder."""
    with sqlite3.connect(sample_db) as conn:
        (row_id,) = conn.execute(
            "select id from evidence where kind = 'score' and page is not null"
            " and group_name is not null and months is not null order by doc_id, char_start limit 1"
        ).fetchone()
        (pdf,) = conn.execute(
            "select doc_id from documents where source_type = 'pdf' limit 1"
        ).fetchone()
    pages = {
        "evidence-table.png": f"{sample_server}/evidence/evidence",
        "evidence-row.png": f"{sample_server}/evidence/evidence/{tilde_encode(row_id)}",
        "document.png": f"{sample_server}/evidence/documents/{tilde_encode(pdf)}",
        "forest-plot.png": f"{sample_server}/evidence/-/forest?measure=VAS+pain&kind=score",
    }
    shots = [screenshot(tmp_path, url, name) for name, url in pages.items()]
    assert all(is_png(shot) for shot in shots)


@requires_chromium
def test_sample_corpus_scores_show_their_mentions_and_pages(
    sample_server: str, sample_db: Path, tmp_path: Path
) -> None:
    with sqlite3.connect(sample_db) as conn:
        found = conn.execute(
            "select doc_id from evidence where kind = 'score' and page is not null limit 1"
        ).fetchone()
        assert found, "the sample corpus has no paginated source with scores"
        doc_id = found[0]
        expected = [
            text[start:end]
            for text, start, end in conn.execute(
                "select d.text, e.char_start, e.char_end from evidence e join documents d"
                " using (doc_id) where e.doc_id = ? and e.kind = 'score'",
                [doc_id],
            )
        ]
    url = f"{sample_server}/evidence/evidence?doc_id={quote(doc_id)}&kind=score&_size=max"
    dom = dump_dom(tmp_path, url)
    mentions = [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", dom, re.S)]
    assert sorted(mentions) == sorted(expected)
    assert len(re.findall(r'class="evidence-badge evidence-page"', dom)) == len(expected)

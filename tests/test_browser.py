"""End to end: `extract serve`'s Datasette in a real headless Chromium.

What a reviewer sees is HTML after the browser has run Datasette's scripts: the evidence
table's headers, the highlighted mention in each quote with its page badge, a canned
query's rows. The server is started exactly as `extract serve` starts it (read-only, the
project's metadata and plugin, localhost), on a free port.
"""

from __future__ import annotations

import html
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
from urllib.parse import quote

import pytest
from datasette.utils import tilde_encode
from datasette_sample import NICE, build_hand_database

from extractor.serve import build_datasette_command

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


def start_server(db_path: Path) -> Iterator[str]:
    """Datasette as `extract serve` runs it; yields its base URL and stops it afterwards."""
    port = free_port()
    command = build_datasette_command(db_path, METADATA, port)
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
    yield from start_server(db_path)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from extractor.run import run_corpus

    db_path = tmp_path_factory.mktemp("browser-sample") / "evidence.db"
    run_corpus(REPO / "corpus", db_path)
    return db_path


@pytest.fixture(scope="module")
def sample_server(sample_db: Path) -> Iterator[str]:
    yield from start_server(sample_db)


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


def screenshot(tmp_path: Path, url: str, name: str, height: int = 1000) -> Path:
    target = tmp_path / name
    chromium(tmp_path, f"--window-size=1400,{height}", f"--screenshot={target}", url)
    keep = os.environ.get("EVIDENCE_SCREENSHOT_DIR")
    if keep:  # to look at the pictures after the run
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, Path(keep) / name)
    return target


def is_png(path: Path) -> bool:
    data = path.read_bytes()
    return data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


@requires_chromium
def test_evidence_page_shows_column_headers_and_highlighted_mentions(
    hand_server: str, tmp_path: Path
) -> None:
    url = f"{hand_server}/evidence/evidence?doc_id={NICE}&measure=VAS+pain"
    dom = dump_dom(tmp_path, url)
    headers = re.findall(r'<th[^>]*scope="col"[^>]*>\s*(?:<a[^>]*>)?\s*([a-z_]+)', dom)
    assert {"doc_id", "kind", "measure", "group_name", "value", "quote"} <= set(headers)
    mentions = [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", dom, re.S)]
    assert "30.4 at 6-month" in mentions and "82.2 at baseline" in mentions
    assert len(mentions) == 6  # four SI joint fusion and two non-surgical VAS rows
    assert dom.count("p.\xa02</span>") == 6 or dom.count("p.&nbsp;2</span>") == 6


@requires_chromium
def test_evidence_page_offers_the_facets_and_search(hand_server: str, tmp_path: Path) -> None:
    dom = dump_dom(tmp_path, f"{hand_server}/evidence/evidence")
    facets = re.findall(r'class="facet-info[^"]*"[^>]*data-column="([a-z_]+)"', dom)
    assert sorted(facets) == ["doc_id", "group_name", "kind", "measure"]
    assert 'name="_search"' in dom


@requires_chromium
def test_document_page_links_to_its_evidence_above_its_text(
    hand_server: str, tmp_path: Path
) -> None:
    dom = dump_dom(tmp_path, f"{hand_server}/evidence/documents/{tilde_encode(NICE)}")
    link = dom.index(f'href="/evidence/evidence?doc_id={NICE}"')
    assert re.search(r"\s26 rows</a>\s+from doc_id in evidence", dom[link:])
    assert link < dom.index('class="col-text')


@requires_chromium
def test_trajectory_query_page_shows_arms_side_by_side(hand_server: str, tmp_path: Path) -> None:
    dom = dump_dom(tmp_path, f"{hand_server}/evidence/score_trajectories?doc_id={NICE}")
    assert "Score trajectories" in dom
    assert "6 mo: 30.4; 12 mo: 28.3; 24 mo: 26.7" in dom
    assert "6 mo: 70.3" in dom


@requires_chromium
def test_screenshots_of_the_evidence_table_and_a_canned_query(
    hand_server: str, tmp_path: Path
) -> None:
    table = screenshot(
        tmp_path,
        f"{hand_server}/evidence/evidence?doc_id={NICE}&kind__in=score,sample_size"
        "&_col=kind&_col=measure&_col=group_name&_col=timepoint&_col=months&_col=value"
        "&_col=sd&_col=quote",
        "evidence-table.png",
        height=1800,  # the facets come first; the rows below them must be in the picture
    )
    query = screenshot(
        tmp_path, f"{hand_server}/evidence/score_trajectories", "score-trajectories.png"
    )
    assert is_png(table) and is_png(query)


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
    url = (
        f"{sample_server}/evidence/evidence?doc_id={quote(doc_id)}&kind=score&_size=max"
        "&_col=measure&_col=group_name&_col=timepoint&_col=months&_col=value&_col=sd"
        "&_col=quote"
    )
    dom = dump_dom(tmp_path, url)
    mentions = [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", dom, re.S)]
    assert sorted(mentions) == sorted(expected)
    assert len(re.findall(r'class="evidence-badge evidence-page"', dom)) == len(expected)
    screenshot(tmp_path, url, "sample-evidence-table.png", height=1600)

"""`extract serve`: what it serves, under which URL, as the file changes, and how it ends.

The fast tests run Datasette in-process; the slow ones start `extract serve` as a user
does and then change the database under it, or kill it, and look at what is left.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from datasette.plugins import pm
from datasette_sample import build_hand_database

from extractor.serve import serve as serve_module
from extractor.serve.serve import (
    DATABASE_NAME,
    SETTINGS,
    ServedDatabase,
    build_datasette_command,
    load_metadata,
    register_plugin,
    url_of,
)

REPO = Path(__file__).resolve().parent.parent
METADATA = REPO / "db" / "metadata.yml"


def count_documents(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("select count(*) from documents").fetchone()[0]


def one_document_database(path: Path, doc_id: str) -> Path:
    """A real evidence database holding one small document."""
    from extractor.store import open_database, write_document
    from extractor.types import DocumentResult

    db = open_database(path)
    write_document(
        db,
        DocumentResult(
            doc_id=doc_id,
            source_type="text",
            sha256=f"sha-{doc_id}",
            status="ok",
            extractor_version="test",
            text="Twelve patients were included.",
            size_bytes=30,
        ),
    )
    db.close()
    return path


# --- the command ---------------------------------------------------------------------------


def test_serve_command_names_the_database_it_serves_live_and_read_only() -> None:
    command = build_datasette_command(Path("db/evidence.db"), METADATA, 8001)
    assert command[1:3] == ["-m", "extractor.serve.serve"]
    assert command[command.index("--evidence-db") + 1] == str(Path("db/evidence.db").resolve())
    assert command[command.index("--evidence-db") + 2] == "serve"
    assert "-i" not in command  # immutable mode broke when the file changed
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8001"


def test_serve_refuses_a_missing_database(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run `extract CORPUS_DIR` first"):
        serve_module.serve(tmp_path / "missing.db")


def test_url_is_the_evidence_database_on_localhost() -> None:
    assert url_of("127.0.0.1", 8001) == "http://localhost:8001/evidence"
    assert url_of("0.0.0.0", 9000) == "http://0.0.0.0:9000/evidence"


def test_extract_serve_passes_its_options_to_serve(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from extractor.cli import cli

    db = one_document_database(tmp_path / "my.db", "a.txt")
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(serve_module, "serve", lambda **kwargs: calls.append(kwargs) or 0)
    result = CliRunner().invoke(cli, ["serve", "--db", str(db), "--port", "9123", "--no-open"])
    assert result.exit_code == 0, result.output
    assert calls == [
        {
            "db_path": db,
            "metadata_path": None,
            "port": 9123,
            "host": "127.0.0.1",
            "open_browser": False,
        }
    ]


# --- in-process: the name, and following the file -----------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ServedDatabase, Path]]:
    """A database file called my.db, served the way the child of `extract serve` serves it."""
    register_plugin()
    db_path = one_document_database(tmp_path / "my.db", "first.txt")
    plugin = ServedDatabase(db_path, interval=0)
    pm.register(plugin, name="test-served-database")
    try:
        yield plugin, db_path
    finally:
        pm.unregister(plugin)


def served_datasette(db_path: Path) -> Datasette:
    return Datasette([], metadata=load_metadata(METADATA, None), settings=SETTINGS)


async def test_a_database_of_any_file_name_is_served_as_evidence(served) -> None:
    _plugin, db_path = served
    ds = served_datasette(db_path)
    response = await ds.client.get("/evidence/documents.json", params={"_shape": "objects"})
    assert response.status_code == 200
    assert [r["doc_id"] for r in response.json()["rows"]] == ["first.txt"]
    assert (await ds.client.get("/my")).status_code == 404


async def test_rows_committed_after_startup_are_served_without_a_restart(served) -> None:
    _plugin, db_path = served
    ds = served_datasette(db_path)
    assert (await ds.client.get("/evidence/documents.json")).json()["rows"]
    from extractor.store import open_database, write_document
    from extractor.types import DocumentResult

    db = open_database(db_path)
    write_document(
        db,
        DocumentResult(
            doc_id="second.txt",
            source_type="text",
            sha256="x",
            status="ok",
            extractor_version="test",
            text="Nine patients.",
            size_bytes=14,
        ),
    )
    db.close()
    data = (await ds.client.get("/evidence/documents.json", params={"_shape": "objects"})).json()
    assert sorted(r["doc_id"] for r in data["rows"]) == ["first.txt", "second.txt"]


async def test_a_replaced_database_file_is_opened_anew_not_served_stale(
    served, tmp_path: Path
) -> None:
    _plugin, db_path = served
    ds = served_datasette(db_path)
    assert (await ds.client.get("/evidence/documents.json")).status_code == 200
    # a re-extraction from scratch: the old file deleted, a new one written in its place
    fresh = one_document_database(tmp_path / "fresh.db", "replaced.txt")
    os.replace(fresh, db_path)
    response = await ds.client.get("/evidence/documents.json", params={"_shape": "objects"})
    assert response.status_code == 200, response.text
    assert "malformed" not in response.text
    assert [r["doc_id"] for r in response.json()["rows"]] == ["replaced.txt"]


# --- end to end: `extract serve` as a user starts it -------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def gone(pid: int) -> bool:
    """The process has ended (a zombie waiting for a reaper counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


def wait_for(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


class Server:
    """`extract serve --db DB --port PORT`, started in a temporary folder as TMPDIR."""

    def __init__(self, db_path: Path, tmp: Path) -> None:
        self.port = free_port()
        self.tmp = tmp
        env = {
            **os.environ,
            "TMPDIR": str(tmp),
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "extractor", "serve", "--db", str(db_path)]
            + ["--port", str(self.port)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # so that the test can clean up whatever is left
        )
        self.first_line = self.process.stdout.readline().strip()
        ok = wait_for(lambda: answers(self.port) and get(self.url("/-/versions.json"))[0] == 200)
        assert ok, self.process.stderr.read() if self.process.poll() is not None else "no answer"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def datasette_pid(self) -> int:
        (pid,) = children(self.process.pid)
        return pid

    def cleanup(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    return build_hand_database(tmp_path / "review-2026.db")


@pytest.mark.slow
def test_extract_serve_prints_the_url_it_serves_and_the_url_works(
    sample_copy: Path, tmp_path: Path
) -> None:
    server = Server(sample_copy, tmp_path)
    try:
        assert server.first_line.startswith(f"Serving {sample_copy.resolve()} read-only at ")
        url = f"http://localhost:{server.port}/{DATABASE_NAME}"
        assert url in server.first_line
        status, page = get(server.url(f"/{DATABASE_NAME}"))
        assert status == 200 and "meta_analysis_comparisons" in page
    finally:
        server.cleanup()


@pytest.mark.slow
def test_a_reextraction_under_a_running_server_is_served_not_malformed(
    tmp_path: Path,
) -> None:
    db_path = one_document_database(tmp_path / "evidence.db", "first.txt")
    server = Server(db_path, tmp_path)
    try:
        assert '"first.txt"' in get(server.url("/evidence/documents.json"))[1]
        fresh = one_document_database(tmp_path / "fresh.db", "second.txt")
        os.replace(fresh, db_path)
        status, body = get(server.url("/evidence/documents.json?_search="))
        assert status == 200, body
        assert "malformed" not in body and '"second.txt"' in body
    finally:
        server.cleanup()


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_stopping_extract_serve_leaves_no_process_and_no_temporary_folder(
    sample_copy: Path, tmp_path: Path, how: signal.Signals
) -> None:
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    server = Server(sample_copy, tmp)
    try:
        datasette = server.datasette_pid()
        os.kill(server.process.pid, how)
        assert server.process.wait(timeout=20) == 0
        assert wait_for(lambda: gone(datasette), timeout=10), "Datasette outlived extract serve"
        assert not answers(server.port)
        assert list(tmp.iterdir()) == []
    finally:
        server.cleanup()


@pytest.mark.slow
def test_killing_extract_serve_outright_stops_datasette_too(
    sample_copy: Path, tmp_path: Path
) -> None:
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    server = Server(sample_copy, tmp)
    try:
        datasette = server.datasette_pid()
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
        assert wait_for(lambda: gone(datasette), timeout=20), "Datasette outlived a kill -9"
        assert wait_for(lambda: not answers(server.port), timeout=10)
        assert list(tmp.iterdir()) == []
    finally:
        server.cleanup()

"""Browse the evidence database in Datasette, with this project's metadata and plugin.

`extract serve` prints the URL it serves and runs Datasette as a child process
(`python -m extractor.serve.serve --evidence-db PATH serve ...`), which:

- serves the database under one name, `evidence`, whatever its file is called, so the
  README's URLs (`/evidence`, `/evidence/meta_analysis_comparisons.csv`) and the project's
  metadata and templates always apply;
- opens it read-only (SQLite's `mode=ro`: no request can write) but live: each request
  reads the latest committed rows, so rows a running `extract` commits show up and a
  re-extraction never leaves a stale view answering `database disk image is malformed`
  (what Datasette's immutable mode did when the file changed under it). When the file is
  replaced (deleted and written anew), the next request opens the new file. A database in
  a folder this user cannot write is opened in immutable mode, since SQLite cannot
  coordinate with writers there anyway;
- ends with its parent: SIGTERM, SIGHUP and SIGINT given to `extract serve` are passed on
  and waited for, and on Linux the child is told to stop if the parent is killed outright
  (PR_SET_PDEATHSIG), so no Datasette is left serving the port. Nothing is written to a
  temporary folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import FrameType
from typing import Any

import yaml
from datasette import hookimpl

DATABASE_NAME = "evidence"
REPO_METADATA = Path(__file__).resolve().parents[2] / "db" / "metadata.yml"
# a wheel carries a copy (hatchling force-include), for installs without the checkout
PACKAGED_METADATA = Path(__file__).resolve().parents[1] / "_metadata.yml"
DATABASE_OPTION = "--evidence-db"

# Datasette settings shared by `extract serve` and the tests' in-process Datasette.
# documents.text holds whole papers: lists show its first characters, row pages all.
SETTINGS: dict[str, Any] = {"truncate_cells_html": 240}

# How long `extract serve` waits for Datasette to finish after passing on a signal.
STOP_TIMEOUT_S = 10


def default_metadata_path(db_path: Path) -> Path | None:
    """metadata.yml beside the database, else the repository's db/metadata.yml, else the
    copy shipped in the wheel."""
    for candidate in (Path(db_path).parent / "metadata.yml", REPO_METADATA, PACKAGED_METADATA):
        if candidate.is_file():
            return candidate
    return None


def load_metadata(metadata_path: Path, db_path: Path | None = None) -> dict[str, Any]:
    """The metadata as a dict, keyed for the database Datasette will name after `db_path`.

    `extract serve` always names the database `evidence`; a plain `datasette other.db`
    names it `other`, and the metadata describing `evidence` would otherwise silently drop
    every description, facet and canned query.
    """
    metadata: dict[str, Any] = yaml.safe_load(Path(metadata_path).read_text("utf-8")) or {}
    name = Path(db_path).stem if db_path is not None else DATABASE_NAME
    databases = metadata.get("databases") or {}
    if name != DATABASE_NAME and DATABASE_NAME in databases and name not in databases:
        databases = dict(databases)
        databases[name] = databases.pop(DATABASE_NAME)
        metadata = {**metadata, "databases": databases}
    return metadata


def url_of(host: str, port: int) -> str:
    """The address a reviewer opens: the evidence database's page."""
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    return f"http://{shown}:{port}/{DATABASE_NAME}"


def build_datasette_command(
    db_path: Path | str,
    metadata_path: Path | str | None,
    port: int = 8001,
    host: str = "127.0.0.1",
    open_browser: bool = False,
) -> list[str]:
    """The command line that serves `db_path`; pure, so it can be tested and printed."""
    command = [sys.executable, "-m", "extractor.serve.serve"]
    command += [DATABASE_OPTION, str(Path(db_path).resolve()), "serve"]
    if metadata_path is not None:
        command += ["--metadata", str(metadata_path)]
    command += ["--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        command += ["--setting", name, str(value)]
    if open_browser:
        command.append("--open")
    return command


def serve(
    db_path: Path | str = Path("db/evidence.db"),
    metadata_path: Path | str | None = None,
    port: int = 8001,
    host: str = "127.0.0.1",
    open_browser: bool = False,
) -> int:
    """Run Datasette on the evidence database until stopped; returns its exit code."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise FileNotFoundError(
            f"no evidence database at {db_path}; run `extract CORPUS_DIR` first"
        )
    if metadata_path is None:
        metadata_path = default_metadata_path(db_path)
    if metadata_path is None:
        print(
            f"warning: no metadata.yml beside {db_path} or in {REPO_METADATA.parent}; "
            "serving without descriptions and facets",
            file=sys.stderr,
        )
    command = build_datasette_command(db_path, metadata_path, port, host, open_browser)
    print(
        f"Serving {db_path.resolve()} read-only at {url_of(host, port)} "
        "(it follows the file as it changes; Ctrl-C stops it)",
        flush=True,
    )
    return run_child(command)


def run_child(command: Sequence[str]) -> int:
    """Run `command` until it ends, passing on the signals that stop this process."""
    process = subprocess.Popen(list(command), preexec_fn=_stop_with_parent)
    stopping: list[int] = []

    def pass_on(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)

    stop_signals = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
    previous = {sig: signal.signal(sig, pass_on) for sig in stop_signals}
    try:
        deadline: float | None = None
        while process.poll() is None:
            if stopping and deadline is None:
                deadline = time.monotonic() + STOP_TIMEOUT_S
            if deadline is not None and time.monotonic() > deadline:
                process.kill()
            time.sleep(0.1)
        return 0 if stopping else process.returncode
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop_with_parent() -> None:
    """In the child, before it runs: receive SIGTERM when the parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


class ServedDatabase:
    """A Datasette plugin object for one database file, served live under one name.

    Added at startup, read-only (`mode=ro`). Before each request (or at most once per
    `interval` seconds) the file is looked at again, one `stat`: replaced by another file
    (a new inode), it is opened anew, so no page shows a database that no longer exists.
    """

    def __init__(self, path: Path | str, name: str = DATABASE_NAME, interval: float = 0.0) -> None:
        # Datasette lists plugins by their module's __name__; this one is an object.
        self.__name__ = "extractor.serve.serve.ServedDatabase"
        self.path = Path(path).resolve()
        self.name = name
        self.interval = interval
        self.identity: tuple[int, int] | None = None
        self.checked = 0.0

    def attach(self, datasette: Any) -> None:
        from datasette.database import Database

        mutable = os.access(self.path.parent, os.W_OK)
        if self.name in datasette.databases:
            datasette.remove_database(self.name)
            self._renew_read_threads(datasette)
        datasette.add_database(
            Database(datasette, path=str(self.path), is_mutable=mutable), name=self.name
        )
        self.identity = _file_identity(self.path)

    @staticmethod
    def _renew_read_threads(datasette: Any) -> None:
        """Datasette keeps one read connection per database name in each of its SQL
        threads; connections to a replaced file would keep reading it (and its successor's
        WAL: "database disk image is malformed"). New threads open new connections."""
        old = getattr(datasette, "executor", None)
        if old is None:  # non-threaded mode: connections belong to the Database object
            return
        datasette.executor = ThreadPoolExecutor(max_workers=datasette.setting("num_sql_threads"))
        old.shutdown(wait=False)

    def refresh(self, datasette: Any) -> bool:
        """Open the file anew if it was replaced; True when it was."""
        now = time.monotonic()
        if now - self.checked < self.interval:
            return False
        self.checked = now
        identity = _file_identity(self.path)
        if identity is None or identity == self.identity:
            return False
        self.attach(datasette)
        print(f"{self.path} was replaced: serving the new file", file=sys.stderr, flush=True)
        return True

    @hookimpl
    def startup(self, datasette: Any) -> None:
        self.attach(datasette)

    @hookimpl
    def asgi_wrapper(self, datasette: Any) -> Any:
        def wrap(app: Any) -> Any:
            async def follow_the_file(scope: Any, receive: Any, send: Any) -> None:
                if scope.get("type") == "http":
                    self.refresh(datasette)
                await app(scope, receive, send)

            return follow_the_file

        return wrap


def register_plugin() -> None:
    """Register the plugin unless the installed entry point already did."""
    from datasette.plugins import pm

    from extractor.serve import datasette_plugin

    if not pm.is_registered(datasette_plugin):
        pm.register(datasette_plugin, name="evidence")


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m extractor.serve.serve [--evidence-db PATH] ARGS`: Datasette's own CLI, with the
    plugin loaded and, given a database, that database served live as `evidence`."""
    from datasette.plugins import pm

    args = list(sys.argv[1:] if argv is None else argv)
    register_plugin()
    if args[:1] == [DATABASE_OPTION]:
        pm.register(ServedDatabase(args[1]), name="evidence-served-database")
        args = args[2:]
    from datasette.cli import cli

    cli.main(args=args, prog_name="datasette")


if __name__ == "__main__":
    main()

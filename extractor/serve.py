"""Browse the evidence database in Datasette, with this project's metadata and plugin.

Read-only by default: Datasette's immutable mode (`-i`) opens the file with
`?immutable=1`, so nothing a reviewer clicks can change the evidence. `--writable`
opens it in Datasette's normal mode instead, which also sees rows that a running
`extract` commits (immutable mode reads the file as it was when served).

Datasette runs as `python -m extractor.serve ...`: that entry registers the plugin when
the package is not installed (running from a checkout), and is plain `datasette serve`
otherwise.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

DATABASE_NAME = "evidence"
REPO_METADATA = Path(__file__).resolve().parent.parent / "db" / "metadata.yml"
# a wheel carries a copy (hatchling force-include), for installs without the checkout
PACKAGED_METADATA = Path(__file__).resolve().parent / "_metadata.yml"

# Datasette settings shared by `extract serve` and the tests' in-process Datasette.
# documents.text holds whole papers: lists show its first characters, row pages all.
SETTINGS: dict[str, Any] = {"truncate_cells_html": 240}


def default_metadata_path(db_path: Path) -> Path | None:
    """metadata.yml beside the database, else the repository's db/metadata.yml, else the
    copy shipped in the wheel."""
    for candidate in (Path(db_path).parent / "metadata.yml", REPO_METADATA, PACKAGED_METADATA):
        if candidate.is_file():
            return candidate
    return None


def load_metadata(metadata_path: Path, db_path: Path | None = None) -> dict[str, Any]:
    """The metadata as a dict, keyed for the database Datasette will name after `db_path`.

    Datasette names a database after its file, and the metadata describes one called
    `evidence`; serving `other.db` would otherwise silently drop every description,
    facet and canned query.
    """
    metadata: dict[str, Any] = yaml.safe_load(Path(metadata_path).read_text("utf-8")) or {}
    name = Path(db_path).stem if db_path is not None else DATABASE_NAME
    databases = metadata.get("databases") or {}
    if name != DATABASE_NAME and DATABASE_NAME in databases and name not in databases:
        databases = dict(databases)
        databases[name] = databases.pop(DATABASE_NAME)
        metadata = {**metadata, "databases": databases}
    return metadata


def build_datasette_command(
    db_path: Path | str,
    metadata_path: Path | str | None,
    port: int = 8001,
    host: str = "127.0.0.1",
    writable: bool = False,
    open_browser: bool = False,
) -> list[str]:
    """The command line that serves `db_path`; pure, so it can be tested and printed."""
    command = [sys.executable, "-m", "extractor.serve", "serve"]
    command += [str(db_path)] if writable else ["-i", str(db_path)]
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
    writable: bool = False,
    open_browser: bool = False,
) -> int:
    """Run Datasette on the evidence database until interrupted; returns its exit code."""
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
            "serving without descriptions, facets and canned queries",
            file=sys.stderr,
        )
    with tempfile.TemporaryDirectory(prefix="evidence-serve-") as tmp:
        if metadata_path is not None and db_path.stem != DATABASE_NAME:
            renamed = Path(tmp) / "metadata.json"
            renamed.write_text(json.dumps(load_metadata(Path(metadata_path), db_path)))
            metadata_path = renamed
        command = build_datasette_command(
            db_path, metadata_path, port, host, writable, open_browser
        )
        try:
            return subprocess.call(command)
        except KeyboardInterrupt:
            return 0


def register_plugin() -> None:
    """Register the plugin unless the installed entry point already did."""
    from datasette.plugins import pm

    from extractor import datasette_plugin

    if not pm.is_registered(datasette_plugin):
        pm.register(datasette_plugin, name="evidence")


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m extractor.serve ARGS`: Datasette's own CLI, with the plugin loaded."""
    register_plugin()
    from datasette.cli import cli

    cli.main(args=list(argv) if argv is not None else None, prog_name="datasette")


if __name__ == "__main__":
    main()

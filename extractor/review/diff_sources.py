"""The two sides of `extract diff`: an evidence database, a snapshot folder, or a git revision.

A side is named the way a user thinks of it, and resolved in this order:

1. an existing file -> an evidence database (SQLite), opened read-only;
2. an existing folder -> a snapshot folder written by `extractor.review.snapshot`;
3. anything else -> a git revision (`main`, `HEAD~1`, a SHA, `origin/main`), whose
   committed snapshot folder (`db/evidence.snapshot` unless told otherwise, relative to the
   repository root) is read with `git ls-tree` and `git cat-file --batch`: nothing is
   checked out, no worktree or index is touched, so it is safe in a dirty checkout.

The filesystem wins over git when a name is both (a folder called `main`); write
`main^{commit}` to force the revision. A spec that is none of these raises `SideError`,
whose message says what was tried, so the CLI can show it as a usage error.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from extractor.review.snapshot import (
    DOCUMENTS_FILE,
    ROWS_SUFFIX,
    EvidenceState,
    SnapshotError,
    parse_snapshot,
    read_snapshot,
    state_from_database,
)

DEFAULT_SNAPSHOT_PATH = "db/evidence.snapshot"
# Where revisions made before each database had its own snapshot folder keep it.
LEGACY_SNAPSHOT_PATH = "db/snapshot"
_SQLITE_MAGIC = b"SQLite format 3\x00"


class SideError(Exception):
    """A side of a diff that cannot be read; the message is shown to the user as is."""


def load_side(
    spec: str, *, repo: Path = Path("."), snapshot_path: str = DEFAULT_SNAPSHOT_PATH
) -> EvidenceState:
    """Read one side of a diff (see the module docstring for how `spec` is resolved)."""
    path = Path(spec)
    try:
        if path.is_file():
            return _load_database(path)
        if path.is_dir():
            return read_snapshot(path)
    except SnapshotError as exc:
        raise SideError(str(exc)) from exc
    return load_revision(spec, repo=repo, snapshot_path=snapshot_path)


def _load_database(path: Path) -> EvidenceState:
    with path.open("rb") as handle:
        if handle.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            raise SideError(f"{path} is a file but not an SQLite evidence database")
    return state_from_database(path)


def load_revision(
    rev: str, *, repo: Path = Path("."), snapshot_path: str = DEFAULT_SNAPSHOT_PATH
) -> EvidenceState:
    """The snapshot folder as committed at `rev`, read straight from git's object store."""
    commit = _resolve_commit(rev, repo)
    prefix = snapshot_path.strip("/")
    blobs = _snapshot_blobs(repo, commit, prefix)
    if DOCUMENTS_FILE not in blobs and prefix == DEFAULT_SNAPSHOT_PATH:
        # revisions from before each database had its own folder
        blobs = _snapshot_blobs(repo, commit, LEGACY_SNAPSHOT_PATH)
    if DOCUMENTS_FILE not in blobs:
        raise SideError(
            f"revision {rev!r} has no evidence snapshot at {prefix}/ (no {DOCUMENTS_FILE}); "
            "was the snapshot committed, or is --snapshot-path different?"
        )
    contents = _cat_blobs(repo, list(blobs.values()))
    files = {relative: contents[sha] for relative, sha in blobs.items()}
    try:
        return parse_snapshot(files, label=f"{rev} ({commit[:10]})")
    except SnapshotError as exc:
        raise SideError(str(exc)) from exc


def _snapshot_blobs(repo: Path, commit: str, prefix: str) -> dict[str, str]:
    """relative path -> blob sha of the snapshot files under `prefix` at `commit`."""
    listing = _git(repo, "ls-tree", "-r", "-z", "--full-tree", commit, "--", prefix)
    blobs: dict[str, str] = {}
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        _mode, kind, sha = meta.split(b" ")
        relative = name.decode("utf-8", "surrogateescape")[len(prefix) + 1 :]
        if kind == b"blob" and (relative == DOCUMENTS_FILE or relative.endswith(ROWS_SUFFIX)):
            blobs[relative] = sha.decode("ascii")
    return blobs


def _resolve_commit(rev: str, repo: Path) -> str:
    try:
        out = _git(
            repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"
        )
    except SideError:
        out = b""
    commit = out.decode().strip()
    if not commit:
        raise SideError(
            f"{rev!r} is not an evidence database, a snapshot folder, or a git revision "
            f"of the repository at {repo.resolve()}"
        )
    return commit


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(
            ["git", "-C", str(repo), *args],
            input=stdin,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise SideError("git is not installed, so a revision cannot be read") from exc
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise SideError(f"git {args[0]} failed: {message}")
    return result.stdout


def _cat_blobs(repo: Path, shas: list[str]) -> dict[str, str]:
    """Contents of many blobs through one `git cat-file --batch` process, not one per file."""
    if not shas:
        return {}
    out = _git(repo, "cat-file", "--batch", stdin=("\n".join(shas) + "\n").encode())
    contents: dict[str, str] = {}
    pos = 0
    while pos < len(out):
        newline = out.index(b"\n", pos)
        header = out[pos:newline].split(b" ")
        if len(header) != 3:
            raise SideError(f"git cat-file: unexpected output {out[pos:newline]!r}")
        size = int(header[2])
        start = newline + 1
        contents[header[0].decode()] = out[start : start + size].decode("utf-8")
        pos = start + size + 1  # the blob is followed by a newline
    return contents


def uncommitted_snapshot_warning(
    spec: str, *, repo: Path = Path("."), snapshot_path: str = DEFAULT_SNAPSHOT_PATH
) -> str | None:
    """A warning when `spec` reads HEAD's committed snapshot while the working tree's differs.

    `extract diff main HEAD` compares committed snapshots; a snapshot written by a run but
    not yet committed is not in HEAD, and "No evidence changed" would be misleading.
    """
    path = Path(spec)
    if path.is_file() or path.is_dir():
        return None
    try:
        commit = _resolve_commit(spec, repo)
        head = _git(repo, "rev-parse", "--verify", "--quiet", "HEAD").decode().strip()
        if commit != head:
            return None
        top = Path(_git(repo, "rev-parse", "--show-toplevel").decode().strip())
        status = _git(
            top, "status", "--porcelain", "--untracked-files=all", "--", snapshot_path.strip("/")
        )
    except SideError:
        return None
    if not status.strip():
        return None
    changed = len(status.decode("utf-8", "replace").splitlines())
    folder = snapshot_path.strip("/")
    return (
        f"warning: {folder}/ in the working tree has {changed} uncommitted change"
        f"{'' if changed == 1 else 's'}; {spec} means the snapshot as committed, without "
        f"them. Commit them first, or compare the folder itself: extract diff BASE {folder}"
    )

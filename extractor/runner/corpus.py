"""Walk a corpus folder: which paths are documents, and which cannot be read and why.

Every file with a supported suffix becomes a document, so every one ends as exactly one
`documents` row. Those that cannot be read carry a `problem` (the reason shown in its
error row) instead of being skipped without a word:

- symbolic links are followed while they stay inside the corpus folder; a link that
  leaves it is not read (a corpus is what lies in its folder, so a run over a copy of the
  folder gives the same rows), a dangling link or a link loop is reported;
- named pipes, sockets and devices are never opened (reading a FIFO would wait forever);
- a file name that is not valid UTF-8 gets a doc_id showing the undecodable bytes as
  `\\xNN` (SQLite text must be Unicode), and a warning saying so.

Folders that cannot be walked (unreadable, a link loop, a link out of the corpus) are
`notes`: no document comes from them, so there is no row to carry the reason, and the
run's summary prints them instead.

Hidden files and folders (`.git`, editor swap files) are not documents. The order is
stable: sorted by path components, as a sorted `rglob` would give.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from extractor.pipeline import is_supported


@dataclass(frozen=True)
class CorpusEntry:
    """One document of the corpus: its id, where to read it, and what stops reading it."""

    doc_id: str
    path: Path
    problem: str | None = None  # the error row's reason when the file cannot be read
    warnings: tuple[str, ...] = ()  # things the documents row should say (non-UTF-8 name)


@dataclass
class CorpusWalk:
    """A walk over a corpus folder; iterate it for entries, then read `notes`."""

    root: Path
    notes: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[CorpusEntry]:
        root = Path(self.root)
        real_root = os.path.realpath(root)
        top = os.stat(root)
        yield from self._walk(root, "", real_root, ((top.st_dev, top.st_ino),))

    def _walk(
        self,
        folder: Path,
        prefix: str,
        real_root: str,
        ancestors: tuple[tuple[int, int], ...],
    ) -> Iterator[CorpusEntry]:
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as error:
            self.notes.append(f"{prefix or '.'}: folder not read ({_reason(error)})")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relative = f"{prefix}{entry.name}"
            path = folder / entry.name
            supported = is_supported(entry.name)
            problem, info = _follow(entry, real_root)
            if info is not None and stat.S_ISDIR(info.st_mode):
                if problem is not None:
                    self.notes.append(f"{doc_id_for(relative)}/: folder not read ({problem})")
                    continue
                key = (info.st_dev, info.st_ino)
                if key in ancestors:
                    self.notes.append(
                        f"{doc_id_for(relative)}/: folder not read (a symbolic link loop: "
                        "it leads back to a folder that contains it)"
                    )
                    continue
                yield from self._walk(path, relative + "/", real_root, (*ancestors, key))
                continue
            if not supported:
                continue
            if problem is None and info is not None and not stat.S_ISREG(info.st_mode):
                problem = f"{_file_type(info.st_mode)}, not a regular file: not read"
            yield CorpusEntry(
                doc_id=doc_id_for(relative),
                path=path,
                problem=problem,
                warnings=_name_warnings(relative),
            )


def corpus_entries(root: Path) -> Iterator[CorpusEntry]:
    """Every document below `root` (see `CorpusWalk` for what is reported, not read)."""
    return iter(CorpusWalk(Path(root)))


def doc_id_for(relative: str) -> str:
    """The doc_id of a corpus-relative path: `/`-separated, valid Unicode.

    Names that are not valid UTF-8 arrive from the OS with surrogate escapes; their raw
    bytes are shown as `\\xNN`, so the id is readable, storable and the same every run.
    """
    return os.fsencode(relative).decode("utf-8", "backslashreplace")


def _name_warnings(relative: str) -> tuple[str, ...]:
    if doc_id_for(relative) == relative:
        return ()
    return ("the file name is not valid UTF-8; its doc_id shows the undecodable bytes as \\xNN",)


def _follow(entry: os.DirEntry[str], real_root: str) -> tuple[str | None, os.stat_result | None]:
    """(problem, stat of what the entry leads to); a link is followed only inside the root."""
    if not entry.is_symlink():
        try:
            return None, entry.stat(follow_symlinks=False)
        except OSError as error:
            return f"could not be examined ({_reason(error)})", None
    target = os.readlink(entry.path)
    try:
        info = os.stat(entry.path)
    except FileNotFoundError:
        return f"a symbolic link to {target}, which does not exist", None
    except OSError as error:
        if error.errno == 40:  # ELOOP
            return "a symbolic link loop", None
        return f"a symbolic link to {target} that could not be followed ({_reason(error)})", None
    real = os.path.realpath(entry.path)
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        return (
            f"a symbolic link to {real}, outside the corpus folder: not read "
            "(copy the file into the corpus, or run on a folder that contains both)",
            info,
        )
    return None, info


def _file_type(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _reason(error: OSError) -> str:
    return error.strerror.lower() if error.strerror else type(error).__name__

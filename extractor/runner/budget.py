"""How much time and memory one document may take, and how to say it was too much.

A run extracts each document in a worker process that is killed when it takes longer
than `seconds` or its memory passes `memory_bytes`; the document becomes an error row
saying which budget it ran out of, and the run goes on. The defaults are far above what
real papers need, so they only ever stop a file that would otherwise hold the run for
hours or exhaust the machine. Measured on the sample corpus and ten PMC reports (2-54 KB,
text and PDF): at most 1.0 s per document, a worker peaking at 130 MB resident and 290 MB
of address space. Real text runs at about 35 µs per character, so 300 s is a text of
about 8 MB, and 4 GB is fourteen times the largest worker seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_SECONDS = 300.0
DEFAULT_MEMORY_BYTES = 4 * 1024**3
# A worker with the extractor loaded has about 300 MB of address space before any document.
MINIMUM_MEMORY_BYTES = 512 * 1024**2

_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Budget:
    """The most one document may take: wall-clock seconds and worker memory in bytes.

    Memory is the worker process's address space (what it may allocate), which includes
    the roughly 300 MB the loaded extractor itself takes.
    """

    seconds: float = DEFAULT_SECONDS
    memory_bytes: int = DEFAULT_MEMORY_BYTES

    def __post_init__(self) -> None:
        if self.seconds <= 0:
            raise ValueError("the time budget must be more than 0 seconds")
        if self.memory_bytes < MINIMUM_MEMORY_BYTES:
            raise ValueError(
                f"a memory budget of {format_size(self.memory_bytes)} is less than the "
                "extractor itself needs (about 300 MB); give at least 512MB"
            )

    def timeout_reason(self) -> str:
        return (
            f"took longer than {format_seconds(self.seconds)} (the --timeout budget); "
            "the run went on without it"
        )

    def memory_reason(self) -> str:
        return (
            f"needed more than {format_size(self.memory_bytes)} of memory "
            "(the --max-memory budget); the run went on without it"
        )


def parse_size(text: str) -> int:
    """Bytes in a size a person writes: `2GB`, `512M`, `1.5g`, `800MiB`, `1073741824`.

    Units are binary (1 GB = 1024³ bytes), as memory is counted.
    """
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a size; write it like 2GB or 512MB")
    number, unit = match.groups()
    return int(float(number) * _UNITS[unit.lower()])


def format_size(size: int) -> str:
    """`4 GB`, `512 MB`, `1.5 GB`: how a budget is shown in messages."""
    for unit, factor in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"


def format_seconds(seconds: float) -> str:
    return f"{seconds:g} s"

"""Markdown pipe tables (`| a | b |` over `|---|---|`) -> `Grid`.

The header is the `|` line(s) above the separator (markdown has one; the canonical form
repeats spanning cells over several); rows follow until a line without a `|`.
A row with more or fewer cells than the separator is kept whole (the grid is widened or
the row padded, never cut: no text is lost) and the grid marked uncertain, because which
column a surplus or missing cell belonged to cannot be known.
"""

from __future__ import annotations

import re

from extractor.tables.canonical import Grid

SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")


def is_pipe_row(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") or (stripped.count("|") >= 2 and not SEPARATOR.match(line))


def cells(line: str) -> list[str]:
    """The cells between the pipes (an escaped `\\|` is part of a cell)."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", body)]


def parse_pipe_table(lines: list[str], separator: int) -> tuple[Grid, int, int] | None:
    """The pipe table whose separator is `lines[separator]`: (grid, first, last) line
    indices, or None when the line above is not a header row."""
    if separator == 0 or not is_pipe_row(lines[separator - 1]):
        return None
    width = len(cells(lines[separator]))
    first = separator - 1
    while first > 0 and lines[first - 1].strip().startswith("|"):
        first -= 1  # header rows over header rows: the canonical form's spanning headers
    header = [cells(x) for x in lines[first:separator]]
    body: list[list[str]] = []
    last = separator
    while last + 1 < len(lines) and is_pipe_row(lines[last + 1]):
        last += 1
        body.append(cells(lines[last]))
    uncertain = any(len(r) != width for r in [*header, *body])
    return Grid(header, body, uncertain=uncertain), first, last

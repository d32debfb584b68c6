"""Pandoc grid tables (`+---+---+` borders, `+===+` under the header) -> `Grid`.

Columns are where the top border has its `+`; a row is every line between two borders,
its cells joined line by line. A cell that spans columns leaves out the `|` between them,
so its text is repeated in each column it spans, as the canonical form asks.
"""

from __future__ import annotations

import re

from extractor.tables.canonical import Grid

BORDER = re.compile(r"^\s*\+(?:[-=:]+\+)+\s*$")


def parse_grid_table(lines: list[str], top: int) -> tuple[Grid, int, int] | None:
    """The grid table whose top border is `lines[top]`: (grid, first, last) indices."""
    border = lines[top]
    bounds = [i for i, ch in enumerate(border) if ch == "+"]
    if len(bounds) < 2:
        return None
    header: list[list[str]] = []
    body: list[list[str]] = []
    pending: list[str] = []
    last = top
    uncertain = False
    index = top + 1
    while index < len(lines):
        line = lines[index]
        if BORDER.match(line):
            if pending:
                row, odd = _row(pending, bounds)
                uncertain |= odd
                body.append(row)
                pending = []
            if "=" in line:
                header, body = header + body, []
            last = index
        elif line.strip().startswith("|"):
            pending.append(line)
        else:
            break
        index += 1
    if pending or last == top:
        return None  # no closing border: not a grid table
    return Grid(header, body, uncertain=uncertain), top, last


def _row(lines: list[str], bounds: list[int]) -> tuple[list[str], bool]:
    """One row's cells; a missing inner `|` joins two columns into one spanning cell."""
    ncols = len(bounds) - 1
    width = bounds[-1] + 1
    padded = [line.ljust(width) for line in lines]
    joined = [any(p[bounds[j]] != "|" for p in padded) for j in range(1, ncols)]
    odd = any(p[bounds[-1]] != "|" or len(p.rstrip()) > width for p in padded)
    cells: list[str] = []
    j = 0
    while j < ncols:
        k = j
        while k < ncols - 1 and joined[k]:
            k += 1
        parts = (p[bounds[j] + 1 : bounds[k + 1]].strip() for p in padded)
        text = " ".join(t for t in parts if t)
        cells += [text] * (k - j + 1)
        j = k + 1
    return cells, odd

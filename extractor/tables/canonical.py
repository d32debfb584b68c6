"""A table as rows of cell texts, and its rendering into the canonical block.

Every text-table parser (pipe, grid, simple and multiline pandoc tables, space-aligned
tables) produces a `Grid`; `render` writes it in the one form of docs/TABLE_TEXT.md, which
`extractor/tables/reader.py` reads back. Keeping the grid apart from the text layouts
means the repairs of a layout's losses (`repair.py`) and the rendering are written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extractor.tables.markup import clean_caption, clean_cell


@dataclass
class Grid:
    """Header rows and body rows of equal width, with what surrounds them.

    `uncertain` is set by a parser or a repair that placed a cell in a column with doubt;
    the block is then written with `===` so that every row read from it is flagged.
    """

    header: list[list[str]] = field(default_factory=list)
    body: list[list[str]] = field(default_factory=list)
    caption: str | None = None
    footnotes: list[str] = field(default_factory=list)
    uncertain: bool = False

    @property
    def ncols(self) -> int:
        return max((len(r) for r in [*self.header, *self.body]), default=0)

    def squared(self) -> Grid:
        """Every row padded to the widest; a row that needed padding is ragged: uncertain."""
        width = self.ncols
        ragged = any(len(r) != width for r in [*self.header, *self.body])
        pad = lambda rows: [r + [""] * (width - len(r)) for r in rows]  # noqa: E731
        return Grid(
            pad(self.header), pad(self.body), self.caption, self.footnotes, self.uncertain or ragged
        )


def render(grid: Grid) -> str:
    """The canonical block (no blank lines inside); '' when the grid has no cells."""
    grid = grid.squared()
    width = grid.ncols
    if not width or not grid.body:
        return ""
    lines = []
    if grid.caption and clean_caption(grid.caption):
        lines.append(clean_caption(grid.caption))
    for row in grid.header:
        cells = [clean_cell(c) for c in row]
        if any(cells):
            lines.append(_row(cells))
    rule = "===" if grid.uncertain else "---"
    lines.append("|" + "|".join([rule] * width) + "|")
    lines += [_row([clean_cell(c) for c in row]) for row in grid.body]
    lines += [n for n in (clean_caption(f) for f in grid.footnotes) if n]
    return "\n".join(lines)


def _row(cells: list[str]) -> str:
    return "|" + "|".join(f" {c} " if c else " " for c in cells) + "|"

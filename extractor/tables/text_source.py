"""Text tables -> canonical blocks, before `normalise` collapses their spaces.

A `.txt` or `.md` file may hold markdown pipe tables, pandoc grid, simple and multiline
tables, space-aligned tables without rules, and pandoc's `::::table-wrap` fences with
their `::: caption` block and footnote paragraphs (as in PMC articles converted to
markdown). Aligned columns only exist before the spaces are collapsed, so this step runs
between the text reader and `normalise`: it finds each table, reads it into a `Grid`,
repairs what the layout lost of the header (`repair.py`) and writes it back as the
canonical block of docs/TABLE_TEXT.md, between blank lines, with its caption and notes.
Everything else in the file is left exactly as it was.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import Any

from extractor.annotate.statistics import StatisticParser
from extractor.header_words import HeaderWords
from extractor.tables.aligned_tables import (
    COLUMN_RULE,
    FRAME_RULE,
    blank,
    parse_ruled_table,
    parse_unruled_table,
)
from extractor.tables.canonical import Grid, render
from extractor.tables.grid_tables import BORDER, parse_grid_table
from extractor.tables.pipe_tables import SEPARATOR, parse_pipe_table
from extractor.tables.readings import holds_statistic
from extractor.tables.repair import repair
from extractor.types import RawText

_FENCE_OPEN = re.compile(r"(?P<colons>:{3,})\s*\{?\s*\.?table-wrap\s*\}?[ \t]*\n?")
_CAPTION_BLOCK = re.compile(r"^\s*:{3,}\s*\{?\s*\.?caption\s*\}?\s*$")
_DIV_END = re.compile(r"^\s*:{3,}\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_DASHES = re.compile(r"[-–—−.…\s]+")
# a footnote paragraph under a table starts with its marker
_MARKER = re.compile(r"^\s*(?:\^[^^\s]{1,4}\^|[*†‡§¶#¤]+|[a-z]\s|\d\s)")


@dataclass(frozen=True)
class _Found:
    """A table found in a list of lines: its grid and the lines it covers."""

    grid: Grid
    first: int
    last: int
    positional: bool = True  # columns given by positions, not by separators


class TextTables:
    """Finds and renders the tables of one text; built once per patterns directory."""

    def __init__(self, parser: StatisticParser, words: HeaderWords) -> None:
        self.parser = parser
        self.words = words

    def is_statistic(self, cell: str) -> bool:
        """A number a table reports, whatever its brackets are declared to mean."""
        return holds_statistic(cell, self.parser)

    def is_value(self, cell: str) -> bool:
        """A cell of an aligned table: a statistic, or a placeholder for none."""
        stripped = cell.strip()
        return (
            self.is_statistic(stripped)
            or bool(self.words.empty_cell.fullmatch(stripped))
            or bool(stripped and not _DASHES.sub("", stripped))
        )

    # -- the whole text --------------------------------------------------------------------

    def render_text(self, text: str) -> str:
        """`text` with every table it holds in the canonical form."""
        pieces: list[tuple[str, bool]] = []
        pos = 0
        for opener in _FENCE_OPEN.finditer(text):
            if opener.start() < pos:
                continue
            closer = _fence_end(text, opener)
            if closer is None:
                continue
            pieces += self._render_loose(text[pos : opener.start()])
            pieces += self._render_fence(text[opener.end() : closer[0]])
            pos = closer[1]
        pieces += self._render_loose(text[pos:])
        return _join(pieces)

    def _render_fence(self, inner: str) -> list[tuple[str, bool]]:
        """A `::::table-wrap` fence: its caption, tables and footnote paragraphs."""
        lines = inner.split("\n")
        caption_lines: list[str] = []
        index = 0
        while index < len(lines) and blank(lines[index]):
            index += 1
        if index < len(lines) and _CAPTION_BLOCK.match(lines[index]):
            index += 1
            while index < len(lines) and not _DIV_END.match(lines[index]):
                caption_lines.append(lines[index])
                index += 1
            index += 1
        caption = " ".join(c.strip() for c in caption_lines if c.strip()) or None
        found = self._tables(lines, index, len(lines), fenced=True)
        start = found[0].first if found else len(lines)
        after = found[-1].last + 1 if found else index
        notes = _paragraphs([_IMAGE.sub("", x) for x in lines[index:start] + lines[after:]])
        blocks = self._blocks(found, caption, notes)
        if not blocks:  # a table given as an image: its caption and notes stay as prose
            return [(p, True) for p in [caption or "", *notes] if p.strip()]
        return [(b, True) for b in blocks]

    def _render_loose(self, text: str) -> list[tuple[str, bool]]:
        """Tables outside fences: each with a `Table N` caption and notes around it."""
        lines = text.split("\n")
        found = self._tables(lines, 0, len(lines), fenced=False)
        if not found:
            return [(text, False)]
        out: list[tuple[str, bool]] = []
        pos = 0
        for table in found:
            first, caption, notes_above = self._caption_above(lines, table.first, pos)
            last, notes = self._notes_below(lines, table.last)
            out.append(("\n".join(lines[pos:first]), False))
            out += [(b, True) for b in self._blocks([table], caption, notes_above + notes)]
            pos = last + 1
        out.append(("\n".join(lines[pos:]), False))
        return out

    def _blocks(self, found: list[_Found], caption: str | None, notes: list[str]) -> list[str]:
        """Canonical blocks for the tables of one caption: each part gets the caption,
        the last one the notes."""
        grids: list[Grid] = []
        for table in found:
            grids += repair(table.grid, self.is_statistic, table.positional)
        blocks = []
        for i, grid in enumerate(grids):
            grid.caption = caption
            grid.footnotes = notes if i == len(grids) - 1 else []
            block = render(grid)
            if block:
                blocks.append(block)
        return blocks

    # -- finding tables in lines ------------------------------------------------------------

    def _tables(self, lines: list[str], low: int, high: int, fenced: bool) -> list[_Found]:
        lines = lines if high == len(lines) else lines[:high]
        found: list[_Found] = []
        index = low
        while index < high:
            table = self._table_at(lines, index, low, high, fenced)
            if table is None:
                index += 1
                continue
            if found and table.first <= found[-1].last:
                index = max(index + 1, found[-1].last + 1)
                continue
            found.append(table)
            index = table.last + 1
            low = index
        return found

    def _table_at(
        self, lines: list[str], index: int, low: int, high: int, fenced: bool
    ) -> _Found | None:
        line = lines[index]
        parsed = None
        positional = False
        if SEPARATOR.match(line):
            parsed = parse_pipe_table(lines, index)
        elif BORDER.match(line):
            parsed = parse_grid_table(lines, index)
        elif COLUMN_RULE.match(line):
            parsed, positional = parse_ruled_table(lines, index, low, high, fenced), True
        elif FRAME_RULE.match(line) and not fenced:
            return None  # a horizontal rule alone is no table
        elif not blank(line):
            parsed, positional = parse_unruled_table(lines, index, self.is_value), True
        if parsed is None:
            return None
        grid, first, last = parsed
        return _Found(grid, max(first, low), last, positional)

    # -- captions and notes outside fences ---------------------------------------------------

    def _caption_above(
        self, lines: list[str], first: int, floor: int
    ) -> tuple[int, str | None, list[str]]:
        """A `Table N` caption a few lines above the table, with the notes between them
        (`Values are mean ± SD`): (first line of the table's text, caption, notes)."""
        index = first - 1
        gathered: list[str] = []
        while index >= floor and first - index <= 6:
            text = lines[index]
            if blank(text):
                index -= 1
                continue
            if self.words.caption.match(text):
                return index, text.strip(), gathered
            if self.words.note_line.match(text) and len(text) < 300:
                gathered.insert(0, text.strip())
                index -= 1
                continue
            break
        return first, None, []

    def _notes_below(self, lines: list[str], last: int) -> tuple[int, list[str]]:
        """Footnote lines right under a table (one blank line allowed before them)."""
        index = last + 1
        notes: list[str] = []
        end = last
        while index < len(lines):
            text = lines[index]
            if blank(text):
                if notes or index > last + 1:
                    break
                index += 1
                continue
            if not (_MARKER.match(text) or self.words.note_line.match(text)):
                break
            notes.append(text.strip())
            end = index
            index += 1
        return end, notes


def _fence_end(text: str, opener: re.Match[str]) -> tuple[int, int] | None:
    """(start, end) of the `::::` closing a table-wrap fence opened by `opener`."""
    colons = len(opener.group("colons"))
    closer = re.compile(rf"(?<!:):{{{colons}}}(?!:)(?!\s*\{{?\s*\.?table-wrap)[ \t]*")
    match = closer.search(text, opener.end())
    return (match.start(), match.end()) if match else None


def _paragraphs(lines: list[str]) -> list[str]:
    """Footnote paragraphs: wrapped lines joined, blank lines between them."""
    out: list[str] = []
    current: list[str] = []
    for line in lines:
        if blank(line):
            if current:
                out.append(" ".join(current))
                current = []
            continue
        current.append(line.strip())
    if current:
        out.append(" ".join(current))
    return out


def _join(pieces: list[tuple[str, bool]]) -> str:
    """Prose as it was; each block alone between blank lines (docs/TABLE_TEXT.md)."""
    out = ""
    for text, is_block in pieces:
        if not is_block:
            out += text.lstrip(" \t\n") if out.endswith("\n\n") else text
            continue
        out = out.rstrip(" \t\n")
        out += ("\n\n" if out else "") + text.strip("\n") + "\n\n"
    return out


def render_text_tables(raw: RawText, vocab: Any) -> RawText:
    """The raw text of a text file with its tables in the canonical form."""
    tables = _text_tables(vocab)
    pages = [tables.render_text(page) for page in raw.pages]
    return raw if pages == raw.pages else replace(raw, pages=pages)


@functools.lru_cache(maxsize=8)
def _text_tables(vocab: Any) -> TextTables:
    """One renderer per vocabulary (the parser is compiled once per patterns folder)."""
    return TextTables(StatisticParser.load(vocab.directory), vocab.table_headers)

"""pdfplumber (pdfminer) as the second reader: for pages whose text PDFium cannot decode.

pdfminer is some fifty times slower than PDFium, so it is opened only when a page needs
it, and then read one page at a time with its object cache off (the cache would keep every
page's content stream, so memory would grow with the page count).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pdfplumber
from pdfminer.pdfpage import PDFPage
from pdfplumber.page import Page
from pdfplumber.utils import extract_words

from extractor.ingest.pdf_layout import Word
from extractor.ingest.pdf_pdfium import PageText

# Two characters closer than this share a word. Relative to the font size because an
# absolute tolerance glues small-print words (a 7 pt space is ~2 pt) and splits large ones;
# 0.15 em sits between normal letter spacing (~0) and the narrowest justified word space
# (~0.22 em in TeX output, which often has no space characters at all).
X_TOLERANCE_RATIO = 0.15
# Characters whose tops differ by less than this are on one text line for pdfplumber.
Y_TOLERANCE = 3.0
# The same glyph drawn again within this many points is fake bold, not a second letter.
DEDUPE_TOLERANCE = 1.0


@dataclass(frozen=True)
class RuledTable:
    """Where the rules of a table put its columns (x ranges) and rows (y ranges)."""

    columns: list[tuple[float, float]]
    rows: list[tuple[float, float]]


class PlumberDocument:
    """A pdfplumber view of the same bytes, opened on first use."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pdf: pdfplumber.PDF | None = None
        self._pages: list[Any] | None = None

    def page_text(self, index: int) -> PageText:
        """The words of page `index` (0-based) read by pdfminer."""
        pdf = self._open()
        assert self._pages is not None
        page = Page(pdf, self._pages[index], page_number=index + 1, initial_doctop=0)
        try:
            return _page_text(page)
        finally:
            page.close()

    def tables(self, index: int, shift: float) -> list[RuledTable]:
        """pdfplumber's ruled tables on page `index`: the x range of each column and the y
        range of each row, moved up by `shift` points (from the media box's top to the
        crop box's). The cells' text is taken from the fast reader's words, not from
        pdfplumber, whose word spacing is cruder."""
        pdf = self._open()
        assert self._pages is not None
        page = Page(pdf, self._pages[index], page_number=index + 1, initial_doctop=0)
        try:
            return [
                RuledTable(
                    columns=[(c.bbox[0], c.bbox[2]) for c in t.columns],
                    rows=[(r.bbox[1] - shift, r.bbox[3] - shift) for r in t.rows],
                )
                for t in page.find_tables()
            ]
        finally:
            page.close()

    def close(self) -> None:
        if self._pdf is not None:
            # Not pdf.close(): it would build every Page object just to close them.
            self._pdf.flush_cache()
            self._pdf = None

    def _open(self) -> pdfplumber.PDF:
        if self._pdf is None:
            self._pdf = pdfplumber.open(io.BytesIO(self._data))
            self._pdf.doc.caching = False
            self._pages = list(PDFPage.create_pages(self._pdf.doc))
        return self._pdf


def _page_text(page: Page) -> PageText:
    """Words in the reading frame, as PDFium's reader gives them: upright words, and the
    words at right angles already turned upright."""
    x0, top, x1, bottom = (float(v) for v in page.bbox)
    chars = [
        c
        for c in _unique_chars(page.chars)
        if c["x1"] > x0 and c["x0"] < x1 and c["bottom"] > top and c["top"] < bottom
    ]
    upright = [c for c in chars if c["upright"]]
    sideways = [c for c in chars if not c["upright"]]
    upright_words = _extract(upright)
    turned_words = _extract(_turn_upright(sideways, page.bbox)) if sideways else []
    undecoded = sum(w.text.count("(cid:") for w in upright_words + turned_words)
    return PageText(
        upright=upright_words,
        turned=turned_words,
        frame=(top, bottom),
        turned_frame=(0.0, x1 - x0),
        upright_visible=sum(1 for c in upright if c["text"].strip()),
        turned_visible=sum(1 for c in sideways if c["text"].strip()),
        undecoded=undecoded,
        chars=len(chars),
        read_chars=len(chars),
    )


def _extract(chars: list[dict[str, Any]]) -> list[Word]:
    raw = extract_words(
        chars,
        x_tolerance_ratio=X_TOLERANCE_RATIO,
        y_tolerance=Y_TOLERANCE,
        keep_blank_chars=False,
        use_text_flow=False,
        expand_ligatures=False,  # the normaliser mends ligatures for every source
    )
    return [
        Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]))
        for w in raw
        if w["text"].strip()
    ]


def _turn_upright(chars: list[dict[str, Any]], bbox: Sequence[float]) -> list[dict[str, Any]]:
    """Characters written at right angles, in the frame where their text is upright.

    Text rotated anticlockwise reads bottom to top with its lines stacked left to right;
    clockwise, top to bottom with lines stacked right to left. The direction is taken from
    the glyph matrix of the majority.
    """
    x0, top, x1, bottom = (float(v) for v in bbox)
    anticlockwise = 2 * sum(1 for c in chars if c["matrix"][1] > 0) >= len(chars)
    turned = []
    for c in chars:
        if anticlockwise:
            box = (bottom - c["bottom"], bottom - c["top"], c["x0"] - x0, c["x1"] - x0)
        else:
            box = (c["top"] - top, c["bottom"] - top, x1 - c["x1"], x1 - c["x0"])
        turned.append(
            {
                **c,
                "x0": box[0],
                "x1": box[1],
                "top": box[2],
                "bottom": box[3],
                "doctop": box[2],
                "upright": True,
            }
        )
    return turned


def _unique_chars(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Characters minus copies of the same glyph drawn within DEDUPE_TOLERANCE of another.

    pdfplumber's own `dedupe_chars` orders its result with `list.index`, which is quadratic
    in the characters on the page; a grid of tolerance-sized cells makes this linear.
    """
    kept: list[dict[str, Any]] = []
    grid: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for char in chars:
        cx = int(char["x0"] // DEDUPE_TOLERANCE)
        cy = int(char["top"] // DEDUPE_TOLERANCE)
        near = (
            other
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for other in grid.get((cx + dx, cy + dy), ())
        )
        if any(
            other["text"] == char["text"]
            and other["fontname"] == char["fontname"]
            and other["size"] == char["size"]
            and abs(other["x0"] - char["x0"]) <= DEDUPE_TOLERANCE
            and abs(other["top"] - char["top"]) <= DEDUPE_TOLERANCE
            for other in near
        ):
            continue
        kept.append(char)
        grid.setdefault((cx, cy), []).append(char)
    return kept

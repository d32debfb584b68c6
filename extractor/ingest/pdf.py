"""PDF bytes -> RawText: one string per page, body lines in reading order.

The normaliser downstream joins lines, mends hyphenation and ligatures for text and PDF
alike, so this reader must not: its job is to hand over *faithful lines in the right order*.
Four things stand between pdfplumber's characters and that:

* Running headers and footers (journal names, "Page 3 of 9", copyright lines) repeat on
  every page and would land in the middle of sentences that cross a page break, so lines in
  the top and bottom margin bands whose text repeats on most pages are dropped.
* Two-column pages interleave the columns if read row by row, so a vertical gutter is looked
  for in the word positions and the columns are read one after the other.
* Text at right angles: a margin stamp would be spliced into body lines, so it is set
  aside (with a warning); a page that is mostly sideways (a landscape table) is turned.
* Broken input must become an `IngestError` a reviewer can act on, never a traceback.

Pages are read one at a time and their caches dropped, so memory does not grow with the
page count; only a few small records per text line are kept until the end, because
running headers can only be recognised once every page has been seen.
"""

from __future__ import annotations

import io
import re
import statistics
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFNoValidXRef, PDFPasswordIncorrect
from pdfminer.pdfpage import PDFPage
from pdfminer.psexceptions import PSEOF
from pdfplumber.page import Page
from pdfplumber.utils import extract_words
from pdfplumber.utils.exceptions import PdfminerException

from extractor.types import IngestError, RawText

# Two characters closer than this share a word. Relative to the font size because an
# absolute tolerance glues small-print words (a 7 pt space is ~2 pt) and splits large ones;
# 0.15 em sits between normal letter spacing (~0) and the narrowest justified word space
# (~0.22 em in TeX output, which often has no space characters at all).
X_TOLERANCE_RATIO = 0.15
# Characters whose tops differ by less than this are on one text line for pdfplumber.
Y_TOLERANCE = 3.0
# The same glyph drawn again within this many points is fake bold, not a second letter.
DEDUPE_TOLERANCE = 1.0

# Share of the page height at the top and at the bottom where running headers and footers
# live. Only the group of lines nearest the page edge is considered: a vertical gap wider
# than EDGE_GAP_EM ems separates it from body lines that happen to reach into the band.
MARGIN_BAND = 0.1
EDGE_GAP_EM = 2.0
# Such an edge line is a running header/footer if its digit-normalised text is at a page
# edge on at least two pages and on at least this share of pages (alternating odd/even
# headers each cover about half). A page-number-only edge line goes whatever its count.
RUNNING_SHARE = 0.4

# Column detection. The gutter is looked for in the middle 40% of the text's width, must
# be clear of words over at least (1 - GUTTER_MAX_COVERAGE) of the text's height (a
# full-width title or table above or below the columns may cross it), and must be wider
# than an ordinary word space.
GUTTER_SEARCH = (0.3, 0.7)
GUTTER_MAX_COVERAGE = 0.4
GUTTER_MIN_WIDTH_EM = 0.6
MIN_COLUMN_LINES = 6
# Lines that look like running text rather than table cells: enough words, and no gap
# between words wider than this many ems. Both columns must be mostly such lines, so a
# two-column table (label | value) is not mistaken for two columns of text.
PROSE_MIN_WORDS = 3
PROSE_MAX_GAP_EM = 1.5
PROSE_MIN_SHARE = 0.5
# Half the left column's lines must end within this share of the column width of the
# gutter, as running text does (justified or ragged).
FULL_LINE_SLACK = 0.3
# A row whose gap at the gutter is at most this many times its median word space is one
# full-width line whose word space happens to fall on the gutter.
FULL_WIDTH_GAP_RATIO = 2.0

# Paragraphs. A line starts a paragraph when its distance from the line above exceeds the
# page's usual line pitch for that font size by more than this many ems, or when the font
# size changes by more than SIZE_CHANGE (a heading and the text under it).
PARAGRAPH_EXTRA_EM = 0.4
SIZE_CHANGE = 0.15
DEFAULT_PITCH_EM = 1.2

# Lines that are nothing but a page number: "3", "- 3 -", "Page 3", "Page 3 of 9", "3/9", "iv".
# Roman numerals (front matter) only in lower case and up to xxxix: a lone "I" or "C" is
# more likely a letter.
_PAGE_NUMBER = re.compile(
    r"(?i:(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|[-–—]\s*\d{1,4}\s*[-–—])"
    r"|(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3})"
)
_SENTENCE_END = re.compile(r"[.!?:][\"'”’)\]]*$")

_NO_TEXT_LAYER = "the PDF has no text layer (it looks like a scanned image); OCR it first"
_ENCRYPTED = "the PDF is encrypted and cannot be read without a password"


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True, slots=True)
class _Line:
    """A text line with just enough geometry to decide headers, order and paragraphs."""

    text: str
    x0: float
    x1: float
    bottom: float  # median word bottom: close to the baseline, ignores superscripts
    size: float  # median word height, i.e. the font size near enough
    column: int  # 0 full width (or single-column page), 1 left column, 2 right column
    block: int  # which run of columns between full-width lines it belongs to
    top: float  # top of the tallest word
    edge: bool = False  # in the outermost group of lines of the top or bottom margin band


@dataclass(frozen=True, slots=True)
class _PageLines:
    lines: list[_Line]
    has_graphics: bool  # images or vector drawing: tells a scan from a blank page
    set_aside: int = 0  # visible characters left out for running at right angles


def read_pdf(data: bytes) -> RawText:
    """Read a PDF into one body-text string per page, in reading order.

    Raises IngestError, with a reason a reviewer understands, for anything that is not a
    readable PDF with a text layer; a page that cannot be read or has no text is an empty
    string plus a warning, so one bad page does not lose the rest of the document.
    """
    _check_signature(data)
    failures: list[tuple[int, Exception]] = []
    try:
        pages = _read_pages(data, failures)
    except MemoryError:
        raise IngestError("the PDF is too large to read in the available memory") from None
    except Exception as exc:  # pdfminer raises almost anything on malformed input
        raise _translate(exc, data) from exc
    if not pages:
        raise IngestError("the PDF has no pages")
    if len(failures) == len(pages):
        raise _translate(failures[0][1], data) from failures[0][1]
    warnings = [
        f"page {number} could not be read ({_describe(exc)}); left empty"
        for number, exc in failures
    ]

    running = _running_keys(pages)
    texts = [_render(page.lines, running) for page in pages]
    if not any(text.strip() for text in texts):
        if any(page.has_graphics or page.lines for page in pages):
            raise IngestError(_NO_TEXT_LAYER)
        raise IngestError("the PDF has no text layer and its pages look blank")

    scanned = [
        i
        for i, (text, page) in enumerate(zip(texts, pages, strict=True), 1)
        if not text.strip() and page.has_graphics
    ]
    if scanned:
        warnings.append(
            f"no text layer on page {_page_list(scanned)} (scanned images?); left empty"
        )
    sideways = [i for i, page in enumerate(pages, 1) if page.set_aside]
    if sideways:
        warnings.append(
            f"text at right angles to the page left out on page {_page_list(sideways)} "
            "(margin stamps?)"
        )
    if any("(cid:" in text for text in texts):
        warnings.append(
            "some characters could not be decoded (a font has no Unicode mapping) and "
            "appear as (cid:N)"
        )
    return RawText(pages=texts, source_type="pdf", paginated=True, warnings=tuple(warnings))


def _page_list(numbers: Sequence[int]) -> str:
    """1, 2, 3, 5 -> "1–3, 5": warnings stay short for long documents."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _check_signature(data: bytes) -> None:
    """Fail early and plainly on files that are not PDFs at all (HTML error pages, text)."""
    if not data:
        raise IngestError("the file is empty, so it is not a readable PDF")
    # The spec allows junk before the header as long as it is within the first 1024 bytes.
    if b"%PDF-" not in data[:1024]:
        head = data[:60].split(b"\n")[0].decode("ascii", errors="replace").strip()
        hint = f" (it starts with {head!r})" if head and head.isprintable() else ""
        raise IngestError(f"the file is not a PDF: it has no %PDF- header{hint}")


def _read_pages(data: bytes, failures: list[tuple[int, Exception]]) -> list[_PageLines]:
    pdf = pdfplumber.open(io.BytesIO(data))
    # Objects are re-parsed on demand instead of cached for the life of the document: the
    # cache would keep every page's decompressed content stream, so memory would grow with
    # the page count. Fonts stay cached in the resource manager, which is what matters.
    pdf.doc.caching = False
    pages: list[_PageLines] = []
    try:
        for page in _iter_pages(pdf):
            try:
                pages.append(_read_page(page))
            except Exception as exc:  # one unreadable page must not lose the others
                failures.append((page.page_number, exc))
                pages.append(_PageLines(lines=[], has_graphics=False))
            finally:
                page.close()
    finally:
        # Not pdf.close(): it would build every Page object just to close them.
        pdf.flush_cache()
    return pages


def _iter_pages(pdf: pdfplumber.PDF) -> Iterator[Page]:
    """Pages one at a time, unlike `pdf.pages`, which builds and keeps them all."""
    for number, page_obj in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        yield Page(pdf, page_obj, page_number=number, initial_doctop=0)


def _read_page(page: Page) -> _PageLines:
    words, (top, bottom), set_aside = _words(page)
    has_graphics = bool(page.images or page.rects or page.curves or page.lines)
    if not words:
        return _PageLines(lines=[], has_graphics=has_graphics, set_aside=set_aside)
    band = MARGIN_BAND * (bottom - top)
    rows = _rows(words)
    body = (top + band, bottom - band)
    lines = _ordered_lines(rows, _column_split(words, rows, body))
    return _PageLines(
        lines=_mark_edges(lines, *body), has_graphics=has_graphics, set_aside=set_aside
    )


def _words(page: Page) -> tuple[list[_Word], tuple[float, float], int]:
    """The words of the page in its reading frame, the frame's top and bottom, and how
    many characters were set aside because they run in another direction.

    Duplicate glyphs (fake bold: the same glyph drawn twice, slightly offset) are dropped.
    Text at right angles to most of the page is set aside: a vertical margin stamp
    ("Downloaded from ...") would otherwise be spliced into the lines beside it. When most
    of the page is at right angles (a landscape table, a page with /Rotate), the page is
    turned so that text is upright and read normally.
    """
    x0, top, x1, bottom = (float(v) for v in page.bbox)
    chars = [
        c
        for c in _unique_chars(page.chars)
        if c["x1"] > x0 and c["x0"] < x1 and c["bottom"] > top and c["top"] < bottom
    ]
    upright = [c for c in chars if c["upright"]]
    sideways = [c for c in chars if not c["upright"]]
    upright_visible = sum(1 for c in upright if c["text"].strip())
    sideways_visible = sum(1 for c in sideways if c["text"].strip())
    if upright_visible >= sideways_visible:
        kept, frame, set_aside = upright, (top, bottom), sideways_visible
    else:
        kept, frame, set_aside = _turn_upright(sideways, page.bbox), (0.0, x1 - x0), upright_visible
    raw = extract_words(
        kept,
        x_tolerance_ratio=X_TOLERANCE_RATIO,
        y_tolerance=Y_TOLERANCE,
        keep_blank_chars=False,
        use_text_flow=False,
        expand_ligatures=False,  # the normaliser mends ligatures for every source
    )
    words = [
        _Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]))
        for w in raw
        if w["text"].strip()
    ]
    return words, frame, set_aside


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


def _rows(words: Sequence[_Word]) -> list[list[_Word]]:
    """Group words whose vertical middles are within half a line of each other.

    The first word of a row anchors it, so rows cannot chain into each other. Rows span the
    whole page width; columns are separated afterwards.
    """
    rows: list[list[_Word]] = []
    anchor: _Word | None = None
    for word in sorted(words, key=lambda w: (w.middle, w.x0)):
        if anchor is not None and word.middle - anchor.middle <= 0.5 * max(
            word.height, anchor.height
        ):
            rows[-1].append(word)
        else:
            rows.append([word])
            anchor = word
    for row in rows:
        row.sort(key=lambda w: w.x0)
    return rows


def _column_split(
    words: Sequence[_Word], rows: Sequence[list[_Word]], body: tuple[float, float]
) -> float | None:
    """The x of the gutter of a two-column page, or None for a single-column page.

    The gutter is the widest strip in the middle of the text that words cross over only a
    small share of the text's height; the split is put where the fewest words cross it.
    """
    if len(rows) < MIN_COLUMN_LINES:
        return None
    left = min(w.x0 for w in words)
    right = max(w.x1 for w in words)
    span = right - left
    total = _union_length([(w.top, w.bottom) for w in words])
    if span <= 0 or total <= 0:
        return None
    start = int(left + GUTTER_SEARCH[0] * span)
    stop = int(left + GUTTER_SEARCH[1] * span)
    crossing: list[list[tuple[float, float]]] = [[] for _ in range(start, stop + 1)]
    for w in words:
        for x in range(max(start, int(w.x0) + 1), min(stop, int(w.x1)) + 1):
            if w.x0 < x < w.x1:
                crossing[x - start].append((w.top, w.bottom))
    coverage = [_union_length(spans) / total for spans in crossing]

    em = statistics.median(w.height for w in words)
    runs = _runs([c <= GUTTER_MAX_COVERAGE for c in coverage])
    runs = [r for r in runs if r[1] - r[0] >= GUTTER_MIN_WIDTH_EM * em]
    if not runs:
        return None
    run_start, run_stop = max(runs, key=lambda r: (r[1] - r[0], -min(coverage[r[0] : r[1]])))
    lowest = min(coverage[run_start:run_stop])
    clear = _runs(
        [run_start <= i < run_stop and coverage[i] <= lowest + 0.02 for i in range(len(coverage))]
    )
    clear_start, clear_stop = max(clear, key=lambda r: r[1] - r[0])
    split = start + (clear_start + clear_stop - 1) / 2

    # Judge the columns on body rows only: a page number at the top right must not pass
    # for a right column.
    sides: tuple[list[list[_Word]], list[list[_Word]]] = ([], [])
    for row in rows:
        if _is_full_width(row, split) or not body[0] < row[0].middle < body[1]:
            continue
        for side, part in zip(sides, _halves(row, split), strict=True):
            if part:
                side.append(part)
    if not sides[0] or not sides[1] or len(sides[0]) + len(sides[1]) < MIN_COLUMN_LINES:
        return None
    if not all(_mostly_prose(side, em) for side in sides):
        return None
    # A left column's lines run up to the gutter; short lines (headings, list items, code)
    # that merely stop before the middle of a single-column page do not.
    column_width = split - left
    if statistics.median(split - line[-1].x1 for line in sides[0]) > FULL_LINE_SLACK * column_width:
        return None
    return split


def _mostly_prose(lines: Sequence[list[_Word]], em: float) -> bool:
    def prose(line: list[_Word]) -> bool:
        gaps = [b.x0 - a.x1 for a, b in zip(line, line[1:], strict=False)]
        return len(line) >= PROSE_MIN_WORDS and max(gaps) <= PROSE_MAX_GAP_EM * em

    # Short last lines of paragraphs and headings are not prose-like, so a share is asked
    # for; a column of one or two lines (the end of an article) needs one prose line.
    count = sum(prose(line) for line in lines)
    return count >= 1 if len(lines) <= 2 else count >= PROSE_MIN_SHARE * len(lines)


def _ordered_lines(rows: Sequence[list[_Word]], split: float | None) -> list[_Line]:
    """Lines in reading order: each run of column rows is read left column then right.

    A full-width row (one with a word crossing the gutter: a title, a wide table, a
    caption) closes the run of columns above it, so a title above two columns is read
    first and a full-width footnote after them.
    """
    out: list[_Line] = []
    left: list[_Line] = []
    right: list[_Line] = []
    block = 0

    def line(words: list[_Word], column: int) -> _Line:
        return _Line(
            text=" ".join(w.text for w in words),
            x0=words[0].x0,
            x1=max(w.x1 for w in words),
            bottom=statistics.median(w.bottom for w in words),
            size=statistics.median(w.height for w in words),
            column=column,
            block=block,
            top=min(w.top for w in words),
        )

    def flush() -> None:
        nonlocal block
        if left or right:
            out.extend(left)
            out.extend(right)
            left.clear()
            right.clear()
            block += 1

    for row in rows:
        if split is None:
            out.append(line(row, 0))
        elif _is_full_width(row, split):
            flush()
            out.append(line(row, 0))
        else:
            left_words, right_words = _halves(row, split)
            if left_words:
                left.append(line(left_words, 1))
            if right_words:
                right.append(line(right_words, 2))
    flush()
    return out


def _halves(row: list[_Word], split: float) -> tuple[list[_Word], list[_Word]]:
    return [w for w in row if w.x1 <= split], [w for w in row if w.x0 >= split]


def _is_full_width(row: list[_Word], split: float) -> bool:
    """Whether a row runs across the gutter (a title, a caption) rather than being a line
    of each column.

    A word crossing the split says so; so does a row whose gap at the split is no wider than
    its ordinary word spaces, which happens when a title's word space falls on the gutter.
    Column rows have a gap at the split at least as wide as the gutter, several word spaces.
    """
    if any(w.x0 < split < w.x1 for w in row):
        return True
    left, right = _halves(row, split)
    if not left or not right:
        return False
    across = right[0].x0 - left[-1].x1
    spaces = [b.x0 - a.x1 for part in (left, right) for a, b in zip(part, part[1:], strict=False)]
    if spaces:
        return across <= FULL_WIDTH_GAP_RATIO * statistics.median(spaces)
    return across <= 0.5 * statistics.median(w.height for w in row)


def _mark_edges(lines: list[_Line], top_limit: float, bottom_limit: float) -> list[_Line]:
    """Flag the lines that could be running headers or footers.

    They are the outermost group of lines inside the top or bottom margin band: a header
    is set apart from the body by a gap, and the body lines below that gap are not
    candidates even when they fall inside the band (a page that starts with "Table 2"
    must keep it even if the next page starts with "Table 3").
    """
    edge: set[int] = set()
    top_first = sorted(
        (i for i, line in enumerate(lines) if line.bottom <= top_limit),
        key=lambda i: lines[i].bottom,
    )
    bottom_first = sorted(
        (i for i, line in enumerate(lines) if line.top >= bottom_limit),
        key=lambda i: -lines[i].bottom,
    )
    for order in (top_first, bottom_first):
        previous: _Line | None = None
        for i in order:
            line = lines[i]
            if previous is not None and abs(line.bottom - previous.bottom) > EDGE_GAP_EM * max(
                line.size, previous.size
            ):
                break
            edge.add(i)
            previous = line
    return [replace(line, edge=True) if i in edge else line for i, line in enumerate(lines)]


def _running_keys(pages: Sequence[_PageLines]) -> set[str]:
    """Digit-normalised texts of band lines that repeat on most pages."""
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_key(line.text) for line in page.lines if line.edge})
    needed = max(2.0, RUNNING_SHARE * len(pages))
    return {key for key, count in counts.items() if count >= needed}


def _key(text: str) -> str:
    """ "Page 3 of 9" and "Page 4 of 9" must match, as must "Spine 2019;44:101" and "...:102"."""
    return " ".join(re.sub(r"\d+", "#", text.casefold()).split())


def _is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.fullmatch(text.strip()))


def _render(lines: Sequence[_Line], running: set[str]) -> str:
    kept = [
        line
        for line in lines
        if not (line.edge and (_key(line.text) in running or _is_page_number(line.text)))
    ]
    if not kept:
        return ""
    predecessors = [_predecessor(kept, i) for i in range(len(kept))]
    pitch = _usual_pitch(kept, predecessors)
    parts = [kept[0].text]
    for i in range(1, len(kept)):
        if _starts_paragraph(kept, i, predecessors[i], pitch):
            parts.append("\n\n")
        else:
            parts.append("\n")
        parts.append(kept[i].text)
    return "".join(parts)


def _is_column_start(lines: Sequence[_Line], i: int) -> bool:
    line, before = lines[i], lines[i - 1]
    return line.column == 2 and (before.column != 2 or before.block != line.block)


def _predecessor(lines: Sequence[_Line], i: int) -> _Line | None:
    """The line directly above, in the same flow: the lowest earlier line overlapping it.

    For a full-width line after two columns that is the end of the longer column, not the
    last line read; for the top of a right column there is none (the flow jumped up).
    """
    if i == 0 or _is_column_start(lines, i):
        return None
    line = lines[i]
    above = [
        p for p in lines[:i] if p.bottom < line.bottom and min(p.x1, line.x1) > max(p.x0, line.x0)
    ]
    if above:
        return max(above, key=lambda p: p.bottom)
    previous = lines[i - 1]
    return previous if previous.bottom < line.bottom else None


def _usual_pitch(lines: Sequence[_Line], predecessors: Sequence[_Line | None]) -> dict[int, float]:
    """Median baseline-to-baseline distance per font size: the page's line spacing."""
    by_size: dict[int, list[float]] = {}
    for line, above in zip(lines, predecessors, strict=True):
        if above is None or _size_changed(line, above):
            continue
        distance = line.bottom - above.bottom
        if 0 < distance < 3 * line.size:
            by_size.setdefault(round(line.size), []).append(distance)
    return {size: statistics.median(values) for size, values in by_size.items()}


def _size_changed(a: _Line, b: _Line) -> bool:
    return abs(a.size - b.size) > SIZE_CHANGE * max(a.size, b.size)


def _starts_paragraph(
    lines: Sequence[_Line], i: int, above: _Line | None, pitch: dict[int, float]
) -> bool:
    line = lines[i]
    if above is None:
        if not _is_column_start(lines, i):
            return False
        # Jumping to the top of the next column says nothing by itself; a short last line
        # ending a sentence at the foot of the previous column means a paragraph ended.
        last = lines[i - 1]
        column_right = max(
            p.x1 for p in lines[:i] if p.column == last.column and p.block == last.block
        )
        return bool(_SENTENCE_END.search(last.text)) and last.x1 < column_right - 1.5 * last.size
    if _size_changed(line, above):
        return True
    usual = pitch.get(round(line.size), DEFAULT_PITCH_EM * line.size)
    return line.bottom - above.bottom - usual > PARAGRAPH_EXTRA_EM * max(line.size, above.size)


def _union_length(spans: list[tuple[float, float]]) -> float:
    total = 0.0
    end = float("-inf")
    for a, b in sorted(spans):
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return total


def _runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """Half-open index ranges of consecutive True values."""
    runs: list[tuple[int, int]] = []
    begin: int | None = None
    for i, flag in enumerate([*flags, False]):
        if flag and begin is None:
            begin = i
        elif not flag and begin is not None:
            runs.append((begin, i))
            begin = None
    return runs


def _unwrap(exc: BaseException) -> BaseException:
    """pdfplumber wraps pdfminer's exception as the first argument of PdfminerException."""
    while (
        isinstance(exc, PdfminerException) and exc.args and isinstance(exc.args[0], BaseException)
    ):
        exc = exc.args[0]
    return exc


def _describe(exc: BaseException) -> str:
    inner = _unwrap(exc)
    message = " ".join(str(inner).split())
    text = f"{type(inner).__name__}: {message}" if message else type(inner).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _translate(exc: BaseException, data: bytes) -> IngestError:
    """Turn whatever pdfminer raised into a reason a reviewer can act on."""
    inner = _unwrap(exc)
    if isinstance(inner, PDFPasswordIncorrect):
        return IngestError(_ENCRYPTED)
    if isinstance(inner, PDFEncryptionError):
        return IngestError(
            f"the PDF is encrypted in a way this reader does not support ({_describe(inner)})"
        )
    if b"%%EOF" not in data[-2048:]:
        reason = "the file ends before the PDF end-of-file marker, so it was probably cut off"
    elif isinstance(inner, PSEOF):
        reason = "the file ends in the middle of a PDF object"
    elif isinstance(inner, PDFNoValidXRef):
        reason = "its cross-reference table is missing or invalid"
    elif isinstance(inner, zlib.error):
        reason = "a compressed stream is corrupt"
    elif "/Root" in str(inner):
        reason = "its document catalogue (/Root) is missing"
    else:
        reason = f"it could not be parsed ({_describe(inner)})"
    return IngestError(f"the PDF is damaged or truncated: {reason}")

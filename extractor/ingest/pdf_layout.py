"""Words with positions -> body lines in reading order, for one page and for a document.

Whatever read the characters (PDFium for speed, pdfplumber where PDFium cannot), the
page arrives here as words with boxes in a top-down frame where the text is upright.
Four things stand between those words and faithful lines:

* Running headers and footers (journal names, "Page 3 of 9", copyright lines) repeat on
  every page and would land in the middle of sentences that cross a page break, so lines in
  the top and bottom margin bands whose text repeats on most pages are dropped.
* Two-column pages interleave the columns if read row by row, so a vertical gutter is looked
  for in the word positions and the columns are read one after the other.
* Paragraph breaks are kept as blank lines (the normaliser decides what they mean), found
  from the page's usual line pitch.
* Blocks that a reader rendered itself (a table in its canonical text form) travel as one
  line that keeps its place in the reading order and is never merged with its neighbours.

The normaliser downstream joins lines, mends hyphenation and ligatures for text and PDF
alike, so nothing here does.
"""

from __future__ import annotations

import bisect
import math
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

# Rows: words whose bottoms (near the baseline) are within this many ems share a row;
# words smaller than SMALL_WORD times the page's usual size (superscripts, subscripts)
# join the row they overlap instead.
ROW_TOLERANCE_EM = 0.3
SMALL_WORD = 0.75

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


@dataclass(frozen=True, slots=True)
class Word:
    """A word in the page's reading frame: y grows downwards, text is upright.

    `bottom` sits a little below the baseline and `bottom - top` is the font size, so
    distances measured in ems mean the same whichever reader produced the word.
    """

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
class Line:
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
    verbatim: bool = False  # a rendered block (a table): its own paragraph, never a header


@dataclass(frozen=True, slots=True)
class PageLines:
    lines: list[Line]
    has_graphics: bool  # images or vector drawing: tells a scan from a blank page
    set_aside: int = 0  # visible characters left out for running at right angles


def column_split(words: Sequence[Word], frame: tuple[float, float]) -> float | None:
    """The gutter of a two-column page (None for one column), as `page_lines` finds it."""
    if not words:
        return None
    top, bottom = frame
    band = MARGIN_BAND * (bottom - top)
    return _column_split(words, rows_of(words), (top + band, bottom - band))


def page_lines(
    words: Sequence[Word],
    frame: tuple[float, float],
    *,
    has_graphics: bool,
    set_aside: int = 0,
    blocks: Sequence[Line] = (),
) -> PageLines:
    """Lay out one page: rows, columns, reading order, candidates for running headers.

    `frame` is the top and bottom of the page in the words' frame. `blocks` are lines a
    reader rendered itself (tables); each is placed where its top falls in the flow of
    the column (or full width) its box is in.
    """
    if not words and not blocks:
        return PageLines(lines=[], has_graphics=has_graphics, set_aside=set_aside)
    top, bottom = frame
    band = MARGIN_BAND * (bottom - top)
    body = (top + band, bottom - band)
    rows = rows_of(words)
    split = _column_split(words, rows, body) if words else None
    lines = _ordered_lines(rows, split, blocks)
    return PageLines(
        lines=_mark_edges(lines, *body), has_graphics=has_graphics, set_aside=set_aside
    )


def rows_of(words: Sequence[Word]) -> list[list[Word]]:
    """Group the words of a page into rows, each sorted left to right.

    Rows are built from the words of ordinary size: a word joins the row of the first word
    (the anchor) whose bottom is within ROW_TOLERANCE_EM of its own, so the lines of two
    columns half a line apart stay apart and rows cannot chain into each other. Smaller
    words (superscripts, subscripts, footnote markers) then join the row they overlap most,
    so a raised "1" stays after the word it marks; those overlapping none (a footnote in
    small print) make rows of their own. Rows span the whole page width; columns are
    separated afterwards.
    """
    if not words:
        return []
    typical = statistics.median(w.height for w in words)
    rows = _anchored_rows([w for w in words if w.height >= SMALL_WORD * typical])
    rows.sort(key=lambda row: row[0].bottom)
    bottoms = [max(w.bottom for w in row) for row in rows]
    tops = [min(w.top for w in row) for row in rows]
    leftover: list[Word] = []
    for word in (w for w in words if w.height < SMALL_WORD * typical):
        best, best_overlap = -1, 0.5 * word.height
        i = bisect.bisect_left(bottoms, word.top)
        for j in range(max(0, i - 2), min(len(rows), i + 3)):
            overlap = min(bottoms[j], word.bottom) - max(tops[j], word.top)
            if overlap > best_overlap:
                best, best_overlap = j, overlap
        if best < 0:
            leftover.append(word)
        else:
            rows[best].append(word)
    rows.extend(_anchored_rows(leftover))
    rows.sort(key=lambda row: min(w.middle for w in row))
    for row in rows:
        row.sort(key=lambda w: w.x0)
    return rows


def _anchored_rows(words: Sequence[Word]) -> list[list[Word]]:
    rows: list[list[Word]] = []
    anchor: Word | None = None
    for word in sorted(words, key=lambda w: (w.bottom, w.x0)):
        if anchor is not None and word.bottom - anchor.bottom <= ROW_TOLERANCE_EM * max(
            word.height, anchor.height
        ):
            rows[-1].append(word)
        else:
            rows.append([word])
            anchor = word
    return rows


def _column_split(
    words: Sequence[Word], rows: Sequence[list[Word]], body: tuple[float, float]
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
    coverage = _coverage(rows, start, stop, total)

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
    sides: tuple[list[list[Word]], list[list[Word]]] = ([], [])
    for row in rows:
        if is_full_width(row, split) or not body[0] < row[0].middle < body[1]:
            continue
        for side, part in zip(sides, halves(row, split), strict=True):
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


def _coverage(rows: Sequence[list[Word]], start: int, stop: int, total: float) -> list[float]:
    """For each whole x in [start, stop]: the share of the text's height whose words cross x.

    Words that cross one x are lines of one column, which do not overlap vertically, so
    their heights are added up rather than their union built per x (which made this
    quadratic in the page's words).
    """
    weight = [0.0] * (stop - start + 2)
    for row in rows:
        for w in row:
            lo = max(start, math.floor(w.x0) + 1)
            hi = min(stop, math.ceil(w.x1) - 1)
            if lo <= hi:
                weight[lo - start] += w.height
                weight[hi - start + 1] -= w.height
    coverage: list[float] = []
    running = 0.0
    for delta in weight[:-1]:
        running += delta
        coverage.append(min(1.0, running / total))
    return coverage


def _mostly_prose(lines: Sequence[list[Word]], em: float) -> bool:
    def prose(line: list[Word]) -> bool:
        gaps = [b.x0 - a.x1 for a, b in zip(line, line[1:], strict=False)]
        return len(line) >= PROSE_MIN_WORDS and max(gaps) <= PROSE_MAX_GAP_EM * em

    # Short last lines of paragraphs and headings are not prose-like, so a share is asked
    # for; a column of one or two lines (the end of an article) needs one prose line.
    count = sum(prose(line) for line in lines)
    return count >= 1 if len(lines) <= 2 else count >= PROSE_MIN_SHARE * len(lines)


def _ordered_lines(
    rows: Sequence[list[Word]], split: float | None, blocks: Sequence[Line] = ()
) -> list[Line]:
    """Lines in reading order: each run of column rows is read left column then right.

    A full-width row (one with a word crossing the gutter: a title, a wide table, a
    caption) closes the run of columns above it, so a title above two columns is read
    first and a full-width footnote after them. A rendered block counts as a row at its
    top: full width when it crosses the gutter, else a line of its column.
    """
    out: list[Line] = []
    left: list[Line] = []
    right: list[Line] = []
    block = 0

    def line(words: list[Word], column: int) -> Line:
        return Line(
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

    # Rows come ordered by their smallest word middle; a block goes before the first row
    # below its top.
    items: list[tuple[float, int, list[Word] | Line]] = [
        (min(w.middle for w in row), 1, row) for row in rows
    ]
    items.extend((b.top, 0, b) for b in blocks)
    items.sort(key=lambda item: (item[0], item[1]))
    for _, _, item in items:
        if isinstance(item, Line):
            if split is None or item.x0 < split < item.x1:
                flush()
                out.append(replace(item, column=0, block=block))
            else:
                target = left if item.x1 <= split else right
                target.append(replace(item, column=1 if target is left else 2, block=block))
            continue
        row = item
        if split is None:
            out.append(line(row, 0))
        elif is_full_width(row, split):
            flush()
            out.append(line(row, 0))
        else:
            left_words, right_words = halves(row, split)
            if left_words:
                left.append(line(left_words, 1))
            if right_words:
                right.append(line(right_words, 2))
    flush()
    return out


def halves(row: list[Word], split: float) -> tuple[list[Word], list[Word]]:
    return [w for w in row if w.x1 <= split], [w for w in row if w.x0 >= split]


def is_full_width(row: list[Word], split: float) -> bool:
    """Whether a row runs across the gutter (a title, a caption) rather than being a line
    of each column.

    A word crossing the split says so; so does a row whose gap at the split is no wider than
    its ordinary word spaces, which happens when a title's word space falls on the gutter.
    Column rows have a gap at the split at least as wide as the gutter, several word spaces.
    """
    if any(w.x0 < split < w.x1 for w in row):
        return True
    left, right = halves(row, split)
    if not left or not right:
        return False
    across = right[0].x0 - left[-1].x1
    spaces = [b.x0 - a.x1 for part in (left, right) for a, b in zip(part, part[1:], strict=False)]
    if spaces:
        return across <= FULL_WIDTH_GAP_RATIO * statistics.median(spaces)
    return across <= 0.5 * statistics.median(w.height for w in row)


def _mark_edges(lines: list[Line], top_limit: float, bottom_limit: float) -> list[Line]:
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
        previous: Line | None = None
        for i in order:
            line = lines[i]
            if line.verbatim:
                break
            if previous is not None and abs(line.bottom - previous.bottom) > EDGE_GAP_EM * max(
                line.size, previous.size
            ):
                break
            edge.add(i)
            previous = line
    return [replace(line, edge=True) if i in edge else line for i, line in enumerate(lines)]


def running_keys(pages: Sequence[PageLines]) -> set[str]:
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


def render(lines: Sequence[Line], running: set[str]) -> str:
    """The page's text: lines joined by newlines, paragraphs by blank lines, running
    headers, footers and page numbers left out. A rendered block is its own paragraph."""
    kept = [
        line
        for line in lines
        if not (line.edge and (_key(line.text) in running or _is_page_number(line.text)))
    ]
    if not kept:
        return ""
    predecessors = _predecessors(kept)
    pitch = _usual_pitch(kept, predecessors)
    parts = [kept[0].text]
    for i in range(1, len(kept)):
        if (
            kept[i].verbatim
            or kept[i - 1].verbatim
            or _starts_paragraph(kept, i, predecessors[i], pitch)
        ):
            parts.append("\n\n")
        else:
            parts.append("\n")
        parts.append(kept[i].text)
    return "".join(parts)


def page_list(numbers: Sequence[int]) -> str:
    """1, 2, 3, 5 -> "1–3, 5": warnings stay short for long documents."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _is_column_start(lines: Sequence[Line], i: int) -> bool:
    line, before = lines[i], lines[i - 1]
    return line.column == 2 and (before.column != 2 or before.block != line.block)


def _predecessors(lines: Sequence[Line]) -> list[Line | None]:
    """For each line, the line directly above it in the same flow: the lowest earlier line
    overlapping it horizontally.

    For a full-width line after two columns that is the end of the longer column, not the
    last line read; for the top of a right column there is none (the flow jumped up).
    Earlier lines are kept sorted by bottom, so the search stops at the first overlap.
    """
    out: list[Line | None] = []
    seen: list[Line] = []  # earlier lines, lowest first
    for i, line in enumerate(lines):
        found: Line | None = None
        if i > 0 and not _is_column_start(lines, i):
            for p in seen:
                if p.bottom < line.bottom and min(p.x1, line.x1) > max(p.x0, line.x0):
                    found = p
                    break
            if found is None:
                previous = lines[i - 1]
                found = previous if previous.bottom < line.bottom else None
        out.append(found)
        bisect.insort_right(seen, line, key=lambda p: -p.bottom)
    return out


def _usual_pitch(lines: Sequence[Line], predecessors: Sequence[Line | None]) -> dict[int, float]:
    """Median baseline-to-baseline distance per font size: the page's line spacing."""
    by_size: dict[int, list[float]] = {}
    for line, above in zip(lines, predecessors, strict=True):
        if above is None or _size_changed(line, above):
            continue
        distance = line.bottom - above.bottom
        if 0 < distance < 3 * line.size:
            by_size.setdefault(round(line.size), []).append(distance)
    return {size: statistics.median(values) for size, values in by_size.items()}


def _size_changed(a: Line, b: Line) -> bool:
    return abs(a.size - b.size) > SIZE_CHANGE * max(a.size, b.size)


def _starts_paragraph(
    lines: Sequence[Line], i: int, above: Line | None, pitch: dict[int, float]
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

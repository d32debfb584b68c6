"""Lay out corpus document 002 (NICE IPG578, flattened text) as a realistic guidance PDF.

The PDF reader has to cope with what publishers actually produce, and the corpus had no
PDF: this script makes one from text whose numbers are known exactly, so a round trip
(text -> PDF -> read_pdf -> normalise) can be checked word for word. The layout carries the
hard parts on purpose: A4, a full-width title block over two columns, a running header and
a "Page N of M" footer on every page, body lines that start right under the header band,
and long words hyphenated at line ends so there are genuine `word-` / `continuation`
breaks for the normaliser to mend. Line breaking is done here with font metrics, so the
layout is fixed and the output is byte-for-byte reproducible.

Usage: python scripts/make_sample_pdf.py [SOURCE.txt] [OUTPUT.pdf]
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "corpus" / "002_9727310af0dcecef.txt"
OUTPUT = REPO / "corpus" / "002_nice_guidance_layout.pdf"

TITLE = "Minimally invasive sacroiliac joint fusion surgery for chronic sacroiliac pain"
SUBTITLE = "Interventional procedures guidance"
HEADER = f"{TITLE} (IPG578)"
FOOTER = "© NICE 2026. All rights reserved. Subject to Notice of rights. Page {n} of {N}"

# Vera ships with reportlab and, unlike the standard 14 PDF fonts, has ± – ≤ ≥ glyphs.
FONT = "Vera"
BOLD_FONT = "VeraBd"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 50.0
BODY_TOP = PAGE_HEIGHT - 62.0  # top of the first body line's text on every page
BODY_BOTTOM = 58.0
GUTTER = 20.0
COLUMN_WIDTH = (PAGE_WIDTH - 2 * MARGIN_X - GUTTER) / 2

BODY_SIZE = 9.0
BODY_LEADING = 11.5
PARAGRAPH_SPACE = 6.0
HEADING_SIZE = 11.0
HEADING_LEADING = 13.5
HEADING_SPACE_BEFORE = 9.0
HEADING_SPACE_AFTER = 4.0
TITLE_SIZE = 18.0
SUBTITLE_SIZE = 11.0
MARGIN_TEXT_SIZE = 8.0

# Words longer than this are hyphenated when they do not fit at the end of a line.
HYPHENATE_MIN_LETTERS = 10
VOWELS = frozenset("aeiouAEIOU")

# "4.3 In the RCT", not a wrapped line that starts with a value ("15.0 points) and").
_NUMBERED_PARAGRAPH = re.compile(r"\d{1,2}\.\d{1,2}\s+[A-Z]")
_NUMBERED_HEADING = re.compile(r"\d+\s+[A-Z]")
_HYPHENATABLE = re.compile(rf"([(\[]?)([A-Za-z]{{{HYPHENATE_MIN_LETTERS},}})([.,;:)\]]*)")


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph of the guidance, as one unwrapped string."""

    kind: str  # 'heading' or 'paragraph'
    text: str


@dataclass(frozen=True)
class PlacedLine:
    page: int  # 0-based
    x: float
    y: float  # baseline
    text: str
    font: str
    size: float


def parse_guidance(text: str) -> list[Block]:
    """Rebuild the headings and paragraphs of a flattened NICE guidance document.

    The flattened text is hard-wrapped and has stray blank lines inside numbered
    paragraphs, so blank lines cannot be trusted there: a numbered paragraph ("4.3 In the
    RCT ...") runs until the next numbered paragraph or heading. Elsewhere a blank line
    ends a paragraph. A heading is a short line without closing punctuation that follows a
    finished sentence ("5 Safety", "Information for patients").
    """
    blocks: list[Block] = []
    current: list[str] = []
    numbered = False

    def close() -> None:
        nonlocal numbered
        if current:
            blocks.append(Block("paragraph", _join_lines(current)))
            current.clear()
        numbered = False

    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            if not numbered:
                close()
            continue
        if _NUMBERED_PARAGRAPH.match(line):
            close()
            current.append(line)
            numbered = True
        elif _is_heading(line, after_sentence=not current or _ends_sentence(current[-1])):
            close()
            blocks.append(Block("heading", line))
        else:
            current.append(line)
    close()
    return blocks


def _is_heading(line: str, after_sentence: bool) -> bool:
    if not after_sentence or len(line) > 60 or line[-1] in ".,;:":
        return False
    if _NUMBERED_HEADING.match(line):
        return True
    return line[0].isupper() and not any(ch.isdigit() for ch in line)


def _ends_sentence(line: str) -> bool:
    return line.rstrip(")]").endswith((".", "!", "?"))


def _join_lines(lines: Sequence[str]) -> str:
    """Unwrap hard-wrapped lines; a line-final hyphen in the source is a compound's own
    hyphen ("non-" / "surgical"), so it is kept and the halves joined without a space."""
    text = lines[0]
    for line in lines[1:]:
        text += line if text.endswith("-") else " " + line
    return text


def hyphenate(word: str, fits: Callable[[str], bool]) -> tuple[str, str] | None:
    """Split a long word before a consonant that starts a syllable, as late as still fits.

    The break goes between a vowel and a consonant followed by a vowel ("responsi-bility",
    "arrange-ments"), leaving at least three letters on each side. Only plain words are
    split (a leading bracket and trailing punctuation are allowed): a token with digits or
    its own hyphen ("5,319", "24-month", "non-surgical") is never broken, so every
    line-final hyphen in the output is one this function added.
    """
    match = _HYPHENATABLE.fullmatch(word)
    if not match:
        return None
    lead, letters, trail = match.groups()
    for i in range(len(letters) - 3, 2, -1):
        syllable = (
            letters[i - 1] in VOWELS and letters[i] not in VOWELS and letters[i + 1] in VOWELS
        )
        if syllable and fits(lead + letters[:i]):
            return lead + letters[:i], letters[i:] + trail
    return None


def wrap(text: str, font: str, size: float, width: float, hyphenation: bool = True) -> list[str]:
    """Greedy line breaking with real glyph widths, hyphenating long words that overhang."""

    def fits(candidate: str) -> bool:
        return pdfmetrics.stringWidth(candidate, font, size) <= width

    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if fits(candidate):
            current = candidate
            continue
        prefix = f"{current} " if current else ""

        def head_fits(head: str, prefix: str = prefix) -> bool:
            return fits(f"{prefix}{head}-")

        parts = hyphenate(word, head_fits) if hyphenation else None
        if parts:
            lines.append(f"{prefix}{parts[0]}-")
            current = parts[1]
        else:
            if current:
                lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def register_fonts() -> None:
    font_dir = Path(reportlab.__file__).parent / "fonts"
    for name, filename in ((FONT, "Vera.ttf"), (BOLD_FONT, "VeraBd.ttf")):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(font_dir / filename)))


class _Flow:
    """Pours lines into the two columns of successive pages."""

    def __init__(self, first_top: float) -> None:
        self.page = 0
        self.column = 0
        self.top = first_top
        self.y = first_top  # top of the next line's text
        self.lines: list[PlacedLine] = []

    @property
    def at_column_top(self) -> bool:
        return self.y == self.top

    def room(self) -> float:
        return self.y - BODY_BOTTOM

    def next_column(self) -> None:
        if self.column == 0:
            self.column = 1
        else:
            self.page += 1
            self.column = 0
            self.top = BODY_TOP
        self.y = self.top

    def space(self, points: float) -> None:
        if not self.at_column_top:
            self.y -= points

    def place(self, text: str, font: str, size: float, leading: float) -> None:
        if self.room() < leading:
            self.next_column()
        x = MARGIN_X + self.column * (COLUMN_WIDTH + GUTTER)
        self.lines.append(PlacedLine(self.page, x, self.y - size, text, font, size))
        self.y -= leading


def layout(blocks: Sequence[Block], first_top: float) -> list[PlacedLine]:
    """Place every line of every block; a heading is kept with the start of its text."""
    flow = _Flow(first_top)
    after_heading = False
    for block in blocks:
        if block.kind == "heading":
            lines = wrap(block.text, BOLD_FONT, HEADING_SIZE, COLUMN_WIDTH, hyphenation=False)
            needed = HEADING_SPACE_BEFORE + len(lines) * HEADING_LEADING
            if flow.room() < needed + HEADING_SPACE_AFTER + 2 * BODY_LEADING:
                flow.next_column()
            flow.space(HEADING_SPACE_BEFORE)
            for line in lines:
                flow.place(line, BOLD_FONT, HEADING_SIZE, HEADING_LEADING)
            flow.y -= HEADING_SPACE_AFTER
            after_heading = True
            continue
        lines = wrap(block.text, FONT, BODY_SIZE, COLUMN_WIDTH)
        if not after_heading:
            if flow.room() < PARAGRAPH_SPACE + 2 * BODY_LEADING:  # no lone first line
                flow.next_column()
            flow.space(PARAGRAPH_SPACE)
        for line in lines:
            flow.place(line, FONT, BODY_SIZE, BODY_LEADING)
        after_heading = False
    return flow.lines


def _draw_title(canvas: Canvas) -> float:
    """The page-1 title block, full width; returns where the columns start."""
    width = PAGE_WIDTH - 2 * MARGIN_X
    y = BODY_TOP
    for line in wrap(TITLE, BOLD_FONT, TITLE_SIZE, width, hyphenation=False):
        canvas.setFont(BOLD_FONT, TITLE_SIZE)
        canvas.drawString(MARGIN_X, y - TITLE_SIZE, line)
        y -= TITLE_SIZE * 1.25
    y -= 6
    canvas.setFont(FONT, SUBTITLE_SIZE)
    canvas.drawString(MARGIN_X, y - SUBTITLE_SIZE, SUBTITLE)
    y -= SUBTITLE_SIZE + 10
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN_X, y, PAGE_WIDTH - MARGIN_X, y)
    return y - 14


def _draw_margins(canvas: Canvas, number: int, count: int) -> None:
    canvas.setLineWidth(0.4)
    canvas.setFont(FONT, MARGIN_TEXT_SIZE)
    canvas.drawString(MARGIN_X, PAGE_HEIGHT - 34, HEADER)
    canvas.line(MARGIN_X, PAGE_HEIGHT - 40, PAGE_WIDTH - MARGIN_X, PAGE_HEIGHT - 40)
    canvas.line(MARGIN_X, 42, PAGE_WIDTH - MARGIN_X, 42)
    canvas.drawString(MARGIN_X, 30, FOOTER.format(n=number, N=count))


def build_pdf(text: str) -> bytes:
    """The laid-out PDF of a flattened guidance text, reproducible byte for byte."""
    register_fonts()
    blocks = parse_guidance(text)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(HEADER)
    first_top = _draw_title(canvas)  # drawn on page 1, before its body lines
    placed = layout(blocks, first_top)
    count = placed[-1].page + 1
    for page in range(count):
        _draw_margins(canvas, page + 1, count)
        for line in (p for p in placed if p.page == page):
            canvas.setFont(line.font, line.size)
            canvas.drawString(line.x, line.y, line.text)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def write_sample(source: Path = SOURCE, output: Path = OUTPUT) -> Path:
    output.write_bytes(build_pdf(source.read_text(encoding="utf-8")))
    return output


def main(argv: Sequence[str]) -> int:
    source = Path(argv[0]) if argv else SOURCE
    output = Path(argv[1]) if len(argv) > 1 else OUTPUT
    written = write_sample(source, output)
    print(f"wrote {written} ({written.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Reading generated journal-like pages: the words come out as they went in, in order.

Each PDF is typeset here from a known word sequence (two columns, a title, running
header and footer, paragraphs, line-end hyphens, superscript markers), so the test can
compare the reader's words with the source words one by one.
"""

from __future__ import annotations

import random
import re

import pytest
from pdf_factory import FONT, PAGE_WIDTH, make_pdf, register_fonts
from reportlab.pdfbase import pdfmetrics

from extractor.ingest.pdf import read_pdf

VOCABULARY = (
    "patients randomised trial fusion surgery pain disability index score baseline "
    "months follow-up group control analysis outcome significant difference mean "
    "interval confidence reported adverse events were with the and of in to at "
    "compared improvement reduction primary secondary 12 24 148 0.05 95% (n=102)"
).split()


def _source_words(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(VOCABULARY) for _ in range(count)]


def _typeset(words: list[str], width: float, size: float, hyphenate: bool) -> list[str]:
    """Fill lines up to `width`; long enough words that overflow are split with a hyphen
    (at least three letters on each side, never numbers), as a typesetter would."""
    register_fonts()
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if pdfmetrics.stringWidth(candidate, FONT, size) <= width:
            line = candidate
            continue
        if hyphenate and word.isalpha() and len(word) >= 8:
            head, tail = word[:4], word[4:]
            with_head = f"{line} {head}-".strip()
            if pdfmetrics.stringWidth(with_head, FONT, size) <= width:
                lines.append(with_head)
                line = tail
                continue
        lines.append(line)
        line = word
    if line:
        lines.append(line)
    return lines


def _words_read(pages: list[str]) -> list[str]:
    """The reader's words, with line-end hyphens mended as the normaliser would."""
    text = "\n".join(pages)
    text = re.sub(r"(?<=[a-z])-\n(?=[a-z])", "", text)
    return text.split()


def _two_column_article(
    words: list[str], *, size: float, gutter: float, offset: float, pages: int
) -> tuple[bytes, list[str]]:
    margin = 60.0
    column_width = (PAGE_WIDTH - 2 * margin - gutter) / 2
    lines = _typeset(words, column_width, size, hyphenate=True)
    per_column = 40
    page_lines = [lines[i : i + 2 * per_column] for i in range(0, len(lines), 2 * per_column)]
    assert len(page_lines) == pages, "the article should fill exactly the pages asked for"
    pdf = make_pdf(
        page_lines,
        columns=2,
        column_lines=per_column,
        font_size=size,
        leading=size * 1.2,
        margin=margin,
        gutter=gutter,
        header="Journal of Generated Evidence 2024;12:{n}",
        footer="Page {n} of {N}",
        title=["A generated randomised trial of fusion surgery"],
        column_offset=offset,
    )
    return pdf, words


@pytest.mark.parametrize(
    ("size", "gutter", "offset"),
    [(10.0, 24.0, 0.0), (9.0, 14.0, 0.0), (9.0, 18.0, 4.0), (10.0, 12.0, 4.5)],
)
def test_two_column_article_reads_every_source_word_in_order(
    size: float, gutter: float, offset: float
) -> None:
    # Offsets move the right column's baselines between the left column's, which once
    # merged a line of each column into one row and interleaved them.
    source = _source_words(1800 if size == 9.0 else 1400, seed=int(size * 100 + gutter))
    pdf, _ = _two_column_article(
        source, size=size, gutter=gutter, offset=offset, pages=_pages_for(source, size, gutter)
    )
    raw = read_pdf(pdf)
    read = _words_read(raw.pages)
    title = "A generated randomised trial of fusion surgery".split()
    assert read[: len(title)] == title
    assert read[len(title) :] == source


def _pages_for(words: list[str], size: float, gutter: float) -> int:
    column_width = (PAGE_WIDTH - 120.0 - gutter) / 2
    lines = _typeset(words, column_width, size, hyphenate=True)
    return -(-len(lines) // 80)


def test_superscript_marker_stays_after_the_word_it_marks() -> None:
    lines = [
        "The trial enrolled^1^ adults with chronic low back",
        "pain who had failed^2,3^ six months of conservative",
        "care and were randomised to fusion or to non-",
        "surgical management at one of twelve centres.^4^",
    ]
    text = read_pdf(make_pdf([lines])).pages[0]
    assert re.search(r"enrolled ?1 adults", text)
    assert re.search(r"failed ?2,3 six", text)
    assert re.search(r"centres\. ?4$", text)


def test_superscript_markers_in_two_columns_stay_in_their_column() -> None:
    left = [f"Left line {i} of the running text^{i}^ here" for i in range(1, 21)]
    right = [f"Right line {i} of the running prose here" for i in range(1, 21)]
    raw = read_pdf(make_pdf([left + right], columns=2, column_lines=20))
    words = raw.pages[0].split()
    assert words.index("Right") > max(i for i, w in enumerate(words) if w.startswith("text"))
    assert [w for w in words if w.startswith("text")][:3] == ["text1", "text2", "text3"]

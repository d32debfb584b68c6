"""One PDFium page -> words with boxes in the page's reading frame.

PDFium (through pypdfium2's raw bindings) reads a page's text about fifty times faster
than pdfminer, and already does two things the layout needs: it segments words (it
inserts a space wherever the gap between glyphs says so, which TeX output needs because
it has no space characters) and it drops the second copy of text drawn twice for fake
bold. What it does not give is lines in reading order, so only *word* boxes are taken
from it and the layout code orders them.

Cost is what shapes this module: a Python call into PDFium costs about half a
microsecond, a page has some 5,000 characters and 800 words, so the page text is fetched
in one call and each word costs five calls (its first and last character), never one
per character. Characters are fetched one by one only for the rare words whose ends do
not agree (a word PDFium joined across a gap or a line).
"""

from __future__ import annotations

import ctypes
import math
import re
from array import array
from dataclasses import dataclass, replace
from itertools import repeat

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractor.ingest.pdf_layout import Word

# A word's box is one em high and ends at the font's declared descent below the baseline,
# as pdfminer's are, so em-based distances mean the same whichever reader read the page.
# Declared metrics can be wild (PDFium's "loose" boxes run from 0.5 to 1.5 em high), so
# the descent is capped. Text at right angles uses a typical descent.
MAX_DESCENT_EM = 0.5
DESCENT_EM = 0.2
# Characters of one word closer than this many ems are one word; used only where PDFium's
# own word is suspect and is split again from its characters (pdfplumber's tolerance).
X_TOLERANCE_RATIO = 0.15
# Two tokens PDFium separated with a space of its own are one word when the gap between
# their boxes is below this many ems. PDFium's boxes include a glyph's overhang, so an
# italic "f" ends 0.1-0.15 em closer to the next word than its advance says; measured on
# journal PDFs, pieces of one word are 0.04 em apart and real words at least 0.11.
JOIN_GAP_EM = 0.08
# A word wider than this many ems per character (plus one em) is suspect: PDFium joined
# text that lies apart (a word at each end of a gap it did not count as a space).
MAX_EM_PER_CHAR = 1.2
# A matrix whose off-diagonal share is below this is upright; text at right angles has
# the diagonal near zero instead.
UPRIGHT_SKEW = 0.1

# PDFium marks a hyphen (or soft hyphen) that ends a line and breaks a word as a
# character of its own (U+FFFE in the page text, 2 from FPDFText_GetUnicode), and joins
# the two halves; it is given back as "-" on the first line.
_HYPHEN_MARKS = "\ufffe"
_TOKEN = re.compile(r"[^\s\ufffe]+\ufffe?|\ufffe")
# Characters PDFium could not map to Unicode: NUL, or the font's raw codes below space.
_UNDECODED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LIGATURES = {"ff": "\ufb00", "fi": "\ufb01", "fl": "\ufb02", "ffi": "\ufb03", "ffl": "\ufb04"}
_LIGATURE_START = re.compile(r"f(?=[fil])")

UP, ANTICLOCKWISE, CLOCKWISE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class PageText:
    """What PDFium gave for one page, before layout."""

    upright: list[Word]  # in the top-down page frame
    turned: list[Word]  # the words at right angles, turned upright in their own frame
    frame: tuple[float, float]  # top and bottom of the page in the upright frame
    turned_frame: tuple[float, float]
    upright_visible: int  # characters in upright words
    turned_visible: int
    undecoded: int  # characters PDFium could not map to Unicode (left out)
    chars: int  # characters on the page, as PDFium counts them
    read_chars: int  # characters read (fewer when the page was capped)


# FPDFText_GetTextObject returning a plain address, so that it can key a dictionary.
_text_object_address = ctypes.cast(
    pdfium_c.FPDFText_GetTextObject,
    ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int),
)


class _Calls:
    """Reusable ctypes out-parameters (allocating them per call would double the cost),
    and what is known of each upright text object seen on the page: all its characters
    share one font, size and baseline offset, so a word in an object already seen needs
    its two character boxes and nothing more."""

    def __init__(self) -> None:
        self.rect = pdfium_c.FS_RECTF()
        self.matrix = pdfium_c.FS_MATRIX()
        self.x = ctypes.c_double()
        self.y = ctypes.c_double()
        self.objects: dict[int | None, tuple[float, float]] = {}  # size, box bottom to baseline


def read_page_text(page: pdfium.PdfPage, max_chars: int) -> PageText:
    """The words of a page, at most `max_chars` characters of it."""
    textpage = page.get_textpage()
    try:
        return _read(page, textpage.raw, max_chars)
    finally:
        textpage.close()


def _read(page: pdfium.PdfPage, tp: object, max_chars: int) -> PageText:
    # The crop box as shown, with boxes inherited from the page tree resolved and clipped
    # to the media box (get_cropbox reads only the page's own dictionary and falls back
    # to US Letter, which shifted every word of an A4 page whose box is inherited).
    left, bottom, right, top = page.get_bbox()
    count = pdfium_c.FPDFText_CountChars(tp)
    read = min(count, max_chars)
    text = _page_string(tp, read)
    calls = _Calls()
    upright: list[Word] = []
    turned: list[Word] = []
    upright_visible = turned_visible = 0
    height = top - bottom
    joinable = False  # whether the last upright word may take the next token's first
    previous_end = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        for word, direction in _words(tp, match.start(), token, calls, top, left, right):
            if direction != UP:
                turned.append(word)
                turned_visible += len(word.text)
            elif word.x1 > left and word.x0 < right and word.bottom > 0 and word.top < height:
                # Outside the crop box is neither shown nor read.
                if (
                    joinable
                    and _touching(upright[-1], word)
                    and _generated_space(tp, text, previous_end, match.start())
                ):
                    upright[-1] = _joined(upright[-1], word)
                else:
                    upright.append(word)
                upright_visible += len(word.text)
        joinable = bool(upright) and token[-1] not in _HYPHEN_MARKS
        previous_end = match.end()
    return PageText(
        upright=upright,
        turned=turned,
        frame=(0.0, height),
        turned_frame=(0.0, right - left),
        upright_visible=upright_visible,
        turned_visible=turned_visible,
        undecoded=len(_UNDECODED.findall(text)),
        chars=count,
        read_chars=read,
    )


def _touching(before: Word, after: Word) -> bool:
    """Whether PDFium put a space between two pieces of one word: same baseline, and the
    pieces all but touch (an italic f kerned into the next letter makes PDFium see a word
    break where there is none)."""
    size = max(before.height, after.height)
    gap = after.x0 - before.x1
    return (
        abs(after.bottom - before.bottom) <= 0.2 * size and -0.2 * size <= gap <= JOIN_GAP_EM * size
    )


def _generated_space(tp: object, text: str, start: int, end: int) -> bool:
    """Whether the characters between two tokens are one space PDFium made up (a real
    space character in the PDF separates words however narrow it is)."""
    return (
        end - start == 1 and text[start] == " " and bool(pdfium_c.FPDFText_IsGenerated(tp, start))
    )


def _joined(before: Word, after: Word) -> Word:
    return Word(
        before.text + after.text,
        before.x0,
        max(before.x1, after.x1),
        min(before.top, after.top),
        max(before.bottom, after.bottom),
    )


def _page_string(tp: object, count: int) -> str:
    """The page's characters as one string, index for index with PDFium's characters.

    PDFium keeps a character beyond the BMP as two characters (its UTF-16 halves), so the
    string keeps them as two too; `_clean` pairs them up again. FPDFText_GetText is one
    call, but it leaves out some characters without Unicode; when its length is off, the
    string is built character by character instead (unmapped characters become NUL).
    """
    if count <= 0:
        return ""
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    written = pdfium_c.FPDFText_GetText(
        tp, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
    )
    raw = buffer.raw[: max(0, written - 1) * 2]
    text = raw.decode("utf-16-le", errors="surrogatepass")
    if len(text) == count:
        return text
    units = array("H", raw)
    if len(units) == count:
        return "".join(map(chr, units))
    codes = list(map(pdfium_c.FPDFText_GetUnicode, repeat(tp, count), range(count)))
    for i, code in enumerate(codes):
        if code == 2 and pdfium_c.FPDFText_IsHyphen(tp, i):
            codes[i] = 0xFFFE
        elif code == 0 or code > 0x10FFFF:
            codes[i] = 0
    return "".join(map(chr, codes))


def _join_surrogates(text: str) -> str:
    """Pair UTF-16 halves into their character; a lone half (a glyph PDFium could not map
    whole) is dropped, since no encoder downstream would accept it."""
    return text.encode("utf-16-le", errors="surrogatepass").decode("utf-16-le", errors="ignore")


def _words(
    tp: object, start: int, token: str, calls: _Calls, top: float, left: float, right: float
) -> list[tuple[Word, int]]:
    """One PDFium token as words in the top-down frame, with its direction.

    Usually one word from the token's first and last characters; a token whose ends do not
    agree is rebuilt from its characters.
    """
    last = start + len(token) - 1
    known = calls.objects.get(_text_object_address(tp, start))
    if known is not None:
        # An upright text object seen before: same size and baseline offset.
        size, to_baseline = known
        first_box = _loose_box(tp, start, calls)
        last_box = first_box if last == start else _loose_box(tp, last, calls)
        text = _clean(tp, start, token, calls)
        if not text:
            return []
        return _upright(
            tp,
            start,
            token,
            text,
            calls,
            top,
            size,
            first_box,
            last_box,
            first_box[1] + to_baseline,
        )
    direction, size = _direction_and_size(tp, start, calls)
    if size <= 0:
        return []
    first_box = _loose_box(tp, start, calls)
    last_box = first_box if last == start else _loose_box(tp, last, calls)
    pdfium_c.FPDFText_GetCharOrigin(tp, start, calls.x, calls.y)
    origin = (calls.x.value, calls.y.value)
    text = _clean(tp, start, token, calls)
    if not text:
        return []
    if direction == UP:
        address = _text_object_address(tp, start)
        if address is not None:
            calls.objects[address] = (size, origin[1] - first_box[1])
        return _upright(tp, start, token, text, calls, top, size, first_box, last_box, origin[1])
    # At right angles: the along-line extent comes from the character boxes (top-down y),
    # the across-line extent from the baseline and the font size.
    y_low = min(first_box[1], last_box[1])  # PDF y, bottom-up
    y_high = max(first_box[3], last_box[3])
    along = (top - y_high, top - y_low)  # top-down
    if direction == ANTICLOCKWISE:
        # Reads bottom to top; lines stack left to right; glyph tops point left.
        x_low, x_high = origin[0] - (1 - DESCENT_EM) * size, origin[0] + DESCENT_EM * size
        return [(Word(text, y_low, y_high, x_low - left, x_high - left), ANTICLOCKWISE)]
    # Clockwise: reads top to bottom; lines stack right to left; glyph tops point right.
    x_low, x_high = origin[0] - DESCENT_EM * size, origin[0] + (1 - DESCENT_EM) * size
    word = Word(text, along[0], along[1], right - x_high, right - x_low)
    return [(word, CLOCKWISE)]


def _upright(
    tp: object,
    start: int,
    token: str,
    text: str,
    calls: _Calls,
    top: float,
    size: float,
    first_box: tuple[float, float, float, float],
    last_box: tuple[float, float, float, float],
    origin_y: float,
) -> list[tuple[Word, int]]:
    """An upright token as a word: x from its end characters' boxes, y from the baseline."""
    x0, x1 = first_box[0], last_box[2]
    if (
        x1 < x0
        or abs(last_box[1] - first_box[1]) > 0.5 * size
        or x1 - x0 > (MAX_EM_PER_CHAR * len(token) + 1) * size
    ):
        return [(w, UP) for w in _split_chars(tp, start, token, calls, top)]
    bottom_y = top - origin_y + _descent(origin_y, first_box[1], size)
    return [(Word(text, x0, x1, bottom_y - size, bottom_y), UP)]


def _descent(baseline: float, box_bottom: float, size: float) -> float:
    """How far below the baseline a word's box ends: the font's declared descent, as
    pdfminer has it, kept between 0 and MAX_DESCENT_EM (declared metrics can be wild)."""
    return min(max(baseline - box_bottom, 0.0), MAX_DESCENT_EM * size)


def _direction_and_size(tp: object, index: int, calls: _Calls) -> tuple[int, float]:
    """The direction of the text at a character and its font size in points (the size
    set with Tf times the scale of the text matrix: many PDFs set 1 pt and scale)."""
    pdfium_c.FPDFText_GetMatrix(tp, index, calls.matrix)
    m = calls.matrix
    font_size = pdfium_c.FPDFText_GetFontSize(tp, index)
    size = font_size * math.hypot(m.c, m.d)
    if abs(m.b) <= UPRIGHT_SKEW * abs(m.a) and m.a > 0:
        return UP, size
    return (ANTICLOCKWISE if m.b > 0 else CLOCKWISE), font_size * math.hypot(m.a, m.b)


def _loose_box(tp: object, index: int, calls: _Calls) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) in PDF space: advance width by the font's height."""
    pdfium_c.FPDFText_GetLooseCharBox(tp, index, calls.rect)
    r = calls.rect
    return r.left, r.bottom, r.right, r.top


def _origin_y(tp: object, index: int, calls: _Calls) -> float:
    pdfium_c.FPDFText_GetCharOrigin(tp, index, calls.x, calls.y)
    return calls.y.value


def _clean(tp: object, start: int, token: str, calls: _Calls) -> str:
    """The token as written: PDFium's hyphen mark back to "-", and ligature glyphs that
    PDFium spelled out as letters back to one character (several letters sharing one box),
    since the normaliser mends ligatures for every source alike."""
    if token[-1] in _HYPHEN_MARKS:
        token = token[:-1] + "-"
    if "f" not in token or not _LIGATURE_START.search(token):
        return _tidy(token)
    out: list[str] = []
    i = 0
    while i < len(token):
        if token[i] == "f" and i + 1 < len(token) and token[i + 1] in "fil":
            box = _loose_box(tp, start + i, calls)
            length = 1
            while (
                i + length < len(token)
                and length < 3
                and token[i : i + length + 1] in _LIGATURES
                and _loose_box(tp, start + i + length, calls) == box
            ):
                length += 1
            if length > 1:
                out.append(_LIGATURES[token[i : i + length]])
                i += length
                continue
        out.append(token[i])
        i += 1
    return _tidy("".join(out))


def _tidy(text: str) -> str:
    """Undecodable characters out (counted as such by the caller), UTF-16 halves paired."""
    if _UNDECODED.search(text):
        text = _UNDECODED.sub("", text)
    if _SURROGATE.search(text):
        text = _join_surrogates(text)
    return text


def _split_chars(tp: object, start: int, token: str, calls: _Calls, top: float) -> list[Word]:
    """Rebuild a suspect token from its characters: a new word wherever the next
    character is not just after the previous one on the same baseline."""
    words: list[Word] = []
    current: list[str] = []
    box: list[float] = []
    previous: tuple[float, float, float] | None = None  # right, baseline, size
    for offset, char in enumerate(token):
        index = start + offset
        _, size = _direction_and_size(tp, index, calls)
        left, box_bottom, right, _ = _loose_box(tp, index, calls)
        origin_y = _origin_y(tp, index, calls)
        baseline = top - origin_y
        descent = _descent(origin_y, box_bottom, size)
        if char in _HYPHEN_MARKS:
            char = "-"
        elif _UNDECODED.match(char):
            continue  # no Unicode for this glyph: counted by the caller, left out
        if previous is not None and (
            abs(baseline - previous[1]) > 0.5 * max(size, previous[2])
            or left < previous[0] - X_TOLERANCE_RATIO * size
            or left - previous[0] > X_TOLERANCE_RATIO * size
        ):
            words.append(_word("".join(current), box))
            current, box = [], []
        if not current:
            box = [left, right, baseline + descent - size, baseline + descent]
        else:
            box[1] = max(box[1], right)
            box[2] = min(box[2], baseline + descent - size)
            box[3] = max(box[3], baseline + descent)
        current.append(char)
        previous = (right, baseline, size)
    if current:
        words.append(_word("".join(current), box))
    return [replace(w, text=_tidy(w.text)) for w in words if _tidy(w.text)]


def _word(text: str, box: list[float]) -> Word:
    return Word(text, box[0], box[1], box[2], box[3])

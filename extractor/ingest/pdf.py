"""PDF bytes -> RawText: one string per page, body lines in reading order.

The normaliser downstream joins lines, mends hyphenation and ligatures for text and PDF
alike, so this reader must not: its job is to hand over *faithful lines in the right order*.

* Characters come from PDFium (pypdfium2): fifty times faster than pdfminer and quick to
  give up on damaged files. pdfplumber reads only the pages whose text PDFium cannot
  decode (pdf_plumber.py).
* Layout (pdf_layout.py) orders the words: columns, running headers and footers,
  paragraphs. Text at right angles: a margin stamp would be spliced into body lines, so it
  is set aside (with a warning); a page that is mostly sideways (a landscape table) is
  turned.
* Bounds: a page or a document with more characters than any real paper has is read up to
  a cap, with a warning naming the page, so a file of millions of text operators cannot
  hold the run or its memory.
* Broken input must become an `IngestError` a reviewer can act on, never a traceback.

Pages are read one at a time and closed, so memory does not grow with the page count;
only a few small records per text line are kept until the end, because running headers
can only be recognised once every page has been seen.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractor.ingest.pdf_guard import oversized_content
from extractor.ingest.pdf_layout import (
    PageLines,
    Word,
    column_split,
    page_lines,
    page_list,
    render,
    running_keys,
)
from extractor.ingest.pdf_pdfium import PageText, read_page_text
from extractor.ingest.pdf_plumber import PlumberDocument, RuledTable
from extractor.ingest.pdf_tables import Table, find_tables, has_caption, looks_tabular
from extractor.types import IngestError, RawText

# Characters read per page and per document. A dense journal page has about 10,000
# characters and a 400-page book about 1.5 million; past these caps the rest is not read
# (with a warning), which bounds time and memory for files built to exhaust them.
MAX_PAGE_CHARS = 100_000
MAX_DOCUMENT_CHARS = 5_000_000
# Pages read per document: a 5,000-page volume is no single paper. Past it, the rest are
# not even loaded (each load parses the page's content).
MAX_PAGES = 5_000
# A page is re-read with pdfplumber when PDFium could not decode at least this share of
# its characters (a font without a Unicode map that pdfminer may still read).
UNDECODED_SHARE = 0.5
# Page objects looked at to tell a scanned page (images, drawing) from a blank one.
GRAPHICS_PROBE = 1_000
# Rules across and down that make a page worth pdfplumber's table finder.
GRID_RULES = 3
MAX_GRID_PATHS = 400

_NO_TEXT_LAYER = "the PDF has no text layer (it looks like a scanned image); OCR it first"
_ENCRYPTED = "the PDF is encrypted and cannot be read without a password"
_GRAPHIC_TYPES = frozenset(
    {
        pdfium_c.FPDF_PAGEOBJ_PATH,
        pdfium_c.FPDF_PAGEOBJ_IMAGE,
        pdfium_c.FPDF_PAGEOBJ_SHADING,
        pdfium_c.FPDF_PAGEOBJ_FORM,
    }
)


@dataclass
class _Notes:
    """What went wrong on which page, gathered for the warnings."""

    failures: list[tuple[int, str]]
    capped: list[tuple[int, int]]  # page, characters on it
    undecoded: int = 0
    stopped_on: int = 0  # the page where the document's character budget ran out
    unread_pages: int = 0  # pages after it, left empty
    pages_over: int = 0  # pages past MAX_PAGES, not loaded
    tables: int = 0  # tables rendered in the canonical table text
    failures_tables: list[tuple[int, str]] = field(default_factory=list)


def read_pdf(data: bytes) -> RawText:
    """Read a PDF into one body-text string per page, in reading order.

    Raises IngestError, with a reason a reviewer understands, for anything that is not a
    readable PDF with a text layer; a page that cannot be read or has no text is an empty
    string plus a warning, so one bad page does not lose the rest of the document.
    """
    _check_signature(data)
    excess = oversized_content(data)
    if excess is not None:
        raise IngestError(f"the PDF is built to exhaust readers: {excess.reason()}")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise _load_error(exc, data) from None
    notes = _Notes(failures=[], capped=[])
    try:
        pages = _read_pages(document, data, notes)
    except MemoryError:
        raise IngestError("the PDF is too large to read in the available memory") from None
    finally:
        document.close()
    if not pages:
        raise IngestError("the PDF has no pages")
    if len(notes.failures) == len(pages):
        raise IngestError(f"the PDF is damaged: no page could be read ({notes.failures[0][1]})")

    running = running_keys(pages)
    texts = [render(page.lines, running) for page in pages]
    if not any(text.strip() for text in texts):
        if any(page.has_graphics or page.lines for page in pages):
            raise IngestError(_NO_TEXT_LAYER)
        raise IngestError("the PDF has no text layer and its pages look blank")
    return RawText(
        pages=texts,
        source_type="pdf",
        paginated=True,
        warnings=tuple(_warnings(pages, texts, notes)),
    )


def _warnings(pages: list[PageLines], texts: list[str], notes: _Notes) -> list[str]:
    warnings = [
        f"page {number} could not be read ({reason}); left empty"
        for number, reason in notes.failures
    ]
    warnings.extend(
        f"page {number} has more than {MAX_PAGE_CHARS:,} characters ({count:,}); "
        f"read only the first {MAX_PAGE_CHARS:,}"
        for number, count in notes.capped
    )
    if notes.stopped_on:
        warnings.append(
            f"the PDF has more than {MAX_DOCUMENT_CHARS:,} characters; reading stopped on "
            f"page {notes.stopped_on} and the {notes.unread_pages:,} page(s) after it are "
            "left empty"
        )
    if notes.pages_over:
        warnings.append(
            f"the PDF has more than {MAX_PAGES:,} pages; the last {notes.pages_over:,} "
            "were not read"
        )
    failed = {number for number, _ in notes.failures}
    scanned = [
        i
        for i, (text, page) in enumerate(zip(texts, pages, strict=True), 1)
        if not text.strip() and page.has_graphics and i not in failed
    ]
    if scanned:
        warnings.append(f"no text layer on page {page_list(scanned)} (scanned images?); left empty")
    sideways = [i for i, page in enumerate(pages, 1) if page.set_aside]
    if sideways:
        warnings.append(
            f"text at right angles to the page left out on page {page_list(sideways)} "
            "(margin stamps?)"
        )
    warnings.extend(
        f"a table on page {number} could not be read as a table ({reason}); left as text"
        for number, reason in notes.failures_tables
    )
    if notes.undecoded or any("(cid:" in text for text in texts):
        warnings.append(
            "some characters could not be decoded (a font has no Unicode mapping) and "
            "were left out or appear as (cid:N)"
        )
    return warnings


def _check_signature(data: bytes) -> None:
    """Fail early and plainly on files that are not PDFs at all (HTML error pages, text)."""
    if not data:
        raise IngestError("the file is empty, so it is not a readable PDF")
    # The spec allows junk before the header as long as it is within the first 1024 bytes.
    if b"%PDF-" not in data[:1024]:
        head = data[:60].split(b"\n")[0].decode("ascii", errors="replace").strip()
        hint = f" (it starts with {head!r})" if head and head.isprintable() else ""
        raise IngestError(f"the file is not a PDF: it has no %PDF- header{hint}")


def _read_pages(document: pdfium.PdfDocument, data: bytes, notes: _Notes) -> list[PageLines]:
    plumber = PlumberDocument(data)
    pages: list[PageLines] = []
    budget = MAX_DOCUMENT_CHARS
    try:
        for index in range(min(len(document), MAX_PAGES)):
            if budget <= 0:
                notes.unread_pages += 1
                pages.append(PageLines(lines=[], has_graphics=False))
                continue
            try:
                page, read = _read_page(
                    document, index, plumber, min(MAX_PAGE_CHARS, budget), notes
                )
            except MemoryError:
                raise
            except Exception as exc:  # one unreadable page must not lose the others
                notes.failures.append((index + 1, _describe(exc)))
                page, read = PageLines(lines=[], has_graphics=False), 0
            budget -= read
            if budget <= 0 and not notes.stopped_on and index + 1 < len(document):
                notes.stopped_on = index + 1
            pages.append(page)
    finally:
        plumber.close()
    notes.pages_over = max(0, len(document) - MAX_PAGES)
    return pages


def _read_page(
    document: pdfium.PdfDocument,
    index: int,
    plumber: PlumberDocument,
    max_chars: int,
    notes: _Notes,
) -> tuple[PageLines, int]:
    page = document[index]
    try:
        text = read_page_text(page, max_chars)
        if text.read_chars < text.chars:
            if max_chars == MAX_PAGE_CHARS:
                notes.capped.append((index + 1, text.chars))
            else:
                notes.stopped_on = index + 1
        if text.undecoded and text.undecoded >= UNDECODED_SHARE * (
            text.undecoded + text.upright_visible + text.turned_visible
        ):
            text = _better_of(text, plumber, index)
        notes.undecoded += text.undecoded
        upright = text.upright_visible >= text.turned_visible
        words = text.upright if upright else text.turned
        frame = text.frame if upright else text.turned_frame
        has_graphics = False if words else _has_graphics(page)
        blocks = []
        if upright and words and looks_tabular(words):
            tables = _tables(page, index, words, frame, plumber, notes)
            taken = {w for table in tables for w in table.words}
            words = [w for w in words if w not in taken]
            blocks = [table.block for table in tables]
        laid_out = page_lines(
            words,
            frame,
            has_graphics=has_graphics,
            set_aside=text.turned_visible if upright else text.upright_visible,
            blocks=blocks,
        )
        return laid_out, text.read_chars
    finally:
        page.close()


def _tables(
    page: pdfium.PdfPage,
    index: int,
    words: list[Word],
    frame: tuple[float, float],
    plumber: PlumberDocument,
    notes: _Notes,
) -> list[Table]:
    """The page's tables; pdfplumber's table finder only when the page has a grid."""
    ruled = None
    if has_caption(words) and _has_grid(page):
        own_media_box = page.get_mediabox(fallback_ok=False)
        shift = own_media_box[3] - page.get_bbox()[3] if own_media_box else 0.0

        def ruled() -> list[RuledTable]:
            try:
                return plumber.tables(index, shift)
            except Exception:  # pdfminer failing where PDFium read: no ruled tables
                return []

    try:
        tables = find_tables(words, column_split(words, frame), ruled)
    except Exception as exc:  # a table the finder cannot make sense of stays running text
        notes.failures_tables.append((index + 1, _describe(exc)))
        return []
    notes.tables += len(tables)
    return tables


def _has_grid(page: pdfium.PdfPage) -> bool:
    """Whether the page draws rules both across and down (a ruled table's grid): at least
    GRID_RULES of each, counting each side of a drawn rectangle. A page of more than
    MAX_GRID_PATHS drawn paths is a figure (pdfplumber would take seconds over it)."""
    raw = page.raw
    across = down = paths = 0
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    grid = False
    for i in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = pdfium_c.FPDFPage_GetObject(raw, i)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        paths += 1
        if paths > MAX_GRID_PATHS:
            return False
        pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
        width, height = right.value - left.value, top.value - bottom.value
        if height <= 2 and width >= 10:
            across += 1
        elif width <= 2 and height >= 10:
            down += 1
        elif width >= 10 and height >= 10:
            across += 2
            down += 2
        grid = grid or (across >= GRID_RULES and down >= GRID_RULES)
    return grid


def _better_of(text: PageText, plumber: PlumberDocument, index: int) -> PageText:
    """pdfminer's reading of a page PDFium could not decode, when it decodes more."""
    try:
        other = plumber.page_text(index)
    except Exception:  # pdfminer failing on a page PDFium opened: keep PDFium's reading
        return text
    return other if other.undecoded < text.undecoded else text


def _has_graphics(page: pdfium.PdfPage) -> bool:
    """Whether the page draws anything but text: tells a scanned page from a blank one."""
    raw = page.raw
    count = min(pdfium_c.FPDFPage_CountObjects(raw), GRAPHICS_PROBE)
    return any(
        pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(raw, i)) in _GRAPHIC_TYPES
        for i in range(count)
    )


def _describe(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _load_error(exc: pdfium.PdfiumError, data: bytes) -> IngestError:
    """Turn PDFium's refusal to open a file into a reason a reviewer can act on.

    PDFium reports only a class of error (password, security handler, format), so the
    bytes are looked at for the likely cause of a format error.
    """
    code = getattr(exc, "err_code", None)
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return IngestError(_ENCRYPTED)
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return IngestError(
            "the PDF is encrypted in a way this reader does not support "
            "(an unsupported security handler)"
        )
    if b"%%EOF" not in data[-2048:]:
        reason = "the file ends before the PDF end-of-file marker, so it was probably cut off"
    elif _has_no_pages(data):
        return IngestError("the PDF has no pages")
    elif b"/Root" not in data:
        reason = "its document catalogue (/Root) is missing"
    elif b"startxref" not in data[-2048:]:
        reason = "its cross-reference table is missing or invalid"
    else:
        reason = f"it could not be parsed ({_describe(exc)})"
    return IngestError(f"the PDF is damaged or truncated: {reason}")


def _has_no_pages(data: bytes) -> bool:
    """An empty page tree, readable in the bytes: no compressed object streams that could
    hide page objects, a /Count 0, and no page object."""
    return (
        b"/ObjStm" not in data
        and re.search(rb"/Count\s+0\b", data) is not None
        and re.search(rb"/Type\s*/Page(?!s)", data) is None
    )

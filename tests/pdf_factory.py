"""Test PDFs made on the fly, so no binary fixture is ever committed or downloaded.

Every line is drawn with `canvas.drawString` at a computed position, so a test controls
the layout exactly: which column a line is in, where paragraph gaps are, what sits in the
header and footer bands. The text font is Bitstream Vera, which ships with reportlab and,
unlike the 14 standard PDF fonts, has glyphs for ± – − ≤ ≥; it is embedded as TrueType with
a Unicode map, as real publisher PDFs are.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from pathlib import Path

import reportlab
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

PAGE_WIDTH, PAGE_HEIGHT = A4
FONT = "Vera"
BOLD_FONT = "VeraBd"
HEADER_SIZE = 8.0
TITLE_SIZE = 16.0

_FONT_DIR = Path(reportlab.__file__).parent / "fonts"


def register_fonts() -> None:
    """Register Vera and Vera Bold with reportlab (idempotent)."""
    for name, filename in ((FONT, "Vera.ttf"), (BOLD_FONT, "VeraBd.ttf")):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(_FONT_DIR / filename)))


def make_pdf(
    pages: Sequence[Sequence[str] | None],
    *,
    columns: int = 1,
    header: str | None = None,
    footer: str | None = None,
    title: Sequence[str] = (),
    font_size: float = 10.0,
    leading: float = 12.0,
    paragraph_gap: float = 10.0,
    margin: float = 72.0,
    gutter: float = 24.0,
    column_lines: int | None = None,
    stamp: str | None = None,
    column_offset: float = 0.0,
) -> bytes:
    """A PDF with one page per item of `pages`, each a list of body lines.

    - An empty string in a page's lines is a paragraph break: `paragraph_gap` points of
      extra space before the next line.
    - A tab splits a line in two: the part after it is right-aligned to the column's right
      edge (a label in the margin, a table cell, a page number beside a header).
    - `None` instead of a list of lines is a page with a picture and no text at all, like a
      page of a scanned document.
    - With `columns=2` the lines fill the left column, then the right one; `column_lines`
      says how many lines go in the left column (default: as many as fit). Lines in both
      columns share baselines, as in a real two-column layout.
    - `title` lines are drawn once, full width, at the top of page 1, above the body.
    - `header` and `footer` are drawn in the top and bottom margins of every page after
      `.format(n=page number, N=page count)`, e.g. `footer="Page {n} of {N}"`.
    - `stamp` is written up the left margin of every page, at right angles to the text,
      like a publisher's "Downloaded from ..." notice.
    - `column_offset` moves the right column down by that many points, so its baselines
      fall between the left column's (as when a heading with its own spacing pushes one
      column down).
    - Text between carets (`trial^12^`) is drawn as a superscript: smaller and raised, as
      reference and footnote markers are.

    Raises ValueError when a line is wider than its column, so a test cannot silently
    produce overlapping text.
    """
    if columns not in (1, 2):
        raise ValueError("columns must be 1 or 2")
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    column_width = (PAGE_WIDTH - 2 * margin - (columns - 1) * gutter) / columns
    count = len(pages)
    for number, lines in enumerate(pages, start=1):
        _draw_margins(canvas, header, footer, number, count, margin)
        if stamp is not None:
            canvas.saveState()
            canvas.translate(margin / 2, margin)
            canvas.rotate(90)
            canvas.setFont(FONT, HEADER_SIZE)
            canvas.drawString(0, 0, stamp)
            canvas.restoreState()
        if lines is None:
            _draw_picture(canvas, margin)
            canvas.showPage()
            continue
        top = PAGE_HEIGHT - margin
        if number == 1 and title:
            top = _draw_title(canvas, title, top, margin)
        flow = _split_columns(list(lines), columns, column_lines, top, margin, leading)
        for index, column in enumerate(flow):
            x = margin + index * (column_width + gutter)
            y = top - font_size - (column_offset if index == 1 else 0.0)
            first = True
            for text in column:
                if text == "":
                    if not first:
                        y -= paragraph_gap
                    continue
                left_text, _, right_text = text.partition("\t")
                needed = pdfmetrics.stringWidth(left_text.replace("^", ""), FONT, font_size)
                if right_text:
                    needed += font_size + pdfmetrics.stringWidth(right_text, FONT, font_size)
                if needed > column_width:
                    raise ValueError(f"line does not fit its column: {text!r}")
                _draw_with_superscripts(canvas, x, y, left_text, font_size)
                if right_text:
                    canvas.drawRightString(x + column_width, y, right_text)
                y -= leading
                first = False
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


SUPERSCRIPT_SCALE = 0.6
SUPERSCRIPT_RISE = 0.4  # ems above the baseline


def _draw_with_superscripts(canvas: Canvas, x: float, y: float, text: str, size: float) -> None:
    """Draw `text` from (x, y); parts between carets are superscripts."""
    for index, part in enumerate(text.split("^")):
        if not part:
            continue
        superscript = index % 2 == 1
        part_size = size * SUPERSCRIPT_SCALE if superscript else size
        canvas.setFont(FONT, part_size)
        canvas.drawString(x, y + (SUPERSCRIPT_RISE * size if superscript else 0.0), part)
        x += pdfmetrics.stringWidth(part, FONT, part_size)


def _split_columns(
    lines: list[str],
    columns: int,
    column_lines: int | None,
    top: float,
    margin: float,
    leading: float,
) -> list[list[str]]:
    if columns == 1:
        return [lines]
    capacity = column_lines or int((top - margin) // leading)
    return [lines[:capacity], lines[capacity:]]


def _draw_margins(
    canvas: Canvas,
    header: str | None,
    footer: str | None,
    number: int,
    count: int,
    margin: float,
) -> None:
    canvas.setFont(FONT, HEADER_SIZE)
    if header is not None:
        canvas.drawString(margin, PAGE_HEIGHT - 36, header.format(n=number, N=count))
    if footer is not None:
        canvas.drawString(margin, 30, footer.format(n=number, N=count))


def _draw_title(canvas: Canvas, title: Sequence[str], top: float, margin: float) -> float:
    """Draw the title lines full width and return where the body starts below them."""
    y = top - TITLE_SIZE
    for text in title:
        if pdfmetrics.stringWidth(text, BOLD_FONT, TITLE_SIZE) > PAGE_WIDTH - 2 * margin:
            raise ValueError(f"title line does not fit the page: {text!r}")
        canvas.setFont(BOLD_FONT, TITLE_SIZE)
        canvas.drawString(margin, y, text)
        y -= TITLE_SIZE * 1.25
    return y - 12


def _draw_picture(canvas: Canvas, margin: float) -> None:
    """Shapes and a raster image but no text: what a scanned page looks like to a reader."""
    from PIL import Image  # reportlab's own dependency
    from reportlab.lib.utils import ImageReader

    canvas.setFillGray(0.85)
    canvas.rect(margin, PAGE_HEIGHT / 2, PAGE_WIDTH - 2 * margin, 200, fill=1)
    canvas.circle(PAGE_WIDTH / 2, PAGE_HEIGHT / 3, 60, fill=0)
    image = Image.new("L", (64, 64), color=200)
    for i in range(64):
        image.putpixel((i, i), 0)
    canvas.drawImage(ImageReader(image), margin, margin, width=200, height=200)


def make_sideways_pdf(lines: Sequence[str], angle: int = 90, footer: str | None = None) -> bytes:
    """One portrait page whose body is drawn at right angles (`angle` 90 or -90), as
    landscape tables are in journals; `footer` stays upright."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    if footer is not None:
        canvas.setFont(FONT, HEADER_SIZE)
        canvas.drawString(72, 30, footer)
    canvas.saveState()
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(angle)
    canvas.setFont(FONT, 10)
    for i, text in enumerate(lines):
        canvas.drawString(-PAGE_HEIGHT / 2 + 72, PAGE_WIDTH / 2 - 72 - 12 * i, text)
    canvas.restoreState()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def rotate_pages(data: bytes, angle: int) -> bytes:
    """The same PDF with a /Rotate of `angle` degrees on every page (viewers turn it)."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        page.rotate(angle)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypt(data: bytes, user_password: str = "secret", owner_password: str | None = None) -> bytes:
    """The same PDF, encrypted with pypdf: it opens only with `user_password`."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncate(data: bytes) -> bytes:
    """The first half of the file, as left by an interrupted download."""
    return data[: len(data) // 2]


def make_pdf_without_pages() -> bytes:
    """A syntactically valid PDF whose page tree is empty."""
    out = io.BytesIO()
    PdfWriter().write(out)
    return out.getvalue()


def make_raw_pdf(contents: Sequence[bytes], *, compress: bool = True) -> bytes:
    """A PDF written byte by byte: one page per content stream, Helvetica as /F1.

    For the files no typesetter would make (millions of operators, a corrupt stream), so
    tests can build the adversarial inputs of real-world failures without shipping them.
    With `compress`, each stream is Flate-compressed, as such files usually are.
    """
    count = len(contents)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, content in enumerate(contents):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        body = zlib.compress(content, 6) if compress else content
        flate = b" /Filter /FlateDecode" if compress else b""
        objects.append(b"<< /Length %d%s >>\nstream\n" % (len(body), flate) + body + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def text_content(lines: Sequence[str], size: float = 10.0) -> bytes:
    """A content stream showing `lines` (ASCII) top down from (72, 720)."""
    ops = [b"BT /F1 %.1f Tf %.1f TL 72 720 Td" % (size, size * 1.2)]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(b"(" + escaped.encode("latin-1") + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def break_xref(data: bytes) -> bytes:
    """The same PDF with its startxref offset pointing at nothing, as after a bad edit."""
    head, marker, tail = data.rpartition(b"startxref")
    number_end = tail.index(b"%%EOF")
    return head + marker + b"\n99999999\n" + tail[number_end:]


def make_positioned_pdf(
    pages: Sequence[Sequence[tuple[float, float, str] | tuple[float, float, str, float]]],
    rules: Sequence[Sequence[tuple[float, float, float, float]]] = (),
) -> bytes:
    """Pages of text drawn exactly where a test says: `(x, y, text[, size])` with y
    measured from the top of the page to the baseline, plus optional rules
    `(x0, y0, x1, y1)` (same frame) per page. For tables, whose cells sit at columns."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    for number, items in enumerate(pages):
        for item in items:
            x, y, text = item[0], item[1], item[2]
            size = item[3] if len(item) > 3 else 9.0
            canvas.setFont(FONT, size)
            canvas.drawString(x, PAGE_HEIGHT - y, text)
        canvas.setLineWidth(0.5)
        for x0, y0, x1, y1 in rules[number] if number < len(rules) else ():
            canvas.line(x0, PAGE_HEIGHT - y0, x1, PAGE_HEIGHT - y1)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()

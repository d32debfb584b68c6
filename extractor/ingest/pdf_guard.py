"""A look at a PDF's content streams before PDFium parses any page.

PDFium parses a page's whole content stream when the page is loaded, building an object
per text operator: a 21 KB file whose one compressed stream holds two million `Tj`
operators costs it 1.3 s and 650 MB to load, and 1.1 GB once its text is read. No cap on
characters read afterwards can help, so the streams are measured first, from the bytes:
each Flate-compressed stream that is not an image, a font or metadata is inflated in
bounded chunks (never more than CHUNK bytes at a time) while its text-showing operators
are counted, and the scan stops at the first stream over a limit.

The scan cannot tell which page a stream belongs to (that takes a parser, which is what
is being protected), so a file over a limit is refused as a whole with a reason that says
what was found. Streams in other encodings (LZW, ASCII85 chains) are not measured.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

# A dense journal page shows text with a few thousand operators and its content stream
# inflates to well under a megabyte; vector figures can reach tens of megabytes.
MAX_TEXT_OPERATORS = 200_000
MAX_CONTENT_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024
COUNT_FROM = MAX_TEXT_OPERATORS * 2  # bytes: each operator takes at least "Tj" and a space
# How far back from `stream` the stream's dictionary is looked for.
DICT_LOOKBACK = 2048

_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_SKIPPED = re.compile(
    rb"/Subtype\s*/(?:Image|Type1C|CIDFontType0C|OpenType|XML)|/Length[123]\b"
    rb"|/Type\s*/(?:Metadata|EmbeddedFile|ObjStm|XRef)"
)


@dataclass(frozen=True)
class Excess:
    """A content stream over a limit: what was counted when the scan stopped."""

    text_operators: int
    inflated_bytes: int

    def reason(self) -> str:
        if self.text_operators > MAX_TEXT_OPERATORS:
            return (
                f"a content stream shows text with more than {MAX_TEXT_OPERATORS:,} "
                f"operators (a dense page has a few thousand); the file was not read"
            )
        return (
            f"a content stream inflates to more than {MAX_CONTENT_BYTES // 2**20} MB; "
            "the file was not read"
        )


def oversized_content(data: bytes) -> Excess | None:
    """The first content stream over a limit, or None when every measured one is within."""
    view = memoryview(data)
    for match in _STREAM.finditer(data):
        head = data[max(0, match.start() - DICT_LOOKBACK) : match.start()]
        obj = head.rfind(b" obj")
        dictionary = head[obj:] if obj >= 0 else head
        if b"/FlateDecode" not in dictionary or _SKIPPED.search(dictionary):
            continue
        excess = _measure(view, match.end())
        if excess is not None:
            return excess
    return None


def _measure(data: memoryview, start: int) -> Excess | None:
    """Inflate one stream in chunks, counting text operators, until it ends or is over.

    Operators are counted only once the stream has inflated past COUNT_FROM: a stream
    with more than MAX_TEXT_OPERATORS of them is larger than that, and most content
    streams are smaller, so the count costs nothing on ordinary pages.
    """
    inflater = zlib.decompressobj()
    operators = 0
    inflated = 0
    position = start
    while position < len(data):
        piece = data[position : position + CHUNK]
        position += CHUNK
        try:
            out = inflater.decompress(piece, CHUNK)
            while out:
                inflated += len(out)
                if inflated > COUNT_FROM:
                    # An operator split across two chunks is missed: a rounding error.
                    operators += out.count(b"Tj") + out.count(b"TJ")
                if operators > MAX_TEXT_OPERATORS or inflated > MAX_CONTENT_BYTES:
                    return Excess(operators, inflated)
                out = inflater.decompress(inflater.unconsumed_tail, CHUNK)
        except zlib.error:
            return None  # a corrupt stream is PDFium's to report (as an empty page)
        if inflater.eof:
            return None
    return None

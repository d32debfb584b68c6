"""Plain-text reader: bytes of a .txt/.md file -> `RawText`.

Text files arrive from many hands: exported from Word on Windows (cp1252, CRLF), saved by
Notepad with a byte-order mark, copied out of a PDF viewer, or mistaken for text when
they are a PDF or an image. The reader settles the encoding once, says in a warning when
it had to guess, and refuses files that are not text with a reason a reviewer can act on,
so that nothing downstream ever sees mojibake or binary noise.
"""

from __future__ import annotations

import codecs
import re

from extractor.types import IngestError, RawText

# Share of control characters above which decoded "text" is really binary data. Real
# text has almost none (form feeds from pdftotext, a stray escape); binary has many.
_CONTROL_SHARE_LIMIT = 0.10

# The control characters a text file has no use for: C0 controls except the layout ones
# (tab, line feed, vertical tab, form feed, carriage return), DEL and the C1 controls
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")

# Magic numbers of formats people save with a .txt name by mistake, so the error can say
# what the file looks like instead of only "binary".
_MAGIC = (
    (b"%PDF-", "it looks like a PDF"),
    (b"PK\x03\x04", "it looks like a ZIP archive or a Word/Excel document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "it looks like an old Word/Excel document"),
    (b"\x89PNG\r\n\x1a\n", "it looks like a PNG image"),
    (b"\xff\xd8\xff", "it looks like a JPEG image"),
    (b"GIF8", "it looks like a GIF image"),
    (b"\x1f\x8b", "it looks like a gzip archive"),
)


def read_text(data: bytes) -> RawText:
    """Decode a text file, recording how it was decoded and any guess made on the way.

    UTF-8 is tried first because it almost never decodes non-UTF-8 text by accident;
    cp1252 is the fallback because Windows exports are the usual non-UTF-8 source (curly
    quotes, ± and en dashes in bytes 0x80-0x9F); latin-1 accepts every byte, so a file
    is never lost for its encoding alone.
    """
    _refuse_known_binary(data)
    text, encoding, warnings = _decode(data)
    _refuse_control_heavy(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError("the file is empty")
    return RawText(
        pages=[text],
        source_type="text",
        paginated=False,
        encoding=encoding,
        warnings=tuple(warnings),
    )


def _refuse_known_binary(data: bytes) -> None:
    if not data.strip():
        raise IngestError("the file is empty")
    for magic, description in _MAGIC:
        if data.startswith(magic):
            raise IngestError(f"the file is binary, not text ({description})")
    if _utf16_bom(data) is None and b"\x00" in data:
        raise IngestError("the file is binary, not text (it contains NUL bytes)")


def _utf16_bom(data: bytes) -> str | None:
    """'utf-16' when the data starts with a UTF-16 byte-order mark (Notepad "Unicode")."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig", []
        except UnicodeDecodeError:
            pass  # a BOM followed by non-UTF-8 bytes: fall back like any other file
    elif (utf16 := _utf16_bom(data)) is not None:
        try:
            return data.decode(utf16), utf16, []
        except UnicodeDecodeError as error:
            raise IngestError(
                "the file starts with a UTF-16 byte-order mark but is not valid UTF-16"
            ) from error
    else:
        try:
            return data.decode("utf-8"), "utf-8", []
        except UnicodeDecodeError:
            pass
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    try:
        return body.decode("cp1252"), "cp1252", ["decoded as cp1252, not UTF-8"]
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps every byte to a character.
        return body.decode("latin-1"), "latin-1", ["decoded as latin-1, not UTF-8"]


def _refuse_control_heavy(text: str) -> None:
    if not text:
        return
    controls = len(_CONTROLS.findall(text))  # one C-level pass, not a Python call per character
    share = controls / len(text)
    if share > _CONTROL_SHARE_LIMIT:
        raise IngestError(
            f"the file is binary, not text ({share:.0%} of its characters are control characters)"
        )

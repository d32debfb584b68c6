"""Safe, streaming XML parsing shared by the JATS and PubMed readers.

XML from the outside can attack the reader that opens it: a DTD or an external entity
that points to the network (the reader must never fetch anything), entity definitions that
expand exponentially ("billion laughs") or quadratically, and a `.gz` that ends early. The
parsing here goes through defusedxml on top of the standard library's expat parser:

* expat never reads the external DTD subset named in a DOCTYPE (JATS files all name one),
  so a DTD URL is never requested; defusedxml refuses any external entity reference;
* defusedxml refuses every `<!ENTITY>` declaration before anything is expanded, which is
  the only way to build an expansion bomb; JATS and PubMed files never declare entities
  (they use numeric character references), so nothing legitimate is refused;
* named characters of the JATS/PubMed DTDs that some publishers write (`&nbsp;`,
  `&plusmn;`) come from a fixed table of single characters, since the DTD is not read;
* parsing is incremental (`iterparse`), so a caller can stream a file of any size.

Every failure becomes an `IngestError` whose message says, in words, what is wrong with
the file and where.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from html.entities import html5
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser
from defusedxml.ElementTree import iterparse as _defused_iterparse

from extractor.types import IngestError

GZIP_MAGIC = b"\x1f\x8b"
XML_SUFFIXES = (".xml", ".nxml", ".xml.gz")

# Bytes of the start of a file looked at to find its root element and DOCTYPE.
_SNIFF_BYTES = 64 * 1024
# A decompressed .gz read into memory as one document (not streamed record by record)
# larger than this is refused: no article is that large, and a small .gz can expand to
# gigabytes ("zip bomb").
MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024

# Named characters (`&nbsp;`, `&plusmn;`, `&alpha;`) that JATS and PubMed DTDs define and
# some publishers write instead of numeric references. The DTD is never read, so they are
# known from this fixed table: one character each, nothing a document can redefine.
_NAMED_CHARACTERS = {name[:-1]: text for name, text in html5.items() if name.endswith(";")}

_DOCTYPE_PUBLIC = re.compile(rb"<!DOCTYPE\s+([\w:.-]+)(?:\s+PUBLIC\s+[\"']([^\"']*)[\"'])?")
_XML_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<(?:\?xml|!DOCTYPE|!--|[A-Za-z_])")


class XmlSyntaxError(IngestError):
    """The XML breaks off or stops being well-formed at some point: what came before it
    was parsed, so a reader may keep that part (a refused entity or external reference is
    a plain `IngestError`: nothing of such a file is read)."""


def local_name(tag: str) -> str:
    """`article` for `{http://...}article` or `article`."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def namespace(tag: str) -> str:
    """The namespace URI of a `{uri}name` tag, '' when it has none."""
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def is_gzip(data: bytes) -> bool:
    return data.startswith(GZIP_MAGIC)


def looks_like_xml(data: bytes) -> bool:
    """The bytes start like an XML document (prolog, DOCTYPE, comment or an element)."""
    return bool(_XML_START.match(data[:256]))


def open_stream(data: bytes) -> BinaryIO:
    """A readable stream of the XML in `data`, decompressed on the fly when it is gzip."""
    raw = io.BytesIO(data)
    return gzip.GzipFile(fileobj=raw, mode="rb") if is_gzip(data) else raw


def read_all(data: bytes) -> bytes:
    """The XML bytes of `data`, decompressed when gzip, refusing decompression bombs."""
    if not is_gzip(data):
        return data
    stream = open_stream(data)
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := stream.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_DECOMPRESSED_BYTES:
                raise IngestError(
                    f"the .gz file expands to more than {MAX_DECOMPRESSED_BYTES // 2**20} MB, "
                    "which no single article is; it was not read"
                )
            chunks.append(chunk)
    except (EOFError, OSError, zlib.error) as error:
        raise gzip_error(error) from error
    return b"".join(chunks)


def head(data: bytes, size: int = _SNIFF_BYTES) -> bytes:
    """The first `size` bytes of the (decompressed) XML; as many as there are of a
    truncated .gz (read in small steps: a failing read loses what it decompressed)."""
    if not is_gzip(data):
        return data[:size]
    stream = open_stream(data)
    out = bytearray()
    try:
        while len(out) < size:
            chunk = stream.read(min(4096, size - len(out)))
            if not chunk:
                break
            out += chunk
    except (EOFError, OSError, zlib.error) as error:
        if not out:
            raise gzip_error(error) from error
    return bytes(out)


def gzip_error(error: BaseException) -> XmlSyntaxError:
    """What a person should read when a .gz cannot be decompressed."""
    if isinstance(error, EOFError):
        return XmlSyntaxError(
            "the .gz file is truncated: it ends before the end of its compressed data "
            "(an interrupted download?)"
        )
    return XmlSyntaxError(f"the .gz file is corrupt and cannot be decompressed ({error})")


def iterparse(
    stream: BinaryIO, events: tuple[str, ...] = ("start", "end")
) -> Iterator[tuple[str, Element]]:
    """`(event, element)` pairs of a safe incremental parse; errors as `IngestError`.

    The elements are those of the tree being built: a streaming caller must clear or
    detach what it has used, or the tree grows with the file.
    """
    parser = DefusedXMLParser(
        target=TreeBuilder(), forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    parser.entity.update(_NAMED_CHARACTERS)
    try:
        yield from _defused_iterparse(stream, events=events, parser=parser)
    except EntitiesForbidden as error:
        raise IngestError(
            f"the XML declares its own entity (<!ENTITY {error.name} ...>), the mechanism of "
            "entity-expansion attacks such as 'billion laughs'; it was neither expanded nor read"
        ) from error
    except ExternalReferenceForbidden as error:
        raise IngestError(
            f"the XML refers to an external resource ({error.sysid or error.pubid}); "
            "it was not fetched and the file was not read"
        ) from error
    except DTDForbidden as error:  # not raised with forbid_dtd=False; kept for completeness
        raise IngestError("the XML has a document type declaration, which is refused") from error
    except ParseError as error:
        raise malformed(error) from error
    except (EOFError, OSError, zlib.error) as error:
        raise gzip_error(error) from error


def malformed(error: ParseError) -> XmlSyntaxError:
    """The reason for an expat error, with its place in the file."""
    message = str(error).split(":", 1)[0]
    line, column = getattr(error, "position", (None, None))
    where = f" at line {line}, column {column}" if line is not None else ""
    if message.startswith("undefined entity"):
        return XmlSyntaxError(
            f"the XML uses an entity{where} that is defined only in its DTD, "
            "which is never read; the file cannot be read without it"
        )
    if message == "no element found":
        return XmlSyntaxError(f"the XML ends before its root element is closed{where} (truncated?)")
    return XmlSyntaxError(f"the XML is malformed: {message}{where}")


@dataclass(frozen=True)
class Root:
    """What the start of an XML file says it is."""

    tag: str  # local name of the root element
    namespace: str
    first_child: str | None  # local name of the root's first child element, if seen
    doctype_name: str | None
    doctype_public: str | None


def sniff_root(data: bytes) -> Root:
    """The root element (and its first child) of the XML in `data`, parsed safely.

    Only the start of the file is parsed; raises `IngestError` only when the root cannot
    be found (an empty file, a malformed start, an entity declaration before the root, a
    .gz that cannot be opened). Faults after the root are the reader's to report.
    """
    start = head(data)
    if not start.strip():
        raise IngestError("the file is empty")
    doctype = _DOCTYPE_PUBLIC.search(start[:_SNIFF_BYTES])
    root: Element | None = None
    first_child: str | None = None
    depth = 0
    try:
        for event, element in iterparse(io.BytesIO(start), ("start", "end")):
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                elif depth == 2:
                    first_child = local_name(element.tag)
                    break
            else:
                depth -= 1
                if depth == 0:
                    break
    except IngestError:
        # once the root is known, the reader reports any fault with the whole file
        if root is None:
            raise
    if root is None:
        raise IngestError("the XML has no root element")
    return Root(
        tag=local_name(root.tag),
        namespace=namespace(root.tag),
        first_child=first_child,
        doctype_name=doctype.group(1).decode("ascii", "replace") if doctype else None,
        doctype_public=doctype.group(2).decode("ascii", "replace")
        if doctype and doctype.group(2)
        else None,
    )

"""PubMed / MEDLINE XML (`PubmedArticleSet`, as efetch and the annual baseline write it).

A PubMed file holds many citations; each `PubmedArticle` (or `PubmedBookArticle`) is a
document of its own, named `<file>#<PMID>`. Two halves:

* `pubmed_records` streams a file of any size record by record (iterparse, each record
  detached from the tree once it is serialised), so memory stays flat for a 30,000-citation
  baseline file; the PMIDs listed in the file's `DeleteCitation` are not documents;
* `read_pubmed` turns the bytes of one record into `RawText`: the title, then `Abstract`
  and the abstract's paragraphs, each labelled section (`<AbstractText Label="METHODS">`)
  starting with its label (`METHODS: ...`), which the section finder reads as a sublabel
  of the abstract, exactly as in the text form of a structured abstract.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO
from xml.etree.ElementTree import Element, tostring

from defusedxml.ElementTree import fromstring as _safe_fromstring

from extractor.ingest.xml_safe import (
    Root,
    XmlSyntaxError,
    gzip_error,
    iterparse,
    local_name,
    open_stream,
    sniff_root,
)
from extractor.ingest.xml_text import collapse, inline_text
from extractor.types import IngestError, RawText

log = logging.getLogger(__name__)

SOURCE_TYPE = "pubmed-xml"
SET = "PubmedArticleSet"
RECORDS = frozenset({"PubmedArticle", "PubmedBookArticle"})
# Labels NLM writes for a paragraph that has none.
_NO_LABEL = frozenset({"", "UNLABELLED", "UNASSIGNED"})
_DELETE_OPEN = b"<DeleteCitation"
_DELETE_CLOSE = b"</DeleteCitation>"
_CHUNK = 1 << 20


def is_pubmed(root: Root) -> bool:
    """A PubMed file (`PubmedArticleSet`) or one record of it."""
    return not root.namespace and (root.tag == SET or root.tag in RECORDS)


@dataclass(frozen=True)
class PubmedRecord:
    """One citation of a PubMed file: its PMID and its own XML (a `<PubmedArticle>`)."""

    pmid: str
    data: bytes


def pubmed_records(open_file: Callable[[], BinaryIO]) -> Iterator[PubmedRecord]:
    """Every citation of a PubMed file that its `DeleteCitation` does not delete.

    `open_file` opens the (decompressed) XML stream; it is called twice, because the
    deletions stand at the end of the file and must be known before the first record is
    handed out. Raises `IngestError` (after yielding the records before it) when the file
    is malformed or truncated.
    """
    try:
        with open_file() as stream:
            deleted = deleted_pmids(stream)
    except (IngestError, EOFError, OSError) as error:  # the main pass reports it
        log.debug("no deletions read: %s", error)
        deleted = set()
    # PMIDs are unique within a PubMed file; they are not checked for repeats, because a
    # set of every PMID seen would make memory grow with the file
    with open_file() as stream:
        for pmid, element in _stream_records(stream):
            if pmid in deleted:
                continue
            element.tail = None
            yield PubmedRecord(pmid, tostring(element, encoding="utf-8"))


def _stream_records(stream: BinaryIO) -> Iterator[tuple[str, Element]]:
    """(PMID, element) of each record; records are detached from the tree after use."""
    root: Element | None = None
    depth = 0
    position = 0
    for event, element in iterparse(stream, ("start", "end")):
        if event == "start":
            depth += 1
            if root is None:
                root = element
                if local_name(root.tag) != SET:
                    raise IngestError(
                        f"XML, but not a PubMed file (its root element is <{root.tag}>)"
                    )
            continue
        depth -= 1
        if depth != 1:
            continue
        if local_name(element.tag) in RECORDS:
            position += 1
            yield record_pmid(element) or f"record-{position}", element
        root.clear()  # the tree keeps nothing of what was read: flat memory


def record_pmid(record: Element) -> str | None:
    """The PMID of a `PubmedArticle` / `PubmedBookArticle`."""
    for container in ("MedlineCitation", "BookDocument"):
        citation = record.find(container)
        if citation is not None:
            pmid = citation.find("PMID")
            if pmid is not None and pmid.text and pmid.text.strip():
                return pmid.text.strip()
    return None


def deleted_pmids(stream: BinaryIO) -> set[str]:
    """PMIDs listed in the file's `DeleteCitation`, found by scanning the bytes.

    The element stands at the end of the file; scanning for it costs a decompression but
    no parse, and only the element itself is then parsed (safely).
    """
    carry = b""
    found: bytearray | None = None
    try:
        while chunk := stream.read(_CHUNK):
            if found is None:
                buffer = carry + chunk
                start = buffer.find(_DELETE_OPEN)
                if start == -1:
                    carry = buffer[-len(_DELETE_OPEN) :]
                    continue
                found = bytearray(buffer[start:])
            else:
                found += chunk
            end = found.find(_DELETE_CLOSE)
            if end != -1:
                del found[end + len(_DELETE_CLOSE) :]
                break
    except (EOFError, OSError) as error:
        raise gzip_error(error) from error
    if found is None or _DELETE_CLOSE not in found:
        return set()
    element = _safe_fromstring(bytes(found))
    return {p.text.strip() for p in element.iter("PMID") if p.text and p.text.strip()}


def read_pubmed(data: bytes) -> RawText:
    """One PubMed record (or a PubMed file holding exactly one) as title + abstract."""
    root = sniff_root(data)
    if root.tag in RECORDS:
        return _record_text(_parse_whole(data))
    first: Element | None = None
    count = 0
    try:
        for _pmid, element in _stream_records(open_stream(data)):
            count += 1
            first = element if first is None else first
    except XmlSyntaxError as error:
        if not count:
            raise
        raise IngestError(
            f"{error}; the {count} PubMed citations before it are read as documents of "
            "their own (<file>#<PMID>)"
        ) from error
    if first is None:
        raise IngestError("the PubMed file holds no citations (no PubmedArticle)")
    if count > 1:
        raise IngestError(
            f"the PubMed file holds {count} citations: each is a document of its own, "
            "named <file>#<PMID>, when the folder holding it is read"
        )
    return _record_text(first)


def _parse_whole(data: bytes) -> Element:
    root: Element | None = None
    for _event, element in iterparse(open_stream(data), ("start",)):
        if root is None:
            root = element
    assert root is not None
    return root


def _record_text(record: Element) -> RawText:
    citation = record.find("MedlineCitation")
    if citation is None:
        citation = record.find("BookDocument")
    if citation is None:
        raise IngestError("the PubMed record has neither a MedlineCitation nor a BookDocument")
    pmid = record_pmid(record) or "?"
    blocks: list[str] = []
    title = _first(citation, ("Article/ArticleTitle", "ArticleTitle", "Book/BookTitle"))
    if title is None:
        title = _first(citation, ("Article/VernacularTitle",))
    if title is not None and inline_text(title):
        blocks.append(inline_text(title))
    abstract = _first(citation, ("Article/Abstract", "Abstract"))
    paragraphs = list(_abstract_paragraphs(abstract)) if abstract is not None else []
    warnings: list[str] = []
    if paragraphs:
        blocks.append("Abstract")
        blocks.extend(paragraphs)
    else:
        warnings.append("the record has no abstract: only its title was read")
    if not blocks:
        raise IngestError(f"the PubMed record {pmid} has neither a title nor an abstract")
    return RawText(
        pages=["\n\n".join(blocks)],
        source_type=SOURCE_TYPE,
        warnings=tuple(warnings),
        reflow=False,  # one paragraph per line already
    )


def _abstract_paragraphs(abstract: Element) -> Iterator[str]:
    for part in abstract.findall("AbstractText"):
        text = inline_text(part)
        if not text:
            continue
        label = collapse(part.get("Label", "")).rstrip(":. ")
        yield f"{label}: {text}" if label.upper() not in _NO_LABEL else text


def _first(element: Element, paths: tuple[str, ...]) -> Element | None:
    for path in paths:
        found = element.find(path)
        if found is not None:
            return found
    return None

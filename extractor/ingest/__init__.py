"""Readers that turn the bytes of one input file into `RawText`, one module per format.

Each reader owns the quirks of its format (encodings for text, layout for PDF, markup for
JATS and PubMed XML) so that the normaliser and everything after it see the same shape
of input whatever the source was.

Two entry points tie them together:

* `sniff`: which reader a document needs is decided by its bytes (`%PDF`, gzip, the XML
  root element), the name only breaking ties, so a JATS article saved as `.xml`, `.nxml`
  or `.xml.gz` is read as one, and a PDF or an XML article saved under a text name is not
  read as text;
* `file_records`: the documents one corpus file holds. Most files hold one; a PubMed file
  holds one per citation (`<file>#<PMID>`), handed out one at a time so a baseline file
  of 30,000 citations never sits in memory as a whole.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from extractor.ingest import jats, pubmed
from extractor.ingest.xml_safe import (
    XML_SUFFIXES,
    is_gzip,
    looks_like_xml,
    sniff_root,
)
from extractor.types import IngestError

PDF_MAGIC = b"%PDF-"
PDF_SUFFIXES = (".pdf",)
# The source type of an XML file that is neither JATS nor PubMed, or cannot be parsed.
XML_OTHER = "xml"
NOT_JATS_OR_PUBMED = "XML, but not a PMC/JATS article or a PubMed record"


@dataclass(frozen=True)
class Sniffed:
    """What a document's bytes are, and why not readable when that is already known."""

    source_type: str  # 'text', 'pdf', 'jats', 'pubmed-xml' or 'xml'
    problem: str | None = None


def sniff(data: bytes, name: str) -> Sniffed:
    """The reader `data` needs; `name` (a path) only decides when the bytes do not."""
    lowered = name.lower().split("#", 1)[0]
    xml_name = lowered.endswith(XML_SUFFIXES)
    if data.startswith(PDF_MAGIC) or lowered.endswith(PDF_SUFFIXES):
        return Sniffed("pdf")
    if not (xml_name or is_gzip(data) or looks_like_xml(data)):
        return Sniffed("text")
    try:
        root = sniff_root(data)
    except IngestError as error:
        if xml_name or is_gzip(data):
            return Sniffed(XML_OTHER, str(error))
        return Sniffed("text")  # a text file that happens to start with '<'
    if jats.is_jats(root):
        return Sniffed(jats.SOURCE_TYPE)
    if pubmed.is_pubmed(root):
        return Sniffed(pubmed.SOURCE_TYPE)
    if xml_name or is_gzip(data):
        return Sniffed(XML_OTHER, f"{NOT_JATS_OR_PUBMED} (its root element is <{root.tag}>)")
    return Sniffed("text")


@dataclass(frozen=True)
class Record:
    """One document of a corpus file: its doc_id, its bytes and their sha256."""

    doc_id: str
    data: bytes
    sha256: str

    @classmethod
    def of(cls, doc_id: str, data: bytes) -> Record:
        return cls(doc_id, data, hashlib.sha256(data).hexdigest())


def file_records(path: Path, doc_id: str) -> Iterator[Record]:
    """The documents the file at `path` (named `doc_id` in the corpus) holds, lazily.

    A PubMed file gives one record per citation, `doc_id#PMID`, with the citation's own
    bytes (so an unchanged citation is skipped on a re-run and one that left the file is
    removed); citations its `DeleteCitation` lists are not documents. If the file breaks
    off or is malformed, the citations before the fault are given, then the whole file
    as one document named `doc_id`, whose reading reports what is wrong. Any other file
    is one document.
    """
    path = Path(path)
    if not _is_pubmed_file(path):
        yield Record.of(doc_id, path.read_bytes())
        return
    try:
        for record in pubmed.pubmed_records(lambda: _open(path)):
            yield Record.of(f"{doc_id}#{record.pmid}", record.data)
    except IngestError:
        yield Record.of(doc_id, path.read_bytes())


def _is_pubmed_file(path: Path) -> bool:
    if not path.name.lower().endswith(XML_SUFFIXES):
        return False
    with path.open("rb") as handle:
        start = handle.read(64 * 1024)
    try:
        return sniff_root(start).tag == pubmed.SET
    except IngestError:
        return False


def _open(path: Path) -> BinaryIO:
    """The file's XML as a stream, decompressed on the fly when it is gzip."""
    with path.open("rb") as handle:
        compressed = is_gzip(handle.read(2))
    return gzip.open(path, "rb") if compressed else path.open("rb")


__all__ = [
    "Record",
    "Sniffed",
    "file_records",
    "sniff",
]

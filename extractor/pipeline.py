"""One document, from bytes to rows.

`extract_document` is a pure function of the file's bytes, its corpus-relative path and a
read-only `Extractor` (vocabularies, sentence splitter). It shares no mutable state with
other documents, so a run can hand documents to parallel workers or a distributed engine
without changing it. Anything that goes wrong inside becomes an error result: one bad
file never stops a run.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from extractor import __version__
from extractor.assemble import assemble_rows
from extractor.ingest import Sniffed, sniff
from extractor.ingest.jats import read_jats
from extractor.ingest.pdf import read_pdf
from extractor.ingest.pubmed import read_pubmed
from extractor.ingest.text import read_text
from extractor.ingest.xml_safe import XML_SUFFIXES as _XML_SUFFIXES
from extractor.link.engine import ProseEngine
from extractor.patterns_dir import default_patterns_dir
from extractor.tables import find_table_evidence
from extractor.tables.text_source import render_text_tables
from extractor.text.normalise import HYPHEN_RULES_FILE, HyphenRules, load_hyphen_rules, normalise
from extractor.text.sections import (
    SectionVocabulary,
    extract_allowed,
    find_headings,
    heading_sentence_starts,
    load_section_vocabulary,
    sections_from_headings,
)
from extractor.text.sentences import ABBREVIATIONS_FILE, SentenceSplitter, sentences_of
from extractor.types import DocumentResult, IngestError, RawText
from extractor.vocab import Vocabulary

log = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
PDF_SUFFIXES = frozenset({".pdf"})
XML_SUFFIXES = frozenset(_XML_SUFFIXES)  # JATS articles and PubMed files, also gzipped
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES | XML_SUFFIXES


def is_supported(name: str) -> bool:
    """Whether a file of this name is a document (`.xml.gz` is a two-part suffix)."""
    return name.lower().endswith(tuple(SUPPORTED_SUFFIXES))


@dataclass(frozen=True)
class Extractor:
    """Everything loaded once and only read afterwards: safe to share between documents."""

    vocab: Vocabulary
    sections: SectionVocabulary
    splitter: SentenceSplitter
    prose: ProseEngine
    hyphens: HyphenRules
    version: str

    @classmethod
    def load(cls, patterns_dir: Path | None = None) -> Extractor:
        directory = Path(patterns_dir) if patterns_dir else default_patterns_dir()
        splitter = SentenceSplitter(directory / ABBREVIATIONS_FILE)
        return cls(
            vocab=Vocabulary.load(directory),
            sections=load_section_vocabulary(directory / "sections.tsv"),
            splitter=splitter,
            prose=ProseEngine(directory, splitter.nlp.vocab),
            hyphens=load_hyphen_rules(directory / HYPHEN_RULES_FILE),
            version=extractor_version(directory),
        )


_PACKAGE_DIR = Path(__file__).resolve().parent
# Code that does not shape a document's rows: editing it must not re-extract a corpus.
# Whole packages (running a corpus, reviewing, serving) and a few top-level modules; any
# other module (and any new one) counts, so a forgotten entry errs on the safe side.
_NOT_EXTRACTION_PACKAGES = frozenset({"runner", "review", "serve"})
_NOT_EXTRACTION = frozenset(
    {
        "__main__.py",
        "cli.py",
        "errors.py",
        "patterns_dir.py",
        "schema.py",
        "storable.py",
        "store.py",
    }
)


def extractor_version(patterns_dir: Path, code_dir: Path = _PACKAGE_DIR) -> str:
    """Package version plus digests of the extraction code and of every pattern file.

    Editing a vocabulary or a matcher changes the version, so the next run re-extracts
    every document instead of trusting rows made by the old patterns or code.
    """
    code = sorted(
        p
        for p in code_dir.rglob("*.py")
        if not (p.parent == code_dir and p.name in _NOT_EXTRACTION)
        and p.relative_to(code_dir).parts[0] not in _NOT_EXTRACTION_PACKAGES
    )
    patterns = sorted(p for p in patterns_dir.rglob("*") if p.is_file())
    return (
        f"{__version__}+code.{_digest(code, code_dir)}.patterns.{_digest(patterns, patterns_dir)}"
    )


def _digest(paths: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        relative = path.relative_to(root)
        if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            continue
        digest.update(relative.as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def source_type_for(doc_id: str) -> str:
    """The source type a name suggests; `extract_document` decides from the bytes."""
    if PurePosixPath(doc_id).suffix.lower() in PDF_SUFFIXES:
        return "pdf"
    if "#" in doc_id:
        return "pubmed-xml"
    if doc_id.lower().endswith(tuple(XML_SUFFIXES)):
        return "jats" if doc_id.lower().endswith(".nxml") else "xml"
    return "text"


def extract_document(data: bytes, doc_id: str, extractor: Extractor) -> DocumentResult:
    """Read, normalise and match one document; never raises for bad input.

    The reader is chosen by the bytes (`%PDF`, gzip, the XML root), not only the name.
    """
    kind = sniff(data, doc_id)
    result = DocumentResult(
        doc_id=doc_id,
        source_type=kind.source_type,
        sha256=hashlib.sha256(data).hexdigest(),
        status="ok",
        extractor_version=extractor.version,
        size_bytes=len(data),
    )
    try:
        raw = _read(kind, data)
    except IngestError as error:
        return _failed(result, str(error))
    except Exception as error:  # a reader bug must not stop the run
        log.exception("reader failed on %s", doc_id)
        return _failed(result, f"could not read the file ({type(error).__name__}: {error})")
    try:
        _fill(result, raw, extractor)
    except Exception as error:
        log.exception("extraction failed on %s", doc_id)
        return _failed(result, f"internal error while extracting ({type(error).__name__}: {error})")
    return result


def _read(kind: Sniffed, data: bytes) -> RawText:
    """The reader the sniffed bytes call for; raises `IngestError` when none can read them."""
    if kind.problem is not None:
        raise IngestError(kind.problem)
    if kind.source_type == "pdf":
        return read_pdf(data)
    if kind.source_type == "jats":
        return read_jats(data)
    if kind.source_type == "pubmed-xml":
        return read_pubmed(data)
    return read_text(data)


def _fill(result: DocumentResult, raw: RawText, extractor: Extractor) -> None:
    if raw.source_type == "text":  # aligned columns exist only before spaces collapse
        raw = render_text_tables(raw, extractor.vocab)
    normalised = normalise(raw, extractor.hyphens)
    text = normalised.text
    if not text.strip():
        raise IngestError("the file has no text after normalisation")
    headings = find_headings(text, extractor.sections)
    sections = sections_from_headings(text, headings)
    # a glued heading ("ResultsThe lumbar ...") must start its own sentence
    chunks = list(extractor.splitter.docs(text, extra_starts=heading_sentence_starts(headings)))
    sentences = sentences_of(text, chunks)

    def allowed(offset: int) -> bool:
        return extract_allowed(sections, offset)

    tables = find_table_evidence(text, sentences, extractor.vocab)
    rows = [r for r in tables.evidence if allowed(r.char_start)]
    rows += extractor.prose.find(text, chunks, allowed, frozenset(tables.consumed), table_rows=rows)
    result.text = text
    result.pages = len(raw.pages) if raw.paginated else None
    result.page_starts = normalised.page_starts
    result.encoding = raw.encoding
    result.warnings = raw.warnings
    result.sections = sections
    result.evidence = assemble_rows(
        rows, doc_id=result.doc_id, text=normalised, sections=sections, vocab=extractor.vocab
    )


def _failed(result: DocumentResult, reason: str) -> DocumentResult:
    result.status = "error"
    result.error = reason
    result.text = None
    result.evidence = []
    result.sections = []
    return result

"""PubMed / MEDLINE XML: one document per citation, deletions, streaming, bad files."""

from __future__ import annotations

import gzip
import io
import resource
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from extractor.ingest import file_records, pubmed
from extractor.ingest.pubmed import deleted_pmids, pubmed_records, read_pubmed
from extractor.pipeline import extract_document
from extractor.runner.run import run_corpus
from extractor.types import IngestError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from make_pubmed_baseline import write_baseline  # noqa: E402

HEADER = (
    '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    '1st January 2019//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">\n'
)


def citation(pmid: int, title: str, *parts: tuple[str, str]) -> str:
    """A `PubmedArticle`; each part is (Label, text), Label '' for an unlabelled one."""
    texts = "".join(
        f'\n\t\t<AbstractText Label="{label}" NlmCategory="{label}">{text}</AbstractText>'
        if label
        else f"<AbstractText>{text}</AbstractText>"
        for label, text in parts
    )
    abstract = f"<Abstract>{texts}\n\t</Abstract>" if parts else ""
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
        f'<PMID Version="1">{pmid}</PMID><Article PubModel="Print">'
        f"<ArticleTitle>{title}</ArticleTitle>{abstract}</Article></MedlineCitation>"
        f"<PubmedData><PublicationStatus>ppublish</PublicationStatus></PubmedData>"
        f"</PubmedArticle>\n"
    )


def pubmed_set(*citations: str, deleted: tuple[int, ...] = ()) -> bytes:
    deletion = (
        "<DeleteCitation>"
        + "".join(f'<PMID Version="1">{pmid}</PMID>' for pmid in deleted)
        + "</DeleteCitation>\n"
        if deleted
        else ""
    )
    return (HEADER + "<PubmedArticleSet>\n" + "".join(citations) + deletion).encode() + (
        b"</PubmedArticleSet>\n"
    )


THREE = pubmed_set(
    citation(
        101,
        "Drug A for knee pain.",
        ("BACKGROUND", "Knee pain is common."),
        ("METHODS", "We randomised 120 adults."),
        ("RESULTS", "Pain fell in 45 of 60 patients (75%) with drug A."),
    ),
    citation(102, "An unstructured trial.", ("", "Forty patients received B.")),
    citation(103, "A title-only citation."),
    citation(104, "A citation the file deletes.", ("", "Thirty patients.")),
    deleted=(104, 999),
)


def records_of(data: bytes) -> list[pubmed.PubmedRecord]:
    return list(pubmed_records(lambda: io.BytesIO(data)))


# ---------------------------------------------------------------- records


def test_each_citation_is_a_record_and_deleted_citations_are_not(tmp_path: Path) -> None:
    path = tmp_path / "pubmed25n0001.xml"
    path.write_bytes(THREE)
    assert [r.doc_id for r in file_records(path, "baseline/pubmed25n0001.xml")] == [
        "baseline/pubmed25n0001.xml#101",
        "baseline/pubmed25n0001.xml#102",
        "baseline/pubmed25n0001.xml#103",
    ]


def test_a_gzipped_file_gives_the_same_records(tmp_path: Path) -> None:
    plain, packed = tmp_path / "a.xml", tmp_path / "a.xml.gz"
    plain.write_bytes(THREE)
    packed.write_bytes(gzip.compress(THREE))
    as_plain = [(r.doc_id.split("#")[1], r.sha256) for r in file_records(plain, "a.xml")]
    as_packed = [(r.doc_id.split("#")[1], r.sha256) for r in file_records(packed, "a.xml.gz")]
    assert as_plain == as_packed and len(as_plain) == 3


def test_a_record_is_its_own_pubmed_article_and_reads_alone() -> None:
    record = records_of(THREE)[0]
    assert record.pmid == "101" and record.data.count(b"<PubmedArticle>") == 1
    assert read_pubmed(record.data).source_type == "pubmed-xml"


def test_deletions_split_across_read_chunks_are_found(monkeypatch) -> None:
    monkeypatch.setattr(pubmed, "_CHUNK", 7)
    assert deleted_pmids(io.BytesIO(THREE)) == {"104", "999"}


# ---------------------------------------------------------------- text


def test_text_is_title_then_abstract_with_its_labels_as_sublabels() -> None:
    text = read_pubmed(records_of(THREE)[0].data).pages[0]
    assert text == (
        "Drug A for knee pain.\n\nAbstract\n\nBACKGROUND: Knee pain is common.\n\n"
        "METHODS: We randomised 120 adults.\n\n"
        "RESULTS: Pain fell in 45 of 60 patients (75%) with drug A."
    )


def test_labels_open_abstract_sections_the_extractor_uses(extractor) -> None:
    result = extract_document(records_of(THREE)[0].data, "a.xml#101", extractor)
    assert (result.status, result.source_type) == ("ok", "pubmed-xml")
    sections = {(s.name, s.extract) for s in result.sections}
    assert {("abstract", True), ("background", False), ("results", True)} <= sections
    assert any(row.percent == 75 for row in result.evidence)


def test_pretty_printed_subscripts_are_not_split_from_their_word() -> None:
    record = citation(7, "T", ("", "a fast-acting &#946;\n\t\t\t<sub>2</sub>-agonist"))
    assert read_pubmed(pubmed_set(record)).pages[0].endswith("a fast-acting β2-agonist")


def test_a_citation_without_abstract_is_its_title_with_a_warning() -> None:
    raw = read_pubmed(records_of(THREE)[2].data)
    assert raw.pages[0] == "A title-only citation."
    assert raw.warnings == ("the record has no abstract: only its title was read",)


def test_a_whole_file_of_several_citations_is_not_read_as_one_document() -> None:
    with pytest.raises(IngestError, match="holds 4 citations: each is a document of its own"):
        read_pubmed(THREE)


# ---------------------------------------------------------------- bad files


def test_a_truncated_gz_keeps_the_records_before_the_cut_and_reports_the_file(
    tmp_path: Path, extractor
) -> None:
    many = pubmed_set(*(citation(n, f"Trial {n}.", ("", f"{n} patients.")) for n in range(1, 400)))
    packed = gzip.compress(many)
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(packed[: len(packed) // 2])
    records = list(file_records(path, "cut.xml.gz"))
    assert records[0].doc_id == "cut.xml.gz#1" and len(records) > 10
    assert records[-1].doc_id == "cut.xml.gz"  # the file itself, to report the fault
    result = extract_document(records[-1].data, records[-1].doc_id, extractor)
    assert result.status == "error"
    assert result.error.startswith("the .gz file is truncated")
    assert f"the {len(records) - 1} PubMed citations before it are read" in result.error


def test_a_file_malformed_midway_keeps_the_records_before_the_fault(
    tmp_path: Path, extractor
) -> None:
    broken = THREE.replace(b'<PMID Version="1">103</PMID>', b"<PMID>103</Title>")
    path = tmp_path / "broken.xml"
    path.write_bytes(broken)
    records = list(file_records(path, "broken.xml"))
    assert [r.doc_id for r in records] == ["broken.xml#101", "broken.xml#102", "broken.xml"]
    result = extract_document(records[-1].data, "broken.xml", extractor)
    assert result.error.startswith("the XML is malformed: mismatched tag at line")


def test_an_entity_bomb_in_a_pubmed_file_is_an_error_row(tmp_path: Path, extractor) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><PubmedArticleSet>&b;</PubmedArticleSet>'
    )
    path = tmp_path / "bomb.xml"
    path.write_bytes(bomb)
    [record] = file_records(path, "bomb.xml")
    result = extract_document(record.data, record.doc_id, extractor)
    assert result.status == "error" and "billion laughs" in result.error


def test_an_empty_gz_member_is_an_error_row(tmp_path: Path, extractor) -> None:
    path = tmp_path / "empty.xml.gz"
    path.write_bytes(gzip.compress(b""))
    [record] = file_records(path, "empty.xml.gz")
    result = extract_document(record.data, record.doc_id, extractor)
    assert (result.status, result.error) == ("error", "the file is empty")


# ---------------------------------------------------------------- a corpus run


def documents(db: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select doc_id, source_type, status from documents").fetchall()
    return {doc_id: (source_type, status) for doc_id, source_type, status in rows}


def test_a_run_gives_one_document_per_citation_skips_them_again_and_drops_removed_ones(
    tmp_path: Path, extractor
) -> None:
    corpus, db = tmp_path / "corpus", tmp_path / "e.db"
    (corpus / "pubmed").mkdir(parents=True)
    (corpus / "pubmed" / "set.xml.gz").write_bytes(gzip.compress(THREE))
    (corpus / "notes.txt").write_text("Results: 12 patients were treated.")
    (corpus / "other.xml").write_text("<catalog/>")

    first = run_corpus(corpus, db, extractor=extractor)
    assert documents(db) == {
        "pubmed/set.xml.gz#101": ("pubmed-xml", "ok"),
        "pubmed/set.xml.gz#102": ("pubmed-xml", "ok"),
        "pubmed/set.xml.gz#103": ("pubmed-xml", "ok"),
        "notes.txt": ("text", "ok"),
        "other.xml": ("xml", "error"),
    }
    assert (first.read, first.failed) == (5, 1)

    second = run_corpus(corpus, db, extractor=extractor)
    assert (second.read, second.skipped, second.removed) == (0, 5, 0)

    without_102 = THREE.replace(
        citation(102, "An unstructured trial.", ("", "Forty patients received B.")).encode(), b""
    )
    (corpus / "pubmed" / "set.xml.gz").write_bytes(gzip.compress(without_102))
    third = run_corpus(corpus, db, extractor=extractor)
    assert (third.read, third.skipped, third.removed) == (0, 4, 1)
    assert "pubmed/set.xml.gz#102" not in documents(db)


# ---------------------------------------------------------------- a baseline-sized file


@pytest.mark.slow
def test_a_30000_citation_baseline_file_streams_every_citation(tmp_path: Path) -> None:
    path = tmp_path / "pubmed25n0001.xml.gz"
    pmids = write_baseline(path, 30_000, deleted=[])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    seen = [record.doc_id for record in file_records(path, path.name)]
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert seen == [f"{path.name}#{pmid}" for pmid in pmids]
    print(
        f"\n30,000 citations ({path.stat().st_size / 2**20:.0f} MiB gzipped) streamed in "
        f"{elapsed:.0f} s; peak RSS of the test process {before / 1024:.0f} -> "
        f"{after / 1024:.0f} MiB (scripts/pubmed_stream_memory.py compares 1x and 10x)"
    )

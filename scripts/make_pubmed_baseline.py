"""Write a PubMed-baseline-style file (`PubmedArticleSet`, gzipped) of N citations.

The annual MEDLINE baseline ships files of 30,000 citations each (about 150 MB of XML,
25 MB gzipped). This makes files of the same shape for tests and benchmarks, without
downloading any: each citation has a PMID, dates, a journal, a title, a structured
abstract (`<AbstractText Label="METHODS">`), an author list and MeSH headings, so a
record weighs what a real one does. Abstracts are built from sentences written here, or
taken from a folder of abstracts (one `.txt` per abstract, title as its first sentence).
The file is written record by record: making a 300,000-citation file needs no more
memory than a 30-citation one.

    python scripts/make_pubmed_baseline.py OUT.xml.gz [--citations 30000]
        [--abstracts DIR] [--delete PMID ...]
"""

from __future__ import annotations

import argparse
import gzip
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

FIRST_PMID = 30_000_001

_ARMS = [
    ("oral semaglutide", "placebo"),
    ("early mobilisation", "usual care"),
    ("cognitive behavioural therapy", "waiting list"),
    ("tranexamic acid", "saline"),
    ("dexamethasone", "standard care"),
]
_OUTCOMES = [("HbA1c", "%"), ("pain (VAS)", "mm"), ("PHQ-9 score", "points"), ("blood loss", "mL")]


def written_abstract(index: int) -> tuple[str, list[tuple[str, str]]]:
    """A title and labelled abstract sections for citation `index`, with its own numbers."""
    rng = random.Random(index)
    arm, control = _ARMS[index % len(_ARMS)]
    outcome, unit = _OUTCOMES[index % len(_OUTCOMES)]
    n_arm, n_control = rng.randint(20, 600), rng.randint(20, 600)
    mean_a, mean_c = round(rng.uniform(5, 80), 1), round(rng.uniform(5, 80), 1)
    sd_a, sd_c = round(rng.uniform(0.5, 20), 1), round(rng.uniform(0.5, 20), 1)
    events_a, events_c = rng.randint(0, n_arm // 4), rng.randint(0, n_control // 4)
    weeks = rng.choice([6, 12, 24, 52])
    title = f"{arm.capitalize()} versus {control} for {outcome}: a randomised trial ({index})."
    sections = [
        ("BACKGROUND", f"Whether {arm} changes {outcome} compared with {control} is unknown."),
        (
            "METHODS",
            f"We randomly assigned {n_arm + n_control} adults to {arm} ({n_arm}) or "
            f"{control} ({n_control}). The primary outcome was {outcome} at {weeks} weeks.",
        ),
        (
            "RESULTS",
            f"At {weeks} weeks, {outcome} was {mean_a} ± {sd_a} {unit} with {arm} and "
            f"{mean_c} ± {sd_c} {unit} with {control} (P = 0.0{rng.randint(1, 9)}). Adverse "
            f"events occurred in {events_a} patients ({100 * events_a / n_arm:.1f}%) and "
            f"{events_c} patients ({100 * events_c / n_control:.1f}%), respectively.",
        ),
        ("CONCLUSIONS", f"{arm.capitalize()} changed {outcome} more than {control}."),
    ]
    return title, sections


def abstracts_from(folder: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    """(title, [("", abstract)]) from `.txt` abstracts whose first sentence is the title."""
    found = []
    for path in sorted(Path(folder).glob("*.txt")):
        text = " ".join(path.read_text(encoding="utf-8", errors="replace").split())
        title, _, rest = text.partition(". ")
        found.append((title + ".", [("", rest or text)]))
    if not found:
        raise SystemExit(f"no .txt abstracts in {folder}")
    return found


def citation_xml(pmid: int, title: str, sections: list[tuple[str, str]]) -> str:
    """One `<PubmedArticle>` shaped like a baseline record."""
    rng = random.Random(pmid)
    abstract = "".join(
        f'<AbstractText Label="{label}" NlmCategory="{label}">{escape(text)}</AbstractText>'
        if label
        else f"<AbstractText>{escape(text)}</AbstractText>"
        for label, text in sections
    )
    authors = "".join(
        f'<Author ValidYN="Y"><LastName>Author{rng.randint(1, 9999)}</LastName>'
        f"<ForeName>A</ForeName><Initials>A</Initials><AffiliationInfo><Affiliation>"
        f"Department of Medicine, University Hospital {rng.randint(1, 500)}, City."
        f"</Affiliation></AffiliationInfo></Author>"
        for _ in range(rng.randint(3, 10))
    )
    mesh = "".join(
        f'<MeshHeading><DescriptorName UI="D{rng.randint(1, 99999):06d}" MajorTopicYN="N">'
        f"Heading {rng.randint(1, 5000)}</DescriptorName></MeshHeading>"
        for _ in range(rng.randint(5, 15))
    )
    return (
        '<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
        f'<PMID Version="1">{pmid}</PMID>'
        "<DateCompleted><Year>2020</Year><Month>01</Month><Day>15</Day></DateCompleted>"
        '<Article PubModel="Print"><Journal><ISSN IssnType="Electronic">1234-5678</ISSN>'
        '<JournalIssue CitedMedium="Internet"><Volume>12</Volume><Issue>3</Issue>'
        "<PubDate><Year>2019</Year></PubDate></JournalIssue>"
        "<Title>Journal of Generated Trials</Title></Journal>"
        f"<ArticleTitle>{escape(title)}</ArticleTitle>"
        f"<Abstract>{abstract}</Abstract>"
        f'<AuthorList CompleteYN="Y">{authors}</AuthorList><Language>eng</Language>'
        '<PublicationTypeList><PublicationType UI="D016449">Randomized Controlled Trial'
        "</PublicationType></PublicationTypeList></Article>"
        f"<MeshHeadingList>{mesh}</MeshHeadingList></MedlineCitation>"
        "<PubmedData><PublicationStatus>ppublish</PublicationStatus><ArticleIdList>"
        f'<ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList></PubmedData>'
        "</PubmedArticle>\n"
    )


def citations(
    count: int, abstracts: list[tuple[str, list[tuple[str, str]]]] | None = None
) -> Iterator[tuple[int, str]]:
    """(PMID, XML) of `count` citations, lazily."""
    for index in range(count):
        title, sections = (
            abstracts[index % len(abstracts)] if abstracts else written_abstract(index)
        )
        pmid = FIRST_PMID + index
        yield pmid, citation_xml(pmid, title, sections)


def write_baseline(
    path: Path,
    count: int,
    *,
    abstracts: list[tuple[str, list[tuple[str, str]]]] | None = None,
    deleted: Iterable[int] = (),
    compress: bool | None = None,
) -> list[int]:
    """Write `count` citations to `path` (gzipped when it ends in .gz); return the PMIDs.

    `deleted` PMIDs are listed in a closing `<DeleteCitation>`, as update files do.
    """
    path = Path(path)
    compress = path.name.endswith(".gz") if compress is None else compress
    pmids: list[int] = []
    handle: BinaryIO
    with gzip.open(path, "wb", compresslevel=6) if compress else path.open("wb") as handle:
        handle.write(
            b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD '
            b'PubMedArticle, 1st January 2024//EN" '
            b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">\n'
            b"<PubmedArticleSet>\n"
        )
        for pmid, xml in citations(count, abstracts):
            handle.write(xml.encode("utf-8"))
            pmids.append(pmid)
        deleted = list(deleted)
        if deleted:
            listed = "".join(f'<PMID Version="1">{pmid}</PMID>' for pmid in deleted)
            handle.write(f"<DeleteCitation>{listed}</DeleteCitation>\n".encode())
        handle.write(b"</PubmedArticleSet>\n")
    return pmids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--citations", type=int, default=30_000)
    parser.add_argument("--abstracts", type=Path, help="folder of .txt abstracts to use")
    parser.add_argument("--delete", type=int, nargs="*", default=[])
    args = parser.parse_args()
    abstracts = abstracts_from(args.abstracts) if args.abstracts else None
    write_baseline(args.out, args.citations, abstracts=abstracts, deleted=args.delete)
    print(f"{args.out}: {args.citations} citations, {args.out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()

"""A small evidence database built by hand from sentences of the sample corpus.

The Datasette tests check exact values (a trajectory's pivot, a computed rate, the n a
meta-analysis row gets), which needs rows whose every attribute is known. The rows
below are what the extraction conventions in docs/EVIDENCE.md say these sentences
give; their quotes and offsets are real positions in the corpus files, so the
highlighting is tested against genuine text, not strings made up to fit.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractor.store import open_database, write_document
from extractor.types import DocumentResult, Evidence, Section

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

NICE = "002_9727310af0dcecef.txt"
COHORT = "001_1cd16be5a574c92a.txt"
META = "000_35dad4553f3b404f.txt"
FLAGGED = "flagged/wound-infection.txt"


@dataclass
class HandDocument:
    """A document's text plus rows located by (sentence, mention) instead of offsets."""

    doc_id: str
    text: str
    page_starts: tuple[int, ...] = ()
    sections: list[Section] = field(default_factory=list)
    rows: list[Evidence] = field(default_factory=list)

    def add(
        self,
        sentence: str,
        mention: str,
        kind: str,
        value: float | None,
        *,
        occurrence: int = 0,
        **attributes: Any,
    ) -> Evidence:
        """Add a row for the `occurrence`-th `mention` inside the first `sentence`."""
        quote_start = self.text.index(sentence)
        offset = -1
        for _ in range(occurrence + 1):
            offset = sentence.index(mention, offset + 1)
        char_start = quote_start + offset
        row = Evidence(
            kind=kind,
            value=value,
            char_start=char_start,
            char_end=char_start + len(mention),
            rule="hand",
            quote=sentence,
            quote_start=quote_start,
            quote_end=quote_start + len(sentence),
            id=f"{self.doc_id}#{len(self.rows) + 1}",
            doc_id=self.doc_id,
            page=bisect.bisect_right(self.page_starts, char_start) if self.page_starts else None,
            section=next(
                (s.name for s in reversed(self.sections) if s.start <= char_start < s.end),
                None,
            ),
            **attributes,
        )
        self.rows.append(row)
        return row

    def result(self) -> DocumentResult:
        return DocumentResult(
            doc_id=self.doc_id,
            source_type="text",
            sha256=f"sha-{self.doc_id}",
            status="ok",
            extractor_version="hand-built",
            text=self.text,
            pages=len(self.page_starts) or None,
            page_starts=self.page_starts,
            size_bytes=len(self.text.encode("utf-8")),
            evidence=self.rows,
            sections=self.sections,
        )


def corpus_text(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def between(text: str, start: str, end: str) -> str:
    """The sentence of `text` that begins with `start` and ends with `end` (inclusive)."""
    i = text.index(start)
    return text[i : text.index(end, i) + len(end)]


def nice_document() -> HandDocument:
    """NICE guidance: two arms with trajectories, sample sizes, complications; 3 'pages'.

    The text file has no pages; the page breaks are placed at the efficacy and safety
    headings so that the page badge can be tested on a real sentence.
    """
    text = corpus_text(NICE)
    efficacy = text.index("4 Efficacy")
    safety = text.index("5 Safety")
    doc = HandDocument(
        NICE,
        text,
        page_starts=(0, efficacy, safety),
        sections=[
            Section(text.index("4.1 In a"), text.index("4.2 In a"), "4.1", "paragraph"),
            Section(text.index("4.3 In the"), text.index("4.4 In a"), "4.3", "paragraph"),
            Section(text.index("4.5 In an"), text.index("4.6 In the"), "4.5", "paragraph"),
            Section(text.index("5.1 The"), text.index("5.2 The"), "5.1", "paragraph"),
            Section(text.index("5.2 The"), text.index("5.3", safety), "5.2", "paragraph"),
        ],
    )
    rct = between(text, "In a randomised controlled trial (RCT) of 148", "superiority >0.9999).")
    sijf, nsm = "SI joint fusion", "non-surgical management"
    doc.add(rct, "148 patients", "sample_size", 148, measure="patients", statistic="n")
    doc.add(rct, "(n=102)", "sample_size", 102, measure="patients", group_name=sijf)
    doc.add(rct, "n=46", "sample_size", 46, measure="patients", group_name=nsm)

    vas = between(text, "In the RCT of 148 patients, in the SI joint fusion group", "(p<0.001). ")
    vas = vas.rstrip()
    vas_row = dict(kind="score", measure="VAS pain", measure_text="joint pain", unit="points")
    doc.add(vas, "82.3 at baseline", value=82.3, group_name=sijf, timepoint="baseline", **vas_row)
    for mention, value, months in [
        ("30.4 at 6-month", 30.4, 6.0),
        ("28.3 at 12-month", 28.3, 12.0),
        ("26.7 at the \n24-month", 26.7, 24.0),
    ]:
        doc.add(
            vas,
            mention,
            value=value,
            group_name=sijf,
            timepoint="follow-up",
            months=months,
            p_value=0.001,
            p_relation="<",
            **vas_row,
        )
    nsm_vas = between(text, "In the NSM group, mean SI joint pain", "(p=0.001).")
    doc.add(
        nsm_vas, "82.2 at baseline", value=82.2, group_name=nsm, timepoint="baseline", **vas_row
    )
    doc.add(
        nsm_vas,
        "70.3 at 6 months",
        value=70.3,
        group_name=nsm,
        timepoint="follow-up",
        months=6.0,
        **vas_row,
    )

    odi = between(text, "Similarly, in the SI joint", "24 months (p<0.001).")
    odi_row = dict(kind="score", measure="ODI", measure_text="Oswestry Disability Index (ODI)")
    doc.add(odi, "57.2 at \nbaseline", value=57.2, group_name=sijf, timepoint="baseline", **odi_row)
    for mention, value, months in [
        ("29.9 at 6 months", 29.9, 6.0),
        ("28.1 at 12 months", 28.1, 12.0),
        ("28.7 at \n24 months", 28.7, 24.0),
    ]:
        doc.add(
            odi,
            mention,
            value=value,
            group_name=sijf,
            timepoint="follow-up",
            months=months,
            **odi_row,
        )

    # Two pooled studies, one value each, and no arm: the same cell holds two values.
    pcs = between(
        text,
        "In the systematic review and meta-analysis of 432 patients, improvements",
        "respectively.",
    )
    pcs_row = dict(kind="score", measure="SF-36 PCS", measure_text="SF-36 physical component score")
    doc.add(pcs, "30.2", value=30.2, timepoint="baseline", **pcs_row)
    doc.add(pcs, "30.7", value=30.7, timepoint="baseline", **pcs_row)
    doc.add(pcs, "42.8", value=42.8, timepoint="follow-up", months=6.0, **pcs_row)
    doc.add(pcs, "37.0", value=37.0, timepoint="follow-up", months=6.0, **pcs_row)

    aslr = between(text, "In an RCT of 103 patients", "(from 3.8 to 3.7).")
    doc.add(aslr, "103 patients", "sample_size", 103, measure="patients", statistic="n")
    aslr_row = dict(kind="score", measure="ASLR", measure_text="SI joint function ratings")
    cm = "conservative management"
    doc.add(aslr, "from 4.0", value=4.0, group_name=sijf, timepoint="baseline", **aslr_row)
    doc.add(aslr, "from 3.8", value=3.8, group_name=cm, timepoint="baseline", **aslr_row)
    doc.add(aslr, "to 3.7", value=3.7, group_name=cm, timepoint="follow-up", **aslr_row)

    overall = between(text, "The overall complication rate was 4%", "SI joint disruption.")
    doc.add(
        overall,
        "4% (204/5,319)",
        "complication",
        204,
        measure="any adverse event",
        count=204,
        denominator=5319,
        percent=4.0,
    )
    events = between(text, "Pain \nwas the most commonly reported event", "1% (n=43).")
    doc.add(
        events,
        "2% [119/5,319]",
        "complication",
        119,
        measure="pain",
        count=119,
        denominator=5319,
        percent=2.0,
    )
    doc.add(events, "n=48", "complication", 48, measure="nerve impingement", count=48)
    review = between(text, "The overall complication rate was 13%", "transarticular approach.")
    doc.add(
        review,
        "13% (57/432)",
        "complication",
        57,
        measure="any adverse event",
        count=57,
        denominator=432,
        percent=13.0,
    )
    common = between(text, "The most common events were", "2% (9/432) patients.")
    # A rate left to be computed: count and denominator without a stated percent.
    doc.add(
        common, "17/432", "complication", 17, measure="wound problem", count=17, denominator=432
    )
    return doc


def cohort_document() -> HandDocument:
    """A consecutive case series: one population, scores with SDs, no arms."""
    text = corpus_text(COHORT)
    doc = HandDocument(COHORT, text)
    doc.add(
        "A total of 29 patients were included.",
        "29 patients",
        "sample_size",
        29,
        measure="patients",
        statistic="n",
    )
    vas = between(text, "The \nmean VAS-pain score improved from 7.83", "(p < 0.001).")
    row = dict(kind="score", measure="VAS pain", measure_text="VAS-pain score", statistic="mean")
    doc.add(vas, "7.83 (± 1.71)", value=7.83, sd=1.71, timepoint="baseline", **row)
    doc.add(vas, "4.97 (± 2.63)", value=4.97, sd=2.63, timepoint="follow-up", **row)
    # The results section restates the abstract's values, this time with the timepoint.
    restated = between(text, "Mean VAS-pain score improved from 7.83", "(± 2.94) points.")
    doc.add(restated, "7.83 \n(± 1.71)", value=7.83, sd=1.71, timepoint="baseline", **row)
    doc.add(
        restated, "4.97 (± 2.63)", value=4.97, sd=2.63, timepoint="follow-up", months=12.0, **row
    )
    doc.add(
        restated,
        "mean change of 2.86 (± 2.94) points",
        "change",
        2.86,
        measure="VAS pain",
        statistic="change",
        sd=2.94,
        unit="points",
        months=12.0,
    )
    sae = "In 13.7% of patients, an (S)AE occurred."
    doc.add(sae, "13.7%", "complication", 13.7, measure="serious adverse event", percent=13.7)
    # 57 charts were screened, 29 patients included and restated: the study's N is 29.
    charts = between(text, "The medical charts of 57 patients", "29 patients were \nincluded.")
    doc.add(charts, "57 patients", "sample_size", 57, measure="patients", statistic="n")
    doc.add(charts, "29 patients", "sample_size", 29, measure="patients", statistic="n")
    return doc


def meta_analysis_document() -> HandDocument:
    """A meta-analysis abstract: pooled changes with CIs and a pooled reoperation rate."""
    text = corpus_text(META)
    doc = HandDocument(META, text)
    pooled = between(text, "Meta-analysis showed a VAS improvement", "(P < 0.001).")
    doc.add(
        pooled,
        "VAS improvement of 45.5 points (95% CI: 38.6-52.3)",
        "change",
        45.5,
        measure="VAS pain",
        statistic="change",
        unit="points",
        ci_low=38.6,
        ci_high=52.3,
        ci_level=0.95,
        p_value=0.001,
        p_relation="<",
    )
    doc.add(
        pooled,
        "ODI improvement of 23.3 points (95% CI: 21.0-25.7)",
        "change",
        23.3,
        measure="ODI",
        statistic="change",
        unit="points",
        ci_low=21.0,
        ci_high=25.7,
        ci_level=0.95,
        p_value=0.001,
        p_relation="<",
    )
    reop = between(text, "The meta-analysis of reoperation rates", "(95% CI: 2%-4%).")
    doc.add(
        reop,
        "3% (95% CI: 2%-4%)",
        "complication",
        3.0,
        measure="reoperation",
        percent=3.0,
        ci_low=2.0,
        ci_high=4.0,
        ci_level=0.95,
    )
    return doc


def flagged_document() -> HandDocument:
    """A sentence whose percent disagrees with its own count: 3/40 is 7.5%, not 12%."""
    text = "Results\nWound infection occurred in 12% (3/40) of patients."
    doc = HandDocument(FLAGGED, text)
    row = doc.add(
        "Wound infection occurred in 12% (3/40) of patients.",
        "12% (3/40)",
        "complication",
        3,
        measure="wound infection",
        count=3,
        denominator=40,
        percent=12.0,
    )
    row.flags = ["percent_mismatch"]
    return doc


def hand_documents() -> list[HandDocument]:
    return [nice_document(), cohort_document(), meta_analysis_document(), flagged_document()]


def build_hand_database(path: Path) -> Path:
    """Write the hand-made documents with the real store, so the schema is the real one."""
    db = open_database(path)
    for document in hand_documents():
        write_document(db, document.result())
    db.close()
    return path

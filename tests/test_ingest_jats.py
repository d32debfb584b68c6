"""PMC JATS articles: what the reader renders, how tables look, and how bad XML fails."""

from __future__ import annotations

import gzip
import socket
import textwrap

import pytest

from extractor.ingest import sniff
from extractor.ingest.jats import read_jats
from extractor.pipeline import extract_document
from extractor.text.normalise import normalise
from extractor.types import IngestError, RawText

DOCTYPE = (
    '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange '
    'DTD v1.2 20190208//EN" "JATS-archivearticle1.dtd">'
)
NAMESPACES = (
    'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:mml="http://www.w3.org/1998/Math/MathML"'
)


def article(
    body: str = "",
    abstract: str = "",
    back: str = "",
    title: str = "Early mobilisation after hip fracture",
    doctype: str = DOCTYPE,
    after: str = "",
) -> bytes:
    """A minimal JATS article around the given parts."""
    abstract_xml = f"<abstract>{abstract}</abstract>" if abstract else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n'
        f'<article {NAMESPACES} article-type="research-article"><front><article-meta>'
        f"<title-group><article-title>{title}</article-title></title-group>{abstract_xml}"
        f"</article-meta></front><body>{body}</body>"
        f"{f'<back>{back}</back>' if back else ''}{after}</article>"
    ).encode()


def text_of(data: bytes) -> str:
    return read_jats(data).pages[0]


TABLE = """
<table-wrap id="T2"><label>Table 2</label>
<caption><title>Outcomes at 12 weeks</title><p>Intention-to-treat population</p></caption>
<table>
<thead>
<tr><th rowspan="2">Outcome</th><th colspan="2">Drug A (n = 120)</th>
    <th colspan="2">Placebo (n = 118)</th><th rowspan="2">P</th></tr>
<tr><th>Mean</th><th>SD</th><th>Mean</th><th>SD</th></tr>
<tr><td colspan="6"><hr/></td></tr>
</thead>
<tbody>
<tr><td>Age, years</td><td>54.2</td><td>8.1</td><td>55.0</td><td>7.9</td><td>0.41</td></tr>
<tr><td colspan="6">Sex, n (%)</td></tr>
<tr><td>Female</td><td>60 (50.0)</td><td/><td>58 (49.2)</td><td/>
    <td rowspan="2">0.88<xref ref-type="table-fn" rid="TF2"><sup>b</sup></xref></td></tr>
<tr><td>Male</td><td>60 (50.0)</td><td/><td>60 (50.8)</td><td/></tr>
<tr><td>HbA<sub>1c</sub>, %</td><td>7.2 &#x000b1; 0.9<sup>a</sup></td><td/>
    <td>7.4 &#x000b1; 1.0</td><td/><td>0.12</td></tr>
</tbody>
</table>
<table-wrap-foot>
<fn id="TF1"><label>a</label><p>Values are mean &#x000b1; SD unless stated otherwise.</p></fn>
<fn id="TF2"><p><sup>b</sup>P from the &#x003c7;<sup>2</sup> test</p></fn>
</table-wrap-foot>
</table-wrap>
"""

TABLE_TEXT = """\
Table 2. Outcomes at 12 weeks Intention-to-treat population
| Outcome | Drug A (n = 120) | Drug A (n = 120) | Placebo (n = 118) | Placebo (n = 118) | P |
| Outcome | Mean | SD | Mean | SD | P |
|---|---|---|---|---|---|
| Age, years | 54.2 | 8.1 | 55.0 | 7.9 | 0.41 |
| Sex, n (%) | | | | | |
| Female | 60 (50.0) | | 58 (49.2) | | 0.88^b^ |
| Male | 60 (50.0) | | 60 (50.8) | | 0.88^b^ |
| HbA1c, % | 7.2 ± 0.9^a^ | | 7.4 ± 1.0 | | 0.12 |
a Values are mean ± SD unless stated otherwise.
b P from the χ^2^ test"""


# ---------------------------------------------------------------- recognition


def test_an_article_is_recognised_by_its_root_and_doctype_not_its_name() -> None:
    data = article("<sec><title>Results</title><p>Twelve patients.</p></sec>")
    assert sniff(data, "paper.xml").source_type == "jats"
    assert sniff(data, "paper.nxml").source_type == "jats"
    assert sniff(data, "saved-as-text.txt").source_type == "jats"


def test_an_article_without_doctype_is_recognised_by_its_front_matter() -> None:
    data = article("<sec><title>Results</title><p>Twelve patients.</p></sec>", doctype="")
    assert sniff(data, "paper.xml").source_type == "jats"


def test_a_docbook_article_is_not_jats() -> None:
    data = b'<?xml version="1.0"?><article><title>Guide</title><para>Text</para></article>'
    found = sniff(data, "guide.xml")
    assert found.source_type == "xml"
    assert "XML, but not a PMC/JATS article or a PubMed record" in found.problem


def test_a_gzipped_article_is_read(extractor) -> None:
    data = gzip.compress(article("<sec><title>Results</title><p>Twelve patients.</p></sec>"))
    result = extract_document(data, "paper.xml.gz", extractor)
    assert (result.status, result.source_type) == ("ok", "jats")
    assert "Twelve patients." in result.text


# ---------------------------------------------------------------- front matter and body


def test_title_comes_first_then_an_abstract_heading() -> None:
    text = text_of(article(abstract="<p>We studied 40 patients.</p>"))
    assert text.startswith("Early mobilisation after hip fracture\n\nAbstract\n\nWe studied 40")


def test_structured_abstract_sections_label_their_first_paragraph() -> None:
    abstract = """
      <sec><title>Background</title><p>Falls are common.</p></sec>
      <sec><title>Methods:</title><p>We randomised 80 adults.</p><p>Follow-up was 1 year.</p></sec>
      <sec><title>Results</title><p>Pain fell by 12 points.</p></sec>"""
    text = text_of(article(abstract=abstract))
    assert (
        "Abstract\n\nBackground: Falls are common.\n\nMethods: We randomised 80 adults.\n\n"
        "Follow-up was 1 year.\n\nResults: Pain fell by 12 points." in text
    )


def test_abstract_labels_become_sublabels_of_the_abstract(extractor) -> None:
    abstract = """
      <sec><title>Background</title><p>A previous trial enrolled 500 patients.</p></sec>
      <sec><title>Results</title><p>We enrolled 80 patients.</p></sec>"""
    result = extract_document(article(abstract=abstract), "a.xml", extractor)
    names = [(s.name, s.extract) for s in result.sections]
    assert ("background", False) in names and ("results", True) in names
    values = {row.value for row in result.evidence if row.kind == "sample_size"}
    assert 80 in values and 500 not in values


def test_body_section_titles_are_heading_lines_with_their_labels(extractor) -> None:
    body = """
      <sec><label>1.</label><title>Introduction</title><p>Hip fractures are common.</p></sec>
      <sec><label>2.</label><title>Methods</title>
        <sec><label>2.1</label><title>Participants</title><p>Adults were eligible.</p></sec>
      </sec>
      <sec><label>3.</label><title>Results</title><p>Forty patients were enrolled.</p></sec>"""
    text = text_of(article(body))
    assert "\n\n1. Introduction\n\nHip fractures are common.\n\n2. Methods\n\n" in text
    assert "\n\n2.1 Participants\n\nAdults were eligible.\n\n3. Results\n\n" in text
    result = extract_document(article(body), "a.xml", extractor)
    assert {"introduction", "methods", "results"} <= {s.name for s in result.sections}


def test_a_lower_case_heading_stays_a_line_of_its_own(extractor) -> None:
    body = "<sec><title>methods</title><sec><title>data</title><p>We used 12 sites.</p></sec></sec>"
    result = extract_document(article(body), "a.xml", extractor)
    assert "\n\nmethods\n\ndata\n\nWe used 12 sites." in result.text
    assert "methods" in {s.name for s in result.sections}


def test_paragraphs_are_separated_by_one_blank_line() -> None:
    text = text_of(article("<sec><title>Results</title><p>First.</p><p>Second\n  line.</p></sec>"))
    assert text.endswith("Results\n\nFirst.\n\nSecond line.")


def test_xrefs_are_dropped_to_their_text() -> None:
    body = (
        '<p>As shown in <xref ref-type="table" rid="T2">Table 2</xref> and before '
        '[<xref ref-type="bibr" rid="B3">3</xref>], <italic>n</italic> = <bold>40</bold>.</p>'
    )
    assert text_of(article(body)).endswith("As shown in Table 2 and before [3], n = 40.")


def test_a_superscript_of_citations_reads_as_a_citation() -> None:
    body = (
        '<p>Earlier trials found less pain<sup><xref ref-type="bibr" rid="B4">4</xref>,'
        '<xref ref-type="bibr" rid="B5">5</xref></sup>.</p>'
    )
    assert text_of(article(body)).endswith("Earlier trials found less pain [4,5].")


def test_superscripts_stay_readable_and_subscripts_are_plain_text() -> None:
    body = "<p>Counts of 2 &#x000d7; 10<sup>4</sup> cells/mm<sup>3</sup>; HbA<sub>1c</sub> 7%.</p>"
    assert text_of(article(body)).endswith("Counts of 2 × 10^4^ cells/mm^3^; HbA1c 7%.")


def test_inline_mathml_formula_is_kept_as_its_text() -> None:
    body = (
        "<p>The difference was significant (<inline-formula><mml:math><mml:mi>p</mml:mi>"
        "<mml:mo>&lt;</mml:mo><mml:mn>0.05</mml:mn></mml:math></inline-formula>) with "
        "<inline-formula><mml:math><mml:msup><mml:mi>r</mml:mi><mml:mn>2</mml:mn></mml:msup>"
        "<mml:mo>=</mml:mo><mml:mfrac><mml:mn>1</mml:mn><mml:mrow><mml:mi>n</mml:mi>"
        "<mml:mo>-</mml:mo><mml:mn>1</mml:mn></mml:mrow></mml:mfrac></mml:math></inline-formula>.</p>"
    )
    assert text_of(article(body)).endswith(
        "The difference was significant (p < 0.05) with r^2^ = 1/(n-1)."
    )


def test_a_tex_formula_without_mathml_is_kept_as_its_source() -> None:
    body = (
        "<p>We used <inline-formula><tex-math>\\documentclass{minimal}\\begin{document}"
        "$\\alpha = 0.05$\\end{document}</tex-math></inline-formula> throughout.</p>"
    )
    assert text_of(article(body)).endswith("We used \\alpha = 0.05 throughout.")


def test_a_figure_caption_is_its_own_paragraph_starting_with_its_label() -> None:
    body = """<sec><title>Results</title><p>Flow is shown below.</p>
      <fig id="F1"><label>Figure 1</label><caption><title>Flow of participants.</title>
      <p>Of 120 screened, 80 were randomised.</p></caption><graphic xlink:href="f1"/></fig>
      <p>Next paragraph.</p></sec>"""
    text = text_of(article(body))
    assert (
        "Flow is shown below.\n\nFigure 1. Flow of participants. Of 120 screened, 80 were "
        "randomised.\n\nNext paragraph." in text
    )


def test_a_table_placed_inside_a_paragraph_splits_it_there() -> None:
    body = f"<p>Outcomes are given below.{TABLE}Both arms improved.</p>"
    text = text_of(article(body))
    assert f"Outcomes are given below.\n\n{TABLE_TEXT}\n\nBoth arms improved." in text


def test_back_matter_is_left_out_and_appendices_are_read() -> None:
    back = """
      <ack><p>We thank 12 nurses.</p></ack>
      <fn-group><fn><p>Conflicts of interest: none.</p></fn></fn-group>
      <ref-list><ref><mixed-citation>Smith J. Trial. 2001;12:345-9.</mixed-citation></ref>
      </ref-list>
      <app-group><app><title>Appendix A</title><p>Sensitivity analysis in 75 patients.</p></app>
      </app-group>"""
    text = text_of(article("<p>Body text.</p>", back=back))
    assert "nurses" not in text and "Smith" not in text and "Conflicts" not in text
    assert text.endswith("Body text.\n\nAppendix A\n\nSensitivity analysis in 75 patients.")


def test_tables_gathered_in_a_floats_group_are_read() -> None:
    text = text_of(article("<p>See Table 2.</p>", after=f"<floats-group>{TABLE}</floats-group>"))
    assert text.endswith(f"See Table 2.\n\n{TABLE_TEXT}")


# ---------------------------------------------------------------- tables


def test_a_table_wrap_is_rendered_in_the_canonical_form() -> None:
    text = text_of(article(f"<sec><title>Results</title>{TABLE}</sec>"))
    assert text.endswith(f"Results\n\n{TABLE_TEXT}")


def test_without_thead_leading_header_cells_are_the_header() -> None:
    table = """<table-wrap><label>Table 1</label><caption><p>Baseline</p></caption><table>
      <tr><th>Variable</th><th>Surgery</th><th>Physiotherapy</th></tr>
      <tr><td>Age</td><td>61</td><td>63</td></tr></table></table-wrap>"""
    assert text_of(article(table)).endswith(
        "Table 1. Baseline\n| Variable | Surgery | Physiotherapy |\n|---|---|---|\n"
        "| Age | 61 | 63 |"
    )


def test_a_table_without_header_starts_with_the_separator() -> None:
    table = """<table-wrap><table><tbody><tr><td>Age</td><td>61</td></tr>
      <tr><td>Weight</td><td>80</td></tr></tbody></table></table-wrap>"""
    assert text_of(article(table)).endswith("|---|---|\n| Age | 61 |\n| Weight | 80 |")


def test_ragged_rows_are_padded_and_empty_columns_left_out() -> None:
    table = """<table-wrap><table><thead><tr><th>Arm</th><th/><th>n</th><th>Events</th></tr>
      </thead><tbody><tr><td>A</td><td/><td>40</td><td>3</td></tr>
      <tr><td>B</td><td/><td>38</td></tr></tbody></table></table-wrap>"""
    assert text_of(article(table)).endswith(
        "| Arm | n | Events |\n|---|---|---|\n| A | 40 | 3 |\n| B | 38 | |"
    )


def test_a_spanning_header_shorter_than_its_repeating_sub_columns_is_widened() -> None:
    table = """<table-wrap><table><thead><tr><th rowspan="2"/><th colspan="2">Yoga</th>
      <th/><th colspan="2">Usual care</th><th/></tr>
      <tr><th>n (%)</th><th>Mean</th><th>SD</th><th>n (%)</th><th>Mean</th><th>SD</th></tr>
      </thead><tbody><tr><td>Week 12</td><td>20 (40)</td><td>4.1</td><td>1.2</td>
      <td>25 (48)</td><td>5.0</td><td>1.4</td></tr></tbody></table></table-wrap>"""
    assert "| | Yoga | Yoga | Yoga | Usual care | Usual care | Usual care |" in text_of(
        article(table)
    )


def test_a_spanning_header_is_left_as_written_when_sub_columns_do_not_repeat() -> None:
    table = """<table-wrap><table><thead><tr><th rowspan="2"/><th colspan="2">Stroke unit</th>
      <th/><th/></tr><tr><th>n</th><th>Barthel index</th><th>mRS</th><th>P</th></tr>
      </thead><tbody><tr><td>Day 90</td><td>40</td><td>85</td><td>2</td><td>0.04</td></tr>
      </tbody></table></table-wrap>"""
    assert "| | Stroke unit | Stroke unit | | |" in text_of(article(table))


def test_a_spanning_header_crossing_two_groups_of_sub_columns_is_left_as_written() -> None:
    table = """<table-wrap><table><thead><tr><th rowspan="2"/><th/><th colspan="2">KOOS pain</th>
      <th/><th/></tr><tr><th>Mean</th><th>SD</th><th>Mean</th><th>SD</th></tr>
      </thead><tbody><tr><td>Month 6</td><td>61</td><td>12</td><td>70</td><td>9</td></tr>
      </tbody></table></table-wrap>"""
    assert "| | | KOOS pain | KOOS pain | |" in text_of(article(table))


def test_a_pipe_inside_a_cell_becomes_a_slash_and_line_breaks_a_space() -> None:
    table = """<table-wrap><table><thead><tr><th>Drug<break/>dose</th><th>a|b</th></tr></thead>
      <tbody><tr><td>10 mg</td><td>5</td></tr></tbody></table></table-wrap>"""
    assert "| Drug dose | a/b |" in text_of(article(table))


def test_an_image_only_table_keeps_its_caption_as_a_paragraph() -> None:
    table = """<table-wrap><label>Table 4</label><caption><p>Data analysis</p></caption>
      <graphic xlink:href="t4"/></table-wrap>"""
    assert text_of(article(f"<p>Before.</p>{table}<p>After.</p>")).endswith(
        "Before.\n\nTable 4. Data analysis\n\nAfter."
    )


def test_a_rendered_table_survives_normalise_byte_for_byte() -> None:
    raw = read_jats(article(f"<p>Outcomes are given below in</p>{TABLE}<p>and discussed.</p>"))
    assert TABLE_TEXT in normalise(raw).text


def test_a_table_block_survives_normalise_in_reflowed_text_too() -> None:
    """Readers of wrapped text (PDF, markdown) write the same block: normalise must not
    run its caption into a paragraph ending mid-clause, nor its footnotes into each other."""
    prose = textwrap.fill("The outcomes of both arms at twelve weeks are given below in " * 3, 70)
    page = f"{prose}\n\n{TABLE_TEXT}\n\nand were discussed with the\npatients afterwards."
    text = normalise(RawText(pages=[page], source_type="text")).text
    assert f"\n\n{TABLE_TEXT}\n\n" in text


# ---------------------------------------------------------------- bad input


def test_malformed_xml_is_an_error_row_that_says_where(extractor) -> None:
    data = b'<?xml version="1.0"?><article><front><article-meta><title-group></front></article>'
    result = extract_document(data, "broken.xml", extractor)
    assert result.status == "error"
    assert result.error.startswith("the XML is malformed: mismatched tag at line 1")


def test_xml_malformed_after_the_front_matter_is_read_up_to_the_fault(extractor) -> None:
    data = article("<sec><title>Results</title><p>Forty patients.</p></sec></sec>")
    result = extract_document(data, "late-fault.xml", extractor)
    assert result.status == "ok" and "Forty patients." in result.text
    assert "the XML is malformed: mismatched tag" in result.warnings[0]
    assert result.warnings[0].endswith("the article was read up to there")


def test_billion_laughs_is_refused_before_any_expansion(extractor) -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    data = f'<?xml version="1.0"?><!DOCTYPE article [{entities}]><article>&lol9;</article>'
    result = extract_document(data.encode(), "laughs.xml", extractor)
    assert result.status == "error"
    assert "entity-expansion attacks such as 'billion laughs'" in result.error


def test_quadratic_blowup_is_refused(extractor) -> None:
    data = (
        f'<?xml version="1.0"?><!DOCTYPE article [<!ENTITY a "{"x" * 50_000}">]>'
        f"<article><front/><body><p>{'&a;' * 50_000}</p></body></article>"
    )
    result = extract_document(data.encode(), "blowup.xml", extractor)
    assert result.status == "error" and "<!ENTITY a" in result.error


@pytest.fixture
def silent_server(monkeypatch):
    """A port that listens but is never answered, and a socket that may not connect.

    If the reader fetched the DTD it would either hang on this port or trip the patched
    `connect`; the test then checks that nobody knocked at the port.
    """
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    attempts: list[object] = []

    def refuse(self, address):  # type: ignore[no-untyped-def]
        attempts.append(address)
        raise AssertionError(f"the reader tried to connect to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield server.getsockname()[1], attempts
    server.setblocking(False)
    with pytest.raises(BlockingIOError):
        server.accept()  # nobody connected
    server.close()


def test_a_dtd_on_the_network_is_never_fetched(extractor, silent_server) -> None:
    port, attempts = silent_server
    doctype = (
        f'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and '
        f'Interchange DTD v1.2//EN" "http://127.0.0.1:{port}/JATS-archivearticle1.dtd">'
    )
    data = article("<p>Thirty patients.</p>", doctype=doctype)
    result = extract_document(data, "remote-dtd.xml", extractor)
    assert (result.status, result.source_type) == ("ok", "jats")
    assert attempts == []


def test_an_external_entity_is_refused_and_never_fetched(extractor, silent_server) -> None:
    port, attempts = silent_server
    data = (
        f'<?xml version="1.0"?><!DOCTYPE article [<!ENTITY % remote SYSTEM '
        f'"http://127.0.0.1:{port}/evil.dtd"> %remote;]><article><front/></article>'
    )
    result = extract_document(data.encode(), "xxe.xml", extractor)
    assert result.status == "error" and "entity" in result.error
    assert attempts == []


def test_named_characters_of_the_dtd_are_read_without_it() -> None:
    body = "<p>Age 54&nbsp;&plusmn;&nbsp;8 years, &alpha; = 0.05.</p>"
    assert text_of(article(body)).endswith("Age 54 ± 8 years, α = 0.05.")


def test_an_unknown_entity_is_explained(extractor) -> None:
    data = b'<?xml version="1.0"?><article><front>&madeup;</front></article>'
    result = extract_document(data, "unknown-entity.xml", extractor)
    assert result.status == "error"
    assert "defined only in its DTD, which is never read" in result.error


def test_xml_that_is_neither_jats_nor_pubmed_says_so(extractor) -> None:
    data = b'<?xml version="1.0"?><catalog><book id="1"><title>X</title></book></catalog>'
    result = extract_document(data, "catalog.xml", extractor)
    assert (result.status, result.source_type) == ("error", "xml")
    assert result.error == (
        "XML, but not a PMC/JATS article or a PubMed record (its root element is <catalog>)"
    )


def test_an_empty_xml_file_is_an_error_row(extractor) -> None:
    result = extract_document(b"  \n", "empty.xml", extractor)
    assert (result.status, result.error) == ("error", "the file is empty")


def test_an_article_with_no_text_is_an_error() -> None:
    with pytest.raises(IngestError, match="no title, abstract or body text"):
        read_jats(article(title=""))

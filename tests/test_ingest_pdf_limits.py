"""Files built to exhaust a PDF reader end bounded: an error or a capped read, never a hang.

The inputs are generated here (tests/pdf_factory.py) after the real-world failures of
issue 11: a 21 KB file whose one stream holds millions of text operators, damaged cross
references and streams. Timings are never asserted; what is asserted is the outcome: a
reason a reviewer can read, or the pages that could be read with a warning naming the cap.
"""

from __future__ import annotations

import pytest
from pdf_factory import break_xref, make_pdf, make_raw_pdf, text_content

from extractor.ingest import pdf as pdf_reader
from extractor.ingest import pdf_guard
from extractor.ingest.pdf import read_pdf
from extractor.types import IngestError

LINES = ["The trial enrolled 148 adults with chronic low back pain."]


def test_stream_of_a_million_text_operators_is_refused_before_it_is_parsed() -> None:
    bomb = make_raw_pdf([b"BT /F1 10 Tf 72 700 Td " + b"(a) Tj " * 1_000_000 + b"ET"])
    assert len(bomb) < 50_000  # tiny on disk, as the real one was
    with pytest.raises(IngestError, match=r"exhaust readers: .*more than 200,000 operators"):
        read_pdf(bomb)


def test_stream_that_inflates_past_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_guard, "MAX_CONTENT_BYTES", 1024 * 1024)
    bomb = make_raw_pdf([text_content(LINES) + b"\n" + b" " * (4 * 1024 * 1024)])
    with pytest.raises(IngestError, match="inflates to more than 1 MB"):
        read_pdf(bomb)


def test_ordinary_page_passes_the_stream_check() -> None:
    raw = read_pdf(make_raw_pdf([text_content(LINES)]))
    assert raw.pages == LINES


def test_page_with_more_characters_than_the_cap_is_read_up_to_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf_reader, "MAX_PAGE_CHARS", 200)
    lines = [f"Line {i:02d} of a page with far more characters than allowed" for i in range(20)]
    raw = read_pdf(make_raw_pdf([text_content(lines), text_content(LINES)]))
    assert raw.pages[0].startswith(lines[0])
    assert len(raw.pages[0]) <= 200
    assert raw.pages[1] == LINES[0]
    assert any(w.startswith("page 1 has more than 200 characters") for w in raw.warnings)


def test_document_over_the_character_budget_leaves_its_last_pages_unread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf_reader, "MAX_DOCUMENT_CHARS", 120)
    texts = [f"Page {n} of a trial report with sixty characters of text." for n in "ABCD"]
    raw = read_pdf(make_raw_pdf([text_content([t]) for t in texts]))
    assert raw.pages[:2] == texts[:2]
    assert texts[2].startswith(raw.pages[2]) and raw.pages[2] != texts[2]
    assert raw.pages[3] == ""
    assert any("stopped on page 3 and the 1 page(s) after it" in w for w in raw.warnings)


def test_document_over_the_page_cap_is_read_up_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_reader, "MAX_PAGES", 2)
    raw = read_pdf(make_raw_pdf([text_content([f"Page {n} text."]) for n in "ABC"]))
    assert raw.pages == ["Page A text.", "Page B text."]
    assert any("more than 2 pages; the last 1 were not read" in w for w in raw.warnings)


def test_broken_cross_reference_offset_is_read_all_the_same() -> None:
    # PDFium rebuilds the cross references from the objects themselves.
    pages = [["First page text here."], ["Second page text here."]]
    raw = read_pdf(break_xref(make_pdf(pages)))
    assert raw.pages == ["First page text here.", "Second page text here."]


def test_corrupt_stream_loses_only_its_own_page() -> None:
    # Distinct texts: the same line at the top of most pages would be a running header.
    first, third = text_content(["Readable first page."]), text_content(["Readable third."])
    data = bytearray(make_raw_pdf([first, text_content(["Lost page."]), third]))
    # Garble the middle of the second page's compressed stream.
    second = data.index(b"stream\n", data.index(b"6 0 obj")) + len(b"stream\n")
    data[second + 4 : second + 20] = b"\x00" * 16
    raw = read_pdf(bytes(data))
    assert raw.pages[0] == "Readable first page."
    assert raw.pages[2] == "Readable third."
    assert "Lost page." not in raw.pages[1]


def test_stream_with_a_missing_end_is_an_error_or_its_text_never_a_traceback() -> None:
    data = make_raw_pdf([text_content(LINES)], compress=False).replace(b"endstream", b"")
    try:
        raw = read_pdf(data)
    except IngestError as error:
        assert "PDF" in str(error)
    else:
        assert raw.pages == LINES

"""Specifications of the plain-text reader: encodings, line endings, and files that are not text."""

from __future__ import annotations

import codecs
import random

import pytest

from extractor.ingest.text import read_text
from extractor.types import IngestError


def test_utf8_file_is_decoded_as_utf8_without_warnings() -> None:
    raw = read_text("VAS 7.83 (± 1.71), 30–60 min, p ≤ 0.05".encode())
    assert raw.pages == ["VAS 7.83 (± 1.71), 30–60 min, p ≤ 0.05"]
    assert raw.encoding == "utf-8"
    assert raw.warnings == ()


def test_result_is_one_unpaginated_text_page() -> None:
    raw = read_text(b"Results\nA total of 29 patients were included.\n")
    assert raw.source_type == "text"
    assert raw.paginated is False
    assert len(raw.pages) == 1


def test_bom_is_stripped_and_recorded() -> None:
    raw = read_text(codecs.BOM_UTF8 + "Résumé of 54 patients".encode())
    assert raw.pages == ["Résumé of 54 patients"]
    assert raw.encoding == "utf-8-sig"
    assert raw.warnings == ()


def test_cp1252_file_is_decoded_with_warning() -> None:
    data = "mean 7.83 (± 1.71), “satisfied” in 86% – Ehlers–Danlos".encode("cp1252")
    raw = read_text(data)
    assert raw.pages == ["mean 7.83 (± 1.71), “satisfied” in 86% – Ehlers–Danlos"]
    assert raw.encoding == "cp1252"
    assert raw.warnings == ("decoded as cp1252, not UTF-8",)


def test_bytes_undefined_in_cp1252_fall_back_to_latin1_with_warning() -> None:
    # 0x81 has no cp1252 character; latin-1 still keeps the rest of the file readable.
    raw = read_text(b"caf\xe9 \x81 with 12 patients")
    assert raw.encoding == "latin-1"
    assert raw.pages == ["café \x81 with 12 patients"]
    assert raw.warnings == ("decoded as latin-1, not UTF-8",)


def test_utf16_file_with_bom_is_decoded() -> None:
    raw = read_text("Results: 29 patients (± 1.7)".encode("utf-16"))
    assert raw.pages == ["Results: 29 patients (± 1.7)"]
    assert raw.encoding == "utf-16"


def test_crlf_line_endings_become_newlines() -> None:
    raw = read_text(b"Methods\r\nWe included 29 patients.\r\n\r\nResults\r\n")
    assert raw.pages == ["Methods\nWe included 29 patients.\n\nResults\n"]


def test_lone_carriage_returns_become_newlines() -> None:
    raw = read_text(b"Methods\rWe included 29 patients.\r")
    assert raw.pages == ["Methods\nWe included 29 patients.\n"]


def test_binary_file_is_an_ingest_error() -> None:
    with pytest.raises(IngestError, match=r"^the file is binary, not text \(.+\)$"):
        read_text(b"\x00\x01\x02\x03 some bytes \x00\xff\xfe")


def test_random_bytes_are_an_ingest_error() -> None:
    rng = random.Random(7)
    data = bytes(rng.randrange(1, 256) for _ in range(4096))  # no NUL: control share decides
    with pytest.raises(IngestError, match=r"control characters"):
        read_text(data)


def test_pdf_saved_as_text_is_named_in_the_error() -> None:
    with pytest.raises(IngestError, match=r"binary, not text \(it looks like a PDF\)"):
        read_text(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n")


def test_empty_file_is_an_ingest_error() -> None:
    with pytest.raises(IngestError, match=r"^the file is empty$"):
        read_text(b"")


def test_whitespace_only_file_is_an_ingest_error() -> None:
    with pytest.raises(IngestError, match=r"^the file is empty$"):
        read_text(b"  \r\n\t\n  ")


def test_bom_only_file_is_an_ingest_error() -> None:
    with pytest.raises(IngestError, match=r"^the file is empty$"):
        read_text(codecs.BOM_UTF8 + b"\n")


def test_a_few_form_feeds_do_not_make_text_binary() -> None:
    raw = read_text(b"Page one text.\x0cPage two text with 148 patients.")
    assert raw.encoding == "utf-8"

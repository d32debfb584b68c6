"""Hypothesis strategies for hostile inputs: mutated texts and PDFs, and the adversarial
constructions that once stopped or stalled a run (issue 11).

Each strategy gives a `FuzzInput`: the file's bytes, its suffix and a label naming how it
was made, so a report can say which kind of input was slow or crashed without storing
the input itself. `size` bounds how large repeated constructions grow: small in CI, up to
64 KB in the long local run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hypothesis import strategies as st
from pdf_factory import make_pdf

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@dataclass(frozen=True)
class FuzzInput:
    """One generated file."""

    data: bytes
    suffix: str  # ".txt" or ".pdf"
    label: str  # how it was made: "text/mutated", "adversarial/ci-repeated x400", ...

    def __repr__(self) -> str:  # hypothesis prints failing examples: keep them short
        return f"FuzzInput({self.label!r}, {len(self.data)} bytes, {self.data[:80]!r}...)"


@lru_cache(maxsize=1)
def seed_sentences() -> tuple[str, ...]:
    """Real sentences from the sample corpus, the material mutations start from."""
    sentences: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        sentences += [s.strip() for s in re.split(r"(?<=[.;])\s+", text) if 20 < len(s) < 400]
    return tuple(sentences)


# --- adversarial constructions: each repeats a unit `count` times ------------------------

_ADVERSARIAL_UNITS = {
    "respectively-list": "{n} patients, ",
    "ci-repeated": "8.1 (95% CI 7.8 to 8.4), ",
    "percent-counts": "4% (204/5,319), ",
    "comma-numbers": "{n}, ",
    "digits": "7",
    "ratio-digits": "12:",
    "nested-brackets": "(",
    "timepoints": "at {n} months, ",
    "plus-minus": "7.83 ± 1.71 ",
}


@st.composite
def adversarial_text(draw: st.DrawFn, size: int) -> FuzzInput:
    """A sentence made of one construction repeated until it is up to `size` bytes."""
    name = draw(st.sampled_from(sorted(_ADVERSARIAL_UNITS)))
    unit = _ADVERSARIAL_UNITS[name]
    count = draw(st.integers(min_value=1, max_value=max(1, size // max(1, len(unit)))))
    body = "".join(unit.format(n=10 + i % 90) for i in range(count))
    if name == "nested-brackets":
        body = "(" * count + "148 patients" + ")" * count
    text = f"Results: The pain score was {body} respectively (p < 0.001).\n"
    return FuzzInput(text.encode("utf-8"), ".txt", f"adversarial/{name} x{count}")


# --- mutated real text --------------------------------------------------------------------

_HUGE_NUMBERS = (
    "10000000000000000000",
    "1" * 309,
    "4% (1/10000000000000000000)",
    "1e309",
    "NaN",
    "−0",
    "9" * 40 + ".5",
)


@st.composite
def mutated_text(draw: st.DrawFn, size: int) -> FuzzInput:
    """Real sentences, then a few edits: repeats, hostile numbers, arbitrary Unicode."""
    sentences = draw(st.lists(st.sampled_from(seed_sentences()), min_size=1, max_size=12))
    text = " ".join(sentences)
    edits = draw(st.lists(st.integers(0, 5), max_size=4))
    for edit in edits:
        at = draw(st.integers(0, len(text)))
        if edit == 0:  # repeat a slice
            end = draw(st.integers(at, min(len(text), at + 60)))
            times = draw(st.integers(2, max(2, size // max(1, end - at + 1))))
            text = text[:at] + text[at:end] * times + text[end:]
        elif edit == 1:  # a number no column can hold
            text = text[:at] + draw(st.sampled_from(_HUGE_NUMBERS)) + text[at:]
        elif edit == 2:  # arbitrary Unicode, controls included
            text = text[:at] + draw(st.text(max_size=40)) + text[at:]
        elif edit == 3:  # delete a slice
            end = draw(st.integers(at, min(len(text), at + 80)))
            text = text[:at] + text[end:]
        elif edit == 4:  # line and page breaks in odd places
            text = (
                text[:at]
                + draw(st.sampled_from(["\n", "\r", "\f", "\n\n", "\t", "\x00"]))
                + text[at:]
            )
        else:  # lookalike characters
            text = text.replace(".", draw(st.sampled_from(["·", "٫", "．", "."])), 3)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    return FuzzInput(draw(byte_edits(data)), ".txt", f"text/mutated {encoding}")


@st.composite
def byte_edits(draw: st.DrawFn, data: bytes) -> bytes:
    """A few byte-level edits: flipped bytes, invalid UTF-8, truncation."""
    for _ in range(draw(st.integers(0, 3))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        edit = draw(st.integers(0, 2))
        if edit == 0:
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif edit == 1:
            data = (
                data[:at]
                + draw(st.sampled_from([b"\xff\xfe", b"\xc3", b"\xed\xa0\x80"]))
                + data[at:]
            )
        else:
            data = data[:at]
    return data


# --- PDFs -----------------------------------------------------------------------------------


@st.composite
def mutated_pdf(draw: st.DrawFn, size: int) -> FuzzInput:
    """A PDF of real sentences (drawn line by line), then damaged."""
    sentences = draw(st.lists(st.sampled_from(seed_sentences()), min_size=1, max_size=8))
    words = " ".join(sentences).replace("\t", " ").split()
    lines, line = [], ""
    for word in words:  # wrapped to fit the page at 8 pt
        if line and len(line) + len(word) > 70:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()[:70]
    lines.append(line)
    pages = [lines[i : i + 50] for i in range(0, len(lines), 50)]
    data = make_pdf(pages, font_size=8, leading=10)
    damage = draw(st.sampled_from(["none", "bytes", "truncate", "repeat", "numbers", "nesting"]))
    if damage == "bytes":
        data = draw(byte_edits(data))
    elif damage == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "repeat":  # a run of objects copied many times over
        at = draw(st.integers(0, len(data)))
        chunk = data[at : at + draw(st.integers(1, 400))]
        data = (
            data[:at] + chunk * draw(st.integers(2, max(2, size // max(1, len(chunk))))) + data[at:]
        )
    elif damage == "numbers":
        data = re.sub(
            rb"\b\d+\b", lambda m: m.group() + b"0" * 20, data, count=draw(st.integers(1, 50))
        )
    elif damage == "nesting":  # deep arrays where an object is expected
        depth = draw(st.integers(1, max(1, size)))
        data = data.replace(b"obj", b"obj " + b"[" * depth, 1)
    return FuzzInput(data, ".pdf", f"pdf/{damage}")


def any_input(size: int) -> st.SearchStrategy[FuzzInput]:
    """One hostile input of any kind."""
    return st.one_of(adversarial_text(size), mutated_text(size), mutated_pdf(size))

"""The grammar of one table cell, and how a row's cells are told apart from its label.

Table cells are a small closed language (`7.83 ± 1.71`, `25 (86.2%)`, `8.4 (7–10)`,
`< 0.001`, `83/102 (81%)`, `NR`) that differs from prose: there are no words around the
numbers to attach them, only their position. So the table matcher parses cells here,
with its own number reader, rather than asking the prose quantity finder to guess what a
bare `0.035` at the end of a line is. What a cell *means* (SD or range, count or mean) is
decided later, from the table's note and header; this module only says what shape it has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A number as it appears in a cell: thousands separators, leading dot, Unicode minus.
NUM = r"[-−–]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_PM = r"(?:±|\+/[-−]|\+[-−]|∓)"
_TO = r"(?:\s*(?:–|—|-|−|to|,|;)\s*)"
_OPEN = r"[(\[]"
_CLOSE = r"[)\]]"
MAX_ROW = 400  # characters: longer lines are prose, whatever they end with
_MARKS = re.compile(r"[\s*†‡§¶#]+$")

# Each shape is tried as a full match of one stretch of text; order matters only where two
# shapes could both match the same stretch (the more specific one comes first).
_SHAPES: list[tuple[str, re.Pattern[str]]] = [
    (
        "estimate_sd",
        re.compile(rf"(?P<v>{NUM})\s*%?\s*{_OPEN}?\s*{_PM}\s*(?P<sd>{NUM})\s*%?\s*{_CLOSE}?"),
    ),
    (
        "fraction_percent",
        re.compile(rf"(?P<c>{NUM})\s*/\s*(?P<d>{NUM})\s*{_OPEN}\s*(?P<p>{NUM})\s*%?\s*{_CLOSE}"),
    ),
    (
        "percent_fraction",
        re.compile(
            rf"(?P<p>{NUM})\s*%\s*{_OPEN}\s*(?:n\s*=\s*)?(?P<c>{NUM})\s*/\s*(?P<d>{NUM})\s*{_CLOSE}"
        ),
    ),
    ("count_percent", re.compile(rf"(?P<c>{NUM})\s*{_OPEN}\s*(?P<p>{NUM})\s*%\s*{_CLOSE}")),
    (
        "estimate_pair",
        re.compile(
            rf"(?P<v>{NUM})\s*%?\s*{_OPEN}\s*(?:95\s*%\s*CI[:,]?\s*)?(?P<lo>{NUM})\s*%?"
            rf"{_TO}(?P<hi>{NUM})\s*%?\s*{_CLOSE}"
        ),
    ),
    ("estimate_paren", re.compile(rf"(?P<v>{NUM})\s*{_OPEN}\s*(?P<x>{NUM})\s*{_CLOSE}")),
    ("p", re.compile(rf"(?:[pP]\s*)?(?P<rel>[<>≤≥]=?|=)\s*(?P<v>{NUM})")),
    ("fraction", re.compile(rf"(?P<c>{NUM})\s*/\s*(?P<d>{NUM})")),
    ("percent", re.compile(rf"(?P<p>{NUM})\s*%")),
    (
        "interval",
        re.compile(
            rf"{_OPEN}?\s*(?P<lo>{NUM})\s*%?(?:\s*(?:–|—|to|,|;)\s*|-)(?P<hi>{NUM})\s*%?\s*{_CLOSE}?"
        ),
    ),
    ("number", re.compile(rf"(?P<v>{NUM})")),
    ("empty", re.compile(r"NR|NA|N/A|n/a|n\.a\.|ND|NE|–|—|-|−|\.\.\.|…")),
]

_RELATION = {"≤": "<=", "≥": ">=", "<=": "<=", ">=": ">=", "<": "<", ">": ">", "=": "="}


def to_number(raw: str) -> float:
    """Digits as written to a float: `1,181` → 1181, `−0.5` → -0.5, `.001` → 0.001."""
    return float(raw.replace(",", "").replace("−", "-").replace("–", "-"))


@dataclass(frozen=True)
class Cell:
    """One cell's numbers, by shape; `start`/`end` are offsets in the document text.

    `low`/`high` hold a bracketed pair whose meaning (range, IQR, CI) the table decides;
    `paren` holds a single bracketed number, an SD or a percent depending on the table.
    """

    start: int
    end: int
    text: str
    shape: str
    value: float | None = None
    sd: float | None = None
    low: float | None = None
    high: float | None = None
    paren: float | None = None
    count: float | None = None
    denominator: float | None = None
    percent: float | None = None
    p_relation: str | None = None


def parse_cell(text: str, start: int = 0) -> Cell | None:
    """The cell that `text` is as a whole (footnote marks allowed after it), else None."""
    body = _MARKS.sub("", text)
    lead = len(body) - len(body.lstrip())
    body = body.strip()
    if not body:
        return None
    begin = start + lead
    for shape, pattern in _SHAPES:
        match = pattern.fullmatch(body)
        if match is None:
            continue
        groups = {k: to_number(v) for k, v in match.groupdict().items() if v and k != "rel"}
        return Cell(
            start=begin,
            end=begin + len(body),
            text=body,
            shape=shape,
            value=groups.get("v"),
            sd=groups.get("sd"),
            low=groups.get("lo"),
            high=groups.get("hi"),
            paren=groups.get("x"),
            count=groups.get("c"),
            denominator=groups.get("d"),
            percent=groups.get("p"),
            p_relation=_RELATION.get(match.group("rel")) if shape == "p" else None,
        )
    return None


def _word_starts(text: str) -> list[int]:
    """Positions where a whitespace-separated token begins."""
    return [
        i for i, ch in enumerate(text) if not ch.isspace() and (i == 0 or text[i - 1].isspace())
    ]


def split_row(text: str, start: int = 0, max_cells: int | None = None) -> tuple[str, list[Cell]]:
    """A flattened row's label and its cells, read from the right.

    Reading from the right lets labels contain digits (`EQ-5D-3L`, `SF-36 PCS`, an ASA
    class `2`): a cell is only taken while the rest of the line still leaves a label.
    With `max_cells` (the header's number of value columns), surplus bare numbers on the
    left go back into the label (`Grade 3 12 (40%)` with one column → label `Grade 3`;
    `PD-L1 ≥ 50% 0.62 (0.48-0.80) <0.001` with two → label `PD-L1 ≥ 50%`).
    """
    cells: list[Cell] = []
    rest = text.rstrip()
    if len(rest) > MAX_ROW:  # a paragraph, not a row; reading it would be quadratic
        return rest.strip(), cells
    while rest.strip():
        found = None
        for pos in _word_starts(rest):
            cell = parse_cell(rest[pos:], start + pos)
            if cell is not None:
                found = (pos, cell)
                break
        if found is None or not rest[: found[0]].strip():
            break
        pos, cell = found
        cells.insert(0, cell)
        rest = rest[:pos].rstrip()
    if max_cells is not None:
        while len(cells) > max_cells and cells[0].shape in ("number", "percent"):
            dropped = cells.pop(0)
            rest = text[: dropped.end - start]
    return rest.strip(), cells

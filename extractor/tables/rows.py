"""What a row's label (and the group row above it) says about the numbers in the row.

A row label is usually an outcome (`HbA1c, %`, `Any TEAE`, `Female` under `Sex, n (%)`),
but a table may run the other way: one row per arm (`Placebo`, `Intervention (n =
125)`) or per visit (`Baseline`, `Week 8`). The label may also declare the row's format
(`Age, mean (SD), years`), give a unit, mark a condition from before the study (`Prior
stroke`), or say that its numbers are group sizes (`Participants`, `n`). Which of these a
label is comes from the vocabularies; `interpret.py` puts them together with the columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from extractor.annotate.statistics import StatisticParser
from extractor.tables.labels import (
    GroupSize,
    When,
    first_term,
    group_size,
    is_only_time,
    strip_marks,
    unit_in,
    without_group_size,
)
from extractor.tables.model import Row, Table

_DECLARATION_TAIL = re.compile(r"\s*[,;(\[]")


@dataclass(frozen=True)
class RowInfo:
    """One body row, read: its label, its parent's, and what they say."""

    index: int
    row: Row
    label: str  # without footnote marks
    parent: str | None  # the group row's label, without marks
    size: GroupSize | None  # `Intervention (n = 125)`
    is_n_row: bool
    is_count_row: bool  # `Number of VAP`: whole numbers are counts
    time: When | None  # a row that is a visit (`Week 8`)
    parent_time: When | None
    paren: tuple[str, ...]
    pair: tuple[str, ...]
    unit: str | None
    statistic: str | None
    parent_text: str | None  # the group row's label as written
    label_arm: str | None = None  # `Constant score, open repair group` -> `open repair`
    label_outcome: str | None = None  # ... and `Constant score`

    @property
    def table_row(self) -> str:
        """The row header as written, with its parent before ` › `."""
        label = self.row.label.text
        return f"{self.parent_text} › {label}" if self.parent_text else label


def read_rows(table: Table, vocab: Any, parser: StatisticParser) -> list[RowInfo]:
    """Every data row (group rows are read only as parents); a parent whose children's
    percents already add up to the whole (`ASA I, II, III`) stops being their parent."""
    words = vocab.table_headers
    out: list[RowInfo] = []
    share: dict[int, float] = {}
    closed: set[int] = set()
    for index, row in enumerate(table.rows):
        if row.is_group:
            continue
        parent_row = table.parent_of(index)
        parent_index = row.parent
        if parent_index in closed:
            parent_row, parent_index = None, None
        label = strip_marks(row.label.text)
        parent = strip_marks(parent_row.label.text) if parent_row else None
        declared = parser.declarations(row.label.text)
        parent_declared = parser.declarations(parent_row.label.text) if parent_row else ([], [])
        paren = tuple(declared[0]) or tuple(parent_declared[0])
        pair = tuple(declared[1]) or tuple(parent_declared[1])
        bare = _trailing_n(parser).sub("", without_group_size(label, parser))
        info = RowInfo(
            index=index,
            row=row,
            label=label,
            parent=parent,
            size=group_size(row.label.text, parser),
            is_n_row=bool(bare and words.n_row.fullmatch(bare)),
            is_count_row=bool(words.count_label.match(label)),
            time=is_only_time(label, vocab),
            parent_time=is_only_time(parent, vocab) if parent else None,
            paren=paren,
            pair=pair,
            unit=unit_in(label, parser) or (unit_in(parent, parser) if parent else None),
            statistic=_statistic(label, words) or (_statistic(parent, words) if parent else None),
            parent_text=parent_row.label.text if parent_row else None,
            **_arm_in_label(label, words),
        )
        out.append(info)
        if parent_index is not None:
            share[parent_index] = share.get(parent_index, 0.0) + _first_percent(row, parser)
            if share[parent_index] >= _WHOLE:
                closed.add(parent_index)
    return out


# the levels of one variable are complete when their shares reach 100%, allowing rounding
_WHOLE = 99.4


def _arm_in_label(label: str, words: Any) -> dict[str, str]:
    """`mJOA, anterior group`, `Pain score – arm B`: a table laid out one row per outcome
    and arm names the arm after the outcome, with an arm noun (`table_headers.tsv`)."""
    noun = words.arm_noun
    match = re.search(
        rf"[,;:(–—-]\s*(?:[a-z]{{1,3}}\s+)?(?:(?P<name>[^\W\d_][\w-]*(?:\s+[^\W\d_][\w-]*)?)"
        rf"\s+(?:{noun})|(?:{noun})\s+(?P<letter>[A-Z0-9]{{1,3}}))\s*\)?\s*$",
        label,
        re.IGNORECASE,
    )
    if match is None or not label[: match.start()].strip():
        return {}
    return {
        "label_arm": match.group("name") or match.group("letter"),
        "label_outcome": label[: match.start()].strip(),
    }


def _trailing_n(parser: StatisticParser) -> re.Pattern[str]:
    """`Patients with data, n`: the count label after the words of an n row."""
    return re.compile(rf"[\s,;:]+\(?(?:{parser.notation.alternation('n')})\)?\s*$")


def _first_percent(row: Row, parser: StatisticParser) -> float:
    for cell in row.cells[1:]:
        stat = parser.parse_cell(cell.text, paren_means="percent")
        if stat is not None and stat.percent is not None:
            return stat.percent
        if stat is not None:
            return 0.0
    return 0.0


def _statistic(label: str, words: Any) -> str | None:
    mean = words.anywhere["note_mean"].search(label)
    median = words.anywhere["note_median"].search(label)
    if mean and not median:
        return "mean"
    if median and not mean:
        return "median"
    return None


def outcome_words(text: str, parser: StatisticParser) -> str:
    """A label as an outcome name: footnote marks, group size and a trailing format
    declaration dropped (`Sex, n (%)` -> `Sex`, `Age, mean (SD), years` kept whole
    when the declaration is inside)."""
    text = without_group_size(strip_marks(text), parser)
    if any(parser.declarations(text)):
        cut = [m.start() for m in _DECLARATION_TAIL.finditer(text)]
        for position in cut:
            if any(parser.declarations(text[position:])) and text[:position].strip():
                return text[:position].strip()
    return text


def instrument_of(text: str, vocab: Any) -> Any:
    return first_term(getattr(vocab, "instruments_in", None), text)


def complication_of(text: str, vocab: Any) -> Any:
    return first_term(getattr(vocab, "complications_in", None), text)

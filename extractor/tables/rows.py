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
from extractor.tables.columns import percent_only
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

_BRACKET = re.compile(r"[(\[][^()\[\]]*[)\]]")


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
    is_p_row: bool = False  # `P-trend`, `P for interaction`: its numbers are p-values
    change: str | None = None  # `PASI, mean change from baseline`: its values are changes
    percent_only: bool = False  # `Current smokers (%)`: bare numbers are percents
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
            is_p_row=bool(_p_label(parser).match(label)),
            change=_change(label, words),
            percent_only=percent_only(label, parser, words)
            or bool(parent and percent_only(parent, parser, words)),
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


def _change(label: str, words: Any) -> str | None:
    """`change`, `difference` or `difference?` when the label names a change column's
    kind of value (`HbA1c, change from baseline`), else None."""
    match = words.change.search(label)
    if match is None:
        return None
    return words.statistic_of_change(match.group("quals"), match.group("head"))


def _p_label(parser: StatisticParser) -> re.Pattern[str]:
    """`P-trend`, `P for interaction`, `P value`: a row of p-values."""
    return re.compile(rf"^\s*(?:{parser.notation.alternation('p')})(?=$|[\s\-–:,(])")


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


def outcome_words(text: str, parser: StatisticParser, words: Any) -> str:
    """A label as an outcome name: footnote marks, group size and format declarations
    dropped (`Sex, n (%)` -> `Sex`; `Age, mean (SD), years` -> `Age, years`; `Mean
    (s.d.) age at recruitment (years)` -> `age at recruitment (years)`)."""
    text = without_group_size(strip_marks(text), parser)
    out = words.statistic_header.sub(" ", text)
    out = _BRACKET.sub(lambda m: " " if any(parser.declarations(m.group())) else m.group(), out)
    counts = f"(?:{parser.notation.alternation('n')}|{words.n_cell.pattern})"
    out = re.sub(rf"(?:^|[,;])\s*{counts}\s*(?=$|[,;])", " ", out, flags=re.IGNORECASE)
    out = re.sub(r"[(\[]\s*[)\]]", " ", out)
    out = re.sub(r"\s*([,;])(?:\s*[,;])+", r"\1", " ".join(out.split()))
    out = out.strip(" ,;:")
    return out if re.search(r"[^\W\d_]", out) else text


def instrument_of(text: str, vocab: Any) -> Any:
    return first_term(getattr(vocab, "instruments_in", None), text)


def complication_of(text: str, vocab: Any) -> Any:
    return first_term(getattr(vocab, "complications_in", None), text)

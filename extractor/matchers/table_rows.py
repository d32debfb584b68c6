"""One table row to evidence rows: what each cell is, given its row label and its column.

The row label decides the kind: a label naming an instrument makes scores and changes; a
label under a complications heading (or naming a complication) makes complications; any
other label makes proportions from `n (%)` cells and nothing from `mean (± SD)` cells,
because an age, a BMI or an operating time is a description of the cohort, not an outcome
(docs/EVIDENCE.md, "What becomes a row", 10). The column decides the timepoint, the arm,
and whether a number is an estimate, a change, its CI or its p-value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from extractor.matchers.table_cells import Cell
from extractor.matchers.table_columns import Column, Style, read_style
from extractor.matchers.table_columns import _timepoints as header_times
from extractor.types import Evidence

_SAMPLE_LABEL = re.compile(
    r"(?:n|no\.?\s+of\s+\w+|number\s+of\s+(?:patients|participants|subjects|cases)|"
    r"(?:patients|participants|subjects)(?:,\s*n)?|sample\s+size|analy[sz]ed,?\s*n?)",
    re.IGNORECASE,
)
# `mJOA, anterior group` / `Pain score – arm B`: the row label names the arm after the
# instrument (a table laid out one row per arm and per outcome, timepoints across).
_LABEL_ARM = re.compile(
    r"[,;:(–—-]\s*(?:the\s+)?(?:(?P<name>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)\s+"
    r"(?:group|arm|cohort)|(?:group|arm)\s+(?P<letter>[A-Z0-9]{1,3}))\s*\)?\s*$",
)
_COUNT_SHAPES = ("count_percent", "fraction_percent", "percent_fraction", "fraction", "percent")


@dataclass(frozen=True)
class Table:
    """What every row of one table shares."""

    kind: str  # 'flattened', 'markdown', 'aligned': the rule is `table.<kind>_row`
    style: Style
    columns: list[Column]
    n: int | None = None  # the whole table's N, from `(n = 29)` in the caption
    between_arms: bool = False  # two or more arm columns: a difference is between groups
    describes_cohort: bool = False  # a baseline/characteristics table: events are history
    caption_instrument: Any = None  # `Table 2. MADRS by visit`: rows may be times only


@dataclass(frozen=True)
class Row:
    """A data line: its label (with the parent label above it, if any) and its cells."""

    label: str
    parent: str | None
    quote: str
    quote_start: int
    quote_end: int
    cells: list[tuple[Column, Cell]]


def _first_term(finder: Any, text: str) -> Any:
    """The most specific term a vocabulary finder sees, or None (a finder error loses no row).

    `Pain, VAS` finds both `pain` and `VAS pain`: a term whose name is contained in another
    found term's name is the generic one, so `VAS pain` wins; otherwise the first one.
    """
    try:
        terms = finder(text, 0) if finder is not None else []
    except Exception:
        return None
    names = [set(str(getattr(t, "canonical", "")).lower().split()) for t in terms]
    specific = [
        t
        for t, words in zip(terms, names, strict=True)
        if not any(words < other for other in names)
    ]
    return (specific or terms or [None])[0]


def _time_label(label: str, vocab: Any) -> Any:
    """The time a row label is and nothing else (`Baseline`, `Week 8`, `6 months`), else None."""
    times = header_times(label, 0, vocab)
    if len(times) != 1:
        return None
    start, end, time = times[0]
    rest = label[:start] + label[end:]
    return (
        time if re.fullmatch(r"[\s,:()\-]*(?:at|visit)?[\s,:()\-]*", rest, re.IGNORECASE) else None
    )


def _merge_n_percent(cells: list[tuple[Column, Cell]]) -> list[tuple[Column, Cell]]:
    """Join an `n` cell and the `%` cell after it (`| 3 | 10.3 |`) into one count (percent)."""
    merged: list[tuple[Column, Cell]] = []
    for column, cell in cells:
        if column.role == "percent" and merged and merged[-1][0].role == "n":
            n_column, n_cell = merged.pop()
            percent = cell.percent if cell.percent is not None else cell.value
            joined = replace(
                n_cell,
                end=cell.end,
                shape="count_percent",
                count=n_cell.value,
                percent=percent,
                value=None,
            )
            merged.append((n_column, joined))
        else:
            merged.append((column, cell))
    return merged


class _RowReader:
    """Builds the evidence of one row; a class only to share its context between steps."""

    def __init__(self, table: Table, row: Row, vocab: Any) -> None:
        self.table, self.row, self.vocab = table, row, vocab
        self.style = (
            read_style(row.label, vocab.table_headers, table.style)
            if vocab.table_headers.anywhere["label_style"].search(row.label)
            else table.style
        )
        self.instrument = _first_term(getattr(vocab, "instruments_in", None), row.label)
        heading = row.parent or ""
        finder = getattr(vocab, "complications_in", None)
        self.complication = _first_term(finder, row.label)
        words = vocab.table_headers.anywhere
        if words["history"].search(row.label) or (table.describes_cohort and not heading):
            self.complication = None  # `Prior stroke` among baseline characteristics
        self.heading_term = _first_term(finder, heading) if heading else None
        self.is_complication = bool(
            self.complication or words["complication_heading"].search(heading) or self.heading_term
        )
        arm = _LABEL_ARM.search(row.label)
        self.label_arm = (arm.group("name") or arm.group("letter")) if arm else None
        label_time = _first_term(getattr(vocab, "timepoints_in", None), row.label)
        self.label_time = label_time
        if self.instrument is None and table.caption_instrument is not None:
            time = _time_label(row.label, vocab)
            if time is not None:  # a row per visit under a caption naming the instrument
                self.instrument, self.label_time = table.caption_instrument, time
        if self.instrument is None and row.parent and not self.is_complication:
            self._arm_under_instrument(table, row, vocab)
        self.measure_text = f"{row.parent} {row.label}" if row.parent else row.label
        if self.complication and row.parent:
            self.measure_text = row.label
        follow = [c for c in table.columns if c.role == "value" and c.timepoint == "follow-up"]
        self.change_time = follow[0] if len(follow) == 1 else None
        self.out: list[Evidence] = []

    def _arm_under_instrument(self, table: Table, row: Row, vocab: Any) -> None:
        """`| HbA1c, % |` over `| Tirzepatide | ... |` and `| Placebo | ... |`, times across:
        the parent names the instrument and each child row, a plain name, is an arm."""
        parent = _first_term(getattr(vocab, "instruments_in", None), row.parent or "")
        label = row.label.strip()
        if parent is None or any(c.group for c in table.columns) or self.label_time is not None:
            return
        plain = re.fullmatch(r"[A-Za-z][\w\- ]{0,40}", label) and len(label.split()) <= 4
        if plain and not vocab.table_headers.anywhere["label_style"].search(label):
            self.instrument, self.label_arm = parent, self.label_arm or label

    def evidence(
        self, column: Column, cell: Cell, kind: str, value: float | None, **attrs: Any
    ) -> Evidence:
        timepoint, months = column.timepoint, column.months
        if timepoint is None and self.label_time is not None:
            timepoint, months = self.label_time.timepoint, self.label_time.months
        fields: dict[str, Any] = dict(
            group_name=column.group or self.label_arm,
            timepoint=timepoint,
            months=months if timepoint == "follow-up" else None,
        )
        fields.update(attrs)
        row = self.row
        return Evidence(
            kind=kind,
            value=value,
            char_start=cell.start,
            char_end=cell.end,
            rule=f"table.{self.table.kind}_row",
            quote=row.quote,
            quote_start=row.quote_start,
            quote_end=row.quote_end,
            **fields,
        )

    def counted(self, column: Column, cell: Cell) -> Evidence | None:
        """A count and/or percent: a complication under a complications heading, else a share."""
        count = cell.count if cell.count is not None else None
        if cell.shape == "number" or (cell.shape == "estimate_paren" and self.style.counts):
            count = cell.value
        percent = cell.percent if cell.percent is not None else cell.paren
        if cell.shape == "number":
            percent = None
        if count is not None and count != int(count):
            return None
        denominator = cell.denominator or column.n or self.table.n
        common = dict(
            count=None if count is None else int(count),
            percent=percent,
            denominator=None if denominator is None else int(denominator),
            measure_text=self.measure_text,
        )
        if self.is_complication:
            measure = self.complication_measure()
            if count is not None:
                return self.evidence(
                    column,
                    cell,
                    "complication",
                    count,
                    statistic="count",
                    measure=measure,
                    **common,
                )
            return self.evidence(
                column,
                cell,
                "complication",
                percent,
                statistic="percent",
                unit="%",
                measure=measure,
                **common,
            )
        if percent is not None:
            return self.evidence(
                column, cell, "proportion", percent, statistic="percent", unit="%", **common
            )
        return self.evidence(column, cell, "proportion", count, statistic="count", **common)

    def complication_measure(self) -> str:
        """The event's canonical name; under a heading, the label qualifies the heading's
        event (`Intraoperative` under `Adverse events` → `intraoperative adverse event`)."""
        if self.complication is not None:
            return self.complication.canonical
        if self.heading_term is not None:
            event = self.heading_term.canonical.removeprefix("any ")
            return f"{self.row.label.strip().lower()} {event}"
        return self.measure_text

    def estimate(self, column: Column, cell: Cell, kind: str) -> Evidence | None:
        """A score, change or effect: the value with its SD, range or CI as the table says."""
        style, attrs = self.style, {}
        statistic = column.statistic if column.statistic not in (None, "difference?") else None
        if cell.shape == "estimate_sd":
            if style.pm_is_sd:
                attrs["sd"] = cell.sd
            statistic = statistic or "mean"
        elif cell.shape == "estimate_pair":
            pair = column.pair or ("ci" if kind == "effect" else style.pair) or "range"
            if pair == "ci":
                attrs.update(
                    ci_low=cell.low, ci_high=cell.high, ci_level=column.ci_level or style.ci_level
                )
            else:
                attrs.update(range_low=cell.low, range_high=cell.high)
                if style.mean_and_median:
                    statistic = statistic or "median"
        elif cell.shape == "estimate_paren":
            if style.paren == "sd" or (style.paren is None and style.pair is None):
                attrs["sd"] = cell.paren
                statistic = statistic or "mean"
        elif cell.shape not in ("number", "percent"):
            return None
        value = cell.value if cell.shape != "percent" else cell.percent
        if cell.shape == "percent":
            attrs["unit"] = "%"
        statistic = statistic or style.statistic
        if kind == "effect":
            return self.evidence(
                column,
                cell,
                "effect",
                value,
                measure=column.effect,
                measure_text=self.measure_text,
                **attrs,
            )
        measure = self.instrument.canonical
        if kind == "change":
            stat = column.statistic
            if stat == "difference?":
                stat = "difference" if self.table.between_arms else "change"
            when = self.change_time or column
            return self.evidence(
                replace(column, timepoint=when.timepoint, months=when.months),
                cell,
                "change",
                value,
                measure=measure,
                measure_text=self.row.label,
                statistic=stat,
                **attrs,
            )
        return self.evidence(
            column,
            cell,
            "score",
            value,
            measure=measure,
            measure_text=self.row.label,
            statistic=statistic,
            **attrs,
        )

    def read(self) -> list[Evidence]:
        pending_p: Cell | None = None
        for column, cell in _merge_n_percent(self.row.cells):
            made = self.cell(column, cell)
            if column.role == "p" and cell.shape in ("p", "number") and (cell.value or 0) <= 1:
                pending_p = cell
            elif (
                column.role == "ci"
                and cell.shape in ("interval", "estimate_pair")
                and self.out
                and self.out[-1].ci_low is None
            ):
                low = cell.low if cell.shape == "interval" else cell.low
                self.out[-1].ci_low, self.out[-1].ci_high = low, cell.high
                self.out[-1].ci_level = column.ci_level or self.style.ci_level
            elif made is not None:
                self.out.append(made)
        if pending_p is not None:
            self.attach_p(pending_p)
        return self.out

    def sample_size(self, column: Column, cell: Cell) -> Evidence | None:
        """A whole number in a count row or an `n` column: patients with data."""
        if cell.value is None or cell.value != int(cell.value):
            return None
        return self.evidence(
            column,
            cell,
            "sample_size",
            cell.value,
            statistic="n",
            measure="patients",
            measure_text=self.row.label,
        )

    def cell(self, column: Column, cell: Cell) -> Evidence | None:
        if column.role in ("p", "ci") or cell.shape in ("empty", "p", "interval"):
            return None
        if _SAMPLE_LABEL.fullmatch(self.row.label.strip()) and cell.shape == "number":
            if cell.value is None or cell.value <= 0:
                return None
            return self.sample_size(column, cell)
        if column.role == "effect":
            return self.estimate(column, cell, "effect")
        if column.role == "n" and self.instrument is not None:
            return self.sample_size(column, cell) if cell.shape == "number" else None
        counted = cell.shape in _COUNT_SHAPES or column.role == "n"
        threshold = self.vocab.table_headers.anywhere["threshold_label"]
        if self.instrument is not None and not (counted and threshold.search(self.row.label)):
            if cell.shape in _COUNT_SHAPES and cell.shape != "percent":
                return self.counted(column, cell)
            return self.estimate(column, cell, "change" if column.role == "change" else "score")
        if column.role == "change":
            return None
        if counted or (cell.shape == "estimate_paren" and self.style.paren == "percent"):
            return self.counted(column, cell)
        return None

    def attach_p(self, cell: Cell) -> None:
        """A p-value column qualifies the comparison the row makes.

        The change or difference when the row has one; else an effect; else every estimate
        that is not a baseline value (a pre/post p goes with the follow-up value, an arms
        p with each arm's value), like a p that closes a `respectively` list in prose.
        """
        estimates = [e for e in self.out if e.kind != "sample_size"]
        one_time = len(estimates) >= 2 and len({(e.timepoint, e.months) for e in estimates}) == 1
        rows = (
            [e for e in self.out if e.kind == "change"]
            or [e for e in self.out if e.kind == "effect"]
            # a row per visit, arms across: its p compares the arms, at baseline too
            or (estimates if one_time else [])
            or [e for e in estimates if e.timepoint != "baseline"]
        )
        for evidence in rows:
            evidence.p_value = cell.value
            evidence.p_relation = cell.p_relation or "="


def row_evidence(table: Table, row: Row, vocab: Any) -> list[Evidence]:
    """Every evidence row one table row gives; cells it cannot assign are skipped."""
    return _RowReader(table, row, vocab).read()

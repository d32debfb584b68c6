"""A read table -> evidence rows: one per statistic a data cell holds.

Each cell's number is read by the statistic parser (`readings.py`); its meaning comes
from the table: the row label (with its group row) names the outcome, the column headers
name the arm (`Drug A (n = 120)` -> `Drug A`, n 120) and the time, the header or caption
the statistic, the p-value column its comparison. Continuous values are `score` rows
(`change` under a change or difference header), counts and shares `proportion` rows, or
`complication` rows where the row names an adverse event or sits under an adverse-event
group row, effect columns (`HR (95% CI)`) `effect` rows, and the group sizes the headers,
`n` rows and `n` columns state `sample_size` rows. A table laid out the other way (one
row per arm, outcomes across) is read the other way.

Provenance: `quote` is the table row as rendered, `char_start/end` the cell's statistic,
`section` the caption, `table_row`/`table_column` the headers that gave the outcome and
the arm, and every row from a table whose columns were placed with doubt is flagged
`table_columns_uncertain`.
"""

from __future__ import annotations

from typing import Any

from extractor.annotate.statistics import StatisticParser
from extractor.tables.columns import Column
from extractor.tables.context import TableContext, arm_key, row_is_arm
from extractor.tables.labels import strip_marks, without_group_size
from extractor.tables.model import Cell, Line
from extractor.tables.readings import COUNT_PERCENT, Reading, column_n, combine, read_cell
from extractor.tables.rows import RowInfo, complication_of, instrument_of, outcome_words
from extractor.types import Evidence

UNCERTAIN = "table_columns_uncertain"


class TableEvidence:
    """Builds the evidence of one read table."""

    def __init__(
        self, ctx: TableContext, vocab: Any, parser: StatisticParser, arms: dict[str, set[int]]
    ):
        self.ctx, self.vocab, self.parser, self.arms = ctx, vocab, parser, arms
        self.words = vocab.table_headers
        self.out: list[Evidence] = []
        self.uncertain_row = False
        self.n_row: dict[int, int] = {}  # column index -> n from an `n` row
        arm_columns = [c for c in ctx.columns if c.role == "value" and (c.names or c.total)]
        self.between_arms = ctx.rows_are_arms or len({c.names for c in arm_columns}) >= 2
        self.count_columns = self._count_columns()
        follow = [c for c in ctx.columns if c.role == "value" and c.timepoint == "follow-up"]
        self.follow_up = follow[0] if len({(c.months,) for c in follow}) == 1 else None

    def _count_columns(self) -> set[int]:
        """Columns whose numbers are mostly counts (`45 (38%)`, `12/40`, `2219 45%`): a
        bare whole number among them (`All known stage | 4450`) is a count too."""
        out = set()
        for column in self.ctx.columns:
            counted = numbers = 0
            for info in self.ctx.rows:
                cell = info.row.cells[column.index]
                if cell.empty:
                    continue
                stat = self.parser.parse_cell(cell.text, paren_means="percent")
                if stat is not None and stat.value is not None:
                    numbers += 1
                    counted += stat.count is not None
                elif COUNT_PERCENT.fullmatch(cell.text.strip()):
                    numbers += 1
                    counted += 1
            if numbers and counted * 2 > numbers:
                out.add(column.index)
        return out

    def evidence(self) -> list[Evidence]:
        self._header_sizes()
        self._caption_size()
        for info in self.ctx.rows:
            try:
                self._row(info)
            except Exception:  # an odd row is skipped, never the table
                continue
        return self.out

    # -- sample sizes stated by the table's structure ----------------------------------------

    def _noun(self, text: str) -> str:
        """What an `(n = x)` counts: a count noun of the caption or header, else patients."""
        try:
            nouns = self.vocab.count_nouns_in(text, 0)
        except Exception:
            nouns = []
        return nouns[0].canonical if nouns else "patients"

    def _header_sizes(self) -> None:
        """One `sample_size` per header cell giving a size (a spanning cell is repeated
        in the canonical text, its size stated once)."""
        seen: set[tuple[str, ...]] = set()
        for column in self.ctx.columns:
            level = column.n_level
            if level is None or level.n_start is None:
                continue
            key = tuple(lv.cell.text for lv in column.levels[: column.levels.index(level) + 1])
            if key in seen:
                continue
            seen.add(key)
            line = self.ctx.table.header_line_of(level.cell) or Line(
                level.cell.text, level.cell.start, level.cell.end
            )
            self.out.append(
                self._size(
                    level.n,
                    level.n_start,
                    level.n_end,
                    line,
                    "table.header_n",
                    group=self._column_arm(column),
                    column=column,
                    measure_text=", ".join(column.names) or None,
                )
            )

    def _caption_size(self) -> None:
        caption, size = self.ctx.table.caption, self.ctx.size
        if caption is None or size is None:
            return
        start = caption.start + size.start
        self.out.append(
            self._size(size.n, start, caption.start + size.end, caption, "table.caption_n")
        )

    def _size(
        self,
        n: int,
        start: int,
        end: int,
        line: Line,
        rule: str,
        group: str | None = None,
        column: Column | None = None,
        info: RowInfo | None = None,
        measure_text: str | None = None,
    ) -> Evidence:
        row = Evidence(
            kind="sample_size",
            value=float(n),
            char_start=start,
            char_end=end,
            rule=rule,
            quote=line.text,
            quote_start=line.start,
            quote_end=line.end,
            measure=self._noun(line.text),
            measure_text=measure_text,
            group_name=group,
            statistic="n",
            table_row=info.table_row if info else None,
            table_column=column.text if column else None,
        )
        if column is not None and column.timepoint:
            row.timepoint = column.timepoint
            row.months = column.months if column.timepoint == "follow-up" else None
        return self._finish(row)

    def _finish(self, row: Evidence) -> Evidence:
        row.section = self.ctx.section
        if self.ctx.table.columns_uncertain or self.uncertain_row:
            row.flags = [UNCERTAIN]
        return row

    # -- one row ----------------------------------------------------------------------------

    def _row(self, info: RowInfo) -> None:
        self.uncertain_row = info.row.uncertain
        arm = self._row_arm(info)
        if info.size is not None and arm is not None:
            cell = info.row.label
            self.out.append(
                self._size(
                    info.size.n,
                    cell.start + info.size.start,
                    cell.start + info.size.end,
                    info.row.line,
                    "table.row_header_n",
                    group=arm,
                    info=info,
                )
            )
        readings: list[Reading] = []
        sources = [(info.paren, info.pair), self.ctx.declarations]
        row_sources = [sources[0], ((), ())]
        for column in self.ctx.columns:
            cell = info.row.cells[column.index]
            readings += read_cell(cell, column, [*row_sources, sources[1]], self.parser)
        if info.is_n_row:
            self._n_row(info, readings)
            return
        if info.is_p_row:
            return  # `P-trend | | 0.37 | 0.41`: a test across rows, no value of its own
        readings = combine(readings)
        column_n(readings)
        p_values = [r for r in readings if r.column.role == "p"]
        made: list[tuple[Reading, Evidence]] = []
        for reading in readings:
            if reading.column.role in ("p", "ci"):
                continue
            evidence = self._reading(info, reading, arm)
            if evidence is not None:
                made.append((reading, evidence))
                self.out.append(evidence)
        for p in p_values:
            self._attach_p(p, made)

    def _n_row(self, info: RowInfo, readings: list[Reading]) -> None:
        """`Participants | 258 | 125 | 133`: each column's group size."""
        for reading in readings:
            if not (reading.bare and reading.whole and reading.value > 0):
                continue
            column = reading.column
            self.n_row[column.index] = int(reading.value)
            self.out.append(
                self._size(
                    int(reading.value),
                    reading.stat.start,
                    reading.stat.end,
                    info.row.line,
                    "table.n_row",
                    group=self._column_arm(column),
                    column=column,
                    info=info,
                    measure_text=info.label,
                )
            )

    # -- arms, outcomes, times ----------------------------------------------------------------

    def _row_arm(self, info: RowInfo) -> str | None:
        """The arm a row is, when the table runs one row per arm (or names arms under an
        instrument's group row: `HbA1c, %` over `Tirzepatide`, `Placebo`)."""
        if info.label_arm:
            return info.label_arm
        name = without_group_size(info.label, self.parser).strip(" ,;:")
        if self.ctx.rows_are_arms and (row_is_arm(info, self.parser, self.arms) or info.size):
            return name
        if self.ctx.rows_are_arms:
            return name if not info.is_n_row else None
        if info.parent and not any(c.names for c in self.ctx.columns) and info.time is None:
            parent = instrument_of(info.parent, self.vocab)
            plain = len(name.split()) <= 4 and not any(ch.isdigit() for ch in name)
            if parent is not None and plain and instrument_of(name, self.vocab) is None:
                return name
        return None

    def _column_arm(self, column: Column) -> str | None:
        """The arm a column's headers name: every name but the measured things (`Mean
        days of sick leave`), unless such a name is an arm of the document."""
        if column.role in ("p", "ci") or self.ctx.rows_are_arms:
            return None
        parts = [
            lv.name
            for lv in column.levels
            if lv.name and lv.role == "value" and not self._measured(lv.name, lv)
        ]  # the words of an `HR (95% CI)` or `Change` header name a model, not an arm
        return ", ".join(parts) or None

    def _measured(self, name: str, level: Any) -> bool:
        """A header name with a statistic (`Mean days of sick leave`), a unit (`MLT
        (min)`) or a percent (`Seroprevalence (%)`) names what is measured; an arm of the
        document it names is still an arm."""
        if not (level.with_statistic or level.unit or level.percent_only):
            return False
        key = arm_key(name, self.parser)
        return not any(key == arm or key.startswith(arm + " ") for arm in self.arms)

    def _column_outcome(self, column: Column) -> str | None:
        parts = [lv.name for lv in column.levels if lv.name and self._measured(lv.name, lv)]
        return ", ".join(parts) or None

    def _outcome(self, info: RowInfo, arm: str | None, column: Column) -> str:
        """The outcome's words: the row label (after its group row), or, for a row that
        is an arm or a visit, its group row, the column's words, the label column's
        header or the caption."""
        parent = outcome_words(info.parent, self.parser, self.words) if info.parent else None
        if info.label_outcome:
            return info.label_outcome
        measured = self._column_outcome(column)
        if arm is None and info.time is None:
            label = outcome_words(info.label, self.parser, self.words)
            label = f"{parent} {label}" if parent else label
            return f"{measured}, {label}" if measured else label
        if measured:
            return measured
        if parent:
            return parent
        if self.ctx.rows_are_arms and column.names and column.role == "value":
            return ", ".join(column.names)
        stub = (
            outcome_words(self.ctx.stub_header, self.parser, self.words)
            if self.ctx.stub_header
            else ""
        )
        if (
            stub
            and not self.words.label.fullmatch(stub)
            and not self.words.arm_stub.fullmatch(stub)
        ):
            return stub
        return self.ctx.caption_text

    def _when(self, info: RowInfo, column: Column) -> tuple[str | None, float | None]:
        for source in (column, info.time, info.parent_time, self.ctx.time):
            if source is not None and source.timepoint:
                return source.timepoint, source.months
        if self.ctx.describes_cohort:
            return "baseline", None
        return None, None

    # -- one statistic ------------------------------------------------------------------------

    def _reading(self, info: RowInfo, reading: Reading, row_arm: str | None) -> Evidence | None:
        column = reading.column
        if column.role == "effect":
            return self._estimate(info, reading, row_arm, "effect")
        if column.role == "change":
            return self._estimate(info, reading, row_arm, "change")
        if column.sub == "n" and reading.bare and reading.whole and not reading.joined:
            if reading.value <= 0:
                return None
            return self._size(
                int(reading.value),
                reading.stat.start,
                reading.stat.end,
                info.row.line,
                "table.n_column",
                group=row_arm or self._column_arm(column),
                column=column,
                info=info,
                measure_text=self._outcome(info, row_arm, column),
            )
        counted = self._counted(info, reading)
        if counted is not None:
            return self._share(info, reading, row_arm, counted)
        if reading.bare and not self._continuous_bare(info, column):
            return None
        if reading.stat.kind != "value" or reading.value is None:
            return None
        if self.ctx.describes_cohort and self.words.anywhere["procedure_label"].search(info.label):
            return None  # `Procedure duration, minutes 47.8 (± 14.7)`: the design, no outcome
        return self._estimate(info, reading, row_arm, "change" if info.change else "score")

    def _counted(self, info: RowInfo, reading: Reading) -> str | None:
        """'count', 'percent' or 'both' when the reading is a count or share, else None."""
        stat = reading.stat
        if reading.count is not None and reading.percent is not None:
            return "both"
        if reading.count is not None:
            return "count"
        if stat.is_percent or reading.bare_percent:
            instrument = instrument_of(info.label, self.vocab)
            threshold = self.words.anywhere["threshold_label"].search(info.label)
            if instrument is not None and not threshold and not reading.bare_percent:
                return None  # `HbA1c 7.2%`: a score in percent
            return "percent"
        plain = reading.stat.shape == "number" and reading.stat.kind == "value"
        if not plain or reading.sd is not None or reading.se is not None:
            return None  # a number with its own CI column may still be a declared percent
        if not reading.bare and not (info.percent_only or reading.column.percent_only):
            return None
        paren_row = info.paren
        if info.percent_only:
            return "percent"
        if "percent" in paren_row or info.is_count_row:
            return "count" if reading.whole else None
        if info.statistic or any(p in ("sd", "se") for p in paren_row):
            return None
        column = reading.column
        if column.percent_only or (not column.paren and self.ctx.percent_only):
            return "percent"
        declared = column.paren or _single(self.ctx.declarations[0])
        if declared == "percent" and reading.whole:
            return "count"
        if reading.whole and column.index in self.count_columns:
            return "count"
        return None

    def _continuous_bare(self, info: RowInfo, column: Column) -> bool:
        """A bare number is a value only where a header or label says what it is; under a
        header that says nothing this reader knows (`χ²/t`, `F`) it is a test statistic."""
        said = (
            column.timepoint
            or column.names
            or column.total
            or column.sub
            or column.statistic
            or column.paren
            or column.role != "value"
        )
        if column.levels and not said:
            return False
        return bool(
            column.timepoint
            or column.names
            or column.total
            or column.sub == "estimate"
            or column.statistic
            or info.statistic
            or info.time
            or instrument_of(info.label, self.vocab) is not None
        )

    # -- building rows ------------------------------------------------------------------------

    def _base(self, info: RowInfo, reading: Reading, kind: str, value: float | None) -> Evidence:
        stat, column = reading.stat, reading.column
        line = info.row.line
        return Evidence(
            kind=kind,
            value=value,
            char_start=stat.start,
            char_end=stat.end,
            rule=f"table.{self.ctx.table.layout}_row",
            quote=line.text,
            quote_start=line.start,
            quote_end=line.end,
            table_row=info.table_row,
            table_column=column.text or None,
        )

    def _arm_of(self, reading: Reading, row_arm: str | None) -> str | None:
        if reading.arm is not None:
            column_arm = self._column_arm(reading.column)
            return f"{column_arm}, {reading.arm}" if column_arm else reading.arm
        return row_arm or self._column_arm(reading.column)

    def _size_of(self, info: RowInfo, reading: Reading) -> tuple[int | None, str | None]:
        if reading.n is not None:
            return reading.n, reading.n_source
        if info.size is not None and self._row_arm(info):
            return info.size.n, "row header"
        column = reading.column
        if column.n is not None:
            return column.n, "column header"
        if column.index in self.n_row:
            return self.n_row[column.index], "n row"
        sizes = self.arms.get(
            arm_key(self._arm_of(reading, self._row_arm(info)) or "", self.parser)
        )
        if sizes and len(sizes) == 1:
            return next(iter(sizes)), "arm"  # the arm's one size, stated in another table
        if self.ctx.size is not None:
            return self.ctx.size.n, "population"
        return None, None

    def _share(self, info: RowInfo, reading: Reading, row_arm: str | None, form: str) -> Evidence:
        count = reading.count
        if count is None and form == "count":
            count = int(reading.value)
        percent = reading.percent if form != "count" else None
        if percent is None and form == "percent":
            percent = reading.value
        n, source = self._size_of(info, reading)
        denominator = reading.denominator
        if denominator is None and count is not None and percent is not None and n:
            if _rounds_to(count, n, percent):
                denominator = n
        if reading.denominator is not None:
            n, source = reading.denominator, "statistic"
        elif count is None and percent is not None and source == "n column":
            denominator = n  # `n | Seroprevalence (%)`: the share of the n tested
        event = self._event(info)
        kind = "complication" if event is not None else "proportion"
        if kind == "complication":
            value, statistic = (count, "count") if count is not None else (percent, "percent")
        else:
            value, statistic = (percent, "percent") if percent is not None else (count, "count")
        row = self._base(info, reading, kind, None if value is None else float(value))
        row.statistic = statistic
        row.count, row.percent, row.denominator = count, percent, denominator
        row.unit = "%" if statistic == "percent" else None
        row.measure = event if event else None
        row.measure_text = self._outcome(info, row_arm, reading.column)
        if event is not None and complication_of(info.label, self.vocab) and info.parent:
            row.measure_text = info.label
        row.group_name = self._arm_of(reading, row_arm)
        row.n, row.n_source = n, source
        row.ci_low, row.ci_high = reading.ci_low, reading.ci_high
        row.ci_level = reading.ci_level if reading.ci_low is not None else None
        timepoint, months = self._when(info, reading.column)
        if kind == "complication" and timepoint == "baseline" and self.ctx.describes_cohort:
            timepoint = None
        row.timepoint, row.months = timepoint, months if timepoint == "follow-up" else None
        return self._finish(row)

    def _event(self, info: RowInfo) -> str | None:
        """The event a count row reports (its canonical name, or the label qualifying its
        group row's event), or None when the row is not an adverse event."""
        words = self.words.anywhere
        if words["history"].search(info.label):
            return None
        named = complication_of(info.label, self.vocab)
        heading = info.parent or ""
        heading_term = complication_of(heading, self.vocab) if heading else None
        under_heading = bool(
            heading and (words["complication_heading"].search(heading) or heading_term)
        )
        if self.ctx.describes_cohort and not under_heading:
            return None
        if named is not None:
            return named.canonical
        if heading_term is not None:
            event = heading_term.canonical.removeprefix("any ")
            return f"{info.label.strip().lower()} {event}"
        if under_heading or self.ctx.about_events:
            return ""  # an event the vocabulary does not name: measure stays NULL
        return None

    def _estimate(
        self, info: RowInfo, reading: Reading, row_arm: str | None, kind: str
    ) -> Evidence | None:
        stat, column = reading.stat, reading.column
        if reading.value is None:
            return None
        row = self._base(info, reading, kind, reading.value)
        row.sd, row.se = reading.sd, reading.se
        row.ci_low, row.ci_high = reading.ci_low, reading.ci_high
        if reading.ci_low is not None:
            row.ci_level = reading.ci_level or column.ci_level or self.ctx.ci_level
        row.range_low, row.range_high = reading.range_low, reading.range_high
        row.unit = stat.unit or column.unit or info.unit
        if stat.is_percent:
            row.unit = "%"
        row.n, row.n_source = self._size_of(info, reading)
        outcome = self._outcome(info, row_arm, column)
        row.measure_text = outcome
        timepoint, months = self._when(info, column)
        if kind == "effect":
            null = self.vocab.effect_null.get(column.effect or "")
            if null is not None and reading.value == null and reading.ci_low is None:
                return None  # `1.00` or `1*` of the reference category: no estimate
            row.measure = column.effect
            row.group_name = self._arm_of(reading, row_arm)
            row.timepoint = timepoint if timepoint != "baseline" else None
            row.months = months if row.timepoint == "follow-up" else None
            return self._finish(row)
        instrument = instrument_of(outcome, self.vocab)
        row.measure = instrument.canonical if instrument else None
        if kind == "change":
            statistic = column.change if column.role == "change" else info.change
            if statistic == "difference?":
                statistic = "difference" if self.between_arms else "change"
            row.statistic = statistic
            row.group_name = (
                None
                if statistic == "difference" and not self.ctx.rows_are_arms
                else self._arm_of(reading, row_arm)
            )
            if timepoint in (None, "baseline") and self.follow_up is not None:
                timepoint, months = self.follow_up.timepoint, self.follow_up.months
            row.timepoint = timepoint if timepoint != "baseline" else None
            row.months = months if row.timepoint == "follow-up" else None
            return self._finish(row)
        row.statistic = self._statistic(info, reading)
        row.group_name = self._arm_of(reading, row_arm)
        row.timepoint, row.months = timepoint, months if timepoint == "follow-up" else None
        return self._finish(row)

    def _statistic(self, info: RowInfo, reading: Reading) -> str | None:
        stated = reading.column.statistic or info.statistic or self.ctx.statistic
        if stated:
            return stated
        if reading.sd is not None or reading.se is not None:
            return "mean"  # conventions: a score is a mean when an SD is given
        return None

    # -- p-values -----------------------------------------------------------------------------

    def _attach_p(self, p: Reading, made: list[tuple[Reading, Evidence]]) -> None:
        """A p column qualifies the comparison its row makes, within its own header group:
        the difference between arms when the row has one, else its changes; else an
        effect; else the values of one time compared across arms (baseline included);
        else the values after baseline (a pre/post p)."""
        stat = p.stat
        if stat.value is None or not (0 <= stat.value <= 1) or stat.shape != "number":
            return
        group = p.column.group_key
        mine = [
            (r, e)
            for r, e in made
            if e.kind != "sample_size" and (not group or r.column.group_key[: len(group)] == group)
        ]
        estimates = [e for _, e in mine]
        one_time = len(estimates) >= 2 and len({(e.timepoint, e.months) for e in estimates}) == 1
        targets = (
            [e for e in estimates if e.kind == "change" and e.statistic == "difference"]
            or [e for e in estimates if e.kind == "change"]
            or [e for e in estimates if e.kind == "effect"]
            or (estimates if one_time else [])
            or [e for e in estimates if e.timepoint != "baseline"]
        )
        for evidence in targets:
            evidence.p_value = stat.value
            evidence.p_relation = stat.relation or "="


def _rounds_to(count: int, n: int, percent: float) -> bool:
    """count/n written as `percent`, rounded or truncated to its decimals: then n is the
    share's denominator (a subgroup with missing data is not given the arm's n)."""
    decimals = len(repr(float(percent)).split(".")[1].rstrip("0"))
    unit = 10.0**-decimals
    computed = 100.0 * count / n
    return percent - 0.5 * unit - 1e-9 <= computed < percent + unit - 1e-9


def _single(meanings: tuple[str, ...]) -> str | None:
    return meanings[0] if len(meanings) == 1 else None


def cell_arm(cell: Cell, parser: StatisticParser) -> str:
    return arm_key(strip_marks(cell.text), parser)

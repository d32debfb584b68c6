"""What a table's columns mean, read from its note lines and its header.

A table row carries only numbers in positions; the meaning (which timepoint, which arm,
whether `±` is an SD, whether a bracketed pair is a CI or a range, which column is the
p-value) lives in the header and the note under the caption. This module turns those
lines into a `Style` for the whole table and a list of `Column`s, one per value column
(the label column is not in the list).

The words that name column *roles* (`Mean difference`, `p-value`, `95% CI`, `Pre-op`,
`n (%)`) are data in `patterns/table_headers.tsv` (`vocab.table_headers`), effect names
come from `patterns/effects.tsv` and *timepoints* from the shared vocabulary
(`vocab.timepoints_in`), so a synonym added to `patterns/` reaches tables without a code
change. What stays here is the shape of a header: where an `(n = 30)` or a bare `6
months` sits, and what a note line's words (`note_*` roles of the same file: `SD`, `IQR`,
`n (%)`) mean for the numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from extractor.header_words import HeaderWords

_N = re.compile(r"[(\[]\s*[nN]\s*=\s*(?P<n>\d[\d,]*)\s*[)\]]")
# the level of a CI in a note (`95% CI`); in headers the CI words are vocabulary
_CI = re.compile(r"(?P<level>\d{2}(?:\.\d)?)\s*%\s*(?:CI|confidence\s+intervals?)", re.I)
# A bare `6 months`, `12 mo`, `Week 12` in a header is a timepoint (in prose it may be a
# duration, which is why the shared vocabulary does not take it on its own).
_BARE_TIME = re.compile(
    r"(?=(?<![\w.])(?P<all>(?:(?P<num>\d+(?:\.\d+)?|[A-Za-z]+)\s*[-‐]?\s*"
    r"(?P<unit>days?|weeks?|wks?|months?|mos?|years?|yrs?)"
    r"|(?P<unit2>day|week|month|year)\s+(?P<num2>\d+))(?![\w])))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Style:
    """How the whole table writes its numbers, from the note under the caption."""

    statistic: str | None = None  # 'mean', 'median', or None when not said / both said
    mean_and_median: bool = False
    pm_is_sd: bool = True  # False when the note says ± is an SEM/SE
    pair: str | None = None  # what a bracketed pair is: 'ci', 'range' (also IQR), None
    ci_level: float | None = None
    paren: str | None = None  # what a single bracketed number is: 'sd', 'percent', None
    counts: bool = False  # the note says categorical values are n (%)


@dataclass(frozen=True)
class Column:
    """One value column: its role and what every cell under it inherits."""

    role: str  # 'value', 'change', 'p', 'ci', 'effect', 'n', 'percent'
    text: str = ""
    start: int = 0
    timepoint: str | None = None
    months: float | None = None
    group: str | None = None
    n: int | None = None
    n_start: int | None = None
    n_end: int | None = None
    statistic: str | None = None
    pair: str | None = None
    ci_level: float | None = None
    effect: str | None = None


def is_note(line: str, words: HeaderWords) -> bool:
    """A line under a caption that explains the numbers rather than giving them."""
    return bool(words.note_line.match(line)) and not _N.search(line)


def read_style(text: str, words: HeaderWords, base: Style | None = None) -> Style:
    """The conventions a note (or a header cell, or a row label) states, over `base`.

    The words are data (`note_*` roles of `patterns/table_headers.tsv`); what they mean
    for the numbers is decided here."""
    style = base or Style()
    note = words.anywhere
    mean = bool(note["note_mean"].search(text))
    median = bool(note["note_median"].search(text))
    if mean and median:
        style = replace(style, statistic=None, mean_and_median=True)
    elif mean or median:
        style = replace(style, statistic="mean" if mean else "median")
    if note["note_se"].search(text):
        style = replace(style, pm_is_sd=False)
    ci = _CI.search(text)
    if ci:
        style = replace(style, pair="ci", ci_level=float(ci.group("level")) / 100)
    elif note["note_range"].search(text):
        style = replace(style, pair="range")
    counts = bool(note["note_counts"].search(text))
    sd = bool(note["note_sd"].search(text))
    if counts:
        style = replace(style, counts=True)
    if sd and not counts:
        style = replace(style, paren="sd")
    elif counts and not (mean or median or sd):
        style = replace(style, paren="percent")
    return style


def is_header(line: str, vocab: Any, offset: int = 0) -> bool:
    """A line that names columns: a label word (`Outcome`) or some column-role word."""
    if vocab.table_headers.label.match(line) or _N.search(line):
        return True
    markers = _markers(line, offset, vocab)
    return len(markers) >= 2


@dataclass(frozen=True)
class _Time:
    text: str
    timepoint: str
    months: float | None


def _bare_time(match: re.Match[str], vocab: Any) -> _Time | None:
    """Months for a bare `6 months` / `Week 12`, converted by the vocabulary's units."""
    num, unit = (
        match.group("num") or match.group("num2"),
        match.group("unit") or match.group("unit2"),
    )
    try:
        found = vocab.timepoints_in(f"at {num} {unit}", 0)
    except Exception:
        return None
    if not found or found[0].months is None:
        return None
    return _Time(match.group("all"), "follow-up", found[0].months)


def _timepoints(text: str, offset: int, vocab: Any) -> list[tuple[int, int, Any]]:
    """Timepoints in header text (offsets relative to `text`): the vocabulary's, plus a bare
    `6 months`, `Week 12`, `Pre`, `Post`, `Final follow-up` that only a header makes a time."""
    try:
        found = [(t.start - offset, t.end - offset, t) for t in vocab.timepoints_in(text, offset)]
    except Exception:  # a vocabulary hiccup must not lose the table
        found = []

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e, _ in found)

    for match in _BARE_TIME.finditer(text):
        start, end = match.span("all")
        time = _bare_time(match, vocab) if free(start, end) else None
        if time is not None:
            found.append((start, end, time))
    for match in vocab.table_headers.time.finditer(text):
        if free(*match.span()):
            when = "baseline" if match.group("base") else "follow-up"
            found.append((match.start(), match.end(), _Time(match.group(), when, None)))
    return sorted(found, key=lambda f: f[0])


def _effects(text: str, vocab: Any) -> list[tuple[int, int, str, Any]]:
    try:
        terms = vocab.effects_in(text, 0)
    except Exception:
        return []
    return [(t.start, t.end, "E", t) for t in terms]


def _markers(text: str, offset: int, vocab: Any) -> list[tuple[int, int, str, Any]]:
    """Column-role words in a header, as (start, end, kind, detail), non-overlapping."""
    words = vocab.table_headers
    found: list[tuple[int, int, str, Any]] = []
    for start, end, tp in _timepoints(text, offset, vocab):
        found.append((start, end, "T", tp))
    found.extend((m.start(), m.end(), "N", m) for m in _N.finditer(text))
    for m in words.change.finditer(text):
        stat = words.statistic_of_change(m.group("quals"), m.group("head"))
        found.append((m.start(), m.end(), "C", stat))
    found.extend((m.start(), m.end(), "I", m) for m in words.ci.finditer(text))
    found.extend(_effects(text, vocab))
    found.extend((m.start(), m.end(), "P", m) for m in words.p_value.finditer(text))
    # a value column's detail is the style its words state (`Mean (SD)`: a mean)
    found.extend(
        (m.start(), m.end(), "V", read_style(m.group(0), words)) for m in words.value.finditer(text)
    )
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    kept: list[tuple[int, int, str, Any]] = []
    for marker in found:
        if kept and marker[0] < kept[-1][1]:
            continue
        kept.append(marker)
    return kept


def _apply(column: Column, kind: str, detail: Any, offset: int) -> Column:
    """Add what one marker says to a column."""
    if kind == "T":
        return replace(column, timepoint=detail.timepoint, months=detail.months)
    if kind == "N":
        return replace(
            column,
            n=int(detail.group("n").replace(",", "")),
            n_start=offset + detail.start(),
            n_end=offset + detail.end(),
        )
    if kind == "I":
        return replace(column, pair="ci", ci_level=float(detail.group("level")) / 100)
    if kind == "V":
        return replace(column, statistic=column.statistic or detail.statistic)
    return column


def _role_column(kind: str, detail: Any, text: str, start: int) -> Column:
    if kind == "C":  # detail: change, difference, or difference? (arms or time: the table)
        return Column(role="change", text=text, start=start, statistic=detail)
    if kind == "P":
        return Column(role="p", text=text, start=start)
    if kind == "I":
        return _apply(Column(role="ci", text=text, start=start), kind, detail, 0)
    if kind == "E":
        return Column(role="effect", text=text, start=start, effect=detail.canonical)
    return Column(role="value", text=text, start=start)


def header_columns(line: str, offset: int, vocab: Any) -> list[Column]:
    """Value columns of a flattened header, found by their role words in reading order.

    `Outcome Preoperative 1 year postoperative Mean difference p-value` gives [baseline,
    follow-up 12 months, change, p]. An `(n = 30)` names an arm with the words since the
    previous column (`Surgery (n = 30) Control (n = 28)`); right after a timepoint it is
    that column's N. A `(95% CI)` or `mean ± SD` right after a column qualifies it.
    """
    markers = _markers(line, offset, vocab)
    label = vocab.table_headers.label.match(line)
    cursor = label.end() if label else 0
    columns: list[Column] = []
    for start, end, kind, detail in markers:
        if start < cursor:
            continue
        gap = line[cursor:start].strip(" ,;:/|")
        attached = columns and not gap.strip("()[]")
        if kind == "N":
            if attached:
                columns[-1] = _apply(columns[-1], kind, detail, offset)
            elif gap:
                name = gap.strip("()[] ")
                column = Column(role="value", text=name, start=offset + cursor, group=name)
                for _s, _e, tp in _timepoints(name, 0, vocab):
                    column = replace(column, timepoint=tp.timepoint, months=tp.months)
                columns.append(_apply(column, kind, detail, offset))
        elif kind in ("I", "V") and attached:
            columns[-1] = _apply(columns[-1], kind, detail, offset)
        elif kind == "T":
            columns.append(
                _apply(
                    Column(role="value", text=detail.text, start=offset + start),
                    kind,
                    detail,
                    offset,
                )
            )
        else:
            columns.append(_role_column(kind, detail, line[start:end], offset + start))
        cursor = end
    return columns


def cell_column(cell: str, offset: int, vocab: Any) -> Column:
    """The column a markdown or aligned header cell names; words without role are an arm."""
    text = cell.strip()
    lead = len(cell) - len(cell.lstrip())
    if vocab.table_headers.n_cell.fullmatch(text):
        return Column(role="n", text=text, start=offset + lead)
    if vocab.table_headers.percent_cell.fullmatch(text):
        return Column(role="percent", text=text, start=offset + lead)
    markers = _markers(cell, offset, vocab)
    column = Column(role="value", text=text, start=offset + lead)
    for _start, _end, kind, detail in markers:
        if kind in ("C", "P", "E") and column.role == "value":
            column = replace(
                _role_column(kind, detail, text, offset + lead),
                timepoint=column.timepoint,
                months=column.months,
            )
        elif kind == "I" and column.role == "value" and len(markers) == 1:
            column = _role_column(kind, detail, text, offset + lead)
        else:
            column = _apply(column, kind, detail, offset)
    if column.role == "value":
        rest = cell
        for start, end, _kind, _detail in sorted(markers, key=lambda m: -m[0]):
            rest = rest[:start] + " " + rest[end:]
        name = re.sub(r"\s+", " ", rest).strip(" ,;:()[]-")
        if name and column.group is None:
            column = replace(column, group=name)
    return column

"""When a value was measured: baseline, follow-up, and months after baseline.

Times come from two places: the vocabulary's baseline/follow-up phrases (`at baseline`,
`preoperatively`, `at last follow-up`), which annotation made single tokens, and the
`time` rules (`at 6 months`, `6-month follow-up`, `week 24`, `2 years after surgery`),
whose value is a number of time units. A value takes the time written right after it
(`30.4 at 6 months`), else the nearest one before it in its clause (`At 12 months, the
ODI was 25`); months come from the unit's factor in `patterns/timepoints.tsv`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from extractor.annotate.numbers import NumberWords, parse_digits, parse_months_factor
from extractor.link.view import SentenceView
from extractor.term_index import _read_tsv

MAX_MONTHS = 360  # a time more than 30 years after baseline is an age or a history, not a visit
AFTER_WINDOW = 4  # tokens after a value within which its own time is written
BEFORE_WINDOW = 60  # tokens before a value within which the time of its clause is looked for


@dataclass(frozen=True)
class Time:
    start: int  # Doc token indices
    end: int
    timepoint: str  # baseline | follow-up
    months: float | None


class TimeUnits:
    """Months per time unit, from `patterns/timepoints.tsv`."""

    def __init__(self, factors: dict[str, float], words: NumberWords) -> None:
        self.factors = factors
        self.words = words

    @classmethod
    def load(cls, directory: Path, words: NumberWords) -> TimeUnits:
        rows = _read_tsv(
            directory / "timepoints.tsv", ["entry", "kind", "timepoint", "months_factor"]
        )
        factors = {
            row["entry"].lower(): parse_months_factor(row["months_factor"])
            for _, row in rows
            if row["kind"] == "unit"
        }
        return cls(factors, words)

    def factor(self, unit: str | None) -> float | None:
        if not unit:
            return None
        word = unit.lower().rstrip(".")
        for candidate in (word, word[:-1] if word.endswith("s") else word, word[:-2]):
            if candidate in self.factors:
                return self.factors[candidate]
        return None

    def months(self, value: float | None, unit: str | None) -> float | None:
        factor = self.factor(unit)
        if value is None or factor is None:
            return None
        return round(value * factor, 1)

    def number(self, text: str) -> float | None:
        value = parse_digits(text)
        if value is None:
            parsed = self.words.parse(text)
            value = float(parsed) if parsed is not None else None
        return value


def find_times(view: SentenceView, units: TimeUnits) -> list[Time]:
    """The times written in a sentence, in order."""
    found: list[Time] = []
    for token in view.tokens():
        feature = view.feat(token.i)
        if feature.vocab == "timepoint":
            found.append(Time(token.i, token.i + 1, feature.canonical, None))
    # a length of time an evidence rule reads as the value itself (`amount`) is no time
    # the values around it were measured at
    amounts = {i for m in view.of_action("evidence") if m.rule.amount for i in m.slot("value")}
    for m in view.of_action("time"):
        values = m.slot("value")
        if not values:
            if m.rule.timepoint:
                found.append(Time(m.start, m.end, m.rule.timepoint, None))
            continue
        i = values[-1]
        if i in amounts:
            continue
        stat = view.stat(i)
        if stat is not None:
            months = units.months(stat.value, stat.unit_text or stat.unit)
        else:  # `week 24`: the number is a label, its unit the word before it
            unit = next((view.token(j).text for j in m.slot("unit")), None)
            months = units.months(units.number(view.token(i).text), unit)
        if months is not None and months > MAX_MONTHS:
            continue  # `aged 60 to 80 years`, `70 years of age`: an age, not a visit
        found.append(Time(m.start, m.end, m.rule.timepoint or "follow-up", months))
    found.sort(key=lambda t: (t.start, -(t.end - t.start)))
    kept: list[Time] = []
    for t in found:
        if kept and t.start <= kept[-1].end:
            # overlapping readings of one time (`At one-year` and `one-year
            # postoperatively`) are one time: the widest span, with the months one gives
            last = kept[-1]
            months = last.months if last.months is not None else t.months
            kept[-1] = Time(last.start, max(last.end, t.end), last.timepoint, months)
            continue
        kept.append(t)
    return kept


def time_of(
    view: SentenceView,
    token: int,
    times: list[Time],
    values: set[int],
    last: int | None = None,
    spans: frozenset[str] = frozenset(),
    articles: frozenset[str] = frozenset(),
) -> Time | None:
    """The time a value at `token` (ending at token `last`) was measured at (see the
    module docstring). Only times within `BEFORE_WINDOW` tokens are looked at: linking
    stays linear in the length of a sentence, however many values and times it lists."""
    end = token if last is None else last
    starts = [t.start for t in times]
    first = bisect.bisect_right(starts, end)
    for t in times[first:]:
        if t.start > end + AFTER_WINDOW:
            break
        if view.same_clause(end, t.start) and not any(i in values for i in range(end + 1, t.start)):
            if not _opens_span(view, t, spans, articles):
                return t
    low = bisect.bisect_left(starts, token - BEFORE_WINDOW)
    for t in reversed(times[low : bisect.bisect_right(starts, token)]):
        if t.end > token or not view.same_clause(t.start, token):
            continue
        if not _opens_span(view, t, spans, articles):
            return t
    for t in times[first : first + AFTER_WINDOW]:  # `71.4% reported relief ... one year after`
        if t.start - end > BEFORE_WINDOW:
            break
        if view.same_clause(end, t.start):
            if _opens_span(view, t, spans, articles):
                continue
            if not any(i in values for i in range(end + 1, t.start)):
                return t
            break
    return None


def _opens_span(
    view: SentenceView, time: Time, spans: frozenset[str], articles: frozenset[str]
) -> bool:
    """`between baseline and 12 months`, `from baseline to week 8`, `between the
    preoperative and final assessments`: the first time of a span is where a change
    started, not when the value was measured."""
    i = time.start - 1
    while i > view.start and view.feat(i).lower in articles:
        i -= 1
    return i >= view.start and view.feat(i).lower in spans


_FAMILY = {"score": "continuous", "change": "continuous", "proportion": "share"}


def share_closing_time(
    view: SentenceView, readings: list, closing: dict[int, Time], opening: set[int]
) -> None:
    """`The PHQ-9 fell by 6.1 points and the GAD-7 by 4.3 points between the first session
    and 6 months`: a time written after the last value of a list closes the whole list.
    Values of the same family before it, in its clause and with no time of their own,
    take it (a time the clause opened with, `Twelve weeks of X lowered ...`, gives way to
    it); a value with a time of its own ends the list. `closing` holds, by reading id,
    the time written after a reading's value, `opening` the ids of readings whose time
    was written before them."""
    carried: Time | None = None
    after = None
    for reading in reversed(readings):
        time = closing.get(id(reading))
        if time is not None:
            carried, after = time, reading
            continue
        if carried is None or after is None:
            continue
        same = _FAMILY.get(reading.kind) is not None and _FAMILY.get(reading.kind) == _FAMILY.get(
            after.kind
        )
        if not same or not view.same_clause(reading.token, carried.start):
            carried = after = None
            continue
        known = reading.timepoint is not None and id(reading) not in opening
        if known and (reading.timepoint != carried.timepoint or reading.months is not None):
            carried = after = None  # a time of its own (`to 42.8 and 37.0 at 6 months`
            continue  # gives `42.8`, a follow-up value without months, its months)
        reading.timepoint, reading.months = carried.timepoint, carried.months

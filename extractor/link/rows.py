"""Readings become evidence rows: p-values and detached intervals attached, n filled,
and each kind's value convention of docs/EVIDENCE.md applied."""

from __future__ import annotations

import bisect
from dataclasses import replace

from extractor.link.readings import Reading
from extractor.link.view import SentenceView
from extractor.types import Evidence

_RATIOS = ("HR", "OR", "RR", "IRR")  # effect types that are ratios, never percents
NEAR_ESTIMATES = 12  # the estimates before a p-value or interval it may qualify


def attach_p_and_ci(
    view: SentenceView,
    readings: list[Reading],
    respectively: frozenset[str],
    times: frozenset[int] | set[int] = frozenset(),
    distributives: frozenset[str] = frozenset(),
):
    """A p-value qualifies the nearest estimate before it in its clause, or every value of
    a `respectively` list it closes; a detached `(95% CI, a to b)` the nearest estimate
    before it that has no interval. A time read with an interval after it (`a 1.1 point
    greater reduction at 12 weeks (95% CI 0.5 to 1.7)`, one statistic to the scanner) is
    a time, and its interval is a detached one."""
    # a group's size is never what a p-value or an interval qualifies: `controls (n =
    # 50) ... (P = .86)` tests an outcome of the groups, not how many there were
    by_token = sorted((r for r in readings if r.kind != "sample_size"), key=lambda r: r.token)
    positions = [r.token for r in by_token]
    for token in view.tokens():
        stat = view.feat(token.i).stat
        if stat is None:
            continue
        if token.i in times and stat.ci_low is not None:
            stat = replace(stat, kind="ci")
        if stat.kind not in ("p", "ci"):
            continue
        # the estimates a p-value or interval can qualify stand close before it
        end = bisect.bisect_left(positions, token.i)
        before = by_token[max(0, end - NEAR_ESTIMATES) : end]
        if not before:
            continue
        if stat.kind == "ci":
            target = next(
                (r for r in reversed(before) if r.stat.ci_low is None and r.ci is None), None
            )
            if target is not None and view.same_clause(target.token, token.i):
                target.ci = (stat.ci_low, stat.ci_high, stat.ci_level)
                if stat.p_value is not None and target.p is None:
                    target.p = (stat.p_value, stat.p_relation)
            continue
        closes = _closes_list(view, before, token.i, respectively)
        if not closes and distributives:
            closes = _distributed(view, before, token.i, distributives)
        targets = closes or [before[-1]]
        for target in targets:
            if target.stat.p_value is None and target.p is None:
                if view.same_clause(target.token, token.i) or closes:
                    target.p = (stat.p_value, stat.p_relation)


def _distributed(
    view: SentenceView, before: list[Reading], p_token: int, distributives: frozenset[str]
) -> list[Reading]:
    """`a VAS improvement of 45.5 points and an ODI improvement of 23.3 points, both
    exceeding the MCID (P < 0.001)`: a p-value after a word that distributes it (`both`,
    `all`) qualifies every value before it in its clause."""
    last = before[-1].last
    if not any(view.feat(k).lower in distributives for k in range(last + 1, p_token)):
        return []
    group = [r for r in before if view.same_clause(r.token, p_token)]
    return group if len(group) >= 2 else []


def _closes_list(view, before: list[Reading], p_token: int, respectively) -> list[Reading]:
    """The readings of a `respectively` list the p-value closes, if any: the marker is
    just before it (`..., respectively (p<0.001)`) or just after (`(p<0.001),
    respectively`)."""
    near = [
        *range(p_token - 1, max(view.start, p_token - 4) - 1, -1),
        *range(p_token + 1, min(view.end, p_token + 4)),
    ]
    marker = next((i for i in near if view.token(i).lower_ in respectively), None)
    if marker is None:
        return []
    group = [r for r in before if r.token < marker and view.same_clause(r.token, marker)]
    return group if len(group) >= 2 else []


def to_evidence(view: SentenceView, reading: Reading, population_n: int | None) -> Evidence:
    stat = reading.stat
    sentence = view.annotated.sentence
    row = Evidence(
        kind=reading.kind,
        value=stat.value,
        char_start=stat.start,
        char_end=stat.end,
        rule=reading.rule,
        quote=sentence.text,
        quote_start=sentence.start,
        quote_end=sentence.end,
        measure=reading.measure,
        measure_text=reading.measure_text,
        group_name=reading.arm,
        timepoint=reading.timepoint,
        months=reading.months if reading.timepoint != "baseline" else None,
        statistic=reading.statistic,
        sd=stat.sd,
        se=stat.se,
        ci_low=stat.ci_low,
        ci_high=stat.ci_high,
        ci_level=stat.ci_level,
        range_low=stat.range_low,
        range_high=stat.range_high,
        count=stat.count,
        denominator=stat.denominator,
        percent=stat.percent,
        p_value=stat.p_value,
        p_relation=stat.p_relation,
    )
    if reading.ci and row.ci_low is None:
        row.ci_low, row.ci_high, row.ci_level = reading.ci
    if reading.p and row.p_value is None:
        row.p_value, row.p_relation = reading.p
    if row.kind == "effect" or row.statistic == "difference":
        row.group_name = None  # a comparison of arms belongs to neither
        reading.arm_n = None
    _value_convention(row, reading)
    _n(row, reading, population_n)
    return row


def _value_convention(row: Evidence, reading: Reading) -> None:
    stat = reading.stat
    if row.kind == "effect" and stat.unlabelled_pair and row.ci_low is None:
        row.ci_low, row.ci_high = stat.range_low, stat.range_high
        row.range_low = row.range_high = None
    if row.kind in ("complication", "proportion"):
        if row.count is None and not stat.is_percent and stat.value is not None:
            if float(stat.value).is_integer() and stat.value >= 0:
                row.count = int(stat.value)
        # the headline is the count of a complication and the percent of a proportion
        # (docs/EVIDENCE.md), and `statistic` names which one `value` is
        if row.kind == "complication":
            row.value = row.count if row.count is not None else row.percent
            row.statistic = "count" if row.count is not None else "percent"
        else:
            row.value = row.percent if row.percent is not None else row.count
            row.statistic = "percent" if row.percent is not None else "count"
        row.measure = row.measure if row.kind == "complication" else None
        return
    if row.kind == "sample_size":
        row.statistic = "n"
        return
    if (
        row.kind == "effect"
        and row.measure in _RATIOS
        and row.ci_low is not None
        and row.ci_low < 0
        and _written_percent(stat)
    ):
        # `no difference in OR (5.96%; 95% CI -9.9 to 21.9)`: a ratio is neither a percent
        # nor below zero, so the label is another abbreviation (overall response) and the
        # value a difference of rates
        row.kind, row.statistic, row.measure, row.unit, row.percent = (
            "change",
            "difference",
            None,
            "%",
            None,
        )
        return
    if row.kind == "effect" and row.statistic is None and row.measure:
        row.statistic = row.measure.lower()  # `hr`, `or`: the estimate is of that type
    if row.kind in ("score", "change"):
        if stat.is_percent:
            row.unit = "%"
            row.percent = None
        else:
            row.unit = stat.unit if stat.dimension != "time" or row.kind != "sample_size" else None


def _written_percent(stat) -> bool:
    """Whether the headline number itself is written as a percent (`5.96%`), not merely
    followed by one (`OR = 0.87, 95% CI`)."""
    headline = stat.text[: max(0, stat.value_end - stat.start)] if stat.value_end else stat.text
    return "%" in headline or "percent" in headline.lower()


def _n(row: Evidence, reading: Reading, population_n: int | None) -> None:
    if row.kind == "sample_size":
        return
    if reading.arm_n is not None:
        row.n, row.n_source = reading.arm_n, "arm"
    elif row.denominator is not None:
        row.n, row.n_source = row.denominator, "statistic"
    elif (
        row.group_name is None
        and population_n is not None
        and row.kind != "effect"
        and (row.count is None or row.count <= population_n)
    ):  # a population smaller than the count is some other, earlier group
        row.n, row.n_source = population_n, "population"

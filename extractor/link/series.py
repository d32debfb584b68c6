"""From–to series: the two ends of one series belong to one arm, and parallel series of
one sentence share their time.

`NRS pain improved from 6.8 to 3.1 in the A group and from 6.9 to 4.6 in the B group`:
the arm is written once, after the value a series reached, and it is the arm of the value
the series started from too (left alone, `6.9` would take the arm named before it, `A`);
an arm named before a series with none after it is the arm of both its ends.
`LVEF rose from 41.9% at baseline to 46.8% at 6 months with A and from 42.3% to 44.1%
with B`: a time written for one series of a sentence and not for the others is the time
of them all (and `... in the B group at week 26` closes the first series too).

Series are found by the modifier rules that mark them (`change.series_from` of category
`baseline` and `change.series_to` of category `follow_up`, matched from the same `from`).
"""

from __future__ import annotations

from dataclasses import dataclass

from extractor.link.readings import Reading
from extractor.link.view import SentenceView

OWN_ARM = ("rule", "after")  # an arm the value's own words name


@dataclass(frozen=True)
class Series:
    start: int  # the `from` token
    first: tuple[Reading, ...]  # the values the series started from
    reached: tuple[Reading, ...]  # the values it reached


def find_series(view: SentenceView, readings: list[Reading]) -> list[Series]:
    """The from–to series of a sentence, with the readings at each end."""
    by_token = {r.token: r for r in readings}
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for m in view.of_action("modifier"):
        if m.rule.category == "baseline":
            starts.setdefault(m.start, []).extend(m.slot("value"))
        elif m.rule.category == "follow_up":
            ends.setdefault(m.start, []).extend(m.slot("value"))
    found = []
    for start in sorted(set(starts) & set(ends)):
        first = tuple(by_token[i] for i in sorted(set(starts[start])) if i in by_token)
        reached = tuple(by_token[i] for i in sorted(set(ends[start])) if i in by_token)
        if first and reached:
            found.append(Series(start, first, reached))
    return found


def share_within_series(view: SentenceView, readings: list[Reading]) -> None:
    """Give each series' start the arm its end names, and series without a time the one
    time the sentence's other series were given (see the module docstring)."""
    series = find_series(view, readings)
    for s in series:
        owner = next((r for r in s.reached if r.arm_how in OWN_ARM), None)
        if owner is not None:
            for r in s.first:
                if r.arm_how not in OWN_ARM:
                    r.arm, r.arm_n, r.arm_how = owner.arm, owner.arm_n, "series"
            continue
        # `in the A group (from 4.0 to 2.0) than in the B group (...)`: the arm named
        # before the series is its end's too
        owner = next((r for r in s.first if r.arm is not None), None)
        if owner is not None:
            for r in s.reached:
                if r.arm is None:
                    r.arm, r.arm_n, r.arm_how = owner.arm, owner.arm_n, "series"
    if len(series) < 2:
        return
    times = {(r.timepoint, r.months) for s in series for r in s.reached if r.months is not None}
    if len(times) != 1:
        return
    timepoint, months = next(iter(times))
    for s in series:
        for r in s.reached:
            if r.months is None and r.timepoint in (None, timepoint):
                r.timepoint, r.months = timepoint, months

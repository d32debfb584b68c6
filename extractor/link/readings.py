"""What each statistic is evidence of: the best evidence rule, refined by modifiers.

Every statistic token of a sentence gets at most one `Reading`: the evidence rule of
highest priority whose `value` slot holds it (ties: the longer match, then the earlier
rule). ConText-style modifier rules then act on the statistics in their scope: `block`
removes them, `change`/`difference` turn a score into a change, `event` turns a share into
a complication, `mean`/`median` label a value and make a bare number a score,
`baseline`/`follow_up` say when (`from 8.2 to 3.1`). A statistic used as a time (a `time`
rule's value) or blocked by a `block` rule is never evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from extractor.annotate.statistics import Statistic
from extractor.link.view import SentenceView
from extractor.rules.match import RuleMatch

# a bare number becomes a score only where one of these modifiers covers it
_MAKES_SCORE = ("mean", "median")
_SHARES = ("proportion", "complication")


@dataclass
class Reading:
    """One statistic read as evidence, with everything linked to it so far."""

    token: int
    stat: Statistic
    kind: str
    rule: str
    priority: int
    match: RuleMatch | None = None
    statistic: str | None = None
    timepoint: str | None = None
    months: float | None = None
    arm: str | None = None
    arm_n: int | None = None
    arm_how: str | None = None  # rule | after | before | list | series: how the arm was linked
    measure: str | None = None
    measure_text: str | None = None
    modifiers: set[str] = field(default_factory=set)
    ci: tuple[float | None, float | None, float | None] | None = None
    p: tuple[float | None, str | None] | None = None
    last: int = -1  # the value's last token (a combined count and percent ends at the percent)

    def __post_init__(self) -> None:
        if self.last < self.token:
            self.last = self.token


def _ends_scope(view: SentenceView, i: int, ends: frozenset[str], pairs: bool) -> bool:
    """Whether token `i` (or the two words from it, for a `terminated_by` entry of two
    words such as `, and`) ends a modifier's scope."""
    lower = view.feat(i).lower
    if lower in ends:
        return True
    return pairs and i + 1 < view.end and f"{lower} {view.feat(i + 1).lower}" in ends


def modifier_scopes(view: SentenceView) -> dict[int, set[str]]:
    """For each token of the sentence, the modifier categories whose scope covers it.
    A scope ends at a `terminated_by` word or pair of words (`, and` begins a clause with
    its own subject), at the end of its clause, or after `scope` tokens."""
    covered: dict[int, set[str]] = {}
    # `... and no complications were reported`: an event a word counts as none counts
    # nothing else, so it makes no other value a count of events
    denied = {
        i
        for m in view.of_action("evidence")
        if m.rule.constant is not None
        for i in m.slot("measure")
    }
    for m in view.of_action("modifier"):
        rule = m.rule
        if rule.category == "event" and any(i in denied for i in range(m.start, m.end)):
            continue
        spans = []
        if rule.direction in ("forward", "both"):
            spans.append(range(m.end, min(view.end, m.end + rule.scope)))
        if rule.direction in ("backward", "both"):
            spans.append(range(max(view.start, m.start - rule.scope), m.start)[::-1])
        clauses = view.part if rule.crosses_comparisons else view.clause
        cue_clause = clauses.get(m.start)
        pairs = any(" " in word for word in rule.terminated_by)
        for span in spans:
            for i in span:
                if _ends_scope(view, i, rule.terminated_by, pairs):
                    break
                if clauses.get(i) != cue_clause and not rule.crosses_clauses:
                    break
                covered.setdefault(i, set()).add(rule.category)
        for i in m.slot("value"):  # a modifier may name the value it acts on
            covered.setdefault(i, set()).add(rule.category)
    return covered


def read_statistics(view: SentenceView) -> tuple[list[Reading], set[int]]:
    """The readings of a sentence's statistics, and the tokens used as times."""
    blocked = {i for m in view.of_action("block") for i in m.slot("value")}
    # a statistic that names an arm (`randomly assigned to 0.5 mg, 1 mg or placebo`) is
    # the arm's name, not a value
    blocked |= {i for m in view.of_action("arm") for i in m.slot("arm") if view.feat(i).is_stat}
    amounts = {i for m in view.of_action("evidence") if m.rule.amount for i in m.slot("value")}
    times = {i for m in view.of_action("time") for i in m.slot("value")} - amounts
    scopes = modifier_scopes(view)
    best: dict[int, Reading] = {}
    joined: set[int] = set()
    for m in view.of_action("evidence"):
        if m.rule.combine:
            combined = _combined(view, m, blocked | times)
            if combined is not None:
                current = best.get(combined.token)
                if current is None or _better(combined, current):
                    best[combined.token] = combined
                    joined.add(m.slot("value")[-1])
            continue
        for i in m.slot("value"):
            stat = view.stat(i) if m.rule.constant is None else _constant_stat(view, i, m)
            if stat is None or i in blocked or i in times:
                continue
            if m.rule.kind in _SHARES and _measured_number(view, i, stat):
                continue  # `PONV (OR=15.730, ...)`: a number with decimals counts nobody
            candidate = Reading(i, stat, m.rule.kind or "", m.rule.id, m.rule.priority, m)
            candidate.statistic = m.rule.statistic
            candidate.timepoint = m.rule.timepoint
            current = best.get(i)
            if current is None or _better(candidate, current):
                best[i] = candidate
    for m in view.of_action("arm"):  # `180 were assigned to thrombectomy`: an arm's size
        if not m.rule.sizes:
            continue
        for i in m.slot("value"):
            stat = view.stat(i)
            if stat is None or i in blocked or not view.feat(i).integer:
                continue
            candidate = Reading(i, stat, "sample_size", m.rule.id, m.rule.priority, m)
            current = best.get(i)
            if current is None or _better(candidate, current):
                best[i] = candidate
    for i, categories in scopes.items():  # a mean or median label makes a number a score
        stat = view.stat(i)
        if (
            stat is not None
            and i not in best
            and i not in blocked
            and i not in times
            and stat.kind == "value"
            and not stat.compound
            and not stat.year_like
            and any(c in categories for c in _MAKES_SCORE)
            and not view.feat(i).integer
        ):
            best[i] = Reading(i, stat, "score", "score.labelled_" + _label(categories), 5)
    readings = []
    for i in sorted(best):
        if i in joined:
            continue
        reading = best[i]
        categories = scopes.get(i, set())
        reading.modifiers = categories
        if "block" in categories and reading.priority < 90:
            continue
        _refine(reading, categories)
        readings.append(reading)
    return readings, times


def _measured_number(view: SentenceView, i: int, stat: Statistic) -> bool:
    """A plain number that is no whole count (`15.730`, `41.20`) and carries no percent or
    count of its own: a measured value, never a share of patients."""
    return (
        stat.shape == "number"
        and not stat.is_percent
        and stat.count is None
        and stat.percent is None
        and not view.feat(i).integer
        and stat.value is not None
        and stat.unit is None
    )


def _combined(view: SentenceView, m: RuleMatch, excluded: set[int]) -> Reading | None:
    """`14 in the control group (25%)`, `Thirteen patients (44.8%)`: a count and the
    percent written after it are one share, read at the count."""
    values = m.slot("value")
    if len(values) != 2 or any(i in excluded for i in values):
        return None
    count, share = view.stat(values[0]), view.stat(values[1])
    if count is None or share is None or count.value is None or share.percent is None:
        return None
    stat = replace(
        share,
        start=count.start,
        text=count.text,
        value=share.percent,
        count=int(count.value),
        denominator=count.denominator if count.denominator is not None else share.denominator,
        is_word=count.is_word,
        shape="count_percent",
    )
    reading = Reading(values[0], stat, m.rule.kind or "", m.rule.id, m.rule.priority, m)
    reading.last = values[1]
    reading.statistic = m.rule.statistic
    return reading


def _constant_stat(view: SentenceView, i: int, m: RuleMatch) -> Statistic | None:
    """`no patients`, `none of the patients`: a count written as a word, its value given
    by the rule."""
    if view.feat(i).is_stat:
        return None
    value = m.rule.constant
    return Statistic(
        start=view.char_start(i),
        end=view.char_end(i),
        text=view.token(i).text,
        value=value,
        count=int(value) if value is not None and float(value).is_integer() else None,
        value_end=view.char_end(i),
    )


def _label(categories: set[str]) -> str:
    return "median" if "median" in categories else "mean"


def _better(a: Reading, b: Reading) -> bool:
    if a.priority != b.priority:
        return a.priority > b.priority
    len_a = (a.match.end - a.match.start) if a.match else 0
    len_b = (b.match.end - b.match.start) if b.match else 0
    return len_a < len_b  # the nearer slot fillers: `wound problems (4%)`, not `Complications ...`


def _refine(reading: Reading, categories: set[str]) -> None:
    stat = reading.stat
    if (
        reading.kind == "proportion"
        and "level" in categories
        and stat.count is None
        and stat.denominator is None
    ):
        reading.kind = "score"  # `HbA1c was 7.4%`, `LVEF rose from 28% to 34%`
    if reading.kind == "score":
        if "difference" in categories:
            reading.kind, reading.statistic = "change", "difference"
        elif "change" in categories and not ({"baseline", "follow_up"} & categories):
            reading.kind, reading.statistic = "change", "change"
    if reading.kind == "change" and reading.statistic is None:
        reading.statistic = "difference" if "difference" in categories else "change"
    if (
        reading.kind == "proportion"
        and reading.stat.shape == "number"
        and "population" in categories
        and "event" not in categories
        and reading.statistic != "count"  # a rule read it as a part of a group named before
    ):
        reading.kind, reading.rule = "sample_size", reading.rule + "+population"
    if (
        reading.kind in _SHARES
        and "relative" in categories
        and stat.is_percent
        and stat.count is None
        and stat.denominator is None
    ):
        # `reduced the risk by 79%`, `29% higher`: how much an outcome moved, not a share
        relative = "difference" if "difference" in categories else "change"
        reading.kind, reading.statistic = "change", relative
    if reading.kind == "proportion" and reading.stat.signed and reading.stat.is_percent:
        # `−3.6% v −0.71%`, `+22.5%`: a signed percent is a relative change, not a share
        reading.kind, reading.statistic = "change", "change"
    if reading.kind == "proportion" and "event" in categories:
        if not categories & {"characteristic", "event_free"}:
            reading.kind = "complication"
    if (
        reading.kind == "score"
        and "event_free" in categories
        and stat.is_percent
        and not categories & {"mean", "median"}
    ):
        reading.kind = "proportion"  # `5-year overall survival was 81%`: a survival estimate
    if reading.kind == "complication" and "event_free" in categories:
        reading.kind = "proportion"  # `remained free from atrial fibrillation`: a success
    if reading.kind == "complication" and "characteristic" in categories:
        reading.kind = "proportion"  # `At baseline, 108 (8.7%) had a pacemaker`: on entry
    if reading.kind in ("score", "change") and reading.statistic is None:
        if "median" in categories:
            reading.statistic = "median"
        elif "mean" in categories or reading.stat.sd is not None or reading.stat.se is not None:
            reading.statistic = "mean"
        elif reading.stat.range_kind == "iqr":
            reading.statistic = "median"  # `mRS 2 (IQR 1-4)`: an IQR goes with a median
    if "baseline" in categories and reading.timepoint is None:
        reading.timepoint = "baseline"
    elif "follow_up" in categories and reading.timepoint is None:
        reading.timepoint = "follow-up"

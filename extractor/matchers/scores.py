"""Scores (an instrument's value at a time) and changes (within-group or between groups).

A score needs an instrument from `patterns/instruments.tsv` in the sentence (or carried
from an earlier sentence of the paragraph) and a sign that the number is a measured
value: a dispersion/CI/range, a timepoint next to it, a `from ... to ...` series, or a
list whose other members have one. A list is values joined by `,`/`and`/`or`, or each
followed by its arm (`3.4 in the duloxetine group and 4.9 in the placebo group`).

Series and lists make several rows (conventions rule 3): each value takes the timepoint
right after it, or the one its list shares (after the list, or fronted before it: `At 12
months, ... were 39.4 and 0.79`), or its own from a list of timepoints closed by
`respectively`, or the one before it (`from a baseline of 8.1`); in `from X to Y` without
words X is baseline and Y follow-up, pair by pair (`from 8 to 7 and from 6 to 3`), while
a FROM that has its own time (`from 0.47 at 6 months`) is that time. `respectively`
pairing, closing p-values and shared units are in `scores_pairs`; what makes a number a
change is in `scores_change`.

Not scores: follow-up durations (`a mean follow-up of 27.8 months`, `at a median of 297
days`: a time unit after follow-up words or on an instrument not measured in time),
values in a unit no instrument of the sentence has (`72 bpm`, `27.1 kg/m2`), categories
with their patient counts (`0 in 45 patients`), and number words without anything
attached (`is one of the most ...`).
"""

from __future__ import annotations

import re

from extractor.matchers import arms
from extractor.matchers.context import SentenceContext
from extractor.matchers.criteria import eligibility_range
from extractor.matchers.proportion_forms import share_after
from extractor.matchers.sample_size import count_noun_after
from extractor.matchers.scores_change import TIME_UNIT, change_kind, continues_change
from extractor.matchers.scores_pairs import (
    arms_in_order,
    closing_p,
    labels,
    says_respectively,
    series_arm,
    share_list_unit,
    share_series_unit,
    summing_p,
)
from extractor.quantities import Quantity
from extractor.types import Evidence
from extractor.vocab import Term, Timepoint

_LIST_GAP = re.compile(r"\s*(?:,|,?\s*and|,?\s*or|/|,?\s*versus|,?\s*vs\.?)\s*")
# `the ODI was 32.1`, `averaged a mean of 4.2`: the linking words are data (cues.tsv)
_LINK = (
    r"(?:{value_link}\s+(?:a\s+|an\s+)?(?:(?:mean|median|average)"
    r"\s+(?:\w+\s+){0,2}?(?:of\s+)?)?|\b(?:mean|median|average)\s+|[:=]\s*)$"
)
# `from`, `from a baseline of`, `from a mean (SD) of`, but not `from 8 to` (the 7 after it
# is where it went)
_FROM = re.compile(
    r"\bfrom\b(?:\s+(?:a|an|the)?\s*(?:(?!to\b)(?:[A-Za-z][\w\-]*|\([^()\d]{1,24}\))\s+){0,4}?"
    r"(?:of\s+)?)?\s*$",
    re.IGNORECASE,
)
_TO = re.compile(r"\bto\s+$", re.IGNORECASE)
_POINTS = {"point": "points", "pt": "points", "pts": "points"}
_ARM_JOIN = re.compile(
    r"\s*,?\s*(?:and|versus|vs\.?|compared\s+with|than)\s+(?:(?:by|of|in)\s+)?", re.IGNORECASE
)
# a clause that judges the value it starts with: a definition or threshold, not a result
_JUDGED = r"[^,;()]{0,40}?\b(?:is|was|are|were)\s+{judging}"  # words: cues.tsv
# `the 8 points regarded as clinically important`: the judging word right after the value
_JUDGED_NEXT = r"\s*(?:(?:that|which)\s+(?:is|was|are|were)\s+)?{judging}"
# plural words that may follow a score without being what it counts
_NOT_COUNTED = "{not_counted}"  # words: cues.tsv
# `For patients who ...`, `In those who ...`, `Among the ...`: a sentence opening on an arm
_ARM_OPENING = r"\s*{arm_opening}[^,;()]{0,40}"  # words: cues.tsv


def find_scores(ctx: SentenceContext) -> list[Evidence]:
    if not ctx.instruments:
        return []
    cands = [q for q in ctx.values if _candidate(ctx, q)]
    if not cands:
        return []
    lists = _lists(ctx, cands)
    change = {id(q): change_kind(ctx, q) for q in cands}
    for members in lists:
        kinds = [change[id(q)] for q in members if change[id(q)]]
        if kinds:
            for q in members:
                change[id(q)] = change[id(q)] or kinds[0]
    pairs = labels(ctx, cands[0])
    tps, taken = _timepoints(ctx, lists)
    rows: list[Evidence] = []
    for members in lists:
        if not any(_signal(ctx, q, tps) or change[id(q)] for q in members):
            continue
        p_list = closing_p(ctx, members) if len(members) > 1 else None
        for index, q in enumerate(members):
            if q.is_percent and not change[id(q)] and not _percent_unit(ctx):
                continue
            row = _row(ctx, q, change[id(q)], tps.get(id(q)), taken, members)
            _pair(row, pairs, members, index)
            row.group_name = row.group_name or _group(ctx, q)
            if row.statistic == "difference":
                row.group_name = None  # a between-group difference belongs to no one arm
            p = p_list if p_list and (says_respectively(ctx) or q is members[-1]) else None
            p = p or _p_for(ctx, q)
            if p is not None and row.p_value is None:
                row.p_value, row.p_relation = p.p_value, p.p_relation
            rows.append(row)
        if len(members) > 1:
            arms_in_order(ctx, rows[len(rows) - len(members) :], members)
        share_list_unit(rows[len(rows) - len(members) :] if len(members) > 1 else [])
    summing_p(ctx, rows)
    series_arm(ctx, rows)
    share_series_unit(ctx, rows)
    return rows


def _candidate(ctx: SentenceContext, q: Quantity) -> bool:
    if ctx.is_claimed(q) or q.n_equals or q.value is None or ctx.is_blocked(q):
        return False
    if q.denominator is not None or (q.count is not None and q.percent is not None):
        return False
    if q.is_percent and share_after(ctx, q):
        return False  # `68.2% of patients had an HbA1c below 7.0%`: a share of patients
    noun = count_noun_after(ctx, q)
    if noun is not None and not _score_unit(q):
        if not any(q.end <= t.start < noun.start for t in ctx.timepoints):
            return False  # `to 24.8 six months after fusion`: a time, then the procedure
    attached = (q.sd, q.ci_low, q.range_low)
    if q.is_word and q.unit is None and all(a is None for a in attached):
        return False  # `is one of the most ...`: a number word needs a quantity around it
    if _is_duration(ctx, q) or _foreign_unit(ctx, q) or eligibility_range(ctx, q):
        return False
    if _category_count_after(ctx, q) or _counted_thing_after(ctx, q):
        return False
    if q.compound and _SCALE_NOUN.match(ctx.after(q.end, 60)):
        return False  # `an 11-point numerical rating scale`: the scale's size, not a score
    tail = ctx.after(q.end, 60)
    if ctx.vocab.cue_pattern(_JUDGED).match(tail) or ctx.vocab.cue_pattern(_JUDGED_NEXT).match(
        tail
    ):
        return False  # `A change of 2 points was considered clinically important`
    following = " ".join(ctx.after(q.end, 20).split()[:1])
    if q.sd is None and q.ci_low is None and ctx.vocab.cues_in(following, "outcome"):
        return False  # `1 had worsening pain`: a count of patients, not a score
    return not re.match(r"^\s*(?:of\s+(?:the\s+)?\d|studies|trials|patients)", ctx.after(q.end, 20))


_SCALE_NOUN = re.compile(
    r"^\s+(?:[\w\-]+\s+){0,3}?(?:scale|questionnaire|index|instrument|inventory|system)s?\b",
    re.IGNORECASE,
)


def _score_unit(q: Quantity) -> bool:
    """`15.9 points (...) after total hip replacement`: points are a score's, so a counted
    noun further on is not what the number counts."""
    return bool(q.unit and re.fullmatch(r"(?:percentage\s+)?(?:points?|pts?)", q.unit, re.I))


def _category_count_after(ctx: SentenceContext, q: Quantity) -> bool:
    """`ECOG performance status was 0 in 45 patients`: a category with its count of
    patients (a distribution, for the proportion matcher), not a mean score."""
    m = re.match(r"\s*in\s+(\S+)\s+(\w+)", ctx.after(q.end, 40))
    if not m or not ctx.vocab.count_nouns_in(m.group(2)):
        return False
    number = m.group(1)
    return number[:1].isdigit() or ctx.vocab.number_words.parse(number) is not None


def _counted_thing_after(ctx: SentenceContext, q: Quantity) -> bool:
    """`The SF-36 questionnaire consists of 36 items`: a whole number directly before a
    plural noun counts things; a score is followed by its unit, time, arm or verb."""
    if q.unit or q.sd is not None or q.ci_low is not None or q.range_low is not None:
        return False
    if q.value is None or q.value != int(q.value):
        return False
    m = re.match(r"\s([a-z]{3,}s)\b", ctx.after(q.end, 30))
    return bool(m) and not ctx.vocab.cue_pattern(_NOT_COUNTED).fullmatch(m.group(1))


def _is_duration(ctx: SentenceContext, q: Quantity) -> bool:
    """`a mean follow-up of 27.8 months`: a time, unless the instrument is measured in time
    (`median overall survival was 18.4 months`, `length of stay 5.2 days`)."""
    if not q.unit or not TIME_UNIT.fullmatch(q.unit):
        return False
    if ctx.vocab.cues_in(ctx.before(q.start, 40), "follow_up"):
        return True  # `followed up for a median of 3.1 years`, whatever the instrument
    unit = ctx.vocab.unit_of(_measure(ctx, q).canonical)
    return not (unit and TIME_UNIT.fullmatch(unit))


def _foreign_unit(ctx: SentenceContext, q: Quantity) -> bool:
    """`27.1 ± 4.2 kg/m2`, `from 88 to 72 bpm`: a unit no instrument of the sentence is
    measured in (their own from `patterns/instruments.tsv`, points, or mm on a 100-mm
    scale) belongs to some other quantity; it matters most where the instrument is only
    inherited from an earlier sentence. A value whose series partner (`88 to 72 bpm`)
    carries such a unit shares it."""
    allowed = {"points", "point", "pts", "pt", "mm", "percentagepoints", "percentagepoint"}
    allowed |= {_unit_key(ctx.vocab.unit_of(t.canonical) or "") for t in ctx.instruments}
    nxt = ctx.next_value(q)
    for value in (q, nxt):
        if value is None or not value.unit or value.is_percent or value.unit == "%":
            continue
        if value is nxt and not re.fullmatch(r"\s*(?:to|and|,|-|–)\s*", ctx.span(q.end, nxt.start)):
            continue
        if not TIME_UNIT.fullmatch(value.unit) and _unit_key(value.unit) not in allowed:
            return True
    return False


def _unit_key(unit: str) -> str:
    return re.sub(r"\s+", "", unit).lower()


def _lists(ctx: SentenceContext, cands: list[Quantity]) -> list[list[Quantity]]:
    """Runs of values joined only by `,` / `and` / `or`: `8.4 (7–10) and 5.1 (2–10)`, or
    each followed by its arm: `3.4 in the duloxetine group and 4.9 in the placebo group`."""
    lists: list[list[Quantity]] = []
    for q in cands:
        if lists and (
            _LIST_GAP.fullmatch(ctx.span(lists[-1][-1].end, q.start))
            or _next_arm(ctx, lists[-1][-1], q)
            or continues_change(ctx, lists[-1][-1], q)
        ):
            lists[-1].append(q)
        else:
            lists.append([q])
    return lists


def _next_arm(ctx: SentenceContext, prev: Quantity, q: Quantity) -> bool:
    """`19.8 points in the surgical group and 11.2 ...`, `11.2 months in the combination arm
    versus 7.4 ...`: the same measure reported for the next arm."""
    group = ctx.group_right(prev)
    if group is not None:
        return bool(_ARM_JOIN.fullmatch(ctx.span(group[1], q.start)))
    # `21.4 points with decompression and 32.8 points with exercise`
    lead = arms.arm_mention_after(ctx, prev.end)
    return lead is not None and bool(_ARM_JOIN.fullmatch(ctx.span(lead[0], q.start)))


def _timepoints(
    ctx: SentenceContext, lists: list[list[Quantity]]
) -> tuple[dict[int, Timepoint], set[int]]:
    """Each value's own timepoint, or its list's (after the list, else fronted before it)."""
    tps: dict[int, Timepoint] = {}
    taken: set[int] = set()
    for members in lists:
        paired = _respective_timepoints(ctx, members)
        if paired:
            for q, tp in zip(members, paired, strict=True):
                tps[id(q)] = tp
                taken.add(tp.start)
            continue
        shared = ctx.timepoint_right(members[-1])
        if shared is None and len(members) > 1:
            shared = ctx.timepoint_left(members[0], taken)
        for q in members:
            tp = ctx.timepoint_right(q) or (shared if len(members) > 1 else None)
            if tp:
                tps[id(q)] = tp
                taken.add(tp.start)
    return tps, taken


def _respective_timepoints(ctx: SentenceContext, members: list[Quantity]) -> list[Timepoint]:
    """`were 9.1, 13.8 and 14.2 preoperatively, at 1 year and at 2 years, respectively`:
    as many timepoints as values between the list and `respectively` pair in order."""
    if len(members) < 2:
        return []
    end = ctx.sentence.text.lower().find("respectively", members[-1].end - ctx.sentence.start)
    if end < 0:
        return []
    end += ctx.sentence.start
    nxt = ctx.next_value(members[-1])
    if nxt is not None and nxt.start < end:
        return []
    found = [t for t in ctx.timepoints if members[-1].end <= t.start < end]
    return found if len(found) == len(members) else []


def _signal(ctx: SentenceContext, q: Quantity, tps: dict) -> bool:
    """Whether `q` reads as a measured value. Where the instrument is only inherited from
    an earlier sentence, a dispersion or a bare `was` is not enough (`Mean BMI was 27.1 ±
    4.2` is some other measure): the value must be placed in time or in a series."""
    inherited = all(not t.text for t in ctx.instruments)
    if not inherited and (q.sd is not None or q.ci_low is not None or q.range_low is not None):
        return True
    if id(q) in tps or ctx.timepoint_left(q, set()):
        return True
    left = ctx.before(q.start, 60)
    if _FROM.search(left) or _TO.search(left):
        return True
    if inherited:
        return False
    linked = ctx.vocab.cue_pattern(_LINK).search(left)
    return bool(linked) and bool([t for t in ctx.instruments if t.end <= q.start])


def _percent_unit(ctx: SentenceContext) -> bool:
    return any(ctx.vocab.unit_of(t.canonical) == "%" for t in ctx.instruments)


def _measure(ctx: SentenceContext, q: Quantity) -> Term:
    before = [t for t in ctx.instruments if t.end <= q.start]
    if before:
        return before[-1]
    return ctx.instruments[0]


def _row(
    ctx: SentenceContext,
    q: Quantity,
    change: str | None,
    tp: Timepoint | None,
    taken: set[int],
    members: list[Quantity],
) -> Evidence:
    term = _measure(ctx, q)
    kind = "change" if change else "score"
    if says_respectively(ctx) and len(members) > 1:
        shape = "respectively"
    elif re.search(r"\bfrom\b", ctx.clause_before(q.start), re.IGNORECASE) and not change:
        shape = "from_to_series"
    else:
        shape = "list" if len(members) > 1 else "value"
    row = ctx.evidence(
        kind, q, f"{kind}.{shape}", measure=term.canonical, measure_text=term.text or None
    )
    row.unit = _POINTS.get(row.unit or "", row.unit)
    if change:
        row.statistic = change
        if q.is_percent:
            row.unit, row.percent = "%", None
        elif row.unit is None:
            row.unit = "points" if re.match(r"^[\s\-]*points?\b", ctx.after(q.end, 12)) else None
    else:
        row.statistic = ctx.statistic(q)
        if row.unit is None:
            row.unit = ctx.vocab.unit_of(term.canonical) if _percent_unit(ctx) else None
    side = None if change else _series_side(ctx, members[0])
    tp = tp or ctx.timepoint_left(q, taken)
    if side == "baseline" and tp is not None and tp.start < q.start and tp.timepoint != side:
        tp = None  # `At 12 months, ODI had improved from 50.2 to 30.1`: 50.2 is the start
    if tp is None and side != "baseline":
        tp = _fronted_timepoint(ctx, q)
    if tp is not None:
        row.timepoint, row.months = tp.timepoint, tp.months
    else:
        row.timepoint = side
    if row.timepoint == "baseline" and change and tp is not None:
        end = _interval_end(ctx, tp)
        if end is not None:  # `between the preoperative assessment and two years`
            row.timepoint, row.months = end.timepoint, end.months
    if row.timepoint == "baseline":
        row.months = None
        if change:
            row.timepoint = None  # `between the preoperative and final assessments`
    return row


def _interval_end(ctx: SentenceContext, start: Timepoint) -> Timepoint | None:
    """The follow-up time closing an interval that opens at baseline (`between baseline
    and 12 months`, `from the preoperative visit to two years`): a change's time."""
    for tp in ctx.timepoints:
        if tp.start < start.end or tp.timepoint != "follow-up" or tp.months is None:
            continue
        gap = ctx.span(start.end, tp.start)
        if re.fullmatch(r"[^.;()\d]{0,40}", gap) and re.search(
            r"\b(?:and|to)\b", gap + " " + ctx.span(tp.start, tp.end)
        ):
            return tp
        return None
    return None


def _fronted_timepoint(ctx: SentenceContext, q: Quantity) -> Timepoint | None:
    """`At 2 years, the mean Constant score was 78.2 and the mean DASH 14.3`: a time opening
    the sentence, set off by a comma, holds for every value after it without its own."""
    first = ctx.timepoints[0] if ctx.timepoints else None
    if first is None or first.end > q.start or ctx.span(ctx.sentence.start, first.start).strip():
        return None
    return first if re.match(r"\s*,", ctx.span(first.end, q.start)) else None


def _series_side(ctx: SentenceContext, first: Quantity) -> str | None:
    """`from X` is baseline and `to Y` follow-up; a list shares its first value's side."""
    left = ctx.before(first.start, 60)
    if _FROM.search(left):
        return "baseline"
    if _TO.search(left):
        return "follow-up"
    return None


def _pair(row: Evidence, pairs: dict[str, list[str]], members: list[Quantity], index: int) -> None:
    """`respectively`: the index-th value takes the index-th instrument or arm."""
    n = len(members)
    if not pairs or n < 2:
        return
    if len(pairs.get("measure", [])) == n:
        row.measure = pairs["measure"][index]
        row.measure_text = pairs["measure_text"][index]
    if len(pairs.get("group", [])) == n:
        row.group_name = pairs["group"][index]


def _group(ctx: SentenceContext, q: Quantity) -> str | None:
    """The arm named for `q`, else the one arm the sentence opens with, given with `(n = N)`
    (`For patients who crossed over (n=35), the change was ...`). An arm named elsewhere
    (`Compared with placebo (n=61), pregabalin reduced ...`) is the comparator, not the
    value's group."""
    name = ctx.group_for(q)
    if name or len(ctx.arms) != 1:
        return name
    where = ctx.sentence.text.find(ctx.arms[0])
    if not 0 <= where < q.start - ctx.sentence.start:
        return None
    opening = ctx.sentence.text[:where]
    return ctx.arms[0] if ctx.vocab.cue_pattern(_ARM_OPENING).fullmatch(opening) else None


def _p_for(ctx: SentenceContext, q: Quantity):
    """The p closing `q`'s clause: right after it, or after words with no clause break
    (`a mean improvement of 25 points between the preoperative and final assessments (p <
    0.001)`)."""
    p = ctx.p_after(q)
    if p is not None:
        return p
    nxt = ctx.next_value(q)
    for p in ctx.p_values:
        if p.start < q.end or (nxt is not None and p.start > nxt.start):
            continue
        gap = ctx.span(q.end, p.start)
        if len(gap) <= 90 and not re.search(r"[;,]|\b(?:whereas|while|but)\b", gap):
            return p
        return None
    return None

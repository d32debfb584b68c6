"""When a count or share of patients was observed, and sentences that are not evidence.

Complications and proportions get a time only where the sentence puts the outcome at one
(conventions: "success rates at 6 months", "at 6-month follow-up", "at a median follow-up
of 4 months", "consumed opioids preoperatively"). Shared by `complications.py` and
`proportions.py` so both kinds read time the same way.
"""

from __future__ import annotations

import re

from extractor.matchers import arms
from extractor.matchers.context import SentenceContext
from extractor.quantities import Quantity
from extractor.types import Evidence

# "at a median follow-up of 4 months", "(mean follow-up of 21 months)": the time every
# count or rate of the sentence was observed at
# (the follow-up words are cue role follow_up in cues.tsv)
_FOLLOW_UP_OF = (
    r"\b(?:mean|median|average)\s+(?:duration\s+of\s+)?{follow_up}\s+(?:of|was|:)?\s*"
    r"(?P<n>\d+(?:\.\d+)?)\s*(?P<u>months?|years?|weeks?|days?)\b"
)
_PER_MONTH = {"month": 1.0, "year": 12.0, "week": 12 / 52, "day": 12 / 365}
_CLAUSE_BREAK = re.compile(r";|\.\s")
_COMPARISON = re.compile(r"\b(?:than|versus|vs|compared)\b")


def follow_up_months(ctx: SentenceContext) -> float | None:
    """The mean/median follow-up the sentence states for all its results, in months."""
    m = ctx.vocab.cue_pattern(_FOLLOW_UP_OF).search(ctx.sentence.text)
    if not m:
        return None
    unit = m.group("u").lower().rstrip("s")
    return round(float(m.group("n")) * _PER_MONTH[unit], 1)


def row_time(ctx: SentenceContext, q: Quantity, row: Evidence) -> None:
    """The timepoint right after the row (from its end: `(44.8%) consumed ... preoperatively`),
    else the one before it in its window, else the sentence's stated follow-up."""
    tp = ctx.timepoint_right(q) or _timepoint_after_row(ctx, row) or ctx.timepoint_left(q, set())
    tp = tp or _timepoint_past_thresholds(ctx, q)
    if tp:
        row.timepoint, row.months = tp.timepoint, tp.months
        if tp.timepoint == "baseline":
            row.months = None
        return
    months = follow_up_months(ctx)
    if months is not None:
        row.timepoint, row.months = "follow-up", months


def _timepoint_past_thresholds(ctx: SentenceContext, q: Quantity):
    """`56.9% of patients had at least 50% pain relief six months after RFD`: a threshold
    is no value of its own, so the time after it still dates the share before it."""
    later = [v for v in ctx.values if v.start >= q.end]
    end = next((v.start for v in later if not ctx.is_blocked(v)), ctx.sentence.end)
    if not later or later[0].start >= end:
        return None  # no threshold in between: the ordinary window already looked
    text = ctx.span(q.end, end)
    brk = re.search(r"[;,]|\b(?:and|but|whereas|while|than|versus|compared)\b", text)
    stop = q.end + (brk.start() if brk else len(text))
    return next((t for t in ctx.timepoints if q.end <= t.start < stop), None)


def _timepoint_after_row(ctx: SentenceContext, row: Evidence):
    """A timepoint after the row's own span and before the next number or clause break."""
    later = [v for v in ctx.values if v.start >= row.char_end]
    end = later[0].start if later else ctx.sentence.end
    text = ctx.span(row.char_end, end)
    # `80% ... reported less pain than at baseline`: a compared time is not the row's
    breaks = [m.start() for rx in (_CLAUSE_BREAK, _COMPARISON) if (m := rx.search(text))]
    end = row.char_end + min(breaks, default=len(text))
    for tp in ctx.timepoints:
        if row.char_end <= tp.start < end:
            return tp
    return None


def inherit_time(ctx: SentenceContext, rows: list[Evidence]) -> None:
    """`at 6 months ... (81% [83/102] versus 26% [12/46])`: a later row of the same clause
    with no time of its own was observed at the time of the row before it."""
    ordered = sorted(rows, key=lambda r: r.char_start)
    for prev, row in zip(ordered, ordered[1:], strict=False):
        if row.timepoint is not None or prev.timepoint != "follow-up":
            continue
        gap = ctx.span(prev.char_end, row.char_start)
        if _CLAUSE_BREAK.search(gap) or any(
            prev.char_end <= t.start < row.char_start for t in ctx.timepoints
        ):
            continue
        if re.search(r"\b(?:versus|vs\.?|and|compared with|whereas|while)\b|,", gap):
            row.timepoint, row.months = prev.timepoint, prev.months
    _share_trailing_time(ctx, ordered)


def _share_trailing_time(ctx: SentenceContext, ordered: list[Evidence]) -> None:
    """`occurred in 3.1% and 0.5% at 12 months`: a time closing a bare pair or list (values
    joined only by `,`/`and`/`versus`) holds for its earlier values too."""
    for i in range(len(ordered) - 1, 0, -1):
        last = ordered[i]
        if last.timepoint != "follow-up" or last.months is None:
            continue
        j = i
        while j > 0 and _LIST_GAP.fullmatch(
            ctx.span(ordered[j - 1].char_end, ordered[j].char_start)
        ):
            j -= 1
        for row in ordered[j:i]:
            if row.timepoint is None:
                row.timepoint, row.months = last.timepoint, last.months


_LIST_GAP = re.compile(r"\s*(?:,\s*and|,|and|versus|vs\.?)\s*", re.IGNORECASE)
_RESPECTIVE_ARMS = re.compile(
    r"\b(?:in|for|with|among|after|of)\s+(?:the\s+)?"
    r"(?P<names>(?:(?!\b(?:in|for|with|among|after|of)\s)[^;()\d])+?)"
    r"(?:\s+(?:groups|arms|cohorts|patients|participants))?,?\s+respectively\b",
    re.IGNORECASE,
)


def pair_respectively(ctx: SentenceContext, rows: list[Evidence]) -> None:
    """`8.2% and 11.4% in the TAVI and surgical groups, respectively`: the values of a
    list take the arms named after it, in order."""
    ordered = sorted(rows, key=lambda r: r.char_start)
    run: list[Evidence] = []
    for row in ordered + [None]:  # type: ignore[list-item]
        if row is not None and (
            not run or _LIST_GAP.fullmatch(ctx.span(run[-1].char_end, row.char_start))
        ):
            run.append(row)
            continue
        if len(run) > 1:
            _name_run(ctx, run)
        run = [row] if row is not None else []


def _name_run(ctx: SentenceContext, run: list[Evidence]) -> None:
    tail = re.split(r";", ctx.span(run[-1].char_end, ctx.sentence.end), maxsplit=1)[0]
    _closing_p(ctx, run, tail)
    m = _RESPECTIVE_ARMS.search(tail)
    if not m:
        _name_by_order(ctx, run, tail)
        return
    names = [n.strip() for n in re.split(r",\s*and\s+|,\s*|\s+and\s+", m.group("names"))]
    names = [n for n in names if n]
    if len(names) == len(run):
        for row, name in zip(run, names, strict=True):
            row.group_name = name
    else:  # `of patients, respectively`: no names after the list
        _name_by_order(ctx, run, tail)


def _closing_p(ctx: SentenceContext, run: list[Evidence], tail: str) -> None:
    """`in 92.4% and 85.1%, respectively (P = 0.04)`: the p closing a `respectively` list
    qualifies every value of it (conventions rule 2)."""
    m = re.search(r"\brespectively\W{0,4}", tail, re.IGNORECASE)
    if not m:
        return
    at = run[-1].char_end + m.end()
    p = next((p for p in ctx.p_values if at <= p.start <= at + 6), None)
    if p is None:
        return
    for row in run:
        if row.p_value is None:
            row.p_value, row.p_relation = p.p_value, p.p_relation


_BARE_RESPECTIVELY = re.compile(
    r"^[\s\])]*(?:(?:of\s+(?:the\s+)?)?(?:patients|participants|cases))?[\s,]*respectively\b",
    re.IGNORECASE,
)


def _name_by_order(ctx: SentenceContext, run: list[Evidence], tail: str) -> None:
    """`... occurred in 32 (6.4%) and 27 (5.4%), respectively` after the paragraph named
    the arms (`assigned to A or B`): the values take the arms in order. Without
    `respectively` a pair of one event at one time (`hypotension in 4.8% and 3.4%`) is
    also one value per arm. A list of different events or times is not."""
    bare = bool(_BARE_RESPECTIVELY.match(tail))
    known = ctx.respective_arms if bare else ctx.known_arms
    # one name on every value was inherited from an earlier clause (`... in the placebo
    # group, and ... in 32 (6.4%) and 27 (5.4%), respectively`), not given to each
    if len(known) != len(run) or len({r.group_name for r in run}) != 1:
        return
    if len({(r.measure, r.timepoint, r.months) for r in run}) != 1:
        return
    if sum(t.start >= run[0].char_end for t in ctx.timepoints) >= len(run):
        return  # `in 3% and 5% at 1 and 2 years`: a value per time, not per arm
    if not bare:
        if re.search(r"\brespectively\b", tail, re.IGNORECASE) or len(run) != 2:
            return
        if arms.coordinated_subject(ctx, run[0].char_start):
            return
        pairs = zip(run, run[1:], strict=False)
        if not all(_LIST_GAP.fullmatch(ctx.span(a.char_end, b.char_start)) for a, b in pairs):
            return
    for row, name in zip(run, known, strict=True):
        row.group_name = name


_VS_JOIN = re.compile(r"\s*(?:vs\.?|versus)\s*", re.IGNORECASE)


def pair_vs_brackets(ctx: SentenceContext, rows: list[Evidence]) -> None:
    """`adverse events with A and B were nausea (41 [22%] vs 15 [8%]) and headache (29 vs
    24)`: each bracketed `x vs y` pair takes the two arms the sentence named, in order."""
    names = _arm_pair(ctx)
    if names is None:
        return
    ordered = sorted(rows, key=lambda r: r.char_start)
    for first, second in zip(ordered, ordered[1:], strict=False):
        if first.group_name or second.group_name:
            continue
        if not _VS_JOIN.fullmatch(ctx.span(first.char_end, second.char_start)):
            continue
        if re.search(r"\(\s*$", ctx.before(first.char_start, 3)) and re.match(
            r"\s*\)", ctx.after(second.char_end, 3)
        ):
            first.group_name, second.group_name = names


def _arm_pair(ctx: SentenceContext) -> tuple[str, str] | None:
    """The two known arms the sentence names as `A and B` (or `A or B`, `A versus B`)."""
    known = [a for a in ctx.known_arms if a]
    text = ctx.sentence.text
    for a in known:
        for b in known:
            if a == b:
                continue
            pattern = (
                rf"\b{re.escape(a)}\s+(?:and|or|versus|vs\.?)\s+(?:the\s+|with\s+)?"
                rf"{re.escape(b)}\b"
            )
            if re.search(pattern, text, re.IGNORECASE):
                return a, b
    return None

"""Complications: adverse events, reoperations, revisions, infections, named events.

A sentence that reports events (a term of `patterns/complications.tsv`) turns its rates
and counts into `complication` rows (`4% (204/5,319)`, `nerve impingement in less than 1%
(n=48)`, `two cases of implant loosening`, `Two patients developed a pulmonary embolism`,
`no complications were reported` → 0). Which event a number counts is decided by
`events.event_for` (its own list item, else the clause's subject). Proportions (every
other share of patients) are in `proportions.py`; both are re-exported here.
"""

from __future__ import annotations

import re

from extractor.matchers.complication_forms import (
    arm_of_noun,
    attributed,
    baseline_opening,
    discontinued_for,
    matching_rate,
    pair_listed_events,
    parallel_arms,
    qualified_event,
    relative_event,
)
from extractor.matchers.context import SentenceContext
from extractor.matchers.event_time import (
    inherit_time,
    pair_respectively,
    pair_vs_brackets,
    row_time,
)
from extractor.matchers.events import (
    event_for,
    events_in,
    lead_group,
    named_count_term,
    relation_event,
    relation_group,
    specific_in_paren,
)
from extractor.matchers.proportion_forms import fraction_after
from extractor.matchers.proportions import find_proportions
from extractor.matchers.sample_size import count_noun_after
from extractor.quantities import Quantity
from extractor.types import Evidence
from extractor.vocab import Term

__all__ = ["find_complications", "find_proportions"]

_NONE = re.compile(
    r"\b(?:(?P<there>there\s+(?:were|was)\s+)?no|(?P<neither>neither\s+(?:group|arm|cohort)\s+"
    r"(?:had|reported|recorded)\s+any|not\s+a\s+single)|none(?:\s+of\s+(?:the|these|them|our)"
    r"(?:\s+(?:patients|participants))?)?)\s+(?:\w+\s+){0,3}?$",
    re.IGNORECASE,
)
_LABEL_LIST = re.compile(
    r"\b(?:grades?|class(?:es)?|stages?|types?|levels?)\s+[\dIVX]+\s*(?:or|and|to|-|–|/|,)\s*$",
    re.IGNORECASE,
)
_COUNTED_HAD_NONE = re.compile(
    r"\b(?:\d[\d,.]*|[a-z]+(?:-[a-z]+)?)\s+(?:of\s+(?:the|these|those)\s+)?"
    r"(?:patients|participants|subjects|women|men)\s+(?:\([^()]*\)\s+)?"
    r"(?:had|have|reported|experienced|developed|showed)\s+$",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    r"\b(?:no|without|free\s+(?:of|from)|freedom\s+from)\s+(?:[\w\-]+\s+){0,2}$", re.IGNORECASE
)
# a phrase naming only the comparator arm: `... with A (4.2%) than with placebo (1.8%)`
_ARM_PHRASE = re.compile(
    r"^(?:than|versus|vs\.?|compared\s+with|and|or)\s+(?:with|in|among|receiving|on|after)\b",
    re.IGNORECASE,
)
# the same event going on, with no subject of its own: `and persisted at one year in 2`
_CONTINUED = re.compile(
    r"\b(?:and|but)\s+(?:persisted|recurred|remained|resolved|was\s+permanent|"
    r"were\s+permanent)\b[^,;]*\b(?:in|among)\s+(?:only\s+)?$",
    re.IGNORECASE,
)
# an efficacy result as the clause of a number no event is named for (conventions: success
# rates are proportions)
_EFFICACY = re.compile(
    r"\b(?:success(?:ful)?|succeeded|achieved|remission|respon(?:se|ded|ders?)|healed|"
    r"healing|union|satisf(?:ied|action)|improved|improvement|recovered|recovery|"
    r"cured?|resolution|resolved)\b",
    re.IGNORECASE,
)
_MEAN_IN_PAREN = re.compile(r"\(\s*(?:mean|median|average)\s*$", re.IGNORECASE)
_PCT_IN_PAREN_AFTER = re.compile(r"^\s*(?:[a-z]+\s+)?\(\s*$", re.IGNORECASE)


def find_complications(ctx: SentenceContext) -> list[Evidence]:
    if baseline_opening(ctx):
        return []  # `At baseline, 40 patients (20%) had a pacemaker`: characteristics
    events = events_in(ctx)
    rows = _named_counts(ctx, events) + _none_reported(ctx, events)
    if not events:
        return rows
    _mean_ranges(ctx)
    negated: set[int] = set()
    last: tuple[Quantity, Term | None] | None = None
    for q in ctx.values:
        if ctx.is_claimed(q) or ctx.is_blocked(q) and q.count is None or q.start in negated:
            continue
        if q.is_percent and q.count is None and _after_change(ctx, q):
            continue  # `pain scores fell by 50%`: a relative change, not an event rate
        count, pct = _share(ctx, q)
        if count is None and pct is None:
            continue
        term, text = event_for(ctx, q, events)
        if (not text or _ARM_PHRASE.match(text)) and (term is None or term.start >= q.end):
            same = _same_as_before(ctx, q, events, last)
            if same is not None:
                term, text = same, ""
        if term is None and _CONTINUED.search(ctx.span(ctx.sentence.start, q.start)):
            same = _same_as_before(ctx, q, events, last)  # `..., and persisted in two`
            term, text = (same, same.text) if same is not None else (term, text)
        term = discontinued_for(ctx, term)
        prev = ctx.prev_value(q)
        clause = ctx.span(prev.end if prev else ctx.sentence.start, q.start)
        if term is None and _EFFICACY.search(clause):
            continue  # `Clinical success was achieved in 88%`: a share, not an event
        relative = relative_event(ctx, q, events) if term is None else None
        if relative is not None:  # `dysphagia, which affected 17.6% of patients`
            term, text = relative, relative.text
        qualified = qualified_event(ctx, q, events)
        if qualified is not None:
            term, text = qualified, qualified.text
        if term is not None and term.category == "endpoint":
            last = (q, term)
            if pct is not None:
                negated.add(pct.start)
            continue  # `a primary-outcome event occurred in 138 (27.5%)`: a proportion
        if term is not None and (
            _NEGATED.search(ctx.before(term.start, 30))
            or re.match(r"[\-‐\s]*free\b", ctx.after(term.end, 8), re.IGNORECASE)
        ):  # `revision-free survival was 96.4%`: a share without the event
            negated.add(pct.start if pct else q.start)
            continue  # `41 patients (68.3%) had no complications`: a share without the event
        arm = None
        if term is not None and term.start >= q.end:  # `19% of the events were related to`
            arm = relation_group(ctx, term)
            term = relation_event(ctx, term) or term
        row = ctx.evidence(
            "complication",
            q,
            "complication.rate" if q.is_percent else "complication.count",
            value=float(count) if count is not None else pct.percent if pct else q.percent,
            count=count,
            measure=term.canonical if term else None,
            measure_text=text or (term.text if term else None),
            statistic="count" if count is not None else "percent",
            group_name=arm_of_noun(ctx, q) or ctx.group_for(q) or arm or lead_group(ctx),
        )
        if pct is not None and pct is not q:
            row.percent, row.char_end = pct.value, _close(ctx, pct.end)
            if row.ci_low is None and pct.ci_low is not None:  # `(7.8%; 95% CI 2.2-18.9)`
                row.ci_low, row.ci_high, row.ci_level = pct.ci_low, pct.ci_high, pct.ci_level
            ctx.claimed.add((pct.start, pct.end))
        restated = _restated(ctx, q, count, rows)
        if restated is not None:  # `27 patients died (27/1,246, 2.2%)`: one event count
            restated.denominator = q.denominator
            for name in ("percent", "ci_low", "ci_high", "ci_level"):
                if getattr(restated, name) is None:
                    setattr(restated, name, getattr(row, name))
            restated.char_end = max(restated.char_end, row.char_end)
            last = (q, term)
            continue
        frac = fraction_after(ctx, q) if q.is_percent and count is None else None
        if frac is not None:  # `was 4.5% (9 of 200)`: the bracket gives the count
            row.value, row.count, row.denominator = float(frac.count), frac.count, frac.denominator
            row.statistic, row.char_end = "count", _close(ctx, frac.end)
            ctx.claimed.add((frac.start, frac.end))
        found = ctx.ranges.get((q.start, q.end))
        if found:  # `ranged from 0% to 17% (mean 6%)`: the mean is the value, the ends its range
            row.range_low, row.range_high = found
            row.statistic = ctx.statistic(q) or "mean"
        row_time(ctx, q, row)
        p = ctx.p_after(q)
        if p and row.p_value is None:
            row.p_value, row.p_relation = p.p_value, p.p_relation
        rows.append(row)
        last = (q, term)
    inherit_time(ctx, rows)
    pair_respectively(ctx, rows)
    pair_vs_brackets(ctx, rows)
    parallel_arms(ctx, rows)
    pair_listed_events(ctx, rows, events)
    return rows


def _restated(
    ctx: SentenceContext, q: Quantity, count: int | None, rows: list[Evidence]
) -> Evidence | None:
    """The named count that a bracketed fraction right after it restates with its
    denominator: `27 patients died (27/1,246, ...)`, `two deaths (2/310)`."""
    if count is None or q.denominator is None:
        return None
    for row in rows:
        if row.count == count and row.char_end <= q.start and row.denominator is None:
            if re.fullmatch(r"\s*[(\[]\s*", ctx.span(row.char_end, q.start)):
                return row
    return None


def _same_as_before(
    ctx: SentenceContext, q: Quantity, events: list[Term], last: tuple[Quantity, Term | None] | None
) -> Term | None:
    """`X occurred in 38 patients (7.6%) receiving A and in 29 (5.8%) receiving B, and Y in
    4.8%`: a count that names no event of its own continues the previous count's event,
    not the one named after it, while no other event and no `;` come between them."""
    if last is None or last[1] is None:
        return None
    between = ctx.span(last[0].end, q.start)
    if ";" in between or any(last[0].end <= t.start and t.end <= q.start for t in events):
        return None
    return last[1]


def _share(ctx: SentenceContext, q: Quantity) -> tuple[int | None, Quantity | None]:
    """The event count and the quantity holding its percent, if `q` is a count or rate.

    `4% (204/5,319)`, `(n=43)`, `9 of 212 hips (4.2%)`, `in 11 patients (4.8%)`."""
    if q.n_equals:
        return int(q.value), q
    if q.is_percent:
        return q.count, q
    nxt = ctx.next_value(q)
    pct = None
    if nxt is not None and nxt.is_percent and nxt.count is None and not ctx.is_claimed(nxt):
        gap = ctx.span(q.end, nxt.start)
        # `11 patients (4.8%)`; inside a bracket `(3 patients, 5.9%)`
        listed = re.fullmatch(r"\s*(?:[a-z]+\s*)?,\s*", gap) and re.search(
            r"[(\[]\s*$", ctx.before(q.start, 3)
        )
        if (_PCT_IN_PAREN_AFTER.match(gap) or listed) and re.match(
            r"\s*[)\]]", ctx.after(nxt.end, 3)
        ):
            pct = nxt
    if q.count is not None:
        return q.count, pct or matching_rate(ctx, q, nxt)
    whole = q.value is not None and q.value == int(q.value) and not q.unit
    noun = count_noun_after(ctx, q) if whole else None
    if noun is not None and noun.category in ("person", "body_part"):
        if re.search(r"\bin\s+$", ctx.before(q.start, 6)) or pct is not None:
            return int(q.value), pct  # `required in two patients`, `11 patients (4.8%)`
    if (
        noun is not None
        and noun.category == "sex"
        and (
            re.search(r"\bin\s+$", ctx.before(q.start, 6))
            or pct is not None
            and _SEX_HAD.match(ctx.after(pct.end, 30))
        )
    ):
        return int(q.value), pct  # `developed in 21 women (10.4%)`: the women who had it
    if whole and _in_count_list(ctx, q):
        return int(q.value), pct
    return None, None


# `17 women (6.3%) discontinued ...`: the women who had the event, not a sex share
_SEX_HAD = re.compile(
    r"^\s*[)\]]\s*(?:had|developed|experienced|reported|sustained|suffered|required|needed|"
    r"underwent|discontinued|stopped|withdrew)\b",
    re.IGNORECASE,
)
_COUNT_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)", re.IGNORECASE)


def _in_count_list(ctx: SentenceContext, q: Quantity) -> bool:
    """`occurred in 51 and 113 patients, respectively`: plain numbers listed after `in`
    that share the person noun after the last one are each a count."""
    run = [q]
    while (prev := ctx.prev_value(run[0])) is not None and _COUNT_LIST_GAP.fullmatch(
        ctx.span(prev.end, run[0].start)
    ):
        run.insert(0, prev)
    while (nxt := ctx.next_value(run[-1])) is not None and _COUNT_LIST_GAP.fullmatch(
        ctx.span(run[-1].end, nxt.start)
    ):
        run.append(nxt)
    if len(run) < 2 or not re.search(r"\bin\s+$", ctx.before(run[0].start, 6)):
        return False
    if any(v.unit or v.is_percent or v.value is None or v.value != int(v.value) for v in run):
        return False
    noun = count_noun_after(ctx, run[-1])
    return noun is not None and noun.category in ("person", "body_part")


def _after_change(ctx: SentenceContext, q: Quantity) -> bool:
    head = ctx.before(q.start, 30)
    return bool(re.search(r"\b(?:by|of)\s+$", head)) and bool(ctx.vocab.cues_in(head, "change"))


def _close(ctx: SentenceContext, end: int) -> int:
    close = re.match(r"\s*[)\]]", ctx.after(end, 3))
    return end + (close.end() if close else 0)


def _mean_ranges(ctx: SentenceContext) -> None:
    """`ranged from 0% to 17% (mean 6%)`: the ends belong to the mean, not rows."""
    for q in ctx.values:
        if _MEAN_IN_PAREN.search(ctx.before(q.start, 12)):
            hi = ctx.prev_value(q)
            lo = ctx.prev_value(hi) if hi else None
            if hi and lo and re.fullmatch(r"\s*(?:to|-|–)\s*", ctx.span(lo.end, hi.start)):
                ctx.claimed.update({(lo.start, lo.end), (hi.start, hi.end)})
                ctx.ranges[(q.start, q.end)] = (lo.value, hi.value)


def _named_counts(ctx: SentenceContext, events: list[Term]) -> list[Evidence]:
    """`one nerve root injury`, `two cases of implant loosening`, `Two patients developed a
    pulmonary embolism`, `Twenty-three patients (11.5%) developed atrial fibrillation`."""
    rows = []
    for q in ctx.values:
        if ctx.is_claimed(q) or q.is_percent or q.value is None or q.value != int(q.value):
            continue
        if q.year_like or q.relation or q.denominator is not None or q.unit:
            continue
        if _LABEL_LIST.search(ctx.before(q.start, 25)):
            continue  # `grade 3 or 4 neutropenia`: the 4 is a grade, not a count
        found = named_count_term(ctx, q, events)
        if found is None:
            row = _had_unnamed(ctx, q, events)
            rows += [row] if row else []
            continue
        term, pct = found
        if term.category == "endpoint":
            continue  # `214 patients had an objective response`: a share, not an event
        term = specific_in_paren(ctx, term, events) or relation_event(ctx, term) or term
        row = ctx.evidence(
            "complication",
            q,
            "complication.named_count",
            char_end=max(term.end, q.end),
            value=q.value,
            count=int(q.value),
            measure=term.canonical,
            measure_text=term.text,
            statistic="count",
            unit=None,
            group_name=ctx.group_for(q) or lead_group(ctx),
        )
        pct = pct or _percent_after_term(ctx, term)
        if pct is not None:  # `4 deaths (1.2%)`, `Twenty-three patients (11.5%) developed`
            row.percent = pct.value
            row.char_end = max(row.char_end, _close(ctx, pct.end))
            ctx.claimed.add((pct.start, pct.end))
        rows.append(row)
    return rows


def _percent_after_term(ctx: SentenceContext, term: Term) -> Quantity | None:
    nxt = [v for v in ctx.values if v.start >= term.end]
    if not nxt or not nxt[0].is_percent or nxt[0].count is not None:
        return None
    if re.fullmatch(r"\s*[(\[]\s*", ctx.span(term.end, nxt[0].start)) and re.match(
        r"\s*[)\]]", ctx.after(nxt[0].end, 3)
    ):
        return nxt[0]
    return None


_HAD = re.compile(
    r"^\s+(?:(?:patients?|participants?)\s+)?(?:had|developed|experienced|suffered|sustained)"
    r"\s+(?:an?\s+)?(?P<what>[a-z][\w\-]*(?:\s+(?!after\b|related\b|following\b|due\b|"
    r"because\b|at\b|in\b|during\b|and\s+\d)[\w\-]+){0,6})",
    re.IGNORECASE,
)


def _had_unnamed(ctx: SentenceContext, q: Quantity, events: list[Term]) -> Evidence | None:
    """`...; 1 had flushing and shortness of breath after injection`: in a sentence that
    reports events, a count that *had* something the vocabulary does not name is an event
    with its words as written."""
    if not events:
        return None
    m = _HAD.match(ctx.after(q.end, 120))
    if not m:
        return None
    return ctx.evidence(
        "complication",
        q,
        "complication.named_count",
        char_end=q.end + m.end("what"),
        value=q.value,
        count=int(q.value),
        measure=None,
        measure_text=m.group("what"),
        statistic="count",
        unit=None,
        group_name=ctx.group_for(q) or lead_group(ctx),
    )


def _none_reported(ctx: SentenceContext, events: list[Term]) -> list[Evidence]:
    """`no complications were reported`, `There were no deaths`: a count of zero.

    Only a study-level statement counts: a plural event (`no complications`), a rate, or
    `there were no`. `However, no revision surgery was performed` after one patient's
    story is that patient's management, not a zero count."""
    rows: list[Evidence] = []
    for term in events:
        if term.category == "endpoint":
            continue
        head = ctx.before(term.start, 45)
        m = _NONE.search(head)
        if not m:
            if rows and re.fullmatch(
                r"\s*(?:,\s*)?(?:or|and|nor|,)\s+(?:an?\s+)?",
                ctx.span(rows[-1].char_end, term.start),
            ):  # `no cases of deep infection or venous thromboembolism`: each is zero
                rows.append(_zero(ctx, term.start, term))
            continue
        plural = re.search(r"(?:s|es)$", term.text) and not term.text.lower().endswith("sis")
        rate = re.match(r"^\s*rates?\b", ctx.after(term.end, 8))
        nobody = re.match(r"no\s+(?:patients?|participants?|subjects?)\b", m.group(), re.I)
        if not (
            plural
            or rate
            or nobody
            or m.group("there")
            or m.group("neither")
            or m.group().lower().startswith("none")
        ):
            continue
        start = term.start - (len(head) - m.start())
        if _COUNTED_HAD_NONE.search(ctx.clause_before(start)):
            continue  # `Two of these patients had no complications`: a share, not a zero
        rows.append(_zero(ctx, start, term))
    return rows


def _zero(ctx: SentenceContext, start: int, term: Term) -> Evidence:
    """A zero count of `term` (the study reports none), its mention from `start`."""
    return Evidence(
        kind="complication",
        value=0.0,
        char_start=start,
        char_end=term.end,
        rule="complication.none_reported",
        quote=ctx.sentence.text,
        quote_start=ctx.sentence.start,
        quote_end=ctx.sentence.end,
        measure=attributed(ctx, term),
        measure_text=term.text,
        count=0,
        statistic="count",
    )

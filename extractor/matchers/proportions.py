"""Proportions: shares of patients that are not adverse events.

Any share of patients with evidence that it *is* a share (a count or denominator, `of
patients`, `rate`, a parenthesised percent after a noun) is a `proportion` (`81%
[83/102]`, `Twenty-three patients (79.3%)`, `In 27 of 28 patients (96%)`, `54 patients
(41 women, 13 men)`). Events named in `patterns/complications.tsv` are claimed first by
`complications.py`, which runs before this matcher.
"""

from __future__ import annotations

import re

from extractor.matchers.complication_forms import opening_denominator, rate_of_fraction
from extractor.matchers.context import SentenceContext
from extractor.matchers.event_time import inherit_time, pair_respectively, row_time
from extractor.matchers.proportion_forms import (
    close_end,
    closing_percent,
    fraction_after,
    from_percent,
    none_with,
    of_these,
    share_after,
    share_of_patients,
    skip_ranges,
    to_percent,
)
from extractor.matchers.sample_size import count_noun_after
from extractor.quantities import Quantity
from extractor.types import Evidence
from extractor.vocab import Term


def find_proportions(ctx: SentenceContext) -> list[Evidence]:
    rows: list[Evidence] = []
    rows += _breakdown(ctx) + none_with(ctx)
    share_cue = bool(ctx.vocab.cues_in(ctx.sentence.text, "share"))
    # `complete responses were observed in 4.3% and 2.2%`: an efficacy end point's rates
    share_cue = share_cue or any(t.category == "endpoint" for t in ctx.complications)
    values = ctx.values
    skip_ranges(ctx)
    for i, q in enumerate(values):
        if ctx.is_claimed(q) or q.n_equals:
            continue
        if ctx.is_blocked(q) and not share_of_patients(ctx, q):
            continue
        noun = count_noun_after(ctx, q) if not q.is_percent else None
        noun = noun or of_these(ctx, q)
        pct_after_noun = _percent_after(ctx, noun) if noun else None
        nxt = values[i + 1] if i + 1 < len(values) else None
        after_from = (
            q.is_percent
            and i > 0
            and re.fullmatch(r"\s*to\s*", ctx.span(values[i - 1].end, q.start))
            and re.search(r"\bfrom\s+$", ctx.before(values[i - 1].start, 10))
        )
        from_to = (
            not q.is_percent
            and nxt is not None
            and nxt.is_percent
            and re.fullmatch(r"\s*to\s*", ctx.span(q.end, nxt.start))
            and re.search(r"\bfrom\s+$", ctx.before(q.start, 10))
        )
        in_paren = re.search(r"\(\s*$", ctx.before(q.start, 3)) or _second_of_pair(ctx, q)
        from_pct = from_percent(ctx, q)
        to_pct = to_percent(ctx, q)
        if q.is_percent:
            if not (
                q.count is not None
                or share_cue
                or in_paren
                or q.is_word
                or after_from
                or from_pct
                or to_pct
                or fraction_after(ctx, q) is not None
                or _outcome_in_percent(ctx, q)
                or share_after(ctx, q)
            ):
                continue
            if ctx.instruments and _instrument_unit_percent(ctx) and not share_after(ctx, q):
                continue  # `LVEF 35%`: a score in percent, the score matcher's
        elif from_to:
            pass
        elif q.count is not None and q.percent is not None:
            pass  # `13 (44.8%)`
        elif _fraction_then_percent(ctx, q, nxt):
            pass  # `and in 118 of 490 (24.1%) in the placebo group`
        elif noun is not None and _MEAN_OF_ALL.match(ctx.after(noun.end, 30)):
            continue  # `The 812 patients had a mean age of ...`: the whole population
        elif noun is not None and (
            q.denominator is not None
            or pct_after_noun
            or noun.category == "subset"
            or _outcome(ctx, noun)
        ):
            pass
        else:
            continue
        row = ctx.evidence(
            "proportion", q, "proportion.percent" if q.is_percent else "proportion.count"
        )
        if from_to:
            row.percent, row.unit, row.rule = q.value, "%", "proportion.from_to"
        if from_pct:
            row.rule = "proportion.from_to"
        if noun is not None:
            row.count = int(q.value) if q.count is None else q.count
            row.char_end = noun.end
            row.measure_text = noun.text
            if pct_after_noun:
                row.percent = pct_after_noun.percent
                if pct_after_noun.ci_low is not None:  # `(57.4%; 95% CI, 52.2 to 62.4)`
                    row.ci_low, row.ci_high = pct_after_noun.ci_low, pct_after_noun.ci_high
                    row.ci_level = pct_after_noun.ci_level
                close = re.match(r"\s*[)\]]", ctx.after(pct_after_noun.end, 3))
                row.char_end = pct_after_noun.end + (close.end() if close else 0)
                ctx.claimed.add((pct_after_noun.start, pct_after_noun.end))
            row.rule = "proportion.count_noun"
            late = None if pct_after_noun else closing_percent(ctx, q, noun)
            if late is not None:  # `Twenty-five patients would recommend ... (86.2%)`
                row.percent = late.percent
                ctx.claimed.add((late.start, late.end))
        if _fraction_then_percent(ctx, q, nxt) and nxt is not None:
            row.percent, row.char_end = nxt.percent, close_end(ctx, nxt.end)
            ctx.claimed.add((nxt.start, nxt.end))
        if q.is_percent:
            row.count = q.count
            frac = fraction_after(ctx, q) if q.count is None else None
            if frac is not None:  # `65.0% of the cohort (143/220)`, `41.7% (25 of 60 patients)`
                row.count, row.denominator = frac.count, frac.denominator
                row.char_end = close_end(ctx, frac.end)
                ctx.claimed.add((frac.start, frac.end))
        total = _of_total(ctx, q) if row.denominator is None else None
        if total is not None:  # `61 (38%) of 159 patients given duloxetine`
            row.denominator = int(total.value or 0)
            row.char_end = max(row.char_end, total.end)
            ctx.claimed.add((total.start, total.end))
        if row.count is not None and row.denominator is None:
            row.denominator = _out_of(ctx, q)
        if row.denominator is None and row.count is not None and row.percent is not None:
            row.denominator = opening_denominator(ctx, q, row.count, row.percent)
        if row.percent is None and row.count is not None and row.denominator:
            rate = rate_of_fraction(ctx, row.count, row.denominator, row.char_end)
            if rate is not None:  # `301 of the 355 patients with data (84.8%)`
                row.percent, row.char_end = rate.percent, close_end(ctx, rate.end)
                ctx.claimed.add((rate.start, rate.end))
        row.value = row.percent if row.percent is not None else float(row.count or q.value or 0)
        row.statistic = "percent" if row.percent is not None else "count"
        row.group_name = ctx.group_for(q) or (ctx.group_for(total) if total else None)
        row_time(ctx, q, row)
        if (from_to or from_pct) and row.timepoint is None:
            row.timepoint = "baseline"
        elif re.fullmatch(r"\s*to\s*", ctx.span((ctx.prev_value(q) or q).end, q.start)) and (
            row.timepoint is None
        ):
            row.timepoint = "follow-up"
        p = ctx.p_after(q)
        if p and row.p_value is None:
            row.p_value, row.p_relation = p.p_value, p.p_relation
        rows.append(row)
    inherit_time(ctx, rows)
    pair_respectively(ctx, rows)
    return rows


_MEAN_OF_ALL = re.compile(r"\s+had\s+(?:a\s+)?(?:mean|median|average)\b", re.IGNORECASE)
_PERCENT_LIST_GAP = re.compile(
    r"(?:\s+of\s+(?:the\s+)?(?:[\w\-]+\s+){0,3}?(?:patients|participants|those))?"
    r"\s*(?:,\s*(?:and\s+)?|\s+(?:and|versus|vs\.?|compared\s+with)\s+)",
    re.I,
)


def _outcome_in_percent(ctx: SentenceContext, q: Quantity) -> bool:
    """`Treatment success occurred in 61% and 44%, respectively`: percents `in` which an
    outcome verb of the clause happened are shares of patients (the list's later members
    too)."""
    first = q
    while (prev := ctx.prev_value(first)) is not None and prev.is_percent:
        if not _PERCENT_LIST_GAP.fullmatch(ctx.span(prev.end, first.start)):
            break
        first = prev
    if not re.search(r"\bin\s+$", ctx.before(first.start, 5)):
        return False
    clause = ctx.clause_before(first.start)
    return bool(ctx.vocab.cues_in(clause, "outcome"))


def _second_of_pair(ctx: SentenceContext, q: Quantity) -> bool:
    """`more common after A (20.8% vs 6.3%)`: the second percent of a bracketed pair."""
    prev = ctx.prev_value(q)
    if prev is None or not (prev.is_percent and q.is_percent):
        return False
    if not re.fullmatch(r"\s*(?:vs\.?|versus|and|,|;)\s*", ctx.span(prev.end, q.start)):
        return False
    return bool(re.search(r"\(\s*$", ctx.before(prev.start, 3))) and bool(
        re.match(r"\s*\)", ctx.after(q.end, 3))
    )


def _fraction_then_percent(ctx: SentenceContext, q: Quantity, nxt: Quantity | None) -> bool:
    """`118 of 490 (24.1%)`: a count of a denominator with its percent in brackets right
    after, and no noun between (`142 of 489 patients (29.0%)` goes by its noun)."""
    return (
        not q.is_percent
        and q.count is not None
        and q.denominator is not None
        and q.percent is None
        and nxt is not None
        and nxt.is_percent
        and nxt.count is None
        and bool(re.fullmatch(r"\s*[(\[]\s*", ctx.span(q.end, nxt.start)))
    )


def _instrument_unit_percent(ctx: SentenceContext) -> bool:
    return any(ctx.vocab.unit_of(t.canonical) == "%" for t in ctx.instruments)


def _percent_after(ctx: SentenceContext, noun: Term) -> Quantity | None:
    for q in ctx.values:
        if (
            q.start >= noun.end
            and q.is_percent
            and re.fullmatch(r"\s*\(\s*", ctx.span(noun.end, q.start))
        ):
            return q
    return None


def _outcome(ctx: SentenceContext, noun: Term) -> bool:
    """`39 patients reported ...`: an outcome verb right after the noun (not `who had`).

    Only units that have outcomes (patients, knees, procedures), not studies: `one case
    series has been published` counts publications."""
    if noun.category == "study":
        return False
    words = " ".join(ctx.after(noun.end, 30).split()[:2])
    if re.match(r"(?:has|have|had)\s+been\b", words, re.IGNORECASE):
        return False
    found = ctx.vocab.cues_in(words, "outcome")
    return bool(found) and found[0].start == 0


def _of_total(ctx: SentenceContext, q: Quantity) -> Quantity | None:
    """`61 (38%) of 159 patients`: the total a count with its percent is out of."""
    if q.count is None or q.percent is None:
        return None
    nxt = ctx.next_value(q)
    if nxt is None or nxt.is_percent or nxt.value is None or nxt.value != int(nxt.value):
        return None
    if not re.fullmatch(r"\s*of\s+", ctx.span(q.end, nxt.start)) or nxt.value < q.count:
        return None
    return nxt


def _out_of(ctx: SentenceContext, q: Quantity) -> int | None:
    """`out of 40 patients ..., 39 patients reported`: the earlier total is the denominator."""
    m = re.search(
        r"\bout of\s+(\d[\d,]*)\s+\w+", ctx.span(ctx.sentence.start, q.start), re.IGNORECASE
    )
    return int(m.group(1).replace(",", "")) if m else None


def _breakdown(ctx: SentenceContext) -> list[Evidence]:
    """`54 patients (41 women, 13 men)`: each part a proportion of the total."""
    rows = []
    for q in ctx.values:
        noun = count_noun_after(ctx, q) if q.value and not q.is_percent else None
        if noun is None or noun.category == "sex":
            continue
        tail = ctx.after(noun.end, 60)
        # `184 patients were included (102 women and 82 men)`: an enrolling verb between
        verb = re.match(r"^\s+(?:were|was|had\s+been)\s+(?:\w+ly\s+)?(\w+)(?=\s*\()", tail)
        opening = verb.end() if verb and ctx.vocab.cues_in(verb.group(1), "enrol") else 0
        if not re.match(r"^\s*\(", tail[opening:]):
            continue
        close = ctx.sentence.text.find(")", noun.end + opening - ctx.sentence.start)
        close_abs = ctx.sentence.start + close if close >= 0 else noun.end
        parts = [
            v
            for v in ctx.values
            if noun.end < v.start < close_abs
            and not ctx.is_claimed(v)
            and not v.is_percent
            and v.value is not None
            and v.value == int(v.value)
        ]
        # `Eleven studies (9 prospective cohort and 2 randomized trials)`: parts that add
        # up to the total are its breakdown even where a part names no counted noun
        adds_up = len(parts) > 1 and sum(v.value for v in parts) == q.value
        for part in parts:
            sub = count_noun_after(ctx, part)
            if sub is not None and sub.category in ("sex", noun.category):
                measure, text, end = sub.canonical, sub.text, sub.end
            elif adds_up:
                words = re.match(
                    r"\s*([^,;()\d]*?)\s*(?:,|;|\)|\band\b|$)", ctx.after(part.end, 60)
                )
                measure, text = None, (words.group(1) if words else "") or None
                end = part.end + (words.end(1) if words else 0)
            else:
                continue
            row = ctx.evidence(
                "proportion",
                part,
                "proportion.breakdown",
                char_end=end,
                value=part.value,
                count=int(part.value),
                denominator=int(q.value),
                measure=measure,
                measure_text=text,
                statistic="count",
                unit=None,
            )
            pct = ctx.next_value(part)
            if pct is not None and pct.is_percent and pct.count is None:
                # `127 women [59.9%]`: the part's own percent is the row's value
                if re.fullmatch(r"\s*[(\[]\s*", ctx.span(end, pct.start)):
                    row.value, row.percent, row.statistic, row.unit = (
                        pct.percent,
                        pct.percent,
                        "percent",
                        "%",
                    )
                    row.char_end = close_end(ctx, pct.end)
                    ctx.claimed.add((pct.start, pct.end))
            rows.append(row)
    return rows

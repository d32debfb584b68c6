"""Complications (adverse events, reoperations, revisions, infections) and proportions.

Both are shares of patients; what separates them is the event. A sentence that names an
event from `patterns/complications.tsv` turns its rates and counts into `complication`
rows (`4% (204/5,319)`, `nerve impingement in less than 1% (n=48)`, `two cases of
implant loosening`, `no complications were reported` → 0). Any other share of patients
with evidence that it *is* a share (a count or denominator, `of patients`, `rate`, a
parenthesised percent after a noun) is a `proportion` (`81% [83/102]`, `Twenty-three
patients (79.3%)`, `In 27 of 28 patients (96%)`, `54 patients (41 women, 13 men)`).
"""

from __future__ import annotations

import re

from extractor.matchers.context import SentenceContext
from extractor.matchers.sample_size import count_noun_after
from extractor.quantities import Quantity
from extractor.types import Evidence
from extractor.vocab import Term

_DELIM = re.compile(r"[,;:(\[]|\band\b|\bfollowed by\b|\bincluded\b|\bwere\b|\bwas\b")
_FUNCTION = re.compile(
    r"^(?:and|or|the|a|an|followed by|in|of|with)\s+|\s+(?:in|was|were|of|is|are|"
    r"in less than|less than|reported in|occurred in)\s*$",
    re.IGNORECASE,
)
_NONE = re.compile(
    r"\b(?:no|none of the (?:patients|participants))\s+(?:\w+\s+){0,2}?$", re.IGNORECASE
)
_MEAN_IN_PAREN = re.compile(r"\(\s*(?:mean|median|average)\s*$", re.IGNORECASE)


def find_complications(ctx: SentenceContext) -> list[Evidence]:
    rows = _named_counts(ctx) + _none_reported(ctx)
    if not ctx.complications:
        return rows
    for q in ctx.values:  # `ranged from 0% to 17% (mean 6%)`: the ends belong to the mean
        if _MEAN_IN_PAREN.search(ctx.before(q.start, 12)):
            hi = ctx.prev_value(q)
            lo = ctx.prev_value(hi) if hi else None
            if hi and lo and re.fullmatch(r"\s*(?:to|-|–)\s*", ctx.span(lo.end, hi.start)):
                ctx.claimed.update({(lo.start, lo.end), (hi.start, hi.end)})
                q_range = (lo.value, hi.value)
                ctx.ranges[(q.start, q.end)] = q_range
    for q in ctx.values:
        if ctx.is_claimed(q) or ctx.is_blocked(q) and q.count is None:
            continue
        has_share = q.is_percent or q.count is not None or q.n_equals
        if not has_share:
            continue
        term, text = _event_for(ctx, q)
        count = q.count if q.count is not None else (int(q.value) if q.n_equals else None)
        row = ctx.evidence(
            "complication",
            q,
            "complication.rate" if q.is_percent else "complication.count",
            value=float(count) if count is not None else q.percent,
            count=count,
            measure=term.canonical if term else None,
            measure_text=text or (term.text if term else None),
            statistic="count" if count is not None else "percent",
            group_name=ctx.group_for(q),
        )
        _range_from_to(ctx, q, row)
        _time(ctx, q, row)
        p = ctx.p_after(q)
        if p and row.p_value is None:
            row.p_value, row.p_relation = p.p_value, p.p_relation
        rows.append(row)
    return rows


def _event_for(ctx: SentenceContext, q: Quantity) -> tuple[Term | None, str]:
    """The event a rate belongs to: the noun phrase just before it, else the sentence's."""
    prev = ctx.prev_value(q)
    start = prev.end if prev else ctx.sentence.start
    head = ctx.span(start, q.start)
    cut, last = 0, ""
    for m in _DELIM.finditer(head.rstrip(" ([")):
        cut, last = m.end(), m.group()
    phrase = head[cut:].strip(" ,;([)]")
    for _ in range(3):
        phrase = _FUNCTION.sub("", phrase).strip(" ,;([")
    if re.fullmatch(r"(?:less|more|fewer|greater) than|<|>|≤|≥|", phrase.strip()):
        # `toe numbness (less than 1%, 2/432)`: the event is before the parenthesis
        outer = head[:cut].rstrip(" ([")
        cut = max((m.end() for m in _DELIM.finditer(outer)), default=0)
        phrase = _FUNCTION.sub("", outer[cut:].strip(" ,;([")).strip()
    if re.fullmatch(r"(?:(?:in|mean|median|average|of|the|was|were|to|a|an)\s*)*", phrase, re.I):
        phrase = ""  # only function words: the event is named elsewhere in the sentence
    in_phrase = [t for t in ctx.complications if start + cut <= t.start and t.end <= q.start]
    if in_phrase:
        return in_phrase[-1], phrase
    in_clause = [t for t in ctx.complications if start <= t.start and t.end <= q.start]
    if in_clause and last in ("was", "were"):  # `Heterotopic ossification was seen in 7%`
        return in_clause[-1], in_clause[-1].text
    after = [t for t in ctx.complications if t.start >= q.end]
    before = [t for t in ctx.complications if t.end <= q.start]
    if not phrase and after:
        return after[0], ""
    if not phrase and before:
        return before[-1], phrase
    return None, phrase  # an event the vocabulary does not name: the words as written


def _named_counts(ctx: SentenceContext) -> list[Evidence]:
    """`one nerve root injury`, `two cases of implant loosening`, `Four adverse events`."""
    rows = []
    for q in ctx.values:
        if ctx.is_claimed(q) or q.is_percent or q.value is None or q.value != int(q.value):
            continue
        if q.year_like or q.relation or q.denominator is not None:
            continue
        tail = ctx.after(q.end, 70)
        m = re.match(
            r"^\s+(?:(?:cases?|episodes?|patients?|instances?)\s+(?:of|with)\s+)?"
            r"(?:[a-z][\w\-]*\s+){0,2}?",
            tail,
        )
        term = (
            next((t for t in ctx.complications if t.start == q.end + m.end()), None) if m else None
        )
        if term is None:
            continue
        rows.append(
            ctx.evidence(
                "complication",
                q,
                "complication.named_count",
                char_end=term.end,
                value=q.value,
                count=int(q.value),
                measure=term.canonical,
                measure_text=term.text,
                statistic="count",
                unit=None,
                group_name=ctx.group_for(q),
            )
        )
    return rows


def _none_reported(ctx: SentenceContext) -> list[Evidence]:
    """`no complications were reported`, `There were no reoperations`: a count of zero."""
    rows = []
    for term in ctx.complications:
        head = ctx.before(term.start, 30)
        m = _NONE.search(head)
        if not m:
            continue
        start = term.start - (len(head) - m.start())
        rows.append(
            Evidence(
                kind="complication",
                value=0.0,
                char_start=start,
                char_end=term.end,
                rule="complication.none_reported",
                quote=ctx.sentence.text,
                quote_start=ctx.sentence.start,
                quote_end=ctx.sentence.end,
                measure=term.canonical,
                measure_text=term.text,
                count=0,
                statistic="count",
            )
        )
    return rows


def _range_from_to(ctx: SentenceContext, q: Quantity, row: Evidence) -> None:
    """`ranged from 0% to 17% (mean 6%)`: the mean is the value, the ends its range."""
    found = ctx.ranges.get((q.start, q.end))
    if found:
        row.range_low, row.range_high = found
        row.statistic = ctx.statistic(q) or "mean"


def _time(ctx: SentenceContext, q: Quantity, row: Evidence) -> None:
    tp = ctx.timepoint_right(q) or ctx.timepoint_left(q, set())
    if tp:
        row.timepoint, row.months = tp.timepoint, tp.months


# -- proportions -------------------------------------------------------------------------


def find_proportions(ctx: SentenceContext) -> list[Evidence]:
    rows: list[Evidence] = []
    rows += _breakdown(ctx)
    share_cue = bool(ctx.vocab.cues_in(ctx.sentence.text, "share"))
    values = ctx.values
    for i, q in enumerate(values):
        if ctx.is_claimed(q) or ctx.is_blocked(q) or q.n_equals:
            continue
        noun = count_noun_after(ctx, q) if not q.is_percent else None
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
        in_paren = re.search(r"\(\s*$", ctx.before(q.start, 3))
        if q.is_percent:
            if not (q.count is not None or share_cue or in_paren or q.is_word or after_from):
                continue
            if ctx.instruments and _instrument_unit_percent(ctx):
                continue  # `LVEF 35%`: a score in percent, the score matcher's
        elif from_to:
            pass
        elif q.count is not None and q.percent is not None:
            pass  # `13 (44.8%)`
        elif noun is not None and (
            q.denominator is not None or pct_after_noun or _outcome(ctx, noun)
        ):
            pass
        else:
            continue
        row = ctx.evidence(
            "proportion", q, "proportion.percent" if q.is_percent else "proportion.count"
        )
        if from_to:
            row.percent, row.unit, row.rule = q.value, "%", "proportion.from_to"
        if noun is not None:
            row.count = int(q.value) if q.count is None else q.count
            row.char_end = noun.end
            row.measure_text = noun.text
            if pct_after_noun:
                row.percent = pct_after_noun.percent
                close = re.match(r"\s*[)\]]", ctx.after(pct_after_noun.end, 3))
                row.char_end = pct_after_noun.end + (close.end() if close else 0)
                ctx.claimed.add((pct_after_noun.start, pct_after_noun.end))
            row.rule = "proportion.count_noun"
        if q.is_percent:
            row.count = q.count
        if row.count is not None and row.denominator is None:
            row.denominator = _out_of(ctx, q)
        row.value = row.percent if row.percent is not None else float(row.count or q.value or 0)
        row.statistic = "percent" if row.percent is not None else "count"
        row.group_name = ctx.group_for(q)
        _time(ctx, q, row)
        if from_to and row.timepoint is None:
            row.timepoint = "baseline"
        elif re.fullmatch(r"\s*to\s*", ctx.span((ctx.prev_value(q) or q).end, q.start)) and (
            row.timepoint is None
        ):
            row.timepoint = "follow-up"
        p = ctx.p_after(q)
        if p and row.p_value is None:
            row.p_value, row.p_relation = p.p_value, p.p_relation
        rows.append(row)
    return rows


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
    """`39 patients reported ...`: an outcome verb right after the noun (not `who had`)."""
    words = " ".join(ctx.after(noun.end, 30).split()[:2])
    found = ctx.vocab.cues_in(words, "outcome")
    return bool(found) and found[0].start == 0


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
        if not re.match(r"^\s*\(", tail):
            continue
        close = ctx.sentence.text.find(")", noun.end - ctx.sentence.start)
        close_abs = ctx.sentence.start + close if close >= 0 else noun.end
        for part in ctx.values:
            if not (noun.end < part.start < close_abs) or ctx.is_claimed(part) or part.is_percent:
                continue
            sub = count_noun_after(ctx, part)
            if sub is None or sub.category not in ("sex", noun.category):
                continue
            rows.append(
                ctx.evidence(
                    "proportion",
                    part,
                    "proportion.breakdown",
                    char_end=sub.end,
                    value=part.value,
                    count=int(part.value),
                    denominator=int(q.value),
                    measure=sub.canonical,
                    measure_text=sub.text,
                    statistic="count",
                    unit=None,
                )
            )
    return rows

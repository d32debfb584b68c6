"""Shapes of a share of patients that need more than one number or a cue around it.

`Opioid use fell from 58% before surgery to 21% at 1 year` (two shares, baseline and
follow-up), `Men made up 65.0% of the cohort (143/220)` and `41.7% (25 of 60 patients)`
(one share with its count), `Twenty-five patients would recommend ... (86.2%)` (a count
whose percent closes the clause), `Thirty-one of these patients were operated on`, `There
were no patients with sacral dysmorphism` (0), and what is *not* a share: `fusion rates
were 13% to 100%`, `ranged from 56% to 100%` (spreads across studies, no headline value).
"""

from __future__ import annotations

import re

from extractor.matchers.context import SentenceContext
from extractor.quantities import Quantity
from extractor.types import Evidence
from extractor.vocab import Term

_SHARE_AFTER = re.compile(
    r"^\s*of\s+(?:the\s+|all\s+)?(?:patients|participants|subjects|cases|women|men|"
    r"respondents|individuals)\b",
    re.IGNORECASE,
)
_NO_PATIENTS = re.compile(
    r"\b(?:there\s+(?:were|was)\s+)no\s+(?P<noun>patients|participants|subjects|cases)\s+"
    r"(?:with|who|had|showed|presented)\b",
    re.IGNORECASE,
)
_OF_THESE = re.compile(r"^\s+of\s+(?:these|those|the|our|all)\s+", re.IGNORECASE)


def close_end(ctx: SentenceContext, end: int) -> int:
    """`end` moved past a closing bracket right after it (`(25 of 60 patients)`)."""
    close = re.match(r"(?:\s+[a-z\-]+)?\s*[)\]]", ctx.after(end, 25))
    return end + (close.end() if close else 0)


def share_of_patients(ctx: SentenceContext, q: Quantity) -> bool:
    """`MCID for VAS-pain was reached in 69% of patients`: a percent *of patients* is a
    share even in a clause a definition cue (MCID) would otherwise block."""
    return q.is_percent and q.relation is None and bool(_SHARE_AFTER.match(ctx.after(q.end, 30)))


def fraction_after(ctx: SentenceContext, q: Quantity) -> Quantity | None:
    """The `(143/220)` or `(25 of 60 patients)` that gives a percent its count."""
    if q.count is not None:
        return None
    nxt = ctx.next_value(q)
    if nxt is None or nxt.count is None or nxt.denominator is None or nxt.is_percent:
        return None
    gap = ctx.span(q.end, nxt.start)
    if re.fullmatch(r"\s*(?:of\s+(?:the\s+)?[\w\-]+\s*)?[(\[]\s*", gap, re.IGNORECASE):
        return nxt
    return None


def closing_percent(ctx: SentenceContext, q: Quantity, noun: Term) -> Quantity | None:
    """`Twenty-five patients would recommend the surgery ... (86.2%).`: the bracketed
    percent that closes the clause of a count, with no other number between."""
    nxt = ctx.next_value(q)
    if nxt is None or not nxt.is_percent or nxt.count is not None or ctx.is_claimed(nxt):
        return None
    between = ctx.span(noun.end, nxt.start)
    if ";" in between or not re.search(r"[(\[]\s*$", between):
        return None
    if not re.match(r"\s*[)\]]\s*(?:[.;]|$)", ctx.after(nxt.end, 5)):
        return None
    return nxt


def from_percent(ctx: SentenceContext, q: Quantity) -> bool:
    """`fell from 58% before surgery to 21% at 1 year`: the first share of a change."""
    if not q.is_percent or q.count is not None:
        return False
    if not re.search(r"\bfrom\s+$", ctx.before(q.start, 8)):
        return False
    bracketed = re.search(r"[(\[]\s*from\s+$", ctx.before(q.start, 8))
    if not bracketed and not ctx.vocab.cues_in(ctx.clause_before(q.start), "change_verb"):
        return False  # `(from 33.9% to 19.0%)` needs no verb: the bracket is the change
    later = [v for v in ctx.values if v.start >= q.end and v.is_percent]
    if not later:
        return False
    gap = ctx.span(q.end, later[0].start)
    return ";" not in gap and bool(re.search(r"\bto\s+$", gap))


def to_percent(ctx: SentenceContext, q: Quantity) -> bool:
    """`... from 58% before surgery to 21% at 1 year`: the second share of a change."""
    if not q.is_percent or not re.search(r"\bto\s+$", ctx.before(q.start, 5)):
        return False
    earlier = [v for v in ctx.values if v.end <= q.start and v.is_percent]
    return bool(earlier) and from_percent(ctx, earlier[-1])


def skip_ranges(ctx: SentenceContext) -> None:
    """`fusion rates were 13% to 100%`, `ranged from 56% to 100%`: the spread of rates
    across studies has no headline value, so neither end is a row (a change `fell from
    58% to 21%` keeps both)."""
    values = ctx.values
    for lo, hi in zip(values, values[1:], strict=False):
        if not (lo.is_percent and hi.is_percent) or lo.count is not None or hi.count is not None:
            continue
        if not re.fullmatch(r"\s*(?:to|-|–)\s*", ctx.span(lo.end, hi.start)):
            continue
        head = ctx.before(lo.start, 40)
        if re.search(r"\bfrom\s+$", head) and not re.search(r"\brang\w*\s+from\s+$", head):
            continue
        if re.search(r"\(\s*(?:mean|median|average)\s", ctx.after(hi.end, 12)):
            continue  # `ranged from 0% to 17% (mean 6%)`: the mean's range (complications)
        ctx.claimed.update({(lo.start, lo.end), (hi.start, hi.end)})


def of_these(ctx: SentenceContext, q: Quantity) -> Term | None:
    """`Thirty-one of these patients were operated on both sides`: a subset of a counted
    group that the sentence says something about."""
    if q.is_percent or q.denominator is not None or q.value is None or q.value != int(q.value):
        return None
    m = _OF_THESE.match(ctx.after(q.end, 40))
    if not m:
        return None
    start = q.end + m.end()
    nouns = ctx.vocab.count_nouns_in(ctx.sentence.text, ctx.sentence.start)
    noun = next(  # the noun, or one adjective before it (`of these older patients`)
        (t for t in nouns if re.fullmatch(r"(?:[a-z\-]+\s+)?", ctx.span(start, t.start))),
        None,
    )
    if noun is None or noun.category == "study":
        return None
    if not re.match(
        r"^\s+(?:were|was|had|have|underwent|received|required|did)\b", ctx.after(noun.end, 15)
    ):
        return None
    return Term(noun.start, noun.end, noun.text, noun.canonical, "subset")


def none_with(ctx: SentenceContext) -> list[Evidence]:
    """`There were no patients with sacral dysmorphism`: a share of zero (an event named
    after it is a zero complication instead, found by the complication matcher)."""
    m = _NO_PATIENTS.search(ctx.sentence.text)
    if not m:
        return []
    base = ctx.sentence.start
    if any(t.start >= base + m.end() for t in ctx.complications):
        return []
    return [
        Evidence(
            kind="proportion",
            value=0.0,
            char_start=base + m.start(),
            char_end=base + m.end("noun"),
            rule="proportion.none",
            quote=ctx.sentence.text,
            quote_start=ctx.sentence.start,
            quote_end=ctx.sentence.end,
            count=0,
            statistic="count",
            measure_text=m.group("noun"),
        )
    ]


def share_after(ctx: SentenceContext, q: Quantity) -> bool:
    """`68.2% of patients had an HbA1c below 7.0%`: a percent of patients is a share even
    where the sentence's instrument is measured in percent."""
    found = ctx.vocab.cues_in(ctx.after(q.end, 30), "share")
    if found and not ctx.after(q.end, 30)[: found[0].start].strip():
        return True
    # `83.3% of athletes`, `12% of the knees`: of a counted unit of `count_nouns.tsv`
    m = re.match(r"\s*of\s+(?:the\s+|these\s+|those\s+|all\s+|our\s+)?", ctx.after(q.end, 40))
    if not m:
        return False
    nouns = ctx.vocab.count_nouns_in(ctx.after(q.end, 40)[m.end() :])
    return bool(nouns) and nouns[0].start == 0 and nouns[0].category != "study"
